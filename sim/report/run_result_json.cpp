// RunResult <-> JSON: the saved result `run` writes and `reprice` reads.
#include "core/error.hpp"
#include "report/run_result.hpp"

namespace joulesim::report {

namespace {

using nlohmann::json;

// Copies the energy keys of @p energy (one kernel's or the total's) into @p out.
void merge_energy(json& out, const json& energy) {
  for (const auto& [k, v] : energy.items()) {
    if (k != "name" && k != "id") out[k] = v;
  }
}

template <typename T>
T get_field(const json& j, const char* key, const std::string& where, const std::string& path) {
  if (!j.contains(key)) throw ConfigError(where + ": missing key '" + path + key + "'");
  try {
    return j.at(key).get<T>();
  } catch (const json::exception&) {
    throw ConfigError(where + ": '" + path + key + "' has the wrong type");
  }
}

}  // namespace

json result_to_json(const RunResult& r) {
  json j;
  j["gpu"] = r.gpu;
  j["trace"] = r.trace;
  j["config"] = r.config;
  stats::ActivityCounts all;
  uint64_t cycles = 0;
  int64_t time_ps = 0;
  json kernels = json::array();
  for (size_t i = 0; i < r.kernels.size(); ++i) {
    const KernelResult& k = r.kernels[i];
    json kj;
    kj["name"] = k.name;
    kj["id"] = k.id;
    kj["cycles"] = k.cycles;
    kj["time_ps"] = k.time_ps;
    kj["time_s"] = static_cast<double>(k.time_ps) * 1e-12;
    kj["warp_insts"] = k.counts.total_warp_insts();
    kj["ipc"] = k.cycles > 0 ? static_cast<double>(k.counts.total_warp_insts()) / k.cycles : 0.0;
    kj["counts"] = stats::counts_to_json(k.counts);
    if (r.energy.is_object() && r.energy.contains("kernels") && i < r.energy["kernels"].size()) {
      merge_energy(kj, r.energy["kernels"][i]);
    }
    kernels.push_back(std::move(kj));
    all += k.counts;
    cycles += k.cycles;
    time_ps += k.time_ps;
  }
  json total;
  total["cycles"] = cycles;
  total["time_ps"] = time_ps;
  total["time_s"] = static_cast<double>(time_ps) * 1e-12;
  total["warp_insts"] = all.total_warp_insts();
  total["ipc"] = cycles > 0 ? static_cast<double>(all.total_warp_insts()) / cycles : 0.0;
  total["counts"] = stats::counts_to_json(all);
  if (r.energy.is_object() && r.energy.contains("total")) merge_energy(total, r.energy["total"]);
  j["total"] = std::move(total);
  j["kernels"] = std::move(kernels);
  if (r.energy.is_object() && r.energy.contains("conditions")) {
    j["energy_conditions"] = r.energy["conditions"];
  }
  j["sim"] = {{"wall_s", r.wall_s},
              {"warp_insts_per_s",
               r.wall_s > 0 ? static_cast<double>(all.total_warp_insts()) / r.wall_s : 0.0}};
  return j;
}

RunResult result_from_json(const json& j, const std::string& where) {
  if (!j.is_object()) throw ConfigError(where + ": a result must be a JSON object");
  RunResult r;
  r.gpu = get_field<std::string>(j, "gpu", where, "");
  r.trace = get_field<std::string>(j, "trace", where, "");
  if (!j.contains("config") || !j["config"].is_object()) {
    throw ConfigError(where + ": missing object 'config' (the resolved GPU config reprice needs)");
  }
  r.config = j["config"];
  if (!j.contains("kernels") || !j["kernels"].is_array()) {
    throw ConfigError(where + ": missing array 'kernels'");
  }
  for (size_t i = 0; i < j["kernels"].size(); ++i) {
    const json& kj = j["kernels"][i];
    const std::string path = "kernels[" + std::to_string(i) + "].";
    if (!kj.is_object()) throw ConfigError(where + ": '" + path + "' must be an object");
    KernelResult k;
    k.name = get_field<std::string>(kj, "name", where, path);
    k.id = get_field<uint32_t>(kj, "id", where, path);
    k.cycles = get_field<uint64_t>(kj, "cycles", where, path);
    k.time_ps = get_field<int64_t>(kj, "time_ps", where, path);
    if (k.time_ps < 0) throw ConfigError(where + ": '" + path + "time_ps' must be >= 0");
    if (!kj.contains("counts")) throw ConfigError(where + ": missing key '" + path + "counts'");
    k.counts = stats::counts_from_json(kj["counts"], where + ": " + path + "counts");
    r.kernels.push_back(std::move(k));
  }
  if (j.contains("sim") && j["sim"].is_object() && j["sim"].contains("wall_s")) {
    r.wall_s = get_field<double>(j["sim"], "wall_s", where, "sim.");
  }
  return r;
}

}  // namespace joulesim::report
