// Dataset files: parsing, validation (errors name the file and key path), suites.
#include <algorithm>
#include <cmath>

#include "validate/internal.hpp"

namespace joulesim::validate {

using nlohmann::json;
using namespace detail;

namespace {

const std::set<std::string> kKinds = {"microbench", "latency_curve", "stream_curve",
                                      "counter_power", "datasheet"};
const std::set<std::string> kMetricKinds = {"delta_cycles",  "cycles",
                                            "tensor_tflops", "flops_per_clk_per_sm",
                                            "bandwidth_gbs", "avg_power_w"};
const std::set<std::string> kPeaks = {"fp32_flops_per_s", "fp64_flops_per_s", "fp16_flops_per_s",
                                      "dram_bytes_per_s", "tensor_dense_flops_per_s"};

void parse_groups(const json& j, Dataset& ds, const std::string& where) {
  const json& groups = member(j, "groups", where, "");
  require_array(groups, where, "groups");
  if (groups.empty()) fail(where, "groups", "at least one group is required");
  for (size_t i = 0; i < groups.size(); ++i) {
    const std::string p = index_path("groups", i);
    const json& g = groups[i];
    check_keys(g, {"name", "description", "tolerance_pct", "metric"}, where, p);
    Group out;
    out.name = get_string(g, "name", where, p);
    out.description = get_string(g, "description", where, p);
    const json& tol = member(g, "tolerance_pct", where, p);
    if (tol.is_number()) {
      if (!(tol.get<double>() >= 0)) fail(where, join_path(p, "tolerance_pct"), "must be >= 0");
      out.tolerance_pct = tol.get<double>();
    } else if (!tol.is_null()) {
      fail(where, join_path(p, "tolerance_pct"),
           "expected a number (percent) or null (report only)");
    }
    if (g.contains("metric")) {
      out.metric = get_string(g, "metric", where, p);
      if (out.metric != "mape" && out.metric != "max") {
        fail(where, join_path(p, "metric"), "expected \"mape\" or \"max\"");
      }
    }
    for (const Group& o : ds.groups) {
      if (o.name == out.name)
        fail(where, join_path(p, "name"), "duplicate group '" + out.name + "'");
    }
    ds.groups.push_back(out);
  }
}

void check_metric(const json& sim, const std::string& where, const std::string& path) {
  const json& m = member(sim, "metric", where, path);
  const std::string mp = join_path(path, "metric");
  require_object(m, where, mp);
  const std::string kind = get_string(m, "kind", where, mp);
  if (kMetricKinds.count(kind) == 0) {
    std::string list;
    for (const auto& k : kMetricKinds) list += (list.empty() ? "" : ", ") + k;
    fail(where, join_path(mp, "kind"), "unknown metric '" + kind + "'; allowed: " + list);
  }
  if (kind == "delta_cycles") {
    check_keys(m, {"kind", "param", "lo", "hi", "ops_per_step"}, where, mp);
    get_string(m, "param", where, mp);
    const json& lo = member(m, "lo", where, mp);
    const json& hi = member(m, "hi", where, mp);
    if (!lo.is_number_integer() || !hi.is_number_integer() ||
        hi.get<int64_t>() <= lo.get<int64_t>()) {
      fail(where, mp, "delta_cycles needs integer lo < hi");
    }
    if (m.contains("ops_per_step") && !(get_number(m, "ops_per_step", where, mp) > 0)) {
      fail(where, join_path(mp, "ops_per_step"), "must be > 0");
    }
  } else if (kind == "bandwidth_gbs") {
    check_keys(m, {"kind", "bytes"}, where, mp);
    const json& b = member(m, "bytes", where, mp);
    if (!(b.is_string() && b.get<std::string>() == "dram") &&
        !(b.is_number() && b.get<double>() > 0)) {
      fail(where, join_path(mp, "bytes"), "expected \"dram\" or a positive byte count");
    }
  } else if (kind == "flops_per_clk_per_sm") {
    check_keys(m, {"kind", "what"}, where, mp);
    const std::string w = get_string(m, "what", where, mp);
    if (w != "tensor" && w != "fp32_fma" && w != "fp16") {
      fail(where, join_path(mp, "what"), "expected tensor, fp32_fma or fp16");
    }
  } else {
    check_keys(m, {"kind"}, where, mp);
  }
}

void parse_cases(const json& j, Dataset& ds, const std::string& where) {
  const json& cases = member(j, "cases", where, "");
  require_array(cases, where, "cases");
  for (size_t i = 0; i < cases.size(); ++i) {
    const std::string p = index_path("cases", i);
    const json& c = cases[i];
    check_keys(
        c, {"id", "group", "quantity", "unit", "measured", "source", "conditions", "sim", "note"},
        where, p);
    Case out;
    out.id = get_string(c, "id", where, p);
    out.group = get_string(c, "group", where, p);
    out.quantity = get_string(c, "quantity", where, p);
    out.unit = get_string(c, "unit", where, p);
    out.measured = get_number(c, "measured", where, p);
    if (!std::isfinite(out.measured) || out.measured == 0) {
      fail(where, join_path(p, "measured"), "must be a finite, non-zero number");
    }
    out.source = get_string(c, "source", where, p);
    if (c.contains("conditions")) {
      require_object(c["conditions"], where, join_path(p, "conditions"));
      out.conditions = c["conditions"];
    }
    out.sim = member(c, "sim", where, p);
    const std::string sp = join_path(p, "sim");
    require_object(out.sim, where, sp);
    if (ds.kind == "datasheet" && out.sim.contains("peak")) {
      check_keys(out.sim, {"gpu", "peak", "type", "set", "note"}, where, sp);
      get_string(out.sim, "gpu", where, sp);
      const std::string peak = get_string(out.sim, "peak", where, sp);
      if (kPeaks.count(peak) == 0)
        fail(where, join_path(sp, "peak"), "unknown peak '" + peak + "'");
    } else {
      check_sim_recipe(out.sim, where, sp, {"metric"});
      check_metric(out.sim, where, sp);
    }
    if (std::none_of(ds.groups.begin(), ds.groups.end(),
                     [&](const Group& g) { return g.name == out.group; })) {
      fail(where, join_path(p, "group"), "group '" + out.group + "' is not declared in groups");
    }
    for (const Case& o : ds.cases) {
      if (o.id == out.id) fail(where, join_path(p, "id"), "duplicate case id '" + out.id + "'");
    }
    ds.cases.push_back(std::move(out));
  }
}

}  // namespace

Dataset parse_dataset(const json& j, const std::string& where) {
  if (!j.is_object()) fail(where, "", "a dataset must be a JSON object");
  Dataset ds;
  ds.raw = j;
  ds.name = get_string(j, "name", where, "");
  ds.kind = get_string(j, "kind", where, "");
  if (kKinds.count(ds.kind) == 0) {
    fail(where, "kind",
         "unknown kind '" + ds.kind +
             "'; allowed: microbench, latency_curve, stream_curve, counter_power, datasheet");
  }
  ds.description = get_string(j, "description", where, "");
  ds.gpu = get_string(j, "gpu", where, "");
  const json& suites = member(j, "suites", where, "");
  require_array(suites, where, "suites");
  for (size_t i = 0; i < suites.size(); ++i) {
    if (!suites[i].is_string() || (suites[i] != "quick" && suites[i] != "full")) {
      fail(where, index_path("suites", i), "expected \"quick\" or \"full\"");
    }
    ds.suites.push_back(suites[i].get<std::string>());
  }
  parse_groups(j, ds, where);
  std::set<std::string> keys = {"name", "kind", "description", "gpu", "suites", "groups", "notes"};
  if (ds.kind == "microbench" || ds.kind == "datasheet") {
    keys.insert("cases");
    check_keys(j, keys, where, "");
    parse_cases(j, ds, where);
  } else if (ds.kind == "latency_curve" || ds.kind == "stream_curve") {
    keys.insert("curves");
    check_keys(j, keys, where, "");
    expand_curves(ds, where);
  } else {
    keys.insert(
        {"files", "config", "launches", "conditions", "mapping", "join", "excluded", "models"});
    check_keys(j, keys, where, "");
    expand_counter_power(ds, where);
  }
  // Every declared group must hold at least one case: an empty group would pass silently.
  for (const Group& g : ds.groups) {
    if (std::none_of(ds.cases.begin(), ds.cases.end(),
                     [&](const Case& c) { return c.group == g.name; })) {
      fail(where, "groups", "group '" + g.name + "' has no cases");
    }
  }
  return ds;
}

Dataset load_dataset(const std::filesystem::path& file) {
  Dataset ds = parse_dataset(read_json(file), file.string());
  ds.file = file;
  return ds;
}

std::vector<Dataset> load_suite(const std::string& suite, const std::filesystem::path& dir) {
  if (suite != "quick" && suite != "full" && suite != "all") {
    throw ConfigError("unknown suite '" + suite + "'; allowed: quick, full, all");
  }
  if (!std::filesystem::is_directory(dir)) throw Error("no dataset folder " + dir.string());
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<Dataset> out;
  for (const auto& f : files) {
    Dataset ds = load_dataset(f);
    if (suite == "all" || std::find(ds.suites.begin(), ds.suites.end(), suite) != ds.suites.end()) {
      out.push_back(std::move(ds));
    }
  }
  if (out.empty()) throw Error("suite '" + suite + "' has no dataset in " + dir.string());
  return out;
}

}  // namespace joulesim::validate
