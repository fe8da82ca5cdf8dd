// `joulesim trace info` / `trace convert` end to end, on the bundled demo trace and a real capture.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "../cli_runner.hpp"
#include "trace_test_util.hpp"

using joulesim::trace::testing::TempDir;

namespace {
using joulesim_test::CliRun;
CliRun run(const std::string& args) { return joulesim_test::run_joulesim(args); }

const std::string kSaxpy = std::string(JOULESIM_SOURCE_DIR) + "/traces/bundled/saxpy";
}  // namespace

TEST(TraceCli, InfoJsonOnTheVectorAddCapture) {
  CliRun r = run("trace info " + std::string(JOULESIM_SHARED_DATA) +
                 "/traces/vectoradd-sm80/kernelslist.g --json");
  ASSERT_EQ(r.status, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["kernels"].size(), 1u);
  EXPECT_EQ(j["kernels"][0]["name"], "_Z9vectorAddPKfS0_Pfi");
  EXPECT_EQ(j["kernels"][0]["ctas"], 196);
  EXPECT_EQ(j["kernels"][0]["threads_per_cta"], 256);
  EXPECT_EQ(j["total"]["warp_insts"], 26601);
}

// saxpy over n = 24*256-200 = 5944 elements, 24 CTAs x 8 warps (scripts/gen_accelsim_trace.py):
// every thread runs 5 set-up instructions; the 200 threads past n exit at the guard; the 5944
// others run 9 more (2 IMAD.WIDE, HFMA2, ULDC, 2 LDG, FFMA, STG, EXIT).
TEST(TraceCli, BundledSaxpyCountsFollowFromItsShape) {
  CliRun r = run("trace info " + kSaxpy + " --json");
  ASSERT_EQ(r.status, 0) << r.out;
  auto k = nlohmann::json::parse(r.out)["kernels"][0];
  const int n = 5944, threads = 24 * 256;
  EXPECT_EQ(k["ctas"], 24);
  EXPECT_EQ(k["warps"], 192);
  EXPECT_EQ(k["thread_insts"], 5 * threads + (threads - n) + 9 * n);
  // 185 full warps + 1 partial run 15 instructions, the 6 idle warps 6 (incl. the guard EXIT).
  EXPECT_EQ(k["warp_insts"], 186 * 15 + 6 * 6);
  EXPECT_EQ(k["memory"]["global"]["lane_accesses"], 3 * n);
  EXPECT_EQ(k["memory"]["global"]["bytes"], 3 * n * 4);
  EXPECT_EQ(k["warp_insts_by_class"]["fp32_fma"], 186);
  EXPECT_LT(std::filesystem::file_size(kSaxpy + "/kernel-1.traceg"), 500u * 1024);
}

TEST(TraceCli, ConvertRoundTripGivesIdenticalInfo) {
  TempDir dir;
  std::string jst = (dir.path / "saxpy.jst").string();
  CliRun c = run("trace convert " + kSaxpy + "/kernelslist.g " + jst);
  ASSERT_EQ(c.status, 0) << c.out;
  CliRun a = run("trace info " + kSaxpy + " --json");
  CliRun b = run("trace info " + jst + " --json");
  EXPECT_EQ(a.out, b.out);
  CliRun ta = run("trace info " + kSaxpy);
  CliRun tb = run("trace info " + jst);
  // The human output names the path on its first line only.
  EXPECT_EQ(ta.out.substr(ta.out.find('\n')), tb.out.substr(tb.out.find('\n')));
  EXPECT_NE(run("trace convert " + kSaxpy + " " + (dir.path / "x.bin").string()).status, 0);
}

TEST(TraceCli, MalformedInputExitsNonZeroNamingFileAndLine) {
  TempDir dir;
  auto bad = dir.write("bad.traceg",
                       joulesim::trace::testing::header(1, 32) +
                           joulesim::trace::testing::cta(0, {{"0000 ffffffff 1 R1 MOV 0 0 x"}}));
  CliRun r = run("trace info " + bad.string());
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find(bad.string() + ":23: expected a decimal 32-bit immediate"),
            std::string::npos)
      << r.out;
  EXPECT_NE(run("trace info " + (dir.path / "missing.g").string()).status, 0);
  EXPECT_NE(run("trace info").status, 0);
  EXPECT_NE(run("trace info " + kSaxpy + " --bogus").status, 0);
}
