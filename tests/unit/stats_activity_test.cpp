#include <gtest/gtest.h>

#include <set>

#include "stats/activity.hpp"

using joulesim::stats::ActivityCounts;
using joulesim::stats::Counter;

TEST(ActivityCounts, SubtractionGivesDeltaAndAdditionRestores) {
  ActivityCounts a, b;
  a[Counter::kL2ReadMiss] = 10;
  a.add_inst(joulesim::trace::OpClass::kFp32Fma, 5, 160);
  b[Counter::kL2ReadMiss] = 4;
  b.add_inst(joulesim::trace::OpClass::kFp32Fma, 2, 40);
  ActivityCounts d = a - b;
  EXPECT_EQ(d[Counter::kL2ReadMiss], 6u);
  EXPECT_EQ(d.total_warp_insts(), 3u);
  EXPECT_EQ(d + b, a);
}

TEST(ActivityCounts, EveryCounterHasADistinctDottedName) {
  std::set<std::string_view> names;
  for (size_t i = 0; i < joulesim::stats::kNumCounters; ++i) {
    auto n = joulesim::stats::counter_name(static_cast<Counter>(i));
    EXPECT_NE(n.find('.'), std::string_view::npos) << n;
    names.insert(n);
  }
  EXPECT_EQ(names.size(), joulesim::stats::kNumCounters);
}
