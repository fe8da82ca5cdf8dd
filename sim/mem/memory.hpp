#pragma once
/// @file
/// Public interface of the memory subsystem, as the SM model uses it:
///  - coalesce(): a warp's per-lane addresses -> 32 B sector requests grouped by 128 B line;
///  - shared_memory_wavefronts(): bank-conflict serialisation of a shared-memory access;
///  - L1Cache: one per SM, sectored, with MSHRs and a write policy, called synchronously by the SM;
///  - MemoryHierarchy: everything below L1 (crossbar NoC, address-hashed L2 slices, optional LLC,
///    HBM channels with bank timing and FR-FCFS), advanced in time by the engine, with its own
///    clock domains inside.
/// All components count their actions into the stats::ActivityCounts they are given.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config/gpu_spec.hpp"
#include "core/time.hpp"
#include "stats/activity.hpp"

namespace joulesim::mem {

/// One request for some 32 B sectors of one cache line.
struct SectorRequest {
  uint64_t line_addr = 0;   ///< address of the (l1.line_bytes-aligned) line
  uint8_t sector_mask = 0;  ///< bit s: sector s of the line (line_bytes / sector_bytes sectors)
  bool write = false;
  uint16_t sm = 0;  ///< requesting SM
  uint32_t id = 0;  ///< chosen by the requester, returned unchanged with the response
};

/// One receiver of a multicast response: its SM and the id its copy of the response carries.
struct Destination {
  uint16_t sm = 0;
  uint32_t id = 0;
};
/// Most receivers of one multicast request (a thread-block cluster's 16 CTAs).
inline constexpr uint32_t kMaxMulticast = 16;

/// Id the L1 puts on the write-backs of dirty lines it evicts (write_back policy); their
/// acknowledgements are absorbed by L1Cache::fill(). Requesters must not use this id.
inline constexpr uint32_t kWritebackId = 0xFFFFFFFFu;

/// Splits the active lanes' accesses of one warp memory instruction into line requests.
/// @p lane_addresses holds one address per active lane (lane order); each lane touches
/// @p width bytes (a lane may straddle sectors and lines). Appends to @p out (cleared first), one
/// request per line in order of first touch, with sm = 0 and id = 0 for the caller to set; no
/// allocation once @p out has capacity.
void coalesce(const uint64_t* lane_addresses, int lanes, uint32_t width, uint32_t line_bytes,
              uint32_t sector_bytes, bool write, std::vector<SectorRequest>& out);

/// Number of shared-memory wavefronts (bank cycles) a warp access needs: the maximum over banks of
/// the distinct bank-width words addressed in that bank (same word: broadcast, no conflict).
/// Wide accesses: the banks deliver banks x bank_bytes bytes per wavefront, so the active lanes
/// are processed in phases of banks x bank_bytes / max(bank_bytes, pow2ceil(width)) consecutive
/// lanes (4 B: whole warp; 8 B: half-warps; 16 B: quarter-warps) and the phases' counts add up:
/// a conflict-free 16 B-per-lane warp access takes 4 wavefronts.
uint32_t shared_memory_wavefronts(const uint64_t* lane_addresses, int lanes, uint32_t width,
                                  uint32_t banks, uint32_t bank_bytes);

/// Sectored L1 data cache of one SM: set-associative, LRU, lines allocated when their data
/// arrives. MSHRs count outstanding sectors (l1.mshrs); a read whose missing sectors are all
/// being fetched merges (kMerged). Counts per sector: kL1ReadHit (present), kL1ReadMiss (fetched),
/// kL1MshrMerge (already outstanding), kL1Write (written). Write policy (l1.write_policy):
/// write_through: no allocation on write, every write goes below (kMiss) and completes with its
/// acknowledgement in fill(); write_back: a write allocates and dirties its sectors (kHit, no
/// fetch), dirty sectors of evicted lines go below with id kWritebackId. The hit latency
/// (l1.latency) is the SM's to apply.
class L1Cache {
 public:
  L1Cache(const config::L1Spec& spec, uint16_t sm, stats::ActivityCounts& counts);
  ~L1Cache();

  enum class Outcome : uint8_t {
    kHit,     ///< all sectors present: data after l1.latency
    kMiss,    ///< a downstream request was produced (see take_downstream)
    kMerged,  ///< all missing sectors already outstanding: waits for their fill
    kStall,   ///< no MSHR free: retry later, nothing changed
  };
  /// Looks up @p req (a read or a write). For a miss, allocates MSHRs and queues the downstream
  /// request with the missing sectors; @p req.id is returned by fill() when its data is present.
  Outcome access(const SectorRequest& req, Cycles now);
  /// Moves requests that must go to the MemoryHierarchy into @p out (appends).
  void take_downstream(std::vector<SectorRequest>& out);
  /// A response from below: installs the sectors and appends the ids of the waiting requests
  /// that are now complete to @p completed.
  void fill(const SectorRequest& response, std::vector<uint32_t>& completed);
  uint32_t outstanding_mshrs() const;
  void invalidate_all();  ///< kernel boundary

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Crossbar NoC + L2 slices + optional LLC + DRAM. Responses to reads (and write
/// acknowledgements) come back to the requesting SM.
///
/// Latency contract (idle system, times from send(now) to the advance_to() after which
/// pop_response() returns the response; Pc, Pl2, tCK: core, L2 and DRAM clock periods in integer
/// ps from period_of_mhz):
///  - L2 hit, one-sector read or one-sector write (ack): exactly l2.latency x Pc. The split:
///    request crossbar traversal noc.latency x Pl2 + one flit (32 / noc.bytes_per_clk_per_port L2
///    clocks), slice pipeline H = l2.latency x Pc - 2 x (noc.latency x Pl2 + flit), response
///    traversal noc.latency x Pl2 + one flit. Read requests and write acks are one flit; read
///    responses and write requests carry one flit per sector, so n sectors add (n - 1) flits.
///  - L2 miss served by DRAM: the L2-hit time + delta + the DRAM part, where the DRAM part is
///    (tRCD + tCL + burst_cycles) x tCK for an idle precharged bank, + tRP x tCK if another row
///    is open, and (tCL + burst_cycles) x tCK on a row hit, plus dram.controller_ns; delta in [0,
///    tCK) is the wait for the first DRAM command-clock edge at or after the request reaches the
///    controller, which happens floor(H / 2) after the L2 lookup, i.e. at send + noc.latency x Pl2
///    + flit + floor(H / 2). (Row hit and row miss issued with the same phase differ by exactly
///    (tRP + tRCD) x tCK.)
///  - with an LLC (llc.size_mb > 0): an LLC hit costs the L2-hit time + llc.latency x Pc, an LLC
///    miss adds llc.latency x Pc before the DRAM part.
///  - crossing dies (core.dies > 1) adds noc.cross_die_latency L2 clocks each way.
/// Under load, port serialisation, slice throughput, MSHR/queue stalls and DRAM scheduling add
/// to these. Each SM may have l1.mshrs + 128 requests in flight below L1 (end-to-end credits);
/// can_accept() is false when they are used or its crossbar port has 16 packets queued.
/// Internals: mem/address_map.hpp (slice hash, DRAM mapping), mem/dram_channel.hpp (DRAM timing
/// and scheduling), mem/l2_path.cpp (L2 and LLC policies).
class MemoryHierarchy {
 public:
  MemoryHierarchy(const config::GpuSpec& spec, stats::ActivityCounts& counts);
  ~MemoryHierarchy();

  /// Whether SM @p sm's injection port can take another request now.
  bool can_accept(uint16_t sm) const;
  /// Injects a request at time @p now (must be >= the last advance_to time).
  void send(const SectorRequest& req, Picoseconds now);
  /// Injects a read request (TMA multicast) whose response is delivered to each of the @p n
  /// (1..kMaxMulticast) destinations: the request, the L2 lookup and the slice's output port are
  /// one request's; the crossbar then carries a copy into each destination SM's port (each
  /// counted in noc.flit as it leaves the slice only once). @p req.sm is charged the credit until
  /// the last copy is delivered; @p req.id is unused. Same preconditions as send().
  void send_multicast(const SectorRequest& req, const Destination* dests, uint32_t n,
                      Picoseconds now);
  /// Processes every internal clock edge (L2/NoC, DRAM) up to and including @p now.
  void advance_to(Picoseconds now);
  /// Pops one response for SM @p sm that has arrived by the last advance_to time.
  bool pop_response(uint16_t sm, SectorRequest& out);
  /// SMs that have had a response become visible since the last call, in ascending order (each
  /// once); the list is cleared. Lets the caller poll only those SMs.
  const std::vector<uint16_t>& take_sms_with_responses();
  /// Earliest time something inside can change (Picoseconds::max() when empty): the engine
  /// skips to it when every SM is waiting on memory.
  Picoseconds next_event() const;
  bool idle() const;  ///< no request anywhere in flight
  /// Describes the oldest request in flight, for deadlock reports.
  std::string describe_oldest() const;
  void invalidate_all();  ///< flush caches (between independent runs, not between kernels)
  /// Compute die of SM @p sm (0 with one die): with l2.per_die, SM i sits on die i mod
  /// core.dies; otherwise the dies hold consecutive blocks of SMs.
  uint32_t die_of_sm(uint16_t sm) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace joulesim::mem
