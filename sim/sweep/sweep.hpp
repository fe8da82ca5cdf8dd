#pragma once
/// @file
/// Public interface of the sweep subsystem: architecture sweeps over GPU config keys, workloads
/// and pricing conditions (`joulesim sweep SPEC.json`).
///
/// Flow: load_spec() reads a spec (structure only) -> make_plan() expands it into points and
/// validates every point completely (config keys and values through the config loader, generator
/// parameters, traces, energy tables, grid region, PUE) before anything is simulated -> a runner
/// (run_local() with a thread pool, or MpiSession::run() across ranks) evaluates the plan's
/// simulation groups -> summarize() reads the results back and writes CSV, Pareto front and best
/// points.
///
/// Points that differ only in keys that cannot change timing (classify_key()) share one
/// simulation: the first point of the group is simulated, the others are re-priced from its
/// activity counts. Results are append-only JSON lines (one per point, each written with one
/// write() call) so that an interrupted sweep resumes where it stopped.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/gpu_spec.hpp"
#include "report/run_result.hpp"

namespace joulesim::sweep {

// ---------------------------------------------------------------------------------------------
// Spec
// ---------------------------------------------------------------------------------------------

/// Generator parameters as text, in order ("m", "512").
using ParamList = std::vector<std::pair<std::string, std::string>>;

/// A key path and the JSON value a point gives it, e.g. ("dvfs.core_mhz", 1200).
/// Besides config keys (see `joulesim gpus show`), a sweep knows pricing keys: "carbon.region",
/// "carbon.pue" and "energy.<table entry>" (e.g. "energy.dram.read_pj_per_bit",
/// "energy.actions_pj.dram.act"), an entry of the point's energy table.
using Assignment = std::pair<std::string, nlohmann::json>;

/// What a sweep runs: a trace file or a synthetic generator with parameters.
struct Workload {
  std::string name;       ///< label in results (unique in a spec)
  std::string trace;      ///< trace path (relative paths are resolved against the spec's folder)
  std::string generator;  ///< generator name (see `joulesim trace gen --list`), or ""
  std::string isa;        ///< generator target ISA ("" = the generator's default)
  ParamList params;       ///< generator parameters
  uint32_t repeat = 1;    ///< the whole trace runs this many times back to back (caches stay warm)
  /// Canonical JSON (part of point ids): {"name", "trace"} or {"name", "generator", "isa",
  /// "params": {k: v}}, plus "repeat" when it is not 1.
  nlohmann::json to_json() const;
};

/// One choice of an axis group: what a point that takes it sets.
struct Choice {
  std::string label;            ///< value as shown in results ("1200", "fp8", "nvidia/h100")
  std::string gpu;              ///< non-empty: this choice replaces the base GPU
  std::vector<Assignment> set;  ///< key assignments
  ParamList params;             ///< generator parameter overrides (every generator workload)
  nlohmann::json coords;        ///< {column: value} this choice contributes to results
};

/// A group of axes that varies together. Groups combine as a cartesian product.
struct AxisGroup {
  enum class Kind { kKey, kZip, kVariants, kGpus };
  Kind kind = Kind::kKey;
  std::string name;               ///< the key, "zip(a,b)", "variant" (or the given name), "gpu"
  std::vector<std::string> keys;  ///< every key path any choice sets
  std::vector<Choice> choices;    ///< non-empty
};

/// The metrics a sweep can report; all are computed, the spec picks which to print and rank.
enum class Metric { kTime, kEnergy, kAvgPower, kEdp, kEd2p, kCo2e, kEnergyPerFlop, kCount };

/// Spec name ("time", "energy", "avg_power", "edp", "ed2p", "co2e", "energy_per_flop").
std::string_view metric_name(Metric m);
/// Result column with its unit ("time_s", "energy_j", "avg_power_w", "edp_js", "ed2p_js2",
/// "co2e_g", "energy_per_flop_pj").
std::string_view metric_column(Metric m);

/// A parsed sweep spec (structure and JSON types checked; values are checked by make_plan()).
struct SweepSpec {
  std::filesystem::path file;  ///< where it was read from (for messages and relative paths)
  std::string name;
  std::string description;
  std::string gpu;                   ///< base GPU config name or file
  std::vector<Assignment> base_set;  ///< applies to every point, before the axes
  std::vector<Workload> workloads;   ///< non-empty; one more (implicit, outer) axis
  std::vector<AxisGroup> groups;     ///< may be empty: one point per workload
  std::vector<Metric> metrics;       ///< to print and rank (default: all)
  std::string region;                ///< grid region ("" = grid.json's default)
  std::optional<double> pue;         ///< data-centre PUE (unset = grid.json's default)
};

/// Parses a spec document. Format (configs/sweeps/README.md has examples):
/// {"name", "description"?, "gpu", "set"?: {key: value}, "workloads": [{"name", "trace",
///  "repeat"?} | {"name", "generator", "isa"?, "params"?: {k: v}, "repeat"?}], "axes"?: {key:
///  [values]} (cartesian) |
///  [{"key", "values"} | {"zip": {key: [values], ...}} | {"variants": {name: {"gpu"?, "set"?,
///  "params"?}}, "name"?} | {"gpus": [names]}], "combine"?: "cartesian" | "zip" (object form only),
///  "metrics"?: [names], "pricing"?: {"region"?, "pue"?}}.
/// Throws ConfigError "<file>: <json path>: what is wrong" on structural errors (unknown members,
/// wrong JSON types, empty axes, zip lengths that differ, duplicate values).
SweepSpec parse_spec(const nlohmann::json& doc, const std::filesystem::path& file);
/// Reads and parses a spec file.
SweepSpec load_spec(const std::filesystem::path& file);

// ---------------------------------------------------------------------------------------------
// Key classification
// ---------------------------------------------------------------------------------------------

/// Whether changing a key can change timing (re-simulate) or only the price of the same counts.
enum class KeyEffect { kTiming, kPricing };

struct KeyClass {
  KeyEffect effect = KeyEffect::kTiming;
  std::string reason;  ///< one line: why
};

/// Classifies a key path. Pricing-only: power.energy_table, power.temperature_c,
/// power.dram_energy_scale, dvfs.points (the voltages; the clock is dvfs.core_mhz), chip.process,
/// chip.node_nm, chip.die_area_mm2, chip.transistors_billion, name/description/rationale, and the
/// sweep's pricing keys carbon.* and energy.*. Everything else (dvfs.core_mhz included)
/// re-simulates.
KeyClass classify_key(std::string_view path);

// ---------------------------------------------------------------------------------------------
// Plan
// ---------------------------------------------------------------------------------------------

/// Everything needed to price one point (opaque; built by make_plan()).
struct PricingContext;

/// One point of a sweep.
struct Point {
  uint32_t index = 0;  ///< position in the deterministic enumeration order
  std::string id;      ///< 16 hex digits: hash of everything that determines the point's result
  std::string sim_id;  ///< 16 hex digits: hash of what determines its timing
  uint32_t group = 0;  ///< index into Plan::sims
  std::string gpu;     ///< GPU config name or file
  uint32_t workload_index = 0;
  Workload workload;                    ///< with the point's generator parameters applied
  std::vector<Assignment> timing_set;   ///< config overrides that need a simulation
  std::vector<Assignment> pricing_set;  ///< overrides that re-pricing handles
  nlohmann::json coords;                ///< {column: value} per axis group (results and CSV)
  std::shared_ptr<const PricingContext> pricing;
};

/// Points that share one simulation (same GPU, workload and timing overrides).
struct SimGroup {
  std::string sim_id;
  std::vector<uint32_t> points;                   ///< ascending; points[0] is simulated
  std::shared_ptr<const config::GpuSpec> timing;  ///< the spec the simulation runs on
  nlohmann::json resolved;                        ///< its resolved config (saved with counts)
  std::string gpu_name;                           ///< as load_gpu named it
};

/// A validated, expanded sweep.
struct Plan {
  SweepSpec spec;
  std::vector<Point> points;                  ///< in index order
  std::vector<SimGroup> sims;                 ///< in order of their first point
  std::vector<std::string> resimulated_axes;  ///< axis keys that need new simulations
  std::vector<std::string> repriced_axes;     ///< axis keys evaluated by re-pricing
  std::string digest;                         ///< hash of every point id, in order
};

/// Expands @p spec and validates every point before anything runs: each key through the config
/// schema (unknown key with did-you-mean, JSON type, range, cross-key checks), generator
/// parameters and ISAs, trace files, energy-table entries, grid region and PUE, the DVFS operating
/// point. Throws ConfigError naming the spec file and the key (and the axis value) at fault.
Plan make_plan(SweepSpec spec);

/// Human-readable summary of a plan: point and simulation counts, which axes are re-simulated and
/// which are re-priced.
std::string describe_plan(const Plan& plan);

// ---------------------------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------------------------

/// Simulates one workload on one GPU spec and returns the timing result (kernels with cycles,
/// time and counts; gpu/trace/config/energy need not be filled). Must be safe to call from
/// several threads at once. The shipped CLI uses simulate_workload().
using Simulator =
    std::function<report::RunResult(const config::GpuSpec& spec, const Workload& workload)>;

/// The real simulator: opens the trace (or streams the generator), repeated Workload::repeat
/// times with kernel ids numbered on, and runs the timing model.
report::RunResult simulate_workload(const config::GpuSpec& spec, const Workload& workload);

/// Metrics of one priced point.
struct Metrics {
  double time_s = 0, energy_j = 0, avg_power_w = 0, edp_js = 0, ed2p_js2 = 0, co2e_g = 0;
  double energy_per_flop_pj = 0;  ///< energy / tensor FLOPs (dense-equivalent); 0 without any
  double value(Metric m) const;
};

/// Prices @p run (a simulation of the point's group) for @p point: the point's energy table,
/// voltage, temperature, grid region and PUE. Pure and deterministic.
nlohmann::json price_point(const Plan& plan, const Point& point, const report::RunResult& run);

/// The result line of a point (without the newline): {"id", "index", "sim_id", "workload",
/// "gpu", "coords", "evaluation": "simulated"|"repriced", "metrics": {...}, "cycles",
/// "warp_insts", "tensor_flops", "energy_by_component"}. Contains nothing host-dependent (no wall
/// time), so the same plan gives byte-identical lines from any runner.
std::string result_line(const Plan& plan, const Point& point, const report::RunResult& run);

/// What one simulation group produced.
struct GroupOutcome {
  std::vector<std::pair<uint32_t, std::string>> lines;  ///< (point index, result line)
  std::string sim_json;  ///< the simulation (RunResult JSON) when it ran now; "" when reused
  std::string error;     ///< non-empty: the group failed (no lines)
  bool simulated = false;
};

/// Evaluates the points @p todo (indices into plan.points, all of group @p group) of one group:
/// re-prices @p saved when given (counts of an earlier simulation), otherwise simulates.
/// Exceptions from the simulator become GroupOutcome::error.
GroupOutcome evaluate_group(const Plan& plan, size_t group, const std::vector<uint32_t>& todo,
                            const report::RunResult* saved, const Simulator& simulate);

// ---------------------------------------------------------------------------------------------
// Results on disk
// ---------------------------------------------------------------------------------------------

/// Output folder layout (all below RunOptions::out).
struct OutputFiles {
  std::filesystem::path dir;
  std::filesystem::path results() const { return dir / "results.jsonl"; }
  std::filesystem::path failures() const { return dir / "failures.jsonl"; }
  std::filesystem::path csv() const { return dir / "results.csv"; }
  std::filesystem::path pareto() const { return dir / "pareto.json"; }
  std::filesystem::path best() const { return dir / "best.json"; }
  std::filesystem::path summary() const { return dir / "summary.txt"; }
  std::filesystem::path plan() const { return dir / "plan.json"; }
  std::filesystem::path sim(const std::string& sim_id) const;  ///< dir/sims/<id>.json
};

/// An append-only JSON-lines file. Each append() is one write() of the whole line and its
/// newline on an O_APPEND descriptor, so a killed process leaves either the whole line or a torn
/// tail that read_lines() discards. Durability policy: fdatasync() when at least
/// @p sync_interval_s has passed since the last one, and on close; write() alone already
/// survives kill -9 (the data is in the page cache), fdatasync() covers power loss.
class JsonLinesWriter {
 public:
  explicit JsonLinesWriter(const std::filesystem::path& path, double sync_interval_s = 1.0);
  ~JsonLinesWriter();
  JsonLinesWriter(const JsonLinesWriter&) = delete;
  JsonLinesWriter& operator=(const JsonLinesWriter&) = delete;
  /// Appends @p line (must not contain a newline). Thread-safe.
  void append(const std::string& line);
  /// fdatasync() now.
  void sync();

 private:
  int fd_ = -1;
  std::filesystem::path path_;
  double sync_interval_s_;
  double last_sync_ = 0;
  struct Lock;
  std::unique_ptr<Lock> lock_;
};

/// Complete lines of a JSON-lines file, parsed. A torn last line (no newline, or not valid JSON
/// with no newline after it) is dropped, and when @p repair is set the file is truncated to the
/// end of the last complete line. A bad line that is not the last is a ConfigError naming
/// file:line. A missing file reads as empty.
std::vector<nlohmann::json> read_lines(const std::filesystem::path& path, bool repair,
                                       size_t* torn = nullptr);

// ---------------------------------------------------------------------------------------------
// Runners
// ---------------------------------------------------------------------------------------------

/// How progress is shown: a redrawn bar with ETA (terminal), plain lines, or nothing.
enum class ProgressMode { kAuto, kBar, kLines, kNone };

struct RunOptions {
  unsigned jobs = 1;          ///< worker threads (run_local)
  bool resume = false;        ///< keep finished points of @ref out and do the rest
  std::filesystem::path out;  ///< output folder
  ProgressMode progress = ProgressMode::kAuto;
  std::ostream* log = nullptr;   ///< progress and messages (nullptr: std::cerr)
  double sync_interval_s = 1.0;  ///< see JsonLinesWriter
};

/// A point that failed, with why.
struct Failure {
  uint32_t point = 0;
  std::string id;
  std::string error;
};

/// What a runner did.
struct RunStats {
  size_t points = 0;        ///< in the plan
  size_t already_done = 0;  ///< found finished by --resume
  size_t torn_lines = 0;    ///< torn tail lines discarded by --resume
  size_t simulations = 0;   ///< simulations run now
  size_t reused_sims = 0;   ///< groups re-priced from a saved simulation (resume)
  size_t evaluated = 0;     ///< points written now
  std::vector<Failure> failures;
  double wall_s = 0;
};

/// Runs @p plan on local threads. Without resume, a non-empty results file in the output folder
/// is an error. Writes plan.json, results.jsonl, sims/, failures.jsonl (when any point fails).
RunStats run_local(const Plan& plan, const Simulator& simulate, const RunOptions& options);

/// True when joulesim was built with Boost.MPI (JOULESIM_HAVE_MPI).
bool mpi_available();

/// An MPI session: initialises MPI on construction and finalises it on destruction. Construct it
/// on every rank before make_plan() so that only rank 0 needs to report errors.
class MpiSession {
 public:
  /// Throws Error when joulesim was built without MPI.
  MpiSession();
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;
  int rank() const;
  int size() const;
  /// Runs @p plan across the ranks (call on every rank with the same plan). Rank 0 hands out
  /// simulation groups one at a time to whichever worker asks and writes every result; with one
  /// rank, rank 0 evaluates them itself. A group that fails on a worker is reported with its
  /// points and the sweep goes on. Returns the stats on rank 0, an empty RunStats elsewhere.
  RunStats run(const Plan& plan, const Simulator& simulate, const RunOptions& options);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// ---------------------------------------------------------------------------------------------
// Summaries
// ---------------------------------------------------------------------------------------------

/// A finished point as read back from results.jsonl.
struct PointResult {
  uint32_t index = 0;
  std::string id;
  std::string workload;
  nlohmann::json line;  ///< the whole result line
  Metrics metrics;
};

/// Indices (into @p points) of the time-energy Pareto front: no other point is at least as good
/// in both and strictly better in one. Ordered by time, then energy, then index. Identical
/// (time, energy) pairs are all kept.
std::vector<size_t> pareto_front(const std::vector<std::pair<double, double>>& time_energy);

/// Reads results.jsonl, keeps the plan's points (sorted by index), and writes results.csv,
/// pareto.json (front per workload), best.json (best point per workload and metric, lower is
/// better) and summary.txt, all atomically. Returns the summary text.
std::string summarize(const Plan& plan, const OutputFiles& files);

/// The points of @p plan found in @p files' results, sorted by index.
std::vector<PointResult> load_results(const Plan& plan, const OutputFiles& files);

}  // namespace joulesim::sweep
