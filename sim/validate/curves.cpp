// Curves: plateau levels, cache-step positions, and expansion of curve datasets into cases.
#include <algorithm>
#include <cmath>
#include <sstream>

#include "validate/internal.hpp"

namespace joulesim::validate {

using nlohmann::json;
using namespace detail;

double plateau(const std::vector<double>& x, const std::vector<double>& y, double lo, double hi) {
  if (x.size() != y.size()) throw Error("plateau: x and y differ in length");
  std::vector<double> in;
  for (size_t i = 0; i < x.size(); ++i) {
    if (x[i] >= lo && x[i] <= hi) in.push_back(y[i]);
  }
  if (in.empty()) {
    throw Error("plateau: no point with x in [" + std::to_string(lo) + ", " + std::to_string(hi) +
                "]");
  }
  std::sort(in.begin(), in.end());
  const size_t n = in.size();
  return n % 2 ? in[n / 2] : 0.5 * (in[n / 2 - 1] + in[n / 2]);
}

double step_position(const std::vector<double>& x, const std::vector<double>& y,
                     const std::pair<double, double>& lo_window,
                     const std::pair<double, double>& hi_window) {
  const double lo = plateau(x, y, lo_window.first, lo_window.second);
  const double hi = plateau(x, y, hi_window.first, hi_window.second);
  if (!(hi > lo)) {
    throw Error("step: the upper plateau (" + std::to_string(hi) +
                ") is not above the lower one (" + std::to_string(lo) + ")");
  }
  const double mid = 0.5 * (lo + hi);
  for (size_t i = 1; i < x.size(); ++i) {
    if (x[i] <= lo_window.second) continue;
    if (y[i] >= mid) {
      if (y[i - 1] >= mid || x[i - 1] <= 0) return x[i];
      // Interpolate in log(footprint): the curves are sampled geometrically.
      const double t = (mid - y[i - 1]) / (y[i] - y[i - 1]);
      return std::exp(std::log(x[i - 1]) + t * (std::log(x[i]) - std::log(x[i - 1])));
    }
  }
  throw Error("step: the curve never reaches the midpoint " + std::to_string(mid) +
              " between its plateaus");
}

namespace detail {

namespace {

std::string fmt(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

void need_group(const Dataset& ds, const std::string& name, const std::string& where) {
  if (std::none_of(ds.groups.begin(), ds.groups.end(),
                   [&](const Group& g) { return g.name == name; })) {
    fail(where, "groups", "a " + ds.kind + " dataset needs a group named '" + name + "'");
  }
}

}  // namespace

void expand_curves(Dataset& ds, const std::string& where) {
  const bool latency = ds.kind == "latency_curve";
  const json& curves = member(ds.raw, "curves", where, "");
  require_array(curves, where, "curves");
  need_group(ds, "points", where);
  need_group(ds, latency ? "steps" : "full_occupancy", where);
  if (latency) need_group(ds, "plateaus", where);
  for (size_t ci = 0; ci < curves.size(); ++ci) {
    const std::string p = index_path("curves", ci);
    const json& c = curves[ci];
    std::set<std::string> keys = {"id",     "source", "source_file", "conditions", "x_unit",
                                  "y_unit", "points", "sim",         "note"};
    if (latency) keys.insert({"steps", "plateaus"});
    check_keys(c, keys, where, p);
    const std::string id = get_string(c, "id", where, p);
    const std::string source = get_string(c, "source", where, p) + " (file " +
                               get_string(c, "source_file", where, p) + ")";
    const std::string x_unit = get_string(c, "x_unit", where, p);
    const std::string y_unit = get_string(c, "y_unit", where, p);
    const json& pts = member(c, "points", where, p);
    require_array(pts, where, join_path(p, "points"));
    if (pts.size() < 2) fail(where, join_path(p, "points"), "a curve needs at least 2 points");
    std::vector<double> xs, ys;
    for (size_t i = 0; i < pts.size(); ++i) {
      const std::string pp = index_path(join_path(p, "points"), i);
      if (!pts[i].is_array() || pts[i].size() != 2 || !pts[i][0].is_number() ||
          !pts[i][1].is_number()) {
        fail(where, pp, "expected [x, y]");
      }
      const double x = pts[i][0].get<double>(), y = pts[i][1].get<double>();
      if (!(x > 0) || !(y > 0)) fail(where, pp, "x and y must be > 0");
      if (!xs.empty() && !(x > xs.back())) fail(where, pp, "x must be strictly ascending");
      xs.push_back(x);
      ys.push_back(y);
    }
    const json& sim = member(c, "sim", where, p);
    const std::string sp = join_path(p, "sim");
    if (latency) {
      check_sim_recipe(sim, where, sp,
                       {"footprint_param", "steps_param", "lo_steps", "hi_steps", "cold_above_kb"});
      get_string(sim, "footprint_param", where, sp);
      get_string(sim, "steps_param", where, sp);
      if (!(get_number(sim, "hi_steps", where, sp) > get_number(sim, "lo_steps", where, sp))) {
        fail(where, sp, "hi_steps must exceed lo_steps");
      }
    } else {
      check_sim_recipe(
          sim, where, sp,
          {"x_param", "blocks_per_sm", "waves", "arrays", "bytes_per_element", "bytes"});
      if (sim.contains("waves") && !(get_number(sim, "waves", where, sp) >= 1)) {
        fail(where, join_path(sp, "waves"), "must be >= 1");
      }
      if (sim.contains("bytes")) {
        const std::string b = get_string(sim, "bytes", where, sp);
        if (b != "logical" && b != "dram") {
          fail(where, join_path(sp, "bytes"), "'" + b + "' is not one of logical, dram");
        }
      }
      get_string(sim, "x_param", where, sp);
      if (!(get_number(sim, "blocks_per_sm", where, sp) >= 1)) {
        fail(where, join_path(sp, "blocks_per_sm"), "must be >= 1");
      }
      if (!(get_number(sim, "arrays", where, sp) >= 1))
        fail(where, join_path(sp, "arrays"), ">= 1");
    }
    json conditions = c.contains("conditions") ? c["conditions"] : json();
    for (size_t i = 0; i < xs.size(); ++i) {
      Case k;
      k.id = id + "@" + fmt(xs[i]) + x_unit;
      k.group = "points";
      k.quantity = (latency ? "pointer-chase latency at footprint " : "bandwidth at ") +
                   fmt(xs[i]) + " " + x_unit;
      k.unit = y_unit;
      k.measured = ys[i];
      k.source = source;
      k.conditions = conditions;
      k.sim = {{"curve", id}, {"x", xs[i]}, {"what", "point"}};
      ds.cases.push_back(k);
    }
    if (latency) {
      const json& steps = member(c, "steps", where, p);
      require_array(steps, where, join_path(p, "steps"));
      for (size_t i = 0; i < steps.size(); ++i) {
        const std::string s = index_path(join_path(p, "steps"), i);
        check_keys(steps[i], {"name", "lo_window", "hi_window", "group"}, where, s);
        const std::string name = get_string(steps[i], "name", where, s);
        const auto lo = get_window(steps[i], "lo_window", where, s);
        const auto hi = get_window(steps[i], "hi_window", where, s);
        Case k;
        k.id = id + ".step." + name;
        k.group = steps[i].contains("group") ? get_string(steps[i], "group", where, s) : "steps";
        need_group(ds, k.group, where);
        k.quantity = "footprint of the " + name + " latency step (midpoint between plateaus)";
        k.unit = x_unit;
        try {
          k.measured = step_position(xs, ys, lo, hi);
        } catch (const Error& e) {
          fail(where, s, std::string("measured curve: ") + e.what());
        }
        k.source = source;
        k.conditions = conditions;
        k.sim = {{"curve", id},
                 {"what", "step"},
                 {"lo_window", {lo.first, lo.second}},
                 {"hi_window", {hi.first, hi.second}}};
        ds.cases.push_back(k);
      }
      const json& plats = member(c, "plateaus", where, p);
      require_array(plats, where, join_path(p, "plateaus"));
      for (size_t i = 0; i < plats.size(); ++i) {
        const std::string s = index_path(join_path(p, "plateaus"), i);
        check_keys(plats[i], {"name", "window", "group"}, where, s);
        const std::string name = get_string(plats[i], "name", where, s);
        const auto w = get_window(plats[i], "window", where, s);
        Case k;
        k.id = id + ".plateau." + name;
        k.group = plats[i].contains("group") ? get_string(plats[i], "group", where, s) : "plateaus";
        need_group(ds, k.group, where);
        k.quantity = name + " load-to-use latency (median of the plateau)";
        k.unit = y_unit;
        try {
          k.measured = plateau(xs, ys, w.first, w.second);
        } catch (const Error& e) {
          fail(where, s, std::string("measured curve: ") + e.what());
        }
        k.source = source;
        k.conditions = conditions;
        k.sim = {{"curve", id}, {"what", "plateau"}, {"window", {w.first, w.second}}};
        ds.cases.push_back(k);
      }
    } else {
      Case k;
      k.id = id + ".full_occupancy";
      k.group = "full_occupancy";
      k.quantity = "steady-state streaming bandwidth at full occupancy (largest block size)";
      k.unit = y_unit;
      k.measured = ys.back();
      k.source = source;
      k.conditions = conditions;
      k.sim = {{"curve", id}, {"x", xs.back()}, {"what", "steady"}};
      ds.cases.push_back(k);
    }
  }
}

}  // namespace detail

}  // namespace joulesim::validate
