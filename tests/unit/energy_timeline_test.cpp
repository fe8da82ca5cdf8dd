// Power timeline: intervals priced from snapshots; average power = energy / time.
#include <gtest/gtest.h>

#include <sstream>

#include "core/error.hpp"
#include "energy/energy.hpp"
#include "energy_test_util.hpp"

using joulesim::energy::price;
using joulesim::energy::price_timeline;
using joulesim::energy::Snapshot;
using joulesim::stats::Counter;
namespace et = joulesim::energy_test;

namespace {
std::vector<Snapshot> ramp() {
  std::vector<Snapshot> s;
  joulesim::stats::ActivityCounts c;
  int64_t t = 0;
  for (int i = 1; i <= 5; ++i) {
    c.add_inst(joulesim::trace::OpClass::kFp32Fma, 100000 * i * i,
               3200000 * i * i);  // busier per ps
    c[Counter::kSmActiveCycles] += 4000;
    c[Counter::kDramReadBurst] += 10000 * i * i;
    t += 1'000'000 * i;  // uneven intervals
    s.push_back({t, c});
  }
  return s;
}
}  // namespace

TEST(EnergyTimeline, IntervalsSumToTheWholeAndAverageIsEnergyOverTime) {
  const auto table = joulesim::energy::load_energy_table("hopper-4n.json");
  const auto spec = et::small_spec();
  const auto snaps = ramp();
  const auto samples = price_timeline(snaps, table, spec, {0, 65});
  ASSERT_EQ(samples.size(), 5u);
  const auto whole = price(snaps.back().counts, snaps.back().time_ps, table, spec, {0, 65});
  double energy = 0, weighted = 0, time = 0;
  for (const auto& s : samples) {
    energy += s.energy.total_j;
    weighted += s.power_w() * s.energy.time_s;
    time += s.energy.time_s;
  }
  EXPECT_NEAR(energy, whole.total_j, 1e-12 * whole.total_j);
  EXPECT_NEAR(weighted / time, whole.total_j / whole.time_s, 1e-9 * whole.avg_power_w());
  EXPECT_LT(samples.front().power_w(), samples.back().power_w());  // the ramp shows
  EXPECT_EQ(samples[1].start_ps, samples[0].end_ps);
}

TEST(EnergyTimeline, CsvHasOneRowPerIntervalAndComponentColumns) {
  const auto table = joulesim::energy::load_energy_table("hopper-4n.json");
  const auto samples = price_timeline(ramp(), table, et::small_spec(), {0, 65});
  const std::string csv = joulesim::energy::timeline_csv(samples);
  std::istringstream in(csv);
  std::string header, line;
  std::getline(in, header);
  EXPECT_EQ(header.rfind("start_s,end_s,power_w,energy_j,sm_datapath_w", 0), 0u) << header;
  int rows = 0;
  while (std::getline(in, line)) ++rows;
  EXPECT_EQ(rows, 5);
}

TEST(EnergyTimeline, NonCumulativeSnapshotsAreRejected) {
  const auto table = joulesim::energy::load_energy_table("hopper-4n.json");
  auto snaps = ramp();
  std::swap(snaps[1].counts, snaps[2].counts);
  EXPECT_THROW(price_timeline(snaps, table, et::small_spec(), {0, 65}), joulesim::Error);
  snaps = ramp();
  snaps[3].time_ps = 1;
  EXPECT_THROW(price_timeline(snaps, table, et::small_spec(), {0, 65}), joulesim::Error);
}
