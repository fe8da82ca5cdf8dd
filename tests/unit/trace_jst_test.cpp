// Native .jst: lossless round trip, size, and rejection of damaged files.
#include <gtest/gtest.h>

#include <fstream>

#include "core/error.hpp"
#include "trace/memory_source.hpp"
#include "trace/trace.hpp"
#include "trace/trace_stats.hpp"
#include "trace_test_util.hpp"

using namespace joulesim::trace;
using namespace joulesim::trace::testing;

namespace {
const std::string kData = JOULESIM_SHARED_DATA;

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void expect_same_instructions(const LoadedKernel& a, const LoadedKernel& b) {
  ASSERT_EQ(a.ctas.size(), b.ctas.size());
  ASSERT_EQ(a.opcodes.size(), b.opcodes.size());
  for (size_t i = 0; i < a.opcodes.size(); ++i) EXPECT_EQ(a.opcodes[i].name, b.opcodes[i].name);
  for (size_t c = 0; c < a.ctas.size(); ++c) {
    const CtaTrace &x = a.ctas[c], &y = b.ctas[c];
    EXPECT_EQ(x.id, y.id);
    ASSERT_EQ(x.warps.size(), y.warps.size());
    for (size_t w = 0; w < x.warps.size(); ++w) {
      const WarpTrace &p = x.warps[w], &q = y.warps[w];
      EXPECT_EQ(p.warp_in_cta, q.warp_in_cta);
      EXPECT_EQ(p.addresses, q.addresses);
      ASSERT_EQ(p.insts.size(), q.insts.size());
      for (size_t i = 0; i < p.insts.size(); ++i) {
        const Instruction &s = p.insts[i], &t = q.insts[i];
        EXPECT_EQ(s.active_mask, t.active_mask);
        EXPECT_EQ(s.pc, t.pc);
        EXPECT_EQ(s.addr_index, t.addr_index);
        EXPECT_EQ(s.immediate, t.immediate);
        EXPECT_EQ(s.opcode, t.opcode);
        EXPECT_EQ(s.op_class, t.op_class);
        EXPECT_EQ(s.unit, t.unit);
        EXPECT_EQ(s.space, t.space);
        EXPECT_EQ(s.mem_width, t.mem_width);
        EXPECT_EQ(s.num_dst, t.num_dst);
        EXPECT_EQ(s.num_src, t.num_src);
        EXPECT_EQ(s.dst, t.dst);
        EXPECT_EQ(s.src, t.src);
      }
    }
  }
}

void expect_same_info(const KernelInfo& a, const KernelInfo& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.grid, b.grid);
  EXPECT_EQ(a.block, b.block);
  EXPECT_EQ(a.shmem_bytes, b.shmem_bytes);
  EXPECT_EQ(a.regs_per_thread, b.regs_per_thread);
  EXPECT_EQ(a.regs_in_header, b.regs_in_header);
  EXPECT_EQ(a.binary_version, b.binary_version);
  EXPECT_EQ(a.stream_id, b.stream_id);
  EXPECT_EQ(a.tracer_version, b.tracer_version);
  EXPECT_EQ(a.shmem_base, b.shmem_base);
  EXPECT_EQ(a.local_base, b.local_base);
  EXPECT_EQ(a.isa, b.isa);
  EXPECT_EQ(a.warp_size, b.warp_size);
  EXPECT_EQ(a.warnings, b.warnings);
}
}  // namespace

TEST(Jst, RoundTripOfRealCapturesIsLosslessAndSmall) {
  TempDir dir;
  for (const char* name : {"vectoradd-sm80", "pytorch-pow-binver0"}) {
    std::string list = kData + "/traces/" + name + "/kernelslist.g";
    auto out = dir.path / (std::string(name) + ".jst");
    {
      auto src = open_trace(list);
      write_jst(*src, out);
    }
    auto text_kernels = load_all(*open_trace(list));
    auto jst_kernels = load_all(*open_trace(out));
    ASSERT_EQ(text_kernels.size(), jst_kernels.size());
    for (size_t k = 0; k < text_kernels.size(); ++k) {
      expect_same_info(text_kernels[k].info, jst_kernels[k].info);
      expect_same_instructions(text_kernels[k], jst_kernels[k]);
    }
    // trace info is identical.
    EXPECT_EQ(summarize_trace(*open_trace(list)).to_json().dump(),
              summarize_trace(*open_trace(out)).to_json().dump());
    // At most a quarter of the uncompressed text.
    uintmax_t text_bytes = 0;
    for (const auto& f : std::filesystem::directory_iterator(kData + "/traces/" + name))
      text_bytes += std::filesystem::file_size(f.path());
    EXPECT_LE(std::filesystem::file_size(out) * 4, text_bytes) << name;
    // Nothing left behind by the atomic write.
    int files = 0;
    for (const auto& f : std::filesystem::directory_iterator(dir.path)) files += f.path() == out;
    EXPECT_EQ(files, 1);
  }
}

TEST(Jst, InMemoryKernelsWithEveryAddressShapeRoundTrip) {
  MemoryKernel k;
  k.info.name = "synthetic";
  k.info.grid = {2, 1, 1};
  k.info.block = {64, 1, 1};
  k.info.binary_version = 90;
  k.info.regs_per_thread = 40;
  k.opcodes = std::make_shared<OpcodeTable>(IsaFamily::kSass, 90);
  for (uint32_t c = 0; c < 2; ++c) {
    CtaTrace cta;
    cta.id = {c, 0, 0};
    for (uint32_t w = 0; w < 2; ++w) {
      WarpTrace warp;
      warp.warp_in_cta = w;
      std::vector<uint64_t> stride, gather, one;
      for (int l = 0; l < 32; ++l) stride.push_back(0x7f0000000000ull + 4 * l + 4096 * c);
      for (int l = 0; l < 16; ++l) gather.push_back(0x1000ull * (l * 7 % 5) + l);
      one.push_back(0xdeadbeef0ull);
      k.append(warp, "LDG.E", 0xffffffffull, {2}, {4}, 4, stride);
      k.append(warp, "LDS.U.128", 0xffff0000ull, {8}, {5}, 16, gather);
      k.append(warp, "STG.E.64", 0x100ull, {}, {2, 6}, 8, one);
      k.append(warp, "HGMMA.64x256x16.F32.BF16", 0xffffffffull, {24}, {kUniformBase + 4, 26}).pc =
          0x9990;
      k.append(warp, "BRA", 0, {}, {}).immediate = 0xfffffff0u;
      k.append(warp, "ATOMS.ADD", 0x80000001ull, {9}, {10, 11}, 4, {0x10, 0x10});
      k.append(warp, "EXIT", 0xffffffffull, {}, {});
      cta.warps.push_back(warp);
    }
    k.ctas.push_back(cta);
  }
  MemoryTraceSource src;
  src.add_memcpy(0x1234, 99);
  src.add_kernel(k);
  TempDir dir;
  auto out = dir.path / "m.jst";
  write_jst(src, out);
  auto back = load_all(*open_trace(out));
  ASSERT_EQ(back.size(), 1u);
  LoadedKernel want;
  want.info = k.info;
  want.ctas = k.ctas;
  for (size_t i = 0; i < k.opcodes->size(); ++i)
    want.opcodes.push_back((*k.opcodes)[static_cast<uint16_t>(i)]);
  expect_same_info(want.info, back[0].info);
  expect_same_instructions(want, back[0]);
  auto s = summarize_trace(*open_trace(out));
  EXPECT_EQ(s.memcpys, 1u);
  EXPECT_EQ(s.memcpy_bytes, 99u);
}

TEST(Jst, DamagedFilesAreRejectedWithTheByteOffset) {
  TempDir dir;
  auto out = dir.path / "v.jst";
  write_jst(*open_trace(kData + "/traces/vectoradd-sm80/kernelslist.g"), out);
  std::string good = read_file(out);
  auto read_everything = [](const std::string& bytes) {
    auto src = open_trace_from_memory(bytes, "x.jst");
    return summarize_trace(*src);
  };
  EXPECT_NO_THROW(read_everything(good));
  // Truncated anywhere: never a crash or a silent short count.
  for (size_t cut : {size_t{9}, size_t{20}, good.size() / 3, good.size() / 2, good.size() - 1}) {
    EXPECT_THROW(read_everything(good.substr(0, cut)), joulesim::Error) << "cut at " << cut;
  }
  std::string bad_version = good;
  bad_version[8] = 9;
  try {
    read_everything(bad_version);
    FAIL();
  } catch (const joulesim::Error& e) {
    EXPECT_NE(std::string(e.what()).find("unsupported .jst version 9"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("x.jst: byte"), std::string::npos);
  }
  // Flipping bytes must either fail cleanly or still decode (a flipped address is valid data).
  for (size_t at = 10; at < good.size(); at += good.size() / 97) {
    std::string flipped = good;
    flipped[at] = static_cast<char>(flipped[at] ^ 0x5a);
    try {
      read_everything(flipped);
    } catch (const joulesim::Error&) {
    }
  }
}

TEST(Jst, ConvertWritesAtomicallyAndRefusesToClobberOnError) {
  TempDir dir;
  auto out = dir.path / "k.jst";
  std::ofstream(out) << "previous contents";
  auto bad = dir.write("bad.traceg", header(2, 32) + cta(0, {{"0000 ffffffff 0 EXIT 0 0 0"}}));
  EXPECT_THROW(write_jst(*open_trace(bad), out), joulesim::InputError);
  EXPECT_EQ(read_file(out), "previous contents");
  int files = 0;
  for (const auto& f : std::filesystem::directory_iterator(dir.path)) files += f.path() != bad;
  EXPECT_EQ(files, 1);  // no temporary left behind
}

TEST(Jst, GatherAddressPatternsRoundTrip) {
  // Aligned random gathers (packed deltas), huge jumps (plain deltas), negative strides, one lane.
  MemoryKernel k;
  k.info.name = "gathers";
  k.info.block = {32, 1, 1};
  uint64_t seed = 12345;
  auto rnd = [&seed] { return seed = seed * 6364136223846793005ull + 1442695040888963407ull; };
  WarpTrace w;
  // Repeated so that most instructions take the reader's unchecked fast path and the last ones,
  // near the end of the data, the checked one.
  for (int rep = 0; rep < 40; ++rep)
    for (int pattern = 0; pattern < 6; ++pattern) {
      std::vector<uint64_t> a;
      for (int l = 0; l < 32; ++l) {
        switch (pattern) {
          case 0:
            a.push_back(0x7f0000000000ull + 4 * (rnd() % (1 << 20)));
            break;
          case 1:
            a.push_back(rnd());
            break;  // 64-bit random: deltas too wide to pack
          case 2:
            a.push_back(0x1000000ull - 128 * l);
            break;
          case 3:
            a.push_back(0x10000ull + 16 * (rnd() % 3));
            break;
          case 4:
            a.push_back(l % 2 ? 0 : ~uint64_t{0});
            break;
          default:
            a.push_back(0x2000ull + 8 * ((rnd() >> 40) % 1000));
            break;
        }
      }
      k.append(w, "LDG.E", 0xffffffffull, {2}, {4}, 4, a);
    }
  k.append(w, "LDG.E", 0x00000400ull, {2}, {4}, 4, {0x123456789ull});
  CtaTrace c;
  c.warps.push_back(w);
  k.ctas.push_back(c);
  MemoryTraceSource src;
  src.add_kernel(k);
  TempDir dir;
  write_jst(src, dir.path / "g.jst");
  auto back = load_all(*open_trace(dir.path / "g.jst"));
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].ctas[0].warps[0].addresses, w.addresses);
}

TEST(Jst, FuzzerFoundInputsFailCleanly) {
  // Inputs the fuzzer once turned into crashes (opcode strings with invalid UTF-8).
  const std::filesystem::path dir =
      std::string(JOULESIM_SOURCE_DIR) + "/tests/fixtures/fuzz_regressions";
  int n = 0;
  for (const auto& f : std::filesystem::directory_iterator(dir)) {
    ++n;
    try {
      auto s = summarize_trace(*open_trace(f.path()));
      (void)s.to_json().dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    } catch (const joulesim::Error&) {
    }
  }
  EXPECT_GE(n, 2);
}
