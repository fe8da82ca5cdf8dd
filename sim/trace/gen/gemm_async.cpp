// The GEMM skeleton's asynchronous-copy pipelines (multistage, `stages` shared-memory buffers).
//
// cp.async (sm_80+, as CUTLASS's multistage mainloop): every thread copies its 16-byte chunks of
// the A and B tiles with LDGSTS.E.BYPASS.128 (global -> shared, no registers, not allocated in
// L1) and closes the k-tile's group with LDGDEPBAR. The prologue issues k-tiles 0..stages-2; each
// iteration then waits until its own k-tile's group has landed (DEPBAR.LE SB0, stages-2), meets
// the CTA at BAR.SYNC (all threads' chunks landed, and every warp is done reading the buffer the
// next copy overwrites), issues k-tile kt+stages-1 (predicated off past the end), and computes
// k-tile kt from buffer kt mod stages (warpgroup MMA: the copy follows the compute, whose wait
// completes the previous k-tile's GMMAs that read the buffer it overwrites).
//
// TMA (sm_90, warp-specialised as CUTLASS's TMA-warpspecialized kernels): warps 0..C-1 compute,
// warp C produces. Each buffer s has a "full" mbarrier (1 arrival: the producer's, plus the
// copies' bytes) and an "empty" one (C arrivals, one per consumer warp). Warp 0 initialises them
// and the CTA meets once at BAR.SYNC. Producer, per k-tile kt (s = kt mod stages, round r =
// kt / stages): wait for the empty barrier's phase of round r-1 (parity (r & 1) ^ 1, which passes
// in round 0), arrive on full[s] expecting the stage's bytes, then one UTMALDG.2D per tile
// box into buffer s. Consumers: wait for full[s] phase r (parity r & 1), compute (WARPGROUP.ARRIVE,
// GMMAs, WARPGROUP.DEPBAR.LE gsb0, 1: the previous k-tile's GMMAs are then complete), and release
// the previous k-tile's buffer by arriving on its empty barrier. Only one lane of the producer
// (and of each consumer's arrive) is active, as with elect.sync.
//
// With a thread-block cluster (cluster_m x cluster_n CTAs, as CUTLASS's TMA-multicast kernels):
// the CTAs of a cluster along M share the B tile (along N: the A tile). Each producer copies its
// own other tile, plus slice `rank` of the shared tile (its rows split into cluster-size slices)
// with UTMALDG.2D.MULTICAST into every CTA of the cluster, so each full[s] still expects the whole
// stage's bytes, 1/C of the shared tile landing from each CTA of the cluster. A buffer is then
// written by every producer of the cluster, so its empty barrier expects C arrivals from each of
// the cluster's CTAs: each consumer warp releases it with one remote arrive
// (SYNCS.ARRIVE.TRANS64.RED) whose lane r names rank r's barrier. Releases nobody waits for (the
// last `stages` k-tiles' buffers) are predicated off, so no CTA signals a peer that may have
// exited.
#include <algorithm>

#include "trace/gen/gemm.hpp"

namespace joulesim::trace::gen::detail {

void GemmKernel::emit_cp_async(const Dim3& cta, uint32_t warp, Warp& w) const {
  setup_registers(w);
  prologue(w);
  const uint64_t kts = s_.k_tiles(), stages = s_.stages, lanes = info_.warp_size;
  uint64_t addrs[64];
  auto copy = [&](uint64_t kt, bool active) {
    for (uint64_t i = 0; i < loads_per_warp_; ++i) {
      const int t = chunk_addrs(cta, warp, kt, i, addrs);
      w.mem(ldgsts_, active ? w.full() : 0, {}, {tiles_[t].ptr_reg, reg(kSmemW)},
            {addrs, active ? lanes : 0});
    }
    w.op(ldgdepbar_, {}, {});
  };
  for (uint64_t kt = 0; kt + 1 < stages; ++kt) copy(kt, kt < kts);
  if (const uint32_t nks = ksteps(); nks > 0 && stages >= 3) {
    // Fragment double buffering: the wait and barrier for k-tile kt + 1 come before the last
    // k-step of kt, so that k-step's MMAs cover the next tile's first fragment loads.
    w.op(depbar_le_, {}, {}, static_cast<uint32_t>(stages - 2));
    w.op(bar_, {}, {});
    load_fragments(w, cta, warp, 0, 0, 0, 0, true);
    const uint32_t loop = w.pc();
    uint32_t set = 0;
    const uint64_t per_step = (loads_per_warp_ + nks - 1) / nks;
    for (uint64_t kt = 0; kt < kts; ++kt) {
      w.jump(loop);
      // k-tile kt + stages - 1's copies are spread over the k-steps' MMAs, one by one (a burst
      // of them would hold the warp's MMAs behind the L1 port), and committed after the last.
      const uint64_t ct = kt + stages - 1;
      for (uint32_t ks = 0; ks < nks; ++ks) {
        const bool last = ks + 1 == nks;
        if (last) {
          // Tile kt + 1 landed: its group is the oldest but stages - 3 of the committed ones
          // (this iteration's group is not committed yet).
          w.op(depbar_le_, {}, {}, static_cast<uint32_t>(stages - 3));
          w.op(bar_, {}, {});
        }
        // The next k-step's fragments (the next k-tile's first; none after the last k-tile:
        // predicated off there, so the loop keeps its static PCs), one by one among this
        // k-step's MMAs with the copies evenly between them, as the compiler schedules them: a
        // burst would hold the warp's MMAs behind the shared-memory pipe.
        const uint64_t nkt = last ? kt + 1 : kt;
        const uint32_t nk = last ? 0 : ks + 1;
        const uint32_t nf = fragment_loads(nk);
        const uint64_t first = ks * per_step;
        const uint64_t n =
            std::min(loads_per_warp_, first + per_step) - std::min(loads_per_warp_, first);
        const auto slots = static_cast<uint32_t>(nf + n);
        uint32_t frags = 0, copies = 0;
        mma_step(w, set, slots, [&](uint32_t j) {
          // copy c takes slot floor((c + 1/2) slots / n)
          if (copies < n && (2 * copies + 1) * uint64_t{slots} <= 2 * uint64_t{j} * n + n) {
            const int t = chunk_addrs(cta, warp, std::min(ct, kts - 1), first + copies, addrs);
            const bool on = ct < kts;
            w.mem(ldgsts_, on ? w.full() : 0, {}, {tiles_[t].ptr_reg, reg(kSmemW)},
                  {addrs, on ? lanes : 0});
            ++copies;
          } else {
            load_fragments(w, cta, warp, std::min(nkt, kts - 1), nk,
                           static_cast<uint32_t>(nkt % stages), set ^ 1, nkt < kts, frags++, 1);
          }
        });
        if (last) w.op(ldgdepbar_, {}, {});
        set ^= 1;
      }
      loop_tail(w, kt + 1 < kts);
    }
    epilogue(w, cta, warp);
    w.op(exit_, {}, {});
    return;
  }
  const uint32_t loop = w.pc();
  for (uint64_t kt = 0; kt < kts; ++kt) {
    w.jump(loop);
    w.op(depbar_le_, {}, {}, static_cast<uint32_t>(stages - 2));
    w.op(bar_, {}, {});
    // The copy overwrites buffer (kt - 1) mod stages. Warp MMAs of k-tile kt - 1 consumed their
    // fragments before the barrier; warpgroup MMAs are complete only after compute(kt)'s wait.
    if (!s_.mma_async) copy(kt + stages - 1, kt + stages - 1 < kts);
    compute(w, cta, warp, kt, static_cast<uint32_t>(kt % stages));
    if (s_.mma_async) copy(kt + stages - 1, kt + stages - 1 < kts);
    loop_tail(w, kt + 1 < kts);
  }
  epilogue(w, cta, warp);
  w.op(exit_, {}, {});
}

void GemmKernel::emit_tma(const Dim3& cta, uint32_t warp, Warp& w) const {
  const uint64_t kts = s_.k_tiles();
  const uint32_t stages = s_.stages, consumers = s_.consumer_warps;
  const uint64_t one = 1;  // the elected lane
  auto mbar = [&](const Op& op, bool empty, uint32_t stage, uint32_t imm, bool active = true) {
    const uint64_t a = mbar_addr(empty, stage);
    w.mem(op, active ? one : 0, {}, {}, {&a, active ? 1u : 0u}).immediate = imm;
  };
  w.op(s2r_, {reg(kTid)}, {});
  w.op(s2r_, {reg(kCtaX)}, {});
  w.op(s2r_, {reg(kCtaY)}, {});
  const uint32_t csize = cluster_size(), rank = cluster_rank(cta);
  if (warp == 0) {
    for (uint32_t s = 0; s < stages; ++s) {
      mbar(mbar_init_, false, s, 1);
      mbar(mbar_init_, true, s, consumers * csize);
    }
  }
  w.op(bar_, {}, {});
  const uint32_t loop = w.pc();
  if (warp == consumers) {  // the producer
    for (uint64_t kt = 0; kt < kts; ++kt) {
      w.jump(loop);
      const auto s = static_cast<uint32_t>(kt % stages), round = static_cast<uint32_t>(kt / stages);
      mbar(mbar_wait_, true, s, (round & 1u) ^ 1u);
      if (s_.copy == GemmSetup::Copy::kCpAsyncWs) {
        // The whole stage in 16-byte chunks, 32 per LDGSTS, then one arrival when they landed.
        uint64_t addrs[32];
        const uint64_t a_chunks = tiles_[0].chunks(), all = a_chunks + tiles_[1].chunks();
        for (uint64_t c0 = 0; c0 < all; c0 += 32) {
          const int t = c0 < a_chunks ? 0 : 1;
          const uint64_t per_row = tiles_[t].row_bytes / 16;
          for (uint64_t l = 0; l < 32; ++l) {
            const uint64_t c = c0 + l - (t == 0 ? 0 : a_chunks);
            addrs[l] = global_addr(t, cta, kt, c / per_row, c % per_row * 16);
          }
          w.mem(ldgsts_, w.full(), {}, {tiles_[t].ptr_reg, reg(kSmemW)}, {addrs, 32});
        }
        mbar(arrives_, false, s, 0);
      } else {
        mbar(mbar_arrive_, false, s, stage_bytes_);
        // The tile the cluster shares: B when its CTAs lie along M, A along N (none: -1).
        const int shared = csize == 1 ? -1 : s_.cluster_m > 1 ? 1 : 0;
        for (int t = 0; t < 2; ++t) {
          const SmemTile& tl = tiles_[static_cast<size_t>(t)];
          if (t != shared) {
            const uint64_t box[4] = {global_addr(t, cta, kt, 0, 0), tl.pitch, smem_addr(t, s, 0, 0),
                                     mbar_addr(false, s)};
            w.mem(tma_, 0xF, {}, {}, {box, 4}).immediate =
                static_cast<uint32_t>(tl.rows << 16 | tl.row_bytes);
            continue;
          }
          const uint64_t rows = tl.rows / csize, row0 = rank * rows;
          const uint64_t box[5] = {global_addr(t, cta, kt, row0, 0), tl.pitch,
                                   smem_addr(t, s, row0, 0), mbar_addr(false, s),
                                   (uint64_t{1} << csize) - 1};
          w.mem(tma_mcast_, 0x1F, {}, {}, {box, 5}).immediate =
              static_cast<uint32_t>(rows << 16 | tl.row_bytes);
        }
      }
      loop_tail(w, kt + 1 < kts);
    }
    w.op(exit_, {}, {});
    return;
  }
  prologue(w);
  for (uint64_t kt = 0; kt < kts; ++kt) {
    w.jump(loop);
    const auto s = static_cast<uint32_t>(kt % stages), round = static_cast<uint32_t>(kt / stages);
    mbar(mbar_wait_, false, s, round & 1u);
    compute(w, cta, warp, kt, s);
    // compute() ends with a wait that leaves only this k-tile's GMMAs in flight: the previous
    // k-tile's buffer is free (nothing to release before the first).
    const auto prev = static_cast<uint32_t>((kt + stages - 1) % stages);
    if (csize == 1) {
      mbar(mbar_arrive_, true, prev, 0, kt > 0);
    } else {
      // Lane r releases the buffer in rank r's CTA; only buffers that will be refilled.
      const bool on = kt > 0 && kt - 1 + stages < kts;
      uint64_t a[kMaxClusterCtas];
      for (uint32_t r = 0; r < csize; ++r)
        a[r] = mbar_addr(true, prev) + (uint64_t{r} << kClusterRankShift);
      w.mem(mbar_arrive_remote_, on ? (uint64_t{1} << csize) - 1 : 0, {}, {},
            {a, on ? size_t{csize} : size_t{0}});
    }
    loop_tail(w, kt + 1 < kts);
  }
  epilogue(w, cta, warp);
  w.op(exit_, {}, {});
}

}  // namespace joulesim::trace::gen::detail
