#pragma once
/// @file
/// Statistics over a whole trace (what `joulesim trace info` prints), gathered in one streaming
/// pass. The timing model can compare its own instruction counts against a TraceSummary.
#include <array>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "trace/trace.hpp"

namespace joulesim::trace {

/// Memory traffic of one memory space.
struct MemSpaceStats {
  uint64_t warp_insts = 0;     ///< memory instructions (with a non-zero width) in this space
  uint64_t lane_accesses = 0;  ///< active lanes of those instructions (one address each)
  uint64_t bytes = 0;          ///< lane_accesses x width
  bool operator==(const MemSpaceStats&) const = default;
};

/// Counts for one kernel.
struct KernelSummary {
  KernelInfo info;
  uint32_t isa_table = 0;  ///< ISA table used for opcodes (differs from binary_version on fallback)
  uint64_t ctas = 0;
  uint64_t warps = 0;
  uint64_t warp_insts = 0;
  uint64_t thread_insts = 0;  ///< sum of active-lane counts
  std::array<uint64_t, static_cast<size_t>(OpClass::kCount)> warp_insts_by_class{};
  std::array<uint64_t, static_cast<size_t>(OpClass::kCount)> thread_insts_by_class{};
  std::array<MemSpaceStats, static_cast<size_t>(MemSpace::kCount)> memory{};
  std::map<std::string, uint64_t> unknown_opcodes;  ///< opcode -> warp instructions
};

/// Counts for a whole trace.
struct TraceSummary {
  uint64_t memcpys = 0, memcpy_bytes = 0;
  std::vector<KernelSummary> kernels;

  /// One JSON object: "kernels" (each with its counts) and "total". Deterministic key order.
  nlohmann::ordered_json to_json() const;
  /// Human-readable tables.
  std::string to_table() const;
};

/// Counts one kernel, reading all its remaining CTAs.
KernelSummary summarize_kernel(KernelReader& kernel);

/// Reads every command of @p source and counts it. Throws Error/InputError on malformed input.
TraceSummary summarize_trace(TraceSource& source);

}  // namespace joulesim::trace
