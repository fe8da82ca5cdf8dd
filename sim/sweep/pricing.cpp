// Pricing contexts (energy table with entry overrides, V-f point, grid, PUE, embodied carbon),
// built once per point by make_plan(), and the pure pricing of a simulation for a point.
#include <cstdio>
#include <fstream>

#include "core/error.hpp"
#include "core/paths.hpp"
#include "sweep/internal.hpp"

namespace joulesim::sweep {
namespace fs = std::filesystem;
using nlohmann::json;

namespace detail {

std::string hash_hex(std::string_view text) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

namespace {

/// A config's power.energy_table is written relative to the data root; a sweep may also give a
/// file name under models/energy or a path relative to the working folder.
fs::path table_file(const std::string& path) {
  if (fs::path(path).is_relative() && fs::exists(data_root() / path)) return data_root() / path;
  return energy::resolve_table_path(path);
}

json read_json(const fs::path& file) {
  std::ifstream in(file);
  if (!in) throw Error("cannot read " + file.string());
  try {
    return json::parse(in);
  } catch (const json::parse_error& e) {
    throw ConfigError(file.string() + ": invalid JSON: " + e.what());
  }
}

/// Finds the entry "a.b.c" in a table document; entry names may themselves hold dots
/// ("actions_pj.dram.act"). Returns nullptr when there is none.
json* find_entry(json& doc, std::string_view path) {
  json* cur = &doc;
  std::string rest(path);
  while (true) {
    if (!cur->is_object()) return nullptr;
    if (cur->contains(rest)) {
      json& leaf = (*cur)[rest];
      return leaf.is_object() && leaf.contains("value") ? &leaf : nullptr;
    }
    const size_t dot = rest.find('.');
    if (dot == std::string::npos) return nullptr;
    const std::string head = rest.substr(0, dot);
    if (!cur->contains(head)) return nullptr;
    cur = &(*cur)[head];
    rest = rest.substr(dot + 1);
  }
}

/// Every numeric entry path of a table document, for "unknown entry" messages.
void entry_paths(const json& j, const std::string& prefix, std::vector<std::string>& out) {
  if (!j.is_object()) return;
  if (j.contains("value") && j["value"].is_number()) {
    out.push_back(prefix);
    return;
  }
  for (const auto& [k, v] : j.items()) {
    if (k == "derivation") continue;
    entry_paths(v, prefix.empty() ? k : prefix + "." + k, out);
  }
}

}  // namespace

PricingCache::PricingCache()
    : grid_(energy::load_grid("grid.json")), embodied_(energy::load_embodied("embodied.json")) {}

std::shared_ptr<const energy::EnergyTable> PricingCache::table(
    const std::string& path, const std::vector<Assignment>& entries, const std::string& where) {
  std::string key = path;
  for (const auto& [k, v] : entries) key += "\n" + k + "=" + v.dump();
  if (auto it = tables_.find(key); it != tables_.end()) return it->second;

  const fs::path file = table_file(path);
  auto doc_it = docs_.find(file.string());
  if (doc_it == docs_.end()) doc_it = docs_.emplace(file.string(), read_json(file)).first;
  json doc = doc_it->second;
  for (const auto& [k, v] : entries) {
    const std::string entry = k.substr(std::string_view("energy.").size());
    json* leaf = find_entry(doc, entry);
    if (leaf == nullptr || !(*leaf)["value"].is_number()) {
      std::vector<std::string> all;
      entry_paths(doc_it->second, "", all);
      // Point at the entries of the section the user named, else at the sections.
      const std::string section = entry.substr(0, entry.find('.'));
      std::string list;
      for (const auto& p : all) {
        if (p.compare(0, section.size() + 1, section + ".") == 0 || p == section)
          list += (list.empty() ? "" : ", ") + std::string("energy.") + p;
      }
      if (list.empty()) {
        std::vector<std::string> sections;
        for (const auto& p : all) {
          const std::string s = p.substr(0, p.find('.'));
          if (sections.empty() || sections.back() != s) sections.push_back(s);
        }
        for (const auto& s : sections) list += (list.empty() ? "" : ", ") + ("energy." + s);
      }
      throw ConfigError(where + k + ": no numeric entry '" + entry + "' in energy table " +
                        file.string() + "; entries here: " + list);
    }
    if (!v.is_number()) {
      throw ConfigError(where + k + ": an energy-table entry takes a number, got " + v.dump());
    }
    (*leaf)["value"] = v;
    (*leaf)["source"] = "sweep axis " + k;
  }
  energy::EnergyTable t;
  try {
    t = energy::parse_energy_table(doc, file.string());
  } catch (const Error& e) {
    if (entries.empty()) throw;
    throw ConfigError(where + "energy-table entry overrides: " + e.what());
  }
  auto shared = std::make_shared<const energy::EnergyTable>(std::move(t));
  tables_.emplace(key, shared);
  return shared;
}

std::shared_ptr<const PricingContext> PricingCache::make(const config::GpuSpec& spec,
                                                         const std::vector<Assignment>& pseudo,
                                                         const std::string& region,
                                                         std::optional<double> pue,
                                                         const std::string& where) {
  auto ctx = std::make_shared<PricingContext>();
  ctx->spec = spec;
  std::vector<Assignment> entries;
  std::string reg = region;
  for (const auto& [k, v] : pseudo) {
    if (k == "carbon.region") {
      if (!v.is_string()) throw ConfigError(where + k + ": expected a region name (a string)");
      reg = v.get<std::string>();
    } else if (k == "carbon.pue") {
      if (!v.is_number()) throw ConfigError(where + k + ": expected a number >= 1");
      pue = v.get<double>();
    } else if (k.compare(0, 7, "energy.") == 0) {
      entries.emplace_back(k, v);
    } else {
      throw ConfigError(where + k +
                        ": unknown key; the sweep's pricing keys are carbon.region, "
                        "carbon.pue and energy.<table entry>");
    }
  }
  ctx->table_path = spec.power.energy_table;
  if (ctx->table_path.empty())
    throw ConfigError(where + "power.energy_table: the GPU config names no energy table");
  ctx->table = table(ctx->table_path, entries, where);
  try {
    ctx->op = energy::operating_point(spec);
  } catch (const Error& e) {
    throw ConfigError(where + "dvfs: " + e.what());
  }
  ctx->cond.volts = ctx->op.volts > 0 ? ctx->op.volts : ctx->table->vref.value;
  ctx->cond.temperature_c = spec.power.temperature_c;
  try {
    ctx->grid_g_per_kwh = grid_.intensity(reg).value;
  } catch (const Error& e) {
    throw ConfigError(where + "carbon.region: " + e.what());
  }
  ctx->region = reg.empty() ? grid_.default_region : reg;
  ctx->pue = pue.value_or(grid_.default_pue.value);
  if (!(ctx->pue >= 1.0 && ctx->pue <= 10.0)) {
    throw ConfigError(where + "carbon.pue: expected a number in [1, 10], got " +
                      json(ctx->pue).dump());
  }
  ctx->device = energy::embodied_carbon(embodied_, spec);
  return ctx;
}

}  // namespace detail

namespace {

struct Priced {
  energy::EnergyBreakdown energy;
  energy::Co2e co2;
  uint64_t flops = 0, warp_insts = 0, cycles = 0;
  Metrics m;
};

Priced price(const PricingContext& c, const report::RunResult& run) {
  Priced p;
  for (const auto& k : run.kernels) {
    p.energy += energy::price(k.counts, k.time_ps, *c.table, c.spec, c.cond);
    for (uint64_t f : k.counts.tensor_flops) p.flops += f;
    p.warp_insts += k.counts.total_warp_insts();
    p.cycles += k.cycles;
  }
  p.co2 = energy::carbon(p.energy.total_j, p.energy.time_s, c.grid_g_per_kwh, c.pue, c.device);
  Metrics& m = p.m;
  m.time_s = p.energy.time_s;
  m.energy_j = p.energy.total_j;
  m.avg_power_w = p.energy.avg_power_w();
  m.edp_js = m.energy_j * m.time_s;
  m.ed2p_js2 = m.energy_j * m.time_s * m.time_s;
  m.co2e_g = p.co2.total_g();
  m.energy_per_flop_pj = p.flops > 0 ? m.energy_j / static_cast<double>(p.flops) * 1e12 : 0;
  return p;
}

json metrics_json(const Metrics& m) {
  json j = json::object();
  for (size_t i = 0; i < static_cast<size_t>(Metric::kCount); ++i) {
    const auto metric = static_cast<Metric>(i);
    j[std::string(metric_column(metric))] = m.value(metric);
  }
  return j;
}

}  // namespace

json price_point(const Plan& plan, const Point& point, const report::RunResult& run) {
  (void)plan;
  const PricingContext& c = *point.pricing;
  const Priced p = price(c, run);
  json j;
  j["metrics"] = metrics_json(p.m);
  j["cycles"] = p.cycles;
  j["warp_insts"] = p.warp_insts;
  j["tensor_flops"] = p.flops;
  json comp = json::object();
  for (size_t i = 0; i < energy::kNumComponents; ++i) {
    comp[std::string(energy::component_name(static_cast<energy::Component>(i)))] =
        p.energy.by_component[i];
  }
  j["energy_by_component"] = std::move(comp);
  j["co2e_g"] = {{"operational", p.co2.operational_g}, {"embodied", p.co2.embodied_g}};
  j["conditions"] = {
      {"energy_table", c.table->name},         {"core_mhz", c.op.mhz}, {"volts", c.cond.volts},
      {"temperature_c", c.cond.temperature_c}, {"region", c.region},   {"pue", c.pue}};
  return j;
}

std::string result_line(const Plan& plan, const Point& point, const report::RunResult& run) {
  json j = price_point(plan, point, run);
  j["id"] = point.id;
  j["index"] = point.index;
  j["sim_id"] = point.sim_id;
  j["workload"] = point.workload.name;
  j["gpu"] = point.gpu;
  j["coords"] = point.coords;
  const bool first = plan.sims.at(point.group).points.front() == point.index;
  j["evaluation"] = first ? "simulated" : "repriced";
  return j.dump();
}

}  // namespace joulesim::sweep
