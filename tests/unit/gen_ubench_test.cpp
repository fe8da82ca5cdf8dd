// Microbenchmark generators: instruction counts and classes derived from the parameters, register
// dependencies, address streams (cycles, coverage, bank conflicts).
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <tuple>

#include "core/error.hpp"
#include "gen_test_util.hpp"

using namespace gentest;
using gen::Isa;

namespace {
size_t count_base(const Flat& f, const std::string& base) {
  size_t n = 0;
  for (const Rec& r : f.recs) n += base_of(r.opcode) == base;
  return n;
}
bool reads(const Instruction& in, uint16_t reg) {
  for (int i = 0; i < in.num_src; ++i) {
    if (in.src[i] == reg) return true;
  }
  return false;
}
}  // namespace

TEST(GenFfmaChain, NDependentFfmasThenExit) {
  for (int64_t n : {1, 7, 1000}) {
    Flat f = make_flat("ubench.ffma_chain", {{"n", std::to_string(n)}});
    ASSERT_EQ(f.kernels.size(), 1u);
    EXPECT_EQ(f.kernels[0].grid.count(), 1u);
    EXPECT_EQ(f.kernels[0].block.count(), 32u);
    ASSERT_EQ(f.recs.size(), static_cast<size_t>(n) + 1);
    for (int64_t i = 0; i < n; ++i) {
      const Rec& r = f.recs[static_cast<size_t>(i)];
      EXPECT_EQ(r.opcode, "FFMA");
      EXPECT_EQ(r.inst.op_class, OpClass::kFp32Fma);
      EXPECT_EQ(r.inst.active_mask, 0xFFFFFFFFu);
      EXPECT_EQ(r.inst.pc, static_cast<uint32_t>(16 * i));
      ASSERT_EQ(r.inst.num_dst, 1);
      if (i > 0) EXPECT_TRUE(reads(r.inst, f.recs[static_cast<size_t>(i) - 1].inst.dst[0]));
    }
    EXPECT_EQ(f.recs.back().opcode, "EXIT");
    EXPECT_EQ(f.recs.back().inst.op_class, OpClass::kExit);
  }
}

TEST(GenFfmaChain, WarpsAndCdna) {
  Flat f = make_flat("ubench.ffma_chain", {{"n", "5"}, {"warps", "3"}});
  EXPECT_EQ(f.warp_sizes, (std::vector<uint64_t>{6, 6, 6}));
  Flat a = make_flat("ubench.ffma_chain", {{"n", "5"}}, Isa::kGfx90a);
  ASSERT_EQ(a.recs.size(), 6u);
  EXPECT_EQ(a.kernels[0].warp_size, 64u);
  EXPECT_EQ(a.kernels[0].isa, IsaFamily::kCdna);
  EXPECT_EQ(a.recs[0].opcode, "v_fma_f32");
  EXPECT_EQ(a.recs[0].inst.active_mask, ~uint64_t{0});
  EXPECT_EQ(a.recs[5].opcode, "s_endpgm");
  EXPECT_EQ(a.recs[1].inst.pc, 8u);  // VOP3: 64-bit encoding
}

TEST(GenThroughput, CountsAndIndependentChains) {
  struct Case {
    std::string op;
    Isa isa;
    std::string opcode;
    int per_op;  // instructions per accumulator update
  };
  const std::vector<Case> cases = {
      {"ffma", Isa::kSm80, "FFMA", 1},
      {"dfma", Isa::kSm80, "DFMA", 1},
      {"mufu", Isa::kSm80, "MUFU.EX2", 1},
      {"hmma.f16", Isa::kSm80, "HMMA.16816.F32", 1},
      {"hmma.f16", Isa::kSm70, "HMMA.884.F32.F32.STEP0", 4},
      {"imma.s8", Isa::kSm90, "IMMA.16832.S32.S8.S8", 1},
      {"mfma.f16", Isa::kGfx90a, "v_mfma_f32_32x32x8f16", 1},
      {"mfma.f16", Isa::kGfx942, "v_mfma_f32_32x32x8_f16", 1},
  };
  const int sms = 3, warps = 4, iters = 5, chains = 6, unroll = 2;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.op + " " + std::string(gen::to_string(c.isa)));
    Flat f = make_flat("ubench.throughput",
                       {{"op", c.op},
                        {"sms", std::to_string(sms)},
                        {"warps_per_sm", std::to_string(warps)},
                        {"iters", std::to_string(iters)},
                        {"chains", std::to_string(chains)},
                        {"unroll", std::to_string(unroll)}},
                       c.isa);
    EXPECT_EQ(f.kernels[0].grid.count(), static_cast<uint64_t>(sms));
    EXPECT_EQ(f.kernels[0].warps_per_cta(), static_cast<uint32_t>(warps));
    const std::string base = base_of(c.opcode);
    size_t ops = 0, first = 0;
    for (const Rec& r : f.recs) ops += base_of(r.opcode) == base;
    EXPECT_EQ(ops, static_cast<size_t>(sms * warps * iters * chains * unroll * c.per_op));
    while (f.recs[first].opcode != c.opcode) ++first;
    // one iteration's first group: chains independent updates (distinct dst, none reads another)
    std::set<uint16_t> dsts;
    for (int i = 0; i < chains; ++i) {
      const Rec& r = f.recs[first + static_cast<size_t>(i * c.per_op)];
      EXPECT_EQ(r.opcode, c.opcode);
      dsts.insert(r.inst.dst[0]);
      EXPECT_TRUE(reads(r.inst, r.inst.dst[0]));  // an accumulator chain
      for (uint16_t d : dsts) {
        if (d != r.inst.dst[0]) EXPECT_FALSE(reads(r.inst, d));
      }
    }
    EXPECT_EQ(dsts.size(), static_cast<size_t>(chains));
  }
}

TEST(GenThroughput, LoopOverheadAndBranchMasks) {
  Flat f = make_flat("ubench.throughput", {{"iters", "4"}, {"warps_per_sm", "1"}, {"unroll", "1"}});
  // MOV, then 4 x (8 FFMA, IADD3, ISETP, BRA), EXIT
  ASSERT_EQ(f.recs.size(), 1u + 4 * 11 + 1);
  std::vector<uint64_t> bra_masks;
  std::set<uint32_t> loop_pcs;
  for (const Rec& r : f.recs) {
    if (r.opcode == "BRA") bra_masks.push_back(r.inst.active_mask);
    if (r.opcode == "FFMA") loop_pcs.insert(r.inst.pc);
  }
  EXPECT_EQ(bra_masks, (std::vector<uint64_t>{0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0}));
  EXPECT_EQ(loop_pcs.size(), 8u);  // every iteration replays the same static code
}

TEST(GenThroughput, WgmmaGroupsAndFlops) {
  const int sms = 2, warps = 8, iters = 3, unroll = 4;
  for (std::string op : {"wgmma.f16", "wgmma.fp8"}) {
    Flat f = make_flat(
        "ubench.throughput",
        {{"op", op}, {"sms", "2"}, {"warps_per_sm", "8"}, {"iters", "3"}, {"unroll", "4"}},
        Isa::kSm90);
    EXPECT_EQ(count_base(f, "WARPGROUP"), static_cast<size_t>(2 * sms * warps * iters));
    uint64_t flops = 0;
    std::string prev;
    for (const Rec& r : f.recs) {
      flops += mma_flops(r.opcode);
      if (base_of(r.opcode) == "HGMMA" || base_of(r.opcode) == "QGMMA") {
        EXPECT_EQ(r.inst.op_class, OpClass::kTensorGmma);
        EXPECT_TRUE(prev == "WARPGROUP.ARRIVE" || base_of(prev) == base_of(r.opcode));
      }
      if (r.opcode == "WARPGROUP.DEPBAR.LE") {
        EXPECT_EQ(base_of(prev), op == "wgmma.f16" ? "HGMMA" : "QGMMA");
        EXPECT_EQ(r.inst.immediate, 0u);  // gsb0, 0x0
      }
      prev = r.opcode;
    }
    const uint64_t k = op == "wgmma.f16" ? 16 : 32;
    EXPECT_EQ(flops, uint64_t{sms} * (warps / 4) * iters * unroll * 2 * 64 * 256 * k);
  }
}

TEST(GenPointerChase, StrideWalkIsOneCycleAfterAWarmUp) {
  const uint64_t kb = 4, stride = 128, nodes = kb * 1024 / stride, steps = 70;
  Flat f =
      make_flat("ubench.pointer_chase",
                {{"footprint_kb", "4"}, {"stride_b", "128"}, {"steps", std::to_string(steps)}});
  std::vector<const Rec*> loads;
  for (const Rec& r : f.recs) {
    EXPECT_EQ(r.inst.active_mask, 1u);  // one thread
    if (base_of(r.opcode) == "LDG") loads.push_back(&r);
  }
  ASSERT_EQ(loads.size(), nodes + steps);
  ASSERT_EQ(f.copies.size(), 1u);
  const uint64_t base = f.copies[0].first;
  EXPECT_EQ(f.copies[0].second, kb * 1024);
  for (size_t i = 0; i < loads.size(); ++i) {
    EXPECT_EQ(loads[i]->opcode, "LDG.E.64");
    ASSERT_EQ(loads[i]->addrs.size(), 1u);
    EXPECT_EQ(loads[i]->addrs[0], base + (i % nodes) * stride);
    EXPECT_TRUE(reads(loads[i]->inst, loads[i]->inst.dst[0]));  // address = previous result
  }
  // 5 setup instructions, loads, STG, EXIT
  EXPECT_EQ(f.recs.size(), 5 + nodes + steps + 2);
  EXPECT_EQ(f.recs[5].opcode, "LDG.E.64");
}

TEST(GenPointerChase, RandomPatternIsASingleCycleOverTheFootprint) {
  const uint64_t nodes = 64 * 1024 / 256;
  Flat f = make_flat("ubench.pointer_chase", {{"footprint_kb", "64"},
                                              {"stride_b", "256"},
                                              {"pattern", "random"},
                                              {"steps", "1000"},
                                              {"seed", "7"}});
  std::vector<uint64_t> a;
  for (const Rec& r : f.recs) {
    if (base_of(r.opcode) == "LDG") a.push_back(r.addrs[0]);
  }
  ASSERT_EQ(a.size(), nodes + 1000);
  const uint64_t base = f.copies[0].first;
  std::set<uint64_t> warm(a.begin(), a.begin() + static_cast<long>(nodes));
  EXPECT_EQ(warm.size(), nodes);  // every node exactly once in the warm-up turn
  for (uint64_t x : warm) {
    EXPECT_EQ((x - base) % 256, 0u);
    EXPECT_LT(x - base, 64u * 1024);
  }
  EXPECT_EQ(a[0], base);
  for (size_t i = nodes; i < a.size(); ++i) EXPECT_EQ(a[i], a[i - nodes]);  // it cycles
  size_t ascending = 0;
  for (size_t i = 1; i < nodes; ++i) ascending += a[i] == a[i - 1] + 256;
  EXPECT_LT(ascending, nodes / 8);  // genuinely shuffled
  // deterministic per seed, different across seeds
  Flat again = make_flat("ubench.pointer_chase", {{"footprint_kb", "64"},
                                                  {"stride_b", "256"},
                                                  {"pattern", "random"},
                                                  {"steps", "1000"},
                                                  {"seed", "7"}});
  Flat other = make_flat("ubench.pointer_chase", {{"footprint_kb", "64"},
                                                  {"stride_b", "256"},
                                                  {"pattern", "random"},
                                                  {"steps", "1000"},
                                                  {"seed", "8"}});
  EXPECT_EQ(again.recs[20].addrs, f.recs[20].addrs);
  bool differs = false;
  for (size_t i = 5; i < 5 + nodes; ++i)
    differs = differs || other.recs[i].addrs != f.recs[i].addrs;
  EXPECT_TRUE(differs);
}

TEST(GenPointerChase, NoWarmupAndCdna) {
  Flat f =
      make_flat("ubench.pointer_chase", {{"footprint_kb", "1"}, {"steps", "3"}, {"warmup", "0"}});
  EXPECT_EQ(count_base(f, "LDG"), 3u);
  Flat a = make_flat("ubench.pointer_chase",
                     {{"footprint_kb", "1"}, {"steps", "3"}, {"warmup", "0"}}, Isa::kGfx942);
  size_t loads = 0, waits = 0;
  for (const Rec& r : a.recs) {
    loads += r.opcode == "global_load_dwordx2";
    // each dependent load is followed by s_waitcnt vmcnt(0): simm16 0x0F70
    if (r.opcode == "s_waitcnt") {
      ++waits;
      EXPECT_EQ(r.inst.immediate, 0x0F70u);
    }
  }
  EXPECT_EQ(loads, 3u);
  EXPECT_EQ(waits, 3u);
}

TEST(GenStream, BytesPerArrayAndCoalescing) {
  const uint64_t ctas = 5, threads = 64, iters = 3;
  for (int bpt : {4, 8, 16}) {
    for (std::string kind : {"read", "write", "copy", "triad"}) {
      SCOPED_TRACE(kind + " " + std::to_string(bpt));
      Flat f = make_flat("ubench.stream", {{"ctas", "5"},
                                           {"threads", "64"},
                                           {"iters", "3"},
                                           {"bytes_per_thread", std::to_string(bpt)},
                                           {"kind", kind}});
      const uint64_t bytes = ctas * threads * iters * static_cast<uint64_t>(bpt);
      std::map<std::string, uint64_t> moved;  // LDG / STG bytes
      std::map<uint64_t, int> touched;        // address -> times
      for (const Rec& r : f.recs) {
        if (r.inst.mem_width == 0) continue;
        EXPECT_EQ(r.inst.mem_width, bpt);
        const std::string suffix = bpt == 4 ? "" : bpt == 8 ? ".64" : ".128";
        EXPECT_EQ(r.opcode, base_of(r.opcode) + ".E" + suffix);
        moved[base_of(r.opcode)] += r.inst.mem_width * r.addrs.size();
        for (size_t l = 0; l < r.addrs.size(); ++l) {
          EXPECT_EQ(r.addrs[l], r.addrs[0] + l * static_cast<uint64_t>(bpt));  // coalesced
          touched[r.addrs[l]]++;
        }
      }
      const uint64_t arrays_read = kind == "read" || kind == "copy" ? 1 : kind == "triad" ? 2 : 0;
      const uint64_t arrays_written = kind == "read" ? 0 : 1;
      EXPECT_EQ(moved["LDG"], arrays_read * bytes);
      EXPECT_EQ(moved["STG"], arrays_written * bytes);
      EXPECT_EQ(touched.size() * static_cast<uint64_t>(bpt),
                (arrays_read + arrays_written) * bytes);
      for (auto& [addr, n] : touched) EXPECT_EQ(n, 1) << std::hex << addr;
      EXPECT_EQ(count_base(f, "BRA"), ctas * threads / 32 * iters);
      EXPECT_EQ(f.copies.size(), arrays_read);
    }
  }
}

TEST(GenStream, BlocksThatAreNotWholeWavesEndWithAPartialWave) {
  // gpu-stream runs 32, 96, ... thread blocks on wave64: the last wave of each workgroup has only
  // the remaining lanes enabled (exec mask), and every element is still moved exactly once.
  for (uint32_t threads : {32u, 96u, 100u}) {
    SCOPED_TRACE(threads);
    const uint64_t ctas = 3, iters = 2, bpt = 8;
    Flat f = make_flat("ubench.stream",
                       {{"ctas", "3"},
                        {"threads", std::to_string(threads)},
                        {"iters", "2"},
                        {"bytes_per_thread", "8"},
                        {"kind", "triad"}},
                       gen::Isa::kGfx90a);
    const uint32_t waves = (threads + 63) / 64;
    ASSERT_EQ(f.kernels.size(), 1u);
    EXPECT_EQ(f.kernels[0].warps_per_cta(), waves);
    std::map<uint64_t, int> touched;
    uint64_t loads = 0, stores = 0;
    for (const Rec& r : f.recs) {
      const uint32_t lanes = r.warp + 1 < waves ? 64 : threads - 64 * (waves - 1);
      const uint64_t mask = lanes == 64 ? ~uint64_t{0} : (uint64_t{1} << lanes) - 1;
      if (r.inst.mem_width == 0) {
        if (r.opcode != "s_cbranch_vccnz" && r.opcode != "s_waitcnt" && r.opcode != "s_endpgm") {
          EXPECT_EQ(r.inst.active_mask, mask) << r.opcode;  // vector ops: the live lanes only
        }
        continue;
      }
      EXPECT_EQ(r.inst.active_mask, mask);
      EXPECT_EQ(r.addrs.size(), lanes);
      (r.opcode.starts_with("global_load") ? loads : stores) += r.addrs.size() * bpt;
      for (uint64_t a : r.addrs) touched[a]++;
    }
    const uint64_t bytes = ctas * threads * iters * bpt;  // per array
    EXPECT_EQ(loads, 2 * bytes);
    EXPECT_EQ(stores, bytes);
    EXPECT_EQ(touched.size() * bpt, 3 * bytes);
    for (auto& [addr, n] : touched) EXPECT_EQ(n, 1) << std::hex << addr;
  }
}

TEST(GenStream, ArraySpacingPlacesTheArraysAsALargerBenchmarkWould) {
  // gpu-stream's 1 GiB + 16 B arrays start 1026 MiB apart; packed arrays start at the next
  // 2 MiB boundary after the previous one.
  for (const auto& [spacing, gap] :
       {std::pair<std::string, uint64_t>{"1026", 1026ull << 20}, {"0", 2ull << 20}}) {
    Flat f = make_flat("ubench.stream", {{"ctas", "4"},
                                         {"threads", "64"},
                                         {"iters", "1"},
                                         {"bytes_per_thread", "8"},
                                         {"kind", "triad"},
                                         {"array_spacing_mb", spacing}});
    ASSERT_EQ(f.copies.size(), 2u);  // b and c are inputs
    EXPECT_EQ(f.copies[1].first - f.copies[0].first, gap) << spacing;
    EXPECT_EQ(f.copies[0].second, 4u * 64 * 8);
  }
}

TEST(GenStreamLoop, ExactlyTheIssue3Trace) {
  // Streamed CTA by CTA (542,080 instructions): checked without materialising records.
  auto src = gen::open_generated("bench.stream_loop", {});
  TraceCommand cmd;
  ASSERT_TRUE(src->next(cmd));
  EXPECT_EQ(cmd.kind, TraceCommand::Kind::kMemcpyHtoD);
  ASSERT_TRUE(src->next(cmd));
  ASSERT_EQ(cmd.kind, TraceCommand::Kind::kKernel);
  KernelReader& k = *cmd.kernel;
  EXPECT_EQ(k.info().grid, (Dim3{80, 1, 1}));
  EXPECT_EQ(k.info().block, (Dim3{256, 1, 1}));
  EXPECT_EQ(k.info().binary_version, 70u);  // the speed benchmark runs on qv100
  const std::vector<std::string> body = {"LDG", "FFMA", "STG", "IADD3", "IADD3", "ISETP", "BRA"};
  CtaTrace cta;
  uint64_t ctas = 0, warps = 0, insts = 0;
  while (k.next_cta(cta)) {
    ++ctas;
    for (const WarpTrace& w : cta.warps) {
      ++warps;
      insts += w.insts.size();
      ASSERT_EQ(w.insts.size(), 6u + 120 * 7 + 1);
      for (size_t i = 0; i < 120 * 7; ++i) {
        const Instruction& in = w.insts[6 + i];
        ASSERT_EQ(base_of(k.opcodes()[in.opcode].name), body[i % 7]) << i;
        ASSERT_EQ(in.pc, 0x60u + 16 * (i % 7));
      }
      EXPECT_EQ(w.insts[6].op_class, OpClass::kLoad);
      EXPECT_EQ(w.insts[6].space, MemSpace::kGlobal);
      EXPECT_EQ(k.opcodes()[w.insts.back().opcode].name, "EXIT");
    }
  }
  EXPECT_EQ(ctas, 80u);
  EXPECT_EQ(warps, 640u);
  EXPECT_EQ(insts, 640u * 847);
  EXPECT_FALSE(src->next(cmd));
}

TEST(GenSmemBank, WaysDistinctWordsPerBank) {
  for (int ways : {1, 2, 4, 8, 16, 32}) {
    for (Isa isa : {Isa::kSm80, Isa::kGfx90a}) {
      Flat f = make_flat("ubench.smem_bank", {{"ways", std::to_string(ways)}, {"iters", "2"}}, isa);
      size_t lds = 0;
      for (const Rec& r : f.recs) {
        if (r.inst.mem_width == 0) continue;
        ++lds;
        if (r.known) EXPECT_EQ(r.inst.space, MemSpace::kShared);
        // per 32-lane half: distinct words in each touched bank
        for (size_t half = 0; half * 32 < r.addrs.size(); ++half) {
          std::map<uint64_t, std::set<uint64_t>> words;
          for (size_t l = half * 32; l < half * 32 + 32; ++l) {
            const uint64_t word = (r.addrs[l] - f.kernels[0].shmem_base) / 4;
            words[word % 32].insert(word);
          }
          EXPECT_EQ(words.size(), 32u / static_cast<unsigned>(ways));
          for (auto& [bank, w] : words) EXPECT_EQ(w.size(), static_cast<size_t>(ways));
        }
        for (uint64_t a : r.addrs) EXPECT_LT(a - f.kernels[0].shmem_base, f.kernels[0].shmem_bytes);
      }
      EXPECT_EQ(lds, 2u * 8);
    }
  }
}

TEST(GenDeterminism, StreamedEqualsMaterialised) {
  auto src = gen::open_generated("gemm", {{"m", "256"}, {"n", "256"}, {"k", "128"}});
  Flat a = flatten(*src);
  Flat b = make_flat("gemm", {{"m", "256"}, {"n", "256"}, {"k", "128"}});
  ASSERT_EQ(a.recs.size(), b.recs.size());
  for (size_t i = 0; i < a.recs.size(); ++i) {
    EXPECT_EQ(a.recs[i].opcode, b.recs[i].opcode);
    EXPECT_EQ(a.recs[i].addrs, b.recs[i].addrs);
    EXPECT_EQ(a.recs[i].inst.pc, b.recs[i].inst.pc);
  }
}

TEST(GenIsa, EveryEmittedOpcodeIsInTheIsaTableOfItsTarget) {
  // The trace subsystem's per-ISA tables (sm_70..sm_100, gfx90a, gfx942) know every opcode the
  // generators emit, with the expected unit for the tensor instructions.
  std::vector<std::tuple<std::string, ParamList, Isa>> runs;
  for (Isa isa : {Isa::kSm70, Isa::kSm80, Isa::kSm90, Isa::kSm100, Isa::kGfx90a, Isa::kGfx942}) {
    runs.push_back({"ubench.ffma_chain", {{"n", "2"}}, isa});
    runs.push_back({"ubench.pointer_chase", {{"footprint_kb", "1"}, {"steps", "2"}}, isa});
    runs.push_back({"ubench.smem_bank", {{"iters", "2"}}, isa});
    runs.push_back({"kernel.reduce", {{"ctas", "2"}, {"iters", "2"}}, isa});
    for (std::string kind : {"read", "write", "copy", "triad"}) {
      for (std::string bpt : {"4", "8", "16"}) {
        runs.push_back({"ubench.stream",
                        {{"ctas", "1"},
                         {"threads", "64"},
                         {"iters", "2"},
                         {"kind", kind},
                         {"bytes_per_thread", bpt}},
                        isa});
      }
    }
    for (const gen::ParamSpec& p : gen::generator_spec("ubench.throughput").params) {
      if (p.name != "op") continue;
      for (const std::string& op : p.choices) {
        runs.push_back(
            {"ubench.throughput", {{"op", op}, {"iters", "2"}, {"warps_per_sm", "4"}}, isa});
      }
    }
    for (std::string dtype : {"fp16", "bf16", "tf32", "fp8", "int8", "fp4", "fp64"}) {
      for (std::string sparse : {"0", "1"}) {
        runs.push_back(
            {"gemm",
             {{"m", "256"}, {"n", "256"}, {"k", "256"}, {"dtype", dtype}, {"sparse", sparse}},
             isa});
      }
    }
  }
  size_t generated = 0;
  for (auto& [name, params, isa] : runs) {
    MemoryTraceSource s;
    try {
      s = gen::generate(name, params, isa);
    } catch (const joulesim::Error&) {
      continue;  // a combination the ISA cannot express (tested elsewhere)
    }
    ++generated;
    TraceCommand cmd;
    while (s.next(cmd)) {
      if (cmd.kind != TraceCommand::Kind::kKernel) continue;
      const OpcodeTable& t = cmd.kernel->opcodes();
      for (size_t i = 0; i < t.size(); ++i) {
        const OpcodeInfo& oi = t[static_cast<uint16_t>(i)];
        EXPECT_TRUE(oi.known) << oi.name << " on " << gen::to_string(isa) << " (" << name << ")";
        if (mma_shape(oi.name).m != 0) {
          EXPECT_EQ(oi.unit, Unit::kTensor) << oi.name;
          const Shape sh = mma_shape(oi.name);
          EXPECT_EQ(oi.mma_m, sh.m) << oi.name;
          EXPECT_EQ(oi.mma_n, sh.n) << oi.name;
          EXPECT_EQ(oi.mma_k, sh.k) << oi.name;
          EXPECT_EQ(oi.sparse,
                    oi.name.find("SP.") != std::string::npos || oi.name.rfind("v_smfmac", 0) == 0)
              << oi.name;
        }
      }
    }
  }
  EXPECT_GE(generated, 150u);  // most combinations are valid on some ISA
}

TEST(GenReduce, ThreeLevelSumShape) {
  const uint64_t ctas = 3, threads = 128, iters = 4, warps = threads / 32;
  Flat f = make_flat("kernel.reduce", {{"ctas", "3"}, {"threads", "128"}, {"iters", "4"}});
  uint64_t ldg_bytes = 0, shfl = 0, red = 0, sts = 0, lds_lanes = 0, exits_empty = 0;
  for (const Rec& r : f.recs) {
    const std::string b = base_of(r.opcode);
    if (b == "LDG") ldg_bytes += r.inst.mem_width * r.addrs.size();
    if (b == "SHFL") {
      ++shfl;
      EXPECT_EQ(r.inst.op_class, OpClass::kMove);
    }
    if (b == "RED") {
      ++red;
      EXPECT_EQ(r.inst.op_class, OpClass::kAtomic);
      ASSERT_EQ(r.addrs.size(), 1u);
    }
    if (b == "STS") {
      ++sts;
      EXPECT_EQ(r.inst.active_mask, 1u);  // lane 0 of each warp
      EXPECT_EQ(r.addrs[0], f.kernels[0].shmem_base + 4 * r.warp);
    }
    if (b == "LDS") lds_lanes += r.addrs.size();
    if (b == "EXIT" && r.inst.active_mask == 0) {
      ++exits_empty;
      EXPECT_EQ(r.warp, 0u);  // warp 0 skips the early exit
    }
  }
  EXPECT_EQ(ldg_bytes, ctas * threads * iters * 16);
  EXPECT_EQ(shfl, ctas * (warps + 1) * 5);  // every warp folds, warp 0 folds again
  EXPECT_EQ(red, ctas);
  EXPECT_EQ(sts, ctas * warps);
  EXPECT_EQ(lds_lanes, ctas * warps);  // warp 0 reads one partial per warp
  EXPECT_EQ(exits_empty, ctas);
  // all RED hit the same 4-byte result
  std::set<uint64_t> targets;
  for (const Rec& r : f.recs) {
    if (base_of(r.opcode) == "RED") targets.insert(r.addrs[0]);
  }
  EXPECT_EQ(targets.size(), 1u);
}
