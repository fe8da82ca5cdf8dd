// joulesim capture: runs the microbenchmarks that match `joulesim trace gen` one for one on the GPU
// at hand, with an NVML power sampler, and writes one validation dataset JSON.
// Usage: capture --out FILE [--config NAME] [--quick] [--only a,b] [--power-seconds S]
//                [--warm-seconds S] [--idle-seconds S] [--device N] [--note TEXT]
// Benchmarks (--only): ffma_chain smem_bank pointer_chase throughput mma wgmma stream idle
#include <algorithm>
#include <ctime>
#include <string>

#include "common.hpp"
#include "dataset_json.hpp"

using namespace capture;

namespace {

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "capture: %s\nusage: capture --out FILE [--config NAME] [--quick] [--only LIST] "
               "[--power-seconds S] [--warm-seconds S] [--idle-seconds S] [--device N] "
               "[--note TEXT]\nLIST: ffma_chain,smem_bank,pointer_chase,throughput,mma,wgmma,"
               "stream,idle\n",
               why);
  std::exit(1);
}

double positive(const char* flag, const char* v) {
  char* end = nullptr;
  const double d = std::strtod(v, &end);
  if (!end || *end || !(d > 0)) usage((std::string(flag) + " needs a positive number").c_str());
  return d;
}

std::string utc(const char* fmt) {
  const std::time_t t = std::time(nullptr);
  char b[64];
  std::strftime(b, sizeof b, fmt, std::gmtime(&t));
  return b;
}

std::string version(int v) {
  return std::to_string(v / 1000) + "." + std::to_string(v % 1000 / 10);
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  int device = 0;
  std::string note;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> const char* {
      if (i + 1 >= argc) usage((a + " needs a value").c_str());
      return argv[++i];
    };
    if (a == "--out")
      opt.out = next();
    else if (a == "--config")
      opt.config = next();
    else if (a == "--quick")
      opt.quick = true;
    else if (a == "--only")
      opt.only = next();
    else if (a == "--power-seconds")
      opt.power_s = positive("--power-seconds", next());
    else if (a == "--warm-seconds")
      opt.warm_s = positive("--warm-seconds", next());
    else if (a == "--idle-seconds")
      opt.idle_s = positive("--idle-seconds", next());
    else if (a == "--device") {
      const std::string v = next();
      if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos)
        usage("--device needs an index");
      device = std::stoi(v);
    } else if (a == "--note")
      note = next();
    else
      usage(("unknown argument " + a).c_str());
  }
  if (opt.out.empty()) usage("--out FILE is required");
  if (opt.quick) {
    opt.power_s = std::min(opt.power_s, 0.2);
    opt.warm_s = std::min(opt.warm_s, 0.05);
    opt.idle_s = std::min(opt.idle_s, 0.2);
  }

  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess || count == 0) {
    std::fprintf(stderr, "capture: no CUDA device\n");
    return 4;
  }
  Context ctx;
  ctx.opt = opt;
  ctx.device = device;
  CK(cudaSetDevice(device));
  CK(cudaGetDeviceProperties(&ctx.prop, device));
  ctx.cc = ctx.prop.major * 10 + ctx.prop.minor;
  char bus[32];
  CK(cudaDeviceGetPCIBusId(bus, sizeof bus, device));
  NvmlSampler nvml(bus, 10);
  ctx.nvml = &nvml;
  const NvmlInfo start = nvml.read_info();
  int rt = 0, drv = 0, clock_khz = 0, mem_khz = 0, bus_bits = 0;
  CK(cudaRuntimeGetVersion(&rt));
  CK(cudaDriverGetVersion(&drv));
  cudaDeviceGetAttribute(&clock_khz, cudaDevAttrClockRate, device);
  cudaDeviceGetAttribute(&mem_khz, cudaDevAttrMemoryClockRate, device);
  cudaDeviceGetAttribute(&bus_bits, cudaDevAttrGlobalMemoryBusWidth, device);
  const std::string name = start.ok && !start.name.empty() ? start.name : ctx.prop.name;
  std::printf("device %d: %s, sm_%d, %d SMs, %.0f MiB, L2 %.0f MB, driver %s, CUDA runtime %s\n",
              device, name.c_str(), ctx.cc, ctx.prop.multiProcessorCount,
              ctx.prop.totalGlobalMem / 1048576.0, ctx.prop.l2CacheSize / 1e6,
              start.ok ? start.driver.c_str() : version(drv).c_str(), version(rt).c_str());
  if (start.ok) {
    std::printf(
        "NVML: power limit %.0f W (default %.0f), max SM %.0f MHz, max mem %.0f MHz, now "
        "SM %.0f MHz, mem %.0f MHz, %.1f W, %d C, P%d, persistence %d\n",
        start.power_limit_w, start.default_power_limit_w, start.max_sm_mhz, start.max_mem_mhz,
        start.sm_mhz, start.mem_mhz, start.power_w, start.temp_c, start.pstate, start.persistence);
  } else {
    std::printf("NVML unavailable: %s (power cases skipped)\n", start.error.c_str());
  }
  const std::string started = utc("%Y-%m-%dT%H:%M:%SZ");
  const double t0 = now_s();

  if (ctx.enabled("idle")) bench_idle(ctx, "start");
  bench_ffma_chain(ctx);
  bench_smem_bank(ctx);
  bench_pointer_chase(ctx);
  bench_throughput(ctx);
  bench_mma(ctx);
  bench_wgmma(ctx);
  bench_stream(ctx);
  if (ctx.enabled("idle")) bench_idle(ctx, "end");

  const NvmlInfo end = nvml.read_info();
  JsonObject gpu;
  gpu.add("config", opt.config)
      .add("device_name", name)
      .add("compute_capability",
           std::to_string(ctx.prop.major) + "." + std::to_string(ctx.prop.minor))
      .add("sm_count", ctx.prop.multiProcessorCount)
      .add("clock_mhz_max",
           start.ok && start.max_sm_mhz > 0 ? start.max_sm_mhz : clock_khz / 1000.0)
      .add("power_limit_w", start.ok ? start.power_limit_w : 0.0)
      .add("memory", std::to_string(static_cast<long long>(ctx.prop.totalGlobalMem >> 20)) +
                         " MiB, " + std::to_string(bus_bits) + "-bit bus, max memory clock " +
                         std::to_string(start.ok && start.max_mem_mhz > 0
                                            ? static_cast<int>(start.max_mem_mhz)
                                            : mem_khz / 1000) +
                         " MHz")
      .add("l2_cache_bytes", ctx.prop.l2CacheSize)
      .add("shared_mem_per_sm_bytes", static_cast<double>(ctx.prop.sharedMemPerMultiprocessor));
  JsonObject cond;
  cond.add("clocks_and_limits", "as found: the kit changes no clock, power limit or mode")
      .add("driver", start.ok ? start.driver : version(drv))
      .add("cuda_runtime", version(rt))
      .add("cuda_driver_api", version(drv))
      .add("vbios", start.vbios)
      .add("power_limit_w", start.power_limit_w)
      .add("default_power_limit_w", start.default_power_limit_w)
      .add("max_sm_mhz", start.max_sm_mhz)
      .add("max_mem_mhz", start.max_mem_mhz)
      .add("applications_sm_mhz", start.app_sm_mhz)
      .add("applications_mem_mhz", start.app_mem_mhz)
      .add("persistence_mode", start.persistence)
      .add("pstate_at_start", start.pstate)
      .add("sm_mhz_at_start", start.sm_mhz)
      .add("mem_mhz_at_start", start.mem_mhz)
      .add("power_w_at_start", start.power_w)
      .add("temp_c_at_start", start.temp_c)
      .add("temp_c_at_end", end.temp_c)
      .add("started_utc", started)
      .add("finished_utc", utc("%Y-%m-%dT%H:%M:%SZ"))
      .add("wall_s", now_s() - t0)
      .add("nvml", start.ok ? "ok" : start.error)
      .add("sampler_interval_ms", nvml.interval_ms())
      .add("power_case_seconds", opt.power_s)
      .add("warmup_seconds", opt.warm_s)
      .add("idle_seconds", opt.idle_s)
      .add("power_avg_w_from",
           "NVML total-energy counter delta / window time where available "
           "(energy_counter true), else the mean of power samples")
      .add_bool("quick", opt.quick)
      .add("failed_checks", ctx.failed_checks);
  if (!note.empty()) cond.add("note", note);
  const std::string source = "captured with joulesim scripts/capture/run_all.sh on " + name + " (" +
                             (start.ok ? "driver " + start.driver : "driver API " + version(drv)) +
                             ", CUDA " + version(rt) + ") on " + utc("%Y-%m-%d");
  std::string err;
  if (!write_dataset(opt.out, "measured-" + opt.config, source, gpu, cond, ctx.cases, err)) {
    std::fprintf(stderr, "capture: %s\n", err.c_str());
    return 5;
  }
  std::printf("wrote %s: %zu cases, %d failed checks, %.1f s\n", opt.out.c_str(), ctx.cases.size(),
              ctx.failed_checks, now_s() - t0);
  return ctx.failed_checks ? 3 : 0;
}
