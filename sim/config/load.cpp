// load_gpu: file chain, then --set overrides, then schema defaults, then the typed spec and its
// cross-key validation.
#include <cstdlib>

#include "config/config.hpp"
#include "config/schema.hpp"
#include "core/error.hpp"

namespace joulesim::config {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return "";
  const auto e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

/// Turns override text into JSON of the row's type; errors quote the text as given.
json parse_override_value(const detail::KeyRow& row, const std::string& text,
                          const std::string& arg) {
  auto bad = [&](const std::string& why) -> json {
    throw ConfigError("--set " + arg + ": " + row.path + ": " + why);
  };
  switch (row.type) {
    case detail::ValueType::kUint: {
      if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) {
        return bad("expected " + detail::allowed_text(row) + ", got '" + text + "'");
      }
      if (text.size() > 15)
        return bad("out of range: expected " + detail::allowed_text(row) + ", got " + text);
      return json(std::stoull(text));
    }
    case detail::ValueType::kReal: {
      char* end = nullptr;
      double d = text.empty() ? 0 : std::strtod(text.c_str(), &end);
      if (text.empty() || end != text.c_str() + text.size()) {
        return bad("expected " + detail::allowed_text(row) + ", got '" + text + "'");
      }
      // Keep integral numbers integral so dumps read "1830", not "1830.0".
      if (text.find_first_not_of("0123456789") == std::string::npos && text.size() <= 15) {
        return json(std::stoull(text));
      }
      return json(d);
    }
    case detail::ValueType::kString: {
      std::string s = text;
      if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
      return json(s);
    }
    case detail::ValueType::kDvfsPoints: {
      try {
        return json::parse(text);
      } catch (const json::parse_error&) {
        return bad("expected " + detail::allowed_text(row) +
                   " written as JSON, e.g. [[1000,0.8],[1500,0.95]], got '" + text + "'");
      }
    }
  }
  return json();
}

void set_in_tree(json& tree, const std::string& path, json leaf) {
  std::string ptr = "/" + path;
  for (auto& c : ptr) {
    if (c == '.') c = '/';
  }
  tree[json::json_pointer(ptr)] = std::move(leaf);
}

}  // namespace

Override parse_override(std::string_view text) {
  const auto eq = text.find('=');
  if (eq == std::string_view::npos) {
    throw ConfigError("--set " + std::string(text) +
                      ": expected key.path=value, e.g. --set l2.size_kb=65536");
  }
  Override o{trim(text.substr(0, eq)), trim(text.substr(eq + 1))};
  if (o.path.empty())
    throw ConfigError("--set " + std::string(text) + ": the key path before '=' is empty");
  return o;
}

namespace detail {

void apply_overrides(LeafMap& leaves, const std::vector<std::string>& overrides) {
  for (const auto& arg : overrides) {
    const Override o = parse_override(arg);
    const KeyRow* row = find_row(o.path);
    if (row == nullptr) {
      if (is_group(o.path)) {
        throw ConfigError("--set " + arg + ": '" + o.path +
                          "' is a group of keys; set one key inside it");
      }
      const std::string hint = suggest_key(o.path);
      throw ConfigError("--set " + arg + ": " + o.path + ": unknown key" +
                        (hint.empty() ? "" : "; " + hint));
    }
    json value = parse_override_value(*row, o.value, arg);
    if (std::string e = check_value(*row, value); !e.empty()) {
      throw ConfigError("--set " + arg + ": " + row->path + ": " + e);
    }
    leaves[row->path] = Leaf{std::move(value), "--set on the command line", "--set"};
  }
}

void finish_load(LeafMap leaves, const std::string& top_file, GpuSpec& spec, json& resolved) {
  const GpuSpec defaults;
  std::string missing;
  for (const KeyRow& row : schema()) {
    if (leaves.count(row.path)) continue;
    if (row.has_default) {
      leaves[row.path] = Leaf{row.get ? row.get(defaults) : json(""),
                              "schema default: " + row.default_reason, "schema default"};
    } else {
      missing += "\n  " + row.path + ": " + allowed_text(row) + ", " + row.description;
    }
  }
  if (!missing.empty()) {
    throw ConfigError(top_file + ": required keys are missing (they have no default):" + missing);
  }
  spec = GpuSpec{};
  for (const KeyRow& row : schema()) {
    if (row.set) row.set(spec, leaves.at(row.path).value);
  }
  validate_spec(spec, leaves, top_file);
  resolved = json::object();
  for (const auto& [path, leaf] : leaves) {
    set_in_tree(resolved, path,
                json{{"value", leaf.value}, {"source", leaf.source}, {"file", leaf.file}});
  }
}

}  // namespace detail

void check_override(std::string_view text) {
  detail::LeafMap leaves;
  detail::apply_overrides(leaves, {std::string(text)});
}

LoadedGpu load_gpu(const std::string& name_or_path, const std::vector<std::string>& overrides) {
  LoadedGpu out;
  out.file = find_gpu_file(name_or_path);
  detail::LeafMap leaves = detail::load_chain(out.file, out.chain);
  detail::apply_overrides(leaves, overrides);
  const std::string shown = detail::display_path(out.file);
  detail::finish_load(std::move(leaves), shown, out.spec, out.resolved);
  const std::string prefix = "configs/gpus/";
  if (shown.compare(0, prefix.size(), prefix) == 0 && shown.size() > prefix.size() + 5) {
    out.name = shown.substr(prefix.size(), shown.size() - prefix.size() - 5);
  } else {
    out.name = name_or_path;
  }
  return out;
}

LoadedGpu gpu_from_resolved(const json& resolved, const std::string& origin,
                            const std::vector<std::string>& overrides) {
  LoadedGpu out;
  detail::LeafMap leaves = detail::parse_config_tree(resolved, origin, true, nullptr);
  detail::apply_overrides(leaves, overrides);
  detail::finish_load(std::move(leaves), origin, out.spec, out.resolved);
  out.name = origin;
  return out;
}

}  // namespace joulesim::config
