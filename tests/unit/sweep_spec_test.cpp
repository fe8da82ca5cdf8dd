// Sweep specs: validation errors name the key (before anything runs), point counts of cartesian,
// zipped and variant axes, enumeration order and deterministic ids.
#include <gtest/gtest.h>

#include <set>

#include "sweep_test_util.hpp"

namespace joulesim::sweep {
namespace {

using nlohmann::json;
using testing::chain_workload;
using testing::plan_error;

json base_spec() {
  return {{"name", "t"},
          {"gpu", "h100"},
          {"workloads", {chain_workload("a", 4)}},
          {"axes", json::array({{{"key", "dvfs.core_mhz"}, {"values", {1000, 1400}}}})}};
}

Plan plan_of(const json& spec) { return make_plan(parse_spec(spec, "spec.json")); }

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

TEST(SweepSpec, UnknownKeyIsNamedWithSuggestion) {
  json s = base_spec();
  s["axes"][0]["key"] = "l2.size_kbb";
  s["axes"][0]["values"] = {1024};
  const std::string e = plan_error(s);
  EXPECT_TRUE(contains(e, "spec.json")) << e;
  EXPECT_TRUE(contains(e, "l2.size_kbb")) << e;
  EXPECT_TRUE(contains(e, "did you mean 'l2.size_kb'")) << e;
}

TEST(SweepSpec, UnknownKeyInBaseSetIsNamed) {
  json s = base_spec();
  s["set"] = {{"power.temprature_c", 70}};
  const std::string e = plan_error(s);
  EXPECT_TRUE(contains(e, "set")) << e;
  EXPECT_TRUE(contains(e, "did you mean 'power.temperature_c'")) << e;
}

TEST(SweepSpec, EmptyAxisIsRejectedNamingIt) {
  json s = base_spec();
  s["axes"][0]["values"] = json::array();
  const std::string e = plan_error(s);
  EXPECT_TRUE(contains(e, "axes[0].values")) << e;
  EXPECT_TRUE(contains(e, "empty axis")) << e;
  s = base_spec();
  s["axes"] = {{"l2.size_kb", json::array()}};
  EXPECT_TRUE(contains(plan_error(s), "axes.l2.size_kb: empty axis"));
}

TEST(SweepSpec, TypeMismatchNamesKeyAndWhatIsAllowed) {
  json s = base_spec();
  s["axes"][0]["values"] = {"fast"};
  std::string e = plan_error(s);
  EXPECT_TRUE(contains(e, "dvfs.core_mhz: type mismatch")) << e;
  EXPECT_TRUE(contains(e, "\"fast\"")) << e;
  s["axes"][0] = {{"key", "core.scheduler"}, {"values", {3}}};
  e = plan_error(s);
  EXPECT_TRUE(contains(e, "core.scheduler: type mismatch")) << e;
  // Integral keys refuse fractions (through the config loader's own parsing).
  s["axes"][0] = {{"key", "l2.size_kb"}, {"values", {1.5}}};
  e = plan_error(s);
  EXPECT_TRUE(contains(e, "l2.size_kb")) << e;
  EXPECT_TRUE(contains(e, "unsigned integer")) << e;
}

TEST(SweepSpec, OutOfRangeAndCrossKeyErrorsComeFromTheConfigLoader) {
  json s = base_spec();
  s["axes"][0]["values"] = {99999};
  EXPECT_TRUE(contains(plan_error(s), "dvfs.core_mhz: out of range"));
  // H100's V-f table spans 1000..1980 MHz: 2500 is a cross-key error.
  s["axes"][0]["values"] = {2500};
  EXPECT_TRUE(contains(plan_error(s), "dvfs.core_mhz"));
}

TEST(SweepSpec, PricingKeysAreValidated) {
  json s = base_spec();
  s["axes"].push_back({{"key", "carbon.region"}, {"values", {"atlantis"}}});
  std::string e = plan_error(s);
  EXPECT_TRUE(contains(e, "carbon.region")) << e;
  EXPECT_TRUE(contains(e, "atlantis")) << e;
  s = base_spec();
  s["axes"].push_back({{"key", "carbon.pue"}, {"values", {0.9}}});
  EXPECT_TRUE(contains(plan_error(s), "carbon.pue"));
  s = base_spec();
  s["axes"].push_back({{"key", "energy.dram.read_pj_per_bitt"}, {"values", {3}}});
  e = plan_error(s);
  EXPECT_TRUE(contains(e, "energy.dram.read_pj_per_bitt")) << e;
  EXPECT_TRUE(contains(e, "energy.dram.read_pj_per_bit,")) << e;  // lists the real entries
  s = base_spec();
  s["axes"].push_back({{"key", "carbon.grid"}, {"values", {1}}});
  EXPECT_TRUE(contains(plan_error(s), "carbon.grid: unknown key"));
}

TEST(SweepSpec, StructuralErrorsNameTheJsonPath) {
  json s = base_spec();
  s["axes"] = json::array({{{"zip", {{"l2.size_kb", {1024, 2048}}, {"l2.assoc", {8}}}}}});
  EXPECT_TRUE(contains(plan_error(s), "zipped axes need equal lengths"));
  s = base_spec();
  s["axes"][0]["values"] = {1000, 1000};
  EXPECT_TRUE(contains(plan_error(s), "axes[0].values[1]: value 1000 appears twice"));
  s = base_spec();
  s["metrics"] = {"time", "joules"};
  EXPECT_TRUE(contains(plan_error(s), "metrics[1]: unknown metric 'joules'"));
  s = base_spec();
  s["workloads"][0]["params"]["nn"] = 3;
  EXPECT_TRUE(contains(plan_error(s), "workload 'a'"));
  s = base_spec();
  s["axes"].push_back({{"key", "dvfs.core_mhz"}, {"values", {1830}}});
  EXPECT_TRUE(contains(plan_error(s), "'dvfs.core_mhz' is varied by two axis groups"));
  s = base_spec();
  s["gpu"] = "h1000";
  const std::string e = plan_error(s);
  EXPECT_TRUE(contains(e, "gpu 'h1000'")) << e;
  EXPECT_TRUE(contains(e, "nvidia/h100")) << e;
  s = base_spec();
  s["axes"][0]["valuez"] = 1;
  EXPECT_TRUE(contains(plan_error(s), "axes[0].valuez: unknown member"));
}

TEST(SweepSpec, CartesianCountsAndOrder) {
  json s = base_spec();
  s["workloads"].push_back(chain_workload("b", 8));
  s["axes"] = json::array({{{"key", "dvfs.core_mhz"}, {"values", {1000, 1400, 1830}}},
                           {{"key", "power.temperature_c"}, {"values", {45, 85}}}});
  const Plan p = plan_of(s);
  ASSERT_EQ(p.points.size(), 2u * 3u * 2u);
  // Workloads outermost, the last axis fastest.
  EXPECT_EQ(p.points[0].workload.name, "a");
  EXPECT_EQ(p.points[0].coords, json({{"dvfs.core_mhz", 1000}, {"power.temperature_c", 45}}));
  EXPECT_EQ(p.points[1].coords, json({{"dvfs.core_mhz", 1000}, {"power.temperature_c", 85}}));
  EXPECT_EQ(p.points[2].coords, json({{"dvfs.core_mhz", 1400}, {"power.temperature_c", 45}}));
  EXPECT_EQ(p.points[6].workload.name, "b");
  for (uint32_t i = 0; i < p.points.size(); ++i) EXPECT_EQ(p.points[i].index, i);
  // The temperature re-prices: one simulation per (workload, clock).
  EXPECT_EQ(p.sims.size(), 2u * 3u);
  // The object form is the same cartesian product.
  json o = base_spec();
  o["workloads"] = s["workloads"];
  o["axes"] = {{"dvfs.core_mhz", {1000, 1400, 1830}}, {"power.temperature_c", {45, 85}}};
  EXPECT_EQ(plan_of(o).points.size(), 12u);
}

TEST(SweepSpec, ZipCounts) {
  json s = base_spec();
  s["axes"] =
      json::array({{{"zip", {{"l2.size_kb", {25600, 51200, 76800}}, {"l2.assoc", {8, 16, 24}}}}},
                   {{"key", "dvfs.core_mhz"}, {"values", {1000, 1830}}}});
  const Plan p = plan_of(s);
  ASSERT_EQ(p.points.size(), 3u * 2u);
  EXPECT_EQ(p.points[0].coords,
            json({{"l2.size_kb", 25600}, {"l2.assoc", 8}, {"dvfs.core_mhz", 1000}}));
  EXPECT_EQ(p.points[5].coords,
            json({{"l2.size_kb", 76800}, {"l2.assoc", 24}, {"dvfs.core_mhz", 1830}}));
  json o = base_spec();
  o["combine"] = "zip";
  o["axes"] = {{"l2.size_kb", {25600, 51200}}, {"l2.assoc", {8, 16}}};
  EXPECT_EQ(plan_of(o).points.size(), 2u);
}

TEST(SweepSpec, VariantsAndGpus) {
  json s = base_spec();
  s.erase("gpu");
  s["axes"] = json::array(
      {{{"gpus", {"h100", "a100"}}},
       {{"variants", json::array({{{"name", "base"}},
                                  {{"name", "slow"}, {"set", {{"dvfs.core_mhz", 1200}}}},
                                  {{"name", "long"}, {"params", {{"n", 16}}}}})},
        {"name", "variant"}}});
  const Plan p = plan_of(s);
  ASSERT_EQ(p.points.size(), 6u);
  EXPECT_EQ(p.points[0].gpu, "h100");
  EXPECT_EQ(p.points[3].gpu, "a100");
  EXPECT_EQ(p.points[1].coords, json({{"gpu", "h100"}, {"variant", "slow"}}));
  EXPECT_EQ(testing::param(p.points[2].workload, "n"), 16);
  EXPECT_EQ(testing::param(p.points[0].workload, "n"), 4);
  EXPECT_EQ(p.sims.size(), 6u);  // every variant changes timing
  // Without "gpu" and without a gpus axis there is no GPU.
  json no_gpu = base_spec();
  no_gpu.erase("gpu");
  EXPECT_TRUE(contains(plan_error(no_gpu), "gpu"));
}

TEST(SweepSpec, IdsAreDeterministicAndDistinct) {
  json s = base_spec();
  s["axes"].push_back({{"key", "carbon.pue"}, {"values", {1.1, 1.5}}});
  const Plan a = plan_of(s), b = plan_of(s);
  ASSERT_EQ(a.points.size(), 4u);
  std::set<std::string> ids;
  for (size_t i = 0; i < a.points.size(); ++i) {
    EXPECT_EQ(a.points[i].id, b.points[i].id);
    EXPECT_EQ(a.points[i].sim_id, b.points[i].sim_id);
    EXPECT_EQ(a.points[i].id.size(), 16u);
    ids.insert(a.points[i].id);
  }
  EXPECT_EQ(ids.size(), 4u);
  EXPECT_EQ(a.digest, b.digest);
  // PUE re-prices: points 0 and 1 share a simulation, 0 and 2 do not.
  EXPECT_EQ(a.points[0].sim_id, a.points[1].sim_id);
  EXPECT_NE(a.points[0].sim_id, a.points[2].sim_id);
  // A point keeps its id when other points are added around it.
  json more = s;
  more["axes"][0]["values"] = {1000, 1200, 1400};
  const Plan c = plan_of(more);
  EXPECT_EQ(c.points[0].id, a.points[0].id);
  EXPECT_EQ(c.points[4].id, a.points[2].id);
}

TEST(SweepSpec, IdenticalConfigsShareOneSimulation) {
  // The H100 config has a 51200 KiB L2: setting it explicitly resolves to the same values.
  json s = base_spec();
  s["axes"] = json::array(
      {{{"variants", json::array({{{"name", "as-is"}},
                                  {{"name", "explicit"}, {"set", {{"l2.size_kb", 51200}}}},
                                  {{"name", "half"}, {"set", {{"l2.size_kb", 25600}}}}})}}});
  const Plan p = plan_of(s);
  ASSERT_EQ(p.points.size(), 3u);
  EXPECT_EQ(p.points[0].sim_id, p.points[1].sim_id);
  EXPECT_NE(p.points[0].sim_id, p.points[2].sim_id);
  EXPECT_NE(p.points[0].id, p.points[1].id);
  EXPECT_EQ(p.sims.size(), 2u);
  EXPECT_EQ(p.sims[0].points, (std::vector<uint32_t>{0, 1}));
}

TEST(SweepSpec, CrossKeyChecksSeeTheWholePoint) {
  // 24 ways fit a 76800 KiB L2 of 80 slices but not the base 51200 KiB: valid together only.
  json s = base_spec();
  s["axes"] = json::array({{{"zip", {{"l2.size_kb", {76800}}, {"l2.assoc", {24}}}}}});
  EXPECT_EQ(plan_of(s).points.size(), 1u);
  s["axes"] = json::array({{{"key", "l2.assoc"}, {"values", {16, 24}}}});
  const std::string e = plan_error(s);
  EXPECT_TRUE(contains(e, "l2.assoc=24")) << e;  // the point's coordinates
  EXPECT_TRUE(contains(e, "whole number of sets")) << e;
}

}  // namespace
}  // namespace joulesim::sweep
