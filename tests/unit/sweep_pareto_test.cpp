// Pareto fronts on hand-made points, and the front/best points summarize() writes, checked by
// brute force.
#include <gtest/gtest.h>

#include <fstream>

#include "sweep_test_util.hpp"

namespace joulesim::sweep {
namespace {

using nlohmann::json;
using testing::chain_workload;
using testing::quiet;
using testing::stand_in;
using testing::TempDir;

TEST(SweepPareto, HandMadePoints) {
  const std::vector<std::pair<double, double>> te = {
      {1.0, 10},  // 0: front (second fastest, nothing faster is cheaper)
      {2.0, 5},   // 1: front
      {2.0, 5},   // 2: identical to 1: neither dominates, both kept
      {3.0, 5},   // 3: dominated by 1 (slower, same energy)
      {4.0, 1},   // 4: front
      {4.0, 2},   // 5: dominated by 4 (same time, more energy)
      {0.5, 20},  // 6: front (fastest)
      {5.0, 1},   // 7: dominated by 4
      {6.0, 0.5}  // 8: front (cheapest)
  };
  EXPECT_EQ(pareto_front(te), (std::vector<size_t>{6, 0, 1, 2, 4, 8}));
}

TEST(SweepPareto, EdgeCases) {
  EXPECT_TRUE(pareto_front({}).empty());
  EXPECT_EQ(pareto_front({{3, 3}}), (std::vector<size_t>{0}));
  // All on a line of equal energy: only the fastest survives.
  EXPECT_EQ(pareto_front({{3, 1}, {1, 1}, {2, 1}}), (std::vector<size_t>{1}));
  // Strict trade-off: all survive, ordered by time.
  EXPECT_EQ(pareto_front({{3, 1}, {1, 3}, {2, 2}}), (std::vector<size_t>{1, 2, 0}));
}

TEST(SweepPareto, SummaryFilesAgreeWithBruteForce) {
  TempDir d;
  const json spec = {{"name", "pareto"},
                     {"gpu", "h100"},
                     {"workloads", {chain_workload("a", 2), chain_workload("b", 5)}},
                     {"axes",
                      {{"dvfs.core_mhz", {1000, 1200, 1400, 1600, 1830, 1980}},
                       {"power.temperature_c", {30, 90}}}},
                     {"metrics", {"time", "energy", "edp"}}};
  const Plan p = make_plan(parse_spec(spec, "spec.json"));
  const OutputFiles files{d.path() / "out"};
  run_local(p, stand_in, quiet(files.dir, 2));
  const std::string text = summarize(p, files);
  EXPECT_NE(text.find("workload a (12 points)"), std::string::npos) << text;

  std::ifstream pin(files.pareto()), bin(files.best());
  const json pareto = json::parse(pin), best = json::parse(bin);
  const auto lines = read_lines(files.results(), false);
  for (const std::string w : {"a", "b"}) {
    std::vector<json> mine;
    for (const auto& l : lines) {
      if (l["workload"] == w) mine.push_back(l);
    }
    ASSERT_EQ(mine.size(), 12u);
    auto t = [](const json& l) { return l["metrics"]["time_s"].get<double>(); };
    auto e = [](const json& l) { return l["metrics"]["energy_j"].get<double>(); };
    std::set<std::string> expect;
    for (const auto& a : mine) {
      bool dominated = false;
      for (const auto& b : mine) {
        dominated = dominated || (t(b) <= t(a) && e(b) <= e(a) && (t(b) < t(a) || e(b) < e(a)));
      }
      if (!dominated) expect.insert(a["id"].get<std::string>());
    }
    std::set<std::string> got;
    for (const auto& f : pareto[w]) got.insert(f["id"].get<std::string>());
    EXPECT_EQ(got, expect) << w;
    // Best points: the minimum of each requested metric, and only those metrics.
    for (const std::string col : {"time_s", "energy_j", "edp_js"}) {
      double lo = 1e300;
      for (const auto& l : mine) lo = std::min(lo, l["metrics"][col].get<double>());
      EXPECT_EQ(best[w][col]["value"].get<double>(), lo) << w << " " << col;
    }
    EXPECT_FALSE(best[w].contains("co2e_g"));
    // The fastest point is the highest clock.
    EXPECT_EQ(best[w]["time_s"]["coords"]["dvfs.core_mhz"], 1980);
  }
  // The CSV has a header and one row per point.
  std::ifstream csv(files.csv());
  size_t rows = 0;
  std::string header;
  std::getline(csv, header);
  for (std::string line; std::getline(csv, line);) ++rows;
  EXPECT_EQ(rows, 24u);
  EXPECT_EQ(
      header.rfind("index,id,workload,gpu,dvfs.core_mhz,power.temperature_c,evaluation,time_s", 0),
      0u)
      << header;
}

}  // namespace
}  // namespace joulesim::sweep
