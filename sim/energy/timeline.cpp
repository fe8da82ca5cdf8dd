// Power timeline: counter snapshots priced interval by interval.
#include <cstdio>

#include "core/error.hpp"
#include "energy/energy.hpp"

namespace joulesim::energy {

namespace {

// Throws unless every counter of @p later is >= the one of @p earlier.
template <typename Array>
void check_monotone(const Array& earlier, const Array& later, size_t snapshot) {
  for (size_t i = 0; i < earlier.size(); ++i) {
    if (later[i] < earlier[i]) {
      throw Error("power timeline: snapshot " + std::to_string(snapshot) +
                  " has a counter smaller than the previous snapshot (counts must be cumulative)");
    }
  }
}

void append_double(std::string& out, double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.12g", v);  // sums of rows stay within 1e-11 of the totals
  out += buf;
}

}  // namespace

std::vector<PowerSample> price_timeline(const std::vector<Snapshot>& snapshots,
                                        const EnergyTable& table, const config::GpuSpec& spec,
                                        const Conditions& cond) {
  std::vector<PowerSample> out;
  out.reserve(snapshots.size());
  Snapshot prev;  // time 0, zero counts
  for (size_t i = 0; i < snapshots.size(); ++i) {
    const Snapshot& s = snapshots[i];
    if (s.time_ps < prev.time_ps) {
      throw Error("power timeline: snapshot " + std::to_string(i) + " goes back in time");
    }
    check_monotone(prev.counts.counters, s.counts.counters, i);
    check_monotone(prev.counts.warp_insts, s.counts.warp_insts, i);
    check_monotone(prev.counts.thread_insts, s.counts.thread_insts, i);
    check_monotone(prev.counts.tensor_flops, s.counts.tensor_flops, i);
    check_monotone(prev.counts.tensor_sparse_flops, s.counts.tensor_sparse_flops, i);
    PowerSample p;
    p.start_ps = prev.time_ps;
    p.end_ps = s.time_ps;
    p.energy = price(s.counts - prev.counts, s.time_ps - prev.time_ps, table, spec, cond);
    out.push_back(p);
    prev = s;
  }
  return out;
}

std::string timeline_csv(const std::vector<PowerSample>& samples) {
  std::string out = "start_s,end_s,power_w,energy_j";
  for (size_t c = 0; c < kNumComponents; ++c) {
    out += ",";
    out += component_name(static_cast<Component>(c));
    out += "_w";
  }
  out += "\n";
  for (const auto& s : samples) {
    const double dt = s.energy.time_s;
    append_double(out, static_cast<double>(s.start_ps) * 1e-12);
    out += ",";
    append_double(out, static_cast<double>(s.end_ps) * 1e-12);
    out += ",";
    append_double(out, s.power_w());
    out += ",";
    append_double(out, s.energy.total_j);
    for (const double j : s.energy.by_component) {
      out += ",";
      append_double(out, dt > 0 ? j / dt : 0.0);
    }
    out += "\n";
  }
  return out;
}

}  // namespace joulesim::energy
