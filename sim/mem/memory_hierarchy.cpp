/// @file
/// MemoryHierarchy: public API, event loop and crossbar NoC. The L2/LLC/DRAM handlers are in
/// l2_path.cpp.
///
/// Crossbar: every SM and every L2 slice has one port in each direction. A packet of F 32 B flits
/// occupies a port for F x 32 / noc.bytes_per_clk_per_port L2 clocks; its head reaches the far
/// port noc.latency L2 clocks (plus noc.cross_die_latency between dies) after it starts, and it
/// is delivered when its tail has passed the far port (virtual cut-through). Read requests and
/// write acknowledgements are one flit, read responses and write requests one flit per sector.
#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <sstream>
#include <string>

#include "core/error.hpp"
#include "mem/hierarchy_impl.hpp"

namespace joulesim::mem {

namespace {
constexpr uint32_t kExtraCredits = 128;  // assumed: write credits beyond the L1's read MSHRs
constexpr uint32_t kInjectDepth = 16;    // assumed: packets an SM port may have queued

int64_t ps_of(double seconds) { return static_cast<int64_t>(std::llround(seconds * 1e12)); }

const char* stage_name(uint8_t s) {
  switch (static_cast<EventType>(s)) {
    case EventType::kReqAtSlicePort:
      return "crossbar (to L2)";
    case EventType::kSliceLookup:
    case EventType::kSliceProcess:
      return "L2 slice pipeline";
    case EventType::kSliceRespOut:
    case EventType::kRespAtSmPort:
      return "crossbar (to SM)";
    case EventType::kRespVisible:
      return "SM response port";
    default:
      return "L2 miss (LLC/DRAM)";
  }
}

uint32_t l2_sets(const config::L2Spec& l2) {
  const uint64_t per_set = uint64_t{l2.slices} * l2.line_bytes * l2.assoc;
  const uint64_t bytes = uint64_t{l2.size_kb} * 1024;
  if (per_set == 0 || bytes % per_set != 0 || bytes / per_set == 0) {
    throw ConfigError("l2.size_kb (" + std::to_string(l2.size_kb) +
                      ") must be a whole number of sets of l2.slices x l2.assoc x l2.line_bytes");
  }
  return static_cast<uint32_t>(bytes / per_set);
}
}  // namespace

namespace {
// With one L2 per die, the slice hash runs over one die's slices.
config::GpuSpec per_die_map_spec(config::GpuSpec s) {
  if (s.l2.per_die != 0) s.l2.slices /= std::max(1u, s.core.dies);
  return s;
}
}  // namespace

MemoryHierarchy::Impl::Impl(const config::GpuSpec& s, stats::ActivityCounts& c)
    : spec(s), counts(c), map(per_die_map_spec(s)), events(1 << 16) {
  const auto& l1 = s.l1;
  const auto& l2 = s.l2;
  if (s.core.sm_count == 0 || s.core.sm_count > 65535) {
    throw ConfigError("core.sm_count: must be 1..65535");
  }
  if (l2.sector_bytes != l1.sector_bytes || l2.sector_bytes == 0 ||
      l2.line_bytes % l2.sector_bytes != 0 || l2.line_bytes / l2.sector_bytes > 8 ||
      l1.line_bytes == 0 || l2.line_bytes % l1.line_bytes != 0) {
    throw ConfigError(
        "l2.line_bytes / l2.sector_bytes: need l1.sector_bytes == l2.sector_bytes, "
        "1..8 sectors per L2 line and l2.line_bytes a multiple of l1.line_bytes");
  }
  if (s.noc.bytes_per_clk_per_port == 0 || l2.bytes_per_clk_per_slice == 0 ||
      l2.mshrs_per_slice == 0) {
    throw ConfigError(
        "noc.bytes_per_clk_per_port, l2.bytes_per_clk and l2.mshrs_per_slice "
        "must be > 0");
  }
  l1_line_bytes = l1.line_bytes;
  l2_line_bytes = l2.line_bytes;

  tm.core_ps = period_of_mhz(s.core_mhz()).value;
  tm.l2_ps = period_of_mhz(s.clocks.l2_mhz).value;
  tm.dram_ps = period_of_mhz(s.clocks.dram_mhz).value;
  tm.flit_ps = std::llround(32.0 * tm.l2_ps / s.noc.bytes_per_clk_per_port);
  tm.noc_ps = int64_t{s.noc.latency} * tm.l2_ps;
  tm.cross_die_ps = int64_t{s.noc.cross_die_latency} * tm.l2_ps;
  tm.hit_ps = int64_t{l2.latency} * tm.core_ps - 2 * (tm.noc_ps + tm.flit_ps);
  if (tm.hit_ps < 0) {
    throw ConfigError("l2.latency (" + std::to_string(l2.latency) +
                      " core cycles) is shorter than two crossbar traversals (noc.latency " +
                      std::to_string(s.noc.latency) + " L2 cycles each way plus one flit)");
  }
  tm.to_mc_ps = tm.hit_ps / 2;
  tm.from_mc_ps = tm.hit_ps - tm.to_mc_ps;
  tm.mc_ps = std::llround(s.dram.controller_ns * 1000.0);
  tm.sector_ps = std::llround(double(l2.sector_bytes) * tm.l2_ps / l2.bytes_per_clk_per_slice);

  const uint32_t sms = s.core.sm_count;
  credits_per_sm = l1.mshrs + kExtraCredits;
  recs.resize(size_t{sms} * credits_per_sm);
  for (size_t i = 0; i < recs.size(); ++i) {
    recs[i].next = i + 1 < recs.size() ? static_cast<int32_t>(i + 1) : -1;
  }
  free_recs = 0;
  in_flight.assign(sms, 0);
  sm_out.resize(sms);
  sm_in.resize(sms);
  // Room for a full window of an SM's own responses plus multicast copies other SMs requested
  // (an SM pops its responses every core cycle, so the ring never holds more than a few).
  ring_cap = 2 * credits_per_sm;
  resp_ring.resize(size_t{sms} * ring_cap);
  resp_head.assign(sms, 0);
  resp_count.assign(sms, 0);
  sm_listed.assign(sms, 0);
  sms_with_responses.reserve(sms);
  sms_taken.reserve(sms);
  const uint32_t dies = std::max(1u, s.core.dies);
  if (l2.per_die != 0) {
    // SM i sits on die i mod dies: the dispatcher's round robin over SMs then deals consecutive
    // workgroups to consecutive dies, as MI300X deals workgroups round-robin over its XCDs.
    slices_per_die = l2.slices / dies;
    for (uint32_t i = 0; i < sms; ++i) sm_die.push_back(i % dies);
  } else {
    for (uint32_t i = 0; i < sms; ++i) sm_die.push_back(i * dies / sms);
  }

  const uint32_t sets = l2_sets(l2);
  slices.reserve(l2.slices);
  for (uint32_t i = 0; i < l2.slices; ++i) {
    slices.emplace_back(sets, l2.assoc, map.slice_divisor(), l2.mshrs_per_slice,
                        4 * l2.mshrs_per_slice);
    slice_die.push_back(i * dies / l2.slices);
  }
  slice_in.resize(l2.slices);
  slice_out.resize(l2.slices);
  if (s.noc.memory_dies > 0) {
    const uint32_t md = s.noc.memory_dies;
    for (uint32_t i = 0; i < l2.slices; ++i) slice_mdie.push_back(slice_die[i] * md / dies);
    for (uint32_t i = 0; i < s.dram.channels; ++i) channel_mdie.push_back(i * md / s.dram.channels);
    mdie_link.resize(md);
    if (s.noc.cross_die_gbs > 0)
      tm.cross_sector_ps = ps_of(l2.sector_bytes / (s.noc.cross_die_gbs * 1e9));
  }

  const uint32_t chans = s.dram.channels;
  channels.reserve(chans);
  for (uint32_t i = 0; i < chans; ++i) {
    channels.emplace_back(s.dram, tm.dram_ps, i, l2.line_bytes, l2.sector_bytes, counts);
  }
  dram_tick_at.assign(chans, -1);
  dram_tick_ps.assign(chans, std::numeric_limits<int64_t>::max());
  dram_last_tick.assign(chans, -1);
  dram_due.assign((chans + 63) / 64, 0);

  if (s.llc.size_mb > 0) {
    if (s.llc.bandwidth_gbs <= 0) throw ConfigError("llc.bandwidth_gbs: must be > 0 with an LLC");
    constexpr uint32_t kLlcAssoc = 16;  // assumed: typical for a memory-side cache
    const uint64_t per_channel = uint64_t{s.llc.size_mb} * 1024 * 1024 / chans;
    const auto sets_llc =
        static_cast<uint32_t>(std::max<uint64_t>(1, per_channel / (l2.line_bytes * kLlcAssoc)));
    for (uint32_t i = 0; i < chans; ++i) llc.emplace_back(sets_llc, kLlcAssoc, chans);
    tm.llc_ps = int64_t{s.llc.latency} * tm.core_ps;
    tm.llc_sector_ps = ps_of(l2.sector_bytes / (s.llc.bandwidth_gbs * 1e9 / chans));
  }
}

void MemoryHierarchy::Impl::schedule(int64_t t, EventType type, uint32_t a, uint32_t b,
                                     uint64_t addr) {
  events.push(t, type, a, b, addr);
}

int64_t MemoryHierarchy::Impl::noc_latency(uint32_t sm, uint32_t slice) const {
  return tm.noc_ps + (sm_die[sm] != slice_die[slice] ? tm.cross_die_ps : 0);
}

int64_t MemoryHierarchy::Impl::reserve(Port& port, int64_t t, uint32_t flits) {
  const int64_t start = std::max(t, port.free);
  port.free = start + int64_t{flits} * tm.flit_ps;
  return start;
}

void MemoryHierarchy::Impl::respond(uint32_t rec, int64_t t) {
  recs[rec].stage = static_cast<uint8_t>(EventType::kSliceRespOut);
  schedule(t, EventType::kSliceRespOut, rec);
}

void MemoryHierarchy::Impl::free_rec(uint32_t rec) {
  Rec& r = recs[rec];
  r.used = false;
  r.next = free_recs;
  free_recs = static_cast<int32_t>(rec);
  --recs_in_flight;
  --in_flight[r.req.sm];
}

static uint32_t resp_flits(const SectorRequest& q) {
  return q.write ? 1u : static_cast<uint32_t>(std::popcount(q.sector_mask));
}

void MemoryHierarchy::Impl::dispatch(const Event& e) {
  const int64_t t = e.time;
  switch (e.type) {
    case EventType::kReqAtSlicePort: {
      Rec& r = recs[e.a];
      const uint32_t flits =
          r.req.write ? static_cast<uint32_t>(std::popcount(r.req.sector_mask)) : 1u;
      const int64_t start = reserve(slice_in[r.slice], t, flits);
      r.stage = static_cast<uint8_t>(EventType::kSliceLookup);
      schedule(start + flits * tm.flit_ps, EventType::kSliceLookup, e.a);
      break;
    }
    case EventType::kSliceLookup:
      slice_lookup(e.a, t);
      break;
    case EventType::kSliceProcess: {
      L2Slice& s = slices[recs[e.a].slice];
      if (s.blocked >= 0) {
        // Stalled meanwhile: wait behind the blocked request.
        recs[e.a].next = -1;
        if (s.wait_tail >= 0)
          recs[static_cast<size_t>(s.wait_tail)].next = static_cast<int32_t>(e.a);
        else
          s.wait_head = static_cast<int32_t>(e.a);
        s.wait_tail = static_cast<int32_t>(e.a);
      } else {
        slice_process(e.a, t);
      }
      break;
    }
    case EventType::kSliceRespOut: {
      // A multicast response leaves the slice once and is copied to each destination's port.
      Rec& r = recs[e.a];
      const uint32_t flits = resp_flits(r.req);
      counts[stats::Counter::kNocFlit] += flits;
      const int64_t start = reserve(slice_out[r.slice], t, flits);
      r.stage = static_cast<uint8_t>(EventType::kRespAtSmPort);
      if (r.mcast < 0) {
        schedule(start + noc_latency(r.req.sm, r.slice), EventType::kRespAtSmPort, e.a);
      } else {
        const McastGroup& g = mcast[static_cast<size_t>(r.mcast)];
        for (uint32_t d = 0; d < g.n; ++d)
          schedule(start + noc_latency(g.dest[d].sm, r.slice), EventType::kRespAtSmPort, e.a, d);
      }
      break;
    }
    case EventType::kRespAtSmPort: {
      Rec& r = recs[e.a];
      const uint32_t flits = resp_flits(r.req);
      const uint16_t sm = r.mcast < 0 ? r.req.sm : mcast[static_cast<size_t>(r.mcast)].dest[e.b].sm;
      const int64_t start = reserve(sm_in[sm], t, flits);
      r.stage = static_cast<uint8_t>(EventType::kRespVisible);
      schedule(start + flits * tm.flit_ps, EventType::kRespVisible, e.a, e.b);
      break;
    }
    case EventType::kRespVisible: {
      Rec& r = recs[e.a];
      SectorRequest resp = r.req;
      McastGroup* g = r.mcast < 0 ? nullptr : &mcast[static_cast<size_t>(r.mcast)];
      if (g != nullptr) resp.sm = g->dest[e.b].sm, resp.id = g->dest[e.b].id;
      const uint16_t sm = resp.sm;
      if (resp_count[sm] == ring_cap) {
        throw Error("memory: more than " + std::to_string(ring_cap) + " responses waiting for SM " +
                    std::to_string(sm) + " (it must pop them every core cycle)");
      }
      const size_t pos = (resp_head[sm] + resp_count[sm]) % ring_cap;
      resp_ring[size_t{sm} * ring_cap + pos] = resp;
      ++resp_count[sm];
      ++responses_waiting;
      if (!sm_listed[sm]) {
        sm_listed[sm] = 1;
        sms_with_responses.push_back(sm);
      }
      if (g != nullptr) {
        if (--g->left > 0) break;
        g->next_free = free_mcast;
        free_mcast = r.mcast;
        r.mcast = -1;
      }
      free_rec(e.a);
      break;
    }
    case EventType::kSliceRetry:
      slice_retry(e.a, t);
      break;
    case EventType::kLlcLookup:
      llc_lookup(e.a, e.b, t);
      break;
    case EventType::kDramArrive:
      dram_arrive(e.a, e.b, t);
      break;
    case EventType::kDramDone:
      line_filled(e.a, e.addr, static_cast<uint8_t>(e.b), t);
      break;
  }
}

MemoryHierarchy::MemoryHierarchy(const config::GpuSpec& spec, stats::ActivityCounts& counts)
    : impl_(std::make_unique<Impl>(spec, counts)) {}
MemoryHierarchy::~MemoryHierarchy() = default;

bool MemoryHierarchy::can_accept(uint16_t sm) const {
  const Impl& m = *impl_;
  if (sm >= m.in_flight.size()) return false;
  return m.in_flight[sm] < m.credits_per_sm &&
         m.sm_out[sm].free <= m.now + int64_t{kInjectDepth} * m.tm.flit_ps;
}

void MemoryHierarchy::send(const SectorRequest& req, Picoseconds now) {
  impl_->inject(req, now.value, -1);
}

void MemoryHierarchy::send_multicast(const SectorRequest& req, const Destination* dests, uint32_t n,
                                     Picoseconds now) {
  Impl& m = *impl_;
  if (n == 0 || n > kMaxMulticast || req.write) {
    throw Error("multicast request from SM " + std::to_string(req.sm) + ": " +
                (req.write ? "writes cannot be multicast"
                           : std::to_string(n) + " destinations (1 to " +
                                 std::to_string(kMaxMulticast) + " allowed)"));
  }
  for (uint32_t d = 0; d < n; ++d) {
    if (dests[d].sm >= m.in_flight.size())
      throw Error("multicast destination SM " + std::to_string(dests[d].sm) + " does not exist");
  }
  if (m.free_mcast < 0) {
    m.mcast.emplace_back();
    m.free_mcast = static_cast<int32_t>(m.mcast.size() - 1);
  }
  const int32_t gi = m.free_mcast;
  McastGroup& g = m.mcast[static_cast<size_t>(gi)];
  m.free_mcast = g.next_free;
  std::copy(dests, dests + n, g.dest.begin());
  g.n = g.left = n;
  m.inject(req, now.value, gi);
}

void MemoryHierarchy::Impl::inject(const SectorRequest& req, int64_t now_ps, int32_t group) {
  Impl& m = *this;
  const Picoseconds now{now_ps};
  if (req.sm >= m.in_flight.size()) {
    throw Error("memory request from SM " + std::to_string(req.sm) + " but the GPU has " +
                std::to_string(m.in_flight.size()) + " SMs");
  }
  if (req.sector_mask == 0 || m.free_recs < 0 || m.in_flight[req.sm] >= m.credits_per_sm) {
    throw Error("memory request from SM " + std::to_string(req.sm) +
                (req.sector_mask == 0 ? " has no sectors" : " sent while can_accept() is false"));
  }
  const int64_t t = std::max(now.value, m.now);
  const auto idx = static_cast<uint32_t>(m.free_recs);
  Rec& r = m.recs[idx];
  m.free_recs = r.next;
  r.req = req;
  r.sent = t;
  r.used = true;
  r.next = -1;
  r.mcast = group;
  r.l2_line = req.line_addr / m.l2_line_bytes;
  const auto shift =
      static_cast<uint32_t>((req.line_addr % m.l2_line_bytes) / m.spec.l2.sector_bytes);
  r.l2_mask = static_cast<uint8_t>(req.sector_mask << shift);
  r.slice = static_cast<uint16_t>(m.slice_for(req.sm, r.l2_line));
  r.stage = static_cast<uint8_t>(EventType::kReqAtSlicePort);
  ++m.recs_in_flight;
  ++m.in_flight[req.sm];
  const uint32_t flits = req.write ? static_cast<uint32_t>(std::popcount(req.sector_mask)) : 1u;
  m.counts[stats::Counter::kNocFlit] += flits;
  const int64_t start = m.reserve(m.sm_out[req.sm], t, flits);
  m.schedule(start + m.noc_latency(req.sm, r.slice), EventType::kReqAtSlicePort, idx);
}

void MemoryHierarchy::advance_to(Picoseconds now) {
  Impl& m = *impl_;
  for (;;) {
    const int64_t heap_t =
        m.events.empty() ? std::numeric_limits<int64_t>::max() : m.events.top_time();
    if (heap_t <= m.dram_next_ps) {
      if (heap_t > now.value) break;
      const Event e = m.events.pop();
      m.now = std::max(m.now, e.time);
      m.dispatch(e);
    } else {
      if (m.dram_next_ps > now.value) break;
      m.now = std::max(m.now, m.dram_next_ps);
      m.dram_tick(m.dram_next_channel, m.dram_next_ps);
      m.find_next_dram_tick();
    }
  }
  m.now = std::max(m.now, now.value);
  const auto cycles = static_cast<uint64_t>(m.now / m.tm.dram_ps);
  if (cycles > m.dram_cycles_counted) {
    m.counts[stats::Counter::kDramCycles] += cycles - m.dram_cycles_counted;
    m.dram_cycles_counted = cycles;
    // Idle channels refresh without being ticked; keep their refresh count current. No channel
    // has a refresh due before the earliest next_refresh() of the last pass (it only grows).
    if (static_cast<int64_t>(cycles) >= m.dram_refresh_floor) {
      int64_t floor = std::numeric_limits<int64_t>::max();
      for (size_t i = 0; i < m.channels.size(); ++i) {
        if (m.dram_tick_at[i] < 0 && !m.channels[i].has_queued()) {
          m.channels[i].refresh_until(static_cast<int64_t>(cycles));
        }
        floor = std::min(floor, m.channels[i].next_refresh());
      }
      m.dram_refresh_floor = floor;
    }
  }
}

bool MemoryHierarchy::pop_response(uint16_t sm, SectorRequest& out) {
  Impl& m = *impl_;
  if (sm >= m.resp_count.size() || m.resp_count[sm] == 0) return false;
  out = m.resp_ring[size_t{sm} * m.ring_cap + m.resp_head[sm]];
  m.resp_head[sm] = (m.resp_head[sm] + 1) % m.ring_cap;
  --m.resp_count[sm];
  --m.responses_waiting;
  return true;
}

const std::vector<uint16_t>& MemoryHierarchy::take_sms_with_responses() {
  Impl& m = *impl_;
  m.sms_taken.swap(m.sms_with_responses);
  m.sms_with_responses.clear();
  std::sort(m.sms_taken.begin(), m.sms_taken.end());
  for (uint16_t sm : m.sms_taken) m.sm_listed[sm] = 0;
  return m.sms_taken;
}

Picoseconds MemoryHierarchy::next_event() const {
  const Impl& m = *impl_;
  const int64_t heap_t =
      m.events.empty() ? std::numeric_limits<int64_t>::max() : m.events.top_time();
  return Picoseconds{std::min(heap_t, m.dram_next_ps)};
}

uint32_t MemoryHierarchy::die_of_sm(uint16_t sm) const { return impl_->sm_die[sm]; }

bool MemoryHierarchy::idle() const {
  const Impl& m = *impl_;
  return m.recs_in_flight == 0 && m.dram_entries == 0 && m.responses_waiting == 0;
}

std::string MemoryHierarchy::describe_oldest() const {
  const Impl& m = *impl_;
  const Rec* oldest = nullptr;
  for (const Rec& r : m.recs) {
    if (r.used && (oldest == nullptr || r.sent < oldest->sent)) oldest = &r;
  }
  std::ostringstream os;
  if (oldest != nullptr) {
    os << (oldest->req.write ? "write" : "read") << " from SM " << oldest->req.sm << " (id "
       << oldest->req.id << ") to line 0x" << std::hex << oldest->req.line_addr << " sectors 0x"
       << unsigned{oldest->req.sector_mask} << std::dec << ", sent at " << oldest->sent
       << " ps, L2 slice " << oldest->slice << ", waiting in " << stage_name(oldest->stage);
    return os.str();
  }
  for (size_t i = 0; i < m.channels.size(); ++i) {
    if (m.channels[i].has_queued()) {
      os << "DRAM channel " << i << " still holds line 0x" << std::hex
         << m.channels[i].oldest_line() * m.l2_line_bytes;
      return os.str();
    }
  }
  return "no memory request in flight";
}

void MemoryHierarchy::invalidate_all() {
  // Lines with a fill outstanding stay; everything else is dropped (not written back: this
  // separates independent runs).
  for (L2Slice& s : impl_->slices) s.tags.flush([](uint64_t, uint8_t) {});
  for (LlcSlice& s : impl_->llc) s.tags.flush([](uint64_t, uint8_t) {});
}

}  // namespace joulesim::mem
