// ubench.pointer_chase: one thread walks a pointer chain through a buffer of footprint_kb KiB, one
// node every stride_b bytes, each load's address being the previous load's result (LDG.E.64 R2,
// [R2.64]), as in gpu-benches' gpu-latency. The chain is one cycle over every node: nodes in
// address order (pattern=stride) or a random cyclic permutation (pattern=random, Sattolo's
// algorithm with a fixed-seed generator, so the trace is deterministic).
//
// Layout of the single warp's trace (documented contract for latency derivation):
//   prologue: MOV R1; IMAD.MOV.U32 R2; IMAD.MOV.U32 R3; IMAD.MOV.U32 R4; IMAD.MOV.U32 R5   (5)
//   warm-up (warmup=1): nodes dependent loads, one full turn of the cycle starting at node 0,
//     which brings the footprint into whatever cache holds it;
//   measured: steps dependent loads continuing around the cycle from node 0;
//   epilogue: STG.E.64 of the final pointer, EXIT.
// The loads are straight-line (no loop overhead between them), so the steady-state latency per
// step is (cycles(warmup, steps) - cycles(warmup, 0)) / steps, or the spacing of the measured
// loads. CDNA: global_load_dwordx2 v[2:3], v[2:3], off then s_waitcnt vmcnt(0) per step.
#include <vector>

#include "trace/gen/registry.hpp"

namespace joulesim::trace::gen::detail {

namespace {

// 2^25 nodes (a 128 MiB successor table): gpu-latency's 64 B stride over its largest, 1.5 GB
// footprint needs 24.5 M.
constexpr uint64_t kMaxNodes = uint64_t{1} << 25;

// splitmix64 (a fixed, platform-independent generator; std:: distributions are not portable).
uint64_t splitmix64(uint64_t& s) {
  uint64_t z = (s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// s_waitcnt simm16 on gfx9 (CDNA2/3 ISA guides, SOPP s_waitcnt): vmcnt[3:0] and [15:14],
// expcnt[6:4], lgkmcnt[11:8]; a counter at its maximum is not waited on.
constexpr uint32_t kWaitVmcnt0 = (7u << 4) | (15u << 8);

class PointerChase : public KernelProgram {
 public:
  PointerChase(Isa isa, uint64_t base, uint64_t out, uint64_t nodes, uint64_t stride, bool random,
               uint64_t seed, uint64_t steps, bool warmup)
      : KernelProgram(isa, "joulesim_ubench_pointer_chase", {1, 1, 1}, {isa_warp_size(isa), 1, 1}),
        base_(base),
        out_(out),
        nodes_(nodes),
        stride_(stride),
        steps_(steps),
        warmup_(warmup) {
    if (random) {
      // Sattolo: a uniformly random permutation with a single cycle.
      next_.resize(nodes);
      for (uint64_t i = 0; i < nodes; ++i) next_[i] = static_cast<uint32_t>(i);
      uint64_t s = seed;
      for (uint64_t i = nodes - 1; i > 0; --i) {
        uint64_t j = static_cast<uint64_t>((static_cast<unsigned __int128>(splitmix64(s)) * i) >>
                                           64);  // j in [0, i)
        std::swap(next_[i], next_[j]);
      }
    }
    sass_ = isa_family(isa) == IsaFamily::kSass;
    if (sass_) {
      mov_ = intern("MOV");
      imov_ = intern("IMAD.MOV.U32");
      load_ = intern("LDG.E.64", 8);
      store_ = intern("STG.E.64", 8);
      exit_ = intern("EXIT");
    } else {
      imov_ = intern("v_mov_b32");
      load_ = intern("global_load_dwordx2", 8);
      wait_ = intern("s_waitcnt");
      store_ = intern("global_store_dwordx2", 8);
      exit_ = intern("s_endpgm");
    }
    set_regs(8);
  }

 protected:
  void emit_warp(const Dim3&, uint64_t, uint32_t, Warp& w) const override {
    constexpr uint64_t kLane0 = 1;
    if (sass_) w.op_masked(mov_, kLane0, {reg(1)}, {});
    for (int r = 2; r <= 5; ++r) w.op_masked(imov_, kLane0, {reg(r)}, {RZ, RZ});
    uint64_t node = 0;
    const uint64_t total = (warmup_ ? nodes_ : 0) + steps_;
    for (uint64_t i = 0; i < total; ++i) {
      const uint64_t addr = base_ + node * stride_;
      w.mem(load_, kLane0, {reg(2)}, {reg(2)}, {&addr, 1});
      if (!sass_) w.op_masked(wait_, kLane0, {}, {}, kWaitVmcnt0);
      node = next_.empty() ? (node + 1 == nodes_ ? 0 : node + 1) : next_[node];
    }
    w.mem(store_, kLane0, {}, {reg(4), reg(2)}, {&out_, 1});
    w.op_masked(exit_, kLane0, {}, {});
  }

 private:
  uint64_t base_, out_, nodes_, stride_, steps_;
  bool warmup_, sass_ = true;
  std::vector<uint32_t> next_;  // random pattern: successor of each node
  Op mov_, imov_, load_, wait_, store_, exit_;
};

GenTrace make(const Params& p, Isa isa) {
  const uint64_t footprint = static_cast<uint64_t>(p.integer("footprint_kb")) * 1024;
  const uint64_t stride = static_cast<uint64_t>(p.integer("stride_b"));
  if (stride > footprint / 2) {
    fail(p, "stride_b = " + std::to_string(stride) + " leaves fewer than 2 nodes in " +
                std::to_string(footprint) + " bytes; allowed: stride_b <= footprint_kb * 512");
  }
  const uint64_t nodes = footprint / stride;
  if (nodes > kMaxNodes) {
    fail(p, "footprint_kb / stride_b gives " + std::to_string(nodes) + " nodes; allowed: at most " +
                std::to_string(kMaxNodes) + " (raise stride_b)");
  }
  DeviceHeap heap;
  GenTrace t;
  const uint64_t buf = heap.alloc(footprint);
  const uint64_t out = heap.alloc(8);
  t.copies.push_back({buf, footprint});  // the host writes the chain before the launch
  t.kernels.push_back(std::make_shared<PointerChase>(
      isa, buf, out, nodes, stride, p.text("pattern") == "random",
      static_cast<uint64_t>(p.integer("seed")), static_cast<uint64_t>(p.integer("steps")),
      p.integer("warmup") != 0));
  return t;
}

}  // namespace

Entry pointer_chase_entry() {
  return {{"ubench.pointer_chase",
           "one thread of one warp: 5 setup instructions, a warm-up turn over every node, steps "
           "measured dependent 8-byte loads (each address = previous result), STG, EXIT",
           {int_param("footprint_kb", 64, 1, 4 << 20, "buffer size in KiB"),
            int_param("stride_b", 128, 8, 1 << 20, "bytes between chain nodes", true),
            int_param("steps", 1024, 1, 10'000'000, "measured loads after the warm-up"),
            choice_param("pattern", "stride", {"stride", "random"},
                         "node order: ascending addresses, or a random single cycle"),
            int_param("seed", 1, 0, INT64_MAX, "seed of the random pattern"),
            int_param("warmup", 1, 0, 1, "1: one untimed turn over all nodes first")},
           all_isas()},
          &make};
}

}  // namespace joulesim::trace::gen::detail
