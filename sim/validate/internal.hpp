#pragma once
/// @file
/// Inside of the validation subsystem (not part of its public interface): JSON checking helpers
/// that name the file and key path, and the per-kind dataset parsers.
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "validate/validate.hpp"

namespace joulesim::validate::detail {

/// "file: key.path: what" as a ConfigError.
[[noreturn]] void fail(const std::string& where, const std::string& path, const std::string& what);

/// Joins a key path and a key ("a.b" + "c" = "a.b.c"; "" + "c" = "c").
std::string join_path(const std::string& path, const std::string& key);
/// "path[i]".
std::string index_path(const std::string& path, size_t i);

/// The member @p key of object @p obj, which must exist.
const nlohmann::json& member(const nlohmann::json& obj, const std::string& key,
                             const std::string& where, const std::string& path);
std::string get_string(const nlohmann::json& obj, const std::string& key, const std::string& where,
                       const std::string& path);
double get_number(const nlohmann::json& obj, const std::string& key, const std::string& where,
                  const std::string& path);
/// Rejects keys of @p obj outside @p allowed, listing them.
void check_keys(const nlohmann::json& obj, const std::set<std::string>& allowed,
                const std::string& where, const std::string& path);
/// Requires @p j to be an object (or array) at @p path.
void require_object(const nlohmann::json& j, const std::string& where, const std::string& path);
void require_array(const nlohmann::json& j, const std::string& where, const std::string& path);

/// A "[lo, hi]" window of two ascending positive numbers.
std::pair<double, double> get_window(const nlohmann::json& obj, const std::string& key,
                                     const std::string& where, const std::string& path);

/// Checks a simulation recipe of a microbenchmark or curve ("gpu", "generator", "params", ...).
void check_sim_recipe(const nlohmann::json& sim, const std::string& where, const std::string& path,
                      const std::set<std::string>& extra_keys);

/// Expands the "curves" of a latency_curve / stream_curve dataset into cases.
void expand_curves(Dataset& ds, const std::string& where);

/// Checks the counter_power sections and lists one case per joined kernel and model group.
void expand_counter_power(Dataset& ds, const std::string& where);

/// Reads a JSON file; ConfigError naming the file, line and column on a syntax error.
nlohmann::json read_json(const std::filesystem::path& file);

}  // namespace joulesim::validate::detail

namespace joulesim::validate::detail {

/// Counter-driven power cases (no timing model needed).
std::vector<CaseResult> simulate_counter_power(const Dataset& ds,
                                               const std::filesystem::path& root);
/// Datasheet peaks from configs; cases with a simulation recipe go to @p timing.
std::vector<CaseResult> simulate_datasheet_peaks(const Dataset& ds,
                                                 const std::filesystem::path& root,
                                                 const CaseSimulator& timing);
/// Microbenchmark, curve and power cases that need the generators and the timing model.
std::vector<CaseResult> simulate_with_timing(const Dataset& ds, const std::filesystem::path& root);

/// A case's result before simulation: its identity and measured value, nothing simulated yet.
inline CaseResult result_of(const Case& c) {
  CaseResult r;
  r.id = c.id;
  r.group = c.group;
  r.quantity = c.quantity;
  r.unit = c.unit;
  r.measured = c.measured;
  return r;
}

}  // namespace joulesim::validate::detail
