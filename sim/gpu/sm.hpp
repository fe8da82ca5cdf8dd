#pragma once
/// @file
/// One streaming multiprocessor: sub-cores with warp schedulers, scoreboards, register-file banks
/// and pipes; the tensor units; the shared-memory pipe; the LD/ST path into its L1; CTA slots
/// with barriers and warpgroup (GMMA) state. Internal to the gpu subsystem.
#include <array>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "config/gpu_spec.hpp"
#include "gpu/cluster.hpp"
#include "gpu/gpu.hpp"
#include "gpu/op_timing.hpp"
#include "gpu/resident_cta.hpp"
#include "gpu/ring_queue.hpp"
#include "mem/memory.hpp"
#include "stats/activity.hpp"
#include "trace/acc_registers.hpp"
#include "trace/trace.hpp"

namespace joulesim::gpu {

inline constexpr int64_t kNever = std::numeric_limits<int64_t>::max();
/// Response-id bit of TMA bulk-copy lines (with bit 31, the bypass bit): bits 8..15 the CTA slot,
/// bits 0..7 the mbarrier index.
inline constexpr uint32_t kBulkBit = 0x40000000u;
/// With kBulkBit: a multicast line delivered to a CTA other than the one whose SM requested it
/// (that SM holds the request's credits and counts it in flight; the receiver does not).
inline constexpr uint32_t kPeerBit = 0x20000000u;
using trace::kClusterRankShift;
/// Outstanding loads per SM (64 warps x 16); a load finding none free waits.
inline constexpr size_t kMemOpsPerSm = 1024;

/// Scoreboard slots per warp: R0..R255 (0..255), UR0..UR63 (256..319), s0..s190 (320..510),
/// a0..a255 (511..766), and one overflow slot (767) for anything else, so a stray index only adds
/// a false dependency.
inline constexpr uint32_t kRegSlots = 768;
inline uint32_t reg_slot(uint16_t r) {
  if (r < 320) return r;
  if (r >= trace::kScalarBase && r < trace::kScalarBase + 191) return r - trace::kScalarBase + 320;
  if (r >= trace::kAccBase && r < trace::kAccBase + 256) return r - trace::kAccBase + 511;
  return kRegSlots - 1;
}

/// AMD wave counters: vmcnt has 6 bits (at most 63 outstanding vector-memory ops), lgkmcnt 4 bits
/// (15 LDS / scalar-memory ops); a wave whose counter is full stalls before issuing another.
inline constexpr uint32_t kVmCnt = 64;
inline constexpr uint32_t kLgkmCnt = 16;

/// Outstanding GMMAs a warp may have issued before its warpgroup launched them.
inline constexpr uint32_t kGmmaQueue = 4;
/// Incomplete GMMA groups a warp may have (a group: the GMMAs after one WARPGROUP.ARRIVE).
inline constexpr uint32_t kGmmaGroups = 16;

/// cp.async groups a warp may have open or committed and not yet retired (LDGDEPBAR waits for a
/// slot beyond this).
inline constexpr uint32_t kCpGroups = 8;
/// mbarriers per CTA the model tracks (indexed by shared address / 8 modulo this; a second live
/// barrier on the same index is an error naming both addresses).
inline constexpr uint32_t kMbarriers = 32;
/// Shared-memory instructions a sub-core holds waiting for the SM's shared-memory pipe before a
/// further one stalls at issue (NVIDIA): Huerta et al., MICRO 2025, "Dissecting and Modeling the
/// Architecture of Modern GPU Cores", section 5.4 and Table 1 (Ampere): five consecutive memory
/// instructions issue back to back, a 4-entry queue plus one latch.
inline constexpr uint32_t kMioQueue = 5;
/// Bulk copies an SM's TMA unit queues before a further UTMALDG waits (assumed).
inline constexpr size_t kBulkQueue = 32;

/// One resident warp. The fields every issue attempt reads come first, so one cache line serves
/// a check; the rest is read on issue, on events and for diagnostics.
struct alignas(64) Warp {
  enum class State : uint8_t { kFree, kActive, kBarrier, kFinishing };
  // --- hot: read by every issue attempt (first cache line) ---
  const DynInst* next = nullptr;
  const DynInst* end = nullptr;
  int64_t ready_at = 0;   ///< cached: cycle the next instruction's operands are ready
  int64_t min_issue = 0;  ///< at most one instruction per warp per cycle; barrier release
  int64_t* ready =
      nullptr;             ///< scoreboard: cycle each register slot is written (kNever: in flight)
  uint32_t loads_out = 0;  ///< loads/atomics whose data has not returned
  uint16_t gmma_unlaunched = 0;  ///< GMMAs issued but waiting for the rest of the warpgroup
  State state = State::kFree;
  bool dirty = true;  ///< ready_at must be recomputed
  uint8_t gq_count = 0;
  uint8_t subcore = 0;
  uint16_t cta_slot = 0;
  OpKind next_kind = OpKind::kNop;  ///< of *next, cached with ready_at (no trace read per check)
  Pipe next_pipe = Pipe::kNone;
  // --- warm: read on issue and completion ---
  const uint64_t* addrs = nullptr;
  int64_t drain_at = 0;      ///< latest known write of any kind
  int64_t alu_drain_at = 0;  ///< latest known write other than a GMMA accumulator
  int64_t gmma_done_at = 0;  ///< completion of the latest launched GMMA
  int64_t tc_done_at = 0;    ///< completion of the latest tcgen05.mma this warp issued
  uint64_t age = 0;          ///< dispatch order (GTO's "oldest")
  uint16_t gmma_issued = 0;
  uint16_t index_in_cta = 0;
  uint8_t bar_id = 0;
  uint8_t gq_head = 0;
  bool group_open = false;  ///< the next GMMA joins group g_next - 1
  uint32_t g_first = 0, g_next = 0;
  /// Operand reuse cache: per source-operand slot, one entry per register bank (bank mod 2),
  /// holding register + 1 (0: empty). See Sm::read_operands.
  std::array<std::array<uint16_t, 2>, trace::kMaxSrc> rfc{};
  // --- AMD s_waitcnt counters (CDNA kernels): completion time of each op in issue order
  // (kNever until known); the counter retires in order, so it is issued - retired. ---
  uint32_t stores_out = 0;  ///< AMD stores / no-return atomics awaiting their acknowledgement
  uint32_t vm_issued = 0, vm_retired = 0;
  uint32_t lgkm_issued = 0, lgkm_retired = 0;
  std::array<int64_t, kVmCnt> vm_done{};
  std::array<int64_t, kLgkmCnt> lgkm_done{};
  // --- cp.async (LDGSTS) groups: [cp_first, cp_commit) committed, cp_commit the open one ---
  uint32_t cp_first = 0, cp_commit = 0;
  std::array<uint16_t, kCpGroups> cp_pending{};  ///< LDGSTS ops not yet landed, per group
  /// Per group: mbarrier index to arrive on once it and all older groups landed (0xFF: none).
  std::array<uint8_t, kCpGroups> cp_arrive{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
  // --- cold: warpgroup MMA bookkeeping ---
  struct PendingGmma {
    uint8_t n = 0;
    std::array<uint16_t, trace::kMaxDst> regs{};
    uint32_t group = 0;
  };
  std::array<PendingGmma, kGmmaQueue> gq{};
  /// GMMA groups, oldest first: groups[g % kGmmaGroups] for g in [g_first, g_next). Groups
  /// complete in order (one tensor queue per SM), so done_at is non-decreasing.
  struct GmmaGroup {
    uint16_t unlaunched = 0;
    int64_t done_at = 0;
  };
  std::array<GmmaGroup, kGmmaGroups> groups{};
};

/// A shared-memory mbarrier (PTX mbarrier): a phase completes when its pending arrivals and its
/// transaction bytes both reach zero; then the phase count advances and arrivals re-arm.
struct Mbarrier {
  uint64_t addr = 0;
  uint32_t expected = 0;  ///< arrivals per phase (0: never initialised: waits pass)
  uint32_t pending = 0;   ///< arrivals still missing in the current phase
  int64_t tx = 0;         ///< transaction bytes expected minus bytes landed (may go negative)
  uint32_t phases = 0;    ///< completed phases (the current phase's parity is phases & 1)
};

struct CtaSlot {
  bool busy = false;
  uint32_t gen = 0;  ///< counts the CTAs this slot has held (remote signals name it)
  /// Thread-block cluster: this CTA's rank, the cluster's size and where each rank lives.
  uint8_t cluster_rank = 0, cluster_size = 1;
  std::array<ClusterPeer, trace::kMaxClusterCtas> peers{};
  std::array<Mbarrier, kMbarriers> mbar{};
  uint32_t bulk_out = 0;    ///< bulk-copy line requests of this CTA not yet landed
  uint32_t tc_pending = 0;  ///< tcgen05.commit arrivals scheduled on its mbarriers, not yet made
  uint32_t tmem_cols = 0;   ///< Tensor Memory columns it holds (tcgen05.alloc)
  ResidentCta cta;
  std::vector<uint16_t> warp_slots;  ///< by index in cta.warps
  uint32_t unfinished = 0;           ///< warps not yet retired
  uint32_t alive = 0;                ///< warps that have not issued their last instruction
  std::array<uint32_t, 16> bar_arrived{};
  std::vector<uint16_t> gmma_launched;  ///< per warpgroup
};

/// An outstanding load (or atomic with a result): its destination registers wait for its data.
struct MemOp {
  uint16_t warp = 0;
  uint16_t gen = 0;
  uint8_t ndst = 0;
  bool active = false;
  bool load = true;  ///< counts in the warp's loads_out (false: an AMD store or no-return atomic)
  bool vm = false;   ///< counts in the warp's vmcnt (CDNA), as entry vm_seq
  bool cp = false;   ///< LDGSTS: counts in cp.async group cp_group of its warp
  uint8_t cp_group = 0;
  uint32_t vm_seq = 0;
  std::array<uint16_t, trace::kMaxDst> dst{};
  uint32_t unaccepted = 0;  ///< line requests not yet taken by L1
  uint32_t misses = 0;      ///< accepted requests waiting for a fill/response
  int64_t ready = 0;        ///< latest hit data time
};

class Sm {
 public:
  Sm(uint16_t id, const config::GpuSpec& spec, stats::ActivityCounts& counts,
     mem::MemoryHierarchy& mem);
  ~Sm();
  Sm(const Sm&) = delete;
  Sm& operator=(const Sm&) = delete;

  /// New kernel: decoded opcodes, its opcode table (for diagnostics), the table its CTAs' static
  /// instructions are interned into (shared by the SMs), resident-CTA limit.
  void begin_kernel(const std::vector<OpTiming>* ops, const trace::OpcodeTable* opcodes,
                    const trace::KernelInfo* info, StaticTable* statics, uint32_t ctas_limit);
  bool has_free_cta_slot() const { return resident_ctas_ < ctas_limit_; }
  uint32_t free_cta_slots() const {
    return resident_ctas_ < ctas_limit_ ? ctas_limit_ - resident_ctas_ : 0;
  }
  /// Makes @p cta resident (copied in compact form; see make_resident); its warps may issue from @p
  /// now. Returns its CTA slot.
  uint16_t start_cta(trace::CtaTrace& cta, int64_t now);
  uint32_t cta_generation(uint16_t slot) const { return ctas_[slot].gen; }
  /// The CTA in @p slot is rank @p rank of a cluster whose CTAs live at @p peers (by rank).
  void set_cluster(uint16_t slot, uint32_t rank, const std::vector<ClusterPeer>& peers);
  /// Where remote signals (SM-to-SM network) are posted; set by the engine.
  void set_signal_queue(SignalQueue* q) { signals_ = q; }
  /// Delivers a remote mbarrier arrive (one arrival) to its CTA.
  void remote_arrive(const RemoteSignal& s, int64_t now);

  /// Pops memory responses that have arrived (after the hierarchy advanced to @p now).
  /// True if any arrived.
  bool poll_responses(int64_t now, Picoseconds now_ps);
  /// One core cycle: issue, L1 port, sends. Returns the next cycle this SM needs a tick.
  int64_t tick(int64_t now, Picoseconds now_ps);

  bool progressed() const { return progressed_; }  ///< the last tick issued or moved a request
  uint32_t take_finished_ctas() {
    uint32_t n = finished_ctas_;
    finished_ctas_ = 0;
    return n;
  }
  bool has_resident_warps() const { return resident_ctas_ > 0; }
  bool quiet() const {
    return lsu_.empty() && outbound_.empty() && bulk_.empty() && tc_arrivals_.empty();
  }
  uint32_t inflight() const { return inflight_; }
  /// Kernel boundary: invalidates L1 (dirty lines of a write-back L1 queue for write-back).
  void flush_l1();

  /// Why each unfinished warp is waiting, for deadlock reports (at most @p max_warps lines).
  std::string describe_stuck(int64_t now, size_t max_warps) const;

 private:
  struct Subcore {
    std::array<int64_t, kNumPipes> busy_q{};  ///< pipe free from this time (1/kQ cycles)
    int64_t read_free = 0;                    ///< operand collector free (bank conflicts)
    /// No warp of this sub-core can issue before this cycle unless an event (load data, barrier
    /// release, GMMA launch, new warps) lowers it: lets a tick skip the sub-core entirely.
    int64_t next_try = 0;
    /// Start cycles (on the shared-memory pipe) of its last kMioQueue shared-memory instructions,
    /// a ring at mio_n: the oldest must have started before another one issues.
    std::array<int64_t, kMioQueue> mio_start{};
    uint32_t mio_n = 0;
    std::vector<uint16_t> by_age;
    std::unique_ptr<WarpScheduler> sched;
  };
  /// A TMA bulk copy being turned into line requests (one line per cycle, straight to L2).
  struct BulkJob {
    uint64_t global = 0, pitch = 0;
    uint32_t rows = 0, row_bytes = 0;
    uint32_t row = 0, offset = 0;  ///< next line to request
    uint32_t id = 0;               ///< response id (CTA slot and mbarrier)
    uint16_t cta_slot = 0;
    uint16_t mcast = 0;  ///< multicast: cluster ranks that receive each line (0: this CTA only)
    uint8_t mbar = 0;    ///< mbarrier index (same offset in every receiving CTA)
  };
  struct LsuEntry {
    mem::SectorRequest req;
    bool bypass = false;  ///< atomics: straight to the hierarchy
  };

  int64_t issue_subcore(Subcore& sc, int64_t now);
  int64_t issue_subcore_now(Subcore& sc, int64_t now);
  void wake_subcore(uint8_t subcore, int64_t at) {
    int64_t& t = subcores_[subcore].next_try;
    t = t < at ? t : at;
  }
  /// An event (load data, barrier release, GMMA launch) may let warp @p slot issue from @p at.
  void wake_warp(uint16_t slot, int64_t at) {
    Warp& w = warps_[slot];
    w.dirty = true;
    wait_until_[slot] = 0;
    wake_subcore(w.subcore, at);
  }
  int64_t earliest(Warp& w, const Subcore& sc, int64_t now) const;
  /// Earliest cycle at which at most @p n of the ring's ops are outstanding, counting them retired
  /// in issue order (0 if already; kNever while one that must retire has no completion time).
  template <size_t N>
  static int64_t counter_wait(const std::array<int64_t, N>& done, uint32_t& retired,
                              uint32_t issued, uint32_t n, int64_t now) {
    while (retired != issued && done[retired % N] <= now) ++retired;
    if (issued - retired <= n) return 0;
    int64_t t = 0;
    for (uint32_t i = retired; i != issued - n; ++i) t = std::max(t, done[i % N]);
    return t;
  }
  /// Records an LDS / scalar-memory op completing at @p t in the warp's lgkmcnt (CDNA only).
  void count_lgkm(Warp& w, int64_t t) const {
    if (!amd_counters_) return;
    w.lgkm_done[w.lgkm_issued % kLgkmCnt] = t;
    ++w.lgkm_issued;
  }
  int64_t pipe_free_q(const Subcore& sc, Pipe p) const {
    return p == Pipe::kScalar ? scalar_busy_q_ : sc.busy_q[static_cast<size_t>(p)];
  }
  void recompute_ready(Warp& w) const;
  void issue(Warp& w, uint16_t slot, Subcore& sc, int64_t now);
  /// Register-file reads of @p inst: counts them and returns the extra operand-collector cycles
  /// its same-bank reads need (register-bank conflicts).
  int64_t read_operands(Warp& w, const trace::Instruction& inst);
  /// @p addrs: the @p lanes active lanes' addresses, in lane order.
  void issue_global(Warp& w, uint16_t slot, const trace::Instruction& inst, const uint64_t* addrs,
                    int lanes, const OpTiming& t, int64_t now);
  void issue_shared(Warp& w, const trace::Instruction& inst, const uint64_t* addrs, int lanes,
                    int64_t now);
  /// The static part of a resident instruction.
  const trace::Instruction& stat(const DynInst& d) const { return (*statics_)[d.stat]; }
  void issue_gmma(Warp& w, const trace::Instruction& inst, const OpTiming& t, int64_t now);
  // Asynchronous copies and mbarriers (sm_async.cpp).
  /// The mbarrier of the CTA at shared address @p addr (created uninitialised if new).
  Mbarrier& mbarrier(CtaSlot& cta, uint64_t addr);
  /// The first active lane's address of the warp's DynInst @p d (0 when it has none).
  uint64_t first_address(const Warp& w, const DynInst& d) const {
    if (stat(d).mem_width == 0 || d.lanes() == 0) return 0;
    if (!(d.addr & kAffineAddr)) return w.addrs[d.addr];
    return w.addrs[d.addr & ~kAffineAddr];  // base of base + k * stride
  }
  void mbar_init(Warp& w, const trace::Instruction& inst, uint64_t addr);
  void mbar_arrive(CtaSlot& cta, Mbarrier& m, uint32_t arrivals, int64_t tx, int64_t now);
  /// Whether the warp's next instruction (a try_wait) must keep waiting.
  bool mbar_blocked(const Warp& w) const;
  void issue_bulk_copy(Warp& w, uint16_t slot, const trace::Instruction& inst,
                       const uint64_t* addrs, int lanes, const OpTiming& t, int64_t now);
  /// Sends at most one line of the oldest bulk copy; true if something was sent.
  bool bulk_step(Picoseconds now_ps);
  void bulk_landed(const mem::SectorRequest& resp, int64_t now);
  /// mbarrier arrive instruction: local, or (SYNCS.ARRIVE...RED) on CTAs of the cluster named by
  /// shared::cluster addresses, one per active lane.
  void issue_mbar_arrive(Warp& w, const trace::Instruction& inst, const OpTiming& t,
                         const uint64_t* addrs, int lanes, int64_t now);
  /// Retires landed groups in order; stops at one with an mbarrier arrival (cp_land fires it).
  static void cp_retire(Warp& w) {
    while (w.cp_first != w.cp_commit && w.cp_pending[w.cp_first % kCpGroups] == 0 &&
           w.cp_arrive[w.cp_first % kCpGroups] == 0xFF)
      ++w.cp_first;
  }
  /// Retires landed groups in order, performing their mbarrier arrivals (an LDGSTS landed, or an
  /// ARRIVES was issued).
  void cp_land(Warp& w, int64_t now);
  /// Earliest cycle at which at most @p n of the warp's GMMA groups are incomplete (0 if already;
  /// kNever while a group that must complete is not launched yet). Retires completed groups.
  static int64_t gmma_wait_time(Warp& w, uint32_t n, int64_t now);
  void launch_gmma(CtaSlot& cta, uint32_t group, const OpTiming& t, int64_t now);
  // tcgen05: MMAs with accumulators in Tensor Memory (sm_tc.cpp).
  void issue_tc_mma(Warp& w, const trace::Instruction& inst, const OpTiming& t, int64_t now);
  void tc_commit(Warp& w, uint64_t mbar_addr, int64_t now);
  /// Makes the commit arrivals due by @p now.
  void tc_arrivals_due(int64_t now);
  /// Earliest cycle a tcgen05.alloc of the warp's next instruction can take its columns (kNever
  /// while they are held; a dealloc wakes the waiters). Throws on a column count the ISA lacks.
  int64_t tmem_alloc_time(const Warp& w, int64_t now) const;
  void tmem_alloc(Warp& w, uint32_t cols);
  void tmem_dealloc(Warp& w, uint32_t cols, int64_t now);
  /// Frees the CTA's slot once its warps retired and nothing asynchronous still targets it.
  void free_cta_if_done(CtaSlot& cta);
  void arrive_barrier(CtaSlot& cta, uint8_t id, int64_t now);
  void check_barriers(CtaSlot& cta, int64_t now);
  void release_barrier(CtaSlot& cta, uint8_t id, int64_t now);
  void after_last_instruction(Warp& w, uint16_t slot, int64_t now);
  bool drained(const Warp& w, int64_t now) const;
  void retire(Warp& w, uint16_t slot, int64_t now);
  void set_dst_ready(Warp& w, const trace::Instruction& inst, int64_t t);
  void complete_memop(uint32_t slot, int64_t t);
  void memop_progress(uint32_t slot, int64_t now);
  void on_id_complete(uint32_t id, int64_t now);
  MemOp* memop_of(uint32_t id);
  int64_t lsu_step(int64_t now, Picoseconds now_ps);
  void take_l1_downstream();

  uint16_t id_;
  const config::GpuSpec& spec_;
  stats::ActivityCounts& counts_;
  mem::MemoryHierarchy& mem_;
  std::unique_ptr<mem::L1Cache> l1_;

  const std::vector<OpTiming>* ops_ = nullptr;
  const trace::OpcodeTable* opcodes_ = nullptr;  // diagnostics only
  const trace::KernelInfo* kernel_ = nullptr;
  StaticTable* statics_ = nullptr;
  SignalQueue* signals_ = nullptr;
  uint32_t ctas_limit_ = 0;
  uint32_t resident_ctas_ = 0;
  uint32_t finished_ctas_ = 0;
  uint64_t next_age_ = 0;
  bool progressed_ = false;

  std::vector<Subcore> subcores_;
  std::vector<Warp> warps_;
  size_t max_warps_ = 0;
  /// Per warp slot, the cached result of its last failed issue check: not before this cycle
  /// unless wake_warp() clears it (resources only get busier, so a stale value is only early).
  /// Kept apart from Warp so a sub-core scan over waiting warps reads one small array.
  std::vector<int64_t> wait_until_;
  // One per warp slot, allocated zeroed when the slot is first used (a kernel with few warps
  // touches little memory) and never reset: a warp retires only when all its writes are
  // complete, so every entry it leaves is <= the cycle any later warp in the slot is dispatched,
  // which can never delay that warp.
  std::vector<std::unique_ptr<int64_t[]>> scoreboards_;
  std::vector<uint16_t> free_warps_;  ///< kept sorted descending: back() is the lowest free slot
  std::vector<CtaSlot> ctas_;
  std::array<uint64_t, 64> lane_scratch_{};  ///< expanded affine lane addresses

  int64_t smem_free_ = 0;
  /// Shared-memory bytes per cycle (banks x bank width): the tcgen05 operand fetch rate.
  double smem_bytes_per_clk_ = 128;
  /// tcgen05.commit arrivals not yet due (few: one per committing warp and stage).
  struct TcArrival {
    int64_t at = 0;
    uint16_t cta = 0;
    uint8_t mbar = 0;
  };
  std::vector<TcArrival> tc_arrivals_;
  int64_t tc_next_ = kNever;  ///< earliest of tc_arrivals_
  uint32_t tmem_used_ = 0;    ///< Tensor Memory columns held by resident CTAs
  /// The CU's scalar unit, shared by its SIMDs (1/kQ cycles).
  int64_t scalar_busy_q_ = 0;
  /// CDNA kernel: keep the vmcnt / lgkmcnt counters and track stores for vmcnt.
  bool amd_counters_ = false;

  std::vector<MemOp> memops_;
  std::vector<uint16_t> free_memops_;
  RingQueue<LsuEntry> lsu_;
  RingQueue<BulkJob> bulk_;
  RingQueue<mem::SectorRequest> outbound_;
  std::vector<mem::SectorRequest> coalesced_, downstream_;
  std::vector<uint32_t> completed_;
  uint32_t inflight_ = 0;
  int64_t wake_hint_ = kNever;  ///< earliest load completion found during this tick
  std::vector<uint16_t> order_;

  // Constants from the spec, cached for the hot path.
  uint32_t rf_banks_ = 2;
  uint32_t issue_width_ = 1;
  int64_t l1_latency_ = 0;
  int64_t smem_latency_ = 0;
};

}  // namespace joulesim::gpu
