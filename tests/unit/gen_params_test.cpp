// Generator registry and parameter validation: unknown names, ranges, choices, ISA support.
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "gen_test_util.hpp"

using namespace joulesim::trace;
using joulesim::Error;
using joulesim::trace::gen::ParamList;

namespace {

std::string error_of(const std::string& name, const ParamList& p,
                     std::optional<gen::Isa> isa = std::nullopt) {
  try {
    gen::generate(name, p, isa);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

bool has(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

}  // namespace

TEST(GenParams, RegistryHasEveryGeneratorOfTheIssue) {
  for (const char* n :
       {"ubench.ffma_chain", "ubench.throughput", "ubench.pointer_chase", "ubench.stream",
        "ubench.smem_bank", "ubench.smem_chase", "bench.stream_loop", "gemm", "kernel.reduce"}) {
    EXPECT_EQ(gen::generator_spec(n).name, n);
  }
  // Every parameter is documented and its default is itself valid.
  for (const gen::GeneratorSpec& g : gen::generator_specs()) {
    EXPECT_FALSE(g.summary.empty());
    EXPECT_FALSE(g.isas.empty());
    for (const gen::ParamSpec& p : g.params) EXPECT_FALSE(p.doc.empty()) << g.name << " " << p.name;
    EXPECT_NO_THROW(gen::resolve_params(g, {})) << g.name;
  }
}

TEST(GenParams, UnknownGeneratorListsTheAvailableOnes) {
  std::string e = error_of("ubench.nope", {});
  EXPECT_TRUE(has(e, "unknown generator 'ubench.nope'")) << e;
  EXPECT_TRUE(has(e, "ubench.ffma_chain")) << e;
  EXPECT_TRUE(has(e, "gemm")) << e;
}

TEST(GenParams, UnknownParamNamesItAndListsAllowed) {
  std::string e = error_of("ubench.ffma_chain", {{"len", "3"}});
  EXPECT_TRUE(has(e, "unknown param 'len'")) << e;
  EXPECT_TRUE(has(e, "allowed: n, warps")) << e;
  e = error_of("gemm", {{"mm", "128"}});
  EXPECT_TRUE(has(e, "allowed: m, n, k, dtype, sparse")) << e;
}

TEST(GenParams, OutOfRangeAndMalformedValuesShowTheRange) {
  std::string e = error_of("ubench.ffma_chain", {{"n", "0"}});
  EXPECT_TRUE(has(e, "param 'n' = 0 is out of range; allowed: an integer in [1, 10000000]")) << e;
  e = error_of("ubench.ffma_chain", {{"n", "12abc"}});
  EXPECT_TRUE(has(e, "is not an integer")) << e;
  e = error_of("ubench.smem_bank", {{"ways", "3"}});
  EXPECT_TRUE(has(e, "power of two")) << e;
  e = error_of("ubench.stream", {{"kind", "scale"}});
  EXPECT_TRUE(has(e, "'scale' is not allowed; allowed: one of read, write, copy, triad")) << e;
  e = error_of("ubench.ffma_chain", {{"n", "4"}, {"n", "5"}});
  EXPECT_TRUE(has(e, "given 2 times")) << e;
  EXPECT_THROW(gen::parse_param_args({"n4"}), Error);
  EXPECT_EQ(gen::parse_param_args({"n=4", "kind=a=b"}), (ParamList{{"n", "4"}, {"kind", "a=b"}}));
  EXPECT_EQ(
      gen::resolve_params(gen::generator_spec("ubench.ffma_chain"), {{"n", "0x10"}}).integer("n"),
      16);
}

TEST(GenParams, IsaNamesAndUnsupportedCombinations) {
  EXPECT_EQ(gen::parse_isa("gfx942"), gen::Isa::kGfx942);
  EXPECT_EQ(gen::isa_binary_version(gen::Isa::kGfx90a), 0x90Au);
  EXPECT_EQ(gen::isa_warp_size(gen::Isa::kGfx90a), 64u);
  try {
    gen::parse_isa("sm_75");
    FAIL();
  } catch (const Error& e) {
    EXPECT_TRUE(has(e.what(), "allowed: sm_70, sm_80, sm_90, sm_100, gfx90a, gfx942")) << e.what();
  }
  std::string e = error_of("bench.stream_loop", {}, gen::Isa::kGfx90a);
  EXPECT_TRUE(has(e, "--isa gfx90a is not supported; allowed: sm_70")) << e;
  e = error_of("ubench.throughput", {{"op", "wgmma.f16"}}, gen::Isa::kSm80);
  EXPECT_TRUE(has(e, "no instruction on sm_80")) << e;
  e = error_of("ubench.throughput", {{"op", "hmma.f16"}}, gen::Isa::kGfx90a);
  EXPECT_TRUE(has(e, "allowed ops for this ISA: ffma, hfma2, imad, idp4a, dfma, mufu, mfma.f16"))
      << e;
  e = error_of("ubench.throughput", {{"op", "wgmma.f16"}, {"warps_per_sm", "6"}}, gen::Isa::kSm90);
  EXPECT_TRUE(has(e, "multiple of 4")) << e;
  // Volta HMMA.884 accumulates into 8 registers: (255 - 16) / 8 = 29 chains fit
  e = error_of("ubench.throughput", {{"op", "hmma.f16"}, {"chains", "32"}}, gen::Isa::kSm70);
  EXPECT_TRUE(has(e, "chains <= 29")) << e;
  // 16 + 32 x 4 = 144 registers x 32 warps x 32 threads > 65536
  e = error_of("ubench.throughput", {{"op", "hmma.f16"}, {"chains", "32"}, {"warps_per_sm", "32"}});
  EXPECT_TRUE(has(e, "more than the 65536 of an SM")) << e;
  e = error_of("ubench.pointer_chase", {{"footprint_kb", "1"}, {"stride_b", "1024"}});
  EXPECT_TRUE(has(e, "fewer than 2 nodes")) << e;
  e = error_of("ubench.stream", {{"threads", "0"}}, gen::Isa::kGfx942);
  EXPECT_TRUE(has(e, "threads")) << e;
  EXPECT_TRUE(error_of("ubench.stream", {{"threads", "96"}}, gen::Isa::kGfx942).empty());
}

TEST(GenParams, GemmRejectsWhatTheIsaCannotDo) {
  std::string e = error_of("gemm", {{"m", "100"}});
  EXPECT_TRUE(has(e, "128x256x64 CTA tile: m must be a multiple of 128")) << e;
  e = error_of("gemm", {{"dtype", "fp8"}}, gen::Isa::kSm80);
  EXPECT_TRUE(
      has(e, "dtype fp8 has no warp-level MMA on sm_80; allowed: fp16, bf16, tf32, int8, fp64"))
      << e;
  e = error_of("gemm", {{"dtype", "bf16"}}, gen::Isa::kSm70);
  EXPECT_TRUE(has(e, "allowed: fp16")) << e;
  e = error_of("gemm", {{"dtype", "fp64"}, {"sparse", "1"}});
  EXPECT_TRUE(has(e, "sparse=1 (2:4) is not available for dtype fp64")) << e;
  e = error_of("gemm", {{"dtype", "fp4"}}, gen::Isa::kSm90);
  EXPECT_TRUE(has(e, "dtype fp4 has no wgmma on sm_90")) << e;
  e = error_of("gemm", {{"dtype", "fp8"}}, gen::Isa::kGfx90a);
  EXPECT_TRUE(has(e, "no MFMA on gfx90a; allowed: fp16, bf16, int8, fp64")) << e;
  e = error_of("gemm", {{"sparse", "1"}}, gen::Isa::kGfx90a);
  EXPECT_TRUE(has(e, "no sparse MFMA on CDNA2")) << e;
}

TEST(GenParams, DescribeListsEveryParameterWithDefault) {
  std::string d = gen::describe_generators();
  EXPECT_TRUE(has(d, "ubench.pointer_chase:")) << d;
  EXPECT_TRUE(has(d, "  stride_b = [8..1048576] power of two (default 128)")) << d;
  EXPECT_TRUE(has(d, "  kind = read|write|copy|triad (default read)")) << d;
}
