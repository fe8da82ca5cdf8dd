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
  j.id = kBypass | kBulkBit | (uint32_t{w.cta_slot} << 8) | mbar_index(a[3]);
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
  mem_.send(r, now_ps);
  ++inflight_;
  ++ctas_[j.cta_slot].bulk_out;
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
  if (cta.bulk_out > 0) --cta.bulk_out;
  mbar_arrive(cta, cta.mbar[resp.id & 0xFFu], 0, -bytes, now);
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
