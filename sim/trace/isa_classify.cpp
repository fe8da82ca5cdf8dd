// Dispatch from (ISA family, binary version) to the per-ISA opcode tables, with the
// nearest-table fallback for versions that have no table of their own.
#include <array>
#include <charconv>
#include <cstdlib>
#include <span>

#include "trace/isa_tables.hpp"
#include "trace/trace.hpp"

namespace joulesim::trace {

namespace {
constexpr std::array<uint32_t, 8> kSassTables = {70, 75, 80, 86, 89, 90, 100, 120};
constexpr std::array<uint32_t, 2> kCdnaTables = {kGfx90a, kGfx942};

uint32_t nearest(std::span<const uint32_t> tables, uint32_t v) {
  uint32_t best = tables[0];
  for (uint32_t t : tables) {
    // Strictly closer wins, so a tie keeps the older (earlier) table.
    auto d = [v](uint32_t x) { return x > v ? x - v : v - x; };
    if (d(t) < d(best)) best = t;
  }
  return best;
}
}  // namespace

uint32_t isa_table_version(IsaFamily isa, uint32_t binary_version) {
  return isa == IsaFamily::kSass ? nearest(kSassTables, binary_version)
                                 : nearest(kCdnaTables, binary_version);
}

std::string isa_name(IsaFamily isa, uint32_t binary_version) {
  if (isa == IsaFamily::kSass) return "sm_" + std::to_string(binary_version);
  char buf[16];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), binary_version, 16);
  (void)ec;
  return "gfx" + std::string(buf, end);
}

OpcodeInfo classify_opcode(std::string_view name, IsaFamily isa, uint32_t binary_version) {
  uint32_t table = isa_table_version(isa, binary_version);
  return isa == IsaFamily::kSass ? detail::classify_sass(name, table)
                                 : detail::classify_cdna(name, table);
}

namespace detail {

bool parse_mma_shape(std::string_view t, uint16_t& m, uint16_t& n, uint16_t& k) {
  auto num = [](std::string_view s, uint16_t& out) {
    if (s.empty()) return false;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size() && out != 0;
  };
  if (auto x1 = t.find('x'); x1 != std::string_view::npos) {
    auto x2 = t.find('x', x1 + 1);
    if (x2 == std::string_view::npos) return false;
    return num(t.substr(0, x1), m) && num(t.substr(x1 + 1, x2 - x1 - 1), n) &&
           num(t.substr(x2 + 1), k);
  }
  // Packed digits: warp-level shapes are m8 or m16, always n8, then k.
  if (t.size() < 3) return false;
  for (char c : t)
    if (c < '0' || c > '9') return false;
  size_t pos;
  if (t.starts_with("16")) {
    m = 16;
    pos = 2;
  } else if (t[0] == '8') {
    m = 8;
    pos = 1;
  } else {
    return false;
  }
  if (t[pos] != '8') return false;
  n = 8;
  return num(t.substr(pos + 1), k);
}

}  // namespace detail
}  // namespace joulesim::trace
