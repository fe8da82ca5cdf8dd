// Error metrics: signed error %, MAPE, max error, Pearson r.
#include <cmath>
#include <limits>
#include <string>

#include "core/error.hpp"
#include "validate/validate.hpp"

namespace joulesim::validate {

double error_pct(double measured, double simulated) {
  if (!std::isfinite(measured) || !std::isfinite(simulated)) {
    throw Error("error %: measured and simulated values must be finite (measured " +
                std::to_string(measured) + ", simulated " + std::to_string(simulated) + ")");
  }
  if (measured == 0) throw Error("error %: the measured value is 0, a relative error is undefined");
  return 100.0 * (simulated - measured) / measured;
}

double pearson_r(const std::vector<double>& x, const std::vector<double>& y) {
  if (x.size() != y.size()) throw Error("pearson r: series of different length");
  const size_t n = x.size();
  if (n < 2) return std::numeric_limits<double>::quiet_NaN();
  double mx = 0, my = 0;
  for (size_t i = 0; i < n; ++i) {
    mx += x[i];
    my += y[i];
  }
  mx /= static_cast<double>(n);
  my /= static_cast<double>(n);
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < n; ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  if (sxx == 0 || syy == 0) return std::numeric_limits<double>::quiet_NaN();
  return sxy / std::sqrt(sxx * syy);
}

ErrorStats error_stats(const std::vector<double>& measured, const std::vector<double>& simulated) {
  if (measured.size() != simulated.size()) {
    throw Error("error statistics: " + std::to_string(measured.size()) + " measured but " +
                std::to_string(simulated.size()) + " simulated values");
  }
  ErrorStats s;
  s.n = measured.size();
  s.pearson_r = pearson_r(measured, simulated);
  if (s.n == 0) return s;
  for (size_t i = 0; i < s.n; ++i) {
    const double e = error_pct(measured[i], simulated[i]);
    s.mape_pct += std::abs(e);
    s.mean_error_pct += e;
    s.max_abs_error_pct = std::max(s.max_abs_error_pct, std::abs(e));
  }
  s.mape_pct /= static_cast<double>(s.n);
  s.mean_error_pct /= static_cast<double>(s.n);
  return s;
}

}  // namespace joulesim::validate
