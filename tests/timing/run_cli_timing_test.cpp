// Real captured traces through the timing model, and `joulesim run` end to end.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "../cli_runner.hpp"
#include "config/config.hpp"
#include "gpu/gpu.hpp"
#include "trace/trace_stats.hpp"

namespace joulesim::timing_test {
namespace {

const std::string kVectorAdd = std::string(JOULESIM_SHARED_DATA) + "/traces/vectoradd-sm80";
const std::string kPow = std::string(JOULESIM_SHARED_DATA) + "/traces/pytorch-pow-binver0";

struct CliRun {
  int status;
  std::string out, err;
};

CliRun cli(const std::string& args) {
  const auto err_path = std::filesystem::temp_directory_path() /
                        ("joulesim_run_test_err_" + std::to_string(::getpid()));
  const joulesim_test::CliRun r = joulesim_test::run_joulesim(args, "2>" + err_path.string());
  std::ifstream e(err_path);
  std::string err((std::istreambuf_iterator<char>(e)), std::istreambuf_iterator<char>());
  std::filesystem::remove(err_path);
  return {r.status, r.out, err};
}

// Every instruction of a real capture is simulated: the warp-instruction counts per op class equal
// the trace reader's own summary (an independent pass over the same files).
TEST(RealTraces, CapturesRunToCompletionWithEveryInstruction) {
  for (const std::string& path : {kVectorAdd, kPow}) {
    auto summary_source = trace::open_trace(path);
    const trace::TraceSummary summary = trace::summarize_trace(*summary_source);
    for (const char* gpu : {"qv100", "a100", "h100"}) {
      const config::LoadedGpu g = config::load_gpu(gpu);
      auto source = trace::open_trace(path);
      const report::RunResult r = gpu::simulate(g.spec, *source);
      ASSERT_EQ(r.kernels.size(), summary.kernels.size()) << path;
      for (size_t k = 0; k < r.kernels.size(); ++k) {
        const auto& c = r.kernels[k].counts;
        EXPECT_EQ(c.total_warp_insts(), summary.kernels[k].warp_insts) << path << " on " << gpu;
        EXPECT_EQ(c.warp_insts, summary.kernels[k].warp_insts_by_class) << path << " on " << gpu;
        EXPECT_EQ(c.thread_insts, summary.kernels[k].thread_insts_by_class)
            << path << " on " << gpu;
        EXPECT_GT(r.kernels[k].cycles, 0u);
        EXPECT_EQ(c[stats::Counter::kCoreCycles], r.kernels[k].cycles);
      }
    }
  }
}

TEST(RunCli, JsonResultIsCompleteAndDeterministic) {
  const CliRun a = cli("run --gpu qv100 --trace " + kVectorAdd + " --json");
  ASSERT_EQ(a.status, 0) << a.err;
  const CliRun b = cli("run --gpu qv100 --trace " + kVectorAdd + " --json");
  ASSERT_EQ(b.status, 0) << b.err;
  auto ja = nlohmann::json::parse(a.out), jb = nlohmann::json::parse(b.out);
  for (const char* key : {"cycles", "time_s", "warp_insts", "ipc", "counts"}) {
    EXPECT_TRUE(ja["total"].contains(key)) << key;
  }
  EXPECT_EQ(ja["total"]["warp_insts"].get<uint64_t>(), 26601u);
  EXPECT_EQ(ja["kernels"].size(), 1u);
  EXPECT_TRUE(ja["sim"].contains("wall_s"));
  EXPECT_TRUE(ja["sim"].contains("warp_insts_per_s"));
  ja.erase("sim");
  jb.erase("sim");
  EXPECT_EQ(ja.dump(), jb.dump());  // byte-identical apart from host timing
}

TEST(RunCli, OutWritesResultJsonAndTableIsShort) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("joulesim_run_out_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  const CliRun r = cli("run --gpu a100 --trace " + kVectorAdd + " --out " + dir.string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("_Z9vectorAddPKfS0_Pfi"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("total"), std::string::npos) << r.out;
  std::ifstream f(dir / "result.json");
  ASSERT_TRUE(f.good());
  const auto j = nlohmann::json::parse(f);
  EXPECT_EQ(j["gpu"], "nvidia/a100");
  EXPECT_EQ(j["total"]["warp_insts"].get<uint64_t>(), 26601u);
  std::filesystem::remove_all(dir);
}

TEST(RunCli, SetOverridesChangeTheTiming) {
  const CliRun base = cli("run --gpu qv100 --trace " + kVectorAdd + " --json");
  const CliRun slow = cli("run --gpu qv100 --trace " + kVectorAdd + " --json --set l2.latency=400");
  ASSERT_EQ(base.status, 0) << base.err;
  ASSERT_EQ(slow.status, 0) << slow.err;
  EXPECT_GT(nlohmann::json::parse(slow.out)["total"]["cycles"].get<uint64_t>(),
            nlohmann::json::parse(base.out)["total"]["cycles"].get<uint64_t>());
}

TEST(RunCli, BadInputsAreClearErrors) {
  CliRun r = cli("run --gpu no-such-gpu --trace " + kVectorAdd);
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("no-such-gpu"), std::string::npos) << r.err;
  r = cli("run --gpu qv100 --trace /nonexistent/trace");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("/nonexistent/trace"), std::string::npos) << r.err;
  r = cli("run --gpu qv100 --trace " + kVectorAdd + " --set core.scheduler=fifo");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("core.scheduler"), std::string::npos) << r.err;
}

// --timeline: the intervals tile the run (last end = total time) and their energies sum to the
// run's total energy (conservation); each interval's power is its energy over its length.
TEST(RunCli, TimelineIntervalsSumToTheTotal) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("joulesim_timeline_test_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  const CliRun r =
      cli("run --gpu a100 --trace " + kVectorAdd + " --timeline 1000 --out " + dir.string());
  ASSERT_EQ(r.status, 0) << r.err;
  std::ifstream rf(dir / "result.json");
  const auto j = nlohmann::json::parse(rf);
  std::ifstream tf(dir / "timeline.csv");
  std::string line;
  std::getline(tf, line);
  EXPECT_EQ(line.rfind("start_s,end_s,power_w,energy_j,", 0), 0u) << line;
  double energy = 0, prev_end = 0;
  size_t rows = 0;
  while (std::getline(tf, line)) {
    double start, end, power, e;
    ASSERT_EQ(std::sscanf(line.c_str(), "%lf,%lf,%lf,%lf", &start, &end, &power, &e), 4) << line;
    EXPECT_DOUBLE_EQ(start, prev_end);
    EXPECT_NEAR(power * (end - start), e, 1e-6 * e);
    energy += e;
    prev_end = end;
    ++rows;
  }
  const double time_s = j["total"]["time_s"].get<double>();
  EXPECT_NEAR(prev_end, time_s, 1e-9 * time_s);
  // Interval edges fall on the first core edge at or after each multiple of 1 us.
  EXPECT_EQ(rows, static_cast<size_t>(std::ceil(time_s / 1e-6 - 1e-9)));
  // The CSV carries 9 significant digits per value: the sum agrees to that precision.
  EXPECT_NEAR(energy, j["total"]["energy_j"].get<double>(), 1e-8 * energy);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace joulesim::timing_test
