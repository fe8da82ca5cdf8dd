#pragma once
/// @file
/// DramChannel: one independently scheduled DRAM (pseudo-)channel -- banks in bank groups, a row
/// buffer per bank (open-page policy), a read and a write queue, FR-FCFS or FCFS scheduling, and
/// the timing constraints of dram.timing, all in DRAM command clocks (tCK = 1 / clocks.dram_mhz).
///
/// Per command clock the channel may issue one row command (ACT or PRE) and one column command
/// (RD or WR): HBM has separate row and column command buses.
/// Constraints: ACT needs the bank precharged for tRP, tRRD since the last ACT and at most 4 ACTs
/// in any tFAW window; RD/WR need tRCD after ACT, tCCD_L after the last column command to the
/// same bank group, tCCD_S after any; RD needs tWTR after the end of the last write burst; PRE
/// needs tRAS after ACT, tRTP after a RD and tWR after the end of a write burst.
/// Data bus: read data starts tCL after RD, write data WL = tCL (assumed: dram.timing has no tCWL)
/// after WR, each burst occupies the bus for atom_bytes / (bus_bits / 8 x data_rate) (the
/// configured peak) and one tCK of turnaround separates bursts of opposite direction (assumed).
/// A read burst's data is complete burst_cycles tCK after it starts.
/// Refresh: all-bank, every tREFI (channel i is offset by i x tREFI / channels): open banks are
/// precharged, REF is issued once they may be, and no bank activates for tRFC. With
/// timing.trfcsb > 0, per-bank: every tREFI / banks the next bank in turn is precharged and
/// refreshed for trfcsb while the others serve requests (each bank still once per tREFI);
/// dram.ref counts whole rotations, so it stays comparable with all-bank refreshes.
/// Scheduling: writes are drained when the write queue reaches 3/4 full (until 1/4) or when no
/// read waits; otherwise reads. fr_fcfs: the oldest column command to an open row that may issue
/// (row hit) goes first; then the oldest request's ACT/PRE (a bank with queued hits to its open
/// row is not precharged). fcfs: only the oldest request of the served queue may issue.
#include <array>
#include <cstdint>
#include <vector>

#include "config/gpu_spec.hpp"
#include "mem/address_map.hpp"
#include "stats/activity.hpp"

namespace joulesim::mem {

/// One queued request: an L2 line fetch or write-back, with its DRAM coordinates.
struct DramEntry {
  uint64_t line = 0;  ///< L2 line number
  uint32_t row = 0;
  uint16_t bank = 0;  ///< index within the channel
  uint16_t bank_group = 0;
  uint16_t atoms = 0;   ///< column bursts still to issue (bit per atom of the line)
  uint8_t sectors = 0;  ///< L2 sectors this request carries
  bool write = false;
  bool in_use = false;
  bool queued = false;  ///< arrived (false: reserved, in transit)
  uint32_t owner = 0;   ///< L2 slice that asked
  uint64_t seq = 0;     ///< arrival order
  int32_t next = -1;    ///< next entry of the same bank and direction
};

class DramChannel {
 public:
  static constexpr uint32_t kMaxBankGroups = 16;
  static constexpr uint32_t kMaxBanks = 64;  ///< banks per channel (one bit each in a mask)

  DramChannel(const config::DramSpec& spec, int64_t tck_ps, uint32_t index, uint32_t l2_line_bytes,
              uint32_t sector_bytes, stats::ActivityCounts& counts);

  /// Reserves a queue slot (queue_depth reads and queue_depth writes); -1 if full.
  int reserve(bool write);
  DramEntry& entry(int slot) { return entries_[static_cast<size_t>(slot)]; }
  /// Frees a reserved slot that was never queued (the LLC served it).
  void release(int slot);
  /// The reserved @p slot (filled in by the caller) joins its queue at command cycle @p cycle.
  void arrive(int slot, int64_t cycle);
  bool has_queued() const { return !reads_.empty() || !writes_.empty(); }
  uint32_t in_use() const { return used_reads_ + used_writes_; }

  /// Result of one command cycle.
  struct TickResult {
    int64_t next_cycle = -1;  ///< when to tick again (-1: nothing queued)
    bool freed = false;       ///< a queue slot became free
  };
  /// Issues what may issue at command cycle @p c. For each request whose last burst issued,
  /// calls @p done(entry, data_end_ps) (the entry's slot is free after the call).
  template <typename Fn>
  TickResult tick(int64_t c, Fn&& done);

  /// Performs every refresh due at or before @p c (called while the channel is idle so that the
  /// refresh count stays exact without ticking).
  void refresh_until(int64_t c);

  int64_t next_refresh() const { return next_ref_; }
  /// Oldest queued line, for diagnostics (0 if none).
  uint64_t oldest_line() const;

 private:
  struct Bank {
    bool open = false;
    uint32_t row = 0;
    int64_t next_act = 0;  ///< earliest ACT (tRP after PRE, tRFC after REF)
    int64_t next_col = 0;  ///< earliest RD/WR (tRCD after ACT)
    int64_t pre_ok = 0;    ///< earliest PRE (tRAS, tRTP, tWR)
  };
  enum class Cmd : uint8_t { kNone, kAct, kPre, kCol };

  /// Per bank and direction: queued entries in arrival order and which of them hit the open row.
  struct BankQueue {
    int32_t head = -1, tail = -1;
    uint32_t hits = 0;        ///< entries whose row is the bank's open row
    int32_t oldest_hit = -1;  ///< first of them in arrival order
  };
  struct Pick {
    int32_t slot = -1;
    uint64_t seq = ~uint64_t{0};
    Cmd cmd = Cmd::kNone;
  };

  bool serve_writes();
  /// Finds the oldest column command (row hit) and the oldest row command (ACT/PRE) that may issue
  /// at @p c in the served queue; returns the earliest cycle at which any other could.
  int64_t scan(int64_t c, bool writes, Pick& col, Pick& row) const;
  /// Earliest RD (WR if @p write) as far as the channel-wide constraints go (tCCD_S, tWTR, bus).
  int64_t col_floor(bool write) const;
  void issue_act(uint32_t bank, uint32_t row, int64_t c);
  void issue_pre(uint32_t bank, int64_t c);
  /// Issues one burst of @p e; returns the end of its data in ps.
  int64_t issue_col(DramEntry& e, int64_t c);
  void do_refresh(int64_t due);
  void bank_opened(uint32_t bank);
  void bank_closed(uint32_t bank);
  /// Takes a finished entry out of its queues and frees its slot.
  void retire(int32_t slot);

  config::DramSpec spec_;
  config::DramTiming t_;
  int64_t tck_;
  int64_t atom_ps_;  ///< data-bus time of one burst at the configured peak
  uint32_t sectors_per_atom_;
  uint32_t atoms_per_sector_;
  stats::ActivityCounts& counts_;

  std::vector<Bank> banks_;
  std::vector<DramEntry> entries_;  ///< [0, depth): reads, [depth, 2 depth): writes
  std::vector<uint16_t> free_reads_, free_writes_;
  uint32_t used_reads_ = 0, used_writes_ = 0;
  std::vector<uint16_t> reads_, writes_;  ///< queued slots, oldest first
  std::vector<BankQueue> bank_q_[2];      ///< [0] reads, [1] writes; per bank
  uint64_t busy_banks_[2] = {0, 0};       ///< banks with a queued request, per direction
  uint64_t seq_ = 0;
  bool draining_ = false;
  uint32_t banks_per_group_ = 1;
  bool fcfs_ = false;

  int64_t last_act_ = -(1 << 30);
  std::array<int64_t, 4> faw_{};  ///< cycles of the last four ACTs (ring)
  uint32_t faw_pos_ = 0;
  int64_t last_col_ = -(1 << 30);
  std::vector<int64_t> last_col_bg_;
  int64_t rd_ok_after_wr_ = 0;  ///< tWTR
  int64_t bus_free_ps_ = 0;
  bool bus_last_write_ = false;
  int64_t next_ref_;
  int64_t ref_interval_ = 1;  ///< tREFI, or tREFI / banks with per-bank refresh
  /// The look-ahead scan at the end of a tick, for cycle scan_c_ and queue scan_writes_: the
  /// next tick reuses it when nothing arrived or refreshed in between (the scan is a function
  /// of the channel's state only). -1: none.
  int64_t scan_c_ = -1;
  bool scan_writes_ = false;
  Pick scan_col_, scan_row_;
  uint32_t ref_bank_ = 0;  ///< next bank of the per-bank rotation
};

}  // namespace joulesim::mem

#include "mem/dram_channel_tick.hpp"
