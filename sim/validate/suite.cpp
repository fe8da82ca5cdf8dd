// Suites: run each dataset's simulator, judge every group against its tolerance.
#include <algorithm>
#include <cmath>

#include "validate/internal.hpp"

namespace joulesim::validate {

namespace {

std::string fmt_pct(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", v);
  return buf;
}

}  // namespace

DatasetResult judge(const Dataset& ds, std::vector<CaseResult> cases) {
  DatasetResult r;
  r.name = ds.name;
  r.file = ds.file.generic_string();
  r.kind = ds.kind;
  r.gpu = ds.gpu;
  r.description = ds.description;
  // Every case of the dataset appears exactly once, in dataset order: none can be hidden.
  for (const Case& c : ds.cases) {
    auto it =
        std::find_if(cases.begin(), cases.end(), [&](const CaseResult& x) { return x.id == c.id; });
    if (it != cases.end()) {
      CaseResult cr = *it;
      if (cr.status == CaseStatus::kOk && !cr.simulated) {
        cr.status = CaseStatus::kError;
        cr.note = "simulator reported success without a value";
      }
      if (cr.status == CaseStatus::kOk) {
        try {
          cr.error_pct = error_pct(cr.measured, *cr.simulated);
        } catch (const Error& e) {
          cr.status = CaseStatus::kError;
          cr.simulated.reset();
          cr.note = e.what();
        }
      }
      r.cases.push_back(cr);
    } else {
      CaseResult cr;
      cr.id = c.id;
      cr.group = c.group;
      cr.quantity = c.quantity;
      cr.unit = c.unit;
      cr.measured = c.measured;
      cr.status = CaseStatus::kNotSimulated;
      cr.note = "the simulator returned no result for this case";
      r.cases.push_back(cr);
    }
  }
  r.pass = true;
  for (const Group& g : ds.groups) {
    GroupResult gr;
    gr.group = g;
    std::vector<double> meas, sim;
    for (const CaseResult& c : r.cases) {
      if (c.group != g.name) continue;
      ++gr.cases;
      if (c.status == CaseStatus::kOk) {
        ++gr.simulated;
        meas.push_back(c.measured);
        sim.push_back(*c.simulated);
      }
    }
    gr.stats = error_stats(meas, sim);
    const size_t missing = gr.cases - gr.simulated;
    if (!g.tolerance_pct) {
      gr.pass = true;
      gr.verdict = "report only (no tolerance)";
      if (missing) gr.verdict += "; " + std::to_string(missing) + " not simulated";
    } else if (missing) {
      gr.pass = false;
      gr.verdict = std::to_string(missing) + " of " + std::to_string(gr.cases) +
                   " cases not simulated: FAIL";
    } else {
      const double v = g.metric == "max" ? gr.stats.max_abs_error_pct : gr.stats.mape_pct;
      gr.pass = v <= *g.tolerance_pct;
      gr.verdict = std::string(g.metric == "max" ? "max |error| " : "MAPE ") + fmt_pct(v) +
                   (gr.pass ? " <= " : " > ") + fmt_pct(*g.tolerance_pct) +
                   (gr.pass ? ": pass" : ": FAIL");
    }
    r.pass = r.pass && gr.pass;
    r.groups.push_back(gr);
  }
  return r;
}

SuiteResult run_suite(const std::string& suite, const std::vector<Dataset>& datasets,
                      const SuiteOptions& options) {
  SuiteResult out;
  out.suite = suite;
  out.pass = true;
  for (const Dataset& ds : datasets) {
    CaseSimulator sim;
    for (const auto& [kind, s] : options.simulators) {
      if (kind == ds.kind) sim = s;
    }
    if (!sim) sim = builtin_simulator(ds.kind, options.root);
    std::vector<CaseResult> cases;
    try {
      cases = sim(ds);
    } catch (const std::exception& e) {
      // The whole dataset failed: every case is shown with the reason.
      for (const Case& c : ds.cases) {
        CaseResult cr;
        cr.id = c.id;
        cr.group = c.group;
        cr.quantity = c.quantity;
        cr.unit = c.unit;
        cr.measured = c.measured;
        cr.status = CaseStatus::kError;
        cr.note = e.what();
        cases.push_back(cr);
      }
    }
    DatasetResult r = judge(ds, std::move(cases));
    out.pass = out.pass && r.pass;
    out.datasets.push_back(std::move(r));
  }
  return out;
}

}  // namespace joulesim::validate
