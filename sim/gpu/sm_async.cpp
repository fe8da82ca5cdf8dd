// SM: asynchronous copies into shared memory and the mbarriers that signal them.
//
// mbarrier (PTX mbarrier.*; SASS SYNCS.*): an object in shared memory with an arrival count and a
// transaction-byte count. SYNCS.EXCH.64 [addr], count (mbarrier.init; the count is the
// instruction's immediate) arms it; SYNCS.ARRIVE.TRANS64 [addr], tx (mbarrier.arrive.expect_tx)
// counts one arrival and expects tx more bytes; each landed line of a bulk copy that names the
// barrier takes its bytes off (complete_tx). When both reach zero the phase completes: the phase
// count advances, the arrivals re-arm and the CTA's warps wake. SYNCS.PHASECHK.TRANS64.TRYWAIT
// [addr], parity (mbarrier.try_wait.parity, modelled as blocking) waits while the current phase's
// parity equals the immediate, i.e. until the phase with that parity has completed. A barrier
// that was never initialised in the trace has no semantics (captured traces do not carry the
// counts): arrivals are ignored and waits pass.
//
// TMA bulk tensor copy (UTMALDG.2D, cp.async.bulk.tensor.2d.shared::cluster.global.mbarrier;
// UBLKCP for cp.async.bulk): issued by one thread; it does not touch registers or the L1. The
// trace gives the copy's box in its lane addresses -- lane 0 the global address of the first
// byte, lane 1 the row pitch in bytes, lane 2 the shared-memory destination, lane 3 the mbarrier
// -- and rows << 16 | bytes per row in the immediate. The SM's TMA unit turns the box into line
// requests (one line per core cycle, assumed) sent straight to the crossbar behind the L1's
// misses, sharing the SM's port credits; every landed line completes its bytes on the mbarrier.
// A copy with fewer than four lanes (a captured trace) is treated as an ordinary global load.
// UTMALDG.2D.MULTICAST (.multicast::cluster) has a fifth lane: the CTA mask, bit r for cluster
// rank r. Each line is requested once (one L2 read, one trip out of the slice) and delivered into
// the shared memory of every CTA in the mask, at the same offsets, completing bytes on the
// mbarrier at the same offset in each (PTX ISA, cp.async.bulk.tensor: "multicast"). The SM that
// requested the line holds its crossbar credit until every copy has landed.
//
// Remote arrive (SYNCS.ARRIVE.TRANS64.RED, mbarrier.arrive.shared::cluster): each active lane
// names one barrier by its shared::cluster address, the target CTA's rank in bits 24..27 above
// the shared window (kClusterRankShift). Its own CTA's barrier is signalled at once; another
// CTA's after noc.sm_to_sm_latency, over the GPC's SM-to-SM network (the engine delivers it).
//
// cp.async (LDGSTS): an ordinary global load without a destination register (sm_memory.cpp);
// .BYPASS (cp.async.cg) does not allocate in L1 and therefore takes no L1 MSHR. LDGDEPBAR closes
// the warp's open group; DEPBAR.LE SB0, N waits until at most N committed groups are pending.
// ARRIVES.LDGSTSBAR.64 [addr] (cp.async.mbarrier.arrive.noinc) closes the open group too and
// arrives once on the mbarrier when that group and every older one have landed (one arrival per
// warp instruction; .noinc: the arrival is one of those the barrier was initialised to expect).
#include <algorithm>
#include <bit>
#include <sstream>

#include "core/error.hpp"
#include "gpu/sm.hpp"

namespace joulesim::gpu {

namespace {
constexpr uint32_t kBypass = 0x80000000u;

uint32_t mbar_index(uint64_t addr) { return static_cast<uint32_t>((addr >> 3) % kMbarriers); }

void complete_phase_if_done(Mbarrier& m, bool& completed) {
  completed = false;
  if (m.expected == 0 || m.pending != 0 || m.tx != 0) return;
  ++m.phases;
  m.pending = m.expected;
  completed = true;
}
}  // namespace

Mbarrier& Sm::mbarrier(CtaSlot& cta, uint64_t addr) {
  Mbarrier& m = cta.mbar[mbar_index(addr)];
  if (m.expected != 0 && m.addr != addr) {
    std::ostringstream os;
    os << "kernel '" << kernel_->name << "': mbarriers at shared addresses 0x" << std::hex << m.addr
       << " and 0x" << addr << " are both live in one CTA; the model tracks at most " << std::dec
       << kMbarriers << " per CTA at distinct (address / 8) mod " << kMbarriers;
    throw Error(os.str());
  }
  if (m.expected == 0) m.addr = addr;
  return m;
}

void Sm::mbar_init(Warp& w, const trace::Instruction& inst, uint64_t addr) {
  CtaSlot& cta = ctas_[w.cta_slot];
  Mbarrier& m = cta.mbar[mbar_index(addr)];
  if (m.expected != 0 && m.addr != addr) mbarrier(cta, addr);  // throws: two live barriers
  m = Mbarrier{};
  m.addr = addr;
  m.expected = m.pending = std::max<uint32_t>(1, inst.immediate);
}

void Sm::mbar_arrive(CtaSlot& cta, Mbarrier& m, uint32_t arrivals, int64_t tx, int64_t now) {
  if (m.expected == 0) return;
  m.tx += tx;
  m.pending -= std::min(m.pending, arrivals);
  bool completed = false;
  complete_phase_if_done(m, completed);
  if (!completed) return;
  for (uint16_t slot : cta.warp_slots) {
    if (warps_[slot].state == Warp::State::kActive) wake_warp(slot, now + 1);
  }
}

bool Sm::mbar_blocked(const Warp& w) const {
  const trace::Instruction& inst = stat(*w.next);
  if (inst.mem_width == 0 || w.next->lanes() == 0) return false;
  const uint64_t addr = first_address(w, *w.next);
  const Mbarrier& m = ctas_[w.cta_slot].mbar[mbar_index(addr)];
  if (m.expected == 0 || m.addr != addr) return false;  // never initialised: no semantics
  return (m.phases & 1u) == (inst.immediate & 1u);
}

void Sm::set_cluster(uint16_t slot, uint32_t rank, const std::vector<ClusterPeer>& peers) {
  CtaSlot& cta = ctas_[slot];
  cta.cluster_rank = static_cast<uint8_t>(rank);
  cta.cluster_size = static_cast<uint8_t>(peers.size());
  std::copy(peers.begin(), peers.end(), cta.peers.begin());
}

void Sm::issue_mbar_arrive(Warp& w, const trace::Instruction& inst, const OpTiming& t,
                           const uint64_t* addrs, int lanes, int64_t now) {
  CtaSlot& cta = ctas_[w.cta_slot];
  if (!t.remote) {
    mbar_arrive(cta, mbarrier(cta, addrs[0]), 1, inst.immediate, now);
    return;
  }
  for (int l = 0; l < lanes; ++l) {
    const uint64_t off = addrs[l] - kernel_->shmem_base;
    const auto rank = static_cast<uint32_t>(off >> kClusterRankShift);
    const uint64_t local = addrs[l] - (uint64_t{rank} << kClusterRankShift);
    if (addrs[l] < kernel_->shmem_base || rank >= cta.cluster_size) {
      std::ostringstream os;
      os << "kernel '" << kernel_->name << "': remote mbarrier arrive to shared::cluster address 0x"
         << std::hex << addrs[l] << std::dec << " names cluster rank " << rank
         << ", but the CTA's cluster has " << unsigned{cta.cluster_size}
         << " CTA(s) (rank r's shared memory starts r << " << kClusterRankShift
         << " bytes above the shared window)";
      throw Error(os.str());
    }
    if (rank == cta.cluster_rank) {
      mbar_arrive(cta, mbarrier(cta, local), 1, inst.immediate, now);
      continue;
    }
    const ClusterPeer& p = cta.peers[rank];
    RemoteSignal sig;
    sig.at = now + spec_.noc.sm_to_sm_latency;
    sig.sm = p.sm;
    sig.slot = p.slot;
    sig.gen = p.gen;
    sig.addr = local;
    signals_->post(sig);
  }
}

void Sm::remote_arrive(const RemoteSignal& s, int64_t now) {
  CtaSlot& cta = ctas_[s.slot];
  if (!cta.busy || cta.gen != s.gen) {
    throw Error("kernel '" + kernel_->name + "': remote mbarrier arrive reached SM " +
                std::to_string(id_) +
                " after the target CTA of the cluster had exited (a cluster's CTAs must not exit "
                "while others may still signal them)");
  }
  mbar_arrive(cta, mbarrier(cta, s.addr), 1, 0, now);
  progressed_ = true;
}

void Sm::issue_bulk_copy(Warp& w, uint16_t slot, const trace::Instruction& inst,
                         const uint64_t* addrs, int lanes, const OpTiming& t, int64_t now) {
  if (lanes < 4 || inst.mem_width == 0) {
    issue_global(w, slot, inst, addrs, lanes, t, now);  // no box in the trace: an ordinary load
    return;
  }
  const uint64_t* a = addrs;
  BulkJob j;
  j.global = a[0];
  j.pitch = a[1];
  j.rows = inst.immediate >> 16;
  j.row_bytes = inst.immediate & 0xFFFFu;
  const uint32_t sector = spec_.l1.sector_bytes;
  if (j.rows == 0 || j.row_bytes == 0) return;
  if (j.global % sector != 0 || j.row_bytes % sector != 0 || (j.rows > 1 && j.pitch % sector)) {
    throw Error("kernel '" + kernel_->name + "': bulk copy box (global 0x" +
                std::to_string(j.global) + ", pitch " + std::to_string(j.pitch) + ", " +
                std::to_string(j.row_bytes) + " bytes per row) is not " + std::to_string(sector) +
                "-byte aligned; the model moves whole sectors");
  }
  CtaSlot& cta = ctas_[w.cta_slot];
  mbarrier(cta, a[3]);  // checks that the barrier's slot is its own
  j.cta_slot = w.cta_slot;
  j.mbar = static_cast<uint8_t>(mbar_index(a[3]));
  j.id = kBypass | kBulkBit | (uint32_t{w.cta_slot} << 8) | j.mbar;
  if (t.multicast && lanes >= 5) {
    const uint64_t all = (uint64_t{1} << cta.cluster_size) - 1;
    if (a[4] == 0 || (a[4] & ~all) != 0) {
      throw Error("kernel '" + kernel_->name + "': multicast bulk copy CTA mask 0x" +
                  std::to_string(a[4]) + " names ranks outside the CTA's cluster of " +
                  std::to_string(cta.cluster_size) + " (or none)");
    }
    j.mcast = static_cast<uint16_t>(a[4]);
  }
  bulk_.push(j);
}

bool Sm::bulk_step(Picoseconds now_ps) {
  if (!mem_.can_accept(id_)) return false;
  BulkJob& j = bulk_.front();
  const uint64_t line = spec_.l1.line_bytes, sector = spec_.l1.sector_bytes;
  const uint64_t addr = j.global + uint64_t{j.row} * j.pitch + j.offset;
  const uint64_t line_addr = addr / line * line;
  const uint64_t end = std::min<uint64_t>(line_addr + line, addr + (j.row_bytes - j.offset));
  mem::SectorRequest r;
  r.line_addr = line_addr;
  for (uint64_t s = (addr - line_addr) / sector; s * sector < end - line_addr; ++s)
    r.sector_mask = static_cast<uint8_t>(r.sector_mask | (1u << s));
  r.sm = id_;
  r.id = j.id;
  const CtaSlot& cta = ctas_[j.cta_slot];
  if (j.mcast == 0) {
    mem_.send(r, now_ps);
    ++inflight_;
    ++ctas_[j.cta_slot].bulk_out;
  } else {
    // One request; a copy of the response for each CTA in the mask. Only this CTA's own copy
    // counts in this SM's in-flight work.
    std::array<mem::Destination, trace::kMaxClusterCtas> dest{};
    uint32_t n = 0;
    for (uint32_t rank = 0; rank < cta.cluster_size; ++rank) {
      if (!(j.mcast >> rank & 1u)) continue;
      const ClusterPeer& p = cta.peers[rank];
      const bool own = rank == cta.cluster_rank;
      dest[n++] = {p.sm,
                   kBypass | kBulkBit | (own ? 0u : kPeerBit) | (uint32_t{p.slot} << 8) | j.mbar};
      if (own) ++inflight_, ++ctas_[j.cta_slot].bulk_out;
    }
    mem_.send_multicast(r, dest.data(), n, now_ps);
  }
  j.offset += static_cast<uint32_t>(end - addr);
  if (j.offset == j.row_bytes) {
    j.offset = 0;
    if (++j.row == j.rows) bulk_.pop();
  }
  return true;
}

void Sm::bulk_landed(const mem::SectorRequest& resp, int64_t now) {
  CtaSlot& cta = ctas_[(resp.id >> 8) & 0xFFu];
  const auto bytes = static_cast<int64_t>(std::popcount(resp.sector_mask)) * spec_.l1.sector_bytes;
  // Written into shared memory through its 128-byte-per-cycle port.
  counts_[stats::Counter::kSmemWrite] += static_cast<uint64_t>((bytes + 127) / 128);
  const bool peer = (resp.id & kPeerBit) != 0;
  if (!peer && cta.bulk_out > 0) --cta.bulk_out;
  Mbarrier& m = cta.mbar[resp.id & 0xFFu];
  if (peer && (!cta.busy || m.expected == 0)) {
    throw Error("kernel '" + kernel_->name + "': a multicast bulk copy landed on SM " +
                std::to_string(id_) + " in a CTA " +
                (cta.busy ? "whose mbarrier was not initialised" : "that had exited") +
                " (a cluster must initialise its barriers before its peers copy into it)");
  }
  mbar_arrive(cta, m, 0, -bytes, now);
  free_cta_if_done(cta);
}

void Sm::cp_land(Warp& w, int64_t now) {
  while (w.cp_first != w.cp_commit && w.cp_pending[w.cp_first % kCpGroups] == 0) {
    uint8_t& target = w.cp_arrive[w.cp_first % kCpGroups];
    if (target != 0xFF) {
      CtaSlot& cta = ctas_[w.cta_slot];
      mbar_arrive(cta, cta.mbar[target], 1, 0, now);
      target = 0xFF;
    }
    ++w.cp_first;
  }
}

}  // namespace joulesim::gpu
