// Which keys can change timing. A conservative allow-list: a key is re-priced only when the
// timing model provably never reads it (tests/unit/sweep_classify_test.cpp simulates with each
// one changed and checks that cycles and counts do not move); everything else re-simulates.
#include <array>

#include "sweep/sweep.hpp"

namespace joulesim::sweep {

namespace {

struct Rule {
  std::string_view path;  ///< exact key, or a prefix ending in '.'
  std::string_view reason;
};

constexpr std::array<Rule, 13> kPricingOnly = {{
    {"power.energy_table", "energy table: prices the same counts"},
    {"power.temperature_c", "junction temperature: scales leakage only"},
    {"power.dram_energy_scale", "scales DRAM energies only"},
    {"dvfs.points",
     "voltages of the V-f table: the clock is dvfs.core_mhz, so only (V/Vref)^2 and "
     "leakage change"},
    {"chip.process", "process name: embodied carbon only"},
    {"chip.node_nm", "process node: embodied carbon only"},
    {"chip.die_area_mm2", "die area: embodied carbon only"},
    {"chip.transistors_billion", "transistor count: informational"},
    {"name", "text"},
    {"description", "text"},
    {"rationale", "text"},
    {"carbon.", "grid region / PUE: operational carbon only"},
    {"energy.", "energy-table entry: prices the same counts"},
}};

}  // namespace

KeyClass classify_key(std::string_view path) {
  for (const Rule& r : kPricingOnly) {
    const bool prefix = r.path.back() == '.';
    if (prefix ? path.substr(0, r.path.size()) == r.path : path == r.path) {
      return {KeyEffect::kPricing, std::string(r.reason)};
    }
  }
  if (path == "dvfs.core_mhz")
    return {KeyEffect::kTiming, "core clock: changes every core cycle's length"};
  return {KeyEffect::kTiming, "a timing-model parameter"};
}

}  // namespace joulesim::sweep
