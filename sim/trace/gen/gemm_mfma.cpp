// GEMM on CDNA matrix cores (MFMA): workgroup tile 128x128, four wave64s in a 2x2 grid, each
// owning a 64x64 accumulator tile of 32x32 (fp64: 16x16) MFMA blocks.
// Per k-step: ds_read of each block's A and B operands (lane l holds row/column l % M of k-group
// l / M: 64/M groups across the wave, per CDNA2/CDNA3 ISA guide "matrix fused multiply-add"
// operand layouts), s_waitcnt lgkmcnt(0), then one MFMA per block.
// The A tile is row-major [m][k] in LDS; B is read k-contiguous per column ([n][k], the
// arrangement a transposing local write produces); the ds_write_b128 addresses of the copy follow
// the global chunk order (a documented simplification of the transposing write).
// 2:4 sparse (gfx942 v_smfmac): compressed A, doubled k, metadata (index VGPR) per k-tile.
// Epilogue: 32x32 f32 block, value v of lane l at row (v/4)*8 + (l/32)*4 + v%4, column l%32
// (global_store_dword per value); 16x16 f64, value v at row (l/16)*4 + v, column l%16
// (global_store_dwordx2).
#include "core/error.hpp"
#include "trace/gen/gemm.hpp"

namespace joulesim::trace::gen::detail {

namespace {

constexpr uint32_t kWaitVmcnt0 = (7u << 4) | (15u << 8);
constexpr uint32_t kWaitLgkmcnt0 = 0xF | (7u << 4) | (3u << 14);

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

class MfmaGemm : public GemmKernel {
 public:
  MfmaGemm(Isa isa, const GemmSetup& s, const MfmaDef& d, std::string_view opcode, uint32_t k)
      : GemmKernel(isa, s), d_(d), mb_(d.m) {
    mk_ = s.sparse ? 2 * k : k;
    const uint32_t groups = 64 / mb_;
    a_bytes_ = mk_ / (s.sparse ? 2 : 1) / groups * d.bits / 8;
    b_bytes_ = mk_ / groups * d.bits / 8;
    mfma_ = intern(opcode);
    read_a_ = intern(ds_read(a_bytes_), static_cast<uint8_t>(a_bytes_));
    read_b_ = intern(ds_read(b_bytes_), static_cast<uint8_t>(b_bytes_));
    store_ = intern(d.bits == 64 ? "global_store_dwordx2" : "global_store_dword",
                    static_cast<uint8_t>(d.acc_bytes));
    if (s.sparse) {
      meta_loads_ = s.bk / 32;  // 64 rows x bk/8 bytes per wave, 4 bytes per lane
      meta_ = intern("global_load_dword", 4);
    }
    blocks_ = 64 / mb_;
    acc_regs_ = mb_ * mb_ * d.acc_bytes / 4 / 64;
    ra_ = staging_end();
    rb_ = ra_ + static_cast<int>(blocks_ * std::max(1u, a_bytes_ / 4));
    re_ = rb_ + static_cast<int>(blocks_ * std::max(1u, b_bytes_ / 4));
    racc_ = re_ + static_cast<int>(meta_loads_);
    const int end = racc_ + static_cast<int>(blocks_ * blocks_ * acc_regs_);
    if (end > 255) throw Error("gemm generator bug: " + std::to_string(end) + " VGPRs");
    set_regs(static_cast<uint32_t>((end + 7) / 8 * 8));
  }

 protected:
  void prologue(Warp&) const override {}

  void compute(Warp& w, const Dim3& cta, uint32_t wave, uint64_t kt,
               uint32_t stage) const override {
    const uint32_t m0 = (wave % 2) * 64, n0 = (wave / 2) * 64, groups = 64 / mb_;
    uint64_t addr[64];
    for (uint32_t i = 0; i < meta_loads_; ++i) {
      const uint64_t row_bytes = s_.bk / 8;
      for (uint32_t l = 0; l < 64; ++l) {
        const uint64_t byte = (uint64_t{i} * 64 + l) * 4;
        addr[l] = s_.meta +
                  (uint64_t{cta.y} * s_.bm + m0 + byte / row_bytes) * s_.meta_row_bytes() +
                  kt * row_bytes + byte % row_bytes;
      }
      w.mem(meta_, w.full(), {reg(re_ + static_cast<int>(i))}, {reg(12)}, {addr, 64});
    }
    if (meta_loads_ > 0) w.op(wait_, {}, {}, kWaitVmcnt0);
    const int a_regs = static_cast<int>(std::max(1u, a_bytes_ / 4));
    const int b_regs = static_cast<int>(std::max(1u, b_bytes_ / 4));
    const uint64_t b_pitch = uint64_t{s_.bk} * d_.bits / 8;  // B as [n][k] in LDS
    for (uint32_t ks = 0; ks < s_.bk / mk_; ++ks) {
      for (uint32_t b = 0; b < blocks_; ++b) {
        for (uint32_t l = 0; l < 64; ++l) {
          addr[l] = smem_addr(0, stage, m0 + b * mb_ + l % mb_,
                              uint64_t{ks} * groups * a_bytes_ + (l / mb_) * a_bytes_);
        }
        w.mem(read_a_, w.full(), {reg(ra_ + a_regs * static_cast<int>(b))}, {reg(9)}, {addr, 64});
      }
      for (uint32_t b = 0; b < blocks_; ++b) {
        for (uint32_t l = 0; l < 64; ++l) {
          const uint64_t n = n0 + b * mb_ + l % mb_;
          const uint64_t byte =
              n * b_pitch + uint64_t{ks} * groups * b_bytes_ + (l / mb_) * b_bytes_;
          addr[l] = kShmemBase + uint64_t{stage} * stage_bytes_ + tiles_[1].offset +
                    swizzle(byte / 16) * 16 + byte % 16;
        }
        w.mem(read_b_, w.full(), {reg(rb_ + b_regs * static_cast<int>(b))}, {reg(10)}, {addr, 64});
      }
      w.op(wait_, {}, {}, kWaitLgkmcnt0);
      for (uint32_t mb = 0; mb < blocks_; ++mb) {
        for (uint32_t nb = 0; nb < blocks_; ++nb) {
          const uint16_t acc = reg(racc_ + static_cast<int>((mb * blocks_ + nb) * acc_regs_));
          const uint16_t a = reg(ra_ + a_regs * static_cast<int>(mb));
          const uint16_t bb = reg(rb_ + b_regs * static_cast<int>(nb));
          if (s_.sparse) {
            w.op(mfma_, {acc}, {a, bb, acc, reg(re_ + static_cast<int>(mb % meta_loads_))});
          } else {
            w.op(mfma_, {acc}, {a, bb, acc});
          }
        }
      }
    }
  }

  void epilogue(Warp& w, const Dim3& cta, uint32_t wave) const override {
    const uint64_t m0 = uint64_t{cta.y} * s_.bm + (wave % 2) * 64;
    const uint64_t n0 = uint64_t{cta.x} * s_.bn + (wave / 2) * 64;
    const uint32_t values = mb_ * mb_ / 64, regs_per_value = d_.acc_bytes / 4;
    uint64_t addr[64];
    for (uint32_t mb = 0; mb < blocks_; ++mb) {
      for (uint32_t nb = 0; nb < blocks_; ++nb) {
        const int acc = racc_ + static_cast<int>((mb * blocks_ + nb) * acc_regs_);
        for (uint32_t v = 0; v < values; ++v) {
          for (uint32_t l = 0; l < 64; ++l) {
            const uint64_t row = mb_ == 32 ? (v / 4) * 8 + (l / 32) * 4 + v % 4 : (l / 16) * 4 + v;
            const uint64_t col = l % mb_;
            addr[l] = s_.c + ((m0 + mb * mb_ + row) * s_.n + n0 + nb * mb_ + col) * s_.acc_bytes;
          }
          w.mem(store_, w.full(), {}, {reg(13), reg(acc + static_cast<int>(v * regs_per_value))},
                {addr, 64});
        }
      }
    }
  }

 private:
  MfmaDef d_;
  uint32_t mb_, mk_, a_bytes_, b_bytes_, blocks_, acc_regs_, meta_loads_ = 0;
  int ra_, rb_, re_, racc_;
  Op mfma_, read_a_, read_b_, store_, meta_;
};

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
  s.bm = s.bn = 128;
  s.bk = 64 * 8 / def->bits;  // 64-byte A rows
  check_tiling(p, isa, s, dtype);
  return std::make_shared<MfmaGemm>(isa, s, *def, opcode, cdna3 ? def->k942 : def->k);
}

}  // namespace joulesim::trace::gen::detail
