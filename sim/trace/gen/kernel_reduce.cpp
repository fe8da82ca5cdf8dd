// kernel.reduce: a float sum in the usual three levels. Each thread accumulates a grid-stride loop
// of float4 loads; each warp folds its 32 partial sums with five SHFL.BFLY + FADD steps; lane 0 of
// every warp writes its sum to shared memory; after BAR.SYNC warp 0 loads those (one lane per
// warp), folds them the same way and lane 0 adds the CTA's total to the result with one RED.
// Warps other than 0 leave after the barrier through @P0 EXIT; warp 0 traces that EXIT with an
// empty mask (predicated off), as the NVBit tracer records it.
#include "trace/gen/registry.hpp"

namespace joulesim::trace::gen::detail {

namespace {

class Reduce : public KernelProgram {
 public:
  Reduce(Isa isa, uint32_t ctas, uint32_t threads, uint64_t iters, uint64_t in, uint64_t out)
      : KernelProgram(isa, "joulesim_kernel_reduce", {ctas, 1, 1}, {threads, 1, 1}),
        iters_(iters),
        in_(in),
        out_(out) {
    mov_ = intern("MOV");
    s2r_ = intern("S2R");
    imad_ = intern("IMAD");
    wide_ = intern("IMAD.WIDE");
    zero_ = intern("CS2R");
    ldg_ = intern(isa == Isa::kSm70 ? "LDG.E.128.SYS" : "LDG.E.128", 16);
    fadd_ = intern("FADD");
    inc_ = intern("IADD3");
    cmp_ = intern("ISETP.GE.AND");
    bra_ = intern("BRA");
    shfl_ = intern("SHFL.BFLY");
    lop_ = intern("LOP3.LUT");
    sts_ = intern("STS", 4);
    lds_ = intern("LDS", 4);
    bar_ = intern("BAR.SYNC");
    red_ = intern("RED.E.ADD.F32.FTZ.RN.STRONG.GPU", 4);
    exit_ = intern("EXIT");
    set_regs(24);
    info_.shmem_bytes = 4 * info_.warps_per_cta();
  }

 protected:
  void emit_warp(const Dim3& cta, uint64_t, uint32_t warp, Warp& w) const override {
    const uint64_t threads = info_.block.x, ctas = info_.grid.x;
    const uint32_t warps = info_.warps_per_cta();
    w.op(mov_, {reg(1)}, {});
    w.op(s2r_, {reg(0)}, {});                 // tid
    w.op(s2r_, {reg(3)}, {});                 // ctaid
    w.op(lop_, {reg(4)}, {reg(0)});           // lane = tid & 31, warp = tid >> 5
    w.op(imad_, {reg(5)}, {reg(4), RZ});      // shared slot of this warp: 4 * warp
    w.op(imad_, {reg(0)}, {reg(3), reg(0)});  // global index
    w.op(zero_, {reg(20)}, {});               // sum = 0
    const uint32_t loop = w.pc();
    for (uint64_t i = 0; i < iters_; ++i) {
      w.jump(loop);
      const uint64_t off = ((i * ctas + cta.x) * threads + uint64_t{warp} * 32) * 16;
      w.op(wide_, {reg(6)}, {reg(0)});
      w.mem_strided(ldg_, {reg(8)}, {reg(6)}, in_ + off, 16);
      for (int j = 0; j < 4; ++j) w.op(fadd_, {reg(20)}, {reg(20), reg(8 + j)});
      w.op(inc_, {reg(0)}, {reg(0), RZ});
      w.op(cmp_, {}, {reg(0)});
      w.op_masked(bra_, i + 1 == iters_ ? 0 : w.full(), {}, {});
    }
    warp_fold(w);
    const uint64_t slot = kShmemBase + 4 * uint64_t{warp};
    w.op(cmp_, {}, {reg(4)});  // lane == 0 ?
    w.mem(sts_, 1, {}, {reg(5), reg(20)}, {&slot, 1});
    w.op(bar_, {}, {});
    w.op(cmp_, {}, {reg(4)});  // warp != 0 ?
    w.op_masked(exit_, warp == 0 ? 0 : w.full(), {}, {});
    if (warp != 0) return;
    uint64_t slots[32];
    for (uint32_t l = 0; l < warps; ++l) slots[l] = kShmemBase + 4 * uint64_t{l};
    w.op(zero_, {reg(20)}, {});
    const uint64_t lanes = warps >= 32 ? 0xFFFFFFFFull : (uint64_t{1} << warps) - 1;
    w.mem(lds_, lanes, {reg(20)}, {reg(5)}, {slots, warps});  // @P1 LDS: one lane per warp
    warp_fold(w);
    w.op(mov_, {reg(10)}, {});                           // the result pointer
    w.mem(red_, 1, {}, {reg(10), reg(20)}, {&out_, 1});  // lane 0: atomicAdd(out, total)
    w.op(exit_, {}, {});
  }

 private:
  void warp_fold(Warp& w) const {
    for (int step = 0; step < 5; ++step) {  // offsets 16, 8, 4, 2, 1
      w.op(shfl_, {reg(21)}, {reg(20)}, 16u >> step);
      w.op(fadd_, {reg(20)}, {reg(20), reg(21)});
    }
  }

  uint64_t iters_, in_, out_;
  Op mov_, s2r_, imad_, wide_, zero_, ldg_, fadd_, inc_, cmp_, bra_, shfl_, lop_, sts_, lds_, bar_,
      red_, exit_;
};

GenTrace make(const Params& p, Isa isa) {
  const int64_t threads = p.integer("threads");
  if (threads % 32 != 0) fail(p, "threads must be a multiple of 32");
  const auto ctas = static_cast<uint32_t>(p.integer("ctas"));
  const auto iters = static_cast<uint64_t>(p.integer("iters"));
  const uint64_t bytes = uint64_t{ctas} * static_cast<uint64_t>(threads) * iters * 16;
  DeviceHeap heap;
  GenTrace t;
  const uint64_t in = heap.alloc(bytes), out = heap.alloc(4);
  t.copies.push_back({in, bytes});
  t.kernels.push_back(
      std::make_shared<Reduce>(isa, ctas, static_cast<uint32_t>(threads), iters, in, out));
  return t;
}

}  // namespace

Entry reduce_entry() {
  return {{"kernel.reduce",
           "float sum of ctas*threads*iters*4 elements: grid-stride LDG.E.128 + FADD, warp folds "
           "with SHFL.BFLY, per-warp partials through shared memory, one RED per CTA",
           {int_param("ctas", 160, 1, 1 << 20, "CTAs in the grid"),
            int_param("threads", 256, 32, 1024, "threads per CTA (a multiple of 32)"),
            int_param("iters", 16, 1, 1'000'000, "grid-stride iterations (float4 each)")},
           {Isa::kSm80, Isa::kSm70, Isa::kSm90, Isa::kSm100}},
          &make};
}

}  // namespace joulesim::trace::gen::detail
