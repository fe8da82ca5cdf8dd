// coalesce() and shared_memory_wavefronts(): expected values worked out by hand from the
// 32 B sector / 128 B line / 32 x 4 B bank geometry.
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <utility>
#include <vector>

#include "mem/memory.hpp"

using joulesim::mem::coalesce;
using joulesim::mem::SectorRequest;
using joulesim::mem::shared_memory_wavefronts;

namespace {
std::vector<uint64_t> strided(uint64_t base, uint64_t stride, int lanes) {
  std::vector<uint64_t> a(static_cast<size_t>(lanes));
  for (int i = 0; i < lanes; ++i)
    a[static_cast<size_t>(i)] = base + stride * static_cast<uint64_t>(i);
  return a;
}
}  // namespace

TEST(Coalesce, UnitStrideWordsAreFourSectorsOfOneLine) {
  const auto a = strided(0x1000, 4, 32);  // 128 contiguous bytes, line aligned
  std::vector<SectorRequest> out;
  coalesce(a.data(), 32, 4, 128, 32, false, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].line_addr, 0x1000u);
  EXPECT_EQ(out[0].sector_mask, 0x0F);
  EXPECT_FALSE(out[0].write);
}

TEST(Coalesce, LineStrideGivesOneSectorInEachOf32Lines) {
  const auto a = strided(0x2000, 128, 32);
  std::vector<SectorRequest> out;
  coalesce(a.data(), 32, 4, 128, 32, true, out);
  ASSERT_EQ(out.size(), 32u);
  for (size_t i = 0; i < out.size(); ++i) {
    EXPECT_EQ(out[i].line_addr, 0x2000u + 128 * i);
    EXPECT_EQ(out[i].sector_mask, 0x01);
    EXPECT_TRUE(out[i].write);
  }
}

TEST(Coalesce, Misaligned16ByteLanesSpanFiveLinesAnd17Sectors) {
  // 32 lanes x 16 B from 0x1008: bytes 0x1008..0x1207 = sectors 0x80..0x90 (17 sectors) in lines
  // 0x1000 (all 4), 0x1080, 0x1100, 0x1180 (all 4) and 0x1200 (sector 0).
  const auto a = strided(0x1008, 16, 32);
  std::vector<SectorRequest> out;
  coalesce(a.data(), 32, 16, 128, 32, false, out);
  ASSERT_EQ(out.size(), 5u);
  const uint8_t masks[] = {0x0F, 0x0F, 0x0F, 0x0F, 0x01};
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(out[i].line_addr, 0x1000u + 128 * i);
    EXPECT_EQ(out[i].sector_mask, masks[i]);
  }
}

TEST(Coalesce, OneLaneStraddlingALineBoundaryTouchesTwoLines) {
  const uint64_t a[] = {0x107C};  // 8 B: 0x107C..0x1083
  std::vector<SectorRequest> out;
  coalesce(a, 1, 8, 128, 32, false, out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].line_addr, 0x1000u);
  EXPECT_EQ(out[0].sector_mask, 0x08);
  EXPECT_EQ(out[1].line_addr, 0x1080u);
  EXPECT_EQ(out[1].sector_mask, 0x01);
}

TEST(Coalesce, SameAddressInEveryLaneIsOneSector) {
  const std::vector<uint64_t> a(32, 0x3044);
  std::vector<SectorRequest> out;
  coalesce(a.data(), 32, 4, 128, 32, false, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].line_addr, 0x3000u);
  EXPECT_EQ(out[0].sector_mask, 0x04);
}

TEST(Coalesce, MatchesBruteForceSectorSetAndDoesNotReallocate) {
  std::mt19937_64 rng(7);
  std::vector<SectorRequest> out;
  out.reserve(64);
  const auto* storage = out.data();
  for (int trial = 0; trial < 200; ++trial) {
    const uint32_t width = 1u << (trial % 5);  // 1..16 B
    std::vector<uint64_t> a(32);
    for (auto& x : a) x = (rng() % 4096) & ~uint64_t{width - 1};
    std::set<std::pair<uint64_t, int>> expect;  // (line, sector)
    for (uint64_t x : a) {
      for (uint64_t b = x; b < x + width; ++b)
        expect.insert({b / 128 * 128, static_cast<int>(b % 128 / 32)});
    }
    coalesce(a.data(), 32, width, 128, 32, false, out);
    std::set<std::pair<uint64_t, int>> got;
    std::set<uint64_t> lines;
    for (const auto& r : out) {
      EXPECT_TRUE(lines.insert(r.line_addr).second) << "one request per line";
      for (int s = 0; s < 4; ++s) {
        if (r.sector_mask >> s & 1) got.insert({r.line_addr, s});
      }
    }
    EXPECT_EQ(got, expect);
    EXPECT_EQ(out.data(), storage);
  }
}

TEST(SharedMemory, KWayConflictsCostKWavefronts) {
  // Lane i reads word i x k: 32 / k banks each hold k distinct words.
  for (uint64_t k : {1u, 2u, 4u, 8u, 16u, 32u}) {
    const auto a = strided(0, 4 * k, 32);
    EXPECT_EQ(shared_memory_wavefronts(a.data(), 32, 4, 32, 4), k) << "k = " << k;
  }
}

TEST(SharedMemory, BroadcastIsFree) {
  const std::vector<uint64_t> same(32, 0x40);
  EXPECT_EQ(shared_memory_wavefronts(same.data(), 32, 4, 32, 4), 1u);
  // Two words in bank 0 (0x0 and 0x80) read by 16 lanes each: 2 wavefronts, not 32.
  std::vector<uint64_t> two(32);
  for (size_t i = 0; i < 32; ++i) two[i] = (i % 2) * 128;
  EXPECT_EQ(shared_memory_wavefronts(two.data(), 32, 4, 32, 4), 2u);
  // Bytes of one word from every lane: one word, one wavefront.
  const auto bytes = strided(0x10, 0, 32);
  EXPECT_EQ(shared_memory_wavefronts(bytes.data(), 32, 1, 32, 4), 1u);
}

TEST(SharedMemory, WideAccessesAreSplitIntoHalfAndQuarterWarps) {
  const auto d8 = strided(0, 8, 32);  // 256 B: two half-warp phases of 128 B
  EXPECT_EQ(shared_memory_wavefronts(d8.data(), 32, 8, 32, 4), 2u);
  const auto d16 = strided(0, 16, 32);  // 512 B: four quarter-warp phases of 128 B
  EXPECT_EQ(shared_memory_wavefronts(d16.data(), 32, 16, 32, 4), 4u);
  // 16 B per lane at a 32 B stride: each quarter-warp spans 256 B, two words per bank.
  const auto s32 = strided(0, 32, 32);
  EXPECT_EQ(shared_memory_wavefronts(s32.data(), 32, 16, 32, 4), 8u);
  // 8 B per lane at a 16 B stride: each half-warp spans 256 B, two words per bank.
  const auto s16 = strided(0, 16, 32);
  EXPECT_EQ(shared_memory_wavefronts(s16.data(), 32, 8, 32, 4), 4u);
}
