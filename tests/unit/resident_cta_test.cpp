// Compact resident CTAs: static instructions are stored once per kernel, lane addresses that form
// an arithmetic sequence keep only base and stride, and expanding them gives back exactly the
// addresses the trace had.
#include "gpu/resident_cta.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace joulesim::gpu {
namespace {

trace::Instruction alu(uint32_t pc, uint16_t dst, uint16_t src) {
  trace::Instruction i;
  i.pc = pc;
  i.opcode = 1;
  i.active_mask = 0xFFFFFFFFull;
  i.num_dst = 1;
  i.dst[0] = dst;
  i.num_src = 1;
  i.src[0] = src;
  return i;
}

/// Appends a 4-byte load at @p pc whose active lanes read @p addrs.
void load(trace::WarpTrace& w, uint32_t pc, uint64_t mask, const std::vector<uint64_t>& addrs) {
  trace::Instruction i = alu(pc, 4, 2);
  i.opcode = 2;
  i.active_mask = mask;
  i.mem_width = 4;
  i.space = trace::MemSpace::kGlobal;
  i.addr_index = static_cast<uint32_t>(w.addresses.size());
  w.addresses.insert(w.addresses.end(), addrs.begin(), addrs.end());
  w.insts.push_back(i);
}

std::vector<uint64_t> expand(const ResidentWarp& w, const DynInst& d) {
  std::vector<uint64_t> scratch(64);
  const uint64_t* a = lane_addresses(w.addrs.data(), d, scratch.data());
  return {a, a + d.lanes()};
}

TEST(ResidentCta, LoopBodyIsStoredOncePerKernelWhateverTheIterationCount) {
  // Two warps running 1000 iterations of the same 3-instruction body: 3 static entries.
  trace::CtaTrace cta;
  cta.warps.resize(2);
  for (auto& w : cta.warps) {
    for (int it = 0; it < 1000; ++it) {
      w.insts.push_back(alu(0x10, 1, 1));
      w.insts.push_back(alu(0x20, 2, 1));
      w.insts.push_back(alu(0x30, 3, 2));
    }
  }
  StaticTable table;
  ResidentCta out;
  make_resident(cta, table, out);
  EXPECT_EQ(table.size(), 3u);
  ASSERT_EQ(out.num_warps, 2u);
  ASSERT_EQ(out.warps[1].insts.size(), 3000u);
  for (size_t i = 0; i < 3000; ++i) {
    const DynInst& d = out.warps[1].insts[i];
    EXPECT_EQ(table[d.stat].pc, 0x10u * (i % 3 + 1));
    EXPECT_EQ(d.mask, 0xFFFFFFFFull);
  }
  // Same PC, different operands (a different kernel's code): a distinct entry, not a merge.
  trace::CtaTrace other;
  other.warps.resize(1);
  other.warps[0].insts.push_back(alu(0x10, 7, 1));
  make_resident(other, table, out);
  EXPECT_EQ(table.size(), 4u);
  EXPECT_EQ(table[out.warps[0].insts[0].stat].dst[0], 7u);
  EXPECT_EQ(out.num_warps, 1u);
  table.clear();
  EXPECT_EQ(table.size(), 0u);
}

TEST(ResidentCta, MaskIsPerExecutionNotPerStaticInstruction) {
  trace::CtaTrace cta;
  cta.warps.resize(1);
  trace::Instruction a = alu(0x40, 1, 1), b = alu(0x40, 1, 1);
  b.active_mask = 0x0000FFFFull;  // the same instruction executed by a diverged half warp
  cta.warps[0].insts = {a, b};
  StaticTable table;
  ResidentCta out;
  make_resident(cta, table, out);
  EXPECT_EQ(table.size(), 1u);
  EXPECT_EQ(out.warps[0].insts[0].lanes(), 32);
  EXPECT_EQ(out.warps[0].insts[1].lanes(), 16);
  EXPECT_EQ(table[0].active_mask, 0u);  // never read from the static entry
}

TEST(ResidentCta, LaneAddressesRoundTripAndArithmeticSequencesAreCompressed) {
  std::vector<uint64_t> unit(32), backwards(32), scattered(32), two = {0x1000, 0x9000};
  for (uint64_t k = 0; k < 32; ++k) {
    unit[k] = 0x7f0000001000ull + 4 * k;
    backwards[k] = 0x2000 - 128 * k;                   // negative stride
    scattered[k] = 0x5000 + (k * 2654435761u) % 4096;  // no pattern
  }
  trace::CtaTrace cta;
  cta.warps.resize(1);
  auto& w = cta.warps[0];
  load(w, 0x100, 0xFFFFFFFFull, unit);
  load(w, 0x110, 0xFFFFFFFFull, backwards);
  load(w, 0x120, 0xFFFFFFFFull, scattered);
  load(w, 0x130, 0x80000001ull, two);  // two active lanes: kept as they are
  StaticTable table;
  ResidentCta out;
  make_resident(cta, table, out);
  const ResidentWarp& r = out.warps[0];
  ASSERT_EQ(r.insts.size(), 4u);
  EXPECT_TRUE(r.insts[0].addr & kAffineAddr);
  EXPECT_TRUE(r.insts[1].addr & kAffineAddr);
  EXPECT_FALSE(r.insts[2].addr & kAffineAddr);
  EXPECT_FALSE(r.insts[3].addr & kAffineAddr);
  EXPECT_EQ(expand(r, r.insts[0]), unit);
  EXPECT_EQ(expand(r, r.insts[1]), backwards);
  EXPECT_EQ(expand(r, r.insts[2]), scattered);
  EXPECT_EQ(expand(r, r.insts[3]), two);
  // 2 + 2 words for the sequences, 32 + 2 for the others, instead of 32 + 32 + 32 + 2.
  EXPECT_EQ(r.addrs.size(), 2u + 2u + 32u + 2u);
}

}  // namespace
}  // namespace joulesim::gpu
