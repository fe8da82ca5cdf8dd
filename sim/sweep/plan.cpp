// make_plan: expands a spec into points (workloads outer, axis groups in order, the last one
// fastest) and validates every point completely before anything is simulated.
#include <map>
#include <set>

#include "config/config.hpp"
#include "core/error.hpp"
#include "sweep/internal.hpp"
#include "trace/generators.hpp"
#include "trace/trace.hpp"

namespace joulesim::sweep {
using nlohmann::json;

namespace {

bool is_pseudo(const std::string& key) {
  return key.compare(0, 7, "carbon.") == 0 || key.compare(0, 7, "energy.") == 0;
}

/// --set text of a JSON value: strings as they are, numbers and arrays as JSON.
std::string value_text(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

/// An assignment and where in the spec it comes from (for messages).
struct Sourced {
  std::string key;
  json value;
  std::string origin;
};

class Planner {
 public:
  explicit Planner(SweepSpec& spec) : spec_(spec), file_(spec.file.string() + ": ") {
    for (const auto& k : config::schema_keys()) key_types_[k.path] = {k.type, k.allowed};
  }

  Plan run();

 private:
  const config::LoadedGpu& base(const std::string& gpu, const std::string& origin);
  void check_assignment(const Sourced& a);
  void check_workload(const Workload& w, const std::string& origin);
  std::vector<std::string> texts(const std::vector<Sourced>& set) const;
  void add_point(Plan& plan, uint32_t workload, const std::vector<size_t>& pick);

  SweepSpec& spec_;
  std::string file_;
  std::map<std::string, std::pair<std::string, std::string>> key_types_;  // path -> type, allowed
  std::map<std::string, config::LoadedGpu> bases_;
  std::set<std::string> checked_;  // key + value already validated alone
  std::set<std::string> workloads_ok_;
  std::map<std::string, uint32_t> group_of_;   // sim key -> index in plan.sims
  std::map<std::string, uint32_t> by_sim_id_;  // sim id -> index in plan.sims
  detail::PricingCache pricing_;
};

const config::LoadedGpu& Planner::base(const std::string& gpu, const std::string& origin) {
  auto it = bases_.find(gpu);
  if (it != bases_.end()) return it->second;
  try {
    return bases_.emplace(gpu, config::load_gpu(gpu)).first->second;
  } catch (const Error& e) {
    throw ConfigError(file_ + origin + ": gpu '" + gpu + "': " + e.what());
  }
}

/// One assignment on its own (key, JSON type, range), so that an error names exactly that key
/// and value; cross-key checks come with the whole point.
void Planner::check_assignment(const Sourced& a) {
  const std::string memo = a.key + "\n" + a.value.dump();
  if (checked_.count(memo) || is_pseudo(a.key)) return;  // pricing keys: checked per point
  if (auto t = key_types_.find(a.key); t != key_types_.end()) {
    const std::string& type = t->second.first;
    const bool want_string = type == "string";
    const bool want_array = type.rfind("list", 0) == 0;
    const bool ok = want_string  ? a.value.is_string()
                    : want_array ? a.value.is_array()
                                 : a.value.is_number();
    if (!ok) {
      throw ConfigError(file_ + a.origin + ": " + a.key + ": type mismatch: expected " +
                        t->second.second + ", got " + a.value.dump());
    }
  }
  try {
    config::check_override(a.key + "=" + value_text(a.value));
  } catch (const Error& e) {
    const bool unknown = !key_types_.count(a.key);
    throw ConfigError(file_ + a.origin + ": " + e.what() +
                      (unknown ? " (a sweep also knows carbon.region, carbon.pue, "
                                 "energy.<table entry>)"
                               : ""));
  }
  checked_.insert(memo);
}

void Planner::check_workload(const Workload& w, const std::string& origin) {
  const std::string key = w.to_json().dump();
  if (workloads_ok_.count(key)) return;
  try {
    if (!w.trace.empty()) {
      trace::open_trace(w.trace);
    } else {
      std::optional<trace::gen::Isa> isa;
      if (!w.isa.empty()) isa = trace::gen::parse_isa(w.isa);
      trace::gen::open_generated(w.generator, w.params, isa);
    }
  } catch (const Error& e) {
    throw ConfigError(file_ + origin + ": workload '" + w.name + "': " + e.what());
  }
  workloads_ok_.insert(key);
}

std::vector<std::string> Planner::texts(const std::vector<Sourced>& set) const {
  std::vector<std::string> out;
  for (const auto& a : set) out.push_back(a.key + "=" + value_text(a.value));
  return out;
}

void Planner::add_point(Plan& plan, uint32_t wi, const std::vector<size_t>& pick) {
  const Workload& base_w = spec_.workloads[wi];
  Point p;
  p.index = static_cast<uint32_t>(plan.points.size());
  p.workload_index = wi;
  p.workload = base_w;
  p.gpu = spec_.gpu;
  p.coords = json::object();
  std::vector<Sourced> all;
  for (const auto& [k, v] : spec_.base_set) all.push_back({k, v, "set"});
  std::string origin = "workload '" + base_w.name + "'";
  std::string gpu_origin = "gpu";
  for (size_t g = 0; g < spec_.groups.size(); ++g) {
    const AxisGroup& group = spec_.groups[g];
    const Choice& ch = group.choices[pick[g]];
    const std::string where = "axis '" + group.name + "' = '" + ch.label + "'";
    origin += ", " + group.name + "=" + ch.label;
    if (!ch.gpu.empty()) p.gpu = ch.gpu, gpu_origin = where;
    for (const auto& [k, v] : ch.set) all.push_back({k, v, where});
    if (!ch.params.empty()) {
      if (p.workload.generator.empty()) {
        throw ConfigError(file_ + where + ": sets generator parameters but workload '" +
                          base_w.name + "' is a trace file");
      }
      for (const auto& [k, v] : ch.params) {
        bool replaced = false;
        for (auto& [pk, pv] : p.workload.params) {
          if (pk == k) pv = v, replaced = true;
        }
        if (!replaced) p.workload.params.emplace_back(k, v);
      }
    }
    for (const auto& [k, v] : ch.coords.items()) p.coords[k] = v;
  }
  if (p.gpu.empty()) {
    throw ConfigError(file_ + "gpu: no GPU for " + origin + "; give \"gpu\" or a \"gpus\" axis");
  }
  base(p.gpu, gpu_origin);  // a bad GPU name is reported as such, not with the first key
  // Later assignments of a key replace earlier ones (an axis over a key of "set").
  std::vector<Sourced> final_set;
  for (const auto& a : all) {
    check_assignment(a);
    bool replaced = false;
    for (auto& f : final_set) {
      if (f.key == a.key) f = a, replaced = true;
    }
    if (!replaced) final_set.push_back(a);
  }
  std::vector<Sourced> timing, priced_config;
  std::vector<Assignment> pseudo;
  for (const auto& a : final_set) {
    if (is_pseudo(a.key)) {
      pseudo.emplace_back(a.key, a.value);
      p.pricing_set.emplace_back(a.key, a.value);
    } else if (classify_key(a.key).effect == KeyEffect::kPricing) {
      priced_config.push_back(a);
      p.pricing_set.emplace_back(a.key, a.value);
    } else {
      timing.push_back(a);
      p.timing_set.emplace_back(a.key, a.value);
    }
  }
  check_workload(p.workload, origin);

  const config::LoadedGpu& b = base(p.gpu, origin);
  json sim_key = {{"gpu", p.gpu}, {"workload", p.workload.to_json()}, {"set", json::array()}};
  for (const auto& a : timing) sim_key["set"].push_back({a.key, a.value});
  const std::string sim_text = sim_key.dump();
  auto git = group_of_.find(sim_text);
  if (git == group_of_.end()) {
    SimGroup g;
    try {
      config::LoadedGpu timed = config::gpu_from_resolved(b.resolved, b.name, texts(timing));
      g.timing = std::make_shared<const config::GpuSpec>(std::move(timed.spec));
      g.resolved = std::move(timed.resolved);
    } catch (const Error& e) {
      throw ConfigError(file_ + origin + ": " + e.what());
    }
    g.gpu_name = b.name;
    // The id hashes the resolved values (not their sources), so an edited config file gives new
    // ids and the same config reached through different files or assignments shares a sim.
    json values = json::object();
    for (const auto& [path, leaf] : config::flatten_resolved(g.resolved)) {
      values[path] = leaf.at("value");
    }
    g.sim_id =
        detail::hash_hex(json{{"config", values}, {"workload", p.workload.to_json()}}.dump());
    // Different assignments may resolve to the same config (an axis value equal to the base).
    auto same = by_sim_id_.find(g.sim_id);
    if (same == by_sim_id_.end()) {
      same = by_sim_id_.emplace(g.sim_id, static_cast<uint32_t>(plan.sims.size())).first;
      plan.sims.push_back(std::move(g));
    }
    git = group_of_.emplace(sim_text, same->second).first;
  }
  SimGroup& group = plan.sims[git->second];
  p.group = git->second;
  p.sim_id = group.sim_id;
  group.points.push_back(p.index);

  const config::GpuSpec* full = group.timing.get();
  config::LoadedGpu priced;
  if (!priced_config.empty()) {
    std::vector<Sourced> both = timing;
    both.insert(both.end(), priced_config.begin(), priced_config.end());
    try {
      priced = config::gpu_from_resolved(b.resolved, b.name, texts(both));
    } catch (const Error& e) {
      throw ConfigError(file_ + origin + ": " + e.what());
    }
    full = &priced.spec;
  }
  p.pricing = pricing_.make(*full, pseudo, spec_.region, spec_.pue, file_ + origin + ": ");

  json id_key = {{"sim", p.sim_id},        {"pricing", p.pricing_set},
                 {"region", spec_.region}, {"pue", spec_.pue ? json(*spec_.pue) : json()},
                 {"coords", p.coords},     {"workload", p.workload.name}};
  p.id = detail::hash_hex(id_key.dump());
  plan.points.push_back(std::move(p));
}

Plan Planner::run() {
  Plan plan;
  if (spec_.gpu.empty()) {
    bool has_gpus = false;
    for (const auto& g : spec_.groups) {
      for (const auto& ch : g.choices) has_gpus = has_gpus || !ch.gpu.empty();
    }
    if (!has_gpus)
      throw ConfigError(file_ + "gpu: required member missing (or give a \"gpus\" axis)");
  }
  std::vector<size_t> pick(spec_.groups.size(), 0);
  for (uint32_t w = 0; w < spec_.workloads.size(); ++w) {
    std::fill(pick.begin(), pick.end(), 0);
    while (true) {
      add_point(plan, w, pick);
      // Odometer over the groups, the last one fastest.
      bool carry = true;
      for (size_t g = spec_.groups.size(); carry && g > 0; --g) {
        if (++pick[g - 1] < spec_.groups[g - 1].choices.size())
          carry = false;
        else
          pick[g - 1] = 0;
      }
      if (carry) break;
    }
  }
  std::set<std::string> ids;
  for (const auto& p : plan.points) {
    if (!ids.insert(p.id).second) {
      throw ConfigError(file_ + "two points are identical (point " + std::to_string(p.index) +
                        "); check the axes for repeated values");
    }
  }

  // Which axes re-simulate and which re-price.
  for (const auto& g : spec_.groups) {
    bool timing = false;
    std::string why;
    for (const auto& ch : g.choices) {
      if (!ch.gpu.empty()) timing = true, why = "chooses the GPU";
      if (!ch.params.empty()) timing = true, why = "changes generator parameters";
    }
    for (const auto& k : g.keys) {
      const KeyClass c = classify_key(k);
      if (c.effect == KeyEffect::kTiming && !timing) timing = true, why = k + ": " + c.reason;
      if (c.effect == KeyEffect::kPricing && why.empty()) why = c.reason;
    }
    if (g.kind == AxisGroup::Kind::kKey) why = classify_key(g.keys.front()).reason;
    (timing ? plan.resimulated_axes : plan.repriced_axes).push_back(g.name + " (" + why + ")");
  }
  std::string all;
  for (const auto& p : plan.points) all += p.id;
  plan.digest = detail::hash_hex(all);
  return plan;
}

}  // namespace

Plan make_plan(SweepSpec spec) {
  Planner planner(spec);
  Plan plan = planner.run();
  plan.spec = std::move(spec);
  return plan;
}

std::string describe_plan(const Plan& plan) {
  std::string s = "sweep " + plan.spec.name + ": " + std::to_string(plan.points.size()) +
                  " points = " + std::to_string(plan.spec.workloads.size()) + " workload(s)";
  for (const auto& g : plan.spec.groups)
    s += " x " + std::to_string(g.choices.size()) + " " + g.name;
  s += "\n  simulations: " + std::to_string(plan.sims.size()) +
       ", re-priced points: " + std::to_string(plan.points.size() - plan.sims.size()) + "\n";
  s += "  re-simulated axes:";
  if (plan.resimulated_axes.empty()) s += " none";
  for (const auto& a : plan.resimulated_axes) s += "\n    " + a;
  s += "\n  re-priced axes:";
  if (plan.repriced_axes.empty()) s += " none";
  for (const auto& a : plan.repriced_axes) s += "\n    " + a;
  return s + "\n";
}

}  // namespace joulesim::sweep
