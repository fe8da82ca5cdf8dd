// MemoryHierarchy construction errors and diagnostics.
#include <gtest/gtest.h>

#include <string>

#include "core/error.hpp"
#include "mem/memory.hpp"

using joulesim::ConfigError;
using joulesim::Picoseconds;
using joulesim::config::GpuSpec;
using joulesim::mem::MemoryHierarchy;
using joulesim::mem::SectorRequest;
using joulesim::stats::ActivityCounts;

namespace {
std::string error_of(const GpuSpec& s) {
  ActivityCounts c;
  try {
    MemoryHierarchy m(s, c);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(MemHierarchyConfig, RejectsImpossibleParametersNamingTheKey) {
  GpuSpec s;
  s.l2.latency = 10;  // shorter than two crossbar traversals of 8 L2 clocks
  EXPECT_NE(error_of(s).find("l2.latency"), std::string::npos);
  s = GpuSpec{};
  s.l2.size_kb = 6000;  // not a whole number of 64 x 16 x 128 B sets
  EXPECT_NE(error_of(s).find("l2.size_kb"), std::string::npos);
  s = GpuSpec{};
  s.dram.scheduler = "random";
  EXPECT_NE(error_of(s).find("dram.scheduler"), std::string::npos);
  s = GpuSpec{};
  s.dram.banks_per_channel = 10;  // not a multiple of 4 bank groups
  EXPECT_NE(error_of(s).find("dram.banks"), std::string::npos);
  s = GpuSpec{};
  s.dram.channels = 0;
  EXPECT_NE(error_of(s).find("dram.channels"), std::string::npos);
  s = GpuSpec{};
  s.llc.size_mb = 32;  // an LLC needs a bandwidth
  EXPECT_NE(error_of(s).find("llc.bandwidth_gbs"), std::string::npos);
  EXPECT_EQ(error_of(GpuSpec{}), "");
}

TEST(MemHierarchyConfig, DescribesTheOldestRequestAndRejectsUnknownSms) {
  GpuSpec s;
  ActivityCounts c;
  MemoryHierarchy m(s, c);
  EXPECT_EQ(m.describe_oldest(), "no memory request in flight");
  SectorRequest r;
  r.line_addr = 0xabc00;
  r.sector_mask = 0x3;
  r.sm = 5;
  r.id = 42;
  m.send(r, Picoseconds{1000});
  const std::string d = m.describe_oldest();
  EXPECT_NE(d.find("SM 5"), std::string::npos) << d;
  EXPECT_NE(d.find("id 42"), std::string::npos) << d;
  EXPECT_NE(d.find("0xabc00"), std::string::npos) << d;
  EXPECT_FALSE(m.idle());
  r.sm = static_cast<uint16_t>(s.core.sm_count);
  EXPECT_THROW(m.send(r, Picoseconds{1000}), joulesim::Error);
  EXPECT_FALSE(m.can_accept(r.sm));
}
