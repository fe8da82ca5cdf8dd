// Warp-level tensor-core throughput (ubench.throughput op=hmma.f16|hmma.bf16|imma.s8) through
// mma.sync: m16n8k16 (f16/bf16 in, f32 accumulate) and m16n8k32 (s8 in, s32 accumulate).
// Operands are random but exactly representable: 7 significant bits for f16/bf16 (products and
// 16-term sums then fit f32 exactly), full-range s8. Steps alternate B and -B, and one last +B
// step follows the loop, so every accumulator must end at exactly D0 + A*B.
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "common.hpp"

namespace capture {

namespace {

constexpr int kChains = 8, kUnroll = 4, kWarps = 16, kTable = 4096;
enum Kind { kF16, kBf16, kS8 };

template <int K>
__device__ __forceinline__ void mma(float (&d)[4], const unsigned (&a)[4], unsigned b0,
                                    unsigned b1) {
  if constexpr (K == kF16) {
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, "
        "{%8,%9}, {%0,%1,%2,%3};"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
  } else {
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, "
        "{%8,%9}, {%0,%1,%2,%3};"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
  }
}
__device__ __forceinline__ void imma(int (&d)[4], const unsigned (&a)[4], unsigned b0,
                                     unsigned b1) {
  asm volatile(
      "mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, "
      "{%8,%9}, {%0,%1,%2,%3};"
      : "+r"(d[0]), "+r"(d[1]), "+r"(d[2]), "+r"(d[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

// frag[lane * 8 + 0..3] = A, [4..5] = B, [6..7] = -B; tab: accumulator start values.
template <int K, class Acc>
__global__ void __launch_bounds__(kWarps * 32)
    mma_kernel(const unsigned* frag, const Acc* tab, Acc* out, long long* cyc, long iters) {
#if __CUDA_ARCH__ >= 800
  const long gt = blockIdx.x * 1L * blockDim.x + threadIdx.x;
  const unsigned* f = frag + (threadIdx.x & 31) * 8;
  const unsigned a[4] = {f[0], f[1], f[2], f[3]};
  const unsigned bp0 = f[4], bp1 = f[5], bn0 = f[6], bn1 = f[7];
  Acc d[kChains][4];
#pragma unroll
  for (int c = 0; c < kChains; ++c) {
#pragma unroll
    for (int j = 0; j < 4; ++j) d[c][j] = tab[((gt * kChains + c) * 4 + j) % kTable];
  }
  __syncthreads();
  const long long c0 = clock64();
  for (long it = 0; it < iters; ++it) {
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) {
#pragma unroll
      for (int c = 0; c < kChains; ++c) {
        if constexpr (K == kS8) {
          imma(d[c], a, u % 2 ? bn0 : bp0, u % 2 ? bn1 : bp1);
        } else {
          mma<K>(d[c], a, u % 2 ? bn0 : bp0, u % 2 ? bn1 : bp1);
        }
      }
    }
  }
  __syncthreads();
  const long long c1 = clock64();
#pragma unroll
  for (int c = 0; c < kChains; ++c) {
    if constexpr (K == kS8) {
      imma(d[c], a, bp0, bp1);
    } else {
      mma<K>(d[c], a, bp0, bp1);
    }
#pragma unroll
    for (int j = 0; j < 4; ++j) out[(gt * kChains + c) * 4 + j] = d[c][j];
  }
  if (threadIdx.x == 0) cyc[blockIdx.x] = c1 - c0;
#endif
}

uint16_t to_bits(double v, Kind k) {
  uint16_t b;
  if (k == kF16) {
    __half h = __double2half(v);
    std::memcpy(&b, &h, 2);
  } else {
    __nv_bfloat16 h = __double2bfloat16(v);
    std::memcpy(&b, &h, 2);
  }
  return b;
}

// Random value with 7 significant bits: +-k * 2^-7, k in [64, 128).
double seven_bit(uint64_t& s) {
  const double k = 64 + static_cast<double>(splitmix64(s) % 64);
  return (splitmix64(s) & 1 ? -k : k) / 128.0;
}

template <int K, class Acc>
void run_kind(Context& ctx, const char* name, uint64_t seed) {
  const bool s8 = K == kS8;
  const int kdim = s8 ? 32 : 16;
  // A: 16 x kdim, B: kdim x 8 (as doubles, exact)
  std::vector<double> A(16 * kdim), B(kdim * 8);
  for (double& v : A)
    v = s8 ? static_cast<double>(static_cast<int>(splitmix64(seed) % 255) - 127) : seven_bit(seed);
  for (double& v : B)
    v = s8 ? static_cast<double>(static_cast<int>(splitmix64(seed) % 255) - 127) : seven_bit(seed);
  // Fragments (PTX ISA, mma.m16n8k16 / m16n8k32 operand layouts): g = lane / 4, t = lane % 4.
  std::vector<unsigned> frag(32 * 8);
  auto pack2 = [&](double lo, double hi) {
    return static_cast<unsigned>(to_bits(lo, static_cast<Kind>(K))) |
           static_cast<unsigned>(to_bits(hi, static_cast<Kind>(K))) << 16;
  };
  auto pack4 = [&](const double* v, int stride) {
    unsigned r = 0;
    for (int i = 0; i < 4; ++i)
      r |= (static_cast<unsigned>(static_cast<int>(v[i * stride])) & 0xFF) << (8 * i);
    return r;
  };
  for (int lane = 0; lane < 32; ++lane) {
    const int g = lane / 4, t = lane % 4;
    unsigned* f = &frag[lane * 8];
    if (!s8) {
      auto a = [&](int r, int c) { return A[r * 16 + c]; };
      auto b = [&](int r, int c) { return B[r * 8 + c]; };
      f[0] = pack2(a(g, 2 * t), a(g, 2 * t + 1));
      f[1] = pack2(a(g + 8, 2 * t), a(g + 8, 2 * t + 1));
      f[2] = pack2(a(g, 2 * t + 8), a(g, 2 * t + 9));
      f[3] = pack2(a(g + 8, 2 * t + 8), a(g + 8, 2 * t + 9));
      f[4] = pack2(b(2 * t, g), b(2 * t + 1, g));
      f[5] = pack2(b(2 * t + 8, g), b(2 * t + 9, g));
      f[6] = pack2(-b(2 * t, g), -b(2 * t + 1, g));
      f[7] = pack2(-b(2 * t + 8, g), -b(2 * t + 9, g));
    } else {
      f[0] = pack4(&A[g * 32 + 4 * t], 1);
      f[1] = pack4(&A[(g + 8) * 32 + 4 * t], 1);
      f[2] = pack4(&A[g * 32 + 4 * t + 16], 1);
      f[3] = pack4(&A[(g + 8) * 32 + 4 * t + 16], 1);
      f[4] = pack4(&B[(4 * t) * 8 + g], 8);
      f[5] = pack4(&B[(4 * t + 16) * 8 + g], 8);
      double nb[2][4];
      for (int i = 0; i < 4; ++i) {
        nb[0][i] = -B[(4 * t + i) * 8 + g];
        nb[1][i] = -B[(4 * t + 16 + i) * 8 + g];
      }
      f[6] = pack4(nb[0], 1);
      f[7] = pack4(nb[1], 1);
    }
  }
  std::vector<Acc> tab(kTable);
  for (Acc& v : tab) {
    v = s8 ? static_cast<Acc>(static_cast<int>(splitmix64(seed) % 2000000001ull) - 1000000000)
           : static_cast<Acc>(static_cast<double>(
                                  static_cast<int64_t>(splitmix64(seed) % (1 << 20)) - (1 << 19)) /
                              16384.0);
  }
  const int sms = ctx.prop.multiProcessorCount, threads = kWarps * 32;
  const size_t nout = static_cast<size_t>(sms) * threads * kChains * 4;
  unsigned* d_frag;
  Acc *d_tab, *d_out;
  long long* d_cyc;
  CK(cudaMalloc(&d_frag, frag.size() * 4));
  CK(cudaMalloc(&d_tab, kTable * sizeof(Acc)));
  CK(cudaMalloc(&d_out, nout * sizeof(Acc)));
  CK(cudaMalloc(&d_cyc, sms * sizeof(long long)));
  CK(cudaMemcpy(d_frag, frag.data(), frag.size() * 4, cudaMemcpyHostToDevice));
  CK(cudaMemcpy(d_tab, tab.data(), kTable * sizeof(Acc), cudaMemcpyHostToDevice));
  const long probe = ctx.opt.quick ? 16 : 256;
  mma_kernel<K, Acc><<<sms, threads>>>(d_frag, d_tab, d_out, d_cyc, probe);
  CK_LAUNCH();
  CK(cudaDeviceSynchronize());
  const double p0 = now_s();
  mma_kernel<K, Acc><<<sms, threads>>>(d_frag, d_tab, d_out, d_cyc, probe);
  CK_LAUNCH();
  CK(cudaDeviceSynchronize());
  const long iters = scale_iters(probe, now_s() - p0, ctx.opt.quick ? 0.002 : 0.02, probe,
                                 ctx.opt.quick ? 2000 : 1000000);
  poison(d_out, nout * sizeof(Acc));
  ThroughputRun r;
  r.op = name;
  r.warps_per_sm = kWarps;
  r.chains = kChains;
  r.unroll = kUnroll;
  r.iters = iters;
  r.sms = sms;
  r.warp_insts_per_sm = static_cast<double>(kWarps) * iters * kUnroll * kChains;
  r.ops_per_inst = 2.0 * 16 * 8 * kdim;
  r.integer_ops = s8;
  r.timed = run_timed(
      ctx, [&] { mma_kernel<K, Acc><<<sms, threads>>>(d_frag, d_tab, d_out, d_cyc, iters); },
      ctx.opt.power_s);
  std::vector<long long> cyc(sms);
  CK(cudaMemcpy(cyc.data(), d_cyc, sms * sizeof(long long), cudaMemcpyDeviceToHost));
  for (long long c : cyc) {
    r.block_cycles += static_cast<double>(c) / sms;
    r.max_block_cycles = std::max(r.max_block_cycles, static_cast<double>(c));
  }
  std::vector<Acc> out(nout);
  CK(cudaMemcpy(out.data(), d_out, nout * sizeof(Acc), cudaMemcpyDeviceToHost));
  // Expected: D0 + (A*B)[row][col] for every accumulator of every thread, exactly.
  std::vector<double> P(16 * 8, 0.0);
  for (int i = 0; i < 16; ++i)
    for (int j = 0; j < 8; ++j)
      for (int k = 0; k < kdim; ++k) P[i * 8 + j] += A[i * kdim + k] * B[k * 8 + j];
  size_t bad = 0, first_bad = 0;
  for (size_t gt = 0; gt < nout / (kChains * 4); ++gt) {
    const int lane = static_cast<int>(gt % 32), g = lane / 4, t = lane % 4;
    for (int c = 0; c < kChains; ++c) {
      for (int j = 0; j < 4; ++j) {
        const size_t i = (gt * kChains + c) * 4 + j;
        const int row = g + (j >= 2 ? 8 : 0), col = 2 * t + (j & 1);
        const Acc d0 = tab[i % kTable];
        const Acc want =
            s8 ? static_cast<Acc>(static_cast<int64_t>(d0) + static_cast<int64_t>(P[row * 8 + col]))
               : static_cast<Acc>(static_cast<double>(d0) + P[row * 8 + col]);
        if (std::memcmp(&want, &out[i], sizeof(Acc)) != 0 && bad++ == 0) first_bad = i;
      }
    }
  }
  r.checked = bad == 0;
  r.check = bad == 0 ? "every accumulator of every thread equals D0 + A*B exactly (host product)"
                     : std::to_string(bad) + " accumulators differ from D0 + A*B, first at " +
                           std::to_string(first_bad);
  add_throughput_cases(ctx, r);
  CK(cudaFree(d_frag));
  CK(cudaFree(d_tab));
  CK(cudaFree(d_out));
  CK(cudaFree(d_cyc));
}

}  // namespace

void bench_mma(Context& ctx) {
  if (!ctx.enabled("mma")) return;
  if (ctx.cc < 80) {
    std::printf("mma: skipped (mma.sync m16n8k16/m16n8k32 need sm_80+, device is sm_%d)\n", ctx.cc);
    return;
  }
  std::printf("mma (mma.sync tensor cores)\n");
  run_kind<kF16, float>(ctx, "hmma.f16", 7);
  run_kind<kBf16, float>(ctx, "hmma.bf16", 8);
  run_kind<kS8, int>(ctx, "imma.s8", 9);
}

}  // namespace capture
