#pragma once
/// @file
/// SectorArray: the tag store of a sectored, set-associative, LRU cache (L1, L2 slice, LLC).
/// Each line holds a tag, a valid and a dirty bit per sector and an LRU stamp. No data is kept:
/// joulesim is timing-only. Storage is allocated once at construction.
#include <cstdint>
#include <vector>

namespace joulesim::mem {

class SectorArray {
 public:
  /// @p lines total lines (sets x assoc); @p sets >= 1. Index and tag are taken from the line
  /// number the caller passes (already divided by line size and stripped of slice bits).
  SectorArray(uint32_t sets, uint32_t assoc);

  struct Line {
    uint64_t tag = 0;   ///< full line number
    uint64_t lru = 0;   ///< larger: more recently used
    uint8_t valid = 0;  ///< sector valid bits; 0: the way is free
    uint8_t dirty = 0;
  };
  /// What an allocation pushed out (valid == 0: nothing).
  struct Victim {
    uint64_t line = 0;
    uint8_t valid = 0;
    uint8_t dirty = 0;
  };

  /// The line holding @p line_no, or nullptr. Touches LRU when @p touch.
  Line* find(uint64_t line_no, bool touch);
  /// Returns the line for @p line_no, allocating the LRU way of its set if absent; the previous
  /// occupant is described in @p victim.
  Line& allocate(uint64_t line_no, Victim& victim);
  /// Visits every line with dirty sectors, clears everything. @p fn(line_no, dirty_mask).
  template <typename Fn>
  void flush(Fn&& fn) {
    for (Line& l : lines_) {
      if (l.valid != 0 && l.dirty != 0) fn(l.tag, l.dirty);
      l = Line{};
    }
  }
  uint32_t sets() const { return sets_; }
  uint32_t assoc() const { return assoc_; }

 private:
  uint32_t set_of(uint64_t line_no) const { return static_cast<uint32_t>(line_no % sets_); }
  uint32_t sets_;
  uint32_t assoc_;
  uint64_t clock_ = 0;
  std::vector<Line> lines_;
};

}  // namespace joulesim::mem
