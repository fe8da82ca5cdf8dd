// The SM's LD/ST path: L1 hit latency, MSHR merging, stores, atomics, async-copy waits, and real
// captured traces running to completion with every instruction simulated.
#include <gtest/gtest.h>

#include "timing/timing_util.hpp"

namespace joulesim::timing_test {
namespace {

std::vector<uint64_t> same_line(uint64_t base) {
  std::vector<uint64_t> a(32);
  for (uint32_t l = 0; l < 32; ++l) a[l] = base + l * 4;
  return a;
}

// n dependent loads of the same 128-byte line (the address register is the previous result).
uint64_t load_chain_cycles(const config::GpuSpec& spec, uint32_t n) {
  const auto addrs = same_line(0x7000000);
  return cycles_of(
      spec, make_kernel(1, 1, [&](trace::MemoryKernel& k, trace::WarpTrace& w, uint32_t, uint32_t) {
        for (uint32_t i = 0; i < n; ++i) k.append(w, "LDG.E", kFull, {2}, {2}, 4, addrs);
        k.append(w, "EXIT", kFull, {}, {});
      }));
}

TEST(MemoryPathTiming, DependentL1HitsTakeL1LatencyEach) {
  auto spec = test_spec(1);
  for (uint32_t lat : {28u, 33u}) {
    spec.l1.latency = lat;
    const uint64_t first = load_chain_cycles(spec, 1);
    for (uint32_t n : {2u, 5u, 20u}) {
      EXPECT_EQ(load_chain_cycles(spec, n) - first, uint64_t{n - 1} * lat) << "n=" << n;
    }
  }
}

TEST(MemoryPathTiming, MissesToTheSameLineMergeInTheMshrs) {
  auto spec = test_spec(1);
  const auto addrs = same_line(0x7000000);
  auto r = run(
      spec, make_kernel(1, 4, [&](trace::MemoryKernel& k, trace::WarpTrace& w, uint32_t, uint32_t) {
        k.append(w, "LDG.E", kFull, {2}, {4}, 4, addrs);
        k.append(w, "EXIT", kFull, {}, {});
      }));
  const auto& c = r.kernels[0].counts;
  EXPECT_EQ(c[stats::Counter::kL1ReadMiss], 4u);    // one line, four 32 B sectors, fetched once
  EXPECT_EQ(c[stats::Counter::kL1MshrMerge], 12u);  // the other three warps wait on the same fill
}

TEST(MemoryPathTiming, StoresAtomicsAndAsyncCopiesComplete) {
  auto spec = test_spec(2);
  auto r = run(
      spec,
      make_kernel(4, 2, [&](trace::MemoryKernel& k, trace::WarpTrace& w, uint32_t c, uint32_t wi) {
        const auto a = same_line(0x9000000 + (c * 2 + wi) * 128);
        k.append(w, "STG.E", kFull, {}, {2, 3}, 4, a);
        k.append(w, "ATOMG.E.ADD.STRONG.GPU", kFull, {6}, {2, 3}, 4, a);
        k.append(w, "FFMA", kFull, {7}, {6, 3});  // uses the atomic's result
        k.append(w, "RED.E.ADD.STRONG.GPU", kFull, {}, {2, 3}, 4, a);
        k.append(w, "LDGSTS.E", kFull, {}, {2, 3}, 4, a);
        k.append(w, "DEPBAR.LE", kFull, {}, {});
        k.append(w, "EXIT", kFull, {}, {});
      }));
  const auto& c = r.kernels[0].counts;
  EXPECT_EQ(c.total_warp_insts(), 4u * 2 * 7);
  EXPECT_EQ(c[stats::Counter::kL1Write], 4u * 2 * 4);    // 4 sectors per store
  EXPECT_GT(r.kernels[0].cycles, 2u * spec.l2.latency);  // the atomic and the copy both go below L1
}

}  // namespace
}  // namespace joulesim::timing_test
