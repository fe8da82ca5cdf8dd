#pragma once
/// @file
/// Public interface of the GPU timing model: replay a trace on a GpuSpec, cycle by cycle, and get
/// the per-kernel cycles, times and activity counts (report::RunResult). Also the warp-scheduler
/// registry, so configs pick a scheduler by name (`core.scheduler`).
///
/// Timing conventions (the first-principles tests rely on them):
///  - Time is integer picoseconds; core cycle c starts at c * core period. The memory hierarchy
///    advances its own L2/NoC and DRAM clock domains up to each processed core edge.
///  - A kernel starts at cycle K (0, or the end of the previous kernel); its first CTAs are
///    dispatched at K and their warps may issue at K. A CTA freed during cycle c lets a new CTA
///    issue from cycle c + 1.
///  - An instruction issued at cycle t with latency L lets its dependants issue at t + L.
///  - Register banks: a source is read from bank (register % core.rf_banks) unless the operand
///    reuse cache holds it (one entry per operand slot and bank: replaced by a read of that slot
///    and bank, dropped when the register is written). k reads in one bank hold the sub-core's
///    operand collector k - 1 extra cycles (no issue from that sub-core meanwhile); result
///    latency is not changed.
///  - NVIDIA shared-memory instructions wait in a per-sub-core queue of kMioQueue for the shared
///    pipe instead of blocking issue while it is busy.
///  - A warp's last instruction (normally EXIT) waits until all the warp's register writes,
///    loads and tensor operations are complete; the kernel ends at the cycle after the last
///    warp's last instruction issued and the memory system is drained. Hence a chain of n
///    dependent FFMAs followed by EXIT takes exactly n * units.fp32.latency + kExitOverheadCycles.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/gpu_spec.hpp"
#include "core/time.hpp"
#include "report/run_result.hpp"
#include "stats/activity.hpp"
#include "trace/trace.hpp"

namespace joulesim::gpu {

/// Fixed start/drain overhead of a kernel in core cycles: the cycle in which the final EXIT issues.
inline constexpr int64_t kExitOverheadCycles = 1;

/// Options of one simulation that are not part of the GPU design.
struct SimOptions {
  /// No instruction issued, no memory response and no CTA dispatched for this many core cycles
  /// while work remains: the run stops with an Error naming the stuck warp.
  int64_t deadlock_cycles = 1'000'000;
  /// If > 0 and on_snapshot is set: called with the cumulative counts at every multiple of this
  /// many picoseconds of simulated time (the energy model's power timeline).
  Picoseconds snapshot_interval{0};
  std::function<void(Picoseconds, const stats::ActivityCounts&)> on_snapshot;
  /// If set: called when a CTA is dispatched, with its id, the SM it goes to and the core cycle
  /// (placement checks, e.g. that a thread-block cluster shares one GPC).
  std::function<void(const trace::Dim3& cta, uint16_t sm, int64_t cycle)> on_cta_dispatch;
};

/// Replays every command of @p source (kernels in stream order; memcpys are not timed) on the GPU
/// described by @p spec. Fills RunResult::kernels; gpu/trace/config/energy are left to the caller.
/// Throws Error on a deadlock, an occupancy that cannot fit one CTA, or an unsupported tensor type.
report::RunResult simulate(const config::GpuSpec& spec, trace::TraceSource& source,
                           const SimOptions& options = {});

/// Picks, every cycle, the order in which one sub-core tries its warps. Implementations register
/// themselves by name (see register_scheduler).
class WarpScheduler {
 public:
  virtual ~WarpScheduler() = default;
  /// Writes into @p out (capacity >= @p n) the warp slots of @p by_age (oldest first, @p n of them)
  /// in the order the sub-core should try them this cycle.
  virtual void order(const uint16_t* by_age, size_t n, uint16_t* out) = 0;
  /// The sub-core issued an instruction of warp slot @p warp.
  virtual void issued(uint16_t warp) = 0;
};

using SchedulerFactory = std::function<std::unique_ptr<WarpScheduler>()>;

/// Adds (or replaces) a scheduler under @p name.
void register_scheduler(const std::string& name, SchedulerFactory factory);
/// A new scheduler by name; throws ConfigError naming `core.scheduler` and the known names.
std::unique_ptr<WarpScheduler> make_scheduler(std::string_view name);
/// Registered scheduler names, sorted.
std::vector<std::string> scheduler_names();

/// Occupancy of one kernel on one SM.
struct Occupancy {
  uint32_t ctas_per_sm = 0;   ///< resident CTAs per SM (the minimum of the limits below)
  uint32_t by_warps = 0;      ///< limit from core.max_warps_per_sm
  uint32_t by_registers = 0;  ///< limit from core.registers_per_sm (register_alloc_unit granules)
  uint32_t by_shared = 0;     ///< limit from shared.size_kb
  uint32_t by_ctas = 0;       ///< core.max_ctas_per_sm
  uint32_t warps_per_cta = 0;
  uint32_t registers_per_cta = 0;  ///< after rounding each warp up to register_alloc_unit
};

/// Occupancy of kernel @p k on @p spec. Throws Error naming the kernel and the limit if not even
/// one CTA fits (too many threads, registers or shared memory).
Occupancy occupancy(const config::GpuSpec& spec, const trace::KernelInfo& k);

}  // namespace joulesim::gpu
