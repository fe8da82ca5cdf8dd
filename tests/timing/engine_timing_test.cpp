// Engine properties: determinism, deadlock reports, barriers, activity snapshots, JSON result.
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "report/result_table.hpp"
#include "report/run_result.hpp"
#include "timing/timing_util.hpp"

namespace joulesim::timing_test {
namespace {

// A mixed kernel: loads, stores, shared memory, ALU, a barrier.
trace::MemoryKernel mixed_kernel() {
  return make_kernel(
      6, 4,
      [](trace::MemoryKernel& k, trace::WarpTrace& w, uint32_t c, uint32_t wi) {
        std::vector<uint64_t> addr(32), saddr(32);
        for (int it = 0; it < 8; ++it) {
          for (uint32_t l = 0; l < 32; ++l) {
            addr[l] = 0x10000000ull + ((c * 4 + wi) * 8 + it) * 128 + l * 4;
            saddr[l] = (wi * 32 + l) * 4;
          }
          k.append(w, "LDG.E", kFull, {4}, {2}, 4, addr);
          k.append(w, "FFMA", kFull, {5}, {4, 3});
          k.append(w, "STS", kFull, {}, {6, 5}, 4, saddr);
          k.append(w, "BAR.SYNC.DEFER_BLOCKING", kFull, {}, {});
          k.append(w, "LDS", kFull, {7}, {6}, 4, saddr);
          k.append(w, "STG.E", kFull, {}, {2, 7}, 4, addr);
        }
        k.append(w, "EXIT", kFull, {}, {});
      },
      32, 4096);
}

TEST(Engine, SameInputsGiveByteIdenticalJson) {
  auto spec = test_spec(4);
  auto a = run(spec, mixed_kernel());
  auto b = run(spec, mixed_kernel());
  a.gpu = b.gpu = "test";
  nlohmann::json ja_json = report::result_to_json(a), jb_json = report::result_to_json(b);
  ja_json.erase("sim");
  jb_json.erase("sim");
  const std::string ja = ja_json.dump(2), jb = jb_json.dump(2);
  EXPECT_EQ(ja, jb);
  EXPECT_GT(a.kernels[0].counts.total_warp_insts(), 0u);
}

TEST(Engine, BarrierHoldsWarpsUntilAllArrive) {
  // Warp 0 runs 30 dependent FFMAs before the barrier, warp 1 none; after it, both run 1 FFMA.
  auto spec = test_spec(1);
  auto k =
      make_kernel(1, 2, [](trace::MemoryKernel& k, trace::WarpTrace& w, uint32_t, uint32_t wi) {
        if (wi == 0)
          for (int i = 0; i < 30; ++i) k.append(w, "FFMA", kFull, {2}, {2, 3});
        k.append(w, "BAR.SYNC.DEFER_BLOCKING", kFull, {}, {});
        k.append(w, "FFMA", kFull, {8}, {2, 3});
        k.append(w, "EXIT", kFull, {}, {});
      });
  // Warp 0: FFMAs at 0..116 (every 4); BAR (no register operands) at 117 releases warp 1, which
  // has waited since cycle 0; warp 1's FFMA issues at 118, warp 0's waits for R2 until 120;
  // warp 0's EXIT at 124 once R8 is written, end 125.
  EXPECT_EQ(cycles_of(spec, std::move(k)), 30u * 4 + 4 + gpu::kExitOverheadCycles);
}

TEST(Engine, DeadlockNamesTheStuckWarp) {
  // Warp 1 waits at barrier 1 and never reaches barrier 0 where warp 0 waits.
  auto spec = test_spec(1);
  auto k =
      make_kernel(1, 2, [](trace::MemoryKernel& k, trace::WarpTrace& w, uint32_t, uint32_t wi) {
        k.append(w, "FFMA", kFull, {2}, {2, 3});
        k.append(w, "BAR.SYNC.DEFER_BLOCKING", kFull, {}, {}).immediate = wi;
        k.append(w, "EXIT", kFull, {}, {});
      });
  try {
    run(spec, std::move(k));
    FAIL() << "expected a deadlock error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("deadlock"), std::string::npos) << msg;
    EXPECT_NE(
        msg.find("SM 0 CTA (0,0,0) warp 0: PC 0x10 BAR.SYNC.DEFER_BLOCKING waits on barrier 0"),
        std::string::npos)
        << msg;
    EXPECT_NE(msg.find("warp 1: PC 0x10 BAR.SYNC.DEFER_BLOCKING waits on barrier 1"),
              std::string::npos)
        << msg;
    EXPECT_NE(msg.find("memory:"), std::string::npos) << msg;
  }
}

TEST(Engine, DeadlockOnWarpgroupThatNeverCompletes) {
  // Only 3 of the 4 warps of a warpgroup issue the GMMA: its wait can never be satisfied.
  auto spec = h100_like_spec();
  auto k = make_kernel(
      1, 4,
      [](trace::MemoryKernel& k, trace::WarpTrace& w, uint32_t, uint32_t wi) {
        if (wi != 3)
          k.append(w, "HGMMA.64x256x16.F32.BF16", kFull, {24}, {trace::kUniformBase + 4, 24});
        k.append(w, "WARPGROUP.DEPBAR.LE", kFull, {}, {});
        k.append(w, "EXIT", kFull, {}, {});
      },
      168, 0, 90);
  try {
    run(spec, std::move(k));
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("WARPGROUP.DEPBAR.LE waits on 1 GMMAs"), std::string::npos)
        << e.what();
  }
}

TEST(Engine, SnapshotsCoverTheRunAndEndAtTheTotals) {
  auto spec = test_spec(2);
  std::vector<std::pair<int64_t, stats::ActivityCounts>> snaps;
  gpu::SimOptions opt;
  opt.snapshot_interval = Picoseconds{50'000};  // 50 cycles at 1 GHz
  opt.on_snapshot = [&](Picoseconds t, const stats::ActivityCounts& c) {
    snaps.emplace_back(t.value, c);
  };
  auto k = make_kernel(2, 4, [](trace::MemoryKernel& k, trace::WarpTrace& w, uint32_t, uint32_t) {
    for (int i = 0; i < 100; ++i) k.append(w, "FFMA", kFull, {2}, {2, 3});
    k.append(w, "EXIT", kFull, {}, {});
  });
  auto r = run(spec, std::move(k), opt);
  const int64_t total_ps = r.kernels[0].time_ps;  // 401 cycles
  ASSERT_EQ(snaps.size(), static_cast<size_t>(total_ps / 50'000) + 1);
  for (size_t i = 0; i + 1 < snaps.size(); ++i) {
    EXPECT_EQ(snaps[i].first, static_cast<int64_t>(i + 1) * 50'000);
    EXPECT_EQ(snaps[i].second[stats::Counter::kCoreCycles], (i + 1) * 50);
  }
  EXPECT_EQ(snaps.back().first, total_ps);
  EXPECT_EQ(snaps.back().second, r.kernels[0].counts);
}

TEST(Engine, JsonHasTheContractKeysAndCountsRoundTrip) {
  auto spec = test_spec(2);
  auto r = run(spec, mixed_kernel());
  r.gpu = "test";
  r.wall_s = 0.5;
  nlohmann::json j = report::result_to_json(r);
  for (const char* key : {"cycles", "time_s", "warp_insts", "ipc", "counts"}) {
    EXPECT_TRUE(j["total"].contains(key)) << key;
    EXPECT_TRUE(j["kernels"][0].contains(key)) << key;
  }
  EXPECT_TRUE(j["sim"].contains("wall_s"));
  EXPECT_DOUBLE_EQ(j["sim"]["warp_insts_per_s"].get<double>(),
                   r.kernels[0].counts.total_warp_insts() / 0.5);
  EXPECT_EQ(j["total"]["counts"]["warp_insts"]["fp32_fma"].get<uint64_t>(), 6u * 4 * 8);
  EXPECT_EQ(j["total"]["counts"]["counters"]["sm.warp_insts"].get<uint64_t>(),
            r.kernels[0].counts.total_warp_insts());
  EXPECT_DOUBLE_EQ(j["total"]["ipc"].get<double>(),
                   double(r.kernels[0].counts.total_warp_insts()) / double(r.kernels[0].cycles));
  EXPECT_EQ(stats::counts_from_json(j["kernels"][0]["counts"], "test"), r.kernels[0].counts);
  // Energy hook: merged into total and kernels when present.
  r.energy = {{"total", {{"energy_j", 1.5}}}, {"kernels", {{{"energy_j", 1.5}}}}};
  j = report::result_to_json(r);
  EXPECT_EQ(j["total"]["energy_j"].get<double>(), 1.5);
  EXPECT_EQ(j["kernels"][0]["energy_j"].get<double>(), 1.5);
  EXPECT_NE(report::result_table(r).find("energy 1.5 J"), std::string::npos);
}

}  // namespace
}  // namespace joulesim::timing_test
