// Suites: judging groups, never hiding a case, and the CLI (quick suite, calibrate).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "../cli_runner.hpp"
#include "core/error.hpp"
#include "core/paths.hpp"
#include "validate/validate.hpp"

namespace joulesim::validate {
namespace {

using nlohmann::json;

Dataset three_cases() {
  return parse_dataset(json::parse(R"({
    "name": "t", "kind": "microbench", "description": "d", "gpu": "g", "suites": ["quick"],
    "groups": [{"name": "tight", "description": "d", "tolerance_pct": 10},
               {"name": "info", "description": "d", "tolerance_pct": null}],
    "cases": [
      {"id": "a", "group": "tight", "quantity": "q", "unit": "u", "measured": 100, "source": "s",
       "sim": {"gpu": "x", "generator": "g", "metric": {"kind": "cycles"}}},
      {"id": "b", "group": "tight", "quantity": "q", "unit": "u", "measured": 200, "source": "s",
       "sim": {"gpu": "x", "generator": "g", "metric": {"kind": "cycles"}}},
      {"id": "c", "group": "info", "quantity": "q", "unit": "u", "measured": 10, "source": "s",
       "sim": {"gpu": "x", "generator": "g", "metric": {"kind": "cycles"}}}]})"),
                       "t.json");
}

CaseResult ok(const std::string& id, const std::string& group, double meas, double sim) {
  CaseResult r;
  r.id = id;
  r.group = group;
  r.measured = meas;
  r.simulated = sim;
  r.status = CaseStatus::kOk;
  return r;
}

TEST(ValidateSuite, GroupVerdictsFromErrors) {
  const Dataset ds = three_cases();
  // a: +5%, b: -10% -> MAPE 7.5% <= 10: pass. c: +100% but report only.
  auto r =
      judge(ds, {ok("a", "tight", 100, 105), ok("b", "tight", 200, 180), ok("c", "info", 10, 20)});
  ASSERT_EQ(r.groups.size(), 2u);
  EXPECT_TRUE(r.groups[0].pass);
  EXPECT_NEAR(r.groups[0].stats.mape_pct, 7.5, 1e-12);
  EXPECT_TRUE(r.groups[1].pass);
  EXPECT_TRUE(r.pass);
  // b at -20%: MAPE 12.5% > 10%.
  r = judge(ds, {ok("a", "tight", 100, 105), ok("b", "tight", 200, 160), ok("c", "info", 10, 20)});
  EXPECT_FALSE(r.groups[0].pass);
  EXPECT_FALSE(r.pass);
  EXPECT_NE(r.groups[0].verdict.find("FAIL"), std::string::npos);
}

TEST(ValidateSuite, MissingResultsAreShownAndFail) {
  const Dataset ds = three_cases();
  const auto r = judge(ds, {ok("a", "tight", 100, 100)});
  ASSERT_EQ(r.cases.size(), 3u);  // every case listed, in dataset order
  EXPECT_EQ(r.cases[1].id, "b");
  EXPECT_EQ(r.cases[1].status, CaseStatus::kNotSimulated);
  EXPECT_FALSE(r.groups[0].pass);
  EXPECT_EQ(r.groups[0].verdict, "1 of 2 cases not simulated: FAIL");
  EXPECT_TRUE(r.groups[1].pass);  // report-only groups never fail
}

TEST(ValidateSuite, ThrowingSimulatorReportsEveryCase) {
  SuiteOptions opt;
  opt.simulators = {{"microbench", [](const Dataset&) -> std::vector<CaseResult> {
                       throw Error("no timing model here");
                     }}};
  const auto r = run_suite("quick", {three_cases()}, opt);
  EXPECT_FALSE(r.pass);
  ASSERT_EQ(r.datasets[0].cases.size(), 3u);
  for (const auto& c : r.datasets[0].cases) {
    EXPECT_EQ(c.status, CaseStatus::kError);
    EXPECT_EQ(c.note, "no timing model here");
  }
  const std::string text = format_text(r);
  EXPECT_NE(text.find("suite quick: FAIL"), std::string::npos);
  EXPECT_EQ(to_json(r)["datasets"][0]["cases"].size(), 3u);
}

joulesim_test::CliRun run(const std::string& args) {
  return joulesim_test::run_joulesim(args, "2>/dev/null");
}

// The quick suite through the CLI: every case of every quick dataset is in the output, and the
// exit status says whether every group passed.
TEST(ValidateCli, QuickSuiteListsEveryCaseAndExitStatusMatches) {
  const auto dir = std::filesystem::temp_directory_path() / "joulesim_validate_cli_test";
  std::filesystem::create_directories(dir);
  const joulesim_test::CliRun c = run("validate quick --json --results " + dir.string());
  const json j = json::parse(c.out);
  const auto quick = load_suite("quick", data_root() / "validation" / "datasets");
  ASSERT_EQ(j["datasets"].size(), quick.size());
  for (size_t i = 0; i < quick.size(); ++i) {
    EXPECT_EQ(j["datasets"][i]["cases"].size(), quick[i].cases.size()) << quick[i].name;
  }
  EXPECT_EQ(c.status == 0, j["pass"].get<bool>());
  // The counter-driven AccelWattch groups run without the timing model.
  for (const auto& d : j["datasets"]) {
    if (d["name"] != "accelwattch-volta") continue;
    for (const auto& g : d["groups"]) {
      EXPECT_EQ(g["simulated"], g["cases"]) << g["name"];
      if (g["name"] == "loo") EXPECT_LE(g["mape_pct"].get<double>(), 10.0);
    }
  }
  // Results were written atomically where asked.
  EXPECT_TRUE(std::filesystem::exists(dir / "results" / "latest.json"));
  EXPECT_TRUE(std::filesystem::exists(dir / "RESULTS.md"));
  std::filesystem::remove_all(dir);
}

TEST(ValidateCli, CalibrateDryRunReportsLooAndProvenance) {
  const joulesim_test::CliRun c = run("calibrate --dry-run --json --date 2000-01-01");
  ASSERT_EQ(c.status, 0) << c.out;
  const json j = json::parse(c.out);
  EXPECT_FALSE(j["written"].get<bool>());
  EXPECT_EQ(j["kernels"].size(), 25u);
  EXPECT_EQ(j["calibration"]["date"], "2000-01-01");
  EXPECT_EQ(j["calibration"]["dataset"], "accelwattch-volta");
  EXPECT_LE(j["calibration"]["loo"]["mape_pct"].get<double>(), 10.0);
  for (const auto& f : j["calibration"]["fitted"]) EXPECT_GE(f["scale"].get<double>(), 0.0);
}

}  // namespace
}  // namespace joulesim::validate
