#include "trace/warn.hpp"

#include <atomic>
#include <iostream>
#include <mutex>
#include <unordered_set>

namespace joulesim::trace::detail {

namespace {
std::atomic<bool> g_enabled{true};
}

void warn_once(const std::string& message) {
  static std::mutex mutex;
  static std::unordered_set<std::string> seen;
  if (!g_enabled.load(std::memory_order_relaxed)) return;
  std::lock_guard<std::mutex> lock(mutex);
  if (!seen.insert(message).second) return;
  std::cerr << "joulesim: warning: " << message << "\n";
}

void set_warnings_enabled(bool enabled) { g_enabled.store(enabled, std::memory_order_relaxed); }

}  // namespace joulesim::trace::detail
