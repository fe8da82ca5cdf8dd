// Every malformed input is an InputError naming file:line and what was expected.
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "trace/trace.hpp"
#include "trace/trace_stats.hpp"
#include "trace_test_util.hpp"

using namespace joulesim::trace;
using namespace joulesim::trace::testing;
using joulesim::InputError;

namespace {
// Reads everything; returns the InputError's message, or "" if it parsed.
std::string error_of(const std::string& text) {
  try {
    auto src = open_trace_from_memory(text, "bad.traceg");
    summarize_trace(*src);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

std::string one(const std::string& line, int version = 5) {
  return header(1, 32, version) + cta(0, {{line}});
}

// Line of the instruction in one(): the header has 16 lines, then 6 CTA lines precede it.
constexpr int kInstLine = 23;

void expect_error(const std::string& text, int line, const std::string& part) {
  std::string msg = error_of(text);
  ASSERT_FALSE(msg.empty()) << "expected an error containing '" << part << "'";
  EXPECT_EQ(msg.rfind("bad.traceg:" + std::to_string(line) + ": ", 0), 0u) << msg;
  EXPECT_NE(msg.find(part), std::string::npos) << msg;
}
}  // namespace

TEST(TraceErrors, WellFormedFixtureParses) {
  EXPECT_EQ(error_of(one("0000 ffffffff 1 R1 MOV 0 0 0")), "");
}

TEST(TraceErrors, BadHexPcAndMask) {
  expect_error(one("00g0 ffffffff 1 R1 MOV 0 0 0"), kInstLine, "hexadecimal PC");
  expect_error(one("0000 fffffzff 1 R1 MOV 0 0 0"), kInstLine, "hexadecimal active mask");
  expect_error(one("0000 1ffffffff 1 R1 MOV 0 0 0"), kInstLine, "at most 32 lanes");
  expect_error(one("0000 ffffffff 1 R2 LDG.E 1 R4 4 0 0x10 0xZZ 0x30"), kInstLine,
               "hexadecimal address 2 of 32");
  expect_error(one("0000 ffffffff 1 R2 LDG.E 1 R4 4 1 base 4 0"), kInstLine, "hexadecimal base");
}

TEST(TraceErrors, TooManyOrMalformedRegisters) {
  expect_error(one("0000 ffffffff 9 R1 R2 R3 R4 R5 R6 R7 R8 R9 MOV 0 0 0"), kInstLine,
               "at most 8 destination registers");
  expect_error(one("0000 ffffffff 1 R1 MOV 9 R1 R2 R3 R4 R5 R6 R7 R8 R9 0 0"), kInstLine,
               "at most 8 source registers");
  expect_error(one("0000 ffffffff 1 R256 MOV 0 0 0"), kInstLine, "destination register 1");
  expect_error(one("0000 ffffffff 2 R1 MOV 0 0 0"), kInstLine, "destination register 2");
  expect_error(one("0000 ffffffff 1 R1 MOV 1 P0 0 0"), kInstLine, "source register 1");
}

TEST(TraceErrors, BadAddressModesAndWidths) {
  expect_error(one("0000 ffffffff 1 R2 LDG.E 1 R4 4 3 0x10 4 0"), kInstLine, "address mode 0");
  expect_error(one("0000 0000000f 1 R2 LDG.E 1 R4 4 2 0x10 4 4 0"), kInstLine,
               "decimal 32-bit immediate");  // a 4th delta where the immediate belongs
  expect_error(one("0000 0000000f 1 R2 LDG.E 1 R4 4 2 0x10 4 0"), kInstLine,
               "decimal address delta 3 of 3");
  expect_error(one("0000 00000005 1 R2 LDG.E 1 R4 4 1 0x10 4 0"), kInstLine, "contiguous");
  expect_error(one("0000 ffffffff 1 R2 LDG.E 1 R4 300 1 0x10 4 0"), kInstLine, "at most 255 bytes");
}

TEST(TraceErrors, NonNumericFieldsAndExtraTokens) {
  expect_error(one("0000 ffffffff one R1 MOV 0 0 0"), kInstLine, "number of destination registers");
  expect_error(one("0000 ffffffff 1 R1 MOV x 0 0"), kInstLine, "number of source registers");
  expect_error(one("0000 ffffffff 1 R1 MOV 0 w 0"), kInstLine, "memory width");
  expect_error(one("0000 ffffffff 1 R1 MOV 0 0 1.5"), kInstLine, "immediate");
  expect_error(one("0000 ffffffff 1 R1 MOV 0 0"), kInstLine, "immediate");  // v5 needs it
  expect_error(one("0000 ffffffff 1 R1 MOV 0 0 0 7"), kInstLine, "end of line");
  expect_error(one("0000 ffffffff 1 R1 MOV 0 0 0", 4), kInstLine, "end of line");
  expect_error(one("0000 ffffffff 1 R1 9MOV 0 0 0"), kInstLine, "an opcode");
  expect_error(one("0000"), kInstLine, "hexadecimal active mask");
}

TEST(TraceErrors, InstsCountMustMatchTheLines) {
  std::string text = header(1, 64) +
                     "#BEGIN_TB\nthread block = 0,0,0\nwarp = 0\ninsts = 3\n"
                     "0000 ffffffff 1 R1 MOV 0 0 0\n0010 ffffffff 0 EXIT 0 0 0\n"
                     "warp = 1\ninsts = 1\n0000 ffffffff 0 EXIT 0 0 0\n#END_TB\n";
  expect_error(text, 20, "declares 'insts = 3' but 2 instruction lines follow");
  std::string more = header(1, 32) +
                     "#BEGIN_TB\nthread block = 0,0,0\nwarp = 0\ninsts = 1\n"
                     "0000 ffffffff 1 R1 MOV 0 0 0\n0010 ffffffff 0 EXIT 0 0 0\n#END_TB\n";
  expect_error(more, 22, "more instruction lines than the warp's 'insts = 1'");
  std::string at_end = header(1, 32) +
                       "#BEGIN_TB\nthread block = 0,0,0\nwarp = 0\ninsts = 2\n"
                       "0000 ffffffff 1 R1 MOV 0 0 0\n#END_TB\n";
  expect_error(at_end, 20, "declares 'insts = 2' but 1 instruction lines follow");
}

TEST(TraceErrors, TruncatedFiles) {
  std::string full = header(2, 32) + cta(0, {{"0000 ffffffff 0 EXIT 0 0 0"}}) +
                     cta(1, {{"0000 ffffffff 0 EXIT 0 0 0"}});
  // Cut inside the second block.
  std::string cut = full.substr(0, full.rfind("#END_TB"));
  std::string msg = error_of(cut);
  EXPECT_NE(msg.find("file ends inside a thread block"), std::string::npos) << msg;
  // Cut after the first block: fewer blocks than the grid.
  std::string half = header(2, 32) + cta(0, {{"0000 ffffffff 0 EXIT 0 0 0"}});
  msg = error_of(half);
  EXPECT_NE(msg.find("file ends after 1 of 2 thread blocks"), std::string::npos) << msg;
  // Cut in the header.
  msg = error_of("-kernel name = k\n-grid dim = (1,1");
  EXPECT_NE(msg.find("grid dim"), std::string::npos) << msg;
  EXPECT_NE(error_of("").find("empty or truncated"), std::string::npos);
  // Truncated compressed streams.
  std::string gz = gzip_bytes(full), xz = xz_bytes(full);
  EXPECT_NE(error_of(gz.substr(0, gz.size() / 2)).find("truncated gzip stream"), std::string::npos);
  EXPECT_NE(error_of(xz.substr(0, xz.size() / 2)).find("xz stream"), std::string::npos);
}

TEST(TraceErrors, StructureErrors) {
  expect_error(header(1, 32) + "#BEGIN_TB\nthread block = 0,0,0\n0000 ffffffff 0 EXIT 0 0 0\n", 19,
               "before any 'warp = N'");
  expect_error(header(1, 32) + "#BEGIN_TB\nthread block = 0,0,0\nwarp = 1\n", 19,
               "warp 1 out of range");
  expect_error(header(1, 32) + "#BEGIN_TB\nthread block = 1,0,0\n", 18, "outside the grid");
  expect_error(header(1, 32) + "#BEGIN_TB\nwarp = 0\n", 18, "before the 'thread block");
  expect_error(header(1, 32) + "garbage\n", 17, "expected '#BEGIN_TB'");
  expect_error(header(1, 32) + "#BEGIN_TB\nthread block = 0,0,0\nwarp = 0\nzzz\n", 20,
               "expected an instruction line");
  expect_error(header(1, 32) + cta(0, {{"0000 ffffffff 0 EXIT 0 0 0"}}) +
                   cta(0, {{"0000 ffffffff 0 EXIT 0 0 0"}}),
               27, "more thread blocks than the grid");
}

TEST(TraceErrors, HeaderErrors) {
  expect_error("-kernel name = k\n-grid dim = (1,1,1)\n-block dim = (32,1,1)\n#x\n", 4,
               "accelsim tracer version");
  expect_error(
      "-kernel name = k\n-grid dim = (1,1,1)\n-block dim = (32,1,1)\n"
      "-accelsim tracer version = 2\n#x\n",
      5, "not supported");
  expect_error(
      "-kernel name = k\n-grid dim = (1,1,1)\n-block dim = (2048,1,1)\n"
      "-accelsim tracer version = 5\n#x\n",
      5, "1 to 1024");
  expect_error("-kernel name = k\n-nregs = many\n", 2, "-nregs = <non-negative integer>");
  expect_error("-kernel name = k\n-shmem base_addr = 0xQQ\n", 2, "hex address");
  expect_error("-kernel name k\n", 1, "-key = value");
}

TEST(TraceErrors, KernelListErrors) {
  TempDir dir;
  auto list = dir.write("kernelslist.g", "MemcpyHtoD,0x10,8\nkernel-9.traceg\n");
  try {
    open_trace(list);
    FAIL() << "missing kernel file accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.line(), 2u);
    EXPECT_NE(std::string(e.what()).find("kernel-9.traceg' not found"), std::string::npos);
  }
  auto bad = dir.write("list2.g", "MemcpyHtoD,0xZZ,8\n");
  EXPECT_THROW(open_trace(bad), InputError);
  EXPECT_THROW(open_trace(dir.path / "nope.g"), joulesim::Error);
}

// '-cluster dim' (joulesim's extension of the header): absent means no clusters; present, it
// must divide the grid.
TEST(TraceErrors, ClusterDimIsOptionalAndMustDivideTheGrid) {
  auto with_cluster = [](int grid, const std::string& dim) {
    std::string h = header(grid, 32);
    if (!dim.empty()) h.replace(h.find("-shmem = 0\n"), 0, "-cluster dim = " + dim + "\n");
    for (int c = 0; c < grid; ++c) h += cta(c, {{"0000 ffffffff 0 EXIT 0 0 0"}});
    return h;
  };
  EXPECT_EQ(load_text(with_cluster(2, "")).info.cluster, (Dim3{1, 1, 1}));
  EXPECT_EQ(load_text(with_cluster(2, "(2,1,1)")).info.cluster, (Dim3{2, 1, 1}));
  const std::string e = error_of(with_cluster(3, "(2,1,1)"));
  EXPECT_NE(e.find("bad.traceg"), std::string::npos) << e;
  EXPECT_NE(e.find("cluster dim (2,1,1) does not divide grid dim (3,1,1)"), std::string::npos) << e;
  EXPECT_NE(error_of(with_cluster(32, "(32,1,1)")).find("at most 16"), std::string::npos);
}
