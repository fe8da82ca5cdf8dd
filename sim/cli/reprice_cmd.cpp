// `joulesim reprice RESULT.json`: prices a saved result's counts again without re-simulating.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "config/config.hpp"
#include "core/error.hpp"
#include "core/paths.hpp"
#include "energy/energy.hpp"
#include "report/run_result.hpp"

namespace joulesim::cli {

namespace {

struct RepriceArgs {
  std::string result_path;
  std::string energy_table;
  std::string region;
  double pue = 0;
  double temperature_c = -1000;
  std::vector<std::string> sets;
  std::string out;
  bool json = false;
};

void print_summary(const nlohmann::json& j) {
  const auto& t = j["total"];
  const auto& c = j["energy_conditions"];
  std::printf(
      "energy table  %s   core %.0f MHz @ %.3f V   %.0f degC   %s grid %.0f g/kWh  PUE %.2f\n",
      c["energy_table"].get<std::string>().c_str(), c["core_mhz"].get<double>(),
      c["volts"].get<double>(), c["temperature_c"].get<double>(),
      c["region"].get<std::string>().c_str(), c["grid_g_per_kwh"].get<double>(),
      c["pue"].get<double>());
  std::printf("time          %.6g s\nenergy        %.6g J\navg power     %.6g W\n",
              t["time_s"].get<double>(), t["energy_j"].get<double>(),
              t["avg_power_w"].get<double>());
  std::printf("CO2e          %.6g g (operational %.6g, embodied %.6g)\n",
              t["co2e_g"]["total"].get<double>(), t["co2e_g"]["operational"].get<double>(),
              t["co2e_g"]["embodied"].get<double>());
  std::printf("by component:\n");
  for (const auto& [k, v] : t["energy_by_component"].items()) {
    std::printf("  %-16s %12.6g J\n", k.c_str(), v.get<double>());
  }
}

void run_reprice(const RepriceArgs& a) {
  std::ifstream in(a.result_path);
  if (!in) throw Error("cannot read " + a.result_path);
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw ConfigError(a.result_path + ": invalid JSON: " + e.what());
  }
  report::RunResult result = report::result_from_json(doc, a.result_path);
  // The saved resolved config is re-validated and --set is type-checked exactly as for `run`.
  const config::GpuSpec spec = config::gpu_from_resolved(result.config, a.result_path, a.sets).spec;
  energy::PriceOptions opt;
  opt.energy_table = a.energy_table;
  opt.region = a.region;
  if (a.pue > 0) opt.pue = a.pue;
  if (a.temperature_c > -1000) opt.temperature_c = a.temperature_c;
  if (opt.energy_table.empty() && doc.contains("energy_conditions") &&
      doc["energy_conditions"].contains("energy_table_path") && spec.power.energy_table.empty()) {
    opt.energy_table = doc["energy_conditions"]["energy_table_path"].get<std::string>();
  }
  if (opt.region.empty() && a.region.empty() && doc.contains("energy_conditions") &&
      doc["energy_conditions"].contains("region")) {
    opt.region = doc["energy_conditions"]["region"].get<std::string>();
  }
  if (!opt.pue && doc.contains("energy_conditions") && doc["energy_conditions"].contains("pue")) {
    opt.pue = doc["energy_conditions"]["pue"].get<double>();
  }
  result.energy = energy::price_run(result, spec, opt);
  const nlohmann::json out = report::result_to_json(result);
  if (!a.out.empty()) write_file_atomically(a.out, out.dump(1) + "\n");
  if (a.json) {
    std::cout << out.dump(1) << "\n";
  } else {
    print_summary(out);
  }
}

}  // namespace

void add_reprice_command(CLI::App& app) {
  auto args = std::make_shared<RepriceArgs>();
  auto* cmd = app.add_subcommand(
      "reprice",
      "Re-price a saved result's activity counts (new energy table, voltage, grid, PUE) "
      "without re-simulating; timing is kept as saved");
  cmd->add_option("result", args->result_path, "result JSON written by `joulesim run --out`")
      ->required();
  cmd->add_option("--energy", args->energy_table,
                  "energy table (path, or file name under models/energy)");
  cmd->add_option("--region", args->region, "grid region preset of models/carbon/grid.json");
  cmd->add_option("--pue", args->pue, "data-centre PUE (>= 1)");
  cmd->add_option("--temperature", args->temperature_c, "junction temperature in degC for leakage");
  cmd->add_option("--set", args->sets,
                  "override a config key, e.g. dvfs.core_mhz=1200 (type-checked as for run; "
                  "reprice does not re-time, so only pricing keys take effect)");
  cmd->add_option("--out", args->out, "write the re-priced result JSON here (atomically)");
  cmd->add_flag("--json", args->json, "print the re-priced result JSON");
  cmd->callback([args] { run_reprice(*args); });
}

}  // namespace joulesim::cli
