#pragma once
/// @file
/// Inside of the energy subsystem (not part of its public interface): which counters are priced
/// per action and the component they belong to, and small shared helpers.
#include <array>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "energy/energy.hpp"

namespace joulesim::energy {

using stats::Counter;

/// Counters priced at a fixed energy per action (table key actions_pj.<counter name>).
/// rf.* and dram bursts are priced by their own sections; cycles by the sm section; time by
/// static and background power. rf.bank_conflict counts stall cycles, not extra accesses, and is
/// deliberately not priced.
inline constexpr std::array<Counter, 20> kPricedActions = {
    Counter::kL1ReadHit, Counter::kL1ReadMiss,  Counter::kL1Write,          Counter::kL1MshrMerge,
    Counter::kSmemRead,  Counter::kSmemWrite,   Counter::kSmemBankConflict, Counter::kConstAccess,
    Counter::kL2ReadHit, Counter::kL2ReadMiss,  Counter::kL2WriteHit,       Counter::kL2WriteMiss,
    Counter::kLlcHit,    Counter::kLlcMiss,     Counter::kNocFlit,          Counter::kDramAct,
    Counter::kDramPre,   Counter::kDramRefresh, Counter::kTmemRead,         Counter::kTmemWrite,
};

/// The component an action-priced counter's energy is reported under.
constexpr Component action_component(Counter c) {
  switch (c) {
    case Counter::kL2ReadHit:
    case Counter::kL2ReadMiss:
    case Counter::kL2WriteHit:
    case Counter::kL2WriteMiss:
    case Counter::kLlcHit:
    case Counter::kLlcMiss:
      return Component::kL2;
    case Counter::kNocFlit:
      return Component::kNoc;
    case Counter::kDramAct:
    case Counter::kDramPre:
      return Component::kDramDynamic;
    case Counter::kDramRefresh:
      return Component::kDramBackground;
    default:
      return Component::kL1Shared;
  }
}

/// Whether a component is on the core supply (its dynamic energy scales with (V/vref)^2).
constexpr bool on_core_rail(Component c) {
  return c != Component::kDramDynamic && c != Component::kDramBackground &&
         c != Component::kConstant && c != Component::kStatic;
}

/// Reads one {"value", "unit", "source"} leaf of @p parent, insisting on the unit and a non-empty
/// source; ConfigError naming @p where and the key path (@p path + "." + @p key) otherwise.
Entry read_entry(const nlohmann::json& parent, const std::string& key, const std::string& unit,
                 const std::string& where, const std::string& path);

/// Rejects keys of @p obj that are not in @p allowed (ConfigError naming where and the path).
void check_keys(const nlohmann::json& obj, const std::set<std::string>& allowed,
                const std::string& where, const std::string& path);

/// Reads and parses a JSON file; ConfigError naming the file on a syntax error.
nlohmann::json read_json_file(const std::filesystem::path& path);

}  // namespace joulesim::energy
