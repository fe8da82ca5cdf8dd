// Issue 5 acceptance on AMD: saturating ubench.throughput (VALU FP32, MFMA F16) and an MFMA GEMM
// reach >= 95% of `gpus show --peaks` on mi250x and mi300x (the GEMM: its k-loop on a 16-CU cut;
// whole-GPU GEMMs: scripts/gemm_peaks_amd.sh).
//
// The peaks are per-CU rates times the CU count, so the runs use a few CUs (one workgroup per CU
// in the round-robin dispatch) and compare with the peak per CU times the CUs used: the full
// 220 / 304 CUs would only multiply simulation time by the same factor.
#include <gtest/gtest.h>

#include "timing/amd_timing_util.hpp"
#include "trace/generators.hpp"

namespace joulesim::timing_test {
namespace {

using trace::gen::Isa;

struct Gpu {
  const char* name;
  Isa isa;
};
const Gpu kGpus[] = {{"mi250x", Isa::kGfx90a}, {"mi300x", Isa::kGfx942}};

report::KernelResult run_generated(const config::GpuSpec& spec, const char* gen,
                                   const trace::gen::ParamList& params, Isa isa) {
  auto src = trace::gen::open_generated(gen, params, isa);
  return gpu::simulate(spec, *src).kernels.at(0);
}

double tensor_peak_per_cu(const config::GpuSpec& spec, trace::TensorType t) {
  for (const auto& p : config::compute_peaks(spec).tensor)
    if (p.type == t) return p.dense_flops_per_s / spec.core.sm_count;
  return 0;
}

TEST(AmdPeaks, ValuFp32ThroughputReachesPeak) {
  const uint32_t cus = 4;
  for (const Gpu& g : kGpus) {
    const auto spec = repo_gpu(g.name);
    const auto k =
        run_generated(spec, "ubench.throughput",
                      {{"op", "ffma"}, {"sms", std::to_string(cus)}, {"iters", "64"}}, g.isa);
    const double flops =
        2.0 *
        static_cast<double>(k.counts.thread_insts[static_cast<size_t>(trace::OpClass::kFp32Fma)]);
    const double peak = config::compute_peaks(spec).fp32_flops_per_s / spec.core.sm_count * cus;
    const double got = flops / (static_cast<double>(k.time_ps) * 1e-12) / peak;
    std::printf("[amd-peak] %s VALU fp32: %.1f%% of peak\n", g.name, 100 * got);
    EXPECT_GE(got, 0.95) << g.name;
    EXPECT_LE(got, 1.001) << g.name;  // kernel time includes the last cycle's edge
  }
}

TEST(AmdPeaks, MfmaF16ThroughputReachesPeak) {
  const uint32_t cus = 4;
  for (const Gpu& g : kGpus) {
    const auto spec = repo_gpu(g.name);
    const auto k =
        run_generated(spec, "ubench.throughput",
                      {{"op", "mfma.f16"}, {"sms", std::to_string(cus)}, {"iters", "32"}}, g.isa);
    const auto fp16 = static_cast<size_t>(trace::TensorType::kFp16);
    const double got = static_cast<double>(k.counts.tensor_flops[fp16]) /
                       (static_cast<double>(k.time_ps) * 1e-12) /
                       (tensor_peak_per_cu(spec, trace::TensorType::kFp16) * cus);
    std::printf("[amd-peak] %s MFMA f16: %.1f%% of peak\n", g.name, 100 * got);
    EXPECT_GE(got, 0.95) << g.name;
    EXPECT_LE(got, 1.001) << g.name;  // kernel time includes the last cycle's edge
  }
}

// 512 x 1024 x k fp16 GEMMs: 16 workgroups of 128 x 256 (one per CU: the dispatch deals them to
// 16 CUs), k / 32 k-tiles each, three k-tiles of global loads in flight (prefetch=3, which fits
// beside the accumulators because they live in AccVGPRs).
struct GemmRun {
  double whole;   ///< FLOPs / time of the k = 2048 run, as a fraction of the 16 CUs' peak
  double steady;  ///< the k-loop alone: (FLOPs(2048) - FLOPs(1024)) / (time(2048) - time(1024))
};

GemmRun gemm_fraction(const Gpu& g, const std::vector<std::string>& overrides = {}) {
  const uint32_t cus = 16;
  const auto spec = repo_gpu(g.name, overrides);
  const double peak = tensor_peak_per_cu(spec, trace::TensorType::kFp16) * cus;
  const auto fp16 = static_cast<size_t>(trace::TensorType::kFp16);
  double flops[2], secs[2];
  for (int i = 0; i < 2; ++i) {
    const uint64_t k = 1024u << i;
    const auto r = run_generated(spec, "gemm",
                                 {{"m", "512"},
                                  {"n", "1024"},
                                  {"k", std::to_string(k)},
                                  {"dtype", "fp16"},
                                  {"prefetch", "3"}},
                                 g.isa);
    EXPECT_EQ(r.counts.tensor_flops[fp16], 2ull * 512 * 1024 * k) << g.name;
    flops[i] = static_cast<double>(r.counts.tensor_flops[fp16]);
    secs[i] = static_cast<double>(r.time_ps) * 1e-12;
  }
  const GemmRun got{flops[1] / secs[1] / peak, (flops[1] - flops[0]) / (secs[1] - secs[0]) / peak};
  std::printf(
      "[amd-peak] %s MFMA gemm f16 on %u CUs: %.1f%% of peak at k = 2048, k-loop %.1f%%%s\n",
      g.name, cus, 100 * got.whole, 100 * got.steady,
      overrides.empty() ? "" : " (L2-miss path latency removed)");
  EXPECT_LE(got.whole, 1.001) << g.name;  // kernel time includes the last cycle's edge
  EXPECT_LE(got.steady, 1.01) << g.name;
  return got;
}

TEST(AmdPeaks, MfmaGemmReachesPeak) {
  // The k-loop (the difference of two runs, so the fixed prologue and epilogue cancel) runs at
  // the matrix cores' peak on both; the whole k = 2048 run loses ~3000 cycles of 67000 to them
  // (first loads of three k-tiles; the 128 KB f32 C tile per workgroup leaving through its CU's
  // 64 B/clk port: 2048 cycles), so it is held to 94% (mi250x: 95%, its k-tiles take twice as
  // long as mi300x's). Before AccVGPRs (two k-tiles of loads in flight) mi300x's k-loop was
  // latency-bound at ~90%.
  for (const Gpu& g : kGpus) {
    const GemmRun r = gemm_fraction(g);
    EXPECT_GE(r.steady, 0.95) << g.name;
    EXPECT_GE(r.whole, g.isa == Isa::kGfx942 ? 0.94 : 0.95) << g.name;
  }
}

TEST(AmdPeaks, LdsHas32BanksAndBankConflictsSerialise) {
  // Both AMD configs: 32 LDS banks of 4 bytes (AMD CDNA2/CDNA3 ISA guides, LDS). A wave64
  // ds_read_b32 is served 32 lanes at a time (32 banks x 4 B per wavefront), so lanes at a stride
  // of k words (k a power of two <= 32) hit 32 / k banks k times each: 2k wavefronts per access,
  // and n independent reads hold the LDS pipe 2kn cycles (k >= 4: more than the 4-cycle address
  // pass of a wave64 on the 16-lane address pipe). The reads rotate over 32 destination VGPRs:
  // a read may not overwrite a VGPR whose earlier read has not returned (load-to-use 2k - 1 +
  // shared.latency = 71 cycles at k = 4), and with only 8 registers read i + 8 would issue 64
  // cycles after read i and wait 7 (8.875 cycles per read: the rotation, not the banks).
  const uint32_t n = 64;
  for (const Gpu& g : kGpus) {
    const auto spec = repo_gpu(g.name);
    EXPECT_EQ(spec.shared.banks, 32u) << g.name;
    EXPECT_EQ(spec.shared.bank_bytes, 4u) << g.name;
    auto cycles = [&](uint32_t k, uint32_t reads) {
      std::vector<uint64_t> addrs(64);
      for (uint32_t l = 0; l < 64; ++l) addrs[l] = uint64_t{4} * k * l;
      auto kern = make_cdna_kernel(
          1, 1, [&](trace::MemoryKernel& km, trace::WarpTrace& w, uint32_t, uint32_t) {
            for (uint32_t i = 0; i < reads; ++i)
              km.append(w, "ds_read_b32", kAllLanes, {static_cast<uint16_t>(10 + i % 32)}, {2}, 4,
                        addrs);
            km.append(w, "s_waitcnt", 0, {}, {}).immediate = waitcnt(63, 0);
            km.append(w, "s_endpgm", 0, {}, {});
          });
      return static_cast<double>(cycles_of(spec, std::move(kern)));
    };
    for (uint32_t k : {4u, 8u, 16u}) {
      const double per_read = (cycles(k, 2 * n) - cycles(k, n)) / n;
      EXPECT_DOUBLE_EQ(per_read, 2.0 * k) << g.name << " stride " << k;
    }
  }
}

}  // namespace
}  // namespace joulesim::timing_test
