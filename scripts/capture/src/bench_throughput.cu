// Full-GPU throughput loops of the scalar units (ubench.throughput op=ffma|hfma2|imad|dfma|mufu):
// one CTA per SM of 32 warps, each thread stepping `chains` independent accumulators `unroll`
// times per iteration. Each runs long enough for an NVML power window.
#include <cuda_fp16.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "common.hpp"

namespace capture {

namespace {

constexpr int kChains = 8, kUnroll = 4, kWarps = 32, kTable = 4096;

enum Op { kFfma, kHfma2, kImad, kDfma, kMufu };

template <int OP>
struct OpT;
template <>
struct OpT<kFfma> {
  using T = float;
  static __device__ __forceinline__ T step(T x, T a, T b) { return fmaf(x, a, b); }
};
template <>
struct OpT<kHfma2> {
  using T = __half2;
  static __device__ __forceinline__ T step(T x, T a, T b) { return __hfma2(x, a, b); }
};
template <>
struct OpT<kImad> {
  using T = unsigned;
  static __device__ __forceinline__ T step(T x, T a, T b) { return x * a + b; }
};
template <>
struct OpT<kDfma> {
  using T = double;
  static __device__ __forceinline__ T step(T x, T a, T b) { return fma(x, a, b); }
};
template <>
struct OpT<kMufu> {
  using T = float;
  // x = 2^-x: one MUFU.EX2 with a negated operand; the iteration stays in (0.5, 1)
  static __device__ __forceinline__ T step(T x, T, T) {
    float y;
    asm volatile("ex2.approx.ftz.f32 %0, %1;" : "=f"(y) : "f"(-x));
    return y;
  }
};

// in[0] = a, in[1] = b, in[2 + k] = start values (k < kTable); out: one value per chain.
template <int OP>
__global__ void __launch_bounds__(kWarps * 32)
    tput_kernel(const typename OpT<OP>::T* in, typename OpT<OP>::T* out, long long* cyc,
                long iters) {
  using T = typename OpT<OP>::T;
  const long gt = blockIdx.x * 1L * blockDim.x + threadIdx.x;
  T x[kChains];
#pragma unroll
  for (int c = 0; c < kChains; ++c) x[c] = in[2 + (gt * kChains + c) % kTable];
  const T a = in[0], b = in[1];
  __syncthreads();
  const long long c0 = clock64();
  for (long it = 0; it < iters; ++it) {
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) {
#pragma unroll
      for (int c = 0; c < kChains; ++c) x[c] = OpT<OP>::step(x[c], a, b);
    }
  }
  __syncthreads();
  const long long c1 = clock64();
#pragma unroll
  for (int c = 0; c < kChains; ++c) out[gt * kChains + c] = x[c];
  if (threadIdx.x == 0) cyc[blockIdx.x] = c1 - c0;
}

// Host references: the same chain with correctly rounded host arithmetic.
float host_step(float x, float a, float b, Op op) {
  if (op == kFfma) return std::fmaf(x, a, b);
  return std::exp2(-x);  // mufu: compared with a tolerance (ex2.approx)
}
__half host_hfma(__half x, __half a, __half b) {
  // the product of two halves is exact in double, and so is adding a half of similar size;
  // __double2half then rounds once, to nearest even, as the hardware HFMA2 does
  return __double2half(static_cast<double>(__half2float(x)) * __half2float(a) +
                       static_cast<double>(__half2float(b)));
}

template <int OP>
struct Runner {
  using T = typename OpT<OP>::T;
  static void run(
      Context& ctx, const char* name, double ops_per_lane, bool integer_ops, std::vector<T> in,
      const std::function<bool(const std::vector<T>&, long, long, std::string&)>& check) {
    const int sms = ctx.prop.multiProcessorCount, threads = kWarps * 32;
    const size_t nout = static_cast<size_t>(sms) * threads * kChains;
    T *d_in, *d_out;
    long long* d_cyc;
    CK(cudaMalloc(&d_in, in.size() * sizeof(T)));
    CK(cudaMalloc(&d_out, nout * sizeof(T)));
    CK(cudaMalloc(&d_cyc, sms * sizeof(long long)));
    CK(cudaMemcpy(d_in, in.data(), in.size() * sizeof(T), cudaMemcpyHostToDevice));
    // probe: time a short launch, then size the loop for ~20 ms launches
    const long probe = ctx.opt.quick ? 16 : 256;
    tput_kernel<OP><<<sms, threads>>>(d_in, d_out, d_cyc, probe);
    CK_LAUNCH();
    CK(cudaDeviceSynchronize());
    const double p0 = now_s();
    tput_kernel<OP><<<sms, threads>>>(d_in, d_out, d_cyc, probe);
    CK_LAUNCH();
    CK(cudaDeviceSynchronize());
    const long iters = scale_iters(probe, now_s() - p0, ctx.opt.quick ? 0.002 : 0.02, probe,
                                   ctx.opt.quick ? 2000 : 1000000);
    poison(d_out, nout * sizeof(T));
    ThroughputRun r;
    r.op = name;
    r.warps_per_sm = kWarps;
    r.chains = kChains;
    r.unroll = kUnroll;
    r.iters = iters;
    r.sms = sms;
    r.warp_insts_per_sm = static_cast<double>(kWarps) * iters * kUnroll * kChains;
    r.ops_per_inst = 32 * ops_per_lane;
    r.integer_ops = integer_ops;
    r.timed = run_timed(
        ctx, [&] { tput_kernel<OP><<<sms, threads>>>(d_in, d_out, d_cyc, iters); },
        ctx.opt.power_s);
    std::vector<long long> cyc(sms);
    CK(cudaMemcpy(cyc.data(), d_cyc, sms * sizeof(long long), cudaMemcpyDeviceToHost));
    for (long long c : cyc) {
      r.block_cycles += static_cast<double>(c) / sms;
      r.max_block_cycles = std::max(r.max_block_cycles, static_cast<double>(c));
    }
    std::vector<T> out(nout);
    CK(cudaMemcpy(out.data(), d_out, nout * sizeof(T), cudaMemcpyDeviceToHost));
    r.checked = check(out, iters * kUnroll, static_cast<long>(nout / kChains), r.check);
    add_throughput_cases(ctx, r);
    CK(cudaFree(d_in));
    CK(cudaFree(d_out));
    CK(cudaFree(d_cyc));
  }
};

// Every output must have been written (no poison pattern left), then chains 0 and last of the
// first and last thread must equal the host reference.
template <class T, class Ref>
bool check_chains(const std::vector<T>& in, const std::vector<T>& out, long steps, long threads,
                  std::string& why, Ref ref) {
  T poisoned;
  std::memset(static_cast<void*>(&poisoned), 0xFF, sizeof poisoned);
  for (size_t i = 0; i < out.size(); ++i) {
    if (std::memcmp(&out[i], &poisoned, sizeof(T)) == 0) {
      why = "output " + std::to_string(i) + " was never written";
      return false;
    }
  }
  for (long gt : {0L, threads - 1}) {
    for (int c : {0, kChains - 1}) {
      T x = in[2 + (gt * kChains + c) % kTable];
      if (!ref(x, out[gt * kChains + c], steps)) {
        why = "thread " + std::to_string(gt) + " chain " + std::to_string(c) +
              " differs from the host reference";
        return false;
      }
    }
  }
  why = "all outputs written; chains of the first and last thread match the host reference";
  return true;
}

}  // namespace

void bench_throughput(Context& ctx) {
  if (!ctx.enabled("throughput")) return;
  std::printf("throughput (scalar units)\n");
  uint64_t seed = 42;
  {  // ffma: bit-exact against std::fmaf
    std::vector<float> in(2 + kTable);
    in[0] = -0.99999988f;
    in[1] = 0.5f;
    for (int k = 0; k < kTable; ++k) in[2 + k] = static_cast<float>(uniform(seed, 0.5, 2.0));
    Runner<kFfma>::run(ctx, "ffma", 2, false, in, [&](auto& out, long steps, long th, auto& why) {
      return check_chains(in, out, steps, th, why, [&](float x, float got, long n) {
        for (long i = 0; i < n; ++i) x = std::fmaf(x, in[0], in[1]);
        return x == got;
      });
    });
  }
  {  // hfma2: both halves bit-exact against a once-rounded host HFMA
    std::vector<__half2> in(2 + kTable);
    in[0] = __halves2half2(__double2half(-0.99951171875), __double2half(-0.9990234375));
    in[1] = __halves2half2(__double2half(0.5), __double2half(0.25));
    for (int k = 0; k < kTable; ++k) {
      in[2 + k] = __halves2half2(__double2half(uniform(seed, 0.5, 2.0)),
                                 __double2half(uniform(seed, -2.0, -0.5)));
    }
    Runner<kHfma2>::run(ctx, "hfma2", 4, false, in, [&](auto& out, long steps, long th, auto& why) {
      return check_chains(in, out, steps, th, why, [&](__half2 x, __half2 got, long n) {
        __half lo = __low2half(x), hi = __high2half(x);
        for (long i = 0; i < n; ++i) {
          lo = host_hfma(lo, __low2half(in[0]), __low2half(in[1]));
          hi = host_hfma(hi, __high2half(in[0]), __high2half(in[1]));
        }
        return std::memcmp(&lo, &got, 2) == 0 &&
               std::memcmp(&hi, reinterpret_cast<char*>(&got) + 2, 2) == 0;
      });
    });
  }
  {  // imad: an LCG, exact with 32-bit wrap-around
    std::vector<unsigned> in(2 + kTable);
    in[0] = 0x9E3779B1u;
    in[1] = 0x7F4A7C15u;
    for (int k = 0; k < kTable; ++k) in[2 + k] = static_cast<unsigned>(splitmix64(seed));
    Runner<kImad>::run(ctx, "imad", 2, true, in, [&](auto& out, long steps, long th, auto& why) {
      return check_chains(in, out, steps, th, why, [&](unsigned x, unsigned got, long n) {
        for (long i = 0; i < n; ++i) x = x * in[0] + in[1];
        return x == got;
      });
    });
  }
  {  // dfma: bit-exact against std::fma
    std::vector<double> in(2 + kTable);
    in[0] = -0.9999999999999998;
    in[1] = 0.5;
    for (int k = 0; k < kTable; ++k) in[2 + k] = uniform(seed, 0.5, 2.0);
    Runner<kDfma>::run(ctx, "dfma", 2, false, in, [&](auto& out, long steps, long th, auto& why) {
      return check_chains(in, out, steps, th, why, [&](double x, double got, long n) {
        for (long i = 0; i < n; ++i) x = std::fma(x, in[0], in[1]);
        return x == got;
      });
    });
  }
  {  // mufu: x = 2^-x converges to 0.641186; ex2.approx is accurate to ~2 ulp
    std::vector<float> in(2 + kTable);
    for (int k = 0; k < kTable; ++k) in[2 + k] = static_cast<float>(uniform(seed, 0.0, 1.0));
    Runner<kMufu>::run(ctx, "mufu", 1, true, in, [&](auto& out, long steps, long th, auto& why) {
      return check_chains(in, out, steps, th, why, [&](float x, float got, long n) {
        for (long i = 0; i < n && i < 1000; ++i) x = host_step(x, 0, 0, kMufu);
        return std::fabs(x - got) < 1e-4f;
      });
    });
  }
}

}  // namespace capture
