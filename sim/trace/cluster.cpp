// Thread-block cluster shapes: the check every reader applies to a kernel's cluster dimensions.
#include <string>

#include "trace/trace.hpp"

namespace joulesim::trace {

std::string cluster_shape_error(const KernelInfo& k) {
  const Dim3& c = k.cluster;
  const auto dim = [](const Dim3& d) {
    std::string s = "(";  // built by appending: GCC 12 warns on "(" + std::string&&
    s += std::to_string(d.x);
    s += ',';
    s += std::to_string(d.y);
    s += ',';
    s += std::to_string(d.z);
    s += ')';
    return s;
  };
  if (c.x == 0 || c.y == 0 || c.z == 0) return "cluster dim " + dim(c) + " has a zero dimension";
  if (k.grid.x % c.x != 0 || k.grid.y % c.y != 0 || k.grid.z % c.z != 0)
    return "cluster dim " + dim(c) + " does not divide grid dim " + dim(k.grid);
  if (c.count() > kMaxClusterCtas)
    return "cluster dim " + dim(c) + " has " + std::to_string(c.count()) + " CTAs; at most " +
           std::to_string(kMaxClusterCtas) + " are allowed";
  return "";
}

}  // namespace joulesim::trace
