// Instruction lines of Accel-Sim/NVBit text traces (tracer versions 3-5):
//   [line] PC mask ndst [Rd..] OPCODE nsrc [Rs..] memwidth [mode addresses..] [immediate]
// Address modes (NVBit tracer): 0 = one hex address per active lane; 1 = hex base and a decimal
// stride (only for a contiguous run of active lanes); 2 = hex base of the first active lane, then
// one decimal delta from the previous active lane for each further active lane.
#include "trace/accelsim_parse.hpp"

#include <bit>

#include "core/error.hpp"

namespace joulesim::trace::detail {

std::string quote(std::string_view token) {
  if (token.empty()) return "end of line";
  std::string s = "'";
  for (char c : token.substr(0, 40)) s += (c >= 32 && c < 127) ? c : '?';
  if (token.size() > 40) s += "...";
  return s + "'";
}

namespace {

[[noreturn]] __attribute__((cold, noinline)) void fail(const LineFormat& f, uint64_t line,
                                                       const std::string& what,
                                                       std::string_view found) {
  throw InputError(*f.file, line, "expected " + what + ", found " + quote(found));
}

// R0..R255 (R255 = RZ), UR0..UR63 (UR63 = URZ); the zero registers never create dependencies.
inline bool parse_register(std::string_view t, uint16_t& reg) {
  if (t.size() >= 2 && t[0] == 'R') {
    if (t == "RZ") {
      reg = kZeroReg;
      return true;
    }
    uint32_t n;
    if (!parse_uint(t.substr(1), n) || n > 255) return false;
    reg = static_cast<uint16_t>(n);
    return true;
  }
  if (t.size() >= 3 && t[0] == 'U' && t[1] == 'R') {
    if (t == "URZ") {
      reg = kZeroReg;
      return true;
    }
    uint32_t n;
    if (!parse_uint(t.substr(2), n) || n > 63) return false;
    reg = n == 63 ? kZeroReg : static_cast<uint16_t>(kUniformBase + n);
    return true;
  }
  return false;
}

}  // namespace

void parse_instruction_line(std::string_view line, uint64_t ln, const LineFormat& f,
                            OpcodeTable& table, Instruction& inst, std::vector<uint64_t>& addrs) {
  const char* p = line.data();
  const char* e = p + line.size();
  std::string_view t;
  if (f.lineinfo) {
    uint64_t src_line;
    t = next_token(p, e);
    if (!parse_uint(t, src_line)) fail(f, ln, "a decimal source line number (lineinfo)", t);
  }
  t = next_token(p, e);
  uint64_t pc;
  if (!parse_uint(t, pc, 16)) fail(f, ln, "a hexadecimal PC", t);
  if (pc > 0xFFFFFFFFull) fail(f, ln, "a PC that fits in 32 bits", t);
  inst.pc = static_cast<uint32_t>(pc);

  t = next_token(p, e);
  uint64_t mask;
  if (!parse_uint(t, mask, 16)) fail(f, ln, "a hexadecimal active mask", t);
  if (f.warp_size < 64 && (mask >> f.warp_size) != 0)
    fail(f, ln, "an active mask of at most " + std::to_string(f.warp_size) + " lanes", t);
  inst.active_mask = mask;

  t = next_token(p, e);
  uint32_t n;
  if (!parse_uint(t, n)) fail(f, ln, "the number of destination registers", t);
  if (n > kMaxDst) fail(f, ln, "at most " + std::to_string(kMaxDst) + " destination registers", t);
  inst.num_dst = static_cast<uint8_t>(n);
  for (uint32_t i = 0; i < n; ++i) {
    t = next_token(p, e);
    if (!parse_register(t, inst.dst[i]))
      fail(f, ln, "destination register " + std::to_string(i + 1) + " (R0..R255 or UR0..UR63)", t);
  }
  for (uint32_t i = n; i < kMaxDst; ++i) inst.dst[i] = 0;

  t = next_token(p, e);
  if (!is_valid_opcode(t)) fail(f, ln, "an opcode such as FFMA or LDG.E.128", t);
  inst.opcode = table.intern(t);
  const OpcodeInfo& info = table[inst.opcode];
  inst.op_class = info.op_class;
  inst.unit = info.unit;
  inst.space = info.space;

  t = next_token(p, e);
  if (!parse_uint(t, n)) fail(f, ln, "the number of source registers", t);
  if (n > kMaxSrc) fail(f, ln, "at most " + std::to_string(kMaxSrc) + " source registers", t);
  inst.num_src = static_cast<uint8_t>(n);
  for (uint32_t i = 0; i < n; ++i) {
    t = next_token(p, e);
    if (!parse_register(t, inst.src[i]))
      fail(f, ln, "source register " + std::to_string(i + 1) + " (R0..R255 or UR0..UR63)", t);
  }
  for (uint32_t i = n; i < kMaxSrc; ++i) inst.src[i] = 0;

  t = next_token(p, e);
  uint32_t width;
  if (!parse_uint(t, width)) fail(f, ln, "the memory width in bytes (0 if none)", t);
  if (width > 255) fail(f, ln, "a memory width of at most 255 bytes per lane", t);
  inst.mem_width = static_cast<uint8_t>(width);
  inst.addr_index = 0;  // only memory instructions own addresses
  if (width != 0) {
    inst.addr_index = static_cast<uint32_t>(addrs.size());
    const int lanes = std::popcount(mask);
    t = next_token(p, e);
    uint32_t mode;
    if (!parse_uint(t, mode) || mode > 2)
      fail(f, ln, "an address mode 0 (list), 1 (base+stride) or 2 (base+deltas)", t);
    if (mode == 0) {
      for (int i = 0; i < lanes; ++i) {
        t = next_token(p, e);
        uint64_t a;
        if (!parse_uint(t, a, 16))
          fail(f, ln,
               "hexadecimal address " + std::to_string(i + 1) + " of " + std::to_string(lanes) +
                   " (one per active lane)",
               t);
        addrs.push_back(a);
      }
    } else if (mode == 1) {
      uint64_t base;
      int64_t stride;
      t = next_token(p, e);
      if (!parse_uint(t, base, 16)) fail(f, ln, "a hexadecimal base address", t);
      t = next_token(p, e);
      if (!parse_int(t, stride)) fail(f, ln, "a decimal address stride", t);
      if (lanes > 0) {
        uint64_t run = mask >> std::countr_zero(mask);
        if ((run & (run + 1)) != 0)
          throw InputError(*f.file, ln,
                           "address mode 1 (base+stride) needs a contiguous run of active lanes, "
                           "but the active mask has gaps; use mode 0 or 2");
      }
      uint64_t a = base;
      for (int i = 0; i < lanes; ++i, a += static_cast<uint64_t>(stride)) addrs.push_back(a);
    } else {
      uint64_t a;
      t = next_token(p, e);
      if (!parse_uint(t, a, 16)) fail(f, ln, "a hexadecimal base address", t);
      if (lanes > 0) addrs.push_back(a);
      for (int i = 1; i < lanes; ++i) {
        int64_t d;
        t = next_token(p, e);
        if (!parse_int(t, d))
          fail(f, ln,
               "decimal address delta " + std::to_string(i) + " of " + std::to_string(lanes - 1) +
                   " (one per active lane after the first)",
               t);
        a += static_cast<uint64_t>(d);
        addrs.push_back(a);
      }
    }
  }

  inst.immediate = 0;
  if (f.tracer_version >= 5) {
    t = next_token(p, e);
    int64_t imm;
    if (!parse_int(t, imm) || imm < INT32_MIN || imm > int64_t{UINT32_MAX})
      fail(f, ln, "a decimal 32-bit immediate (tracer version 5 ends each line with one)", t);
    inst.immediate = static_cast<uint32_t>(imm);
  }
  t = next_token(p, e);
  if (!t.empty()) fail(f, ln, "end of line", t);
}

}  // namespace joulesim::trace::detail
