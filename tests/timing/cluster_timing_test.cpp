// Thread-block clusters: the dispatcher co-schedules a cluster's CTAs on SMs of one GPC, a TMA
// multicast reads L2 once and fills the shared memory of every CTA it names, and a remote
// mbarrier arrive crosses the SM-to-SM network in noc.sm_to_sm_latency cycles.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "core/error.hpp"
#include "timing/timing_util.hpp"

namespace joulesim::timing_test {
namespace {

constexpr uint64_t kShmem = 0x00007fb000000000ull;
constexpr uint64_t kGlobal = 0x7f0000000000ull;

void chain(trace::MemoryKernel& k, trace::WarpTrace& w, int n) {
  for (int i = 0; i < n; ++i) k.append(w, "FFMA", kFull, {10}, {10, 11});
}

// A kernel of @p ctas CTAs in clusters of @p cluster along x, on the shared window at kShmem.
trace::MemoryKernel cluster_kernel(uint32_t ctas, uint32_t cluster, uint32_t warps,
                                   const WarpBody& body, uint32_t shmem = 0x10000) {
  trace::MemoryKernel k = make_kernel(ctas, warps, body, 32, shmem, 90);
  k.info.cluster = {cluster, 1, 1};
  k.info.shmem_base = kShmem;
  return k;
}

struct Placement {
  std::map<uint32_t, std::pair<uint16_t, int64_t>> at;  // CTA x -> SM, dispatch cycle
};

gpu::SimOptions recording(Placement& p) {
  gpu::SimOptions o;
  o.on_cta_dispatch = [&p](const trace::Dim3& id, uint16_t sm, int64_t cycle) {
    p.at[id.x] = {sm, cycle};
  };
  return o;
}

TEST(ClusterTiming, ClusterCtasAreDispatchedTogetherOnOneGpc) {
  // 8 SMs in 2 GPCs (SMs 0-3 and 4-7), one CTA per SM (shared memory), 3 clusters of 4: two run
  // at once, one per GPC; the third starts when a whole GPC is free again, all four CTAs at once.
  config::GpuSpec spec = test_spec(8);
  spec.core.gpcs = 2;
  Placement p;
  const auto k = cluster_kernel(
      12, 4, 1,
      [](trace::MemoryKernel& k, trace::WarpTrace& w, uint32_t cta, uint32_t) {
        chain(k, w, 50 + 50 * static_cast<int>(cta / 4));  // later clusters run longer
        k.append(w, "EXIT", kFull, {}, {});
      },
      0x10000);
  run(spec, k, recording(p));
  ASSERT_EQ(p.at.size(), 12u);
  for (uint32_t c = 0; c < 3; ++c) {
    std::set<uint16_t> sms;
    for (uint32_t r = 0; r < 4; ++r) {
      const auto [sm, cycle] = p.at[4 * c + r];
      EXPECT_EQ(sm / 4, p.at[4 * c].first / 4) << "cluster " << c << " rank " << r;
      EXPECT_EQ(cycle, p.at[4 * c].second) << "cluster " << c << " rank " << r;
      sms.insert(sm);
    }
    EXPECT_EQ(sms.size(), 4u);  // one CTA per SM
  }
  EXPECT_NE(p.at[0].first / 4, p.at[4].first / 4);  // the first two clusters: different GPCs
  EXPECT_EQ(p.at[0].second, 0);
  EXPECT_EQ(p.at[4].second, 0);
  EXPECT_GT(p.at[8].second, 50 * spec.units.fp32.latency);  // waited for a whole GPC
}

TEST(ClusterTiming, AClusterLargerThanAnyGpcIsAnError) {
  config::GpuSpec spec = test_spec(4);
  spec.core.gpcs = 2;  // 2 SMs each, one CTA per SM: 2 CTA slots per GPC
  const auto k = cluster_kernel(
      4, 4, 1,
      [](trace::MemoryKernel& k, trace::WarpTrace& w, uint32_t, uint32_t) {
        k.append(w, "EXIT", kFull, {}, {});
      },
      0x10000);
  try {
    run(spec, k);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("cluster of 4 CTAs cannot fit in one GPC"), std::string::npos) << m;
    EXPECT_NE(m.find("core.gpcs 2"), std::string::npos) << m;
  }
}

// Two CTAs each with a producer warp (arms its barrier for the whole box) and a consumer warp
// (waits for the barrier, then 100 FFMAs). multicast: rank 0 alone copies the box into both CTAs;
// otherwise each CTA copies the same box itself.
report::RunResult two_fills(bool multicast) {
  config::GpuSpec spec = test_spec(2);
  spec.clocks.l2_mhz = 1000;
  spec.l2.latency = 300;
  const uint64_t bar = kShmem + 0x8000;
  const uint32_t rows = 64, row_bytes = 256;
  auto body = [&](trace::MemoryKernel& k, trace::WarpTrace& w, uint32_t cta, uint32_t warp) {
    if (warp == 0) {
      k.append(w, "SYNCS.EXCH.64", 1, {}, {}, 8, {bar}).immediate = 1;
      k.append(w, "BAR.SYNC", kFull, {}, {});
      k.append(w, "SYNCS.ARRIVE.TRANS64.A1T0", 1, {}, {}, 8, {bar}).immediate = rows * row_bytes;
      if (!multicast) {
        k.append(w, "UTMALDG.2D", 0xF, {}, {}, 16, {kGlobal, 4096, kShmem, bar}).immediate =
            rows << 16 | row_bytes;
      } else if (cta == 0) {
        k.append(w, "UTMALDG.2D.MULTICAST", 0x1F, {}, {}, 16, {kGlobal, 4096, kShmem, bar, 0x3})
            .immediate = rows << 16 | row_bytes;
      }
    } else {
      k.append(w, "BAR.SYNC", kFull, {}, {});
      k.append(w, "SYNCS.PHASECHK.TRANS64.TRYWAIT", 1, {}, {}, 8, {bar}).immediate = 0;
      chain(k, w, 100);
    }
    k.append(w, "EXIT", kFull, {}, {});
  };
  return run(spec, cluster_kernel(2, multicast ? 2 : 1, 2, body));
}

TEST(ClusterTiming, MulticastReadsL2OnceAndCompletesEveryCtasBarrier) {
  const auto mc = two_fills(true), sep = two_fills(false);
  const auto& m = mc.kernels.at(0).counts;
  const auto& s = sep.kernels.at(0).counts;
  using stats::Counter;
  // The box: 64 rows x 256 B = 128 lines of 4 sectors. Two separate loads read 2 x 512 sectors
  // from L2; the multicast reads them once.
  EXPECT_EQ(s[Counter::kL2ReadHit] + s[Counter::kL2ReadMiss], 1024u);
  EXPECT_EQ(m[Counter::kL2ReadHit] + m[Counter::kL2ReadMiss], 512u);
  // Crossbar flits leaving SMs and slices: a one-flit request and a 4-flit response per line,
  // once per line with multicast (the copy into the second SM is not a second trip out of L2).
  EXPECT_EQ(s[Counter::kNocFlit], 2u * 128 * (1 + 4));
  EXPECT_EQ(m[Counter::kNocFlit], 128u * (1 + 4));
  // Each CTA's shared memory is filled either way (one 128-byte write per line per CTA).
  EXPECT_EQ(m[Counter::kSmemWrite], s[Counter::kSmemWrite]);
  EXPECT_GE(m[Counter::kSmemWrite], 2u * 128);
  // Both consumers waited for the whole box: the kernel lasts at least an L2 round trip, the
  // 16 KB through an SM's port and the 100-FFMA chain (it ended, so both barriers completed).
  const uint64_t floor = 300 + 64 * 256 / 32 + 100 * 4;
  EXPECT_GE(mc.kernels[0].cycles, floor);
  EXPECT_GE(sep.kernels[0].cycles, floor);
}

// Rank 1 runs @p n FFMAs then arrives remotely on rank 0's barrier (count 1); rank 0's warp waits
// on it, then exits.
uint64_t remote_release(int n, uint32_t latency) {
  config::GpuSpec spec = test_spec(2);
  spec.noc.sm_to_sm_latency = latency;
  const uint64_t bar = kShmem + 0x100;
  auto body = [&](trace::MemoryKernel& k, trace::WarpTrace& w, uint32_t cta, uint32_t) {
    k.append(w, "SYNCS.EXCH.64", 1, {}, {}, 8, {bar}).immediate = 1;
    if (cta == 0) {
      k.append(w, "SYNCS.PHASECHK.TRANS64.TRYWAIT", 1, {}, {}, 8, {bar}).immediate = 0;
    } else {
      chain(k, w, n);
      // shared::cluster address of rank 0's barrier: rank 0 << 24 above the window.
      k.append(w, "SYNCS.ARRIVE.TRANS64.RED.A1T0", 1, {}, {10}, 8, {bar});
    }
    k.append(w, "EXIT", kFull, {}, {});
  };
  return cycles_of(spec, cluster_kernel(2, 2, 1, body));
}

TEST(ClusterTiming, RemoteArriveCrossesTheSmToSmNetwork) {
  const uint64_t base = remote_release(100, 180);
  // The arrive issues after the chain (100 x 4 cycles; it reads R10) and reaches rank 0 180 cycles
  // later; the waiting warp's EXIT follows.
  EXPECT_GE(base, 100u * 4 + 180);
  EXPECT_LE(base, 100u * 4 + 180 + 8);
  // Exactly the latency and the chain move it.
  EXPECT_EQ(remote_release(100, 280), base + 100);
  EXPECT_EQ(remote_release(150, 180), base + 50 * 4);
}

TEST(ClusterTiming, RemoteArriveToARankOutsideTheClusterIsAnError) {
  config::GpuSpec spec = test_spec(2);
  const uint64_t bar = kShmem + 0x100;
  auto body = [&](trace::MemoryKernel& k, trace::WarpTrace& w, uint32_t, uint32_t) {
    k.append(w, "SYNCS.EXCH.64", 1, {}, {}, 8, {bar}).immediate = 1;
    k.append(w, "SYNCS.ARRIVE.TRANS64.RED.A1T0", 1, {}, {}, 8, {bar + (uint64_t{2} << 24)});
    k.append(w, "EXIT", kFull, {}, {});
  };
  try {
    run(spec, cluster_kernel(2, 2, 1, body));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("names cluster rank 2"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace joulesim::timing_test
