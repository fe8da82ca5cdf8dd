/// @file
/// AddressMap: L2 slice hash and DRAM address mapping (the rules are in address_map.hpp).
#include "mem/address_map.hpp"

#include <string>

#include "core/error.hpp"

namespace joulesim::mem {

namespace {
uint32_t ceil_log2(uint32_t v) {
  uint32_t b = 0;
  while ((1ull << b) < v) ++b;
  return b;
}
}  // namespace

AddressMap::AddressMap(const config::GpuSpec& s)
    : slices_(s.l2.slices),
      slice_bits_(ceil_log2(s.l2.slices)),
      slices_pow2_((s.l2.slices & (s.l2.slices - 1)) == 0),
      channels_(s.dram.channels),
      channel_bits_(ceil_log2(s.dram.channels)),
      groups_(s.dram.bank_groups),
      banks_per_group_(s.dram.bank_groups == 0 ? 0 : s.dram.banks_per_channel / s.dram.bank_groups),
      lines_per_row_(s.l2.line_bytes == 0 ? 0 : s.dram.row_bytes / s.l2.line_bytes) {
  if (slices_ == 0) throw ConfigError("l2.slices: must be > 0");
  if (channels_ == 0) throw ConfigError("dram.channels: must be > 0");
  if (groups_ == 0 || banks_per_group_ == 0 || s.dram.banks_per_channel % groups_ != 0) {
    throw ConfigError("dram.banks (" + std::to_string(s.dram.banks_per_channel) +
                      ") must be a positive multiple of dram.bank_groups (" +
                      std::to_string(groups_) + ")");
  }
  if (lines_per_row_ == 0 || s.dram.row_bytes % s.l2.line_bytes != 0) {
    throw ConfigError("dram.row_bytes (" + std::to_string(s.dram.row_bytes) +
                      ") must be a positive multiple of l2.line_bytes (" +
                      std::to_string(s.l2.line_bytes) + ")");
  }
}

uint64_t AddressMap::fold(uint64_t x, uint32_t bits) {
  if (bits == 0) return 0;
  const uint64_t mask = (1ull << bits) - 1;
  uint64_t f = 0;
  for (; x != 0; x >>= bits) f ^= x & mask;
  return f;
}

uint32_t AddressMap::slice_of(uint64_t line) const {
  if (slices_pow2_) {
    return static_cast<uint32_t>((line ^ fold(line >> slice_bits_, slice_bits_)) & (slices_ - 1));
  }
  return static_cast<uint32_t>((line % slices_ + fold(line / slices_, slice_bits_)) % slices_);
}

DramCoord AddressMap::dram_of(uint64_t line) const {
  DramCoord c;
  uint64_t r = line / channels_;
  c.channel = static_cast<uint32_t>((line % channels_ + fold(r, channel_bits_)) % channels_);
  const uint32_t banks = groups_ * banks_per_group_;
  const uint64_t flat = r % banks;  // bank group varies fastest
  r /= banks;
  c.column = static_cast<uint32_t>(r % lines_per_row_);
  const uint64_t row = r / lines_per_row_;
  c.row = static_cast<uint32_t>(row);
  const auto rotated = static_cast<uint32_t>((flat + row) % banks);
  c.bank_group = rotated % groups_;
  c.bank = c.bank_group * banks_per_group_ + rotated / groups_;
  return c;
}

}  // namespace joulesim::mem
