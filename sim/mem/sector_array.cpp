/// @file
/// SectorArray: tag lookup, LRU replacement.
#include "mem/sector_array.hpp"

#include "core/error.hpp"

namespace joulesim::mem {

SectorArray::SectorArray(uint32_t sets, uint32_t assoc, uint64_t set_divisor)
    : sets_(sets), divisor_(set_divisor), assoc_(assoc) {
  if (sets == 0 || assoc == 0 || set_divisor == 0) {
    throw Error("cache geometry: sets, associativity and set divisor must be > 0");
  }
  lines_.resize(static_cast<size_t>(sets) * assoc);
}

SectorArray::Line* SectorArray::find(uint64_t line_no, bool touch) {
  Line* set = &lines_[static_cast<size_t>(set_of(line_no)) * assoc_];
  for (uint32_t w = 0; w < assoc_; ++w) {
    if ((set[w].valid != 0 || set[w].pinned) && set[w].tag == line_no) {
      if (touch) set[w].lru = ++clock_;
      return &set[w];
    }
  }
  return nullptr;
}

SectorArray::Line* SectorArray::victim_for(uint64_t line_no) {
  Line* set = &lines_[static_cast<size_t>(set_of(line_no)) * assoc_];
  Line* pick = nullptr;
  for (uint32_t w = 0; w < assoc_; ++w) {
    Line& l = set[w];
    if ((l.valid != 0 || l.pinned) && l.tag == line_no) return &l;
    if (l.pinned) continue;
    // A free way wins; otherwise the least recently used one.
    if (pick == nullptr || (pick->valid != 0 && (l.valid == 0 || l.lru < pick->lru))) pick = &l;
  }
  return pick;
}

SectorArray::Line* SectorArray::allocate(uint64_t line_no, Victim& victim) {
  victim = Victim{};
  Line* pick = victim_for(line_no);
  if (pick == nullptr) return nullptr;
  if ((pick->valid != 0 || pick->pinned) && pick->tag == line_no) {
    pick->lru = ++clock_;
    return pick;
  }
  if (pick->valid != 0) victim = Victim{pick->tag, pick->valid, pick->dirty};
  *pick = Line{line_no, ++clock_, 0, 0, false};
  return pick;
}

}  // namespace joulesim::mem
