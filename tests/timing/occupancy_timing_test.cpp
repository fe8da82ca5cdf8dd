// Occupancy limits: the computed CTA-per-SM limits, and the cycle steps they cause.
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "timing/timing_util.hpp"

namespace joulesim::timing_test {
namespace {

trace::KernelInfo info_of(uint32_t threads, uint32_t regs, uint32_t shmem) {
  trace::KernelInfo k;
  k.name = "k";
  k.block = {threads, 1, 1};
  k.regs_per_thread = regs;
  k.shmem_bytes = shmem;
  return k;
}

TEST(Occupancy, LimitsFromSpec) {
  auto spec = test_spec();
  // 256 threads = 8 warps; 40 regs/thread = 1280 registers per warp, already a multiple of 256.
  auto o = gpu::occupancy(spec, info_of(256, 40, 0));
  EXPECT_EQ(o.warps_per_cta, 8u);
  EXPECT_EQ(o.by_warps, 64u / 8);
  EXPECT_EQ(o.registers_per_cta, 8u * 1280);
  EXPECT_EQ(o.by_registers, 65536u / (8 * 1280));  // 6
  EXPECT_EQ(o.ctas_per_sm, 6u);
  // 33 regs/thread = 1056 per warp, rounded up to the 256-register allocation unit = 1280.
  EXPECT_EQ(gpu::occupancy(spec, info_of(256, 33, 0)).registers_per_cta, 8u * 1280);
  // Shared memory: 96 KB per SM, 40 KB per CTA -> 2.
  auto s = gpu::occupancy(spec, info_of(64, 16, 40 * 1024));
  EXPECT_EQ(s.by_shared, 2u);
  EXPECT_EQ(s.ctas_per_sm, 2u);
  // CTA-count limit.
  spec.core.max_ctas_per_sm = 3;
  EXPECT_EQ(gpu::occupancy(spec, info_of(32, 16, 0)).ctas_per_sm, 3u);
}

TEST(Occupancy, TooLargeIsAnErrorNamingTheLimit) {
  auto spec = test_spec();
  EXPECT_THROW(gpu::occupancy(spec, info_of(2048, 16, 0)), Error);
  try {
    gpu::occupancy(spec, info_of(1024, 255, 0));  // 32 warps x 8192 registers > 65536
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("core.registers_per_sm"), std::string::npos) << e.what();
  }
}

// 4 CTAs of 4 warps (one per sub-core), each warp a chain of n dependent FFMAs on a pipe with
// one warp instruction per cycle (32 lanes); a chain alone takes W = n * latency + 1 cycles.
//  - 4 CTAs resident: one wave; the 4 warps of a sub-core issue one cycle apart: W + 3.
//  - 1 CTA resident: four back-to-back waves: 4 W.
//  - 2 CTAs resident: in wave 1 the two CTAs end at W and W + 1 (EXITs at W - 1 and W). The CTA
//    freed first is replaced at W, but on each sub-core the other CTA's EXIT takes that cycle, so
//    wave 2 starts at W + 1 and its CTAs again end one cycle apart: 2 W + 2.
uint64_t waves_kernel_cycles(const config::GpuSpec& spec, uint32_t regs, uint32_t shmem) {
  const uint32_t n = 50;
  return cycles_of(spec, make_kernel(
                             4, 4,
                             [n](trace::MemoryKernel& k, trace::WarpTrace& w, uint32_t, uint32_t) {
                               for (uint32_t i = 0; i < n; ++i)
                                 k.append(w, "FFMA", kFull, {2}, {2, 3});
                               k.append(w, "EXIT", kFull, {}, {});
                             },
                             regs, shmem));
}

TEST(Occupancy, ResidentCtaLimitStepsTheCycles) {
  auto spec = test_spec(1);
  spec.units.fp32 = {32, 4};
  const uint64_t wave = 50 * 4 + gpu::kExitOverheadCycles;
  // Registers: 128/thread -> 4096/warp -> 16384/CTA -> 4 CTAs fit: one wave.
  EXPECT_EQ(waves_kernel_cycles(spec, 128, 0), 1 * wave + 3);
  // 255/thread -> 8160 -> 8192/warp -> 32768/CTA -> 2 CTAs: two waves.
  EXPECT_EQ(waves_kernel_cycles(spec, 255, 0), 2 * wave + 2);
  // Shared memory: 60 KB of 96 KB -> 1 CTA: four waves.
  EXPECT_EQ(waves_kernel_cycles(spec, 32, 60 * 1024), 4 * wave + 0);
  // Warps: 8 per SM -> 2 CTAs.
  auto w = spec;
  w.core.max_warps_per_sm = 8;
  EXPECT_EQ(waves_kernel_cycles(w, 32, 0), 2 * wave + 2);
}

TEST(Occupancy, CtasSpreadOverSmsBreadthFirst) {
  // 8 one-warp CTAs on 8 SMs run in parallel: the time of one chain.
  auto spec = test_spec(8);
  auto k = make_kernel(8, 1, [](trace::MemoryKernel& k, trace::WarpTrace& w, uint32_t, uint32_t) {
    for (int i = 0; i < 30; ++i) k.append(w, "FFMA", kFull, {2}, {2, 3});
    k.append(w, "EXIT", kFull, {}, {});
  });
  auto r = run(spec, std::move(k));
  EXPECT_EQ(r.kernels[0].cycles, 30u * 4 + gpu::kExitOverheadCycles);
  EXPECT_EQ(r.kernels[0].counts[stats::Counter::kSmIdleCycles], 0u);
}

TEST(Occupancy, KernelsRunInOrder) {
  auto spec = test_spec(2);
  auto chain = [](uint32_t n) {
    return make_kernel(1, 1, [n](trace::MemoryKernel& k, trace::WarpTrace& w, uint32_t, uint32_t) {
      for (uint32_t i = 0; i < n; ++i) k.append(w, "FFMA", kFull, {2}, {2, 3});
      k.append(w, "EXIT", kFull, {}, {});
    });
  };
  std::vector<trace::MemoryKernel> ks;
  ks.push_back(chain(10));
  ks.push_back(chain(20));
  auto r = run(spec, std::move(ks));
  ASSERT_EQ(r.kernels.size(), 2u);
  EXPECT_EQ(r.kernels[0].cycles, 10u * 4 + 1);
  EXPECT_EQ(r.kernels[1].cycles, 20u * 4 + 1);  // the second starts when the first has ended
}

// core.cta_launch_cycles = L: every CTA's warps first issue L cycles after its dispatch. One CTA
// resident at a time (60 KB of shared memory), four CTAs back to back: each wave starts L later
// than without launch latency, so the kernel takes exactly 4 L more. Four CTAs resident at once:
// one wave, L more.
TEST(Occupancy, CtaLaunchLatencyIsPaidOncePerCta) {
  auto spec = test_spec(1);
  spec.units.fp32 = {32, 4};
  const uint64_t serial = waves_kernel_cycles(spec, 32, 60 * 1024);
  const uint64_t parallel = waves_kernel_cycles(spec, 128, 0);
  for (uint32_t L : {1u, 37u, 300u}) {
    auto s = spec;
    s.core.cta_launch_cycles = L;
    EXPECT_EQ(waves_kernel_cycles(s, 32, 60 * 1024), serial + 4 * uint64_t{L}) << L;
    EXPECT_EQ(waves_kernel_cycles(s, 128, 0), parallel + L) << L;
  }
}

}  // namespace
}  // namespace joulesim::timing_test
