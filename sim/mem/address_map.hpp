#pragma once
/// @file
/// AddressMap: where an L2 line lives -- its L2 slice and set index, and its DRAM coordinates.
///
/// L2 slice (line number n = address / l2.line_bytes, S slices, k = ceil(log2 S)):
///   fold(x) = XOR of the successive k-bit chunks of x;
///   S a power of two: slice = (n XOR fold(n >> k)) mod S, set index from n >> k;
///   otherwise:        slice = (n mod S + fold(n / S)) mod S, set index from n / S.
/// Either way S consecutive lines land on S distinct slices, and a stride of S x j lines walks
/// the slices through fold(j), so power-of-two strides spread evenly instead of hammering one.
///
/// DRAM (C channels, G bank groups, B banks per group, R = row_bytes / l2.line_bytes lines per
/// row):
///   channel = (n mod C + fold(n / C)) mod C;   r = n / C;
///   bank group = r mod G; r /= G;  bank = r mod B; r /= B;  column = r mod R;  row = r / R;
///   then bank group and bank are rotated by the row number (permutation interleaving).
/// Consecutive lines therefore spread over every channel, then over bank groups (so back-to-back
/// column commands in a channel pay tCCD_S, not tCCD_L), then banks; a bank sees R consecutive
/// lines of one row before its row changes, which is what gives streams their row-buffer hits.
#include <cstdint>

#include "config/gpu_spec.hpp"

namespace joulesim::mem {

struct DramCoord {
  uint32_t channel = 0;
  uint32_t bank_group = 0;
  uint32_t bank = 0;  ///< index within the channel: bank_group x banks_per_group + bank
  uint32_t row = 0;
  uint32_t column = 0;  ///< line index within the row
};

class AddressMap {
 public:
  explicit AddressMap(const config::GpuSpec& spec);
  uint32_t slice_of(uint64_t line) const;
  /// Divisor that strips the slice selection from a line number: a slice's set index is
  /// (line / slice_divisor()) mod sets.
  uint64_t slice_divisor() const { return slices_pow2_ ? 1ull << slice_bits_ : slices_; }
  DramCoord dram_of(uint64_t line) const;

 private:
  static uint64_t fold(uint64_t x, uint32_t bits);
  uint32_t slices_;
  uint32_t slice_bits_;
  bool slices_pow2_;
  uint32_t channels_;
  uint32_t channel_bits_;
  uint32_t groups_;
  uint32_t banks_per_group_;
  uint32_t lines_per_row_;
};

}  // namespace joulesim::mem
