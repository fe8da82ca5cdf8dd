// Comparing two resolved configs key by key.
#include <map>

#include "config/config.hpp"

namespace joulesim::config {
using nlohmann::json;

namespace {
void flatten_into(const json& node, const std::string& prefix,
                  std::vector<std::pair<std::string, json>>& out) {
  for (const auto& [key, child] : node.items()) {
    const std::string path = prefix.empty() ? key : prefix + "." + key;
    if (child.is_object() && child.contains("value")) {
      out.emplace_back(path, child);
    } else if (child.is_object()) {
      flatten_into(child, path, out);
    }
  }
}
}  // namespace

std::vector<std::pair<std::string, json>> flatten_resolved(const json& resolved) {
  std::vector<std::pair<std::string, json>> out;
  flatten_into(resolved, "", out);
  return out;
}

std::vector<KeyChange> diff(const LoadedGpu& a, const LoadedGpu& b) {
  std::map<std::string, std::pair<json, json>> both;
  for (auto& [path, leaf] : flatten_resolved(a.resolved)) both[path].first = leaf.at("value");
  for (auto& [path, leaf] : flatten_resolved(b.resolved)) both[path].second = leaf.at("value");
  std::vector<KeyChange> out;
  for (auto& [path, ab] : both) {
    // json compares integers and floats by numeric value, so 4096 == 4096.0.
    if (ab.first != ab.second) out.push_back({path, ab.first, ab.second});
  }
  return out;
}

}  // namespace joulesim::config
