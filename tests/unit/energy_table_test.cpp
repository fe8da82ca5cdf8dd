// Energy tables: every committed table parses; bad tables are rejected naming the key.
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "energy/energy.hpp"
#include "energy_test_util.hpp"

namespace et = joulesim::energy_test;
using joulesim::energy::parse_energy_table;

TEST(EnergyTable, EveryCommittedTableLoadsWithSources) {
  int n = 0;
  for (const auto& f : std::filesystem::directory_iterator(et::models_dir() / "energy")) {
    if (f.path().extension() != ".json" || f.path().filename() == "scaling.json") continue;
    const auto t = joulesim::energy::load_energy_table(f.path());
    EXPECT_FALSE(t.name.empty());
    EXPECT_EQ(t.name + ".json", f.path().filename().string());
    for (const auto& e : t.op_datapath_pj) EXPECT_FALSE(e.source.empty());
    ++n;
  }
  EXPECT_EQ(n, 9);  // reference + 7 generations + volta-12nm-calibrated (joulesim calibrate)
}

namespace {
std::string error_of(const nlohmann::json& j) {
  try {
    parse_energy_table(j, "t.json");
  } catch (const joulesim::ConfigError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(EnergyTable, MissingSourceWrongUnitAndUnknownKeysAreErrors) {
  const auto good = et::table_json("reference-45nm");
  EXPECT_EQ(error_of(good), "");
  auto j = good;
  j["op_datapath_pj"]["fp32_fma"]["source"] = "";
  EXPECT_NE(error_of(j).find("op_datapath_pj.fp32_fma.source"), std::string::npos) << error_of(j);
  j = good;
  j["actions_pj"]["l2.read_hit"]["unit"] = "nJ";
  EXPECT_NE(error_of(j).find("actions_pj.l2.read_hit.unit"), std::string::npos) << error_of(j);
  j = good;
  j["actions_pj"]["l2.read_hitt"] = j["actions_pj"]["l2.read_hit"];
  EXPECT_NE(error_of(j).find("l2.read_hitt"), std::string::npos) << error_of(j);
  j = good;
  j["tensor_pj_per_flop"].erase("fp8");
  EXPECT_NE(error_of(j).find("tensor_pj_per_flop.fp8"), std::string::npos) << error_of(j);
  j = good;
  j["register_file"]["read_pj_per_lane"]["value"] = -1;
  EXPECT_NE(error_of(j).find("register_file.read_pj_per_lane.value"), std::string::npos);
  EXPECT_THROW(joulesim::energy::load_energy_table("no-such-table.json"), joulesim::Error);
}
