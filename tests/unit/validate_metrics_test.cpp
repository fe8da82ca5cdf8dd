// Error metrics against hand-computed values; curve plateaus and step positions.
#include <gtest/gtest.h>

#include <cmath>

#include "core/error.hpp"
#include "validate/validate.hpp"

namespace joulesim::validate {
namespace {

TEST(ValidateMetrics, ErrorPercent) {
  EXPECT_DOUBLE_EQ(error_pct(100, 110), 10);
  EXPECT_DOUBLE_EQ(error_pct(200, 150), -25);
  EXPECT_THROW(error_pct(0, 1), Error);
  EXPECT_THROW(error_pct(1, std::nan("")), Error);
}

// Errors +10%, -25%, 0%: MAPE 35/3, max 25, bias -15/3.
TEST(ValidateMetrics, MapeMaxAndBias) {
  const auto s = error_stats({100, 200, 50}, {110, 150, 50});
  EXPECT_EQ(s.n, 3u);
  EXPECT_NEAR(s.mape_pct, 35.0 / 3.0, 1e-12);
  EXPECT_NEAR(s.max_abs_error_pct, 25, 1e-12);
  EXPECT_NEAR(s.mean_error_pct, -5, 1e-12);
  EXPECT_THROW(error_stats({1, 2}, {1}), Error);
}

// x = 1..4, y = 1,3,2,4: deviations (-1.5,-.5,.5,1.5) and (-1.5,.5,-.5,1.5); sxy = 4, sxx = syy
// = 5, r = 0.8.
TEST(ValidateMetrics, PearsonHandComputed) {
  EXPECT_NEAR(pearson_r({1, 2, 3, 4}, {1, 3, 2, 4}), 0.8, 1e-12);
  EXPECT_NEAR(pearson_r({1, 2, 3}, {2, 4, 6}), 1.0, 1e-12);
  EXPECT_NEAR(pearson_r({1, 2, 3}, {3, 2, 1}), -1.0, 1e-12);
  EXPECT_TRUE(std::isnan(pearson_r({1}, {1})));
  EXPECT_TRUE(std::isnan(pearson_r({1, 2, 3}, {5, 5, 5})));
}

TEST(ValidateMetrics, PlateauIsTheMedianOfTheWindow) {
  EXPECT_DOUBLE_EQ(plateau({1, 2, 3, 4, 5}, {9, 1, 3, 2, 100}, 1, 4), 2.5);
  EXPECT_DOUBLE_EQ(plateau({1, 2, 3}, {4, 5, 6}, 2, 3), 5.5);
  EXPECT_THROW(plateau({1, 2}, {1, 2}, 10, 20), Error);
}

TEST(ValidateMetrics, StepPositionOnAPointAndInterpolatedInLogX) {
  const std::vector<double> x = {1, 2, 4, 8, 16, 32, 64};
  // Plateaus 10 and 50, midpoint 30 reached exactly at x = 8.
  EXPECT_NEAR(step_position(x, {10, 10, 10, 30, 50, 50, 50}, {1, 4}, {32, 64}), 8, 1e-12);
  // Midpoint 30 between (8, 20) and (16, 50): t = 1/3 in log x, x = 8 * 2^(1/3).
  EXPECT_NEAR(step_position(x, {10, 10, 10, 20, 50, 50, 50}, {1, 4}, {32, 64}), 8 * std::cbrt(2.0),
              1e-9);
  // No step: the upper plateau is not above the lower one.
  EXPECT_THROW(step_position(x, {10, 10, 10, 10, 10, 10, 10}, {1, 4}, {32, 64}), Error);
}

}  // namespace
}  // namespace joulesim::validate
