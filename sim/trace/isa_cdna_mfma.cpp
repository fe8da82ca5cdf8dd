// Per-shape MFMA execution cycles on CDNA2 (gfx90a, MI200) and CDNA3 (gfx942, MI300).
//
// Sources: CDNA2 -- the cycle counts of AMD's Matrix Instruction Calculator
// (github.com/ROCm/amd_matrix_instruction_calculator, matrix_calculator.py, 'cdna2' table, which
// reproduces the MI200 ISA guide's MFMA table); CDNA3 -- the pass counts (1 pass = 4 cycles) of
// the gfx940 scheduling model in LLVM (llvm/test/tools/llvm-mca/AMDGPU/gfx940-*.s resource
// pressure on HWXDL), which follow the "AMD Instinct MI300 (CDNA3) ISA Reference Guide" MFMA
// table. A shape's FLOPs are 2 x m x n x k x blocks (the mnemonic does not always name the
// blocks: gfx90a's v_mfma_f32_4x4x4f16 computes 16 4x4x4 blocks).
//
// The timing model derives an MFMA's cycles from the GPU's tensor.<type>_flops_per_clk, so that
// hypothetical designs scale. Small shapes do not reach the type's peak rate (e.g. CDNA3
// 4x4x4_16b_f16: 2048 FLOPs in 8 cycles, half the 32x32x8 rate), so each shape carries the
// fraction of the type's peak rate it reaches on the ISA's reference silicon: its FLOPs per cycle
// over the best shape's of the same type (and sparsity) in the same table.
#include <algorithm>

#include "trace/isa_tables.hpp"

namespace joulesim::trace::detail {

namespace {

struct MfmaShape {
  TensorType type;
  bool sparse;
  bool old_bf16;  ///< gfx90a bf16 without the _1k suffix (half-rate CDNA1 encoding)
  uint16_t m, n, k, blocks;
  uint16_t cycles_90a, cycles_942;  ///< 0: not on that ISA
};

using T = TensorType;
// clang-format off
constexpr MfmaShape kShapes[] = {
    // fp32 inputs
    {T::kFp32, false, false, 32, 32, 1, 2, 64, 64},
    {T::kFp32, false, false, 16, 16, 1, 4, 32, 32},
    {T::kFp32, false, false, 4, 4, 1, 16, 8, 8},
    {T::kFp32, false, false, 32, 32, 2, 1, 64, 64},
    {T::kFp32, false, false, 16, 16, 4, 1, 32, 32},
    // fp16
    {T::kFp16, false, false, 32, 32, 4, 2, 64, 64},
    {T::kFp16, false, false, 16, 16, 4, 4, 32, 32},
    {T::kFp16, false, false, 4, 4, 4, 16, 8, 8},
    {T::kFp16, false, false, 32, 32, 8, 1, 64, 32},
    {T::kFp16, false, false, 16, 16, 16, 1, 32, 16},
    // bf16 (gfx90a: the _1k forms; gfx942 names them without the suffix)
    {T::kBf16, false, false, 32, 32, 4, 2, 64, 64},
    {T::kBf16, false, false, 16, 16, 4, 4, 32, 32},
    {T::kBf16, false, false, 4, 4, 4, 16, 8, 8},
    {T::kBf16, false, false, 32, 32, 8, 1, 64, 32},
    {T::kBf16, false, false, 16, 16, 16, 1, 32, 16},
    // bf16, gfx90a forms without _1k (kept from CDNA1)
    {T::kBf16, false, true, 32, 32, 2, 2, 64, 0},
    {T::kBf16, false, true, 16, 16, 2, 4, 32, 0},
    {T::kBf16, false, true, 4, 4, 2, 16, 8, 0},
    {T::kBf16, false, true, 32, 32, 4, 1, 64, 0},
    {T::kBf16, false, true, 16, 16, 8, 1, 32, 0},
    // int8
    {T::kInt8, false, false, 32, 32, 4, 2, 64, 64},
    {T::kInt8, false, false, 16, 16, 4, 4, 32, 32},
    {T::kInt8, false, false, 4, 4, 4, 16, 8, 8},
    {T::kInt8, false, false, 32, 32, 8, 1, 64, 0},
    {T::kInt8, false, false, 16, 16, 16, 1, 32, 0},
    {T::kInt8, false, false, 32, 32, 16, 1, 0, 32},
    {T::kInt8, false, false, 16, 16, 32, 1, 0, 16},
    // fp64
    {T::kFp64, false, false, 16, 16, 4, 1, 32, 32},
    {T::kFp64, false, false, 4, 4, 4, 4, 16, 16},
    // gfx942 only: xf32, fp8/bf8, 2:4 sparse SMFMAC (k counts the dense-equivalent depth)
    {T::kTf32, false, false, 32, 32, 4, 1, 0, 32},
    {T::kTf32, false, false, 16, 16, 8, 1, 0, 16},
    {T::kFp8, false, false, 32, 32, 16, 1, 0, 32},
    {T::kFp8, false, false, 16, 16, 32, 1, 0, 16},
    {T::kFp16, true, false, 32, 32, 16, 1, 0, 32},
    {T::kFp16, true, false, 16, 16, 32, 1, 0, 16},
    {T::kBf16, true, false, 32, 32, 16, 1, 0, 32},
    {T::kBf16, true, false, 16, 16, 32, 1, 0, 16},
    {T::kInt8, true, false, 32, 32, 32, 1, 0, 32},
    {T::kInt8, true, false, 16, 16, 64, 1, 0, 16},
    {T::kFp8, true, false, 32, 32, 32, 1, 0, 32},
    {T::kFp8, true, false, 16, 16, 64, 1, 0, 16},
};
// clang-format on

uint16_t cycles_on(const MfmaShape& s, uint32_t table) {
  return table >= kGfx942 ? s.cycles_942 : s.cycles_90a;
}

double flops_per_cycle(const MfmaShape& s, uint32_t table) {
  return 2.0 * s.m * s.n * s.k * s.blocks / cycles_on(s, table);
}

}  // namespace

bool set_mfma_shape_info(OpcodeInfo& info, bool old_bf16, uint32_t table) {
  const MfmaShape* hit = nullptr;
  for (const MfmaShape& s : kShapes) {
    if (s.type == info.tensor_type && s.sparse == info.sparse && s.old_bf16 == old_bf16 &&
        s.m == info.mma_m && s.n == info.mma_n && s.k == info.mma_k && cycles_on(s, table) > 0) {
      hit = &s;
      break;
    }
  }
  if (hit == nullptr) return false;
  double peak = 0;
  for (const MfmaShape& s : kShapes) {
    if (s.type == hit->type && s.sparse == hit->sparse && cycles_on(s, table) > 0)
      peak = std::max(peak, flops_per_cycle(s, table));
  }
  info.mma_blocks = hit->blocks;
  info.mma_rate = static_cast<float>(flops_per_cycle(*hit, table) / peak);
  return true;
}

}  // namespace joulesim::trace::detail
