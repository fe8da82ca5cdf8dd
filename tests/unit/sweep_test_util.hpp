#pragma once
// Helpers for the sweep tests: temporary folders, spec builders, and a cheap deterministic
// stand-in simulator whose counts follow from the workload and spec by simple formulas, so the
// tests can compute the expected energies by hand.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "sweep/sweep.hpp"

namespace joulesim::sweep::testing {

/// A temporary folder that removes itself.
class TempDir {
 public:
  TempDir() {
    auto base = std::filesystem::temp_directory_path();
    for (int i = 0;; ++i) {
      path_ =
          base / ("joulesim_sweep_test_" + std::to_string(::getpid()) + "_" + std::to_string(i));
      if (std::filesystem::create_directory(path_)) break;
    }
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path write(const std::string& name, const nlohmann::json& j) const {
    auto p = path_ / name;
    std::ofstream(p) << j.dump(2);
    return p;
  }

 private:
  std::filesystem::path path_;
};

/// A small generator workload (validated by make_plan, ignored by the stand-in simulator).
inline nlohmann::json chain_workload(const std::string& name, int n) {
  return {{"name", name}, {"generator", "ubench.ffma_chain"}, {"params", {{"n", n}}}};
}

/// The integer generator parameter @p key of @p w (0 when absent).
inline int64_t param(const Workload& w, const std::string& key) {
  for (const auto& [k, v] : w.params) {
    if (k == key) return std::stoll(v);
  }
  return 0;
}

/// Stand-in timing model: one kernel of n * 1000 core cycles at the spec's clock; per cycle one
/// FP32 warp instruction of 32 lanes, 2 register reads and 1 write per instruction, 4 DRAM read
/// bursts per 100 cycles, every SM active. Depends only on timing keys (core clock, SM count).
inline report::RunResult stand_in(const config::GpuSpec& spec, const Workload& w) {
  const int64_t n = std::max<int64_t>(1, param(w, "n"));
  if (w.name == "boom") throw Error("stand-in: workload 'boom' always fails");
  report::RunResult r;
  report::KernelResult k;
  k.name = "k_" + w.name;
  k.id = 1;
  k.cycles = static_cast<uint64_t>(n) * 1000;
  k.time_ps = static_cast<int64_t>(static_cast<double>(k.cycles) * 1e6 / spec.core_mhz());
  k.counts.add_inst(trace::OpClass::kFp32Fma, k.cycles, k.cycles * 32);
  k.counts[stats::Counter::kCoreCycles] = k.cycles;
  k.counts[stats::Counter::kWarpInstIssued] = k.cycles;
  k.counts[stats::Counter::kRfRead] = 2 * k.cycles;
  k.counts[stats::Counter::kRfWrite] = k.cycles;
  k.counts[stats::Counter::kDramReadBurst] = k.cycles / 25;
  k.counts[stats::Counter::kSmActiveCycles] = k.cycles * spec.core.sm_count;
  r.kernels.push_back(k);
  return r;
}

/// Sorted lines of a JSON-lines file (torn tail included as it is).
inline std::vector<std::string> sorted_lines(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(line);
  }
  std::sort(out.begin(), out.end());
  return out;
}

inline std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// The message of the ConfigError that planning @p spec throws ("" and a failure if none).
inline std::string plan_error(const nlohmann::json& spec) {
  try {
    make_plan(parse_spec(spec, "spec.json"));
  } catch (const ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "planning did not throw: " << spec.dump();
  return "";
}

inline RunOptions quiet(const std::filesystem::path& out, unsigned jobs = 1) {
  RunOptions o;
  o.out = out;
  o.jobs = jobs;
  o.progress = ProgressMode::kNone;
  return o;
}

}  // namespace joulesim::sweep::testing
