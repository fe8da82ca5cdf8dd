// Calibration of energy-table entries to measured power: design matrix by pricing, NNLS fits with
// a prior towards the base table, (nested) leave-one-out cross-validation, calibrated table.
#include <cmath>
#include <limits>
#include <sstream>

#include "validate/internal.hpp"

namespace joulesim::validate {

using nlohmann::json;
using namespace detail;

namespace {

// The {"value", "unit", "source"} entry a JSON pointer names; ConfigError otherwise.
json& entry_at(json& table, const std::string& pointer, const std::string& where) {
  json::json_pointer ptr;
  try {
    ptr = json::json_pointer(pointer);
  } catch (const json::exception&) {
    fail(where, pointer, "not a JSON pointer (e.g. \"/sm/active_cycle_pj\")");
  }
  if (!table.contains(ptr)) fail(where, pointer, "no such entry in the energy table");
  json& e = table[ptr];
  if (!e.is_object() || !e.contains("value") || !e["value"].is_number()) {
    fail(where, pointer, "does not name a {\"value\", \"unit\", \"source\"} table entry");
  }
  return e;
}

std::vector<double> powers(const std::vector<CounterSample>& samples, const json& table_json,
                           const config::GpuSpec& spec) {
  const energy::EnergyTable t = energy::parse_energy_table(table_json, "calibration table");
  std::vector<double> p;
  p.reserve(samples.size());
  for (const auto& s : samples) p.push_back(counter_power_w(s, t, spec));
  return p;
}

std::string fmt(double v, int digits = 4) {
  std::ostringstream s;
  s.precision(digits);
  s << v;
  return s.str();
}

}  // namespace

CalibrationSpec load_calibration_spec(const std::filesystem::path& file) {
  const json j = read_json(file);
  const std::string where = file.string();
  check_keys(j,
             {"dataset", "base_table", "output", "output_name", "parameters", "lambda_grid",
              "weighting", "note", "lambda_note"},
             where, "");
  CalibrationSpec s;
  s.file = file;
  s.dataset = get_string(j, "dataset", where, "");
  s.base_table = get_string(j, "base_table", where, "");
  s.output = get_string(j, "output", where, "");
  s.output_name = get_string(j, "output_name", where, "");
  const std::string w = get_string(j, "weighting", where, "");
  if (w != "relative" && w != "absolute") fail(where, "weighting", "expected relative or absolute");
  s.relative_weighting = w == "relative";
  const json& grid = member(j, "lambda_grid", where, "");
  require_array(grid, where, "lambda_grid");
  if (grid.empty()) fail(where, "lambda_grid", "at least one prior strength (0: none)");
  for (size_t i = 0; i < grid.size(); ++i) {
    if (!grid[i].is_number() || !(grid[i].get<double>() >= 0)) {
      fail(where, index_path("lambda_grid", i), "expected a number >= 0");
    }
    s.lambda_grid.push_back(grid[i].get<double>());
  }
  const json& params = member(j, "parameters", where, "");
  require_array(params, where, "parameters");
  if (params.empty()) fail(where, "parameters", "at least one parameter is required");
  for (size_t i = 0; i < params.size(); ++i) {
    const std::string p = index_path("parameters", i);
    check_keys(params[i], {"name", "entries", "prior", "note"}, where, p);
    FitParameter fp;
    fp.name = get_string(params[i], "name", where, p);
    const json& entries = member(params[i], "entries", where, p);
    require_array(entries, where, join_path(p, "entries"));
    if (entries.empty()) fail(where, join_path(p, "entries"), "at least one entry");
    for (size_t k = 0; k < entries.size(); ++k) {
      if (!entries[k].is_string() || entries[k].get<std::string>().rfind('/', 0) != 0) {
        fail(where, index_path(join_path(p, "entries"), k),
             "expected a JSON pointer such as \"/sm/active_cycle_pj\"");
      }
      fp.entries.push_back(entries[k].get<std::string>());
    }
    if (params[i].contains("prior")) {
      if (!params[i]["prior"].is_boolean())
        fail(where, join_path(p, "prior"), "expected a boolean");
      fp.prior = params[i]["prior"].get<bool>();
    }
    for (const auto& o : s.parameters) {
      for (const auto& e : o.entries) {
        for (const auto& f : fp.entries) {
          if (e == f) fail(where, join_path(p, "entries"), "entry " + e + " is fitted twice");
        }
      }
    }
    s.parameters.push_back(std::move(fp));
  }
  return s;
}

Design build_design(const std::vector<CounterSample>& samples, const json& base_table,
                    const std::vector<FitParameter>& params, const config::GpuSpec& spec) {
  const std::string where = "base energy table";
  const size_t n = samples.size(), k = params.size();
  json zero = base_table;
  for (const auto& p : params) {
    for (const auto& e : p.entries) entry_at(zero, e, where)["value"] = 0.0;
  }
  Design d;
  d.columns.resize(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(k));
  d.offset.resize(static_cast<Eigen::Index>(n));
  d.measured.resize(static_cast<Eigen::Index>(n));
  const auto p0 = powers(samples, zero, spec);
  for (size_t i = 0; i < n; ++i) {
    d.offset(static_cast<Eigen::Index>(i)) = p0[i];
    d.measured(static_cast<Eigen::Index>(i)) = samples[i].measured_w;
  }
  json base_copy = base_table;
  for (size_t c = 0; c < k; ++c) {
    json one = zero, two = zero;
    for (const auto& e : params[c].entries) {
      const double v = entry_at(base_copy, e, where)["value"].get<double>();
      entry_at(one, e, where)["value"] = v;
      entry_at(two, e, where)["value"] = 2 * v;
    }
    const auto p1 = powers(samples, one, spec);
    const auto p2 = powers(samples, two, spec);
    bool any = false;
    for (size_t i = 0; i < n; ++i) {
      const double c1 = p1[i] - p0[i], c2 = p2[i] - p0[i];
      // The EnergyModel must be linear in the fitted entries for the fit to be exact.
      if (std::abs(c2 - 2 * c1) > 1e-9 * std::max(1.0, std::abs(c2))) {
        throw Error("calibration: power is not linear in parameter '" + params[c].name +
                    "' (sample " + samples[i].name + ")");
      }
      d.columns(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(c)) = c1;
      any = any || c1 > 0;
    }
    if (!any) {
      throw Error("calibration: parameter '" + params[c].name +
                  "' contributes no power to any sample (its base value is 0 or no counter "
                  "drives it), so it cannot be fitted");
    }
  }
  return d;
}

Fit fit_scales(const Design& d, const std::vector<FitParameter>& params, double lambda,
               bool relative, const std::vector<int>& rows_in) {
  std::vector<int> rows = rows_in;
  if (rows.empty()) {
    for (Eigen::Index i = 0; i < d.columns.rows(); ++i) rows.push_back(static_cast<int>(i));
  }
  const Eigen::Index k = d.columns.cols();
  int priors = 0;
  for (const auto& p : params) priors += p.prior && lambda > 0 ? 1 : 0;
  Eigen::MatrixXd a(static_cast<Eigen::Index>(rows.size()) + priors, k);
  Eigen::VectorXd b(a.rows());
  double mean_w = 0;
  for (int r : rows) mean_w += d.measured(r);
  mean_w /= static_cast<double>(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    const int r = rows[i];
    const double w = relative ? 1.0 / d.measured(r) : 1.0;
    a.row(static_cast<Eigen::Index>(i)) = d.columns.row(r) * w;
    b(static_cast<Eigen::Index>(i)) = (d.measured(r) - d.offset(r)) * w;
  }
  // Prior rows: sqrt(lambda) (s_k - 1), in the units of the residuals.
  const double unit = relative ? 1.0 : mean_w;
  Eigen::Index row = static_cast<Eigen::Index>(rows.size());
  for (Eigen::Index c = 0; c < k; ++c) {
    if (!(params[static_cast<size_t>(c)].prior && lambda > 0)) continue;
    a.row(row).setZero();
    a(row, c) = std::sqrt(lambda) * unit;
    b(row) = std::sqrt(lambda) * unit;
    ++row;
  }
  Fit f;
  f.lambda = lambda;
  f.scales = nnls(a, b).x;
  return f;
}

Fit fit_scales_cv(const Design& d, const std::vector<FitParameter>& params,
                  const std::vector<double>& grid, bool relative, const std::vector<int>& rows) {
  if (grid.size() == 1) return fit_scales(d, params, grid.front(), relative, rows);
  double best_lambda = grid.front(), best = std::numeric_limits<double>::infinity();
  for (double lambda : grid) {
    double sum = 0;
    for (size_t i = 0; i < rows.size(); ++i) {
      std::vector<int> train;
      for (size_t j = 0; j < rows.size(); ++j) {
        if (j != i) train.push_back(rows[j]);
      }
      const Fit f = fit_scales(d, params, lambda, relative, train);
      const int r = rows[i];
      const double pred = d.offset(r) + d.columns.row(r).dot(f.scales);
      sum += std::abs(pred - d.measured(r)) / d.measured(r);
    }
    if (sum < best - 1e-12) {
      best = sum;
      best_lambda = lambda;
    }
  }
  return fit_scales(d, params, best_lambda, relative, rows);
}

std::vector<double> loo_predictions(const Design& d, const std::vector<FitParameter>& params,
                                    const std::vector<double>& grid, bool relative) {
  const int n = static_cast<int>(d.columns.rows());
  if (n < 3) throw Error("leave-one-out needs at least 3 samples");
  std::vector<double> out;
  for (int i = 0; i < n; ++i) {
    std::vector<int> train;
    for (int j = 0; j < n; ++j) {
      if (j != i) train.push_back(j);
    }
    const Fit f = fit_scales_cv(d, params, grid, relative, train);
    out.push_back(d.offset(i) + d.columns.row(i).dot(f.scales));
  }
  return out;
}

CalibrationResult calibrate(const CalibrationSpec& spec, const CounterSet& set,
                            const json& base_table, const std::string& dataset_name,
                            const std::string& date) {
  const Design d = build_design(set.samples, base_table, spec.parameters, set.spec);
  CalibrationResult r;
  std::vector<int> all;
  for (Eigen::Index i = 0; i < d.columns.rows(); ++i) all.push_back(static_cast<int>(i));
  r.fit = fit_scales_cv(d, spec.parameters, spec.lambda_grid, spec.relative_weighting, all);
  for (size_t i = 0; i < set.samples.size(); ++i) {
    const auto ii = static_cast<Eigen::Index>(i);
    r.names.push_back(set.samples[i].name);
    r.measured_w.push_back(d.measured(ii));
    r.fitted_w.push_back(d.offset(ii) + d.columns.row(ii).dot(r.fit.scales));
  }
  r.loo_w = loo_predictions(d, spec.parameters, spec.lambda_grid, spec.relative_weighting);
  r.in_sample = error_stats(r.measured_w, r.fitted_w);
  r.loo = error_stats(r.measured_w, r.loo_w);

  // The calibrated table: every fitted entry scaled, its source saying how.
  json t = base_table;
  const std::string base_name = base_table.value("name", std::string("base table"));
  json fitted = json::array();
  for (size_t c = 0; c < spec.parameters.size(); ++c) {
    const auto& p = spec.parameters[c];
    const double s = r.fit.scales(static_cast<Eigen::Index>(c));
    json entries = json::array();
    for (const auto& e : p.entries) {
      json& ent = entry_at(t, e, "base energy table");
      const double base = ent["value"].get<double>();
      ent["value"] = base * s;
      ent["source"] = "calibrated: " + fmt(s) + " x " + base_name + " value " + fmt(base, 6) +
                      " (NNLS fit of parameter '" + p.name + "' to measured board power, " +
                      dataset_name + ", " + date + "; leave-one-out MAPE " +
                      fmt(r.loo.mape_pct, 3) + "%); base: " + ent["source"].get<std::string>();
      entries.push_back(e);
    }
    fitted.push_back(
        {{"parameter", p.name}, {"entries", entries}, {"scale", s}, {"prior", p.prior}});
  }
  t["name"] = spec.output_name;
  t["description"] = base_table.value("description", std::string()) +
                     " Calibrated to measured power (" + dataset_name +
                     ") by `joulesim calibrate`.";
  json prov;
  prov["method"] =
      "non-negative least squares (Lawson-Hanson) of per-parameter scales of the base table, " +
      std::string(spec.relative_weighting ? "on relative errors" : "on absolute errors") +
      ", with a prior sqrt(lambda) (s - 1) on parameters marked prior; lambda from lambda_grid "
      "chosen by leave-one-out; the reported LOO is nested (lambda re-chosen inside each fold)";
  prov["dataset"] = dataset_name;
  prov["spec"] = spec.file.generic_string();
  prov["date"] = date;
  prov["samples"] = set.samples.size();
  prov["excluded"] = set.unmatched;
  prov["lambda"] = r.fit.lambda;
  prov["lambda_grid"] = spec.lambda_grid;
  prov["loo"] = {{"mape_pct", r.loo.mape_pct},
                 {"max_abs_error_pct", r.loo.max_abs_error_pct},
                 {"pearson_r", r.loo.pearson_r}};
  prov["in_sample"] = {{"mape_pct", r.in_sample.mape_pct},
                       {"max_abs_error_pct", r.in_sample.max_abs_error_pct},
                       {"pearson_r", r.in_sample.pearson_r}};
  prov["fitted"] = fitted;
  json derivation;
  derivation["calibration"] = prov;
  derivation["base"] = {{"name", base_name},
                        {"derivation", base_table.value("derivation", json())}};
  t["derivation"] = derivation;
  // The result must load as a table (catches any inconsistency before it is written).
  energy::parse_energy_table(t, spec.output.string());
  r.table = t;
  return r;
}

}  // namespace joulesim::validate
