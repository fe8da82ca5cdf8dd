// The configs shipped in configs/gpus: all load and validate, every number has a source, and
// `gpus diff h100 emerging/<name>` shows exactly the keys each hypothetical design changes.
#include <gtest/gtest.h>

#include <cstdio>
#include <set>

#include "../cli_runner.hpp"
#include "unit/config_test_util.hpp"

namespace joulesim::config {
namespace {

using nlohmann::json;

TEST(ConfigRepo, EveryShippedConfigLoadsAndValidates) {
  const auto all = list_gpus();
  const std::set<std::string> expected = {"nvidia/v100",
                                          "nvidia/qv100",
                                          "nvidia/a100",
                                          "nvidia/h100",
                                          "nvidia/b200",
                                          "amd/mi250x",
                                          "amd/mi300x",
                                          "emerging/h100-fp4",
                                          "emerging/h100-hbm-half-energy-2x-bw",
                                          "emerging/sram-llc-256mb",
                                          "emerging/vsquant-int4"};
  std::set<std::string> found;
  for (const auto& e : all) {
    found.insert(e.name);
    EXPECT_NO_THROW(load_gpu(e.name)) << e.name;
  }
  for (const auto& name : expected) EXPECT_TRUE(found.count(name)) << name << " is missing";
}

/// Walks a raw config file (not the loader's view): every number or array must sit in a
/// {"value", "source"} object whose source is a non-empty string.
void check_sources(const json& node, const std::string& path, const std::string& file,
                   int& leaves) {
  if (node.is_object() && node.contains("value")) {
    const json& v = node["value"];
    if (v.is_number() || v.is_array()) {
      ++leaves;
      ASSERT_TRUE(node.contains("source") && node["source"].is_string()) << file << ": " << path;
      const auto& s = node["source"].get_ref<const std::string&>();
      EXPECT_NE(s.find_first_not_of(" \t"), std::string::npos)
          << file << ": " << path << " has an empty source";
      EXPECT_GE(s.size(), 6u) << file << ": " << path << " source too short to name anything: '"
                              << s << "'";
    }
    return;
  }
  if (node.is_object()) {
    for (const auto& [k, child] : node.items())
      check_sources(child, path.empty() ? k : path + "." + k, file, leaves);
    return;
  }
  EXPECT_FALSE(node.is_number() || node.is_array())
      << file << ": " << path << " is a bare number without a source";
}

TEST(ConfigRepo, EveryNumericLeafInEveryFileHasASource) {
  int files = 0;
  for (const auto& e : list_gpus()) {
    std::ifstream in(e.file);
    json j = json::parse(in);
    int leaves = 0;
    check_sources(j, "", e.name, leaves);
    EXPECT_GT(leaves, 0) << e.name;
    ++files;
  }
  EXPECT_GE(files, 11);
}

TEST(ConfigRepo, EmergingDesignsCarryARationale) {
  for (const auto& e : list_gpus()) {
    if (e.name.rfind("emerging/", 0) != 0) continue;
    auto g = load_gpu(e.name);
    EXPECT_GE(g.resolved["rationale"]["value"].get<std::string>().size(), 80u) << e.name;
  }
}

std::set<std::string> changed_keys(const std::string& a, const std::string& b) {
  std::set<std::string> out;
  for (const auto& c : diff(load_gpu(a), load_gpu(b))) out.insert(c.path);
  return out;
}

/// Leaf key paths written in a raw file (except "extends").
void written_keys(const json& node, const std::string& path, std::set<std::string>& out) {
  for (const auto& [k, child] : node.items()) {
    const std::string p = path.empty() ? k : path + "." + k;
    if (p == "extends") continue;
    if (child.is_object() && !child.contains("value")) {
      written_keys(child, p, out);
    } else {
      out.insert(p);
    }
  }
}

TEST(ConfigRepo, DiffOfEachEmergingDesignIsExactlyItsChangedKeys) {
  // What each hypothetical design changes, stated by design (not read from the loader).
  const std::map<std::string, std::set<std::string>> expected = {
      {"emerging/h100-fp4", {"name", "rationale", "tensor.fp4_flops_per_clk"}},
      {"emerging/h100-hbm-half-energy-2x-bw",
       {"name", "rationale", "dram.channels", "power.dram_energy_scale"}},
      {"emerging/sram-llc-256mb",
       {"name", "rationale", "llc.size_mb", "llc.latency", "llc.bandwidth_gbs"}},
  };
  for (const auto& [name, keys] : expected) {
    EXPECT_EQ(changed_keys("h100", name), keys) << name;
    // And the diff only names keys the child file itself writes.
    std::set<std::string> written;
    written_keys(testing::raw_config(name), "", written);
    for (const auto& k : changed_keys("h100", name))
      EXPECT_TRUE(written.count(k)) << name << ": " << k;
  }
  // The stand-alone accelerator differs from H100 in many keys, but never in a key that both
  // resolve to the same value; a config compared with itself has no changes.
  for (const auto& e : list_gpus()) EXPECT_TRUE(changed_keys(e.name, e.name).empty()) << e.name;
  auto vs = changed_keys("h100", "emerging/vsquant-int4");
  EXPECT_TRUE(vs.count("core.sm_count") && vs.count("tensor.int4_flops_per_clk") &&
              !vs.count("core.warp_size"));
}

std::string run_cli(const std::string& args) { return joulesim_test::run_joulesim(args).out; }

TEST(ConfigRepo, CliDiffPrintsExactlyTheChangedKeys) {
  json arr = json::parse(run_cli("gpus diff h100 emerging/sram-llc-256mb --json"));
  std::set<std::string> paths;
  for (const auto& c : arr) paths.insert(c["path"].get<std::string>());
  EXPECT_EQ(paths, (std::set<std::string>{"name", "rationale", "llc.size_mb", "llc.latency",
                                          "llc.bandwidth_gbs"}));
  for (const auto& c : arr) {
    if (c["path"] == "llc.size_mb") {
      EXPECT_EQ(c["a"], 0);
      EXPECT_EQ(c["b"], 256);
    }
  }
  // Text form: one "key: a -> b" line per change after the two header lines.
  std::string text = run_cli("gpus diff h100 emerging/h100-fp4");
  EXPECT_NE(text.find("tensor.fp4_flops_per_clk: 0"), std::string::npos) << text;
  size_t lines = 0;
  for (char c : text) lines += c == '\n';
  EXPECT_EQ(lines, 2u + 3u) << text;
}

TEST(ConfigRepo, CliShowAndErrors) {
  json j = json::parse(run_cli("gpus show h100 --set l2.size_kb=102400 --json"));
  EXPECT_EQ(j["config"]["l2"]["size_kb"]["value"], 102400);
  EXPECT_EQ(j["config"]["l2"]["size_kb"]["source"], "--set on the command line");
  json p = json::parse(run_cli("gpus show a100 --peaks --json"));
  EXPECT_NEAR(p["peaks"]["tensor"]["fp16"]["dense_flops_per_s"].get<double>(),
              2048.0 * 108 * 1410e6, 1e6);
  std::string err = run_cli("gpus show h100 --set core.sm_count=zero");
  EXPECT_NE(err.find("core.sm_count"), std::string::npos) << err;
  EXPECT_NE(err.find("expected an unsigned integer"), std::string::npos) << err;
  std::string list = run_cli("gpus list");
  EXPECT_NE(list.find("emerging/vsquant-int4"), std::string::npos) << list;
  EXPECT_EQ(list.find("INVALID"), std::string::npos) << list;
}

}  // namespace
}  // namespace joulesim::config
