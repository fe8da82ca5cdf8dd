// Sanity against the physical world: a saturating dense tensor GEMM priced with each generation's
// table. Counts are constructed to match a tiled GEMM at the GPU's published peak dense rate
// (tile sizes, operand traffic and instruction shapes below); the expectations are public
// TDP / peak figures, not model output. Calibration (models/energy/scaling.json
// calibration_anchors): the logic factor was fitted at two anchors, V100 (12 nm) and H100 (4 nm);
// A100 (7 nm, interpolated) is out of sample; B200 shares the 4 nm anchor.
#include <gtest/gtest.h>

#include <cstdio>

#include "energy/energy.hpp"
#include "energy_test_util.hpp"

using joulesim::stats::ActivityCounts;
using joulesim::stats::Counter;
using joulesim::trace::OpClass;
using joulesim::trace::TensorType;
namespace et = joulesim::energy_test;

namespace {

struct Gemm {
  const char* gpu;
  const char* table;
  uint32_t sms;
  double mhz;
  double peak_flops;      // published dense FP16/BF16 tensor peak
  double tdp_w;           // published board power
  double flops_per_inst;  // per warp tensor instruction
  OpClass mma;
  double other_per_mma;        // non-tensor warp instructions per tensor warp instruction
  double rf_reads, rf_writes;  // per tensor warp instruction (warp operands)
  double smem_bytes_per_flop;  // operand reads from shared memory
  double tile_m, tile_n;  // CTA tile: global/L2 traffic (M+N)/(M*N) bytes per FLOP (2 B operands)
  bool through_l1;        // Volta loads through L1; cp.async/TMA bypass it
  uint32_t dram_channels;
  const char* dram_type;
};

// Published peaks: V100 SXM2 125 TFLOPS FP16 tensor at 300 W; A100 SXM4 312 TFLOPS BF16 at 400 W;
// H100 SXM5 989 TFLOPS BF16 dense at 700 W; B200 (HGX) 2.25 PFLOPS BF16 dense at 1000 W.
const Gemm kGemms[] = {
    // Volta: HMMA.884 steps of 512 FLOPs (16 per wmma 16x16x16); A/B from the reuse cache, C/D 2
    // regs.
    {"v100", "volta-12nm.json", 80, 1530, 125e12, 300, 512, OpClass::kTensorMma, 0.5, 3, 2, 0.03125,
     128, 128, true, 32, "hbm2"},
    // Ampere: HMMA.16816 (4096 FLOPs), ldmatrix operands from a 64x64 warp tile, 128x128 CTA tile.
    {"a100", "ampere-7nm.json", 108, 1410, 312e12, 400, 4096, OpClass::kTensorMma, 0.5, 7, 4,
     0.03125, 128, 128, false, 40, "hbm2e"},
    // Hopper: wgmma m64n256k16 (131072 FLOPs per warp), 128x256 CTA tile, accumulators in the RF.
    {"h100", "hopper-4n.json", 132, 1830, 989e12, 700, 131072, OpClass::kTensorGmma, 2, 128, 128,
     0.0195, 128, 256, false, 80, "hbm3"},
    // Blackwell: twice Hopper's per-instruction work, 256x256 CTA pair tile.
    {"b200", "blackwell-4np.json", 148, 1850, 2250e12, 1000, 262144, OpClass::kTensorGmma, 2, 128,
     128, 0.0195, 256, 256, false, 128, "hbm3e"},
};

// Counts of 1 ms of the GEMM at peak.
ActivityCounts gemm_counts(const Gemm& g, double seconds) {
  ActivityCounts c;
  const double flops = g.peak_flops * seconds;
  const double mma = flops / g.flops_per_inst;
  const double other = mma * g.other_per_mma;
  c.add_inst(g.mma, static_cast<uint64_t>(mma), static_cast<uint64_t>(mma * 32));
  c.add_inst(OpClass::kIntAlu, static_cast<uint64_t>(other / 2),
             static_cast<uint64_t>(other / 2 * 32));
  c.add_inst(OpClass::kLoad, static_cast<uint64_t>(other / 2),
             static_cast<uint64_t>(other / 2 * 32));
  c.tensor_flops[static_cast<size_t>(TensorType::kBf16)] = static_cast<uint64_t>(flops);
  c[Counter::kRfRead] = static_cast<uint64_t>(mma * g.rf_reads + other * 2);
  c[Counter::kRfWrite] = static_cast<uint64_t>(mma * g.rf_writes + other);
  const double l2_bytes =
      flops * (g.tile_m + g.tile_n) / (g.tile_m * g.tile_n);  // 2 B operands / 2 FLOPs per MAC
  c[Counter::kSmemRead] = static_cast<uint64_t>(flops * g.smem_bytes_per_flop / 128);
  c[Counter::kSmemWrite] = static_cast<uint64_t>(l2_bytes / 128);
  const double sectors = l2_bytes / 32;
  const double dram_sectors = sectors * 0.1;  // 90% L2 hit rate on operand tiles (assumed)
  if (g.through_l1) c[Counter::kL1ReadMiss] = static_cast<uint64_t>(sectors);
  c[Counter::kL2ReadHit] = static_cast<uint64_t>(sectors - dram_sectors);
  c[Counter::kL2ReadMiss] = static_cast<uint64_t>(dram_sectors);
  c[Counter::kNocFlit] = static_cast<uint64_t>(sectors);
  c[Counter::kDramReadBurst] = static_cast<uint64_t>(dram_sectors);
  c[Counter::kDramAct] = c[Counter::kDramPre] = static_cast<uint64_t>(dram_sectors / 4);
  c[Counter::kDramWriteBurst] =
      static_cast<uint64_t>(flops / 8192 / 32);  // C written once (M=N=K=8192)
  c[Counter::kCoreCycles] = static_cast<uint64_t>(g.mhz * 1e6 * seconds);
  c[Counter::kSmActiveCycles] = c[Counter::kCoreCycles] * g.sms;
  c[Counter::kDramRefresh] = static_cast<uint64_t>(g.dram_channels * seconds / 3.9e-6);
  return c;
}

double gemm_power(const Gemm& g, FILE* report) {
  const auto table = joulesim::energy::load_energy_table(g.table);
  auto spec = et::small_spec(g.sms, g.dram_channels);
  spec.dram.type = g.dram_type;
  const double seconds = 1e-3;
  const auto e = joulesim::energy::price(
      gemm_counts(g, seconds), static_cast<int64_t>(seconds * 1e12), table, spec, {0, 65});
  if (report != nullptr) {
    std::fprintf(report, "%s %s: %.0f W, %.3f pJ/FLOP (TDP/peak %.3f):", g.gpu, g.table,
                 e.avg_power_w(), e.total_j / (g.peak_flops * seconds) * 1e12,
                 g.tdp_w / g.peak_flops * 1e12);
    for (size_t c = 0; c < joulesim::energy::kNumComponents; ++c) {
      std::fprintf(
          report, " %s=%.0f",
          std::string(joulesim::energy::component_name(static_cast<joulesim::energy::Component>(c)))
              .c_str(),
          e.by_component[c] / seconds);
    }
    std::fprintf(report, "\n");
  }
  return e.avg_power_w();
}

}  // namespace

TEST(EnergySanity, PicojoulesPerFlopAtPeakWithin30PercentOfTdpOverPeak) {
  for (const auto& g : kGemms) {
    const double pj_per_flop = gemm_power(g, stdout) / g.peak_flops * 1e12;
    const double target = g.tdp_w / g.peak_flops * 1e12;
    EXPECT_NEAR(pj_per_flop, target, 0.30 * target) << g.gpu;
  }
}

TEST(EnergySanity, H100DenseBf16GemmDrawsAbout700W) {
  const double w = gemm_power(kGemms[2], nullptr);
  EXPECT_NEAR(w, 700, 0.15 * 700);
}
