// GEMM on warp-synchronous tensor-core MMA (mma.sync): sm_80/sm_90 (fp64) /sm_100 HMMA, IMMA,
// DMMA, QMMA, OMMA; Volta's HMMA.884 issued as four STEPs per 16x16x4 set.
//
// CTA 128x128 (fp64: 64x64), 4 warps in a 2x2 grid, each owning a 64x64 (32x32) accumulator
// tile. Per k-step of one MMA's k: LDSM.16.M88.4 loads 16 rows x 32 bytes of A per instruction,
// LDSM.16.MT88.4 512 bytes of B (row-major in shared memory, transposed on load), then
// (WM/16) x (WN/8) MMAs m16n8k. fp64: LDS.64 fragments and DMMA.884 (m8n8k4). Volta: LDS.64
// fragments per k-step of 8 and HMMA.884.F32.F32.STEP0..3 per 16x16 set and k4.
// 2:4 sparse (.SP): A is stored compressed (k/2 columns), k per MMA doubles, and the metadata
// (1 bit per logical A element) is loaded per k-tile with LDG straight into registers.
// Epilogue: each accumulator tile of 16x8 (8x8 for fp64) is stored row by row from the MMA's
// fragment layout (lane l holds row l/4 (+8), columns 2*(l%4) and +1): STG.E.64 (fp64: .128).
#include "core/error.hpp"
#include "trace/gen/gemm.hpp"

namespace joulesim::trace::gen::detail {

namespace {

struct MmaDef {
  std::string_view dtype;
  std::string_view opcode, sparse_opcode;  // sparse_opcode empty: no 2:4 variant
  uint32_t m, n, k, bits, acc_bytes;
  bool sm100_only;
};

// PTX ISA "Warp-level matrix multiply-accumulate instructions" shapes and their SASS spellings.
constexpr MmaDef kDefs[] = {
    {"fp16", "HMMA.16816.F32", "HMMA.SP.16832.F32", 16, 8, 16, 16, 4, false},
    {"bf16", "HMMA.16816.F32.BF16", "HMMA.SP.16832.F32.BF16", 16, 8, 16, 16, 4, false},
    {"tf32", "HMMA.1688.F32.TF32", "HMMA.SP.16816.F32.TF32", 16, 8, 8, 32, 4, false},
    {"int8", "IMMA.16832.S32.S8.S8", "IMMA.SP.16864.S32.S8.S8", 16, 8, 32, 8, 4, false},
    {"fp64", "DMMA.884", "", 8, 8, 4, 64, 8, false},
    {"fp8", "QMMA.16832.F32.E4M3.E4M3", "QMMA.SP.16864.F32.E4M3.E4M3", 16, 8, 32, 8, 4, true},
    {"fp4", "OMMA.16864.F32.E2M1.E2M1", "", 16, 8, 64, 4, 4, true},
};

class MmaGemm : public GemmKernel {
 public:
  MmaGemm(Isa isa, const GemmSetup& s, const MmaDef& d)
      : GemmKernel(isa, s), d_(d), volta_(isa == Isa::kSm70), fp64_(d.bits == 64) {
    // Warps in a 2 x (warps / 2) grid, each owning a (bm / 2) x (bn / (warps / 2)) tile.
    const uint32_t warps = s.consumer_warps > 0 ? s.consumer_warps : s.threads / 32;
    wm_ = s.bm / 2;
    wn_ = s.bn / (warps / 2);
    mk_ = s.sparse ? d.k * 2 : d.k;  // logical k per MMA
    if (volta_) {
      for (int i = 0; i < 4; ++i) steps_[i] = intern("HMMA.884.F32.F32.STEP" + std::to_string(i));
      frag_a_ = frag_b_ = intern("LDS.64", 8);
      stg_ = intern("STG.E.64.SYS", 8);
      kstep_ = 8;
      a_frags_ = wm_ / 16;
      b_frags_ = wn_ / 16;
    } else if (fp64_) {
      steps_[0] = intern(d.opcode);
      frag_a_ = frag_b_ = intern("LDS.64", 8);
      stg_ = intern("STG.E.128", 16);
      kstep_ = d.k;
      a_frags_ = wm_ / 8;
      b_frags_ = wn_ / 8;
    } else {
      steps_[0] = intern(s.sparse ? d.sparse_opcode : d.opcode);
      frag_a_ = intern("LDSM.16.M88.4", 16);
      frag_b_ = intern("LDSM.16.MT88.4", 16);
      stg_ = intern("STG.E.64", 8);
      kstep_ = mk_;
      a_frags_ = wm_ / 16;  // 16 rows x 32 bytes each
      b_frags_ = static_cast<uint32_t>(uint64_t{mk_} * wn_ * d.bits / 8 / 16 / 32);
    }
    if (s.sparse) {
      meta_width_ = std::min<uint32_t>(4, s.bk / 8);
      meta_loads_ = wm_ * (s.bk / 8) / (32 * meta_width_);
      meta_ = intern(meta_width_ == 4 ? "LDG.E" : "LDG.E.U16", static_cast<uint8_t>(meta_width_));
    }
    // Two fragment register sets when the cp.async pipeline double-buffers them (ksteps()).
    // Volta's register pipeline double-buffers them too (as CUTLASS's Volta mainloop), with
    // LDS.64 fragments two registers apart.
    split_ = (!volta_ && s.copy == GemmSetup::Copy::kCpAsync) ||
             (volta_ && s.copy == GemmSetup::Copy::kRegisters);
    fstride_ = volta_ ? 2 : 4;
    const int frag_regs = fstride_ * static_cast<int>(a_frags_ + b_frags_);
    for (int set = 0; set < 2; ++set) {
      ra_[set] = staging_end() + (split_ ? set : 0) * frag_regs;
      rb_[set] = ra_[set] + fstride_ * static_cast<int>(a_frags_);
    }
    re_ = staging_end() + (split_ ? 2 : 1) * frag_regs;
    racc_ = re_ + static_cast<int>(meta_loads_);
    const int acc_per_tile = volta_ ? 8 : 4;
    const int tiles = volta_ ? static_cast<int>(wm_ / 16 * (wn_ / 16))
                             : static_cast<int>(wm_ / d.m * (wn_ / d.n));
    const int end = racc_ + acc_per_tile * tiles;
    if (end > 255) {
      throw Error("trace gen gemm: prefetch=" + std::to_string(s.prefetch) + " needs " +
                  std::to_string(end) +
                  " registers per thread (at most 255); use a smaller prefetch");
    }
    set_regs(static_cast<uint32_t>(std::min(255, (end + 7) / 8 * 8)));
  }

 protected:
  void prologue(Warp&) const override {}

  uint32_t ksteps() const override { return split_ ? s_.bk / kstep_ : 0; }
  uint32_t register_ksteps() const override {
    return s_.copy == GemmSetup::Copy::kRegisters && !split_ ? s_.bk / kstep_ : 0;
  }

  uint32_t fragment_loads(uint32_t ks) const override {
    return (ks == 0 ? meta_loads_ : 0) + a_frags_ + b_frags_;
  }

  void load_fragments(Warp& w, const Dim3& cta, uint32_t warp, uint64_t kt, uint32_t ks,
                      uint32_t stage, uint32_t set, bool active, uint32_t first,
                      uint32_t count) const override {
    // Order: metadata (k-step 0), A0, B0 .. B(n-1), A1 .. A(m-1): the first MMAs (row tile 0,
    // every column tile) need A0 and all of B, each later row tile one more A fragment.
    const uint32_t nmeta = ks == 0 ? meta_loads_ : 0, total = fragment_loads(ks);
    const uint32_t last = count >= total - std::min(first, total) ? total : first + count;
    for (uint32_t j = first; j < last; ++j) {
      if (j < nmeta) {
        meta_load(w, cta, warp, kt, j, active);
        continue;
      }
      const uint32_t f = j - nmeta;
      if (f == 0) {
        fragment(w, warp, ks, stage, set, active, false, 0);
      } else if (f <= b_frags_) {
        fragment(w, warp, ks, stage, set, active, true, f - 1);
      } else {
        fragment(w, warp, ks, stage, set, active, false, f - b_frags_);
      }
    }
  }

  void mma_step(Warp& w, uint32_t set, uint32_t slots,
                const std::function<void(uint32_t)>& between) const override {
    mmas(w, set, slots, &between);
  }

  void compute(Warp& w, const Dim3& cta, uint32_t warp, uint64_t kt,
               uint32_t stage) const override {
    meta(w, cta, warp, kt, true);
    for (uint32_t ks = 0; ks < s_.bk / kstep_; ++ks) {
      fragments(w, warp, ks, stage, 0, true);
      mmas(w, 0);
    }
  }

 private:
  /// Sparse metadata of k-tile @p kt: LDG straight into registers.
  void meta(Warp& w, const Dim3& cta, uint32_t warp, uint64_t kt, bool active) const {
    for (uint32_t i = 0; i < meta_loads_; ++i) meta_load(w, cta, warp, kt, i, active);
  }
  void meta_load(Warp& w, const Dim3& cta, uint32_t warp, uint64_t kt, uint32_t i,
                 bool active) const {
    const uint32_t m0 = (warp % 2) * wm_;
    const uint32_t lanes = 32;
    uint64_t addr[32];
    const uint64_t row_bytes = s_.bk / 8;
    for (uint32_t l = 0; l < lanes; ++l) {
      const uint64_t byte = (uint64_t{i} * lanes + l) * meta_width_;
      addr[l] = s_.meta + (uint64_t{cta.y} * s_.bm + m0 + byte / row_bytes) * s_.meta_row_bytes() +
                kt * row_bytes + byte % row_bytes;
    }
    w.mem(meta_, active ? w.full() : 0, {reg(re_ + static_cast<int>(i))}, {reg(12)},
          {addr, active ? lanes : 0});
  }

  /// Fragment loads of k-step @p ks from buffer @p stage into register set @p set.
  void fragments(Warp& w, uint32_t warp, uint32_t ks, uint32_t stage, uint32_t set,
                 bool active) const {
    for (uint32_t i = 0; i < a_frags_; ++i) fragment(w, warp, ks, stage, set, active, false, i);
    for (uint32_t i = 0; i < b_frags_; ++i) fragment(w, warp, ks, stage, set, active, true, i);
  }

  /// Fragment load @p i of A (@p b false) or B of k-step @p ks.
  void fragment(Warp& w, uint32_t warp, uint32_t ks, uint32_t stage, uint32_t set, bool active,
                bool b, uint32_t i) const {
    const uint32_t m0 = (warp % 2) * wm_, n0 = (warp / 2) * wn_;
    const uint32_t lanes = 32;
    const uint64_t mask = active ? w.full() : 0;
    const size_t n = active ? lanes : 0;
    uint64_t addr[32];
    const uint64_t a_step_bytes = uint64_t{kstep_} * d_.bits / 8 / (s_.sparse ? 2 : 1);
    if (!b) {
      for (uint32_t l = 0; l < lanes; ++l) {
        uint64_t row, byte;
        if (fp64_) {  // m8 x k4 doubles: lane -> row l/4, k l%4
          row = m0 + 8 * i + l / 4;
          byte = ks * a_step_bytes + (l % 4) * 8;
        } else {  // 16 rows x 32 (Volta: 16) bytes
          row = m0 + 16 * i + l % 16;
          byte = ks * a_step_bytes + (l / 16) * (volta_ ? 8 : 16);
        }
        addr[l] = smem_addr(0, stage, row, byte);
      }
      w.mem(frag_a_, mask, {reg(ra_[set] + fstride_ * static_cast<int>(i))}, {reg(9)}, {addr, n});
      return;
    }
    // B fragments: the k-step's kstep rows of the warp's columns, chunk j -> row j % kstep
    for (uint32_t l = 0; l < lanes; ++l) {
      uint64_t row, byte;
      if (fp64_) {  // k4 x n8 doubles: lane -> k l%4, n l/4
        row = ks * kstep_ + l % 4;
        byte = (uint64_t{n0} + 8 * i + l / 4) * 8;
      } else if (volta_) {  // k8 x n16 halves: lane -> k l%8, 8 bytes at (l/8)*8
        row = ks * kstep_ + l % 8;
        byte = (uint64_t{n0} + 16 * i) * 2 + (l / 8) * 8;
      } else {
        const uint64_t j = uint64_t{i} * 32 + l;
        row = ks * kstep_ + j % kstep_;
        byte = uint64_t{n0} * d_.bits / 8 + (j / kstep_) * 16;
      }
      addr[l] = smem_addr(1, stage, row, byte);
    }
    w.mem(frag_b_, mask, {reg(rb_[set] + fstride_ * static_cast<int>(i))}, {reg(10)}, {addr, n});
  }

 protected:
  void epilogue(Warp& w, const Dim3& cta, uint32_t warp) const override {
    const uint32_t m0 = (warp % 2) * wm_, n0 = (warp / 2) * wn_;
    const uint32_t tm = fp64_ ? 8 : 16, tn = 8;
    uint64_t addr[32];
    int acc = racc_;
    for (uint32_t mt = 0; mt < wm_ / tm; ++mt) {
      for (uint32_t nt = 0; nt < wn_ / tn; ++nt) {
        // Volta sets are 16x16: their 8 registers cover two 16x8 tiles, in register order.
        for (uint32_t h = 0; h < tm / 8; ++h) {
          for (uint32_t l = 0; l < 32; ++l) {
            const uint64_t row = uint64_t{cta.y} * s_.bm + m0 + mt * tm + h * 8 + l / 4;
            const uint64_t col = uint64_t{cta.x} * s_.bn + n0 + nt * tn + 2 * (l % 4);
            addr[l] = s_.c + (row * s_.n + col) * s_.acc_bytes;
          }
          w.mem(stg_, w.full(), {}, {reg(13), reg(acc)}, {addr, 32});
          acc += fp64_ ? 4 : 2;
        }
      }
    }
  }

 private:
  void mmas(Warp& w, uint32_t set, uint32_t slots = 0,
            const std::function<void(uint32_t)>* between = nullptr) const {
    const int ra = ra_[set], rb = rb_[set];
    const int bregs = static_cast<int>(4 * b_frags_ / (volta_ ? wn_ / 16 : wn_ / d_.n));
    if (volta_) {
      const uint32_t sets = 2 * (wm_ / 16) * (wn_ / 16);
      uint32_t i = 0, slot = 0;
      for (int half = 0; half < 2; ++half) {  // two k4 sets per k-step of 8
        (void)half;
        for (uint32_t mt = 0; mt < wm_ / 16; ++mt) {
          for (uint32_t j = 0; j < wn_ / 16; ++j, ++i) {
            while (slot < slots && (2 * uint64_t{slot} + 1) * sets <= 2 * uint64_t{i} * slots)
              (*between)(slot++);
            // Serpentine over the column tiles (as CUTLASS's warp-level MMAs): moving to the
            // next row tile keeps B in the operand reuse cache, so only A and the accumulator
            // are read from the register banks.
            const uint32_t nt = mt % 2 == 0 ? j : wn_ / 16 - 1 - j;
            const int acc = racc_ + 8 * static_cast<int>(mt * (wn_ / 16) + nt);
            // both k4 halves read the k-step's fragment registers (loaded by one LDS.64 each)
            const uint16_t a = reg(ra + fstride_ * static_cast<int>(mt));
            const uint16_t b = reg(rb + fstride_ * static_cast<int>(nt));
            for (int s = 0; s < 4; ++s) {
              w.op(steps_[s], {reg(acc + 2 * s)}, {a, b, reg(acc + 2 * s)});
            }
          }
        }
      }
      while (slot < slots) (*between)(slot++);
      return;
    }
    const int aregs = 4;  // registers reserved per A fragment load
    const uint32_t total = (wm_ / d_.m) * (wn_ / d_.n);
    uint32_t i = 0, slot = 0;
    for (uint32_t mt = 0; mt < wm_ / d_.m; ++mt) {
      for (uint32_t nt = 0; nt < wn_ / d_.n; ++nt, ++i) {
        // slot j goes before MMA ceil((j + 1/2) total / slots): evenly spread, the first one
        // half-way through when there is a single slot.
        while (slot < slots && (2 * uint64_t{slot} + 1) * total <= 2 * uint64_t{i} * slots)
          (*between)(slot++);
        const uint16_t acc = reg(racc_ + 4 * static_cast<int>(mt * (wn_ / d_.n) + nt));
        const uint16_t a = reg(ra + aregs * static_cast<int>(mt));
        const uint16_t b = reg(rb + bregs * static_cast<int>(nt));
        if (s_.sparse) {
          const uint16_t e = reg(re_ + static_cast<int>(mt % meta_loads_));
          w.op(steps_[0], {acc}, {a, b, acc, e});
        } else {
          w.op(steps_[0], {acc}, {a, b, acc});
        }
      }
    }
    while (slot < slots) (*between)(slot++);
  }

  MmaDef d_;
  bool volta_, fp64_, split_ = false;
  uint32_t wm_, wn_, mk_, kstep_, a_frags_, b_frags_, meta_width_ = 0, meta_loads_ = 0;
  int ra_[2], rb_[2], re_, racc_, fstride_ = 4;
  Op steps_[4], frag_a_, frag_b_, stg_, meta_;
};

}  // namespace

std::shared_ptr<KernelProgram> make_mma_gemm(Isa isa, GemmSetup s, const std::string& dtype,
                                             const Params& p) {
  const MmaDef* def = nullptr;
  for (const MmaDef& d : kDefs) {
    if (d.dtype == dtype) def = &d;
  }
  const std::string where = " on " + std::string(to_string(isa));
  if (def == nullptr || (isa == Isa::kSm70 && dtype != "fp16") ||
      (def->sm100_only && isa != Isa::kSm100)) {
    fail(p, "dtype " + dtype + " has no warp-level MMA" + where + "; allowed: " +
                (isa == Isa::kSm70    ? "fp16"
                 : isa == Isa::kSm100 ? "fp16, bf16, tf32, int8, fp64, fp8, fp4"
                                      : "fp16, bf16, tf32, int8, fp64"));
  }
  if (s.sparse && (def->sparse_opcode.empty() || isa == Isa::kSm70)) {
    fail(p, "sparse=1 (2:4) is not available for dtype " + dtype + where);
  }
  s.bits = def->bits;
  s.acc_bytes = def->acc_bytes;
  s.threads = 128;
  s.bm = s.bn = def->bits == 64 ? 64 : 128;
  // Asynchronous copies (sm_80+): one 128 x 256 CTA of 8 warps per SM, as CUTLASS's default
  // Ampere tile: 24 bytes of A and B per 2048 FLOP instead of 32 for 128 x 128.
  // k-tiles of 128-byte A rows halve the CTA barriers per FLOP (CUTLASS: 128x256x64, 3 stages).
  const bool wide = s.copy != GemmSetup::Copy::kRegisters && def->bits != 64;
  if (wide) {
    s.bn = 256;
    s.threads = 256;
  }
  if (s.copy == GemmSetup::Copy::kTma || s.copy == GemmSetup::Copy::kCpAsyncWs) {  // + producer
    s.consumer_warps = s.threads / 32;
    s.threads += 32;
  }
  s.bk = def->bits == 64 ? 16 : (wide ? 128 : 64) * 8 / def->bits;  // A rows of 64 / 128 bytes
  check_tiling(p, isa, s, dtype);
  return std::make_shared<MmaGemm>(isa, s, *def);
}

}  // namespace joulesim::trace::gen::detail
