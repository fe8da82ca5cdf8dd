// ubench.stream: grid-stride streaming kernels (read, write, copy, triad) with coalesced vector
// loads/stores, the STREAM-style bandwidth microbenchmark (also gpu-benches' gpu-stream).
// bench.stream_loop: the speed-benchmark trace of issue 3, 80 CTAs x 256 threads x 120 iterations
// of exactly {LDG, FFMA, STG, IADD3, IADD3, ISETP, BRA}.
//
// Element e of iteration i handled by thread t of CTA c is at ((i * ctas + c) * threads + t) *
// bytes_per_thread from each array's base, so every array is touched exactly once, in order:
// ctas * threads * iters * bytes_per_thread bytes per array.
#include <algorithm>

#include "trace/gen/registry.hpp"

namespace joulesim::trace::gen::detail {

namespace {

// Global load/store opcode with its width suffix. Volta SASS spells the default (.SYS) scope;
// Ampere and later address with 64-bit registers and drop it.
std::string global_opcode(Isa isa, std::string_view base, int bytes) {
  if (isa_family(isa) == IsaFamily::kCdna) {
    std::string s = base == "LDG" ? "global_load_dword" : "global_store_dword";
    if (bytes == 8) s += "x2";
    if (bytes == 16) s += "x4";
    return s;
  }
  std::string s = std::string(base) + ".E";
  if (bytes == 8) s += ".64";
  if (bytes == 16) s += ".128";
  if (isa == Isa::kSm70) s += ".SYS";
  return s;
}

constexpr uint32_t kWaitVmcnt0 = (7u << 4) | (15u << 8);  // s_waitcnt vmcnt(0), see pointer chase

enum class Kind { kRead, kWrite, kCopy, kTriad };

class Stream : public KernelProgram {
 public:
  Stream(Isa isa, Kind kind, uint32_t ctas, uint32_t threads, uint64_t iters, int bpt, uint64_t a,
         uint64_t b, uint64_t c)
      : KernelProgram(isa, "joulesim_ubench_stream", {ctas, 1, 1}, {threads, 1, 1}),
        kind_(kind),
        iters_(iters),
        bpt_(bpt),
        a_(a),
        b_(b),
        c_(c) {
    sass_ = isa_family(isa) == IsaFamily::kSass;
    ld_ = intern(global_opcode(isa, "LDG", bpt), static_cast<uint8_t>(bpt));
    st_ = intern(global_opcode(isa, "STG", bpt), static_cast<uint8_t>(bpt));
    if (sass_) {
      mov_ = intern("MOV");
      s2r_ = intern("S2R");
      imad_ = intern("IMAD");
      wide_ = intern("IMAD.WIDE");
      zero_ = intern("CS2R");
      fadd_ = intern("FADD");
      ffma_ = intern("FFMA");
      inc_ = intern("IADD3");
      cmp_ = intern("ISETP.GE.AND");
      bra_ = intern("BRA");
      fsetp_ = intern("FSETP.NEU.AND");
      exit_ = intern("EXIT");
    } else {
      imad_ = intern("v_mad_u32_u24");
      wide_ = intern("v_mad_u64_u32");
      zero_ = intern("v_mov_b32");
      fadd_ = intern("v_add_f32");
      ffma_ = intern("v_fma_f32");
      inc_ = intern("v_add_u32");
      cmp_ = intern("v_cmp_gt_u32");
      bra_ = intern("s_cbranch_vccnz");
      wait_ = intern("s_waitcnt");
      exit_ = intern("s_endpgm");
    }
    set_regs(32);
  }

 protected:
  void emit_warp(const Dim3& cta, uint64_t, uint32_t warp, Warp& w) const override {
    const int vec = bpt_ / 4;  // 32-bit registers per element
    // Registers: R0 index, R1 stack, R2 scalar, R4/R6/R10 addresses of a/b/c, R8.. b data,
    // R12.. c data, R16.. results, R20.. running sums.
    if (sass_) {
      w.op(mov_, {reg(1)}, {});
      w.op(s2r_, {reg(0)}, {});                 // S2R R0, SR_TID.X
      w.op(s2r_, {reg(3)}, {});                 // S2R R3, SR_CTAID.X
      w.op(imad_, {reg(0)}, {reg(3), reg(0)});  // R0 = ctaid * blockDim + tid
    } else {
      w.op(imad_, {reg(0)}, {sreg(2), reg(0)});  // v0 = s2 (workgroup id) * 256 + v0 (lane id)
    }
    if (kind_ == Kind::kRead) {
      for (int j = 0; j < vec; ++j) w.op(zero_, {reg(20 + j)}, {});
    }
    if (kind_ == Kind::kWrite) {
      for (int j = 0; j < vec; ++j) w.op(zero_, {reg(16 + j)}, {});
    }
    const uint32_t threads = static_cast<uint32_t>(info_.block.x);
    const uint64_t ctas = info_.grid.x;
    const uint32_t loop = w.pc();
    for (uint64_t i = 0; i < iters_; ++i) {
      w.jump(loop);
      const uint64_t off = ((i * ctas + cta.x) * threads + uint64_t{warp} * info_.warp_size) * bpt_;
      const bool reads_b = kind_ != Kind::kWrite;
      if (reads_b) {
        const uint64_t src = kind_ == Kind::kRead ? a_ : b_;
        w.op(wide_, {reg(6)}, {reg(0)});
        w.mem_strided(ld_, {reg(8)}, {reg(6)}, src + off, bpt_);
      }
      if (kind_ == Kind::kTriad) {
        w.op(wide_, {reg(10)}, {reg(0)});
        w.mem_strided(ld_, {reg(12)}, {reg(10)}, c_ + off, bpt_);
      }
      if (reads_b && !sass_) w.op(wait_, {}, {}, kWaitVmcnt0);
      if (kind_ == Kind::kRead) {
        for (int j = 0; j < vec; ++j) w.op(fadd_, {reg(20 + j)}, {reg(20 + j), reg(8 + j)});
      } else {
        for (int j = 0; kind_ == Kind::kTriad && j < vec; ++j) {
          w.op(ffma_, {reg(16 + j)}, {reg(12 + j), reg(2), reg(8 + j)});  // a = b + s * c
        }
        const uint16_t data = reg(kind_ == Kind::kCopy ? 8 : 16);
        w.op(wide_, {reg(4)}, {reg(0)});
        w.mem_strided(st_, {}, {reg(4), data}, a_ + off, bpt_);
      }
      const bool last = i + 1 == iters_;
      w.op(inc_, {reg(0)}, {reg(0)});  // index += gridDim * blockDim
      w.op(cmp_, {}, {reg(0)});
      // @!P0 BRA loop: traced with the lanes that take it (none after the last iteration)
      if (sass_) {
        w.op_masked(bra_, last ? 0 : w.full(), {}, {});
      } else {
        w.op(bra_, {}, {});  // scalar branch on vcc: executed by the whole wavefront
      }
    }
    if (kind_ == Kind::kRead && sass_) {
      // if (sum != 1.23f) return; -- the store that keeps the loads alive never executes
      w.op(fsetp_, {}, {reg(20)});
    }
    w.op(exit_, {}, {});
  }

 private:
  Kind kind_;
  uint64_t iters_;
  int bpt_;
  uint64_t a_, b_, c_;
  bool sass_ = true;
  Op ld_, st_, mov_, s2r_, imad_, wide_, zero_, fadd_, ffma_, inc_, cmp_, bra_, fsetp_, wait_,
      exit_;
};

// The issue-3 speed trace: per iteration exactly LDG, FFMA, STG, IADD3, IADD3, ISETP, BRA.
class StreamLoop : public KernelProgram {
 public:
  StreamLoop(Isa isa, uint32_t ctas, uint32_t threads, uint64_t iters, uint64_t in, uint64_t out)
      : KernelProgram(isa, "joulesim_bench_stream_loop", {ctas, 1, 1}, {threads, 1, 1}),
        iters_(iters),
        in_(in),
        out_(out) {
    mov_ = intern("MOV");
    s2r_ = intern("S2R");
    imad_ = intern("IMAD");
    wide_ = intern("IMAD.WIDE");
    ld_ = intern(global_opcode(isa, "LDG", 4), 4);
    ffma_ = intern("FFMA");
    st_ = intern(global_opcode(isa, "STG", 4), 4);
    inc_ = intern("IADD3");
    cmp_ = intern("ISETP.GE.U32.AND");
    bra_ = intern("BRA");
    exit_ = intern("EXIT");
    set_regs(16);
  }

 protected:
  void emit_warp(const Dim3& cta, uint64_t, uint32_t warp, Warp& w) const override {
    w.op(mov_, {reg(1)}, {});
    w.op(s2r_, {reg(0)}, {});
    w.op(s2r_, {reg(3)}, {});
    w.op(imad_, {reg(0)}, {reg(3), reg(0)});  // global thread index
    w.op(wide_, {reg(2)}, {reg(0)});          // &in[idx]
    w.op(wide_, {reg(6)}, {reg(0)});          // &out[idx]
    const uint64_t threads = info_.block.x, ctas = info_.grid.x;
    const uint32_t loop = w.pc();
    for (uint64_t i = 0; i < iters_; ++i) {
      w.jump(loop);
      const uint64_t off = ((i * ctas + cta.x) * threads + uint64_t{warp} * 32) * 4;
      w.mem_strided(ld_, {reg(4)}, {reg(2)}, in_ + off, 4);     // LDG.E R4, [R2.64]
      w.op(ffma_, {reg(5)}, {reg(4), reg(8), reg(9)});          // R5 = R4 * a + b
      w.mem_strided(st_, {}, {reg(6), reg(5)}, out_ + off, 4);  // STG.E [R6.64], R5
      w.op(inc_, {reg(2)}, {reg(2), RZ});                       // in pointer += grid stride
      w.op(inc_, {reg(6)}, {reg(6), RZ});                       // out pointer += grid stride
      w.op(cmp_, {}, {reg(2)});                                 // past the end?
      w.op_masked(bra_, i + 1 == iters_ ? 0 : w.full(), {}, {});
    }
    w.op(exit_, {}, {});
  }

 private:
  uint64_t iters_, in_, out_;
  Op mov_, s2r_, imad_, wide_, ld_, ffma_, st_, inc_, cmp_, bra_, exit_;
};

uint32_t check_threads(const Params& p, Isa isa) {
  const int64_t threads = p.integer("threads");
  if (threads % isa_warp_size(isa) != 0) {
    fail(p, "threads = " + std::to_string(threads) + " must be a multiple of the warp size " +
                std::to_string(isa_warp_size(isa)));
  }
  return static_cast<uint32_t>(threads);
}

GenTrace make_stream(const Params& p, Isa isa) {
  // Any block size: a block that is not a whole number of warps ends with a partial warp (a
  // 32-thread workgroup on wave64 is one wave with 32 lanes enabled), as gpu-stream runs them.
  const auto threads = static_cast<uint32_t>(p.integer("threads"));
  const auto ctas = static_cast<uint32_t>(p.integer("ctas"));
  const auto iters = static_cast<uint64_t>(p.integer("iters"));
  const int bpt = static_cast<int>(p.integer("bytes_per_thread"));
  const std::string& k = p.text("kind");
  const Kind kind = k == "read"    ? Kind::kRead
                    : k == "write" ? Kind::kWrite
                    : k == "copy"  ? Kind::kCopy
                                   : Kind::kTriad;
  const uint64_t bytes = uint64_t{ctas} * threads * iters * static_cast<uint64_t>(bpt);
  // Arrays may be spaced as a benchmark with larger arrays allocates them (gpu-stream: 1 GiB +
  // 16 B each, so 1026 MiB apart): which DRAM banks and rows the streams share depends on it.
  const uint64_t span = std::max<uint64_t>(bytes, uint64_t(p.integer("array_spacing_mb")) << 20);
  DeviceHeap heap;
  GenTrace t;
  const uint64_t a = heap.alloc(span);
  uint64_t b = 0, c = 0;
  if (kind == Kind::kRead) t.copies.push_back({a, bytes});
  if (kind == Kind::kCopy || kind == Kind::kTriad) {
    b = heap.alloc(span);
    t.copies.push_back({b, bytes});
  }
  if (kind == Kind::kTriad) {
    c = heap.alloc(span);
    t.copies.push_back({c, bytes});
  }
  t.kernels.push_back(std::make_shared<Stream>(isa, kind, ctas, threads, iters, bpt, a, b, c));
  return t;
}

GenTrace make_stream_loop(const Params& p, Isa isa) {
  const uint32_t threads = check_threads(p, isa);
  const auto ctas = static_cast<uint32_t>(p.integer("ctas"));
  const auto iters = static_cast<uint64_t>(p.integer("iters"));
  const uint64_t bytes = uint64_t{ctas} * threads * iters * 4;
  DeviceHeap heap;
  GenTrace t;
  const uint64_t in = heap.alloc(bytes), out = heap.alloc(bytes);
  t.copies.push_back({in, bytes});
  t.kernels.push_back(std::make_shared<StreamLoop>(isa, ctas, threads, iters, in, out));
  return t;
}

}  // namespace

Entry stream_entry() {
  return {
      {"ubench.stream",
       "grid-stride streaming: ctas x threads threads, iters iterations, each moving "
       "bytes_per_thread per array (read: sum a; write: a = 0; copy: a = b; triad: a = b + s*c)",
       {int_param("ctas", 160, 1, 1 << 20, "CTAs in the grid"),
        int_param("threads", 256, 1, 1024,
                  "threads per CTA; the last warp/wave is partial (lanes masked off) when it is "
                  "not a multiple of the warp size"),
        int_param("iters", 16, 1, 1'000'000, "grid-stride iterations per thread"),
        int_param("bytes_per_thread", 16, 4, 16,
                  "bytes per thread per array per iteration: LDG.E / .64 / .128", true),
        choice_param("kind", "read", {"read", "write", "copy", "triad"}, "kernel"),
        int_param("array_spacing_mb", 0, 0, 1 << 20,
                  "distance between the arrays' starts in MiB (0: packed, 2 MiB aligned)")},
       all_isas()},
      &make_stream};
}

Entry stream_loop_entry() {
  return {{"bench.stream_loop",
           "the simulator-speed trace: ctas x threads threads, iters iterations of exactly "
           "{LDG, FFMA, STG, IADD3, IADD3, ISETP, BRA} after a 6-instruction prologue, then EXIT",
           {int_param("ctas", 80, 1, 1 << 20, "CTAs in the grid"),
            int_param("threads", 256, 32, 1024, "threads per CTA (a multiple of 32)"),
            int_param("iters", 120, 1, 1'000'000, "loop iterations per thread")},
           {Isa::kSm70, Isa::kSm80, Isa::kSm90, Isa::kSm100}},
          &make_stream_loop};
}

}  // namespace joulesim::trace::gen::detail
