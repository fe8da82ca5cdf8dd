/// @file
/// The L2 slices, the optional LLC and the glue to the DRAM channels.
///
/// L2 slice: sectored, set-associative LRU, write-back with write-allocate at sector granularity
/// (a write validates and dirties its sectors without a fetch: requests carry no byte mask, so
/// writes are taken as whole-sector writes). A read miss allocates its line at once (pinned until
/// its fill arrives, so it is never the victim meanwhile) and fetches only its missing sectors;
/// requests for sectors already being fetched wait on the same MSHR (l2.mshrs_per_slice lines,
/// each with any number of sectors). A request that cannot proceed -- no MSHR, every way of its
/// set pinned, no DRAM queue slot for its fetch or its victim's write-back -- stalls the slice
/// pipeline (later requests queue behind it) until a fill or a freed DRAM slot lets it retry.
/// Throughput: each request occupies the pipeline for sectors x sector_bytes / l2.bytes_per_clk
/// L2 clocks.
///
/// LLC (llc.size_mb > 0): memory-side, one share per DRAM channel (16-way, assumed), with
/// llc.bandwidth_gbs split evenly over the channels. Reads that hit return llc.latency core
/// cycles after the lookup; misses continue to DRAM llc.latency later and fill the LLC on their
/// way back. It is write-through (assumed): write-backs update it and continue to DRAM.
#include <bit>
#include <limits>

#include "mem/hierarchy_impl.hpp"

namespace joulesim::mem {

void MemoryHierarchy::Impl::slice_lookup(uint32_t rec, int64_t t) {
  L2Slice& s = slices[recs[rec].slice];
  if (s.blocked >= 0) {
    recs[rec].next = -1;
    if (s.wait_tail >= 0) {
      recs[static_cast<size_t>(s.wait_tail)].next = static_cast<int32_t>(rec);
    } else {
      s.wait_head = static_cast<int32_t>(rec);
    }
    s.wait_tail = static_cast<int32_t>(rec);
    return;
  }
  const int64_t start = std::max(t, s.free);
  s.free = start + std::popcount(recs[rec].l2_mask) * tm.sector_ps;
  if (start == t) {
    slice_process(rec, t);
  } else {
    recs[rec].stage = static_cast<uint8_t>(EventType::kSliceProcess);
    schedule(start, EventType::kSliceProcess, rec);
  }
}

bool MemoryHierarchy::Impl::slice_process(uint32_t rec, int64_t t) {
  Rec& r = recs[rec];
  L2Slice& s = slices[r.slice];
  const uint64_t line = r.l2_line;
  const uint8_t mask = r.l2_mask;
  auto block = [&](int32_t on) {
    s.blocked = static_cast<int32_t>(rec);
    s.blocked_on = on;
    ++blocked_slices;
    r.stage = static_cast<uint8_t>(EventType::kSliceProcess);
    return false;
  };

  SectorArray::Line* l = s.tags.find(line, false);
  const uint8_t present = l != nullptr ? static_cast<uint8_t>(l->valid & mask) : 0;
  const auto missing = static_cast<uint8_t>(mask & ~present);
  uint8_t fetch = 0;
  if (!r.req.write) {
    if (missing == 0) {
      s.tags.find(line, true);
      counts[stats::Counter::kL2ReadHit] += static_cast<uint64_t>(std::popcount(present));
      respond(rec, t + tm.hit_ps);
      return true;
    }
    const uint8_t outstanding = s.mshrs.pending(line);
    fetch = static_cast<uint8_t>(missing & ~outstanding);
    if (s.mshrs.waiters_full() || (outstanding == 0 && s.mshrs.lines_full())) return block(-1);
  }

  // Resources, checked before anything changes: a way (and a write-back slot for its dirty
  // victim), then a read slot for the fetch.
  int victim_slot = -1;
  uint32_t victim_channel = 0;
  SectorArray::Line* v = nullptr;
  if (l == nullptr) {
    v = s.tags.victim_for(line);
    if (v == nullptr) return block(-1);
    if (v->valid != 0 && v->dirty != 0) {
      victim_channel = map.dram_of(v->tag).channel;
      victim_slot = channels[victim_channel].reserve(true);
      if (victim_slot < 0) return block(static_cast<int32_t>(victim_channel));
    }
  }
  int fetch_slot = -1;
  uint32_t fetch_channel = 0;
  if (fetch != 0) {
    fetch_channel = map.dram_of(line).channel;
    fetch_slot = channels[fetch_channel].reserve(false);
    if (fetch_slot < 0) {
      if (victim_slot >= 0) channels[victim_channel].release(victim_slot);
      return block(static_cast<int32_t>(fetch_channel));
    }
  }

  if (l == nullptr) {
    SectorArray::Victim gone;
    l = s.tags.allocate_at(v, line, gone);
    if (victim_slot >= 0) {
      to_memory(victim_channel, victim_slot, gone.line, gone.dirty, true, r.slice, t + tm.to_mc_ps);
    }
  } else {
    s.tags.find(line, true);
  }
  if (r.req.write) {
    const auto hit = static_cast<uint64_t>(std::popcount(present));
    counts[stats::Counter::kL2WriteHit] += hit;
    counts[stats::Counter::kL2WriteMiss] += static_cast<uint64_t>(std::popcount(mask)) - hit;
    l->valid |= mask;
    l->dirty |= mask;
    respond(rec, t + tm.hit_ps);
    return true;
  }
  counts[stats::Counter::kL2ReadHit] += static_cast<uint64_t>(std::popcount(present));
  counts[stats::Counter::kL2ReadMiss] += static_cast<uint64_t>(std::popcount(missing));
  s.mshrs.add(line, fetch, rec, missing);
  r.stage = static_cast<uint8_t>(EventType::kDramDone);
  if (fetch != 0) {
    l->pinned = true;
    to_memory(fetch_channel, fetch_slot, line, fetch, false, r.slice, t + tm.to_mc_ps);
  }
  return true;
}

void MemoryHierarchy::Impl::slice_retry(uint32_t slice, int64_t t) {
  L2Slice& s = slices[slice];
  s.retry_scheduled = false;
  if (s.blocked < 0) return;
  const auto rec = static_cast<uint32_t>(s.blocked);
  s.blocked = -1;
  --blocked_slices;
  if (!slice_process(rec, t)) return;
  // Requests that queued meanwhile re-enter the pipeline in order.
  int32_t next = s.wait_head;
  s.wait_head = s.wait_tail = -1;
  while (next >= 0) {
    const auto i = static_cast<uint32_t>(next);
    next = recs[i].next;
    recs[i].next = -1;
    const int64_t start = std::max(t, s.free);
    s.free = start + std::popcount(recs[i].l2_mask) * tm.sector_ps;
    recs[i].stage = static_cast<uint8_t>(EventType::kSliceProcess);
    schedule(start, EventType::kSliceProcess, i);
  }
}

void MemoryHierarchy::Impl::wake_slices_on(uint32_t channel, int64_t t) {
  if (blocked_slices == 0) return;
  for (uint32_t i = 0; i < slices.size(); ++i) {
    L2Slice& s = slices[i];
    if (s.blocked >= 0 && s.blocked_on == static_cast<int32_t>(channel) && !s.retry_scheduled) {
      s.retry_scheduled = true;
      schedule(t, EventType::kSliceRetry, i);
    }
  }
}

int64_t MemoryHierarchy::Impl::cross_memory_dies(uint32_t slice, uint32_t channel, uint8_t sectors,
                                                 bool to_memory, int64_t t) {
  if (channel_mdie.empty() || slice_mdie[slice] == channel_mdie[channel]) return t;
  Port& link = mdie_link[to_memory ? slice_mdie[slice] : channel_mdie[channel]];
  const int64_t start = std::max(t, link.free);
  link.free = start + std::popcount(sectors) * tm.cross_sector_ps;
  return link.free + tm.cross_die_ps;
}

void MemoryHierarchy::Impl::to_memory(uint32_t channel, int slot, uint64_t line, uint8_t sectors,
                                      bool write, uint32_t slice, int64_t t) {
  // A read request is one flit of no data: it crosses with the latency only.
  t = cross_memory_dies(slice, channel, write ? sectors : 0, true, t);
  DramEntry& e = channels[channel].entry(slot);
  const DramCoord c = map.dram_of(line);
  e.line = line;
  e.row = c.row;
  e.bank = static_cast<uint16_t>(c.bank);
  e.bank_group = static_cast<uint16_t>(c.bank_group);
  e.sectors = sectors;
  e.write = write;
  e.owner = slice;
  ++dram_entries;
  schedule(t, llc.empty() ? EventType::kDramArrive : EventType::kLlcLookup, channel,
           static_cast<uint32_t>(slot));
}

void MemoryHierarchy::Impl::llc_lookup(uint32_t channel, uint32_t slot, int64_t t) {
  LlcSlice& c = llc[channel];
  DramEntry& e = channels[channel].entry(static_cast<int>(slot));
  const int64_t start = std::max(t, c.free);
  c.free = start + std::popcount(e.sectors) * tm.llc_sector_ps;
  SectorArray::Line* l = c.tags.find(e.line, true);
  const uint8_t present = l != nullptr ? static_cast<uint8_t>(l->valid & e.sectors) : 0;
  counts[stats::Counter::kLlcHit] += static_cast<uint64_t>(std::popcount(present));
  counts[stats::Counter::kLlcMiss] +=
      static_cast<uint64_t>(std::popcount(static_cast<uint8_t>(e.sectors & ~present)));
  if (e.write) {
    SectorArray::Victim v;
    c.tags.allocate(e.line, v)->valid |= e.sectors;  // never pinned: always a way
    schedule(start, EventType::kDramArrive, channel, slot);
    return;
  }
  if (present == e.sectors) {
    schedule(cross_memory_dies(e.owner, channel, e.sectors, false, start + tm.llc_ps),
             EventType::kDramDone, e.owner, e.sectors, e.line);
    channels[channel].release(static_cast<int>(slot));
    --dram_entries;
    wake_slices_on(channel, t);
    return;
  }
  schedule(start + tm.llc_ps, EventType::kDramArrive, channel, slot);
}

void MemoryHierarchy::Impl::dram_arrive(uint32_t channel, uint32_t slot, int64_t t) {
  const int64_t cycle = (t + tm.dram_ps - 1) / tm.dram_ps;  // next command-clock edge
  channels[channel].arrive(static_cast<int>(slot), cycle);
  wake_dram(channel, cycle);
}

void MemoryHierarchy::Impl::wake_dram(uint32_t channel, int64_t cycle) {
  cycle = std::max(cycle, dram_last_tick[channel] + 1);  // one tick per command clock
  if (dram_tick_at[channel] >= 0 && dram_tick_at[channel] <= cycle) return;
  dram_tick_at[channel] = cycle;
  const int64_t t = cycle * tm.dram_ps;
  dram_tick_ps[channel] = t;
  if (t < dram_next_ps) {
    std::fill(dram_due.begin(), dram_due.end(), 0);
    dram_next_ps = t;
    dram_next_channel = channel;
  }
  if (t == dram_next_ps) {
    dram_due[channel / 64] |= uint64_t{1} << (channel % 64);
    dram_next_channel = std::min(dram_next_channel, channel);
  }
}

void MemoryHierarchy::Impl::find_next_dram_tick() {
  // Lowest channel still due at the same edge, else the earliest edge of any channel.
  for (size_t w = 0; w < dram_due.size(); ++w) {
    if (dram_due[w] != 0) {
      dram_next_channel = static_cast<uint32_t>(w * 64 + std::countr_zero(dram_due[w]));
      return;
    }
  }
  dram_next_ps = std::numeric_limits<int64_t>::max();
  for (uint32_t i = 0; i < dram_tick_ps.size(); ++i) {
    if (dram_tick_ps[i] < dram_next_ps) {
      dram_next_ps = dram_tick_ps[i];
      dram_next_channel = i;
    }
  }
  if (dram_next_ps == std::numeric_limits<int64_t>::max()) return;
  for (uint32_t i = dram_next_channel; i < dram_tick_ps.size(); ++i) {
    if (dram_tick_ps[i] == dram_next_ps) dram_due[i / 64] |= uint64_t{1} << (i % 64);
  }
}

void MemoryHierarchy::Impl::dram_tick(uint32_t channel, int64_t t) {
  const int64_t cycle = dram_tick_at[channel];
  dram_tick_at[channel] = -1;
  dram_tick_ps[channel] = std::numeric_limits<int64_t>::max();
  dram_due[channel / 64] &= ~(uint64_t{1} << (channel % 64));
  dram_last_tick[channel] = cycle;
  const DramChannel::TickResult res =
      channels[channel].tick(cycle, [&](const DramEntry& e, int64_t end_ps) {
        --dram_entries;
        if (e.write) return;
        if (!llc.empty()) {
          SectorArray::Victim v;
          llc[channel].tags.allocate(e.line, v)->valid |= e.sectors;
        }
        schedule(cross_memory_dies(e.owner, channel, e.sectors, false, end_ps + tm.mc_ps),
                 EventType::kDramDone, e.owner, e.sectors, e.line);
      });
  if (res.freed) wake_slices_on(channel, t);
  if (res.next_cycle >= 0) wake_dram(channel, res.next_cycle);
}

void MemoryHierarchy::Impl::line_filled(uint32_t slice, uint64_t line, uint8_t sectors, int64_t t) {
  L2Slice& s = slices[slice];
  SectorArray::Line* l = s.tags.find(line, false);
  if (l != nullptr) l->valid |= sectors;
  s.mshrs.fill(line, sectors, [&](uint32_t rec) { respond(rec, t + tm.from_mc_ps); });
  if (l != nullptr && !s.mshrs.has_entry(line)) l->pinned = false;
  if (s.blocked >= 0 && s.blocked_on < 0 && !s.retry_scheduled) {
    s.retry_scheduled = true;
    schedule(t, EventType::kSliceRetry, slice);
  }
}

}  // namespace joulesim::mem
