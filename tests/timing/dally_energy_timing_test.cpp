// Dally's instruction-energy table end to end: ubench.throughput runs of HFMA2, IDP.4A, HMMA and
// IMMA on the A100 timing model, priced with models/energy/reference-45nm.json at its reference
// voltage, report Dally's datapath energy per instruction (issue 4 acceptance). The expected
// values are Dally's published figures, read here independently of the simulator.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "config/config.hpp"
#include "energy/energy.hpp"
#include "gpu/gpu.hpp"
#include "trace/generators.hpp"

namespace joulesim::timing_test {
namespace {

using trace::OpClass;
using trace::TensorType;

struct DallyCase {
  const char* op;   // ubench.throughput op
  OpClass cls;      // the op class it interns to
  TensorType type;  // tensor type, kNone for a lane instruction
  double dally_pj;  // Dally's energy of the instruction
  double ops;       // operations of Dally's instruction (tensor: FLOPs; 0: per thread instruction)
};

// Dally: HFMA 1.5 pJ, HDP4A 6.0 pJ, HMMA 110 pJ for a 4x4x4 FP16 MMA (128 FLOPs), IMMA 160 pJ for
// an 8x8x8 int8 MMA (1024 ops); ~30 pJ of fetch/decode/operand overhead per instruction.
constexpr DallyCase kCases[] = {
    {"hfma2", OpClass::kFp16, TensorType::kNone, 1.5, 0},
    {"idp4a", OpClass::kIntDot, TensorType::kNone, 6.0, 0},
    {"hmma.f16", OpClass::kTensorMma, TensorType::kFp16, 110, 128},
    {"imma.s8", OpClass::kTensorMma, TensorType::kInt8, 160, 1024},
};

TEST(DallyEnergy, ThroughputRunsReportDallysInstructionEnergies) {
  const config::LoadedGpu g =
      config::load_gpu("a100", {"power.energy_table=models/energy/reference-45nm.json"});
  const energy::PricingSetup setup = energy::pricing_setup(g.spec, {});
  energy::Conditions at_vref = setup.cond;
  at_vref.volts = setup.table.vref.value;  // Dally's figures are at the table's voltage
  const auto& t = setup.table;
  for (const DallyCase& c : kCases) {
    trace::MemoryTraceSource source = trace::gen::generate(
        "ubench.throughput", {{"op", c.op}, {"warps_per_sm", "8"}, {"iters", "16"}},
        trace::gen::Isa::kSm80);
    const report::RunResult r = gpu::simulate(g.spec, source);
    const auto& k = r.kernels.at(0);
    const energy::EnergyBreakdown e = energy::price(k.counts, k.time_ps, t, g.spec, at_vref);
    const auto& oc = e.by_op_class[static_cast<size_t>(c.cls)];
    ASSERT_GT(oc.thread_insts, 0u) << c.op;
    const double threads = static_cast<double>(oc.thread_insts);
    double datapath_pj;  // per Dally instruction
    if (c.type == TensorType::kNone) {
      datapath_pj = oc.datapath_j * 1e12 / threads;
    } else {
      const double flops = static_cast<double>(k.counts.tensor_flops[static_cast<size_t>(c.type)]);
      ASSERT_GT(flops, 0) << c.op;
      datapath_pj = oc.datapath_j * 1e12 / flops * c.ops;
    }
    EXPECT_NEAR(datapath_pj, c.dally_pj, 1e-9 * c.dally_pj) << c.op;
    // Overhead per thread instruction: issue + operand delivery always; the register file's share
    // is at most Dally's nominal 3 reads + 1 write (the operand reuse cache saves reads), so the
    // total lies between the non-RF part and Dally's 30 pJ.
    const double fixed = t.issue_pj_per_warp_inst.value / 32 + t.lane_pj_per_thread_inst.value;
    const double nominal_rf = 3 * t.rf_read_pj_per_lane.value + t.rf_write_pj_per_lane.value;
    ASSERT_DOUBLE_EQ(fixed + nominal_rf, 30.0);
    const double overhead_pj = oc.overhead_j * 1e12 / threads;
    std::printf(
        "[dally] %-9s datapath %.4g pJ per instruction (Dally %.4g), overhead %.2f pJ per "
        "thread instruction, overhead/datapath %.3g\n",
        c.op, datapath_pj, c.dally_pj, overhead_pj, oc.overhead_ratio());
    EXPECT_GE(overhead_pj, fixed - 1e-9) << c.op;
    EXPECT_LE(overhead_pj, fixed + nominal_rf + 1e-9) << c.op;
  }
}

}  // namespace
}  // namespace joulesim::timing_test
