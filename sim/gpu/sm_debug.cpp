// SM: human-readable state of stuck warps, for deadlock reports (cold path).
#include <algorithm>
#include <cstdio>

#include "gpu/sm.hpp"

namespace joulesim::gpu {

namespace {
std::string reg_name(uint16_t r) {
  std::string s;
  if (r < trace::kUniformBase)
    s.append("R").append(std::to_string(r));
  else if (r < trace::kScalarBase)
    s.append("UR").append(std::to_string(r - trace::kUniformBase));
  else if (r < trace::kAccBase)
    s.append("s").append(std::to_string(r - trace::kScalarBase));
  else
    s.append("a").append(std::to_string(r - trace::kAccBase));
  return s;
}

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}
}  // namespace

std::string Sm::describe_stuck(int64_t now, size_t max_warps) const {
  // Oldest warps first: the first line names the warp everything else most likely waits on.
  std::vector<uint16_t> slots;
  for (uint16_t s = 0; s < warps_.size(); ++s) {
    if (warps_[s].state != Warp::State::kFree) slots.push_back(s);
  }
  std::sort(slots.begin(), slots.end(),
            [&](uint16_t a, uint16_t b) { return warps_[a].age < warps_[b].age; });
  std::string out;
  size_t shown = 0;
  for (uint16_t s : slots) {
    if (shown == max_warps) {
      out += "  ... and " + std::to_string(slots.size() - shown) + " more warps on SM " +
             std::to_string(id_) + "\n";
      break;
    }
    const Warp& w = warps_[s];
    const CtaSlot& cta = ctas_[w.cta_slot];
    const auto& id = cta.cta.id;
    std::string line = "  SM " + std::to_string(id_) + " CTA (" + std::to_string(id.x) + "," +
                       std::to_string(id.y) + "," + std::to_string(id.z) + ") warp " +
                       std::to_string(cta.cta.warps[w.index_in_cta].warp_in_cta) + ": ";
    if (w.state == Warp::State::kFinishing) {
      line += "finished its instructions, waiting for " + std::to_string(w.loads_out) +
              " loads and " + std::to_string(w.gmma_unlaunched) + " unlaunched GMMAs to complete";
    } else {
      // A warp at a barrier has already issued its BAR: name that instruction.
      const trace::Instruction& inst =
          stat(w.state == Warp::State::kBarrier ? *(w.next - 1) : *w.next);
      const OpTiming& t = (*ops_)[inst.opcode];
      line += "PC " + hex(inst.pc) + " " + (*opcodes_)[inst.opcode].name + " waits on ";
      std::string why;
      if (w.state == Warp::State::kBarrier) {
        why = "barrier " + std::to_string(w.bar_id) + " (" +
              std::to_string(cta.bar_arrived[w.bar_id]) + " of " + std::to_string(cta.alive) +
              " live warps arrived)";
      } else if (t.kind == OpKind::kWgWait && w.gmma_unlaunched > 0) {
        why = std::to_string(w.gmma_unlaunched) + " GMMAs its warpgroup has not all issued (" +
              std::to_string(w.g_next - w.g_first) + " groups incomplete, allowed " +
              std::to_string(inst.immediate) + ")";
      } else if (t.kind == OpKind::kMbarWait && mbar_blocked(w)) {
        const uint64_t a = first_address(w, *w.next);
        const Mbarrier& m = cta.mbar[(a >> 3) % kMbarriers];
        why = "mbarrier " + hex(a) + " phase parity " + std::to_string(inst.immediate & 1) + " (" +
              std::to_string(m.pending) + " of " + std::to_string(m.expected) + " arrivals and " +
              std::to_string(m.tx) + " transaction bytes missing)";
      } else if (t.kind == OpKind::kCpWait || t.kind == OpKind::kCpCommit) {
        why = std::to_string(w.cp_commit - w.cp_first) + " committed cp.async groups pending";
      } else if (t.kind == OpKind::kTmemAlloc) {
        why = "Tensor Memory: " + std::to_string(inst.immediate) + " columns wanted, " +
              std::to_string(tmem_used_) + " of " + std::to_string(kTmemColumns) +
              " held by resident CTAs (this one " + std::to_string(cta.tmem_cols) + ")";
      } else if (t.kind == OpKind::kGmma && w.gq_count == kGmmaQueue) {
        why = "its warpgroup to issue earlier GMMAs (queue full)";
      } else if ((t.kind == OpKind::kMemWait || t.kind == OpKind::kWgArrive ||
                  t.kind == OpKind::kExit) &&
                 w.loads_out > 0) {
        why = std::to_string(w.loads_out) + " outstanding loads";
      } else if (t.kind == OpKind::kWaitCnt || t.kind == OpKind::kExit) {
        why = "s_waitcnt: vmcnt " + std::to_string(w.vm_issued - w.vm_retired) + ", lgkmcnt " +
              std::to_string(w.lgkm_issued - w.lgkm_retired) + " outstanding (immediate " +
              hex(inst.immediate) + "), " + std::to_string(w.stores_out) + " stores unacknowledged";
      } else {
        for (int i = 0; i < inst.num_src + inst.num_dst && why.empty(); ++i) {
          const uint16_t r = i < inst.num_src ? inst.src[i] : inst.dst[i - inst.num_src];
          if (r == trace::kZeroReg) continue;
          const int64_t ready = w.ready[reg_slot(r)];
          if (ready == kNever)
            why = "register " + reg_name(r) + " (load or GMMA result not returned)";
          else if (ready > now)
            why = "register " + reg_name(r) + " (ready at cycle " + std::to_string(ready) + ")";
        }
        if (why.empty() && (t.kind == OpKind::kGlobal || t.kind == OpKind::kAtomic) &&
            !lsu_.empty()) {
          why =
              "the L1 port (" + std::to_string(lsu_.size()) + " line requests queued, L1 stalled?)";
        }
        if (why.empty()) why = "nothing visible (pipe or issue slot)";
      }
      line += why;
    }
    out += line + "\n";
    ++shown;
  }
  if (!lsu_.empty() || !outbound_.empty()) {
    out += "  SM " + std::to_string(id_) + ": " + std::to_string(lsu_.size()) +
           " requests queued for L1, " + std::to_string(outbound_.size()) +
           " waiting to enter the NoC, " + std::to_string(inflight_) + " in flight below L1\n";
  }
  return out;
}

}  // namespace joulesim::gpu
