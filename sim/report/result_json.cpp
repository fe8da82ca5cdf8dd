// RunResult <-> JSON and the terminal table.
#include "report/result_json.hpp"

#include <cstdio>

#include "core/error.hpp"

namespace joulesim::report {

using nlohmann::json;

namespace {

template <typename Enum, size_t N>
json by_name(const std::array<uint64_t, N>& values) {
  json j = json::object();
  for (size_t i = 0; i < N; ++i) j[std::string(trace::to_string(static_cast<Enum>(i)))] = values[i];
  return j;
}

template <typename Enum, size_t N>
void read_by_name(const json& j, const char* key, std::array<uint64_t, N>& out) {
  if (!j.contains(key)) return;
  const json& obj = j.at(key);
  if (!obj.is_object()) throw Error(std::string("counts.") + key + ": expected an object");
  for (const auto& [name, v] : obj.items()) {
    size_t i = 0;
    while (i < N && trace::to_string(static_cast<Enum>(i)) != name) ++i;
    if (i == N) throw Error(std::string("counts.") + key + "." + name + ": unknown name");
    const json& value = v;
    if (!value.is_number_integer() || value.get<int64_t>() < 0) {
      throw Error(std::string("counts.") + key + "." + name + ": expected a non-negative integer");
    }
    out[i] = value.get<uint64_t>();
  }
}

json timing_block(uint64_t cycles, int64_t time_ps, const stats::ActivityCounts& counts) {
  json j;
  const uint64_t insts = counts.total_warp_insts();
  uint64_t threads = 0;
  for (uint64_t t : counts.thread_insts) threads += t;
  j["cycles"] = cycles;
  j["time_s"] = static_cast<double>(time_ps) * 1e-12;
  j["warp_insts"] = insts;
  j["thread_insts"] = threads;
  j["ipc"] = cycles == 0 ? 0.0 : static_cast<double>(insts) / static_cast<double>(cycles);
  j["counts"] = counts_to_json(counts);
  return j;
}

void merge_into(json& target, const json& extra) {
  if (!extra.is_object()) return;
  for (const auto& [k, v] : extra.items()) target[k] = v;
}

}  // namespace

json counts_to_json(const stats::ActivityCounts& c) {
  json j = json::object();
  for (size_t i = 0; i < stats::kNumCounters; ++i) {
    j[std::string(stats::counter_name(static_cast<stats::Counter>(i)))] = c.counters[i];
  }
  j["warp_insts"] = by_name<trace::OpClass>(c.warp_insts);
  j["thread_insts"] = by_name<trace::OpClass>(c.thread_insts);
  j["tensor_flops"] = by_name<trace::TensorType>(c.tensor_flops);
  j["tensor_sparse_flops"] = by_name<trace::TensorType>(c.tensor_sparse_flops);
  return j;
}

stats::ActivityCounts counts_from_json(const json& j) {
  if (!j.is_object()) throw Error("counts: expected an object");
  stats::ActivityCounts c;
  for (const auto& [name, v] : j.items()) {
    if (v.is_object()) continue;  // the per-class groups, read below
    size_t i = 0;
    while (i < stats::kNumCounters && stats::counter_name(static_cast<stats::Counter>(i)) != name)
      ++i;
    if (i == stats::kNumCounters) throw Error("counts." + name + ": unknown counter");
    if (!v.is_number_integer() || v.get<int64_t>() < 0) {
      throw Error("counts." + name + ": expected a non-negative integer");
    }
    c.counters[i] = v.get<uint64_t>();
  }
  read_by_name<trace::OpClass>(j, "warp_insts", c.warp_insts);
  read_by_name<trace::OpClass>(j, "thread_insts", c.thread_insts);
  read_by_name<trace::TensorType>(j, "tensor_flops", c.tensor_flops);
  read_by_name<trace::TensorType>(j, "tensor_sparse_flops", c.tensor_sparse_flops);
  return c;
}

json to_json(const RunResult& r, bool include_sim) {
  json out;
  out["gpu"] = r.gpu;
  out["trace"] = r.trace;
  if (!r.config.is_null()) out["config"] = r.config;
  stats::ActivityCounts total;
  uint64_t cycles = 0;
  int64_t time_ps = 0;
  json kernels = json::array();
  for (size_t i = 0; i < r.kernels.size(); ++i) {
    const KernelResult& k = r.kernels[i];
    json kj = timing_block(k.cycles, k.time_ps, k.counts);
    kj["name"] = k.name;
    kj["id"] = k.id;
    if (r.energy.is_object() && r.energy.contains("kernels") && r.energy["kernels"].is_array() &&
        i < r.energy["kernels"].size()) {
      merge_into(kj, r.energy["kernels"][i]);
    }
    kernels.push_back(std::move(kj));
    total += k.counts;
    cycles += k.cycles;
    time_ps += k.time_ps;
  }
  out["total"] = timing_block(cycles, time_ps, total);
  out["kernels"] = std::move(kernels);
  if (r.energy.is_object()) {
    if (r.energy.contains("total")) merge_into(out["total"], r.energy["total"]);
    json rest = json::object();
    for (const auto& [k, v] : r.energy.items()) {
      if (k != "total" && k != "kernels") rest[k] = v;
    }
    if (!rest.empty()) out["energy"] = std::move(rest);
  }
  if (include_sim) {
    const double insts = static_cast<double>(total.total_warp_insts());
    out["sim"] = {{"wall_s", r.wall_s},
                  {"warp_insts_per_s", r.wall_s > 0 ? insts / r.wall_s : 0.0}};
  }
  return out;
}

std::string to_table(const RunResult& r) {
  const json j = to_json(r, true);
  std::string out;
  char line[256];
  std::snprintf(line, sizeof line, "%-40s %14s %12s %14s %8s\n", "kernel", "cycles", "time_us",
                "warp_insts", "ipc");
  out += line;
  auto row = [&](const std::string& name, const json& b) {
    std::string n = name.size() > 40 ? name.substr(0, 37) + "..." : name;
    std::snprintf(line, sizeof line, "%-40s %14llu %12.3f %14llu %8.3f\n", n.c_str(),
                  static_cast<unsigned long long>(b["cycles"].get<uint64_t>()),
                  b["time_s"].get<double>() * 1e6,
                  static_cast<unsigned long long>(b["warp_insts"].get<uint64_t>()),
                  b["ipc"].get<double>());
    out += line;
  };
  for (const auto& k : j["kernels"]) row(k["name"].get<std::string>(), k);
  row("total", j["total"]);
  const json& t = j["total"];
  if (t.contains("energy_j") && t["energy_j"].is_number()) {
    std::snprintf(line, sizeof line, "energy %.6g J", t["energy_j"].get<double>());
    out += line;
    if (t.contains("avg_power_w") && t["avg_power_w"].is_number()) {
      std::snprintf(line, sizeof line, ", average power %.4g W", t["avg_power_w"].get<double>());
      out += line;
    }
    out += "\n";
  }
  std::snprintf(line, sizeof line, "simulated in %.3f s (%.3g warp insts/s) on %s\n", r.wall_s,
                j["sim"]["warp_insts_per_s"].get<double>(), r.gpu.c_str());
  out += line;
  return out;
}

}  // namespace joulesim::report
