// Finding config files by name, listing them, and following "extends" chains.
#include <algorithm>

#include "config/config.hpp"
#include "config/schema.hpp"
#include "core/error.hpp"
#include "core/paths.hpp"

namespace joulesim::config {
namespace fs = std::filesystem;

namespace {

fs::path gpus_root() { return data_root() / "configs" / "gpus"; }

bool has_json_ext(const std::string& s) {
  return s.size() > 5 && s.compare(s.size() - 5, 5, ".json") == 0;
}

std::string nearest_names(const std::string& name) {
  std::vector<std::pair<size_t, std::string>> scored;
  for (const auto& e : list_gpus()) {
    const std::string stem = fs::path(e.name).filename().string();
    scored.emplace_back(
        std::min(detail::edit_distance(name, e.name), detail::edit_distance(name, stem)), e.name);
  }
  std::sort(scored.begin(), scored.end());
  std::string out;
  if (!scored.empty() && scored[0].first <= std::max<size_t>(2, name.size() / 3)) {
    out = "; did you mean '" + scored[0].second + "'?";
  }
  out += " Available:";
  for (const auto& [d, n] : scored) out += " " + n;
  return out;
}

}  // namespace

std::vector<GpuEntry> list_gpus() {
  std::vector<GpuEntry> out;
  std::error_code ec;
  const fs::path root = gpus_root();
  if (!fs::is_directory(root, ec)) return out;
  for (auto it = fs::recursive_directory_iterator(root, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    if (!it->is_regular_file() || it->path().extension() != ".json") continue;
    fs::path rel = it->path().lexically_relative(root);
    rel.replace_extension();
    out.push_back({rel.generic_string(), it->path()});
  }
  std::sort(out.begin(), out.end(),
            [](const GpuEntry& a, const GpuEntry& b) { return a.name < b.name; });
  return out;
}

fs::path find_gpu_file(const std::string& name) {
  if (name.empty()) throw ConfigError("GPU name is empty; use e.g. 'h100' or a .json path");
  std::error_code ec;
  // 1. A file on disk, as given.
  if (fs::is_regular_file(name, ec)) return fs::path(name);
  // 2. A path under configs/gpus ("emerging/h100-fp4", ".json" optional).
  if (name.find('/') != std::string::npos) {
    fs::path p = gpus_root() / name;
    if (!has_json_ext(name)) p += ".json";
    if (fs::is_regular_file(p, ec)) return p;
    if (has_json_ext(name)) {
      throw ConfigError(name + ": config file not found (neither as a path nor under " +
                        gpus_root().string() + ")");
    }
    throw ConfigError("no GPU config '" + name + "' under " + gpus_root().string() +
                      nearest_names(name));
  }
  // 3. A bare name: configs/gpus/*/<name>.json, which must be unique.
  const std::string stem = has_json_ext(name) ? name.substr(0, name.size() - 5) : name;
  std::vector<GpuEntry> hits;
  for (auto& e : list_gpus()) {
    if (fs::path(e.name).filename() == stem) hits.push_back(e);
  }
  if (hits.size() == 1) return hits[0].file;
  if (hits.size() > 1) {
    std::string msg = "GPU name '" + name + "' is ambiguous; name one of:";
    for (const auto& h : hits) msg += " " + h.name;
    throw ConfigError(msg);
  }
  throw ConfigError("no GPU config '" + name + "' under " + gpus_root().string() +
                    nearest_names(name));
}

namespace detail {

namespace {
fs::path resolve_extends(const std::string& ext, const fs::path& from_file) {
  if (has_json_ext(ext)) {
    fs::path p = fs::path(ext).is_absolute() ? fs::path(ext) : from_file.parent_path() / ext;
    std::error_code ec;
    if (!fs::is_regular_file(p, ec)) {
      key_error(display_path(from_file), "extends", "file '" + p.string() + "' not found");
    }
    return p;
  }
  try {
    return find_gpu_file(ext);
  } catch (const ConfigError& e) {
    key_error(display_path(from_file), "extends", e.what());
  }
}

void load_chain_rec(const fs::path& file, std::vector<fs::path>& stack, LeafMap& merged,
                    std::vector<fs::path>& chain) {
  std::error_code ec;
  const fs::path canon = fs::weakly_canonical(file, ec);
  for (const auto& s : stack) {
    if (s == canon) {
      std::string cycle;
      for (const auto& t : stack) cycle += display_path(t) + " -> ";
      throw ConfigError(display_path(file) + ": extends: cycle: " + cycle + display_path(file));
    }
  }
  if (stack.size() >= 32)
    throw ConfigError(display_path(file) + ": extends: chain deeper than 32 files");
  stack.push_back(canon);
  std::string ext;
  LeafMap own = parse_config_file(file, ext);
  if (!ext.empty()) load_chain_rec(resolve_extends(ext, file), stack, merged, chain);
  // Deep merge: a child overrides its base key by key; untouched keys are inherited.
  for (auto& [path, leaf] : own) merged[path] = std::move(leaf);
  chain.push_back(file);
  stack.pop_back();
}
}  // namespace

LeafMap load_chain(const fs::path& file, std::vector<fs::path>& chain) {
  LeafMap merged;
  std::vector<fs::path> stack;
  load_chain_rec(file, stack, merged, chain);
  return merged;
}

}  // namespace detail
}  // namespace joulesim::config
