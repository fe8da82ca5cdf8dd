#pragma once
// Helpers shared by the energy tests: table JSON access and small GPU specs.
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "config/gpu_spec.hpp"

namespace joulesim::energy_test {

inline std::filesystem::path models_dir() {
  return std::filesystem::path(JOULESIM_SOURCE_DIR) / "models";
}

inline nlohmann::json read_json(const std::filesystem::path& p) {
  std::ifstream in(p);
  return nlohmann::json::parse(in);
}

/// The raw JSON of models/energy/<name>.json (tests read expectations from it directly).
inline nlohmann::json table_json(const std::string& name) {
  return read_json(models_dir() / "energy" / (name + ".json"));
}

/// value of a table entry at a dotted section path, e.g. tv(t, "overhead",
/// "lane_pj_per_thread_inst").
inline double tv(const nlohmann::json& t, const std::string& section, const std::string& key) {
  return t.at(section).at(key).at("value").get<double>();
}

/// A small GPU spec: @p sms SMs, HBM with @p channels channels, no V-f table.
inline config::GpuSpec small_spec(uint32_t sms = 4, uint32_t channels = 8) {
  config::GpuSpec s;
  s.name = "test";
  s.core.sm_count = sms;
  s.core.warp_size = 32;
  s.dram.channels = channels;
  s.dram.atom_bytes = 32;
  s.dram.type = "hbm3";
  s.dram.capacity_gb = 16;
  s.chip.node_nm = 4;
  s.chip.die_area_mm2 = 800;
  s.clocks.core_mhz = 1000;
  return s;
}

}  // namespace joulesim::energy_test
