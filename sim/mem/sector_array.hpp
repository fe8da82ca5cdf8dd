#pragma once
/// @file
/// SectorArray: the tag store of a sectored, set-associative, LRU cache (L1, L2 slice, LLC).
/// Each line holds a tag and a valid and a dirty bit per sector. No data is kept: joulesim is
/// timing-only. Storage is allocated once at construction.
/// Recency is an exact LRU list per set (move to front on use; the victim is the least recently
/// used way that is not pinned, free ways sitting at the LRU end), and lookups are O(1) whatever
/// the associativity: a linear scan of a dense tag array for small sets, a hash index for large
/// ones (a fully associative 256-way L1 is common in GPU configs).
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
    uint8_t valid = 0;  ///< sector valid bits
    uint8_t dirty = 0;
    bool pinned = false;  ///< fill outstanding: never chosen as victim
  };
  /// What an allocation pushed out (valid == 0: nothing).
  struct Victim {
    uint64_t line = 0;
    uint8_t valid = 0;
    uint8_t dirty = 0;
  };

  /// The line holding @p line_no, or nullptr. Makes it most recently used when @p touch.
  Line* find(uint64_t line_no, bool touch);
  /// The way allocate(@p line_no) would replace (nullptr: every way of the set is pinned). The
  /// line itself if present.
  Line* victim_for(uint64_t line_no);
  /// Returns the line for @p line_no, allocating the LRU unpinned way of its set if absent (the
  /// previous occupant is described in @p victim); nullptr if every way is pinned. The caller
  /// sets valid bits or pins a newly allocated line straight away.
  Line* allocate(uint64_t line_no, Victim& victim);
  /// allocate() with the way already chosen by victim_for(@p line_no) (saves a second search).
  Line* allocate_at(Line* way, uint64_t line_no, Victim& victim);
  /// Visits every line with dirty sectors and clears it; pinned lines (fill outstanding) stay.
  /// @p fn(line_no, dirty_mask).
  template <typename Fn>
  void flush(Fn&& fn) {
    for (size_t i = 0; i < lines_.size(); ++i) {
      if (tags_[i] == kFree || lines_[i].pinned) continue;
      if (lines_[i].dirty != 0) fn(lines_[i].tag, lines_[i].dirty);
      release(i);
    }
  }
  uint32_t sets() const { return sets_; }
  uint32_t assoc() const { return assoc_; }

 private:
  static constexpr uint64_t kFree = ~uint64_t{0};
  static constexpr uint32_t kNone = ~uint32_t{0};
  static constexpr uint32_t kHashAbove = 32;  ///< sets wider than this use the hash index

  size_t set_of(uint64_t line_no) const {
    const uint64_t q = div_shift_ >= 0 ? line_no >> div_shift_ : line_no / divisor_;
    return static_cast<size_t>(sets_pow2_ ? (q & (sets_ - 1)) : q % sets_);
  }
  /// Way index of @p line_no, or kNone.
  uint32_t index_of(uint64_t line_no, size_t set) const;
  void touch(uint32_t way, size_t set);       ///< make most recently used
  void to_lru_end(uint32_t way, size_t set);  ///< make least recently used
  void unlink(uint32_t way, size_t set);
  void release(size_t way);  ///< the way becomes free (least recently used)
  void hash_insert(uint64_t line_no, uint32_t way);
  void hash_erase(uint64_t line_no);
  size_t hash_home(uint64_t line_no) const {
    return static_cast<size_t>((line_no * 0x9E3779B97F4A7C15ull) >> 32) & hash_mask_;
  }
  /// 16-bit fingerprint of a line number, never 0 (0 marks an empty slot).
  static uint16_t fingerprint(uint64_t line_no) {
    return static_cast<uint16_t>((line_no * 0xD6E8FEB86659FD93ull) >> 48) | 1u;
  }
  /// Slot of @p line_no in the hash index (it must be there).
  size_t hash_slot(uint64_t line_no) const;

  uint32_t sets_;
  uint64_t divisor_;
  int div_shift_ = -1;  ///< log2(divisor) when a power of two
  bool sets_pow2_;
  uint32_t assoc_;
  std::vector<uint64_t> tags_;  ///< tag of each way; kFree when the way holds nothing
  std::vector<Line> lines_;
  std::vector<uint32_t> prev_, next_;  ///< LRU list links (towards MRU / towards LRU)
  std::vector<uint32_t> mru_, lru_;    ///< per set: list ends
  /// Small sets (scanned): the fingerprint of each way's tag (0: free), a quarter of the bytes of
  /// the tags, so a lookup that misses reads one host cache line per set instead of several.
  std::vector<uint16_t> way_fps_;
  /// Large sets: open addressing on 16-bit fingerprints (0 = empty slot) confirmed against
  /// tags_; the fingerprints are a quarter of the size of full tags, so a streaming miss (the
  /// common lookup) touches less host memory.
  std::vector<uint16_t> hash_fps_;
  std::vector<uint32_t> hash_ways_;
  size_t hash_mask_ = 0;
};

}  // namespace joulesim::mem
