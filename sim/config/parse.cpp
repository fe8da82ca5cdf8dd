// Reads one config file (or an already-parsed tree) into a LeafMap, checking every key against
// the schema: unknown keys, value objects without a source, wrong types, out-of-range values.
#include <fstream>
#include <set>
#include <sstream>

#include "config/schema.hpp"
#include "core/error.hpp"
#include "core/paths.hpp"

namespace joulesim::config::detail {
namespace {

using nlohmann::json;

bool is_numeric_type(ValueType t) { return t != ValueType::kString; }

std::string children_of(const std::string& group) {
  std::set<std::string> names;
  const std::string prefix = group + ".";
  for (const KeyRow& r : schema()) {
    if (r.path.compare(0, prefix.size(), prefix) == 0) {
      auto rest = r.path.substr(prefix.size());
      names.insert(rest.substr(0, rest.find('.')));
    }
  }
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

Leaf parse_leaf(const KeyRow& row, const json& v, const std::string& origin, bool resolved_form) {
  Leaf leaf;
  leaf.file = origin;
  const json* value = &v;
  if (v.is_object()) {
    for (const auto& [member, _] : v.items()) {
      if (member != "value" && member != "source" && !(resolved_form && member == "file")) {
        key_error(origin, row.path,
                  "unknown member '" + member + "' in a value object; allowed: value, source" +
                      (resolved_form ? ", file" : ""));
      }
    }
    if (!v.contains("value")) key_error(origin, row.path, "value object has no \"value\"");
    value = &v.at("value");
    if (v.contains("source")) {
      if (!v.at("source").is_string()) key_error(origin, row.path, "\"source\" must be a string");
      leaf.source = v.at("source").get<std::string>();
    }
    if (resolved_form && v.contains("file") && v.at("file").is_string()) {
      leaf.file = v.at("file").get<std::string>();
    }
    if (is_numeric_type(row.type) && leaf.source.find_first_not_of(" \t") == std::string::npos) {
      key_error(origin, row.path,
                "numeric value needs a non-empty \"source\" (whitepaper, paper + table, measured "
                "dataset, or 'assumed: why')");
    }
  } else if (is_numeric_type(row.type)) {
    key_error(origin, row.path,
              "numeric values must be written {\"value\": " + v.dump() +
                  ", \"source\": \"...\"}: the \"source\" is missing");
  }
  if (std::string e = check_value(row, *value); !e.empty()) key_error(origin, row.path, e);
  leaf.value = *value;
  return leaf;
}

void walk_group(const json& obj, const std::string& prefix, const std::string& origin,
                bool resolved_form, LeafMap& out, std::string* extends) {
  for (const auto& [key, v] : obj.items()) {
    const std::string path = prefix.empty() ? key : prefix + "." + key;
    if (prefix.empty() && key == "extends") {
      if (extends == nullptr) key_error(origin, path, "\"extends\" is not allowed here");
      if (!v.is_string() || v.get_ref<const std::string&>().empty()) {
        key_error(origin, path,
                  "expected a config name (e.g. \"nvidia/h100\") or a .json path relative to this "
                  "file, got " +
                      v.dump());
      }
      *extends = v.get<std::string>();
      continue;
    }
    if (const KeyRow* row = find_row(path)) {
      out[path] = parse_leaf(*row, v, origin, resolved_form);
    } else if (is_group(path)) {
      if (!v.is_object()) {
        key_error(origin, path,
                  "expected an object holding the keys " + children_of(path) + ", got " + v.dump());
      }
      walk_group(v, path, origin, resolved_form, out, extends);
    } else {
      std::string hint = suggest_key(path);
      key_error(origin, path, "unknown key" + (hint.empty() ? std::string() : "; " + hint));
    }
  }
}

/// Line and column of byte @p offset in @p text (1-based).
std::pair<size_t, size_t> line_col(const std::string& text, size_t offset) {
  size_t line = 1, col = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return {line, col};
}

}  // namespace

void key_error(const std::string& file, const std::string& path, const std::string& what) {
  throw ConfigError(file + ": " + path + ": " + what);
}

std::string display_path(const std::filesystem::path& p) {
  std::error_code ec;
  auto abs = std::filesystem::weakly_canonical(p, ec);
  if (ec) return p.string();
  auto root = std::filesystem::weakly_canonical(data_root(), ec);
  if (!ec) {
    auto rel = abs.lexically_relative(root);
    if (!rel.empty() && *rel.begin() != "..") return rel.generic_string();
  }
  return p.string();
}

LeafMap parse_config_tree(const json& tree, const std::string& origin, bool resolved_form,
                          std::string* extends) {
  if (!tree.is_object()) throw ConfigError(origin + ": the top level must be a JSON object");
  LeafMap out;
  walk_group(tree, "", origin, resolved_form, out, extends);
  return out;
}

LeafMap parse_config_file(const std::filesystem::path& file, std::string& extends) {
  const std::string origin = display_path(file);
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ConfigError(origin + ": cannot open the config file");
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string text = buf.str();

  // nlohmann keeps the last of duplicate keys silently; a config must not say two things.
  std::vector<std::set<std::string>> open_objects;
  std::string duplicate;
  auto callback = [&](int, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::object_start) open_objects.emplace_back();
    if (event == json::parse_event_t::object_end && !open_objects.empty()) open_objects.pop_back();
    if (event == json::parse_event_t::key && !open_objects.empty() &&
        !open_objects.back().insert(parsed.get<std::string>()).second && duplicate.empty()) {
      duplicate = parsed.get<std::string>();
    }
    return true;
  };
  json tree;
  try {
    tree = json::parse(text, callback);
  } catch (const json::parse_error& e) {
    auto [line, col] = line_col(text, e.byte == 0 ? 0 : e.byte - 1);
    throw ConfigError(origin + ":" + std::to_string(line) + ":" + std::to_string(col) +
                      ": invalid JSON: " + e.what());
  }
  if (!duplicate.empty()) {
    throw ConfigError(origin + ": key '" + duplicate + "' appears twice in one object");
  }
  extends.clear();
  return parse_config_tree(tree, origin, false, &extends);
}

}  // namespace joulesim::config::detail
