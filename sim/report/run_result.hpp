#pragma once
/// @file
/// RunResult: what one simulation produced, before and after pricing. It keeps the raw activity
/// counts so that `reprice` can re-price a saved result without re-simulating.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "stats/activity.hpp"

namespace joulesim::report {

/// One kernel's timing outcome.
struct KernelResult {
  std::string name;
  uint32_t id = 0;
  uint64_t cycles = 0;           ///< core cycles from the kernel's launch to its last warp's exit
  int64_t time_ps = 0;           ///< elapsed simulated time
  stats::ActivityCounts counts;  ///< this kernel's activity
};

/// A whole run: kernels in order, plus simulator statistics.
struct RunResult {
  std::string gpu;        ///< config name
  std::string trace;      ///< trace path as given
  nlohmann::json config;  ///< resolved config (with sources), for reprice
  std::vector<KernelResult> kernels;
  double wall_s = 0;      ///< host seconds spent simulating
  nlohmann::json energy;  ///< filled by the energy model (per kernel and total), or null
};

/// The result as JSON (DESIGN.md section 8): gpu, trace, config, "total" {cycles, time_s, time_ps,
/// warp_insts, ipc, counts, + energy keys}, "kernels" [{name, id, cycles, time_ps, time_s,
/// warp_insts, ipc, counts, + energy keys}], "energy_conditions", "sim" {wall_s, warp_insts_per_s}.
/// The energy keys (energy_j, avg_power_w, energy_by_component, energy_by_op_class, co2e_g, ...)
/// come from RunResult::energy when it is not null. Deterministic: the same result gives the same
/// JSON.
nlohmann::json result_to_json(const RunResult& result);

/// Reads back what result_to_json wrote (the energy keys are ignored: reprice recomputes them).
/// Throws ConfigError naming @p where and the key path on a malformed document.
RunResult result_from_json(const nlohmann::json& j, const std::string& where);

}  // namespace joulesim::report
