// First-principles timing of tensor cores: warp MMA throughput per type, warpgroup GMMA length,
// its asynchrony and wait semantics.
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "timing/timing_util.hpp"

namespace joulesim::timing_test {
namespace {

using trace::TensorType;

double& rate(config::GpuSpec& s, TensorType t) {
  return s.tensor.dense_flops_per_clk[static_cast<size_t>(t)];
}

// Independent MMAs: accumulators rotate over 8 register groups, A/B never written.
double mma_flops_per_clk_per_sm(const config::GpuSpec& spec, const char* opcode, uint32_t iters,
                                uint32_t binary_version, stats::ActivityCounts* counts = nullptr) {
  const uint32_t warps = 8;
  auto k = make_kernel(
      spec.core.sm_count, warps,
      [&](trace::MemoryKernel& k, trace::WarpTrace& w, uint32_t, uint32_t) {
        for (uint32_t i = 0; i < iters; ++i) {
          const auto acc = static_cast<uint16_t>(20 + 4 * (i % 8));
          k.append(w, opcode, kFull, {acc}, {4, 7});
        }
        k.append(w, "EXIT", kFull, {}, {});
      },
      64, 0, binary_version);
  auto r = run(spec, std::move(k));
  uint64_t flops = 0;
  for (uint64_t f : r.kernels[0].counts.tensor_flops) flops += f;
  if (counts) *counts = r.kernels[0].counts;
  return static_cast<double>(flops) / spec.core.sm_count / static_cast<double>(r.kernels[0].cycles);
}

TEST(TensorTiming, WarpMmaReachesConfiguredRatePerType) {
  struct Case {
    const char* opcode;
    TensorType type;
    double flops_per_clk;
    uint32_t binary_version;
    uint64_t flops_per_inst;  // 2*m*n*k, from the shape in the opcode
  };
  const Case cases[] = {
      {"HMMA.884.F32.F16", TensorType::kFp16, 1024, 70, 2 * 8 * 8 * 4},  // V100: 8 TCs x 64 FMA x 2
      {"HMMA.16816.F32", TensorType::kFp16, 2048, 80, 2 * 16 * 8 * 16},  // A100
      {"HMMA.16816.F32.BF16", TensorType::kBf16, 2048, 80, 2 * 16 * 8 * 16},
      {"HMMA.1684.F32.TF32", TensorType::kTf32, 1024, 80, 2 * 16 * 8 * 4},
      {"IMMA.16832.S32.S8.S8", TensorType::kInt8, 4096, 80, 2 * 16 * 8 * 32},
  };
  for (const Case& c : cases) {
    auto spec = test_spec(2);
    rate(spec, c.type) = c.flops_per_clk;
    stats::ActivityCounts counts;
    const double got = mma_flops_per_clk_per_sm(spec, c.opcode, 400, c.binary_version, &counts);
    EXPECT_LE(got, c.flops_per_clk * 1.0000001) << c.opcode;
    EXPECT_GE(got, c.flops_per_clk * 0.97) << c.opcode << ": " << got;
    EXPECT_EQ(counts.tensor_flops[static_cast<size_t>(c.type)], c.flops_per_inst * 400 * 8 * 2)
        << c.opcode;
    std::printf("[tensor] %-22s %.1f of %.0f flops/clk/SM (%.2f%%)\n", c.opcode, got,
                c.flops_per_clk, 100 * got / c.flops_per_clk);
  }
}

TEST(TensorTiming, SingleMmaLatencyIsOccupancyPlusMmaLatency) {
  // One HMMA.16816 on A100 rates: 4096 flops / (2048 / 4 sub-cores) = 8 cycles, then mma_latency;
  // a dependent second HMMA issues when the first's result is ready.
  auto spec = test_spec(1);
  rate(spec, TensorType::kFp16) = 2048;
  for (uint32_t n : {1u, 2u, 5u}) {
    auto k =
        make_kernel(1, 1, [n](trace::MemoryKernel& k, trace::WarpTrace& w, uint32_t, uint32_t) {
          // R20 (bank 0) and R7 (bank 1): no register-bank conflict; the chain runs through R20.
          for (uint32_t i = 0; i < n; ++i)
            k.append(w, "HMMA.16816.F32", kFull, {20}, {20, 7, kZeroReg});
          k.append(w, "EXIT", kFull, {}, {});
        });
    EXPECT_EQ(cycles_of(spec, std::move(k)),
              n * (8 + spec.tensor.mma_latency) + gpu::kExitOverheadCycles);
  }
}

TEST(TensorTiming, SparseMmaRunsAtSparsitySpeedup) {
  auto spec = test_spec(1);
  rate(spec, TensorType::kFp16) = 2048;
  stats::ActivityCounts counts;
  const double got = mma_flops_per_clk_per_sm(spec, "HMMA.SP.16832.F32", 400, 80, &counts);
  EXPECT_GE(got, 2048 * spec.tensor.sparsity_speedup * 0.97);
  EXPECT_LE(got, 2048 * spec.tensor.sparsity_speedup * 1.0000001);
  EXPECT_EQ(counts.tensor_sparse_flops[static_cast<size_t>(TensorType::kFp16)],
            counts.tensor_flops[static_cast<size_t>(TensorType::kFp16)]);
}

TEST(TensorTiming, UnsupportedTypeIsAClearError) {
  auto spec = test_spec(1);  // no int8 rate
  auto k = make_kernel(1, 1, [](trace::MemoryKernel& k, trace::WarpTrace& w, uint32_t, uint32_t) {
    k.append(w, "IMMA.16832.S32.S8.S8", kFull, {20}, {4, 7});
  });
  try {
    run(spec, std::move(k));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("IMMA.16832.S32.S8.S8"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("int8"), std::string::npos) << e.what();
  }
}

// One warpgroup (4 warps, one per sub-core): ARRIVE; n x GMMA on the same accumulator; DEPBAR.
trace::MemoryKernel gmma_kernel(const char* opcode, uint32_t n) {
  return make_kernel(
      1, 4,
      [=](trace::MemoryKernel& k, trace::WarpTrace& w, uint32_t, uint32_t) {
        k.append(w, "WARPGROUP.ARRIVE", kFull, {}, {});
        for (uint32_t i = 0; i < n; ++i)
          k.append(w, opcode, kFull, {24}, {trace::kUniformBase + 4, 24});
        k.append(w, "WARPGROUP.DEPBAR.LE", kFull, {}, {});
        k.append(w, "EXIT", kFull, {}, {});
      },
      168, 0, 90);
}

TEST(TensorTiming, HgmmaM64N256K16Bf16TakesExactly128Cycles) {
  // 2*64*256*16 = 524288 flops at 4096 flops/clk/SM (H100) = 128 cycles.
  auto spec = h100_like_spec();
  const uint64_t gmma = 524288 / 4096;
  ASSERT_EQ(gmma, 128u);
  // Overhead: ARRIVE issues at cycle 0, the GMMA at 1 (launch), DEPBAR at 1 + n*128, EXIT one
  // cycle later, and the kernel ends the cycle after EXIT.
  uint64_t prev = 0;
  for (uint32_t n = 1; n <= 4; ++n) {
    const uint64_t c = cycles_of(spec, gmma_kernel("HGMMA.64x256x16.F32.BF16", n));
    EXPECT_EQ(c, 1 + n * gmma + 1 + gpu::kExitOverheadCycles) << "n=" << n;
    if (n > 1) EXPECT_EQ(c - prev, gmma) << "n=" << n;
    prev = c;
  }
  // FP8 QGMMA m64n256k32 at 8192 flops/clk: also 128 cycles.
  EXPECT_EQ(cycles_of(spec, gmma_kernel("QGMMA.64x256x32.F32.E4M3.E4M3", 1)),
            1 + 128 + 1 + gpu::kExitOverheadCycles);
}

TEST(TensorTiming, GmmaLatencyAddsOnce) {
  auto spec = h100_like_spec();
  spec.tensor.gmma_latency = 10;
  EXPECT_EQ(cycles_of(spec, gmma_kernel("HGMMA.64x256x16.F32.BF16", 2)),
            1 + 2 * 128 + 10 + 1 + gpu::kExitOverheadCycles);
}

TEST(TensorTiming, GmmaIsAsynchronousUntilTheWait) {
  // 100 FFMAs after the GMMA but before DEPBAR overlap with it (100 * 4 cycles > 128 is not needed:
  // 20 dependent FFMAs = 80 cycles, all hidden under the 128-cycle GMMA).
  auto spec = h100_like_spec();
  auto k = make_kernel(
      1, 4,
      [](trace::MemoryKernel& k, trace::WarpTrace& w, uint32_t, uint32_t) {
        k.append(w, "WARPGROUP.ARRIVE", kFull, {}, {});
        k.append(w, "HGMMA.64x256x16.F32.BF16", kFull, {24}, {trace::kUniformBase + 4, 24});
        for (int i = 0; i < 20; ++i) k.append(w, "FFMA", kFull, {2}, {2, 3});
        k.append(w, "WARPGROUP.DEPBAR.LE", kFull, {}, {});
        k.append(w, "EXIT", kFull, {}, {});
      },
      168, 0, 90);
  EXPECT_EQ(cycles_of(spec, std::move(k)), 1 + 128 + 1 + gpu::kExitOverheadCycles);
}

TEST(TensorTiming, DepbarKeepsNGroupsInFlight) {
  // ARRIVE, G1, ARRIVE, G2, DEPBAR.LE 1, 50 dependent FFMAs, DEPBAR.LE 0, EXIT.
  // G1 launches at 1 and completes at 129; G2 queues behind it (129..257). DEPBAR.LE 1 waits only
  // for G1: it issues at 129, the FFMAs at 130..326 (R2 ready at 330), DEPBAR.LE 0 (G2 done at
  // 257) at 327, EXIT at 330 when R2 is written; end 331.
  auto spec = h100_like_spec();
  auto k = make_kernel(
      1, 4,
      [](trace::MemoryKernel& k, trace::WarpTrace& w, uint32_t, uint32_t) {
        for (int g = 0; g < 2; ++g) {
          k.append(w, "WARPGROUP.ARRIVE", kFull, {}, {});
          k.append(w, "HGMMA.64x256x16.F32.BF16", kFull, {24}, {trace::kUniformBase + 4, 24});
        }
        k.append(w, "WARPGROUP.DEPBAR.LE", kFull, {}, {}).immediate = 1;
        for (int i = 0; i < 50; ++i) k.append(w, "FFMA", kFull, {2}, {2, 3});
        k.append(w, "WARPGROUP.DEPBAR.LE", kFull, {}, {}).immediate = 0;
        k.append(w, "EXIT", kFull, {}, {});
      },
      168, 0, 90);
  EXPECT_EQ(cycles_of(spec, std::move(k)), 1 + 128 + 1 + 50 * 4 + gpu::kExitOverheadCycles);
}

TEST(TensorTiming, GmmaLoopReachesSmTensorRate) {
  auto spec = h100_like_spec(2);
  auto k = make_kernel(
      2, 8,  // two warpgroups per CTA, one CTA per SM
      [](trace::MemoryKernel& k, trace::WarpTrace& w, uint32_t, uint32_t) {
        for (int it = 0; it < 50; ++it) {
          k.append(w, "WARPGROUP.ARRIVE", kFull, {}, {});
          for (int i = 0; i < 4; ++i)
            k.append(w, "HGMMA.64x128x16.F32.F16", kFull, {24}, {trace::kUniformBase + 4, 24});
          k.append(w, "WARPGROUP.DEPBAR.LE", kFull, {}, {});
        }
        k.append(w, "EXIT", kFull, {}, {});
      },
      168, 0, 90);
  auto r = run(spec, std::move(k));
  const uint64_t flops = r.kernels[0].counts.tensor_flops[static_cast<size_t>(TensorType::kFp16)];
  EXPECT_EQ(flops, 2ull * 64 * 128 * 16 * 4 * 50 * 2 * 2);  // counted once per warpgroup
  const double got = static_cast<double>(flops) / 2 / static_cast<double>(r.kernels[0].cycles);
  EXPECT_GE(got, 4096 * 0.97) << got;
  EXPECT_LE(got, 4096 * 1.0000001) << got;
  std::printf("[tensor] HGMMA.64x128x16 loop %.1f of 4096 flops/clk/SM (%.2f%%)\n", got,
              100 * got / 4096);
}

}  // namespace
}  // namespace joulesim::timing_test
