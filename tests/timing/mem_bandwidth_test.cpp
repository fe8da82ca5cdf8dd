// Throughput properties of MemoryHierarchy: a saturating read stream reaches >= 90% of
// DramSpec::peak_bytes_per_s(), refresh keeps its tREFI cadence under load, dirty L2 evictions
// are written back exactly once, and runs are deterministic.
#include <gtest/gtest.h>

#include <bit>
#include <vector>

#include "timing/mem_driver.hpp"

using joulesim::period_of_mhz;
using joulesim::Picoseconds;
using joulesim::config::GpuSpec;
using joulesim::mem::SectorRequest;
using joulesim::mem::testing::MemDriver;
using joulesim::mem::testing::read_req;
using joulesim::stats::ActivityCounts;
using joulesim::stats::Counter;

namespace {
struct StreamResult {
  double bytes_per_s = 0;
  uint64_t responses = 0;
  uint64_t hash = 0;
  ActivityCounts counts;
};

/// Every SM streams whole 128 B lines (line k x sm_count + sm), keeping up to @p per_sm lines in
/// flight; bytes returned after @p warm_ps count towards the bandwidth.
StreamResult stream(const GpuSpec& s, int64_t warm_ps, int64_t end_ps, uint32_t per_sm) {
  MemDriver d(s);
  const uint32_t sms = s.core.sm_count;
  const int64_t pc = period_of_mhz(s.core_mhz()).value;
  std::vector<uint64_t> next(sms, 0);
  std::vector<uint32_t> outstanding(sms, 0);
  StreamResult r;
  uint64_t bytes = 0;
  for (int64_t t = 0; t <= end_ps; t += pc) {
    d.mem.advance_to(Picoseconds{t});
    for (uint16_t sm = 0; sm < sms; ++sm) {
      SectorRequest out;
      while (d.mem.pop_response(sm, out)) {
        --outstanding[sm];
        ++r.responses;
        r.hash = r.hash * 1000003u + out.id * 131u + static_cast<uint64_t>(t);
        if (t > warm_ps) bytes += 32u * static_cast<uint32_t>(std::popcount(out.sector_mask));
      }
      while (outstanding[sm] < per_sm && d.mem.can_accept(sm)) {
        const uint64_t line = next[sm]++ * sms + sm;
        d.mem.send(read_req(line * 128, 0xF, sm, static_cast<uint32_t>(line)), Picoseconds{t});
        ++outstanding[sm];
      }
    }
  }
  r.bytes_per_s = static_cast<double>(bytes) / ((end_ps - warm_ps) * 1e-12);
  r.counts = d.counts;
  return r;
}

uint64_t refreshes_due(const GpuSpec& s, int64_t cycles) {
  uint64_t n = 0;
  const auto& tm = s.dram.timing;
  for (uint32_t i = 0; i < s.dram.channels; ++i) {
    const int64_t offset = int64_t{i} * tm.trefi / s.dram.channels;
    if (cycles >= offset + tm.trefi) n += static_cast<uint64_t>((cycles - offset) / tm.trefi);
  }
  return n;
}
}  // namespace

TEST(MemBandwidth, SaturatingReadStreamReaches90PercentOfPeak) {
  GpuSpec s;  // 32 channels x 8 B x 1752 MT/s = 448.5 GB/s
  const int64_t tck = period_of_mhz(s.clocks.dram_mhz).value;
  const int64_t end = 20'000'000;  // 20 us: 4 to 5 refresh intervals per channel
  // 16 and 64 lines in flight per SM (160 KB and 640 KB over 80 SMs).
  for (uint32_t per_sm : {16u, 64u}) {
    const StreamResult r = stream(s, 4'000'000, end, per_sm);
    const double frac = r.bytes_per_s / s.dram.peak_bytes_per_s();
    std::printf("stream, %u lines/SM: %.1f GB/s of %.1f GB/s peak = %.4f, %.1f bursts/ACT\n",
                per_sm, r.bytes_per_s / 1e9, s.dram.peak_bytes_per_s() / 1e9, frac,
                double(r.counts[Counter::kDramReadBurst]) / double(r.counts[Counter::kDramAct]));
    EXPECT_GE(frac, 0.90) << per_sm << " lines per SM";
    EXPECT_LE(frac, 1.0);
    EXPECT_EQ(r.counts[Counter::kL2ReadHit], 0u);
    // Each line is read once: every sector misses L2 and becomes one 32 B burst (up to the
    // sectors still in flight when the run stops).
    EXPECT_LE(r.counts[Counter::kDramReadBurst], r.counts[Counter::kL2ReadMiss]);
    EXPECT_GE(r.counts[Counter::kDramReadBurst] + 4u * 80u * per_sm,
              r.counts[Counter::kL2ReadMiss]);
    // Refresh keeps its cadence under load.
    EXPECT_EQ(r.counts[Counter::kDramRefresh], refreshes_due(s, end / tck));
    // Row-buffer locality: a row holds 8 lines = 32 bursts; activations serve many of them.
    EXPECT_GT(r.counts[Counter::kDramReadBurst], 8 * r.counts[Counter::kDramAct]);
  }
}

TEST(MemBandwidth, SameInputsGiveIdenticalResults) {
  GpuSpec s;
  const StreamResult a = stream(s, 0, 3'000'000, 16);
  const StreamResult b = stream(s, 0, 3'000'000, 16);
  EXPECT_GT(a.responses, 1000u);
  EXPECT_EQ(a.responses, b.responses);
  EXPECT_EQ(a.hash, b.hash);
  EXPECT_EQ(a.counts, b.counts);
}

TEST(MemBandwidth, FcfsSchedulerAlsoCompletesAndIsNoFasterThanFrFcfs) {
  GpuSpec s;
  s.dram.scheduler = "fcfs";
  const StreamResult f = stream(s, 1'000'000, 6'000'000, 64);
  s.dram.scheduler = "fr_fcfs";
  const StreamResult fr = stream(s, 1'000'000, 6'000'000, 64);
  EXPECT_GT(f.responses, 1000u);
  EXPECT_LE(f.bytes_per_s, fr.bytes_per_s * 1.001);
}

namespace {
void dirty_evictions(uint32_t assoc) {
  GpuSpec s;
  s.l2.size_kb = 512;  // 64 slices x (4 sets x 16 ways or 2 x 32) x 128 B = 4096 lines
  s.l2.assoc = assoc;  // 32 ways: the hash-indexed tag store
  MemDriver d(s);
  const uint32_t lines = 8192;  // sequential lines fill every (slice, set) with 2 x assoc lines
  const int64_t pc = period_of_mhz(s.core_mhz()).value;
  uint32_t sent = 0, acked = 0;
  int64_t t = 0;
  while (acked < lines) {
    ASSERT_LT(t, 1'000'000'000) << "writes stopped being acknowledged (" << acked << " of " << lines
                                << ")";
    d.mem.advance_to(Picoseconds{t});
    for (uint16_t sm = 0; sm < s.core.sm_count; ++sm) {
      SectorRequest out;
      while (d.mem.pop_response(sm, out)) {
        ASSERT_TRUE(out.write);
        ++acked;
      }
    }
    for (int k = 0; k < 80 && sent < lines; ++k) {
      const auto sm = static_cast<uint16_t>(sent % s.core.sm_count);
      if (!d.mem.can_accept(sm)) break;
      SectorRequest w = read_req(uint64_t{sent} * 128, 0xF, sm, sent);
      w.write = true;
      d.mem.send(w, Picoseconds{t});
      ++sent;
    }
    t += pc;
  }
  while (!d.mem.idle()) {  // drain the write-backs
    ASSERT_NE(d.mem.next_event(), Picoseconds::max());
    d.mem.advance_to(d.mem.next_event());
  }
  EXPECT_EQ(d.counts[Counter::kL2WriteMiss], 4u * lines);
  EXPECT_EQ(d.counts[Counter::kL2WriteHit], 0u);
  // Each set keeps its assoc most recent lines dirty; the other assoc x 4 sectors went out.
  EXPECT_EQ(d.counts[Counter::kDramWriteBurst], 4u * (lines - 4096));
  EXPECT_EQ(d.counts[Counter::kDramReadBurst], 0u);
}
}  // namespace

TEST(MemBandwidth, DirtyEvictionsAreWrittenBackExactlyOnce) {
  dirty_evictions(16);
  dirty_evictions(32);
}

TEST(MemBandwidth, CopyStreamConservesRequestsAndDrainsWriteBacks) {
  GpuSpec s;
  s.l2.size_kb = 512;  // small L2: most written lines are evicted and written back during the run
  MemDriver d(s);
  const uint32_t sms = s.core.sm_count;
  const int64_t pc = period_of_mhz(s.core_mhz()).value;
  const uint32_t total = 40000;  // half reads of region A, half writes of region B
  const uint64_t region_b = uint64_t{1} << 30;
  std::vector<uint8_t> seen(total, 0);
  uint32_t sent = 0, done = 0;
  int64_t t = 0;
  while (done < total) {
    ASSERT_LT(t, 1'000'000'000) << "stuck at " << done << " of " << total << ": "
                                << d.mem.describe_oldest();
    d.mem.advance_to(Picoseconds{t});
    for (uint16_t sm = 0; sm < sms; ++sm) {
      SectorRequest out;
      while (d.mem.pop_response(sm, out)) {
        ASSERT_LT(out.id, total);
        EXPECT_EQ(seen[out.id]++, 0) << "duplicate response " << out.id;
        EXPECT_EQ(out.write, out.id % 2 == 1);
        ++done;
      }
    }
    for (uint32_t k = 0; k < sms && sent < total; ++k) {
      const auto sm = static_cast<uint16_t>(sent / 2 % sms);
      if (!d.mem.can_accept(sm)) break;
      const uint64_t line = sent / 2;
      SectorRequest r = read_req((sent % 2 ? region_b : 0) + line * 128, 0xF, sm, sent);
      r.write = sent % 2 == 1;
      d.mem.send(r, Picoseconds{t});
      ++sent;
    }
    t += pc;
  }
  const double seconds = t * 1e-12;
  while (!d.mem.idle()) {
    ASSERT_NE(d.mem.next_event(), Picoseconds::max());
    d.mem.advance_to(d.mem.next_event());
  }
  EXPECT_EQ(d.mem.next_event(), Picoseconds::max());
  const uint64_t lines = total / 2;
  EXPECT_EQ(d.counts[Counter::kL2ReadMiss], 4 * lines);
  EXPECT_EQ(d.counts[Counter::kDramReadBurst], 4 * lines);
  EXPECT_EQ(d.counts[Counter::kL2WriteMiss], 4 * lines);
  // Dirty lines still in L2 at the end were never written back; the rest were, exactly once.
  EXPECT_LE(d.counts[Counter::kDramWriteBurst], 4 * lines);
  EXPECT_GE(d.counts[Counter::kDramWriteBurst], 4 * (lines - 4096));
  std::printf("copy: %.1f GB/s moved (read + write) of %.1f GB/s peak\n",
              2.0 * lines * 128 / seconds / 1e9, s.dram.peak_bytes_per_s() / 1e9);
}
