// The engine: kernels in stream order, CTA dispatch, the core-clock loop with idle skipping,
// memory-hierarchy advancement, activity snapshots and deadlock detection.
#include <algorithm>
#include <memory>

#include "core/error.hpp"
#include "gpu/gpu.hpp"
#include "gpu/op_timing.hpp"
#include "gpu/sm.hpp"

namespace joulesim::gpu {

namespace {

using stats::Counter;

class Engine {
 public:
  Engine(const config::GpuSpec& spec, const SimOptions& opt)
      : spec_(spec), opt_(opt), mem_(spec, counts_), period_(period_of_mhz(spec.core_mhz()).value) {
    if (spec.core.sm_count == 0) throw ConfigError("core.sm_count: must be at least 1");
    if (period_ <= 0) throw ConfigError("clocks.core_mhz: must be positive and below 1e6");
    for (uint32_t i = 0; i < spec.core.sm_count; ++i) {
      sms_.push_back(std::make_unique<Sm>(static_cast<uint16_t>(i), spec, counts_, mem_));
      sms_.back()->set_signal_queue(&signals_);
    }
    // GPCs of whole TPCs: SM i in TPC i / P, TPC t of T in GPC t * G / T (as even a split as
    // the counts allow).
    const uint32_t n = spec.core.sm_count, per = std::max<uint32_t>(1, spec.core.sms_per_tpc);
    const uint32_t tpcs = (n + per - 1) / per, g = std::clamp<uint32_t>(spec.core.gpcs, 1, tpcs);
    gpc_sms_.resize(g);
    for (uint32_t i = 0; i < n; ++i)
      gpc_sms_[uint64_t{i / per} * g / tpcs].push_back(static_cast<uint16_t>(i));
    gpc_rr_.assign(g, 0);
    wake_.assign(sms_.size(), kNever);
    is_active_.assign(sms_.size(), false);
    active_.reserve(sms_.size());
    snapshots_ = opt.snapshot_interval.value > 0 && opt.on_snapshot;
    next_snap_ps_ = opt.snapshot_interval.value;
    if (spec.l2.per_die != 0 && spec.core.dies > 1) {
      die_sms_.resize(spec.core.dies);
      for (uint32_t i = 0; i < spec.core.sm_count; ++i)
        die_sms_[mem_.die_of_sm(static_cast<uint16_t>(i))].push_back(static_cast<uint16_t>(i));
      die_rr_.assign(spec.core.dies, 0);
    }
  }

  report::RunResult run(trace::TraceSource& source) {
    report::RunResult result;
    trace::TraceCommand cmd;
    while (source.next(cmd)) {
      if (cmd.kind == trace::TraceCommand::Kind::kKernel)
        result.kernels.push_back(run_kernel(*cmd.kernel));
    }
    if (snapshots_) opt_.on_snapshot(Picoseconds{now_ * period_}, counts_);
    return result;
  }

 private:
  report::KernelResult run_kernel(trace::KernelReader& reader) {
    const trace::KernelInfo& info = reader.info();
    const Occupancy occ = occupancy(spec_, info);
    ops_.clear();
    statics_.clear();
    decode_new_opcodes(reader.opcodes(), spec_, info.name, ops_);
    for (size_t i = 0; i < sms_.size(); ++i) {
      sms_[i]->begin_kernel(&ops_, &reader.opcodes(), &info, &statics_, occ.ctas_per_sm);
      sms_[i]->flush_l1();
      wake_[i] = sms_[i]->quiet() ? kNever : now_;
      if (!sms_[i]->quiet()) activate(i);
    }
    const stats::ActivityCounts start_counts = counts_;
    const int64_t start = now_;
    reader_ = &reader;
    more_ctas_ = true;
    rr_ = 0;
    next_die_ = 0;
    std::fill(die_rr_.begin(), die_rr_.end(), 0);
    clustered_ = info.cluster_ctas() > 1;
    if (clustered_) begin_clusters(info, occ);
    dispatch(now_);
    int64_t last_progress = now_;
    uint32_t resident = prune_and_count_resident();

    for (;;) {
      if (snapshots_ && now_ * period_ >= next_snap_ps_) take_snapshot();
      const Picoseconds now_ps{now_ * period_};
      mem_.advance_to(now_ps);
      bool progress = false;
      for (uint16_t i : mem_.take_sms_with_responses()) {
        if (sms_[i]->poll_responses(now_, now_ps)) {
          wake_[i] = now_;
          progress = true;
        }
      }
      while (signals_.next_at() <= now_) {  // SM-to-SM network (remote mbarrier arrives)
        const RemoteSignal sig = signals_.pop();
        sms_[sig.sm]->remote_arrive(sig, now_);
        wake_[sig.sm] = now_;
        activate(sig.sm);
        progress = true;
      }
      bool freed = false;
      for (uint16_t i : active_) {
        if (wake_[i] > now_) continue;
        wake_[i] = sms_[i]->tick(now_, now_ps);
        progress |= sms_[i]->progressed();
        freed |= sms_[i]->take_finished_ctas() > 0;
      }
      if (freed && more_ctas_) progress |= dispatch(now_ + 1);
      const uint32_t resident_after = prune_and_count_resident();
      if (!more_ctas_ && active_.empty() && mem_.idle() && signals_.empty()) {
        account(1, resident);
        ++now_;
        break;
      }
      int64_t next = kNever;
      for (uint16_t i : active_) next = std::min(next, wake_[i]);
      if (!mem_.idle()) next = std::min(next, mem_cycle(mem_.next_event()));
      next = std::min(next, signals_.next_at());
      next = std::max(next, now_ + 1);
      if (progress) last_progress = now_;
      if (next == kNever)
        throw deadlock(info, "no warp can ever issue again and no memory request is in flight");
      if (next - last_progress > opt_.deadlock_cycles) {
        now_ = std::max(now_, last_progress + opt_.deadlock_cycles);
        throw deadlock(info,
                       "no progress for " + std::to_string(opt_.deadlock_cycles) + " core cycles");
      }
      if (snapshots_)
        next = std::min(next, std::max(now_ + 1, mem_cycle(Picoseconds{next_snap_ps_})));
      account(1, resident);
      account(next - now_ - 1, resident_after);
      resident = resident_after;
      now_ = next;
    }

    // Bring the memory clocks to the kernel's end so its DRAM cycles (background energy) are
    // counted in this kernel, not in the next one.
    mem_.advance_to(Picoseconds{now_ * period_});
    report::KernelResult k;
    k.name = info.name;
    k.id = info.id;
    k.cycles = static_cast<uint64_t>(now_ - start);
    k.time_ps = (now_ - start) * period_;
    k.counts = counts_ - start_counts;
    reader_ = nullptr;
    return k;
  }

  /// Makes the staged CTA resident on SM @p i, first issuing at @p at + the launch latency.
  void place(size_t i, int64_t at) {
    // Streaming readers intern opcodes as they go: decode any the new CTA brought.
    if (reader_->opcodes().size() != ops_.size()) {
      decode_new_opcodes(reader_->opcodes(), spec_, reader_->info().name, ops_);
    }
    const int64_t first_issue = at + spec_.core.cta_launch_cycles;
    if (opt_.on_cta_dispatch) opt_.on_cta_dispatch(staged_.id, static_cast<uint16_t>(i), at);
    sms_[i]->start_cta(staged_, first_issue);
    wake_[i] = std::min(wake_[i], first_issue);
    activate(i);
  }

  /// Hands out CTAs while SMs have room: breadth-first (one per SM per round, round robin), or,
  /// with one L2 per die, CTA c to die c mod dies (round robin over the SMs of that die).
  bool dispatch(int64_t at) {
    if (clustered_) return dispatch_clusters(at);
    if (!die_sms_.empty()) return dispatch_by_die(at);
    bool any = false;
    const size_t n = sms_.size();
    bool placed = true;
    while (more_ctas_ && placed) {
      placed = false;
      const size_t first = rr_;
      for (size_t k = 0; k < n && more_ctas_; ++k) {
        const size_t i = (first + k) % n;
        Sm& sm = *sms_[i];
        if (!sm.has_free_cta_slot()) continue;
        if (!reader_->next_cta(staged_)) {
          more_ctas_ = false;
          break;
        }
        place(i, at);
        placed = any = true;
        rr_ = (i + 1) % n;
      }
    }
    return any;
  }

  /// MI300X-style dispatch: workgroups go to the dies (XCDs) in strict round robin, workgroup c
  /// to die c mod dies (AMD's MI300X tuning guides and XCD-remapping GEMM libraries describe
  /// this order), so consecutive workgroups never share an L2. In order: a workgroup whose die
  /// has no free CU waits (and so do the ones after it) even if other dies have room.
  bool dispatch_by_die(int64_t at) {
    bool any = false;
    while (more_ctas_) {
      const std::vector<uint16_t>& sms = die_sms_[next_die_];
      size_t& rr = die_rr_[next_die_];
      size_t k = 0;
      while (k < sms.size() && !sms_[sms[(rr + k) % sms.size()]]->has_free_cta_slot()) ++k;
      if (k == sms.size()) break;
      if (!reader_->next_cta(staged_)) {
        more_ctas_ = false;
        break;
      }
      const size_t pick = (rr + k) % sms.size();
      place(sms[pick], at);
      rr = (pick + 1) % sms.size();
      next_die_ = (next_die_ + 1) % die_sms_.size();
      any = true;
    }
    return any;
  }

  /// A cluster kernel: checks that one cluster fits in a GPC at all.
  void begin_clusters(const trace::KernelInfo& info, const Occupancy& occ) {
    if (std::string e = trace::cluster_shape_error(info); !e.empty())
      throw Error("kernel '" + info.name + "' (id " + std::to_string(info.id) + "): " + e);
    const uint32_t c = info.cluster_ctas();
    size_t largest = 0;
    for (const auto& g : gpc_sms_) largest = std::max(largest, g.size());
    if (uint64_t{largest} * occ.ctas_per_sm < c) {
      throw Error("kernel '" + info.name + "' (id " + std::to_string(info.id) +
                  "): a thread-block cluster of " + std::to_string(c) +
                  " CTAs cannot fit in one GPC: the largest has " + std::to_string(largest) +
                  " SMs (core.sm_count " + std::to_string(spec_.core.sm_count) +
                  " over core.gpcs " + std::to_string(gpc_sms_.size()) + ") x " +
                  std::to_string(occ.ctas_per_sm) + " CTA(s) per SM by occupancy = " +
                  std::to_string(uint64_t{largest} * occ.ctas_per_sm) + " CTA slots");
    }
    gather_.begin(info);
    cluster_.clear();
    std::fill(gpc_rr_.begin(), gpc_rr_.end(), 0);
    gpc_next_ = 0;
  }

  /// Cluster launch: whole clusters in trace order, each on SMs of one GPC (GPCs taken round
  /// robin; within a GPC one CTA per SM per pass, round robin, as the CTAs without clusters).
  /// A cluster waits until some GPC has room for all of it; later clusters wait behind it.
  bool dispatch_clusters(int64_t at) {
    bool any = false;
    const size_t ngpc = gpc_sms_.size();
    while (more_ctas_) {
      if (cluster_.empty() && !gather_.next(*reader_, cluster_, [&] {
            if (reader_->opcodes().size() != ops_.size())
              decode_new_opcodes(reader_->opcodes(), spec_, reader_->info().name, ops_);
          })) {
        more_ctas_ = false;
        break;
      }
      const auto c = static_cast<uint32_t>(cluster_.size());
      size_t g = ngpc;
      for (size_t k = 0; k < ngpc && g == ngpc; ++k) {
        const size_t cand = (gpc_next_ + k) % ngpc;
        uint64_t room = 0;
        for (uint16_t i : gpc_sms_[cand]) room += sms_[i]->free_cta_slots();
        if (room >= c) g = cand;
      }
      if (g == ngpc) break;  // no GPC has room for the whole cluster yet
      const std::vector<uint16_t>& sms = gpc_sms_[g];
      peers_.clear();
      size_t pos = gpc_rr_[g];
      const int64_t first_issue = at + spec_.core.cta_launch_cycles;
      for (uint32_t r = 0; r < c; ++pos) {
        const uint16_t i = sms[pos % sms.size()];
        if (!sms_[i]->has_free_cta_slot()) continue;
        if (opt_.on_cta_dispatch) opt_.on_cta_dispatch(cluster_[r]->id, i, at);
        const uint16_t slot = sms_[i]->start_cta(*cluster_[r], first_issue);
        peers_.push_back({i, slot, sms_[i]->cta_generation(slot)});
        wake_[i] = std::min(wake_[i], first_issue);
        activate(i);
        ++r;
      }
      gpc_rr_[g] = pos % sms.size();
      for (uint32_t r = 0; r < c; ++r) sms_[peers_[r].sm]->set_cluster(peers_[r].slot, r, peers_);
      gpc_next_ = (g + 1) % ngpc;
      gather_.release(cluster_);
      cluster_.clear();
      any = true;
    }
    return any;
  }

  /// SMs with resident warps, queued requests or requests in flight: the only ones the loop
  /// visits (in index order, for determinism), so idle SMs cost nothing per cycle.
  void activate(size_t i) {
    if (is_active_[i]) return;
    is_active_[i] = true;
    active_.insert(std::lower_bound(active_.begin(), active_.end(), static_cast<uint16_t>(i)),
                   static_cast<uint16_t>(i));
  }

  /// Drops SMs that have nothing left to do from active_; returns the SMs with resident warps.
  uint32_t prune_and_count_resident() {
    uint32_t resident = 0;
    size_t kept = 0;
    for (uint16_t i : active_) {
      const Sm& sm = *sms_[i];
      if (sm.has_resident_warps()) ++resident;
      if (sm.has_resident_warps() || !sm.quiet() || sm.inflight() > 0) {
        active_[kept++] = i;
      } else {
        is_active_[i] = false;
        wake_[i] = kNever;
      }
    }
    active_.resize(kept);
    return resident;
  }

  /// First core cycle at or after @p t.
  int64_t mem_cycle(Picoseconds t) const {
    if (t.value >= kNever - period_) return kNever;
    return (t.value + period_ - 1) / period_;
  }

  void account(int64_t cycles, uint32_t resident) {
    if (cycles <= 0) return;
    const auto c = static_cast<uint64_t>(cycles);
    counts_[Counter::kCoreCycles] += c;
    counts_[Counter::kSmActiveCycles] += c * resident;
    counts_[Counter::kSmIdleCycles] += c * (sms_.size() - resident);
  }

  void take_snapshot() {
    const int64_t t = now_ * period_;
    opt_.on_snapshot(Picoseconds{t}, counts_);
    const int64_t iv = opt_.snapshot_interval.value;
    next_snap_ps_ = (t / iv + 1) * iv;
  }

  Error deadlock(const trace::KernelInfo& info, const std::string& what) const {
    std::string msg = "deadlock: " + what + " (kernel '" + info.name + "' id " +
                      std::to_string(info.id) + ", at core cycle " + std::to_string(now_) +
                      ")\nstuck warps:\n";
    size_t budget = 8;
    for (const auto& sm : sms_) {
      if (budget == 0) break;
      if (!sm->has_resident_warps() && sm->quiet()) continue;
      const std::string s = sm->describe_stuck(now_, std::min<size_t>(budget, 4));
      msg += s;
      budget -= std::min<size_t>(budget, static_cast<size_t>(std::count(s.begin(), s.end(), '\n')));
    }
    msg += "memory: " + mem_.describe_oldest();
    return Error(msg);
  }

  const config::GpuSpec& spec_;
  const SimOptions& opt_;
  stats::ActivityCounts counts_;
  mem::MemoryHierarchy mem_;
  std::vector<std::unique_ptr<Sm>> sms_;
  std::vector<int64_t> wake_;
  std::vector<uint16_t> active_;
  std::vector<bool> is_active_;
  int64_t period_;
  int64_t now_ = 0;
  trace::KernelReader* reader_ = nullptr;
  std::vector<OpTiming> ops_;  ///< decoded opcodes of the current kernel (grows as CTAs are read)
  StaticTable statics_;        ///< static instructions of the current kernel's resident CTAs
  trace::CtaTrace staged_;     ///< the CTA being read; its storage is reused (stays in cache)
  bool more_ctas_ = false;
  size_t rr_ = 0;
  /// Per-die dispatch (l2.per_die with several dies): each die's SMs, its round-robin position,
  /// and the die the next CTA goes to. Empty otherwise.
  std::vector<std::vector<uint16_t>> die_sms_;
  std::vector<size_t> die_rr_;
  size_t next_die_ = 0;
  // Thread-block clusters.
  bool clustered_ = false;
  std::vector<std::vector<uint16_t>> gpc_sms_;  ///< SMs of each GPC, ascending
  std::vector<size_t> gpc_rr_;                  ///< per GPC: where its next round robin starts
  size_t gpc_next_ = 0;                         ///< GPC tried first for the next cluster
  ClusterGather gather_;
  std::vector<trace::CtaTrace*> cluster_;  ///< the next cluster to place (empty: read one)
  std::vector<ClusterPeer> peers_;
  SignalQueue signals_;
  bool snapshots_ = false;
  int64_t next_snap_ps_ = 0;
};

}  // namespace

report::RunResult simulate(const config::GpuSpec& spec, trace::TraceSource& source,
                           const SimOptions& options) {
  Engine engine(spec, options);
  return engine.run(source);
}

}  // namespace joulesim::gpu
