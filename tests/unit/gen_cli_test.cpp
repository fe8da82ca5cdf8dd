// `joulesim trace gen` end to end: files written, readable by `trace info`, errors reported.
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "../cli_runner.hpp"

namespace fs = std::filesystem;

namespace {
using joulesim_test::CliRun;
CliRun run(const std::string& args) { return joulesim_test::run_joulesim(args); }

fs::path temp_dir() {
  fs::path d = fs::temp_directory_path() / ("joulesim_gencli_" + std::to_string(::getpid()));
  fs::remove_all(d);
  return d;
}
}  // namespace

TEST(GenCli, WritesAnAccelSimTraceThatTraceInfoCounts) {
  fs::path d = temp_dir();
  CliRun r =
      run("trace gen ubench.stream -p ctas=4 -p threads=128 -p iters=3 -p kind=copy "
          "--out " +
          d.string());
  ASSERT_EQ(r.status, 0) << r.out;
  ASSERT_TRUE(fs::exists(d / "kernelslist.g"));
  r = run("trace info " + d.string() + " --json");
  ASSERT_EQ(r.status, 0) << r.out;
  auto k = nlohmann::json::parse(r.out)["kernels"][0];
  EXPECT_EQ(k["ctas"], 4);
  EXPECT_EQ(k["warps"], 16);
  // per warp: MOV, 2 S2R, IMAD, then 3 x (IMAD.WIDE, LDG, IMAD.WIDE, STG, IADD3, ISETP, BRA), EXIT
  EXPECT_EQ(k["warp_insts"], 16 * (4 + 3 * 7 + 1));
  EXPECT_EQ(k["memory"]["global"]["bytes"], 2 * 4 * 128 * 3 * 16);
  fs::remove_all(d);
}

TEST(GenCli, CdnaDefaultsToJst) {
  fs::path d = temp_dir();
  CliRun r = run("trace gen ubench.ffma_chain -p n=10 --isa gfx942 --out " + d.string());
  ASSERT_EQ(r.status, 0) << r.out;
  ASSERT_TRUE(fs::exists(d / "trace.jst"));
  r = run("trace info " + (d / "trace.jst").string() + " --json");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(nlohmann::json::parse(r.out)["kernels"][0]["warp_insts"], 11);
  r = run("trace gen ubench.ffma_chain --isa gfx90a --format traceg --out " + d.string());
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.out.find("SASS only"), std::string::npos) << r.out;
  fs::remove_all(d);
}

TEST(GenCli, BadInputIsAClearErrorNotACrash) {
  CliRun r = run("trace gen gemm -p mm=3 --out /tmp/x");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("unknown param 'mm'; allowed: m, n, k, dtype, sparse"), std::string::npos)
      << r.out;
  r = run("trace gen gemm -p k=100 --out /tmp/x");
  EXPECT_NE(r.out.find("k of 64"), std::string::npos) << r.out;  // sm_80 cp.async: 128x256x64
  r = run("trace gen ubench.ffma_chain -p n --out /tmp/x");
  EXPECT_NE(r.out.find("name=value"), std::string::npos) << r.out;
  r = run("trace gen ubench.ffma_chain --isa sm_75 --out /tmp/x");
  EXPECT_NE(r.out.find("unknown ISA 'sm_75'"), std::string::npos) << r.out;
  r = run("trace gen --list");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("ubench.pointer_chase"), std::string::npos);
}
