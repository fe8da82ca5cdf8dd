// The timed/power runner and small helpers shared by every benchmark.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <sstream>

#include "common.hpp"

namespace capture {

double now_s() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

void poison(void* dev, size_t bytes) { CK(cudaMemset(dev, 0xFF, bytes)); }

bool Context::enabled(const char* bench) const {
  if (opt.only.empty()) return true;
  std::stringstream ss(opt.only);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item == bench) return true;
  }
  return false;
}

void Context::add(Case c) {
  if (!c.checked) ++failed_checks;
  std::printf("  %-44s %12.4g %-7s %s%s\n", c.id.c_str(), c.value, c.unit.c_str(),
              c.checked ? "ok" : "CHECK FAILED: ", c.checked ? "" : c.check.c_str());
  if (c.power && c.power->valid) {
    std::printf("  %-44s   %.1f W (%s), %.2f s, SM %.0f MHz, mem %.0f MHz, %.0f C\n", "",
                c.power->avg_w, c.power->energy_counter ? "energy counter" : "samples",
                c.power->time_s, c.power->sm_mhz, c.power->mem_mhz, c.power->temp_c);
  }
  std::fflush(stdout);
  cases.push_back(std::move(c));
}

Timed run_timed(Context& ctx, const std::function<void()>& launch, double seconds,
                bool sample_power) {
  // Warm-up: synchronised launches until warm_s has passed (always at least one), which also
  // measures how long one launch takes.
  const double w0 = now_s();
  double one = 0;
  do {
    const double a = now_s();
    launch();
    CK_LAUNCH();
    CK(cudaDeviceSynchronize());
    one = now_s() - a;
  } while (seconds > 0 && sample_power && now_s() - w0 < ctx.opt.warm_s);

  Timed t;
  t.launches = seconds > 0 ? std::max(1L, static_cast<long>(std::ceil(seconds / one))) : 1;
  cudaEvent_t e0, e1;
  CK(cudaEventCreate(&e0));
  CK(cudaEventCreate(&e1));
  const bool sample = sample_power && seconds > 0 && ctx.nvml && ctx.nvml->ok();
  if (sample) ctx.nvml->begin();
  CK(cudaEventRecord(e0));
  for (long i = 0; i < t.launches; ++i) launch();
  CK_LAUNCH();
  CK(cudaEventRecord(e1));
  CK(cudaEventSynchronize(e1));
  if (sample) t.power = ctx.nvml->end();
  float ms = 0;
  CK(cudaEventElapsedTime(&ms, e0, e1));
  t.time_s = ms / 1000.0;
  CK(cudaEventDestroy(e0));
  CK(cudaEventDestroy(e1));
  return t;
}

long scale_iters(long probe_iters, double probe_s, double target_s, long lo, long hi) {
  const double want = probe_s > 0 ? probe_iters * target_s / probe_s : static_cast<double>(hi);
  return std::min(hi, std::max(lo, static_cast<long>(want)));
}

void add_throughput_cases(Context& ctx, const ThroughputRun& r) {
  const std::string base = "throughput." + r.op;
  const std::vector<Param> params = {P("op", r.op),
                                     P("warps_per_sm", r.warps_per_sm),
                                     P("iters", static_cast<double>(r.iters)),
                                     P("sms", static_cast<double>(r.sms)),
                                     P("chains", r.chains),
                                     P("unroll", r.unroll)};
  const double insts = r.warp_insts_per_sm * r.sms * r.timed.launches;
  const double ops = insts * r.ops_per_inst;
  const double rate = ops / r.timed.time_s / 1e12;
  const double cpi = r.block_cycles / r.warp_insts_per_sm;
  Case t;
  t.id = base + (r.integer_ops ? ".tops" : ".tflops");
  t.group = "throughput";
  t.metric = r.integer_ops ? "tera_ops_per_s_full_gpu" : "tflops_full_gpu";
  t.unit = "TFLOPS";
  t.generator = "ubench.throughput";
  t.params = params;
  t.value = rate;
  t.tolerance_pct = 10;
  t.checked = r.checked;
  t.check = r.check;
  t.extra = {{"time_s", r.timed.time_s},
             {"launches", static_cast<double>(r.timed.launches)},
             {"ops_per_inst", r.ops_per_inst},
             {"sm_mhz_nvml", r.timed.power.sm_mhz}};
  Case c = t;
  c.id = base + ".cycles_per_inst";
  c.metric = "cycles_per_inst_per_sm";
  c.unit = "cycles";
  c.value = cpi;
  c.extra = {{"block_cycles_mean", r.block_cycles},
             {"block_cycles_max", r.max_block_cycles},
             {"insts_per_sm_per_launch", r.warp_insts_per_sm}};
  ctx.add(std::move(t));
  ctx.add(std::move(c));
  if (r.timed.power.valid) {
    Case w;
    w.id = base + ".power";
    w.group = "power";
    w.metric = "avg_power_w";
    w.unit = "W";
    w.generator = "ubench.throughput";
    w.params = params;
    w.value = r.timed.power.avg_w;
    w.power = r.timed.power;
    w.tolerance_pct = 15;
    w.checked = r.checked;
    w.check = r.check;
    w.extra = {{"pj_per_op_total", r.timed.power.avg_w / (rate * 1e12) * 1e12}, {"tflops", rate}};
    ctx.add(std::move(w));
  }
}

void bench_idle(Context& ctx, const char* when) {
  if (!ctx.nvml || !ctx.nvml->ok()) {
    std::printf("  idle power skipped: %s\n", ctx.nvml ? ctx.nvml->read_info().error.c_str() : "");
    return;
  }
  CK(cudaDeviceSynchronize());
  ctx.nvml->begin();
  const double t0 = now_s();
  while (now_s() - t0 < ctx.opt.idle_s) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  Case c;
  c.id = std::string("idle.") + when + ".power";
  c.group = "power";
  c.metric = "avg_power_w";
  c.unit = "W";
  c.generator = "idle";
  c.params = {P("seconds", ctx.opt.idle_s)};
  c.power = ctx.nvml->end();
  c.value = c.power->avg_w;
  c.tolerance_pct = 20;
  c.checked = c.power->valid;
  c.check = c.checked ? "GPU idle, no kernel running (CUDA context open)" : "NVML gave no power";
  ctx.add(std::move(c));
}

}  // namespace capture
