// First-principles timing of AMD wave counters (s_waitcnt vmcnt / lgkmcnt) and the CU's scalar
// unit.
#include <gtest/gtest.h>

#include "timing/amd_timing_util.hpp"

namespace joulesim::timing_test {
namespace {

constexpr int kChain = 80;  // dependent VALU ops after the wait: 320 cycles, past every load

uint64_t line_addr(uint32_t i) { return 0x200000 + uint64_t{i} * 0x10000; }

// Warm-up kernel: one wave loads the lines @p lines (L2 then holds them; L1 is invalidated at the
// kernel boundary).
trace::MemoryKernel warm_kernel(const std::vector<uint32_t>& lines) {
  return make_cdna_kernel(1, 1,
                          [&](trace::MemoryKernel& k, trace::WarpTrace& w, uint32_t, uint32_t) {
                            for (uint32_t i : lines)
                              k.append(w, "global_load_dword", 1, {static_cast<uint16_t>(10 + i)},
                                       {2}, 4, {line_addr(i)});
                            k.append(w, "s_waitcnt", 0, {}, {}).immediate = waitcnt(0, 0);
                            k.append(w, "s_endpgm", 0, {}, {});
                          });
}

// @p loads one-lane global loads to distinct lines, s_waitcnt with @p imm, then a dependent VALU
// chain (through v30, which no load writes) and s_endpgm.
trace::MemoryKernel wait_kernel(uint32_t loads, uint32_t imm,
                                const char* load_op = "global_load_dword") {
  return make_cdna_kernel(1, 1,
                          [=](trace::MemoryKernel& k, trace::WarpTrace& w, uint32_t, uint32_t) {
                            for (uint32_t i = 0; i < loads; ++i) {
                              const bool lds = std::string_view(load_op).starts_with("ds_");
                              k.append(w, load_op, 1, {static_cast<uint16_t>(10 + i)}, {2}, 4,
                                       {lds ? uint64_t{4} * 33 * i : line_addr(i)});
                            }
                            k.append(w, "s_waitcnt", 0, {}, {}).immediate = imm;
                            for (int i = 0; i < kChain; ++i)
                              k.append(w, "v_add_f32", kAllLanes, {30}, {30, 31});
                            k.append(w, "s_endpgm", 0, {}, {});
                          });
}

uint64_t measured(const config::GpuSpec& spec, const std::vector<uint32_t>& warm,
                  trace::MemoryKernel k) {
  std::vector<trace::MemoryKernel> ks;
  ks.push_back(warm_kernel(warm));
  ks.push_back(std::move(k));
  return run(spec, std::move(ks)).kernels.at(1).cycles;
}

TEST(AmdWaitcnt, VmcntNResumesWhenAllButNLoadsReturned) {
  // Four independent one-sector loads, all L2 hits: each returns exactly l2.latency cycles after
  // it issues (memory.hpp latency contract), and a wave64 memory instruction holds the 16-lane
  // address pipe 64 / 16 = 4 cycles, so load i issues at 4i and returns at 4i + l2.latency.
  // vmcnt(N) resumes when the first 4 - N have returned: at 4(3 - N) + l2.latency.
  const auto spec = cdna_test_spec();
  const int64_t L = spec.l2.latency;
  const std::vector<uint32_t> all = {0, 1, 2, 3};
  const auto none = static_cast<int64_t>(measured(spec, all, wait_kernel(0, waitcnt(0, 15))));
  const auto one = static_cast<int64_t>(measured(spec, all, wait_kernel(1, waitcnt(0, 15))));
  // Without loads the wait issues at cycle 0; behind one L2-hit load, at cycle L.
  EXPECT_EQ(one - none, L);
  for (uint32_t n = 0; n <= 3; ++n) {
    const auto got = static_cast<int64_t>(measured(spec, all, wait_kernel(4, waitcnt(n, 15))));
    EXPECT_EQ(got - none, 4 * (3 - static_cast<int64_t>(n)) + L) << "vmcnt(" << n << ")";
  }
  // vmcnt(63) / lgkmcnt only: no wait on the loads at all (the wait issues right after them).
  const auto nowait = static_cast<int64_t>(measured(spec, all, wait_kernel(4, waitcnt(63, 0))));
  EXPECT_EQ(nowait - none, 4 * 3 + 1);
}

TEST(AmdWaitcnt, VmcntRetiresInIssueOrder) {
  // Load 0 misses L2 (goes to DRAM), loads 1..3 hit and return long before it. The counter only
  // drops in issue order, so vmcnt(3), vmcnt(2), vmcnt(1) all wait for load 0 exactly as
  // vmcnt(0) does, and as a wave with load 0 alone.
  const auto spec = cdna_test_spec();
  const std::vector<uint32_t> warm = {1, 2, 3};
  const uint64_t alone = measured(spec, warm, wait_kernel(1, waitcnt(0, 15)));
  const uint64_t hit_only = measured(spec, {0, 1, 2, 3}, wait_kernel(1, waitcnt(0, 15)));
  EXPECT_NE(alone, hit_only);
  for (uint32_t n = 0; n <= 3; ++n)
    EXPECT_EQ(measured(spec, warm, wait_kernel(4, waitcnt(n, 15))), alone) << "vmcnt(" << n << ")";
}

TEST(AmdWaitcnt, LgkmcntCountsLdsOpsNotVectorMemory) {
  // Four one-lane ds_read_b32 (one wavefront each): LDS op i issues at 4i (address pipe) and its
  // data is back at 4i + shared.latency. lgkmcnt(N) resumes at 4(3 - N) + shared.latency.
  const auto spec = cdna_test_spec();
  const int64_t S = spec.shared.latency;
  const auto none = static_cast<int64_t>(measured(spec, {}, wait_kernel(0, waitcnt(63, 0))));
  for (uint32_t n = 0; n <= 3; ++n) {
    const auto got =
        static_cast<int64_t>(measured(spec, {}, wait_kernel(4, waitcnt(63, n), "ds_read_b32")));
    EXPECT_EQ(got - none, 4 * (3 - static_cast<int64_t>(n)) + S) << "lgkmcnt(" << n << ")";
  }
  // vmcnt(0) alone does not wait for LDS reads.
  const auto vm_only =
      static_cast<int64_t>(measured(spec, {}, wait_kernel(4, waitcnt(0, 15), "ds_read_b32")));
  EXPECT_EQ(vm_only - none, 4 * 3 + 1);
}

TEST(AmdWaitcnt, StoresCountInVmcnt) {
  // gfx9 has no separate store counter: s_waitcnt vmcnt(0) after a store waits for its
  // acknowledgement (an L2 write: exactly l2.latency, memory.hpp), vmcnt(1) does not.
  const auto spec = cdna_test_spec();
  auto store_kernel = [&](uint32_t imm) {
    return make_cdna_kernel(1, 1,
                            [=](trace::MemoryKernel& k, trace::WarpTrace& w, uint32_t, uint32_t) {
                              k.append(w, "global_store_dword", 1, {}, {2, 3}, 4, {line_addr(7)});
                              k.append(w, "s_waitcnt", 0, {}, {}).immediate = imm;
                              for (int i = 0; i < kChain; ++i)
                                k.append(w, "v_add_f32", kAllLanes, {30}, {30, 31});
                              k.append(w, "s_endpgm", 0, {}, {});
                            });
  };
  const auto none = static_cast<int64_t>(measured(spec, {}, wait_kernel(0, waitcnt(0, 15))));
  const auto waited = static_cast<int64_t>(measured(spec, {}, store_kernel(waitcnt(0, 15))));
  const auto not_waited = static_cast<int64_t>(measured(spec, {}, store_kernel(waitcnt(1, 15))));
  EXPECT_EQ(waited - none, spec.l2.latency);
  EXPECT_EQ(not_waited - none, 1);
}

// --- scalar unit ---

TEST(AmdScalar, ScalarUnitIsSharedByTheCusSimds) {
  // Four waves on the four SIMDs each issue n independent s_add_u32. The CU has one scalar unit
  // (units.scalar.lanes = 1 instruction per cycle), so 4n instructions take 4n cycles; with 4
  // instructions per cycle they take n.
  const uint32_t n = 200;
  auto kernel = [&] {
    return make_cdna_kernel(
        1, 4, [=](trace::MemoryKernel& k, trace::WarpTrace& w, uint32_t, uint32_t) {
          for (uint32_t i = 0; i < n; ++i)
            k.append(w, "s_add_u32", 0, {static_cast<uint16_t>(kS + 10 + i % 8)}, {kS + 1, kS + 2});
          k.append(w, "s_endpgm", 0, {}, {});
        });
  };
  auto spec = cdna_test_spec();
  const uint64_t one_per_cycle = cycles_of(spec, kernel());
  EXPECT_GE(one_per_cycle, 4 * n);
  EXPECT_LE(one_per_cycle, 4 * n + 8);
  spec.units.scalar.lanes_per_subcore = 4;
  const uint64_t four_per_cycle = cycles_of(spec, kernel());
  EXPECT_GE(four_per_cycle, n);
  EXPECT_LE(four_per_cycle, n + 8);
}

TEST(AmdScalar, ScalarOpsTakeNoValuIssueSlots) {
  // One wave alternates independent v_add_f32 (4 cycles on SIMD16) and s_add_u32: the scalar ops
  // issue in the VALU's shadow, so n pairs take 4n cycles (5n if a scalar op held the VALU).
  const uint32_t n = 200;
  auto k =
      make_cdna_kernel(1, 1, [=](trace::MemoryKernel& k, trace::WarpTrace& w, uint32_t, uint32_t) {
        for (uint32_t i = 0; i < n; ++i) {
          k.append(w, "v_add_f32", kAllLanes, {static_cast<uint16_t>(40 + i % 8)}, {30, 31});
          k.append(w, "s_add_u32", 0, {static_cast<uint16_t>(kS + 10 + i % 8)}, {kS + 1, kS + 2});
        }
        k.append(w, "s_endpgm", 0, {}, {});
      });
  const uint64_t got = cycles_of(cdna_test_spec(), std::move(k));
  EXPECT_GE(got, 4 * n);
  EXPECT_LE(got, 4 * n + 8);
}

TEST(AmdScalar, DependentScalarChainTakesConfiguredLatency) {
  // n dependent s_add_u32 + s_endpgm: n x units.scalar.latency + 1 cycles (the exit overhead).
  for (uint32_t lat : {1u, 2u, 5u}) {
    auto spec = cdna_test_spec();
    spec.units.scalar.latency = lat;
    const uint32_t n = 50;
    auto k = make_cdna_kernel(1, 1,
                              [=](trace::MemoryKernel& k, trace::WarpTrace& w, uint32_t, uint32_t) {
                                for (uint32_t i = 0; i < n; ++i)
                                  k.append(w, "s_add_u32", 0, {kS + 4}, {kS + 4, kS + 5});
                                k.append(w, "s_endpgm", 0, {}, {});
                              });
    EXPECT_EQ(cycles_of(spec, std::move(k)), uint64_t{n} * lat + 1) << "latency " << lat;
  }
}

}  // namespace
}  // namespace joulesim::timing_test
