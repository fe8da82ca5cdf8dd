// Asynchronous copies into shared memory: cp.async groups (LDGSTS / LDGDEPBAR / DEPBAR.LE), and
// TMA bulk copies completing on mbarriers (UTMALDG, SYNCS). Semantics checked through timing:
// a wait holds its warp exactly until the copies it names have landed, and no longer.
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "timing/timing_util.hpp"

namespace joulesim::timing_test {
namespace {

constexpr uint64_t kShmem = 0x00007fb000000000ull;
constexpr uint64_t kGlobal = 0x7f0000000000ull;

config::GpuSpec spec_1sm() {
  config::GpuSpec s = test_spec(1);
  s.clocks.l2_mhz = 1000;
  s.l2.latency = 300;
  return s;
}

// n dependent FFMAs on R10: n x fp32 latency cycles of issue-bound work.
void chain(trace::MemoryKernel& k, trace::WarpTrace& w, int n) {
  for (int i = 0; i < n; ++i) k.append(w, "FFMA", kFull, {10}, {10, 11});
}

std::vector<uint64_t> lanes16(uint64_t base) {
  std::vector<uint64_t> a(32);
  for (uint32_t l = 0; l < 32; ++l) a[l] = base + 16 * l;
  return a;
}

// Two cp.async groups: copy X, commit, long chain, copy Y, commit, wait(depth), chain.
uint64_t two_groups(uint32_t depth) {
  const auto spec = spec_1sm();
  return cycles_of(
      spec, make_kernel(1, 1, [&](trace::MemoryKernel& k, trace::WarpTrace& w, uint32_t, uint32_t) {
        k.append(w, "LDGSTS.E.BYPASS.128", kFull, {}, {2, 3}, 16, lanes16(kGlobal));
        k.append(w, "LDGDEPBAR", kFull, {}, {});
        chain(k, w, 200);
        k.append(w, "LDGSTS.E.BYPASS.128", kFull, {}, {2, 3}, 16, lanes16(kGlobal + 4096));
        k.append(w, "LDGDEPBAR", kFull, {}, {});
        k.append(w, "DEPBAR.LE", kFull, {}, {}).immediate = depth;
        chain(k, w, 200);
        k.append(w, "EXIT", kFull, {}, {});
      }));
}

TEST(AsyncCopyTiming, CpAsyncWaitGroupWaitsOnlyForTheOlderGroups) {
  // DEPBAR.LE SB0, 1 leaves the newest group in flight: X landed during the first chain, so the
  // second chain starts at once and Y lands under it. SB0, 0 waits for Y first: at least one L2
  // round trip (l2.latency) more.
  const uint64_t leave_one = two_groups(1), wait_all = two_groups(0);
  const auto spec = spec_1sm();
  EXPECT_LT(leave_one, 400u * spec.units.fp32.latency + spec.l2.latency);
  EXPECT_GE(wait_all, leave_one + spec.l2.latency);
}

struct Tma {
  uint32_t rows = 64, row_bytes = 256;
  uint64_t pitch = 4096;
  bool consumer_waits = true;
  uint32_t parity = 0;
  bool init = true;
  uint32_t expect = 64 * 256;  ///< the producer's expect_tx bytes
};

report::RunResult run_tma(const Tma& t) {
  const auto spec = spec_1sm();
  const uint64_t bar = kShmem + 0x8000;
  return run(
      spec, make_kernel(
                1, 2,
                [&](trace::MemoryKernel& k, trace::WarpTrace& w, uint32_t, uint32_t warp) {
                  if (warp == 0) {  // producer: one elected lane
                    if (t.init) k.append(w, "SYNCS.EXCH.64", 1, {}, {}, 8, {bar}).immediate = 1;
                    k.append(w, "BAR.SYNC", kFull, {}, {});
                    k.append(w, "SYNCS.ARRIVE.TRANS64.A1T0", 1, {}, {}, 8, {bar}).immediate =
                        t.expect;
                    k.append(w, "UTMALDG.2D", 0xF, {}, {}, 16, {kGlobal, t.pitch, kShmem, bar})
                        .immediate = t.rows << 16 | t.row_bytes;
                  } else {
                    k.append(w, "BAR.SYNC", kFull, {}, {});
                    if (t.consumer_waits) {
                      k.append(w, "SYNCS.PHASECHK.TRANS64.TRYWAIT", 1, {}, {}, 8, {bar}).immediate =
                          t.parity;
                    }
                    chain(k, w, 100);
                  }
                  k.append(w, "EXIT", kFull, {}, {});
                },
                32, 0x10000, 90));
}

uint64_t l2_read_sectors(const report::RunResult& r) {
  const auto& c = r.kernels.at(0).counts;
  return c[stats::Counter::kL2ReadHit] + c[stats::Counter::kL2ReadMiss];
}

TEST(AsyncCopyTiming, BulkCopyReadsTheBoxOnceAndReleasesTheConsumerWhenItLands) {
  const auto spec = spec_1sm();
  const Tma t;
  const auto waited = run_tma(t);
  Tma free_run = t;
  free_run.consumer_waits = false;
  const auto unsynchronised = run_tma(free_run);
  // One bulk copy moves exactly its box: 64 rows x 256 bytes = 512 sectors read from L2, the
  // same with or without a waiter; no L1 involvement.
  EXPECT_EQ(l2_read_sectors(waited), 64u * 256 / 32);
  EXPECT_EQ(l2_read_sectors(unsynchronised), 64u * 256 / 32);
  EXPECT_EQ(waited.kernels[0].counts[stats::Counter::kL1ReadMiss], 0u);
  // The consumer's chain (100 x 4 cycles) starts only after the last line landed: at least one
  // L2 round trip plus the 16 KB through the SM's crossbar port after the start.
  const uint64_t port_cycles = 64u * 256 / spec.noc.bytes_per_clk_per_port;
  EXPECT_GE(waited.kernels[0].cycles, spec.l2.latency + port_cycles + 100u * 4);
  EXPECT_GE(waited.kernels[0].cycles, unsynchronised.kernels[0].cycles + 300);
}

TEST(AsyncCopyTiming, TryWaitOnACompletedParityOrAnUninitialisedBarrierPasses) {
  // Waiting for parity 1 while phase 0 is still open passes at once (the previous phase of
  // parity 1 counts as completed), as does a barrier the trace never initialised.
  Tma none;
  none.consumer_waits = false;
  const uint64_t base = run_tma(none).kernels[0].cycles;
  Tma odd;
  odd.parity = 1;
  // (the try_wait takes one issue slot of the consumer; the copy ends the kernel either way)
  EXPECT_NEAR(static_cast<double>(run_tma(odd).kernels[0].cycles), static_cast<double>(base), 2);
  Tma uninit;
  uninit.init = false;
  EXPECT_NEAR(static_cast<double>(run_tma(uninit).kernels[0].cycles), static_cast<double>(base), 2);
}

TEST(AsyncCopyTiming, AnExpectTxLargerThanTheCopiesNeverCompletesThePhase) {
  // The phase needs the expected bytes: 4 KB more than the box moves leaves the consumer waiting
  // forever, which the engine reports as a deadlock naming the mbarrier.
  Tma t;
  t.expect = 64 * 256 + 4096;
  try {
    run_tma(t);
    FAIL() << "expected a deadlock";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("mbarrier"), std::string::npos) << what;
    EXPECT_NE(what.find("4096 transaction bytes missing"), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace joulesim::timing_test
