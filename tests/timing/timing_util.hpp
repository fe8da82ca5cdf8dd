#pragma once
// Helpers for the first-principles timing tests: small GPU specs and hand-built kernels.
#include <functional>
#include <string>
#include <vector>

#include "config/gpu_spec.hpp"
#include "gpu/gpu.hpp"
#include "trace/memory_source.hpp"

namespace joulesim::timing_test {

using trace::kZeroReg;
inline constexpr uint64_t kFull = 0xFFFFFFFFull;

/// A Volta-like spec with @p sms SMs; every number the tests use is set here explicitly.
inline config::GpuSpec test_spec(uint32_t sms = 1) {
  config::GpuSpec s;
  s.name = "test";
  s.core.sm_count = sms;
  s.core.subcores_per_sm = 4;
  s.core.warp_size = 32;
  s.core.max_warps_per_sm = 64;
  s.core.max_ctas_per_sm = 32;
  s.core.registers_per_sm = 65536;
  s.core.register_alloc_unit = 256;
  s.core.issue_width = 1;
  s.core.rf_banks = 2;
  s.core.scheduler = "gto";
  s.units.fp32 = {16, 4};
  s.units.int_alu = {16, 4};
  s.units.fp16 = {16, 6};
  s.units.fp64 = {8, 8};
  s.units.sfu = {4, 21};
  s.units.ldst = {16, 4};
  s.tensor.dense_flops_per_clk[static_cast<size_t>(trace::TensorType::kFp16)] = 1024;
  s.tensor.mma_latency = 16;
  s.shared.latency = 19;
  s.clocks.core_mhz = 1000;  // 1 ns per cycle
  return s;
}

/// An H100-like SM (per the Hopper whitepaper: 1024 dense FP16/BF16 FMA per clock per SM).
inline config::GpuSpec h100_like_spec(uint32_t sms = 1) {
  config::GpuSpec s = test_spec(sms);
  s.units.fp32 = {32, 4};
  auto& r = s.tensor.dense_flops_per_clk;
  r[static_cast<size_t>(trace::TensorType::kFp16)] = 4096;
  r[static_cast<size_t>(trace::TensorType::kBf16)] = 4096;
  r[static_cast<size_t>(trace::TensorType::kFp8)] = 8192;
  r[static_cast<size_t>(trace::TensorType::kInt8)] = 8192;
  s.tensor.gmma_latency = 0;
  return s;
}

using WarpBody =
    std::function<void(trace::MemoryKernel&, trace::WarpTrace&, uint32_t cta, uint32_t warp)>;

/// Appends @p ctas CTAs of @p warps warps to @p k; @p body fills every warp.
inline void add_ctas(trace::MemoryKernel& k, uint32_t ctas, uint32_t warps, const WarpBody& body) {
  for (uint32_t c = 0; c < ctas; ++c) {
    trace::CtaTrace cta;
    cta.id = {c, 0, 0};
    for (uint32_t w = 0; w < warps; ++w) {
      trace::WarpTrace wt;
      wt.warp_in_cta = w;
      body(k, wt, c, w);
      cta.warps.push_back(std::move(wt));
    }
    k.ctas.push_back(std::move(cta));
  }
}

/// A kernel of @p ctas CTAs of @p warps warps each; @p body fills every warp (EXIT not added).
inline trace::MemoryKernel make_kernel(uint32_t ctas, uint32_t warps, const WarpBody& body,
                                       uint32_t regs = 32, uint32_t shmem = 0,
                                       uint32_t binary_version = 80) {
  trace::MemoryKernel k;
  k.opcodes = std::make_shared<trace::OpcodeTable>(trace::IsaFamily::kSass, binary_version);
  k.info.name = "test_kernel";
  k.info.grid = {ctas, 1, 1};
  k.info.block = {warps * 32, 1, 1};
  k.info.regs_per_thread = regs;
  k.info.shmem_bytes = shmem;
  k.info.binary_version = binary_version;
  add_ctas(k, ctas, warps, body);
  return k;
}

inline report::RunResult run(const config::GpuSpec& spec, std::vector<trace::MemoryKernel> kernels,
                             const gpu::SimOptions& opt = {}) {
  trace::MemoryTraceSource src;
  for (auto& k : kernels) src.add_kernel(std::move(k));
  return gpu::simulate(spec, src, opt);
}

inline report::RunResult run(const config::GpuSpec& spec, trace::MemoryKernel kernel,
                             const gpu::SimOptions& opt = {}) {
  trace::MemoryTraceSource src;
  src.add_kernel(std::move(kernel));
  return gpu::simulate(spec, src, opt);
}

inline uint64_t cycles_of(const config::GpuSpec& spec, trace::MemoryKernel k) {
  auto r = run(spec, std::move(k));
  return r.kernels.at(0).cycles;
}

}  // namespace joulesim::timing_test
