// Pricing a whole RunResult: per kernel and in total, energy and carbon.
#include "core/error.hpp"
#include "energy/energy.hpp"

namespace joulesim::energy {

namespace {

using nlohmann::json;

json co2_json(const Co2e& c) {
  return {{"operational", c.operational_g}, {"embodied", c.embodied_g}, {"total", c.total_g()}};
}

}  // namespace

PricingSetup pricing_setup(const config::GpuSpec& spec, const PriceOptions& options) {
  const std::string table_path =
      options.energy_table.empty() ? spec.power.energy_table : options.energy_table;
  if (table_path.empty()) {
    throw ConfigError("no energy table: set power.energy_table in the GPU config or pass --energy");
  }
  PricingSetup s{load_energy_table(table_path), Conditions{}, operating_point(spec)};
  s.cond.volts = s.op.volts > 0 ? s.op.volts : s.table.vref.value;
  s.cond.temperature_c = options.temperature_c.value_or(spec.power.temperature_c);
  return s;
}

std::string price_timeline_csv(const std::vector<Snapshot>& snapshots, const config::GpuSpec& spec,
                               const PriceOptions& options) {
  const PricingSetup setup = pricing_setup(spec, options);
  return timeline_csv(price_timeline(snapshots, setup.table, spec, setup.cond));
}

json price_run(const report::RunResult& result, const config::GpuSpec& spec,
               const PriceOptions& options) {
  const std::string table_path =
      options.energy_table.empty() ? spec.power.energy_table : options.energy_table;
  const PricingSetup setup = pricing_setup(spec, options);
  const EnergyTable& table = setup.table;
  const Conditions& cond = setup.cond;
  const OperatingPoint& op = setup.op;
  const GridTable grid = load_grid(options.grid_path);
  const EmbodiedTable embodied_table = load_embodied(options.embodied_path);
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
