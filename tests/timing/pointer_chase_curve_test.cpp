// The pointer-chase latency curve end to end (generator -> timing model) on the QV100 config:
// per-step latency equals the configured L1 and L2 hit latencies, and the curve steps at the
// configured L1 (32 KB) and L2 (6 MB) capacities (issue 3 acceptance).
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "config/config.hpp"
#include "core/time.hpp"
#include "gpu/gpu.hpp"
#include "trace/generators.hpp"

namespace joulesim::timing_test {
namespace {

uint64_t chase_cycles(const config::GpuSpec& spec, uint32_t footprint_kb, uint32_t steps) {
  trace::MemoryTraceSource source = trace::gen::generate(
      "ubench.pointer_chase",
      {{"footprint_kb", std::to_string(footprint_kb)}, {"steps", std::to_string(steps)}},
      trace::gen::Isa::kSm70);
  return gpu::simulate(spec, source).kernels.at(0).cycles;
}

// Cycles per measured step: the difference of two runs that differ only in the step count, so
// the set-up, the warm-up turn and the drain cancel exactly.
double per_step(const config::GpuSpec& spec, uint32_t footprint_kb) {
  const uint64_t a = chase_cycles(spec, footprint_kb, 256);
  const uint64_t b = chase_cycles(spec, footprint_kb, 512);
  const double step = static_cast<double>(b - a) / 256.0;
  std::printf("[chase] %6u KB: %.2f cycles per step\n", footprint_kb, step);
  return step;
}

TEST(PointerChaseCurve, StepsAtTheConfiguredCapacitiesWithTheConfiguredLatencies) {
  const config::LoadedGpu g = config::load_gpu("qv100");
  const config::GpuSpec& s = g.spec;
  ASSERT_EQ(s.l1.size_kb, 32u);
  ASSERT_EQ(s.l2.size_kb, 6144u);
  // Below the L1 capacity every step hits L1; between L1 and L2 every step hits L2.
  EXPECT_DOUBLE_EQ(per_step(s, 24), s.l1.latency);
  EXPECT_DOUBLE_EQ(per_step(s, 48), s.l2.latency);
  EXPECT_DOUBLE_EQ(per_step(s, 4096), s.l2.latency);
  // Above the L2 capacity every step goes to DRAM: the L2-hit time plus the DRAM part of the
  // memory latency contract, between a row hit (tCL + burst) and a row conflict
  // (tRP + tRCD + tCL + burst), plus less than one DRAM clock of phase, plus the fixed
  // dram.controller_ns (subtracted below).
  const double tck = static_cast<double>(period_of_mhz(s.clocks.dram_mhz).value);
  const double pc = static_cast<double>(period_of_mhz(s.core_mhz()).value);
  const auto& t = s.dram.timing;
  const double row_hit = (t.tcl + t.burst_cycles) * tck / pc;
  const double conflict = (t.trp + t.trcd + t.tcl + t.burst_cycles + 1) * tck / pc;
  const double dram = per_step(s, 8192) - s.dram.controller_ns * 1000.0 / pc;
  EXPECT_GE(dram, s.l2.latency + row_hit);
  EXPECT_LE(dram, s.l2.latency + conflict + 1);
}

}  // namespace
}  // namespace joulesim::timing_test
