// Every kind of config error names the file, the exact key path and what is allowed.
#include <gtest/gtest.h>

#include "config/schema.hpp"
#include "unit/config_test_util.hpp"

namespace joulesim::config {
namespace {

using nlohmann::json;
using testing::load_error;
using testing::raw_config;
using testing::TempDir;

/// Starts from the real H100 file (standalone, no extends), applies @p edit, writes it, loads it,
/// and checks the error names the file and each of @p parts.
void expect_error(const std::function<void(json&)>& edit, const std::vector<std::string>& parts) {
  TempDir d;
  json j = raw_config("nvidia/h100");
  edit(j);
  auto file = d.write("bad.json", j);
  const std::string msg = load_error(file);
  EXPECT_EQ(msg.rfind(file.string() + ":", 0), 0u)
      << "message does not start with the file: " << msg;
  for (const auto& p : parts)
    EXPECT_NE(msg.find(p), std::string::npos) << "missing '" << p << "' in: " << msg;
}

json leaf(json v, const std::string& src = "test") { return json{{"value", v}, {"source", src}}; }

TEST(ConfigErrors, UnknownKeySuggestsTheClosest) {
  expect_error([](json& j) { j["core"]["sm_cont"] = leaf(3); },
               {"core.sm_cont: unknown key", "did you mean 'core.sm_count'?"});
  expect_error([](json& j) { j["dram"]["timing"]["trdc"] = leaf(3); },
               {"dram.timing.trdc: unknown key", "did you mean 'dram.timing.trcd'?"});
  expect_error([](json& j) { j["l2"]["mshr"] = leaf(3); },
               {"l2.mshr: unknown key", "'l2.mshrs_per_slice'"});
  expect_error([](json& j) { j["clokcs"] = json::object(); },
               {"clokcs: unknown key", "did you mean 'clocks'?"});
}

TEST(ConfigErrors, UnknownKeyFarFromAnythingHasNoSuggestion) {
  TempDir d;
  json j = raw_config("nvidia/h100");
  j["core"]["quantum_flux"] = leaf(1);
  std::string msg = load_error(d.write("bad.json", j));
  EXPECT_NE(msg.find("core.quantum_flux: unknown key"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("did you mean"), std::string::npos) << msg;
}

TEST(ConfigErrors, WrongTypes) {
  expect_error([](json& j) { j["core"]["sm_count"] = leaf("many"); },
               {"core.sm_count:", "expected an unsigned integer in [1, 4096]", "\"many\""});
  expect_error([](json& j) { j["core"]["sm_count"] = leaf(131.5); },
               {"core.sm_count:", "expected an unsigned integer", "131.5"});
  expect_error([](json& j) { j["clocks"]["core_mhz"] = leaf(true); },
               {"clocks.core_mhz:", "expected a number"});
  expect_error([](json& j) { j["vendor"] = 7; }, {"vendor:", "one of 'nvidia', 'amd', 'other'"});
  expect_error([](json& j) { j["core"] = 5; },
               {"core:", "expected an object holding the keys", "sm_count"});
  expect_error([](json& j) { j["dvfs"]["points"] = leaf(1.0); }, {"dvfs.points:", "[MHz, volts]"});
  expect_error([](json& j) { j["extends"] = 3; }, {"extends:", "config name"});
}

TEST(ConfigErrors, OutOfRangeAndImpossibleValues) {
  expect_error([](json& j) { j["dram"]["channels"] = leaf(0); },
               {"dram.channels:", "out of range", "[1, 4096]", "got 0"});
  expect_error([](json& j) { j["core"]["sm_count"] = leaf(-1); },
               {"core.sm_count:", "out of range"});
  expect_error([](json& j) { j["shared"]["size_kb"] = leaf(240); },
               {"shared.size_kb:", "exceeds the unified L1/shared array l1.unified_kb (256 KiB)"});
  expect_error([](json& j) { j["shared"]["max_per_cta_kb"] = leaf(229); },
               {"shared.max_per_cta_kb:", "shared.size_kb (228 KiB)"});
  expect_error([](json& j) { j["core"]["max_warps_per_sm"] = leaf(62); },
               {"core.max_warps_per_sm:", "multiple of core.subcores_per_sm (4)", "got 62"});
  expect_error([](json& j) { j["core"]["warp_size"] = leaf(48); },
               {"core.warp_size:", "32 (warp) or 64"});
  expect_error([](json& j) { j["core"]["warp_size"] = leaf(64); },
               {"core.warp_size:", "isa 'sass'"});
  expect_error([](json& j) { j["core"]["max_threads_per_cta"] = leaf(1000); },
               {"core.max_threads_per_cta:", "multiple of core.warp_size"});
  expect_error([](json& j) { j["core"]["dies"] = leaf(5); },
               {"core.dies:", "split evenly over 5 dies"});
  expect_error([](json& j) { j["core"]["scheduler"] = "round_robin"; },
               {"core.scheduler:", "'round_robin' is not registered", "'gto', 'lrr'"});
  expect_error([](json& j) { j["l2"]["size_kb"] = leaf(51201); },
               {"l2.size_kb:", "whole number of sets", "80 slices x 16 ways x 128 B lines"});
  expect_error([](json& j) { j["l1"]["sector_bytes"] = leaf(48); },
               {"l1.sector_bytes:", "power of two"});
  expect_error([](json& j) { j["dram"]["bank_groups"] = leaf(3); },
               {"dram.bank_groups:", "divide dram.banks (16)"});
  expect_error([](json& j) { j["dram"]["atom_bytes"] = leaf(64); },
               {"dram.timing.burst_cycles:", "dram.atom_bytes is 64"});
  expect_error([](json& j) { j["dram"]["timing"]["tras"] = leaf(10); },
               {"dram.timing.tras:", "at least dram.timing.trcd (37)"});
  expect_error([](json& j) { j["dram"]["timing"]["trefi"] = leaf(1000); },
               {"dram.timing.trefi:", "exceed dram.timing.trfc"});
  expect_error([](json& j) { j["clocks"]["base_mhz"] = leaf(1900); },
               {"clocks.base_mhz:", "must not exceed clocks.core_mhz (1830)"});
  expect_error(
      [](json& j) {
        j["llc"] = {{"size_mb", leaf(64)}};
      },
      {"llc.bandwidth_gbs:", "needs a bandwidth > 0"});
  expect_error([](json& j) { j["power"]["energy_table"] = "hopper.json"; },
               {"power.energy_table:", "'models/energy/<name>.json'"});
}

TEST(ConfigErrors, DvfsTableMustAscendAndCoverTheClock) {
  expect_error(
      [](json& j) {
        j["dvfs"]["points"] = leaf({{1000, 0.8}, {1000, 0.9}});
      },
      {"dvfs.points:", "ascending in MHz", "point 2 (1000 MHz) is not above point 1 (1000 MHz)"});
  expect_error(
      [](json& j) {
        j["dvfs"]["points"] = leaf({{1000, 0.9}, {1900, 0.8}});
      },
      {"dvfs.points:", "voltage must not fall"});
  expect_error(
      [](json& j) {
        j["dvfs"]["points"] = leaf({{1000, 0.9}, {1900, 3.0}});
      },
      {"dvfs.points:", "allowed (0, 2]"});
  expect_error([](json& j) { j["dvfs"]["points"] = leaf(json::array()); },
               {"dvfs.points:", "non-empty"});
  expect_error(
      [](json& j) {
        j["dvfs"]["points"] = leaf({{1000, 0.7}, {1500, 0.8}});
      },
      {"clocks.core_mhz:", "within the dvfs.points table [1000, 1500] MHz", "got 1830"});
  expect_error([](json& j) { j["dvfs"]["core_mhz"] = leaf(2500); },
               {"dvfs.core_mhz:", "[1000, 1980] MHz"});
}

TEST(ConfigErrors, NumericLeavesNeedASource) {
  expect_error(
      [](json& j) {
        j["core"]["sm_count"] = json{{"value", 132}};
      },
      {"core.sm_count:", "needs a non-empty \"source\""});
  expect_error([](json& j) { j["core"]["sm_count"] = leaf(132, "  "); },
               {"core.sm_count:", "needs a non-empty \"source\""});
  expect_error([](json& j) { j["core"]["sm_count"] = 132; },
               {"core.sm_count:", "must be written {\"value\": 132, \"source\": \"...\"}"});
  expect_error([](json& j) { j["core"]["sm_count"]["note"] = "x"; },
               {"core.sm_count:", "unknown member 'note'", "allowed: value, source"});
  expect_error(
      [](json& j) {
        j["core"]["sm_count"] = json{{"source", "x"}};
      },
      {"core.sm_count:", "no \"value\""});
}

TEST(ConfigErrors, RequiredKeysWithoutDefaultAreReportedTogether) {
  expect_error(
      [](json& j) {
        j["l2"].erase("latency");
        j["dram"]["timing"].erase("trfc");
      },
      {"required keys are missing", "l2.latency:", "dram.timing.trfc:"});
}

TEST(ConfigErrors, ExtendsProblemsNameTheExtendingFile) {
  TempDir d;
  auto a = d.write("a.json", json{{"extends", "b.json"}});
  d.write("b.json", json{{"extends", "a.json"}});
  std::string msg = load_error(a);
  EXPECT_NE(msg.find("extends: cycle"), std::string::npos) << msg;
  auto c = d.write("c.json", json{{"extends", "missing.json"}});
  msg = load_error(c);
  EXPECT_NE(msg.find(c.string() + ": extends: file"), std::string::npos) << msg;
  auto e = d.write("e.json", json{{"extends", "nvidia/h10"}});
  msg = load_error(e);
  EXPECT_NE(msg.find(e.string() + ": extends:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("did you mean 'nvidia/h100'"), std::string::npos) << msg;
}

TEST(ConfigErrors, ErrorsInABaseFileNameTheBase) {
  TempDir d;
  json base = raw_config("nvidia/h100");
  base["l1"]["latency"] = leaf(0);
  d.write("base.json", base);
  auto top = d.write("top.json", json{{"extends", "base.json"}});
  std::string msg = load_error(top);
  EXPECT_NE(msg.find((d.path() / "base.json").string() + ": l1.latency: out of range"),
            std::string::npos)
      << msg;
}

TEST(ConfigErrors, CrossKeyErrorNamesTheFileThatSetTheKey) {
  // The child sets shared.size_kb too large for the unified array its base declares.
  TempDir d;
  auto top =
      d.write("top.json", json{{"extends", "nvidia/h100"}, {"shared", {{"size_kb", leaf(250)}}}});
  std::string msg = load_error(top);
  EXPECT_EQ(msg.rfind(top.string() + ": shared.size_kb:", 0), 0u) << msg;
  // And --set names itself.
  msg = load_error(testing::repo_config("nvidia/h100"), {"shared.size_kb=250"});
  EXPECT_EQ(msg.rfind("--set: shared.size_kb:", 0), 0u) << msg;
}

TEST(ConfigErrors, MalformedJsonGivesLineAndColumn) {
  TempDir d;
  auto f =
      d.write("broken.json",
              std::string("{\n  \"name\": \"x\",\n  \"core\": {\n    \"sm_count\": ,\n  }\n}\n"));
  std::string msg = load_error(f);
  EXPECT_EQ(msg.rfind(f.string() + ":4:", 0), 0u) << msg;
  EXPECT_NE(msg.find("invalid JSON"), std::string::npos) << msg;
}

TEST(ConfigErrors, DuplicateKeysAreRejected) {
  TempDir d;
  auto f = d.write("dup.json", std::string("{\"name\": \"a\", \"name\": \"b\"}"));
  std::string msg = load_error(f);
  EXPECT_NE(msg.find("key 'name' appears twice"), std::string::npos) << msg;
}

TEST(ConfigErrors, EditDistanceCountsTranspositionsAsOneEdit) {
  // Textbook values: kitten/sitting 3, flaw/lawn 2, empty/abc 3, identical 0; ab/ba 1 (OSA).
  EXPECT_EQ(detail::edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(detail::edit_distance("flaw", "lawn"), 2u);
  EXPECT_EQ(detail::edit_distance("", "abc"), 3u);
  EXPECT_EQ(detail::edit_distance("l2.size_kb", "l2.size_kb"), 0u);
  EXPECT_EQ(detail::edit_distance("ab", "ba"), 1u);
  EXPECT_EQ(detail::edit_distance("trdc", "trcd"), 1u);  // adjacent transposition is one edit
  auto did = [](const std::string& key) {
    try {
      load_gpu("h100", {key + "=1"});
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(did("core.smcount").find("'core.sm_count'"), std::string::npos);   // one insertion
  EXPECT_NE(did("core.sm_coutn").find("'core.sm_count'"), std::string::npos);  // transposition
  EXPECT_NE(did("tensor.fp8_flop_per_clk").find("'tensor.fp8_flops_per_clk'"), std::string::npos);
}

}  // namespace
}  // namespace joulesim::config
