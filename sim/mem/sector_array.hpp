#pragma once
/// @file
/// SectorArray: the tag store of a sectored, set-associative, LRU cache (L1, L2 slice, LLC).
/// Each line holds a tag, a valid and a dirty bit per sector and an LRU stamp. No data is kept:
/// joulesim is timing-only. Storage is allocated once at construction. The tags are also kept in
/// a dense array of their own (free ways hold an impossible tag), so a lookup scans 8 bytes per
/// way instead of a whole line record.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace joulesim::mem {

class SectorArray {
 public:
  /// @p sets x @p assoc lines. The tag is the line number the caller passes; the set index is
  /// (line / @p set_divisor) mod sets, the divisor stripping the bits that chose the slice or
  /// channel holding this array.
  SectorArray(uint32_t sets, uint32_t assoc, uint64_t set_divisor = 1);

  struct Line {
    uint64_t tag = 0;   ///< full line number
    uint8_t valid = 0;  ///< sector valid bits; 0: the way is free
    uint8_t dirty = 0;
    bool pinned = false;  ///< fill outstanding: never chosen as victim
  };
  /// What an allocation pushed out (valid == 0: nothing).
  struct Victim {
    uint64_t line = 0;
    uint8_t valid = 0;
    uint8_t dirty = 0;
  };

  /// The line holding @p line_no, or nullptr. Touches LRU when @p touch.
  Line* find(uint64_t line_no, bool touch);
  /// The way allocate(@p line_no) would replace (nullptr: every way of the set is pinned). The
  /// line itself if present.
  Line* victim_for(uint64_t line_no);
  /// Returns the line for @p line_no, allocating the LRU unpinned way of its set if absent (the
  /// previous occupant is described in @p victim); nullptr if every way is pinned.
  Line* allocate(uint64_t line_no, Victim& victim);
  /// allocate() with the way already chosen by victim_for(@p line_no) (saves a second search).
  Line* allocate_at(Line* way, uint64_t line_no, Victim& victim);
  /// Visits every line with dirty sectors and clears it; pinned lines (fill outstanding) stay.
  /// @p fn(line_no, dirty_mask).
  template <typename Fn>
  void flush(Fn&& fn) {
    for (size_t i = 0; i < lines_.size(); ++i) {
      Line& l = lines_[i];
      if (l.pinned) continue;
      if (l.valid != 0 && l.dirty != 0) fn(l.tag, l.dirty);
      l = Line{};
      tags_[i] = kFree;
      lru_[i] = 0;
    }
  }
  uint32_t sets() const { return sets_; }
  uint32_t assoc() const { return assoc_; }

 private:
  static constexpr uint64_t kFree = ~uint64_t{0};
  size_t set_base(uint64_t line_no) const {
    const uint64_t q = div_shift_ >= 0 ? line_no >> div_shift_ : line_no / divisor_;
    const uint64_t set = sets_pow2_ ? (q & (sets_ - 1)) : q % sets_;
    return static_cast<size_t>(set) * assoc_;
  }
  /// Index of @p line_no's way, or -1.
  ptrdiff_t index_of(uint64_t line_no, size_t base) const {
    for (uint32_t w = 0; w < assoc_; ++w) {
      if (tags_[base + w] == line_no) return static_cast<ptrdiff_t>(base + w);
    }
    return -1;
  }
  uint32_t sets_;
  uint64_t divisor_;
  int div_shift_ = -1;  ///< log2(divisor) when a power of two
  bool sets_pow2_;
  uint32_t assoc_;
  uint64_t clock_ = 0;
  std::vector<uint64_t> tags_;  ///< tag of each way; kFree when neither valid nor pinned
  std::vector<uint64_t> lru_;   ///< last-use stamp of each way (larger: more recent)
  std::vector<Line> lines_;
};

}  // namespace joulesim::mem
