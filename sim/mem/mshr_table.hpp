#pragma once
/// @file
/// MshrTable: miss status holding registers keyed by line number. Each entry records the sectors
/// being fetched for a line and the list of waiters (an opaque 32-bit token plus the sectors the
/// waiter still needs). Open addressing over a fixed power-of-two table and a fixed waiter pool:
/// no allocation after construction.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace joulesim::mem {

class MshrTable {
 public:
  /// @p max_lines entries at most; @p max_waiters waiters in total.
  MshrTable(uint32_t max_lines, uint32_t max_waiters);

  /// Sectors of @p line already being fetched (0 if no entry).
  uint8_t pending(uint64_t line) const;
  bool has_entry(uint64_t line) const { return find_slot(line) >= 0; }
  bool lines_full() const { return used_lines_ >= max_lines_; }
  bool waiters_full() const { return free_waiter_ < 0; }
  uint32_t used_lines() const { return used_lines_; }

  /// Adds @p fetching to the pending sectors of @p line (creating the entry) and, if @p need is
  /// non-zero, a waiter @p token needing those sectors. Caller checked capacity.
  void add(uint64_t line, uint8_t fetching, uint32_t token, uint8_t need);
  /// Sectors @p filled of @p line arrived: calls @p done(token) for every waiter now complete,
  /// removes the entry once nothing is pending. Returns false if there was no entry.
  template <typename Fn>
  bool fill(uint64_t line, uint8_t filled, Fn&& done) {
    const int slot = find_slot(line);
    if (slot < 0) return false;
    Entry& e = table_[static_cast<size_t>(slot)];
    e.pending = static_cast<uint8_t>(e.pending & ~filled);
    int32_t* link = &e.head;
    while (*link >= 0) {
      Waiter& w = waiters_[static_cast<size_t>(*link)];
      w.need = static_cast<uint8_t>(w.need & ~filled);
      if (w.need == 0) {
        const int32_t idx = *link;
        *link = w.next;
        done(w.token);
        w.next = free_waiter_;
        free_waiter_ = idx;
      } else {
        link = &w.next;
      }
    }
    e.tail = -1;
    for (int32_t i = e.head; i >= 0; i = waiters_[static_cast<size_t>(i)].next) e.tail = i;
    if (e.pending == 0) {
      // Waiters left with unmet needs (sectors that were never requested) complete now.
      for (int32_t i = e.head; i >= 0;) {
        Waiter& w = waiters_[static_cast<size_t>(i)];
        const int32_t next = w.next;
        done(w.token);
        w.next = free_waiter_;
        free_waiter_ = i;
        i = next;
      }
      erase_slot(slot);
    }
    return true;
  }
  /// Oldest-looking entry for diagnostics: any live line (0 if none).
  uint64_t any_line() const;
  void clear();

 private:
  struct Entry {
    uint64_t line = 0;
    uint8_t pending = 0;
    bool used = false;
    int32_t head = -1;
    int32_t tail = -1;
  };
  struct Waiter {
    uint32_t token = 0;
    uint8_t need = 0;
    int32_t next = -1;
  };
  int find_slot(uint64_t line) const;
  void erase_slot(int slot);
  size_t home(uint64_t line) const {
    return static_cast<size_t>((line * 0x9E3779B97F4A7C15ull) >> 32) & mask_;
  }

  uint32_t max_lines_;
  uint32_t used_lines_ = 0;
  size_t mask_;
  std::vector<Entry> table_;
  std::vector<Waiter> waiters_;
  int32_t free_waiter_ = -1;
};

}  // namespace joulesim::mem
