#pragma once
// Helpers for the AMD (CDNA) timing tests: a wave64 test spec and hand-built CDNA kernels.
#include <cstdint>

#include "config/config.hpp"
#include "timing/timing_util.hpp"

namespace joulesim::timing_test {

inline constexpr uint64_t kAllLanes = ~0ull;
inline constexpr uint16_t kS = trace::kScalarBase;  ///< s0

/// s_waitcnt simm16 on gfx9: vmcnt in bits 3:0 and 15:14, expcnt 6:4, lgkmcnt 11:8 (AMD CDNA3 ISA
/// guide, SOPP S_WAITCNT). A counter left at its maximum (vmcnt 63, lgkmcnt 15) is not waited on.
inline uint32_t waitcnt(uint32_t vmcnt, uint32_t lgkmcnt) {
  return (vmcnt & 0xF) | ((vmcnt >> 4) << 14) | (7u << 4) | ((lgkmcnt & 0xF) << 8);
}

/// The Volta-like test spec turned into a CDNA-like CU: wave64, 4 SIMD16s, one scalar unit.
inline config::GpuSpec cdna_test_spec(uint32_t cus = 1) {
  config::GpuSpec s = test_spec(cus);
  s.vendor = "amd";
  s.isa = "cdna";
  s.core.warp_size = 64;
  s.core.max_warps_per_sm = 32;
  s.core.registers_per_sm = 131072;
  s.core.register_alloc_unit = 512;
  s.units.int_alu = {16, 4};
  s.units.fp32 = {16, 4};
  s.units.fp16 = {16, 4};
  s.units.fp64 = {16, 8};
  s.units.ldst = {16, 4};
  s.units.scalar = {1, 2};
  s.shared.latency = 64;
  return s;
}

/// A CDNA kernel (gfx90a or gfx942 opcode table) of @p ctas workgroups of @p waves wave64s.
inline trace::MemoryKernel make_cdna_kernel(uint32_t ctas, uint32_t waves, const WarpBody& body,
                                            uint32_t gfx = trace::kGfx942) {
  trace::MemoryKernel k;
  k.opcodes = std::make_shared<trace::OpcodeTable>(trace::IsaFamily::kCdna, gfx);
  k.info.name = "cdna_test_kernel";
  k.info.isa = trace::IsaFamily::kCdna;
  k.info.warp_size = 64;
  k.info.grid = {ctas, 1, 1};
  k.info.block = {waves * 64, 1, 1};
  k.info.regs_per_thread = 64;
  k.info.binary_version = gfx;
  add_ctas(k, ctas, waves, body);
  return k;
}

/// A repository config (configs/gpus/...), resolved with @p overrides.
inline config::GpuSpec repo_gpu(const std::string& name,
                                const std::vector<std::string>& overrides = {}) {
  return config::load_gpu(name, overrides).spec;
}

}  // namespace joulesim::timing_test
