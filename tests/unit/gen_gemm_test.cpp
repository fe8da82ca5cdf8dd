// GEMM generator: tensor FLOPs = 2 m n k exactly (MMA instructions x shape), C written exactly
// once, A and B read from their row-major buffers the number of times tiling implies.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <map>

#include "core/error.hpp"
#include "gen_test_util.hpp"
#include "trace/acc_registers.hpp"

using namespace gentest;
using gen::Isa;

namespace {

struct Case {
  Isa isa;
  std::string dtype;
  bool sparse;
  std::string mma;            // the opcode expected
  uint64_t bm, bn;            // CTA tile, for the re-read factors
  std::string path = "auto";  // sm_100: the mma parameter
  uint32_t tile_m = 0;        // mma=tcgen05: the tile_m parameter
};

// tcgen05.mma (UTC*MMA): the shape is in the instruction descriptor (the immediate).
bool is_tc_mma(const std::string& op) {
  const std::string b = base_of(op);
  return b.rfind("UTC", 0) == 0 && b.size() > 5 && b.substr(b.size() - 3) == "MMA";
}
uint64_t tc_flops(const Rec& r) {
  const std::string b = base_of(r.opcode);
  const TensorType base = b == "UTCHMMA"   ? TensorType::kFp16
                          : b == "UTCQMMA" ? TensorType::kFp8
                          : b == "UTCIMMA" ? TensorType::kInt8
                                           : TensorType::kFp4;
  return decode_tc_idesc(base, r.inst.immediate).flops();
}

uint64_t bits_of(const std::string& d) {
  return d == "fp64" ? 64 : d == "tf32" ? 32 : d == "fp16" || d == "bf16" ? 16 : d == "fp4" ? 4 : 8;
}

void check(const Case& c, uint64_t m, uint64_t n, uint64_t k, uint32_t prefetch = 1,
           const std::string& copy = "auto") {
  SCOPED_TRACE(std::string(gen::to_string(c.isa)) + " " + c.dtype + (c.sparse ? " sparse" : "") +
               " prefetch " + std::to_string(prefetch) + " copy " + copy);
  Flat f = make_flat("gemm",
                     {{"m", std::to_string(m)},
                      {"n", std::to_string(n)},
                      {"k", std::to_string(k)},
                      {"dtype", c.dtype},
                      {"sparse", c.sparse ? "1" : "0"},
                      {"prefetch", std::to_string(prefetch)},
                      {"copy", copy},
                      {"mma", c.path},
                      {"tile_m", std::to_string(c.tile_m)}},
                     c.isa);
  ASSERT_EQ(f.kernels.size(), 1u);
  EXPECT_EQ(f.kernels[0].grid.count(), (m / c.bm) * (n / c.bn));
  // buffers: memcpy A, B (+ metadata); C follows B in the allocation order
  ASSERT_GE(f.copies.size(), 2u);
  const uint64_t a = f.copies[0].first, a_bytes = f.copies[0].second;
  const uint64_t b = f.copies[1].first, b_bytes = f.copies[1].second;
  const uint64_t bits = bits_of(c.dtype), acc = c.dtype == "fp64" ? 8 : 4;
  EXPECT_EQ(a_bytes, m * k * bits / 8 / (c.sparse ? 2 : 1));
  EXPECT_EQ(b_bytes, k * n * bits / 8);
  const uint64_t c_base = b + (b_bytes + (2u << 20) - 1) / (2u << 20) * (2u << 20);

  uint64_t flops = 0, mma = 0, a_read = 0, b_read = 0, c_written = 0;
  std::vector<uint8_t> c_bytes(m * n * acc, 0);  // times each byte of C is written
  for (const Rec& r : f.recs) {
    if (is_tc_mma(r.opcode)) {
      EXPECT_EQ(r.opcode, c.mma);
      EXPECT_EQ(r.inst.active_mask, 1u);              // one thread issues it for the CTA
      EXPECT_EQ(r.inst.num_dst + r.inst.num_src, 0);  // operands and accumulator not in registers
      flops += tc_flops(r);
      ++mma;
    } else if (mma_shape(r.opcode).m != 0) {
      EXPECT_EQ(r.opcode, c.mma);
      if (r.known) EXPECT_EQ(r.inst.unit, Unit::kTensor) << r.opcode;
      // the accumulator is read and written: src[2] after A and B, or src[0] for GMMA
      const bool gmma = base_of(r.opcode).find("GMMA") != std::string::npos;
      EXPECT_EQ(r.inst.dst[0], r.inst.src[gmma ? 0 : 2]) << r.opcode;
      flops += mma_flops(r.opcode);
      ++mma;
    }
    if (r.inst.mem_width == 0 || r.inst.space == MemSpace::kShared) continue;
    if (base_of(r.opcode) == "UTMALDG") {
      // A TMA box: lane 0 its first global byte, lane 1 the row pitch, rows << 16 | row bytes in
      // the immediate. Every row lies inside one matrix.
      // A multicast box has a fifth lane, the CTA mask: the box lands in each CTA it names.
      ASSERT_TRUE(r.addrs.size() == 4u || r.addrs.size() == 5u);
      const uint64_t copies = r.addrs.size() == 5 ? std::popcount(r.addrs[4]) : 1;
      const uint64_t rows = r.inst.immediate >> 16, row_bytes = r.inst.immediate & 0xFFFF;
      const uint64_t first = r.addrs[0], last = first + (rows - 1) * r.addrs[1] + row_bytes;
      if (first >= a && first < a + a_bytes) {
        ASSERT_LE(last, a + a_bytes);
        a_read += rows * row_bytes * copies;
      } else {
        ASSERT_GE(first, b);
        ASSERT_LE(last, b + b_bytes);
        b_read += rows * row_bytes * copies;
      }
      continue;
    }
    const bool store =
        r.inst.op_class == OpClass::kStore || r.opcode.find("store") != std::string::npos;
    for (uint64_t addr : r.addrs) {
      if (store) {
        ASSERT_GE(addr, c_base);
        ASSERT_LE(addr + r.inst.mem_width, c_base + m * n * acc);
        for (uint64_t i = 0; i < r.inst.mem_width; ++i) c_bytes[addr - c_base + i]++;
        c_written += r.inst.mem_width;
      } else if (addr >= a && addr < a + a_bytes) {
        ASSERT_LE(addr + r.inst.mem_width, a + a_bytes);
        a_read += r.inst.mem_width;
      } else if (addr >= b && addr < b + b_bytes) {
        ASSERT_LE(addr + r.inst.mem_width, b + b_bytes);
        b_read += r.inst.mem_width;
      }
    }
  }
  EXPECT_GT(mma, 0u);
  EXPECT_EQ(flops, 2 * m * n * k);
  EXPECT_EQ(a_read, a_bytes * (n / c.bn));  // each CTA column reads all of A once
  EXPECT_EQ(b_read, b_bytes * (m / c.bm));
  EXPECT_EQ(c_written, m * n * acc);
  EXPECT_EQ(std::count(c_bytes.begin(), c_bytes.end(), 1), static_cast<long>(m * n * acc))
      << "every byte of C exactly once";
}

}  // namespace

TEST(GenGemm, Sm80DenseAndSparseFlopsAreExact) {
  const std::vector<Case> cases = {
      {Isa::kSm80, "fp16", false, "HMMA.16816.F32", 128, 128},
      {Isa::kSm80, "bf16", false, "HMMA.16816.F32.BF16", 128, 128},
      {Isa::kSm80, "tf32", false, "HMMA.1688.F32.TF32", 128, 128},
      {Isa::kSm80, "int8", false, "IMMA.16832.S32.S8.S8", 128, 128},
      {Isa::kSm80, "fp64", false, "DMMA.884", 64, 64},
      {Isa::kSm80, "fp16", true, "HMMA.SP.16832.F32", 128, 128},
      {Isa::kSm80, "tf32", true, "HMMA.SP.16816.F32.TF32", 128, 128},
      {Isa::kSm80, "int8", true, "IMMA.SP.16864.S32.S8.S8", 128, 128},
      {Isa::kSm70, "fp16", false, "", 128, 128},
      {Isa::kSm100, "fp8", false, "QMMA.16832.F32.E4M3.E4M3", 128, 128, "warp"},
      {Isa::kSm100, "fp4", false, "OMMA.16864.F32.E2M1.E2M1", 128, 128, "warp"},
  };
  for (Case c : cases) {
    if (c.isa == Isa::kSm70) {
      // Volta: four STEPs per HMMA.884 set; check them by name below
      Flat f = make_flat("gemm", {{"m", "256"}, {"n", "128"}, {"k", "96"}}, Isa::kSm70);
      uint64_t flops = 0;
      std::map<std::string, uint64_t> steps;
      for (const Rec& r : f.recs) {
        flops += mma_flops(r.opcode);
        if (base_of(r.opcode) == "HMMA") steps[r.opcode]++;
      }
      EXPECT_EQ(flops, 2u * 256 * 128 * 96);
      ASSERT_EQ(steps.size(), 4u);
      for (auto& [name, count] : steps) {
        EXPECT_EQ(name.rfind("HMMA.884.F32.F32.STEP", 0), 0u);
        EXPECT_EQ(count, 2u * 256 * 128 * 96 / 512 / 4);
      }
      continue;
    }
    // Register-staged copies: the 128 x 128 (fp64 64 x 64) tiles of c.
    check(c, 256, 256, c.dtype == "fp4" ? 384 : 192, 1, "registers");
    // Asynchronous copies (the default on sm_80+): 128 x 256 x (128-byte A rows) tiles, except
    // fp64's 64 x 64; k = 768 is a multiple of every type's k-tile.
    Case wide = c;
    if (c.dtype != "fp64") wide.bn = 256;
    check(wide, 256, 512, 768);
    check(wide, 256, 512, 768, 1, "cp_async");
    if (c.isa == Isa::kSm100) check(wide, 256, 512, 768, 1, "tma");
  }
}

TEST(GenGemm, Sm90WarpgroupMmaFlopsAreExact) {
  const std::vector<Case> cases = {
      {Isa::kSm90, "fp16", false, "HGMMA.64x256x16.F32", 128, 256},
      {Isa::kSm90, "bf16", false, "HGMMA.64x256x16.F32.BF16", 128, 256},
      {Isa::kSm90, "tf32", false, "HGMMA.64x256x8.F32.TF32", 128, 256},
      {Isa::kSm90, "fp8", false, "QGMMA.64x256x32.F32.E4M3.E4M3", 128, 256},
      {Isa::kSm90, "int8", false, "IGMMA.64x256x32.S32.S8.S8", 128, 256},
      {Isa::kSm90, "fp16", true, "HGMMA.SP.64x256x32.F32", 128, 256},
      {Isa::kSm90, "fp8", true, "QGMMA.SP.64x256x64.F32.E4M3.E4M3", 128, 256},
      {Isa::kSm90, "fp64", false, "DMMA.884", 64, 64},
  };
  for (const Case& c : cases) {
    check(c, 256, 512, 256);
    check(c, 256, 512, 256, 1, "registers");
    check(c, 256, 512, 256, 1, "cp_async");
  }
}

TEST(GenGemm, Sm100Tcgen05FlopsAndTrafficAreExact) {
  // mma=auto on sm_100: tcgen05 with 256 x 256 tiles (tile_m=128: 128 x 256), k-tiles of
  // 128-byte A rows; every type's k-tile divides k = 1024.
  const std::vector<Case> cases = {
      {Isa::kSm100, "fp16", false, "UTCHMMA", 256, 256},
      {Isa::kSm100, "bf16", false, "UTCHMMA", 256, 256},
      {Isa::kSm100, "tf32", false, "UTCHMMA", 256, 256},
      {Isa::kSm100, "fp8", false, "UTCQMMA", 256, 256},
      {Isa::kSm100, "int8", false, "UTCIMMA", 256, 256},
      {Isa::kSm100, "fp4", false, "UTCOMMA", 256, 256},
      {Isa::kSm100, "fp16", false, "UTCHMMA", 128, 256, "tcgen05", 128},
  };
  for (const Case& c : cases) check(c, 512, 512, 1024);
}

TEST(GenGemm, Sm100Tcgen05KernelIsWarpSpecialisedOnTensorMemory) {
  Flat f = make_flat("gemm", {{"m", "256"}, {"n", "256"}, {"k", "256"}}, Isa::kSm100);
  ASSERT_EQ(f.kernels.size(), 1u);
  EXPECT_EQ(f.kernels[0].block.count(), 192u);  // producer, MMA issuer, 4 epilogue warps
  std::map<uint32_t, std::map<std::string, uint64_t>> by_warp;
  for (const Rec& r : f.recs) by_warp[r.warp][base_of(r.opcode)]++;
  // 4 k-tiles of 64: the producer issues 2 UTMALDG each; the MMA warp 4 x 2 MMAs of K 16 per
  // k-tile (two M = 128 halves), one commit per k-tile plus the accumulator's, one alloc and
  // one dealloc of 512 columns; each epilogue warp 8 LDTM.x32 per 128-row half.
  EXPECT_EQ(by_warp[0]["UTMALDG"], 8u);
  EXPECT_EQ(by_warp[0]["UTCHMMA"], 0u);
  EXPECT_EQ(by_warp[1]["UTCHMMA"], 32u);
  EXPECT_EQ(by_warp[1]["UTCBAR"], 5u);
  EXPECT_EQ(by_warp[1]["UTCATOMSWS"], 2u);
  for (uint32_t w = 2; w < 6; ++w) {
    EXPECT_EQ(by_warp[w]["LDTM"], 16u) << w;
    EXPECT_EQ(by_warp[w]["UTCHMMA"], 0u) << w;
  }
  for (const Rec& r : f.recs) {
    if (base_of(r.opcode) == "UTCATOMSWS") {
      EXPECT_EQ(r.inst.immediate, 512u) << r.opcode;
    }
  }
  // Warp MMA is still there on request, and sparse falls back to it.
  Flat w =
      make_flat("gemm", {{"m", "256"}, {"n", "256"}, {"k", "256"}, {"mma", "warp"}}, Isa::kSm100);
  bool hmma = false;
  for (const Rec& r : w.recs) hmma |= base_of(r.opcode) == "HMMA";
  EXPECT_TRUE(hmma);
}

// 2x1 clusters (two CTAs along M share B): each producer copies its own A tile and half of the
// B tile with a multicast to both CTAs, so the bytes requested from memory for B halve while
// every CTA still receives whole tiles (check() counts deliveries). 1x2 shares A instead.
TEST(GenGemm, Sm90ClustersMulticastTheSharedTile) {
  auto requested = [](const std::string& cluster, uint64_t& a_req, uint64_t& b_req, Dim3& shape) {
    Flat f = make_flat("gemm", {{"m", "256"}, {"n", "512"}, {"k", "256"}, {"cluster", cluster}},
                       Isa::kSm90);
    const uint64_t b = f.copies[1].first;
    a_req = b_req = 0;
    shape = f.kernels.at(0).cluster;
    for (const Rec& r : f.recs) {
      if (base_of(r.opcode) != "UTMALDG") continue;
      const uint64_t bytes = (r.inst.immediate >> 16) * (r.inst.immediate & 0xFFFF);
      (r.addrs[0] >= b ? b_req : a_req) += bytes;
    }
  };
  uint64_t a1, b1, a2, b2, a3, b3;
  Dim3 s1, s2, s3;
  requested("1x1", a1, b1, s1);
  requested("2x1", a2, b2, s2);
  requested("1x2", a3, b3, s3);
  EXPECT_EQ(s1, (Dim3{1, 1, 1}));
  EXPECT_EQ(s2, (Dim3{1, 2, 1}));  // grid x runs along N, y along M
  EXPECT_EQ(s3, (Dim3{2, 1, 1}));
  // m/bm = 2 CTA rows read B (256 x 512 x 2 bytes) each without clusters; n/bn = 2 read A.
  EXPECT_EQ(b1, 2u * 256 * 512 * 2);
  EXPECT_EQ(a1, 2u * 256 * 256 * 2);
  EXPECT_EQ(b2, b1 / 2);
  EXPECT_EQ(a2, a1);
  EXPECT_EQ(a3, a1 / 2);
  EXPECT_EQ(b3, b1);
  Case c{Isa::kSm90, "fp16", false, "HGMMA.64x256x16.F32", 128, 256};
  check(c, 256, 512, 256, 1, "tma");  // auto: 2x1 here; every tile delivered once per CTA
}

TEST(GenGemm, Sm90GroupsAreFencedByArriveAndDepbar) {
  Flat f = make_flat("gemm", {{"m", "128"}, {"n", "256"}, {"k", "192"}}, Isa::kSm90);
  // per warp: 3 k-tiles of 64 -> 3 groups of ARRIVE, 4 HGMMA, DEPBAR
  std::vector<std::string> seq;
  for (const Rec& r : f.recs) {
    if (r.cta == 0 && r.warp == 5 &&
        (base_of(r.opcode) == "HGMMA" || base_of(r.opcode) == "WARPGROUP")) {
      seq.push_back(r.opcode == "WARPGROUP.ARRIVE"      ? "A"
                    : r.opcode == "WARPGROUP.DEPBAR.LE" ? "D" + std::to_string(r.inst.immediate)
                                                        : "H");
    }
  }
  // wait depth 1 while a next k-tile follows (its group may overlap), 0 before the epilogue
  std::vector<std::string> want;
  for (int g = 0; g < 3; ++g) {
    want.insert(want.end(), {"A", "H", "H", "H", "H", g < 2 ? "D1" : "D0"});
  }
  EXPECT_EQ(seq, want);
}

TEST(GenGemm, CdnaMfmaFlopsAreExact) {
  // Workgroup tile 128 x 256 (four waves of 64 x 128 in 32x32 blocks); fp64 128 x 128 (16x16).
  const std::vector<Case> cases = {
      {Isa::kGfx90a, "fp16", false, "v_mfma_f32_32x32x8f16", 128, 256},
      {Isa::kGfx90a, "bf16", false, "v_mfma_f32_32x32x8bf16_1k", 128, 256},
      {Isa::kGfx90a, "int8", false, "v_mfma_i32_32x32x8i8", 128, 256},
      {Isa::kGfx90a, "fp64", false, "v_mfma_f64_16x16x4f64", 128, 128},
      {Isa::kGfx942, "fp16", false, "v_mfma_f32_32x32x8_f16", 128, 256},
      {Isa::kGfx942, "int8", false, "v_mfma_i32_32x32x16_i8", 128, 256},
      {Isa::kGfx942, "fp8", false, "v_mfma_f32_32x32x16_fp8_fp8", 128, 256},
      {Isa::kGfx942, "tf32", false, "v_mfma_f32_32x32x4_xf32", 128, 256},
      {Isa::kGfx942, "fp64", false, "v_mfma_f64_16x16x4_f64", 128, 128},
      {Isa::kGfx942, "fp16", true, "v_smfmac_f32_32x32x16_f16", 128, 256},
      {Isa::kGfx942, "int8", true, "v_smfmac_i32_32x32x32_i8", 128, 256},
  };
  for (const Case& c : cases) {
    check(c, 256, 512, 128);
    if (c.dtype != "fp64") check(c, 256, 512, 256, 2);  // two k-tiles of loads in flight
  }
}

TEST(GenGemm, FragmentsComeFromSharedMemoryTheCtaWrites) {
  // Every shared-memory byte a fragment load reads is written by some STS of the CTA (the
  // barrier orders them across warps), and both buffers of the double buffer are used.
  Flat f = make_flat("gemm", {{"m", "128"}, {"n", "128"}, {"k", "64"}, {"copy", "registers"}});
  const uint64_t lo = f.kernels[0].shmem_base, hi = lo + f.kernels[0].shmem_bytes;
  auto shared = [&](const Rec& r) {
    return !r.addrs.empty() && r.addrs[0] >= lo && r.addrs[0] < hi;
  };
  std::map<uint64_t, int> written;
  for (const Rec& r : f.recs) {
    if (!shared(r) || base_of(r.opcode) != "STS") continue;
    for (uint64_t a : r.addrs) {
      for (uint64_t i = 0; i < r.inst.mem_width; ++i) written[a + i]++;
    }
  }
  size_t reads = 0;
  for (const Rec& r : f.recs) {
    if (!shared(r)) continue;
    if (r.known) EXPECT_EQ(r.inst.space, MemSpace::kShared) << r.opcode;
    if (base_of(r.opcode) == "STS") continue;
    EXPECT_EQ(base_of(r.opcode), "LDSM");
    for (uint64_t a : r.addrs) {
      ++reads;
      EXPECT_LE(a + r.inst.mem_width, hi);
      for (uint64_t i = 0; i < r.inst.mem_width; ++i)
        EXPECT_TRUE(written.count(a + i)) << std::hex << a;
    }
  }
  // 4 warps x 2 k-tiles x (4 A + 4 B LDSM per k16) x 2 k16-steps x 32 lanes
  EXPECT_EQ(reads, 4u * 2 * 8 * 2 * 32);
  EXPECT_EQ(written.size(), f.kernels[0].shmem_bytes);
  // k-tile 0 fills buffer 0, k-tile 1 buffer 1: each byte once
  for (auto& [a, n] : written) EXPECT_EQ(n, 1);
}

// A deeper prefetch moves loads earlier but not the work: the same FLOPs, the same bytes of A
// and B read and C written (check()), and the same instructions except prefetch - 1 sets of
// predicated-off loads per warp in the loop's tail (static PCs).
TEST(GenGemm, PrefetchKeepsTheWorkAndAddsOnlyPredicatedOffTailLoads) {
  check({Isa::kSm80, "fp16", false, "HMMA.16816.F32", 128, 128}, 256, 256, 192, 2);
  check({Isa::kSm90, "fp16", false, "HGMMA.64x256x16.F32", 128, 256}, 256, 512, 256, 2);
  auto loads = [](uint32_t prefetch, uint64_t& active, uint64_t& off, uint64_t& all) {
    Flat f = make_flat("gemm",
                       {{"m", "128"},
                        {"n", "128"},
                        {"k", "256"},
                        {"prefetch", std::to_string(prefetch)},
                        {"copy", "registers"}},
                       Isa::kSm80);
    active = off = all = 0;
    for (const Rec& r : f.recs) {
      ++all;
      if (base_of(r.opcode) != "LDG") continue;
      (r.inst.active_mask != 0 ? active : off)++;
    }
  };
  uint64_t a1, o1, n1, a2, o2, n2;
  loads(1, a1, o1, n1);
  loads(2, a2, o2, n2);
  // 128x128 fp16 tile, k-tile 32: 8 KB of A + 8 KB of B = 1024 chunks of 16 B over 128 threads
  // = 8 loads per warp per k-tile; 4 warps.
  EXPECT_EQ(a2, a1);
  EXPECT_EQ(o1, 0u);
  EXPECT_EQ(o2, 4u * 8);
  EXPECT_EQ(n2, n1 + o2);
  // Register staging sets are bounded by the 255-register file. CDNA keeps its accumulators in
  // AccVGPRs, so the VGPRs hold 16 skeleton registers, 24 per staged k-tile (six 16-byte chunks
  // per lane of the 24 KB fp16 k-tile, 4 registers each) and two fragment sets of 24 (2 A blocks
  // x 4 + 4 B blocks x 4): 16 + 24 p + 48 <= 255 for every allowed prefetch (p <= 4); fp64 (8
  // chunks, two sets of 32): 16 + 32 p + 64 <= 255 too.
  Flat ok;
  EXPECT_THROW(ok = make_flat("gemm", {{"prefetch", "3"}}, Isa::kSm80), joulesim::Error);
  EXPECT_THROW(ok = make_flat("gemm", {{"prefetch", "4"}}, Isa::kSm90), joulesim::Error);
  EXPECT_NO_THROW(ok = make_flat("gemm", {{"prefetch", "4"}}, Isa::kGfx942));
  EXPECT_NO_THROW(ok = make_flat("gemm", {{"prefetch", "4"}, {"dtype", "fp64"}}, Isa::kGfx90a));
}

TEST(GenGemm, CdnaAccumulatorsLiveInAgprs) {
  // Every MFMA reads and writes its C/D block in AccVGPRs a0..a127 (8 blocks of 32x32 f32 = 16
  // registers per lane each), every epilogue store reads one, and no other instruction touches
  // them. The wave allocates 16 + 24 x 3 + 48 = 136 VGPRs and 128 AGPRs at prefetch=3.
  Flat f = make_flat("gemm", {{"m", "128"}, {"n", "256"}, {"k", "128"}, {"prefetch", "3"}},
                     Isa::kGfx942);
  EXPECT_EQ(f.kernels[0].regs_per_thread, 136u + 128u);
  using joulesim::trace::kAccBase;
  auto is_acc = [](uint16_t r) { return r >= kAccBase && r < kAccBase + 128; };
  uint64_t mfmas = 0, stores = 0;
  for (const Rec& r : f.recs) {
    const bool mfma = r.opcode.starts_with("v_mfma");
    const bool store = r.opcode.starts_with("global_store");
    mfmas += mfma;
    stores += store;
    for (int i = 0; i < r.inst.num_dst; ++i) EXPECT_EQ(is_acc(r.inst.dst[i]), mfma) << r.opcode;
    int accs = 0;
    for (int i = 0; i < r.inst.num_src; ++i) accs += is_acc(r.inst.src[i]);
    EXPECT_EQ(accs, mfma || store ? 1 : 0) << r.opcode;
  }
  // 4 waves x 4 k-tiles x (2 x 4 blocks) x 4 k-steps of 8; 4 waves x 8 blocks x 16 values.
  EXPECT_EQ(mfmas, 4u * 4 * 8 * 4);
  EXPECT_EQ(stores, 4u * 8 * 16);
}

// The sm_90 TMA kernel's epilogue stages C through shared memory: every byte a warp reads back
// (LDS.128) is one its own STS.64 wrote, each exactly once, and the C stores are STG.E.128 of
// whole 128-byte lines (check() verifies every byte of C is written once).
TEST(GenGemm, Sm90TmaEpilogueStagesCThroughSharedMemory) {
  Flat f = make_flat("gemm", {{"m", "128"}, {"n", "256"}, {"k", "64"}}, Isa::kSm90);
  std::map<std::pair<uint64_t, uint32_t>, std::map<uint64_t, int>> written;  // (cta, warp)
  uint64_t read = 0, lines = 0;
  for (const Rec& r : f.recs) {
    const std::string op = r.opcode;
    if (op == "STS.64") {
      for (uint64_t a : r.addrs)
        for (uint64_t i = 0; i < 8; ++i) written[{r.cta, r.warp}][a + i]++;
    } else if (op == "LDS.128") {
      auto& mine = written[{r.cta, r.warp}];
      for (uint64_t a : r.addrs) {
        for (uint64_t i = 0; i < 16; ++i) EXPECT_EQ(mine[a + i], 1) << std::hex << a + i;
        read += 16;
      }
    } else if (op == "STG.E.128") {
      ASSERT_EQ(r.addrs.size(), 32u);
      for (uint32_t l = 1; l < 32; ++l) EXPECT_EQ(r.addrs[l], r.addrs[0] + 16 * l);
      EXPECT_EQ(r.addrs[0] % 128, 0u);
      lines += 4;
    }
  }
  // 8 consumer warps x 16 rows x 256 f32 columns, each byte read back once; 1024 lines of C.
  EXPECT_EQ(read, 8u * 16 * 256 * 4);
  EXPECT_EQ(lines, 128u * 256 * 4 / 128);
  check({Isa::kSm90, "fp16", false, "HGMMA.64x256x16.F32", 128, 256}, 128, 256, 64, 1, "tma");
}

// Fragment double buffering as compiled tensor-core GEMMs schedule it: once a warp's MMAs have
// started, its shared-memory fragment loads are issued one at a time between MMAs (never two in
// a row: a burst would queue the warp's MMAs behind the shared-memory pipe), and every k-step's
// fragments are loaded before the previous k-step's last MMA. sm_80 cp.async: 128x256x64 CTA,
// warps of 64x64 take 4 A + 4 B LDSM.x4 per k16-step and 4 x 8 HMMA.16816; sm_70 registers:
// 128x128x32, 4 A + 4 B LDS.64 per k8-step and 4 x 4 sets of 4 HMMA.884 STEPs (x2 k4 halves).
TEST(GenGemm, FragmentLoadsInterleaveWithTheMmasOfThePreviousKStep) {
  struct Path {
    Isa isa;
    const char* frag;  // fragment-load mnemonic
    uint64_t n, per_step_loads, per_step_mmas;
  };
  for (const Path& p :
       {Path{Isa::kSm80, "LDSM", 256, 8, 32}, Path{Isa::kSm70, "LDS", 128, 8, 128}}) {
    Flat f = make_flat("gemm", {{"m", "128"}, {"n", std::to_string(p.n)}, {"k", "256"}}, p.isa);
    std::map<uint32_t, std::vector<const Rec*>> by_warp;
    for (const Rec& r : f.recs)
      if (r.cta == 0) by_warp[r.warp].push_back(&r);
    ASSERT_FALSE(by_warp.empty());
    for (auto& [warp, recs] : by_warp) {
      bool started = false, prev_frag = false;
      uint64_t frags = 0, mmas = 0, adjacent = 0;
      for (const Rec* r : recs) {
        const std::string b = base_of(r->opcode);
        const bool frag = b == p.frag && r->inst.active_mask != 0;
        if (b == "HMMA") {
          started = true;
          ++mmas;
          // before k-step s's first MMA, its loads and k-step s+1's first ones were issued:
          // the loads always run ahead of the MMAs that read them
          EXPECT_GE(frags * p.per_step_mmas, mmas * p.per_step_loads) << "warp " << warp;
        }
        if (frag && started && prev_frag) ++adjacent;
        if (frag) ++frags;
        prev_frag = frag;
      }
      EXPECT_EQ(adjacent, 0u) << to_string(p.isa) << " warp " << warp;
      // k = 256: sm_80 16 k16-steps, sm_70 32 k8-steps, each with 8 fragment loads
      EXPECT_EQ(frags, (p.isa == Isa::kSm80 ? 16u : 32u) * p.per_step_loads);
      EXPECT_EQ(mmas, (p.isa == Isa::kSm80 ? 16u : 32u) * p.per_step_mmas);
    }
  }
}
