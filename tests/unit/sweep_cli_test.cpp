// `joulesim sweep` end to end with the real simulator: a bad spec fails before anything runs,
// kill -9 mid-sweep then --resume equals an uninterrupted run, and `mpirun -np 3 ... --mpi`
// gives byte-identical results (after sorting by point) to --jobs 2.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "sweep_test_util.hpp"

extern char** environ;

namespace joulesim::sweep {
namespace {

using nlohmann::json;
using testing::read_text;
using testing::sorted_lines;
using testing::TempDir;

/// A small real sweep: 2 workloads x 3 clocks (simulated) x 2 temperatures (re-priced).
json small_spec(int iters) {
  return {{"name", "cli"},
          {"gpu", "h100"},
          {"workloads",
           {{{"name", "stream"},
             {"generator", "ubench.stream"},
             {"isa", "sm_90"},
             {"params", {{"ctas", 66}, {"threads", 256}, {"iters", iters}}}},
            {{"name", "chain"},
             {"generator", "ubench.ffma_chain"},
             {"isa", "sm_90"},
             {"params", {{"n", 256 * iters}, {"warps", 8}}}}}},
          {"axes", {{"dvfs.core_mhz", {1000, 1400, 1830}}, {"power.temperature_c", {40, 80}}}}};
}

int run(const std::string& cmd) {
  const int rc = std::system((cmd + " >/dev/null 2>&1").c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::string sweep_cmd(const std::filesystem::path& spec, const std::filesystem::path& out,
                      const std::string& extra) {
  return std::string(JOULESIM_BINARY) + " sweep " + spec.string() + " --out " + out.string() +
         " --progress lines " + extra;
}

TEST(SweepCli, BadSpecFailsBeforeAnySimulation) {
  TempDir d;
  json s = small_spec(1);
  s["axes"]["l2.size_kbb"] = {1024};
  const auto spec = d.write("bad.json", s);
  const std::string out = (d.path() / "err.txt").string();
  const int rc = std::system((std::string(JOULESIM_BINARY) + " sweep " + spec.string() + " --out " +
                              (d.path() / "out").string() + " 2>" + out + " >/dev/null")
                                 .c_str());
  EXPECT_NE(rc, 0);
  const std::string err = read_text(out);
  EXPECT_NE(err.find("l2.size_kbb"), std::string::npos) << err;
  EXPECT_NE(err.find("did you mean 'l2.size_kb'"), std::string::npos) << err;
  EXPECT_FALSE(std::filesystem::exists(d.path() / "out" / "results.jsonl"));
}

TEST(SweepCli, KillNineThenResumeEqualsUninterrupted) {
  TempDir d;
  const auto spec = d.write("spec.json", small_spec(8));
  ASSERT_EQ(run(sweep_cmd(spec, d.path() / "full", "--jobs 1")), 0);
  const auto full = sorted_lines(d.path() / "full" / "results.jsonl");
  ASSERT_EQ(full.size(), 12u);

  // Start the same sweep and kill -9 it once some (not all) points are written.
  const auto cut = d.path() / "cut";
  const std::string bin = JOULESIM_BINARY;
  std::vector<std::string> args = {bin,      "sweep", spec.string(), "--out", cut.string(),
                                   "--jobs", "1",     "--progress",  "none"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, bin.c_str(), nullptr, nullptr, argv.data(), environ), 0);
  size_t seen = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    seen = sorted_lines(cut / "results.jsonl").size();
    if (seen >= 2) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_GE(seen, 2u);
  const size_t before = sorted_lines(cut / "results.jsonl").size();
  EXPECT_LT(before, 12u) << "the sweep finished before it could be killed: make it longer";

  ASSERT_EQ(run(sweep_cmd(spec, cut, "--jobs 2 --resume")), 0);
  EXPECT_EQ(sorted_lines(cut / "results.jsonl"), full);
  EXPECT_EQ(read_text(cut / "results.csv"), read_text(d.path() / "full" / "results.csv"));
}

TEST(SweepCli, MpiEqualsLocalJobs) {
  if (!mpi_available()) GTEST_SKIP() << "built without MPI";
  if (run("command -v mpirun") != 0) GTEST_SKIP() << "mpirun not found";
  TempDir d;
  const auto spec = d.write("spec.json", small_spec(1));
  ASSERT_EQ(run(sweep_cmd(spec, d.path() / "local", "--jobs 2")), 0);
  const int rc = run("mpirun --allow-run-as-root --oversubscribe -np 3 " +
                     sweep_cmd(spec, d.path() / "mpi", "--mpi"));
  ASSERT_EQ(rc, 0);
  const auto local = sorted_lines(d.path() / "local" / "results.jsonl");
  ASSERT_EQ(local.size(), 12u);
  EXPECT_EQ(sorted_lines(d.path() / "mpi" / "results.jsonl"), local);
  EXPECT_EQ(read_text(d.path() / "mpi" / "results.csv"),
            read_text(d.path() / "local" / "results.csv"));
  EXPECT_EQ(read_text(d.path() / "mpi" / "pareto.json"),
            read_text(d.path() / "local" / "pareto.json"));
}

}  // namespace
}  // namespace joulesim::sweep
