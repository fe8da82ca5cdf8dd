// L1Cache: hits, misses, MSHR merging and stalls, LRU, write policies. Geometry of the default
// L1Spec: 32 KB / (128 B x 4 ways) = 64 sets, so lines 8 KB apart share a set.
#include <gtest/gtest.h>

#include <vector>

#include "core/error.hpp"
#include "mem/memory.hpp"

using joulesim::Cycles;
using joulesim::config::L1Spec;
using joulesim::mem::kWritebackId;
using joulesim::mem::L1Cache;
using joulesim::mem::SectorRequest;
using joulesim::stats::ActivityCounts;
using joulesim::stats::Counter;
using Outcome = L1Cache::Outcome;

namespace {
SectorRequest rd(uint64_t line, uint8_t mask, uint32_t id) {
  SectorRequest r;
  r.line_addr = line;
  r.sector_mask = mask;
  r.id = id;
  return r;
}
SectorRequest wr(uint64_t line, uint8_t mask, uint32_t id) {
  SectorRequest r = rd(line, mask, id);
  r.write = true;
  return r;
}
std::vector<SectorRequest> drain(L1Cache& l1) {
  std::vector<SectorRequest> out;
  l1.take_downstream(out);
  return out;
}
std::vector<uint32_t> fill(L1Cache& l1, SectorRequest r) {
  std::vector<uint32_t> done;
  l1.fill(r, done);
  return done;
}
constexpr uint64_t kSetStride = 8192;
}  // namespace

TEST(L1Cache, MissMergeAndHitAreCountedPerSector) {
  ActivityCounts c;
  L1Cache l1(L1Spec{}, 3, c);
  EXPECT_EQ(l1.access(rd(0x1000, 0x1, 1), Cycles{0}), Outcome::kMiss);
  auto down = drain(l1);
  ASSERT_EQ(down.size(), 1u);
  EXPECT_EQ(down[0].line_addr, 0x1000u);
  EXPECT_EQ(down[0].sector_mask, 0x1);
  EXPECT_EQ(down[0].sm, 3);
  EXPECT_EQ(l1.outstanding_mshrs(), 1u);

  EXPECT_EQ(l1.access(rd(0x1000, 0x1, 2), Cycles{1}), Outcome::kMerged);
  EXPECT_EQ(l1.access(rd(0x1000, 0x3, 3), Cycles{2}), Outcome::kMiss);  // sector 1 is new
  down = drain(l1);
  ASSERT_EQ(down.size(), 1u);
  EXPECT_EQ(down[0].sector_mask, 0x2);
  EXPECT_EQ(c[Counter::kL1ReadMiss], 2u);
  EXPECT_EQ(c[Counter::kL1MshrMerge], 2u);
  EXPECT_EQ(l1.outstanding_mshrs(), 2u);

  EXPECT_EQ(fill(l1, rd(0x1000, 0x1, 0)), (std::vector<uint32_t>{1, 2}));  // 3 still needs s1
  EXPECT_EQ(fill(l1, rd(0x1000, 0x2, 0)), (std::vector<uint32_t>{3}));
  EXPECT_EQ(l1.outstanding_mshrs(), 0u);
  EXPECT_EQ(l1.access(rd(0x1000, 0x3, 4), Cycles{9}), Outcome::kHit);
  EXPECT_EQ(c[Counter::kL1ReadHit], 2u);
  EXPECT_TRUE(drain(l1).empty());
}

TEST(L1Cache, StallsWhenMshrSectorsRunOutAndChangesNothing) {
  L1Spec s;
  s.mshrs = 4;
  ActivityCounts c;
  L1Cache l1(s, 0, c);
  EXPECT_EQ(l1.access(rd(0x0, 0x7, 1), Cycles{0}), Outcome::kMiss);   // 3 sectors
  EXPECT_EQ(l1.access(rd(0x80, 0x1, 2), Cycles{0}), Outcome::kMiss);  // 4th
  const ActivityCounts before = c;
  EXPECT_EQ(l1.access(rd(0x100, 0x1, 3), Cycles{0}), Outcome::kStall);
  EXPECT_EQ(c, before);
  EXPECT_EQ(drain(l1).size(), 2u);
  EXPECT_EQ(l1.access(rd(0x0, 0x1, 4), Cycles{0}), Outcome::kMerged);  // merging needs no MSHR
  fill(l1, rd(0x80, 0x1, 0));
  EXPECT_EQ(l1.access(rd(0x100, 0x1, 3), Cycles{1}), Outcome::kMiss);
}

TEST(L1Cache, EvictsLeastRecentlyUsedWayOfTheSet) {
  ActivityCounts c;
  L1Cache l1(L1Spec{}, 0, c);
  auto bring = [&](uint64_t line, uint32_t id) {
    ASSERT_EQ(l1.access(rd(line, 0x1, id), Cycles{0}), Outcome::kMiss);
    drain(l1);
    fill(l1, rd(line, 0x1, 0));
  };
  for (uint32_t i = 0; i < 4; ++i) bring(i * kSetStride, i);
  EXPECT_EQ(l1.access(rd(0, 0x1, 10), Cycles{1}), Outcome::kHit);  // way 0 now most recent
  bring(4 * kSetStride, 11);                                       // evicts line 1 (LRU)
  EXPECT_EQ(l1.access(rd(0, 0x1, 12), Cycles{2}), Outcome::kHit);
  EXPECT_EQ(l1.access(rd(2 * kSetStride, 0x1, 13), Cycles{2}), Outcome::kHit);
  EXPECT_EQ(l1.access(rd(kSetStride, 0x1, 14), Cycles{2}), Outcome::kMiss);
}

TEST(L1Cache, WriteThroughForwardsWritesAndDoesNotAllocate) {
  ActivityCounts c;
  L1Cache l1(L1Spec{}, 5, c);
  EXPECT_EQ(l1.access(wr(0x2000, 0x3, 7), Cycles{0}), Outcome::kMiss);
  auto down = drain(l1);
  ASSERT_EQ(down.size(), 1u);
  EXPECT_TRUE(down[0].write);
  EXPECT_EQ(down[0].id, 7u);
  EXPECT_EQ(down[0].sector_mask, 0x3);
  EXPECT_EQ(c[Counter::kL1Write], 2u);
  EXPECT_EQ(fill(l1, down[0]), (std::vector<uint32_t>{7}));             // the acknowledgement
  EXPECT_EQ(l1.access(rd(0x2000, 0x1, 8), Cycles{1}), Outcome::kMiss);  // not allocated
  drain(l1);
  fill(l1, rd(0x2000, 0x1, 0));
  EXPECT_EQ(l1.access(wr(0x2000, 0x1, 9), Cycles{2}), Outcome::kMiss);  // still forwarded
  EXPECT_EQ(drain(l1).size(), 1u);
  EXPECT_EQ(l1.access(rd(0x2000, 0x1, 10), Cycles{3}), Outcome::kHit);  // updated in place
}

TEST(L1Cache, WriteBackAllocatesDirtiesAndWritesBackOnEviction) {
  L1Spec s;
  s.write_policy = "write_back";
  ActivityCounts c;
  L1Cache l1(s, 0, c);
  EXPECT_EQ(l1.access(wr(0x0, 0x6, 1), Cycles{0}), Outcome::kHit);
  EXPECT_TRUE(drain(l1).empty());
  EXPECT_EQ(l1.access(rd(0x0, 0x6, 2), Cycles{1}), Outcome::kHit);
  EXPECT_EQ(c[Counter::kL1Write], 2u);
  EXPECT_EQ(c[Counter::kL1ReadHit], 2u);
  // Four more lines of set 0: the fourth fill evicts line 0 (LRU) and writes back sectors 1, 2.
  std::vector<SectorRequest> writebacks;
  for (uint32_t i = 1; i <= 4; ++i) {
    ASSERT_EQ(l1.access(rd(i * kSetStride, 0x1, 10 + i), Cycles{2}), Outcome::kMiss);
    for (const auto& d : drain(l1)) {
      ASSERT_FALSE(d.write);
      fill(l1, d);
    }
    for (const auto& d : drain(l1)) writebacks.push_back(d);
    EXPECT_EQ(writebacks.size(), i == 4 ? 1u : 0u) << "after line " << i;
  }
  ASSERT_EQ(writebacks.size(), 1u);
  EXPECT_TRUE(writebacks[0].write);
  EXPECT_EQ(writebacks[0].id, kWritebackId);
  EXPECT_EQ(writebacks[0].line_addr, 0x0u);
  EXPECT_EQ(writebacks[0].sector_mask, 0x6);
  EXPECT_TRUE(fill(l1, writebacks[0]).empty());  // its ack completes nothing of the SM's
  EXPECT_EQ(l1.access(rd(0x0, 0x2, 3), Cycles{3}), Outcome::kMiss);
}

TEST(L1Cache, RejectsUnknownWritePolicy) {
  L1Spec s;
  s.write_policy = "write_around";
  ActivityCounts c;
  EXPECT_THROW(L1Cache(s, 0, c), joulesim::ConfigError);
}

TEST(L1Cache, FullyAssociativeSetKeepsTheMostRecentLines) {
  // 256 ways, one set (hash-indexed tag store): after 300 distinct lines, touching the first 50
  // again, then 50 new ones, the resident lines are exactly the 256 most recently used.
  L1Spec s;
  s.assoc = 256;  // 32 KB / (128 B x 256) = 1 set
  ActivityCounts c;
  L1Cache l1(s, 0, c);
  auto bring = [&](uint64_t line) {
    if (l1.access(rd(line * 128, 0x1, 1), Cycles{0}) == Outcome::kHit) return;
    for (const auto& d : drain(l1)) fill(l1, d);
  };
  for (uint64_t i = 0; i < 300; ++i) bring(i);    // resident: 44..299
  for (uint64_t i = 44; i < 94; ++i) bring(i);    // hits: 44..93 become most recent
  for (uint64_t i = 300; i < 350; ++i) bring(i);  // evicts 94..143
  // Probing changes no residency: hits only reorder, misses only take MSHRs (nothing is filled).
  uint32_t hits = 0;
  for (uint64_t i = 0; i < 350; ++i) {
    const bool expect = (i >= 44 && i < 94) || (i >= 144);
    const Outcome o = l1.access(rd(i * 128, 0x1, 2), Cycles{1});
    hits += o == Outcome::kHit;
    EXPECT_EQ(o == Outcome::kHit, expect) << "line " << i;
  }
  EXPECT_EQ(hits, 256u);
}
