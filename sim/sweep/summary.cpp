// Reading results back: CSV, time-energy Pareto fronts and best points per workload.
#include <algorithm>
#include <cstdio>
#include <map>
#include <numeric>

#include "core/error.hpp"
#include "core/paths.hpp"
#include "sweep/sweep.hpp"

namespace joulesim::sweep {
using nlohmann::json;

namespace {

std::string text_of(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string coords_text(const json& coords) {
  std::string s;
  for (const auto& [k, v] : coords.items()) s += (s.empty() ? "" : " ") + k + "=" + text_of(v);
  return s.empty() ? "(base)" : s;
}

std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

/// Coordinate columns in the order the axis groups give them.
std::vector<std::string> coord_columns(const Plan& plan) {
  std::vector<std::string> cols;
  for (const auto& g : plan.spec.groups) {
    for (const auto& ch : g.choices) {
      for (const auto& [k, v] : ch.coords.items()) {
        if (std::find(cols.begin(), cols.end(), k) == cols.end()) cols.push_back(k);
      }
    }
  }
  return cols;
}

}  // namespace

std::vector<size_t> pareto_front(const std::vector<std::pair<double, double>>& te) {
  std::vector<size_t> order(te.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (te[a].first != te[b].first) return te[a].first < te[b].first;
    if (te[a].second != te[b].second) return te[a].second < te[b].second;
    return a < b;
  });
  // Sweep by increasing time: a point is on the front when its energy is below every faster
  // point's, or ties exactly the current front point.
  std::vector<size_t> front;
  double best_e = 0;
  bool any = false;
  for (size_t i : order) {
    const auto [t, e] = te[i];
    if (!any || e < best_e) {
      front.push_back(i);
      best_e = e;
      any = true;
    } else if (e == best_e && te[front.back()].first == t) {
      front.push_back(i);  // identical (time, energy): neither dominates
    }
  }
  return front;
}

std::vector<PointResult> load_results(const Plan& plan, const OutputFiles& files) {
  std::map<std::string, json> by_id;
  for (auto& line : read_lines(files.results(), false)) {
    if (line.is_object() && line.contains("id") && line["id"].is_string()) {
      std::string id = line["id"].get<std::string>();
      by_id[id] = std::move(line);
    }
  }
  std::vector<PointResult> out;
  for (const auto& p : plan.points) {
    auto it = by_id.find(p.id);
    if (it == by_id.end()) continue;
    PointResult r;
    r.index = p.index;
    r.id = p.id;
    r.workload = p.workload.name;
    r.line = it->second;
    try {
      const json& m = r.line.at("metrics");
      r.metrics.time_s = m.at("time_s").get<double>();
      r.metrics.energy_j = m.at("energy_j").get<double>();
      r.metrics.avg_power_w = m.at("avg_power_w").get<double>();
      r.metrics.edp_js = m.at("edp_js").get<double>();
      r.metrics.ed2p_js2 = m.at("ed2p_js2").get<double>();
      r.metrics.co2e_g = m.at("co2e_g").get<double>();
      r.metrics.energy_per_flop_pj = m.at("energy_per_flop_pj").get<double>();
    } catch (const json::exception& e) {
      throw ConfigError(files.results().string() + ": point " + p.id +
                        ": bad metrics: " + e.what());
    }
    out.push_back(std::move(r));
  }
  return out;
}

std::string summarize(const Plan& plan, const OutputFiles& files) {
  const std::vector<PointResult> results = load_results(plan, files);
  const std::vector<std::string> cols = coord_columns(plan);
  constexpr size_t kMetrics = static_cast<size_t>(Metric::kCount);

  // CSV: one row per finished point, in point order. Fields are appended one at a time.
  std::string csv = "index,id,workload,gpu";
  auto field = [&csv](std::string_view v) {
    csv.push_back(',');
    csv.append(v);
  };
  for (const auto& c : cols) field(csv_field(c));
  field("evaluation");
  for (size_t m = 0; m < kMetrics; ++m) field(metric_column(Metric(m)));
  csv.append(",cycles,warp_insts,tensor_flops,sim_id\n");
  for (const auto& r : results) {
    const json& l = r.line;
    csv.append(std::to_string(r.index));
    field(r.id);
    field(csv_field(r.workload));
    field(csv_field(text_of(l.value("gpu", json("")))));
    for (const auto& c : cols) {
      field(l["coords"].contains(c) ? csv_field(text_of(l["coords"][c])) : std::string());
    }
    field(text_of(l.value("evaluation", json(""))));
    for (size_t m = 0; m < kMetrics; ++m) field(json(r.metrics.value(Metric(m))).dump());
    field(l.value("cycles", json(0)).dump());
    field(l.value("warp_insts", json(0)).dump());
    field(l.value("tensor_flops", json(0)).dump());
    field(text_of(l.value("sim_id", json(""))));
    csv.push_back('\n');
  }
  write_file_atomically(files.csv(), csv);

  // Per workload: Pareto front (time, energy) and best point per metric.
  json pareto = json::object(), best = json::object();
  std::string text = describe_plan(plan);
  text += "finished points: " + std::to_string(results.size()) + " of " +
          std::to_string(plan.points.size()) + "\n";
  for (const auto& w : plan.spec.workloads) {
    std::vector<const PointResult*> rs;
    for (const auto& r : results) {
      if (r.workload == w.name) rs.push_back(&r);
    }
    if (rs.empty()) continue;
    std::vector<std::pair<double, double>> te;
    for (const auto* r : rs) te.emplace_back(r->metrics.time_s, r->metrics.energy_j);
    const std::vector<size_t> front = pareto_front(te);
    json pj = json::array();
    std::vector<bool> on_front(rs.size(), false);
    for (size_t i : front) {
      on_front[i] = true;
      pj.push_back({{"index", rs[i]->index},
                    {"id", rs[i]->id},
                    {"coords", rs[i]->line["coords"]},
                    {"time_s", rs[i]->metrics.time_s},
                    {"energy_j", rs[i]->metrics.energy_j}});
    }
    pareto[w.name] = std::move(pj);

    text += "\nworkload " + w.name + " (" + std::to_string(rs.size()) + " points)\n";
    if (rs.size() <= 64) {
      int width = 5;
      for (const auto* r : rs) {
        width = std::max(width, static_cast<int>(coords_text(r->line["coords"]).size()));
      }
      width = std::min(width, 100);
      std::string head = "  ";
      char buf[128];
      std::snprintf(buf, sizeof buf, "%-*s", width, "point");
      head += buf;
      for (Metric m : plan.spec.metrics) {
        std::snprintf(buf, sizeof buf, " %13s", std::string(metric_column(m)).c_str());
        head += buf;
      }
      text += head + "  pareto\n";
      for (size_t i = 0; i < rs.size(); ++i) {
        std::snprintf(buf, sizeof buf, "%-*s", width, coords_text(rs[i]->line["coords"]).c_str());
        std::string row = "  " + std::string(buf);
        for (Metric m : plan.spec.metrics) {
          std::snprintf(buf, sizeof buf, " %13s", fmt(rs[i]->metrics.value(m)).c_str());
          row += buf;
        }
        text += row + (on_front[i] ? "  *" : "") + "\n";
      }
    } else {
      text += "  Pareto front (time vs energy):\n";
      for (size_t i : front) {
        text += "    " + coords_text(rs[i]->line["coords"]) + ": " + fmt(rs[i]->metrics.time_s) +
                " s, " + fmt(rs[i]->metrics.energy_j) + " J\n";
      }
    }
    json bj = json::object();
    text += "  best:\n";
    for (Metric m : plan.spec.metrics) {
      const PointResult* b = nullptr;
      for (const auto* r : rs) {
        const double v = r->metrics.value(m);
        if (m == Metric::kEnergyPerFlop && v <= 0) continue;  // no tensor FLOPs
        if (b == nullptr || v < b->metrics.value(m)) b = r;
      }
      if (b == nullptr) continue;
      const std::string col(metric_column(m));
      bj[col] = {{"index", b->index},
                 {"id", b->id},
                 {"coords", b->line["coords"]},
                 {"value", b->metrics.value(m)}};
      char buf[64];
      std::snprintf(buf, sizeof buf, "    %-20s %12s  ", col.c_str(),
                    fmt(b->metrics.value(m)).c_str());
      text += buf + coords_text(b->line["coords"]) + "\n";
    }
    best[w.name] = std::move(bj);
  }
  write_file_atomically(files.pareto(), pareto.dump(1) + "\n");
  write_file_atomically(files.best(), best.dump(1) + "\n");
  write_file_atomically(files.summary(), text);
  return text;
}

}  // namespace joulesim::sweep
