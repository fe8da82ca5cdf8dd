// Streaming bandwidth (ubench.stream kind=read|write|copy|triad, 16 bytes per thread per array):
// grid-stride loops, element (it * ctas + cta) * threads + tid at iteration it, one access per
// array per iteration (no unrolling, as the generated trace). Full occupancy under the power
// sampler, then an occupancy sweep (warps per SM) as a curve.
#include <vector>

#include "common.hpp"

namespace capture {

namespace {

enum Kind { kRead, kWrite, kCopy, kTriad };
const char* kKindName[] = {"read", "write", "copy", "triad"};
constexpr float kScalar = 2.0f;

__host__ __device__ inline float fb(unsigned long long i) {
  return static_cast<float>(static_cast<int>(i % 7) - 3);
}
__host__ __device__ inline float fc(unsigned long long i) {
  return static_cast<float>(static_cast<int>(i % 5) - 2);
}

template <int K>
__global__ void stream_kernel(float4* a, const float4* b, const float4* c, float4* sums, long iters,
                              float s) {
  const long step = static_cast<long>(gridDim.x) * blockDim.x;
  long i = blockIdx.x * static_cast<long>(blockDim.x) + threadIdx.x;
  float4 acc = make_float4(0, 0, 0, 0);
#pragma unroll 1
  for (long it = 0; it < iters; ++it, i += step) {
    if constexpr (K == kRead) {
      const float4 v = b[i];
      acc.x += v.x;
      acc.y += v.y;
      acc.z += v.z;
      acc.w += v.w;
    } else if constexpr (K == kWrite) {
      a[i] = make_float4(s, s, s, s);
    } else if constexpr (K == kCopy) {
      a[i] = b[i];
    } else {
      const float4 x = b[i], y = c[i];
      a[i] =
          make_float4(fmaf(s, y.x, x.x), fmaf(s, y.y, x.y), fmaf(s, y.z, x.z), fmaf(s, y.w, x.w));
    }
  }
  if constexpr (K == kRead) sums[blockIdx.x * static_cast<long>(blockDim.x) + threadIdx.x] = acc;
}

__global__ void init_kernel(float* b, float* c, unsigned long long n) {
  for (unsigned long long i = blockIdx.x * 1ull * blockDim.x + threadIdx.x; i < n;
       i += 1ull * gridDim.x * blockDim.x) {
    b[i] = fb(i);
    c[i] = fc(i);
  }
}

// Counts elements of a[0, n) that differ from what kind K must have written.
__global__ void check_kernel(const float* a, unsigned long long n, int kind, float s,
                             unsigned long long* bad) {
  unsigned long long local = 0;
  for (unsigned long long i = blockIdx.x * 1ull * blockDim.x + threadIdx.x; i < n;
       i += 1ull * gridDim.x * blockDim.x) {
    const float want = kind == kWrite ? s : kind == kCopy ? fb(i) : fb(i) + s * fc(i);
    local += a[i] != want;
  }
  if (local) atomicAdd(bad, local);
}

struct Buffers {
  float4 *a, *b, *c, *sums;
  unsigned long long* bad;
  size_t bytes;  // per array
};

void launch(int kind, const Buffers& m, int ctas, int threads, long iters) {
  switch (kind) {
    case kRead:
      stream_kernel<kRead><<<ctas, threads>>>(m.a, m.b, m.c, m.sums, iters, kScalar);
      break;
    case kWrite:
      stream_kernel<kWrite><<<ctas, threads>>>(m.a, m.b, m.c, m.sums, iters, kScalar);
      break;
    case kCopy:
      stream_kernel<kCopy><<<ctas, threads>>>(m.a, m.b, m.c, m.sums, iters, kScalar);
      break;
    default:
      stream_kernel<kTriad><<<ctas, threads>>>(m.a, m.b, m.c, m.sums, iters, kScalar);
      break;
  }
}

// Verifies the last launch: read by its per-thread sums (exact small integers), the others by
// comparing every element written with its formula.
bool verify(int kind, const Buffers& m, int ctas, int threads, long iters, std::string& why) {
  const unsigned long long floats = 4ull * ctas * threads * iters;
  if (kind == kRead) {
    std::vector<float4> sums(static_cast<size_t>(ctas) * threads);
    CK(cudaMemcpy(sums.data(), m.sums, sums.size() * sizeof(float4), cudaMemcpyDeviceToHost));
    long long got = 0;
    for (const float4& v : sums)
      got += static_cast<long long>(v.x) + static_cast<long long>(v.y) +
             static_cast<long long>(v.z) + static_cast<long long>(v.w);
    long long want = 0;  // a whole period of (i % 7) - 3 sums to 0
    for (unsigned long long j = 0; j < floats % 7; ++j) want += static_cast<long long>(j) - 3;
    why = got == want ? "sum of all per-thread sums equals the closed-form sum of the array"
                      : "sum " + std::to_string(got) + " != expected " + std::to_string(want);
    return got == want;
  }
  CK(cudaMemset(m.bad, 0, sizeof(unsigned long long)));
  check_kernel<<<1024, 256>>>(reinterpret_cast<const float*>(m.a), floats, kind, kScalar, m.bad);
  CK_LAUNCH();
  unsigned long long bad = 0;
  CK(cudaMemcpy(&bad, m.bad, sizeof bad, cudaMemcpyDeviceToHost));
  why = bad == 0 ? "every element written equals its formula (device check of the whole range)"
                 : std::to_string(bad) + " elements differ from their formula";
  return bad == 0;
}

double bytes_moved(int kind, double covered) {
  return covered * (kind == kCopy ? 2 : kind == kTriad ? 3 : 1);
}

}  // namespace

void bench_stream(Context& ctx) {
  if (!ctx.enabled("stream")) return;
  std::printf("stream\n");
  Buffers m;
  m.bytes = ctx.opt.quick ? (32ull << 20) : (2ull << 30);
  const int sms = ctx.prop.multiProcessorCount;
  CK(cudaMalloc(&m.a, m.bytes));
  CK(cudaMalloc(&m.b, m.bytes));
  CK(cudaMalloc(&m.c, m.bytes));
  CK(cudaMalloc(&m.sums, static_cast<size_t>(sms) * 2048 * sizeof(float4)));
  CK(cudaMalloc(&m.bad, sizeof(unsigned long long)));
  init_kernel<<<4096, 256>>>(reinterpret_cast<float*>(m.b), reinterpret_cast<float*>(m.c),
                             m.bytes / 4);
  CK_LAUNCH();
  CK(cudaDeviceSynchronize());
  struct Occ {
    int threads, ctas_per_sm;
  };
  const Occ full{256, 8};
  const Occ sweep[] = {{128, 1}, {256, 1}, {256, 2}, {256, 4}, {256, 8}};
  for (int kind = kRead; kind <= kTriad; ++kind) {
    for (int pass = 0; pass < 6; ++pass) {
      const bool power = pass == 0;
      const Occ o = power ? full : sweep[pass - 1];
      const int ctas = sms * o.ctas_per_sm;
      const long iters = static_cast<long>(m.bytes / (16ull * ctas * o.threads));
      const double covered = 16.0 * ctas * o.threads * iters;
      poison(m.a, m.bytes);
      const Timed t = run_timed(
          ctx, [&] { launch(kind, m, ctas, o.threads, iters); },
          power ? ctx.opt.power_s : (ctx.opt.quick ? 0.01 : 0.1), power);
      std::string why;
      const bool ok = verify(kind, m, ctas, o.threads, iters, why);
      const double gbs = bytes_moved(kind, covered) * t.launches / t.time_s / 1e9;
      const int warps = o.threads / 32 * o.ctas_per_sm;
      Case c;
      c.id = std::string("stream.") + kKindName[kind] +
             (power ? ".full_occupancy" : ".warps_per_sm_" + std::to_string(warps));
      c.group = power ? "bandwidth" : "curve";
      c.metric = "bandwidth_gbs";
      c.unit = "GB/s";
      c.generator = "ubench.stream";
      c.params = {P("ctas", ctas), P("threads", o.threads), P("iters", static_cast<double>(iters)),
                  P("bytes_per_thread", 16), P("kind", kKindName[kind])};
      c.value = gbs;
      c.tolerance_pct = 10;
      c.checked = ok;
      c.check = why;
      c.extra = {{"warps_per_sm", warps},
                 {"bytes_per_launch", bytes_moved(kind, covered)},
                 {"launches", static_cast<double>(t.launches)},
                 {"time_s", t.time_s}};
      if (power && t.power.valid) {
        Case w = c;
        w.id = std::string("stream.") + kKindName[kind] + ".power";
        w.group = "power";
        w.metric = "avg_power_w";
        w.unit = "W";
        w.value = t.power.avg_w;
        w.power = t.power;
        w.tolerance_pct = 15;
        w.extra = {{"pj_per_byte_total", t.power.avg_w / (gbs * 1e9) * 1e12}, {"gbs", gbs}};
        ctx.add(std::move(c));
        ctx.add(std::move(w));
      } else {
        ctx.add(std::move(c));
      }
    }
  }
  CK(cudaFree(m.a));
  CK(cudaFree(m.b));
  CK(cudaFree(m.c));
  CK(cudaFree(m.sums));
  CK(cudaFree(m.bad));
}

}  // namespace capture
