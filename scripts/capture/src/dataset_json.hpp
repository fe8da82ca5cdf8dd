#pragma once
// Dataset JSON output (schema in ../README.md).
#include <unistd.h>

#include <string>
#include <utility>
#include <vector>

#include "common.hpp"

namespace capture {

/// A flat JSON object of strings, numbers and booleans, in insertion order.
class JsonObject {
 public:
  JsonObject& add(const std::string& k, const std::string& v);
  JsonObject& add(const std::string& k, const char* v) { return add(k, std::string(v)); }
  JsonObject& add(const std::string& k, double v);
  JsonObject& add_bool(const std::string& k, bool v);
  std::string str() const;

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

/// Writes the dataset atomically; false with `error` set when the file cannot be written.
bool write_dataset(const std::string& path, const std::string& dataset, const std::string& source,
                   const JsonObject& gpu, const JsonObject& conditions,
                   const std::vector<Case>& cases, std::string& error);

}  // namespace capture
