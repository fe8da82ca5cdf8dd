// Schema lookups, value checks and key suggestions (the rows themselves are in schema_rows.cpp).
#include "config/schema.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

#include "config/config.hpp"

namespace joulesim::config::detail {
namespace {

using nlohmann::json;

std::string fmt_num(double v) {
  std::ostringstream o;
  if (std::abs(v) >= 1e15 || (v == std::floor(v) && std::abs(v) < 1e15)) {
    o << static_cast<long long>(v);
  } else {
    o << v;
  }
  return o.str();
}

std::string type_name(ValueType t) {
  switch (t) {
    case ValueType::kUint:
      return "unsigned integer";
    case ValueType::kReal:
      return "number";
    case ValueType::kString:
      return "string";
    case ValueType::kDvfsPoints:
      return "list of [MHz, volts] pairs";
  }
  return "?";
}

std::string check_dvfs(const json& v) {
  if (!v.is_array() || v.empty()) return "expected a non-empty list of [MHz, volts] pairs";
  double prev_mhz = 0, prev_v = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    const json& p = v[i];
    if (!p.is_array() || p.size() != 2 || !p[0].is_number() || !p[1].is_number()) {
      return "point " + std::to_string(i + 1) + " is " + p.dump() + ", expected [MHz, volts]";
    }
    double mhz = p[0].get<double>(), volts = p[1].get<double>();
    if (!(mhz > 0 && mhz <= 10000)) {
      return "point " + std::to_string(i + 1) + " has " + fmt_num(mhz) + " MHz, allowed (0, 10000]";
    }
    if (!(volts > 0 && volts <= 2.0)) {
      return "point " + std::to_string(i + 1) + " has " + p[1].dump() + " V, allowed (0, 2]";
    }
    if (i > 0 && mhz <= prev_mhz) {
      return "points must be ascending in MHz: point " + std::to_string(i + 1) + " (" +
             fmt_num(mhz) + " MHz) is not above point " + std::to_string(i) + " (" +
             fmt_num(prev_mhz) + " MHz)";
    }
    if (i > 0 && volts < prev_v) {
      return "voltage must not fall as frequency rises: point " + std::to_string(i + 1) + " (" +
             p[1].dump() + " V) is below point " + std::to_string(i) + " (" + v[i - 1][1].dump() +
             " V)";
    }
    prev_mhz = mhz;
    prev_v = volts;
  }
  return "";
}

}  // namespace

const std::vector<KeyRow>& schema() {
  static const std::vector<KeyRow> rows = build_schema();
  return rows;
}

const KeyRow* find_row(std::string_view path) {
  for (const KeyRow& r : schema()) {
    if (r.path == path) return &r;
  }
  return nullptr;
}

namespace {
const std::set<std::string>& groups() {
  static const std::set<std::string> g = [] {
    std::set<std::string> out;
    for (const KeyRow& r : schema()) {
      for (size_t dot = r.path.find('.'); dot != std::string::npos;
           dot = r.path.find('.', dot + 1)) {
        out.insert(r.path.substr(0, dot));
      }
    }
    return out;
  }();
  return g;
}

std::string parent_of(std::string_view p) {
  auto dot = p.rfind('.');
  return dot == std::string_view::npos ? "" : std::string(p.substr(0, dot));
}
}  // namespace

bool is_group(std::string_view path) { return groups().count(std::string(path)) != 0; }

size_t edit_distance(std::string_view a, std::string_view b) {
  // Optimal string alignment: insertions, deletions, substitutions and adjacent transpositions
  // each cost 1, so the common typo "trdc" for "trcd" is one edit away.
  const size_t n = a.size(), m = b.size();
  std::vector<std::vector<size_t>> d(n + 1, std::vector<size_t>(m + 1));
  for (size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (size_t i = 1; i <= n; ++i) {
    for (size_t j = 1; j <= m; ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[n][m];
}

std::string suggest_key(std::string_view path) {
  std::vector<std::string> candidates;
  for (const KeyRow& r : schema()) candidates.push_back(r.path);
  for (const auto& g : groups()) candidates.push_back(g);
  const std::string parent = parent_of(path);
  std::string best;
  size_t best_d = std::string::npos;
  bool best_same_parent = false;
  for (const auto& c : candidates) {
    size_t d = edit_distance(path, c);
    bool same_parent = parent_of(c) == parent;
    if (d < best_d || (d == best_d && same_parent && !best_same_parent)) {
      best = c;
      best_d = d;
      best_same_parent = same_parent;
    }
  }
  const size_t limit = std::max<size_t>(2, path.size() / 4);
  if (best_d <= limit && best_same_parent) return "did you mean '" + best + "'?";
  // A truncated leaf name within the right group ("l2.mshr" for "l2.mshrs_per_slice").
  const auto last_dot = path.rfind('.');
  const std::string leaf(path.substr(last_dot == std::string_view::npos ? 0 : last_dot + 1));
  if (leaf.size() >= 3) {
    for (const KeyRow& r : schema()) {
      if (parent_of(r.path) != parent) continue;
      const std::string rl = r.path.substr(parent.empty() ? 0 : parent.size() + 1);
      if (rl.compare(0, leaf.size(), leaf) == 0 || leaf.compare(0, rl.size(), rl) == 0) {
        return "did you mean '" + r.path + "'?";
      }
    }
  }
  if (best_d <= limit) return "did you mean '" + best + "'?";
  // A right leaf name under the wrong group ("l2.mshrs" for "l1.mshrs") is worth naming too.
  for (const KeyRow& r : schema()) {
    if (r.path.size() > leaf.size() &&
        r.path.compare(r.path.size() - leaf.size(), leaf.size(), leaf) == 0 &&
        r.path[r.path.size() - leaf.size() - 1] == '.') {
      return "did you mean '" + r.path + "'?";
    }
  }
  return "";
}

std::string allowed_text(const KeyRow& row) {
  std::string s;
  switch (row.type) {
    case ValueType::kUint:
    case ValueType::kReal:
      s = (row.type == ValueType::kUint ? "an unsigned integer" : "a number") +
          std::string(" in [") + fmt_num(row.min) + ", " + fmt_num(row.max) + "]";
      break;
    case ValueType::kString:
      if (row.choices.empty()) {
        s = row.allow_empty ? "a string" : "a non-empty string";
      } else {
        s = "one of";
        for (size_t i = 0; i < row.choices.size(); ++i)
          s += (i ? ", '" : " '") + row.choices[i] + "'";
      }
      break;
    case ValueType::kDvfsPoints:
      s = "a list of [MHz, volts] pairs, MHz strictly ascending, volts in (0, 2] and "
          "non-decreasing";
      break;
  }
  if (!row.unit.empty()) s += " (" + row.unit + ")";
  return s;
}

std::string check_value(const KeyRow& row, const json& v) {
  const std::string got = "got " + v.dump();
  switch (row.type) {
    case ValueType::kUint: {
      if (!v.is_number_integer()) return "expected " + allowed_text(row) + ", " + got;
      if (v.is_number_unsigned()) {
        auto u = v.get<uint64_t>();
        if (u < row.min || u > row.max)
          return "out of range: expected " + allowed_text(row) + ", " + got;
      } else {
        auto i = v.get<int64_t>();
        if (i < row.min || i > row.max)
          return "out of range: expected " + allowed_text(row) + ", " + got;
      }
      return "";
    }
    case ValueType::kReal: {
      if (!v.is_number()) return "expected " + allowed_text(row) + ", " + got;
      double d = v.get<double>();
      if (!std::isfinite(d) || d < row.min || d > row.max) {
        return "out of range: expected " + allowed_text(row) + ", " + got;
      }
      return "";
    }
    case ValueType::kString: {
      if (!v.is_string()) return "expected " + allowed_text(row) + ", " + got;
      const auto& s = v.get_ref<const std::string&>();
      if (s.empty() && !row.allow_empty)
        return "expected " + allowed_text(row) + ", got an empty string";
      if (!row.choices.empty() &&
          std::find(row.choices.begin(), row.choices.end(), s) == row.choices.end()) {
        std::string msg = "'" + s + "' is not registered: expected " + allowed_text(row);
        std::string best;
        size_t best_d = 3;
        for (const auto& c : row.choices) {
          if (size_t d = edit_distance(s, c); d < best_d) best = c, best_d = d;
        }
        if (!best.empty()) msg += "; did you mean '" + best + "'?";
        return msg;
      }
      return "";
    }
    case ValueType::kDvfsPoints: {
      std::string e = check_dvfs(v);
      return e.empty() ? "" : e + " (" + type_name(row.type) + ")";
    }
  }
  return "";
}

}  // namespace joulesim::config::detail

namespace joulesim::config {

const std::vector<std::string>& warp_scheduler_names() {
  static const std::vector<std::string> names = {"gto", "lrr"};
  return names;
}

const std::vector<std::string>& dram_scheduler_names() {
  static const std::vector<std::string> names = {"fr_fcfs", "fcfs"};
  return names;
}

std::vector<KeyInfo> schema_keys() {
  std::vector<KeyInfo> out;
  for (const auto& r : detail::schema()) {
    out.push_back({r.path, detail::type_name(r.type), r.unit, r.description,
                   detail::allowed_text(r), !r.has_default});
  }
  return out;
}

}  // namespace joulesim::config
