#include "stats/activity.hpp"

#include <numeric>

namespace joulesim::stats {

namespace {
constexpr std::array<std::string_view, kNumCounters> kCounterNames = {
    "core.cycles",   "sm.active_cycles", "sm.idle_cycles", "sm.warp_insts",      "rf.read",
    "rf.write",      "rf.bank_conflict", "l1.read_hit",    "l1.read_miss",       "l1.write",
    "l1.mshr_merge", "smem.read",        "smem.write",     "smem.bank_conflict", "const.access",
    "l2.read_hit",   "l2.read_miss",     "l2.write_hit",   "l2.write_miss",      "llc.hit",
    "llc.miss",      "noc.flit",         "dram.act",       "dram.pre",           "dram.rd_burst",
    "dram.wr_burst", "dram.ref",         "dram.cycles",    "tmem.read",          "tmem.write",
};

template <typename Array, typename Op>
void combine(Array& a, const Array& b, Op op) {
  for (size_t i = 0; i < a.size(); ++i) a[i] = op(a[i], b[i]);
}

template <typename Op>
void combine_all(ActivityCounts& a, const ActivityCounts& b, Op op) {
  combine(a.counters, b.counters, op);
  combine(a.warp_insts, b.warp_insts, op);
  combine(a.thread_insts, b.thread_insts, op);
  combine(a.tensor_flops, b.tensor_flops, op);
  combine(a.tensor_sparse_flops, b.tensor_sparse_flops, op);
}
}  // namespace

std::string_view counter_name(Counter c) { return kCounterNames[static_cast<size_t>(c)]; }

ActivityCounts& ActivityCounts::operator+=(const ActivityCounts& o) {
  combine_all(*this, o, [](uint64_t x, uint64_t y) { return x + y; });
  return *this;
}

ActivityCounts& ActivityCounts::operator-=(const ActivityCounts& o) {
  combine_all(*this, o, [](uint64_t x, uint64_t y) { return x - y; });
  return *this;
}

uint64_t ActivityCounts::total_warp_insts() const {
  return std::accumulate(warp_insts.begin(), warp_insts.end(), uint64_t{0});
}

}  // namespace joulesim::stats
