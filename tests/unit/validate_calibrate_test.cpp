// Calibration: scale fits on known designs, leave-one-out on synthetic data with known
// coefficients (through the real EnergyModel), the AccelWattch join and counter mapping.
#include <gtest/gtest.h>

#include <fstream>

#include "core/error.hpp"
#include "core/paths.hpp"
#include "energy/energy.hpp"
#include "validate/validate.hpp"

namespace joulesim::validate {
namespace {

using nlohmann::json;

std::vector<FitParameter> params(size_t n, bool prior) {
  std::vector<FitParameter> p(n);
  for (size_t i = 0; i < n; ++i) {
    p[i].name = "p" + std::to_string(i);
    p[i].prior = prior;
  }
  return p;
}

// measured = offset + columns * truth, exactly.
Design synthetic_design(const Eigen::VectorXd& truth, int n) {
  Design d;
  d.columns.resize(n, truth.size());
  d.offset.resize(n);
  for (int i = 0; i < n; ++i) {
    for (int k = 0; k < truth.size(); ++k)
      d.columns(i, k) = 10.0 + ((i * 7 + k * 13) % 11) * (k + 1);
    d.offset(i) = 20.0 + i;
  }
  d.measured = d.offset + d.columns * truth;
  return d;
}

TEST(ValidateCalibrate, FitRecoversKnownScales) {
  Eigen::VectorXd truth(3);
  truth << 0.5, 2.0, 1.25;
  const Design d = synthetic_design(truth, 12);
  for (bool relative : {true, false}) {
    const Fit f = fit_scales(d, params(3, false), 0, relative);
    for (int k = 0; k < 3; ++k) EXPECT_NEAR(f.scales(k), truth(k), 1e-9);
  }
}

TEST(ValidateCalibrate, StrongPriorPullsScalesToOne) {
  Eigen::VectorXd truth(2);
  truth << 3.0, 0.2;
  const Design d = synthetic_design(truth, 10);
  const Fit f = fit_scales(d, params(2, true), 1e8, true);
  EXPECT_NEAR(f.scales(0), 1.0, 1e-3);
  EXPECT_NEAR(f.scales(1), 1.0, 1e-3);
  // A parameter without prior is free even under a strong prior on the others.
  auto p = params(2, true);
  p[0].prior = false;
  const Fit g = fit_scales(d, p, 1e8, true);
  EXPECT_NEAR(g.scales(1), 1.0, 1e-3);
  EXPECT_GT(g.scales(0), 1.5);
}

TEST(ValidateCalibrate, LeaveOneOutIsExactOnNoiseFreeData) {
  Eigen::VectorXd truth(3);
  truth << 0.7, 1.9, 0.0;  // one true zero: an active constraint in every fold
  const Design d = synthetic_design(truth, 9);
  const auto loo = loo_predictions(d, params(3, false), {0}, true);
  ASSERT_EQ(loo.size(), 9u);
  for (int i = 0; i < 9; ++i) EXPECT_NEAR(loo[static_cast<size_t>(i)], d.measured(i), 1e-8);
  // Nested selection over a grid keeps the exactness (lambda = 0 wins every inner fold).
  const auto nested = loo_predictions(d, params(3, true), {0, 1, 10}, true);
  for (int i = 0; i < 9; ++i) EXPECT_NEAR(nested[static_cast<size_t>(i)], d.measured(i), 1e-6);
}

json volta_table() {
  std::ifstream in(energy::resolve_table_path("volta-12nm.json"));
  return json::parse(in);
}

// Synthetic kernels priced by the EnergyModel with a table whose fitted entries are scaled by
// known factors: build_design + fit must recover the factors, and LOO must predict exactly.
TEST(ValidateCalibrate, RecoversKnownTableScalesThroughTheEnergyModel) {
  const json base = volta_table();
  const std::vector<FitParameter> p = {
      {"board", {"/constant/board_w"}, false},
      {"sm_active", {"/sm/active_cycle_pj"}, false},
      {"noc", {"/actions_pj/noc.flit"}, false},
      {"dram", {"/dram/read_pj_per_bit", "/dram/write_pj_per_bit"}, false}};
  const double truth[] = {1.6, 0.8, 1.3, 0.5};
  json scaled = base;
  for (size_t k = 0; k < p.size(); ++k) {
    for (const auto& e : p[k].entries) {
      auto& v = scaled[json::json_pointer(e)]["value"];
      v = v.get<double>() * truth[k];
    }
  }
  const auto truth_table = energy::parse_energy_table(scaled, "scaled");
  config::GpuSpec spec;
  std::vector<CounterSample> samples;
  for (int i = 0; i < 10; ++i) {
    CounterSample s;
    s.name = "k" + std::to_string(i);
    s.time_ps = 1'000'000'000;  // 1 ms
    const uint64_t cycles = 1'000'000;
    s.counts[stats::Counter::kCoreCycles] = cycles;
    s.counts[stats::Counter::kSmActiveCycles] = cycles * static_cast<uint64_t>(20 + 6 * i);
    s.counts[stats::Counter::kSmIdleCycles] = cycles * static_cast<uint64_t>(60 - 6 * i);
    // Patterns chosen so that no leave-one-out fold is rank-deficient (checked by hand).
    const auto u = static_cast<uint64_t>(i);
    s.counts[stats::Counter::kNocFlit] = 1'000'000ull * ((u * u) % 7 + 1);
    s.counts[stats::Counter::kDramReadBurst] = 2'500'000ull * ((u * u * u) % 5 + 1);
    s.counts[stats::Counter::kDramWriteBurst] = 100'000ull * (u + 1);
    s.counts[stats::Counter::kL2ReadHit] = 300'000;
    s.measured_w = counter_power_w(s, truth_table, spec);
    samples.push_back(s);
  }
  const Design d = build_design(samples, base, p, spec);
  const Fit f = fit_scales(d, p, 0, true);
  for (size_t k = 0; k < p.size(); ++k)
    EXPECT_NEAR(f.scales(static_cast<Eigen::Index>(k)), truth[k], 1e-6) << p[k].name;
  const auto loo = loo_predictions(d, p, {0}, true);
  for (size_t i = 0; i < samples.size(); ++i) EXPECT_NEAR(loo[i], samples[i].measured_w, 1e-6);
}

TEST(ValidateCalibrate, BadEntryPointerIsAConfigError) {
  const json base = volta_table();
  config::GpuSpec spec;
  CounterSample s;
  s.time_ps = 1000;
  s.measured_w = 1;
  try {
    build_design({s}, base, {{"x", {"/sm/no_such_entry"}, true}}, spec);
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("/sm/no_such_entry: no such entry"), std::string::npos);
  }
}

std::vector<std::pair<std::string, std::string>> committed_join() {
  const auto ds = load_dataset(data_root() / "validation" / "datasets" / "accelwattch-volta.json");
  std::vector<std::pair<std::string, std::string>> j;
  for (const auto& e : ds.raw["join"]) {
    j.emplace_back(e["name"],
                   e["benchmark"].get<std::string>() + "," + e["kernel"].get<std::string>());
  }
  return j;
}

const std::string kPerf = std::string(JOULESIM_SHARED_DATA) + "/accelwattch-volta/hw_perf.csv";
const std::string kPower =
    std::string(JOULESIM_SHARED_DATA) + "/accelwattch-volta/hw_power_validation_volta.csv";

// 25 kernels have both counters and measured power; pathfinder_k1 has power only.
TEST(ValidateAccelWattch, JoinHas25KernelsAndNamesTheLeftOver) {
  std::vector<std::string> unmatched;
  const auto k = join_accelwattch(kPerf, kPower, committed_join(), &unmatched);
  ASSERT_EQ(k.size(), 25u);
  EXPECT_EQ(unmatched, std::vector<std::string>{"power:pathfinder_k1"});
  // Values as they stand in the two files.
  const auto& bt = k[3];
  EXPECT_EQ(bt.name, "btree_k1");
  EXPECT_EQ(bt.kernel, "findRangeK");
  EXPECT_DOUBLE_EQ(bt.measured_w, 172.6988);
  EXPECT_DOUBLE_EQ(bt.counter("L1_RH"), 1634256.0);
  // mergeSort_k1 is the mergeElementaryIntervals row (second mergeSort row of hw_perf.csv).
  for (const auto& x : k) {
    if (x.name == "mergeSort_k1") {
      EXPECT_DOUBLE_EQ(x.counter("Elapsed_Cycles"), 157457.05);
      EXPECT_DOUBLE_EQ(x.measured_w, 172.8844);
    }
  }
}

TEST(ValidateAccelWattch, WrongJoinEntryIsAnError) {
  try {
    join_accelwattch(kPerf, kPower, {{"btree_k1", "b+tree-rodinia-3.1,btree_k1"}});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("matches 0 rows"), std::string::npos);
  }
}

// One hand-made kernel: cycles 1000, 20 of 80 SMs idle, duty 0.5, 10 launches at 1000 MHz.
TEST(ValidateAccelWattch, CounterMappingUnitsAndProxy) {
  const auto ds = load_dataset(data_root() / "validation" / "datasets" / "accelwattch-volta.json");
  CounterKernel k;
  k.name = "hand";
  k.counters = {
      {"L1_RH", 5},         {"L1_RM", 1},           {"L1_WH", 2},         {"L1_WM", 3},
      {"CC_ACC", 4},        {"SHRD_ACC", 6},        {"DRAM_Rd", 7},       {"DRAM_Wr", 8},
      {"L2_RH", 9},         {"L2_RM", 10},          {"L2_WH", 11},        {"L2_WM", 0},
      {"NOC", 12},          {"Pipeline_Duty", 0.5}, {"Num_Idle_SMs", 20}, {"Elapsed_Cycles", 1000},
      {"Chip Voltage", 1.0}};
  const auto s = counter_sample(k, ds.raw["mapping"], 80, 10, 1000);
  using C = stats::Counter;
  EXPECT_EQ(s.counts[C::kCoreCycles], 10000u);
  EXPECT_EQ(s.counts[C::kSmIdleCycles], 200000u);    // 20 x 1000 x 10
  EXPECT_EQ(s.counts[C::kSmActiveCycles], 600000u);  // 60 x 1000 x 10
  EXPECT_EQ(s.counts[C::kL1Write], 50u);             // (2 + 3) x 10
  EXPECT_EQ(s.counts[C::kDramReadBurst], 70u);
  EXPECT_EQ(s.counts[C::kNocFlit], 120u);
  // 0.5 duty x 5 pipes x 80 SMs x 1000 cycles x 10 launches = 2e6 proxy warp instructions.
  EXPECT_EQ(s.counts.warp_insts[static_cast<size_t>(trace::OpClass::kFp32Fma)], 2000000u);
  EXPECT_EQ(s.counts.thread_insts[static_cast<size_t>(trace::OpClass::kFp32Fma)], 64000000u);
  EXPECT_EQ(s.counts[C::kRfRead], 6000000u);
  EXPECT_EQ(s.time_ps, 10'000'000);  // 10000 cycles at 1 GHz = 10 us
  EXPECT_DOUBLE_EQ(s.conditions.volts, 1.0);
}

}  // namespace
}  // namespace joulesim::validate

namespace joulesim::validate {
namespace {

// The committed calibrated table is what `joulesim calibrate` produces from the committed spec,
// dataset and base table (re-run it when any of them changes).
TEST(ValidateCalibrate, CommittedCalibratedTableIsReproduced) {
  const auto root = data_root();
  const auto spec = load_calibration_spec(root / "validation/calibration/volta-accelwattch.json");
  const auto ds = load_dataset(root / spec.dataset);
  const auto set = load_counter_set(ds, root);
  const json base = volta_table();
  std::ifstream in(root / spec.output);
  const json committed = json::parse(in);
  const std::string date = committed["derivation"]["calibration"]["date"];
  const auto r = calibrate(spec, set, base, ds.name, date);
  for (const auto& p : spec.parameters) {
    for (const auto& e : p.entries) {
      const json::json_pointer ptr(e);
      EXPECT_NEAR(r.table[ptr]["value"].get<double>(), committed[ptr]["value"].get<double>(),
                  1e-9 * std::max(1.0, committed[ptr]["value"].get<double>()))
          << e << ": re-run `joulesim calibrate`";
    }
  }
  // Everything that is not fitted is the base table's, unchanged.
  EXPECT_EQ(r.table["tensor_pj_per_flop"], base["tensor_pj_per_flop"]);
  EXPECT_EQ(r.table["static"], base["static"]);
  EXPECT_NEAR(committed["derivation"]["calibration"]["loo"]["mape_pct"].get<double>(),
              r.loo.mape_pct, 1e-9);
}

}  // namespace
}  // namespace joulesim::validate
