// Carbon: operational (energy x PUE x grid intensity) and ACT-style embodied carbon.
#include <algorithm>
#include <cctype>
#include <cmath>

#include "core/error.hpp"
#include "core/paths.hpp"
#include "energy/energy.hpp"
#include "energy/internal.hpp"

namespace joulesim::energy {

namespace {

using nlohmann::json;

constexpr double kSecondsPerYear = 365.25 * 24 * 3600;

std::filesystem::path resolve_carbon_path(const std::filesystem::path& path) {
  if (std::filesystem::exists(path)) return path;
  auto under = data_root() / "models" / "carbon" / path;
  if (std::filesystem::exists(under)) return under;
  throw Error("carbon table not found: '" + path.string() + "' (also looked in " +
              (data_root() / "models" / "carbon").string() + ")");
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

}  // namespace

const Entry& GridTable::intensity(const std::string& region) const {
  const std::string want = lower(region.empty() ? default_region : region);
  for (const auto& [name, e] : regions) {
    if (name == want) return e;
  }
  std::string known;
  for (const auto& [name, e] : regions) known += (known.empty() ? "" : ", ") + name;
  throw ConfigError("unknown grid region '" + region + "' (known: " + known + ")");
}

GridTable load_grid(const std::filesystem::path& path) {
  const auto file = resolve_carbon_path(path);
  const std::string where = file.string();
  const json j = read_json_file(file);
  check_keys(j, {"description", "default_region", "pue", "regions"}, where, "");
  GridTable g;
  if (!j.contains("regions") || !j["regions"].is_object() || j["regions"].empty()) {
    throw ConfigError(where + ": 'regions' must be a non-empty object");
  }
  for (const auto& [name, v] : j["regions"].items()) {
    g.regions.emplace_back(lower(name),
                           read_entry(j["regions"], name, "gCO2e/kWh", where, "regions"));
  }
  if (!j.contains("pue") || !j["pue"].is_object())
    throw ConfigError(where + ": missing object 'pue'");
  check_keys(j["pue"], {"default"}, where, "pue");
  g.default_pue = read_entry(j["pue"], "default", "ratio", where, "pue");
  if (g.default_pue.value < 1) throw ConfigError(where + ": 'pue.default.value' must be >= 1");
  if (!j.contains("default_region") || !j["default_region"].is_string()) {
    throw ConfigError(where + ": 'default_region' must be a string");
  }
  g.default_region = j["default_region"].get<std::string>();
  g.intensity(g.default_region);  // must exist
  return g;
}

EmbodiedTable load_embodied(const std::filesystem::path& path) {
  const auto file = resolve_carbon_path(path);
  const std::string where = file.string();
  json j = read_json_file(file);
  check_keys(j,
             {"description", "lifetime_years", "fab_grid_g_per_kwh", "fab_yield",
              "packaging_g_per_ic", "node_rule", "logic_nodes", "memory"},
             where, "");
  read_entry(j, "lifetime_years", "years", where, "");
  read_entry(j, "fab_grid_g_per_kwh", "gCO2e/kWh", where, "");
  read_entry(j, "packaging_g_per_ic", "gCO2e", where, "");
  if (read_entry(j, "fab_yield", "ratio", where, "").value <= 0 ||
      j["lifetime_years"]["value"] <= 0) {
    throw ConfigError(where + ": fab_yield and lifetime_years must be > 0");
  }
  if (!j.contains("logic_nodes") || !j["logic_nodes"].is_object() || j["logic_nodes"].empty()) {
    throw ConfigError(where + ": 'logic_nodes' must be a non-empty object");
  }
  for (const auto& [name, n] : j["logic_nodes"].items()) {
    const std::string p = "logic_nodes." + name;
    check_keys(n, {"nm", "epa_kwh_per_cm2", "gpa_g_per_cm2", "materials_g_per_cm2"}, where, p);
    if (!n.contains("nm") || !n["nm"].is_number())
      throw ConfigError(where + ": '" + p + ".nm' must be a number");
    read_entry(n, "epa_kwh_per_cm2", "kWh/cm2", where, p);
    read_entry(n, "gpa_g_per_cm2", "g/cm2", where, p);
    read_entry(n, "materials_g_per_cm2", "g/cm2", where, p);
  }
  if (!j.contains("memory") || !j["memory"].is_object())
    throw ConfigError(where + ": missing object 'memory'");
  for (const auto& [name, m] : j["memory"].items()) {
    const std::string p = "memory." + name;
    check_keys(m, {"g_per_gb", "channels_per_ic"}, where, p);
    read_entry(m, "g_per_gb", "g/GB", where, p);
    if (!m.contains("channels_per_ic") || !m["channels_per_ic"].is_number_unsigned()) {
      throw ConfigError(where + ": '" + p +
                        ".channels_per_ic' must be a non-negative integer (0: on-die memory)");
    }
  }
  return EmbodiedTable{std::move(j)};
}

EmbodiedCarbon embodied_carbon(const EmbodiedTable& t, const config::GpuSpec& spec) {
  const json& j = t.raw;
  // The ACT node at or above the chip's node (4 nm-class custom processes are N5 family).
  const json* node = nullptr;
  double best_nm = 0;
  for (const auto& [name, n] : j["logic_nodes"].items()) {
    const double nm = n["nm"].get<double>();
    if (nm + 1e-9 >= spec.chip.node_nm && (node == nullptr || nm < best_nm)) {
      node = &n;
      best_nm = nm;
    }
  }
  if (node == nullptr) {
    throw ConfigError("chip.node_nm = " + std::to_string(spec.chip.node_nm) +
                      " is larger than every logic node in embodied.json");
  }
  const double fab_ci = j["fab_grid_g_per_kwh"]["value"].get<double>();
  const double yield = j["fab_yield"]["value"].get<double>();
  const double cpa = (fab_ci * (*node)["epa_kwh_per_cm2"]["value"].get<double>() +
                      (*node)["gpa_g_per_cm2"]["value"].get<double>() +
                      (*node)["materials_g_per_cm2"]["value"].get<double>()) /
                     yield;
  EmbodiedCarbon c;
  c.die_g = cpa * spec.chip.die_area_mm2 / 100.0;
  const std::string type = lower(spec.dram.type);
  if (!j["memory"].contains(type)) {
    std::string known;
    for (const auto& [name, m] : j["memory"].items()) known += (known.empty() ? "" : ", ") + name;
    throw ConfigError("dram.type '" + spec.dram.type +
                      "' has no embodied-carbon factor (known: " + known + ")");
  }
  const json& mem = j["memory"][type];
  c.memory_g = mem["g_per_gb"]["value"].get<double>() * spec.dram.capacity_gb;
  const double per_ic = mem["channels_per_ic"].get<double>();
  const double memory_ics = per_ic > 0 ? std::ceil(spec.dram.channels / per_ic) : 0.0;
  const double ics = spec.core.dies + memory_ics;
  c.packaging_g = ics * j["packaging_g_per_ic"]["value"].get<double>() / yield;
  c.lifetime_s = j["lifetime_years"]["value"].get<double>() * kSecondsPerYear;
  return c;
}

Co2e carbon(double energy_j, double time_s, double grid_g_per_kwh, double pue,
            const EmbodiedCarbon& device) {
  Co2e c;
  c.operational_g = energy_j / 3.6e6 * pue * grid_g_per_kwh;
  c.embodied_g = device.lifetime_s > 0 ? device.total_g() * (time_s / device.lifetime_s) : 0;
  return c;
}

}  // namespace joulesim::energy
