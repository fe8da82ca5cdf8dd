// The counter_power dataset kind: checking its sections and preparing its samples for pricing.
#include <algorithm>
#include <cmath>
#include <limits>

#include "config/config.hpp"
#include "validate/internal.hpp"

namespace joulesim::validate {

using nlohmann::json;
using namespace detail;

namespace detail {

void expand_counter_power(Dataset& ds, const std::string& where) {
  const json& j = ds.raw;
  const json& files = member(j, "files", where, "");
  check_keys(files, {"perf", "power"}, where, "files");
  for (const char* f : {"perf", "power"}) {
    const std::string p = join_path("files", f);
    const json& e = member(files, f, where, "files");
    check_keys(e, {"path", "source", "note"}, where, p);
    get_string(e, "path", where, p);
    get_string(e, "source", where, p);
  }
  const json& cfg = member(j, "config", where, "");
  check_keys(cfg, {"gpu", "note"}, where, "config");
  get_string(cfg, "gpu", where, "config");
  const json& launches = member(j, "launches", where, "");
  if (!launches.is_number() || !(launches.get<double>() >= 1))
    fail(where, "launches", "must be >= 1");
  const json& cond = member(j, "conditions", where, "");
  check_keys(cond, {"temperature_c"}, where, "conditions");
  const json& t = member(cond, "temperature_c", where, "conditions");
  check_keys(t, {"value", "source"}, where, "conditions.temperature_c");
  get_number(t, "value", where, "conditions.temperature_c");
  get_string(t, "source", where, "conditions.temperature_c");

  const json& m = member(j, "mapping", where, "");
  check_keys(m, {"counters", "special", "pipeline_proxy", "note"}, where, "mapping");
  const json& counters = member(m, "counters", where, "mapping");
  require_object(counters, where, "mapping.counters");
  for (const auto& [col, e] : counters.items()) {
    const std::string p = join_path("mapping.counters", col);
    check_keys(e, {"to", "unit", "source"}, where, p);
    const std::string to = get_string(e, "to", where, p);
    get_string(e, "unit", where, p);
    get_string(e, "source", where, p);
    bool known = false;
    for (size_t i = 0; i < stats::kNumCounters; ++i) {
      known = known || stats::counter_name(static_cast<stats::Counter>(i)) == to;
    }
    if (!known) fail(where, join_path(p, "to"), "unknown activity counter '" + to + "'");
  }
  const json& special = member(m, "special", where, "mapping");
  check_keys(special, {"elapsed_cycles", "idle_sms", "pipeline_duty", "voltage", "source"}, where,
             "mapping.special");
  for (const char* k : {"elapsed_cycles", "idle_sms", "pipeline_duty", "voltage", "source"}) {
    get_string(special, k, where, "mapping.special");
  }
  const json& px = member(m, "pipeline_proxy", where, "mapping");
  check_keys(px,
             {"op_class", "pipes", "warp_insts_per_pipe_cycle", "active_lanes", "rf_reads_per_inst",
              "rf_writes_per_inst", "source"},
             where, "mapping.pipeline_proxy");
  const std::string op = get_string(px, "op_class", where, "mapping.pipeline_proxy");
  bool known_op = false;
  for (size_t i = 0; i < stats::kNumOpClasses; ++i) {
    known_op = known_op || trace::to_string(static_cast<trace::OpClass>(i)) == op;
  }
  if (!known_op) fail(where, "mapping.pipeline_proxy.op_class", "unknown op class '" + op + "'");
  for (const char* k : {"pipes", "warp_insts_per_pipe_cycle", "active_lanes", "rf_reads_per_inst",
                        "rf_writes_per_inst"}) {
    if (!(get_number(px, k, where, "mapping.pipeline_proxy") >= 0)) {
      fail(where, join_path("mapping.pipeline_proxy", k), "must be >= 0");
    }
  }
  get_string(px, "source", where, "mapping.pipeline_proxy");

  const json& excluded = member(j, "excluded", where, "");
  require_array(excluded, where, "excluded");
  for (size_t i = 0; i < excluded.size(); ++i) {
    const std::string p = index_path("excluded", i);
    check_keys(excluded[i], {"name", "reason"}, where, p);
    get_string(excluded[i], "name", where, p);
    get_string(excluded[i], "reason", where, p);
  }
  const json& models = member(j, "models", where, "");
  require_object(models, where, "models");
  for (const Group& g : ds.groups) {
    const std::string p = join_path("models", g.name);
    const json& mo = member(models, g.name, where, "models");
    check_keys(mo, {"calibration", "energy_table", "note"}, where, p);
    if (mo.contains("calibration") == mo.contains("energy_table")) {
      fail(where, p, "give exactly one of \"calibration\" (leave-one-out) or \"energy_table\"");
    }
  }
  for (const auto& [name, v] : models.items()) {
    if (std::none_of(ds.groups.begin(), ds.groups.end(),
                     [&](const Group& g) { return g.name == name; })) {
      fail(where, join_path("models", name), "no group of that name");
    }
  }
  const json& join = member(j, "join", where, "");
  require_array(join, where, "join");
  if (join.empty()) fail(where, "join", "at least one kernel is required");
  std::vector<std::string> names;
  for (size_t i = 0; i < join.size(); ++i) {
    const std::string p = index_path("join", i);
    check_keys(join[i], {"name", "benchmark", "kernel", "evidence"}, where, p);
    const std::string name = get_string(join[i], "name", where, p);
    get_string(join[i], "benchmark", where, p);
    get_string(join[i], "kernel", where, p);
    get_string(join[i], "evidence", where, p);
    if (std::find(names.begin(), names.end(), name) != names.end()) {
      fail(where, join_path(p, "name"), "duplicate kernel '" + name + "'");
    }
    names.push_back(name);
  }
  const std::string source =
      get_string(files["power"], "source", where, "files.power") +
      "; counters: " + get_string(files["perf"], "source", where, "files.perf");
  for (const Group& g : ds.groups) {
    for (const auto& name : names) {
      Case c;
      c.id = g.name + ":" + name;
      c.group = g.name;
      c.quantity = "mean board power of " + name;
      c.unit = "W";
      c.measured = std::numeric_limits<double>::quiet_NaN();  // read from the power file
      c.source = source;
      c.sim = {{"kernel", name}, {"model", models[g.name]}};
      ds.cases.push_back(c);
    }
  }
}

}  // namespace detail

CounterSet load_counter_set(const Dataset& ds, const std::filesystem::path& root) {
  if (ds.kind != "counter_power") throw Error(ds.name + " is not a counter_power dataset");
  const json& j = ds.raw;
  auto resolve = [&](const std::string& p) {
    std::filesystem::path path(p);
    return path.is_absolute() ? path : root / path;
  };
  const auto perf = resolve(j["files"]["perf"]["path"].get<std::string>());
  const auto power = resolve(j["files"]["power"]["path"].get<std::string>());
  for (const auto& f : {perf, power}) {
    if (!std::filesystem::exists(f)) throw Error("missing data file " + f.string());
  }
  std::vector<std::pair<std::string, std::string>> join;
  for (const auto& e : j["join"]) {
    join.emplace_back(e["name"].get<std::string>(),
                      e["benchmark"].get<std::string>() + "," + e["kernel"].get<std::string>());
  }
  CounterSet set;
  const auto kernels = join_accelwattch(perf, power, join, &set.unmatched);
  // Every hw_perf column must be mapped or special: no counter is silently dropped.
  const json& m = j["mapping"];
  for (const auto& [col, v] : kernels.front().counters) {
    bool used = m["counters"].contains(col);
    for (const auto& [k, s] : m["special"].items()) used = used || (k != "source" && s == col);
    if (!used)
      throw ConfigError(ds.file.string() + ": mapping: hw_perf column '" + col +
                        "' is neither mapped to a counter nor special");
  }
  // Rows left out of the join must be declared as excluded, with a reason.
  for (const auto& u : set.unmatched) {
    const std::string name = u.substr(u.find(':') + 1);
    bool declared = false;
    for (const auto& e : j["excluded"]) declared = declared || e["name"].get<std::string>() == name;
    if (!declared) {
      throw ConfigError(ds.file.string() + ": excluded: row '" + u +
                        "' is not joined and not declared as excluded");
    }
  }
  set.spec = config::load_gpu(j["config"]["gpu"].get<std::string>()).spec;
  set.mapping = m;
  const double launches = j["launches"].get<double>();
  const double temp = j["conditions"]["temperature_c"]["value"].get<double>();
  for (const auto& k : kernels) {
    CounterSample s = counter_sample(k, m, set.spec.core.sm_count, launches, set.spec.core_mhz());
    s.conditions.temperature_c = temp;
    set.samples.push_back(std::move(s));
  }
  return set;
}

}  // namespace joulesim::validate
