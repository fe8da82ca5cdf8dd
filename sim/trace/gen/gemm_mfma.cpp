// GEMM on CDNA matrix cores (MFMA), scheduled the way tuned CDNA kernels are (rocBLAS/Tensile
// style): 256-thread workgroups of four wave64s in a 2x2 grid, each wave owning a 64 x 128
// accumulator tile of 32x32 MFMA blocks (fp64: 64 x 64 of 16x16 blocks), so one LDS byte feeds
// twice the MFMAs of a 64 x 64 wave tile. The accumulators are AccVGPRs (a0..a127), as in tuned
// CDNA kernels: the 256 VGPRs are left to the staging sets, so up to three k-tiles of global loads
// fit in flight (prefetch=3). The k-loop is software-pipelined:
//  - global loads run `prefetch` k-tiles ahead in register staging sets and are waited with a
//    partial s_waitcnt vmcnt (the count of loads issued after them);
//  - each k-tile is read from LDS in two phases with ds_read_b128 into two fragment register sets:
//    a phase's fragments are read while the previous phase's MFMAs run (k is permuted inside a
//    k-tile so that one 16-byte read per lane holds the operands of consecutive k-steps; A and B
//    use the same permutation, so the product is unchanged);
//  - the LDS writes of the next k-tile, the global loads and the reads are interleaved one by one
//    between the MFMAs, so in-order issue keeps the matrix core fed while they wait;
//  - one s_barrier per k-tile, in the middle of the k-tile's MFMAs.
// MFMA operand layouts (CDNA2/CDNA3 ISA guides, "matrix fused multiply-add"): lane l holds
// row/column l % M of k-group l / M (64 / M groups across the wave).
// The A tile is row-major [m][k] in LDS; B is read k-contiguous per column ([n][k], the
// arrangement a transposing local write produces); the ds_write_b128 addresses of the copy follow
// the global chunk order (a documented simplification of the transposing write). Both use the
// 16-byte chunk XOR swizzle of gemm.hpp, which makes the 8 lanes of a ds_read_b128 pass hit 8
// distinct bank groups.
// 2:4 sparse (gfx942 v_smfmac): compressed A, doubled k, metadata (index VGPR) loaded with the
// k-tile's staging loads. Epilogue: 32x32 f32 block, value v of lane l at row
// (v/4)*8 + (l/32)*4 + v%4, column l%32 (global_store_dword per value); 16x16 f64, value v at row
// (l/16)*4 + v, column l%16 (global_store_dwordx2).
#include <algorithm>
#include <vector>

#include "core/error.hpp"
#include "trace/gen/gemm.hpp"

namespace joulesim::trace::gen::detail {

namespace {

/// s_waitcnt simm16 on gfx9: vmcnt in bits 3:0 and 15:14, expcnt 6:4, lgkmcnt 11:8.
constexpr uint32_t waitcnt(uint32_t vm, uint32_t lgkm) {
  return (vm & 0xFu) | ((vm >> 4) << 14) | (7u << 4) | ((lgkm & 0xFu) << 8);
}
constexpr uint32_t kNoVm = 63, kNoLgkm = 15;

struct MfmaDef {
  std::string_view dtype, gfx90a, gfx942, sparse942;  // empty: not available
  uint32_t m, k, k942, bits, acc_bytes;               // k on gfx90a / gfx942
};

// AMD "Instinct MI200 (CDNA2) ISA" and "MI300 (CDNA3) ISA" reference guides, MFMA opcode tables.
constexpr MfmaDef kDefs[] = {
    {"fp16", "v_mfma_f32_32x32x8f16", "v_mfma_f32_32x32x8_f16", "v_smfmac_f32_32x32x16_f16", 32, 8,
     8, 16, 4},
    {"bf16", "v_mfma_f32_32x32x8bf16_1k", "v_mfma_f32_32x32x8_bf16", "v_smfmac_f32_32x32x16_bf16",
     32, 8, 8, 16, 4},
    {"int8", "v_mfma_i32_32x32x8i8", "v_mfma_i32_32x32x16_i8", "v_smfmac_i32_32x32x32_i8", 32, 8,
     16, 8, 4},
    {"fp8", "", "v_mfma_f32_32x32x16_fp8_fp8", "v_smfmac_f32_32x32x32_fp8_fp8", 32, 16, 16, 8, 4},
    {"tf32", "", "v_mfma_f32_32x32x4_xf32", "", 32, 4, 4, 32, 4},
    {"fp64", "v_mfma_f64_16x16x4f64", "v_mfma_f64_16x16x4_f64", "", 16, 4, 4, 64, 8},
};

std::string_view ds_read(uint32_t bytes) {
  return bytes <= 4 ? "ds_read_b32" : bytes == 8 ? "ds_read_b64" : "ds_read_b128";
}

// Skeleton registers (CDNA vN / sN): work-item id, workgroup ids (preloaded), pointers, counter.
constexpr int kTid = 0, kCtaX = 2, kCtaY = 3, kPtrA = 4, kPtrB = 6, kSmemW = 8, kSmemRA = 9,
              kSmemRB = 10, kKCount = 11, kPtrMeta = 12, kPtrC = 13, kFirstFree = 16;
constexpr uint32_t kPhases = 2;  // LDS read phases per k-tile (fragment register sets)

class MfmaGemm : public KernelProgram {
 public:
  MfmaGemm(Isa isa, const GemmSetup& s, const MfmaDef& d, std::string_view opcode, uint32_t k,
           uint32_t wm, uint32_t wn, const Params& p)
      : KernelProgram(isa, s.name,
                      {static_cast<uint32_t>(s.n / s.bn), static_cast<uint32_t>(s.m / s.bm), 1},
                      {s.threads, 1, 1}),
        s_(s),
        d_(d),
        mb_(d.m),
        wm_(wm),
        wn_(wn) {
    a_row_ = s.bk * d.bits / 8 / (s.sparse ? 2 : 1);
    b_row_ = uint64_t{s.bk} * d.bits / 8;  // B per column n, k-contiguous
    stage_ = static_cast<uint32_t>(s.bm * a_row_ + s.bn * b_row_);
    info_.shmem_bytes = 2 * stage_;
    a_chunks_ = s.bm * a_row_ / 16;
    const uint64_t chunks = a_chunks_ + s.bn * b_row_ / 16;
    if (a_chunks_ % s.threads != 0 || chunks % s.threads != 0 || a_row_ % 16 != 0) {
      throw Error("gemm generator bug: MFMA tiles do not split into 16-byte chunks per thread");
    }
    loads_ = static_cast<uint32_t>(chunks / s.threads);
    // Operand bytes per lane and k-step; one read covers ks_per_read_ k-steps of both operands.
    const uint32_t groups = 64 / mb_;
    mk_ = s.sparse ? 2 * k : k;
    const uint32_t a_bytes = mk_ / (s.sparse ? 2 : 1) / groups * d.bits / 8;
    const uint32_t b_bytes = mk_ / groups * d.bits / 8;
    ks_per_read_ = std::min(16 / a_bytes, 16 / b_bytes);
    wa_ = ks_per_read_ * a_bytes;
    wb_ = ks_per_read_ * b_bytes;
    if (s.bk / mk_ != kPhases * ks_per_read_ || a_row_ != kPhases * groups * wa_ ||
        b_row_ != kPhases * groups * wb_) {
      throw Error("gemm generator bug: MFMA k-tile does not split into two read phases");
    }
    a_sub_ = std::max(1u, a_bytes / 4);
    b_sub_ = std::max(1u, b_bytes / 4);
    ra_ = std::max(1u, wa_ / 4);
    rb_ = std::max(1u, wb_ / 4);
    mblocks_ = wm_ / mb_;
    nblocks_ = wn_ / mb_;
    acc_regs_ = mb_ * mb_ * d.acc_bytes / 4 / 64;

    mfma_ = intern(opcode);
    ldg_ = intern("global_load_dwordx4", 16);
    sts_ = intern("ds_write_b128", 16);
    read_a_ = intern(ds_read(wa_), static_cast<uint8_t>(wa_));
    read_b_ = intern(ds_read(wb_), static_cast<uint8_t>(wb_));
    store_ = intern(d.bits == 64 ? "global_store_dwordx2" : "global_store_dword",
                    static_cast<uint8_t>(d.acc_bytes));
    bar_ = intern("s_barrier");
    wait_ = intern("s_waitcnt");
    inc_ = intern("s_add_u32");
    cmp_ = intern("s_cmp_lt_u32");
    bra_ = intern("s_cbranch_scc1");
    exit_ = intern("s_endpgm");
    mov_ = intern("s_mov_b32");
    imad_ = intern("v_mad_u32_u24");
    if (s.sparse) {
      meta_loads_ = std::max<uint32_t>(1, wm_ * (s.bk / 8) / 256);  // 4 bytes per lane
      meta_ = intern("global_load_dword", 4);
    }
    // VGPRs: skeleton, staging sets, two fragment sets, metadata sets. The accumulators live in
    // AccVGPRs a0.. (CDNA2/CDNA3 ISA guides: MFMA reads and writes C/D in the AGPRs, and memory
    // instructions take AGPR data), so the staging sets may use almost all 256 VGPRs.
    stage_regs_ = kFirstFree;
    frag_ = stage_regs_ + static_cast<int>(4 * loads_ * s.prefetch);
    frag_set_ = static_cast<int>(mblocks_ * ra_ + nblocks_ * rb_);
    meta_regs_ = frag_ + static_cast<int>(kPhases) * frag_set_;
    meta_sets_ = s.prefetch + 2;  // tiles t (in use) .. t + 1 + prefetch (being loaded)
    const int end = meta_regs_ + static_cast<int>(meta_loads_ * meta_sets_);
    const int accs = static_cast<int>(mblocks_ * nblocks_ * acc_regs_);
    if (end > 255) {
      fail(p, "prefetch=" + std::to_string(s.prefetch) + " with dtype " + std::string(d.dtype) +
                  " needs " + std::to_string(end) +
                  " VGPRs per lane (more than 255); use a smaller prefetch");
    }
    // Unified file: the wave allocates its VGPRs, then its AGPRs, each in granules of 8.
    set_regs(static_cast<uint32_t>((end + 7) / 8 * 8 + (accs + 7) / 8 * 8));
  }

 protected:
  void emit_warp(const Dim3& cta, uint64_t, uint32_t wave, Warp& w) const override;

 private:
  /// What is issued between two MFMAs.
  struct Side {
    enum Kind : uint8_t { kRead, kWaitVm, kWrite, kLoad, kMeta, kInc, kCmp, kBra } kind;
    uint32_t i = 0;     ///< read / load / write index
    uint64_t kt = 0;    ///< k-tile
    uint32_t q = 0;     ///< read phase
    bool on = true;     ///< false: predicated off (the loop keeps its static PCs)
    uint32_t slot = 0;  ///< issued after this MFMA of the phase (non-decreasing in a list)
  };

  uint64_t lds(uint32_t stage, uint64_t byte) const {  // byte offset in a stage, swizzled
    return kShmemBase + uint64_t{stage} * stage_ + swizzle(byte / 16) * 16 + byte % 16;
  }
  void emit_side(Warp& w, const Dim3& cta, uint32_t wave, const Side& e) const;
  void copy(Warp& w, const Dim3& cta, uint32_t wave, uint64_t kt, uint32_t i, bool load,
            bool on) const;
  void read(Warp& w, uint32_t wave, uint64_t kt, uint32_t q, uint32_t i, bool on) const;
  void meta(Warp& w, const Dim3& cta, uint32_t wave, uint64_t kt, uint32_t i, bool on) const;
  /// The MFMAs of phase @p q of a k-tile (fragment set q), with @p side spread between them.
  void phase(Warp& w, const Dim3& cta, uint32_t wave, uint64_t kt, uint32_t q,
             const std::vector<Side>& side) const;
  void epilogue(Warp& w, const Dim3& cta, uint32_t wave) const;
  int staging(uint64_t kt, uint32_t i) const {
    return stage_regs_ + static_cast<int>(4 * ((kt % s_.prefetch) * loads_ + i));
  }

  GemmSetup s_;
  MfmaDef d_;
  uint32_t mb_, wm_, wn_, mk_ = 0, ks_per_read_ = 0, wa_ = 0, wb_ = 0, a_sub_ = 0, b_sub_ = 0;
  uint32_t ra_ = 0, rb_ = 0, mblocks_ = 0, nblocks_ = 0, acc_regs_ = 0, loads_ = 0;
  uint32_t meta_loads_ = 0, meta_sets_ = 0, stage_ = 0;
  uint64_t a_row_ = 0, b_row_ = 0, a_chunks_ = 0;
  int stage_regs_ = 0, frag_ = 0, frag_set_ = 0, meta_regs_ = 0;
  Op mfma_, ldg_, sts_, read_a_, read_b_, store_, meta_, bar_, wait_, inc_, cmp_, bra_, exit_, mov_,
      imad_;
};

void MfmaGemm::copy(Warp& w, const Dim3& cta, uint32_t wave, uint64_t kt, uint32_t i, bool load,
                    bool on) const {
  // Instruction i of the copy moves chunks [i * threads + wave * 64, + 64) of the k-tile: the A
  // tile's chunks first, then B's, in global order.
  const uint64_t first = uint64_t{i} * s_.threads + uint64_t{wave} * 64;
  const bool is_a = first < a_chunks_;
  const uint64_t row_bytes = is_a ? a_row_ : s_.bn * s_.bits / 8;  // B: a k-row of the tile
  const uint64_t per_row = row_bytes / 16, local0 = first - (is_a ? 0 : a_chunks_);
  uint64_t addr[64];
  for (uint64_t l = 0; l < 64; ++l) {
    const uint64_t c = local0 + l, row = c / per_row, byte = c % per_row * 16;
    if (!load) {
      addr[l] = lds(static_cast<uint32_t>(kt % 2), (is_a ? 0 : s_.bm * a_row_) + c * 16);
    } else if (is_a) {
      addr[l] = s_.a + (uint64_t{cta.y} * s_.bm + row) * s_.a_row_bytes() + kt * a_row_ + byte;
    } else {
      addr[l] = s_.b + (kt * s_.bk + row) * s_.b_row_bytes() + uint64_t{cta.x} * row_bytes + byte;
    }
  }
  const uint16_t data = reg(staging(kt, i));
  if (load) {
    w.mem(ldg_, on ? w.full() : 0, {data}, {reg(is_a ? kPtrA : kPtrB)}, {addr, on ? 64u : 0u});
  } else {
    w.mem(sts_, on ? w.full() : 0, {}, {reg(kSmemW), data}, {addr, on ? 64u : 0u});
  }
}

void MfmaGemm::read(Warp& w, uint32_t wave, uint64_t kt, uint32_t q, uint32_t i, bool on) const {
  // Reads 0..mblocks-1 are A blocks, then B blocks. Lane l: row/column l % M, k-group l / M.
  const uint32_t groups = 64 / mb_, stage = static_cast<uint32_t>(kt % 2);
  const bool is_a = i < mblocks_;
  const uint32_t b = is_a ? i : i - mblocks_;
  const uint32_t width = is_a ? wa_ : wb_;
  const uint64_t base = is_a ? (wave % 2) * wm_ : (wave / 2) * wn_;
  uint64_t addr[64];
  for (uint32_t l = 0; l < 64; ++l) {
    const uint64_t rc = base + b * mb_ + l % mb_;  // A row or B column in the tile
    const uint64_t k_byte = uint64_t{q} * groups * width + (l / mb_) * width;
    addr[l] = lds(stage, is_a ? rc * a_row_ + k_byte : s_.bm * a_row_ + rc * b_row_ + k_byte);
  }
  const int dst = frag_ + static_cast<int>(q) * frag_set_ +
                  static_cast<int>(is_a ? b * ra_ : mblocks_ * ra_ + b * rb_);
  w.mem(is_a ? read_a_ : read_b_, on ? w.full() : 0, {reg(dst)}, {reg(is_a ? kSmemRA : kSmemRB)},
        {addr, on ? 64u : 0u});
}

void MfmaGemm::meta(Warp& w, const Dim3& cta, uint32_t wave, uint64_t kt, uint32_t i,
                    bool on) const {
  // The wave's wm rows of metadata for k-tile kt, bk / 8 bytes per row, 4 bytes per lane.
  const uint64_t row_bytes = s_.bk / 8, m0 = uint64_t{cta.y} * s_.bm + (wave % 2) * wm_;
  uint64_t addr[64];
  for (uint32_t l = 0; l < 64; ++l) {
    const uint64_t byte = (uint64_t{i} * 64 + l) * 4;
    addr[l] =
        s_.meta + (m0 + byte / row_bytes) * s_.meta_row_bytes() + kt * row_bytes + byte % row_bytes;
  }
  const int dst = meta_regs_ + static_cast<int>((kt % meta_sets_) * meta_loads_ + i);
  w.mem(meta_, on ? w.full() : 0, {reg(dst)}, {reg(kPtrMeta)}, {addr, on ? 64u : 0u});
}

void MfmaGemm::emit_side(Warp& w, const Dim3& cta, uint32_t wave, const Side& e) const {
  switch (e.kind) {
    case Side::kRead:
      read(w, wave, e.kt, e.q, e.i, e.on);
      break;
    case Side::kWaitVm:  // all but the loads of the (prefetch - 1) later k-tiles have arrived
      w.op(wait_, {}, {}, waitcnt((s_.prefetch - 1) * (loads_ + meta_loads_), kNoLgkm));
      break;
    case Side::kWrite:
      copy(w, cta, wave, e.kt, e.i, false, e.on);
      break;
    case Side::kLoad:
      copy(w, cta, wave, e.kt, e.i, true, e.on);
      break;
    case Side::kMeta:
      meta(w, cta, wave, e.kt, e.i, e.on);
      break;
    case Side::kInc:
      w.op(inc_, {sreg(kKCount)}, {sreg(kKCount)});
      break;
    case Side::kCmp:
      w.op(cmp_, {}, {sreg(kKCount), sreg(kKCount + 1)});
      break;
    case Side::kBra:
      w.op(bra_, {}, {});
      break;
  }
}

void MfmaGemm::phase(Warp& w, const Dim3& cta, uint32_t wave, uint64_t kt, uint32_t q,
                     const std::vector<Side>& side) const {
  const uint32_t n = ks_per_read_ * mblocks_ * nblocks_;
  const int set = frag_ + static_cast<int>(q) * frag_set_;
  size_t next = 0;
  for (uint32_t i = 0; i < n; ++i) {
    const uint32_t j = i / (mblocks_ * nblocks_), mb = i / nblocks_ % mblocks_, nb = i % nblocks_;
    const uint16_t acc = areg(static_cast<int>((mb * nblocks_ + nb) * acc_regs_));
    const uint16_t a = reg(set + static_cast<int>(mb * ra_ + j * a_sub_));
    const uint16_t b = reg(set + static_cast<int>(mblocks_ * ra_ + nb * rb_ + j * b_sub_));
    if (s_.sparse) {
      const int m =
          meta_regs_ + static_cast<int>((kt % meta_sets_) * meta_loads_ + mb % meta_loads_);
      w.op(mfma_, {acc}, {a, b, acc, reg(m)});
    } else {
      w.op(mfma_, {acc}, {a, b, acc});
    }
    for (; next < side.size() && (side[next].slot <= i || i + 1 == n); ++next)
      emit_side(w, cta, wave, side[next]);
  }
}

void MfmaGemm::emit_warp(const Dim3& cta, uint64_t, uint32_t wave, Warp& w) const {
  // v0 = work-item id, s2/s3 = workgroup id x/y (preloaded by the dispatcher)
  w.op(imad_, {reg(kPtrA)}, {sreg(kCtaY), reg(kTid)});
  w.op(imad_, {reg(kPtrB)}, {sreg(kCtaX), reg(kTid)});
  w.op(imad_, {reg(kPtrC)}, {sreg(kCtaY), sreg(kCtaX)});
  w.op(imad_, {reg(kSmemW)}, {reg(kTid)});
  w.op(imad_, {reg(kSmemRA)}, {reg(kTid)});
  w.op(imad_, {reg(kSmemRB)}, {reg(kTid)});
  if (s_.sparse) w.op(imad_, {reg(kPtrMeta)}, {sreg(kCtaY), reg(kTid)});
  w.op(mov_, {sreg(kKCount)}, {});

  const uint64_t kts = s_.k_tiles(), reads = mblocks_ + nblocks_;
  auto load_tile = [&](uint64_t kt) {
    for (uint32_t i = 0; i < loads_; ++i) copy(w, cta, wave, kt, i, true, kt < kts);
    for (uint32_t i = 0; i < meta_loads_; ++i) meta(w, cta, wave, kt, i, kt < kts);
  };
  // Prologue: k-tile 0 to LDS, k-tiles 1..prefetch in flight, phase 0 fragments of k-tile 0.
  load_tile(0);
  w.op(wait_, {}, {}, waitcnt(0, kNoLgkm));
  for (uint32_t i = 0; i < loads_; ++i) copy(w, cta, wave, 0, i, false, true);
  for (uint64_t kt = 1; kt <= s_.prefetch; ++kt) load_tile(kt);
  w.op(wait_, {}, {}, waitcnt(kNoVm, 0));
  w.op(bar_, {}, {});
  for (uint32_t i = 0; i < reads; ++i) read(w, wave, 0, 0, i, true);

  // Slots: LDS ops (reads, writes) and global loads each spread evenly over their phase's n
  // MFMAs, so the four waves' LDS accesses (8 cycles per ds_read_b128 / ds_write_b128 of a wave)
  // and L1 line requests (1 KB per load) do not bunch up: in-order issue stalls a wave whose LDS
  // or L1 port is busy, and its matrix core idles once the stall outlasts the MFMA in flight.
  const uint32_t n = ks_per_read_ * mblocks_ * nblocks_;
  // j-th of count over the first span MFMAs (the LDS ops of a phase must complete before its
  // end: the next phase waits for them, 64+ cycles after their issue).
  auto spread = [n](uint32_t j, uint32_t count, uint32_t span) {
    return count == 0 ? 0 : j * std::min(span, n) / count;
  };
  const uint32_t early = 3 * n / 4;
  // Loads of a k-tile reuse the staging registers its writes just read: load i follows write i.
  // Phase 0 takes the loads that fit after the writes; phase 1 the rest.
  const uint32_t lds0 = static_cast<uint32_t>(reads) + loads_;
  std::vector<Side> first, second;
  const uint32_t loop = w.pc();
  for (uint64_t kt = 0; kt < kts; ++kt) {
    w.jump(loop);
    const bool next = kt + 1 < kts, ahead = kt + 1 + s_.prefetch < kts;
    const uint64_t load_kt = kt + 1 + s_.prefetch;
    // Phase 0: fragments of phase 1; the next k-tile's staged chunks to LDS (its loads waited
    // with a partial vmcnt); the first loads of k-tile kt + 1 + prefetch.
    first.clear();
    for (uint32_t i = 0; i < reads; ++i)
      first.push_back({Side::kRead, i, kt, 1, true, spread(i, lds0, early)});
    first.push_back(
        {Side::kWaitVm, 0, 0, 0, true, spread(static_cast<uint32_t>(reads), lds0, early)});
    uint32_t loads0 = 0;
    for (uint32_t i = 0; i < loads_; ++i) {
      const uint32_t slot = spread(static_cast<uint32_t>(reads) + i, lds0, early);
      const uint32_t after =
          i + 1 < loads_ ? spread(static_cast<uint32_t>(reads) + i + 1, lds0, early) : n;
      first.push_back({Side::kWrite, i, kt + 1, 0, next, slot});
      if (after > slot + 1) first.push_back({Side::kLoad, loads0++, load_kt, 0, ahead, slot + 1});
    }
    w.op(wait_, {}, {}, waitcnt(kNoVm, 0));  // phase 0 fragments have arrived
    phase(w, cta, wave, kt, 0, first);
    // Phase 1: after every wave's writes (barrier), the next k-tile's phase 0 fragments (in the
    // first three quarters of the phase, so that they arrive before it ends) and the remaining
    // loads (and the sparse metadata) of k-tile kt + 1 + prefetch, between them.
    second.clear();
    for (uint32_t i = 0; i < reads; ++i) {
      second.push_back(
          {Side::kRead, i, kt + 1, 0, next, spread(i, static_cast<uint32_t>(reads), early)});
    }
    const uint32_t vm1 = loads_ - loads0 + meta_loads_;
    for (uint32_t v = 0; v < vm1; ++v) {
      const bool load = loads0 + v < loads_;
      second.push_back({load ? Side::kLoad : Side::kMeta, load ? loads0 + v : v - (loads_ - loads0),
                        load_kt, 0, ahead, std::min(n - 1, spread(v, vm1, n) + 1)});
    }
    std::stable_sort(second.begin(), second.end(),
                     [](const Side& a, const Side& b) { return a.slot < b.slot; });
    second.push_back({Side::kInc, 0, 0, 0, true, n - 1});
    second.push_back({Side::kCmp, 0, 0, 0, true, n - 1});
    second.push_back({Side::kBra, 0, 0, 0, true, n - 1});
    w.op(wait_, {}, {}, waitcnt(kNoVm, 0));  // own LDS writes and phase 1 fragments done
    w.op(bar_, {}, {});
    phase(w, cta, wave, kt, 1, second);
  }
  epilogue(w, cta, wave);
  w.op(exit_, {}, {});
}

void MfmaGemm::epilogue(Warp& w, const Dim3& cta, uint32_t wave) const {
  const uint64_t m0 = uint64_t{cta.y} * s_.bm + (wave % 2) * wm_;
  const uint64_t n0 = uint64_t{cta.x} * s_.bn + (wave / 2) * wn_;
  const uint32_t values = mb_ * mb_ / 64, regs_per_value = d_.acc_bytes / 4;
  uint64_t addr[64];
  for (uint32_t mb = 0; mb < mblocks_; ++mb) {
    for (uint32_t nb = 0; nb < nblocks_; ++nb) {
      const int acc = static_cast<int>((mb * nblocks_ + nb) * acc_regs_);
      for (uint32_t v = 0; v < values; ++v) {
        for (uint32_t l = 0; l < 64; ++l) {
          const uint64_t row = mb_ == 32 ? (v / 4) * 8 + (l / 32) * 4 + v % 4 : (l / 16) * 4 + v;
          const uint64_t col = l % mb_;
          addr[l] = s_.c + ((m0 + mb * mb_ + row) * s_.n + n0 + nb * mb_ + col) * s_.acc_bytes;
        }
        w.mem(store_, w.full(), {}, {reg(kPtrC), areg(acc + static_cast<int>(v * regs_per_value))},
              {addr, 64});
      }
    }
  }
}

}  // namespace

std::shared_ptr<KernelProgram> make_mfma_gemm(Isa isa, GemmSetup s, const std::string& dtype,
                                              const Params& p) {
  const bool cdna3 = isa == Isa::kGfx942;
  const MfmaDef* def = nullptr;
  for (const MfmaDef& d : kDefs) {
    if (d.dtype == dtype) def = &d;
  }
  std::string_view opcode = def == nullptr ? ""
                            : s.sparse     ? def->sparse942
                            : cdna3        ? def->gfx942
                                           : def->gfx90a;
  if (def == nullptr || opcode.empty() || (s.sparse && !cdna3)) {
    if (s.sparse) {
      fail(p, "sparse=1 on " + std::string(to_string(isa)) + " allows dtype " +
                  (cdna3 ? "fp16, bf16, int8, fp8 (v_smfmac)" : "none (no sparse MFMA on CDNA2)"));
    }
    fail(p, "dtype " + dtype + " has no MFMA on " + std::string(to_string(isa)) + "; allowed: " +
                (cdna3 ? "fp16, bf16, int8, fp8, tf32 (xf32), fp64" : "fp16, bf16, int8, fp64"));
  }
  s.bits = def->bits;
  s.acc_bytes = def->acc_bytes;
  s.threads = 256;
  // Wave tile: 64 x 128 of 32x32 blocks (128 accumulator VGPRs); fp64: 64 x 64 of 16x16 blocks
  // (also 128). k-tile: 64-byte rows of A (fp64: 128, so that a k-tile holds two read phases).
  const uint32_t wm = 64, wn = def->m == 16 ? 64 : 128;
  s.bm = 2 * wm;
  s.bn = 2 * wn;
  s.bk = (def->bits == 64 ? 128 : 64) * 8 / def->bits;
  check_tiling(p, isa, s, dtype);
  return std::make_shared<MfmaGemm>(isa, s, *def, opcode, cdna3 ? def->k942 : def->k, wm, wn, p);
}

}  // namespace joulesim::trace::gen::detail
