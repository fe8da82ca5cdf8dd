// Self-contained HTML reports (inline CSS and SVG, no scripts, no external files): one for a run
// result (where the time and the energy went, per kernel, per component and op class, and the
// power timeline when one was written) and one for a sweep folder (every point, the time-energy
// Pareto front per workload).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "core/error.hpp"
#include "report/result_table.hpp"

namespace joulesim::report {

namespace {

using nlohmann::json;

std::string escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string num(double v, const char* fmt = "%.4g") {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

double number_at(const json& j, const char* key) {
  return j.contains(key) && j[key].is_number() ? j[key].get<double>() : 0.0;
}

const char* kStyle =
    "<style>body{font:14px/1.4 system-ui,sans-serif;margin:2em;max-width:70em;color:#222}"
    "table{border-collapse:collapse;margin:0.5em 0 1.5em}td,th{border:1px solid #ccc;"
    "padding:2px 8px;text-align:right}th{background:#f3f3f3}td:first-child,th:first-child"
    "{text-align:left}h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.5em}"
    ".bar{fill:#4a7fb5}.pareto{fill:#d0502a}.pt{fill:#4a7fb5;opacity:.7}.axis{stroke:#888}"
    "svg text{font:11px sans-serif}</style>";

std::string head(const std::string& title) {
  return "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>" + escape(title) + "</title>" +
         kStyle + "</head><body><h1>" + escape(title) + "</h1>\n";
}

/// Horizontal bars of (label, value), scaled to the largest; value printed with @p unit.
std::string bar_chart(const std::vector<std::pair<std::string, double>>& rows,
                      const std::string& unit) {
  double top = 0;
  for (const auto& [label, v] : rows) top = std::max(top, v);
  const int row_h = 18, label_w = 130, bar_w = 420;
  std::ostringstream s;
  s << "<svg width=\"" << label_w + bar_w + 140 << "\" height=\"" << rows.size() * row_h + 4
    << "\">";
  for (size_t i = 0; i < rows.size(); ++i) {
    const double w = top > 0 ? rows[i].second / top * bar_w : 0;
    const size_t y = i * row_h;
    s << "<text x=\"0\" y=\"" << y + 13 << "\">" << escape(rows[i].first)
      << "</text><rect class=\"bar\" x=\"" << label_w << "\" y=\"" << y + 3 << "\" width=\""
      << num(w, "%.1f") << "\" height=\"" << row_h - 6 << "\"/><text x=\"" << label_w + w + 4
      << "\" y=\"" << y + 13 << "\">" << num(rows[i].second) << " " << escape(unit) << "</text>";
  }
  s << "</svg>\n";
  return s.str();
}

/// Scatter (or polyline) of points in a 560 x 300 plot with labelled axes.
struct Series {
  std::vector<std::pair<double, double>> xy;
  std::string css;  // "pt" or "pareto"
  bool line = false;
};

std::string plot(const std::vector<Series>& series, const std::string& xlabel,
                 const std::string& ylabel) {
  double x0 = INFINITY, x1 = -INFINITY, y0 = 0, y1 = -INFINITY;
  for (const auto& s : series)
    for (const auto& [x, y] : s.xy) {
      x0 = std::min(x0, x);
      x1 = std::max(x1, x);
      y0 = std::min(y0, y);
      y1 = std::max(y1, y);
    }
  if (!(x1 > x0)) x1 = x0 + 1;
  if (!(y1 > y0)) y1 = y0 + 1;
  const double W = 560, H = 300, L = 70, B = 40;
  auto px = [&](double x) { return L + (x - x0) / (x1 - x0) * (W - L - 10); };
  auto py = [&](double y) { return H - B - (y - y0) / (y1 - y0) * (H - B - 10); };
  std::ostringstream s;
  s << "<svg width=\"" << W << "\" height=\"" << H << "\"><line class=\"axis\" x1=\"" << L
    << "\" y1=\"" << H - B << "\" x2=\"" << W - 10 << "\" y2=\"" << H - B
    << "\"/><line class=\"axis\" x1=\"" << L << "\" y1=\"10\" x2=\"" << L << "\" y2=\"" << H - B
    << "\"/>";
  s << "<text x=\"" << L << "\" y=\"" << H - B + 14 << "\">" << num(x0) << "</text><text x=\""
    << W - 60 << "\" y=\"" << H - B + 14 << "\">" << num(x1) << "</text><text x=\"" << W / 2
    << "\" y=\"" << H - 8 << "\">" << escape(xlabel) << "</text>";
  s << "<text x=\"2\" y=\"" << py(y1) + 4 << "\">" << num(y1) << "</text><text x=\"2\" y=\""
    << py(y0) << "\">" << num(y0) << "</text><text x=\"2\" y=\"" << H / 2 << "\">" << escape(ylabel)
    << "</text>";
  for (const auto& ser : series) {
    if (ser.line && ser.xy.size() > 1) {
      s << "<polyline fill=\"none\" stroke=\"#4a7fb5\" points=\"";
      for (const auto& [x, y] : ser.xy) s << num(px(x), "%.1f") << "," << num(py(y), "%.1f") << " ";
      s << "\"/>";
    } else {
      for (const auto& [x, y] : ser.xy) {
        s << "<circle class=\"" << ser.css << "\" cx=\"" << num(px(x), "%.1f") << "\" cy=\""
          << num(py(y), "%.1f") << "\" r=\"" << (ser.css == "pareto" ? 5 : 3) << "\"/>";
      }
    }
  }
  s << "</svg>\n";
  return s.str();
}

std::vector<std::pair<std::string, double>> sorted_items(const json& obj) {
  std::vector<std::pair<std::string, double>> rows;
  if (!obj.is_object()) return rows;
  for (const auto& [k, v] : obj.items())
    if (v.is_number()) rows.emplace_back(k, v.get<double>());
  std::stable_sort(rows.begin(), rows.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  return rows;
}

std::string kernel_table(const json& result) {
  std::ostringstream s;
  s << "<table><tr><th>kernel</th><th>cycles</th><th>time (us)</th><th>warp insts</th>"
       "<th>IPC</th><th>energy (J)</th><th>avg power (W)</th></tr>";
  auto row = [&](const std::string& name, const json& k) {
    s << "<tr><td>" << escape(name) << "</td><td>" << num(number_at(k, "cycles"), "%.0f")
      << "</td><td>" << num(number_at(k, "time_s") * 1e6) << "</td><td>"
      << num(number_at(k, "warp_insts"), "%.0f") << "</td><td>" << num(number_at(k, "ipc"))
      << "</td><td>" << num(number_at(k, "energy_j")) << "</td><td>"
      << num(number_at(k, "avg_power_w")) << "</td></tr>";
  };
  for (const auto& k : result.value("kernels", json::array()))
    row(k.value("name", std::string("?")), k);
  row("total", result.at("total"));
  s << "</table>\n";
  return s.str();
}

std::string op_class_table(const json& by_class) {
  std::ostringstream s;
  s << "<table><tr><th>op class</th><th>warp insts</th><th>datapath (J)</th><th>overhead "
       "(J)</th><th>overhead / datapath</th></tr>";
  for (const auto& [name, oc] : by_class.items()) {
    if (number_at(oc, "warp_insts") == 0) continue;
    s << "<tr><td>" << escape(name) << "</td><td>" << num(number_at(oc, "warp_insts"), "%.0f")
      << "</td><td>" << num(number_at(oc, "datapath_j")) << "</td><td>"
      << num(number_at(oc, "overhead_j")) << "</td><td>" << num(number_at(oc, "overhead_ratio"))
      << "</td></tr>";
  }
  s << "</table>\n";
  return s.str();
}

/// (mid-interval time in us, power in W) from timeline_csv's text.
std::vector<std::pair<double, double>> timeline_points(const std::string& csv) {
  std::vector<std::pair<double, double>> pts;
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    double a, b, p;
    if (std::sscanf(line.c_str(), "%lf,%lf,%lf", &a, &b, &p) == 3)
      pts.emplace_back((a + b) / 2 * 1e6, p);
  }
  return pts;
}

}  // namespace

std::string result_html(const json& result, const std::string& timeline_csv) {
  if (!result.is_object() || !result.contains("total"))
    throw Error("report: not a joulesim result (no \"total\")");
  const json& t = result["total"];
  std::ostringstream s;
  s << head("joulesim run: " + result.value("trace", std::string("?")) + " on " +
            result.value("gpu", std::string("?")));
  s << "<p>" << num(number_at(t, "cycles"), "%.0f") << " cycles, "
    << num(number_at(t, "time_s") * 1e6) << " us, " << num(number_at(t, "warp_insts"), "%.0f")
    << " warp instructions";
  if (t.contains("energy_j")) {
    s << "; " << num(number_at(t, "energy_j")) << " J at " << num(number_at(t, "avg_power_w"))
      << " W average";
    if (t.contains("co2e_g"))
      s << "; " << num(number_at(t["co2e_g"], "total")) << " g CO2e (operational "
        << num(number_at(t["co2e_g"], "operational")) << ", embodied "
        << num(number_at(t["co2e_g"], "embodied")) << ")";
  }
  s << ".</p>\n";
  if (result.contains("energy_conditions")) {
    const json& c = result["energy_conditions"];
    s << "<p>Priced with " << escape(c.value("energy_table", std::string("?"))) << " at "
      << num(number_at(c, "core_mhz"), "%.0f") << " MHz, " << num(number_at(c, "volts"), "%.3f")
      << " V, " << num(number_at(c, "temperature_c"), "%.0f") << " degC; grid "
      << escape(c.value("region", std::string("?"))) << " "
      << num(number_at(c, "grid_g_per_kwh"), "%.0f") << " g/kWh, PUE "
      << num(number_at(c, "pue"), "%.2f") << ".</p>\n";
  }
  s << "<h2>Kernels</h2>" << kernel_table(result);
  if (t.contains("energy_by_component")) {
    s << "<h2>Energy by component</h2>" << bar_chart(sorted_items(t["energy_by_component"]), "J");
  }
  if (t.contains("energy_by_op_class")) {
    s << "<h2>Instruction energy by op class (datapath vs fetch/decode/operand overhead)</h2>"
      << op_class_table(t["energy_by_op_class"]);
  }
  const auto pts = timeline_points(timeline_csv);
  if (!pts.empty()) {
    s << "<h2>Power timeline</h2>" << plot({{pts, "pt", true}}, "time (us)", "W");
  }
  s << "</body></html>\n";
  return s.str();
}

std::string sweep_html(const std::string& name, const std::vector<json>& points,
                       const json& pareto) {
  std::ostringstream s;
  s << head("joulesim sweep: " + name);
  std::vector<std::string> workloads;
  for (const auto& p : points) {
    const std::string w = p.value("workload", std::string("?"));
    if (std::find(workloads.begin(), workloads.end(), w) == workloads.end()) workloads.push_back(w);
  }
  for (const std::string& w : workloads) {
    s << "<h2>" << escape(w) << "</h2>";
    Series all{{}, "pt", false}, front{{}, "pareto", false};
    std::ostringstream rows;
    for (const auto& p : points) {
      if (p.value("workload", std::string("?")) != w) continue;
      const json m = p.value("metrics", json::object());
      all.xy.emplace_back(number_at(m, "time_s") * 1e6, number_at(m, "energy_j") * 1e3);
      std::string coords;
      const json coords_obj = p.value("coords", json::object());  // items() must not outlive it
      for (const auto& [k, v] : coords_obj.items())
        coords += (coords.empty() ? "" : " ") + k + "=" +
                  (v.is_string() ? v.get<std::string>() : v.dump());
      rows << "<tr><td>" << escape(coords) << "</td><td>"
           << escape(p.value("evaluation", std::string())) << "</td><td>"
           << num(number_at(m, "time_s") * 1e6) << "</td><td>"
           << num(number_at(m, "energy_j") * 1e3) << "</td><td>" << num(number_at(m, "avg_power_w"))
           << "</td></tr>";
    }
    if (pareto.is_object() && pareto.contains(w)) {
      for (const auto& p : pareto.at(w))
        front.xy.emplace_back(number_at(p, "time_s") * 1e6, number_at(p, "energy_j") * 1e3);
    }
    s << plot({all, front}, "time (us); red: Pareto front", "energy (mJ)");
    s << "<table><tr><th>point</th><th>evaluation</th><th>time (us)</th><th>energy (mJ)</th>"
         "<th>avg power (W)</th></tr>"
      << rows.str() << "</table>\n";
  }
  s << "</body></html>\n";
  return s.str();
}

}  // namespace joulesim::report
