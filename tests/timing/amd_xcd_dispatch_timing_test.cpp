// MI300X-style workgroup dispatch: with one L2 per die (l2.per_die), workgroup c goes to die
// c mod dies, in order, so a workgroup whose die is full waits even if another die has room
// (the order AMD's XCD-remapping GEMM code is written against: workgroup 0 to XCD 0, 1 to XCD 1,
// ...). A monolithic GPU deals workgroups breadth-first to any free SM.
#include <gtest/gtest.h>

#include "timing/amd_timing_util.hpp"

namespace joulesim::timing_test {
namespace {

constexpr uint32_t kLong = 400, kShort = 100;  // dependent VALU ops (4 cycles each)

// 4 CUs, one workgroup each; @p dies dies with their own L2 when @p per_die.
config::GpuSpec spec_of(uint32_t dies, bool per_die) {
  config::GpuSpec s = cdna_test_spec(4);
  s.core.dies = dies;
  s.l2.per_die = per_die ? 1 : 0;
  s.core.max_ctas_per_sm = 1;
  return s;
}

// One wave per workgroup; workgroups whose index is in @p longs run kLong dependent adds, the
// others kShort.
uint64_t cycles(const config::GpuSpec& spec, uint32_t ctas, std::vector<uint32_t> longs) {
  auto k = make_cdna_kernel(
      ctas, 1, [&](trace::MemoryKernel& k, trace::WarpTrace& w, uint32_t cta, uint32_t) {
        const bool is_long = std::find(longs.begin(), longs.end(), cta) != longs.end();
        for (uint32_t i = 0; i < (is_long ? kLong : kShort); ++i)
          k.append(w, "v_add_f32", kAllLanes, {30}, {30, 31});
        k.append(w, "s_endpgm", 0, {}, {});
      });
  return cycles_of(spec, std::move(k));
}

TEST(AmdXcdDispatch, WorkgroupsGoToDiesInStrictRoundRobin) {
  // CUs 0 and 2 are on die 0, CUs 1 and 3 on die 1 (CU i on die i mod 2). Workgroups 0 and 2
  // (die 0) are long, 1 and 3 (die 1) short. Workgroup 4 belongs to die 0, which stays full
  // until the long ones end, and workgroup 5 (die 1) waits behind it although die 1 is idle:
  // the six take the four's time plus one short workgroup (its launch, chain and drain; +1 for
  // the cycle after the release in which dispatch runs).
  const auto xcd = spec_of(2, true);
  const uint64_t four = cycles(xcd, 4, {0, 2});
  const uint64_t six = cycles(xcd, 6, {0, 2});
  const uint64_t short_alone = cycles(xcd, 1, {});
  EXPECT_GE(short_alone, 4u * kShort);
  EXPECT_NEAR(static_cast<double>(six - four), static_cast<double>(short_alone), 2.0);
  // Breadth-first (one shared L2): workgroups 4 and 5 start on die 1's idle CUs after the short
  // ones, and end (2 x 400 cycles) before the long ones (1600): no extra time.
  const auto mono = spec_of(2, false);
  EXPECT_EQ(cycles(mono, 6, {0, 2}), cycles(mono, 4, {0, 2}));
}

TEST(AmdXcdDispatch, FirstRoundIsTheSameAsBreadthFirst) {
  // One workgroup per CU: workgroup c lands on CU c either way (CU c is on die c mod dies), so
  // equal workgroups take the same time.
  EXPECT_EQ(cycles(spec_of(2, true), 4, {}), cycles(spec_of(2, false), 4, {}));
}

}  // namespace
}  // namespace joulesim::timing_test
