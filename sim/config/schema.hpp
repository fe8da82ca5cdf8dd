#pragma once
// Internal to sim/config: the schema table (one row per key path) and the leaf map the loader
// builds from files, overrides and defaults.
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "config/gpu_spec.hpp"

namespace joulesim::config::detail {

/// What a key's value must be.
enum class ValueType {
  kUint,        ///< non-negative integer within [min, max]
  kReal,        ///< number within [min, max]
  kString,      ///< string, from `choices` when that is not empty
  kDvfsPoints,  ///< [[mhz, volts], ...], non-empty
};

/// One schema row.
struct KeyRow {
  std::string path;
  ValueType type = ValueType::kUint;
  double min = 0, max = 0;           ///< inclusive range for kUint / kReal
  std::vector<std::string> choices;  ///< allowed strings (kString); empty: any non-empty string
  std::string unit;
  std::string description;
  bool has_default = false;    ///< missing key takes the GpuSpec default (else: required)
  std::string default_reason;  ///< why the default is a sound assumption
  bool allow_empty = false;    ///< kString: the empty string is allowed
  /// Writes a validated value into the spec (null for keys kept only in the resolved tree).
  std::function<void(GpuSpec&, const nlohmann::json&)> set;
  /// Reads the value back (used for defaults); null with `set`.
  std::function<nlohmann::json(const GpuSpec&)> get;
};

/// Builds the table (schema_rows.cpp); schema() keeps the one instance.
std::vector<KeyRow> build_schema();
/// The schema, in documentation order.
const std::vector<KeyRow>& schema();
/// The row for @p path, or nullptr.
const KeyRow* find_row(std::string_view path);
/// True when @p path names a group of keys (e.g. "dram", "dram.timing", "units.fp32").
bool is_group(std::string_view path);
/// "did you mean 'x'?" text for an unknown key path ("" when nothing is close).
std::string suggest_key(std::string_view path);
/// Optimal-string-alignment edit distance (Levenshtein plus adjacent transpositions).
size_t edit_distance(std::string_view a, std::string_view b);
/// Human text of what a row allows, e.g. "an unsigned integer in [1, 4096] (SMs)".
std::string allowed_text(const KeyRow& row);
/// Checks @p value against @p row; returns "" or what is wrong (without the key path).
std::string check_value(const KeyRow& row, const nlohmann::json& value);

/// One resolved key: its value, where the number comes from, and which file set it.
struct Leaf {
  nlohmann::json value;
  std::string source;
  std::string file;
};
/// Key path -> leaf; deep merge of configs is a key-by-key overwrite of this map.
using LeafMap = std::map<std::string, Leaf>;

/// Reads and validates one config file's own keys (no extends resolution). Sets @p extends to
/// the file's "extends" string ("" when none).
LeafMap parse_config_file(const std::filesystem::path& file, std::string& extends);
/// Reads @p file and the files it extends, base first, merged key by key; @p chain receives
/// the files in that order.
LeafMap load_chain(const std::filesystem::path& file, std::vector<std::filesystem::path>& chain);
/// Validates one JSON tree in config-file form (@p origin names it in errors). With
/// @p resolved_form, leaves may also carry the "file" member written by load_gpu.
LeafMap parse_config_tree(const nlohmann::json& tree, const std::string& origin, bool resolved_form,
                          std::string* extends);
/// Applies "key=value" overrides (type-checked) on top of @p leaves.
void apply_overrides(LeafMap& leaves, const std::vector<std::string>& overrides);
/// Fills schema defaults, builds the spec, runs cross-key checks and the resolved tree.
/// @p top_file names the config in "required key missing" errors.
void finish_load(LeafMap leaves, const std::string& top_file, GpuSpec& spec,
                 nlohmann::json& resolved);
/// Cross-key checks (impossible combinations); errors name the file that set the key (@p top_file
/// for keys that took a schema default).
void validate_spec(const GpuSpec& spec, const LeafMap& leaves, const std::string& top_file);

/// Throws ConfigError "<file>: <path>: <what>".
[[noreturn]] void key_error(const std::string& file, const std::string& path,
                            const std::string& what);

/// Path relative to data_root() when it lies below it, for messages and provenance.
std::string display_path(const std::filesystem::path& p);

}  // namespace joulesim::config::detail
