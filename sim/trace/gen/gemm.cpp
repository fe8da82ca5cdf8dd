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
  // auto: Volta's register pipeline loads two k-tiles ahead (a quarter of v100 in steady state:
  // 96.1% of peak, 86.5% with 1: one k-tile of MMAs does not cover the L2 latency under a full
  // chip's load); 1 elsewhere.
  if (s.prefetch == 0) s.prefetch = isa == Isa::kSm70 ? 2 : 1;
  // The copy pipeline: "auto" is what each architecture's fast GEMMs use.
  const std::string& copy = p.text("copy");
  // sm_100: tcgen05 (accumulators in Tensor Memory) unless asked for warp MMA (mma.sync), which
  // also serves fp64 and 2:4 sparse.
  const std::string& mma = p.text("mma");
  if (mma == "tcgen05" && isa != Isa::kSm100) fail(p, "mma=tcgen05 needs sm_100");
  if (mma == "warp" && isa == Isa::kSm90 && dtype != "fp64")
    fail(p, "mma=warp is not generated on sm_90 (its GEMM uses wgmma); use sm_80 or sm_100");
  const bool tcgen05 =
      isa == Isa::kSm100 && (mma == "tcgen05" || (mma == "auto" && dtype != "fp64" && !s.sparse));
  if (tcgen05 && copy != "auto" && copy != "tma") fail(p, "mma=tcgen05 copies with TMA (copy=tma)");
  if (!tcgen05 && p.integer("tile_m") != 0) fail(p, "tile_m applies to mma=tcgen05 only");
  if (tcgen05 && p.integer("prefetch") > 1)
    fail(p, "prefetch > 1 applies to copy=registers only (mma=tcgen05 uses TMA stages)");
  const bool wgmma = isa == Isa::kSm90 && dtype != "fp64";
  const bool cp_ok = isa == Isa::kSm80 || isa == Isa::kSm90 || isa == Isa::kSm100;
  const bool tma_ok = isa == Isa::kSm90 || isa == Isa::kSm100;
  using Copy = GemmSetup::Copy;
  if (copy == "auto") {
    // (sm_80 has no SYNCS mbarrier SASS in the ISA tables: its pipeline uses CTA barriers.)
    s.copy = wgmma               ? Copy::kTma
             : isa == Isa::kSm80 ? Copy::kCpAsync
             : cp_ok             ? Copy::kCpAsyncWs
                                 : Copy::kRegisters;
    if (s.prefetch > 1) s.copy = Copy::kRegisters;  // prefetch is the register pipeline's knob
  } else if (copy == "cp_async") {
    if (!cp_ok) fail(p, "copy=cp_async needs sm_80, sm_90 or sm_100 (LDGSTS)");
    s.copy = Copy::kCpAsync;
  } else if (copy == "cp_async_ws") {
    if (!tma_ok) fail(p, "copy=cp_async_ws needs sm_90 or sm_100 (SYNCS mbarrier waits)");
    s.copy = Copy::kCpAsyncWs;
  } else if (copy == "tma") {
    if (!tma_ok) fail(p, "copy=tma needs sm_90 or sm_100 (UTMALDG)");
    s.copy = Copy::kTma;
  }
  if (s.copy != Copy::kRegisters && s.prefetch > 1) {
    fail(p, "prefetch > 1 applies to copy=registers only (cp_async and tma use stages)");
  }
  // Thread-block clusters with TMA multicast (sm_90 TMA only); auto is resolved by the path.
  const std::string& cluster = p.text("cluster");
  if (cluster == "auto") {
    const bool tma_wgmma = isa == Isa::kSm90 && s.copy == Copy::kTma && wgmma;
    s.cluster_m = s.cluster_n = tma_wgmma ? 0 : 1;
  } else {
    s.cluster_m = cluster == "2x1" ? 2 : 1;
    s.cluster_n = cluster == "1x2" ? 2 : 1;
    if (cluster != "1x1" && !(isa == Isa::kSm90 && s.copy == Copy::kTma && wgmma))
      fail(p, "cluster=" + cluster + " needs the sm_90 warpgroup-MMA GEMM with copy=tma");
  }
  s.stages = static_cast<uint32_t>(p.integer("stages"));
  // auto: what fits next to the 128 x 256 x 64 tiles (48 KB per stage): 3 in sm_80's 164 KB of
  // shared memory, 4 in the 227 KB of sm_90 and sm_100.
  if (s.stages == 0) s.stages = isa == Isa::kSm80 ? 3 : 4;
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
  } else if (tcgen05) {
    s.copy = GemmSetup::Copy::kTma;
    kernel = make_tcgen05_gemm(s, dtype, p);
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
       "multistage TMA / cp.async or register-staged global->shared copy, then HMMA/IMMA/DMMA "
       "(sm_70/80, sm_100 mma=warp, fp64 on "
       "sm_90), HGMMA/QGMMA/IGMMA warpgroup MMA (sm_90), UTC*MMA tcgen05 (sm_100) or MFMA "
       "(gfx90a, gfx942); "
       "tensor FLOPs = 2 m n k exactly",
       {int_param("m", 1024, 1, 1 << 20, "rows of A and C (multiple of the CTA tile)"),
        int_param("n", 1024, 1, 1 << 20, "columns of B and C (multiple of the CTA tile)"),
        int_param("k", 1024, 1, 1 << 20, "inner dimension (multiple of the k tile)"),
        choice_param("dtype", "fp16", {"fp16", "bf16", "tf32", "fp8", "int8", "fp4", "fp64"},
                     "input type; fp8/fp4 need sm_100 for warp MMA (fp8: also sm_90 "
                     "wgmma, gfx942)"),
        int_param("sparse", 0, 0, 1, "1: 2:4 structured-sparse A (.SP / v_smfmac)"),
        int_param("prefetch", 0, 0, 4,
                  "copy=registers: k-tiles of global loads in flight ahead of the shared-memory "
                  "store, in register staging sets (1: double buffering; 0: 2 on sm_70, else 1)"),
        choice_param(
            "copy", "auto", {"auto", "registers", "cp_async", "cp_async_ws", "tma"},
            "global -> shared copy: LDG+STS through registers, cp.async (LDGSTS, "
            "sm_80+; _ws: by a producer warp, signalled on mbarriers) or TMA bulk copies on "
            "mbarriers with a producer warp (sm_90+); "
            "auto: tma for sm_90 warpgroup MMA, cp_async on sm_80, cp_async_ws on sm_100 and "
            "sm_90 DMMA, "
            "registers on sm_70 and CDNA (and whenever prefetch > 1)"),
        choice_param("mma", "auto", {"auto", "tcgen05", "warp"},
                     "sm_100 tensor instructions: tcgen05 (UTC*MMA into Tensor Memory, one "
                     "issuing thread, TMA producer and epilogue warps) or warp (HMMA/QMMA/OMMA "
                     "mma.sync, the pre-Blackwell form); auto: tcgen05 except fp64 and sparse"),
        int_param("tile_m", 0, 0, 256,
                  "mma=tcgen05: CTA tile rows, 128 or 256 (two M=128 MMAs per k-step into 512 "
                  "TMEM columns, halving the B traffic per FLOP); 0: 256 when m is a multiple of "
                  "256, else 128"),
        choice_param("cluster", "auto", {"auto", "1x1", "2x1", "1x2"},
                     "thread-block cluster of the sm_90 TMA GEMM, M x N CTAs: 2x1 shares (TMA-"
                     "multicasts) the B tile between two CTAs along M, 1x2 the A tile along N; "
                     "auto: 2x1 when the M tiles pair up (B is the larger tile, so this halves "
                     "more L2 traffic), else 1x1 (no cluster)"),
        int_param("stages", 0, 0, 8,
                  "shared-memory buffers of the cp_async and tma pipelines (0: 3 on sm_80, 4 "
                  "on sm_90 and sm_100; cp_async needs 3 or more to double-buffer fragments)")},
       {Isa::kSm80, Isa::kSm70, Isa::kSm90, Isa::kSm100, Isa::kGfx90a, Isa::kGfx942}},
      &make};
}

}  // namespace joulesim::trace::gen::detail
