// Reports of a suite run: terminal tables, latest.json and RESULTS.md.
#include <cmath>
#include <cstdio>
#include <sstream>

#include "validate/validate.hpp"

namespace joulesim::validate {

using nlohmann::json;

namespace {

std::string num(double v) {
  if (std::isnan(v)) return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

// A group statistic, or n/a when no case of the group was simulated.
std::string stat(size_t n, double v) { return n == 0 ? "n/a" : num(v) + "%"; }

std::string pct(double v) {
  if (std::isnan(v)) return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.1f%%", v);
  return buf;
}

std::string status_name(CaseStatus s) {
  switch (s) {
    case CaseStatus::kOk:
      return "ok";
    case CaseStatus::kNotSimulated:
      return "not_simulated";
    default:
      return "error";
  }
}

std::string pad(const std::string& s, size_t w) {
  return s.size() >= w ? s : s + std::string(w - s.size(), ' ');
}

std::string lpad(const std::string& s, size_t w) {
  return s.size() >= w ? s : std::string(w - s.size(), ' ') + s;
}

std::string sim_text(const CaseResult& c) {
  if (c.status == CaseStatus::kOk) return num(*c.simulated);
  return c.status == CaseStatus::kNotSimulated ? "not simulated" : "error";
}

std::string r_text(double r) {
  if (std::isnan(r)) return "n/a";
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.3f", r);
  return buf;
}

}  // namespace

std::string format_text(const SuiteResult& r) {
  std::ostringstream o;
  for (const auto& d : r.datasets) {
    o << "== " << d.name << " (" << d.kind << ", " << d.gpu << ") " << d.file << "\n";
    size_t w = 4;
    for (const auto& c : d.cases) w = std::max(w, c.id.size());
    w = std::min<size_t>(w, 48);
    o << pad("case", w) << "  " << lpad("measured", 11) << "  " << lpad("simulated", 13) << "  "
      << lpad("error", 8) << "  unit  note\n";
    for (const auto& c : d.cases) {
      o << pad(c.id, w) << "  " << lpad(num(c.measured), 11) << "  " << lpad(sim_text(c), 13)
        << "  " << lpad(c.status == CaseStatus::kOk ? pct(c.error_pct) : "-", 8) << "  " << c.unit;
      if (c.status != CaseStatus::kOk && !c.note.empty()) o << "  " << c.note;
      o << "\n";
    }
    for (const auto& g : d.groups) {
      o << "  group " << g.group.name << ": n=" << g.simulated << "/" << g.cases << "  MAPE "
        << stat(g.simulated, g.stats.mape_pct) << "  max "
        << stat(g.simulated, g.stats.max_abs_error_pct) << "  r " << r_text(g.stats.pearson_r)
        << "  -> " << g.verdict << "\n";
    }
    o << "\n";
  }
  o << "suite " << r.suite << ": " << (r.pass ? "PASS" : "FAIL") << "\n";
  return o.str();
}

json to_json(const SuiteResult& r) {
  json j;
  j["suite"] = r.suite;
  j["pass"] = r.pass;
  j["datasets"] = json::array();
  for (const auto& d : r.datasets) {
    json dj;
    dj["name"] = d.name;
    dj["file"] = d.file;
    dj["kind"] = d.kind;
    dj["gpu"] = d.gpu;
    dj["pass"] = d.pass;
    dj["cases"] = json::array();
    for (const auto& c : d.cases) {
      json cj = {{"id", c.id},
                 {"group", c.group},
                 {"unit", c.unit},
                 {"measured", std::isnan(c.measured) ? json() : json(c.measured)},
                 {"status", status_name(c.status)}};
      if (c.simulated) {
        cj["simulated"] = *c.simulated;
        cj["error_pct"] = c.error_pct;
      }
      if (!c.note.empty()) cj["note"] = c.note;
      dj["cases"].push_back(cj);
    }
    dj["groups"] = json::array();
    for (const auto& g : d.groups) {
      json gj = {{"name", g.group.name},
                 {"metric", g.group.metric},
                 {"tolerance_pct", g.group.tolerance_pct ? json(*g.group.tolerance_pct) : json()},
                 {"cases", g.cases},
                 {"simulated", g.simulated},
                 {"mape_pct", g.stats.mape_pct},
                 {"max_abs_error_pct", g.stats.max_abs_error_pct},
                 {"mean_error_pct", g.stats.mean_error_pct},
                 {"pearson_r", std::isnan(g.stats.pearson_r) ? json() : json(g.stats.pearson_r)},
                 {"pass", g.pass},
                 {"verdict", g.verdict}};
      dj["groups"].push_back(gj);
    }
    j["datasets"].push_back(dj);
  }
  return j;
}

std::string format_markdown(const SuiteResult& r) {
  std::ostringstream o;
  o << "# Validation results\n\n"
    << "Written by `joulesim validate " << r.suite << "` (do not edit by hand). Suite verdict: **"
    << (r.pass ? "PASS" : "FAIL") << "**. Every case is listed; a case that could not be "
    << "simulated is shown with the reason and fails its group.\n\n";
  o << "## Summary\n\n| dataset | group | n (simulated/all) | MAPE | max error | Pearson r | "
       "tolerance | verdict |\n|---|---|---|---|---|---|---|---|\n";
  for (const auto& d : r.datasets) {
    for (const auto& g : d.groups) {
      o << "| " << d.name << " | " << g.group.name << " | " << g.simulated << "/" << g.cases
        << " | " << stat(g.simulated, g.stats.mape_pct) << " | "
        << stat(g.simulated, g.stats.max_abs_error_pct) << " | " << r_text(g.stats.pearson_r)
        << " | "
        << (g.group.tolerance_pct ? g.group.metric + " <= " + num(*g.group.tolerance_pct) + "%"
                                  : std::string("report only"))
        << " | " << g.verdict << " |\n";
    }
  }
  for (const auto& d : r.datasets) {
    o << "\n## " << d.name << "\n\n"
      << d.description << " GPU: " << d.gpu << ". File: `" << d.file
      << "`.\n\n| case | measured | simulated | error | unit | note |\n|---|---|---|---|---|---|\n";
    for (const auto& c : d.cases) {
      o << "| " << c.id << " | " << num(c.measured) << " | " << sim_text(c) << " | "
        << (c.status == CaseStatus::kOk ? pct(c.error_pct) : "-") << " | " << c.unit << " | "
        << (c.status == CaseStatus::kOk ? "" : c.note) << " |\n";
    }
  }
  return o.str();
}

}  // namespace joulesim::validate
