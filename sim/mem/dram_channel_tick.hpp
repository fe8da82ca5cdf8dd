#pragma once
/// @file
/// DramChannel::tick: the per-command-clock scheduler (a template so the completion callback
/// inlines; included by dram_channel.hpp). Work per tick is per bank, not per queued request: each
/// bank keeps its queue in arrival order and tracks its row hits incrementally.
#include <algorithm>
#include <limits>

namespace joulesim::mem {

template <typename Fn>
DramChannel::TickResult DramChannel::tick(int64_t c, Fn&& done) {
  TickResult res;
  refresh_until(c);
  if (!has_queued()) return res;

  Pick col, row;
  const bool writes = serve_writes();
  if (scan_c_ == c && scan_writes_ == writes) {
    col = scan_col_;
    row = scan_row_;
  } else {
    scan(c, writes, col, row);
  }
  scan_c_ = -1;
  if (col.slot >= 0) {
    DramEntry& e = entries_[static_cast<size_t>(col.slot)];
    const int64_t end_ps = issue_col(e, c);
    if (e.atoms == 0) {
      done(static_cast<const DramEntry&>(e), end_ps);
      retire(col.slot);
      res.freed = true;
    }
  }
  // A row candidate's bank has no queued hit, so it is never the bank just read or written.
  if (row.slot >= 0) {
    const DramEntry& e = entries_[static_cast<size_t>(row.slot)];
    if (row.cmd == Cmd::kAct) {
      issue_act(e.bank, e.row, c);
    } else {
      issue_pre(e.bank, c);
    }
  }
  if (!has_queued()) return res;
  // Sleep until the first cycle at which some command may issue (or refresh falls due).
  Pick col2, row2;
  const bool writes2 = serve_writes();
  const int64_t wake = scan(c + 1, writes2, col2, row2);
  scan_c_ = c + 1;
  scan_writes_ = writes2;
  scan_col_ = col2;
  scan_row_ = row2;
  if (col2.slot >= 0 || row2.slot >= 0 || wake == std::numeric_limits<int64_t>::max()) {
    res.next_cycle = c + 1;
  } else {
    res.next_cycle = std::min(wake, next_ref_);
  }
  return res;
}

}  // namespace joulesim::mem
