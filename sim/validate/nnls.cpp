// Lawson-Hanson active-set non-negative least squares (Lawson & Hanson, "Solving Least Squares
// Problems", 1974, chapter 23), with column-pivoting QR for the unconstrained subproblems.
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "validate/validate.hpp"

namespace joulesim::validate {

namespace {

// Least-squares solution restricted to the passive columns; the other entries are 0.
Eigen::VectorXd solve_passive(const Eigen::MatrixXd& a, const Eigen::VectorXd& b,
                              const std::vector<bool>& passive) {
  std::vector<Eigen::Index> cols;
  for (Eigen::Index j = 0; j < a.cols(); ++j) {
    if (passive[static_cast<size_t>(j)]) cols.push_back(j);
  }
  Eigen::MatrixXd ap(a.rows(), static_cast<Eigen::Index>(cols.size()));
  for (size_t k = 0; k < cols.size(); ++k) ap.col(static_cast<Eigen::Index>(k)) = a.col(cols[k]);
  const Eigen::VectorXd zp = ap.colPivHouseholderQr().solve(b);
  Eigen::VectorXd z = Eigen::VectorXd::Zero(a.cols());
  for (size_t k = 0; k < cols.size(); ++k) z(cols[k]) = zp(static_cast<Eigen::Index>(k));
  return z;
}

}  // namespace

NnlsResult nnls(const Eigen::MatrixXd& a, const Eigen::VectorXd& b, int max_iterations) {
  if (a.rows() != b.size()) {
    throw Error("nnls: A has " + std::to_string(a.rows()) + " rows but b has " +
                std::to_string(b.size()) + " entries");
  }
  if (!a.allFinite() || !b.allFinite()) throw Error("nnls: A and b must be finite");
  const Eigen::Index n = a.cols();
  NnlsResult r;
  r.x = Eigen::VectorXd::Zero(n);
  if (max_iterations <= 0) max_iterations = static_cast<int>(3 * std::max<Eigen::Index>(n, 1));
  // Tolerance on the dual (gradient) as in common implementations: 10 eps ||A||_1 max(m, n).
  const double norm1 = n > 0 ? a.cwiseAbs().colwise().sum().maxCoeff() : 0.0;
  const double tol = 10.0 * std::numeric_limits<double>::epsilon() * norm1 *
                     static_cast<double>(std::max(a.rows(), n));
  std::vector<bool> passive(static_cast<size_t>(n), false);
  Eigen::VectorXd w = a.transpose() * (b - a * r.x);
  while (r.iterations < max_iterations) {
    // Most promising column still held at zero.
    Eigen::Index best = -1;
    double best_w = tol;
    for (Eigen::Index j = 0; j < n; ++j) {
      if (!passive[static_cast<size_t>(j)] && w(j) > best_w) {
        best_w = w(j);
        best = j;
      }
    }
    if (best < 0) {
      r.converged = true;
      break;
    }
    ++r.iterations;
    passive[static_cast<size_t>(best)] = true;
    for (int inner = 0; inner < 10 * std::max<int>(static_cast<int>(n), 1); ++inner) {
      const Eigen::VectorXd z = solve_passive(a, b, passive);
      bool feasible = true;
      for (Eigen::Index j = 0; j < n; ++j) {
        if (passive[static_cast<size_t>(j)] && z(j) <= 0) feasible = false;
      }
      if (feasible) {
        r.x = z;
        break;
      }
      // Step from x towards z until the first passive variable reaches zero; drop it (and any
      // other that is no longer positive) from the passive set.
      double alpha = 1.0;
      Eigen::Index blocking = -1;
      for (Eigen::Index j = 0; j < n; ++j) {
        if (passive[static_cast<size_t>(j)] && z(j) <= 0) {
          const double denom = r.x(j) - z(j);
          const double aj = denom > 0 ? r.x(j) / denom : 0.0;
          if (blocking < 0 || aj < alpha) {
            alpha = aj;
            blocking = j;
          }
        }
      }
      r.x += alpha * (z - r.x);
      for (Eigen::Index j = 0; j < n; ++j) {
        if (passive[static_cast<size_t>(j)] && (j == blocking || r.x(j) <= 0)) {
          passive[static_cast<size_t>(j)] = false;
          r.x(j) = 0;
        }
      }
    }
    w = a.transpose() * (b - a * r.x);
    // A column whose re-solve gave it a non-positive value cannot help: stop cycling on it.
    if (!passive[static_cast<size_t>(best)]) w(best) = std::min(w(best), 0.0);
  }
  r.residual_norm = (a * r.x - b).norm();
  return r;
}

}  // namespace joulesim::validate
