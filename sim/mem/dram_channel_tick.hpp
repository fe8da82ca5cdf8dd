#pragma once
/// @file
/// DramChannel::tick: the per-command-clock scheduler (a template so the completion callback
/// inlines; included by dram_channel.hpp).
#include <algorithm>
#include <limits>

namespace joulesim::mem {

template <typename Fn>
DramChannel::TickResult DramChannel::tick(int64_t c, Fn&& done) {
  TickResult res;
  refresh_until(c);
  if (!has_queued()) return res;

  const bool writes = serve_writes();
  std::vector<uint16_t>& q = writes ? writes_ : reads_;
  const size_t window = fcfs_ ? std::min<size_t>(1, q.size()) : q.size();

  // Which banks have a queued hit to their open row (such banks are not precharged).
  std::fill(hit_pending_.begin(), hit_pending_.end(), 0);
  for (size_t i = 0; i < window; ++i) {
    const DramEntry& e = entries_[q[i]];
    const Bank& b = banks_[e.bank];
    if (b.open && b.row == e.row) hit_pending_[e.bank] = 1;
  }

  int64_t wake = std::numeric_limits<int64_t>::max();
  bool issued = false;
  // Column bus: oldest row hit that may issue now.
  for (size_t i = 0; i < window; ++i) {
    DramEntry& e = entries_[q[i]];
    const Bank& b = banks_[e.bank];
    if (!(b.open && b.row == e.row)) continue;
    const int64_t ready = col_ready(e);
    if (ready > c) {
      wake = std::min(wake, ready);
      continue;
    }
    const int64_t end_ps = issue_col(e, c);
    issued = true;
    if (e.atoms == 0) {
      done(e, end_ps);
      const uint16_t slot = q[i];
      remove_from(q, i);
      entries_[slot].in_use = false;
      if (e.write) {
        free_writes_.push_back(slot);
        --used_writes_;
      } else {
        free_reads_.push_back(slot);
        --used_reads_;
      }
      res.freed = true;
    }
    break;
  }
  // Row bus: the oldest request whose ACT or PRE may issue now.
  for (size_t i = 0; i < window && i < q.size(); ++i) {
    const DramEntry& e = entries_[q[i]];
    Bank& b = banks_[e.bank];
    if (b.open && b.row == e.row) continue;
    if (b.open) {
      if (hit_pending_[e.bank] != 0) continue;
      if (b.pre_ok > c) {
        wake = std::min(wake, b.pre_ok);
        continue;
      }
      issue_pre(b, c);
      issued = true;
      break;
    }
    const int64_t ready = act_ready(b);
    if (ready > c) {
      wake = std::min(wake, ready);
      continue;
    }
    issue_act(b, e.row, c);
    issued = true;
    break;
  }
  if (!has_queued()) {
    res.next_cycle = -1;
  } else if (issued || wake == std::numeric_limits<int64_t>::max()) {
    res.next_cycle = c + 1;
  } else {
    res.next_cycle = std::min(wake, next_ref_);
  }
  return res;
}

}  // namespace joulesim::mem
