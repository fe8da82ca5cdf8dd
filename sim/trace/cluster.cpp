// Thread-block cluster shapes: the check every reader applies to a kernel's cluster dimensions.
#include <string>

#include "trace/dim_text.hpp"
#include "trace/trace.hpp"

namespace joulesim::trace {

std::string cluster_shape_error(const KernelInfo& k) {
  const Dim3& c = k.cluster;
  if (c.x == 0 || c.y == 0 || c.z == 0)
    return "cluster dim " + dim_text(c) + " has a zero dimension";
  if (k.grid.x % c.x != 0 || k.grid.y % c.y != 0 || k.grid.z % c.z != 0)
    return "cluster dim " + dim_text(c) + " does not divide grid dim " + dim_text(k.grid);
  if (c.count() > kMaxClusterCtas)
    return "cluster dim " + dim_text(c) + " has " + std::to_string(c.count()) + " CTAs; at most " +
           std::to_string(kMaxClusterCtas) + " are allowed";
  return "";
}

}  // namespace joulesim::trace
