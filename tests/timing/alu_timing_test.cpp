// First-principles timing of the ALU pipes: dependent chains (latency) and independent streams
// (throughput), with expected values computed from the spec only.
#include <gtest/gtest.h>

#include "timing/timing_util.hpp"

namespace joulesim::timing_test {
namespace {

// FFMA R2 = R2 * R3 + RZ: R2 (bank 0) and R3 (bank 1) never conflict with rf_banks = 2.
trace::MemoryKernel ffma_chain(uint32_t n) {
  return make_kernel(1, 1, [n](trace::MemoryKernel& k, trace::WarpTrace& w, uint32_t, uint32_t) {
    for (uint32_t i = 0; i < n; ++i) k.append(w, "FFMA", kFull, {2}, {2, 3, kZeroReg});
    k.append(w, "EXIT", kFull, {}, {});
  });
}

TEST(AluTiming, DependentFfmaChainIsExactlyLinear) {
  for (uint32_t latency : {4u, 6u}) {
    auto spec = test_spec();
    spec.units.fp32.latency = latency;
    for (uint32_t n : {1u, 10u, 100u, 1000u}) {
      const uint64_t expected = uint64_t{n} * latency + gpu::kExitOverheadCycles;
      EXPECT_EQ(cycles_of(spec, ffma_chain(n)), expected) << "n=" << n << " latency=" << latency;
    }
  }
}

TEST(AluTiming, ChainTimeIsCyclesTimesPeriod) {
  auto spec = test_spec();
  spec.clocks.core_mhz = 1250;  // 800 ps
  auto r = run(spec, ffma_chain(10));
  EXPECT_EQ(r.kernels[0].time_ps, static_cast<int64_t>(r.kernels[0].cycles) * 800);
}

TEST(AluTiming, BankConflictAddsOneCyclePerExtraSameBankOperand) {
  // FFMA R2 = R2 * R4 + RZ: R2 and R4 are both in bank 0 -> one extra operand-read cycle per step.
  auto spec = test_spec();
  const uint32_t n = 50;
  auto k = make_kernel(1, 1, [n](trace::MemoryKernel& k, trace::WarpTrace& w, uint32_t, uint32_t) {
    for (uint32_t i = 0; i < n; ++i) k.append(w, "FFMA", kFull, {2}, {2, 4, kZeroReg});
    k.append(w, "EXIT", kFull, {}, {});
  });
  auto r = run(spec, std::move(k));
  EXPECT_EQ(r.kernels[0].cycles, n * (spec.units.fp32.latency + 1) + gpu::kExitOverheadCycles);
  EXPECT_EQ(r.kernels[0].counts[stats::Counter::kRfBankConflict], n);
  EXPECT_EQ(r.kernels[0].counts[stats::Counter::kRfRead], 2u * n);
  EXPECT_EQ(r.kernels[0].counts[stats::Counter::kRfWrite], n);
}

// Independent instructions (destinations rotate over 8 registers, sources never written) from
// 4 warps per sub-core: the pipe, not latency, must bound the rate.
double achieved_lanes_per_clock(const config::GpuSpec& spec, const char* opcode, uint32_t iters,
                                uint64_t& warp_insts) {
  const uint32_t warps = 16;
  auto k = make_kernel(spec.core.sm_count, warps,
                       [&](trace::MemoryKernel& k, trace::WarpTrace& w, uint32_t, uint32_t) {
                         for (uint32_t i = 0; i < iters; ++i) {
                           k.append(w, opcode, kFull, {static_cast<uint16_t>(10 + i % 8)}, {2, 3});
                         }
                         k.append(w, "EXIT", kFull, {}, {});
                       });
  auto r = run(spec, std::move(k));
  warp_insts = r.kernels[0].counts.total_warp_insts();
  const double lane_ops =
      static_cast<double>(iters) * warps * spec.core.sm_count * spec.core.warp_size;
  return lane_ops / static_cast<double>(r.kernels[0].cycles);
}

TEST(AluTiming, ThroughputLoopsReachLanesTimesSubcoresTimesSms) {
  struct Case {
    const char* opcode;
    config::UnitSpec config::UnitsSpec::*unit;
  };
  const Case cases[] = {{"FFMA", &config::UnitsSpec::fp32},
                        {"HFMA2", &config::UnitsSpec::fp16},
                        {"IADD3", &config::UnitsSpec::int_alu},
                        {"DFMA", &config::UnitsSpec::fp64},
                        {"MUFU.EX2", &config::UnitsSpec::sfu}};
  auto spec = test_spec(2);
  spec.units.fp16 = {32, 6};  // an Ampere-like FP16x2 pipe: one warp instruction per cycle
  for (const Case& c : cases) {
    const auto& unit = spec.units.*(c.unit);
    const double peak =
        double(unit.lanes_per_subcore) * spec.core.subcores_per_sm * spec.core.sm_count;
    uint64_t insts = 0;
    const uint32_t iters = 4096 / unit.lanes_per_subcore * 8;
    const double got = achieved_lanes_per_clock(spec, c.opcode, iters, insts);
    EXPECT_LE(got, peak * 1.0000001) << c.opcode;
    EXPECT_GE(got, peak * 0.98) << c.opcode << ": " << got << " of " << peak << " lanes/clk";
    EXPECT_EQ(insts, uint64_t{iters + 1} * 16 * spec.core.sm_count);
    std::printf("[throughput] %-9s %.1f of %.0f lanes/clk (%.2f%%)\n", c.opcode, got, peak,
                100 * got / peak);
  }
}

TEST(AluTiming, FractionalPipeRateKeepsItsAverage) {
  // 12 FP64 lanes: a warp instruction needs 32/12 = 2.67 cycles; fixed-point occupancy keeps the
  // average exact instead of rounding every instruction up to 3 cycles.
  auto spec = test_spec(1);
  spec.units.fp64 = {12, 8};
  uint64_t insts = 0;
  const double got = achieved_lanes_per_clock(spec, "DFMA", 600, insts);
  const double peak = 12.0 * 4;
  EXPECT_LE(got, peak * 1.0000001);
  EXPECT_GE(got, peak * 0.98);
}

TEST(AluTiming, CountsConserve) {
  auto spec = test_spec(3);
  auto k =
      make_kernel(5, 3, [](trace::MemoryKernel& k, trace::WarpTrace& w, uint32_t c, uint32_t wi) {
        for (uint32_t i = 0; i < 10 + c + wi; ++i) k.append(w, "FFMA", 0x0000FFFFull, {8}, {2, 3});
        k.append(w, "IADD3", kFull, {9}, {8, kZeroReg});
        k.append(w, "EXIT", kFull, {}, {});
      });
  uint64_t expected_insts = 0, expected_ffma_threads = 0;
  for (const auto& cta : k.ctas) {
    for (const auto& w : cta.warps) {
      expected_insts += w.insts.size();
      expected_ffma_threads += 16 * (w.insts.size() - 2);
    }
  }
  auto r = run(spec, std::move(k));
  const auto& c = r.kernels[0].counts;
  EXPECT_EQ(c.total_warp_insts(), expected_insts);
  EXPECT_EQ(c[stats::Counter::kWarpInstIssued], expected_insts);
  EXPECT_EQ(c.thread_insts[static_cast<size_t>(trace::OpClass::kFp32Fma)], expected_ffma_threads);
  EXPECT_EQ(c[stats::Counter::kCoreCycles], r.kernels[0].cycles);
  EXPECT_EQ(c[stats::Counter::kSmActiveCycles] + c[stats::Counter::kSmIdleCycles],
            r.kernels[0].cycles * 3);
  EXPECT_GT(c[stats::Counter::kSmIdleCycles], 0u);  // 5 CTAs on 3 SMs: two SMs idle at the end
}

}  // namespace
}  // namespace joulesim::timing_test
