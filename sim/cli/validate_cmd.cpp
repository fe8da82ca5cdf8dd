// `joulesim validate [SUITE] [--json]` and `joulesim calibrate [SPEC]`.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "core/paths.hpp"
#include "energy/energy.hpp"
#include "validate/validate.hpp"

namespace joulesim::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path under_root(const std::string& p) {
  fs::path path(p);
  return path.is_absolute() ? path : data_root() / path;
}

std::string today_utc() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

struct ValidateArgs {
  std::string suite = "quick";
  bool json = false;
  std::string datasets = "validation/datasets";
  std::string results = "validation";
  bool no_write = false;
};

void run_validate(const ValidateArgs& a) {
  const auto datasets = validate::load_suite(a.suite, under_root(a.datasets));
  validate::SuiteOptions opt;
  opt.root = data_root();
  auto r = validate::run_suite(a.suite, datasets, opt);
  for (auto& d : r.datasets) {  // report paths relative to the data root (stable across checkouts)
    std::error_code ec;
    const auto rel = fs::relative(d.file, data_root(), ec);
    if (!ec && !rel.empty()) d.file = rel.generic_string();
  }
  const json j = validate::to_json(r);
  if (!a.no_write) {
    const fs::path dir = under_root(a.results);
    fs::create_directories(dir / "results");
    write_file_atomically(dir / "results" / "latest.json", j.dump(2) + "\n");
    write_file_atomically(dir / "RESULTS.md", validate::format_markdown(r));
  }
  if (a.json) {
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << validate::format_text(r);
  }
  if (!r.pass) {
    size_t failed = 0;
    for (const auto& d : r.datasets) {
      for (const auto& g : d.groups) failed += g.pass ? 0 : 1;
    }
    throw Error("validation suite '" + a.suite + "' failed: " + std::to_string(failed) +
                " group(s) exceed their tolerance or have cases that were not simulated");
  }
}

struct CalibrateArgs {
  std::string spec = "validation/calibration/volta-accelwattch.json";
  std::string out;
  std::string date;
  bool json = false;
  bool dry_run = false;
};

std::string fixed(double v, int prec) {
  if (std::isnan(v)) return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", prec, v);
  return buf;
}

void run_calibrate(const CalibrateArgs& a) {
  const auto spec = validate::load_calibration_spec(under_root(a.spec));
  const auto ds = validate::load_dataset(under_root(spec.dataset.string()));
  const auto set = validate::load_counter_set(ds, data_root());
  const json base = [&] {
    std::ifstream in(energy::resolve_table_path(spec.base_table));
    return json::parse(in);
  }();
  const std::string date = a.date.empty() ? today_utc() : a.date;
  const auto r = validate::calibrate(spec, set, base, ds.name, date);
  const fs::path out = under_root(a.out.empty() ? spec.output.string() : a.out);
  if (!a.dry_run) write_file_atomically(out, r.table.dump(1) + "\n");
  if (a.json) {
    json j;
    j["table"] = out.generic_string();
    j["written"] = !a.dry_run;
    j["calibration"] = r.table["derivation"]["calibration"];
    j["kernels"] = json::array();
    for (size_t i = 0; i < r.names.size(); ++i) {
      j["kernels"].push_back({{"name", r.names[i]},
                              {"measured_w", r.measured_w[i]},
                              {"fitted_w", r.fitted_w[i]},
                              {"loo_w", r.loo_w[i]}});
    }
    std::cout << j.dump(2) << "\n";
    return;
  }
  std::cout << "calibration " << spec.file.generic_string() << " on " << ds.name << " ("
            << set.samples.size() << " kernels";
  if (!set.unmatched.empty()) {
    std::cout << "; left out:";
    for (const auto& u : set.unmatched) std::cout << " " << u;
  }
  std::cout << ")\nprior strength lambda = " << r.fit.lambda << "\n\nparameter        scale\n";
  for (size_t k = 0; k < spec.parameters.size(); ++k) {
    std::printf("%-16s %8.4f\n", spec.parameters[k].name.c_str(),
                r.fit.scales(static_cast<Eigen::Index>(k)));
  }
  std::cout << "\nkernel                    measured W   fitted W   LOO W   LOO error\n";
  for (size_t i = 0; i < r.names.size(); ++i) {
    std::printf("%-25s %10.1f %10.1f %7.1f %+9.1f%%\n", r.names[i].c_str(), r.measured_w[i],
                r.fitted_w[i], r.loo_w[i], 100 * (r.loo_w[i] - r.measured_w[i]) / r.measured_w[i]);
  }
  std::cout << "\nin-sample: MAPE " << fixed(r.in_sample.mape_pct, 2) << "%, max "
            << fixed(r.in_sample.max_abs_error_pct, 1) << "%, r " << fixed(r.in_sample.pearson_r, 3)
            << "\nleave-one-out: MAPE " << fixed(r.loo.mape_pct, 2) << "%, max "
            << fixed(r.loo.max_abs_error_pct, 1) << "%, r " << fixed(r.loo.pearson_r, 3) << "\n"
            << (a.dry_run ? "not written (--dry-run): " : "wrote ") << out.generic_string() << "\n";
}

}  // namespace

void add_validate_commands(CLI::App& app) {
  auto va = std::make_shared<ValidateArgs>();
  auto* v = app.add_subcommand(
      "validate",
      "simulate every case of a validation suite and compare with measured hardware numbers");
  v->add_option("suite", va->suite, "suite: quick (CI), full, or all")->capture_default_str();
  v->add_flag("--json", va->json, "print the results as JSON");
  v->add_option("--datasets", va->datasets, "dataset folder (relative to the data root)")
      ->capture_default_str();
  v->add_option("--results", va->results,
                "folder receiving results/latest.json and RESULTS.md (relative to the data root)")
      ->capture_default_str();
  v->add_flag("--no-write", va->no_write, "do not write latest.json / RESULTS.md");
  v->callback([va] { run_validate(*va); });

  auto ca = std::make_shared<CalibrateArgs>();
  auto* c = app.add_subcommand(
      "calibrate",
      "fit energy-table entries to measured power (NNLS, leave-one-out) and write the table");
  c->add_option("spec", ca->spec, "calibration spec (validation/calibration/*.json)")
      ->capture_default_str();
  c->add_option("--out", ca->out, "write the calibrated table here instead of the spec's output");
  c->add_option("--date", ca->date, "date recorded in the provenance (default: today, UTC)");
  c->add_flag("--json", ca->json, "print the fit as JSON");
  c->add_flag("--dry-run", ca->dry_run, "fit and report without writing the table");
  c->callback([ca] { run_calibrate(*ca); });
}

}  // namespace joulesim::cli
