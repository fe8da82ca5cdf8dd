// Reprice-only classification: the rule table, and the property behind it checked on the real
// timing model: changing any key classified as pricing-only leaves cycles, times and counts of a
// simulation bit-identical, while the core clock does change them.
#include <gtest/gtest.h>

#include "config/config.hpp"
#include "sweep_test_util.hpp"

namespace joulesim::sweep {
namespace {

using nlohmann::json;

TEST(SweepClassify, RuleTable) {
  for (const char* k : {"power.energy_table", "power.temperature_c", "power.dram_energy_scale",
                        "dvfs.points", "chip.process", "chip.node_nm", "chip.die_area_mm2",
                        "chip.transistors_billion", "carbon.region", "carbon.pue",
                        "energy.dram.read_pj_per_bit", "energy.actions_pj.dram.act", "name"}) {
    EXPECT_EQ(classify_key(k).effect, KeyEffect::kPricing) << k;
    EXPECT_FALSE(classify_key(k).reason.empty()) << k;
  }
  for (const char* k :
       {"dvfs.core_mhz", "clocks.core_mhz", "l2.size_kb", "dram.channels", "power.tdp_w",
        "chip.link_gbs", "core.sm_count", "dram.capacity_gb", "powerx", "chip", "energyx.a"}) {
    EXPECT_EQ(classify_key(k).effect, KeyEffect::kTiming) << k;
  }
}

TEST(SweepClassify, PlanSaysWhichAxesItReprices) {
  const json spec = {{"name", "c"},
                     {"gpu", "h100"},
                     {"workloads", {testing::chain_workload("a", 2)}},
                     {"axes",
                      {{"dvfs.core_mhz", {1000, 1830}},
                       {"power.temperature_c", {40, 80}},
                       {"carbon.pue", {1.1, 1.2}}}}};
  const Plan p = make_plan(parse_spec(spec, "spec.json"));
  ASSERT_EQ(p.resimulated_axes.size(), 1u);
  EXPECT_EQ(p.resimulated_axes[0].rfind("dvfs.core_mhz", 0), 0u);
  ASSERT_EQ(p.repriced_axes.size(), 2u);
  const std::string text = describe_plan(p);
  EXPECT_NE(text.find("simulations: 2, re-priced points: 6"), std::string::npos) << text;
}

/// An alternative valid value for each pricing-only config key of the H100.
json alternative(const std::string& key) {
  if (key == "power.energy_table") return "models/energy/ampere-7nm.json";
  if (key == "power.temperature_c") return 30;
  if (key == "power.dram_energy_scale") return 0.5;
  if (key == "dvfs.points") return json::parse("[[900,0.6],[1990,0.99]]");
  if (key == "chip.node_nm") return 7;
  if (key == "chip.die_area_mm2") return 500;
  if (key == "chip.transistors_billion") return 10;
  return "changed";  // chip.process, name, description, rationale
}

std::string text(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

void expect_same_timing(const report::RunResult& a, const report::RunResult& b,
                        const std::string& what) {
  ASSERT_EQ(a.kernels.size(), b.kernels.size()) << what;
  for (size_t i = 0; i < a.kernels.size(); ++i) {
    EXPECT_EQ(a.kernels[i].cycles, b.kernels[i].cycles) << what;
    EXPECT_EQ(a.kernels[i].time_ps, b.kernels[i].time_ps) << what;
    EXPECT_TRUE(a.kernels[i].counts == b.kernels[i].counts) << what;
  }
}

TEST(SweepClassify, PricingOnlyKeysDoNotChangeTimingOnTheRealModel) {
  Workload stream;
  stream.name = "stream";
  stream.generator = "ubench.stream";
  stream.isa = "sm_90";
  stream.params = {{"ctas", "8"}, {"threads", "128"}, {"iters", "2"}};
  Workload chain;
  chain.name = "chain";
  chain.generator = "ubench.ffma_chain";
  chain.isa = "sm_90";
  chain.params = {{"n", "64"}, {"warps", "4"}};
  const config::LoadedGpu base = config::load_gpu("h100");
  size_t checked = 0;
  for (const Workload& w : {stream, chain}) {
    const report::RunResult ref = simulate_workload(base.spec, w);
    ASSERT_FALSE(ref.kernels.empty());
    ASSERT_GT(ref.kernels[0].cycles, 0u);
    for (const auto& key : config::schema_keys()) {
      if (classify_key(key.path).effect != KeyEffect::kPricing) continue;
      const config::LoadedGpu changed =
          config::load_gpu("h100", {key.path + "=" + text(alternative(key.path))});
      expect_same_timing(ref, simulate_workload(changed.spec, w), key.path + " on " + w.name);
      ++checked;
    }
    // The check can fail: the core clock is a timing key and does move the result.
    const config::LoadedGpu slow = config::load_gpu("h100", {"dvfs.core_mhz=1000"});
    EXPECT_NE(simulate_workload(slow.spec, w).kernels[0].time_ps, ref.kernels[0].time_ps);
  }
  EXPECT_GE(checked, 2u * 10u);  // every pricing-only config key, both workloads
}

}  // namespace
}  // namespace joulesim::sweep
