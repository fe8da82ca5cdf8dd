// DVFS end to end: the core clock changes time on compute-bound work in proportion, barely on
// DRAM-bound work, and the V-f table's voltage sets the dynamic energy (issue 4 acceptance).
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "config/config.hpp"
#include "core/time.hpp"
#include "energy/energy.hpp"
#include "gpu/gpu.hpp"
#include "trace/generators.hpp"

namespace joulesim::timing_test {
namespace {

using energy::Component;

struct PricedRun {
  report::RunResult result;
  energy::EnergyBreakdown energy;
  double volts = 0;
};

PricedRun run_at(const std::string& gpu, double mhz, const std::vector<std::string>& extra_sets,
                 const std::string& generator, const trace::gen::ParamList& params,
                 trace::gen::Isa isa) {
  std::vector<std::string> sets = extra_sets;
  sets.push_back("dvfs.core_mhz=" + std::to_string(mhz));
  const config::LoadedGpu g = config::load_gpu(gpu, sets);
  trace::MemoryTraceSource source = trace::gen::generate(generator, params, isa);
  PricedRun r;
  r.result = gpu::simulate(g.spec, source);
  const energy::PricingSetup setup = energy::pricing_setup(g.spec, {});
  r.volts = setup.cond.volts;
  int64_t time_ps = 0;
  stats::ActivityCounts counts;
  for (const auto& k : r.result.kernels) {
    time_ps += k.time_ps;
    counts += k.counts;
  }
  r.energy = energy::price(counts, time_ps, setup.table, g.spec, setup.cond);
  return r;
}

double component(const PricedRun& r, Component c) {
  return r.energy.by_component[static_cast<size_t>(c)];
}

// An FFMA throughput loop on all 132 H100 SMs at 1830 MHz (0.89 V) and 1000 MHz (0.70 V): the same
// cycles, time in the ratio of the clock periods, every core-rail dynamic component scaled by
// (0.70 / 0.89)^2, and less energy in total (h100.json dvfs.points).
TEST(DvfsTiming, ComputeBoundTimeFollowsTheClockAndEnergyTheVoltage) {
  const trace::gen::ParamList p = {
      {"op", "ffma"}, {"warps_per_sm", "8"}, {"iters", "16"}, {"sms", "132"}};
  const PricedRun fast = run_at("h100", 1830, {}, "ubench.throughput", p, trace::gen::Isa::kSm90);
  const PricedRun slow = run_at("h100", 1000, {}, "ubench.throughput", p, trace::gen::Isa::kSm90);
  ASSERT_EQ(fast.result.kernels.size(), 1u);
  EXPECT_DOUBLE_EQ(fast.volts, 0.89);
  EXPECT_DOUBLE_EQ(slow.volts, 0.70);
  EXPECT_EQ(fast.result.kernels[0].cycles, slow.result.kernels[0].cycles);
  const double period_ratio = static_cast<double>(period_of_mhz(1000).value) /
                              static_cast<double>(period_of_mhz(1830).value);
  EXPECT_DOUBLE_EQ(static_cast<double>(slow.result.kernels[0].time_ps) /
                       static_cast<double>(fast.result.kernels[0].time_ps),
                   period_ratio);
  const double v2 = (0.70 / 0.89) * (0.70 / 0.89);
  for (Component c : {Component::kDatapath, Component::kInstOverhead, Component::kRegisterFile,
                      Component::kSmClock, Component::kIdleSm}) {
    EXPECT_NEAR(component(slow, c), component(fast, c) * v2, 1e-9 * component(fast, c))
        << energy::component_name(c);
  }
  EXPECT_GT(component(fast, Component::kDatapath), 0);
  // With every SM busy the dynamic saving outweighs 1.83x longer leakage and board power.
  EXPECT_LT(slow.energy.total_j, fast.energy.total_j);
}

// A read stream on a QV100 cut to 8 SMs and 4 HBM2 channels (the same SM-to-channel pressure
// would need the whole chip): DRAM-bound, so 1447 -> 900 MHz changes its time by < 2% while
// the same change would stretch compute-bound work by 1447 / 900 = 1.61x. The CTAs run in four
// waves whose ramp-up and drain (L1/L2 latencies, CTA launch) run at the core clock: 8 loop
// iterations per thread keep that part small (with 4 it was 2.2% on its own).
TEST(DvfsTiming, DramBoundTimeBarelyChanges) {
  const std::vector<std::string> cut = {"core.sm_count=8", "dram.channels=4"};
  const trace::gen::ParamList p = {{"ctas", "64"},
                                   {"threads", "1024"},
                                   {"iters", "8"},
                                   {"bytes_per_thread", "16"},
                                   {"kind", "read"}};
  const PricedRun fast = run_at("qv100", 1447, cut, "ubench.stream", p, trace::gen::Isa::kSm70);
  const PricedRun slow = run_at("qv100", 900, cut, "ubench.stream", p, trace::gen::Isa::kSm70);
  const double t_fast = static_cast<double>(fast.result.kernels[0].time_ps);
  const double t_slow = static_cast<double>(slow.result.kernels[0].time_ps);
  std::printf("[dvfs] DRAM-bound read stream 1447 -> 900 MHz: time x%.4f\n", t_slow / t_fast);
  EXPECT_LT(t_slow / t_fast, 1.02);
  EXPECT_GT(t_slow / t_fast, 0.98);
  // Every byte still comes from DRAM once: same bursts, and the DRAM energy is unchanged.
  EXPECT_EQ(fast.result.kernels[0].counts[stats::Counter::kDramReadBurst],
            slow.result.kernels[0].counts[stats::Counter::kDramReadBurst]);
  EXPECT_LT(slow.energy.total_j, fast.energy.total_j);
}

}  // namespace
}  // namespace joulesim::timing_test
