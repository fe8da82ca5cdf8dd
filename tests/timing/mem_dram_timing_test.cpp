// DRAM timing through MemoryHierarchy, against the contract in memory.hpp and dram_channel.hpp:
// idle-bank latency, row hit vs row miss (tRP + tRCD), tFAW-bound activation, refresh cadence.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "mem/address_map.hpp"
#include "timing/mem_driver.hpp"

using joulesim::period_of_mhz;
using joulesim::config::GpuSpec;
using joulesim::mem::AddressMap;
using joulesim::mem::DramCoord;
using joulesim::mem::SectorRequest;
using joulesim::mem::testing::common_period;
using joulesim::mem::testing::MemDriver;
using joulesim::mem::testing::read_req;
using joulesim::stats::Counter;

namespace {
struct Clocks {
  int64_t pc, pl2, tck;
  explicit Clocks(const GpuSpec& s)
      : pc(period_of_mhz(s.core_mhz()).value),
        pl2(period_of_mhz(s.clocks.l2_mhz).value),
        tck(period_of_mhz(s.clocks.dram_mhz).value) {}
};

/// Wait for the DRAM command-clock edge of a read sent at @p t (memory.hpp: the request reaches
/// the controller at send + noc + flit + floor(H / 2)).
int64_t edge_wait(const GpuSpec& s, int64_t t) {
  const Clocks c(s);
  const int64_t noc = int64_t{s.noc.latency} * c.pl2;
  const int64_t flit = 32 * c.pl2 / s.noc.bytes_per_clk_per_port;
  const int64_t h = int64_t{s.l2.latency} * c.pc - 2 * (noc + flit);
  const int64_t at = t + noc + flit + h / 2;
  return (at + c.tck - 1) / c.tck * c.tck - at;
}

/// First line after @p from whose DRAM coordinates satisfy @p pred.
template <typename Pred>
uint64_t find_line(const AddressMap& m, uint64_t from, Pred pred) {
  for (uint64_t n = from;; ++n) {
    if (pred(m.dram_of(n))) return n;
  }
}
}  // namespace

TEST(MemDramTiming, RowHitClosedBankAndRowConflictLatencies) {
  GpuSpec s;  // tRCD 14, tRP 14, tCL 14, burst 2; tCK 1142 ps
  MemDriver d(s);
  AddressMap map(s);
  const Clocks c(s);
  const auto& tm = s.dram.timing;
  const uint64_t a = 1000;
  const DramCoord ca = map.dram_of(a);
  const uint64_t same_row = find_line(map, a + 1, [&](const DramCoord& x) {
    return x.channel == ca.channel && x.bank == ca.bank && x.row == ca.row;
  });
  const uint64_t other_row = find_line(map, a + 1, [&](const DramCoord& x) {
    return x.channel == ca.channel && x.bank == ca.bank && x.row != ca.row;
  });
  const int64_t period = common_period(s);  // equal phase against every clock
  const int64_t l2 = int64_t{s.l2.latency} * c.pc;
  const int64_t dw = edge_wait(s, 0);

  const int64_t closed = d.latency(read_req(a * 128, 0x1, 0, 1), 0);
  const int64_t hit = d.latency(read_req(same_row * 128, 0x1, 0, 2), period);
  const int64_t conflict = d.latency(read_req(other_row * 128, 0x1, 0, 3), 2 * period);
  EXPECT_EQ(closed, l2 + dw + int64_t{tm.trcd + tm.tcl + tm.burst_cycles} * c.tck);
  EXPECT_EQ(hit, l2 + dw + int64_t{tm.tcl + tm.burst_cycles} * c.tck);
  EXPECT_EQ(conflict, l2 + dw + int64_t{tm.trp + tm.trcd + tm.tcl + tm.burst_cycles} * c.tck);
  EXPECT_EQ(conflict - hit, int64_t{tm.trp + tm.trcd} * c.tck);
  EXPECT_EQ(d.counts[Counter::kDramAct], 2u);
  EXPECT_EQ(d.counts[Counter::kDramPre], 1u);
  EXPECT_EQ(d.counts[Counter::kDramReadBurst], 3u);
}

TEST(MemDramTiming, DramPartIsInDramClocksWhateverTheCoreClock) {
  GpuSpec s;
  s.clocks.core_mhz = 1100;
  s.clocks.dram_mhz = 1000;  // tCK 1000 ps
  s.dram.data_rate_mtps = 2000;
  MemDriver d(s);
  const Clocks c(s);
  const auto& tm = s.dram.timing;
  const int64_t t = 7 * c.pc;
  EXPECT_EQ(d.latency(read_req(0x123400, 0x1, 2, 1), t),
            int64_t{s.l2.latency} * c.pc + edge_wait(s, t) +
                int64_t{tm.trcd + tm.tcl + tm.burst_cycles} * c.tck);
}

TEST(MemDramTiming, ControllerLatencyAddsToEveryReadMissButNotToHits) {
  GpuSpec s;
  MemDriver base(s);
  GpuSpec t = s;
  t.dram.controller_ns = 100.5;  // 100,500 ps, independent of every clock
  MemDriver d(t);
  const Clocks c(s);
  const int64_t period = common_period(s);
  const int64_t miss0 = base.latency(read_req(0x40000, 0x1, 0, 1), 0);
  const int64_t miss1 = d.latency(read_req(0x40000, 0x1, 0, 1), 0);
  EXPECT_EQ(miss1 - miss0, 100'500);
  // The same sector again is an L2 hit: exactly l2.latency, no controller time.
  const int64_t later = (miss1 / period + 1) * period;  // after the miss, same clock phase
  EXPECT_EQ(d.latency(read_req(0x40000, 0x1, 0, 2), later), int64_t{s.l2.latency} * c.pc);
}

TEST(MemDramTiming, FawLimitsActivationsToFourPerWindow) {
  GpuSpec s;
  // tFAW binds (4 x tRRD = 8 < 60), and tFAW - 3 x tRRD = 54 >= tRAS + tRP = 47, so whichever
  // order the requests reach the queue in, a bank is always ready again by its next ACT slot;
  // tRAS = 33 is odd, so precharges fall between the (even-spaced) ACT slots on the row bus.
  s.dram.timing.trrd = 2;
  s.dram.timing.tfaw = 60;
  s.dram.timing.tccd_l = 2;  // = tCCD_S: column commands never wait, whatever the bank group
  MemDriver d(s);
  AddressMap map(s);
  const Clocks c(s);
  const auto& tm = s.dram.timing;
  // 64 single-sector reads to channel 0, four rows in each of its 16 banks: every one needs an
  // ACT, and all reach the controller in the same command clock.
  std::vector<SectorRequest> reqs;
  for (uint32_t i = 0; i < 64; ++i) {
    const uint32_t bank = i % 16, row = 10 + i / 16;
    const uint64_t n = find_line(map, 0, [&](const DramCoord& x) {
      return x.channel == 0 && x.bank == bank && x.row == row && x.column == 0;
    });
    reqs.push_back(read_req(n * 128, 0x1, static_cast<uint16_t>(i), i));
  }
  std::vector<int64_t> at = d.visible_all(reqs, 0);
  ASSERT_EQ(d.counts[Counter::kDramAct], 64u);
  ASSERT_EQ(d.counts[Counter::kDramPre], 48u);
  // Each read's data follows its ACT by the same tRCD + tCL + burst, so visible times are ACT
  // times plus a constant. Sorted, ACT k is at (k / 4) x tFAW + (k % 4) x tRRD: four ACTs at the
  // tRRD spacing, then a wait for the tFAW window of the first of them to close.
  std::sort(at.begin(), at.end());
  for (size_t k = 0; k < at.size(); ++k) {
    const int64_t act = int64_t(k / 4) * tm.tfaw + int64_t(k % 4) * tm.trrd;
    EXPECT_EQ(at[k] - at[0], act * c.tck) << "ACT " << k;
  }
  for (size_t k = 0; k + 4 < at.size(); ++k) {
    EXPECT_GE(at[k + 4] - at[k], int64_t{tm.tfaw} * c.tck) << "5 ACTs within tFAW at " << k;
  }
  // 64 ACTs span 15 windows and 3 tRRD: the ACT rate is 4 per tFAW.
  EXPECT_EQ(at[63] - at[0], int64_t{15 * tm.tfaw + 3 * tm.trrd} * c.tck);
}

TEST(MemDramTiming, RefreshHappensEveryTrefiWhenIdle) {
  GpuSpec s;
  MemDriver d(s);
  const Clocks c(s);
  const auto& tm = s.dram.timing;
  const int64_t cycles = 10 * int64_t{tm.trefi} + 1234;
  d.mem.advance_to(joulesim::Picoseconds{cycles * c.tck});
  // Channel i refreshes at k x tREFI + i x tREFI / channels, k >= 1.
  uint64_t expect = 0;
  for (uint32_t i = 0; i < s.dram.channels; ++i) {
    const int64_t offset = int64_t{i} * tm.trefi / s.dram.channels;
    expect += static_cast<uint64_t>((cycles - offset) / tm.trefi);
  }
  EXPECT_EQ(d.counts[Counter::kDramRefresh], expect);
  EXPECT_EQ(d.counts[Counter::kDramCycles], static_cast<uint64_t>(cycles));
  EXPECT_EQ(d.mem.next_event(), joulesim::Picoseconds::max()) << "idle refresh needs no events";
  EXPECT_TRUE(d.mem.idle());
}

TEST(MemDramTiming, ReadDuringRefreshWaitsForTrfc) {
  GpuSpec s;
  MemDriver d(s);
  const Clocks c(s);
  const auto& tm = s.dram.timing;
  AddressMap map(s);
  const uint64_t line = find_line(map, 0, [](const DramCoord& x) { return x.channel == 0; });
  // Channel 0's first refresh is due at cycle tREFI (banks idle, so REF issues then): a read
  // reaching the controller at that edge activates only at tREFI + tRFC.
  const int64_t noc = int64_t{s.noc.latency} * c.pl2;
  const int64_t flit = 32 * c.pl2 / s.noc.bytes_per_clk_per_port;
  const int64_t to_mc = noc + flit + (int64_t{s.l2.latency} * c.pc - 2 * (noc + flit)) / 2;
  const int64_t send = int64_t{tm.trefi} * c.tck - to_mc;  // arrives exactly on the REF edge
  const int64_t lat = d.latency(read_req(line * 128, 0x1, 0, 1), send);
  EXPECT_EQ(lat, int64_t{s.l2.latency} * c.pc +
                     int64_t{tm.trfc + tm.trcd + tm.tcl + tm.burst_cycles} * c.tck);
}

// Per-bank refresh (timing.trfcsb > 0): channel 0 refreshes bank k at (k + 1) x tREFI / banks
// (bank order 0, 1, ...), so a read to bank 0 arriving on its REFsb edge waits trfcsb, a read to
// bank 1 at that moment does not wait at all, and dram.ref counts whole rotations.
TEST(MemDramTiming, PerBankRefreshBlocksOnlyTheRefreshedBank) {
  GpuSpec s;
  s.dram.timing.trfcsb = 140;  // e.g. 160 ns at a 876 MHz tCK, rounded
  const Clocks c(s);
  const auto& tm = s.dram.timing;
  const int64_t interval = int64_t{tm.trefi} / s.dram.banks_per_channel;
  AddressMap map(s);
  const int64_t noc = int64_t{s.noc.latency} * c.pl2;
  const int64_t flit = 32 * c.pl2 / s.noc.bytes_per_clk_per_port;
  const int64_t to_mc = noc + flit + (int64_t{s.l2.latency} * c.pc - 2 * (noc + flit)) / 2;
  const int64_t send = interval * c.tck - to_mc;  // reaches channel 0 on bank 0's REFsb edge
  const int64_t idle =
      int64_t{s.l2.latency} * c.pc + int64_t{tm.trcd + tm.tcl + tm.burst_cycles} * c.tck;
  {
    MemDriver d(s);
    const uint64_t b0 =
        find_line(map, 0, [](const DramCoord& x) { return x.channel == 0 && x.bank == 0; });
    EXPECT_EQ(d.latency(read_req(b0 * 128, 0x1, 0, 1), send), idle + int64_t{tm.trfcsb} * c.tck);
  }
  {
    MemDriver d(s);
    const uint64_t b1 =
        find_line(map, 0, [](const DramCoord& x) { return x.channel == 0 && x.bank == 1; });
    EXPECT_EQ(d.latency(read_req(b1 * 128, 0x1, 0, 1), send), idle);
  }
  MemDriver d(s);
  const int64_t cycles = 3 * int64_t{tm.trefi} + 77;
  d.mem.advance_to(joulesim::Picoseconds{cycles * c.tck});
  uint64_t expect = 0;  // rotations of channel i: REFsb at k x interval + i x interval / C
  for (uint32_t i = 0; i < s.dram.channels; ++i) {
    const int64_t offset = int64_t{i} * interval / s.dram.channels;
    expect += static_cast<uint64_t>((cycles - offset) / interval) / s.dram.banks_per_channel;
  }
  EXPECT_EQ(d.counts[Counter::kDramRefresh], expect);
}
