/// @file
/// L1Cache: sectored, set-associative LRU data cache of one SM with sector-counted MSHRs.
/// Lines are allocated when their data arrives (allocate-on-fill), so a miss never fails for want
/// of a victim. Write policy from l1.write_policy:
///  - write_through: writes never allocate; a write hit leaves the sectors valid (updated in
///    place), every write is forwarded below and completes with its acknowledgement;
///  - write_back: writes allocate the line and mark the written sectors valid and dirty (sector
///    granular write-validate, no fetch); dirty sectors are written back when the line is evicted.
#include <bit>
#include <string>

#include "core/error.hpp"
#include "mem/memory.hpp"
#include "mem/mshr_table.hpp"
#include "mem/sector_array.hpp"

namespace joulesim::mem {

namespace {
uint32_t l1_sets(const config::L1Spec& s) {
  const uint64_t bytes = uint64_t{s.size_kb} * 1024;
  const uint64_t per_set = uint64_t{s.line_bytes} * s.assoc;
  if (s.line_bytes == 0 || s.assoc == 0 || s.sector_bytes == 0 || bytes % per_set != 0 ||
      s.line_bytes % s.sector_bytes != 0 || s.line_bytes / s.sector_bytes > 8) {
    throw ConfigError("l1: size_kb " + std::to_string(s.size_kb) + " must be a whole number of " +
                      "sets of assoc x line_bytes, with 1..8 sectors per line");
  }
  return static_cast<uint32_t>(bytes / per_set);
}
}  // namespace

struct L1Cache::Impl {
  Impl(const config::L1Spec& s, uint16_t sm_id, stats::ActivityCounts& c)
      : spec(s),
        sm(sm_id),
        counts(c),
        write_back(s.write_policy == "write_back"),
        tags(l1_sets(s), s.assoc),
        mshrs(s.mshrs, s.mshrs * 2 < 64 ? 64 : s.mshrs * 2) {
    if (!write_back && s.write_policy != "write_through") {
      throw ConfigError("l1.write_policy: '" + s.write_policy +
                        "' is not one of write_through, write_back");
    }
    downstream.reserve(256);
  }

  uint64_t line_no(uint64_t addr) const { return addr / spec.line_bytes; }

  void push_down(uint64_t line_addr, uint8_t mask, bool write, uint32_t id) {
    SectorRequest r;
    r.line_addr = line_addr;
    r.sector_mask = mask;
    r.write = write;
    r.sm = sm;
    r.id = id;
    downstream.push_back(r);
  }

  /// Installs @p mask of @p line_no; a dirty victim is written back.
  SectorArray::Line& install(uint64_t line, uint8_t mask) {
    SectorArray::Victim v;
    SectorArray::Line& l = tags.allocate(line, v);
    if (v.valid != 0 && v.dirty != 0)
      push_down(v.line * spec.line_bytes, v.dirty, true, kWritebackId);
    l.valid |= mask;
    return l;
  }

  Outcome write(const SectorRequest& req) {
    const auto n = static_cast<uint64_t>(std::popcount(req.sector_mask));
    counts[stats::Counter::kL1Write] += n;
    if (write_back) {
      SectorArray::Line& l = install(line_no(req.line_addr), req.sector_mask);
      l.dirty |= req.sector_mask;
      return Outcome::kHit;
    }
    tags.find(line_no(req.line_addr), true);  // a hit refreshes LRU; no allocation
    push_down(req.line_addr, req.sector_mask, true, req.id);
    return Outcome::kMiss;
  }

  Outcome read(const SectorRequest& req) {
    const uint64_t line = line_no(req.line_addr);
    SectorArray::Line* l = tags.find(line, true);
    const uint8_t present = l != nullptr ? static_cast<uint8_t>(l->valid & req.sector_mask) : 0;
    const auto missing = static_cast<uint8_t>(req.sector_mask & ~present);
    if (missing == 0) {
      counts[stats::Counter::kL1ReadHit] += static_cast<uint64_t>(std::popcount(present));
      return Outcome::kHit;
    }
    const uint8_t outstanding = mshrs.pending(line);
    const auto fetch = static_cast<uint8_t>(missing & ~outstanding);
    const auto merged = static_cast<uint8_t>(missing & outstanding);
    const auto fetch_n = static_cast<uint32_t>(std::popcount(fetch));
    if (outstanding_sectors + fetch_n > spec.mshrs || mshrs.waiters_full() ||
        (outstanding == 0 && mshrs.lines_full())) {
      return Outcome::kStall;
    }
    counts[stats::Counter::kL1ReadHit] += static_cast<uint64_t>(std::popcount(present));
    counts[stats::Counter::kL1ReadMiss] += fetch_n;
    counts[stats::Counter::kL1MshrMerge] += static_cast<uint64_t>(std::popcount(merged));
    mshrs.add(line, fetch, req.id, missing);
    if (fetch == 0) return Outcome::kMerged;
    outstanding_sectors += fetch_n;
    push_down(req.line_addr, fetch, false, req.id);
    return Outcome::kMiss;
  }

  void fill(const SectorRequest& resp, std::vector<uint32_t>& completed) {
    if (resp.write) {
      if (resp.id != kWritebackId) completed.push_back(resp.id);
      return;
    }
    const uint64_t line = line_no(resp.line_addr);
    const uint8_t was_pending = mshrs.pending(line);
    install(line, resp.sector_mask);
    outstanding_sectors -=
        static_cast<uint32_t>(std::popcount(static_cast<uint8_t>(was_pending & resp.sector_mask)));
    mshrs.fill(line, resp.sector_mask, [&](uint32_t id) { completed.push_back(id); });
  }

  config::L1Spec spec;
  uint16_t sm;
  stats::ActivityCounts& counts;
  bool write_back;
  SectorArray tags;
  MshrTable mshrs;
  uint32_t outstanding_sectors = 0;
  std::vector<SectorRequest> downstream;
};

L1Cache::L1Cache(const config::L1Spec& spec, uint16_t sm, stats::ActivityCounts& counts)
    : impl_(std::make_unique<Impl>(spec, sm, counts)) {}
L1Cache::~L1Cache() = default;

L1Cache::Outcome L1Cache::access(const SectorRequest& req, Cycles /*now*/) {
  return req.write ? impl_->write(req) : impl_->read(req);
}

void L1Cache::take_downstream(std::vector<SectorRequest>& out) {
  out.insert(out.end(), impl_->downstream.begin(), impl_->downstream.end());
  impl_->downstream.clear();
}

void L1Cache::fill(const SectorRequest& response, std::vector<uint32_t>& completed) {
  impl_->fill(response, completed);
}

uint32_t L1Cache::outstanding_mshrs() const { return impl_->outstanding_sectors; }

void L1Cache::invalidate_all() {
  // Dirty data is written back so a write_back L1 loses nothing at a kernel boundary.
  Impl& m = *impl_;
  m.tags.flush([&](uint64_t line, uint8_t dirty) {
    m.push_down(line * m.spec.line_bytes, dirty, true, kWritebackId);
  });
}

}  // namespace joulesim::mem
