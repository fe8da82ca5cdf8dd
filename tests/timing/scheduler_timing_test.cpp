// Warp schedulers: registry, and GTO vs LRR on a case with a known winner.
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "timing/timing_util.hpp"

namespace joulesim::timing_test {
namespace {

TEST(Schedulers, RegistryByName) {
  auto names = gpu::scheduler_names();
  EXPECT_NE(std::find(names.begin(), names.end(), "gto"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "lrr"), names.end());
  try {
    gpu::make_scheduler("fifo-ish");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("core.scheduler"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("gto"), std::string::npos);
  }
}

TEST(Schedulers, GtoAndLrrOrders) {
  const uint16_t by_age[] = {7, 3, 9};
  uint16_t out[3];
  auto gto = gpu::make_scheduler("gto");
  gto->order(by_age, 3, out);
  EXPECT_EQ(out[0], 7);  // nothing issued yet: oldest first
  gto->issued(9);
  gto->order(by_age, 3, out);
  EXPECT_EQ((std::vector<uint16_t>{out[0], out[1], out[2]}), (std::vector<uint16_t>{9, 7, 3}));
  auto lrr = gpu::make_scheduler("lrr");
  lrr->issued(3);
  lrr->order(by_age, 3, out);
  EXPECT_EQ((std::vector<uint16_t>{out[0], out[1], out[2]}), (std::vector<uint16_t>{9, 7, 3}));
}

// One sub-core, two warp slots, three one-warp CTAs. Each warp: N independent FFMAs (pipe-bound,
// II = 2) then a chain of M dependent MUFUs (latency-bound, 21 cycles each). GTO runs the oldest
// warp's FFMAs first, so the second warp's FFMAs hide under the first's MUFU chain and the first
// CTA frees its slot early for the third; LRR interleaves both warps' FFMAs (4N cycles) before
// either reaches its chain. Expected: GTO faster by about 2N cycles.
TEST(Schedulers, GtoBeatsLrrWhenOldestWarpCanFinishEarly) {
  const uint32_t n = 20, m = 4;
  auto spec = test_spec(1);
  spec.core.subcores_per_sm = 1;
  spec.core.max_warps_per_sm = 2;
  auto make = [&] {
    return make_kernel(3, 1, [&](trace::MemoryKernel& k, trace::WarpTrace& w, uint32_t, uint32_t) {
      for (uint32_t i = 0; i < n; ++i)
        k.append(w, "FFMA", kFull, {static_cast<uint16_t>(10 + i % 8)}, {2, 3});
      for (uint32_t i = 0; i < m; ++i) k.append(w, "MUFU.EX2", kFull, {20}, {20});
      k.append(w, "EXIT", kFull, {}, {});
    });
  };
  spec.core.scheduler = "gto";
  const uint64_t gto = cycles_of(spec, make());
  spec.core.scheduler = "lrr";
  const uint64_t lrr = cycles_of(spec, make());
  std::printf("[scheduler] gto %llu cycles, lrr %llu cycles\n", (unsigned long long)gto,
              (unsigned long long)lrr);
  EXPECT_LT(gto, lrr);
  EXPECT_NEAR(static_cast<double>(lrr - gto), 2.0 * n, 0.25 * 2 * n);
}

}  // namespace
}  // namespace joulesim::timing_test
