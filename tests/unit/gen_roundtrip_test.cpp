// Round trips through the trace subsystem's readers: generator -> Accel-Sim text -> open_trace,
// and generator -> native .jst -> open_trace, give back identical kernels and instructions.
#include <gtest/gtest.h>
#include <unistd.h>

#include "gen_test_util.hpp"

using namespace gentest;
using gen::Isa;
namespace fs = std::filesystem;

namespace {

struct Case {
  std::string name;
  ParamList params;
  Isa isa;
};

void expect_same(const Flat& a, const Flat& b) {
  EXPECT_EQ(a.copies, b.copies);
  ASSERT_EQ(a.kernels.size(), b.kernels.size());
  for (size_t i = 0; i < a.kernels.size(); ++i) {
    const KernelInfo &x = a.kernels[i], &y = b.kernels[i];
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.grid, y.grid);
    EXPECT_EQ(x.block, y.block);
    EXPECT_EQ(x.cluster, y.cluster);
    EXPECT_EQ(x.shmem_bytes, y.shmem_bytes);
    EXPECT_EQ(x.regs_per_thread, y.regs_per_thread);
    EXPECT_EQ(x.regs_in_header, y.regs_in_header);
    EXPECT_EQ(x.regs_in_header, x.regs_per_thread);
    EXPECT_EQ(x.binary_version, y.binary_version);
    EXPECT_EQ(x.shmem_base, y.shmem_base);
    EXPECT_EQ(x.local_base, y.local_base);
    EXPECT_EQ(x.isa, y.isa);
    EXPECT_EQ(x.warp_size, y.warp_size);
  }
  EXPECT_EQ(a.warp_sizes, b.warp_sizes);
  ASSERT_EQ(a.recs.size(), b.recs.size());
  for (size_t i = 0; i < a.recs.size(); ++i) {
    const Rec &r = a.recs[i], &s = b.recs[i];
    ASSERT_EQ(r.opcode, s.opcode) << i;
    EXPECT_EQ(r.cta, s.cta);
    EXPECT_EQ(r.warp, s.warp);
    const Instruction &p = r.inst, &q = s.inst;
    EXPECT_EQ(p.pc, q.pc) << i;
    EXPECT_EQ(p.active_mask, q.active_mask) << i;
    EXPECT_EQ(p.immediate, q.immediate) << i;
    EXPECT_EQ(p.op_class, q.op_class) << i;
    EXPECT_EQ(p.unit, q.unit) << i;
    EXPECT_EQ(p.space, q.space) << i;
    EXPECT_EQ(p.mem_width, q.mem_width) << i;
    ASSERT_EQ(p.num_dst, q.num_dst) << i;
    ASSERT_EQ(p.num_src, q.num_src) << i;
    for (int j = 0; j < p.num_dst; ++j) EXPECT_EQ(p.dst[j], q.dst[j]) << i;
    for (int j = 0; j < p.num_src; ++j) EXPECT_EQ(p.src[j], q.src[j]) << i;
    EXPECT_EQ(r.addrs, s.addrs) << i;
  }
}

fs::path temp_path(const std::string& tag) {
  fs::path d =
      fs::temp_directory_path() / ("joulesim_genrt_" + tag + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  return d;
}

const std::vector<Case>& sass_cases() {
  static const std::vector<Case> cases = {
      {"ubench.ffma_chain", {{"n", "33"}, {"warps", "2"}}, Isa::kSm80},
      {"ubench.throughput", {{"op", "hmma.f16"}, {"iters", "3"}}, Isa::kSm70},
      {"ubench.throughput", {{"op", "wgmma.fp8"}, {"iters", "3"}}, Isa::kSm90},
      {"ubench.pointer_chase", {{"footprint_kb", "8"}, {"pattern", "random"}}, Isa::kSm80},
      {"ubench.stream", {{"ctas", "4"}, {"kind", "triad"}, {"bytes_per_thread", "8"}}, Isa::kSm80},
      {"ubench.smem_bank", {{"ways", "8"}}, Isa::kSm90},
      {"bench.stream_loop", {{"ctas", "4"}, {"iters", "10"}}, Isa::kSm70},
      {"kernel.reduce", {{"ctas", "3"}, {"threads", "96"}}, Isa::kSm80},
      {"gemm", {{"m", "256"}, {"n", "256"}, {"k", "128"}, {"sparse", "1"}}, Isa::kSm80},
      {"gemm",
       {{"m", "256"}, {"n", "128"}, {"k", "128"}, {"sparse", "1"}, {"copy", "registers"}},
       Isa::kSm80},
      {"gemm", {{"m", "128"}, {"n", "256"}, {"k", "128"}, {"dtype", "bf16"}}, Isa::kSm90},
      // Two M tiles: a 2x1 cluster with multicast B (the .jst cluster record, '-cluster dim').
      {"gemm", {{"m", "256"}, {"n", "512"}, {"k", "128"}}, Isa::kSm90},
      {"gemm", {{"m", "128"}, {"n", "256"}, {"k", "512"}, {"dtype", "fp4"}}, Isa::kSm100},
      {"gemm", {{"m", "128"}, {"n", "256"}, {"k", "512"}, {"copy", "tma"}}, Isa::kSm100},
  };
  return cases;
}

}  // namespace

TEST(GenRoundTrip, AccelSimTextReadsBackIdentical) {
  for (const Case& c : sass_cases()) {
    SCOPED_TRACE(c.name);
    fs::path d = temp_path("text");
    auto src = gen::open_generated(c.name, c.params, c.isa);
    write_accelsim(*src, d);
    auto back = open_trace(d);
    expect_same(make_flat(c.name, c.params, c.isa), flatten(*back));
    fs::remove_all(d);
  }
}

TEST(GenRoundTrip, NativeJstReadsBackIdenticalIncludingCdna) {
  std::vector<Case> cases = sass_cases();
  cases.push_back({"ubench.ffma_chain", {{"n", "9"}}, Isa::kGfx90a});
  cases.push_back({"ubench.throughput", {{"op", "mfma.f16"}, {"iters", "3"}}, Isa::kGfx942});
  cases.push_back({"ubench.pointer_chase", {{"footprint_kb", "2"}}, Isa::kGfx90a});
  cases.push_back({"ubench.stream", {{"ctas", "2"}, {"kind", "copy"}}, Isa::kGfx942});
  cases.push_back({"ubench.smem_bank", {{"ways", "2"}}, Isa::kGfx90a});
  cases.push_back(
      {"gemm", {{"m", "256"}, {"n", "128"}, {"k", "64"}, {"dtype", "fp64"}}, Isa::kGfx90a});
  cases.push_back(
      {"gemm", {{"m", "128"}, {"n", "256"}, {"k", "128"}, {"sparse", "1"}}, Isa::kGfx942});
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name + " " + std::string(gen::to_string(c.isa)));
    fs::path f = temp_path("jst");
    f += ".jst";
    auto src = gen::open_generated(c.name, c.params, c.isa);
    write_jst(*src, f);
    auto back = open_trace(f);
    expect_same(make_flat(c.name, c.params, c.isa), flatten(*back));
    fs::remove(f);
  }
}
