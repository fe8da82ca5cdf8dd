// EnergyModel properties: conservation, Dally's instruction table, voltage and time scaling.
#include <gtest/gtest.h>

#include <cmath>

#include "energy/energy.hpp"
#include "energy_test_util.hpp"

using joulesim::energy::Component;
using joulesim::energy::Conditions;
using joulesim::energy::EnergyBreakdown;
using joulesim::energy::load_energy_table;
using joulesim::energy::price;
using joulesim::stats::ActivityCounts;
using joulesim::stats::Counter;
using joulesim::trace::OpClass;
using joulesim::trace::TensorType;
namespace et = joulesim::energy_test;

namespace {

constexpr size_t kFp16 = static_cast<size_t>(TensorType::kFp16);
constexpr size_t kInt8 = static_cast<size_t>(TensorType::kInt8);

// A mix that touches every priced part of the model.
ActivityCounts busy_counts() {
  ActivityCounts c;
  c.add_inst(OpClass::kFp32Fma, 1000, 30000);
  c.add_inst(OpClass::kIntAlu, 500, 16000);
  c.add_inst(OpClass::kLoad, 200, 6400);
  c.add_inst(OpClass::kTensorMma, 100, 3200);
  c.add_inst(OpClass::kTensorGmma, 10, 320);
  c.tensor_flops[kFp16] = 100 * 4096 + 10 * 131072;
  c.tensor_flops[kInt8] = 5000;
  c.tensor_sparse_flops[kInt8] = 1000;
  c[Counter::kRfRead] = 4000;
  c[Counter::kRfWrite] = 1500;
  c[Counter::kL1ReadHit] = 300;
  c[Counter::kL1ReadMiss] = 50;
  c[Counter::kSmemRead] = 400;
  c[Counter::kL2ReadHit] = 60;
  c[Counter::kL2ReadMiss] = 20;
  c[Counter::kLlcHit] = 5;
  c[Counter::kNocFlit] = 200;
  c[Counter::kDramAct] = 10;
  c[Counter::kDramPre] = 10;
  c[Counter::kDramReadBurst] = 20;
  c[Counter::kDramWriteBurst] = 4;
  c[Counter::kDramRefresh] = 2;
  c[Counter::kSmActiveCycles] = 4000;
  c[Counter::kSmIdleCycles] = 1000;
  return c;
}

double sum_components(const EnergyBreakdown& e) {
  double s = 0;
  for (double j : e.by_component) s += j;
  return s;
}

}  // namespace

TEST(EnergyModel, ComponentsAndOpClassesConserve) {
  for (const char* name : {"reference-45nm", "hopper-4n", "volta-12nm", "cdna3-5nm"}) {
    const auto table = load_energy_table(std::string(name) + ".json");
    const auto e = price(busy_counts(), 1'000'000, table, et::small_spec(), Conditions{0, 80});
    EXPECT_GT(e.total_j, 0) << name;
    EXPECT_NEAR(sum_components(e), e.total_j, 1e-9 * e.total_j) << name;
    double ops = 0;
    for (const auto& oc : e.by_op_class) ops += oc.datapath_j + oc.overhead_j;
    EXPECT_NEAR(ops, e.instruction_j(), 1e-9 * e.instruction_j()) << name;
    double tensor = 0;
    for (double j : e.tensor_datapath_j) tensor += j;
    const auto& mma = e.by_op_class[static_cast<size_t>(OpClass::kTensorMma)];
    const auto& gmma = e.by_op_class[static_cast<size_t>(OpClass::kTensorGmma)];
    EXPECT_NEAR(mma.datapath_j + gmma.datapath_j, tensor, 1e-12 * tensor) << name;
  }
}

TEST(EnergyModel, Deterministic) {
  const auto table = load_energy_table("hopper-4n.json");
  const auto a = price(busy_counts(), 123'456'789, table, et::small_spec(), Conditions{0.8, 70});
  const auto b = price(busy_counts(), 123'456'789, table, et::small_spec(), Conditions{0.8, 70});
  EXPECT_EQ(a.by_component, b.by_component);
  EXPECT_EQ(a.total_j, b.total_j);
}

// Dally's table (45 nm): HFMA 1.5 pJ, HDP4A 6.0 pJ, HMMA 110 pJ (4x4x4 = 128 FLOPs), IMMA
// 160 pJ (8x8x8 int8 = 1024 ops), each with ~30 pJ of fetch/decode/operand overhead.
TEST(EnergyModel, ReferenceTableReproducesDallysInstructionTable) {
  const auto t = et::table_json("reference-45nm");
  const auto table = load_energy_table("reference-45nm.json");
  // Overhead of one full-warp thread instruction with 3 register reads and 1 write, from the table.
  const double overhead = et::tv(t, "overhead", "issue_pj_per_warp_inst") / 32 +
                          et::tv(t, "overhead", "lane_pj_per_thread_inst") +
                          3 * et::tv(t, "register_file", "read_pj_per_lane") +
                          et::tv(t, "register_file", "write_pj_per_lane");
  EXPECT_DOUBLE_EQ(overhead, 30.0);  // Dally's ~30 pJ

  struct Case {
    const char* name;
    OpClass cls;
    TensorType type;
    double flops_per_thread_inst;  // 0: not a tensor op
    double dally_pj;
  };
  const Case cases[] = {{"HFMA", OpClass::kFp16, TensorType::kNone, 0, 1.5},
                        {"HDP4A", OpClass::kIntDot, TensorType::kNone, 0, 6.0},
                        {"HMMA", OpClass::kTensorMma, TensorType::kFp16, 128, 110},
                        {"IMMA", OpClass::kTensorMma, TensorType::kInt8, 1024, 160}};
  const uint64_t warps = 1000, threads = warps * 32;
  for (const auto& c : cases) {
    ActivityCounts n;
    n.add_inst(c.cls, warps, threads);
    n[Counter::kRfRead] = 3 * warps;
    n[Counter::kRfWrite] = warps;
    if (c.flops_per_thread_inst > 0) {
      n.tensor_flops[static_cast<size_t>(c.type)] =
          static_cast<uint64_t>(c.flops_per_thread_inst) * threads;
    }
    const auto e = price(n, 0, table, et::small_spec(), Conditions{});
    const auto& oc = e.by_op_class[static_cast<size_t>(c.cls)];
    const double datapath_pj = oc.datapath_j / threads * 1e12;
    const double overhead_pj = oc.overhead_j / threads * 1e12;
    EXPECT_NEAR(datapath_pj, c.dally_pj, 1e-9 * c.dally_pj) << c.name;
    EXPECT_NEAR(overhead_pj, 30.0, 1e-9) << c.name;
    EXPECT_NEAR(oc.overhead_ratio(), 30.0 / c.dally_pj, 1e-9) << c.name;
  }
}

TEST(EnergyModel, HalvingVoltageQuartersDynamicEnergy) {
  const auto t = et::table_json("hopper-4n");
  const auto table = load_energy_table("hopper-4n.json");
  const double vref = t.at("reference_voltage_v").at("value").get<double>();
  const auto spec = et::small_spec();
  const auto full = price(busy_counts(), 1'000'000, table, spec, Conditions{vref, 65});
  const auto half = price(busy_counts(), 1'000'000, table, spec, Conditions{vref / 2, 65});
  for (Component c : {Component::kDatapath, Component::kInstOverhead, Component::kRegisterFile,
                      Component::kL1Shared, Component::kL2, Component::kNoc, Component::kSmClock,
                      Component::kIdleSm}) {
    EXPECT_GT(full.component(c), 0) << joulesim::energy::component_name(c);
    EXPECT_NEAR(half.component(c), full.component(c) / 4, 1e-12 * full.component(c))
        << joulesim::energy::component_name(c);
  }
  // DRAM and the board are on their own rails.
  for (Component c : {Component::kDramDynamic, Component::kDramBackground, Component::kConstant}) {
    EXPECT_EQ(half.component(c), full.component(c)) << joulesim::energy::component_name(c);
  }
  // Leakage follows (V/vref) exp(k (V - vref)), with k from the table.
  const double k = et::tv(t, "leakage", "voltage_exponent_per_v");
  EXPECT_NEAR(half.component(Component::kStatic),
              full.component(Component::kStatic) * 0.5 * std::exp(-k * vref / 2),
              1e-12 * full.component(Component::kStatic));
}

TEST(EnergyModel, StaticAndBoardPowerScaleWithTimeAndTemperature) {
  const auto t = et::table_json("ampere-7nm");
  const auto table = load_energy_table("ampere-7nm.json");
  const auto spec = et::small_spec(10, 8);
  const double tref = t.at("reference_temperature_c").at("value").get<double>();
  const auto e1 = price(busy_counts(), 1'000'000'000, table, spec, Conditions{0, tref});
  const auto e2 = price(busy_counts(), 2'000'000'000, table, spec, Conditions{0, tref});
  // Leakage power at vref, tref from the table entries: sm_count x per-SM + uncore.
  const double leak_w =
      10 * et::tv(t, "static", "sm_leakage_w") + et::tv(t, "static", "uncore_leakage_w");
  EXPECT_NEAR(e1.component(Component::kStatic), leak_w * 1e-3, 1e-12);
  EXPECT_NEAR(e2.component(Component::kStatic), 2 * e1.component(Component::kStatic), 1e-15);
  EXPECT_NEAR(e1.component(Component::kConstant), et::tv(t, "constant", "board_w") * 1e-3, 1e-15);
  EXPECT_NEAR(
      e1.component(Component::kDramBackground) - 2 * 1e-12 * et::tv(t, "actions_pj", "dram.ref"),
      8 * et::tv(t, "dram", "background_w_per_channel") * 1e-3, 1e-15);
  EXPECT_EQ(e1.component(Component::kDatapath), e2.component(Component::kDatapath));
  // Hotter by one doubling interval: twice the leakage.
  const double dbl = et::tv(t, "leakage", "doubling_c");
  const auto hot = price(busy_counts(), 1'000'000'000, table, spec, Conditions{0, tref + dbl});
  EXPECT_NEAR(hot.component(Component::kStatic), 2 * e1.component(Component::kStatic), 1e-12);
}

TEST(EnergyModel, ActionEnergiesMatchTableEntries) {
  const auto t = et::table_json("hopper-4n");
  const auto table = load_energy_table("hopper-4n.json");
  const auto spec = et::small_spec();
  ActivityCounts c;
  c[Counter::kL2ReadHit] = 1000;
  c[Counter::kNocFlit] = 500;
  c[Counter::kDramReadBurst] = 100;
  c[Counter::kDramAct] = 25;
  const auto e = price(c, 0, table, spec, Conditions{});
  EXPECT_NEAR(e.component(Component::kL2), 1000 * et::tv(t, "actions_pj", "l2.read_hit") * 1e-12,
              1e-20);
  EXPECT_NEAR(e.component(Component::kNoc), 500 * et::tv(t, "actions_pj", "noc.flit") * 1e-12,
              1e-20);
  EXPECT_NEAR(e.component(Component::kDramDynamic),
              (100 * 256 * et::tv(t, "dram", "read_pj_per_bit") +
               25 * et::tv(t, "actions_pj", "dram.act")) *
                  1e-12,
              1e-20);
}

TEST(EnergyModel, IdleKernelDrawsAtLeastConstantPlusIdlePower) {
  const auto t = et::table_json("hopper-4n");
  const auto table = load_energy_table("hopper-4n.json");
  auto spec = et::small_spec(132, 80);
  ActivityCounts c;  // 1 ms, every SM idle
  c[Counter::kCoreCycles] = 1'830'000;
  c[Counter::kSmIdleCycles] = 132ull * 1'830'000;
  const auto e = price(c, 1'000'000'000, table, spec, Conditions{0, 65});
  const double idle_w = 132 * 1.83e9 * et::tv(t, "sm", "idle_cycle_pj") * 1e-12;
  EXPECT_GE(e.avg_power_w(), et::tv(t, "constant", "board_w") + idle_w);
  EXPECT_NEAR(e.component(Component::kIdleSm) / e.time_s, idle_w, 1e-9 * idle_w);
}
