// SM: CTA barriers and warpgroup MMA (GMMA / wgmma).
//
// Barriers: BAR.SYNC id (id = the instruction's immediate when < 16, else 0) waits until every
// warp of the CTA that has not yet issued its last instruction has arrived; exited warps count as
// arrived. Released warps issue from the next cycle.
//
// GMMA: the four warps of a warpgroup (warps 4g..4g+3 of the CTA) each issue the instruction; the
// k-th GMMA of the group launches when the last of them has issued its k-th. It then occupies all
// the SM's tensor units for flops / tensor.<type>_flops_per_clk cycles (queued behind earlier
// tensor work), and the issuing warps go on: their accumulator registers become ready at
// completion + tensor.gmma_latency. The GMMAs a warp issues after a WARPGROUP.ARRIVE form a group;
// WARPGROUP.DEPBAR.LE gsb0, N (N = the immediate) waits until at most N groups are incomplete.
#include <algorithm>

#include "gpu/sm.hpp"

namespace joulesim::gpu {

void Sm::arrive_barrier(CtaSlot& cta, uint8_t id, int64_t now) {
  ++cta.bar_arrived[id];
  if (cta.bar_arrived[id] >= cta.alive) release_barrier(cta, id, now);
}

void Sm::check_barriers(CtaSlot& cta, int64_t now) {
  for (uint8_t id = 0; id < cta.bar_arrived.size(); ++id) {
    if (cta.bar_arrived[id] > 0 && cta.bar_arrived[id] >= cta.alive) release_barrier(cta, id, now);
  }
}

void Sm::release_barrier(CtaSlot& cta, uint8_t id, int64_t now) {
  cta.bar_arrived[id] = 0;
  for (uint16_t slot : cta.warp_slots) {
    Warp& w = warps_[slot];
    if (w.state != Warp::State::kBarrier || w.bar_id != id) continue;
    w.state = Warp::State::kActive;
    w.min_issue = std::max(w.min_issue, now + 1);
    w.dirty = true;
    wake_subcore(w.subcore, now + 1);
  }
}

void Sm::issue_gmma(Warp& w, const trace::Instruction& inst, const OpTiming& t, int64_t now) {
  Warp::PendingGmma& p = w.gq[(w.gq_head + w.gq_count) % kGmmaQueue];
  p.n = 0;
  for (int i = 0; i < inst.num_dst; ++i) {
    if (inst.dst[i] == trace::kZeroReg) continue;
    p.regs[p.n++] = inst.dst[i];
    w.ready[reg_slot(inst.dst[i])] = kNever;
  }
  if (!w.group_open) {
    w.groups[w.g_next % kGmmaGroups] = {};
    ++w.g_next;
    w.group_open = true;
  }
  p.group = w.g_next - 1;
  ++w.groups[p.group % kGmmaGroups].unlaunched;
  ++w.gq_count;
  ++w.gmma_unlaunched;
  ++w.gmma_issued;
  CtaSlot& cta = ctas_[w.cta_slot];
  const uint32_t group = w.index_in_cta / 4;
  const size_t first = size_t{group} * 4;
  const size_t last = std::min(first + 4, cta.warp_slots.size());
  uint16_t min_issued = 0xFFFF;
  for (size_t i = first; i < last; ++i)
    min_issued = std::min(min_issued, warps_[cta.warp_slots[i]].gmma_issued);
  while (cta.gmma_launched[group] < min_issued) launch_gmma(cta, group, t, now);
}

int64_t Sm::gmma_wait_time(Warp& w, uint32_t n, int64_t now) {
  while (w.g_first < w.g_next) {
    const Warp::GmmaGroup& g = w.groups[w.g_first % kGmmaGroups];
    if (g.unlaunched != 0 || g.done_at > now) break;
    if (w.g_first + 1 == w.g_next) w.group_open = false;  // a completed group takes no more GMMAs
    ++w.g_first;
  }
  if (w.g_next - w.g_first <= n) return 0;
  const Warp::GmmaGroup& g = w.groups[(w.g_next - 1 - n) % kGmmaGroups];
  return g.unlaunched != 0 ? kNever : g.done_at;
}

void Sm::launch_gmma(CtaSlot& cta, uint32_t group, const OpTiming& t, int64_t now) {
  int64_t start = now * kQ;
  for (const auto& sc : subcores_)
    start = std::max(start, sc.busy_q[static_cast<size_t>(Pipe::kTensor)]);
  const int64_t end_q = start + t.occupancy_q;
  for (auto& sc : subcores_) sc.busy_q[static_cast<size_t>(Pipe::kTensor)] = end_q;
  const int64_t done = (end_q + kQ - 1) / kQ + t.latency;
  const size_t first = size_t{group} * 4;
  const size_t last = std::min(first + 4, cta.warp_slots.size());
  for (size_t i = first; i < last; ++i) {
    Warp& w = warps_[cta.warp_slots[i]];
    const Warp::PendingGmma& p = w.gq[w.gq_head];
    for (int r = 0; r < p.n; ++r) w.ready[reg_slot(p.regs[r])] = done;
    Warp::GmmaGroup& g = w.groups[p.group % kGmmaGroups];
    --g.unlaunched;
    g.done_at = std::max(g.done_at, done);
    w.gq_head = static_cast<uint8_t>((w.gq_head + 1) % kGmmaQueue);
    --w.gq_count;
    --w.gmma_unlaunched;
    w.gmma_done_at = std::max(w.gmma_done_at, done);
    w.drain_at = std::max(w.drain_at, done);
    w.dirty = true;
    wake_subcore(w.subcore, now + 1);
  }
  ++cta.gmma_launched[group];
  counts_.tensor_flops[static_cast<size_t>(t.tensor_type)] += t.flops;
  if (t.sparse) counts_.tensor_sparse_flops[static_cast<size_t>(t.tensor_type)] += t.flops;
}

}  // namespace joulesim::gpu
