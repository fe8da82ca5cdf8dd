// Derivation of a GPU generation's energy table from the 45 nm reference by node and voltage
// scaling (models/energy/scaling.json) plus the generation's own memory, static and board figures
// (models/energy/derive/<name>.json). Tables are generated, never hand-typed.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "core/error.hpp"
#include "energy/energy.hpp"
#include "energy/internal.hpp"

namespace joulesim::energy {

namespace {

using nlohmann::json;

// Rounds to 6 significant digits so generated tables stay readable and byte-stable.
double round6(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return std::stod(buf);
}

std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

double poly(const json& c, double v) {
  return c[0].get<double>() * v * v + c[1].get<double>() * v + c[2].get<double>();
}

// Scales every entry of @p sec in place by @p factor, recording how.
void scale_section(json& sec, double factor, const std::string& how) {
  for (auto& [key, e] : sec.items()) {
    if (!e.is_object() || !e.contains("value")) continue;
    const double ref = e["value"].get<double>();
    const std::string ref_source = e["source"].get<std::string>();
    e["value"] = round6(ref * factor);
    e["source"] = "derived: reference-45nm " + fmt(ref) + " " + e["unit"].get<std::string>() +
                  " x " + fmt(factor) + " (" + how + "); reference: " + ref_source;
  }
}

const json& need(const json& j, const std::string& key, const std::string& where) {
  if (!j.contains(key)) throw ConfigError(where + ": missing key '" + key + "'");
  return j.at(key);
}

// The logic calibration at @p nm: log-log interpolation between scaling.json's anchors.
double anchored_calibration(const json& scaling, double nm) {
  const json& pts = scaling.at("calibration_anchors").at("points");
  std::vector<std::pair<double, double>> a;  // (ln nm, ln factor), ascending nm
  for (const auto& p : pts) {
    a.emplace_back(std::log(p.at("node_nm").get<double>()),
                   std::log(p.at("logic").at("value").get<double>()));
  }
  std::sort(a.begin(), a.end());
  if (a.empty()) throw ConfigError("scaling.json: calibration_anchors.points is empty");
  const double x = std::log(nm);
  if (x <= a.front().first) return std::exp(a.front().second);
  if (x >= a.back().first) return std::exp(a.back().second);
  for (size_t i = 1; i < a.size(); ++i) {
    if (x <= a[i].first) {
      const double f = (x - a[i - 1].first) / (a[i].first - a[i - 1].first);
      return std::exp(a[i - 1].second + f * (a[i].second - a[i - 1].second));
    }
  }
  return std::exp(a.back().second);
}

}  // namespace

double stillmaker_energy_factor(const json& scaling, const std::string& node, double volts,
                                double ref_volts) {
  const json& coeffs = scaling.at("stillmaker_baas_2017").at("energy_coefficients");
  if (!coeffs.contains(node)) {
    throw ConfigError("scaling.json: no Stillmaker & Baas energy fit for node '" + node + "'");
  }
  const std::string ref_node = scaling.at("reference").at("node").get<std::string>();
  return poly(coeffs.at(node), volts) / poly(coeffs.at(ref_node), ref_volts);
}

json derive_table(const json& reference, const json& scaling, const json& input) {
  const std::string name = need(input, "name", "derive input").get<std::string>();
  const std::string where = "derive input '" + name + "'";
  check_keys(input,
             {"name", "description", "process", "node_nm", "stillmaker_node", "sub7nm_factor",
              "reference_voltage_v", "reference_temperature_c", "calibration", "dram",
              "dram_actions_pj", "link", "static", "leakage", "constant"},
             where, "");
  parse_energy_table(reference, "reference table");  // the reference must itself be valid

  const double vref = read_entry(input, "reference_voltage_v", "V", where, "").value;
  const double ref_v = scaling.at("reference").at("volts").get<double>();
  const std::string node = need(input, "stillmaker_node", where).get<std::string>();
  const std::string sub7_name = need(input, "sub7nm_factor", where).get<std::string>();
  const json& sub7s = scaling.at("sub7nm_factors");
  if (!sub7s.contains(sub7_name)) {
    throw ConfigError(where + ": 'sub7nm_factor' = '" + sub7_name + "' is not in scaling.json");
  }
  const double sub7 = sub7s.at(sub7_name).at("value").get<double>();
  const double node_factor = stillmaker_energy_factor(scaling, node, vref, ref_v) * sub7;
  const json& cal = need(input, "calibration", where);
  check_keys(cal, {"logic", "wire"}, where, "calibration");
  json cal_used = cal;
  double cal_logic = 0;
  if (cal.contains("logic") && cal["logic"].is_string() &&
      cal["logic"].get<std::string>() == "from_anchors") {
    const double nm = read_entry(input, "node_nm", "nm", where, "").value;
    cal_logic = anchored_calibration(scaling, nm);
    cal_used["logic"] = {
        {"value", round6(cal_logic)},
        {"unit", "ratio"},
        {"source", "scaling.json calibration_anchors at " + fmt(nm) +
                       " nm: " + scaling.at("calibration_anchors").at("rule").get<std::string>()}};
  } else {
    cal_logic = read_entry(cal, "logic", "ratio", where, "calibration").value;
  }
  const double cal_wire = read_entry(cal, "wire", "ratio", where, "calibration").value;
  const double logic = node_factor * cal_logic;
  const double wire = (vref / ref_v) * (vref / ref_v) * cal_wire;

  const std::string logic_how = "Stillmaker & Baas " + node + " at " + fmt(vref) + " V / HP45 at " +
                                fmt(ref_v) + " V" +
                                (sub7 != 1.0 ? " x " + sub7_name + " " + fmt(sub7) : "") + " = " +
                                fmt(node_factor) + ", x calibration.logic " + fmt(cal_logic);
  const std::string wire_how = "(Vref/" + fmt(ref_v) + " V)^2 x calibration.wire " + fmt(cal_wire);

  json out = reference;
  out["name"] = name;
  out["description"] = need(input, "description", where);
  out["process"] = need(input, "process", where);
  out["node_nm"] = need(input, "node_nm", where);
  out["reference_voltage_v"] = input.at("reference_voltage_v");
  out["reference_temperature_c"] = need(input, "reference_temperature_c", where);
  for (const char* sec :
       {"op_datapath_pj", "tensor_pj_per_flop", "overhead", "register_file", "sm"}) {
    scale_section(out[sec], logic, logic_how);
  }
  // Actions: SRAM-like ones scale as logic, the NoC as wires; DRAM commands come from the input.
  json noc = json::object();
  noc["noc.flit"] = out["actions_pj"]["noc.flit"];
  scale_section(noc, wire, wire_how);
  out["actions_pj"].erase("noc.flit");
  for (const char* k : {"dram.act", "dram.pre", "dram.ref"}) out["actions_pj"].erase(k);
  scale_section(out["actions_pj"], logic, logic_how);
  out["actions_pj"]["noc.flit"] = noc["noc.flit"];
  const json& dram_actions = need(input, "dram_actions_pj", where);
  check_keys(dram_actions, {"dram.act", "dram.pre", "dram.ref"}, where, "dram_actions_pj");
  for (const char* k : {"dram.act", "dram.pre", "dram.ref"}) {
    out["actions_pj"][k] = need(dram_actions, k, where + ": dram_actions_pj");
  }
  out["dram"] = need(input, "dram", where);
  out["link"] = need(input, "link", where);
  out["static"] = need(input, "static", where);
  out["constant"] = need(input, "constant", where);
  if (input.contains("leakage")) out["leakage"] = input.at("leakage");
  out["derivation"] = {{"reference", reference.at("name")},
                       {"rule", scaling.at("description")},
                       {"stillmaker_node", node},
                       {"sub7nm_factor", sub7_name},
                       {"node_factor", round6(node_factor)},
                       {"logic_factor", round6(logic)},
                       {"wire_factor", round6(wire)},
                       {"calibration", cal_used}};
  parse_energy_table(out, where + " (derived)");  // what we emit must be a valid table
  return out;
}

}  // namespace joulesim::energy
