#pragma once
/// @file
/// ActivityCounts: the plain integer action counters the timing model produces and the energy
/// model prices. Counters are values: they copy, add and subtract, so per-kernel and per-interval
/// deltas are a subtraction. The timing model increments them by enum index: no strings, no maps.
#include <array>
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "trace/trace.hpp"

namespace joulesim::stats {

/// Every counted action that is not an instruction class. Names (for JSON) are in counter_name().
enum class Counter : uint16_t {
  kCoreCycles,      ///< "core.cycles": elapsed core cycles (kernel wall time in cycles)
  kSmActiveCycles,  ///< "sm.active_cycles": sum over SMs of cycles with at least one resident warp
  kSmIdleCycles,    ///< "sm.idle_cycles": sum over SMs of cycles with no resident warp
  kWarpInstIssued,  ///< "sm.warp_insts": warp instructions issued
  kRfRead,          ///< "rf.read": register operand reads (per warp instruction operand)
  kRfWrite,         ///< "rf.write": register operand writes
  kRfBankConflict,  ///< "rf.bank_conflict": extra cycles from register-bank conflicts
  kL1ReadHit,       ///< "l1.read_hit" sectors
  kL1ReadMiss,      ///< "l1.read_miss" sectors
  kL1Write,         ///< "l1.write" sectors
  kL1MshrMerge,     ///< "l1.mshr_merge" sectors merged into an outstanding miss
  kSmemRead,        ///< "smem.read" shared-memory wavefronts (bank-cycles) read
  kSmemWrite,       ///< "smem.write" shared-memory wavefronts written
  kSmemBankConflict,  ///< "smem.bank_conflict" extra wavefronts caused by conflicts
  kConstAccess,       ///< "const.access" constant-cache accesses
  kL2ReadHit,         ///< "l2.read_hit" sectors
  kL2ReadMiss,        ///< "l2.read_miss" sectors
  kL2WriteHit,        ///< "l2.write_hit" sectors
  kL2WriteMiss,       ///< "l2.write_miss" sectors
  kLlcHit,            ///< "llc.hit" sectors
  kLlcMiss,           ///< "llc.miss" sectors
  kNocFlit,           ///< "noc.flit": 32 B flits crossing the crossbar (both directions)
  kDramAct,           ///< "dram.act" row activations
  kDramPre,           ///< "dram.pre" precharges
  kDramReadBurst,     ///< "dram.rd_burst" column read bursts (dram.atom_bytes each)
  kDramWriteBurst,    ///< "dram.wr_burst" column write bursts
  kDramRefresh,       ///< "dram.ref" all-bank refreshes
  kDramCycles,        ///< "dram.cycles" elapsed DRAM command cycles (background energy)
  kTmemRead,          ///< "tmem.read": 128 B Tensor Memory slices read into registers (LDTM)
  kTmemWrite,         ///< "tmem.write": 128 B Tensor Memory slices written from registers (STTM)
  kCount
};

inline constexpr size_t kNumCounters = static_cast<size_t>(Counter::kCount);
inline constexpr size_t kNumOpClasses = static_cast<size_t>(trace::OpClass::kCount);
inline constexpr size_t kNumTensorTypes = static_cast<size_t>(trace::TensorType::kCount);

/// Stable dotted name of a counter, e.g. "l2.read_miss".
std::string_view counter_name(Counter c);

/// All activity of an interval, a kernel or a run.
struct ActivityCounts {
  std::array<uint64_t, kNumCounters> counters{};
  std::array<uint64_t, kNumOpClasses> warp_insts{};      ///< by op class
  std::array<uint64_t, kNumOpClasses> thread_insts{};    ///< by op class (active lanes)
  std::array<uint64_t, kNumTensorTypes> tensor_flops{};  ///< dense-equivalent FLOPs (2 per MAC)
  std::array<uint64_t, kNumTensorTypes> tensor_sparse_flops{};  ///< of which executed as 2:4 sparse

  uint64_t& operator[](Counter c) { return counters[static_cast<size_t>(c)]; }
  uint64_t operator[](Counter c) const { return counters[static_cast<size_t>(c)]; }
  void add_inst(trace::OpClass c, uint64_t warps, uint64_t threads) {
    warp_insts[static_cast<size_t>(c)] += warps;
    thread_insts[static_cast<size_t>(c)] += threads;
  }

  ActivityCounts& operator+=(const ActivityCounts& o);
  ActivityCounts& operator-=(const ActivityCounts& o);
  friend ActivityCounts operator+(ActivityCounts a, const ActivityCounts& b) { return a += b; }
  friend ActivityCounts operator-(ActivityCounts a, const ActivityCounts& b) { return a -= b; }
  bool operator==(const ActivityCounts&) const = default;
  uint64_t total_warp_insts() const;
};

/// Counts as JSON (the one (de)serializer `run` and `reprice` share): {"counters": {name: n},
/// "warp_insts": {op class: n}, "thread_insts": {...}, "tensor_flops": {type: n},
/// "tensor_sparse_flops": {...}}. Zero entries are left out; every value is an exact integer.
nlohmann::json counts_to_json(const ActivityCounts& counts);

/// Reads counts_to_json's format back. Missing names are 0; an unknown name or a value that is
/// not a non-negative integer is a ConfigError naming @p where and the key path.
ActivityCounts counts_from_json(const nlohmann::json& j, const std::string& where);

}  // namespace joulesim::stats
