// Carbon: operational = J x PUE x intensity; embodied in the ACT style, charged by run time.
#include <gtest/gtest.h>

#include <cmath>

#include "core/error.hpp"
#include "energy/energy.hpp"
#include "energy_test_util.hpp"

namespace et = joulesim::energy_test;
using joulesim::energy::carbon;
using joulesim::energy::embodied_carbon;
using joulesim::energy::load_embodied;
using joulesim::energy::load_grid;

TEST(EnergyCarbon, OperationalIsEnergyTimesPueTimesIntensity) {
  const auto grid = load_grid("grid.json");
  const auto g = et::read_json(et::models_dir() / "carbon" / "grid.json");
  const double france = g["regions"]["france"]["value"].get<double>();
  EXPECT_DOUBLE_EQ(grid.intensity("France").value, france);
  // 3.6 MJ = 1 kWh.
  const auto c = carbon(3.6e6, 0, france, 1.5, {});
  EXPECT_NEAR(c.operational_g, france * 1.5, 1e-9);
  EXPECT_EQ(c.embodied_g, 0);
  EXPECT_THROW(grid.intensity("atlantis"), joulesim::ConfigError);
  EXPECT_DOUBLE_EQ(grid.default_pue.value, g["pue"]["default"]["value"].get<double>());
}

TEST(EnergyCarbon, EmbodiedFollowsTheActFormula) {
  const auto t = load_embodied("embodied.json");
  const auto j = et::read_json(et::models_dir() / "carbon" / "embodied.json");
  auto spec = et::small_spec();
  spec.chip.node_nm = 4;  // -> ACT 5nm
  spec.chip.die_area_mm2 = 814;
  spec.dram.type = "hbm3";
  spec.dram.capacity_gb = 80;
  spec.dram.channels = 160;  // 5 stacks of 32 pseudo-channels
  spec.core.dies = 1;
  const auto& n5 = j["logic_nodes"]["5nm"];
  const double yield = j["fab_yield"]["value"].get<double>();
  const double cpa = (j["fab_grid_g_per_kwh"]["value"].get<double>() *
                          n5["epa_kwh_per_cm2"]["value"].get<double>() +
                      n5["gpa_g_per_cm2"]["value"].get<double>() +
                      n5["materials_g_per_cm2"]["value"].get<double>()) /
                     yield;
  const auto e = embodied_carbon(t, spec);
  EXPECT_NEAR(e.die_g, cpa * 8.14, 1e-9);
  EXPECT_NEAR(e.memory_g, 80 * j["memory"]["hbm3"]["g_per_gb"]["value"].get<double>(), 1e-9);
  EXPECT_NEAR(e.packaging_g, 6 * j["packaging_g_per_ic"]["value"].get<double>() / yield, 1e-9);
  const double life_s = j["lifetime_years"]["value"].get<double>() * 365.25 * 86400;
  EXPECT_NEAR(e.lifetime_s, life_s, 1e-3);
  // One hour of a five-year device carries 1/(5*8766) of its embodied carbon.
  const auto c = carbon(0, 3600, 400, 1.2, e);
  EXPECT_NEAR(c.embodied_g, e.total_g() * 3600 / life_s, 1e-12 * e.total_g());
  // 12 nm maps to ACT's 14nm node, 6 nm to 7nm.
  spec.chip.node_nm = 12;
  const auto& n14 = j["logic_nodes"]["14nm"];
  EXPECT_NEAR(embodied_carbon(t, spec).die_g,
              (583 * n14["epa_kwh_per_cm2"]["value"].get<double>() +
               n14["gpa_g_per_cm2"]["value"].get<double>() + 500) /
                  yield * 8.14,
              1e-9);
  spec.dram.type = "sram-only";
  EXPECT_THROW(embodied_carbon(t, spec), joulesim::ConfigError);
}
