/// @file
/// coalesce(): per-lane addresses of one warp memory instruction -> one request per touched line,
/// carrying the mask of touched 32 B sectors.
#include <bit>
#include <string>

#include "core/error.hpp"
#include "mem/memory.hpp"

namespace joulesim::mem {

void coalesce(const uint64_t* lane_addresses, int lanes, uint32_t width, uint32_t line_bytes,
              uint32_t sector_bytes, bool write, std::vector<SectorRequest>& out) {
  out.clear();
  if (sector_bytes == 0 || line_bytes < sector_bytes || line_bytes % sector_bytes != 0 ||
      line_bytes / sector_bytes > 8) {
    throw Error("coalesce: line_bytes " + std::to_string(line_bytes) + " / sector_bytes " +
                std::to_string(sector_bytes) + " must give 1..8 whole sectors per line");
  }
  if (width == 0) return;
  const bool pow2 =
      (sector_bytes & (sector_bytes - 1)) == 0 && (line_bytes & (line_bytes - 1)) == 0;
  const uint32_t sector_shift = pow2 ? static_cast<uint32_t>(std::countr_zero(sector_bytes)) : 0;
  const uint64_t sectors_per_line = line_bytes / sector_bytes;
  for (int lane = 0; lane < lanes; ++lane) {
    const uint64_t first_byte = lane_addresses[lane];
    const uint64_t last_byte = first_byte + width - 1;  // a lane may straddle sectors and lines
    const uint64_t first = pow2 ? first_byte >> sector_shift : first_byte / sector_bytes;
    const uint64_t last = pow2 ? last_byte >> sector_shift : last_byte / sector_bytes;
    for (uint64_t sector = first; sector <= last; ++sector) {
      const uint64_t in_line = pow2 ? (sector & (sectors_per_line - 1)) : sector % sectors_per_line;
      const uint64_t line = (sector - in_line) * sector_bytes;
      const auto bit = static_cast<uint8_t>(1u << in_line);
      // Lines of one warp are few (<= 64): the previous line is the usual match, then scan back.
      SectorRequest* hit = nullptr;
      for (size_t i = out.size(); i-- > 0;) {
        if (out[i].line_addr == line) {
          hit = &out[i];
          break;
        }
      }
      if (hit == nullptr) {
        SectorRequest r;
        r.line_addr = line;
        r.write = write;
        out.push_back(r);
        hit = &out.back();
      }
      hit->sector_mask |= bit;
    }
  }
}

}  // namespace joulesim::mem
