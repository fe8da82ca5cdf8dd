// SM: CTA residency, the per-sub-core issue loop, scoreboard and register-file banks, ALU and
// tensor pipes. Memory instructions are in sm_memory.cpp, barriers and GMMA in sm_sync.cpp.
#include "gpu/sm.hpp"

#include <algorithm>
#include <functional>

#include "core/error.hpp"

namespace joulesim::gpu {

using stats::Counter;
using trace::Instruction;
using trace::kZeroReg;

Sm::Sm(uint16_t id, const config::GpuSpec& spec, stats::ActivityCounts& counts,
       mem::MemoryHierarchy& mem)
    : id_(id),
      spec_(spec),
      counts_(counts),
      mem_(mem),
      l1_(std::make_unique<mem::L1Cache>(spec.l1, id, counts)) {
  const uint32_t nwarps = std::max<uint32_t>(1, spec.core.max_warps_per_sm);
  const uint32_t nsub = std::max<uint32_t>(1, spec.core.subcores_per_sm);
  if (nwarps > 0xFFFE) throw ConfigError("core.max_warps_per_sm: at most 65534 warps per SM");
  // Warp slots and MemOps are constructed on first use (slots are taken lowest first), so a
  // kernel that uses few of them touches little memory; reserve() keeps their addresses stable.
  max_warps_ = nwarps;
  warps_.reserve(nwarps);
  scoreboards_.reserve(nwarps);
  free_warps_.reserve(nwarps);
  wait_until_.assign(nwarps, 0);
  subcores_.resize(nsub);
  for (auto& sc : subcores_) {
    sc.sched = make_scheduler(spec.core.scheduler);
    sc.by_age.reserve(nwarps);
  }
  ctas_.resize(std::max<uint32_t>(1, spec.core.max_ctas_per_sm));
  memops_.reserve(kMemOpsPerSm);
  free_memops_.reserve(kMemOpsPerSm);
  order_.resize(nwarps);
  coalesced_.reserve(64);
  downstream_.reserve(64);
  completed_.reserve(64);
  rf_banks_ = spec.core.rf_banks;
  issue_width_ = std::max<uint32_t>(1, spec.core.issue_width);
  l1_latency_ = spec.l1.latency;
  smem_latency_ = spec.shared.latency;
  smem_bytes_per_clk_ = std::max(1.0, double(spec.shared.banks) * spec.shared.bank_bytes);
  tc_arrivals_.reserve(64);
}

Sm::~Sm() = default;

void Sm::begin_kernel(const std::vector<OpTiming>* ops, const trace::OpcodeTable* opcodes,
                      const trace::KernelInfo* info, StaticTable* statics, uint32_t ctas_limit) {
  ops_ = ops;
  statics_ = statics;
  opcodes_ = opcodes;
  kernel_ = info;
  amd_counters_ = info->isa == trace::IsaFamily::kCdna;
  ctas_limit_ = std::min<uint32_t>(ctas_limit, static_cast<uint32_t>(ctas_.size()));
}

uint16_t Sm::start_cta(trace::CtaTrace& staged, int64_t now) {
  size_t free_slot = 0;
  while (free_slot < ctas_.size() && ctas_[free_slot].busy) ++free_slot;
  if (free_slot == ctas_.size())
    throw Error("internal: no free CTA slot on SM " + std::to_string(id_));
  CtaSlot& cta = ctas_[free_slot];
  const uint16_t cta_index = static_cast<uint16_t>(free_slot);
  const size_t n = staged.warps.size();
  if (n > free_warps_.size() + (max_warps_ - warps_.size())) {
    throw Error("kernel '" + kernel_->name + "': CTA (" + std::to_string(staged.id.x) + "," +
                std::to_string(staged.id.y) + "," + std::to_string(staged.id.z) + ") has " +
                std::to_string(n) + " warps, more than the launch's block dimensions allow");
  }
  make_resident(staged, *statics_, cta.cta);
  cta.busy = true;
  ++cta.gen;
  cta.cluster_rank = 0;
  cta.cluster_size = 1;
  cta.peers[0] = ClusterPeer{id_, cta_index, cta.gen};
  cta.unfinished = cta.alive = static_cast<uint32_t>(n);
  cta.mbar.fill(Mbarrier{});
  cta.bulk_out = 0;
  cta.tc_pending = 0;
  cta.tmem_cols = 0;
  cta.bar_arrived.fill(0);
  cta.gmma_launched.assign((n + 3) / 4, 0);
  cta.warp_slots.resize(n);
  ++resident_ctas_;
  for (size_t i = 0; i < n; ++i) {
    uint16_t slot;
    if (!free_warps_.empty()) {
      slot = free_warps_.back();
      free_warps_.pop_back();
    } else {
      slot = static_cast<uint16_t>(warps_.size());
      scoreboards_.push_back(std::make_unique<int64_t[]>(kRegSlots));  // zeroed
      warps_.emplace_back().ready = scoreboards_.back().get();
    }
    cta.warp_slots[i] = slot;
    Warp& w = warps_[slot];
    const ResidentWarp& wt = cta.cta.warps[i];
    int64_t* ready = w.ready;
    w = Warp{};
    w.ready = ready;  // no reset needed: see scoreboards_
    w.next = wt.insts.data();
    w.end = wt.insts.data() + wt.insts.size();
    w.addrs = wt.addrs.data();
    w.min_issue = now;
    w.age = next_age_++;
    w.cta_slot = cta_index;
    w.index_in_cta = static_cast<uint16_t>(i);
    w.subcore = static_cast<uint8_t>(slot % subcores_.size());
    w.state = wt.insts.empty() ? Warp::State::kFinishing : Warp::State::kActive;
    if (wt.insts.empty()) --cta.alive;
    subcores_[w.subcore].by_age.push_back(slot);
    wait_until_[slot] = 0;
    wake_subcore(w.subcore, now);
  }
  return cta_index;
}

int64_t Sm::tick(int64_t now, Picoseconds now_ps) {
  progressed_ = false;
  tc_arrivals_due(now);
  int64_t next = kNever;
  const size_t n = subcores_.size();
  // The sub-core that issues first rotates with the cycle number (not per tick: ticks are
  // skipped while nothing can issue, and the order must not depend on that).
  for (size_t i = 0; i < n; ++i)
    next = std::min(next, issue_subcore(subcores_[(static_cast<uint64_t>(now) + i) % n], now));
  next = std::min(next, lsu_step(now, now_ps));
  next = std::min(next, tc_next_);
  return std::max(next, now + 1);
}

int64_t Sm::issue_subcore(Subcore& sc, int64_t now) {
  if (sc.next_try > now) return sc.next_try;
  sc.next_try = kNever;  // events during the scan (barrier releases) may lower it
  const int64_t best = issue_subcore_now(sc, now);
  sc.next_try = std::min(sc.next_try, best);
  return sc.next_try;
}

int64_t Sm::issue_subcore_now(Subcore& sc, int64_t now) {
  const size_t n = sc.by_age.size();
  if (n == 0) return kNever;
  if (sc.read_free > now) return sc.read_free;
  sc.sched->order(sc.by_age.data(), n, order_.data());
  uint32_t issued = 0;
  int64_t best = kNever;
  for (size_t i = 0; i < n; ++i) {
    const uint16_t slot = order_[i];
    if (wait_until_[slot] > now) {
      best = std::min(best, wait_until_[slot]);
      continue;
    }
    Warp& w = warps_[slot];
    if (w.state == Warp::State::kFinishing) {
      if (drained(w, now)) {
        retire(w, slot, now);
      } else {
        const bool timed = w.loads_out == 0 && w.stores_out == 0 && w.gmma_unlaunched == 0;
        wait_until_[slot] = timed ? std::max(w.drain_at, w.gmma_done_at) : kNever;
        best = std::min(best, wait_until_[slot]);
      }
      continue;
    }
    const int64_t t = earliest(w, sc, now);
    if (t > now) {
      wait_until_[slot] = t;
      best = std::min(best, t);
      continue;
    }
    if (issued == issue_width_) {  // ready, but the issue slots are taken: next cycle
      wait_until_[slot] = now + 1;
      best = now + 1;
      break;
    }
    issue(w, slot, sc, now);
    sc.sched->issued(slot);
    ++issued;
    progressed_ = true;
    // One instruction per warp per cycle. Its next instruction's earliest cycle, computed now,
    // is a valid lower bound (resources only get busier; events wake the warp), so a sub-core
    // whose every warp waits for a busy pipe is not scanned again on the cycle in between.
    wait_until_[slot] = w.state == Warp::State::kActive ? earliest(w, sc, now) : now + 1;
    best = std::min(best, wait_until_[slot]);
    if (sc.read_free > now) {  // a bank conflict holds the operand collector
      best = std::min(best, now + 1);
      break;
    }
  }
  return best;
}

void Sm::recompute_ready(Warp& w) const {
  const Instruction& inst = stat(*w.next);
  const bool gmma = (*ops_)[inst.opcode].kind == OpKind::kGmma;
  int64_t r = 0;
  for (int i = 0; i < inst.num_src; ++i) {
    const uint16_t s = inst.src[i];
    if (s == kZeroReg) continue;
    if (gmma && std::find(inst.dst.begin(), inst.dst.begin() + inst.num_dst, s) !=
                    inst.dst.begin() + inst.num_dst) {
      continue;  // a GMMA's accumulator chains inside the tensor units
    }
    r = std::max(r, w.ready[reg_slot(s)]);
  }
  if (!gmma) {
    for (int i = 0; i < inst.num_dst; ++i) {
      if (inst.dst[i] != kZeroReg) r = std::max(r, w.ready[reg_slot(inst.dst[i])]);
    }
  }
  w.ready_at = r;
  w.next_kind = (*ops_)[inst.opcode].kind;
  w.next_pipe = (*ops_)[inst.opcode].pipe;
  w.dirty = false;
}

int64_t Sm::earliest(Warp& w, const Subcore& sc, int64_t now) const {
  if (w.state != Warp::State::kActive) return kNever;
  if (w.dirty) recompute_ready(w);
  int64_t r = std::max(w.ready_at, w.min_issue);
  if (r == kNever) return kNever;
  switch (w.next_kind) {
    case OpKind::kExit:
      if (w.next + 1 == w.end) {
        if (w.loads_out != 0 || w.gmma_unlaunched != 0) return kNever;
        r = std::max({r, w.drain_at, w.gmma_done_at});
      }
      break;
    case OpKind::kWgWait: {  // WARPGROUP.DEPBAR.LE gsb0, N: at most N groups still pending
      const int64_t t = gmma_wait_time(w, stat(*w.next).immediate, now);
      if (t == kNever) return kNever;
      r = std::max(r, t);
      break;
    }
    case OpKind::kWgArrive:
      if (w.loads_out != 0) return kNever;
      r = std::max(r, w.alu_drain_at);
      break;
    case OpKind::kMemWait:
      if (w.loads_out != 0) return kNever;
      break;
    case OpKind::kCpCommit:  // a free group slot for the next open group
    case OpKind::kCpArrive:
      cp_retire(w);
      if (w.cp_commit + 1 - w.cp_first >= kCpGroups) return kNever;
      break;
    case OpKind::kCpWait:  // DEPBAR.LE SB0, N: woken by the landing of an LDGSTS
      cp_retire(w);
      if (w.cp_commit - w.cp_first > stat(*w.next).immediate) return kNever;
      break;
    case OpKind::kMbarWait:  // woken when a phase of the CTA's barriers completes
      if (mbar_blocked(w)) return kNever;
      break;
    case OpKind::kBulkCopy:
      if (bulk_.size() >= kBulkQueue) r = std::max(r, now + 1);
      break;
    case OpKind::kWaitCnt: {
      // s_waitcnt simm16 (gfx9): vmcnt = bits 3:0 and 15:14, lgkmcnt = bits 11:8. expcnt (6:4)
      // counts exports and GDS, which compute traces do not contain.
      const uint32_t imm = stat(*w.next).immediate;
      const uint32_t vm = (imm & 0xFu) | (((imm >> 14) & 0x3u) << 4);
      const uint32_t lgkm = (imm >> 8) & 0xFu;
      const int64_t t =
          std::max(counter_wait(w.vm_done, w.vm_retired, w.vm_issued, vm, now),
                   counter_wait(w.lgkm_done, w.lgkm_retired, w.lgkm_issued, lgkm, now));
      if (t == kNever) return kNever;
      r = std::max(r, t);
      break;
    }
    case OpKind::kGlobal:
    case OpKind::kAtomic:
      if (amd_counters_) {  // vmcnt full: wait until it is below its maximum
        const int64_t t = counter_wait(w.vm_done, w.vm_retired, w.vm_issued, kVmCnt - 1, now);
        if (t == kNever) return kNever;
        r = std::max(r, t);
      }
      // The L1 port takes one queued line per cycle (after this cycle's issue): the queue is
      // empty at the earliest lsu_.size() cycles from now (later if L1 stalls: checked again).
      if (!lsu_.empty()) r = std::max(r, now + static_cast<int64_t>(lsu_.size()));
      if (free_memops_.empty() && memops_.size() == kMemOpsPerSm) r = std::max(r, now + 1);
      break;
    case OpKind::kShared:
    case OpKind::kConst:
      if (w.next_kind == OpKind::kShared) {
        // NVIDIA: queued per sub-core while the pipe is busy; CDNA: issues when the LDS is free.
        r = std::max(r, amd_counters_ ? smem_free_ : sc.mio_start[sc.mio_n % kMioQueue]);
      }
      if (amd_counters_) {  // lgkmcnt full
        r = std::max(r,
                     counter_wait(w.lgkm_done, w.lgkm_retired, w.lgkm_issued, kLgkmCnt - 1, now));
      }
      break;

    case OpKind::kGmma:
      if (w.gq_count == kGmmaQueue) return kNever;
      if (!w.group_open && w.g_next - w.g_first >= kGmmaGroups) {
        const int64_t t = gmma_wait_time(w, kGmmaGroups - 1, now);
        if (t == kNever) return kNever;
        r = std::max(r, t);
      }
      return r;  // queued in the tensor units, not blocked by them
    case OpKind::kTcMma:
      return r;  // likewise: the SM's MMA queue
    case OpKind::kTmemAlloc: {
      const int64_t t = tmem_alloc_time(w, now);
      if (t == kNever) return kNever;
      r = std::max(r, t);
      break;
    }
    default:
      break;
  }
  if (w.next_pipe != Pipe::kNone) r = std::max(r, pipe_free_q(sc, w.next_pipe) / kQ);
  return r;
}

void Sm::set_dst_ready(Warp& w, const Instruction& inst, int64_t t) {
  for (int i = 0; i < inst.num_dst; ++i) {
    if (inst.dst[i] != kZeroReg) w.ready[reg_slot(inst.dst[i])] = t;
  }
  w.drain_at = std::max(w.drain_at, t);
  w.alu_drain_at = std::max(w.alu_drain_at, t);
}

void Sm::issue(Warp& w, uint16_t slot, Subcore& sc, int64_t now) {
  const DynInst& dyn = *w.next;
  const Instruction& inst = stat(dyn);
  const OpTiming& t = (*ops_)[inst.opcode];
  const int lanes = dyn.lanes();
  counts_.add_inst(inst.op_class, 1, static_cast<uint64_t>(lanes));
  ++counts_[Counter::kWarpInstIssued];

  const int64_t extra = read_operands(w, inst);
  if (extra > 0) sc.read_free = now + 1 + extra;  // the operand collector serialises the banks

  w.min_issue = now + 1;
  w.dirty = true;
  ++w.next;
  const bool last = w.next == w.end;
  // The warp's next instruction is read at this SM's next tick, long after (in host time) every
  // other SM has ticked: fetch its cache lines now (resident warps are far larger than the
  // caches). Four DynInsts share a line: fetch the one after the next too, its static entry, and
  // the lane addresses of the next one (fetched by the previous issue's prefetch, so reading its
  // header here rarely misses).
  if (!last) {
    __builtin_prefetch(w.next + 1);
    const DynInst& nd = *w.next;  // usually cached by the previous issue's prefetch
    const Instruction& n = stat(nd);
    for (int i = 0; i < n.num_src; ++i) __builtin_prefetch(&w.ready[reg_slot(n.src[i])]);
    if (n.num_dst > 0) __builtin_prefetch(&w.ready[reg_slot(n.dst[0])]);
    if (n.mem_width != 0) {
      const bool affine = (nd.addr & kAffineAddr) != 0;
      const char* a = reinterpret_cast<const char*>(w.addrs + (nd.addr & ~kAffineAddr));
      const size_t bytes = sizeof(uint64_t) * static_cast<size_t>(affine ? 2 : nd.lanes());
      for (size_t off = 0; off < bytes; off += 64) __builtin_prefetch(a + off);
    }
  }
  auto occupy = [&](Pipe p, int64_t occ) {
    int64_t& busy = p == Pipe::kScalar ? scalar_busy_q_ : sc.busy_q[static_cast<size_t>(p)];
    const int64_t start = std::max(now * kQ, busy);
    busy = start + occ;
    return busy;
  };

  switch (t.kind) {
    case OpKind::kAlu:
      occupy(t.pipe, t.occupancy_q);
      set_dst_ready(w, inst, now + t.latency);
      break;
    case OpKind::kConst:
      occupy(t.pipe, t.occupancy_q);
      ++counts_[Counter::kConstAccess];
      set_dst_ready(w, inst, now + t.latency);
      count_lgkm(w, now + t.latency);
      break;
    case OpKind::kMma: {
      // AMD: its VALU pass queues behind the VALU op in flight (the MFMA is not held back).
      if (t.valu_q > 0) occupy(Pipe::kFp32, t.valu_q);
      const int64_t end_q = occupy(Pipe::kTensor, t.occupancy_q);
      set_dst_ready(w, inst, (end_q + kQ - 1) / kQ + t.latency);
      counts_.tensor_flops[static_cast<size_t>(t.tensor_type)] += t.flops;
      if (t.sparse) counts_.tensor_sparse_flops[static_cast<size_t>(t.tensor_type)] += t.flops;
      break;
    }
    case OpKind::kGmma:
      issue_gmma(w, inst, t, now);
      break;
    case OpKind::kGlobal:
    case OpKind::kAtomic:
      occupy(t.pipe, t.occupancy_q);
      issue_global(w, slot, inst, lane_addresses(w.addrs, dyn, lane_scratch_.data()), lanes, t,
                   now);
      break;
    case OpKind::kShared:
      occupy(t.pipe, t.occupancy_q);
      issue_shared(w, inst, lane_addresses(w.addrs, dyn, lane_scratch_.data()), lanes, now);
      break;
    case OpKind::kBarrier:
    case OpKind::kBarArrive: {
      const uint8_t id = inst.immediate < 16 ? static_cast<uint8_t>(inst.immediate) : 0;
      if (t.kind == OpKind::kBarrier && !last) {
        w.state = Warp::State::kBarrier;
        w.bar_id = id;
      }
      arrive_barrier(ctas_[w.cta_slot], id, now);
      break;
    }
    case OpKind::kWgArrive:
    case OpKind::kWgWait:
      w.group_open = false;  // the next GMMA starts a new group
      break;
    case OpKind::kCpCommit:
      ++w.cp_commit;
      break;
    case OpKind::kCpArrive:
      if (inst.mem_width != 0 && lanes > 0) {
        CtaSlot& cta = ctas_[w.cta_slot];
        const uint64_t addr = first_address(w, dyn);
        mbarrier(cta, addr);  // checks the slot
        w.cp_arrive[w.cp_commit % kCpGroups] = static_cast<uint8_t>((addr >> 3) % kMbarriers);
        ++w.cp_commit;
        cp_land(w, now);  // nothing in flight: arrives now
      }
      break;
    case OpKind::kMbarInit:
      if (inst.mem_width != 0 && lanes > 0) mbar_init(w, inst, first_address(w, dyn));
      break;
    case OpKind::kMbarArrive:
      if (inst.mem_width != 0 && lanes > 0) {
        issue_mbar_arrive(w, inst, t, lane_addresses(w.addrs, dyn, lane_scratch_.data()), lanes,
                          now);
      }
      break;
    case OpKind::kTcMma:
      issue_tc_mma(w, inst, t, now);
      break;
    case OpKind::kTcCommit:
      if (inst.mem_width != 0 && lanes > 0) tc_commit(w, first_address(w, dyn), now);
      break;
    case OpKind::kTmemAlloc:
      if (lanes > 0 && inst.immediate != 0) tmem_alloc(w, inst.immediate);
      break;
    case OpKind::kTmemDealloc:
      if (lanes > 0 && inst.immediate != 0) tmem_dealloc(w, inst.immediate, now);
      break;
    case OpKind::kTmemLoad:
      occupy(t.pipe, t.occupancy_q);
      counts_[t.write ? Counter::kTmemWrite : Counter::kTmemRead] += t.tmem_bytes / 128;
      set_dst_ready(w, inst, now + t.latency);
      break;
    case OpKind::kBulkCopy:
      occupy(t.pipe, t.occupancy_q);
      issue_bulk_copy(w, slot, inst, lane_addresses(w.addrs, dyn, lane_scratch_.data()), lanes, t,
                      now);
      break;
    default:
      break;  // EXIT, waits, NOP: the issue slot only
  }
  if (last && w.state == Warp::State::kActive) after_last_instruction(w, slot, now);
}

int64_t Sm::read_operands(Warp& w, const Instruction& inst) {
  // Vector-register sources read from the banks: distinct registers, except those the operand
  // reuse cache holds. The cache (Huerta et al., MICRO 2025, "Dissecting and Modeling the
  // Architecture of Modern GPU Cores", section 5.3.1) has one entry per bank and operand slot;
  // an entry stays until a read of the same bank in the same slot replaces it, so instructions
  // in between that read other slots or banks leave it (an LDS between two HMMAs keeps their
  // cached operands). The compiler is assumed to set the reuse bit wherever a later instruction
  // can hit; a write to a register drops it. RZ, uniform and scalar registers are not in the
  // vector banks.
  std::array<uint16_t, trace::kMaxSrc> reads{};
  int n = 0;
  for (int i = 0; i < inst.num_src; ++i) {
    const uint16_t s = inst.src[i];
    if (s >= kZeroReg) continue;
    uint16_t& entry = w.rfc[static_cast<size_t>(i)][(s % rf_banks_) & 1u];
    if (entry == s + 1) continue;
    entry = static_cast<uint16_t>(s + 1);
    if (std::find(reads.begin(), reads.begin() + n, s) == reads.begin() + n) reads[n++] = s;
  }
  for (int i = 0; i < inst.num_dst; ++i) {
    const uint16_t d = inst.dst[i];
    if (d >= kZeroReg) continue;
    for (auto& slot : w.rfc) {
      uint16_t& entry = slot[(d % rf_banks_) & 1u];
      if (entry == d + 1) entry = 0;
    }
  }
  int64_t extra = 0;
  if (rf_banks_ > 1 && n > 1) {
    std::array<uint8_t, trace::kMaxSrc> bank{}, count{};
    int nb = 0;
    uint8_t worst = 0;
    for (int i = 0; i < n; ++i) {
      const auto b = static_cast<uint8_t>(reads[i] % rf_banks_);
      int k = 0;
      while (k < nb && bank[k] != b) ++k;
      if (k == nb) bank[nb++] = b;
      worst = std::max<uint8_t>(worst, ++count[k]);
    }
    extra = worst - 1;
  }
  counts_[Counter::kRfRead] += static_cast<uint64_t>(n);
  for (int i = 0; i < inst.num_dst; ++i)
    counts_[Counter::kRfWrite] += inst.dst[i] < kZeroReg ? 1 : 0;
  counts_[Counter::kRfBankConflict] += static_cast<uint64_t>(extra);
  return extra;
}

bool Sm::drained(const Warp& w, int64_t now) const {
  return w.loads_out == 0 && w.stores_out == 0 && w.gmma_unlaunched == 0 && w.drain_at <= now &&
         w.gmma_done_at <= now;
}

void Sm::after_last_instruction(Warp& w, uint16_t slot, int64_t now) {
  CtaSlot& cta = ctas_[w.cta_slot];
  --cta.alive;
  w.state = Warp::State::kFinishing;
  check_barriers(cta, now);
  if (drained(w, now)) retire(w, slot, now);
}

void Sm::retire(Warp& w, uint16_t slot, int64_t /*now*/) {
  w.state = Warp::State::kFree;
  auto& by_age = subcores_[w.subcore].by_age;
  by_age.erase(std::find(by_age.begin(), by_age.end(), slot));
  free_warps_.insert(
      std::upper_bound(free_warps_.begin(), free_warps_.end(), slot, std::greater<>()), slot);
  progressed_ = true;
  CtaSlot& cta = ctas_[w.cta_slot];
  --cta.unfinished;
  // The slot stays taken while bulk copies into its shared memory are still landing or MMA
  // commits will still arrive on its barriers.
  free_cta_if_done(cta);
}

}  // namespace joulesim::gpu
