// Parsing and validation of energy tables (models/energy/*.json).
#include <fstream>
#include <set>

#include "core/error.hpp"
#include "core/paths.hpp"
#include "energy/energy.hpp"
#include "energy/internal.hpp"

namespace joulesim::energy {

using nlohmann::json;

Entry read_entry(const json& parent, const std::string& key, const std::string& unit,
                 const std::string& where, const std::string& path) {
  const std::string p = path.empty() ? key : path + "." + key;
  if (!parent.contains(key)) throw ConfigError(where + ": missing key '" + p + "'");
  const json& e = parent.at(key);
  if (!e.is_object()) {
    throw ConfigError(where + ": '" + p + "' must be an object {\"value\", \"unit\", \"source\"}");
  }
  for (const auto& [k, v] : e.items()) {
    if (k != "value" && k != "unit" && k != "source" && k != "note") {
      throw ConfigError(where + ": unknown key '" + p + "." + k +
                        "' (allowed: value, unit, source, note)");
    }
  }
  if (!e.contains("value") || !e["value"].is_number()) {
    throw ConfigError(where + ": '" + p + ".value' must be a number");
  }
  Entry out;
  out.value = e["value"].get<double>();
  if (!std::isfinite(out.value) || out.value < 0) {
    throw ConfigError(where + ": '" + p + ".value' must be finite and >= 0");
  }
  if (!e.contains("unit") || !e["unit"].is_string() || e["unit"].get<std::string>() != unit) {
    throw ConfigError(where + ": '" + p + ".unit' must be \"" + unit + "\"");
  }
  out.unit = unit;
  if (!e.contains("source") || !e["source"].is_string() || e["source"].get<std::string>().empty()) {
    throw ConfigError(where + ": '" + p + ".source' must name where the number comes from");
  }
  out.source = e["source"].get<std::string>();
  return out;
}

namespace {

const json& section(const json& j, const std::string& key, const std::string& where) {
  if (!j.contains(key) || !j.at(key).is_object()) {
    throw ConfigError(where + ": missing object '" + key + "'");
  }
  return j.at(key);
}

}  // namespace

void check_keys(const json& obj, const std::set<std::string>& allowed, const std::string& where,
                const std::string& path) {
  for (const auto& [k, v] : obj.items()) {
    if (!allowed.count(k)) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      throw ConfigError(where + ": unknown key '" + (path.empty() ? k : path + "." + k) +
                        "' (allowed: " + list + ")");
    }
  }
}

namespace {

std::string read_string(const json& j, const std::string& key, const std::string& where) {
  if (!j.contains(key) || !j.at(key).is_string()) {
    throw ConfigError(where + ": '" + key + "' must be a string");
  }
  return j.at(key).get<std::string>();
}

}  // namespace

EnergyTable parse_energy_table(const json& j, const std::string& where) {
  if (!j.is_object()) throw ConfigError(where + ": an energy table must be a JSON object");
  check_keys(j,
             {"name", "description", "process", "node_nm", "reference_voltage_v",
              "reference_temperature_c", "op_datapath_pj", "tensor_pj_per_flop",
              "tensor_sparse_energy_ratio", "overhead", "register_file", "actions_pj", "dram",
              "link", "sm", "static", "leakage", "constant", "derivation"},
             where, "");
  EnergyTable t;
  t.name = read_string(j, "name", where);
  t.description = read_string(j, "description", where);
  t.process = read_string(j, "process", where);
  t.node_nm = read_entry(j, "node_nm", "nm", where, "");
  t.vref = read_entry(j, "reference_voltage_v", "V", where, "");
  t.tref = read_entry(j, "reference_temperature_c", "degC", where, "");
  if (t.vref.value <= 0) throw ConfigError(where + ": 'reference_voltage_v.value' must be > 0");

  const json& ops = section(j, "op_datapath_pj", where);
  std::set<std::string> op_keys;
  for (size_t i = 0; i < kNumOpClasses; ++i) {
    const std::string name(trace::to_string(static_cast<trace::OpClass>(i)));
    op_keys.insert(name);
    t.op_datapath_pj[i] = read_entry(ops, name, "pJ", where, "op_datapath_pj");
  }
  check_keys(ops, op_keys, where, "op_datapath_pj");

  const json& tensor = section(j, "tensor_pj_per_flop", where);
  std::set<std::string> tensor_keys;
  for (size_t i = 1; i < kNumTensorTypes; ++i) {  // index 0 is TensorType::kNone
    const std::string name(trace::to_string(static_cast<trace::TensorType>(i)));
    tensor_keys.insert(name);
    t.tensor_pj_per_flop[i] = read_entry(tensor, name, "pJ", where, "tensor_pj_per_flop");
  }
  check_keys(tensor, tensor_keys, where, "tensor_pj_per_flop");
  t.tensor_pj_per_flop[0] = Entry{0, "pJ", "no tensor type: no tensor datapath"};
  t.tensor_sparse_ratio = read_entry(j, "tensor_sparse_energy_ratio", "ratio", where, "");

  const json& ovh = section(j, "overhead", where);
  check_keys(ovh, {"issue_pj_per_warp_inst", "lane_pj_per_thread_inst"}, where, "overhead");
  t.issue_pj_per_warp_inst = read_entry(ovh, "issue_pj_per_warp_inst", "pJ", where, "overhead");
  t.lane_pj_per_thread_inst = read_entry(ovh, "lane_pj_per_thread_inst", "pJ", where, "overhead");

  const json& rf = section(j, "register_file", where);
  check_keys(rf, {"read_pj_per_lane", "write_pj_per_lane"}, where, "register_file");
  t.rf_read_pj_per_lane = read_entry(rf, "read_pj_per_lane", "pJ", where, "register_file");
  t.rf_write_pj_per_lane = read_entry(rf, "write_pj_per_lane", "pJ", where, "register_file");

  const json& actions = section(j, "actions_pj", where);
  std::set<std::string> action_keys;
  for (size_t i = 0; i < stats::kNumCounters; ++i) {
    t.action_pj[i] = Entry{0, "pJ", "not priced per action"};
  }
  for (const auto c : kPricedActions) {
    const std::string name(stats::counter_name(c));
    action_keys.insert(name);
    t.action_pj[static_cast<size_t>(c)] = read_entry(actions, name, "pJ", where, "actions_pj");
  }
  check_keys(actions, action_keys, where, "actions_pj");

  const json& dram = section(j, "dram", where);
  check_keys(dram, {"read_pj_per_bit", "write_pj_per_bit", "background_w_per_channel", "type"},
             where, "dram");
  t.dram_read_pj_per_bit = read_entry(dram, "read_pj_per_bit", "pJ/bit", where, "dram");
  t.dram_write_pj_per_bit = read_entry(dram, "write_pj_per_bit", "pJ/bit", where, "dram");
  t.dram_background_w_per_channel =
      read_entry(dram, "background_w_per_channel", "W", where, "dram");

  const json& link = section(j, "link", where);
  check_keys(link, {"pj_per_bit"}, where, "link");
  t.link_pj_per_bit = read_entry(link, "pj_per_bit", "pJ/bit", where, "link");

  const json& sm = section(j, "sm", where);
  check_keys(sm, {"active_cycle_pj", "idle_cycle_pj"}, where, "sm");
  t.sm_active_cycle_pj = read_entry(sm, "active_cycle_pj", "pJ", where, "sm");
  t.sm_idle_cycle_pj = read_entry(sm, "idle_cycle_pj", "pJ", where, "sm");

  const json& st = section(j, "static", where);
  check_keys(st, {"sm_leakage_w", "uncore_leakage_w"}, where, "static");
  t.sm_leakage_w = read_entry(st, "sm_leakage_w", "W", where, "static");
  t.uncore_leakage_w = read_entry(st, "uncore_leakage_w", "W", where, "static");

  const json& lk = section(j, "leakage", where);
  check_keys(lk, {"voltage_exponent_per_v", "doubling_c"}, where, "leakage");
  t.leak_v_exp_per_volt = read_entry(lk, "voltage_exponent_per_v", "1/V", where, "leakage");
  t.leak_doubling_c = read_entry(lk, "doubling_c", "degC", where, "leakage");
  if (t.leak_doubling_c.value <= 0) {
    throw ConfigError(where + ": 'leakage.doubling_c.value' must be > 0");
  }

  const json& cst = section(j, "constant", where);
  check_keys(cst, {"board_w"}, where, "constant");
  t.board_w = read_entry(cst, "board_w", "W", where, "constant");

  if (j.contains("derivation")) t.derivation = j.at("derivation");
  return t;
}

std::filesystem::path resolve_table_path(const std::filesystem::path& path) {
  if (std::filesystem::exists(path)) return path;
  auto under = data_root() / "models" / "energy" / path;
  if (std::filesystem::exists(under)) return under;
  // Configs name tables relative to the data root ("models/energy/x.json").
  if (path.is_relative() && std::filesystem::exists(data_root() / path)) return data_root() / path;
  throw Error("energy table not found: '" + path.string() + "' (also looked in " +
              (data_root() / "models" / "energy").string() + ")");
}

nlohmann::json read_json_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw Error("cannot read " + path.string());
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw ConfigError(path.string() + ": invalid JSON: " + e.what());
  }
}

EnergyTable load_energy_table(const std::filesystem::path& path) {
  const auto resolved = resolve_table_path(path);
  return parse_energy_table(read_json_file(resolved), resolved.string());
}

}  // namespace joulesim::energy
