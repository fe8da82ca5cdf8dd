// The gemm generator: parameters, buffer allocation and the choice of code path per ISA.
#include "trace/gen/gemm.hpp"

#include "trace/gen/registry.hpp"

namespace joulesim::trace::gen::detail {

namespace {

uint32_t dtype_bits(const std::string& d) {
  if (d == "fp64") return 64;
  if (d == "tf32") return 32;
  if (d == "fp16" || d == "bf16") return 16;
  if (d == "fp4") return 4;
  return 8;  // fp8, int8
}

GenTrace make(const Params& p, Isa isa) {
  const std::string& dtype = p.text("dtype");
  GemmSetup s;
  s.m = static_cast<uint64_t>(p.integer("m"));
  s.n = static_cast<uint64_t>(p.integer("n"));
  s.k = static_cast<uint64_t>(p.integer("k"));
  s.sparse = p.integer("sparse") != 0;
  // Prefetch distance in k-tiles (1: double buffering, the default everywhere so that results
  // stay comparable); CDNA waits for the oldest k-tile's loads with a partial vmcnt.
  s.prefetch = static_cast<uint32_t>(p.integer("prefetch"));
  s.name = "joulesim_gemm_" + dtype + (s.sparse ? "_sp_" : "_") + std::to_string(s.m) + "x" +
           std::to_string(s.n) + "x" + std::to_string(s.k);
  const uint32_t bits = dtype_bits(dtype);
  const uint64_t acc_bytes = bits == 64 ? 8 : 4;
  DeviceHeap heap;
  const uint64_t a_bytes = s.m * s.k * bits / 8 / (s.sparse ? 2 : 1);
  const uint64_t b_bytes = s.k * s.n * bits / 8;
  s.a = heap.alloc(a_bytes);
  s.b = heap.alloc(b_bytes);
  s.c = heap.alloc(s.m * s.n * acc_bytes);
  if (s.sparse) s.meta = heap.alloc(s.m * s.k / 8);

  GenTrace t;
  std::shared_ptr<KernelProgram> kernel;
  if (isa_family(isa) == IsaFamily::kCdna) {
    kernel = make_mfma_gemm(isa, s, dtype, p);
  } else if (isa == Isa::kSm90 && dtype != "fp64") {
    kernel = make_wgmma_gemm(s, dtype, p);
  } else {
    kernel = make_mma_gemm(isa, s, dtype, p);
  }
  t.copies.push_back({s.a, a_bytes});
  t.copies.push_back({s.b, b_bytes});
  if (s.sparse) t.copies.push_back({s.meta, s.m * s.k / 8});
  t.kernels.push_back(std::move(kernel));
  return t;
}

}  // namespace

Entry gemm_entry() {
  return {
      {"gemm",
       "tiled tensor-core GEMM C = A * B (row-major; C in the accumulator type): "
       "global->registers->shared copy with prefetch, then HMMA/IMMA/DMMA (sm_70/80/100, fp64 on "
       "sm_90), HGMMA/QGMMA/IGMMA warpgroup MMA (sm_90) or MFMA (gfx90a, gfx942); "
       "tensor FLOPs = 2 m n k exactly",
       {int_param("m", 1024, 1, 1 << 20, "rows of A and C (multiple of the CTA tile)"),
        int_param("n", 1024, 1, 1 << 20, "columns of B and C (multiple of the CTA tile)"),
        int_param("k", 1024, 1, 1 << 20, "inner dimension (multiple of the k tile)"),
        choice_param("dtype", "fp16", {"fp16", "bf16", "tf32", "fp8", "int8", "fp4", "fp64"},
                     "input type; fp8/fp4 need sm_100 for warp MMA (fp8: also sm_90 "
                     "wgmma, gfx942)"),
        int_param("sparse", 0, 0, 1, "1: 2:4 structured-sparse A (.SP / v_smfmac)"),
        int_param("prefetch", 1, 1, 4,
                  "k-tiles of global loads in flight ahead of the shared-memory store, in "
                  "register staging sets (1: double buffering)")},
       {Isa::kSm80, Isa::kSm70, Isa::kSm90, Isa::kSm100, Isa::kGfx90a, Isa::kGfx942}},
      &make};
}

}  // namespace joulesim::trace::gen::detail
