// ISA names and generator parameter validation.
#include <array>
#include <charconv>

#include "core/error.hpp"
#include "trace/generators.hpp"

namespace joulesim::trace::gen {

namespace {
constexpr std::array<std::string_view, static_cast<size_t>(Isa::kCount)> kIsaNames = {
    "sm_70", "sm_80", "sm_90", "sm_100", "gfx90a", "gfx942"};

std::string join(const std::vector<std::string>& v, std::string_view sep = ", ") {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) s += sep;
    s += v[i];
  }
  return s;
}

bool parse_int64(std::string_view t, int64_t& out) {
  if (t.empty()) return false;
  int base = 10;
  if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
    t.remove_prefix(2);
    base = 16;
  }
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), out, base);
  return ec == std::errc() && p == t.data() + t.size();
}

std::string describe_allowed(const ParamSpec& p) {
  if (!p.choices.empty()) return "one of " + join(p.choices);
  std::string s = "an integer in [" + std::to_string(p.min) + ", " + std::to_string(p.max) + "]";
  if (p.power_of_two) s += " that is a power of two";
  return s;
}
}  // namespace

std::string_view to_string(Isa isa) { return kIsaNames.at(static_cast<size_t>(isa)); }

Isa parse_isa(std::string_view name) {
  for (size_t i = 0; i < kIsaNames.size(); ++i) {
    if (kIsaNames[i] == name) return static_cast<Isa>(i);
  }
  std::vector<std::string> names(kIsaNames.begin(), kIsaNames.end());
  throw Error("unknown ISA '" + std::string(name) + "'; allowed: " + join(names));
}

IsaFamily isa_family(Isa isa) {
  return isa == Isa::kGfx90a || isa == Isa::kGfx942 ? IsaFamily::kCdna : IsaFamily::kSass;
}

uint32_t isa_binary_version(Isa isa) {
  switch (isa) {
    case Isa::kSm70:
      return 70;
    case Isa::kSm80:
      return 80;
    case Isa::kSm90:
      return 90;
    case Isa::kSm100:
      return 100;
    case Isa::kGfx90a:
      return 0x90A;
    case Isa::kGfx942:
      return 0x942;
    case Isa::kCount:
      break;
  }
  throw Error("bad ISA");
}

uint32_t isa_warp_size(Isa isa) { return isa_family(isa) == IsaFamily::kCdna ? 64 : 32; }

int64_t Params::integer(std::string_view name) const {
  for (size_t i = 0; i < values_.size(); ++i) {
    if (values_[i].first == name) return ints_[i];
  }
  throw Error("generator bug: " + generator_ + " has no parameter '" + std::string(name) + "'");
}

const std::string& Params::text(std::string_view name) const {
  for (const auto& [k, v] : values_) {
    if (k == name) return v;
  }
  throw Error("generator bug: " + generator_ + " has no parameter '" + std::string(name) + "'");
}

Params resolve_params(const GeneratorSpec& spec, const ParamList& given) {
  Params out;
  out.generator_ = spec.name;
  auto where = [&](const std::string& name) {
    return "trace gen " + spec.name + ": param '" + name + "'";
  };
  for (const auto& [k, v] : given) {
    bool known = false;
    for (const ParamSpec& p : spec.params) known = known || p.name == k;
    if (!known) {
      std::vector<std::string> names;
      for (const ParamSpec& p : spec.params) names.push_back(p.name);
      throw Error("trace gen " + spec.name + ": unknown param '" + k +
                  "'; allowed: " + (names.empty() ? std::string("none") : join(names)));
    }
  }
  for (const ParamSpec& p : spec.params) {
    const std::string* value = &p.def;
    int seen = 0;
    for (const auto& [k, v] : given) {
      if (k == p.name) {
        value = &v;
        ++seen;
      }
    }
    if (seen > 1) throw Error(where(p.name) + " is given " + std::to_string(seen) + " times");
    int64_t n = 0;
    if (!p.choices.empty()) {
      bool ok = false;
      for (const std::string& c : p.choices) ok = ok || c == *value;
      if (!ok) {
        throw Error(where(p.name) + " = '" + *value +
                    "' is not allowed; allowed: " + describe_allowed(p));
      }
    } else {
      if (!parse_int64(*value, n)) {
        throw Error(where(p.name) + " = '" + *value +
                    "' is not an integer; allowed: " + describe_allowed(p));
      }
      bool pow2_ok = !p.power_of_two || (n > 0 && (n & (n - 1)) == 0);
      if (n < p.min || n > p.max || !pow2_ok) {
        throw Error(where(p.name) + " = " + *value +
                    " is out of range; allowed: " + describe_allowed(p));
      }
    }
    out.values_.emplace_back(p.name, *value);
    out.ints_.push_back(n);
  }
  return out;
}

ParamList parse_param_args(const std::vector<std::string>& args) {
  ParamList out;
  for (const std::string& a : args) {
    size_t eq = a.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw Error("trace gen: --param '" + a + "' must be written name=value");
    }
    out.emplace_back(a.substr(0, eq), a.substr(eq + 1));
  }
  return out;
}

}  // namespace joulesim::trace::gen
