// The GEMM skeleton: prologue, global -> registers -> shared copy (double-buffered shared memory,
// `prefetch` register staging sets), k-loop, peeled last k-tile.
#include <algorithm>

#include "core/error.hpp"
#include "trace/gen/gemm.hpp"

namespace joulesim::trace::gen::detail {

GemmKernel::GemmKernel(Isa isa, const GemmSetup& s)
    : KernelProgram(isa, s.name,
                    {static_cast<uint32_t>(s.n / s.bn), static_cast<uint32_t>(s.m / s.bm), 1},
                    {s.threads, 1, 1}),
      s_(s) {
  // CDNA GEMMs have their own kernel (gemm_mfma.cpp).
  if (isa_family(isa) != IsaFamily::kSass) throw Error("gemm generator bug: skeleton is SASS only");
  tiles_[0] = {s.bm, s.bk * s.bits / 8 / (s.sparse ? 2 : 1), s.a_row_bytes(), 0,
               static_cast<uint16_t>(kPtrA)};
  tiles_[1] = {s.bk, s.bn * s.bits / 8, s.b_row_bytes(), 0, static_cast<uint16_t>(kPtrB)};
  tiles_[1].offset = static_cast<uint32_t>(tiles_[0].rows * tiles_[0].row_bytes);
  stage_bytes_ = static_cast<uint32_t>(tiles_[1].offset + tiles_[1].rows * tiles_[1].row_bytes);
  const bool tma = s.copy == GemmSetup::Copy::kTma || s.copy == GemmSetup::Copy::kCpAsyncWs;
  if (s.copy == GemmSetup::Copy::kRegisters) s_.stages = 2;
  // TMA: the stages' full and empty mbarriers (8 bytes each) follow the buffers.
  info_.shmem_bytes = s_.stages * stage_bytes_ + (tma ? 16 * s_.stages : 0);
  const uint64_t total = tiles_[0].chunks() + tiles_[1].chunks();
  // Every copy instruction reads from one tile: tile sizes are multiples of the CTA's threads.
  if (!tma && (tiles_[0].chunks() % s.threads != 0 || tiles_[1].chunks() % s.threads != 0 ||
               tiles_[0].row_bytes % 16 != 0 || tiles_[1].row_bytes % 16 != 0)) {
    throw Error("gemm generator bug: tiles do not split evenly into 16-byte chunks per thread");
  }
  loads_per_warp_ = tma ? 0 : total / s.threads;
  const bool volta = isa == Isa::kSm70;
  ldg_ = intern(volta ? "LDG.E.128.SYS" : "LDG.E.128", 16);
  sts_ = intern("STS.128", 16);
  bar_ = intern("BAR.SYNC");
  inc_ = intern("IADD3");
  cmp_ = intern("ISETP.NE.AND");
  bra_ = intern("BRA");
  exit_ = intern("EXIT");
  mov_ = intern("MOV");
  s2r_ = intern("S2R");
  imad_ = intern("IMAD");
  if (s.copy == GemmSetup::Copy::kCpAsync) {
    ldgsts_ = intern("LDGSTS.E.BYPASS.128", 16);
    ldgdepbar_ = intern("LDGDEPBAR");
    depbar_le_ = intern("DEPBAR.LE");
  } else if (tma) {
    mbar_init_ = intern("SYNCS.EXCH.64", 8);
    mbar_arrive_ = intern("SYNCS.ARRIVE.TRANS64.A1T0", 8);
    mbar_wait_ = intern("SYNCS.PHASECHK.TRANS64.TRYWAIT", 8);
    if (s.copy == GemmSetup::Copy::kTma) {
      tma_ = intern("UTMALDG.2D", 16);
      if (s.cluster_m * s.cluster_n > 1) {
        tma_mcast_ = intern("UTMALDG.2D.MULTICAST", 16);
        mbar_arrive_remote_ = intern("SYNCS.ARRIVE.TRANS64.RED.A1T0", 8);
        // Grid x runs along N, y along M (see global_addr).
        info_.cluster = {s.cluster_n, s.cluster_m, 1};
      }
    } else {
      ldgsts_ = intern("LDGSTS.E.BYPASS.128", 16);
      arrives_ = intern("ARRIVES.LDGSTSBAR.64", 8);
    }
  }
}

uint64_t GemmKernel::smem_addr(int t, uint32_t stage, uint64_t row, uint64_t byte) const {
  const SmemTile& tl = tiles_[static_cast<size_t>(t)];
  const uint64_t chunk = row * (tl.row_bytes / 16) + byte / 16;
  // Rows of 128 bytes or more (SASS): XOR the chunk's place in its 128-byte line with row mod 8,
  // so the 8 rows a transposed LDSM phase reads at one column hit 8 distinct bank groups (the
  // line-index XOR below gives only 4 when a row spans two lines).
  const uint64_t placed =
      tl.row_bytes >= 128 ? (chunk & ~uint64_t{7}) | ((chunk ^ row) & 7) : swizzle(chunk);
  return kShmemBase + uint64_t{stage} * stage_bytes_ + tl.offset + placed * 16 + byte % 16;
}

uint64_t GemmKernel::global_addr(int t, const Dim3& cta, uint64_t kt, uint64_t row,
                                 uint64_t byte) const {
  const SmemTile& tl = tiles_[static_cast<size_t>(t)];
  if (t == 0) return s_.a + (uint64_t{cta.y} * s_.bm + row) * tl.pitch + kt * tl.row_bytes + byte;
  return s_.b + (kt * s_.bk + row) * tl.pitch + uint64_t{cta.x} * tl.row_bytes + byte;
}

int GemmKernel::chunk_addrs(const Dim3& cta, uint32_t warp, uint64_t kt, uint64_t i,
                            uint64_t* addrs) const {
  const uint64_t lanes = info_.warp_size, a_chunks = tiles_[0].chunks();
  const uint64_t first = i * s_.threads + warp * lanes;
  const int t = first < a_chunks ? 0 : 1;
  const uint64_t local0 = first - (t == 0 ? 0 : a_chunks), per_row = tiles_[t].row_bytes / 16;
  for (uint64_t l = 0; l < lanes; ++l) {
    const uint64_t c = local0 + l;
    addrs[l] = global_addr(t, cta, kt, c / per_row, c % per_row * 16);
  }
  return t;
}

void GemmKernel::copy_loads(Warp& w, const Dim3& cta, uint32_t warp, uint64_t kt,
                            bool active) const {
  for (uint64_t i = 0; i < loads_per_warp_; ++i) copy_load(w, cta, warp, kt, i, active);
}

void GemmKernel::copy_load(Warp& w, const Dim3& cta, uint32_t warp, uint64_t kt, uint64_t i,
                           bool active) const {
  const uint64_t lanes = info_.warp_size;
  uint64_t addrs[64];
  {
    const int t = chunk_addrs(cta, warp, kt, i, addrs);
    w.mem(ldg_, active ? w.full() : 0, {reg(staging_reg(kt, i))}, {tiles_[t].ptr_reg},
          {addrs, active ? lanes : 0});
  }
}

void GemmKernel::copy_stores(Warp& w, uint32_t warp, uint64_t kt) const {
  for (uint64_t i = 0; i < loads_per_warp_; ++i) copy_store(w, warp, kt, i);
}

void GemmKernel::copy_store(Warp& w, uint32_t warp, uint64_t kt, uint64_t i) const {
  const auto stage = static_cast<uint32_t>(kt % 2);
  const uint64_t lanes = info_.warp_size, a_chunks = tiles_[0].chunks();
  uint64_t addrs[64];
  const uint64_t first = i * s_.threads + warp * lanes;
  const int t = first < a_chunks ? 0 : 1;
  const uint64_t local0 = first - (t == 0 ? 0 : a_chunks), per_row = tiles_[t].row_bytes / 16;
  for (uint64_t l = 0; l < lanes; ++l) {
    const uint64_t c = local0 + l;
    addrs[l] = smem_addr(t, stage, c / per_row, c % per_row * 16);
  }
  w.mem(sts_, w.full(), {}, {reg(kSmemW), reg(staging_reg(kt, i))}, {addrs, lanes});
}

void GemmKernel::barrier(Warp& w) const { w.op(bar_, {}, {}); }

void GemmKernel::emit_warp(const Dim3& cta, uint64_t, uint32_t warp, Warp& w) const {
  if (s_.copy == GemmSetup::Copy::kCpAsync) return emit_cp_async(cta, warp, w);
  if (warp_specialised()) return emit_tma(cta, warp, w);
  setup_registers(w);
  prologue(w);
  const uint64_t kts = s_.k_tiles();
  for (uint64_t kt = 0; kt < s_.prefetch && kt < kts; ++kt) copy_loads(w, cta, warp, kt);
  copy_stores(w, warp, 0);
  barrier(w);
  if (ksteps() > 0) return emit_register_pipeline(cta, warp, w);
  const uint32_t loop = w.pc();
  const uint32_t nks = register_ksteps();
  for (uint64_t kt = 0; kt + 1 < kts; ++kt) {
    w.jump(loop);
    // k-tile kt + prefetch: real loads, or predicated off in the last prefetch - 1 iterations.
    const uint64_t lt = kt + s_.prefetch;
    if (nks == 0) {
      copy_loads(w, cta, warp, lt, lt < kts);
      compute(w, cta, warp, kt, static_cast<uint32_t>(kt % 2));
    } else {  // the loads spread over the k-steps' MMAs
      const uint64_t per = (loads_per_warp_ + nks - 1) / nks;
      for (uint32_t ks = 0; ks < nks; ++ks) {
        load_fragments(w, cta, warp, kt, ks, static_cast<uint32_t>(kt % 2), 0, true);
        const uint64_t first = std::min<uint64_t>(loads_per_warp_, ks * per);
        const uint64_t n = std::min<uint64_t>(loads_per_warp_, first + per) - first;
        mma_step(w, 0, static_cast<uint32_t>(n),
                 [&](uint32_t j) { copy_load(w, cta, warp, lt, first + j, lt < kts); });
      }
    }
    copy_stores(w, warp, kt + 1);
    barrier(w);
    loop_tail(w, kt + 2 < kts);  // the last k-tile is peeled after the loop
  }
  compute(w, cta, warp, kts - 1, static_cast<uint32_t>((kts - 1) % 2));
  epilogue(w, cta, warp);
  w.op(exit_, {}, {});
}

void GemmKernel::emit_register_pipeline(const Dim3& cta, uint32_t warp, Warp& w) const {
  const uint64_t kts = s_.k_tiles();
  const uint32_t nks = ksteps();
  const uint64_t per = (loads_per_warp_ + nks - 1) / nks;
  load_fragments(w, cta, warp, 0, 0, 0, 0, true);
  uint32_t set = 0;
  // k-tiles 0 .. kts - 2 in the loop, the last one peeled (no stores, no barrier).
  auto tile = [&](uint64_t kt, bool looped) {
    const uint64_t lt = kt + s_.prefetch;  // the k-tile whose global loads this one issues
    for (uint32_t ks = 0; ks < nks; ++ks) {
      const bool last = ks + 1 == nks;
      // The barrier that makes k-tile kt + 1 visible, before the last k-step (whose MMAs cover
      // the next k-tile's first fragment loads).
      // (With one k-step, or loads one k-tile ahead - the stores' own registers are loaded
      // during this k-tile - the stores go together right before the barrier.)
      const bool burst = nks == 1 || s_.prefetch == 1;
      if (last && looped && burst) copy_stores(w, warp, kt + 1);
      if (last && looped) barrier(w);
      const uint64_t nkt = last ? kt + 1 : kt;
      const uint32_t nk = last ? 0 : ks + 1;
      const bool frags_on = nkt < kts;
      const uint32_t nf = fragment_loads(nk);
      const uint64_t first = looped ? std::min<uint64_t>(loads_per_warp_, ks * per) : 0;
      const uint64_t n =
          looped ? std::min<uint64_t>(loads_per_warp_, first + per) - first : uint64_t{0};
      // Otherwise k-tile kt + 1's stores to the other buffer (last read by k-tile kt - 1, before
      // the previous barrier) go among the MMAs of the k-step before the barrier, ahead of that
      // k-step's global loads (of k-tile kt + 2, into the other staging set).
      const bool stores_here = looped && !burst && ks + 2 == nks;
      const uint64_t ns = stores_here ? loads_per_warp_ : 0;
      const uint64_t others = n + ns;
      const auto slots = static_cast<uint32_t>(nf + others);
      uint32_t frags = 0, done = 0;
      mma_step(w, set, slots, [&](uint32_t j) {
        // other (store or load) o takes slot floor((o + 1/2) slots / others), fragment loads
        // the rest
        if (done < others &&
            (2 * done + 1) * uint64_t{slots} <= 2 * uint64_t{j} * others + others) {
          if (done < ns) {
            copy_store(w, warp, kt + 1, done);
          } else {
            copy_load(w, cta, warp, lt, first + (done - ns), lt < kts);
          }
          ++done;
        } else {
          load_fragments(w, cta, warp, std::min(nkt, kts - 1), nk, static_cast<uint32_t>(nkt % 2),
                         set ^ 1, frags_on, frags++, 1);
        }
      });
      set ^= 1;
    }
  };
  const uint32_t loop = w.pc();
  for (uint64_t kt = 0; kt + 1 < kts; ++kt) {
    w.jump(loop);
    if (set != 0) throw Error("gemm generator bug: odd k-steps per k-tile");
    tile(kt, true);
    loop_tail(w, kt + 2 < kts);
  }
  tile(kts - 1, false);
  epilogue(w, cta, warp);
  w.op(exit_, {}, {});
}

void GemmKernel::loop_tail(Warp& w, bool again) const {
  w.op(inc_, {reg(kPtrA)}, {reg(kPtrA), RZ});
  w.op(inc_, {reg(kPtrB)}, {reg(kPtrB), RZ});
  if (s_.sparse) w.op(inc_, {reg(kPtrMeta)}, {reg(kPtrMeta), RZ});
  w.op(inc_, {reg(kKCount)}, {reg(kKCount), RZ});
  w.op(cmp_, {}, {reg(kKCount)});
  w.op_masked(bra_, again ? w.full() : 0, {}, {});
}

void GemmKernel::setup_registers(Warp& w) const {
  w.op(mov_, {reg(1)}, {});      // MOV R1, c[0x0][0x28]
  w.op(s2r_, {reg(kTid)}, {});   // S2R R0, SR_TID.X
  w.op(s2r_, {reg(kCtaX)}, {});  // S2R R2, SR_CTAID.X
  w.op(s2r_, {reg(kCtaY)}, {});  // S2R R3, SR_CTAID.Y
  w.op(imad_, {reg(kPtrA)}, {reg(kCtaY), reg(kTid)});
  w.op(imad_, {reg(kPtrB)}, {reg(kCtaX), reg(kTid)});
  w.op(imad_, {reg(kPtrC)}, {reg(kCtaY), reg(kCtaX)});
  w.op(imad_, {reg(kSmemW)}, {reg(kTid), RZ});
  w.op(imad_, {reg(kSmemRA)}, {reg(kTid), RZ});
  w.op(imad_, {reg(kSmemRB)}, {reg(kTid), RZ});
  if (s_.sparse) w.op(imad_, {reg(kPtrMeta)}, {reg(kCtaY), reg(kTid)});
  w.op(mov_, {reg(kKCount)}, {});
}

void check_tiling(const Params& p, Isa isa, const GemmSetup& s, const std::string& dtype) {
  if (s.m % s.bm != 0 || s.n % s.bn != 0 || s.k % s.bk != 0) {
    fail(p, "on " + std::string(to_string(isa)) + " dtype " + dtype + (s.sparse ? " sparse" : "") +
                " uses a " + std::to_string(s.bm) + "x" + std::to_string(s.bn) + "x" +
                std::to_string(s.bk) + " CTA tile: m must be a multiple of " +
                std::to_string(s.bm) + ", n of " + std::to_string(s.bn) + ", k of " +
                std::to_string(s.bk) + " (got m=" + std::to_string(s.m) +
                ", n=" + std::to_string(s.n) + ", k=" + std::to_string(s.k) + ")");
  }
  if (s.cluster_m == 0 || (s.m / s.bm) % s.cluster_m != 0 ||
      (s.cluster_n != 0 && (s.n / s.bn) % s.cluster_n != 0)) {
    fail(p, "cluster " + std::to_string(s.cluster_m) + "x" + std::to_string(s.cluster_n) +
                " needs the M tiles (" + std::to_string(s.m / s.bm) + ") and N tiles (" +
                std::to_string(s.n / s.bn) + ") to be multiples of it");
  }
  if (s.n / s.bn > 0x7FFFFFFFu || s.m / s.bm > 65535u) {
    fail(p, "the grid (n/" + std::to_string(s.bn) + ", m/" + std::to_string(s.bm) +
                ") exceeds the launch limits (2^31-1, 65535)");
  }
}

}  // namespace joulesim::trace::gen::detail
