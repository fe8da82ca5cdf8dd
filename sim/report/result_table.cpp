// The terminal table of a run, built from the same JSON `run --json` prints.
#include "report/result_table.hpp"

#include <cstdio>

namespace joulesim::report {

std::string result_table(const RunResult& r) {
  const nlohmann::json j = result_to_json(r);
  std::string out;
  char line[256];
  std::snprintf(line, sizeof line, "%-40s %14s %12s %14s %8s\n", "kernel", "cycles", "time_us",
                "warp_insts", "ipc");
  out += line;
  auto row = [&](const std::string& name, const nlohmann::json& b) {
    const std::string n = name.size() > 40 ? name.substr(0, 37) + "..." : name;
    const double ipc = b.contains("ipc") ? b["ipc"].get<double>() : 0.0;
    std::snprintf(line, sizeof line, "%-40s %14llu %12.3f %14llu %8.3f\n", n.c_str(),
                  static_cast<unsigned long long>(b["cycles"].get<uint64_t>()),
                  b["time_s"].get<double>() * 1e6,
                  static_cast<unsigned long long>(b["warp_insts"].get<uint64_t>()), ipc);
    out += line;
  };
  for (const auto& k : j["kernels"]) row(k["name"].get<std::string>(), k);
  row("total", j["total"]);
  const nlohmann::json& t = j["total"];
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
