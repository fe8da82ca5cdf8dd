// Built-in simulators that run generated microbenchmarks on the timing model. The generators
// (sim/trace/generators.hpp) and the timing model (sim/gpu/gpu.hpp) are separate subsystems;
// when a build lacks one of them every such case is reported as not simulated, naming what is
// missing, and fails its group (never skipped).
#include <algorithm>
#include <cmath>
#include <map>

#include "validate/internal.hpp"

#if __has_include("gpu/gpu.hpp") && __has_include("trace/generators.hpp")
#define JOULESIM_VALIDATE_HAVE_TIMING 1
#include "config/config.hpp"
#include "gpu/gpu.hpp"
#include "trace/generators.hpp"
#endif

namespace joulesim::validate {

using nlohmann::json;
using namespace detail;

std::vector<std::string> missing_pieces(const std::string& kind) {
  std::vector<std::string> m;
  if (kind == "counter_power") return m;
#ifndef JOULESIM_VALIDATE_HAVE_TIMING
  if (kind != "datasheet") {
#if !__has_include("trace/generators.hpp")
    m.push_back("synthetic generators (sim/trace/generators.hpp, `trace gen ubench.*`)");
#endif
#if !__has_include("gpu/gpu.hpp")
    m.push_back("timing model (sim/gpu/gpu.hpp, `joulesim run`)");
#endif
  }
#endif
  return m;
}

namespace detail {

#ifndef JOULESIM_VALIDATE_HAVE_TIMING

std::vector<CaseResult> simulate_with_timing(const Dataset& ds, const std::filesystem::path&) {
  std::string why = "not simulated (missing: ";
  const auto miss = missing_pieces(ds.kind == "datasheet" ? "microbench" : ds.kind);
  for (size_t i = 0; i < miss.size(); ++i) why += (i ? "; " : "") + miss[i];
  why += ")";
  std::vector<CaseResult> out;
  for (const Case& c : ds.cases) {
    CaseResult r = result_of(c);
    r.status = CaseStatus::kNotSimulated;
    r.note = why;
    out.push_back(r);
  }
  return out;
}

#else

namespace {

// Totals of one simulated run.
struct Run {
  uint64_t cycles = 0;
  double time_s = 0;
  stats::ActivityCounts counts;
  config::GpuSpec spec;
  double avg_power_w = 0;
  std::map<std::string, std::string> params;  ///< as run, after substitution
};

// Runs a recipe with some parameters replaced. "${sm_count}" in a value is the config's SMs.
Run run_recipe(const json& sim, const std::map<std::string, std::string>& overrides, bool price) {
  std::vector<std::string> set;
  if (sim.contains("set")) set = sim["set"].get<std::vector<std::string> >();
  const auto gpu = config::load_gpu(sim["gpu"].get<std::string>(), set);
  trace::gen::ParamList params;
  std::map<std::string, std::string> values;
  if (sim.contains("params")) {
    for (const auto& [k, v] : sim["params"].items()) {
      values[k] = v.is_string() ? v.get<std::string>() : std::to_string(v.get<int64_t>());
    }
  }
  for (const auto& [k, v] : overrides) values[k] = v;
  for (auto& [k, v] : values) {
    if (v == "${sm_count}") v = std::to_string(gpu.spec.core.sm_count);
    params.emplace_back(k, v);
  }
  std::optional<trace::gen::Isa> isa;
  if (sim.contains("isa")) isa = trace::gen::parse_isa(sim["isa"].get<std::string>());
  auto source = trace::gen::open_generated(sim["generator"].get<std::string>(), params, isa);
  report::RunResult rr = gpu::simulate(gpu.spec, *source);
  Run r;
  r.spec = gpu.spec;
  r.params = values;
  int64_t ps = 0;
  for (const auto& k : rr.kernels) {
    r.cycles += k.cycles;
    ps += k.time_ps;
    r.counts += k.counts;
  }
  r.time_s = static_cast<double>(ps) * 1e-12;
  if (price) {
    rr.gpu = gpu.name;
    rr.config = gpu.resolved;
    const json e = energy::price_run(rr, gpu.spec, energy::PriceOptions{});
    r.avg_power_w = e.at("total").at("avg_power_w").get<double>();
  }
  return r;
}

int64_t param_int(const json& sim, const std::string& name) {
  if (!sim.contains("params") || !sim["params"].contains(name)) {
    throw Error("recipe needs params." + name);
  }
  const json& v = sim["params"][name];
  return v.is_number_integer() ? v.get<int64_t>() : std::stoll(v.get<std::string>());
}

double metric_value(const json& sim) {
  const json& m = sim["metric"];
  const std::string kind = m["kind"].get<std::string>();
  if (kind == "delta_cycles") {
    const std::string p = m["param"].get<std::string>();
    const int64_t lo = m["lo"].get<int64_t>(), hi = m["hi"].get<int64_t>();
    const Run a = run_recipe(sim, {{p, std::to_string(lo)}}, false);
    const Run b = run_recipe(sim, {{p, std::to_string(hi)}}, false);
    const double per = m.value("ops_per_step", 1.0);
    return (static_cast<double>(b.cycles) - static_cast<double>(a.cycles)) /
           (static_cast<double>(hi - lo) * per);
  }
  const bool price = kind == "avg_power_w";
  const Run r = run_recipe(sim, {}, price);
  if (r.cycles == 0 || r.time_s <= 0) throw Error("the simulated run took no time");
  if (kind == "cycles") return static_cast<double>(r.cycles);
  if (kind == "avg_power_w") return r.avg_power_w;
  double tensor = 0;
  for (uint64_t f : r.counts.tensor_flops) tensor += static_cast<double>(f);
  if (kind == "tensor_tflops") return tensor / r.time_s / 1e12;
  if (kind == "flops_per_clk_per_sm") {
    const std::string what = m["what"].get<std::string>();
    double flops = tensor;
    if (what == "fp32_fma") {
      flops = 2.0 * static_cast<double>(
                        r.counts.thread_insts[static_cast<size_t>(trace::OpClass::kFp32Fma)]);
    } else if (what == "fp16") {
      flops = 4.0 * static_cast<double>(
                        r.counts.thread_insts[static_cast<size_t>(trace::OpClass::kFp16)]);
    }
    // Per SM that ran: a throughput loop may occupy only some SMs (its "sms" parameter).
    double sms = r.spec.core.sm_count;
    if (auto it = r.params.find("sms"); it != r.params.end()) {
      sms = std::min(sms, static_cast<double>(std::stoll(it->second)));
    }
    return flops / static_cast<double>(r.cycles) / sms;
  }
  // bandwidth_gbs
  const json& bytes = m["bytes"];
  double b = 0;
  if (bytes.is_string()) {
    b = static_cast<double>(r.counts[stats::Counter::kDramReadBurst] +
                            r.counts[stats::Counter::kDramWriteBurst]) *
        r.spec.dram.atom_bytes;
  } else {
    b = bytes.get<double>();
  }
  return b / r.time_s / 1e9;
}

// Latency (cycles per dependent load) of the pointer chase at footprint x kB.
double chase_latency(const json& sim, double x_kb) {
  const std::string fp = sim["footprint_param"].get<std::string>();
  const std::string st = sim["steps_param"].get<std::string>();
  const auto lo = static_cast<int64_t>(sim["lo_steps"].get<double>());
  const auto hi = static_cast<int64_t>(sim["hi_steps"].get<double>());
  std::map<std::string, std::string> o = {{fp, std::to_string(std::llround(x_kb))}};
  // Beyond cold_above_kb (set by the dataset well above the L2 size) a warm random chase would
  // rarely hit the L2, so a cold walk measures nearly the same latency without simulating a
  // warm-up turn over millions of nodes.
  if (sim.contains("cold_above_kb") && x_kb > sim["cold_above_kb"].get<double>()) o["warmup"] = "0";
  o[st] = std::to_string(lo);
  const Run a = run_recipe(sim, o, false);
  o[st] = std::to_string(hi);
  const Run b = run_recipe(sim, o, false);
  return (static_cast<double>(b.cycles) - static_cast<double>(a.cycles)) /
         static_cast<double>(hi - lo);
}

// One simulated stream at block size x with `waves` waves of blocks_per_sm x SMs CTAs.
Run stream_run(const json& sim, double x, int64_t waves) {
  std::vector<std::string> set;
  if (sim.contains("set")) set = sim["set"].get<std::vector<std::string> >();
  const auto gpu = config::load_gpu(sim["gpu"].get<std::string>(), set);
  const auto ctas = static_cast<int64_t>(sim["blocks_per_sm"].get<double>()) *
                    static_cast<int64_t>(gpu.spec.core.sm_count) * waves;
  const std::map<std::string, std::string> o = {
      {sim["x_param"].get<std::string>(), std::to_string(static_cast<int64_t>(x))},
      {"ctas", std::to_string(ctas)}};
  const Run r = run_recipe(sim, o, false);
  if (r.time_s <= 0) throw Error("the simulated stream took no time");
  return r;
}

// Bytes a stream run moved: logical (arrays x elements x size) or, with "bytes": "dram", the
// bytes the DRAM moved (reads + writes): a short simulated stream ends with up to an L2 of dirty
// lines not yet written back, which a benchmark moving 1 GiB per array amortises but logical
// bytes would credit as moved.
double stream_bytes(const json& sim, const Run& r, double x, int64_t waves) {
  if (sim.value("bytes", std::string("logical")) == "dram") {
    return static_cast<double>(r.counts[stats::Counter::kDramReadBurst] +
                               r.counts[stats::Counter::kDramWriteBurst]) *
           r.spec.dram.atom_bytes;
  }
  const double ctas = sim["blocks_per_sm"].get<double>() * r.spec.core.sm_count * waves;
  return sim["arrays"].get<double>() * ctas * x * static_cast<double>(param_int(sim, "iters")) *
         static_cast<double>(param_int(sim, "bytes_per_thread"));
}

int64_t stream_waves(const json& sim) { return static_cast<int64_t>(sim.value("waves", 1.0)); }

// Bandwidth (GB/s) of the stream kernel at block size x over the whole run (ramp-up and drain
// included: at small blocks the runs are short and latency-bound, as the measured ones are).
double stream_bandwidth(const json& sim, double x) {
  const int64_t w = stream_waves(sim);
  const Run r = stream_run(sim, x, w);
  return stream_bytes(sim, r, x, w) / r.time_s / 1e9;
}

// Steady-state bandwidth (GB/s) at block size x: the extra bytes over the extra time of a run
// twice as long, so the ramp-up at the start and the drain at the end cancel. gpu-stream's
// 1 GiB arrays run for milliseconds, where both are negligible; a 16-wave simulated run spends
// several microseconds in them, which alone takes 5-20% off its average at full occupancy.
double stream_steady_bandwidth(const json& sim, double x) {
  const int64_t w = stream_waves(sim);
  const Run a = stream_run(sim, x, w);
  const Run b = stream_run(sim, x, 2 * w);
  const double dt = b.time_s - a.time_s;
  if (!(dt > 0)) throw Error("the longer simulated stream took no longer");
  return (stream_bytes(sim, b, x, 2 * w) - stream_bytes(sim, a, x, w)) / dt / 1e9;
}

std::vector<CaseResult> simulate_curves(const Dataset& ds) {
  const bool latency = ds.kind == "latency_curve";
  std::map<std::string, json> recipes;
  for (const auto& c : ds.raw["curves"]) recipes[c["id"].get<std::string>()] = c["sim"];
  // Simulated curves, point by point, each point simulated once.
  std::map<std::string, std::map<double, double> > curves;
  std::map<std::string, std::string> failed;
  auto point = [&](const std::string& id, double x) {
    auto& pts = curves[id];
    auto it = pts.find(x);
    if (it != pts.end()) return it->second;
    const double y = latency ? chase_latency(recipes[id], x) : stream_bandwidth(recipes[id], x);
    pts[x] = y;
    return y;
  };
  std::vector<CaseResult> out;
  for (const Case& c : ds.cases) {
    CaseResult r = result_of(c);
    const std::string id = c.sim["curve"].get<std::string>();
    const std::string what = c.sim["what"].get<std::string>();
    try {
      if (what == "steady") {
        r.simulated = stream_steady_bandwidth(recipes[id], c.sim["x"].get<double>());
      } else if (what == "point") {
        try {
          r.simulated = point(id, c.sim["x"].get<double>());
        } catch (const std::exception& e) {
          failed.emplace(id, e.what());  // first failure of the curve, for its derived cases
          throw;
        }
      } else if (failed.count(id)) {
        throw Error("not derived: points of curve " + id + " failed (" + failed[id] + ")");
      } else {
        // Derived cases use every simulated point of the curve (all points precede them).
        std::vector<double> xs, ys;
        for (const auto& [x, y] : curves[id]) {
          xs.push_back(x);
          ys.push_back(y);
        }
        if (what == "step") {
          r.simulated = step_position(xs, ys, {c.sim["lo_window"][0], c.sim["lo_window"][1]},
                                      {c.sim["hi_window"][0], c.sim["hi_window"][1]});
        } else {
          r.simulated = plateau(xs, ys, c.sim["window"][0], c.sim["window"][1]);
        }
      }
      r.status = CaseStatus::kOk;
    } catch (const std::exception& e) {
      r.status = CaseStatus::kError;
      r.note = e.what();
    }
    out.push_back(r);
  }
  return out;
}

}  // namespace

std::vector<CaseResult> simulate_with_timing(const Dataset& ds, const std::filesystem::path&) {
  if (ds.kind == "latency_curve" || ds.kind == "stream_curve") return simulate_curves(ds);
  std::vector<CaseResult> out;
  for (const Case& c : ds.cases) {
    CaseResult r = result_of(c);
    try {
      r.simulated = metric_value(c.sim);
      r.status = CaseStatus::kOk;
      r.note = c.sim["generator"].get<std::string>() + " on " + c.sim["gpu"].get<std::string>();
    } catch (const std::exception& e) {
      r.status = CaseStatus::kError;
      r.note = e.what();
    }
    out.push_back(r);
  }
  return out;
}

#endif

}  // namespace detail

CaseSimulator builtin_simulator(const std::string& kind, const std::filesystem::path& root) {
  if (kind == "counter_power") {
    return [root](const Dataset& ds) { return simulate_counter_power(ds, root); };
  }
  CaseSimulator timing = [root](const Dataset& ds) { return simulate_with_timing(ds, root); };
  if (kind == "datasheet") {
    return [root, timing](const Dataset& ds) { return simulate_datasheet_peaks(ds, root, timing); };
  }
  return timing;
}

}  // namespace joulesim::validate
