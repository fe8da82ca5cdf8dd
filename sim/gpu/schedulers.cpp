// Warp schedulers and their registry. A scheduler only orders the warps a sub-core tries each
// cycle; readiness (scoreboard, pipes, barriers) is checked by the sub-core.
#include <algorithm>
#include <map>
#include <mutex>

#include "core/error.hpp"
#include "gpu/gpu.hpp"

namespace joulesim::gpu {

namespace {

/// Greedy-then-oldest: keep trying the warp that issued last, then the others oldest first.
class GtoScheduler : public WarpScheduler {
 public:
  void order(const uint16_t* by_age, size_t n, uint16_t* out) override {
    size_t k = 0;
    bool greedy_present = false;
    for (size_t i = 0; i < n; ++i) greedy_present |= by_age[i] == last_;
    if (greedy_present) out[k++] = last_;
    for (size_t i = 0; i < n; ++i) {
      if (!greedy_present || by_age[i] != last_) out[k++] = by_age[i];
    }
  }
  void issued(uint16_t warp) override { last_ = warp; }

 private:
  uint16_t last_ = 0xFFFF;
};

/// Loose round robin: start with the warp after the one that issued last (in age order).
class LrrScheduler : public WarpScheduler {
 public:
  void order(const uint16_t* by_age, size_t n, uint16_t* out) override {
    size_t start = 0;
    for (size_t i = 0; i < n; ++i) {
      if (by_age[i] == last_) {
        start = i + 1;
        break;
      }
    }
    // If the last warp has left the sub-core, start again from the oldest.
    for (size_t i = 0; i < n; ++i) out[i] = by_age[(start + i) % n];
  }
  void issued(uint16_t warp) override { last_ = warp; }

 private:
  uint16_t last_ = 0xFFFF;
};

struct Registry {
  std::mutex mutex;
  std::map<std::string, SchedulerFactory, std::less<>> factories = {
      {"gto", [] { return std::make_unique<GtoScheduler>(); }},
      {"lrr", [] { return std::make_unique<LrrScheduler>(); }},
  };
};

Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace

void register_scheduler(const std::string& name, SchedulerFactory factory) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  r.factories[name] = std::move(factory);
}

std::unique_ptr<WarpScheduler> make_scheduler(std::string_view name) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  auto it = r.factories.find(name);
  if (it == r.factories.end()) {
    std::string known;
    for (const auto& [n, f] : r.factories) known += (known.empty() ? "" : ", ") + n;
    throw ConfigError("core.scheduler: unknown warp scheduler '" + std::string(name) +
                      "' (allowed: " + known + ")");
  }
  return it->second();
}

std::vector<std::string> scheduler_names() {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  std::vector<std::string> names;
  for (const auto& [n, f] : r.factories) names.push_back(n);
  return names;
}

}  // namespace joulesim::gpu
