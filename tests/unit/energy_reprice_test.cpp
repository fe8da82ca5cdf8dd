// Pricing a RunResult and re-pricing its saved JSON: same table -> identical; other region ->
// only co2e_g changes; counts round-trip exactly.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "config/config.hpp"
#include "core/error.hpp"
#include "energy/energy.hpp"
#include "energy_test_util.hpp"
#include "report/run_result.hpp"

using joulesim::stats::Counter;
using joulesim::trace::OpClass;
namespace et = joulesim::energy_test;
using nlohmann::json;

namespace {

joulesim::report::RunResult sample_result() {
  joulesim::report::RunResult r;
  r.gpu = "h100-test";
  r.trace = "traces/none";
  // The resolved H100 config as `run` saves it (dvfs.points, energy table, die area...).
  r.config = joulesim::config::load_gpu("h100", {"power.temperature_c=70"}).resolved;
  for (uint32_t k = 0; k < 2; ++k) {
    joulesim::report::KernelResult kr;
    kr.name = "kernel" + std::to_string(k);
    kr.id = k;
    kr.cycles = 100000 + k;
    kr.time_ps = static_cast<int64_t>(kr.cycles) * 546448;
    kr.counts.add_inst(OpClass::kFp32Fma, 12345 + k, 395040 + k);
    kr.counts.add_inst(OpClass::kTensorGmma, 77, 2464);
    kr.counts.tensor_flops[static_cast<size_t>(joulesim::trace::TensorType::kBf16)] =
        77ull * 131072;
    kr.counts[Counter::kRfRead] = 40000;
    kr.counts[Counter::kL2ReadHit] = 9999;
    kr.counts[Counter::kDramReadBurst] = 1234;
    kr.counts[Counter::kSmActiveCycles] = 132 * kr.cycles;
    kr.counts[Counter::kCoreCycles] = kr.cycles;
    kr.counts[Counter::kDramCycles] = 0xFFFFFFFFFFull;  // large values stay exact
    r.kernels.push_back(kr);
  }
  r.wall_s = 0.25;
  return r;
}

json priced_json(joulesim::report::RunResult r, const joulesim::energy::PriceOptions& opt) {
  const auto spec = joulesim::config::gpu_from_resolved(r.config, "test result").spec;
  r.energy = joulesim::energy::price_run(r, spec, opt);
  return joulesim::report::result_to_json(r);
}

// Removes every "co2e_g" key and the grid fields of the conditions.
void strip_carbon(json& j) {
  if (j.is_object()) {
    j.erase("co2e_g");
    j.erase("region");
    j.erase("grid_g_per_kwh");
    for (auto& [k, v] : j.items()) strip_carbon(v);
  } else if (j.is_array()) {
    for (auto& v : j) strip_carbon(v);
  }
}

}  // namespace

TEST(EnergyReprice, CountsRoundTripExactly) {
  const auto r = sample_result();
  const json j = json::parse(joulesim::stats::counts_to_json(r.kernels[1].counts).dump());
  EXPECT_EQ(joulesim::stats::counts_from_json(j, "test"), r.kernels[1].counts);
  json bad = j;
  bad["counters"]["l2.read_hitz"] = 1;
  EXPECT_THROW(joulesim::stats::counts_from_json(bad, "test"), joulesim::ConfigError);
  bad = j;
  bad["warp_insts"]["fp32_fma"] = -3;
  EXPECT_THROW(joulesim::stats::counts_from_json(bad, "test"), joulesim::ConfigError);
}

TEST(EnergyReprice, SameTableReproducesTheRunExactly) {
  joulesim::energy::PriceOptions opt;
  opt.region = "france";
  const json original = priced_json(sample_result(), opt);
  // Save as text, read back, price again.
  const json saved = json::parse(original.dump(1));
  auto back = joulesim::report::result_from_json(saved, "saved.json");
  EXPECT_EQ(back.kernels[0].counts, sample_result().kernels[0].counts);
  const json again = priced_json(back, opt);
  EXPECT_EQ(again, original);
  EXPECT_EQ(again.dump(), original.dump());
  // Total = sum of kernels, and the operating point came from dvfs.points at 1830 MHz
  // (h100.json: [1830, 0.89]).
  EXPECT_NEAR(original["total"]["energy_j"].get<double>(),
              original["kernels"][0]["energy_j"].get<double>() +
                  original["kernels"][1]["energy_j"].get<double>(),
              1e-12 * original["total"]["energy_j"].get<double>());
  EXPECT_DOUBLE_EQ(original["energy_conditions"]["volts"].get<double>(), 0.89);
  EXPECT_DOUBLE_EQ(original["energy_conditions"]["temperature_c"].get<double>(), 70);
}

TEST(EnergyReprice, OtherRegionChangesOnlyCarbon) {
  joulesim::energy::PriceOptions a, b;
  a.region = "france";
  b.region = "india";
  json ja = priced_json(sample_result(), a), jb = priced_json(sample_result(), b);
  EXPECT_NE(ja["total"]["co2e_g"]["operational"], jb["total"]["co2e_g"]["operational"]);
  EXPECT_EQ(ja["total"]["co2e_g"]["embodied"], jb["total"]["co2e_g"]["embodied"]);
  const auto g = et::read_json(et::models_dir() / "carbon" / "grid.json");
  EXPECT_NEAR(
      jb["total"]["co2e_g"]["operational"].get<double>() /
          ja["total"]["co2e_g"]["operational"].get<double>(),
      g["regions"]["india"]["value"].get<double>() / g["regions"]["france"]["value"].get<double>(),
      1e-12);
  strip_carbon(ja);
  strip_carbon(jb);
  EXPECT_EQ(ja, jb);
}

TEST(EnergyReprice, SetOverridesReachThePricing) {
  auto r = sample_result();
  const auto spec = joulesim::config::gpu_from_resolved(
                        r.config, "test result", {"dvfs.core_mhz=1000", "power.temperature_c=40"})
                        .spec;
  EXPECT_DOUBLE_EQ(spec.core_mhz(), 1000);
  EXPECT_DOUBLE_EQ(spec.power.temperature_c, 40);
  EXPECT_THROW(joulesim::config::gpu_from_resolved(r.config, "test result", {"novalue"}),
               joulesim::ConfigError);
  EXPECT_THROW(joulesim::config::gpu_from_resolved(r.config, "test result", {"dvfs.core_mhzz=1"}),
               joulesim::ConfigError);
  r.energy = joulesim::energy::price_run(r, spec, {});
  const json j = joulesim::report::result_to_json(r);
  // h100.json's V-f table starts at [1000, 0.70].
  EXPECT_DOUBLE_EQ(j["energy_conditions"]["volts"].get<double>(), 0.7);
  EXPECT_DOUBLE_EQ(j["energy_conditions"]["temperature_c"].get<double>(), 40);
}

TEST(EnergyReprice, CommandLineReproducesTheSavedResult) {
  joulesim::energy::PriceOptions opt;
  opt.region = "norway";
  opt.pue = 1.3;
  const json original = priced_json(sample_result(), opt);
  const auto dir =
      std::filesystem::temp_directory_path() / ("joulesim_reprice_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto in = dir / "result.json", out = dir / "repriced.json", out2 = dir / "india.json";
  std::ofstream(in) << original.dump(1);
  const std::string bin = JOULESIM_BINARY;
  ASSERT_EQ(
      std::system(
          (bin + " reprice " + in.string() + " --out " + out.string() + " > /dev/null").c_str()),
      0);
  EXPECT_EQ(et::read_json(out), original);
  ASSERT_EQ(std::system((bin + " reprice " + in.string() + " --region india --out " +
                         out2.string() + " > /dev/null")
                            .c_str()),
            0);
  json india = et::read_json(out2), same = original;
  EXPECT_NE(india["total"]["co2e_g"], same["total"]["co2e_g"]);
  strip_carbon(india);
  strip_carbon(same);
  EXPECT_EQ(india, same);
  // A bad region is an error with a non-zero exit, not a crash.
  EXPECT_NE(
      std::system((bin + " reprice " + in.string() + " --region atlantis 2> /dev/null > /dev/null")
                      .c_str()),
      0);
  std::filesystem::remove_all(dir);
}
