// ubench.smem_chase on real configs: each dependent shared-memory load (LDS R2, [R2]; CDNA
// ds_read_b32 + s_waitcnt) costs exactly shared.latency cycles (docs/TIMING.md: a conflict-free
// shared load's data comes shared.latency cycles after issue; one lane, so one wavefront).
#include <gtest/gtest.h>

#include "config/config.hpp"
#include "gpu/gpu.hpp"
#include "trace/generators.hpp"

namespace joulesim {
namespace {

uint64_t chase_cycles(const config::GpuSpec& spec, trace::gen::Isa isa, int64_t steps) {
  auto src =
      trace::gen::open_generated("ubench.smem_chase", {{"steps", std::to_string(steps)}}, isa);
  const report::RunResult r = gpu::simulate(spec, *src);
  EXPECT_EQ(r.kernels.size(), 1u);
  EXPECT_EQ(r.kernels[0].counts[stats::Counter::kSmemBankConflict], 0u);
  return r.kernels[0].cycles;
}

// @p extra: cycles per step beyond shared.latency (CDNA: the s_waitcnt's own issue cycle).
void expect_latency(const std::string& gpu, trace::gen::Isa isa, uint32_t latency,
                    uint32_t extra = 0) {
  const auto g = config::load_gpu(gpu, {"shared.latency=" + std::to_string(latency)});
  const uint64_t lo = chase_cycles(g.spec, isa, 100), hi = chase_cycles(g.spec, isa, 1100);
  EXPECT_EQ(hi - lo, uint64_t{1000} * (latency + extra)) << gpu << " shared.latency " << latency;
}

TEST(SmemChaseTiming, EachDependentLoadTakesTheSharedLatency) {
  expect_latency("nvidia/v100", trace::gen::Isa::kSm70, 19);  // Jia et al. 2018: 19 cycles
  expect_latency("nvidia/v100", trace::gen::Isa::kSm70, 33);  // any configured value
  expect_latency("nvidia/a100", trace::gen::Isa::kSm80, 29);
}

TEST(SmemChaseTiming, CdnaWaitsForEachLdsRead) {
  // s_waitcnt lgkmcnt(0) after each ds_read_b32 issues when the data is back (docs/TIMING.md),
  // and the next ds_read_b32 one cycle later: shared.latency + 1 per step on a wave64 CU.
  expect_latency("amd/mi210", trace::gen::Isa::kGfx90a, 64, 1);
}

}  // namespace
}  // namespace joulesim
