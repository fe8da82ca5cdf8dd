/// @file
/// SectorArray: tag lookup (scan or hash), exact LRU lists, replacement.
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
  const size_t n = size_t{sets} * assoc;
  tags_.assign(n, kFree);
  lines_.resize(n);
  prev_.resize(n);
  next_.resize(n);
  mru_.resize(sets);
  lru_.resize(sets);
  for (size_t s = 0; s < sets; ++s) {
    const auto base = static_cast<uint32_t>(s * assoc);
    for (uint32_t w = 0; w < assoc; ++w) {
      prev_[base + w] = w == 0 ? kNone : base + w - 1;
      next_[base + w] = w + 1 == assoc ? kNone : base + w + 1;
    }
    mru_[s] = base;
    lru_[s] = base + assoc - 1;
  }
  if (assoc <= kHashAbove) way_fps_.assign(n, 0);
  if (assoc > kHashAbove) {
    size_t cap = 1;
    while (cap < 2 * n) cap <<= 1;
    hash_mask_ = cap - 1;
    hash_fps_.assign(cap, 0);
    hash_ways_.assign(cap, kNone);
  }
}

uint32_t SectorArray::index_of(uint64_t line_no, size_t set) const {
  const uint16_t fp = fingerprint(line_no);
  if (hash_fps_.empty()) {
    const size_t base = set * assoc_;
    for (uint32_t w = 0; w < assoc_; ++w) {
      if (way_fps_[base + w] == fp && tags_[base + w] == line_no) {
        return static_cast<uint32_t>(base + w);
      }
    }
    return kNone;
  }
  for (size_t h = hash_home(line_no); hash_fps_[h] != 0; h = (h + 1) & hash_mask_) {
    if (hash_fps_[h] == fp && tags_[hash_ways_[h]] == line_no) return hash_ways_[h];
  }
  return kNone;
}

size_t SectorArray::hash_slot(uint64_t line_no) const {
  const uint16_t fp = fingerprint(line_no);
  size_t h = hash_home(line_no);
  while (hash_fps_[h] != fp || tags_[hash_ways_[h]] != line_no) h = (h + 1) & hash_mask_;
  return h;
}

void SectorArray::hash_insert(uint64_t line_no, uint32_t way) {
  size_t h = hash_home(line_no);
  while (hash_fps_[h] != 0) h = (h + 1) & hash_mask_;
  hash_fps_[h] = fingerprint(line_no);
  hash_ways_[h] = way;
}

void SectorArray::hash_erase(uint64_t line_no) {
  size_t hole = hash_slot(line_no);
  hash_fps_[hole] = 0;
  // Backward-shift deletion: keep every probe chain unbroken (the entries' tags give their homes).
  for (size_t s = (hole + 1) & hash_mask_; hash_fps_[s] != 0; s = (s + 1) & hash_mask_) {
    const size_t home = hash_home(tags_[hash_ways_[s]]);
    const bool stays = hole < s ? (home > hole && home <= s) : (home > hole || home <= s);
    if (!stays) {
      hash_fps_[hole] = hash_fps_[s];
      hash_ways_[hole] = hash_ways_[s];
      hash_fps_[s] = 0;
      hole = s;
    }
  }
}

void SectorArray::unlink(uint32_t way, size_t set) {
  const uint32_t p = prev_[way], n = next_[way];
  (p != kNone ? next_[p] : mru_[set]) = n;
  (n != kNone ? prev_[n] : lru_[set]) = p;
}

void SectorArray::touch(uint32_t way, size_t set) {
  if (mru_[set] == way) return;
  unlink(way, set);
  prev_[way] = kNone;
  next_[way] = mru_[set];
  prev_[mru_[set]] = way;  // the set has at least one other way
  mru_[set] = way;
}

void SectorArray::to_lru_end(uint32_t way, size_t set) {
  if (lru_[set] == way) return;
  unlink(way, set);
  next_[way] = kNone;
  prev_[way] = lru_[set];
  next_[lru_[set]] = way;
  lru_[set] = way;
}

void SectorArray::release(size_t way) {
  if (!hash_fps_.empty()) hash_erase(tags_[way]);
  tags_[way] = kFree;
  if (!way_fps_.empty()) way_fps_[way] = 0;
  lines_[way] = Line{};
  to_lru_end(static_cast<uint32_t>(way), way / assoc_);
}

SectorArray::Line* SectorArray::find(uint64_t line_no, bool touch_it) {
  const size_t set = set_of(line_no);
  const uint32_t i = index_of(line_no, set);
  if (i == kNone) return nullptr;
  if (touch_it) touch(i, set);
  return &lines_[i];
}

SectorArray::Line* SectorArray::victim_for(uint64_t line_no) {
  const size_t set = set_of(line_no);
  const uint32_t i = index_of(line_no, set);
  if (i != kNone) return &lines_[i];
  // From the LRU end (free ways first): the first way without a fill outstanding.
  for (uint32_t w = lru_[set]; w != kNone; w = prev_[w]) {
    if (!lines_[w].pinned) return &lines_[w];
  }
  return nullptr;
}

SectorArray::Line* SectorArray::allocate(uint64_t line_no, Victim& victim) {
  return allocate_at(victim_for(line_no), line_no, victim);
}

SectorArray::Line* SectorArray::allocate_at(Line* pick, uint64_t line_no, Victim& victim) {
  victim = Victim{};
  if (pick == nullptr) return nullptr;
  const auto idx = static_cast<uint32_t>(pick - lines_.data());
  touch(idx, idx / assoc_);
  if (tags_[idx] == line_no) return pick;
  if (tags_[idx] != kFree) {
    if (pick->valid != 0) victim = Victim{pick->tag, pick->valid, pick->dirty};
    if (!hash_fps_.empty()) hash_erase(tags_[idx]);
  }
  *pick = Line{line_no, 0, 0, false};
  tags_[idx] = line_no;
  if (!way_fps_.empty()) way_fps_[idx] = fingerprint(line_no);
  if (!hash_fps_.empty()) hash_insert(line_no, idx);
  return pick;
}

}  // namespace joulesim::mem
