// ActivityCounts <-> JSON, shared by `run` (writing results) and `reprice` (reading them back).
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "stats/activity.hpp"

namespace joulesim::stats {

namespace {

using nlohmann::json;

template <typename Array, typename NameOf>
json section_to_json(const Array& values, NameOf name_of, size_t first = 0) {
  json out = json::object();
  for (size_t i = first; i < values.size(); ++i) {
    if (values[i] != 0) out[std::string(name_of(i))] = values[i];
  }
  return out;
}

template <typename Array, typename NameOf>
void section_from_json(const json& j, const char* key, Array& values, NameOf name_of,
                       const std::string& where, size_t first = 0) {
  if (!j.contains(key)) return;
  const json& sec = j.at(key);
  if (!sec.is_object()) throw ConfigError(where + ": '" + key + "' must be an object");
  for (const auto& [name, v] : sec.items()) {
    size_t found = values.size();
    for (size_t i = first; i < values.size(); ++i) {
      if (name_of(i) == name) {
        found = i;
        break;
      }
    }
    if (found == values.size()) {
      throw ConfigError(where + ": unknown name '" + std::string(key) + "." + name + "'");
    }
    if (!v.is_number_unsigned()) {
      throw ConfigError(where + ": '" + std::string(key) + "." + name +
                        "' must be a non-negative integer");
    }
    values[found] = v.template get<uint64_t>();
  }
}

std::string_view counter_at(size_t i) { return counter_name(static_cast<Counter>(i)); }
std::string_view op_at(size_t i) { return trace::to_string(static_cast<trace::OpClass>(i)); }
std::string_view type_at(size_t i) { return trace::to_string(static_cast<trace::TensorType>(i)); }

}  // namespace

json counts_to_json(const ActivityCounts& c) {
  json j;
  j["counters"] = section_to_json(c.counters, counter_at);
  j["warp_insts"] = section_to_json(c.warp_insts, op_at);
  j["thread_insts"] = section_to_json(c.thread_insts, op_at);
  j["tensor_flops"] = section_to_json(c.tensor_flops, type_at);
  j["tensor_sparse_flops"] = section_to_json(c.tensor_sparse_flops, type_at);
  return j;
}

ActivityCounts counts_from_json(const json& j, const std::string& where) {
  if (!j.is_object()) throw ConfigError(where + ": counts must be a JSON object");
  for (const auto& [k, v] : j.items()) {
    if (k != "counters" && k != "warp_insts" && k != "thread_insts" && k != "tensor_flops" &&
        k != "tensor_sparse_flops") {
      throw ConfigError(where + ": unknown key '" + k +
                        "' (allowed: counters, warp_insts, thread_insts, tensor_flops, "
                        "tensor_sparse_flops)");
    }
  }
  ActivityCounts c;
  section_from_json(j, "counters", c.counters, counter_at, where);
  section_from_json(j, "warp_insts", c.warp_insts, op_at, where);
  section_from_json(j, "thread_insts", c.thread_insts, op_at, where);
  section_from_json(j, "tensor_flops", c.tensor_flops, type_at, where);
  section_from_json(j, "tensor_sparse_flops", c.tensor_sparse_flops, type_at, where);
  return c;
}

}  // namespace joulesim::stats
