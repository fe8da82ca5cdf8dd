// Shared memory: k-way bank conflicts serialise into k wavefronts in the SM's shared-memory pipe.
#include <gtest/gtest.h>

#include "timing/timing_util.hpp"

namespace joulesim::timing_test {
namespace {

// Lane i reads word (i / g) * 32 + (i % g) with g = 32 / k: banks 0..g-1, k distinct words each.
std::vector<uint64_t> k_way_addresses(uint32_t k) {
  const uint32_t g = 32 / k;
  std::vector<uint64_t> a(32);
  for (uint32_t i = 0; i < 32; ++i) a[i] = (uint64_t{i / g} * 32 + i % g) * 4;
  return a;
}

struct SmemRun {
  uint64_t cycles, wavefronts, conflicts;
};

SmemRun run_lds(uint32_t k, uint32_t loads_per_warp) {
  auto spec = test_spec(1);
  const auto addrs = k_way_addresses(k);
  auto kernel = make_kernel(
      1, 8,
      [&](trace::MemoryKernel& km, trace::WarpTrace& w, uint32_t, uint32_t) {
        for (uint32_t i = 0; i < loads_per_warp; ++i) {
          km.append(w, "LDS", kFull, {static_cast<uint16_t>(10 + i % 8)}, {2}, 4, addrs);
        }
        km.append(w, "EXIT", kFull, {}, {});
      },
      32, 8192);
  auto r = run(spec, std::move(kernel));
  const auto& c = r.kernels[0].counts;
  return {r.kernels[0].cycles, c[stats::Counter::kSmemRead], c[stats::Counter::kSmemBankConflict]};
}

TEST(SharedMemoryTiming, KWayConflictTakesKTimesTheConflictFreeTime) {
  const uint32_t loads = 400;  // per warp, 8 warps: 3200 LDS on one SM
  const SmemRun base = run_lds(1, loads);
  EXPECT_EQ(base.wavefronts, 8u * loads);
  EXPECT_EQ(base.conflicts, 0u);
  for (uint32_t k : {2u, 4u, 8u, 32u}) {
    const SmemRun r = run_lds(k, loads);
    EXPECT_EQ(r.wavefronts, uint64_t{8} * loads * k) << k;
    EXPECT_EQ(r.conflicts, uint64_t{8} * loads * (k - 1)) << k;
    const double ratio = static_cast<double>(r.cycles) / static_cast<double>(base.cycles);
    EXPECT_NEAR(ratio, k, 0.01 * k) << "k=" << k;
    // Exactly: the pipe is busy every cycle, so each extra wavefront adds one cycle.
    EXPECT_EQ(r.cycles - base.cycles, uint64_t{8} * loads * (k - 1)) << "k=" << k;
    std::printf("[smem] %2u-way: %llu cycles = %.4f x conflict-free (%llu)\n", k,
                (unsigned long long)r.cycles, ratio, (unsigned long long)base.cycles);
  }
}

TEST(SharedMemoryTiming, ConflictFreeLoadLatency) {
  // A dependent LDS chain (the address register is the previous load's result).
  auto spec = test_spec(1);
  const auto addrs = k_way_addresses(1);
  auto kernel =
      make_kernel(1, 1, [&](trace::MemoryKernel& km, trace::WarpTrace& w, uint32_t, uint32_t) {
        for (int i = 0; i < 10; ++i) km.append(w, "LDS", kFull, {2}, {2}, 4, addrs);
        km.append(w, "EXIT", kFull, {}, {});
      });
  EXPECT_EQ(cycles_of(spec, std::move(kernel)),
            10u * spec.shared.latency + gpu::kExitOverheadCycles);
}

}  // namespace
}  // namespace joulesim::timing_test
