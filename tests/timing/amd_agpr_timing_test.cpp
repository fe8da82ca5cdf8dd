// CDNA accumulation registers (AccVGPRs aN, trace::kAccBase + n): their own scoreboard entries,
// so an MFMA accumulating in a0 does not wait for a load into v0, while one accumulating in v0
// does; a dependent MFMA chain times the same in either file.
#include <gtest/gtest.h>

#include "timing/amd_timing_util.hpp"
#include "trace/acc_registers.hpp"

namespace joulesim::timing_test {
namespace {

constexpr uint16_t kA0 = trace::kAccBase;
constexpr const char* kMfma = "v_mfma_f32_32x32x8_f16";  // 32 cycles on CDNA3

// A global load into v0 (an L2/DRAM miss: hundreds of cycles), then, if @p acc is not 0, one MFMA
// accumulating in @p acc.
uint64_t load_then_mfma(const config::GpuSpec& spec, uint16_t acc) {
  auto k =
      make_cdna_kernel(1, 1, [&](trace::MemoryKernel& k, trace::WarpTrace& w, uint32_t, uint32_t) {
        k.append(w, "global_load_dword", 1, {0}, {2}, 4, {0x400000});
        if (acc != 0xFFFF) k.append(w, kMfma, kAllLanes, {acc}, {4, 6, acc});
        k.append(w, "s_endpgm", 0, {}, {});
      });
  return cycles_of(spec, std::move(k));
}

// @p n MFMAs, each accumulating into the previous one's result in @p acc.
uint64_t chain(const config::GpuSpec& spec, uint16_t acc, uint32_t n) {
  auto k =
      make_cdna_kernel(1, 1, [&](trace::MemoryKernel& k, trace::WarpTrace& w, uint32_t, uint32_t) {
        for (uint32_t i = 0; i < n; ++i) k.append(w, kMfma, kAllLanes, {acc}, {4, 6, acc});
        k.append(w, "s_endpgm", 0, {}, {});
      });
  return cycles_of(spec, std::move(k));
}

TEST(AmdAgpr, AccumulatorsInAgprsDoNotAliasVgprs) {
  const auto spec = repo_gpu("mi300x");
  const uint64_t load = load_then_mfma(spec, 0xFFFF);
  ASSERT_GT(load, 200u);  // a miss: far longer than the MFMA's 32 cycles
  // a0: the MFMA issues under the load and ends long before it.
  EXPECT_EQ(load_then_mfma(spec, kA0), load);
  // v0: the MFMA waits for the load's data, then takes at least its 32 cycles.
  EXPECT_GE(load_then_mfma(spec, 0), load + 32);
}

TEST(AmdAgpr, DependentChainTimesTheSameInEitherFile) {
  // A dependent chain serialises on its accumulator: n MFMAs take n x (32 + mma_latency) plus a
  // fixed start and drain, whether the accumulator is v64 or a64.
  const auto spec = repo_gpu("mi300x");
  const uint64_t v16 = chain(spec, 64, 16), v32 = chain(spec, 64, 32);
  const uint64_t a16 = chain(spec, kA0 + 64, 16), a32 = chain(spec, kA0 + 64, 32);
  EXPECT_EQ(a16, v16);
  EXPECT_EQ(a32, v32);
  EXPECT_EQ((v32 - v16) / 16, 32u + spec.tensor.mma_latency);
}

}  // namespace
}  // namespace joulesim::timing_test
