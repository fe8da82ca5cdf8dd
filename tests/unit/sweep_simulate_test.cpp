// The real sweep simulator: a repeated workload runs its trace back to back as distinct kernels.
#include <gtest/gtest.h>

#include <cmath>

#include "config/config.hpp"
#include "core/time.hpp"
#include "stats/activity.hpp"
#include "sweep_test_util.hpp"

namespace joulesim::sweep {
namespace {

TEST(SweepSimulate, RepeatRunsTheTraceAgainAsNewKernels) {
  Workload w;
  w.name = "chain";
  w.generator = "ubench.ffma_chain";
  w.isa = "sm_90";
  w.params = {{"n", "100"}, {"warps", "2"}};
  const config::LoadedGpu h100 = config::load_gpu("h100");
  const report::RunResult once = simulate_workload(h100.spec, w);
  ASSERT_EQ(once.kernels.size(), 1u);
  w.repeat = 3;
  const report::RunResult thrice = simulate_workload(h100.spec, w);
  ASSERT_EQ(thrice.kernels.size(), 3u);
  for (uint32_t i = 0; i < 3; ++i) {
    EXPECT_EQ(thrice.kernels[i].id, i + 1);
    EXPECT_EQ(thrice.kernels[i].name, once.kernels[0].name);
    // A dependent FFMA chain touches no memory: every pass takes exactly as long as one run.
    EXPECT_EQ(thrice.kernels[i].cycles, once.kernels[0].cycles);
    // DRAM clock cycles depend on where the kernel starts relative to the DRAM clock edge: the
    // same duration spans floor or ceil of (time / DRAM period) edges.
    stats::ActivityCounts a = thrice.kernels[i].counts, b = once.kernels[0].counts;
    const double dram_edges = static_cast<double>(thrice.kernels[i].time_ps) /
                              static_cast<double>(period_of_mhz(h100.spec.clocks.dram_mhz).value);
    EXPECT_LE(std::abs(static_cast<double>(a[stats::Counter::kDramCycles]) - dram_edges), 1.0);
    a[stats::Counter::kDramCycles] = b[stats::Counter::kDramCycles] = 0;
    EXPECT_TRUE(a == b) << stats::counts_to_json(a).dump() << "\n"
                        << stats::counts_to_json(b).dump();
  }
}

TEST(SweepSimulate, RepeatIsValidatedAndPartOfTheId) {
  nlohmann::json spec = {
      {"name", "r"}, {"gpu", "h100"}, {"workloads", {testing::chain_workload("a", 4)}}};
  const Plan one = make_plan(parse_spec(spec, "spec.json"));
  spec["workloads"][0]["repeat"] = 2;
  const Plan two = make_plan(parse_spec(spec, "spec.json"));
  EXPECT_EQ(two.points[0].workload.repeat, 2u);
  EXPECT_NE(one.points[0].sim_id, two.points[0].sim_id);
  spec["workloads"][0]["repeat"] = 0;
  EXPECT_NE(testing::plan_error(spec).find("workloads[0].repeat"), std::string::npos);
}

}  // namespace
}  // namespace joulesim::sweep
