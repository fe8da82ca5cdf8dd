#pragma once
// Inside of the trace subsystem: hand-written tokenising of Accel-Sim text traces. The hot path is
// parse_instruction_line(); everything builds error messages only when it throws.
#include <charconv>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "trace/trace.hpp"

namespace joulesim::trace::detail {

/// What an instruction line's layout depends on, fixed per kernel by its header.
struct LineFormat {
  const std::string* file = nullptr;  ///< for error messages
  uint32_t tracer_version = 5;        ///< >= 5: an immediate ends the line
  bool lineinfo = false;              ///< a decimal source-line number starts the line
  uint32_t warp_size = 32;
};

/// Parses one instruction line into @p inst (opcode interned into @p table), appending one address
/// per active lane to @p addrs for memory instructions. Throws InputError "file:line: ...".
void parse_instruction_line(std::string_view line, uint64_t line_no, const LineFormat& format,
                            OpcodeTable& table, Instruction& inst, std::vector<uint64_t>& addrs);

/// Splits off the next whitespace-separated token of [p, e).
inline std::string_view next_token(const char*& p, const char* e) {
  while (p < e && (*p == ' ' || *p == '\t')) ++p;
  const char* s = p;
  while (p < e && *p != ' ' && *p != '\t') ++p;
  return std::string_view(s, static_cast<size_t>(p - s));
}

/// Whole-token unsigned integer in @p base (hex accepts an optional 0x prefix).
/// (A hand-written loop: every token of every trace line goes through here, and it is several
/// times faster than the general from_chars.)
template <typename T>
inline bool parse_uint(std::string_view t, T& out, int base = 10) {
  static_assert(std::is_unsigned_v<T>);
  if (base == 16 && t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) t.remove_prefix(2);
  if (t.empty()) return false;
  constexpr T kMax = std::numeric_limits<T>::max();
  T v = 0;
  if (base == 16) {
    for (char c : t) {
      unsigned d;
      if (c >= '0' && c <= '9') {
        d = static_cast<unsigned>(c - '0');
      } else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
        d = static_cast<unsigned>((c | 0x20) - 'a' + 10);
      } else {
        return false;
      }
      if (v > (kMax >> 4)) return false;  // overflow
      v = static_cast<T>((v << 4) | d);
    }
  } else if (base == 10) {
    for (char c : t) {
      if (c < '0' || c > '9') return false;
      const auto d = static_cast<unsigned>(c - '0');
      if (v > (kMax - d) / 10) return false;  // overflow
      v = static_cast<T>(v * 10 + d);
    }
  } else {
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v, base);
    if (ec != std::errc() || p != t.data() + t.size()) return false;
  }
  out = v;
  return true;
}

/// Whole-token signed decimal integer.
template <typename T>
inline bool parse_int(std::string_view t, T& out) {
  if (t.empty()) return false;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), out, 10);
  return ec == std::errc() && p == t.data() + t.size();
}

/// An opcode string: a letter, then letters, digits, '.' and '_' (SASS "LDG.E.128", CDNA
/// "v_mfma_f32_32x32x8f16").
inline bool is_valid_opcode(std::string_view t) {
  if (t.empty() || !((t[0] >= 'A' && t[0] <= 'Z') || (t[0] >= 'a' && t[0] <= 'z'))) return false;
  for (char c : t) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_';
    if (!ok) return false;
  }
  return true;
}

/// Printable excerpt of a token for an error message.
std::string quote(std::string_view token);

}  // namespace joulesim::trace::detail
