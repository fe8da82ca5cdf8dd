// ubench.throughput: one CTA per SM, each warp looping over `chains` independent accumulator chains
// of one operation (enough ILP to keep a unit busy while every chain's latency elapses), with the
// usual IADD3 / ISETP / BRA loop overhead (s_add / s_cmp / s_cbranch on CDNA).
//
// Tensor ops keep their real register footprint: HMMA.16816.F32 accumulates into 4 registers per
// thread, HGMMA m64n256 into 128 (so a warpgroup holds one accumulator; the unroll issues several
// wgmma per WARPGROUP.ARRIVE ... WARPGROUP.DEPBAR.LE gsb0, 0x0 group, the wait depth 0 in the
// immediate field), v_mfma 32x32 into 16 VGPRs. Volta's HMMA.884 is issued as its four STEPs.
#include <array>

#include "trace/gen/registry.hpp"

namespace joulesim::trace::gen::detail {

namespace {

enum class Shape : uint8_t { kFma, kUnary, kMma, kGmma };

// One operation, with its opcode per ISA (index Isa; empty: not available on that ISA).
struct OpDef {
  std::string_view name;
  Shape shape;
  int acc_regs;  // registers of one accumulator (per thread / lane)
  std::array<std::string_view, static_cast<size_t>(Isa::kCount)> opcode;  // sm70 80 90 100 90a 942
};

// Opcodes: CUDA binary utilities "Instruction Set Reference" per architecture for SASS; AMD CDNA2
// and CDNA3 ISA reference guides for the v_ mnemonics (gfx940+ puts '_' before the input type).
constexpr OpDef kOps[] = {
    {"ffma", Shape::kFma, 1, {"FFMA", "FFMA", "FFMA", "FFMA", "v_fma_f32", "v_fma_f32"}},
    {"hfma2", Shape::kFma, 1, {"HFMA2", "HFMA2", "HFMA2", "HFMA2", "v_pk_fma_f16", "v_pk_fma_f16"}},
    {"imad", Shape::kFma, 1, {"IMAD", "IMAD", "IMAD", "IMAD", "v_mad_u32_u24", "v_mad_u32_u24"}},
    // IDP.4A (dp4a): 4 int8 products + int32 accumulate per lane; v_dot4_i32_i8 on CDNA.
    {"idp4a",
     Shape::kFma,
     1,
     {"IDP.4A.S8.S8", "IDP.4A.S8.S8", "IDP.4A.S8.S8", "IDP.4A.S8.S8", "v_dot4_i32_i8",
      "v_dot4_i32_i8"}},
    {"dfma", Shape::kFma, 2, {"DFMA", "DFMA", "DFMA", "DFMA", "v_fma_f64", "v_fma_f64"}},
    {"mufu",
     Shape::kUnary,
     1,
     {"MUFU.EX2", "MUFU.EX2", "MUFU.EX2", "MUFU.EX2", "v_exp_f32", "v_exp_f32"}},
    {"hmma.f16",
     Shape::kMma,
     4,
     {"HMMA.884.F32.F32", "HMMA.16816.F32", "HMMA.16816.F32", "HMMA.16816.F32", "", ""}},
    {"hmma.bf16",
     Shape::kMma,
     4,
     {"", "HMMA.16816.F32.BF16", "HMMA.16816.F32.BF16", "HMMA.16816.F32.BF16", "", ""}},
    {"hmma.tf32",
     Shape::kMma,
     4,
     {"", "HMMA.1688.F32.TF32", "HMMA.1688.F32.TF32", "HMMA.1688.F32.TF32", "", ""}},
    {"imma.s8",
     Shape::kMma,
     4,
     {"", "IMMA.16832.S32.S8.S8", "IMMA.16832.S32.S8.S8", "IMMA.16832.S32.S8.S8", "", ""}},
    // 4-bit integer MMA (m8n8k32), Turing/Ampere only: Hopper and later dropped INT4 MMA.
    {"imma.s4", Shape::kMma, 2, {"", "IMMA.8832.S32.S4.S4", "", "", "", ""}},
    {"dmma.f64", Shape::kMma, 4, {"", "DMMA.884", "DMMA.884", "DMMA.884", "", ""}},
    {"qmma.fp8", Shape::kMma, 4, {"", "", "", "QMMA.16832.F32.E4M3.E4M3", "", ""}},
    {"wgmma.f16", Shape::kGmma, 128, {"", "", "HGMMA.64x256x16.F32", "", "", ""}},
    {"wgmma.bf16", Shape::kGmma, 128, {"", "", "HGMMA.64x256x16.F32.BF16", "", "", ""}},
    {"wgmma.tf32", Shape::kGmma, 128, {"", "", "HGMMA.64x256x8.F32.TF32", "", "", ""}},
    {"wgmma.fp8", Shape::kGmma, 128, {"", "", "QGMMA.64x256x32.F32.E4M3.E4M3", "", "", ""}},
    {"wgmma.s8", Shape::kGmma, 128, {"", "", "IGMMA.64x256x32.S32.S8.S8", "", "", ""}},
    {"mfma.f16",
     Shape::kMma,
     16,
     {"", "", "", "", "v_mfma_f32_32x32x8f16", "v_mfma_f32_32x32x8_f16"}},
    {"mfma.bf16",
     Shape::kMma,
     16,
     {"", "", "", "", "v_mfma_f32_32x32x8bf16_1k", "v_mfma_f32_32x32x8_bf16"}},
    {"mfma.i8",
     Shape::kMma,
     16,
     {"", "", "", "", "v_mfma_i32_32x32x8i8", "v_mfma_i32_32x32x16_i8"}},
    {"mfma.f64",
     Shape::kMma,
     8,
     {"", "", "", "", "v_mfma_f64_16x16x4f64", "v_mfma_f64_16x16x4_f64"}},
    {"mfma.xf32", Shape::kMma, 16, {"", "", "", "", "", "v_mfma_f32_32x32x4_xf32"}},
    {"mfma.fp8", Shape::kMma, 16, {"", "", "", "", "", "v_mfma_f32_32x32x16_fp8_fp8"}},
};

// A Volta HMMA.884.F32 set (16x16 per warp) accumulates into 8 registers per thread, 2 per STEP.
int acc_regs(Isa isa, const OpDef& d) {
  return isa == Isa::kSm70 && d.shape == Shape::kMma ? 8 : d.acc_regs;
}

// Register plan: R0 loop counter, R1 stack pointer, R2..R15 multiplicands, accumulators from R16.
constexpr int kAccBase = 16;
constexpr int kMulA = 4, kMulB = 8;

class Throughput : public KernelProgram {
 public:
  Throughput(Isa isa, const OpDef& def, int64_t warps, int64_t sms, int64_t iters, int64_t chains,
             int64_t unroll)
      : KernelProgram(isa, std::string("joulesim_ubench_throughput_") + std::string(def.name),
                      {static_cast<uint32_t>(sms), 1, 1},
                      {static_cast<uint32_t>(warps * isa_warp_size(isa)), 1, 1}),
        def_(def),
        iters_(iters),
        chains_(static_cast<int>(chains)),
        unroll_(static_cast<int>(unroll)),
        volta_steps_(isa == Isa::kSm70 && def.shape == Shape::kMma),
        acc_regs_(acc_regs(isa, def)) {
    const std::string_view opc = def.opcode[static_cast<size_t>(isa)];
    sass_ = isa_family(isa) == IsaFamily::kSass;
    if (volta_steps_) {
      for (int s = 0; s < 4; ++s) step_[s] = intern(std::string(opc) + ".STEP" + std::to_string(s));
    } else {
      step_[0] = intern(opc);
    }
    if (sass_) {
      mov_ = intern("MOV");
      inc_ = intern("IADD3");
      cmp_ = intern("ISETP.NE.AND");
      bra_ = intern("BRA");
      exit_ = intern("EXIT");
      if (def.shape == Shape::kGmma) {
        arrive_ = intern("WARPGROUP.ARRIVE");
        depbar_ = intern("WARPGROUP.DEPBAR.LE");
      }
    } else {
      mov_ = intern("s_mov_b32");
      inc_ = intern("s_add_u32");
      cmp_ = intern("s_cmp_lg_u32");
      bra_ = intern("s_cbranch_scc1");
      exit_ = intern("s_endpgm");
    }
    set_regs(static_cast<uint32_t>(kAccBase + chains_ * acc_regs_));
  }

 protected:
  void emit_warp(const Dim3&, uint64_t, uint32_t, Warp& w) const override {
    if (sass_) {
      w.op(mov_, {reg(1)}, {});  // MOV R1, c[0x0][0x28]: stack pointer, in every kernel
    } else {
      w.op(mov_, {sreg(0)}, {});  // s_mov_b32 s0, 0: loop counter
    }
    const uint32_t loop = w.pc();
    for (int64_t it = 0; it < iters_; ++it) {
      w.jump(loop);
      if (def_.shape == Shape::kGmma) w.op(arrive_, {}, {});
      for (int u = 0; u < unroll_; ++u) {
        for (int c = 0; c < chains_; ++c) emit_one(w, reg(kAccBase + c * acc_regs_));
      }
      // wait depth 0: all wgmma of the group complete before the loop continues
      if (def_.shape == Shape::kGmma) w.op(depbar_, {}, {}, 0);
      const bool last = it + 1 == iters_;
      if (sass_) {
        w.op(inc_, {reg(0)}, {reg(0), RZ});  // IADD3 R0, R0, 0x1, RZ
        w.op(cmp_, {}, {reg(0)});            // ISETP.NE.AND P0, PT, R0, c[iters], PT
        // @P0 BRA loop: the trace mask holds the lanes whose predicate is true
        w.op_masked(bra_, last ? 0 : w.full(), {}, {});
      } else {
        w.op(inc_, {sreg(0)}, {sreg(0)});    // s_add_u32 s0, s0, 1
        w.op(cmp_, {}, {sreg(0), sreg(1)});  // s_cmp_lg_u32 s0, s1
        w.op(bra_, {}, {});                  // s_cbranch_scc1 loop (scalar: whole wave)
      }
    }
    w.op(exit_, {}, {});
  }

 private:
  void emit_one(Warp& w, uint16_t acc) const {
    switch (def_.shape) {
      case Shape::kFma:  // acc = a * b + acc; 64-bit operands are even register pairs
        w.op(step_[0], {acc}, {reg(2), reg(def_.acc_regs == 2 ? 4 : 3), acc});
        break;
      case Shape::kUnary:  // acc = ex2(acc)
        w.op(step_[0], {acc}, {acc});
        break;
      case Shape::kMma:
        if (volta_steps_) {
          // HMMA.884.F32.F32.STEPk writes accumulator registers 2k, 2k+1 of the set's eight
          for (int s = 0; s < 4; ++s) {
            uint16_t part = static_cast<uint16_t>(acc + 2 * s);
            w.op(step_[s], {part}, {reg(kMulA), reg(kMulB), part});
          }
        } else {
          w.op(step_[0], {acc}, {reg(kMulA), reg(kMulB), acc});
        }
        break;
      case Shape::kGmma:  // A and B come from shared-memory descriptors (uniform registers)
        w.op(step_[0], {acc}, {acc});
        break;
    }
  }

  const OpDef& def_;
  int64_t iters_;
  int chains_, unroll_;
  bool volta_steps_;
  int acc_regs_;
  bool sass_ = true;
  Op step_[4], mov_, inc_, cmp_, bra_, exit_, arrive_, depbar_;
};

GenTrace make(const Params& p, Isa isa) {
  const std::string& name = p.text("op");
  const OpDef* def = nullptr;
  for (const OpDef& d : kOps) {
    if (d.name == name) def = &d;
  }
  if (def->opcode[static_cast<size_t>(isa)].empty()) {
    std::string ok;
    for (const OpDef& d : kOps) {
      if (!d.opcode[static_cast<size_t>(isa)].empty())
        ok += (ok.empty() ? "" : ", ") + std::string(d.name);
    }
    fail(p, "op " + name + " has no instruction on " + std::string(to_string(isa)) +
                "; allowed ops for this ISA: " + ok);
  }
  int64_t warps = p.integer("warps_per_sm");
  int64_t chains = p.integer("chains");
  if (chains == 0) chains = def->shape == Shape::kGmma ? 1 : 8;
  if (def->shape == Shape::kGmma) {
    if (warps % 4 != 0) {
      fail(p, "op " + name + " is issued per warpgroup: warps_per_sm must be a multiple of 4");
    }
    if (chains != 1) {
      fail(p, "op " + name + " accumulates into 128 registers per thread: chains must be 1");
    }
  }
  const int acc = acc_regs(isa, *def);
  if (kAccBase + chains * acc > 255) {
    fail(p, "chains = " + std::to_string(chains) + " needs " +
                std::to_string(kAccBase + chains * acc) + " registers per thread for op " + name +
                "; allowed: chains <= " + std::to_string((255 - kAccBase) / acc));
  }
  if (warps * isa_warp_size(isa) > 1024) fail(p, "warps_per_sm * warp size exceeds 1024 threads");
  // 64K 32-bit registers per SM on every NVIDIA GPU since Kepler: the CTA must fit.
  if (isa_family(isa) == IsaFamily::kSass && (kAccBase + chains * acc) * warps * 32 > 65536) {
    fail(p, "chains = " + std::to_string(chains) + " x warps_per_sm = " + std::to_string(warps) +
                " needs " + std::to_string((kAccBase + chains * acc) * warps * 32) +
                " registers, more than the 65536 of an SM; lower chains or warps_per_sm");
  }
  GenTrace t;
  t.kernels.push_back(std::make_shared<Throughput>(
      isa, *def, warps, p.integer("sms"), p.integer("iters"), chains, p.integer("unroll")));
  return t;
}

}  // namespace

Entry throughput_entry() {
  std::vector<std::string> ops;
  for (const OpDef& d : kOps) ops.emplace_back(d.name);
  return {
      {"ubench.throughput",
       "sms CTAs (one per SM) of warps_per_sm warps; each warp loops iters times over "
       "unroll x chains independent instructions of one op, then IADD3/ISETP/BRA",
       {choice_param(
            "op", "ffma", ops,
            "operation: ffma hfma2 imad idp4a dfma mufu (all ISAs); hmma.f16 (sm_70+), "
            "hmma.bf16/hmma.tf32/imma.s8/dmma.f64 (sm_80+), imma.s4 (sm_80), qmma.fp8 (sm_100), "
            "wgmma.* (sm_90), mfma.f16/bf16/i8/f64 (gfx90a, gfx942), mfma.xf32/fp8 "
            "(gfx942)"),
        int_param("warps_per_sm", 8, 1, 32, "warps (wavefronts) per CTA = per SM"),
        int_param("iters", 64, 1, 1'000'000, "loop iterations per warp"),
        int_param("sms", 1, 1, 1024, "CTAs, one per SM"),
        int_param("chains", 0, 0, 32,
                  "independent accumulators per warp (ILP); 0: 8, or 1 for wgmma.*"),
        int_param("unroll", 4, 1, 64, "times the chains are repeated per loop iteration")},
       all_isas()},
      &make};
}

}  // namespace joulesim::trace::gen::detail
