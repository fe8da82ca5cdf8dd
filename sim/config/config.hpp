#pragma once
/// @file
/// Public interface of the config subsystem: loading GPU configs (configs/gpus/<vendor>/<name>.json
/// with "extends" inheritance and `--set key.path=value` overrides) into a validated GpuSpec,
/// listing and comparing configs, and the theoretical peaks a config implies.
///
/// File format: every numeric leaf is `{"value": <number or array>, "source": "<citation or
/// 'assumed: why'>"}`; string leaves may be plain. Resolution order: the `extends` chain (base
/// first, deep merge key by key), then `--set` overrides, then schema defaults for keys whose
/// schema row has one. Any error throws joulesim::ConfigError naming the file, the key path and
/// what is allowed.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "config/gpu_spec.hpp"
#include "trace/trace.hpp"

namespace joulesim::config {

/// One `--set key.path=value` override, split at the first '=' but not yet type-checked (that
/// happens in load_gpu against the schema).
struct Override {
  std::string path;   ///< e.g. "l2.size_kb"
  std::string value;  ///< the text after '=', e.g. "65536" or "[[1000,0.8],[1500,0.9]]"
};

/// Splits "key.path=value"; throws ConfigError quoting @p text when '=' or the key is missing.
Override parse_override(std::string_view text);

/// Checks one "key.path=value" override against the schema alone (known key, value type and
/// range), without loading a config: cross-key checks need a whole config (load_gpu). Throws the
/// ConfigError load_gpu would throw for it ("--set <text>: <key>: ...", with did-you-mean).
void check_override(std::string_view text);

/// Help text for a `--set` option, shared by every subcommand that takes one. Declare the option
/// with `->allow_extra_args(false)` so each --set takes one value and a following positional
/// is not swallowed.
inline constexpr const char* kSetOptionHelp =
    "override a config key, e.g. --set dvfs.core_mhz=1410 (repeatable; type-checked against the "
    "schema; see `joulesim gpus show NAME` for the keys)";

/// A loaded, validated GPU config.
struct LoadedGpu {
  GpuSpec spec;  ///< typed and validated
  /// Every schema key as a tree mirroring the key paths; each leaf is
  /// {"value": v, "source": "...", "file": "<file that set it | --set | schema default>"}.
  /// Save it with results: gpu_from_resolved() rebuilds the same GpuSpec from it.
  nlohmann::json resolved;
  std::string name;                          ///< lookup name, e.g. "nvidia/h100" (or the file path)
  std::filesystem::path file;                ///< the file named by the lookup
  std::vector<std::filesystem::path> chain;  ///< every file read, base of the extends chain first
};

/// Loads a GPU config. @p name_or_path: "h100" (unique configs/gpus/*/h100.json),
/// "emerging/h100-fp4" (a path under configs/gpus, ".json" optional) or a filesystem path to a
/// .json file. @p overrides: "key.path=value" strings as given to `--set`.
LoadedGpu load_gpu(const std::string& name_or_path, const std::vector<std::string>& overrides = {});

/// Rebuilds and re-validates a config from a LoadedGpu::resolved tree (e.g. saved in a result),
/// then applies @p overrides. @p origin names the tree in error messages.
LoadedGpu gpu_from_resolved(const nlohmann::json& resolved, const std::string& origin,
                            const std::vector<std::string>& overrides = {});

/// Finds the file for a lookup name (see load_gpu); throws ConfigError with suggestions.
std::filesystem::path find_gpu_file(const std::string& name_or_path);

/// One config under configs/gpus.
struct GpuEntry {
  std::string name;  ///< "<vendor folder>/<file stem>", e.g. "nvidia/h100"
  std::filesystem::path file;
};
/// All configs under <data_root>/configs/gpus, sorted by name.
std::vector<GpuEntry> list_gpus();

/// A key whose value differs between two configs (null where a side lacks the key).
struct KeyChange {
  std::string path;
  nlohmann::json a, b;
};
/// Exactly the key paths whose values differ (sources and files are not compared), sorted.
std::vector<KeyChange> diff(const LoadedGpu& a, const LoadedGpu& b);

/// Flattens a resolved tree into (key path, leaf object) pairs in key-path order.
std::vector<std::pair<std::string, nlohmann::json>> flatten_resolved(
    const nlohmann::json& resolved);

/// Theoretical throughput of one tensor data type.
struct TensorPeak {
  trace::TensorType type = trace::TensorType::kNone;
  double dense_flops_per_s = 0;   ///< flops_per_clk x sm_count x clock
  double sparse_flops_per_s = 0;  ///< dense x tensor.sparsity_speedup (FP64: no sparse path)
};

/// Theoretical peaks implied by a config's parameters at its operating clock (GpuSpec::core_mhz).
struct Peaks {
  double core_mhz = 0;
  std::vector<TensorPeak> tensor;  ///< supported types only, in TensorType order
  double fp32_flops_per_s = 0;     ///< FMA = 2 FLOPs per lane per clock
  double fp64_flops_per_s = 0;
  double fp16_flops_per_s = 0;  ///< packed FP16x2 FMA = 4 FLOPs per lane per clock
  double dram_bytes_per_s = 0;  ///< channels x bus bytes x data rate
  double llc_bytes_per_s = 0;
  uint64_t l1_bytes_per_sm = 0, shared_bytes_per_sm = 0, registers_bytes_per_sm = 0;
  uint64_t l1_bytes_total = 0, shared_bytes_total = 0, registers_bytes_total = 0;
  uint64_t l2_bytes = 0, llc_bytes = 0;
  double dram_capacity_bytes = 0;
};

/// Computes the peaks from the parameters; nothing is typed in.
Peaks compute_peaks(const GpuSpec& spec);
/// The peaks as JSON (units in the key names: flops_per_s, bytes_per_s, bytes).
nlohmann::json peaks_to_json(const Peaks& peaks);

/// Names a config may use for `core.scheduler` and `dram.scheduler`; the timing model provides
/// one implementation per name.
const std::vector<std::string>& warp_scheduler_names();
const std::vector<std::string>& dram_scheduler_names();

/// One schema row, for documentation and tools.
struct KeyInfo {
  std::string path, type, unit, description, allowed;
  bool required = true;
};
/// Every key a GPU config may hold.
std::vector<KeyInfo> schema_keys();

}  // namespace joulesim::config
