// Node-scaling derivation: the committed GPU tables are exactly what the rule produces.
// Regenerate them with JOULESIM_REGENERATE_ENERGY_TABLES=1 (scripts/derive_energy_tables.sh).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>

#include "core/error.hpp"
#include "core/paths.hpp"
#include "energy/energy.hpp"
#include "energy_test_util.hpp"

namespace et = joulesim::energy_test;
using joulesim::energy::derive_table;
using joulesim::energy::stillmaker_energy_factor;

namespace {
const char* const kGenerations[] = {"volta-12nm", "ampere-7nm", "hopper-4n",  "blackwell-4np",
                                    "cdna2-6nm",  "cdna3-5nm",  "vsquant-5nm"};
}

TEST(EnergyDerive, StillmakerPolynomialMatchesThePaperExample) {
  const auto scaling = et::read_json(et::models_dir() / "energy" / "scaling.json");
  // Corrigendum worked example: EnergyFactor(HP32, 0.9 V) = 0.8367*0.81 - 0.4341*0.9 + 0.1701.
  const double hp32 = 0.8367 * 0.81 - 0.4341 * 0.9 + 0.1701;
  EXPECT_NEAR(hp32, 0.4571, 5e-5);
  const double hp45 = 1.018 * 0.81 - 0.3107 * 0.9 + 0.1539;
  EXPECT_NEAR(stillmaker_energy_factor(scaling, "HP32", 0.9, 0.9), hp32 / hp45, 1e-12);
  // 7 nm at 0.7 V vs 45 nm at 0.9 V, from the Table 5 coefficients.
  const double hp7 = 0.1776 * 0.49 - 0.09097 * 0.7 + 0.02447;
  EXPECT_NEAR(stillmaker_energy_factor(scaling, "HP7", 0.7, 0.9), hp7 / hp45, 1e-12);
  EXPECT_THROW(stillmaker_energy_factor(scaling, "HP3", 0.7, 0.9), joulesim::ConfigError);
}

TEST(EnergyDerive, CommittedTablesAreReproducedByTheRule) {
  const auto dir = et::models_dir() / "energy";
  const auto reference = et::read_json(dir / "reference-45nm.json");
  const auto scaling = et::read_json(dir / "scaling.json");
  const bool regenerate = std::getenv("JOULESIM_REGENERATE_ENERGY_TABLES") != nullptr;
  for (const char* name : kGenerations) {
    const auto input = et::read_json(dir / "derive" / (std::string(name) + ".json"));
    const auto derived = derive_table(reference, scaling, input);
    const auto path = dir / (std::string(name) + ".json");
    if (regenerate) joulesim::write_file_atomically(path, derived.dump(1) + "\n");
    ASSERT_TRUE(std::filesystem::exists(path)) << path;
    EXPECT_EQ(et::read_json(path), derived) << name << ": run scripts/derive_energy_tables.sh";
  }
}

TEST(EnergyDerive, LogicEntriesFollowTheStatedFactors) {
  const auto dir = et::models_dir() / "energy";
  const auto reference = et::read_json(dir / "reference-45nm.json");
  const auto scaling = et::read_json(dir / "scaling.json");
  const auto input = et::read_json(dir / "derive" / "hopper-4n.json");
  const auto t = derive_table(reference, scaling, input);
  const double v = input["reference_voltage_v"]["value"].get<double>();
  const double hp7 = 0.1776 * v * v - 0.09097 * v + 0.02447;
  const double hp45 = 1.018 * 0.81 - 0.3107 * 0.9 + 0.1539;
  const double sub7 =
      scaling["sub7nm_factors"][input["sub7nm_factor"].get<std::string>()]["value"].get<double>();
  // Hopper sits on the 4 nm calibration anchor.
  ASSERT_EQ(input["calibration"]["logic"], "from_anchors");
  double cal = 0;
  for (const auto& p : scaling["calibration_anchors"]["points"]) {
    if (p["node_nm"].get<double>() == 4) cal = p["logic"]["value"].get<double>();
  }
  ASSERT_GT(cal, 0);
  const double logic = hp7 / hp45 * sub7 * cal;
  const double ref_fma = et::tv(reference, "op_datapath_pj", "fp32_fma");
  EXPECT_NEAR(et::tv(t, "op_datapath_pj", "fp32_fma"), ref_fma * logic, 1e-5 * ref_fma * logic);
  const double ref_bf16 = et::tv(reference, "tensor_pj_per_flop", "bf16");
  EXPECT_NEAR(et::tv(t, "tensor_pj_per_flop", "bf16"), ref_bf16 * logic, 1e-5 * ref_bf16 * logic);
  // Wires scale with V^2 only.
  const double ref_flit = et::tv(reference, "actions_pj", "noc.flit");
  const double wire = (v / 0.9) * (v / 0.9) * input["calibration"]["wire"]["value"].get<double>();
  EXPECT_NEAR(et::tv(t, "actions_pj", "noc.flit"), ref_flit * wire, 1e-5 * ref_flit * wire);
  // DRAM and static figures are the input's own.
  EXPECT_EQ(t["dram"], input["dram"]);
  EXPECT_EQ(t["static"], input["static"]);
  // Every entry names how it was derived.
  EXPECT_NE(t["op_datapath_pj"]["fp32_fma"]["source"].get<std::string>().find("Stillmaker"),
            std::string::npos);
}

TEST(EnergyDerive, CalibrationIsLogLinearInNodeBetweenAnchors) {
  const auto dir = et::models_dir() / "energy";
  const auto reference = et::read_json(dir / "reference-45nm.json");
  const auto scaling = et::read_json(dir / "scaling.json");
  const auto& pts = scaling["calibration_anchors"]["points"];
  ASSERT_EQ(pts.size(), 2u);
  const double n0 = pts[0]["node_nm"].get<double>(), c0 = pts[0]["logic"]["value"].get<double>();
  const double n1 = pts[1]["node_nm"].get<double>(), c1 = pts[1]["logic"]["value"].get<double>();
  const auto ampere =
      derive_table(reference, scaling, et::read_json(dir / "derive" / "ampere-7nm.json"));
  const double f = (std::log(7.0) - std::log(n0)) / (std::log(n1) - std::log(n0));
  const double expect = std::exp(std::log(c0) + f * (std::log(c1) - std::log(c0)));
  EXPECT_NEAR(ampere["derivation"]["calibration"]["logic"]["value"].get<double>(), expect,
              1e-5 * expect);
  // Outside the anchors the nearest one holds: 28 nm lies beyond the 12 nm anchor (points[0]).
  auto big = et::read_json(dir / "derive" / "volta-12nm.json");
  big["node_nm"]["value"] = 28;
  const auto t = derive_table(reference, scaling, big);
  EXPECT_NEAR(t["derivation"]["calibration"]["logic"]["value"].get<double>(), c0, 1e-9);
}

TEST(EnergyDerive, BadInputIsRejectedWithTheKey) {
  const auto dir = et::models_dir() / "energy";
  const auto reference = et::read_json(dir / "reference-45nm.json");
  const auto scaling = et::read_json(dir / "scaling.json");
  auto input = et::read_json(dir / "derive" / "ampere-7nm.json");
  input["sub7nm_factor"] = "N1";
  try {
    derive_table(reference, scaling, input);
    FAIL() << "expected ConfigError";
  } catch (const joulesim::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("sub7nm_factor"), std::string::npos) << e.what();
  }
  input = et::read_json(dir / "derive" / "ampere-7nm.json");
  input["static"]["sm_leakage_w"].erase("source");
  EXPECT_THROW(derive_table(reference, scaling, input), joulesim::ConfigError);
}
