// ubench.ffma_chain: a dependent FP32 FMA chain (each FMA reads the previous one's result), the
// classic latency microbenchmark (Jia et al. 2018, "Dissecting the NVIDIA Volta GPU architecture
// via microbenchmarking", section 4). With no prologue, the kernel is exactly n FMAs and an exit,
// so cycles = n x FMA latency + fixed launch/drain overhead.
#include "trace/gen/registry.hpp"

namespace joulesim::trace::gen::detail {

namespace {

class FfmaChain : public KernelProgram {
 public:
  FfmaChain(Isa isa, int64_t n, int64_t warps)
      : KernelProgram(isa, "joulesim_ubench_ffma_chain", {1, 1, 1},
                      {static_cast<uint32_t>(warps * isa_warp_size(isa)), 1, 1}),
        n_(n) {
    const bool sass = isa_family(isa) == IsaFamily::kSass;
    fma_ = intern(sass ? "FFMA" : "v_fma_f32");
    exit_ = intern(sass ? "EXIT" : "s_endpgm");
    set_regs(8);
  }

 protected:
  void emit_warp(const Dim3&, uint64_t, uint32_t, Warp& w) const override {
    // FFMA R0, R0, R2, R3 (v_fma_f32 v0, v0, v2, v3): R0 is both the destination and the first
    // multiplicand, so FMA i+1 waits for FMA i.
    for (int64_t i = 0; i < n_; ++i) w.op(fma_, {reg(0)}, {reg(0), reg(2), reg(3)});
    w.op(exit_, {}, {});
  }

 private:
  int64_t n_;
  Op fma_, exit_;
};

GenTrace make(const Params& p, Isa isa) {
  GenTrace t;
  t.kernels.push_back(std::make_shared<FfmaChain>(isa, p.integer("n"), p.integer("warps")));
  return t;
}

}  // namespace

Entry ffma_chain_entry() {
  return {{"ubench.ffma_chain",
           "one CTA; each warp runs n dependent FP32 FMAs (FFMA / v_fma_f32, each reading the "
           "previous destination) then EXIT / s_endpgm; nothing else",
           {int_param("n", 1024, 1, 10'000'000, "number of dependent FMAs per warp"),
            int_param("warps", 1, 1, 32, "warps (wavefronts) in the CTA, each with its own chain")},
           all_isas()},
          &make};
}

}  // namespace joulesim::trace::gen::detail
