#pragma once
/// @file
/// Public interface of the validation subsystem: measured datasets (validation/datasets/*.json),
/// error metrics, non-negative least squares, the counter-driven power model for the AccelWattch
/// Volta set, energy-table calibration with leave-one-out cross-validation, and suites that
/// simulate every case and compare it with silicon.
///
/// A dataset is a list of cases, each a measured figure with its source, unit and a recipe for
/// simulating it, grouped under named tolerances. Curve datasets are expanded into cases (every
/// point, plus the derived cache steps / full-occupancy bandwidth). Nothing is ever hidden: a case
/// that cannot be simulated (a piece of the simulator or a config is missing) is reported with
/// the reason and fails its group.
#include <Eigen/Dense>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "config/gpu_spec.hpp"
#include "energy/energy.hpp"
#include "stats/activity.hpp"

namespace joulesim::validate {

// ---------------------------------------------------------------------------------------------
// Error metrics
// ---------------------------------------------------------------------------------------------

/// Signed error of a simulated value in percent of the measured one: 100 (sim - meas) / meas.
/// Throws Error when @p measured is 0 or either value is not finite.
double error_pct(double measured, double simulated);

/// Pearson correlation of two equally long series; NaN when n < 2 or a series is constant.
double pearson_r(const std::vector<double>& x, const std::vector<double>& y);

/// Summary of the errors of a set of cases.
struct ErrorStats {
  size_t n = 0;
  double mape_pct = 0;           ///< mean of |error %|
  double max_abs_error_pct = 0;  ///< largest |error %|
  double mean_error_pct = 0;     ///< mean signed error (bias)
  double pearson_r = 0;          ///< measured vs simulated; NaN when undefined
};

/// Error statistics of @p simulated against @p measured (same length, else Error).
ErrorStats error_stats(const std::vector<double>& measured, const std::vector<double>& simulated);

// ---------------------------------------------------------------------------------------------
// Non-negative least squares
// ---------------------------------------------------------------------------------------------

/// Solution of min ||A x - b||_2 subject to x >= 0.
struct NnlsResult {
  Eigen::VectorXd x;
  double residual_norm = 0;  ///< ||A x - b||_2
  int iterations = 0;        ///< outer (active-set) iterations
  bool converged = false;    ///< the KKT conditions hold within tolerance
};

/// Lawson-Hanson active-set NNLS. The passive-set subproblems are solved by column-pivoting QR,
/// so rank-deficient A is handled. @p max_iterations 0 means 3 x columns. Throws Error on a
/// size mismatch or non-finite input.
NnlsResult nnls(const Eigen::MatrixXd& a, const Eigen::VectorXd& b, int max_iterations = 0);

// ---------------------------------------------------------------------------------------------
// Datasets
// ---------------------------------------------------------------------------------------------

/// A named set of cases with the tolerance they must meet.
struct Group {
  std::string name;
  std::string description;
  /// Tolerance in percent; empty: reported only (never fails the suite).
  std::optional<double> tolerance_pct;
  /// "mape": the group's MAPE must be <= tolerance; "max": every case's |error| must be.
  std::string metric = "mape";
};

/// One measured figure and how to simulate it.
struct Case {
  std::string id;        ///< unique within the dataset
  std::string group;     ///< a Group name of the dataset
  std::string quantity;  ///< what was measured, in words
  std::string unit;
  double measured = 0;
  std::string source;         ///< paper + table, datasheet, or shared-data file
  nlohmann::json conditions;  ///< clocks, temperatures, sizes (free-form object), or null
  nlohmann::json sim;         ///< kind-specific recipe (validated by the loader)
};

/// A parsed, validated dataset file.
struct Dataset {
  std::filesystem::path file;
  std::string name;
  /// "microbench" | "latency_curve" | "stream_curve" | "counter_power" | "datasheet"
  std::string kind;
  std::string description;
  std::string gpu;                  ///< the measured GPU, in words
  std::vector<std::string> suites;  ///< suites that include it ("quick", "full")
  std::vector<Group> groups;
  std::vector<Case> cases;  ///< curve datasets: expanded from "curves"
  nlohmann::json raw;       ///< the whole document (kind-specific sections)
};

/// Parses and validates a dataset document. Errors are ConfigErrors naming @p where, the key
/// path and what is allowed (e.g. "x.json: cases[3].measured: expected a number").
Dataset parse_dataset(const nlohmann::json& j, const std::string& where);

/// Loads a dataset file (JSON syntax errors name the file, line and column).
Dataset load_dataset(const std::filesystem::path& file);

/// All datasets of @p dir (sorted by file name) that belong to @p suite ("quick", "full"; "all"
/// selects every file). Throws ConfigError for a bad file or an unknown suite with no dataset.
std::vector<Dataset> load_suite(const std::string& suite, const std::filesystem::path& dir);

// ---------------------------------------------------------------------------------------------
// Curves
// ---------------------------------------------------------------------------------------------

/// Median of the y values whose x lies in [lo, hi]; Error if none does.
double plateau(const std::vector<double>& x, const std::vector<double>& y, double lo, double hi);

/// Footprint of the step between the plateau in [lo_window] and the one in [hi_window]: the
/// first x after lo_window where y reaches the midpoint of the two plateau levels, linearly
/// interpolated in log(x) between the bracketing points. x ascending; Error if never reached.
double step_position(const std::vector<double>& x, const std::vector<double>& y,
                     const std::pair<double, double>& lo_window,
                     const std::pair<double, double>& hi_window);

// ---------------------------------------------------------------------------------------------
// Counter-driven power (AccelWattch Volta set)
// ---------------------------------------------------------------------------------------------

/// One kernel of the joined AccelWattch set: hardware counters (per launch) and measured power.
struct CounterKernel {
  std::string name;                                      ///< the power file's name, e.g. "btree_k1"
  std::string benchmark;                                 ///< hw_perf.csv "Benchmark"
  std::string kernel;                                    ///< hw_perf.csv "Kernel"
  std::vector<std::pair<std::string, double>> counters;  ///< hw_perf.csv columns, file order
  double measured_w = 0, stdev_w = 0;
  int samples = 0;
  double counter(const std::string& column) const;  ///< Error naming the column if absent
};

/// Reads hw_perf.csv and hw_power_validation_volta.csv and joins them through @p join (pairs of
/// power-file name and "Benchmark,Kernel" of hw_perf.csv). Every join entry must match exactly
/// one row of each file; rows of either file left out of the join are listed in
/// @p unmatched (as "power:<name>" / "perf:<Benchmark,Kernel>"). Errors name file:line.
std::vector<CounterKernel> join_accelwattch(
    const std::filesystem::path& perf_csv, const std::filesystem::path& power_csv,
    const std::vector<std::pair<std::string, std::string>>& join,
    std::vector<std::string>* unmatched = nullptr);

/// A kernel as the EnergyModel sees it: counts over a duration at a voltage and temperature.
struct CounterSample {
  std::string name;
  stats::ActivityCounts counts;
  int64_t time_ps = 0;
  energy::Conditions conditions;
  double measured_w = 0;
};

/// The counter-driven dataset prepared for pricing: the GPU description it is priced on and one
/// sample per joined kernel (counter mapping and units documented in the dataset's "mapping").
struct CounterSet {
  config::GpuSpec spec;
  std::vector<CounterSample> samples;
  std::vector<std::string> unmatched;  ///< rows left out of the join (reported, not hidden)
  nlohmann::json mapping;              ///< the dataset's documented mapping, for reports
};

/// Builds the samples of a "counter_power" dataset. Relative file paths are resolved against
/// @p root (normally data_root()); a missing file is an Error naming it.
CounterSet load_counter_set(const Dataset& ds, const std::filesystem::path& root);

/// Maps one kernel's AccelWattch counters to ActivityCounts (see the dataset's "mapping"):
/// L1_RH/L1_RM -> l1.read_hit/read_miss, L1_WH+L1_WM -> l1.write, CC_ACC -> const.access,
/// SHRD_ACC -> smem.read, L2_* -> l2.*, NOC -> noc.flit, DRAM_Rd/Wr (32 B sectors) ->
/// dram.rd_burst/wr_burst, Num_Idle_SMs x cycles -> sm.idle_cycles, the rest of the SM-cycles ->
/// sm.active_cycles, Pipeline_Duty x 5 pipes x SMs x cycles -> warp instructions of the proxy
/// class; Elapsed_Cycles at @p core_mhz -> time; Chip Voltage -> V. Per-launch averages are
/// multiplied by @p launches so rounding to integers is harmless.
CounterSample counter_sample(const CounterKernel& k, const nlohmann::json& mapping,
                             uint32_t sm_count, double launches, double core_mhz);

/// Average power (W) of @p s priced with @p table on @p spec: counts in, watts out.
double counter_power_w(const CounterSample& s, const energy::EnergyTable& table,
                       const config::GpuSpec& spec);

// ---------------------------------------------------------------------------------------------
// Calibration
// ---------------------------------------------------------------------------------------------

/// One fitted parameter: a non-negative scale applied together to a group of table entries.
struct FitParameter {
  std::string name;
  std::vector<std::string> entries;  ///< JSON pointers into the table, e.g. "/sm/active_cycle_pj"
  bool prior = true;                 ///< regularised towards the base table's value (scale 1)
};

/// What `joulesim calibrate` fits and how (validation/calibration/*.json).
struct CalibrationSpec {
  std::filesystem::path file;
  std::filesystem::path dataset;     ///< a counter_power dataset
  std::filesystem::path base_table;  ///< energy table the scales multiply
  std::filesystem::path output;      ///< calibrated table to write
  std::string output_name;           ///< "name" of the written table
  std::vector<FitParameter> parameters;
  std::vector<double> lambda_grid;  ///< prior strengths; >1 value: chosen by inner LOO
  bool relative_weighting = true;   ///< minimise relative (not absolute) errors
};

/// Parses a calibration spec; ConfigError naming the file and key path.
CalibrationSpec load_calibration_spec(const std::filesystem::path& file);

/// Power of each sample as an affine function of the parameter scales:
/// P = offset + columns * scales (exact: the EnergyModel is linear in these entries, checked).
struct Design {
  Eigen::MatrixXd columns;  ///< samples x parameters, W at scale 1
  Eigen::VectorXd offset;   ///< W from every entry that is not fitted
  Eigen::VectorXd measured;
};

/// Builds the design by pricing each sample with tables that keep only one parameter's entries.
/// Throws ConfigError when an entry pointer does not name a table entry, or Error when the
/// model is found not to be linear in a parameter.
Design build_design(const std::vector<CounterSample>& samples, const nlohmann::json& base_table,
                    const std::vector<FitParameter>& params, const config::GpuSpec& spec);

/// One fit: scales, chosen prior strength and fitted watts of the training samples.
struct Fit {
  Eigen::VectorXd scales;
  double lambda = 0;
};

/// Fits the scales on the rows @p rows of @p d (all rows when empty) with prior strength
/// @p lambda (prior rows sqrt(lambda) (s_k - 1) for parameters with prior = true).
Fit fit_scales(const Design& d, const std::vector<FitParameter>& params, double lambda,
               bool relative, const std::vector<int>& rows = {});

/// Fit with the prior strength chosen from @p grid by leave-one-out inside @p rows.
Fit fit_scales_cv(const Design& d, const std::vector<FitParameter>& params,
                  const std::vector<double>& grid, bool relative, const std::vector<int>& rows);

/// Leave-one-out predictions (W): sample i predicted by a fit on all the others (with the prior
/// strength chosen inside each training fold when the grid has several values: nested LOO).
std::vector<double> loo_predictions(const Design& d, const std::vector<FitParameter>& params,
                                    const std::vector<double>& grid, bool relative);

/// Outcome of `joulesim calibrate`.
struct CalibrationResult {
  Fit fit;                         ///< on all samples
  std::vector<std::string> names;  ///< sample names
  std::vector<double> measured_w, fitted_w, loo_w;
  ErrorStats in_sample, loo;
  nlohmann::json table;  ///< the calibrated energy table, with provenance under "derivation"
};

/// Runs the whole calibration: design, fit, LOO, and the calibrated table (base table with each
/// fitted entry multiplied by its scale and its source rewritten to say so). @p date (ISO) is
/// recorded in the provenance.
CalibrationResult calibrate(const CalibrationSpec& spec, const CounterSet& set,
                            const nlohmann::json& base_table, const std::string& dataset_name,
                            const std::string& date);

// ---------------------------------------------------------------------------------------------
// Suites
// ---------------------------------------------------------------------------------------------

enum class CaseStatus : uint8_t { kOk, kNotSimulated, kError };

/// The outcome of one case. simulated is empty unless status is kOk.
struct CaseResult {
  std::string id, group, quantity, unit;
  double measured = 0;
  std::optional<double> simulated;
  double error_pct = 0;
  CaseStatus status = CaseStatus::kNotSimulated;
  std::string note;  ///< why it was not simulated, the error, or how it was derived
};

/// A group's verdict.
struct GroupResult {
  Group group;
  size_t cases = 0, simulated = 0;
  ErrorStats stats;  ///< over the simulated cases
  bool pass = false;
  std::string verdict;  ///< e.g. "MAPE 4.2% <= 10%", "3 of 12 cases not simulated"
};

struct DatasetResult {
  std::string name, file, kind, gpu, description;
  std::vector<CaseResult> cases;
  std::vector<GroupResult> groups;
  bool pass = false;
};

struct SuiteResult {
  std::string suite;
  std::vector<DatasetResult> datasets;
  bool pass = false;
};

/// Simulates the cases of one dataset. Implementations exist per dataset kind; a kind whose
/// simulator pieces are not built reports every case as not simulated, naming what is missing.
using CaseSimulator = std::function<std::vector<CaseResult>(const Dataset&)>;

/// Options of a suite run.
struct SuiteOptions {
  std::filesystem::path root;  ///< where configs/, models/ and ../shared/data resolve
  /// Overrides the simulator of a kind (tests use it); empty: the built-in ones.
  std::vector<std::pair<std::string, CaseSimulator>> simulators;
};

/// Runs every case of @p datasets and judges every group.
SuiteResult run_suite(const std::string& suite, const std::vector<Dataset>& datasets,
                      const SuiteOptions& options);

/// Judges the groups of a dataset from its case results (not-simulated cases fail their group).
DatasetResult judge(const Dataset& ds, std::vector<CaseResult> cases);

/// The built-in simulator for @p kind, resolving paths against @p root.
CaseSimulator builtin_simulator(const std::string& kind, const std::filesystem::path& root);

/// What pieces of the simulator this build lacks for @p kind ("timing model (sim/gpu)", ...).
std::vector<std::string> missing_pieces(const std::string& kind);

/// Terminal report: one table per dataset (case, measured, simulated, error %), then per group
/// n, MAPE, max error, Pearson r and the verdict.
std::string format_text(const SuiteResult& r);
/// validation/results/latest.json content.
nlohmann::json to_json(const SuiteResult& r);
/// validation/RESULTS.md content.
std::string format_markdown(const SuiteResult& r);

}  // namespace joulesim::validate
