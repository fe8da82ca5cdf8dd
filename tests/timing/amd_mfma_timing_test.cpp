// First-principles timing of AMD MFMA instructions on the mi250x (CDNA2) and mi300x (CDNA3)
// configs: per-shape cycles against AMD's published tables, VALU co-execution under MFMA.
#include <gtest/gtest.h>

#include "timing/amd_timing_util.hpp"

namespace joulesim::timing_test {
namespace {

// One wave issues @p n independent MFMAs (accumulators rotate over 8 groups of 32 VGPRs).
uint64_t mfma_stream_cycles(const config::GpuSpec& spec, const char* op, uint32_t n, uint32_t gfx) {
  auto k = make_cdna_kernel(
      1, 1,
      [=](trace::MemoryKernel& k, trace::WarpTrace& w, uint32_t, uint32_t) {
        for (uint32_t i = 0; i < n; ++i) {
          const auto acc = static_cast<uint16_t>(64 + 32 * (i % 8));
          k.append(w, op, kAllLanes, {acc}, {4, 6});
        }
        k.append(w, "s_endpgm", 0, {}, {});
      },
      gfx);
  return cycles_of(spec, std::move(k));
}

struct Shape {
  const char* op;
  uint32_t cycles;  // published
};

// Per-instruction issue-to-issue cycles of a stream of independent MFMAs: the cycles of 2n minus
// those of n, over n (the fixed start and drain cancel).
double cycles_per_mfma(const config::GpuSpec& spec, const char* op, uint32_t gfx) {
  const uint32_t n = 16;
  const uint64_t a = mfma_stream_cycles(spec, op, n, gfx);
  const uint64_t b = mfma_stream_cycles(spec, op, 2 * n, gfx);
  return static_cast<double>(b - a) / n;
}

TEST(AmdMfma, Cdna2PerShapeCyclesMatchPublishedTable) {
  // AMD Matrix Instruction Calculator (github.com/ROCm/amd_matrix_instruction_calculator),
  // 'cdna2' table "cycles" (= the MI200 ISA guide's MFMA pass counts x 4).
  const Shape shapes[] = {
      {"v_mfma_f32_32x32x8f16", 64},  {"v_mfma_f32_16x16x16f16", 32},
      {"v_mfma_f32_4x4x4f16", 8},     {"v_mfma_f32_32x32x4f16", 64},
      {"v_mfma_f32_16x16x4f16", 32},  {"v_mfma_f32_32x32x8bf16_1k", 64},
      {"v_mfma_f32_32x32x4bf16", 64}, {"v_mfma_f32_16x16x8bf16", 32},
      {"v_mfma_i32_32x32x8i8", 64},   {"v_mfma_i32_4x4x4i8", 8},
      {"v_mfma_f32_32x32x2f32", 64},  {"v_mfma_f32_32x32x1f32", 64},
      {"v_mfma_f32_4x4x1f32", 8},     {"v_mfma_f64_16x16x4f64", 32},
      {"v_mfma_f64_4x4x4f64", 16},
  };
  const auto spec = repo_gpu("mi250x");
  for (const Shape& s : shapes)
    EXPECT_DOUBLE_EQ(cycles_per_mfma(spec, s.op, trace::kGfx90a), s.cycles) << s.op;
}

TEST(AmdMfma, Cdna3PerShapeCyclesMatchPublishedTable) {
  // AMD Instinct MI300 (CDNA3) ISA guide MFMA table as encoded in LLVM's gfx940 scheduling model
  // (llvm-mca gfx940 tests: XDL pipe passes x 4 cycles); v_mfma_f32_32x32x8_f16: 32 cycles,
  // 16x16x16_f16: 16 (issue 5's figures).
  const Shape shapes[] = {
      {"v_mfma_f32_32x32x8_f16", 32},      {"v_mfma_f32_16x16x16_f16", 16},
      {"v_mfma_f32_4x4x4_16b_f16", 8},     {"v_mfma_f32_32x32x4_2b_f16", 64},
      {"v_mfma_f32_16x16x4_4b_f16", 32},   {"v_mfma_f32_32x32x8_bf16", 32},
      {"v_mfma_i32_32x32x16_i8", 32},      {"v_mfma_i32_16x16x32_i8", 16},
      {"v_mfma_i32_4x4x4_16b_i8", 8},      {"v_mfma_f32_32x32x2_f32", 64},
      {"v_mfma_f32_16x16x4_f32", 32},      {"v_mfma_f32_32x32x1_2b_f32", 64},
      {"v_mfma_f32_4x4x1_16b_f32", 8},     {"v_mfma_f64_16x16x4_f64", 32},
      {"v_mfma_f64_4x4x4_4b_f64", 16},     {"v_mfma_f32_32x32x16_fp8_fp8", 32},
      {"v_mfma_f32_16x16x32_bf8_fp8", 16}, {"v_mfma_f32_32x32x4_xf32", 32},
      {"v_smfmac_f32_32x32x16_f16", 32},   {"v_smfmac_f32_16x16x32_bf16", 16},
  };
  const auto spec = repo_gpu("mi300x");
  for (const Shape& s : shapes)
    EXPECT_DOUBLE_EQ(cycles_per_mfma(spec, s.op, trace::kGfx942), s.cycles) << s.op;
}

TEST(AmdMfma, ShapeCyclesScaleWithTheConfiguredRate) {
  // A hypothetical CDNA3 with twice the FP16 matrix rate halves every FP16 shape.
  const auto spec = repo_gpu("mi300x", {"tensor.fp16_flops_per_clk=4096"});
  EXPECT_DOUBLE_EQ(cycles_per_mfma(spec, "v_mfma_f32_32x32x8_f16", trace::kGfx942), 16);
  EXPECT_DOUBLE_EQ(cycles_per_mfma(spec, "v_mfma_f32_4x4x4_16b_f16", trace::kGfx942), 4);
}

// Wave 0 (SIMD 0) streams n independent MFMAs of @p mfma_op; wave 4 (also SIMD 0: slot mod 4)
// streams @p valu independent v_add_f32. Waves 1..3 are empty.
uint64_t coexec_cycles(const config::GpuSpec& spec, const char* mfma_op, uint32_t n,
                       uint32_t valu) {
  auto k = make_cdna_kernel(
      1, 5, [=](trace::MemoryKernel& k, trace::WarpTrace& w, uint32_t, uint32_t wave) {
        if (wave == 0) {
          for (uint32_t i = 0; i < n; ++i)
            k.append(w, mfma_op, kAllLanes, {static_cast<uint16_t>(64 + 32 * (i % 8))}, {4, 6});
        } else if (wave == 4) {
          for (uint32_t i = 0; i < valu; ++i)
            k.append(w, "v_add_f32", kAllLanes, {static_cast<uint16_t>(20 + i % 8)}, {30, 31});
        }
        k.append(w, "s_endpgm", 0, {}, {});
      });
  return cycles_of(spec, std::move(k));
}

TEST(AmdMfma, ValuCoExecutesUnderMfma) {
  // mi300x: a 32x32x8 f16 MFMA holds the matrix core 32 cycles and the SIMD's VALU only for its
  // 4-cycle issue pass, leaving 28 cycles = 7 wave64 VALU ops (4 cycles each on SIMD16) per MFMA.
  // So n MFMAs and 7n VALU ops on one SIMD take 32n cycles (+ the last MFMA's drain), not
  // 32n + 28n.
  const auto spec = repo_gpu("mi300x");
  const uint32_t n = 20;
  const uint64_t mfma_only = coexec_cycles(spec, "v_mfma_f32_32x32x8_f16", n, 0);
  const uint64_t both = coexec_cycles(spec, "v_mfma_f32_32x32x8_f16", n, 7 * n);
  EXPECT_GE(mfma_only, 32 * n);
  EXPECT_LE(both, mfma_only + 8) << "VALU ops should hide under the MFMAs";
  // One more VALU op per MFMA than fits: the MFMAs are delayed.
  EXPECT_GT(coexec_cycles(spec, "v_mfma_f32_32x32x8_f16", n, 9 * n), mfma_only + 4 * n);
}

TEST(AmdMfma, Fp64MfmaDoesNotCoExecute) {
  // FP64 MFMAs use the VALU for their whole duration (Matrix Instruction Calculator, CDNA2:
  // "Can co-execute with VALU: False"): n 16x16x4 f64 (32 cycles) and 8n VALU ops (4 cycles)
  // serialise to 32n + 32n.
  const auto spec = repo_gpu("mi250x");
  const uint32_t n = 20;
  const uint64_t both = coexec_cycles(spec, "v_mfma_f64_16x16x4f64", n, 8 * n);
  EXPECT_GE(both, 64 * n);
  EXPECT_LE(both, 64 * n + 40);
}

TEST(AmdMfma, ValuOpsShareOneSimdPipe) {
  // CDNA has one VALU per SIMD: independent integer and FP32 ops from two waves on the same SIMD
  // serialise (4 cycles each), unlike NVIDIA's separate INT and FP32 pipes.
  const uint32_t n = 100;
  auto k = make_cdna_kernel(
      1, 5, [=](trace::MemoryKernel& k, trace::WarpTrace& w, uint32_t, uint32_t wave) {
        const char* op = wave == 0 ? "v_add_f32" : wave == 4 ? "v_add_u32" : nullptr;
        if (op)
          for (uint32_t i = 0; i < n; ++i)
            k.append(w, op, kAllLanes, {static_cast<uint16_t>(20 + i % 8)}, {30, 31});
        k.append(w, "s_endpgm", 0, {}, {});
      });
  const uint64_t got = cycles_of(repo_gpu("mi300x"), std::move(k));
  EXPECT_GE(got, 2 * 4 * n);
  EXPECT_LE(got, 2 * 4 * n + 8);
}

}  // namespace
}  // namespace joulesim::timing_test
