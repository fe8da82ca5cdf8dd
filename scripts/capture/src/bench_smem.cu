// Shared-memory bank conflicts (ubench.smem_bank): lane l of every warp reads word
// (l % ways) * 32 + l / ways, so each access touches `ways` distinct words in each bank it uses
// (ways = 1: conflict-free). 32 warps in one CTA keep the shared-memory pipe busy, so the time per
// warp-wide access is the conflict serialisation, not the load latency.
#include <vector>

#include "common.hpp"

namespace capture {

namespace {

constexpr int kSmemUnroll = 8;
constexpr int kSmemWords = 1024;  // (31 % 32) * 32 + 31 / 1 < 1024 for every ways

template <int UNROLL>
__global__ void smem_bank_kernel(unsigned ways, long iters, unsigned* out, long long* cyc) {
  __shared__ unsigned s[kSmemWords];
  for (int i = threadIdx.x; i < kSmemWords; i += blockDim.x) s[i] = i * 2654435761u + 12345u;
  const unsigned lane = threadIdx.x & 31;
  const unsigned word = (lane % ways) * 32 + lane / ways;
  const unsigned addr = static_cast<unsigned>(__cvta_generic_to_shared(&s[word]));
  unsigned acc = 0;
  __syncthreads();
  const long long c0 = clock64();
  for (long it = 0; it < iters; ++it) {
#pragma unroll
    for (int u = 0; u < UNROLL; ++u) {
      unsigned v;
      // volatile: every load is issued, none merged with its repeats
      asm volatile("ld.volatile.shared.u32 %0, [%1];" : "=r"(v) : "r"(addr));
      acc += v;
    }
  }
  __syncthreads();
  const long long c1 = clock64();
  out[blockIdx.x * blockDim.x + threadIdx.x] = acc;
  if (threadIdx.x == 0) cyc[blockIdx.x] = c1 - c0;
}

}  // namespace

void bench_smem_bank(Context& ctx) {
  if (!ctx.enabled("smem_bank")) return;
  std::printf("smem_bank\n");
  const int warps = 32, threads = warps * 32;
  const long iters = ctx.opt.quick ? 100 : 2000;
  unsigned* d_out;
  long long* d_cyc;
  CK(cudaMalloc(&d_out, threads * sizeof(unsigned)));
  CK(cudaMalloc(&d_cyc, sizeof(long long)));
  for (unsigned ways : {1u, 2u, 4u, 8u, 16u, 32u}) {
    smem_bank_kernel<kSmemUnroll><<<1, threads>>>(ways, iters / 10 + 1, d_out, d_cyc);  // warm
    CK_LAUNCH();
    poison(d_out, threads * sizeof(unsigned));
    smem_bank_kernel<kSmemUnroll><<<1, threads>>>(ways, iters, d_out, d_cyc);
    CK_LAUNCH();
    CK(cudaDeviceSynchronize());
    std::vector<unsigned> out(threads);
    long long cyc = 0;
    CK(cudaMemcpy(out.data(), d_out, threads * sizeof(unsigned), cudaMemcpyDeviceToHost));
    CK(cudaMemcpy(&cyc, d_cyc, sizeof cyc, cudaMemcpyDeviceToHost));
    bool ok = true;
    for (int t = 0; t < threads && ok; ++t) {
      const unsigned lane = t & 31, word = (lane % ways) * 32 + lane / ways;
      const unsigned v = word * 2654435761u + 12345u;
      ok = out[t] == static_cast<unsigned>(iters * kSmemUnroll) * v;
    }
    Case c;
    c.id = "smem_bank.ways_" + std::to_string(ways);
    c.group = "throughput";
    c.metric = "cycles_per_warp_access";
    c.unit = "cycles";
    c.generator = "ubench.smem_bank";
    c.params = {P("ways", ways), P("iters", static_cast<double>(iters)), P("unroll", kSmemUnroll),
                P("warps", warps), P("ctas", 1)};
    c.value = static_cast<double>(cyc) / (static_cast<double>(warps) * iters * kSmemUnroll);
    c.tolerance_pct = 10;
    c.checked = ok;
    c.check = ok ? "every thread's sum equals iters * unroll * its word's known value"
                 : "a thread's sum differs from iters * unroll * its word";
    c.extra = {{"cycles_total", static_cast<double>(cyc)}};
    ctx.add(std::move(c));
  }
  CK(cudaFree(d_out));
  CK(cudaFree(d_cyc));
}

}  // namespace capture
