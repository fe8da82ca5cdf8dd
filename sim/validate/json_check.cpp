// JSON checking helpers shared by the dataset and calibration-spec parsers.
#include <fstream>
#include <sstream>

#include "validate/internal.hpp"

namespace joulesim::validate::detail {

using nlohmann::json;

void fail(const std::string& where, const std::string& path, const std::string& what) {
  throw ConfigError(where + ": " + (path.empty() ? std::string("(top level)") : path) + ": " +
                    what);
}

std::string join_path(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

std::string index_path(const std::string& path, size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

const json& member(const json& obj, const std::string& key, const std::string& where,
                   const std::string& path) {
  if (!obj.is_object()) fail(where, path, "expected an object");
  auto it = obj.find(key);
  if (it == obj.end()) fail(where, join_path(path, key), "missing (required)");
  return *it;
}

std::string get_string(const json& obj, const std::string& key, const std::string& where,
                       const std::string& path) {
  const json& v = member(obj, key, where, path);
  if (!v.is_string() || v.get<std::string>().empty()) {
    fail(where, join_path(path, key), "expected a non-empty string");
  }
  return v.get<std::string>();
}

double get_number(const json& obj, const std::string& key, const std::string& where,
                  const std::string& path) {
  const json& v = member(obj, key, where, path);
  if (!v.is_number()) fail(where, join_path(path, key), "expected a number");
  return v.get<double>();
}

void check_keys(const json& obj, const std::set<std::string>& allowed, const std::string& where,
                const std::string& path) {
  if (!obj.is_object()) fail(where, path, "expected an object");
  for (const auto& [k, v] : obj.items()) {
    if (allowed.count(k) == 0) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      fail(where, join_path(path, k), "unknown key; allowed: " + list);
    }
  }
}

void require_object(const json& j, const std::string& where, const std::string& path) {
  if (!j.is_object()) fail(where, path, "expected an object");
}

void require_array(const json& j, const std::string& where, const std::string& path) {
  if (!j.is_array()) fail(where, path, "expected an array");
}

std::pair<double, double> get_window(const json& obj, const std::string& key,
                                     const std::string& where, const std::string& path) {
  const json& w = member(obj, key, where, path);
  const std::string p = join_path(path, key);
  if (!w.is_array() || w.size() != 2 || !w[0].is_number() || !w[1].is_number()) {
    fail(where, p, "expected [lo, hi] (two numbers)");
  }
  const double lo = w[0].get<double>(), hi = w[1].get<double>();
  if (!(lo > 0) || !(hi >= lo)) fail(where, p, "expected 0 < lo <= hi");
  return {lo, hi};
}

void check_sim_recipe(const json& sim, const std::string& where, const std::string& path,
                      const std::set<std::string>& extra_keys) {
  std::set<std::string> allowed = {"gpu", "generator", "params", "isa", "set", "note"};
  allowed.insert(extra_keys.begin(), extra_keys.end());
  check_keys(sim, allowed, where, path);
  get_string(sim, "gpu", where, path);
  get_string(sim, "generator", where, path);
  if (sim.contains("isa")) get_string(sim, "isa", where, path);
  if (sim.contains("params")) {
    const json& p = sim["params"];
    if (!p.is_object()) fail(where, join_path(path, "params"), "expected an object of k: v");
    for (const auto& [k, v] : p.items()) {
      if (!v.is_string() && !v.is_number_integer()) {
        fail(where, join_path(join_path(path, "params"), k), "expected an integer or a string");
      }
    }
  }
  if (sim.contains("set")) {
    const json& s = sim["set"];
    if (!s.is_array()) fail(where, join_path(path, "set"), "expected an array of \"key=value\"");
    for (size_t i = 0; i < s.size(); ++i) {
      if (!s[i].is_string() || s[i].get<std::string>().find('=') == std::string::npos) {
        fail(where, index_path(join_path(path, "set"), i), "expected \"key.path=value\"");
      }
    }
  }
}

json read_json(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw Error("cannot open " + file.string());
  std::stringstream ss;
  ss << in.rdbuf();
  try {
    return json::parse(ss.str());
  } catch (const json::parse_error& e) {
    throw ConfigError(file.string() + ": JSON syntax error: " + e.what());
  }
}

}  // namespace joulesim::validate::detail
