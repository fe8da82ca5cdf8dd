#pragma once
// Test helper: drives a MemoryHierarchy directly (send / advance_to / pop_response), skipping
// idle time with next_event() exactly as the engine does.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "config/gpu_spec.hpp"
#include "core/time.hpp"
#include "mem/memory.hpp"
#include "stats/activity.hpp"

namespace joulesim::mem::testing {

inline SectorRequest read_req(uint64_t addr, uint8_t mask, uint16_t sm, uint32_t id) {
  SectorRequest r;
  r.line_addr = addr;
  r.sector_mask = mask;
  r.sm = sm;
  r.id = id;
  return r;
}

/// Least common multiple of the three clock periods: sending at multiples of it gives every
/// request the same phase against every clock.
inline int64_t common_period(const config::GpuSpec& s) {
  auto gcd = [](int64_t a, int64_t b) {
    while (b != 0) {
      const int64_t t = a % b;
      a = b;
      b = t;
    }
    return a;
  };
  auto lcm = [&](int64_t a, int64_t b) { return a / gcd(a, b) * b; };
  return lcm(lcm(period_of_mhz(s.core_mhz()).value, period_of_mhz(s.clocks.l2_mhz).value),
             period_of_mhz(s.clocks.dram_mhz).value);
}

struct MemDriver {
  explicit MemDriver(const config::GpuSpec& s) : spec(s), mem(spec, counts) {}

  /// Sends @p r at @p t and returns the time at which its response became visible.
  int64_t visible_at(const SectorRequest& r, int64_t t) {
    mem.advance_to(Picoseconds{t});
    mem.send(r, Picoseconds{t});
    return wait_for(r.sm, r.id);
  }
  int64_t latency(const SectorRequest& r, int64_t t) { return visible_at(r, t) - t; }

  /// Advances event by event until SM @p sm receives id @p id (others are collected).
  int64_t wait_for(uint16_t sm, uint32_t id) {
    for (;;) {
      SectorRequest out;
      while (mem.pop_response(sm, out)) {
        if (out.id == id) return now;
        other.push_back(out);
      }
      const Picoseconds n = mem.next_event();
      if (n == Picoseconds::max()) {
        ADD_FAILURE() << "no response for SM " << sm << " id " << id;
        return -1;
      }
      now = n.value;
      mem.advance_to(n);
    }
  }

  /// Sends all of @p reqs at @p t and returns each one's visible time (same order).
  std::vector<int64_t> visible_all(const std::vector<SectorRequest>& reqs, int64_t t) {
    mem.advance_to(Picoseconds{t});
    now = t;
    for (const auto& r : reqs) mem.send(r, Picoseconds{t});
    std::vector<int64_t> at(reqs.size(), -1);
    size_t left = reqs.size();
    while (left > 0) {
      const Picoseconds n = mem.next_event();
      if (n == Picoseconds::max()) {
        ADD_FAILURE() << left << " responses missing";
        break;
      }
      now = n.value;
      mem.advance_to(n);
      for (size_t i = 0; i < reqs.size(); ++i) {
        SectorRequest out;
        while (mem.pop_response(reqs[i].sm, out)) {
          for (size_t j = 0; j < reqs.size(); ++j) {
            if (reqs[j].sm == out.sm && reqs[j].id == out.id && at[j] < 0) {
              at[j] = now;
              --left;
              break;
            }
          }
        }
      }
    }
    return at;
  }

  config::GpuSpec spec;
  stats::ActivityCounts counts;
  MemoryHierarchy mem;
  int64_t now = 0;
  std::vector<SectorRequest> other;
};

}  // namespace joulesim::mem::testing
