// NNLS against hand-solved problems (including an active constraint) and its KKT conditions.
#include <gtest/gtest.h>

#include <random>

#include "core/error.hpp"
#include "validate/validate.hpp"

namespace joulesim::validate {
namespace {

TEST(ValidateNnls, UnconstrainedOptimumIsKeptWhenNonNegative) {
  Eigen::MatrixXd a(2, 2);
  a << 1, 0, 0, 1;
  Eigen::VectorXd b(2);
  b << 3, 4;
  const auto r = nnls(a, b);
  EXPECT_TRUE(r.converged);
  EXPECT_NEAR(r.x(0), 3, 1e-12);
  EXPECT_NEAR(r.x(1), 4, 1e-12);
  EXPECT_NEAR(r.residual_norm, 0, 1e-12);
}

// A = [1 0; 0 1; 1 1], b = [2 -1 1]. Unconstrained LS: x = [2, -1] (A'A = [2 1; 1 2], A'b =
// [3 0]). With x2 >= 0 active: minimise (x1-2)^2 + 1 + (x1-1)^2 -> x1 = 1.5, residual^2 = 1.5,
// dual w = A'(b - Ax) = [0, -1.5] <= 0.
TEST(ValidateNnls, ActiveConstraintHandSolved) {
  Eigen::MatrixXd a(3, 2);
  a << 1, 0, 0, 1, 1, 1;
  Eigen::VectorXd b(3);
  b << 2, -1, 1;
  const auto r = nnls(a, b);
  EXPECT_TRUE(r.converged);
  EXPECT_NEAR(r.x(0), 1.5, 1e-12);
  EXPECT_EQ(r.x(1), 0.0);
  EXPECT_NEAR(r.residual_norm, std::sqrt(1.5), 1e-12);
  const Eigen::VectorXd w = a.transpose() * (b - a * r.x);
  EXPECT_NEAR(w(0), 0, 1e-12);
  EXPECT_NEAR(w(1), -1.5, 1e-12);
}

TEST(ValidateNnls, AllNegativeTargetGivesZero) {
  Eigen::MatrixXd a(2, 2);
  a << 1, 0, 0, 1;
  Eigen::VectorXd b(2);
  b << -1, -2;
  const auto r = nnls(a, b);
  EXPECT_TRUE(r.converged);
  EXPECT_EQ(r.x(0), 0.0);
  EXPECT_EQ(r.x(1), 0.0);
}

TEST(ValidateNnls, RankDeficientStillFeasibleAndOptimal) {
  Eigen::MatrixXd a(2, 2);
  a << 1, 1, 1, 1;
  Eigen::VectorXd b(2);
  b << 2, 2;
  const auto r = nnls(a, b);
  EXPECT_TRUE(r.converged);
  EXPECT_GE(r.x(0), 0);
  EXPECT_GE(r.x(1), 0);
  EXPECT_NEAR(r.x(0) + r.x(1), 2, 1e-10);
}

// Exact data with some true zeros is recovered; noisy data satisfies the KKT conditions.
TEST(ValidateNnls, RecoversNonNegativeTruthAndMeetsKkt) {
  std::mt19937 gen(7);
  std::uniform_real_distribution<double> u(0, 1);
  Eigen::MatrixXd a(30, 6);
  for (int i = 0; i < a.rows(); ++i) {
    for (int j = 0; j < a.cols(); ++j) a(i, j) = u(gen);
  }
  Eigen::VectorXd truth(6);
  truth << 1.5, 0, 2.0, 0.25, 0, 3.0;
  const auto exact = nnls(a, a * truth);
  EXPECT_TRUE(exact.converged);
  for (int j = 0; j < 6; ++j) EXPECT_NEAR(exact.x(j), truth(j), 1e-9) << j;

  Eigen::VectorXd b = a * truth;
  for (int i = 0; i < b.size(); ++i) b(i) += 0.3 * (u(gen) - 0.5);
  const auto r = nnls(a, b);
  ASSERT_TRUE(r.converged);
  const Eigen::VectorXd w = a.transpose() * (b - a * r.x);
  for (int j = 0; j < 6; ++j) {
    EXPECT_GE(r.x(j), 0);
    EXPECT_LE(w(j), 1e-9);  // no descent direction into x_j > 0
    if (r.x(j) > 0) {
      EXPECT_NEAR(w(j), 0.0, 1e-9);  // stationary in the free variables
    }
  }
}

TEST(ValidateNnls, RejectsBadInput) {
  Eigen::MatrixXd a(2, 2);
  a << 1, 0, 0, 1;
  Eigen::VectorXd b(3);
  b << 1, 2, 3;
  EXPECT_THROW(nnls(a, b), Error);
  Eigen::VectorXd c(2);
  c << 1, std::nan("");
  EXPECT_THROW(nnls(a, c), Error);
}

}  // namespace
}  // namespace joulesim::validate
