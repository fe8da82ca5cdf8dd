// Warpgroup tensor-core (wgmma, sm_90a) throughput and per-instruction cycles
// (ubench.throughput op=wgmma.f16|wgmma.bf16|wgmma.fp8): m64n256k16 for f16/bf16 and m64n256k32 for
// e4m3, both operands from shared memory through matrix descriptors, f32 accumulators in 128
// registers per thread. This file is compiled for sm_90a only; elsewhere it reports "skipped".
//
// Shared-memory layout (K-major, no swizzle): an 8-row x 16-byte core matrix is 128 contiguous
// bytes; core matrices adjacent along K are kLbo bytes apart, along M/N kSbo bytes apart. Operands
// are exactly representable (7 significant bits for f16/bf16, 3 for e4m3, accumulator start values
// on the same grid), steps alternate B and -B, and one +B step follows the loop: every accumulator
// must end at D0 + A*B (or D0 + 2*A*B after an odd number of loop steps).
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_fp8.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "common.hpp"

namespace capture {

#if defined(CAPTURE_HAVE_SM90A)

namespace {

enum Kind { kF16, kBf16, kE4m3 };
constexpr int kLbo = 128, kSbo = 256, kTable = 4096;
constexpr int kTileA = 64 * 32, kTileB = 256 * 32;  // bytes: 32 bytes of K per row
constexpr int kSmemBytes = kTileA + 2 * kTileB;

// The 128 accumulator registers of one thread as inline-asm operands %0..%127.
#define D8(i)                                                                                 \
  "+f"(d[i]), "+f"(d[i + 1]), "+f"(d[i + 2]), "+f"(d[i + 3]), "+f"(d[i + 4]), "+f"(d[i + 5]), \
      "+f"(d[i + 6]), "+f"(d[i + 7])
#define D128                                                                                    \
  D8(0), D8(8), D8(16), D8(24), D8(32), D8(40), D8(48), D8(56), D8(64), D8(72), D8(80), D8(88), \
      D8(96), D8(104), D8(112), D8(120)
#define DREGS                                                                                      \
  "{"                                                                                              \
  "%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, "                         \
  "%16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31, "               \
  "%32, %33, %34, %35, %36, %37, %38, %39, %40, %41, %42, %43, %44, %45, %46, %47, "               \
  "%48, %49, %50, %51, %52, %53, %54, %55, %56, %57, %58, %59, %60, %61, %62, %63, "               \
  "%64, %65, %66, %67, %68, %69, %70, %71, %72, %73, %74, %75, %76, %77, %78, %79, "               \
  "%80, %81, %82, %83, %84, %85, %86, %87, %88, %89, %90, %91, %92, %93, %94, %95, "               \
  "%96, %97, %98, %99, %100, %101, %102, %103, %104, %105, %106, %107, %108, %109, %110, %111, "   \
  "%112, %113, %114, %115, %116, %117, %118, %119, %120, %121, %122, %123, %124, %125, %126, %127" \
  "}"

__device__ __forceinline__ uint64_t desc(const void* smem, int lbo, int sbo) {
  const uint32_t a = static_cast<uint32_t>(__cvta_generic_to_shared(smem));
  // bits 0-13 start address >> 4, 16-29 leading byte offset >> 4, 32-45 stride byte offset >> 4,
  // 62-63 swizzle mode (0: none)
  return (uint64_t{(a & 0x3FFFF) >> 4}) |
         (uint64_t{(static_cast<uint32_t>(lbo) >> 4) & 0x3FFF} << 16) |
         (uint64_t{(static_cast<uint32_t>(sbo) >> 4) & 0x3FFF} << 32);
}

template <int K>
__device__ __forceinline__ void wgmma(float (&d)[128], uint64_t da, uint64_t db) {
  if constexpr (K == kF16) {
    asm volatile(
        "{\n.reg .pred p;\nsetp.ne.b32 p, %130, 0;\n"
        "wgmma.mma_async.sync.aligned.m64n256k16.f32.f16.f16 " DREGS
        ", %128, %129, p, 1, 1, 0, 0;\n}\n"
        : D128
        : "l"(da), "l"(db), "r"(1));
  } else if constexpr (K == kBf16) {
    asm volatile(
        "{\n.reg .pred p;\nsetp.ne.b32 p, %130, 0;\n"
        "wgmma.mma_async.sync.aligned.m64n256k16.f32.bf16.bf16 " DREGS
        ", %128, %129, p, 1, 1, 0, 0;\n}\n"
        : D128
        : "l"(da), "l"(db), "r"(1));
  } else {
    asm volatile(
        "{\n.reg .pred p;\nsetp.ne.b32 p, %130, 0;\n"
        "wgmma.mma_async.sync.aligned.m64n256k32.f32.e4m3.e4m3 " DREGS ", %128, %129, p, 1, 1;\n}\n"
        : D128
        : "l"(da), "l"(db), "r"(1));
  }
}

// Keeps the compiler from moving accumulator reads or writes across the async boundary.
__device__ __forceinline__ void fence_regs(float (&d)[128]) {
#pragma unroll
  for (int i = 0; i < 128; ++i) asm volatile("" : "+f"(d[i])::"memory");
}
__device__ __forceinline__ void wg_fence() {
  asm volatile("wgmma.fence.sync.aligned;\n" ::: "memory");
}
__device__ __forceinline__ void wg_commit() {
  asm volatile("wgmma.commit_group.sync.aligned;\n" ::: "memory");
}
__device__ __forceinline__ void wg_wait0() {
  asm volatile("wgmma.wait_group.sync.aligned 0;\n" ::: "memory");
}

// tiles: A | B | -B (kSmemBytes, already in the core-matrix layout); tab: accumulator starts.
template <int K, int UNROLL>
__global__ void __launch_bounds__(256, 1)
    wgmma_kernel(const uint4* tiles, const float* tab, float* out, long long* cyc, long iters,
                 int swap) {
  __shared__ alignas(1024) unsigned char smem[kSmemBytes];
  for (int i = threadIdx.x; i < kSmemBytes / 16; i += blockDim.x) {
    reinterpret_cast<uint4*>(smem)[i] = tiles[i];
  }
  // generic-proxy stores must be visible to the async proxy that wgmma reads through
  asm volatile("fence.proxy.async.shared::cta;\n" ::: "memory");
  __syncthreads();
  const int lbo = swap ? kSbo : kLbo, sbo = swap ? kLbo : kSbo;
  const uint64_t da = desc(smem, lbo, sbo), dbp = desc(smem + kTileA, lbo, sbo),
                 dbn = desc(smem + kTileA + kTileB, lbo, sbo);
  const long gt = blockIdx.x * 1L * blockDim.x + threadIdx.x;
  float d[128];
#pragma unroll
  for (int i = 0; i < 128; ++i) d[i] = tab[(gt * 128 + i) % kTable];
  __syncthreads();
  const long long c0 = clock64();
  for (long it = 0; it < iters; ++it) {
    fence_regs(d);
    wg_fence();
#pragma unroll
    for (int u = 0; u < UNROLL; ++u) wgmma<K>(d, da, ((it * UNROLL + u) & 1) ? dbn : dbp);
    wg_commit();
    wg_wait0();
    fence_regs(d);
  }
  __syncthreads();
  const long long c1 = clock64();
  wg_fence();
  wgmma<K>(d, da, dbp);
  wg_commit();
  wg_wait0();
  fence_regs(d);
#pragma unroll
  for (int i = 0; i < 128; ++i) out[gt * 128 + i] = d[i];
  if (threadIdx.x == 0) cyc[blockIdx.x] = c1 - c0;
}

struct Operands {
  std::vector<double> A, B;    // A: 64 x k, B: k x 256 (row = k)
  std::vector<uint8_t> tiles;  // kSmemBytes
  std::vector<float> tab;
  int k = 16;
};

// Byte offset of (row, k-byte) in the K-major, no-swizzle layout.
size_t offset(int row, int kbyte) {
  return static_cast<size_t>(row / 8) * kSbo + (kbyte / 16) * kLbo + (row % 8) * 16 + kbyte % 16;
}

Operands make_operands(Kind kind, uint64_t seed) {
  Operands o;
  o.k = kind == kE4m3 ? 32 : 16;
  const int esz = kind == kE4m3 ? 1 : 2;
  o.A.resize(64 * o.k);
  o.B.resize(o.k * 256);
  auto value = [&]() {
    // f16/bf16: +-[64,128) / 128 (7 significant bits); e4m3: +-[4,8) / 8 (3 significant bits)
    const bool e4 = kind == kE4m3;
    const double m = e4 ? 4 + static_cast<double>(splitmix64(seed) % 4)
                        : 64 + static_cast<double>(splitmix64(seed) % 64);
    return (splitmix64(seed) & 1 ? -m : m) / (e4 ? 8.0 : 128.0);
  };
  for (double& v : o.A) v = value();
  for (double& v : o.B) v = value();
  o.tiles.assign(kSmemBytes, 0);
  auto put = [&](size_t base, int row, int k, double v) {
    uint8_t bytes[2];
    if (kind == kF16) {
      __half h = __double2half(v);
      std::memcpy(bytes, &h, 2);
    } else if (kind == kBf16) {
      __nv_bfloat16 h = __double2bfloat16(v);
      std::memcpy(bytes, &h, 2);
    } else {
      __nv_fp8_e4m3 h(static_cast<float>(v));
      std::memcpy(bytes, &h, 1);
    }
    std::memcpy(&o.tiles[base + offset(row, k * esz)], bytes, esz);
  };
  for (int m = 0; m < 64; ++m)
    for (int k = 0; k < o.k; ++k) put(0, m, k, o.A[m * o.k + k]);
  for (int n = 0; n < 256; ++n) {
    for (int k = 0; k < o.k; ++k) {
      put(kTileA, n, k, o.B[k * 256 + n]);
      put(kTileA + kTileB, n, k, -o.B[k * 256 + n]);
    }
  }
  o.tab.resize(kTable);
  // start values on the products' grid: 2^-14 (f16/bf16, |D0| < 32) or 2^-6 (e4m3, |D0| < 32)
  const double unit = kind == kE4m3 ? 1.0 / 64 : 1.0 / 16384;
  const int64_t span = kind == kE4m3 ? (1 << 12) : (1 << 20);
  for (float& v : o.tab) {
    v = static_cast<float>(
        static_cast<double>(static_cast<int64_t>(splitmix64(seed) % span) - span / 2) * unit);
  }
  return o;
}

struct Device {
  uint4* tiles;
  float *tab, *out;
  long long* cyc;
  size_t nout;
};

Device upload(const Operands& o, size_t threads_total) {
  Device d;
  d.nout = threads_total * 128;
  CK(cudaMalloc(&d.tiles, kSmemBytes));
  CK(cudaMalloc(&d.tab, kTable * sizeof(float)));
  CK(cudaMalloc(&d.out, d.nout * sizeof(float)));
  CK(cudaMalloc(&d.cyc, 1024 * sizeof(long long)));
  CK(cudaMemcpy(d.tiles, o.tiles.data(), kSmemBytes, cudaMemcpyHostToDevice));
  CK(cudaMemcpy(d.tab, o.tab.data(), kTable * sizeof(float), cudaMemcpyHostToDevice));
  return d;
}
void release(Device& d) {
  CK(cudaFree(d.tiles));
  CK(cudaFree(d.tab));
  CK(cudaFree(d.out));
  CK(cudaFree(d.cyc));
}

// Compares every accumulator with D0 + mult * A*B (host, double). Returns mismatches beyond a
// relative 1e-4 (exact is expected; the slack admits reduced-precision accumulation), and counts
// inexact ones.
size_t verify(const Operands& o, const std::vector<float>& out, int threads_per_cta, double mult,
              size_t& inexact, double& max_rel) {
  std::vector<double> P(64 * 256, 0.0);
  for (int m = 0; m < 64; ++m)
    for (int k = 0; k < o.k; ++k) {
      const double a = o.A[m * o.k + k];
      for (int n = 0; n < 256; ++n) P[m * 256 + n] += a * o.B[k * 256 + n];
    }
  size_t bad = 0;
  inexact = 0;
  max_rel = 0;
  for (size_t gt = 0; gt < out.size() / 128; ++gt) {
    const int tid = static_cast<int>(gt % threads_per_cta) % 128;
    const int w = tid / 32, lane = tid % 32, g = lane / 4, t = lane % 4;
    for (int r = 0; r < 128; ++r) {
      // accumulator fragment: n8 block r / 4; (row g | g + 8, column 2t | 2t + 1)
      const int row = 16 * w + g + ((r % 4) >= 2 ? 8 : 0), col = 8 * (r / 4) + 2 * t + (r & 1);
      const double want =
          static_cast<double>(o.tab[(gt * 128 + r) % kTable]) + mult * P[row * 256 + col];
      const double got = out[gt * 128 + r];
      const double rel = std::fabs(got - want) / std::max(1.0, std::fabs(want));
      if (got != static_cast<float>(want)) ++inexact;
      max_rel = std::max(max_rel, rel);
      if (!(rel <= 1e-4)) ++bad;
    }
  }
  return bad;
}

template <int K, int U>
void launch(const Device& d, int ctas, int threads, long iters, int swap) {
  wgmma_kernel<K, U><<<ctas, threads>>>(d.tiles, d.tab, d.out, d.cyc, iters, swap);
}

template <int K>
void run_kind(Context& ctx, const char* name, Kind kind, uint64_t seed) {
  const Operands o = make_operands(kind, seed);
  const double ops = 2.0 * 64 * 256 * o.k;
  const int sms = ctx.prop.multiProcessorCount;
  Device dev = upload(o, static_cast<size_t>(sms) * 256);
  std::vector<float> out;
  auto fetch = [&](size_t n) {
    out.resize(n);
    CK(cudaMemcpy(out.data(), dev.out, n * sizeof(float), cudaMemcpyDeviceToHost));
  };
  // 1. Layout self-check: one warpgroup, 3 loop steps, with the descriptor offsets as the PTX ISA
  //    names them and, should that fail, swapped (reported).
  int swap = 0;
  size_t bad = 0, inexact = 0;
  double max_rel = 0;
  for (swap = 0; swap < 2; ++swap) {
    poison(dev.out, 128 * 128 * sizeof(float));
    launch<K, 1>(dev, 1, 128, 3, swap);
    CK_LAUNCH();
    CK(cudaDeviceSynchronize());
    fetch(128 * 128);
    bad = verify(o, out, 128, 2.0, inexact, max_rel);
    if (bad == 0) break;
  }
  if (swap == 2) swap = 0;
  const std::string layout_note =
      bad == 0 ? std::string(swap ? "descriptor LBO/SBO swapped; " : "") : "layout check FAILED; ";
  // 2. One warpgroup on one SM: unroll 1 (each wgmma waited for: latency) and unroll 4.
  const long it1 = ctx.opt.quick ? 200 : 20000;
  for (int unroll : {1, 4}) {
    auto go = [&](long iters) {
      if (unroll == 1)
        launch<K, 1>(dev, 1, 128, iters, swap);
      else
        launch<K, 4>(dev, 1, 128, iters, swap);
      CK_LAUNCH();
      CK(cudaDeviceSynchronize());
    };
    go(it1 / 10);
    poison(dev.out, 128 * 128 * sizeof(float));
    go(it1);
    long long cyc = 0;
    CK(cudaMemcpy(&cyc, dev.cyc, sizeof cyc, cudaMemcpyDeviceToHost));
    fetch(128 * 128);
    const double mult = ((it1 * unroll) % 2) ? 2.0 : 1.0;
    const size_t b = verify(o, out, 128, mult, inexact, max_rel);
    Case c;
    c.id = std::string("wgmma.") +
           (kind == kF16    ? "f16"
            : kind == kBf16 ? "bf16"
                            : "fp8") +
           (unroll == 1 ? ".single_wg_latency" : ".single_wg_pipelined");
    c.group = unroll == 1 ? "latency" : "throughput";
    c.metric = unroll == 1 ? "cycles_per_wgmma_waited" : "cycles_per_wgmma_pipelined";
    c.unit = "cycles";
    c.generator = "ubench.throughput";
    c.params = {P("op", name), P("warps_per_sm", 4), P("iters", static_cast<double>(it1)),
                P("sms", 1),   P("chains", 1),       P("unroll", unroll)};
    c.value = static_cast<double>(cyc) / (static_cast<double>(it1) * unroll);
    c.tolerance_pct = 10;
    c.checked = b == 0;
    c.check = layout_note +
              (b == 0 ? "every accumulator equals D0 + A*B (host)"
                      : std::to_string(b) + " accumulators differ from D0 + A*B") +
              "; inexact " + std::to_string(inexact) + ", max rel err " + std::to_string(max_rel);
    c.extra = {{"cycles_total", static_cast<double>(cyc)}, {"flops_per_inst", ops}};
    ctx.add(std::move(c));
  }
  // 3. Full GPU: one CTA per SM, two warpgroups each, unroll 4, under the power sampler.
  const int threads = 256;
  const long probe = ctx.opt.quick ? 16 : 256;
  launch<K, 4>(dev, sms, threads, probe, swap);
  CK_LAUNCH();
  CK(cudaDeviceSynchronize());
  const double p0 = now_s();
  launch<K, 4>(dev, sms, threads, probe, swap);
  CK_LAUNCH();
  CK(cudaDeviceSynchronize());
  const long iters = scale_iters(probe, now_s() - p0, ctx.opt.quick ? 0.002 : 0.02, probe,
                                 ctx.opt.quick ? 2000 : 1000000);
  poison(dev.out, dev.nout * sizeof(float));
  ThroughputRun r;
  r.op = name;
  r.warps_per_sm = threads / 32;
  r.chains = 1;
  r.unroll = 4;
  r.iters = iters;
  r.sms = sms;
  r.warp_insts_per_sm = 2.0 * iters * 4;  // warpgroup instructions per CTA
  r.ops_per_inst = ops;
  r.timed = run_timed(
      ctx, [&] { launch<K, 4>(dev, sms, threads, iters, swap); }, ctx.opt.power_s);
  std::vector<long long> cyc(sms);
  CK(cudaMemcpy(cyc.data(), dev.cyc, sms * sizeof(long long), cudaMemcpyDeviceToHost));
  for (long long c : cyc) {
    r.block_cycles += static_cast<double>(c) / sms;
    r.max_block_cycles = std::max(r.max_block_cycles, static_cast<double>(c));
  }
  fetch(dev.nout);
  const size_t b = verify(o, out, threads, ((iters * 4) % 2) ? 2.0 : 1.0, inexact, max_rel);
  r.checked = b == 0;
  r.check = layout_note +
            (b == 0 ? "every accumulator of every thread equals D0 + A*B (host)"
                    : std::to_string(b) + " accumulators differ from D0 + A*B") +
            "; inexact " + std::to_string(inexact);
  add_throughput_cases(ctx, r);
  release(dev);
}

}  // namespace

void bench_wgmma(Context& ctx) {
  if (!ctx.enabled("wgmma")) return;
  if (ctx.cc != 90) {
    std::printf("wgmma: skipped (needs sm_90 / sm_90a, device is sm_%d)\n", ctx.cc);
    return;
  }
  std::printf("wgmma (sm_90a warpgroup tensor cores)\n");
  run_kind<kF16>(ctx, "wgmma.f16", kF16, 11);
  run_kind<kBf16>(ctx, "wgmma.bf16", kBf16, 12);
  run_kind<kE4m3>(ctx, "wgmma.fp8", kE4m3, 13);
}

#else

void bench_wgmma(Context& ctx) {
  if (!ctx.enabled("wgmma")) return;
  std::printf("wgmma: skipped (this build has no sm_90a code; nvcc lacks compute_90a?)\n");
}

#endif

}  // namespace capture
