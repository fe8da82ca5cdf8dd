// SM: the LD/ST path. Global/local accesses are coalesced into line requests that queue for the
// L1 port (one line per cycle); while a memory instruction's requests are still queued no other
// global access can issue. Misses go down through the MemoryHierarchy (respecting its
// back-pressure); a load's destination registers become ready when its last sector arrives.
// Shared memory serialises bank conflicts in the SM's shared-memory pipe; constant loads have a
// fixed L1-like latency (sm.cpp). Atomics bypass L1 and are performed below.
#include <algorithm>

#include "gpu/sm.hpp"

namespace joulesim::gpu {

using stats::Counter;

namespace {
// Request ids: bit 31 marks a request that bypassed L1 (atomics, LDGSTS.BYPASS), bits 16..29 a
// generation, bits 0..15 the MemOp slot. kNoWaiter (stores) names no slot; neither pattern can
// equal mem::kWritebackId. Bulk copies (sm_async.cpp) use bit 31 + bit 30 (kBulkBit).
constexpr uint32_t kBypassBit = 0x80000000u;
constexpr uint32_t kNoWaiter = 0x3FFFFFFEu;
constexpr uint32_t kSlotMask = 0xFFFFu;
constexpr uint32_t kGenMask = 0x3FFFu;
static_assert((kNoWaiter | kBypassBit) != mem::kWritebackId);
static_assert((kNoWaiter & kBulkBit) == 0 && ((kGenMask << 16) & kBulkBit) == 0);
static_assert(((kBulkBit | kPeerBit) & kBypassBit) == 0);
}  // namespace

void Sm::issue_global(Warp& w, uint16_t slot, const trace::Instruction& inst, const uint64_t* addrs,
                      int lanes, const OpTiming& t, int64_t now) {
  if (lanes == 0 || inst.mem_width == 0) {  // predicated off: address generation only
    set_dst_ready(w, inst, now + t.latency);
    if (amd_counters_) w.vm_done[w.vm_issued++ % kVmCnt] = now + t.latency;
    return;
  }
  const bool atomic = t.kind == OpKind::kAtomic;
  mem::coalesce(addrs, lanes, inst.mem_width, spec_.l1.line_bytes, spec_.l1.sector_bytes,
                t.write || atomic, coalesced_);
  uint32_t id = kNoWaiter;
  // Loads are tracked even without a destination register (LDGSTS): DEPBAR waits for them.
  bool has_result = !atomic;
  for (int i = 0; i < inst.num_dst; ++i) has_result |= inst.dst[i] != trace::kZeroReg;
  has_result &= !t.write && !coalesced_.empty();
  // CDNA: stores and atomics count in vmcnt too (gfx9 has no separate store counter) until
  // their acknowledgement returns.
  const bool track = has_result || (amd_counters_ && !coalesced_.empty());
  if (amd_counters_ && coalesced_.empty()) w.vm_done[w.vm_issued++ % kVmCnt] = now + t.latency;
  if (track) {
    uint16_t ms;
    if (!free_memops_.empty()) {
      ms = free_memops_.back();
      free_memops_.pop_back();
    } else {
      ms = static_cast<uint16_t>(memops_.size());
      memops_.emplace_back();
    }
    MemOp& op = memops_[ms];
    op.active = true;
    op.warp = slot;
    op.ndst = 0;
    for (int i = 0; i < inst.num_dst; ++i) {
      if (inst.dst[i] == trace::kZeroReg) continue;
      op.dst[op.ndst++] = inst.dst[i];
      w.ready[reg_slot(inst.dst[i])] = kNever;
    }
    op.unaccepted = static_cast<uint32_t>(coalesced_.size());
    op.misses = 0;
    op.ready = now;
    op.load = has_result;
    op.vm = amd_counters_;
    op.cp = t.cp_async && has_result;
    if (op.cp) {
      op.cp_group = static_cast<uint8_t>(w.cp_commit % kCpGroups);
      ++w.cp_pending[op.cp_group];
    }
    if (op.vm) {
      op.vm_seq = w.vm_issued++;
      w.vm_done[op.vm_seq % kVmCnt] = kNever;
    }
    if (has_result)
      ++w.loads_out;
    else
      ++w.stores_out;
    id = (uint32_t{op.gen} << 16) | ms;
  }
  for (mem::SectorRequest& r : coalesced_) {
    r.sm = id_;
    r.id = id;
    lsu_.push({r, atomic || t.bypass_l1});
  }
}

void Sm::issue_shared(Warp& w, const trace::Instruction& inst, const uint64_t* addrs, int lanes,
                      int64_t now) {
  if (lanes == 0 || inst.mem_width == 0) {
    set_dst_ready(w, inst, now + 1);
    count_lgkm(w, now + 1);
    return;
  }
  const auto& sh = spec_.shared;
  const uint32_t wavefronts = std::max<uint32_t>(
      1, mem::shared_memory_wavefronts(addrs, lanes, inst.mem_width, sh.banks, sh.bank_bytes));
  const uint64_t row = uint64_t{sh.banks} * sh.bank_bytes;
  const uint64_t ideal = std::max<uint64_t>(1, (uint64_t(lanes) * inst.mem_width + row - 1) / row);
  // Queued behind the shared-memory pipe (NVIDIA; CDNA issued only once it was free).
  const int64_t start = std::max(now, smem_free_);
  smem_free_ = start + wavefronts;
  Subcore& sc = subcores_[w.subcore];
  sc.mio_start[sc.mio_n++ % kMioQueue] = start;
  const bool store = inst.op_class == trace::OpClass::kStore;
  counts_[store ? Counter::kSmemWrite : Counter::kSmemRead] += wavefronts;
  if (wavefronts > ideal) counts_[Counter::kSmemBankConflict] += wavefronts - ideal;
  const int64_t done = start + wavefronts - 1 + smem_latency_;
  if (!store) set_dst_ready(w, inst, done);
  count_lgkm(w, done);  // LDS ops return in order: a write completes like a read
}

void Sm::complete_memop(uint32_t ms, int64_t t) {
  MemOp& op = memops_[ms];
  Warp& w = warps_[op.warp];
  for (int i = 0; i < op.ndst; ++i) w.ready[reg_slot(op.dst[i])] = t;
  if (op.load) {
    w.drain_at = std::max(w.drain_at, t);
    w.alu_drain_at = std::max(w.alu_drain_at, t);
    --w.loads_out;
  } else {
    --w.stores_out;
  }
  if (op.vm) w.vm_done[op.vm_seq % kVmCnt] = t;
  if (op.cp) {
    --w.cp_pending[op.cp_group];
    cp_land(w, t);
  }
  wake_warp(op.warp, t);
  op.active = false;
  op.gen = static_cast<uint16_t>((op.gen + 1) & kGenMask);
  free_memops_.push_back(static_cast<uint16_t>(ms));
  wake_hint_ = std::min(wake_hint_, t);
}

void Sm::memop_progress(uint32_t ms, int64_t now) {
  const MemOp& op = memops_[ms];
  if (op.unaccepted == 0 && op.misses == 0) complete_memop(ms, std::max(op.ready, now));
}

MemOp* Sm::memop_of(uint32_t id) {
  if ((id & ~kBypassBit) == kNoWaiter) return nullptr;
  const uint32_t ms = id & kSlotMask;
  if (ms >= memops_.size()) return nullptr;
  MemOp& op = memops_[ms];
  if (!op.active || op.gen != ((id >> 16) & kGenMask)) return nullptr;
  return &op;
}

void Sm::on_id_complete(uint32_t id, int64_t now) {
  if (MemOp* op = memop_of(id)) {
    if (op->misses > 0) --op->misses;
    memop_progress(id & kSlotMask, now);
  }
}

int64_t Sm::lsu_step(int64_t now, Picoseconds now_ps) {
  wake_hint_ = kNever;
  if (!lsu_.empty()) {
    LsuEntry& e = lsu_.front();
    MemOp* op = memop_of(e.req.id);
    const uint32_t ms = e.req.id & kSlotMask;
    if (e.bypass) {
      mem::SectorRequest r = e.req;
      r.id |= kBypassBit;
      outbound_.push(r);
      lsu_.pop();
      progressed_ = true;
      if (op) --op->unaccepted, ++op->misses;
    } else {
      switch (l1_->access(e.req, Cycles{now})) {
        case mem::L1Cache::Outcome::kStall:
          break;
        case mem::L1Cache::Outcome::kHit:
          lsu_.pop();
          progressed_ = true;
          if (op) {
            op->ready = std::max(op->ready, now + l1_latency_);
            --op->unaccepted;
            memop_progress(ms, now);
          }
          break;
        case mem::L1Cache::Outcome::kMiss:
        case mem::L1Cache::Outcome::kMerged:
          lsu_.pop();
          progressed_ = true;
          if (op) --op->unaccepted, ++op->misses;
          break;
      }
    }
  }
  take_l1_downstream();
  while (!outbound_.empty() && mem_.can_accept(id_)) {
    mem_.send(outbound_.front(), now_ps);
    outbound_.pop();
    ++inflight_;
    progressed_ = true;
  }
  // The TMA unit shares the SM's port to the crossbar, behind the L1's misses.
  if (!bulk_.empty() && outbound_.empty() && bulk_step(now_ps)) progressed_ = true;
  int64_t next = wake_hint_;
  if (!lsu_.empty() || !outbound_.empty() || !bulk_.empty()) next = std::min(next, now + 1);
  return next;
}

void Sm::take_l1_downstream() {
  downstream_.clear();
  l1_->take_downstream(downstream_);
  for (const auto& r : downstream_) outbound_.push(r);
}

void Sm::flush_l1() {
  l1_->invalidate_all();
  take_l1_downstream();
}

bool Sm::poll_responses(int64_t now, Picoseconds /*now_ps*/) {
  bool any = false;
  mem::SectorRequest resp;
  while (mem_.pop_response(id_, resp)) {
    any = true;
    // A multicast copy for a CTA here that another SM requested is not in this SM's count.
    const bool peer =
        (resp.id & (kBypassBit | kBulkBit | kPeerBit)) == (kBypassBit | kBulkBit | kPeerBit) &&
        resp.id != mem::kWritebackId;
    if (!peer && inflight_ > 0) --inflight_;
    if ((resp.id & (kBypassBit | kBulkBit)) == (kBypassBit | kBulkBit) &&
        resp.id != mem::kWritebackId) {
      bulk_landed(resp, now);
    } else if ((resp.id & kBypassBit) && resp.id != mem::kWritebackId) {
      on_id_complete(resp.id, now);
    } else {
      completed_.clear();
      l1_->fill(resp, completed_);
      for (uint32_t id : completed_) on_id_complete(id, now);
    }
  }
  return any;
}

}  // namespace joulesim::gpu
