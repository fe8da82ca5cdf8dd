// Sweep spec parsing: structure and JSON types only. Values are checked against the config
// schema, generators and pricing tables by make_plan().
#include <fstream>
#include <set>

#include "core/error.hpp"
#include "sweep/sweep.hpp"

namespace joulesim::sweep {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr std::array<std::string_view, static_cast<size_t>(Metric::kCount)> kMetricNames = {
    "time", "energy", "avg_power", "edp", "ed2p", "co2e", "energy_per_flop"};
constexpr std::array<std::string_view, static_cast<size_t>(Metric::kCount)> kMetricColumns = {
    "time_s", "energy_j", "avg_power_w", "edp_js", "ed2p_js2", "co2e_g", "energy_per_flop_pj"};

/// Error context: the spec file and a JSON path inside it.
struct Ctx {
  std::string file;
  [[noreturn]] void fail(const std::string& where, const std::string& what) const {
    throw ConfigError(file + ": " + where + ": " + what);
  }
};

std::string type_of(const json& v) {
  if (v.is_string()) return "a string";
  if (v.is_number()) return "a number";
  if (v.is_array()) return "an array";
  if (v.is_object()) return "an object";
  if (v.is_boolean()) return "a boolean";
  return "null";
}

void only_members(const Ctx& c, const std::string& where, const json& obj,
                  std::initializer_list<std::string_view> allowed) {
  for (const auto& [k, v] : obj.items()) {
    bool ok = k == "comment";
    for (auto a : allowed) ok = ok || k == a;
    if (!ok) {
      std::string list;
      for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      c.fail(where.empty() ? k : where + "." + k, "unknown member; allowed: " + list + ", comment");
    }
  }
}

std::string get_string(const Ctx& c, const std::string& where, const json& v, bool allow_empty) {
  if (!v.is_string()) c.fail(where, "expected a string, got " + type_of(v));
  std::string s = v.get<std::string>();
  if (s.empty() && !allow_empty) c.fail(where, "must not be empty");
  return s;
}

const json& member(const Ctx& c, const std::string& where, const json& obj, const char* key) {
  if (!obj.contains(key))
    c.fail(where.empty() ? key : where + "." + key, "required member missing");
  return obj.at(key);
}

/// A value an axis may give a key: number, string, or an array (dvfs.points).
void check_axis_value(const Ctx& c, const std::string& where, const json& v) {
  if (!(v.is_number() || v.is_string() || v.is_array())) {
    c.fail(where, "a value must be a number, a string or an array, got " + type_of(v));
  }
}

std::string label_of(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

std::vector<json> get_values(const Ctx& c, const std::string& where, const json& v) {
  if (!v.is_array()) c.fail(where, "expected an array of values, got " + type_of(v));
  if (v.empty()) c.fail(where, "empty axis: give at least one value");
  std::set<std::string> seen;
  std::vector<json> out;
  for (size_t i = 0; i < v.size(); ++i) {
    check_axis_value(c, where + "[" + std::to_string(i) + "]", v[i]);
    if (!seen.insert(v[i].dump()).second)
      c.fail(where + "[" + std::to_string(i) + "]", "value " + v[i].dump() + " appears twice");
    out.push_back(v[i]);
  }
  return out;
}

std::vector<Assignment> get_set(const Ctx& c, const std::string& where, const json& v) {
  if (!v.is_object()) c.fail(where, "expected an object {key.path: value}, got " + type_of(v));
  std::vector<Assignment> out;
  for (const auto& [k, val] : v.items()) {
    if (k.empty()) c.fail(where, "empty key path");
    check_axis_value(c, where + "." + k, val);
    out.emplace_back(k, val);
  }
  return out;
}

ParamList get_params(const Ctx& c, const std::string& where, const json& v) {
  if (!v.is_object()) c.fail(where, "expected an object {param: value}, got " + type_of(v));
  ParamList out;
  for (const auto& [k, val] : v.items()) {
    if (val.is_number_integer()) {
      out.emplace_back(k, val.dump());
    } else if (val.is_string()) {
      out.emplace_back(k, val.get<std::string>());
    } else {
      c.fail(where + "." + k,
             "a generator parameter is an integer or a string, got " + type_of(val));
    }
  }
  return out;
}

Workload parse_workload(const Ctx& c, const std::string& where, const json& w) {
  if (!w.is_object()) c.fail(where, "expected an object, got " + type_of(w));
  only_members(c, where, w, {"name", "trace", "generator", "isa", "params", "repeat"});
  Workload out;
  out.name = get_string(c, where + ".name", member(c, where, w, "name"), false);
  if (w.contains("repeat")) {
    const json& r = w["repeat"];
    if (!r.is_number_integer() || r.get<int64_t>() < 1 || r.get<int64_t>() > 1000)
      c.fail(where + ".repeat", "expected an integer in [1, 1000], got " + r.dump());
    out.repeat = r.get<uint32_t>();
  }
  const bool has_trace = w.contains("trace"), has_gen = w.contains("generator");
  if (has_trace == has_gen) c.fail(where, "give exactly one of \"trace\" and \"generator\"");
  if (has_trace) {
    if (w.contains("isa") || w.contains("params"))
      c.fail(where, "\"isa\" and \"params\" belong to generator workloads");
    fs::path p = get_string(c, where + ".trace", w["trace"], false);
    if (p.is_relative()) p = c.file.empty() ? p : fs::path(c.file).parent_path() / p;
    out.trace = p.lexically_normal().string();
  } else {
    out.generator = get_string(c, where + ".generator", w["generator"], false);
    if (w.contains("isa")) out.isa = get_string(c, where + ".isa", w["isa"], false);
    if (w.contains("params")) out.params = get_params(c, where + ".params", w["params"]);
  }
  return out;
}

AxisGroup key_group(const std::string& key, const std::vector<json>& values) {
  AxisGroup g;
  g.kind = AxisGroup::Kind::kKey;
  g.name = key;
  g.keys = {key};
  for (const auto& v : values) {
    Choice ch;
    ch.label = label_of(v);
    ch.set = {{key, v}};
    ch.coords = json::object({{key, v}});
    g.choices.push_back(std::move(ch));
  }
  return g;
}

AxisGroup zip_group(const Ctx& c, const std::string& where, const json& z) {
  if (!z.is_object() || z.empty())
    c.fail(where, "expected a non-empty object {key.path: [values], ...}");
  AxisGroup g;
  g.kind = AxisGroup::Kind::kZip;
  std::vector<std::vector<json>> cols;
  for (const auto& [k, v] : z.items()) {
    cols.push_back(get_values(c, where + "." + k, v));
    g.keys.push_back(k);
    if (cols.size() > 1 && cols.back().size() != cols.front().size()) {
      c.fail(where + "." + k,
             "zipped axes need equal lengths: " + std::to_string(cols.back().size()) +
                 " values here, " + std::to_string(cols.front().size()) + " for '" +
                 g.keys.front() + "'");
    }
  }
  g.name = "zip(";
  for (size_t i = 0; i < g.keys.size(); ++i) g.name += (i ? "," : "") + g.keys[i];
  g.name += ")";
  for (size_t r = 0; r < cols.front().size(); ++r) {
    Choice ch;
    ch.coords = json::object();
    for (size_t k = 0; k < g.keys.size(); ++k) {
      if (k > 0) ch.label.push_back(',');
      ch.label.append(label_of(cols[k][r]));
      ch.set.emplace_back(g.keys[k], cols[k][r]);
      ch.coords[g.keys[k]] = cols[k][r];
    }
    g.choices.push_back(std::move(ch));
  }
  return g;
}

Choice variant_choice(const Ctx& c, const std::string& where, const std::string& name,
                      const json& v, const std::string& column) {
  if (!v.is_object()) c.fail(where, "expected an object {gpu?, set?, params?}, got " + type_of(v));
  only_members(c, where, v, {"name", "gpu", "set", "params"});
  Choice ch;
  ch.label = name;
  if (v.contains("gpu")) ch.gpu = get_string(c, where + ".gpu", v["gpu"], false);
  if (v.contains("set")) ch.set = get_set(c, where + ".set", v["set"]);
  if (v.contains("params")) ch.params = get_params(c, where + ".params", v["params"]);
  ch.coords = json::object({{column, name}});
  return ch;
}

AxisGroup variants_group(const Ctx& c, const std::string& where, const json& item) {
  only_members(c, where, item, {"variants", "name"});
  AxisGroup g;
  g.kind = AxisGroup::Kind::kVariants;
  g.name = item.contains("name") ? get_string(c, where + ".name", item["name"], false) : "variant";
  const json& vs = item["variants"];
  const std::string vw = where + ".variants";
  std::set<std::string> names;
  if (vs.is_array()) {
    for (size_t i = 0; i < vs.size(); ++i) {
      const std::string w = vw + "[" + std::to_string(i) + "]";
      if (!vs[i].is_object()) c.fail(w, "expected an object, got " + type_of(vs[i]));
      const std::string name = get_string(c, w + ".name", member(c, w, vs[i], "name"), false);
      if (!names.insert(name).second) c.fail(w + ".name", "variant '" + name + "' appears twice");
      g.choices.push_back(variant_choice(c, w, name, vs[i], g.name));
    }
  } else if (vs.is_object()) {
    for (const auto& [name, v] : vs.items()) {
      g.choices.push_back(variant_choice(c, vw + "." + name, name, v, g.name));
    }
  } else {
    c.fail(vw,
           "expected an array of {\"name\", ...} or an object {name: {...}}, got " + type_of(vs));
  }
  if (g.choices.empty()) c.fail(vw, "empty axis: give at least one variant");
  std::set<std::string> keys;
  for (const auto& ch : g.choices) {
    for (const auto& [k, v] : ch.set) keys.insert(k);
  }
  g.keys.assign(keys.begin(), keys.end());
  return g;
}

AxisGroup gpus_group(const Ctx& c, const std::string& where, const json& item) {
  only_members(c, where, item, {"gpus"});
  AxisGroup g;
  g.kind = AxisGroup::Kind::kGpus;
  g.name = "gpu";
  for (const auto& v : get_values(c, where + ".gpus", item["gpus"])) {
    Choice ch;
    ch.label = get_string(c, where + ".gpus", v, false);
    ch.gpu = ch.label;
    ch.coords = json::object({{"gpu", ch.label}});
    g.choices.push_back(std::move(ch));
  }
  return g;
}

std::vector<AxisGroup> parse_axes(const Ctx& c, const json& doc) {
  std::vector<AxisGroup> groups;
  if (!doc.contains("axes")) {
    if (doc.contains("combine")) c.fail("combine", "\"combine\" needs an \"axes\" object");
    return groups;
  }
  const json& axes = doc["axes"];
  if (axes.is_object()) {
    std::string combine = "cartesian";
    if (doc.contains("combine")) combine = get_string(c, "combine", doc["combine"], false);
    if (combine == "zip") {
      groups.push_back(zip_group(c, "axes", axes));
    } else if (combine == "cartesian") {
      for (const auto& [k, v] : axes.items()) {
        groups.push_back(key_group(k, get_values(c, "axes." + k, v)));
      }
    } else {
      c.fail("combine", "expected \"cartesian\" or \"zip\", got \"" + combine + "\"");
    }
    return groups;
  }
  if (!axes.is_array()) c.fail("axes", "expected an object or an array, got " + type_of(axes));
  if (doc.contains("combine"))
    c.fail("combine", "only for the object form of \"axes\"; in the array form use {\"zip\": ...}");
  for (size_t i = 0; i < axes.size(); ++i) {
    const std::string w = "axes[" + std::to_string(i) + "]";
    const json& item = axes[i];
    if (!item.is_object()) c.fail(w, "expected an object, got " + type_of(item));
    if (item.contains("key")) {
      only_members(c, w, item, {"key", "values"});
      const std::string key = get_string(c, w + ".key", item["key"], false);
      groups.push_back(key_group(key, get_values(c, w + ".values", member(c, w, item, "values"))));
    } else if (item.contains("zip")) {
      only_members(c, w, item, {"zip"});
      groups.push_back(zip_group(c, w + ".zip", item["zip"]));
    } else if (item.contains("variants")) {
      groups.push_back(variants_group(c, w, item));
    } else if (item.contains("gpus")) {
      groups.push_back(gpus_group(c, w, item));
    } else {
      c.fail(w, "expected one of {\"key\", \"values\"}, {\"zip\"}, {\"variants\"}, {\"gpus\"}");
    }
  }
  return groups;
}

}  // namespace

std::string_view metric_name(Metric m) { return kMetricNames[static_cast<size_t>(m)]; }
std::string_view metric_column(Metric m) { return kMetricColumns[static_cast<size_t>(m)]; }

double Metrics::value(Metric m) const {
  switch (m) {
    case Metric::kTime:
      return time_s;
    case Metric::kEnergy:
      return energy_j;
    case Metric::kAvgPower:
      return avg_power_w;
    case Metric::kEdp:
      return edp_js;
    case Metric::kEd2p:
      return ed2p_js2;
    case Metric::kCo2e:
      return co2e_g;
    case Metric::kEnergyPerFlop:
      return energy_per_flop_pj;
    case Metric::kCount:
      break;
  }
  return 0;
}

json Workload::to_json() const {
  json j = {{"name", name}};
  if (!trace.empty()) {
    j["trace"] = trace;
  } else {
    j["generator"] = generator;
    j["isa"] = isa;
    json p = json::object();
    for (const auto& [k, v] : params) p[k] = v;
    j["params"] = std::move(p);
  }
  if (repeat != 1) j["repeat"] = repeat;
  return j;
}

SweepSpec parse_spec(const json& doc, const fs::path& file) {
  const Ctx c{file.string()};
  if (!doc.is_object()) c.fail("(top level)", "a sweep spec is a JSON object");
  only_members(
      c, "", doc,
      {"name", "description", "gpu", "set", "workloads", "axes", "combine", "metrics", "pricing"});
  SweepSpec s;
  s.file = file;
  s.name = get_string(c, "name", member(c, "", doc, "name"), false);
  for (char ch : s.name) {
    if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.'))
      c.fail("name", "use letters, digits, '-', '_' and '.' only (it names the output folder)");
  }
  if (doc.contains("description"))
    s.description = get_string(c, "description", doc["description"], true);
  if (doc.contains("gpu")) s.gpu = get_string(c, "gpu", doc["gpu"], false);
  if (doc.contains("set")) s.base_set = get_set(c, "set", doc["set"]);

  const json& ws = member(c, "", doc, "workloads");
  if (!ws.is_array() || ws.empty()) c.fail("workloads", "expected a non-empty array of workloads");
  std::set<std::string> names;
  for (size_t i = 0; i < ws.size(); ++i) {
    const std::string w = "workloads[" + std::to_string(i) + "]";
    s.workloads.push_back(parse_workload(c, w, ws[i]));
    if (!names.insert(s.workloads.back().name).second)
      c.fail(w + ".name", "workload name '" + s.workloads.back().name + "' appears twice");
  }

  s.groups = parse_axes(c, doc);
  // A key (or the GPU) varied by two groups would make the later silently win.
  std::set<std::string> varied;
  bool gpu_varied = false;
  for (const auto& g : s.groups) {
    for (const auto& k : g.keys) {
      if (!varied.insert(k).second)
        c.fail("axes", "key '" + k + "' is varied by two axis groups; combine them in one");
    }
    bool sets_gpu = false;
    for (const auto& ch : g.choices) sets_gpu = sets_gpu || !ch.gpu.empty();
    if (sets_gpu && gpu_varied) c.fail("axes", "two axis groups choose the GPU; use one");
    gpu_varied = gpu_varied || sets_gpu;
  }

  if (doc.contains("metrics")) {
    const json& ms = doc["metrics"];
    if (!ms.is_array() || ms.empty()) c.fail("metrics", "expected a non-empty array of names");
    for (size_t i = 0; i < ms.size(); ++i) {
      const std::string w = "metrics[" + std::to_string(i) + "]";
      const std::string m = get_string(c, w, ms[i], false);
      size_t k = 0;
      while (k < kMetricNames.size() && kMetricNames[k] != m) ++k;
      if (k == kMetricNames.size()) {
        std::string list;
        for (auto n : kMetricNames) list += (list.empty() ? "" : ", ") + std::string(n);
        c.fail(w, "unknown metric '" + m + "'; allowed: " + list);
      }
      const Metric metric = static_cast<Metric>(k);
      for (Metric have : s.metrics) {
        if (have == metric) c.fail(w, "metric '" + m + "' appears twice");
      }
      s.metrics.push_back(metric);
    }
  } else {
    for (size_t k = 0; k < kMetricNames.size(); ++k) s.metrics.push_back(static_cast<Metric>(k));
  }

  if (doc.contains("pricing")) {
    const json& p = doc["pricing"];
    if (!p.is_object()) c.fail("pricing", "expected an object {region?, pue?}");
    only_members(c, "pricing", p, {"region", "pue"});
    if (p.contains("region")) s.region = get_string(c, "pricing.region", p["region"], false);
    if (p.contains("pue")) {
      if (!p["pue"].is_number()) c.fail("pricing.pue", "expected a number >= 1");
      s.pue = p["pue"].get<double>();
    }
  }
  return s;
}

SweepSpec load_spec(const fs::path& file) {
  std::ifstream in(file);
  if (!in) throw Error("cannot read sweep spec " + file.string());
  json doc;
  try {
    doc = json::parse(in);
  } catch (const json::parse_error& e) {
    throw ConfigError(file.string() + ": invalid JSON: " + e.what());
  }
  return parse_spec(doc, file);
}

}  // namespace joulesim::sweep
