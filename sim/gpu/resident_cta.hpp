#pragma once
/// @file
/// Compact storage of the CTAs resident on an SM. Internal to the gpu subsystem.
///
/// A trace reader hands over a CTA as trace::Instructions (64 bytes each) with one 8-byte address
/// per active lane. Every resident CTA is held until it retires, so at full occupancy that
/// expanded form is hundreds of megabytes touched once each, and storing it cost as much host time
/// as simulating it. Here each dynamic instruction keeps only what changes between executions of
/// the same static instruction (16 bytes: active mask, static index, address index); the static
/// part (opcode, registers, width, immediate) lives once per kernel in a StaticTable. Lane
/// addresses that form an arithmetic sequence (coalesced and strided accesses) keep just their
/// base and stride and are expanded only when the instruction issues.
#include <cstdint>
#include <vector>

#include "trace/trace.hpp"

namespace joulesim::gpu {

/// One dynamic instruction of a resident warp.
struct DynInst {
  uint64_t mask;  ///< active lanes
  uint32_t stat;  ///< index into the kernel's StaticTable
  uint32_t addr;  ///< first lane-address word in the warp's address array (kAffineAddr flag)
  int lanes() const { return __builtin_popcountll(mask); }
};
static_assert(sizeof(DynInst) == 16);

/// DynInst::addr flag: the two words at the index are base and stride; lane k (k-th active lane)
/// accesses base + k * stride.
inline constexpr uint32_t kAffineAddr = 0x80000000u;

/// The static instructions of one kernel, deduplicated. Entries have active_mask = 0 and
/// addr_index = 0: those are per execution and live in DynInst.
class StaticTable {
 public:
  /// Forgets the previous kernel's instructions (keeps the storage).
  void clear();
  /// Index of the entry equal to @p inst apart from its mask and address index, added if new.
  uint32_t intern(const trace::Instruction& inst);
  const trace::Instruction& operator[](uint32_t i) const { return insts_[i]; }
  size_t size() const { return insts_.size(); }

 private:
  void grow();
  std::vector<trace::Instruction> insts_;
  std::vector<uint32_t> slots_;  ///< open addressing on (pc, opcode): entry index + 1, 0 = empty
};

/// One resident warp's instruction stream.
struct ResidentWarp {
  uint32_t warp_in_cta = 0;
  std::vector<DynInst> insts;
  std::vector<uint64_t> addrs;  ///< lane addresses, or base/stride pairs (kAffineAddr)
};

/// One resident CTA. Vectors keep their capacity between the CTAs that use the slot.
struct ResidentCta {
  trace::Dim3 id;
  std::vector<ResidentWarp> warps;
  uint32_t num_warps = 0;  ///< warps in use (warps.size() may be larger: kept storage)
};

/// Copies @p in into @p out in compact form, interning its static instructions into @p table.
/// Frees the storage of @p in's very long warps (the rest is kept for reuse by the next CTA).
void make_resident(trace::CtaTrace& in, StaticTable& table, ResidentCta& out);

/// Lane addresses of @p d in lane order: a pointer into @p w's addresses, or into @p scratch
/// (at least 64 entries) for an affine access.
inline const uint64_t* lane_addresses(const uint64_t* warp_addrs, const DynInst& d,
                                      uint64_t* scratch) {
  if (!(d.addr & kAffineAddr)) return warp_addrs + d.addr;
  const uint64_t* p = warp_addrs + (d.addr & ~kAffineAddr);
  const uint64_t base = p[0], stride = p[1];
  const int n = d.lanes();
  for (int k = 0; k < n; ++k) scratch[k] = base + stride * static_cast<uint64_t>(k);
  return scratch;
}

/// Address of the first active lane of @p d (lane_addresses(...)[0] without expanding).
inline uint64_t first_lane_address(const uint64_t* warp_addrs, const DynInst& d) {
  return warp_addrs[d.addr & ~kAffineAddr];
}

}  // namespace joulesim::gpu
