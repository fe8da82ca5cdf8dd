/// @file
/// SectorArray: tag lookup, LRU replacement.
#include "mem/sector_array.hpp"

#include "core/error.hpp"

namespace joulesim::mem {

SectorArray::SectorArray(uint32_t sets, uint32_t assoc) : sets_(sets), assoc_(assoc) {
  if (sets == 0 || assoc == 0) throw Error("cache geometry: sets and associativity must be > 0");
  lines_.resize(static_cast<size_t>(sets) * assoc);
}

SectorArray::Line* SectorArray::find(uint64_t line_no, bool touch) {
  Line* set = &lines_[static_cast<size_t>(set_of(line_no)) * assoc_];
  for (uint32_t w = 0; w < assoc_; ++w) {
    if (set[w].valid != 0 && set[w].tag == line_no) {
      if (touch) set[w].lru = ++clock_;
      return &set[w];
    }
  }
  return nullptr;
}

SectorArray::Line& SectorArray::allocate(uint64_t line_no, Victim& victim) {
  victim = Victim{};
  Line* set = &lines_[static_cast<size_t>(set_of(line_no)) * assoc_];
  Line* pick = nullptr;
  for (uint32_t w = 0; w < assoc_; ++w) {
    Line& l = set[w];
    if (l.valid != 0 && l.tag == line_no) {
      l.lru = ++clock_;
      return l;
    }
    // A free way wins; otherwise the least recently used one.
    if (pick == nullptr || (pick->valid != 0 && (l.valid == 0 || l.lru < pick->lru))) pick = &l;
  }
  if (pick->valid != 0) victim = Victim{pick->tag, pick->valid, pick->dirty};
  *pick = Line{line_no, ++clock_, 0, 0};
  return *pick;
}

}  // namespace joulesim::mem
