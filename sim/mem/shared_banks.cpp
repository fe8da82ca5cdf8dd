/// @file
/// shared_memory_wavefronts(): bank-conflict serialisation of one warp shared-memory access.
///
/// Rule (documented in memory.hpp): the banks deliver at most banks x bank_bytes bytes per
/// wavefront, so a warp whose lanes each access w bytes is split into phases of
/// P = banks x bank_bytes / max(bank_bytes, pow2ceil(w)) consecutive active lanes (32 lanes for
/// 4 B, 16 for 8 B -- the "half-warp" rule -- and 8 for 16 B -- quarter-warp). Within a phase each
/// bank serves one distinct bank_bytes word per wavefront; lanes addressing the same word share it
/// (broadcast). A phase costs max over banks of the distinct words in that bank; the access costs
/// the sum over its phases.
#include <algorithm>
#include <array>
#include <string>

#include "core/error.hpp"
#include "mem/memory.hpp"

namespace joulesim::mem {

namespace {
constexpr uint32_t kMaxBanks = 128;

uint32_t pow2_ceil(uint32_t v) {
  uint32_t p = 1;
  while (p < v) p <<= 1;
  return p;
}
}  // namespace

uint32_t shared_memory_wavefronts(const uint64_t* lane_addresses, int lanes, uint32_t width,
                                  uint32_t banks, uint32_t bank_bytes) {
  if (banks == 0 || banks > kMaxBanks || bank_bytes == 0) {
    throw Error("shared_memory_wavefronts: banks must be 1.." + std::to_string(kMaxBanks) +
                " and bank_bytes > 0 (got " + std::to_string(banks) + ", " +
                std::to_string(bank_bytes) + ")");
  }
  if (lanes <= 0 || width == 0) return 0;
  const uint32_t per_lane = std::max(bank_bytes, pow2_ceil(width));
  const int phase_lanes = static_cast<int>(std::max<uint32_t>(1, banks * bank_bytes / per_lane));
  // Words touched by one phase: phase_lanes x (per_lane / bank_bytes + 1) <= 2 x banks.
  std::array<uint64_t, 2 * kMaxBanks> words;
  std::array<uint16_t, kMaxBanks> per_bank;
  uint32_t total = 0;
  for (int start = 0; start < lanes; start += phase_lanes) {
    const int end = std::min(lanes, start + phase_lanes);
    size_t n = 0;
    for (int lane = start; lane < end; ++lane) {
      const uint64_t first = lane_addresses[lane] / bank_bytes;
      const uint64_t last = (lane_addresses[lane] + width - 1) / bank_bytes;
      for (uint64_t w = first; w <= last && n < words.size(); ++w) words[n++] = w;
    }
    std::sort(words.begin(), words.begin() + static_cast<ptrdiff_t>(n));
    const size_t distinct = static_cast<size_t>(
        std::unique(words.begin(), words.begin() + static_cast<ptrdiff_t>(n)) - words.begin());
    std::fill(per_bank.begin(), per_bank.begin() + banks, 0);
    uint32_t worst = 0;
    for (size_t i = 0; i < distinct; ++i) {
      const uint32_t c = ++per_bank[words[i] % banks];
      worst = std::max(worst, c);
    }
    total += worst;
  }
  return total;
}

}  // namespace joulesim::mem
