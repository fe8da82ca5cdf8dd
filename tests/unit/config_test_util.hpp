#pragma once
// Helpers for the config tests: the repo's configs as raw JSON, and temporary config files.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "config/config.hpp"
#include "core/error.hpp"
#include "core/paths.hpp"

namespace joulesim::config::testing {

inline std::filesystem::path repo_config(const std::string& name) {
  return data_root() / "configs" / "gpus" / (name + ".json");
}

/// The raw JSON of a repo config (no resolution).
inline nlohmann::json raw_config(const std::string& name) {
  std::ifstream in(repo_config(name));
  return nlohmann::json::parse(in);
}

/// A temporary folder that removes itself.
class TempDir {
 public:
  TempDir() {
    auto base = std::filesystem::temp_directory_path();
    for (int i = 0;; ++i) {
      path_ =
          base / ("joulesim_config_test_" + std::to_string(::getpid()) + "_" + std::to_string(i));
      if (std::filesystem::create_directory(path_)) break;
    }
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  /// Writes @p text to @p name inside the folder and returns its path.
  std::filesystem::path write(const std::string& name, const std::string& text) const {
    auto p = path_ / name;
    std::ofstream(p) << text;
    return p;
  }
  std::filesystem::path write(const std::string& name, const nlohmann::json& j) const {
    return write(name, j.dump(2));
  }

 private:
  std::filesystem::path path_;
};

/// The message of the ConfigError that loading @p file throws ("" and a test failure if none).
inline std::string load_error(const std::filesystem::path& file,
                              const std::vector<std::string>& overrides = {}) {
  try {
    load_gpu(file.string(), overrides);
  } catch (const ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "loading " << file << " did not throw";
  return "";
}

}  // namespace joulesim::config::testing
