#pragma once
// Shared pieces of the capture kit: error checking, the dataset case record, the run context and
// the timed/power runner every power case goes through.
#include <cuda_runtime.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "nvml_sampler.hpp"

namespace capture {

/// Aborts with file:line and the CUDA error text; every runtime call goes through it.
#define CK(call)                                                                         \
  do {                                                                                   \
    cudaError_t err_ = (call);                                                           \
    if (err_ != cudaSuccess) {                                                           \
      std::fprintf(stderr, "capture: %s:%d: %s failed: %s\n", __FILE__, __LINE__, #call, \
                   cudaGetErrorString(err_));                                            \
      std::exit(2);                                                                      \
    }                                                                                    \
  } while (0)

/// Checks the last launch (launch-configuration errors) without synchronising.
#define CK_LAUNCH() CK(cudaGetLastError())

/// One generator parameter: a number or a text choice, named as `joulesim trace gen` names it.
struct Param {
  std::string key;
  double num = 0;
  std::string text;
  bool is_text = false;
};
inline Param P(std::string k, double v) { return {std::move(k), v, {}, false}; }
inline Param P(std::string k, std::string v) { return {std::move(k), 0, std::move(v), true}; }

/// One measured figure of the dataset (schema in README.md).
struct Case {
  std::string id, group, metric, unit, generator;
  double value = 0;
  std::vector<Param> params;  ///< generator parameters only (validate feeds them to trace gen)
  std::optional<PowerStats> power;
  double tolerance_pct = 10;
  bool checked = false;  ///< the kernel's output matched an independent reference
  std::string check;     ///< what the check compared, or why it failed
  std::vector<std::pair<std::string, double>> extra;  ///< supporting numbers (not compared)
};

/// Command-line options of the capture binary.
struct Options {
  std::string out;
  std::string config = "h100";
  std::string only;      ///< comma-separated benchmark names; empty: all
  bool quick = false;    ///< tiny sizes: a smoke test of every kernel
  double power_s = 2.0;  ///< measured seconds per power case
  double warm_s = 0.5;   ///< warm-up seconds before each power case
  double idle_s = 2.0;   ///< seconds of the idle-power case
};

/// Everything a benchmark needs: the device, the sampler, and where its cases go.
struct Context {
  Options opt;
  cudaDeviceProp prop{};
  int device = 0;
  int cc = 0;  ///< compute capability, 10 * major + minor
  NvmlSampler* nvml = nullptr;
  std::vector<Case> cases;
  int failed_checks = 0;
  bool enabled(const char* bench) const;
  void add(Case c);
};

/// Result of run_timed().
struct Timed {
  double time_s = 0;  ///< device time of the measured launches (CUDA events)
  long launches = 0;  ///< measured launches
  PowerStats power;   ///< NVML over the measured launches (valid = false when unavailable)
};

/// Runs `launch` (one kernel launch, asynchronous) back to back: first for ctx.opt.warm_s
/// seconds so clocks and temperature settle, then for at least `seconds` under the NVML sampler.
/// Launch errors abort. `seconds` <= 0: one warm launch and one measured launch, no sampler.
/// sample = false: no sampler and a single warm-up launch (short bandwidth/curve points).
Timed run_timed(Context& ctx, const std::function<void()>& launch, double seconds,
                bool sample = true);

/// One full-GPU throughput loop (ubench.throughput) after run_timed(): what ran and what came out.
struct ThroughputRun {
  std::string op;  ///< ubench.throughput op name ("ffma", "wgmma.bf16", ...)
  int warps_per_sm = 0, chains = 0, unroll = 0;
  long iters = 0, sms = 0;
  double warp_insts_per_sm = 0;  ///< per launch: instructions (warp or warpgroup) per CTA
  double ops_per_inst = 0;       ///< flops (or integer ops) per such instruction
  bool integer_ops = false;      ///< report "tops" rather than "tflops"
  double block_cycles = 0;       ///< mean clock64 cycles of one CTA's loop (last launch)
  double max_block_cycles = 0;
  Timed timed;
  bool checked = false;
  std::string check;
};

/// Adds the three cases of a throughput run: full-GPU TFLOPS, cycles per instruction per SM,
/// and average power (with its NVML window).
void add_throughput_cases(Context& ctx, const ThroughputRun& r);

/// Picks a per-launch iteration count so one launch takes about target_s, from a timed probe
/// launch of probe_iters; clamped to [lo, hi] (hi: the generator's iters limit).
long scale_iters(long probe_iters, double probe_s, double target_s, long lo, long hi);

/// Host wall clock in seconds (steady).
double now_s();

/// Poisons a device buffer with 0xFF bytes so unwritten outputs show up in checks.
void poison(void* dev, size_t bytes);

/// splitmix64: a fixed, portable generator (the same one the trace generators use).
inline uint64_t splitmix64(uint64_t& s) {
  uint64_t z = (s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
/// Uniform double in [lo, hi) from the generator state.
inline double uniform(uint64_t& s, double lo, double hi) {
  return lo + (hi - lo) * static_cast<double>(splitmix64(s) >> 11) * 0x1.0p-53;
}

// Benchmarks (one file each).
void bench_ffma_chain(Context& ctx);
void bench_pointer_chase(Context& ctx);
void bench_smem_bank(Context& ctx);
void bench_throughput(Context& ctx);
void bench_mma(Context& ctx);
void bench_wgmma(Context& ctx);
void bench_stream(Context& ctx);
void bench_idle(Context& ctx, const char* when);

}  // namespace capture
