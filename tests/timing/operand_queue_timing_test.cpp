// Two details of the NVIDIA sub-core front end as Huerta et al. measured them (MICRO 2025,
// "Dissecting and Modeling the Architecture of Modern GPU Cores"):
//  - section 5.3.1: the operand reuse cache keeps one entry per register bank and operand slot;
//    an entry stays until a read of the same bank in the same slot replaces it (their
//    Listing 4), so an instruction in between that reads other slots or banks does not evict it;
//  - section 5.4, Table 1: a sub-core issues five memory instructions back to back (a 4-entry
//    queue and a latch) before one waits for the shared structures.
#include <gtest/gtest.h>

#include "timing/timing_util.hpp"

namespace joulesim::timing_test {
namespace {

// n times { FFMA R(20+i%8) = R2 * R4, X R11 = R(m) }: R2 (slot 0) and R4 (slot 1) are both in
// bank 0, so the first FFMA reads two registers from one bank (one conflict cycle).
//  - m = 5 (bank 1, slot 0): it never touches the bank-0 entries, so every later FFMA finds R2 and
//    R4 in the cache: 2 + 1 register reads in all (the first FFMA's two, R5 once), 1 conflict.
//  - m = 6 (bank 0, slot 0): it replaces R2's entry and each FFMA replaces R6's: every FFMA after
//    the first reads R2 (R4 still hits) and every IADD3 after the first reads R6: 2 + 1 +
//    2 (n - 1) reads, still 1 conflict (one bank-0 read per instruction after the first).
TEST(OperandReuse, EntriesOutliveInstructionsThatReadOtherBanksOrSlots) {
  auto spec = test_spec();
  spec.core.subcores_per_sm = 1;
  const uint32_t n = 50;
  for (const uint16_t m : {uint16_t{5}, uint16_t{6}}) {
    auto k =
        make_kernel(1, 1, [&](trace::MemoryKernel& k, trace::WarpTrace& w, uint32_t, uint32_t) {
          for (uint32_t i = 0; i < n; ++i) {
            k.append(w, "FFMA", kFull, {static_cast<uint16_t>(20 + i % 8)}, {2, 4});
            k.append(w, "IADD3", kFull, {11}, {m});
          }
          k.append(w, "EXIT", kFull, {}, {});
        });
    const auto r = run(spec, std::move(k));
    const auto& c = r.kernels[0].counts;
    EXPECT_EQ(c[stats::Counter::kRfBankConflict], 1u) << "m = " << m;
    EXPECT_EQ(c[stats::Counter::kRfRead], m == 5 ? 3u : 3u + 2 * (n - 1)) << "m = " << m;
  }
}

// One warp on one sub-core: k independent LDS.128 (512 B, 4 wavefronts of the 128 B/clk shared
// pipe each), then 200 independent FFMAs (one per cycle on a 32-lane pipe). LDS i starts on the
// shared pipe at 4i; it may issue once LDS i - 5 has started (left the queue), and at most one
// instruction issues per cycle. So for k <= 7 the loads issue on cycles 0 .. k-1 and cost the
// FFMAs only their k issue cycles (a pipe-blocked issue would cost 4 (k - 1) + 1); the 8th waits
// for the 3rd to start at cycle 8, one cycle late.
TEST(OperandReuse, SharedMemoryLoadsQueueInsteadOfBlockingIssue) {
  auto spec = test_spec();
  spec.core.subcores_per_sm = 1;
  spec.units.fp32 = {32, 4};
  spec.units.ldst = {32, 4};
  auto cycles = [&](uint32_t loads) {
    auto k = make_kernel(
        1, 1,
        [&](trace::MemoryKernel& k, trace::WarpTrace& w, uint32_t, uint32_t) {
          for (uint32_t i = 0; i < loads; ++i) {
            std::vector<uint64_t> addrs(32);
            for (uint64_t l = 0; l < 32; ++l) addrs[l] = 512 * i + 16 * l;
            k.append(w, "LDS.128", kFull, {static_cast<uint16_t>(40 + 4 * (i % 8))}, {4}, 16,
                     addrs);
          }
          for (uint32_t i = 0; i < 200; ++i)
            k.append(w, "FFMA", kFull, {static_cast<uint16_t>(20 + i % 8)}, {2, 3});
          k.append(w, "EXIT", kFull, {}, {});
        },
        64, 8192);
    return static_cast<int64_t>(run(spec, std::move(k)).kernels[0].cycles);
  };
  const int64_t base = cycles(0);
  for (uint32_t k = 1; k <= 7; ++k) EXPECT_EQ(cycles(k) - base, int64_t{k}) << k << " loads";
  EXPECT_EQ(cycles(8) - base, 9);
}

}  // namespace
}  // namespace joulesim::timing_test
