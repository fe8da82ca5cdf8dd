// ubench.smem_bank: shared-memory loads whose 32 lanes hit `ways` distinct 4-byte words in each
// bank they touch (32 banks of 4 bytes; Jia et al. 2018, section 3.4). Lane l reads word
// (l % ways) * 32 + l / ways: lanes with equal l / ways share a bank (the word index mod 32) but
// read different words, so every access is a ways-way bank conflict and ways = 1 is conflict-free.
// On CDNA (wave64, LDS of 32 banks) the second half-wave repeats the pattern 32 * ways words
// higher, i.e. in the same banks: each half-wave alone has the same ways-way conflict.
//
// ubench.smem_chase: one lane chases pointers through shared memory, each LDS address being the
// previous load's result (LDS R2, [R2]; CDNA: ds_read_b32 v2, v2 + s_waitcnt lgkmcnt(0)), the
// shared-memory latency benchmark of Jia et al. 2018 (section 3). Layout: MOV R1, MOV R2 (SASS;
// CDNA: v_mov_b32), `steps` dependent loads walking `nodes` words stride_b bytes apart in order
// (the chain wraps), EXIT. Straight-line code, so the latency per load is
// (cycles(steps = hi) - cycles(steps = lo)) / (hi - lo).
#include "trace/gen/registry.hpp"

namespace joulesim::trace::gen::detail {

namespace {

// s_waitcnt lgkmcnt(0) on gfx9: vmcnt and expcnt at their maxima (not waited on).
constexpr uint32_t kWaitLgkmcnt0 = 0xF | (7u << 4) | (3u << 14);

class SmemBank : public KernelProgram {
 public:
  SmemBank(Isa isa, uint32_t ways, uint32_t ctas, uint32_t warps, uint64_t iters, int unroll)
      : KernelProgram(isa, "joulesim_ubench_smem_bank", {ctas, 1, 1},
                      {warps * isa_warp_size(isa), 1, 1}),
        ways_(ways),
        iters_(iters),
        unroll_(unroll) {
    sass_ = isa_family(isa) == IsaFamily::kSass;
    if (sass_) {
      mov_ = intern("MOV");
      s2r_ = intern("S2R");
      addr_ = intern("IMAD.SHL.U32");
      lds_ = intern("LDS", 4);
      inc_ = intern("IADD3");
      cmp_ = intern("ISETP.NE.AND");
      bra_ = intern("BRA");
      exit_ = intern("EXIT");
    } else {
      addr_ = intern("v_lshlrev_b32");
      lds_ = intern("ds_read_b32", 4);
      wait_ = intern("s_waitcnt");
      inc_ = intern("s_add_u32");
      cmp_ = intern("s_cmp_lg_u32");
      bra_ = intern("s_cbranch_scc1");
      exit_ = intern("s_endpgm");
    }
    info_.shmem_bytes = 32 * 32 * 4 * (info_.warp_size / 32);
    set_regs(static_cast<uint32_t>(8 + unroll));
  }

  /// Byte offset in the CTA's shared memory read by @p lane.
  static uint64_t offset(uint32_t lane, uint32_t ways) {
    const uint32_t l = lane % 32, half = lane / 32;
    return (uint64_t{l % ways} * 32 + l / ways + uint64_t{half} * 32 * ways) * 4;
  }

 protected:
  void emit_warp(const Dim3&, uint64_t, uint32_t, Warp& w) const override {
    if (sass_) {
      w.op(mov_, {reg(1)}, {});
      w.op(s2r_, {reg(0)}, {});             // S2R R0, SR_TID.X
      w.op(addr_, {reg(2)}, {reg(0), RZ});  // the pattern's byte offset (from a lookup)
    } else {
      w.op(addr_, {reg(2)}, {reg(0)});  // v2 = pattern offset of this work-item
    }
    uint64_t addrs[64];
    for (uint32_t l = 0; l < info_.warp_size; ++l) addrs[l] = kShmemBase + offset(l, ways_);
    const std::span<const uint64_t> lanes(addrs, info_.warp_size);
    const uint32_t loop = w.pc();
    for (uint64_t i = 0; i < iters_; ++i) {
      w.jump(loop);
      for (int u = 0; u < unroll_; ++u) w.mem(lds_, w.full(), {reg(4 + u)}, {reg(2)}, lanes);
      const bool last = i + 1 == iters_;
      if (sass_) {
        w.op(inc_, {reg(0)}, {reg(0), RZ});
        w.op(cmp_, {}, {reg(0)});
        w.op_masked(bra_, last ? 0 : w.full(), {}, {});
      } else {
        w.op(wait_, {}, {}, kWaitLgkmcnt0);
        w.op(inc_, {sreg(0)}, {sreg(0)});
        w.op(cmp_, {}, {sreg(0), sreg(1)});
        w.op(bra_, {}, {});
      }
    }
    w.op(exit_, {}, {});
  }

 private:
  uint32_t ways_;
  uint64_t iters_;
  int unroll_;
  bool sass_ = true;
  Op mov_, s2r_, addr_, lds_, wait_, inc_, cmp_, bra_, exit_;
};

class SmemChase : public KernelProgram {
 public:
  SmemChase(Isa isa, uint64_t steps, uint32_t nodes, uint32_t stride)
      : KernelProgram(isa, "joulesim_ubench_smem_chase", {1, 1, 1}, {isa_warp_size(isa), 1, 1}),
        steps_(steps),
        nodes_(nodes),
        stride_(stride) {
    sass_ = isa_family(isa) == IsaFamily::kSass;
    if (sass_) {
      mov_ = intern("MOV");
      lds_ = intern("LDS", 4);
      exit_ = intern("EXIT");
    } else {
      mov_ = intern("v_mov_b32");
      lds_ = intern("ds_read_b32", 4);
      wait_ = intern("s_waitcnt");
      exit_ = intern("s_endpgm");
    }
    info_.shmem_bytes = uint64_t{nodes} * stride;
    set_regs(8);
  }

 protected:
  void emit_warp(const Dim3&, uint64_t, uint32_t, Warp& w) const override {
    constexpr uint64_t kLane0 = 1;
    if (sass_) w.op_masked(mov_, kLane0, {reg(1)}, {});
    w.op_masked(mov_, kLane0, {reg(2)}, {});  // R2 = offset of node 0
    for (uint64_t i = 0; i < steps_; ++i) {
      const uint64_t addr = kShmemBase + (i % nodes_) * stride_;
      w.mem(lds_, kLane0, {reg(2)}, {reg(2)}, {&addr, 1});
      if (!sass_) w.op_masked(wait_, kLane0, {}, {}, kWaitLgkmcnt0);
    }
    w.op_masked(exit_, kLane0, {}, {});
  }

 private:
  uint64_t steps_;
  uint32_t nodes_, stride_;
  bool sass_ = true;
  Op mov_, lds_, wait_, exit_;
};

GenTrace make_chase(const Params& p, Isa isa) {
  const auto nodes = static_cast<uint32_t>(p.integer("nodes"));
  const auto stride = static_cast<uint32_t>(p.integer("stride_b"));
  if (uint64_t{nodes} * stride > 64 * 1024) {
    fail(p, "nodes x stride_b = " + std::to_string(uint64_t{nodes} * stride) +
                " bytes of shared memory; allowed: at most 65536");
  }
  GenTrace t;
  t.kernels.push_back(
      std::make_shared<SmemChase>(isa, static_cast<uint64_t>(p.integer("steps")), nodes, stride));
  return t;
}

GenTrace make(const Params& p, Isa isa) {
  GenTrace t;
  t.kernels.push_back(std::make_shared<SmemBank>(
      isa, static_cast<uint32_t>(p.integer("ways")), static_cast<uint32_t>(p.integer("ctas")),
      static_cast<uint32_t>(p.integer("warps")), static_cast<uint64_t>(p.integer("iters")),
      static_cast<int>(p.integer("unroll"))));
  return t;
}

}  // namespace

Entry smem_bank_entry() {
  return {
      {"ubench.smem_bank",
       "shared-memory loads (LDS / ds_read_b32) with a ways-way bank conflict: each warp "
       "loops iters times over unroll independent loads of the same pattern",
       {int_param("ways", 1, 1, 32, "distinct words per bank per access", true),
        int_param("iters", 64, 1, 1'000'000, "loop iterations"),
        int_param("unroll", 8, 1, 64, "independent loads per iteration"),
        int_param("warps", 1, 1, 32, "warps per CTA"), int_param("ctas", 1, 1, 1 << 16, "CTAs")},
       all_isas()},
      &make};
}

Entry smem_chase_entry() {
  return {{"ubench.smem_chase",
           "one lane of one warp: steps dependent shared-memory loads (LDS R2, [R2] / "
           "ds_read_b32 + s_waitcnt), each address the previous load's result",
           {int_param("steps", 1024, 1, 10'000'000, "dependent loads"),
            int_param("nodes", 64, 1, 16384, "words in the chain (it wraps)"),
            int_param("stride_b", 4, 4, 4096, "bytes between chain nodes", true)},
           all_isas()},
          &make_chase};
}

}  // namespace joulesim::trace::gen::detail
