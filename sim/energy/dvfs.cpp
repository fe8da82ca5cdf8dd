// DVFS: the supply voltage at the chosen core clock, from the config's V-f table.
#include <cmath>
#include <sstream>

#include "core/error.hpp"
#include "energy/energy.hpp"

namespace joulesim::energy {

OperatingPoint operating_point(const config::GpuSpec& spec) {
  OperatingPoint op;
  op.mhz = spec.core_mhz();
  if (!(op.mhz > 0) || !std::isfinite(op.mhz)) {
    throw ConfigError("core clock must be > 0 MHz (clocks.core_mhz / dvfs.core_mhz), got " +
                      std::to_string(op.mhz));
  }
  const auto& pts = spec.dvfs.points;
  if (pts.empty()) return op;  // no V-f table: the energy model uses the table's vref
  for (size_t i = 0; i < pts.size(); ++i) {
    if (!(pts[i].mhz > 0) || !(pts[i].volts > 0)) {
      throw ConfigError("dvfs.points[" + std::to_string(i) + "] must have mhz > 0 and volts > 0");
    }
    if (i > 0 && !(pts[i].mhz > pts[i - 1].mhz)) {
      throw ConfigError("dvfs.points must be in strictly ascending MHz (entry " +
                        std::to_string(i) + ")");
    }
  }
  if (op.mhz > pts.back().mhz * (1 + 1e-12)) {
    std::ostringstream msg;
    msg << "dvfs.core_mhz = " << op.mhz << " is above the highest dvfs.points entry ("
        << pts.back().mhz << " MHz); allowed: up to " << pts.back().mhz << " MHz";
    throw ConfigError(msg.str());
  }
  // Below the lowest point the voltage stays at Vmin: clocks drop, the rail does not.
  if (op.mhz <= pts.front().mhz) {
    op.volts = pts.front().volts;
    return op;
  }
  for (size_t i = 1; i < pts.size(); ++i) {
    if (op.mhz <= pts[i].mhz) {
      const double f = (op.mhz - pts[i - 1].mhz) / (pts[i].mhz - pts[i - 1].mhz);
      op.volts = pts[i - 1].volts + f * (pts[i].volts - pts[i - 1].volts);
      return op;
    }
  }
  op.volts = pts.back().volts;
  return op;
}

}  // namespace joulesim::energy
