// GEMM on Blackwell 5th-generation tensor cores (tcgen05, sm_100a), warp-specialised as the sm100
// kernels of CUTLASS are: accumulators in Tensor Memory, one thread issues the MMAs.
//
// CTA tile BM x 256 (BM = 128 or 256: one or two M = 128 MMAs per k-step, 256 or 512 TMEM
// columns of f32), k-tile of 128-byte A rows (64 fp16, 128 fp8/int8, 256 fp4, 32 tf32), `stages`
// shared-memory buffers. Six warps:
//  - warp 0, producer: per k-tile waits for the buffer's "empty" mbarrier, arrives on its "full"
//    mbarrier expecting the stage's bytes, and issues one UTMALDG per tile (as the TMA pipeline of
//    gemm_async.cpp);
//  - warp 1, MMA issuer: allocates the TMEM columns (UTCATOMSWS.FIND_AND_SET, tcgen05.alloc),
//    per k-tile waits for "full", issues bk/K x BM/128 UTC*MMA 128x256xK (one lane; the
//    instruction descriptor in the immediate; A and B from shared-memory descriptors, so no
//    addresses), then UTCBAR (tcgen05.commit) on the buffer's "empty" mbarrier, which arrives when
//    those MMAs have completed. After the last k-tile it commits to the "accumulator" mbarrier,
//    meets the epilogue warps at BAR.SYNC 1 and frees the columns (UTCATOMSWS.AND);
//  - warps 2..5, epilogue: wait for the accumulator, then per 32 columns: LDTM.x32 (tcgen05.ld,
//    32x32b: lane l of the warp holds accumulator row 32 (warp % 4) + l, as the ISA restricts a
//    warp to its quarter of the TMEM lanes), 8 STS.128 of the row into a swizzled staging tile
//    (over stage buffer 0, free by then), 8 LDS.128 that read it back four rows per instruction,
//    and 8 coalesced STG.E.128 (four 128-byte rows each).
#include <algorithm>

#include "trace/gen/gemm.hpp"

namespace joulesim::trace::gen::detail {

namespace {

struct TcDef {
  std::string_view dtype, opcode;
  TensorType type;
  uint32_t k, bits;  // k per MMA (256 bits of K), bits per A/B element
};

// PTX ISA tcgen05.mma kinds and their SASS mnemonics: .kind::f16 / tf32 -> UTCHMMA, .kind::f8f6f4
// -> UTCQMMA, .kind::i8 -> UTCIMMA, .kind::mxf4 (block-scaled fp4) -> UTCOMMA.
constexpr TcDef kDefs[] = {
    {"fp16", "UTCHMMA", TensorType::kFp16, 16, 16}, {"bf16", "UTCHMMA", TensorType::kBf16, 16, 16},
    {"tf32", "UTCHMMA", TensorType::kTf32, 8, 32},  {"fp8", "UTCQMMA", TensorType::kFp8, 32, 8},
    {"int8", "UTCIMMA", TensorType::kInt8, 32, 8},  {"fp4", "UTCOMMA", TensorType::kFp4, 64, 4},
};

constexpr uint32_t kWarps = 6, kProducer = 0, kMmaWarp = 1, kFirstEpilogue = 2;

class Tcgen05Gemm : public KernelProgram {
 public:
  Tcgen05Gemm(const GemmSetup& s, const TcDef& d)
      : KernelProgram(Isa::kSm100, s.name,
                      {static_cast<uint32_t>(s.n / s.bn), static_cast<uint32_t>(s.m / s.bm), 1},
                      {kWarps * 32, 1, 1}),
        s_(s),
        d_(d) {
    a_bytes_ = uint64_t{s.bm} * 128;
    b_row_bytes_ = uint64_t{s.bn} * d.bits / 8;
    stage_bytes_ = a_bytes_ + uint64_t{s.bk} * b_row_bytes_;
    cols_ = s.bm / 128 * 256;
    info_.shmem_bytes = static_cast<uint32_t>(s.stages * stage_bytes_ + 8 * (2 * s.stages + 1));
    set_regs(64);
    s2r_ = intern("S2R");
    bar_ = intern("BAR.SYNC");
    inc_ = intern("IADD3");
    cmp_ = intern("ISETP.NE.AND");
    bra_ = intern("BRA");
    exit_ = intern("EXIT");
    init_ = intern("SYNCS.EXCH.64", 8);
    arrive_ = intern("SYNCS.ARRIVE.TRANS64.A1T0", 8);
    wait_ = intern("SYNCS.PHASECHK.TRANS64.TRYWAIT", 8);
    tma_ = intern("UTMALDG.2D", 16);
    mma_ = intern(d.opcode);
    commit_ = intern("UTCBAR", 8);
    alloc_ = intern("UTCATOMSWS.FIND_AND_SET.ALIGN");
    dealloc_ = intern("UTCATOMSWS.AND");
    ldtm_ = intern("LDTM.x32");
    sts_ = intern("STS.128", 16);
    lds_ = intern("LDS.128", 16);
    stg_ = intern("STG.E.128", 16);
    idesc_ = encode_tc_idesc(d.type, 128, s.bn, false);
  }

 protected:
  void emit_warp(const Dim3& cta, uint64_t, uint32_t warp, Warp& w) const override {
    w.op(s2r_, {reg(0)}, {});
    w.op(s2r_, {reg(2)}, {});
    w.op(s2r_, {reg(3)}, {});
    if (warp == kProducer) {
      for (uint32_t s = 0; s < s_.stages; ++s) {
        mbar(w, init_, full(s), 1);
        mbar(w, init_, empty(s), 1);
      }
      mbar(w, init_, acc(), 1);
    }
    if (warp == kMmaWarp) w.op(alloc_, {}, {}, cols_);
    w.op(bar_, {}, {});
    if (warp == kProducer) {
      produce(cta, w);
    } else if (warp == kMmaWarp) {
      issue_mmas(w);
    } else {
      epilogue(cta, warp, w);
    }
    w.op(exit_, {}, {});
  }

 private:
  uint64_t mbar_base() const { return kShmemBase + s_.stages * stage_bytes_; }
  uint64_t full(uint32_t s) const { return mbar_base() + 8 * s; }
  uint64_t empty(uint32_t s) const { return mbar_base() + 8 * (s_.stages + s); }
  uint64_t acc() const { return mbar_base() + 16 * s_.stages; }
  void mbar(Warp& w, const Op& op, uint64_t addr, uint32_t imm, bool active = true) const {
    w.mem(op, active ? 1 : 0, {}, {}, {&addr, active ? 1u : 0u}).immediate = imm;
  }
  void loop_tail(Warp& w, bool again) const {
    w.op(inc_, {reg(11)}, {reg(11), RZ});
    w.op(cmp_, {}, {reg(11)});
    w.op_masked(bra_, again ? w.full() : 0, {}, {});
  }

  void produce(const Dim3& cta, Warp& w) const {
    const uint64_t kts = s_.k_tiles();
    const uint32_t loop = w.pc();
    for (uint64_t kt = 0; kt < kts; ++kt) {
      w.jump(loop);
      const auto s = static_cast<uint32_t>(kt % s_.stages);
      const auto round = static_cast<uint32_t>(kt / s_.stages);
      mbar(w, wait_, empty(s), (round & 1u) ^ 1u);  // passes in round 0
      mbar(w, arrive_, full(s), static_cast<uint32_t>(stage_bytes_));
      const uint64_t stage = kShmemBase + s * stage_bytes_;
      // A: BM rows of 128 bytes at k-tile kt; B: bk rows of the CTA's BN columns.
      const uint64_t a[4] = {s_.a + uint64_t{cta.y} * s_.bm * s_.a_row_bytes() + kt * 128,
                             s_.a_row_bytes(), stage, full(s)};
      w.mem(tma_, 0xF, {}, {}, {a, 4}).immediate = static_cast<uint32_t>(s_.bm << 16 | 128);
      const uint64_t b[4] = {s_.b + kt * s_.bk * s_.b_row_bytes() + uint64_t{cta.x} * b_row_bytes_,
                             s_.b_row_bytes(), stage + a_bytes_, full(s)};
      w.mem(tma_, 0xF, {}, {}, {b, 4}).immediate =
          static_cast<uint32_t>(uint64_t{s_.bk} << 16 | b_row_bytes_);
      loop_tail(w, kt + 1 < kts);
    }
  }

  void issue_mmas(Warp& w) const {
    const uint64_t kts = s_.k_tiles();
    const uint32_t loop = w.pc();
    for (uint64_t kt = 0; kt < kts; ++kt) {
      w.jump(loop);
      const auto s = static_cast<uint32_t>(kt % s_.stages);
      const auto round = static_cast<uint32_t>(kt / s_.stages);
      mbar(w, wait_, full(s), round & 1u);
      for (uint32_t ks = 0; ks < s_.bk / d_.k; ++ks) {
        for (uint32_t mt = 0; mt < s_.bm / 128; ++mt) w.op_masked(mma_, 1, {}, {}, idesc_);
      }
      mbar(w, commit_, empty(s), 0);  // the buffer is free once these MMAs completed
      loop_tail(w, kt + 1 < kts);
    }
    mbar(w, commit_, acc(), 0);
    w.op(bar_, {}, {}, 1);  // the epilogue warps have read the accumulator
    w.op(dealloc_, {}, {}, cols_);
  }

  void epilogue(const Dim3& cta, uint32_t warp, Warp& w) const {
    mbar(w, wait_, acc(), 0);
    const uint32_t quarter = warp % 4;  // the TMEM lanes this warp may access
    // Staging: 32 rows x 128 bytes per warp over buffer 0, 16-byte chunks XOR-swizzled by row.
    const uint64_t staging = kShmemBase + (warp - kFirstEpilogue) * 32 * 128;
    auto stage_addr = [&](uint64_t row, uint64_t chunk) {
      return staging + row * 128 + ((chunk ^ row) & 7) * 16;
    };
    uint64_t addrs[32];
    for (uint32_t mt = 0; mt < s_.bm / 128; ++mt) {
      const uint64_t row0 = uint64_t{cta.y} * s_.bm + mt * 128 + 32 * quarter;
      for (uint32_t c = 0; c < s_.bn / 32; ++c) {
        w.op(ldtm_, {reg(16), reg(20), reg(24), reg(28), reg(32), reg(36), reg(40), reg(44)},
             {static_cast<uint16_t>(kUniformBase + 4)});  // tmem[UR4]
        for (uint32_t j = 0; j < 8; ++j) {                // lane l stores 16 bytes of its row
          for (uint32_t l = 0; l < 32; ++l) addrs[l] = stage_addr(l, j);
          w.mem(sts_, w.full(), {}, {reg(1), reg(16 + 4 * static_cast<int>(j))}, {addrs, 32});
        }
        for (uint32_t j = 0; j < 8; ++j) {  // rows 4j..4j+3, eight lanes per 128-byte row
          for (uint32_t l = 0; l < 32; ++l) addrs[l] = stage_addr(4 * j + l / 8, l % 8);
          w.mem(lds_, w.full(), {reg(48 + 4 * static_cast<int>(j))}, {reg(1)}, {addrs, 32});
        }
        const uint64_t col0 = uint64_t{cta.x} * s_.bn + 32 * c;
        for (uint32_t j = 0; j < 8; ++j) {
          for (uint32_t l = 0; l < 32; ++l) {
            const uint64_t row = row0 + 4 * j + l / 8;
            addrs[l] = s_.c + (row * s_.n + col0) * s_.acc_bytes + (l % 8) * 16;
          }
          w.mem(stg_, w.full(), {}, {reg(13), reg(48 + 4 * static_cast<int>(j))}, {addrs, 32});
        }
      }
    }
    w.op(bar_, {}, {}, 1);  // done reading Tensor Memory
  }

  GemmSetup s_;
  TcDef d_;
  uint64_t a_bytes_ = 0, b_row_bytes_ = 0, stage_bytes_ = 0;
  uint32_t cols_ = 0, idesc_ = 0;
  Op s2r_, bar_, inc_, cmp_, bra_, exit_, init_, arrive_, wait_, tma_, mma_, commit_, alloc_,
      dealloc_, ldtm_, sts_, lds_, stg_;
};

}  // namespace

std::shared_ptr<KernelProgram> make_tcgen05_gemm(GemmSetup s, const std::string& dtype,
                                                 const Params& p) {
  const TcDef* def = nullptr;
  for (const TcDef& d : kDefs) {
    if (d.dtype == dtype) def = &d;
  }
  if (def == nullptr) {
    fail(p, "dtype " + dtype +
                " has no tcgen05.mma kind; allowed: fp16, bf16, tf32, fp8, int8, "
                "fp4 (fp64: mma=warp, DMMA)");
  }
  if (s.sparse) fail(p, "mma=tcgen05 generates dense MMAs only; use mma=warp for sparse=1");
  const auto tile_m = static_cast<uint32_t>(p.integer("tile_m"));
  // auto: 256 rows (two MMAs per k-step: half the B traffic per FLOP) when m allows it.
  s.bm = tile_m != 0 ? tile_m : s.m % 256 == 0 ? 256 : 128;
  if (s.bm != 128 && s.bm != 256) fail(p, "tile_m must be 128 or 256 for mma=tcgen05");
  s.bn = 256;
  s.bits = def->bits;
  s.acc_bytes = 4;
  s.bk = 128 * 8 / def->bits;  // 128-byte A rows
  const uint64_t stage = uint64_t{s.bm} * 128 + uint64_t{s.bk} * s.bn * def->bits / 8;
  if (p.integer("stages") == 0)
    s.stages = static_cast<uint32_t>(std::min<uint64_t>(4, (192u << 10) / stage));
  if (s.stages * stage + 8 * (2 * s.stages + 1) > 227u * 1024) {
    fail(p, std::to_string(s.stages) + " stages of " + std::to_string(stage / 1024) +
                " KB exceed the 227 KB of shared memory a CTA may have on sm_100");
  }
  if (s.stages < 2) fail(p, "mma=tcgen05 needs stages >= 2");
  check_tiling(p, Isa::kSm100, s, dtype);
  return std::make_shared<Tcgen05Gemm>(s, *def);
}

}  // namespace joulesim::trace::gen::detail
