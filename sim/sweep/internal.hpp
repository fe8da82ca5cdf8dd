#pragma once
// Internal to sim/sweep: the pricing context of a point, the pricing cache that builds it, ids.
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "config/gpu_spec.hpp"
#include "energy/energy.hpp"
#include "sweep/sweep.hpp"

namespace joulesim::sweep {

/// Everything pricing a point needs, resolved and validated once by make_plan().
struct PricingContext {
  config::GpuSpec spec;  ///< the point's full spec (timing and pricing keys applied)
  std::shared_ptr<const energy::EnergyTable> table;
  std::string table_path;
  energy::OperatingPoint op;
  energy::Conditions cond;
  std::string region;
  double grid_g_per_kwh = 0;
  double pue = 1;
  energy::EmbodiedCarbon device;
};

namespace detail {

/// 16 lowercase hex digits of the FNV-1a 64-bit hash of @p text.
std::string hash_hex(std::string_view text);

/// Builds pricing contexts; loads grid/embodied tables once and each (energy table, entry
/// overrides) pair once.
class PricingCache {
 public:
  PricingCache();
  /// @p pseudo: the point's carbon.* and energy.* assignments. @p where prefixes errors.
  std::shared_ptr<const PricingContext> make(const config::GpuSpec& spec,
                                             const std::vector<Assignment>& pseudo,
                                             const std::string& region, std::optional<double> pue,
                                             const std::string& where);

 private:
  std::shared_ptr<const energy::EnergyTable> table(const std::string& path,
                                                   const std::vector<Assignment>& entries,
                                                   const std::string& where);
  energy::GridTable grid_;
  energy::EmbodiedTable embodied_;
  std::map<std::string, std::shared_ptr<const energy::EnergyTable>> tables_;
  std::map<std::string, nlohmann::json> docs_;
};

/// One unit of work: the points of one simulation group that are not finished yet.
struct Task {
  uint32_t group = 0;
  std::vector<uint32_t> todo;
};

/// Evaluates a task; @p saved_json is a saved simulation of the group ("" = simulate).
GroupOutcome run_task(const Plan& plan, const Task& task, const std::string& saved_json,
                      const Simulator& simulate);

/// Progress display: a redrawn bar with ETA on a terminal, plain lines otherwise.
class Progress {
 public:
  Progress(ProgressMode mode, std::ostream& out, size_t points, size_t done_points, size_t sims);
  /// A task finished (call under the sink's lock).
  void task_done(size_t points, bool simulated, bool failed, const std::string& what);
  void finish();

 private:
  void draw(bool force);
  ProgressMode mode_;
  std::ostream& out_;
  size_t points_, done_, sims_, sims_done_ = 0, failed_ = 0;
  double start_, last_draw_ = 0;
};

/// The output side shared by the local and the MPI runner: prepares the output folder (lock,
/// plan.json, resume scan), lists the tasks, and records every outcome (sim file first, then the
/// result lines, then failures) with progress.
class ResultSink {
 public:
  ResultSink(const Plan& plan, const RunOptions& options);
  ~ResultSink();
  const std::vector<Task>& tasks() const { return tasks_; }
  /// The saved simulation of a task's group when resuming ("" when none).
  std::string saved_sim(const Task& task) const;
  /// Records what a task produced. Thread-safe.
  void record(const Task& task, const GroupOutcome& outcome);
  /// Flushes, finishes progress, returns the stats.
  RunStats finish();

 private:
  const Plan& plan_;
  RunOptions options_;
  OutputFiles files_;
  int lock_fd_ = -1;
  std::vector<Task> tasks_;
  std::unique_ptr<JsonLinesWriter> results_;
  std::unique_ptr<JsonLinesWriter> failures_;
  std::unique_ptr<Progress> progress_;
  RunStats stats_;
  double start_ = 0;
  std::mutex mu_;
};

}  // namespace detail
}  // namespace joulesim::sweep
