/// @file
/// SectorArray: tag lookup, LRU replacement.
#include "mem/sector_array.hpp"

#include "core/error.hpp"

namespace joulesim::mem {

SectorArray::SectorArray(uint32_t sets, uint32_t assoc, uint64_t set_divisor)
    : sets_(sets), divisor_(set_divisor), sets_pow2_((sets & (sets - 1)) == 0), assoc_(assoc) {
  if (sets == 0 || assoc == 0 || set_divisor == 0) {
    throw Error("cache geometry: sets, associativity and set divisor must be > 0");
  }
  if ((set_divisor & (set_divisor - 1)) == 0) {
    div_shift_ = 0;
    while ((uint64_t{1} << div_shift_) < set_divisor) ++div_shift_;
  }
  lines_.resize(static_cast<size_t>(sets) * assoc);
  tags_.assign(lines_.size(), kFree);
  lru_.assign(lines_.size(), 0);
}

SectorArray::Line* SectorArray::find(uint64_t line_no, bool touch) {
  const ptrdiff_t i = index_of(line_no, set_base(line_no));
  if (i < 0) return nullptr;
  if (touch) lru_[static_cast<size_t>(i)] = ++clock_;
  return &lines_[static_cast<size_t>(i)];
}

SectorArray::Line* SectorArray::victim_for(uint64_t line_no) {
  const size_t base = set_base(line_no);
  const ptrdiff_t i = index_of(line_no, base);
  if (i >= 0) return &lines_[static_cast<size_t>(i)];
  ptrdiff_t pick = -1;
  for (uint32_t w = 0; w < assoc_; ++w) {
    const size_t k = base + w;
    if (tags_[k] == kFree) return &lines_[k];  // a free way wins
    if (lines_[k].pinned) continue;
    if (pick < 0 || lru_[k] < lru_[static_cast<size_t>(pick)]) pick = static_cast<ptrdiff_t>(k);
  }
  return pick < 0 ? nullptr : &lines_[static_cast<size_t>(pick)];
}

SectorArray::Line* SectorArray::allocate(uint64_t line_no, Victim& victim) {
  return allocate_at(victim_for(line_no), line_no, victim);
}

SectorArray::Line* SectorArray::allocate_at(Line* pick, uint64_t line_no, Victim& victim) {
  victim = Victim{};
  if (pick == nullptr) return nullptr;
  const auto idx = static_cast<size_t>(pick - lines_.data());
  lru_[idx] = ++clock_;
  if (tags_[idx] == line_no) return pick;
  if (tags_[idx] != kFree && pick->valid != 0) victim = Victim{pick->tag, pick->valid, pick->dirty};
  *pick = Line{line_no, 0, 0, false};
  tags_[idx] = line_no;  // the caller sets valid bits or pins it straight away
  return pick;
}

}  // namespace joulesim::mem
