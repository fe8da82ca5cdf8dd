// Re-priced points: each pricing axis moves exactly the energy it should (computed by hand from
// the stand-in's counts), and a re-priced point equals what the energy subsystem's own price_run
// gives for the same counts and config.
#include <gtest/gtest.h>

#include <fstream>

#include "config/config.hpp"
#include "core/paths.hpp"
#include "energy/energy.hpp"
#include "sweep_test_util.hpp"

namespace joulesim::sweep {
namespace {

using nlohmann::json;
using testing::chain_workload;
using testing::stand_in;

Plan plan_of(const json& axes, const json& set = json::object()) {
  const json spec = {{"name", "pricing"},
                     {"gpu", "h100"},
                     {"set", set},
                     {"workloads", {chain_workload("a", 2)}},
                     {"axes", axes}};
  return make_plan(parse_spec(spec, "spec.json"));
}

/// The result line of every point, each priced from its group's stand-in simulation.
std::vector<json> lines_of(const Plan& p) {
  std::vector<json> out;
  for (const auto& pt : p.points) {
    const SimGroup& g = p.sims[pt.group];
    out.push_back(json::parse(result_line(p, pt, stand_in(*g.timing, pt.workload))));
  }
  return out;
}

double comp(const json& line, const char* name) {
  return line["energy_by_component"][name].get<double>();
}

TEST(SweepPricing, DramEnergyPerBitMovesOnlyDramDynamic) {
  const Plan p = plan_of({{"energy.dram.read_pj_per_bit", {3, 6}}});
  ASSERT_EQ(p.sims.size(), 1u);
  const auto l = lines_of(p);
  // Stand-in: n = 2 -> 2000 cycles -> 80 read bursts of 32 B (H100 dram.atom_bytes).
  const double expect = 80 * 32 * 8 * (6.0 - 3.0) * 1e-12;
  EXPECT_NEAR(comp(l[1], "dram_dynamic") - comp(l[0], "dram_dynamic"), expect, expect * 1e-9);
  EXPECT_NEAR(l[1]["metrics"]["energy_j"].get<double>() - l[0]["metrics"]["energy_j"].get<double>(),
              expect, expect * 1e-6);
  EXPECT_EQ(comp(l[1], "register_file"), comp(l[0], "register_file"));
  EXPECT_EQ(l[1]["metrics"]["time_s"], l[0]["metrics"]["time_s"]);
  EXPECT_EQ(l[1]["evaluation"], "repriced");
}

TEST(SweepPricing, DramEnergyScaleHalvesDramDynamic) {
  const Plan p = plan_of({{"power.dram_energy_scale", {1.0, 0.5}}});
  ASSERT_EQ(p.sims.size(), 1u);
  const auto l = lines_of(p);
  EXPECT_GT(comp(l[0], "dram_dynamic"), 0);
  EXPECT_DOUBLE_EQ(comp(l[1], "dram_dynamic"), 0.5 * comp(l[0], "dram_dynamic"));
  EXPECT_EQ(comp(l[1], "dram_background"), comp(l[0], "dram_background"));
}

TEST(SweepPricing, PueScalesOperationalCarbon) {
  const Plan p = plan_of({{"carbon.pue", {1.0, 1.5}}, {"carbon.region", {"france", "world"}}});
  ASSERT_EQ(p.sims.size(), 1u);
  const auto l = lines_of(p);
  std::ifstream in(data_root() / "models" / "carbon" / "grid.json");
  const json grid = json::parse(in);
  for (const auto& line : l) {
    const double pue = line["conditions"]["pue"].get<double>();
    const std::string region = line["conditions"]["region"].get<std::string>();
    const double g_per_kwh = grid["regions"][region]["value"].get<double>();
    const double e = line["metrics"]["energy_j"].get<double>();
    EXPECT_NEAR(line["co2e_g"]["operational"].get<double>(), e / 3.6e6 * pue * g_per_kwh,
                1e-12 * e);
    EXPECT_EQ(line["metrics"]["energy_j"], l[0]["metrics"]["energy_j"]);
    EXPECT_EQ(line["co2e_g"]["embodied"], l[0]["co2e_g"]["embodied"]);
  }
}

TEST(SweepPricing, VoltageAtFixedClockScalesDynamicEnergyBySquare) {
  const json set = {{"dvfs.core_mhz", 1830}};
  const Plan p = plan_of({{"dvfs.points",
                           {json::parse("[[1000,0.7],[1830,0.89],[1980,0.95]]"),
                            json::parse("[[1000,0.7],[1830,0.80],[1980,0.95]]")}}},
                         set);
  ASSERT_EQ(p.sims.size(), 1u);  // the voltage does not change timing
  const auto l = lines_of(p);
  EXPECT_EQ(l[0]["conditions"]["volts"], 0.89);
  EXPECT_EQ(l[1]["conditions"]["volts"], 0.80);
  const double ratio = (0.80 / 0.89) * (0.80 / 0.89);
  EXPECT_NEAR(comp(l[1], "register_file") / comp(l[0], "register_file"), ratio, 1e-12);
  EXPECT_NEAR(comp(l[1], "sm_clock") / comp(l[0], "sm_clock"), ratio, 1e-12);
  EXPECT_EQ(comp(l[1], "dram_dynamic"), comp(l[0], "dram_dynamic"));  // own rail
  EXPECT_EQ(l[1]["metrics"]["time_s"], l[0]["metrics"]["time_s"]);
}

TEST(SweepPricing, MetricsFollowFromTimeAndEnergy) {
  const Plan p = plan_of({{"dvfs.core_mhz", {1000, 1400}}});
  const auto l = lines_of(p);
  for (size_t i = 0; i < 2; ++i) {
    const json& m = l[i]["metrics"];
    const double mhz = i == 0 ? 1000 : 1400;
    EXPECT_NEAR(m["time_s"].get<double>(), 2000 / (mhz * 1e6), 1e-12 * 2000 / (mhz * 1e6) + 1e-12);
    const double t = m["time_s"], e = m["energy_j"];
    EXPECT_DOUBLE_EQ(m["avg_power_w"].get<double>(), e / t);
    EXPECT_DOUBLE_EQ(m["edp_js"].get<double>(), e * t);
    EXPECT_DOUBLE_EQ(m["ed2p_js2"].get<double>(), e * t * t);
    EXPECT_EQ(m["energy_per_flop_pj"], 0.0);  // no tensor FLOPs in the stand-in
    EXPECT_EQ(l[i]["cycles"], 2000);
  }
}

TEST(SweepPricing, RepricedPointEqualsEnergySubsystemPriceRun) {
  const json set = {{"carbon.region", "germany"}, {"carbon.pue", 1.3}};
  const Plan p = plan_of({{"dvfs.core_mhz", {1000, 1600}}, {"power.temperature_c", {40, 90}}}, set);
  ASSERT_EQ(p.sims.size(), 2u);
  for (const auto& pt : p.points) {
    const report::RunResult run = stand_in(*p.sims[pt.group].timing, pt.workload);
    const json line = json::parse(result_line(p, pt, run));
    // Independently: load the full config and price with the energy subsystem.
    const config::LoadedGpu full = config::load_gpu(
        "h100", {"dvfs.core_mhz=" + pt.coords["dvfs.core_mhz"].dump(),
                 "power.temperature_c=" + pt.coords["power.temperature_c"].dump()});
    energy::PriceOptions opt;
    opt.energy_table = (data_root() / full.spec.power.energy_table).string();
    opt.region = "germany";
    opt.pue = 1.3;
    const json priced = energy::price_run(run, full.spec, opt);
    EXPECT_EQ(line["metrics"]["energy_j"], priced["total"]["energy_j"]) << pt.coords;
    EXPECT_EQ(line["co2e_g"]["operational"], priced["total"]["co2e_g"]["operational"]);
    EXPECT_EQ(line["co2e_g"]["embodied"], priced["total"]["co2e_g"]["embodied"]);
    EXPECT_EQ(line["energy_by_component"], priced["total"]["energy_by_component"]);
  }
}

}  // namespace
}  // namespace joulesim::sweep
