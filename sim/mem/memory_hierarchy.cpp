/// @file
/// MemoryHierarchy, first version: every request is answered after exactly l2.latency core
/// cycles (an idle L2 hit). Replaced by the full NoC/L2/DRAM model.
#include <bit>
#include <deque>
#include <string>

#include "mem/memory.hpp"

namespace joulesim::mem {

struct MemoryHierarchy::Impl {
  Impl(const config::GpuSpec& s, stats::ActivityCounts& c)
      : counts(c),
        latency{period_of_mhz(s.core_mhz()).value * s.l2.latency},
        queues(s.core.sm_count) {}
  struct Pending {
    Picoseconds ready;
    SectorRequest req;
  };
  stats::ActivityCounts& counts;
  Picoseconds latency;
  Picoseconds now{0};
  std::vector<std::deque<Pending>> queues;
};

MemoryHierarchy::MemoryHierarchy(const config::GpuSpec& spec, stats::ActivityCounts& counts)
    : impl_(std::make_unique<Impl>(spec, counts)) {}
MemoryHierarchy::~MemoryHierarchy() = default;

bool MemoryHierarchy::can_accept(uint16_t) const { return true; }

void MemoryHierarchy::send(const SectorRequest& req, Picoseconds now) {
  const auto n = static_cast<uint64_t>(std::popcount(req.sector_mask));
  impl_->counts[req.write ? stats::Counter::kL2WriteHit : stats::Counter::kL2ReadHit] += n;
  impl_->queues.at(req.sm).push_back({now + impl_->latency, req});
}

void MemoryHierarchy::advance_to(Picoseconds now) { impl_->now = now; }

bool MemoryHierarchy::pop_response(uint16_t sm, SectorRequest& out) {
  auto& q = impl_->queues.at(sm);
  if (q.empty() || q.front().ready > impl_->now) return false;
  out = q.front().req;
  q.pop_front();
  return true;
}

Picoseconds MemoryHierarchy::next_event() const {
  Picoseconds t = Picoseconds::max();
  for (const auto& q : impl_->queues) {
    if (!q.empty() && q.front().ready > impl_->now && q.front().ready < t) t = q.front().ready;
  }
  return t;
}

bool MemoryHierarchy::idle() const {
  for (const auto& q : impl_->queues) {
    if (!q.empty()) return false;
  }
  return true;
}

std::string MemoryHierarchy::describe_oldest() const {
  for (const auto& q : impl_->queues) {
    if (!q.empty()) {
      return "memory request sm " + std::to_string(q.front().req.sm) + " line 0x" +
             std::to_string(q.front().req.line_addr);
    }
  }
  return "no memory request in flight";
}

void MemoryHierarchy::invalidate_all() {}

}  // namespace joulesim::mem
