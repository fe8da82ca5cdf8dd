// tcgen05.mma instruction descriptors: the 32-bit value (a uniform register in SASS) that gives a
// 5th-generation tensor-core MMA its shape and formats. Field positions from the PTX ISA
// ("tcgen05 Instruction descriptor" table, the layout CUTLASS's UMMA::InstrDescriptor mirrors):
//   bit 2 sparsity, bits 4-5 D format (1: F32, 2: S32), bits 7-9 A format, bits 10-12 B format,
//   bits 17-22 N >> 3, bits 24-28 M >> 4.
// The kind (and so K and the data rate) is the opcode's: UTCHMMA .kind::f16 / tf32 (A format 0
// f16, 1 bf16, 2 tf32), UTCQMMA .kind::f8f6f4 (fp4/fp6 operands sit in 8-bit containers and run
// at the fp8 rate), UTCIMMA .kind::i8, UTCOMMA .kind::mxf4 (block-scaled fp4).
#include "trace/trace.hpp"

namespace joulesim::trace {

namespace {
constexpr uint32_t kSparseBit = 1u << 2;
constexpr uint32_t field(uint32_t v, int lo, int bits) { return (v >> lo) & ((1u << bits) - 1); }

bool shape_ok(uint32_t m, uint32_t n) {
  // cta_group::1 shapes (M = 256 needs the CTA pair, .2CTA, which is not modelled).
  if (m == 64) return n >= 8 && n <= 256 && n % 8 == 0;
  if (m == 128) return n >= 16 && n <= 256 && n % 16 == 0;
  return false;
}
}  // namespace

TcShape decode_tc_idesc(TensorType base, uint32_t idesc) {
  TcShape s;
  const uint32_t m = field(idesc, 24, 5) << 4, n = field(idesc, 17, 6) << 3;
  if (!shape_ok(m, n)) return s;
  switch (base) {
    case TensorType::kFp16: {
      const uint32_t a = field(idesc, 7, 3);
      if (a > 2) return s;
      s.type = a == 0 ? TensorType::kFp16 : a == 1 ? TensorType::kBf16 : TensorType::kTf32;
      s.bits = a == 2 ? 32 : 16;
      break;
    }
    case TensorType::kFp8:
      s.type = TensorType::kFp8;
      s.bits = 8;
      break;
    case TensorType::kInt8:
      s.type = TensorType::kInt8;
      s.bits = 8;
      break;
    case TensorType::kFp4:
      s.type = TensorType::kFp4;
      s.bits = 4;
      break;
    default:
      return s;
  }
  s.sparse = (idesc & kSparseBit) != 0;
  s.m = m;
  s.n = n;
  s.k = (256 / s.bits) * (s.sparse ? 2 : 1);
  return s;
}

uint32_t encode_tc_idesc(TensorType type, uint32_t m, uint32_t n, bool sparse) {
  uint32_t a = 0, d = 1;  // F32 accumulator
  if (type == TensorType::kBf16) a = 1;
  if (type == TensorType::kTf32) a = 2;
  if (type == TensorType::kInt8) a = 1, d = 2;  // signed 8-bit, S32 accumulator
  if (type == TensorType::kFp4) a = 1;          // E2M1 in the mxf4 format encoding
  return (sparse ? kSparseBit : 0) | d << 4 | a << 7 | a << 10 | (n >> 3) << 17 | (m >> 4) << 24;
}

}  // namespace joulesim::trace
