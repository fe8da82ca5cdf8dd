#pragma once
/// @file
/// RunResult: what one simulation produced, before and after pricing. It keeps the raw activity
/// counts so that `reprice` can re-price a saved result without re-simulating.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "stats/activity.hpp"

namespace joulesim::report {

/// One kernel's timing outcome.
struct KernelResult {
  std::string name;
  uint32_t id = 0;
  uint64_t cycles = 0;          ///< core cycles from the kernel's launch to its last warp's exit
  int64_t time_ps = 0;          ///< elapsed simulated time
  stats::ActivityCounts counts; ///< this kernel's activity
};

/// A whole run: kernels in order, plus simulator statistics.
struct RunResult {
  std::string gpu;                ///< config name
  std::string trace;              ///< trace path as given
  nlohmann::json config;          ///< resolved config (with sources), for reprice
  std::vector<KernelResult> kernels;
  double wall_s = 0;              ///< host seconds spent simulating
  nlohmann::json energy;          ///< filled by the energy model (per kernel and total), or null
};

}  // namespace joulesim::report
