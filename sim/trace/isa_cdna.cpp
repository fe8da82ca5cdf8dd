// AMD CDNA2 (gfx90a, MI200) and CDNA3 (gfx942, MI300) mnemonics for the native trace format.
// Source: AMD "Instinct MI200 (CDNA2) ISA Reference Guide" and "AMD Instinct MI300 (CDNA3) ISA
// Reference Guide" (instruction families, MFMA shapes and types; gfx940+ adds xf32, fp8/bf8 and
// sparse SMFMAC). Mnemonics are classified by family prefix and operand type suffix rather than by
// an exhaustive list, because the VALU encodes its type in the name (v_add_f32, v_add_u32, ...).
#include <string>
#include <vector>

#include "trace/isa_tables.hpp"

namespace joulesim::trace::detail {

namespace {
using C = OpClass;
using U = Unit;
using S = MemSpace;

bool contains(std::string_view s, std::string_view part) {
  return s.find(part) != std::string_view::npos;
}

std::vector<std::string_view> split_underscores(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t u = s.find('_', start);
    if (u == std::string_view::npos) u = s.size();
    out.push_back(s.substr(start, u - start));
    start = u + 1;
  }
  return out;
}

// v_mfma_<acc>_<M>x<N>x<K>[<type>] [_<type>...] and v_smfmac_... (2:4 sparse, gfx940+).
bool classify_mfma(OpcodeInfo& info, std::string_view name, uint32_t table) {
  bool sparse = name.starts_with("v_smfmac_");
  if (!sparse && !name.starts_with("v_mfma_")) return false;
  std::string_view rest = name.substr(sparse ? 9 : 7);
  auto parts = split_underscores(rest);
  if (parts.size() < 2) return true;  // malformed: left unknown
  // parts[0] is the accumulator type; parts[1] starts with the shape, maybe with the type glued.
  std::string_view shape = parts[1];
  size_t end = 0;
  int xs = 0;
  while (end < shape.size() && ((shape[end] >= '0' && shape[end] <= '9') || shape[end] == 'x')) {
    if (shape[end] == 'x') ++xs;
    ++end;
  }
  if (xs != 2 || !parse_mma_shape(shape.substr(0, end), info.mma_m, info.mma_n, info.mma_k)) {
    return true;
  }
  std::string types(shape.substr(end));
  for (size_t i = 2; i < parts.size(); ++i) types += "_" + std::string(parts[i]);
  TensorType t = TensorType::kNone;
  bool cdna3_only = sparse;
  if (contains(types, "fp8") || contains(types, "bf8")) {
    t = TensorType::kFp8;
    cdna3_only = true;
  } else if (contains(types, "xf32")) {
    t = TensorType::kTf32;
    cdna3_only = true;
  } else if (contains(types, "bf16")) {
    t = TensorType::kBf16;
  } else if (contains(types, "f16")) {
    t = TensorType::kFp16;
  } else if (contains(types, "i8")) {
    t = TensorType::kInt8;
  } else if (contains(types, "f64")) {
    t = TensorType::kFp64;
  } else if (contains(types, "f32")) {
    t = TensorType::kFp32;
  } else {
    return true;
  }
  // gfx940 replaced the i8 MFMAs 32x32x8 and 16x16x16 by 32x32x16 and 16x16x32.
  bool cdna2_only = false;
  if (t == TensorType::kInt8) {
    bool old_shape =
        (info.mma_m == 32 && info.mma_k == 8) || (info.mma_m == 16 && info.mma_k == 16);
    bool new_shape =
        (info.mma_m == 32 && info.mma_k == 16) || (info.mma_m == 16 && info.mma_k == 32);
    cdna2_only = old_shape;
    cdna3_only = cdna3_only || new_shape;
  }
  if ((cdna3_only && table < kGfx942) || (cdna2_only && table >= kGfx942)) {
    info.mma_m = info.mma_n = info.mma_k = 0;
    return true;
  }
  info.tensor_type = t;
  info.sparse = sparse;
  set_mfma_shape_info(info, t == TensorType::kBf16 && table < kGfx942 && !contains(types, "1k"),
                      table);
  info.op_class = C::kTensorMma;
  info.unit = U::kTensor;
  info.known = true;
  return true;
}

void set(OpcodeInfo& info, C c, U u, S s = S::kNone) {
  info.op_class = c;
  info.unit = u;
  info.space = s;
  info.known = true;
}

// Memory families: ds_ (LDS), global_, buffer_, flat_, scratch_, s_load/s_buffer_load/s_store.
bool classify_memory(OpcodeInfo& info, std::string_view n) {
  struct Family {
    std::string_view prefix;
    S space;
    U unit;
  };
  static constexpr Family kFamilies[] = {
      {"ds_", S::kShared, U::kLdSt},         {"global_", S::kGlobal, U::kLdSt},
      {"buffer_", S::kGlobal, U::kLdSt},     {"flat_", S::kGeneric, U::kLdSt},
      {"scratch_", S::kLocal, U::kLdSt},     {"s_buffer_", S::kConstant, U::kScalar},
      {"s_scratch_", S::kLocal, U::kScalar}, {"s_", S::kConstant, U::kScalar},
  };
  // Scalar memory: s_load_*, s_store_*, s_atomic_* (the plain s_ family keeps the whole name).
  if (n.starts_with("s_") && !n.starts_with("s_load_") && !n.starts_with("s_store_") &&
      !n.starts_with("s_atomic_") && !n.starts_with("s_buffer_") && !n.starts_with("s_scratch_"))
    return false;
  for (const Family& f : kFamilies) {
    if (!n.starts_with(f.prefix)) continue;
    std::string_view op = n.substr(f.prefix.size());
    if (f.prefix == "s_" && op.starts_with("atomic")) {
      set(info, C::kAtomic, U::kScalar, S::kGlobal);
      return true;
    }
    if (op.starts_with("load") || op.starts_with("read")) {
      set(info, C::kLoad, f.unit, f.space);
    } else if (op.starts_with("store") || op.starts_with("write")) {
      set(info, C::kStore, f.unit, f.space);
    } else if (op.starts_with("atomic") || op.starts_with("add") || op.starts_with("sub") ||
               op.starts_with("min") || op.starts_with("max") || op.starts_with("and") ||
               op.starts_with("or") || op.starts_with("xor") || op.starts_with("inc") ||
               op.starts_with("dec") || op.starts_with("cmpst") || op.starts_with("wrxchg") ||
               op.starts_with("rsub") || op.starts_with("mskor") || op.starts_with("cmpswap")) {
      set(info, C::kAtomic, f.unit, f.space);
    } else if (op.starts_with("swizzle") || op.starts_with("permute") ||
               op.starts_with("bpermute")) {
      set(info, C::kMove, U::kLdSt);  // cross-lane exchange through the LDS crossbar
    } else if (op.starts_with("wbinvl1") || op.starts_with("wbl2") || op.starts_with("inv") ||
               op.starts_with("gl0_inv") || op.starts_with("gl1_inv") || op == "nop") {
      set(info, C::kNop, U::kLdSt);  // cache maintenance
    } else {
      return true;  // e.g. ds_gws_*, ds_append: left unknown
    }
    return true;
  }
  return false;
}

void classify_scalar(OpcodeInfo& info, std::string_view n) {
  if (n == "s_endpgm" || n.starts_with("s_endpgm_")) return set(info, C::kExit, U::kSync);
  if (n == "s_barrier") return set(info, C::kBarrier, U::kSync);
  if (n == "s_waitcnt" || n.starts_with("s_waitcnt_") || n == "s_sleep" || n == "s_sethalt" ||
      n == "s_icache_inv" || n == "s_dcache_inv" || n == "s_dcache_wb")
    return set(info, C::kWarpSync, U::kSync);
  if (n == "s_nop" || n == "s_setprio" || n == "s_trap" || n == "s_ttracedata" ||
      n == "s_sendmsg" || n == "s_sendmsghalt" || n == "s_incperflevel" || n == "s_decperflevel" ||
      n == "s_code_end")
    return set(info, C::kNop, U::kScalar);
  if (n == "s_branch" || n.starts_with("s_cbranch_") || n.starts_with("s_setpc") ||
      n.starts_with("s_swappc") || n.starts_with("s_getpc") || n.starts_with("s_call") ||
      n.starts_with("s_rfe"))
    return set(info, C::kBranch, U::kBranch);
  if (n.starts_with("s_mov") || n.starts_with("s_cmov") || n.starts_with("s_movk") ||
      n.starts_with("s_getreg") || n.starts_with("s_setreg") || n.starts_with("s_memtime") ||
      n.starts_with("s_memrealtime"))
    return set(info, C::kMove, U::kScalar);
  return set(info, C::kScalarAlu, U::kScalar);
}

void classify_vector(OpcodeInfo& info, std::string_view n) {
  std::string_view op = n.substr(2);
  if (op == "nop") return set(info, C::kNop, U::kInt);
  if (op.starts_with("mov") || op.starts_with("readlane") || op.starts_with("readfirstlane") ||
      op.starts_with("writelane") || op.starts_with("accvgpr_") || op.starts_with("swap_") ||
      op.starts_with("perm_") || op.starts_with("cndmask"))
    return set(info, C::kMove, U::kInt);
  if (op.starts_with("cvt_") || op.starts_with("frexp") || op.starts_with("rndne") ||
      op.starts_with("trunc") || op.starts_with("ceil") || op.starts_with("floor") ||
      op.starts_with("fract"))
    return set(info, C::kConvert, contains(op, "f64") ? U::kFp64 : U::kInt);
  // Transcendentals run at quarter rate on the SIMD's transcendental path.
  for (std::string_view t : {"exp_", "log_", "rcp_", "rsq_", "sqrt_", "sin_", "cos_"}) {
    if (op.starts_with(t)) return set(info, C::kSfu, U::kSfu);
  }
  if (op.starts_with("dot")) {
    if (contains(op, "f32_f16") || contains(op, "f32_bf16") || contains(op, "f16_f16"))
      return set(info, C::kFp16, U::kFp16);
    return set(info, C::kIntDot, U::kInt);
  }
  bool fma = op.starts_with("fma") || op.starts_with("mad_f") || op.starts_with("mac_") ||
             op.starts_with("pk_fma") || op.starts_with("fmac") || op.starts_with("madak") ||
             op.starts_with("madmk") || op.starts_with("pk_mad_f") || op.starts_with("mad_legacy");
  bool mul = op.starts_with("mul_") || op.starts_with("pk_mul");
  if (contains(op, "f64")) return set(info, C::kFp64, U::kFp64);
  if (contains(op, "f16") || contains(op, "bf16")) return set(info, C::kFp16, U::kFp16);
  if (contains(op, "f32")) {
    if (fma) return set(info, C::kFp32Fma, U::kFp32);
    if (mul) return set(info, C::kFp32Mul, U::kFp32);
    return set(info, C::kFp32Add, U::kFp32);
  }
  if (op.starts_with("mul_lo") || op.starts_with("mul_hi") || op.starts_with("mad_u") ||
      op.starts_with("mad_i") || op.starts_with("mul_u32_u24") || op.starts_with("mul_i32_i24") ||
      op.starts_with("mul_hi_u32_u24") || op.starts_with("mul_hi_i32_i24") ||
      op.starts_with("pk_mul_lo") || op.starts_with("pk_mad_"))
    return set(info, C::kIntMul, U::kInt);
  return set(info, C::kIntAlu, U::kInt);
}

// Encoding suffixes do not change what an instruction does.
std::string_view strip_encoding(std::string_view n) {
  for (std::string_view suffix : {"_e32", "_e64", "_sdwa", "_dpp", "_vop3"})
    if (n.ends_with(suffix)) return n.substr(0, n.size() - suffix.size());
  return n;
}
}  // namespace

OpcodeInfo classify_cdna(std::string_view name, uint32_t table_version) {
  OpcodeInfo info;
  info.name = std::string(name);
  std::string_view n = strip_encoding(name);
  info.base = std::string(n);
  if (classify_mfma(info, n, table_version)) return info;
  if (classify_memory(info, n)) return info;
  if (n.starts_with("s_")) {
    classify_scalar(info, n);
  } else if (n.starts_with("v_")) {
    classify_vector(info, n);
  }
  return info;
}

}  // namespace joulesim::trace::detail
