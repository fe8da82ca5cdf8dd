// Pricing a whole RunResult: per kernel and in total, energy and carbon.
#include "core/error.hpp"
#include "energy/energy.hpp"

namespace joulesim::energy {

namespace {

using nlohmann::json;

// A config number may be written plainly or as {"value": x, "source": "..."}.
const json* lookup(const json& config, const std::string& dotted) {
  const json* cur = &config;
  size_t start = 0;
  while (true) {
    const size_t dot = dotted.find('.', start);
    const std::string key =
        dotted.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!cur->is_object() || !cur->contains(key)) return nullptr;
    cur = &cur->at(key);
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (cur->is_object() && cur->contains("value")) cur = &cur->at("value");
  return cur;
}

template <typename T>
void read(const json& config, const std::string& key, T& out) {
  const json* v = lookup(config, key);
  if (v == nullptr) return;
  try {
    out = v->get<T>();
  } catch (const json::exception&) {
    throw ConfigError("config key '" + key + "' has the wrong type for pricing");
  }
}

json co2_json(const Co2e& c) {
  return {{"operational", c.operational_g}, {"embodied", c.embodied_g}, {"total", c.total_g()}};
}

}  // namespace

config::GpuSpec pricing_spec_from_config(const json& config) {
  if (!config.is_object()) throw ConfigError("the resolved config must be a JSON object");
  config::GpuSpec s;
  read(config, "name", s.name);
  read(config, "vendor", s.vendor);
  read(config, "core.sm_count", s.core.sm_count);
  read(config, "core.warp_size", s.core.warp_size);
  read(config, "core.dies", s.core.dies);
  read(config, "clocks.core_mhz", s.clocks.core_mhz);
  read(config, "clocks.base_mhz", s.clocks.base_mhz);
  read(config, "clocks.l2_mhz", s.clocks.l2_mhz);
  read(config, "clocks.dram_mhz", s.clocks.dram_mhz);
  read(config, "dvfs.core_mhz", s.dvfs.core_mhz);
  if (const json* pts = lookup(config, "dvfs.points"); pts != nullptr) {
    if (!pts->is_array())
      throw ConfigError("config key 'dvfs.points' must be an array of [mhz, volts]");
    for (size_t i = 0; i < pts->size(); ++i) {
      const json& p = (*pts)[i];
      config::DvfsPoint d;
      if (p.is_array() && p.size() == 2 && p[0].is_number() && p[1].is_number()) {
        d.mhz = p[0].get<double>();
        d.volts = p[1].get<double>();
      } else if (p.is_object() && p.contains("mhz") && p.contains("volts")) {
        d.mhz = p["mhz"].get<double>();
        d.volts = p["volts"].get<double>();
      } else {
        throw ConfigError("config key 'dvfs.points[" + std::to_string(i) +
                          "]' must be [mhz, volts] or {\"mhz\", \"volts\"}");
      }
      s.dvfs.points.push_back(d);
    }
  }
  read(config, "dram.type", s.dram.type);
  read(config, "dram.channels", s.dram.channels);
  read(config, "dram.atom_bytes", s.dram.atom_bytes);
  read(config, "dram.capacity_gb", s.dram.capacity_gb);
  read(config, "power.tdp_w", s.power.tdp_w);
  read(config, "power.energy_table", s.power.energy_table);
  read(config, "power.temperature_c", s.power.temperature_c);
  read(config, "power.dram_energy_scale", s.power.dram_energy_scale);
  read(config, "chip.process", s.chip.process);
  read(config, "chip.node_nm", s.chip.node_nm);
  read(config, "chip.die_area_mm2", s.chip.die_area_mm2);
  read(config, "chip.transistors_billion", s.chip.transistors_billion);
  return s;
}

void apply_set(json& config, const std::string& assignment) {
  const size_t eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw ConfigError("--set expects key=value (e.g. dvfs.core_mhz=1200), got '" + assignment +
                      "'");
  }
  const std::string key = assignment.substr(0, eq);
  const std::string text = assignment.substr(eq + 1);
  json value;
  try {
    value = json::parse(text);
  } catch (const json::parse_error&) {
    value = text;  // a bare word is a string
  }
  json* cur = &config;
  size_t start = 0;
  while (true) {
    const size_t dot = key.find('.', start);
    const std::string part =
        key.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (part.empty()) throw ConfigError("--set: empty component in key '" + key + "'");
    if (cur->is_null()) *cur = json::object();
    if (!cur->is_object()) throw ConfigError("--set: '" + key + "' goes through a non-object");
    if (dot == std::string::npos) {
      json& slot = (*cur)[part];
      // Keep the {"value", "source"} form where the config uses it.
      if (slot.is_object() && slot.contains("value") && !value.is_object()) {
        slot["value"] = value;
        slot["source"] = "--set " + assignment;
      } else {
        slot = value;
      }
      return;
    }
    cur = &(*cur)[part];
    start = dot + 1;
  }
}

json price_run(const report::RunResult& result, const config::GpuSpec& spec,
               const PriceOptions& options) {
  const std::string table_path =
      options.energy_table.empty() ? spec.power.energy_table : options.energy_table;
  if (table_path.empty()) {
    throw ConfigError("no energy table: set power.energy_table in the GPU config or pass --energy");
  }
  const EnergyTable table = load_energy_table(table_path);
  const GridTable grid = load_grid(options.grid_path);
  const EmbodiedTable embodied_table = load_embodied(options.embodied_path);
  const OperatingPoint op = operating_point(spec);
  Conditions cond;
  cond.volts = op.volts > 0 ? op.volts : table.vref.value;
  cond.temperature_c = options.temperature_c.value_or(spec.power.temperature_c);
  const Entry& intensity = grid.intensity(options.region);
  const std::string region = options.region.empty() ? grid.default_region : options.region;
  const double pue = options.pue.value_or(grid.default_pue.value);
  if (!(pue >= 1.0)) throw ConfigError("PUE must be >= 1, got " + std::to_string(pue));
  const EmbodiedCarbon device = embodied_carbon(embodied_table, spec);

  json out;
  out["conditions"] = {
      {"energy_table", table.name},
      {"energy_table_path", table_path},
      {"core_mhz", op.mhz},
      {"volts", cond.volts},
      {"volts_source", op.volts > 0 ? "dvfs.points" : "energy table reference voltage"},
      {"temperature_c", cond.temperature_c},
      {"region", region},
      {"grid_g_per_kwh", intensity.value},
      {"pue", pue},
      {"device_embodied_g",
       {{"die", device.die_g},
        {"memory", device.memory_g},
        {"packaging", device.packaging_g},
        {"total", device.total_g()}}},
      {"device_lifetime_s", device.lifetime_s}};
  EnergyBreakdown total;
  json kernels = json::array();
  for (const auto& k : result.kernels) {
    const EnergyBreakdown e = price(k.counts, k.time_ps, table, spec, cond);
    json kj = to_json(e);
    kj["name"] = k.name;
    kj["id"] = k.id;
    kj["co2e_g"] = co2_json(carbon(e.total_j, e.time_s, intensity.value, pue, device));
    kernels.push_back(std::move(kj));
    total += e;
  }
  json tj = to_json(total);
  tj["co2e_g"] = co2_json(carbon(total.total_j, total.time_s, intensity.value, pue, device));
  out["total"] = std::move(tj);
  out["kernels"] = std::move(kernels);
  return out;
}

}  // namespace joulesim::energy
