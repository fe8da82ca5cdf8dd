// Sweep runners with the stand-in simulator: results independent of --jobs, resume after an
// interruption equals an uninterrupted run, torn last lines, failures that do not stop a sweep.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>

#include "sweep_test_util.hpp"

namespace joulesim::sweep {
namespace {

using nlohmann::json;
using testing::chain_workload;
using testing::quiet;
using testing::read_text;
using testing::sorted_lines;
using testing::stand_in;
using testing::TempDir;

json spec() {
  return {{"name", "runner"},
          {"gpu", "h100"},
          {"workloads", {chain_workload("a", 2), chain_workload("b", 3)}},
          {"axes",
           {{"dvfs.core_mhz", {1000, 1200, 1400, 1600}},
            {"power.temperature_c", {45, 65, 85}},
            {"carbon.pue", {1.1, 1.4}}}}};
}

Plan plan_of(const json& s) { return make_plan(parse_spec(s, "spec.json")); }

TEST(SweepRunner, WritesOneLinePerPointAndSimulatesOncePerGroup) {
  TempDir d;
  const Plan p = plan_of(spec());
  ASSERT_EQ(p.points.size(), 2u * 4u * 3u * 2u);
  std::atomic<int> calls{0};
  Simulator sim = [&](const config::GpuSpec& s, const Workload& w) {
    ++calls;
    return stand_in(s, w);
  };
  const RunStats st = run_local(p, sim, quiet(d.path() / "out", 2));
  EXPECT_EQ(calls.load(), 8);  // 2 workloads x 4 clocks; temperature and PUE re-price
  EXPECT_EQ(st.simulations, 8u);
  EXPECT_EQ(st.evaluated, p.points.size());
  EXPECT_TRUE(st.failures.empty());
  const auto lines = read_lines(d.path() / "out" / "results.jsonl", false);
  ASSERT_EQ(lines.size(), p.points.size());
  size_t simulated = 0;
  for (const auto& l : lines) simulated += l["evaluation"] == "simulated";
  EXPECT_EQ(simulated, 8u);
  // Every group's simulation is saved for re-pricing on resume.
  for (const auto& g : p.sims)
    EXPECT_TRUE(std::filesystem::exists(d.path() / "out" / "sims" / (g.sim_id + ".json")));
  // A second run into the same folder without --resume refuses.
  EXPECT_THROW(run_local(p, stand_in, quiet(d.path() / "out")), Error);
}

TEST(SweepRunner, JobsDoNotChangeResults) {
  TempDir d;
  const Plan p = plan_of(spec());
  run_local(p, stand_in, quiet(d.path() / "j1", 1));
  run_local(p, stand_in, quiet(d.path() / "j4", 4));
  const auto a = sorted_lines(d.path() / "j1" / "results.jsonl");
  const auto b = sorted_lines(d.path() / "j4" / "results.jsonl");
  ASSERT_EQ(a.size(), p.points.size());
  EXPECT_EQ(a, b);
  summarize(p, OutputFiles{d.path() / "j1"});
  summarize(p, OutputFiles{d.path() / "j4"});
  EXPECT_EQ(read_text(d.path() / "j1" / "results.csv"), read_text(d.path() / "j4" / "results.csv"));
}

/// Thrown by a simulator to stop a sweep the way a kill would: not an evaluation failure.
struct Interrupt {};

TEST(SweepRunner, ResumeAfterInterruptionEqualsUninterrupted) {
  TempDir d;
  const Plan p = plan_of(spec());
  run_local(p, stand_in, quiet(d.path() / "full", 1));

  // Interrupted after 3 simulations: run_local propagates what is not an evaluation error.
  std::atomic<int> calls{0};
  Simulator dies = [&](const config::GpuSpec& s, const Workload& w) {
    if (++calls > 3) throw Interrupt{};
    return stand_in(s, w);
  };
  EXPECT_THROW(run_local(p, dies, quiet(d.path() / "cut", 1)), Interrupt);
  const auto partial = read_lines(d.path() / "cut" / "results.jsonl", false);
  EXPECT_EQ(partial.size(), 3u * 6u);  // 3 groups of 6 points each were finished

  std::atomic<int> resumed_calls{0};
  Simulator counting = [&](const config::GpuSpec& s, const Workload& w) {
    ++resumed_calls;
    return stand_in(s, w);
  };
  RunOptions o = quiet(d.path() / "cut", 2);
  o.resume = true;
  const RunStats st = run_local(p, counting, o);
  EXPECT_EQ(st.already_done, 18u);
  EXPECT_EQ(resumed_calls.load(), 5);  // only the unfinished groups are simulated
  EXPECT_EQ(sorted_lines(d.path() / "cut" / "results.jsonl"),
            sorted_lines(d.path() / "full" / "results.jsonl"));
  // Resuming a finished sweep does nothing.
  const RunStats again = run_local(p, counting, o);
  EXPECT_EQ(again.evaluated, 0u);
  EXPECT_EQ(resumed_calls.load(), 5);
}

TEST(SweepRunner, ResumeRepricesFromASavedSimulation) {
  // Killed after a group's simulation was saved but before its lines: no new simulation.
  TempDir d;
  const Plan p = plan_of(spec());
  run_local(p, stand_in, quiet(d.path() / "full", 1));
  const auto out = d.path() / "cut";
  run_local(p, stand_in, quiet(out, 1));
  // Keep only the first two lines.
  std::vector<json> kept;
  for (const auto& l : read_lines(out / "results.jsonl", false)) {
    if (kept.size() < 2) kept.push_back(l);
  }
  {
    std::ofstream f(out / "results.jsonl", std::ios::trunc);
    for (const auto& l : kept) f << l.dump() << "\n";
  }
  int calls = 0;
  Simulator counting = [&](const config::GpuSpec& s, const Workload& w) {
    ++calls;
    return stand_in(s, w);
  };
  RunOptions o = quiet(out, 1);
  o.resume = true;
  const RunStats st = run_local(p, counting, o);
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(st.reused_sims, p.sims.size());
  EXPECT_EQ(sorted_lines(out / "results.jsonl"), sorted_lines(d.path() / "full" / "results.jsonl"));
}

TEST(SweepRunner, TornLastLineIsDiscardedAndRedone) {
  TempDir d;
  const Plan p = plan_of(spec());
  run_local(p, stand_in, quiet(d.path() / "full", 1));
  const auto out = d.path() / "torn";
  run_local(p, stand_in, quiet(out, 1));
  // Cut the file in the middle of its 10th line, as a kill during write() could.
  const std::string text = read_text(out / "results.jsonl");
  size_t pos = 0;
  for (int i = 0; i < 9; ++i) pos = text.find('\n', pos) + 1;
  const size_t cut = pos + (text.find('\n', pos) - pos) / 2;
  std::filesystem::resize_file(out / "results.jsonl", cut);

  size_t torn = 0;
  const auto lines = read_lines(out / "results.jsonl", false, &torn);
  EXPECT_EQ(lines.size(), 9u);
  EXPECT_EQ(torn, 1u);
  EXPECT_EQ(std::filesystem::file_size(out / "results.jsonl"), cut);  // no repair requested

  RunOptions o = quiet(out, 2);
  o.resume = true;
  const RunStats st = run_local(p, stand_in, o);
  EXPECT_EQ(st.torn_lines, 1u);
  EXPECT_EQ(st.already_done, 9u);
  EXPECT_EQ(sorted_lines(out / "results.jsonl"), sorted_lines(d.path() / "full" / "results.jsonl"));
  EXPECT_NO_THROW(read_lines(out / "results.jsonl", false));
}

TEST(SweepRunner, CorruptLineInTheMiddleIsAnErrorNamingTheLine) {
  TempDir d;
  const auto f = d.path() / "r.jsonl";
  std::ofstream(f) << "{\"id\":\"a\"}\n{\"id\":\n{\"id\":\"c\"}\n";
  try {
    read_lines(f, false);
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("r.jsonl:2:"), std::string::npos) << e.what();
  }
}

TEST(SweepRunner, AFailingGroupIsReportedAndTheRestCompletes) {
  TempDir d;
  json s = spec();
  s["workloads"] = {chain_workload("a", 2), chain_workload("boom", 2), chain_workload("c", 2)};
  const Plan p = plan_of(s);
  const RunStats st = run_local(p, stand_in, quiet(d.path() / "out", 2));
  EXPECT_EQ(st.failures.size(), 24u);  // every point of workload 'boom'
  for (const auto& f : st.failures) {
    EXPECT_EQ(p.points[f.point].workload.name, "boom");
    EXPECT_NE(f.error.find("always fails"), std::string::npos);
  }
  EXPECT_EQ(read_lines(d.path() / "out" / "results.jsonl", false).size(), 48u);
  EXPECT_EQ(read_lines(d.path() / "out" / "failures.jsonl", false).size(), 4u);  // one per group
}

TEST(SweepRunner, JsonLinesWriterAppendsWholeLines) {
  TempDir d;
  const auto f = d.path() / "w.jsonl";
  {
    JsonLinesWriter w(f, 0);
    w.append("{\"a\":1}");
    w.append("{\"b\":2}");
    EXPECT_THROW(w.append("{\n}"), Error);
  }
  {
    JsonLinesWriter w(f);  // reopening appends
    w.append("{\"c\":3}");
  }
  EXPECT_EQ(read_text(f), "{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n");
}

}  // namespace
}  // namespace joulesim::sweep
