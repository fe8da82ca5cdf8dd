/// @file
/// MshrTable: open-addressing hash of line -> pending sectors + waiter list.
#include "mem/mshr_table.hpp"

#include "core/error.hpp"

namespace joulesim::mem {

MshrTable::MshrTable(uint32_t max_lines, uint32_t max_waiters) : max_lines_(max_lines) {
  if (max_lines == 0 || max_waiters == 0) throw Error("MSHR table: capacity must be > 0");
  size_t cap = 1;
  while (cap < 2ull * max_lines) cap <<= 1;
  mask_ = cap - 1;
  table_.resize(cap);
  waiters_.resize(max_waiters);
  clear();
}

void MshrTable::clear() {
  for (Entry& e : table_) e = Entry{};
  used_lines_ = 0;
  for (size_t i = 0; i < waiters_.size(); ++i) {
    waiters_[i].next = i + 1 < waiters_.size() ? static_cast<int32_t>(i + 1) : -1;
  }
  free_waiter_ = 0;
}

int MshrTable::find_slot(uint64_t line) const {
  for (size_t s = home(line);; s = (s + 1) & mask_) {
    const Entry& e = table_[s];
    if (!e.used) return -1;
    if (e.line == line) return static_cast<int>(s);
  }
}

uint8_t MshrTable::pending(uint64_t line) const {
  const int s = find_slot(line);
  return s < 0 ? 0 : table_[static_cast<size_t>(s)].pending;
}

void MshrTable::add(uint64_t line, uint8_t fetching, uint32_t token, uint8_t need) {
  int slot = find_slot(line);
  if (slot < 0) {
    size_t s = home(line);
    while (table_[s].used) s = (s + 1) & mask_;
    table_[s] = Entry{line, 0, true, -1, -1};
    ++used_lines_;
    slot = static_cast<int>(s);
  }
  Entry& e = table_[static_cast<size_t>(slot)];
  e.pending |= fetching;
  if (need == 0) return;
  const int32_t w = free_waiter_;
  free_waiter_ = waiters_[static_cast<size_t>(w)].next;
  waiters_[static_cast<size_t>(w)] = Waiter{token, need, -1};
  if (e.tail >= 0) {
    waiters_[static_cast<size_t>(e.tail)].next = w;
  } else {
    e.head = w;
  }
  e.tail = w;
}

void MshrTable::erase_slot(int slot) {
  // Backward-shift deletion keeps every probe chain intact without tombstones.
  size_t hole = static_cast<size_t>(slot);
  table_[hole] = Entry{};
  --used_lines_;
  for (size_t s = (hole + 1) & mask_; table_[s].used; s = (s + 1) & mask_) {
    const size_t h = home(table_[s].line);
    // Move s into the hole if its home is not cyclically in (hole, s].
    const bool in_range = hole < s ? (h > hole && h <= s) : (h > hole || h <= s);
    if (!in_range) {
      table_[hole] = table_[s];
      table_[s] = Entry{};
      hole = s;
    }
  }
}

uint64_t MshrTable::any_line() const {
  for (const Entry& e : table_) {
    if (e.used) return e.line;
  }
  return 0;
}

}  // namespace joulesim::mem
