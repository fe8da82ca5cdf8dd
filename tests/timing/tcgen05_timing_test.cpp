// Blackwell tcgen05 (5th-generation tensor cores) against first principles: an MMA of M x N x K
// takes 2 M N K / (per-SM FLOP/clk) cycles unless its shared-memory operands need longer at
// banks x bank width bytes per clock; commit arrives after (and only after) the MMAs it tracks;
// Tensor Memory holds 512 columns and an alloc beyond what is free blocks (PTX semantics).
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "timing/timing_util.hpp"

namespace joulesim::timing_test {
namespace {

using trace::TensorType;
constexpr uint64_t kShmem = 0x00007fb000000000ull;
constexpr uint64_t kBar = kShmem + 0x100;

// Per-SM rates of B200 (HGX B200 datasheet: 2.25 PFLOPS dense FP16 over 148 SMs at 1.86 GHz).
config::GpuSpec b200_like_spec(uint32_t sms = 1) {
  config::GpuSpec s = test_spec(sms);
  auto& r = s.tensor.dense_flops_per_clk;
  r[static_cast<size_t>(TensorType::kFp16)] = 8192;
  r[static_cast<size_t>(TensorType::kBf16)] = 8192;
  r[static_cast<size_t>(TensorType::kTf32)] = 4096;
  r[static_cast<size_t>(TensorType::kFp8)] = 16384;
  r[static_cast<size_t>(TensorType::kInt8)] = 16384;
  r[static_cast<size_t>(TensorType::kFp4)] = 32768;
  s.tensor.gmma_latency = 0;
  s.shared.banks = 32;  // 128 B of shared memory per clock
  s.shared.bank_bytes = 4;
  return s;
}

uint32_t idesc(TensorType t, uint32_t m, uint32_t n) {
  return trace::encode_tc_idesc(t, m, n, false);
}

struct MmaRun {
  const char* opcode = "UTCHMMA";
  uint32_t idesc = 0;
  uint32_t n = 1;
  uint32_t cols = 256;
};

// One warp: alloc, init a barrier, n MMAs, commit, wait for the commit, dealloc, EXIT.
trace::MemoryKernel mma_kernel(const MmaRun& r, uint32_t ctas = 1) {
  return make_kernel(
      ctas, 1,
      [=](trace::MemoryKernel& k, trace::WarpTrace& w, uint32_t, uint32_t) {
        k.append(w, "UTCATOMSWS.FIND_AND_SET.ALIGN", 1, {}, {}).immediate = r.cols;
        k.append(w, "SYNCS.EXCH.64", 1, {}, {}, 8, {kBar}).immediate = 1;
        for (uint32_t i = 0; i < r.n; ++i) k.append(w, r.opcode, 1, {}, {}).immediate = r.idesc;
        k.append(w, "UTCBAR", 1, {}, {}, 8, {kBar});
        k.append(w, "SYNCS.PHASECHK.TRANS64.TRYWAIT", 1, {}, {}, 8, {kBar}).immediate = 0;
        k.append(w, "UTCATOMSWS.AND", 1, {}, {}).immediate = r.cols;
        k.append(w, "EXIT", kFull, {}, {});
      },
      32, 0x1000, 100);
}

TEST(Tcgen05Timing, InstructionDescriptorRoundTrip) {
  // PTX ISA instruction descriptor: D format F32 (1) at bits 4-5, N >> 3 at 17-22, M >> 4 at
  // 24-28: M 128, N 256, f16 = 0x10 | 32 << 17 | 8 << 24.
  EXPECT_EQ(idesc(TensorType::kFp16, 128, 256), 0x10u | (32u << 17) | (8u << 24));
  const auto f16 = trace::decode_tc_idesc(TensorType::kFp16, 0x10u | (32u << 17) | (8u << 24));
  EXPECT_EQ(f16.m, 128u);
  EXPECT_EQ(f16.n, 256u);
  EXPECT_EQ(f16.k, 16u);  // 256 bits of K
  EXPECT_EQ(f16.type, TensorType::kFp16);
  // A format 1 under UTCHMMA is bf16, 2 is tf32 (K = 8).
  EXPECT_EQ(trace::decode_tc_idesc(TensorType::kFp16, idesc(TensorType::kBf16, 128, 256)).type,
            TensorType::kBf16);
  const auto tf = trace::decode_tc_idesc(TensorType::kFp16, idesc(TensorType::kTf32, 128, 128));
  EXPECT_EQ(tf.type, TensorType::kTf32);
  EXPECT_EQ(tf.k, 8u);
  EXPECT_EQ(trace::decode_tc_idesc(TensorType::kFp8, idesc(TensorType::kFp8, 128, 256)).k, 32u);
  EXPECT_EQ(trace::decode_tc_idesc(TensorType::kFp4, idesc(TensorType::kFp4, 128, 256)).k, 64u);
  // Shapes the single-CTA ISA lacks: M 256 (the CTA pair's), N 8 at M 128, N 264.
  EXPECT_FALSE(
      trace::decode_tc_idesc(TensorType::kFp16, idesc(TensorType::kFp16, 256, 256)).valid());
  EXPECT_FALSE(trace::decode_tc_idesc(TensorType::kFp16, idesc(TensorType::kFp16, 128, 8)).valid());
  EXPECT_TRUE(trace::decode_tc_idesc(TensorType::kFp16, idesc(TensorType::kFp16, 64, 8)).valid());
  EXPECT_FALSE(trace::decode_tc_idesc(TensorType::kFp16, 0).valid());
}

TEST(Tcgen05Timing, MmaM128N256K16TakesFlopsOverTheSmRate) {
  // 2 x 128 x 256 x 16 = 1,048,576 FLOPs at 8192 FLOP/clk/SM = 128 cycles. Its operands,
  // (128 + 256) x 16 x 2 B = 12 KB, need 96 cycles at 128 B/clk: compute-bound.
  const auto spec = b200_like_spec();
  const uint64_t mma = 2ull * 128 * 256 * 16 / 8192;
  ASSERT_EQ(mma, 128u);
  const uint32_t d = idesc(TensorType::kFp16, 128, 256);
  // alloc at 0, init at 1, MMAs from 2 (back to back in the SM's queue), commit at 3 scheduled
  // for 2 + n x 128; the wait passes the cycle after the arrival, then dealloc and EXIT; the
  // kernel ends the cycle after EXIT.
  for (uint32_t n = 1; n <= 3; ++n) {
    EXPECT_EQ(cycles_of(spec, mma_kernel({"UTCHMMA", d, n})),
              2 + n * mma + 1 + 2 + gpu::kExitOverheadCycles)
        << "n=" << n;
  }
  // FP8 (K 32) at 16384 and FP4 (.kind::mxf4, K 64) at 32768 FLOP/clk: also 128 cycles each.
  const uint64_t one = cycles_of(spec, mma_kernel({"UTCHMMA", d, 1}));
  EXPECT_EQ(cycles_of(spec, mma_kernel({"UTCQMMA", idesc(TensorType::kFp8, 128, 256), 1})), one);
  EXPECT_EQ(cycles_of(spec, mma_kernel({"UTCOMMA", idesc(TensorType::kFp4, 128, 256), 1})), one);
}

TEST(Tcgen05Timing, OperandFetchBoundsShapesThatNeedMoreThanSharedMemoryDelivers) {
  // Per extra MMA: max(2 M N K / 8192, (M + N) K 2 B / 128 B/clk).
  //  M 64,  N 256: compute 64 cycles, operands (64 + 256) x 32 B = 10240 B: 80 cycles.
  //  M 128, N 64:  compute 32 cycles, operands (128 + 64) x 32 B = 6144 B: 48 cycles.
  //  M 128, N 128: compute 64 cycles, operands 8192 B: 64 cycles (balanced).
  const auto spec = b200_like_spec();
  struct Case {
    uint32_t m, n;
    uint64_t per_mma;
  };
  for (const Case c : {Case{64, 256, 80}, Case{128, 64, 48}, Case{128, 128, 64}}) {
    const uint32_t d = idesc(TensorType::kFp16, c.m, c.n);
    const uint64_t a = cycles_of(spec, mma_kernel({"UTCHMMA", d, 4}));
    const uint64_t b = cycles_of(spec, mma_kernel({"UTCHMMA", d, 8}));
    EXPECT_EQ(b - a, 4 * c.per_mma) << c.m << "x" << c.n;
  }
}

TEST(Tcgen05Timing, BackToBackMmasReachThePerSmPeak) {
  // Two SMs, one CTA each, 256 MMAs of 128x256x16: the tensor FLOPs over the kernel's cycles
  // within 3% of 2 x 8192 FLOP/clk (the fixed start and drain is ~6 cycles of 32768).
  const auto spec = b200_like_spec(2);
  const auto r = run(spec, mma_kernel({"UTCHMMA", idesc(TensorType::kFp16, 128, 256), 256}, 2));
  const auto& k = r.kernels.at(0);
  const double flops = static_cast<double>(k.counts.tensor_flops[size_t(TensorType::kFp16)]);
  EXPECT_EQ(flops, 2.0 * 256 * 2 * 128 * 256 * 16);  // every MMA counted once
  const double rate = flops / static_cast<double>(k.cycles) / (2 * 8192.0);
  EXPECT_GE(rate, 0.97);
  EXPECT_LE(rate, 1.0);
  // Operands read from shared memory: 12 KB per MMA in 128 B wavefronts; no register traffic
  // for the accumulator.
  EXPECT_EQ(k.counts[stats::Counter::kSmemRead], 2u * 256 * 12288 / 128);
}

// Warp 0 issues 4 MMAs and commits before or after them; warp 1 waits for the commit, then runs
// 100 dependent FFMAs (400 cycles).
uint64_t commit_order(bool commit_after) {
  const auto spec = b200_like_spec();
  const uint32_t d = idesc(TensorType::kFp16, 128, 256);
  return cycles_of(
      spec, make_kernel(
                1, 2,
                [=](trace::MemoryKernel& k, trace::WarpTrace& w, uint32_t, uint32_t warp) {
                  if (warp == 0) {
                    k.append(w, "UTCATOMSWS.FIND_AND_SET.ALIGN", 1, {}, {}).immediate = 256;
                    k.append(w, "SYNCS.EXCH.64", 1, {}, {}, 8, {kBar}).immediate = 1;
                    k.append(w, "BAR.SYNC", kFull, {}, {});
                    if (!commit_after) k.append(w, "UTCBAR", 1, {}, {}, 8, {kBar});
                    for (int i = 0; i < 4; ++i) k.append(w, "UTCHMMA", 1, {}, {}).immediate = d;
                    if (commit_after) k.append(w, "UTCBAR", 1, {}, {}, 8, {kBar});
                    k.append(w, "UTCATOMSWS.AND", 1, {}, {}).immediate = 256;
                  } else {
                    k.append(w, "BAR.SYNC", kFull, {}, {});
                    k.append(w, "SYNCS.PHASECHK.TRANS64.TRYWAIT", 1, {}, {}, 8, {kBar}).immediate =
                        0;
                    for (int i = 0; i < 100; ++i) k.append(w, "FFMA", kFull, {2}, {2, 3});
                  }
                  k.append(w, "EXIT", kFull, {}, {});
                },
                32, 0x1000, 100));
}

TEST(Tcgen05Timing, CommitArrivesOnlyAfterTheMmasItFollows) {
  // After: the waiter's 400 cycles start once the 4 x 128 MMA cycles are done. Before: the
  // commit tracks nothing and arrives at once; the MMA warp's drain (512 cycles) ends the kernel.
  const uint64_t after = commit_order(true), before = commit_order(false);
  EXPECT_GE(after, 4u * 128 + 100 * 4);
  EXPECT_LT(before, 4u * 128 + 20);
  EXPECT_GE(after - before, 100u * 4 - 20);
}

// Two CTAs on one SM, each: alloc `cols`, 200 dependent FFMAs (800 cycles), dealloc, EXIT.
uint64_t two_allocs(uint32_t cols) {
  const auto spec = b200_like_spec();
  return cycles_of(spec, make_kernel(
                             2, 1,
                             [=](trace::MemoryKernel& k, trace::WarpTrace& w, uint32_t, uint32_t) {
                               k.append(w, "UTCATOMSWS.FIND_AND_SET.ALIGN", 1, {}, {}).immediate =
                                   cols;
                               for (int i = 0; i < 200; ++i)
                                 k.append(w, "FFMA", kFull, {2}, {2, 3});
                               k.append(w, "UTCATOMSWS.AND", 1, {}, {}).immediate = cols;
                               k.append(w, "EXIT", kFull, {}, {});
                             },
                             32, 0x1000, 100));
}

TEST(Tcgen05Timing, AllocBeyondTheFreeColumnsBlocksUntilADealloc) {
  // 2 x 256 columns fit in 512: both CTAs run side by side (~800 cycles). 2 x 512 do not: the
  // second CTA's alloc blocks until the first deallocates, so the chains run one after the other.
  const uint64_t fit = two_allocs(256), serial = two_allocs(512);
  EXPECT_LT(fit, 800u + 20);
  EXPECT_GE(serial, 2u * 800);
  EXPECT_LT(serial, 2u * 800 + 40);
}

TEST(Tcgen05Timing, AllocOfAColumnCountTheIsaLacksOrAMissingDeallocIsAnError) {
  const auto spec = b200_like_spec();
  for (uint32_t bad : {48u, 16u, 1024u}) {
    try {
      cycles_of(spec, mma_kernel({"UTCHMMA", idesc(TensorType::kFp16, 128, 256), 1, bad}));
      FAIL() << bad << " columns: expected an error";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("power of two from 32 to 512"), std::string::npos)
          << e.what();
    }
  }
  auto leak = make_kernel(
      1, 1,
      [](trace::MemoryKernel& k, trace::WarpTrace& w, uint32_t, uint32_t) {
        k.append(w, "UTCATOMSWS.FIND_AND_SET.ALIGN", 1, {}, {}).immediate = 128;
        k.append(w, "EXIT", kFull, {}, {});
      },
      32, 0x1000, 100);
  try {
    cycles_of(spec, std::move(leak));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("dealloc missing"), std::string::npos) << e.what();
  }
  // An MMA whose descriptor names no shape (a captured trace carries none) is an error naming it.
  try {
    cycles_of(spec, mma_kernel({"UTCHMMA", 0, 1}));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("UTCHMMA"), std::string::npos) << e.what();
  }
}

TEST(Tcgen05Timing, TmemLoadOccupiesTheSubcoreQuarterForItsBytes) {
  // LDTM.x32 (32x32b): 32 lanes x 32 columns x 4 B = 4 KB at 128 B/clk per sub-core = 32
  // cycles; each further LDTM of the warp adds exactly that, and counts 32 slices of 128 B.
  const auto spec = b200_like_spec();
  auto ldtms = [&](int n) {
    return run(spec, make_kernel(
                         1, 1,
                         [=](trace::MemoryKernel& k, trace::WarpTrace& w, uint32_t, uint32_t) {
                           for (int i = 0; i < n; ++i)
                             k.append(w, "LDTM.x32", kFull, {static_cast<uint16_t>(16 + 32 * i)},
                                      {trace::kUniformBase + 4});
                           k.append(w, "EXIT", kFull, {}, {});
                         },
                         32, 0, 100));
  };
  const auto two = ldtms(2), three = ldtms(3);
  EXPECT_EQ(three.kernels[0].cycles - two.kernels[0].cycles, 32u);
  EXPECT_EQ(three.kernels[0].counts[stats::Counter::kTmemRead], 3u * 32);
  EXPECT_EQ(three.kernels[0].counts[stats::Counter::kRfRead], 0u);  // UR4: the TMEM address
}

}  // namespace
}  // namespace joulesim::timing_test
