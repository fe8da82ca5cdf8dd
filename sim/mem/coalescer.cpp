/// @file
/// coalesce(): per-lane addresses of one warp memory instruction -> one request per touched line,
/// carrying the mask of touched 32 B sectors.
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
  for (int lane = 0; lane < lanes; ++lane) {
    const uint64_t first = lane_addresses[lane];
    const uint64_t last = first + width - 1;  // a lane may straddle sectors and lines
    for (uint64_t sector = first / sector_bytes; sector <= last / sector_bytes; ++sector) {
      const uint64_t byte = sector * sector_bytes;
      const uint64_t line = byte - byte % line_bytes;
      const auto bit = static_cast<uint8_t>(1u << ((byte % line_bytes) / sector_bytes));
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
