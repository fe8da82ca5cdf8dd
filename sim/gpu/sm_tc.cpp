// SM: 5th-generation tensor cores (tcgen05, sm_100): MMAs with accumulators in Tensor Memory.
//
// tcgen05.mma (SASS UTCHMMA / UTCQMMA / UTCIMMA / UTCOMMA): one thread queues an MMA for the whole
// CTA. Its shape and formats come from the instruction descriptor, which the trace carries in
// the immediate (trace::decode_tc_idesc). A and B are read from shared memory through
// descriptors (no addresses in the trace), the accumulator lives in Tensor Memory: no register is
// read or written and the issuing warp goes on at once. The MMA occupies all the SM's tensor
// units (one queue per SM, in order, shared with Hopper-style GMMAs) for
//   max(2 M N K / tensor.<type>_flops_per_clk [/ sparsity_speedup],
//       A and B bytes / shared-memory bytes per clock (banks x bank width))
// cycles: the operands stream from shared memory while it computes, so an MMA whose operands
// need more than the shared-memory port delivers runs at the port's rate (M = 64 shapes with a
// wide N do). Its operand reads are counted as shared-memory wavefronts (128 B each).
//
// tcgen05.commit (UTCBAR [mbar]): one arrival on the mbarrier once every MMA the warp issued
// before it has completed (completion + tensor.gmma_latency); made at once if they already have.
//
// tcgen05.alloc / dealloc (UTCATOMSWS.FIND_AND_SET / .AND): the immediate is the column count,
// a power of two from 32 to 512 (anything else is an error). The SM's Tensor Memory has 512
// columns; an alloc that does not fit blocks (PTX: tcgen05.alloc is a potentially blocking
// instruction) until a dealloc of any resident CTA frees enough columns. A dealloc of more
// columns than the CTA holds, or a CTA that exits still holding columns, is an error. A trace
// without column counts (immediate 0, e.g. captured) has no allocation semantics.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <string>

#include "core/error.hpp"
#include "gpu/sm.hpp"

namespace joulesim::gpu {

void Sm::issue_tc_mma(Warp& w, const trace::Instruction& inst, const OpTiming& t, int64_t now) {
  const trace::TcShape s = trace::decode_tc_idesc(t.tensor_type, inst.immediate);
  const double rate = s.valid() ? spec_.tensor.dense_flops_per_clk[static_cast<size_t>(s.type)] : 0;
  if (!s.valid() || !(rate > 0)) {
    char idesc[16];
    std::snprintf(idesc, sizeof idesc, "0x%x", inst.immediate);
    throw Error("kernel '" + kernel_->name + "', opcode '" + (*opcodes_)[inst.opcode].name +
                "' at PC " + std::to_string(inst.pc) + ": " +
                (s.valid() ? "the GPU has no tensor rate for type '" +
                                 std::string(trace::to_string(s.type)) + "'"
                           : "instruction descriptor " + std::string(idesc) +
                                 " (the immediate) names no tcgen05.mma shape (M 64 or 128, N a "
                                 "multiple of 8 (M 64) or 16 (M 128) up to 256)"));
  }
  double cycles = static_cast<double>(s.flops()) / rate;
  if (s.sparse) cycles /= std::max(1.0, spec_.tensor.sparsity_speedup);
  const uint64_t bytes = s.operand_bytes();
  cycles = std::max(cycles, static_cast<double>(bytes) / smem_bytes_per_clk_);
  int64_t start = now * kQ;
  for (const auto& sc : subcores_)
    start = std::max(start, sc.busy_q[static_cast<size_t>(Pipe::kTensor)]);
  const int64_t end_q = start + std::max<int64_t>(1, std::llround(cycles * kQ));
  for (auto& sc : subcores_) sc.busy_q[static_cast<size_t>(Pipe::kTensor)] = end_q;
  const int64_t done = (end_q + kQ - 1) / kQ + t.latency;
  w.tc_done_at = std::max(w.tc_done_at, done);
  w.drain_at = std::max(w.drain_at, done);
  counts_.tensor_flops[static_cast<size_t>(s.type)] += s.flops();
  if (s.sparse) counts_.tensor_sparse_flops[static_cast<size_t>(s.type)] += s.flops();
  counts_[stats::Counter::kSmemRead] += (bytes + 127) / 128;
}

void Sm::tc_commit(Warp& w, uint64_t mbar_addr, int64_t now) {
  CtaSlot& cta = ctas_[w.cta_slot];
  Mbarrier& m = mbarrier(cta, mbar_addr);
  if (w.tc_done_at <= now) {
    mbar_arrive(cta, m, 1, 0, now);
    return;
  }
  tc_arrivals_.push_back(
      {w.tc_done_at, w.cta_slot, static_cast<uint8_t>((mbar_addr >> 3) % kMbarriers)});
  tc_next_ = std::min(tc_next_, w.tc_done_at);
  ++cta.tc_pending;
}

void Sm::tc_arrivals_due(int64_t now) {
  if (tc_next_ > now) return;
  tc_next_ = kNever;
  size_t keep = 0;
  for (size_t i = 0; i < tc_arrivals_.size(); ++i) {
    const TcArrival a = tc_arrivals_[i];
    if (a.at > now) {
      tc_arrivals_[keep++] = a;
      tc_next_ = std::min(tc_next_, a.at);
      continue;
    }
    CtaSlot& cta = ctas_[a.cta];
    --cta.tc_pending;
    mbar_arrive(cta, cta.mbar[a.mbar], 1, 0, now);
    progressed_ = true;
    free_cta_if_done(cta);
  }
  tc_arrivals_.resize(keep);
}

int64_t Sm::tmem_alloc_time(const Warp& w, int64_t now) const {
  const trace::Instruction& inst = stat(*w.next);
  const uint32_t cols = inst.immediate;
  if (cols == 0 || w.next->lanes() == 0) return 0;  // no column count in the trace
  if (cols < 32 || cols > kTmemColumns || !std::has_single_bit(cols)) {
    throw Error("kernel '" + kernel_->name + "': tcgen05.alloc of " + std::to_string(cols) +
                " columns at PC " + std::to_string(inst.pc) +
                " (allowed: a power of two from 32 to " + std::to_string(kTmemColumns) + ")");
  }
  return tmem_used_ + cols <= kTmemColumns ? now : kNever;
}

void Sm::tmem_alloc(Warp& w, uint32_t cols) {
  tmem_used_ += cols;
  ctas_[w.cta_slot].tmem_cols += cols;
}

void Sm::tmem_dealloc(Warp& w, uint32_t cols, int64_t now) {
  CtaSlot& cta = ctas_[w.cta_slot];
  if (cols > cta.tmem_cols) {
    throw Error("kernel '" + kernel_->name + "': tcgen05.dealloc of " + std::to_string(cols) +
                " columns by a CTA that holds " + std::to_string(cta.tmem_cols));
  }
  cta.tmem_cols -= cols;
  tmem_used_ -= cols;
  // Any resident warp may be blocked in an alloc: let them all check again.
  for (const CtaSlot& c : ctas_) {
    if (!c.busy) continue;
    for (uint16_t slot : c.warp_slots) {
      if (warps_[slot].state == Warp::State::kActive &&
          warps_[slot].next_kind == OpKind::kTmemAlloc)
        wake_warp(slot, now + 1);
    }
  }
}

void Sm::free_cta_if_done(CtaSlot& cta) {
  if (!cta.busy || cta.unfinished != 0 || cta.bulk_out != 0 || cta.tc_pending != 0) return;
  if (cta.tmem_cols != 0) {
    throw Error("kernel '" + kernel_->name + "': a CTA exited holding " +
                std::to_string(cta.tmem_cols) +
                " Tensor Memory columns (tcgen05.dealloc missing before exit)");
  }
  cta.busy = false;
  --resident_ctas_;
  ++finished_ctas_;
  progressed_ = true;
}

}  // namespace joulesim::gpu
