// Cross-key checks: combinations each key alone allows but hardware cannot have. Every error
// names the file (or --set) that set the offending key, the key path and what is allowed.
#include <cmath>
#include <string>

#include "config/schema.hpp"

namespace joulesim::config::detail {
namespace {

bool is_pow2(uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

std::string num(double v) {
  if (v == std::floor(v) && std::abs(v) < 1e15) return std::to_string(static_cast<long long>(v));
  std::string s = std::to_string(v);
  s.erase(s.find_last_not_of('0') + 1);
  return s;
}

class Checker {
 public:
  Checker(const LeafMap& leaves, const std::string& top_file) : leaves_(leaves), top_(top_file) {}
  /// Fails at @p path when @p ok is false.
  void require(bool ok, const std::string& path, const std::string& what) const {
    if (ok) return;
    auto it = leaves_.find(path);
    const bool from_file = it != leaves_.end() && it->second.file != "schema default";
    key_error(from_file ? it->second.file : top_, path, what);
  }

 private:
  const LeafMap& leaves_;
  const std::string& top_;
};

void check_core(const GpuSpec& s, const Checker& c) {
  const auto& k = s.core;
  c.require(k.warp_size == 32 || k.warp_size == 64, "core.warp_size",
            "must be 32 (warp) or 64 (wavefront), got " + num(k.warp_size));
  c.require(s.isa != "sass" || k.warp_size == 32, "core.warp_size",
            "isa 'sass' executes 32-thread warps, got " + num(k.warp_size));
  c.require(s.isa != "cdna" || k.warp_size == 64, "core.warp_size",
            "isa 'cdna' is modelled with wave64, got " + num(k.warp_size));
  c.require(k.max_warps_per_sm % k.subcores_per_sm == 0, "core.max_warps_per_sm",
            "must be a multiple of core.subcores_per_sm (" + num(k.subcores_per_sm) +
                ") so warps split evenly over the schedulers, got " + num(k.max_warps_per_sm));
  c.require(k.max_threads_per_cta % k.warp_size == 0, "core.max_threads_per_cta",
            "must be a multiple of core.warp_size (" + num(k.warp_size) + "), got " +
                num(k.max_threads_per_cta));
  c.require(k.max_threads_per_cta <= uint64_t{k.max_warps_per_sm} * k.warp_size,
            "core.max_threads_per_cta",
            "a CTA of " + num(k.max_threads_per_cta) + " threads cannot fit in " +
                num(k.max_warps_per_sm) + " resident warps of " + num(k.warp_size));
  c.require(
      k.sm_count % k.dies == 0, "core.dies",
      "core.sm_count (" + num(k.sm_count) + ") must split evenly over " + num(k.dies) + " dies");
  c.require(k.registers_per_sm % k.subcores_per_sm == 0, "core.registers_per_sm",
            "must split evenly over " + num(k.subcores_per_sm) + " sub-cores, got " +
                num(k.registers_per_sm));
  c.require(k.register_alloc_unit <= k.registers_per_sm &&
                k.registers_per_sm % k.register_alloc_unit == 0,
            "core.register_alloc_unit",
            "must divide core.registers_per_sm (" + num(k.registers_per_sm) + "), got " +
                num(k.register_alloc_unit));
}

void check_cache(const Checker& c, const std::string& key, uint64_t size_bytes, uint32_t line,
                 uint32_t sector, uint32_t assoc, uint32_t slices) {
  c.require(is_pow2(line), key + ".line_bytes", "must be a power of two, got " + num(line));
  c.require(is_pow2(sector) && sector <= line && line % sector == 0, key + ".sector_bytes",
            "must be a power of two dividing " + key + ".line_bytes (" + num(line) + "), got " +
                num(sector));
  const uint64_t set_bytes = uint64_t{line} * assoc * slices;
  c.require(size_bytes % set_bytes == 0 && size_bytes >= set_bytes, key + ".size_kb",
            "must hold a whole number of sets: " + num(static_cast<double>(size_bytes)) +
                " bytes is not a multiple of " +
                (slices > 1 ? num(slices) + " slices x " : std::string()) + num(assoc) +
                " ways x " + num(line) + " B lines");
}

void check_memories(const GpuSpec& s, const Checker& c) {
  check_cache(c, "l1", uint64_t{s.l1.size_kb} * 1024, s.l1.line_bytes, s.l1.sector_bytes,
              s.l1.assoc, 1);
  check_cache(c, "l2", uint64_t{s.l2.size_kb} * 1024, s.l2.line_bytes, s.l2.sector_bytes,
              s.l2.assoc, s.l2.slices);
  c.require(s.l2.slices % s.core.dies == 0, "l2.slices",
            "must split evenly over core.dies (" + num(s.core.dies) + "), got " + num(s.l2.slices));
  if (s.noc.memory_dies > 0) {
    c.require(s.dram.channels % s.noc.memory_dies == 0, "noc.memory_dies",
              "dram.channels (" + num(s.dram.channels) + ") must split evenly over " +
                  num(s.noc.memory_dies) + " memory dies");
  }
  c.require(s.shared.max_per_cta_kb <= s.shared.size_kb, "shared.max_per_cta_kb",
            "a CTA cannot allocate more than shared.size_kb (" + num(s.shared.size_kb) +
                " KiB), got " + num(s.shared.max_per_cta_kb));
  if (s.l1.unified_kb > 0) {
    c.require(uint64_t{s.shared.size_kb} + s.l1.size_kb <= s.l1.unified_kb, "shared.size_kb",
              "shared.size_kb (" + num(s.shared.size_kb) + ") + l1.size_kb (" + num(s.l1.size_kb) +
                  ") exceeds the unified L1/shared array l1.unified_kb (" + num(s.l1.unified_kb) +
                  " KiB)");
  }
  c.require(s.shared.bank_bytes == 4 || s.shared.bank_bytes == 8, "shared.bank_bytes",
            "must be 4 or 8, got " + num(s.shared.bank_bytes));
  if (s.llc.size_mb > 0) {
    c.require(s.llc.bandwidth_gbs > 0, "llc.bandwidth_gbs",
              "an LLC of " + num(s.llc.size_mb) + " MiB needs a bandwidth > 0");
    c.require(s.llc.latency > 0, "llc.latency",
              "an LLC of " + num(s.llc.size_mb) + " MiB needs a latency > 0");
  }
}

void check_dram(const GpuSpec& s, const Checker& c) {
  const auto& d = s.dram;
  const auto& t = d.timing;
  c.require(d.banks_per_channel % d.bank_groups == 0, "dram.bank_groups",
            "must divide dram.banks (" + num(d.banks_per_channel) + "), got " + num(d.bank_groups));
  c.require(
      d.row_bytes % d.atom_bytes == 0, "dram.row_bytes",
      "must be a multiple of dram.atom_bytes (" + num(d.atom_bytes) + "), got " + num(d.row_bytes));
  // One burst moves atom_bytes: burst_cycles x (transfers per tCK) x bus bytes.
  const double transfers_per_ck = d.data_rate_mtps / s.clocks.dram_mhz;
  const double burst_bytes = t.burst_cycles * transfers_per_ck * d.bus_bits / 8.0;
  c.require(std::abs(burst_bytes - d.atom_bytes) <= 0.01 * d.atom_bytes, "dram.timing.burst_cycles",
            num(t.burst_cycles) + " tCK x " + num(transfers_per_ck) + " transfers/tCK x " +
                num(d.bus_bits / 8.0) + " B moves " + num(burst_bytes) +
                " B, but dram.atom_bytes is " + num(d.atom_bytes));
  c.require(t.tras >= t.trcd, "dram.timing.tras",
            "must be at least dram.timing.trcd (" + num(t.trcd) + "), got " + num(t.tras));
  c.require(t.tccd_l >= t.tccd_s, "dram.timing.tccd_l",
            "must be at least dram.timing.tccd_s (" + num(t.tccd_s) + "), got " + num(t.tccd_l));
  c.require(t.tfaw >= t.trrd, "dram.timing.tfaw",
            "must be at least dram.timing.trrd (" + num(t.trrd) + "), got " + num(t.tfaw));
  c.require(t.trefi > t.trfc, "dram.timing.trefi",
            "must exceed dram.timing.trfc (" + num(t.trfc) +
                ") or the device only refreshes, got " + num(t.trefi));
}

void check_clocks(const GpuSpec& s, const Checker& c) {
  c.require(s.clocks.base_mhz <= s.clocks.core_mhz, "clocks.base_mhz",
            "must not exceed clocks.core_mhz (" + num(s.clocks.core_mhz) + "), got " +
                num(s.clocks.base_mhz));
  const auto& p = s.dvfs.points;
  if (p.empty()) return;  // the schema already requires a non-empty table
  const double lo = p.front().mhz, hi = p.back().mhz;
  std::string range = "[";
  range.append(num(lo)).append(", ").append(num(hi)).append("] MHz");
  c.require(s.clocks.core_mhz >= lo && s.clocks.core_mhz <= hi, "clocks.core_mhz",
            "must lie within the dvfs.points table " + range + ", got " + num(s.clocks.core_mhz));
  c.require(s.dvfs.core_mhz == 0 || (s.dvfs.core_mhz >= lo && s.dvfs.core_mhz <= hi),
            "dvfs.core_mhz",
            "must be 0 (use clocks.core_mhz) or lie within the dvfs.points table " + range +
                ", got " + num(s.dvfs.core_mhz));
}

void check_misc(const GpuSpec& s, const Checker& c) {
  const std::string& e = s.power.energy_table;
  const std::string prefix = "models/energy/";
  c.require(e.compare(0, prefix.size(), prefix) == 0 && e.size() > prefix.size() + 5 &&
                e.compare(e.size() - 5, 5, ".json") == 0,
            "power.energy_table", "expected a path 'models/energy/<name>.json', got '" + e + "'");
}

}  // namespace

void validate_spec(const GpuSpec& spec, const LeafMap& leaves, const std::string& top_file) {
  const Checker c(leaves, top_file);
  check_core(spec, c);
  check_memories(spec, c);
  check_dram(spec, c);
  check_clocks(spec, c);
  check_misc(spec, c);
}

}  // namespace joulesim::config::detail
