// Writes the dataset JSON (schema in ../README.md) atomically: a temporary file, then rename.
#include "dataset_json.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>

namespace capture {

namespace {

std::string esc(const std::string& s) {
  std::string o = "\"";
  for (unsigned char ch : s) {
    if (ch == '"' || ch == '\\') {
      o += '\\';
      o += static_cast<char>(ch);
    } else if (ch < 0x20) {
      char b[8];
      std::snprintf(b, sizeof b, "\\u%04x", ch);
      o += b;
    } else {
      o += static_cast<char>(ch);
    }
  }
  return o + "\"";
}

std::string num(double v) {
  if (!std::isfinite(v)) return "null";  // JSON has no NaN/inf
  char b[40];
  std::snprintf(b, sizeof b, "%.10g", v);
  return b;
}

std::string power_json(const PowerStats& p) {
  std::ostringstream o;
  o << "{\"avg_w\": " << num(p.avg_w) << ", \"energy_j\": " << num(p.energy_j)
    << ", \"time_s\": " << num(p.time_s) << ", \"sm_mhz\": " << num(p.sm_mhz)
    << ", \"mem_mhz\": " << num(p.mem_mhz) << ", \"temp_c\": " << num(p.temp_c)
    << ", \"temp_max_c\": " << num(p.temp_max_c) << ", \"sampled_avg_w\": " << num(p.sampled_avg_w)
    << ", \"max_sample_w\": " << num(p.max_w) << ", \"samples\": " << p.samples
    << ", \"energy_counter\": " << (p.energy_counter ? "true" : "false")
    << ", \"clock_event_reasons\": " << p.clock_events << "}";
  return o.str();
}

}  // namespace

std::string JsonObject::str() const {
  std::string o = "{";
  for (size_t i = 0; i < items_.size(); ++i) {
    o += (i ? ", " : "") + esc(items_[i].first) + ": " + items_[i].second;
  }
  return o + "}";
}
JsonObject& JsonObject::add(const std::string& k, const std::string& v) {
  items_.emplace_back(k, esc(v));
  return *this;
}
JsonObject& JsonObject::add(const std::string& k, double v) {
  items_.emplace_back(k, num(v));
  return *this;
}
JsonObject& JsonObject::add_bool(const std::string& k, bool v) {
  items_.emplace_back(k, v ? "true" : "false");
  return *this;
}

bool write_dataset(const std::string& path, const std::string& dataset, const std::string& source,
                   const JsonObject& gpu, const JsonObject& conditions,
                   const std::vector<Case>& cases, std::string& error) {
  std::ostringstream o;
  o << "{\n  \"dataset\": " << esc(dataset) << ",\n  \"source\": " << esc(source)
    << ",\n  \"gpu\": " << gpu.str() << ",\n  \"conditions\": " << conditions.str()
    << ",\n  \"cases\": [\n";
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    o << "    {\"id\": " << esc(c.id) << ", \"group\": " << esc(c.group)
      << ", \"metric\": " << esc(c.metric) << ", \"value\": " << num(c.value)
      << ", \"unit\": " << esc(c.unit) << ", \"generator\": " << esc(c.generator)
      << ", \"params\": {";
    for (size_t j = 0; j < c.params.size(); ++j) {
      const Param& p = c.params[j];
      o << (j ? ", " : "") << esc(p.key) << ": " << (p.is_text ? esc(p.text) : num(p.num));
    }
    o << "}";
    if (c.power) o << ", \"power\": " << power_json(*c.power);
    o << ", \"tolerance_pct\": " << num(c.tolerance_pct)
      << ", \"checked\": " << (c.checked ? "true" : "false") << ", \"check\": " << esc(c.check);
    if (!c.extra.empty()) {
      o << ", \"extra\": {";
      for (size_t j = 0; j < c.extra.size(); ++j) {
        o << (j ? ", " : "") << esc(c.extra[j].first) << ": " << num(c.extra[j].second);
      }
      o << "}";
    }
    o << "}" << (i + 1 < cases.size() ? "," : "") << "\n";
  }
  o << "  ]\n}\n";
  const std::string tmp = path + ".tmp." + std::to_string(static_cast<long>(::getpid()));
  std::FILE* f = std::fopen(tmp.c_str(), "w");
  if (!f) {
    error = "cannot write " + tmp;
    return false;
  }
  const std::string s = o.str();
  const bool ok = std::fwrite(s.data(), 1, s.size(), f) == s.size();
  if (std::fclose(f) != 0 || !ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    error = "cannot write " + path;
    return false;
  }
  return true;
}

}  // namespace capture
