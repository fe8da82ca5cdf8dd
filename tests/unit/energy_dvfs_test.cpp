// DVFS: voltage at the chosen core clock from the V-f table.
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "energy/energy.hpp"
#include "energy_test_util.hpp"

using joulesim::energy::operating_point;
namespace et = joulesim::energy_test;

namespace {
joulesim::config::GpuSpec vf_spec() {
  auto s = et::small_spec();
  s.clocks.core_mhz = 1800;
  s.dvfs.points = {{600, 0.70}, {1200, 0.80}, {1800, 1.00}};
  return s;
}
}  // namespace

TEST(EnergyDvfs, ExactPointsAndLinearInterpolation) {
  auto s = vf_spec();
  EXPECT_DOUBLE_EQ(operating_point(s).mhz, 1800);
  EXPECT_DOUBLE_EQ(operating_point(s).volts, 1.00);
  s.dvfs.core_mhz = 1200;
  EXPECT_DOUBLE_EQ(operating_point(s).volts, 0.80);
  s.dvfs.core_mhz = 1500;  // halfway between 1200 (0.80 V) and 1800 (1.00 V)
  EXPECT_NEAR(operating_point(s).volts, 0.90, 1e-12);
  s.dvfs.core_mhz = 750;  // a quarter of the way from 600 to 1200
  EXPECT_NEAR(operating_point(s).volts, 0.725, 1e-12);
  EXPECT_DOUBLE_EQ(operating_point(s).mhz, 750);
}

TEST(EnergyDvfs, BelowTheTableTheVoltageFloorHolds) {
  auto s = vf_spec();
  s.dvfs.core_mhz = 300;
  EXPECT_DOUBLE_EQ(operating_point(s).volts, 0.70);
}

TEST(EnergyDvfs, BadTablesAndClocksAreErrors) {
  auto s = vf_spec();
  s.dvfs.core_mhz = 2000;
  EXPECT_THROW(operating_point(s), joulesim::ConfigError);
  s = vf_spec();
  s.dvfs.points = {{1200, 0.8}, {600, 0.7}};
  EXPECT_THROW(operating_point(s), joulesim::ConfigError);
  s.dvfs.points = {{600, 0.0}};
  EXPECT_THROW(operating_point(s), joulesim::ConfigError);
}

TEST(EnergyDvfs, NoTableMeansTableReferenceVoltage) {
  auto s = et::small_spec();
  const auto op = operating_point(s);
  EXPECT_DOUBLE_EQ(op.mhz, 1000);
  EXPECT_EQ(op.volts, 0);
}

TEST(EnergyDvfs, LowerPointLowersDynamicEnergyPerTheTable) {
  // Same counts at 1200 MHz (0.80 V) vs 1800 MHz (1.00 V): dynamic energy ratio (0.8/1.0)^2.
  const auto table = joulesim::energy::load_energy_table("hopper-4n.json");
  joulesim::stats::ActivityCounts c;
  c.add_inst(joulesim::trace::OpClass::kFp32Fma, 100, 3200);
  auto s = vf_spec();
  const auto hi = joulesim::energy::price(c, 0, table, s, {operating_point(s).volts, 65});
  s.dvfs.core_mhz = 1200;
  const auto lo = joulesim::energy::price(c, 0, table, s, {operating_point(s).volts, 65});
  EXPECT_NEAR(lo.total_j / hi.total_j, 0.64, 1e-12);
}
