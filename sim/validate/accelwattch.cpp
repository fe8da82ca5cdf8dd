// The AccelWattch Volta set: CSV reading, the explicit join of the counter file with the power
// file, and the mapping of hardware counters to the ActivityCounts the EnergyModel prices.
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "validate/internal.hpp"

namespace joulesim::validate {

using nlohmann::json;

namespace {

struct CsvRow {
  uint64_t line = 0;
  std::vector<std::string> cells;
};

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (char ch : line) {
    if (ch == '"') {
      quoted = !quoted;
    } else if (ch == ',' && !quoted) {
      out.push_back(cur);
      cur.clear();
    } else if (ch != '\r') {
      cur += ch;
    }
  }
  out.push_back(cur);
  return out;
}

std::vector<CsvRow> read_csv(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw Error("cannot open " + file.string());
  std::vector<CsvRow> rows;
  std::string line;
  uint64_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty() || line == "\r") continue;
    rows.push_back({n, split_csv_line(line)});
  }
  if (rows.empty()) throw InputError(file.string(), 1, "empty CSV file");
  return rows;
}

double to_number(const std::string& s, const std::filesystem::path& file, uint64_t line,
                 const std::string& column) {
  try {
    size_t used = 0;
    const double v = std::stod(s, &used);
    if (used != s.size() || !std::isfinite(v)) throw std::invalid_argument(s);
    return v;
  } catch (const std::exception&) {
    throw InputError(file.string(), line,
                     "column '" + column + "': expected a number, found '" + s + "'");
  }
}

// Name -> counter, for the mapping's targets.
stats::Counter counter_by_name(const std::string& name) {
  for (size_t i = 0; i < stats::kNumCounters; ++i) {
    const auto c = static_cast<stats::Counter>(i);
    if (stats::counter_name(c) == name) return c;
  }
  throw ConfigError("unknown activity counter '" + name + "'");
}

trace::OpClass op_class_by_name(const std::string& name) {
  for (size_t i = 0; i < stats::kNumOpClasses; ++i) {
    const auto c = static_cast<trace::OpClass>(i);
    if (trace::to_string(c) == name) return c;
  }
  throw ConfigError("unknown op class '" + name + "'");
}

uint64_t rounded(double v) { return v <= 0 ? 0 : static_cast<uint64_t>(std::llround(v)); }

}  // namespace

double CounterKernel::counter(const std::string& column) const {
  for (const auto& [k, v] : counters) {
    if (k == column) return v;
  }
  throw Error("kernel " + name + ": no counter column '" + column + "'");
}

std::vector<CounterKernel> join_accelwattch(
    const std::filesystem::path& perf_csv, const std::filesystem::path& power_csv,
    const std::vector<std::pair<std::string, std::string>>& join,
    std::vector<std::string>* unmatched) {
  const auto perf = read_csv(perf_csv);
  const auto power = read_csv(power_csv);
  const auto& ph = perf.front().cells;
  if (ph.size() < 3 || ph[0] != "Benchmark" || ph[1] != "Kernel") {
    throw InputError(perf_csv.string(), perf.front().line,
                     "expected a header starting with Benchmark,Kernel");
  }
  const auto& wh = power.front().cells;
  if (wh.size() < 5 || wh[1] != "mean HW_power" || wh[2] != "st_dev" || wh[4] != "#samples") {
    throw InputError(power_csv.string(), power.front().line,
                     "expected the header ,mean HW_power,st_dev,var,#samples");
  }
  std::vector<bool> perf_used(perf.size(), false), power_used(power.size(), false);
  std::vector<CounterKernel> out;
  for (const auto& [name, perf_key] : join) {
    CounterKernel k;
    k.name = name;
    const auto comma = perf_key.find(',');
    if (comma == std::string::npos) {
      throw ConfigError("join entry '" + name + "': expected \"Benchmark,Kernel\", got '" +
                        perf_key + "'");
    }
    k.benchmark = perf_key.substr(0, comma);
    k.kernel = perf_key.substr(comma + 1);
    size_t hits = 0;
    for (size_t r = 1; r < perf.size(); ++r) {
      const auto& row = perf[r];
      if (row.cells.size() != ph.size()) {
        throw InputError(perf_csv.string(), row.line,
                         "expected " + std::to_string(ph.size()) + " columns, found " +
                             std::to_string(row.cells.size()));
      }
      if (row.cells[0] != k.benchmark || row.cells[1] != k.kernel) continue;
      ++hits;
      perf_used[r] = true;
      for (size_t c = 2; c < ph.size(); ++c) {
        k.counters.emplace_back(ph[c], to_number(row.cells[c], perf_csv, row.line, ph[c]));
      }
    }
    if (hits != 1) {
      throw Error(perf_csv.string() + ": join entry '" + name + "' (" + k.benchmark + ", " +
                  k.kernel.substr(0, 60) + ") matches " + std::to_string(hits) +
                  " rows; exactly one is required");
    }
    hits = 0;
    for (size_t r = 1; r < power.size(); ++r) {
      const auto& row = power[r];
      if (row.cells.empty() || row.cells[0] != name) continue;
      if (row.cells.size() != wh.size()) {
        throw InputError(power_csv.string(), row.line,
                         "expected " + std::to_string(wh.size()) + " columns");
      }
      ++hits;
      power_used[r] = true;
      k.measured_w = to_number(row.cells[1], power_csv, row.line, wh[1]);
      k.stdev_w = to_number(row.cells[2], power_csv, row.line, wh[2]);
      k.samples = static_cast<int>(to_number(row.cells[4], power_csv, row.line, wh[4]));
    }
    if (hits != 1) {
      throw Error(power_csv.string() + ": join entry '" + name + "' matches " +
                  std::to_string(hits) + " rows; exactly one is required");
    }
    out.push_back(std::move(k));
  }
  if (unmatched) {
    unmatched->clear();
    for (size_t r = 1; r < power.size(); ++r) {
      if (!power_used[r]) unmatched->push_back("power:" + power[r].cells[0]);
    }
    for (size_t r = 1; r < perf.size(); ++r) {
      if (!perf_used[r]) unmatched->push_back("perf:" + perf[r].cells[0] + "," + perf[r].cells[1]);
    }
  }
  return out;
}

CounterSample counter_sample(const CounterKernel& k, const json& mapping, uint32_t sm_count,
                             double launches, double core_mhz) {
  CounterSample s;
  s.name = k.name;
  s.measured_w = k.measured_w;
  const json& special = mapping.at("special");
  const double cycles = k.counter(special.at("elapsed_cycles").get<std::string>());
  const double idle = k.counter(special.at("idle_sms").get<std::string>());
  const double duty = k.counter(special.at("pipeline_duty").get<std::string>());
  const double volts = k.counter(special.at("voltage").get<std::string>());
  if (!(cycles > 0)) throw Error("kernel " + k.name + ": elapsed cycles must be > 0");
  if (idle < 0 || idle > sm_count) throw Error("kernel " + k.name + ": idle SMs out of range");
  if (duty < 0 || duty > 1) throw Error("kernel " + k.name + ": pipeline duty out of [0, 1]");
  auto& c = s.counts;
  c[stats::Counter::kCoreCycles] = rounded(cycles * launches);
  c[stats::Counter::kSmIdleCycles] = rounded(idle * cycles * launches);
  c[stats::Counter::kSmActiveCycles] = rounded((sm_count - idle) * cycles * launches);
  // Plain counters: several columns may feed one counter (summed before rounding).
  std::map<stats::Counter, double> sums;
  for (const auto& [column, m] : mapping.at("counters").items()) {
    sums[counter_by_name(m.at("to").get<std::string>())] += k.counter(column) * launches;
  }
  for (const auto& [counter, v] : sums) c[counter] += rounded(v);
  // Pipeline activity has no instruction mix in this data: a proxy instruction per pipe cycle.
  const json& px = mapping.at("pipeline_proxy");
  const double warps = duty * px.at("pipes").get<double>() * sm_count * cycles *
                       px.at("warp_insts_per_pipe_cycle").get<double>() * launches;
  const auto op = op_class_by_name(px.at("op_class").get<std::string>());
  c.add_inst(op, rounded(warps), rounded(warps * px.at("active_lanes").get<double>()));
  c[stats::Counter::kWarpInstIssued] += rounded(warps);
  c[stats::Counter::kRfRead] += rounded(warps * px.at("rf_reads_per_inst").get<double>());
  c[stats::Counter::kRfWrite] += rounded(warps * px.at("rf_writes_per_inst").get<double>());
  s.time_ps = static_cast<int64_t>(std::llround(cycles * launches / core_mhz * 1e6));
  s.conditions.volts = volts;
  return s;
}

double counter_power_w(const CounterSample& s, const energy::EnergyTable& table,
                       const config::GpuSpec& spec) {
  return energy::price(s.counts, s.time_ps, table, spec, s.conditions).avg_power_w();
}

}  // namespace joulesim::validate
