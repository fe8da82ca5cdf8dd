// Dataset files: every committed dataset loads; bad datasets are errors naming file and key.
#include <gtest/gtest.h>

#include <algorithm>

#include "core/error.hpp"
#include "core/paths.hpp"
#include "validate/validate.hpp"

namespace joulesim::validate {
namespace {

using nlohmann::json;

json minimal() {
  return json::parse(R"({
    "name": "t", "kind": "microbench", "description": "d", "gpu": "g", "suites": ["quick"],
    "groups": [{"name": "latency", "description": "d", "tolerance_pct": 10}],
    "cases": [{"id": "a", "group": "latency", "quantity": "q", "unit": "cycles", "measured": 4,
               "source": "s",
               "sim": {"gpu": "nvidia/v100", "generator": "ubench.ffma_chain",
                       "metric": {"kind": "delta_cycles", "param": "n", "lo": 1, "hi": 2}}}]})");
}

// The message of the ConfigError parse_dataset throws for @p j.
std::string error_of(const json& j) {
  try {
    parse_dataset(j, "bad.json");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(ValidateDataset, MinimalParses) {
  const Dataset ds = parse_dataset(minimal(), "t.json");
  ASSERT_EQ(ds.cases.size(), 1u);
  EXPECT_EQ(ds.cases[0].measured, 4);
  EXPECT_EQ(ds.groups[0].tolerance_pct.value(), 10);
  EXPECT_EQ(ds.groups[0].metric, "mape");
}

TEST(ValidateDataset, ErrorsNameFileAndKeyPath) {
  json j = minimal();
  j["cases"][0]["measured"] = "four";
  EXPECT_EQ(error_of(j), "bad.json: cases[0].measured: expected a number");

  j = minimal();
  j["cases"][0]["measured"] = 0;
  EXPECT_NE(error_of(j).find("cases[0].measured: must be a finite, non-zero"), std::string::npos);

  j = minimal();
  j["kind"] = "guess";
  EXPECT_NE(error_of(j).find("bad.json: kind: unknown kind 'guess'"), std::string::npos);

  j = minimal();
  j["cases"][0]["group"] = "nope";
  EXPECT_NE(error_of(j).find("cases[0].group: group 'nope' is not declared"), std::string::npos);

  j = minimal();
  j["cases"].push_back(j["cases"][0]);
  EXPECT_NE(error_of(j).find("cases[1].id: duplicate case id 'a'"), std::string::npos);

  j = minimal();
  j["groups"].push_back({{"name", "empty"}, {"description", "d"}, {"tolerance_pct", 5}});
  EXPECT_NE(error_of(j).find("group 'empty' has no cases"), std::string::npos);

  j = minimal();
  j["cases"][0]["sim"]["metric"]["kind"] = "vibes";
  EXPECT_NE(error_of(j).find("cases[0].sim.metric.kind: unknown metric 'vibes'"),
            std::string::npos);

  j = minimal();
  j["cases"][0]["sim"]["metric"]["hi"] = 1;
  EXPECT_NE(error_of(j).find("delta_cycles needs integer lo < hi"), std::string::npos);

  j = minimal();
  j["cases"][0]["colour"] = "red";
  EXPECT_NE(error_of(j).find("cases[0].colour: unknown key"), std::string::npos);

  j = minimal();
  j["groups"][0]["tolerance_pct"] = -1;
  EXPECT_NE(error_of(j).find("groups[0].tolerance_pct: must be >= 0"), std::string::npos);

  j = minimal();
  j["suites"] = {"nightly"};
  EXPECT_NE(error_of(j).find("suites[0]: expected \"quick\" or \"full\""), std::string::npos);

  j = minimal();
  j.erase("gpu");
  EXPECT_EQ(error_of(j), "bad.json: gpu: missing (required)");
}

TEST(ValidateDataset, CurveErrorsAndExpansion) {
  json j = json::parse(R"({
    "name": "c", "kind": "latency_curve", "description": "d", "gpu": "g", "suites": ["full"],
    "groups": [{"name": "points", "description": "d", "tolerance_pct": 20},
               {"name": "steps", "description": "d", "tolerance_pct": 15, "metric": "max"},
               {"name": "plateaus", "description": "d", "tolerance_pct": 10}],
    "curves": [{"id": "g1", "source": "s", "source_file": "f.txt", "x_unit": "kB",
                "y_unit": "cycles", "points": [[1, 30], [2, 30], [4, 130], [8, 230], [16, 230]],
                "sim": {"gpu": "x", "generator": "ubench.pointer_chase",
                        "footprint_param": "footprint_kb", "steps_param": "steps",
                        "lo_steps": 1, "hi_steps": 2},
                "steps": [{"name": "L1->L2", "lo_window": [1, 2], "hi_window": [8, 16]}],
                "plateaus": [{"name": "L1", "window": [1, 2]}]}]})");
  const Dataset ds = parse_dataset(j, "c.json");
  // 5 points + 1 step + 1 plateau; the step is at the midpoint 130 = the point x = 4.
  ASSERT_EQ(ds.cases.size(), 7u);
  EXPECT_EQ(ds.cases[5].id, "g1.step.L1->L2");
  EXPECT_NEAR(ds.cases[5].measured, 4, 1e-12);
  EXPECT_EQ(ds.cases[6].measured, 30);

  j["curves"][0]["points"][2][0] = 1.5;  // not ascending any more
  EXPECT_NE(error_of(j).find("curves[0].points[2]: x must be strictly ascending"),
            std::string::npos);
}

TEST(ValidateDataset, EveryCommittedDatasetLoads) {
  const auto all = load_suite("all", data_root() / "validation" / "datasets");
  EXPECT_GE(all.size(), 8u);
  size_t cases = 0;
  for (const auto& ds : all) {
    SCOPED_TRACE(ds.file.string());
    EXPECT_FALSE(ds.cases.empty());
    for (const auto& c : ds.cases) EXPECT_FALSE(c.source.empty()) << c.id;
    cases += ds.cases.size();
  }
  EXPECT_GT(cases, 800u);
  const auto quick = load_suite("quick", data_root() / "validation" / "datasets");
  for (const auto& ds : quick) {
    EXPECT_NE(std::find(ds.suites.begin(), ds.suites.end(), "quick"), ds.suites.end());
  }
  EXPECT_THROW(load_suite("nightly", data_root() / "validation" / "datasets"), ConfigError);
}

// The V100 gpu-latency curve: the L1 plateau is ~30 cycles and the L1->L2 step lies between
// the last L1 point (118 kB, 30.3 cycles) and the first L2 point (177 kB), as read off the file.
TEST(ValidateDataset, GpuBenchesV100LatencyCurveDerivedCases) {
  const auto ds = load_dataset(data_root() / "validation" / "datasets" / "gpu-latency-curves.json");
  auto find = [&](const std::string& id) {
    for (const auto& c : ds.cases) {
      if (c.id == id) return c.measured;
    }
    ADD_FAILURE() << "no case " << id;
    return 0.0;
  };
  EXPECT_NEAR(find("v100.plateau.L1"), 30.0, 0.3);
  EXPECT_NEAR(find("v100.plateau.L2"), 215.0, 0.3);
  const double step = find("v100.step.L1->L2");
  EXPECT_GT(step, 118);
  EXPECT_LT(step, 177);
}

}  // namespace
}  // namespace joulesim::validate
