// Accel-Sim text reader: the real captures, each address mode, line layouts, compression.
#include <gtest/gtest.h>

#include <bit>
#include <fstream>

#include "trace/trace.hpp"
#include "trace/trace_stats.hpp"
#include "trace_test_util.hpp"

using namespace joulesim::trace;
using namespace joulesim::trace::testing;

namespace {
const std::string kData = JOULESIM_SHARED_DATA;

// Independent scan of a .traceg's text: instruction lines start with a 4+ digit hex PC and an
// 8-digit hex mask. Returns {warp instructions, sum of mask popcounts}.
std::pair<uint64_t, uint64_t> scan_text(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  uint64_t insts = 0, lanes = 0;
  while (std::getline(in, line)) {
    std::istringstream ss(line);
    std::string pc, mask;
    if (!(ss >> pc >> mask)) continue;
    auto hex = [](const std::string& s) {
      return !s.empty() && s.find_first_not_of("0123456789abcdef") == std::string::npos;
    };
    if (pc.size() < 4 || mask.size() != 8 || !hex(pc) || !hex(mask)) continue;
    ++insts;
    lanes += static_cast<uint64_t>(std::popcount(std::stoul(mask, nullptr, 16)));
  }
  return {insts, lanes};
}
}  // namespace

TEST(AccelSimReader, VectorAddCaptureMatchesItsText) {
  auto src = open_trace(kData + "/traces/vectoradd-sm80/kernelslist.g");
  TraceSummary s = summarize_trace(*src);
  ASSERT_EQ(s.kernels.size(), 1u);
  const KernelSummary& k = s.kernels[0];
  EXPECT_EQ(k.info.name, "_Z9vectorAddPKfS0_Pfi");
  EXPECT_EQ(k.info.grid, (Dim3{196, 1, 1}));
  EXPECT_EQ(k.info.block, (Dim3{256, 1, 1}));
  EXPECT_EQ(k.ctas, 196u);
  EXPECT_EQ(k.warps, 196u * 8);
  EXPECT_EQ(k.warp_insts, 26601u);  // the dataset README's figure
  auto [insts, lanes] = scan_text(kData + "/traces/vectoradd-sm80/kernel-1.traceg");
  EXPECT_EQ(k.warp_insts, insts);
  EXPECT_EQ(k.thread_insts, lanes);
  EXPECT_EQ(s.memcpys, 2u);
  EXPECT_EQ(s.memcpy_bytes, 400000u);
  EXPECT_TRUE(k.unknown_opcodes.empty());
  EXPECT_TRUE(k.info.warnings.empty());
  // vectorAdd: 2 loads and 1 store of 4 bytes per element, 50,000 elements (the memcpy sizes
  // are 200,000 bytes = 50,000 floats).
  const MemSpaceStats& g = k.memory[static_cast<size_t>(MemSpace::kGlobal)];
  EXPECT_EQ(g.lane_accesses, 3u * 50000);
  EXPECT_EQ(g.bytes, 3u * 50000 * 4);
}

TEST(AccelSimReader, PytorchCaptureWithBinaryVersionZeroFallsBack) {
  auto src = open_trace(kData + "/traces/pytorch-pow-binver0/kernelslist.g");
  TraceSummary s = summarize_trace(*src);
  ASSERT_EQ(s.kernels.size(), 1u);
  const KernelSummary& k = s.kernels[0];
  EXPECT_EQ(k.ctas, 55u);
  EXPECT_EQ(k.info.block.count(), 128u);
  EXPECT_EQ(k.warp_insts, 7260u);
  EXPECT_EQ(k.info.binary_version, 0u);
  EXPECT_EQ(k.isa_table, 70u);  // nearest table to 0
  EXPECT_EQ(k.info.regs_in_header, 21955u);
  EXPECT_EQ(k.info.regs_per_thread, 255u);
  ASSERT_EQ(k.info.warnings.size(), 2u);
  EXPECT_NE(k.info.warnings[0].find("binary version 0"), std::string::npos);
  EXPECT_NE(k.info.warnings[1].find("21955"), std::string::npos);
  auto files = std::filesystem::directory_iterator(kData + "/traces/pytorch-pow-binver0");
  for (const auto& f : files) {
    if (f.path().extension() != ".traceg") continue;
    auto [insts, lanes] = scan_text(f.path().string());
    EXPECT_EQ(k.warp_insts, insts);
    EXPECT_EQ(k.thread_insts, lanes);
  }
  // LDG.E.128.SYS: 16 bytes per active lane.
  const MemSpaceStats& g = k.memory[static_cast<size_t>(MemSpace::kGlobal)];
  EXPECT_EQ(g.bytes, g.lane_accesses * 16);
}

TEST(AccelSimReader, AddressModeListGivesOneAddressPerActiveLane) {
  auto k = load_text(header(1, 32) +
                     cta(0, {{"0000 0000000b 1 R2 LDG.E 1 R4 4 0 0x100 0x200 0x1000 0"}}));
  const WarpTrace& w = k.ctas[0].warps[0];
  ASSERT_EQ(w.insts.size(), 1u);
  EXPECT_EQ(w.insts[0].active_lanes(), 3);
  EXPECT_EQ(w.insts[0].mem_width, 4);
  EXPECT_EQ(w.addresses, (std::vector<uint64_t>{0x100, 0x200, 0x1000}));
}

TEST(AccelSimReader, AddressModeBaseStrideExpandsOverTheActiveRun) {
  auto k = load_text(header(1, 32) +
                     cta(0, {{"0000 00000f00 1 R2 LDG.E 1 R4 8 1 0x7f0000001000 -8 0"}}));
  const WarpTrace& w = k.ctas[0].warps[0];
  EXPECT_EQ(w.addresses, (std::vector<uint64_t>{0x7f0000001000, 0x7f0000000ff8, 0x7f0000000ff0,
                                                0x7f0000000fe8}));
}

TEST(AccelSimReader, AddressModeBaseDeltasAccumulatesFromTheFirstLane) {
  // Lanes 0, 1 and 4 active: base for lane 0, then deltas for lanes 1 and 4.
  auto k = load_text(header(1, 32) +
                     cta(0, {{"0000 00000013 1 R2 LDG.E.128 1 R4 16 2 0x1000 16 -4096 0"}}));
  const WarpTrace& w = k.ctas[0].warps[0];
  EXPECT_EQ(w.addresses, (std::vector<uint64_t>{0x1000, 0x1010, 0x10}));
  EXPECT_EQ(w.insts[0].mem_width, 16);
}

TEST(AccelSimReader, RegistersImmediatesAndZeroRegisters) {
  auto k = load_text(header(1, 64) +
                     cta(0, {{"0010 ffffffff 1 R7 IADD3 3 R255 R3 UR5 0 -12",
                              "0020 ffffffff 2 R8 R9 IMAD.WIDE 2 UR63 R250 0 4294967295"},
                             {"0000 0000ffff 0 EXIT 0 0 0"}}));
  const auto& w = k.ctas[0].warps[0];
  const Instruction& a = w.insts[0];
  EXPECT_EQ(a.pc, 0x10u);
  EXPECT_EQ(a.num_dst, 1);
  EXPECT_EQ(a.dst[0], 7);
  ASSERT_EQ(a.num_src, 3);
  EXPECT_EQ(a.src[0], kZeroReg);
  EXPECT_EQ(a.src[1], 3);
  EXPECT_EQ(a.src[2], kUniformBase + 5);
  EXPECT_EQ(a.immediate, static_cast<uint32_t>(-12));
  EXPECT_EQ(a.op_class, OpClass::kIntAlu);
  const Instruction& b = w.insts[1];
  EXPECT_EQ(b.num_dst, 2);
  EXPECT_EQ(b.src[0], kZeroReg);  // UR63 is URZ
  EXPECT_EQ(b.immediate, 4294967295u);
  EXPECT_EQ(k.ctas[0].warps[1].insts[0].active_mask, 0xffffu);
  EXPECT_EQ(k.ctas[0].warps[1].warp_in_cta, 1u);
}

TEST(AccelSimReader, TracerVersionsThreeAndFourHaveNoImmediateAndLineinfoIsSkipped) {
  auto v3 = load_text(header(1, 32, 3) + cta(0, {{"0000 ffffffff 1 R1 MOV 0 0",
                                                  "0010 ffffffff 0 STG.E 2 R2 R1 4 1 0x10 4"}}));
  EXPECT_EQ(v3.ctas[0].warps[0].insts.size(), 2u);
  EXPECT_EQ(v3.ctas[0].warps[0].addresses.size(), 32u);
  auto v4 = load_text(header(1, 32, 4, 80, 1) + cta(0, {{"42 0000 ffffffff 1 R1 MOV 0 0"}}));
  EXPECT_EQ(v4.ctas[0].warps[0].insts[0].dst[0], 1);
  EXPECT_EQ(v4.info.tracer_version, 4u);
}

TEST(AccelSimReader, GzipAndXzGiveTheSameInstructionsAsPlainText) {
  std::string text =
      header(2, 64) +
      cta(0,
          {{"0000 ffffffff 1 R2 LDG.E 1 R4 4 1 0x1000 4 0", "0010 ffffffff 1 R3 FFMA 2 R2 R2 0 0"},
           {"0000 ffffffff 0 EXIT 0 0 0"}}) +
      cta(1, {{"0000 0000ffff 0 EXIT 0 0 0"}, {"0000 ffff0000 0 EXIT 0 0 0"}});
  TempDir dir;
  auto plain = dir.write("k.traceg", text);
  auto gz = dir.write("k.traceg.gz", gzip_bytes(text));
  auto xz = dir.write("k.traceg.xz", xz_bytes(text));
  auto summary = [](const std::filesystem::path& p) {
    auto src = open_trace(p);
    return summarize_trace(*src).to_json().dump();
  };
  std::string want = summary(plain);
  EXPECT_EQ(summary(gz), want);
  EXPECT_EQ(summary(xz), want);
  // A list may name the .traceg while only the compressed file exists.
  std::filesystem::remove(plain);
  std::filesystem::remove(gz);
  auto list = dir.write("kernelslist.g", "MemcpyHtoD,0x1000,64\nk.traceg\n");
  auto s = summarize_trace(*open_trace(list));
  EXPECT_EQ(s.memcpys, 1u);
  ASSERT_EQ(s.kernels.size(), 1u);
  EXPECT_EQ(s.kernels[0].warp_insts, 5u);
  EXPECT_EQ(s.kernels[0].thread_insts, 32u * 3 + 16 + 16);
}

TEST(AccelSimReader, UnknownOpcodesAreCountedAsGenericAlu) {
  auto k = load_text(header(1, 32) + cta(0, {{"0000 ffffffff 1 R1 FROBNICATE.X 0 0 0",
                                              "0010 0000000f 0 FROBNICATE.X 0 0 0"}}));
  const Instruction& in = k.ctas[0].warps[0].insts[0];
  EXPECT_FALSE(k.opcodes[in.opcode].known);
  EXPECT_EQ(in.op_class, OpClass::kUnknown);
  EXPECT_EQ(in.unit, Unit::kInt);
  auto s = summarize_trace(*open_trace_from_memory(
      header(1, 32) +
      cta(0, {{"0000 ffffffff 1 R1 FROBNICATE.X 0 0 0", "0010 0000000f 0 FROBNICATE.X 0 0 0"}})));
  EXPECT_EQ(s.kernels[0].unknown_opcodes.at("FROBNICATE.X"), 2u);
}

TEST(AccelSimReader, StreamingReusesTheCtaAndReadsInOrder) {
  std::string text = header(3, 32);
  for (int c = 0; c < 3; ++c) text += cta(c, {{"0000 ffffffff 0 EXIT 0 0 0"}});
  auto src = open_trace_from_memory(text);
  TraceCommand cmd;
  ASSERT_TRUE(src->next(cmd));
  CtaTrace cta_buf;
  for (uint32_t c = 0; c < 3; ++c) {
    ASSERT_TRUE(cmd.kernel->next_cta(cta_buf));
    EXPECT_EQ(cta_buf.id.x, c);
    EXPECT_EQ(cta_buf.warps.size(), 1u);
  }
  EXPECT_FALSE(cmd.kernel->next_cta(cta_buf));
  EXPECT_FALSE(src->next(cmd));
}
