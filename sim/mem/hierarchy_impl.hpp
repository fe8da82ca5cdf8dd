#pragma once
/// @file
/// MemoryHierarchy::Impl: the state below L1 and the event handlers that move requests through
/// it. memory_hierarchy.cpp holds the public API, the event loop and the crossbar; l2_path.cpp the
/// L2 slices, the LLC and the DRAM glue. Timing split: see memory.hpp.
#include <array>
#include <cstdint>
#include <limits>
#include <vector>

#include "mem/address_map.hpp"
#include "mem/dram_channel.hpp"
#include "mem/event_queue.hpp"
#include "mem/memory.hpp"
#include "mem/mshr_table.hpp"
#include "mem/sector_array.hpp"

namespace joulesim::mem {

/// Fixed parts of the timing, in picoseconds.
struct HierarchyTiming {
  int64_t core_ps = 0;  ///< core clock period
  int64_t l2_ps = 0;    ///< L2/NoC clock period
  int64_t dram_ps = 0;  ///< DRAM command clock period (tCK)
  int64_t flit_ps = 0;  ///< one 32 B flit through a crossbar port
  int64_t noc_ps = 0;   ///< crossbar traversal (noc.latency L2 clocks)
  int64_t cross_die_ps = 0;
  int64_t hit_ps = 0;         ///< slice pipeline of a hit: l2.latency - 2 x (noc + one flit)
  int64_t to_mc_ps = 0;       ///< miss: slice to memory controller (hit_ps / 2)
  int64_t from_mc_ps = 0;     ///< miss: data back to the slice's output port (hit_ps - to_mc_ps)
  int64_t sector_ps = 0;      ///< slice throughput: one sector per 32 / l2.bytes_per_clk L2 clocks
  int64_t llc_ps = 0;         ///< llc.latency core clocks
  int64_t llc_sector_ps = 0;  ///< LLC throughput per channel share of llc.bandwidth_gbs
  int64_t mc_ps = 0;          ///< dram.controller_ns: fixed extra latency of a DRAM read
  int64_t cross_sector_ps = 0;  ///< one sector over a memory die's links (noc.cross_die_gbs)
};

/// One SM request in flight below L1.
struct Rec {
  SectorRequest req;
  int64_t sent = 0;
  uint64_t l2_line = 0;
  uint8_t l2_mask = 0;
  uint8_t stage = 0;  ///< EventType last scheduled, for diagnostics
  bool used = false;
  uint16_t slice = 0;
  int32_t next = -1;   ///< free list / slice wait list
  int32_t mcast = -1;  ///< multicast group (index into Impl::mcast), -1: an ordinary request
};

/// Receivers of one multicast request and how many copies are still on their way.
struct McastGroup {
  std::array<Destination, kMaxMulticast> dest{};
  uint32_t n = 0, left = 0;
  int32_t next_free = -1;
};

struct Port {
  int64_t free = 0;  ///< time the port finishes its current packet
};

struct L2Slice {
  L2Slice(uint32_t sets, uint32_t assoc, uint64_t set_divisor, uint32_t mshrs, uint32_t waiters)
      : tags(sets, assoc, set_divisor), mshrs(mshrs, waiters) {}
  SectorArray tags;
  MshrTable mshrs;
  int64_t free = 0;         ///< pipeline busy until
  int32_t blocked = -1;     ///< record that could not proceed (-1: none)
  int32_t blocked_on = -1;  ///< DRAM channel it waits for (-1: an MSHR or an unpinned way)
  int32_t wait_head = -1;   ///< requests that arrived while blocked, oldest first
  int32_t wait_tail = -1;
  bool retry_scheduled = false;
};

struct LlcSlice {
  LlcSlice(uint32_t sets, uint32_t assoc, uint64_t set_divisor) : tags(sets, assoc, set_divisor) {}
  SectorArray tags;
  int64_t free = 0;
};

struct MemoryHierarchy::Impl {
  Impl(const config::GpuSpec& spec, stats::ActivityCounts& counts);

  // memory_hierarchy.cpp
  void dispatch(const Event& e);
  void schedule(int64_t t, EventType type, uint32_t a, uint32_t b = 0, uint64_t addr = 0);
  int64_t noc_latency(uint32_t sm, uint32_t slice) const;
  /// Reserves @p port for @p flits starting no earlier than @p t; returns the start time.
  int64_t reserve(Port& port, int64_t t, uint32_t flits);
  void respond(uint32_t rec, int64_t t);  ///< response leaves the slice pipeline at @p t
  void free_rec(uint32_t rec);
  /// Starts @p req through the crossbar at @p now_ps; @p group: its multicast group (or -1).
  void inject(const SectorRequest& req, int64_t now_ps, int32_t group);

  // l2_path.cpp
  void slice_lookup(uint32_t rec, int64_t t);
  /// Tries to serve @p rec in its slice at @p t; false: the slice is blocked on it.
  bool slice_process(uint32_t rec, int64_t t);
  void slice_retry(uint32_t slice, int64_t t);
  void wake_slices_on(uint32_t channel, int64_t t);
  /// Sends a line fetch or write-back of @p sectors to DRAM (via the LLC if any) using the
  /// already reserved slot @p slot of @p channel.
  void to_memory(uint32_t channel, int slot, uint64_t line, uint8_t sectors, bool write,
                 uint32_t slice, int64_t t);
  void llc_lookup(uint32_t channel, uint32_t slot, int64_t t);
  void dram_arrive(uint32_t channel, uint32_t slot, int64_t t);
  void dram_tick(uint32_t channel, int64_t t);
  /// Schedules a tick of @p channel at command cycle @p cycle (unless one is due earlier).
  void wake_dram(uint32_t channel, int64_t cycle);
  void find_next_dram_tick();
  void line_filled(uint32_t slice, uint64_t line, uint8_t sectors, int64_t t);
  /// L2 slice of @p line for SM @p sm (its own die's slices when l2.per_die).
  uint32_t slice_for(uint16_t sm, uint64_t line) const {
    const uint32_t s = map.slice_of(line);
    return slices_per_die == 0 ? s : sm_die[sm] * slices_per_die + s;
  }
  /// Time at which traffic of @p sectors sectors leaving at @p t between @p slice and @p channel
  /// reaches the other end: + noc.cross_die_latency and the sending memory die's link
  /// bandwidth when they are on different memory dies (noc.memory_dies); @p t otherwise.
  /// @p to_memory: the slice sends (its memory die's links carry the data), else the channel.
  int64_t cross_memory_dies(uint32_t slice, uint32_t channel, uint8_t sectors, bool to_memory,
                            int64_t t);

  config::GpuSpec spec;
  stats::ActivityCounts& counts;
  HierarchyTiming tm;
  AddressMap map;
  EventQueue events;
  int64_t now = 0;
  uint64_t dram_cycles_counted = 0;
  int64_t dram_refresh_floor = 0;  ///< no channel's next refresh is earlier (command clocks)

  std::vector<Rec> recs;
  std::vector<McastGroup> mcast;  ///< grows to the most multicast requests ever in flight
  int32_t free_mcast = -1;
  int32_t free_recs = -1;
  uint32_t recs_in_flight = 0;
  uint32_t credits_per_sm = 0;
  uint32_t ring_cap = 0;            ///< responses each SM's ring holds
  std::vector<uint32_t> in_flight;  ///< per SM
  std::vector<Port> sm_out, sm_in, slice_in, slice_out;
  std::vector<uint32_t> sm_die, slice_die;
  uint32_t slices_per_die = 0;  ///< l2.per_die: slices of one die's L2 (0: one shared L2)
  std::vector<uint32_t> slice_mdie, channel_mdie;  ///< memory die (noc.memory_dies > 0)
  std::vector<Port> mdie_link;                     ///< per memory die: its links to the others
  /// Per SM ring of visible responses.
  std::vector<SectorRequest> resp_ring;
  std::vector<uint32_t> resp_head, resp_count;
  uint64_t responses_waiting = 0;
  std::vector<uint16_t> sms_with_responses, sms_taken;  ///< see take_sms_with_responses()
  std::vector<uint8_t> sm_listed;

  std::vector<L2Slice> slices;
  uint32_t blocked_slices = 0;
  std::vector<LlcSlice> llc;
  std::vector<DramChannel> channels;
  std::vector<int64_t> dram_tick_at;    ///< pending tick cycle per channel (-1: none)
  std::vector<int64_t> dram_tick_ps;    ///< the same in ps (int64 max: none)
  std::vector<int64_t> dram_last_tick;  ///< last cycle ticked per channel
  /// Earliest pending channel tick: ticks are kept out of the event heap (they are the most
  /// frequent events) and merged with it in advance_to; on equal times heap events go first, so
  /// requests reaching a channel at a clock edge are queued before that edge's tick.
  int64_t dram_next_ps = std::numeric_limits<int64_t>::max();
  uint32_t dram_next_channel = 0;
  /// Bit per channel: its pending tick is at dram_next_ps. Channels share clock edges, so the
  /// next channel is usually found here without scanning them all.
  std::vector<uint64_t> dram_due;
  uint64_t dram_entries = 0;  ///< slots reserved or queued, all channels
  uint32_t l1_line_bytes = 128;
  uint32_t l2_line_bytes = 128;
};

}  // namespace joulesim::mem
