/// @file
/// DramChannel: queues, bank state, command timing and refresh (scheduler loop in
/// dram_channel_tick.hpp; the rules are in dram_channel.hpp).
#include "mem/dram_channel.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <limits>
#include <string>

#include "core/error.hpp"

namespace joulesim::mem {

namespace {
int64_t ceil_div(int64_t a, int64_t b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); }
}  // namespace

DramChannel::DramChannel(const config::DramSpec& spec, int64_t tck_ps, uint32_t index,
                         uint32_t l2_line_bytes, uint32_t sector_bytes,
                         stats::ActivityCounts& counts)
    : spec_(spec), t_(spec_.timing), tck_(tck_ps), counts_(counts) {
  if (spec.queue_depth == 0 || spec.queue_depth > 4096) {
    throw ConfigError("dram.queue_depth: must be 1..4096 (got " + std::to_string(spec.queue_depth) +
                      ")");
  }
  if (spec.atom_bytes == 0 || l2_line_bytes % spec.atom_bytes != 0 ||
      l2_line_bytes / spec.atom_bytes > 16 ||
      (spec.atom_bytes % sector_bytes != 0 && sector_bytes % spec.atom_bytes != 0)) {
    throw ConfigError("dram.atom_bytes (" + std::to_string(spec.atom_bytes) +
                      ") must divide l2.line_bytes into at most 16 bursts and divide or be a "
                      "multiple of l2.sector_bytes");
  }
  if (spec.bus_bits == 0 || spec.data_rate_mtps <= 0) {
    throw ConfigError("dram.bus_bits and dram.data_rate_mtps must be > 0");
  }
  if (spec.scheduler != "fr_fcfs" && spec.scheduler != "fcfs") {
    throw ConfigError("dram.scheduler: '" + spec.scheduler + "' is not one of fr_fcfs, fcfs");
  }
  if (t_.trefi == 0 || t_.trfc >= t_.trefi || t_.burst_cycles == 0) {
    throw ConfigError("dram.timing: need trefi > trfc and burst_cycles > 0");
  }
  fcfs_ = spec.scheduler == "fcfs";
  if (spec.banks_per_channel == 0 || spec.banks_per_channel > kMaxBanks) {
    throw ConfigError("dram.banks: must be 1.." + std::to_string(kMaxBanks));
  }
  if (spec.bank_groups == 0 || spec.bank_groups > kMaxBankGroups) {
    throw ConfigError("dram.bank_groups: must be 1.." + std::to_string(kMaxBankGroups));
  }
  banks_per_group_ = spec.banks_per_channel / spec.bank_groups;
  // Data-bus time of one burst at the configured peak: atom_bytes / (bus bytes x transfers/s).
  atom_ps_ = static_cast<int64_t>(
      std::llround(spec.atom_bytes / (spec.bus_bits / 8.0 * spec.data_rate_mtps * 1e6) * 1e12));
  sectors_per_atom_ = std::max<uint32_t>(1, spec.atom_bytes / sector_bytes);
  atoms_per_sector_ = std::max<uint32_t>(1, sector_bytes / spec.atom_bytes);
  banks_.resize(spec.banks_per_channel);
  bank_q_[0].resize(spec.banks_per_channel);
  bank_q_[1].resize(spec.banks_per_channel);
  last_col_bg_.assign(spec.bank_groups, -(1 << 30));
  faw_.fill(-(1 << 30));
  const uint32_t depth = spec.queue_depth;
  entries_.resize(2 * static_cast<size_t>(depth));
  reads_.reserve(depth);
  writes_.reserve(depth);
  free_reads_.reserve(depth);
  free_writes_.reserve(depth);
  for (uint32_t i = depth; i-- > 0;) {
    free_reads_.push_back(static_cast<uint16_t>(i));
    free_writes_.push_back(static_cast<uint16_t>(depth + i));
  }
  ref_interval_ = t_.trfcsb > 0 ? std::max<int64_t>(1, t_.trefi / spec.banks_per_channel)
                                : static_cast<int64_t>(t_.trefi);
  if (t_.trfcsb >= ref_interval_ * spec.banks_per_channel) {
    throw ConfigError("dram.timing.trfcsb: must be shorter than dram.timing.trefi");
  }
  next_ref_ = ref_interval_ +
              static_cast<int64_t>(uint64_t{index} * ref_interval_ / std::max(1u, spec.channels));
}

int DramChannel::reserve(bool write) {
  std::vector<uint16_t>& fl = write ? free_writes_ : free_reads_;
  if (fl.empty()) return -1;
  const uint16_t slot = fl.back();
  fl.pop_back();
  (write ? used_writes_ : used_reads_)++;
  entries_[slot] = DramEntry{};
  entries_[slot].in_use = true;
  entries_[slot].write = write;
  return slot;
}

void DramChannel::release(int slot) {
  DramEntry& e = entries_[static_cast<size_t>(slot)];
  e.in_use = false;
  if (e.write) {
    free_writes_.push_back(static_cast<uint16_t>(slot));
    --used_writes_;
  } else {
    free_reads_.push_back(static_cast<uint16_t>(slot));
    --used_reads_;
  }
}

void DramChannel::arrive(int slot, int64_t cycle) {
  scan_c_ = -1;  // the queues change
  if (!has_queued()) refresh_until(cycle);
  DramEntry& e = entries_[static_cast<size_t>(slot)];
  // One burst per atom that holds a requested sector.
  uint16_t atoms = 0;
  for (uint32_t s = 0; s < 8; ++s) {
    if ((e.sectors >> s & 1u) == 0) continue;
    for (uint32_t k = 0; k < atoms_per_sector_; ++k) {
      atoms |= static_cast<uint16_t>(1u << (s * atoms_per_sector_ / sectors_per_atom_ + k));
    }
  }
  e.atoms = atoms;
  e.queued = true;
  e.seq = seq_++;
  e.next = -1;
  (e.write ? writes_ : reads_).push_back(static_cast<uint16_t>(slot));
  BankQueue& q = bank_q_[e.write ? 1 : 0][e.bank];
  if (q.tail >= 0) {
    entries_[static_cast<size_t>(q.tail)].next = slot;
  } else {
    q.head = slot;
    busy_banks_[e.write ? 1 : 0] |= uint64_t{1} << e.bank;
  }
  q.tail = slot;
  const Bank& b = banks_[e.bank];
  if (b.open && b.row == e.row) {
    ++q.hits;
    if (q.oldest_hit < 0) q.oldest_hit = slot;
  }
}

void DramChannel::retire(int32_t slot) {
  DramEntry& e = entries_[static_cast<size_t>(slot)];
  BankQueue& q = bank_q_[e.write ? 1 : 0][e.bank];
  int32_t prev = -1;
  for (int32_t i = q.head; i != slot; i = entries_[static_cast<size_t>(i)].next) prev = i;
  if (prev >= 0) {
    entries_[static_cast<size_t>(prev)].next = e.next;
  } else {
    q.head = e.next;
    if (q.head < 0) busy_banks_[e.write ? 1 : 0] &= ~(uint64_t{1} << e.bank);
  }
  if (q.tail == slot) q.tail = prev;
  const Bank& b = banks_[e.bank];
  if (b.open && b.row == e.row) {
    --q.hits;
    if (q.oldest_hit == slot) {
      q.oldest_hit = -1;
      for (int32_t i = e.next; i >= 0; i = entries_[static_cast<size_t>(i)].next) {
        if (entries_[static_cast<size_t>(i)].row == b.row) {
          q.oldest_hit = i;
          break;
        }
      }
    }
  }
  std::vector<uint16_t>& order = e.write ? writes_ : reads_;
  order.erase(std::find(order.begin(), order.end(), static_cast<uint16_t>(slot)));
  release(slot);
}

void DramChannel::bank_opened(uint32_t bank) {
  const uint32_t row = banks_[bank].row;
  for (auto& side : bank_q_) {
    BankQueue& q = side[bank];
    q.hits = 0;
    q.oldest_hit = -1;
    for (int32_t i = q.head; i >= 0; i = entries_[static_cast<size_t>(i)].next) {
      if (entries_[static_cast<size_t>(i)].row != row) continue;
      ++q.hits;
      if (q.oldest_hit < 0) q.oldest_hit = i;
    }
  }
}

void DramChannel::bank_closed(uint32_t bank) {
  for (auto& side : bank_q_) {
    side[bank].hits = 0;
    side[bank].oldest_hit = -1;
  }
}

int64_t DramChannel::scan(int64_t c, bool writes, Pick& col, Pick& row) const {
  int64_t wake = std::numeric_limits<int64_t>::max();
  // Channel-wide parts of the constraints, once per scan: column (tCCD_S, tWTR, data bus) and
  // activation (tRRD, tFAW); per bank group: tCCD_L.
  const int64_t col_floor_c = col_floor(writes);
  const int64_t act_floor = std::max(last_act_ + t_.trrd, faw_[faw_pos_] + t_.tfaw);
  std::array<int64_t, kMaxBankGroups> bg_floor;
  for (size_t g = 0; g < last_col_bg_.size(); ++g) {
    bg_floor[g] = std::max(col_floor_c, last_col_bg_[g] + t_.tccd_l);
  }
  auto offer = [&](int32_t slot, const Bank& b, uint32_t bank, bool hit) {
    Pick& pick = hit ? col : row;
    const int64_t ready = hit      ? std::max(b.next_col, bg_floor[bank / banks_per_group_])
                          : b.open ? b.pre_ok
                                   : std::max(b.next_act, act_floor);
    if (ready > c) {
      wake = std::min(wake, ready);
      return;
    }
    const uint64_t seq = entries_[static_cast<size_t>(slot)].seq;
    if (seq < pick.seq) pick = Pick{slot, seq, hit ? Cmd::kCol : b.open ? Cmd::kPre : Cmd::kAct};
  };
  if (fcfs_) {
    // Only the oldest request of the served queue may issue.
    const std::vector<uint16_t>& order = writes ? writes_ : reads_;
    if (order.empty()) return wake;
    const DramEntry& e = entries_[order.front()];
    const Bank& b = banks_[e.bank];
    offer(order.front(), b, e.bank, b.open && b.row == e.row);
    return wake;
  }
  // FR-FCFS: each bank offers its oldest row hit (column bus) or, with no hit queued, its oldest
  // request's PRE or ACT (row bus); the oldest offer that may issue now wins on each bus.
  const std::vector<BankQueue>& side = bank_q_[writes ? 1 : 0];
  for (uint64_t m = busy_banks_[writes ? 1 : 0]; m != 0; m &= m - 1) {
    const auto i = static_cast<uint32_t>(std::countr_zero(m));
    const BankQueue& q = side[i];
    const bool hit = q.hits > 0;
    offer(hit ? q.oldest_hit : q.head, banks_[i], i, hit);
  }
  return wake;
}

bool DramChannel::serve_writes() {
  const size_t depth = spec_.queue_depth;
  if (writes_.size() * 4 >= depth * 3) draining_ = true;
  if (writes_.size() * 4 <= depth) draining_ = false;
  if (writes_.empty()) return false;
  return draining_ || reads_.empty();
}

int64_t DramChannel::col_floor(bool write) const {
  int64_t r = last_col_ + t_.tccd_s;
  if (!write) r = std::max(r, rd_ok_after_wr_);
  // The burst may start within the clock in which the bus frees (keeps the average at peak).
  const int64_t lat = t_.tcl;  // WL = tCL (assumed)
  const int64_t bus = bus_free_ps_ + (bus_last_write_ != write ? tck_ : 0);
  return std::max(r, ceil_div(bus + 1 - (lat + 1) * tck_, tck_));
}

void DramChannel::issue_act(uint32_t bank, uint32_t row, int64_t c) {
  Bank& b = banks_[bank];
  b.open = true;
  b.row = row;
  b.next_col = c + t_.trcd;
  b.pre_ok = std::max(b.pre_ok, c + static_cast<int64_t>(t_.tras));
  last_act_ = c;
  faw_[faw_pos_] = c;  // overwrite the oldest of the last four
  faw_pos_ = (faw_pos_ + 1) % 4;
  ++counts_[stats::Counter::kDramAct];
  bank_opened(bank);
}

void DramChannel::issue_pre(uint32_t bank, int64_t c) {
  Bank& b = banks_[bank];
  b.open = false;
  b.next_act = std::max(b.next_act, c + static_cast<int64_t>(t_.trp));
  ++counts_[stats::Counter::kDramPre];
  bank_closed(bank);
}

int64_t DramChannel::issue_col(DramEntry& e, int64_t c) {
  Bank& b = banks_[e.bank];
  const int64_t lat = t_.tcl;
  const int64_t bus = bus_free_ps_ + (bus_last_write_ != e.write ? tck_ : 0);
  const int64_t start = std::max((c + lat) * tck_, bus);
  bus_free_ps_ = start + atom_ps_;
  bus_last_write_ = e.write;
  last_col_ = c;
  last_col_bg_[e.bank_group] = c;
  if (e.write) {
    const int64_t end_cycle = c + lat + t_.burst_cycles;
    rd_ok_after_wr_ = std::max(rd_ok_after_wr_, end_cycle + t_.twtr);
    b.pre_ok = std::max(b.pre_ok, end_cycle + t_.twr);
    ++counts_[stats::Counter::kDramWriteBurst];
  } else {
    b.pre_ok = std::max(b.pre_ok, c + static_cast<int64_t>(t_.trtp));
    ++counts_[stats::Counter::kDramReadBurst];
  }
  e.atoms = static_cast<uint16_t>(e.atoms & (e.atoms - 1));
  return start + static_cast<int64_t>(t_.burst_cycles) * tck_;
}

void DramChannel::do_refresh(int64_t due) {
  if (t_.trfcsb > 0) {  // per-bank: only this bank closes and waits
    const uint32_t i = ref_bank_;
    Bank& b = banks_[i];
    int64_t ref = std::max(due, b.next_act);
    if (b.open) {
      const int64_t pre = std::max(due, b.pre_ok);
      b.open = false;
      ++counts_[stats::Counter::kDramPre];
      bank_closed(i);
      ref = std::max(ref, pre + static_cast<int64_t>(t_.trp));
    }
    b.next_act = ref + t_.trfcsb;
    ref_bank_ = (i + 1) % static_cast<uint32_t>(banks_.size());
    if (ref_bank_ == 0) ++counts_[stats::Counter::kDramRefresh];
    next_ref_ = due + ref_interval_;
    return;
  }
  int64_t ref = due;
  for (Bank& b : banks_) {
    if (b.open) {
      const int64_t pre = std::max(due, b.pre_ok);
      b.open = false;
      ++counts_[stats::Counter::kDramPre];
      bank_closed(static_cast<uint32_t>(&b - banks_.data()));
      ref = std::max(ref, pre + static_cast<int64_t>(t_.trp));
    }
    ref = std::max(ref, b.next_act);
  }
  for (Bank& b : banks_) b.next_act = ref + t_.trfc;
  ++counts_[stats::Counter::kDramRefresh];
  next_ref_ = due + t_.trefi;
}

void DramChannel::refresh_until(int64_t c) {
  if (next_ref_ <= c) scan_c_ = -1;  // banks change
  while (next_ref_ <= c) {
    bool quiet = true;  // all banks closed and ready: the remaining refreshes are pure counting
    for (const Bank& b : banks_) quiet = quiet && !b.open && b.next_act <= next_ref_;
    if (!quiet) {
      do_refresh(next_ref_);
      continue;
    }
    const int64_t n = (c - next_ref_) / ref_interval_ + 1;
    if (t_.trfcsb > 0) {
      // The last refresh of each bank among the n due ones decides when it may activate.
      const auto nb = static_cast<int64_t>(banks_.size());
      for (int64_t k = std::max<int64_t>(0, n - nb); k < n; ++k) {
        banks_[static_cast<size_t>((ref_bank_ + k) % nb)].next_act =
            next_ref_ + k * ref_interval_ + t_.trfcsb;
      }
      const int64_t done = ref_bank_ + n;  // rotations completed = wraps past bank 0
      counts_[stats::Counter::kDramRefresh] += static_cast<uint64_t>(done / nb);
      ref_bank_ = static_cast<uint32_t>(done % nb);
    } else {
      const int64_t last = next_ref_ + (n - 1) * ref_interval_;
      for (Bank& b : banks_) b.next_act = last + t_.trfc;
      counts_[stats::Counter::kDramRefresh] += static_cast<uint64_t>(n);
    }
    next_ref_ += n * ref_interval_;
  }
}

uint64_t DramChannel::oldest_line() const {
  if (!reads_.empty()) return entries_[reads_.front()].line;
  if (!writes_.empty()) return entries_[writes_.front()].line;
  return 0;
}

}  // namespace joulesim::mem
