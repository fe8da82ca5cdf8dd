#pragma once
/// @file
/// Public interface of the energy subsystem: energy tables (pJ per action with provenance), the
/// EnergyModel (a pure function of counts, time, V/f point, temperature and tables), DVFS
/// operating points, power timelines, carbon, table derivation by node scaling, and pricing of
/// a whole RunResult (used by `run` and `reprice`).
///
/// The central rule: timing produces counts, energy prices counts. Nothing here is called from
/// the timing loop.
#include <array>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/gpu_spec.hpp"
#include "report/run_result.hpp"
#include "stats/activity.hpp"

namespace joulesim::energy {

using stats::kNumOpClasses;
using stats::kNumTensorTypes;

// ---------------------------------------------------------------------------------------------
// Energy tables
// ---------------------------------------------------------------------------------------------

/// Energy components of a result. Their sum is the total energy.
enum class Component : uint8_t {
  kDatapath,        ///< "sm_datapath": arithmetic of every op class (tensor per FLOP)
  kInstOverhead,    ///< "inst_overhead": fetch, decode, schedule, operand delivery (not the RF)
  kRegisterFile,    ///< "register_file": rf.read / rf.write
  kL1Shared,        ///< "l1_shared": L1 data cache, shared memory, constant cache
  kL2,              ///< "l2": L2 slices and the optional memory-side LLC
  kNoc,             ///< "noc": crossbar flits
  kDramDynamic,     ///< "dram_dynamic": activate, precharge, read and write bursts
  kDramBackground,  ///< "dram_background": standby power and refresh
  kSmClock,         ///< "sm_clock": clock tree and pipeline latches per active SM cycle
  kIdleSm,          ///< "idle_sm": residual clocking of SMs with no resident warp
  kStatic,          ///< "static": leakage of SMs and uncore (V and temperature dependent)
  kConstant,        ///< "constant": board power independent of activity
  kCount
};
inline constexpr size_t kNumComponents = static_cast<size_t>(Component::kCount);

/// Stable snake_case name of a component, used as a JSON key.
std::string_view component_name(Component c);

/// One number of a table, with its unit and where it came from.
struct Entry {
  double value = 0;
  std::string unit;
  std::string source;
};

/// A parsed, validated energy table (models/energy/*.json): energies in pJ at the reference
/// voltage and process node, powers in W at the reference voltage and temperature.
struct EnergyTable {
  std::string name;  ///< e.g. "hopper-4n"
  std::string description;
  std::string process;  ///< e.g. "TSMC 4N"
  Entry node_nm;
  Entry vref;  ///< reference voltage (V) of every dynamic energy
  Entry tref;  ///< reference temperature (deg C) of the leakage powers

  std::array<Entry, kNumOpClasses> op_datapath_pj;        ///< per thread instruction (0 for tensor)
  std::array<Entry, kNumTensorTypes> tensor_pj_per_flop;  ///< per dense-equivalent FLOP
  Entry tensor_sparse_ratio;      ///< energy of a 2:4-sparse FLOP relative to a dense one
  Entry issue_pj_per_warp_inst;   ///< fetch + decode + schedule, once per warp instruction
  Entry lane_pj_per_thread_inst;  ///< operand collection/delivery per active lane
  Entry rf_read_pj_per_lane;      ///< one 32-bit register read for one lane
  Entry rf_write_pj_per_lane;     ///< one 32-bit register write for one lane
  /// Per counted action, indexed by stats::Counter (unused counters hold value 0).
  std::array<Entry, stats::kNumCounters> action_pj;
  Entry dram_read_pj_per_bit, dram_write_pj_per_bit;  ///< burst data (core + I/O)
  Entry dram_background_w_per_channel;
  Entry link_pj_per_bit;      ///< NVLink / Infinity Fabric (no counter yet: not priced)
  Entry sm_active_cycle_pj;   ///< clock tree + latches per active SM cycle
  Entry sm_idle_cycle_pj;     ///< residual per idle SM cycle (clock-gated)
  Entry sm_leakage_w;         ///< per SM at vref, tref
  Entry uncore_leakage_w;     ///< L2, NoC, memory controllers, I/O at vref, tref
  Entry leak_v_exp_per_volt;  ///< leakage ~ V * exp(k (V - vref))
  Entry leak_doubling_c;      ///< leakage doubles every this many deg C
  Entry board_w;              ///< constant board power
  nlohmann::json derivation;  ///< how the table was derived (informational), or null
};

/// Parses and validates a table. Every entry must carry a non-empty "source" and the expected
/// unit; unknown keys are errors. Throws ConfigError naming @p where and the key path.
EnergyTable parse_energy_table(const nlohmann::json& j, const std::string& where);

/// Loads a table from a file; a relative path is tried as given, then under
/// data_root()/models/energy/. Throws ConfigError / Error.
EnergyTable load_energy_table(const std::filesystem::path& path);

/// Resolves a table path as load_energy_table does (for messages and reprice).
std::filesystem::path resolve_table_path(const std::filesystem::path& path);

// ---------------------------------------------------------------------------------------------
// DVFS
// ---------------------------------------------------------------------------------------------

/// A core clock and the supply voltage it runs at.
struct OperatingPoint {
  double mhz = 0;
  double volts = 0;  ///< 0: the config has no dvfs.points (the model then uses the table's vref)
};

/// The operating point of @p spec: spec.core_mhz(), with the voltage linearly interpolated in
/// dvfs.points (ascending MHz). Below the lowest point the lowest voltage holds (Vmin floor);
/// above the highest point is a ConfigError. Points must be ascending and positive.
OperatingPoint operating_point(const config::GpuSpec& spec);

// ---------------------------------------------------------------------------------------------
// EnergyModel
// ---------------------------------------------------------------------------------------------

/// Where and how a run is priced.
struct Conditions {
  double volts = 0;           ///< core supply voltage; 0: the table's vref
  double temperature_c = 65;  ///< junction temperature for leakage
};

/// Instruction energy of one op class.
struct OpClassEnergy {
  double datapath_j = 0;
  double overhead_j = 0;  ///< issue + lane overhead + attributed register-file energy
  uint64_t warp_insts = 0, thread_insts = 0;
  /// overhead / datapath; infinity when the datapath is 0 and the overhead is not.
  double overhead_ratio() const;
};

/// Energy of an interval, a kernel or a run.
struct EnergyBreakdown {
  double time_s = 0;
  double total_j = 0;
  std::array<double, kNumComponents> by_component{};
  std::array<OpClassEnergy, kNumOpClasses> by_op_class{};
  std::array<double, kNumTensorTypes> tensor_datapath_j{};  ///< datapath by tensor data type
  double avg_power_w() const { return time_s > 0 ? total_j / time_s : 0; }
  double component(Component c) const { return by_component[static_cast<size_t>(c)]; }
  /// sm_datapath + inst_overhead + register_file: what the op classes sum to.
  double instruction_j() const;
  EnergyBreakdown& operator+=(const EnergyBreakdown& o);
};

/// The EnergyModel: prices @p counts over @p time_ps on @p spec with @p table under @p cond.
/// Pure: the same inputs give bit-identical results. Dynamic on-chip energy scales with
/// (V/vref)^2; leakage with (V/vref) exp(k (V-vref)) 2^((T-tref)/doubling); DRAM energy and
/// board power are on their own rails and do not scale with the core voltage.
EnergyBreakdown price(const stats::ActivityCounts& counts, int64_t time_ps,
                      const EnergyTable& table, const config::GpuSpec& spec,
                      const Conditions& cond);

/// Leakage multiplier relative to (vref, tref) at @p cond.
double leakage_scale(const EnergyTable& table, const Conditions& cond);

/// JSON of a breakdown: energy_j, avg_power_w, time_s, energy_by_component,
/// energy_by_op_class {class: {datapath_j, overhead_j, overhead_ratio, warp_insts, thread_insts}},
/// energy_by_tensor_type.
nlohmann::json to_json(const EnergyBreakdown& e);

// ---------------------------------------------------------------------------------------------
// Power timeline
// ---------------------------------------------------------------------------------------------

/// Cumulative counts at a point in simulated time.
struct Snapshot {
  int64_t time_ps = 0;
  stats::ActivityCounts counts;  ///< cumulative since the start of the run
};

/// One priced interval of a timeline.
struct PowerSample {
  int64_t start_ps = 0, end_ps = 0;
  EnergyBreakdown energy;
  double power_w() const { return energy.avg_power_w(); }
};

/// Prices consecutive snapshot deltas. The first interval starts at time 0 with zero counts.
/// Snapshots must be in non-decreasing time with non-decreasing counts (else Error).
std::vector<PowerSample> price_timeline(const std::vector<Snapshot>& snapshots,
                                        const EnergyTable& table, const config::GpuSpec& spec,
                                        const Conditions& cond);

/// CSV: start_s,end_s,power_w,energy_j, then one <component>_w column per component.
std::string timeline_csv(const std::vector<PowerSample>& samples);

// ---------------------------------------------------------------------------------------------
// Carbon
// ---------------------------------------------------------------------------------------------

/// Grid presets and data-centre PUE (models/carbon/grid.json).
struct GridTable {
  std::vector<std::pair<std::string, Entry>> regions;  ///< name -> gCO2e/kWh
  std::string default_region;
  Entry default_pue;
  /// Intensity of @p region; ConfigError listing the known regions otherwise.
  const Entry& intensity(const std::string& region) const;
};

/// ACT-style embodied-carbon factors (models/carbon/embodied.json).
struct EmbodiedTable {
  nlohmann::json raw;  ///< validated document (node and memory tables with sources)
};

GridTable load_grid(const std::filesystem::path& path);          ///< path under models/carbon ok
EmbodiedTable load_embodied(const std::filesystem::path& path);  ///< path under models/carbon ok

/// Embodied carbon of one device of @p spec in grams, with the parts that make it up.
struct EmbodiedCarbon {
  double die_g = 0, memory_g = 0, packaging_g = 0;
  double lifetime_s = 0;
  double total_g() const { return die_g + memory_g + packaging_g; }
};
EmbodiedCarbon embodied_carbon(const EmbodiedTable& t, const config::GpuSpec& spec);

/// Grams of CO2e of a run or kernel.
struct Co2e {
  double operational_g = 0;  ///< energy x PUE x grid intensity
  double embodied_g = 0;     ///< (time / lifetime) x embodied carbon of the device
  double total_g() const { return operational_g + embodied_g; }
};
Co2e carbon(double energy_j, double time_s, double grid_g_per_kwh, double pue,
            const EmbodiedCarbon& device);

// ---------------------------------------------------------------------------------------------
// Table derivation by node and voltage scaling
// ---------------------------------------------------------------------------------------------

/// Derives a generation table from the 45 nm reference table, the node-scaling rules
/// (models/energy/scaling.json) and a generation input (models/energy/derive/<name>.json).
/// The result parses with parse_energy_table and names, per entry, how it was computed.
nlohmann::json derive_table(const nlohmann::json& reference, const nlohmann::json& scaling,
                            const nlohmann::json& input);

/// Energy factor of @p stillmaker_node (e.g. "HP7") at @p volts relative to the 45 nm HP node
/// at @p ref_volts (Stillmaker & Baas 2017, Table 5 energy polynomials).
double stillmaker_energy_factor(const nlohmann::json& scaling, const std::string& node,
                                double volts, double ref_volts);

// ---------------------------------------------------------------------------------------------
// Pricing a run
// ---------------------------------------------------------------------------------------------

/// What `run` and `reprice` may change about pricing.
struct PriceOptions {
  std::string energy_table;             ///< override of power.energy_table (path or file name)
  std::string region;                   ///< grid region; empty: grid.json's default
  std::optional<double> pue;            ///< override of grid.json's default PUE
  std::optional<double> temperature_c;  ///< override of power.temperature_c
  std::string grid_path = "grid.json";
  std::string embodied_path = "embodied.json";
};

/// The energy table and operating conditions that price_run uses for @p spec and @p options
/// (table from --energy or power.energy_table; volts from the DVFS point; temperature).
struct PricingSetup {
  EnergyTable table;
  Conditions cond;
  OperatingPoint op;
};
PricingSetup pricing_setup(const config::GpuSpec& spec, const PriceOptions& options);

/// The power timeline CSV (timeline_csv) of a run's cumulative counter snapshots, priced as
/// price_run prices the run.
std::string price_timeline_csv(const std::vector<Snapshot>& snapshots, const config::GpuSpec& spec,
                               const PriceOptions& options);

/// The energy part of a result: {"conditions": {...}, "total": {..., "co2e_g": {...}},
/// "kernels": [{"name", "id", ...same keys...}]}. Total = sum of the kernels.
nlohmann::json price_run(const report::RunResult& result, const config::GpuSpec& spec,
                         const PriceOptions& options);

}  // namespace joulesim::energy
