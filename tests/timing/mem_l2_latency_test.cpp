// L2 latency contract of MemoryHierarchy (memory.hpp): an L2 hit is exactly l2.latency core
// cycles from send to visibility, whatever the clock ratio; wider responses add one flit per
// extra sector; crossing dies adds the cross-die latency both ways; an LLC hit adds llc.latency.
#include <gtest/gtest.h>

#include "mem/address_map.hpp"
#include "timing/mem_driver.hpp"

using joulesim::period_of_mhz;
using joulesim::config::GpuSpec;
using joulesim::mem::AddressMap;
using joulesim::mem::testing::MemDriver;
using joulesim::mem::testing::read_req;
using joulesim::stats::Counter;

namespace {
int64_t core_ps(const GpuSpec& s) { return period_of_mhz(s.core_mhz()).value; }
int64_t l2_ps(const GpuSpec& s) { return period_of_mhz(s.clocks.l2_mhz).value; }
}  // namespace

TEST(MemL2Latency, HitIsExactlyL2LatencyCoreCycles) {
  GpuSpec s;  // 1530 MHz core and L2: 654 ps; l2.latency 190 -> 124260 ps
  MemDriver d(s);
  const int64_t pc = core_ps(s);
  d.latency(read_req(0x10000, 0x1, 0, 1), 0);  // miss: brings the line in
  const int64_t t = 1000 * pc;                 // a core clock edge, well after
  EXPECT_EQ(d.latency(read_req(0x10000, 0x1, 0, 2), t), int64_t{190} * 654);
  EXPECT_EQ(d.latency(read_req(0x10000, 0x1, 7, 3), t + 400 * pc), 190 * pc) << "other SM";
  EXPECT_EQ(d.counts[Counter::kL2ReadHit], 2u);
  EXPECT_EQ(d.counts[Counter::kL2ReadMiss], 1u);
}

TEST(MemL2Latency, ExactWithUnrelatedL2ClockAndOffEdgeSends) {
  GpuSpec s;
  s.clocks.l2_mhz = 1000;  // 1000 ps, unrelated to the 654 ps core clock
  s.l2.latency = 200;
  MemDriver d(s);
  d.latency(read_req(0x40000, 0x1, 3, 1), 0);
  for (int64_t t : {int64_t{1'000'000}, int64_t{1'500'321}, int64_t{2'000'999}}) {
    EXPECT_EQ(d.latency(read_req(0x40000, 0x1, 3, 2), t), 200 * core_ps(s)) << "sent at " << t;
  }
}

TEST(MemL2Latency, WritesAndWideReadsAddOneFlitPerExtraSector) {
  GpuSpec s;
  MemDriver d(s);
  const int64_t pc = core_ps(s);
  const int64_t flit = l2_ps(s);  // 32 B flit at noc.bytes_per_clk_per_port = 32
  auto w1 = read_req(0x8000, 0x1, 1, 1);
  w1.write = true;  // write-allocate without fetch: an L2 write takes the hit path
  EXPECT_EQ(d.latency(w1, 0), 190 * pc);
  auto w4 = read_req(0x8000, 0xF, 1, 2);
  w4.write = true;  // four data flits on the request side
  EXPECT_EQ(d.latency(w4, 1000 * pc), 190 * pc + 3 * flit);
  EXPECT_EQ(d.counts[Counter::kL2WriteMiss], 4u);
  EXPECT_EQ(d.counts[Counter::kL2WriteHit], 1u);
  // All four sectors are now valid: a 4-sector read returns 4 flits.
  EXPECT_EQ(d.latency(read_req(0x8000, 0xF, 1, 3), 2000 * pc), 190 * pc + 3 * flit);
  EXPECT_EQ(d.counts[Counter::kL2ReadHit], 4u);
  EXPECT_EQ(d.counts[Counter::kDramReadBurst], 0u);
  // flits: write 1 + ack 1, write 4 + ack 1, read request 1 + read response 4
  EXPECT_EQ(d.counts[Counter::kNocFlit], 12u);
}

TEST(MemL2Latency, CrossingDiesAddsTheCrossDieLatencyEachWay) {
  GpuSpec s;
  s.core.dies = 2;
  s.noc.cross_die_latency = 30;
  MemDriver d(s);
  AddressMap map(s);
  uint64_t near = 0, far = 0;  // lines whose slice is on die 0 / die 1 (slices split in halves)
  for (uint64_t n = 1; near == 0 || far == 0; ++n) {
    (map.slice_of(n) < s.l2.slices / 2 ? near : far) = n;
  }
  const int64_t pc = core_ps(s);
  for (uint64_t line : {near, far}) d.latency(read_req(line * 128, 0x1, 0, 1), 0);
  EXPECT_EQ(d.latency(read_req(near * 128, 0x1, 0, 2), 1000 * pc), 190 * pc);
  EXPECT_EQ(d.latency(read_req(far * 128, 0x1, 0, 3), 2000 * pc), 190 * pc + 2 * 30 * l2_ps(s));
}

TEST(MemL2Latency, LlcHitAddsLlcLatency) {
  GpuSpec s;
  s.llc.size_mb = 64;
  s.llc.latency = 40;
  s.llc.bandwidth_gbs = 4000;
  MemDriver d(s);
  AddressMap map(s);
  const int64_t pc = core_ps(s);
  const uint64_t x = 12345;
  // 16 more lines of x's slice and set (16 ways, 48 sets per slice, set index = line / 64 mod 48)
  // push x out of L2 (it stays in the much larger LLC).
  std::vector<uint64_t> same_set;
  for (uint64_t n = x + 1; same_set.size() < 16; ++n) {
    if (map.slice_of(n) == map.slice_of(x) && n / 64 % 48 == x / 64 % 48) same_set.push_back(n);
  }
  int64_t t = 0;
  d.latency(read_req(x * 128, 0x1, 0, 1), t);
  for (uint64_t n : same_set) d.latency(read_req(n * 128, 0x1, 0, 2), t += 1000 * pc);
  const uint64_t llc_hits = d.counts[Counter::kLlcHit];
  EXPECT_EQ(d.latency(read_req(x * 128, 0x1, 0, 3), t += 1000 * pc), (190 + 40) * pc);
  EXPECT_EQ(d.counts[Counter::kLlcHit], llc_hits + 1);
  EXPECT_EQ(d.counts[Counter::kL2ReadMiss], 18u);
}
