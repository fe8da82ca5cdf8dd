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
// 8 columns: STG.E.64 of (row l/4 (+8), columns 2(l%4), +1).
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

 private:
  GmmaDef d_;
  uint32_t mk_, meta_width_ = 0, meta_loads_ = 0;
  int re_, racc_;
  Op gmma_, arrive_, depbar_, stg_, meta_;
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
  check_tiling(p, Isa::kSm90, s, dtype);
  return std::make_shared<WgmmaGemm>(s, *def);
}

}  // namespace joulesim::trace::gen::detail
