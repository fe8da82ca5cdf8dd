// GEMM on Hopper warpgroup MMA (wgmma.mma_async, sm_90a): CTA tile 128x256, two consumer
// warpgroups (8 warps) each owning a 64x256 accumulator (128 f32 registers per thread).
// Per k-tile every warp of a warpgroup issues WARPGROUP.ARRIVE, bk/k HGMMA.64x256xk (operands
// A and B from shared-memory descriptors, so no addresses in the trace; the accumulator is both
// source and destination), then WARPGROUP.DEPBAR.LE gsb0, N with the wait depth N in the
// immediate: 1 inside the k-loop (one group stays in flight), 0 after the last k-tile.
// A GMMA's shape is per warpgroup: each of the 4 warps traces the instruction once, so the
// tensor FLOPs of a kernel are (GMMA warp instructions / 4) x 2 m n k.
// 2:4 sparse (.SP): compressed A, doubled k, metadata loaded per k-tile with LDG into a register.
// Epilogue: warp w of the warpgroup holds rows 16w..16w+15 in the m16n8 fragment layout per
// 8 columns: (row l/4 (+8), columns 2(l%4), +1). Written straight from the fragments that is one
// STG.E.64 per 8 columns whose 32 lanes touch 8 lines, 32 bytes each. The TMA kernel stages the
// tile through shared memory instead, as CUTLASS's sm_90 epilogues do: after a barrier among the
// consumers (the other warpgroup's last GMMAs may still read the stage buffers it reuses), each
// warp stores its fragments (STS.64) into its own 16-row slice, whose 32-byte chunks are XOR-
// swizzled with row mod 4 so that neither the stores nor the row reads conflict, reads each row
// back in two halves (LDS.128, 512 contiguous bytes) and writes them with coalesced STG.E.128:
// 4 full lines per instruction instead of 8 partial ones.
#include "core/error.hpp"
#include "trace/gen/gemm.hpp"

namespace joulesim::trace::gen::detail {

namespace {

struct GmmaDef {
  std::string_view dtype, opcode, sparse_opcode;
  uint32_t k, bits;
};

// PTX ISA "wgmma.mma_async" shapes m64nNk16 (f16/bf16), k8 (tf32), k32 (e4m3/e5m2, s8/u8);
// the sparse forms double k.
constexpr GmmaDef kDefs[] = {
    {"fp16", "HGMMA.64x256x16.F32", "HGMMA.SP.64x256x32.F32", 16, 16},
    {"bf16", "HGMMA.64x256x16.F32.BF16", "HGMMA.SP.64x256x32.F32.BF16", 16, 16},
    {"tf32", "HGMMA.64x256x8.F32.TF32", "HGMMA.SP.64x256x16.F32.TF32", 8, 32},
    {"fp8", "QGMMA.64x256x32.F32.E4M3.E4M3", "QGMMA.SP.64x256x64.F32.E4M3.E4M3", 32, 8},
    {"int8", "IGMMA.64x256x32.S32.S8.S8", "IGMMA.SP.64x256x64.S32.S8.S8", 32, 8},
};

class WgmmaGemm : public GemmKernel {
 public:
  WgmmaGemm(const GemmSetup& s, const GmmaDef& d) : GemmKernel(Isa::kSm90, s), d_(d) {
    gmma_ = intern(s.sparse ? d.sparse_opcode : d.opcode);
    arrive_ = intern("WARPGROUP.ARRIVE");
    depbar_ = intern("WARPGROUP.DEPBAR.LE");
    stg_ = intern("STG.E.64", 8);
    if (s.copy == GemmSetup::Copy::kTma) {
      sts_c_ = intern("STS.64", 8);
      lds_c_ = intern("LDS.128", 16);
      stg_c_ = intern("STG.E.128", 16);
    }
    mk_ = s.sparse ? 2 * d.k : d.k;
    if (s.sparse) {
      meta_width_ = std::min<uint32_t>(4, 16 * (s.bk / 8) / 32);
      meta_loads_ = 16 * (s.bk / 8) / (32 * meta_width_);
      meta_ = intern(meta_width_ == 4 ? "LDG.E" : "LDG.E.U16", static_cast<uint8_t>(meta_width_));
    }
    re_ = staging_end();
    racc_ = re_ + static_cast<int>(meta_loads_);
    if (racc_ + 128 > 255) {
      throw Error("trace gen gemm: prefetch=" + std::to_string(s.prefetch) + " needs " +
                  std::to_string(racc_ + 128) +
                  " registers per thread (at most 255); use a smaller prefetch");
    }
    set_regs(static_cast<uint32_t>(std::min(255, (racc_ + 128 + 7) / 8 * 8)));
  }

 protected:
  void prologue(Warp&) const override {}

  void compute(Warp& w, const Dim3& cta, uint32_t warp, uint64_t kt, uint32_t) const override {
    const uint64_t rows0 = uint64_t{cta.y} * s_.bm + 64 * (warp / 4) + 16 * (warp % 4);
    uint64_t addr[32];
    for (uint32_t i = 0; i < meta_loads_; ++i) {
      const uint64_t row_bytes = s_.bk / 8;
      for (uint32_t l = 0; l < 32; ++l) {
        const uint64_t byte = (uint64_t{i} * 32 + l) * meta_width_;
        addr[l] = s_.meta + (rows0 + byte / row_bytes) * s_.meta_row_bytes() + kt * row_bytes +
                  byte % row_bytes;
      }
      w.mem(meta_, w.full(), {reg(re_ + static_cast<int>(i))}, {reg(12)}, {addr, 32});
    }
    w.op(arrive_, {}, {});
    const uint16_t acc = reg(racc_);
    for (uint32_t ks = 0; ks < s_.bk / mk_; ++ks) {
      if (s_.sparse) {
        w.op(gmma_, {acc}, {acc, reg(re_ + static_cast<int>(ks % meta_loads_))});
      } else {
        w.op(gmma_, {acc}, {acc});
      }
    }
    // gsb0, N: at most N wgmma groups of this warpgroup still pending. Inside the loop N = 1 keeps
    // one group in flight while the next k-tile's copy proceeds; the group of k-tile kt-1 (the
    // reader of the buffer the coming STS overwrite) is then complete. The last waits for all.
    w.op(depbar_, {}, {}, kt + 1 < s_.k_tiles() ? 1 : 0);
  }

  void epilogue(Warp& w, const Dim3& cta, uint32_t warp) const override {
    if (s_.copy == GemmSetup::Copy::kTma) return staged_epilogue(w, cta, warp);
    const uint64_t row0 = uint64_t{cta.y} * s_.bm + 64 * (warp / 4) + 16 * (warp % 4);
    const uint64_t col0 = uint64_t{cta.x} * s_.bn;
    uint64_t addr[32];
    for (uint32_t nt = 0; nt < s_.bn / 8; ++nt) {
      for (uint32_t h = 0; h < 2; ++h) {
        for (uint32_t l = 0; l < 32; ++l) {
          const uint64_t row = row0 + 8 * h + l / 4, col = col0 + 8 * nt + 2 * (l % 4);
          addr[l] = s_.c + (row * s_.n + col) * s_.acc_bytes;
        }
        w.mem(stg_, w.full(), {},
              {reg(13), reg(racc_ + 4 * static_cast<int>(nt) + 2 * static_cast<int>(h))},
              {addr, 32});
      }
    }
  }

  /// Byte of row @p r (0..15), byte @p b of warp @p warp's staging slice (chunks of 32 bytes
  /// XOR-swizzled with r mod 4).
  uint64_t stage_c(uint32_t warp, uint64_t r, uint64_t b) const {
    const uint64_t row_bytes = uint64_t{s_.bn} * s_.acc_bytes;
    return kShmemBase + warp * 16 * row_bytes + r * row_bytes + ((b / 32) ^ (r % 4)) * 32 + b % 32;
  }

  void staged_epilogue(Warp& w, const Dim3& cta, uint32_t warp) const {
    const uint64_t row0 = uint64_t{cta.y} * s_.bm + 64 * (warp / 4) + 16 * (warp % 4);
    const uint64_t col0 = uint64_t{cta.x} * s_.bn, row_bytes = uint64_t{s_.bn} * s_.acc_bytes;
    w.op(bar_, {}, {}, 1);  // named barrier 1: the consumer warps (the producer has exited)
    uint64_t addr[32];
    for (uint32_t nt = 0; nt < s_.bn / 8; ++nt) {
      for (uint32_t h = 0; h < 2; ++h) {
        for (uint32_t l = 0; l < 32; ++l)
          addr[l] = stage_c(warp, 8 * h + l / 4, (8 * nt + 2 * (l % 4)) * uint64_t{s_.acc_bytes});
        w.mem(sts_c_, w.full(), {},
              {reg(kSmemW), reg(racc_ + 4 * static_cast<int>(nt) + 2 * static_cast<int>(h))},
              {addr, 32});
      }
    }
    // Rows back in 512-byte halves into reused accumulator registers (8 sets in rotation).
    uint32_t set = 0;
    for (uint64_t r = 0; r < 16; ++r) {
      for (uint64_t half = 0; half < row_bytes / 512; ++half, ++set) {
        const uint16_t v = reg(racc_ + 4 * static_cast<int>(set % 8));
        for (uint32_t l = 0; l < 32; ++l) addr[l] = stage_c(warp, r, half * 512 + 16 * l);
        w.mem(lds_c_, w.full(), {v}, {reg(kSmemRA)}, {addr, 32});
        for (uint32_t l = 0; l < 32; ++l)
          addr[l] =
              s_.c + (row0 + r) * s_.n * s_.acc_bytes + col0 * s_.acc_bytes + half * 512 + 16 * l;
        w.mem(stg_c_, w.full(), {}, {reg(13), v}, {addr, 32});
      }
    }
  }

 private:
  GmmaDef d_;
  uint32_t mk_, meta_width_ = 0, meta_loads_ = 0;
  int re_, racc_;
  Op gmma_, arrive_, depbar_, stg_, meta_, sts_c_, lds_c_, stg_c_;
};

}  // namespace

std::shared_ptr<KernelProgram> make_wgmma_gemm(GemmSetup s, const std::string& dtype,
                                               const Params& p) {
  const GmmaDef* def = nullptr;
  for (const GmmaDef& d : kDefs) {
    if (d.dtype == dtype) def = &d;
  }
  if (def == nullptr) {
    fail(p, "dtype " + dtype +
                " has no wgmma on sm_90; allowed: fp16, bf16, tf32, fp8, int8, "
                "fp64 (DMMA)");
  }
  s.bits = def->bits;
  s.acc_bytes = 4;
  s.threads = 256;
  s.mma_async = true;
  if (s.copy == GemmSetup::Copy::kTma || s.copy == GemmSetup::Copy::kCpAsyncWs) {  // + producer
    s.consumer_warps = s.threads / 32;
    s.threads += 32;
  }
  s.bm = 128;
  s.bn = 256;
  s.bk = 128 * 8 / def->bits;  // 128-byte A rows
  if (s.cluster_m == 0) {      // auto
    const bool pair = s.copy == GemmSetup::Copy::kTma && s.m % (2 * s.bm) == 0;
    s.cluster_m = pair ? 2 : 1;
    s.cluster_n = 1;
  }
  check_tiling(p, Isa::kSm90, s, dtype);
  return std::make_shared<WgmmaGemm>(s, *def);
}

}  // namespace joulesim::trace::gen::detail
