// Loading: name lookup, "extends" deep merge, --set overrides and their type checks, defaults,
// and the resolved tree round trip.
#include <gtest/gtest.h>

#include "unit/config_test_util.hpp"

namespace joulesim::config {
namespace {

using nlohmann::json;
using testing::load_error;
using testing::raw_config;
using testing::TempDir;

TEST(ConfigLoad, BareNameFindsTheUniqueVendorFile) {
  auto g = load_gpu("h100");
  EXPECT_EQ(g.name, "nvidia/h100");
  EXPECT_EQ(g.file.filename(), "h100.json");
  EXPECT_EQ(g.spec.core.sm_count, 132u);
  // The same file by its path under configs/gpus and by filesystem path.
  EXPECT_EQ(load_gpu("nvidia/h100").spec.core.sm_count, 132u);
  EXPECT_EQ(load_gpu(testing::repo_config("nvidia/h100").string()).spec.core.sm_count, 132u);
}

TEST(ConfigLoad, UnknownNameSuggestsTheClosest) {
  try {
    load_gpu("h10");
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean 'nvidia/h100'"), std::string::npos)
        << e.what();
  }
}

TEST(ConfigLoad, AmbiguousBareNameIsAnError) {
  TempDir d;
  std::filesystem::create_directories(d.path() / "configs/gpus/a");
  std::filesystem::create_directories(d.path() / "configs/gpus/b");
  std::filesystem::copy_file(testing::repo_config("nvidia/h100"),
                             d.path() / "configs/gpus/a/x.json");
  std::filesystem::copy_file(testing::repo_config("nvidia/h100"),
                             d.path() / "configs/gpus/b/x.json");
  ::setenv("JOULESIM_HOME", d.path().c_str(), 1);
  std::string msg;
  try {
    load_gpu("x");
  } catch (const ConfigError& e) {
    msg = e.what();
  }
  ::unsetenv("JOULESIM_HOME");
  EXPECT_NE(msg.find("ambiguous"), std::string::npos) << msg;
  EXPECT_NE(msg.find("a/x"), std::string::npos) << msg;
  EXPECT_NE(msg.find("b/x"), std::string::npos) << msg;
}

TEST(ConfigLoad, ExtendsInheritsAndOverridesKeyByKey) {
  // qv100 extends v100: overridden keys come from qv100, the rest from v100 (deep merge inside
  // "clocks", "dram" and "dram.timing", where qv100 sets only some members).
  const json base = raw_config("nvidia/v100");
  const json child = raw_config("nvidia/qv100");
  auto g = load_gpu("qv100");
  EXPECT_EQ(g.spec.clocks.core_mhz, child["clocks"]["core_mhz"]["value"].get<double>());
  EXPECT_EQ(g.spec.dram.data_rate_mtps, child["dram"]["data_rate_mtps"]["value"].get<double>());
  EXPECT_EQ(g.spec.dram.timing.trcd, child["dram"]["timing"]["trcd"]["value"].get<uint32_t>());
  // Inherited siblings of overridden keys.
  EXPECT_EQ(g.spec.dram.channels, base["dram"]["channels"]["value"].get<uint32_t>());
  EXPECT_EQ(g.spec.dram.timing.burst_cycles,
            base["dram"]["timing"]["burst_cycles"]["value"].get<uint32_t>());
  EXPECT_EQ(g.spec.core.sm_count, base["core"]["sm_count"]["value"].get<uint32_t>());
  // Provenance: which file set each key.
  EXPECT_EQ(g.resolved["clocks"]["core_mhz"]["file"], "configs/gpus/nvidia/qv100.json");
  EXPECT_EQ(g.resolved["dram"]["channels"]["file"], "configs/gpus/nvidia/v100.json");
  ASSERT_EQ(g.chain.size(), 2u);
  EXPECT_EQ(g.chain[0].filename(), "v100.json");
  EXPECT_EQ(g.chain[1].filename(), "qv100.json");
}

TEST(ConfigLoad, UserFileExtendsByRelativePathAndByName) {
  TempDir d;
  d.write("mid.json", json{{"extends", "nvidia/h100"},
                           {"l2", {{"size_kb", {{"value", 102400}, {"source", "test: 2x L2"}}}}}});
  auto top = d.write("top.json",
                     json{{"extends", "mid.json"},
                          {"core", {{"sm_count", {{"value", 66}, {"source", "test: half"}}}}}});
  auto g = load_gpu(top.string());
  EXPECT_EQ(g.spec.core.sm_count, 66u);
  EXPECT_EQ(g.spec.l2.size_kb, 102400u);
  EXPECT_EQ(g.spec.core.subcores_per_sm, 4u);  // from h100
  EXPECT_EQ(g.chain.size(), 3u);
}

TEST(ConfigLoad, SetOverridesComeLastWithTheirOwnSource) {
  auto g = load_gpu("qv100", {"l2.size_kb=12288", "clocks.core_mhz=1200.5", "core.scheduler=lrr",
                              "dvfs.points=[[500,0.7],[1500,1.0]]"});
  EXPECT_EQ(g.spec.l2.size_kb, 12288u);
  EXPECT_DOUBLE_EQ(g.spec.clocks.core_mhz, 1200.5);
  EXPECT_EQ(g.spec.core.scheduler, "lrr");
  ASSERT_EQ(g.spec.dvfs.points.size(), 2u);
  EXPECT_DOUBLE_EQ(g.spec.dvfs.points[1].volts, 1.0);
  EXPECT_EQ(g.resolved["l2"]["size_kb"]["source"], "--set on the command line");
  EXPECT_EQ(g.resolved["l2"]["size_kb"]["file"], "--set");
  // A later --set of the same key wins.
  EXPECT_EQ(load_gpu("h100", {"l2.size_kb=1280", "l2.size_kb=2560"}).spec.l2.size_kb, 2560u);
}

std::string set_error(const std::string& arg) {
  try {
    load_gpu("h100", {arg});
  } catch (const ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "--set " << arg << " did not throw";
  return "";
}

TEST(ConfigLoad, SetIsTypeCheckedAgainstTheSchema) {
  auto has = [](const std::string& msg, const std::string& part) {
    return msg.find(part) != std::string::npos;
  };
  std::string m = set_error("core.sm_count=abc");
  EXPECT_TRUE(has(m, "core.sm_count") && has(m, "expected an unsigned integer") && has(m, "'abc'"))
      << m;
  m = set_error("core.sm_count=1.5");
  EXPECT_TRUE(has(m, "core.sm_count") && has(m, "unsigned integer")) << m;
  m = set_error("core.sm_count=-4");
  EXPECT_TRUE(has(m, "core.sm_count") && has(m, "unsigned integer")) << m;
  m = set_error("core.sm_count=0");
  EXPECT_TRUE(has(m, "core.sm_count") && has(m, "out of range") && has(m, "[1, 4096]")) << m;
  m = set_error("clocks.core_mhz=fast");
  EXPECT_TRUE(has(m, "clocks.core_mhz") && has(m, "expected a number")) << m;
  m = set_error("dvfs.points=[[1000,0.8],[900,0.9]]");
  EXPECT_TRUE(has(m, "dvfs.points") && has(m, "ascending")) << m;
  m = set_error("dvfs.points=not json");
  EXPECT_TRUE(has(m, "dvfs.points") && has(m, "[MHz, volts]")) << m;
  m = set_error("dram.scheduler=fifo");
  EXPECT_TRUE(has(m, "dram.scheduler") && has(m, "not registered") && has(m, "'fr_fcfs'")) << m;
  m = set_error("core.sm_cont=3");
  EXPECT_TRUE(has(m, "core.sm_cont") && has(m, "did you mean 'core.sm_count'")) << m;
  m = set_error("dram.timing=3");
  EXPECT_TRUE(has(m, "group of keys")) << m;
  m = set_error("l2.size_kb");
  EXPECT_TRUE(has(m, "key.path=value")) << m;
  m = set_error("=5");
  EXPECT_TRUE(has(m, "key path before '=' is empty")) << m;
}

TEST(ConfigLoad, ParseOverrideSplitsAtTheFirstEquals) {
  auto o = parse_override(" dvfs.points = [[1,0.5]] ");
  EXPECT_EQ(o.path, "dvfs.points");
  EXPECT_EQ(o.value, "[[1,0.5]]");
  o = parse_override("name=a=b");
  EXPECT_EQ(o.path, "name");
  EXPECT_EQ(o.value, "a=b");
}

TEST(ConfigLoad, MissingKeysTakeDefaultsOnlyWhereTheSchemaHasOne) {
  auto g = load_gpu("h100");
  // h100.json sets neither: both come from the schema with their reason as source.
  EXPECT_EQ(g.resolved["core"]["scheduler"]["file"], "schema default");
  EXPECT_EQ(g.spec.core.scheduler, GpuSpec{}.core.scheduler);
  EXPECT_EQ(g.spec.llc.size_mb, 0u);
  for (const auto& k : schema_keys()) {
    if (!k.required) continue;
    std::string path = "/" + k.path;
    for (auto& c : path) c = c == '.' ? '/' : c;
    EXPECT_NE(g.resolved[json::json_pointer(path)]["file"], "schema default") << k.path;
  }
}

TEST(ConfigLoad, ResolvedTreeRebuildsTheSameSpec) {
  for (const char* name : {"h100", "qv100", "mi300x", "emerging/vsquant-int4"}) {
    auto g = load_gpu(name);
    auto again = gpu_from_resolved(g.resolved, "saved result");
    EXPECT_TRUE(diff(g, again).empty()) << name;
    EXPECT_EQ(again.resolved, g.resolved) << name;
    auto changed = gpu_from_resolved(g.resolved, "saved result", {"clocks.core_mhz=1600"});
    EXPECT_DOUBLE_EQ(changed.spec.clocks.core_mhz, 1600) << name;
  }
}

TEST(ConfigLoad, SchemaKeysCoverEveryResolvedLeaf) {
  auto g = load_gpu("h100");
  auto leaves = flatten_resolved(g.resolved);
  auto keys = schema_keys();
  ASSERT_EQ(leaves.size(), keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    bool found = false;
    for (const auto& [path, leaf] : leaves) found = found || path == keys[i].path;
    EXPECT_TRUE(found) << keys[i].path;
  }
}

}  // namespace
}  // namespace joulesim::config
