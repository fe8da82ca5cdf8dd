#pragma once
// Inside of the generators: a kernel "program" that builds any CTA on demand, and the per-warp
// emitter that appends instructions with static PCs (loops revisit the same PCs, as in a real
// trace), pre-interned opcodes, register operands and per-lane addresses.
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "trace/generators.hpp"

namespace joulesim::trace::gen::detail {

/// An opcode interned once in the kernel's table, with its classification copied for emission.
struct Op {
  uint16_t id = 0;
  OpClass op_class = OpClass::kUnknown;
  Unit unit = Unit::kInt;
  MemSpace space = MemSpace::kNone;
  uint8_t width = 0;  ///< bytes per lane for memory instructions, else 0
  uint8_t size = 16;  ///< encoding size in bytes: the PC advance
};

/// SASS general register Rn (n < 255). R255 is RZ (kZeroReg), which never creates dependencies.
uint16_t reg(int n);
inline constexpr uint16_t RZ = kZeroReg;
/// CDNA vector register vN (N < 255), scalar register sN.
inline uint16_t vreg(int n) { return reg(n); }
uint16_t sreg(int n);
/// CDNA accumulation register aN (N < 256): MFMA accumulators on gfx90a/gfx942, which share the
/// wave's 512-entry unified register file with the vN.
uint16_t areg(int n);

/// Appends the instructions of one warp. PCs are static: jump() to a loop head before re-emitting
/// the loop body, so every iteration repeats the same PCs.
class Warp {
 public:
  /// @p lanes: the warp's threads (the warp size, or fewer for the last warp of a CTA whose size
  /// is not a multiple of it); full() and mem_strided() cover exactly these lanes.
  Warp(WarpTrace& trace, uint32_t lanes);
  uint64_t full() const { return full_; }
  uint32_t pc() const { return pc_; }
  void jump(uint32_t pc) { pc_ = pc; }

  /// Non-memory instruction. @p mask defaults to all lanes.
  Instruction& op(const Op& op, std::initializer_list<uint16_t> dst,
                  std::initializer_list<uint16_t> src, uint32_t imm = 0);
  Instruction& op_masked(const Op& op, uint64_t mask, std::initializer_list<uint16_t> dst,
                         std::initializer_list<uint16_t> src, uint32_t imm = 0);
  /// Memory instruction with one address per active lane of @p mask, in lane order.
  Instruction& mem(const Op& op, uint64_t mask, std::initializer_list<uint16_t> dst,
                   std::initializer_list<uint16_t> src, std::span<const uint64_t> addrs);
  /// Memory instruction over all lanes at base + lane * stride (coalesced access).
  Instruction& mem_strided(const Op& op, std::initializer_list<uint16_t> dst,
                           std::initializer_list<uint16_t> src, uint64_t base, int64_t stride);

 private:
  Instruction& push(const Op& op, uint64_t mask, std::initializer_list<uint16_t> dst,
                    std::initializer_list<uint16_t> src, uint32_t imm);
  WarpTrace& t_;
  uint64_t full_;
  uint32_t lanes_;
  uint32_t pc_ = 0;
};

/// A kernel whose CTAs are built on demand, deterministically from the CTA index.
class KernelProgram {
 public:
  KernelProgram(Isa isa, std::string name, Dim3 grid, Dim3 block);
  virtual ~KernelProgram() = default;
  KernelProgram(const KernelProgram&) = delete;
  KernelProgram& operator=(const KernelProgram&) = delete;

  const KernelInfo& info() const { return info_; }
  const std::shared_ptr<OpcodeTable>& opcodes() const { return table_; }
  Isa isa() const { return isa_; }
  /// Builds the @p index-th CTA in launch order (x fastest; cluster by cluster when the kernel
  /// has thread-block clusters) into @p out, reusing its storage.
  void build(uint64_t index, CtaTrace& out) const;

 protected:
  /// Interns @p name (classified by the trace subsystem's ISA table) for later emission.
  Op intern(std::string_view name, uint8_t mem_width = 0);
  /// Registers per thread, written as the header's -nregs (and used for occupancy).
  void set_regs(uint32_t n) { info_.regs_per_thread = info_.regs_in_header = n; }
  /// Emits warp @p warp of CTA @p cta (whose x-fastest linear index is @p index).
  virtual void emit_warp(const Dim3& cta, uint64_t index, uint32_t warp, Warp& w) const = 0;

  KernelInfo info_;

 private:
  Isa isa_;
  std::shared_ptr<OpcodeTable> table_;
};

/// What a generator produces: host-to-device copies of its inputs, then its kernels in order.
struct GenTrace {
  struct Copy {
    uint64_t address, bytes;
  };
  std::vector<Copy> copies;
  std::vector<std::shared_ptr<const KernelProgram>> kernels;
};

/// Device allocations laid out like cudaMalloc's: 2 MiB aligned, increasing from a fixed base.
class DeviceHeap {
 public:
  uint64_t alloc(uint64_t bytes);

 private:
  uint64_t next_ = 0x00007f0000000000ull;
};

/// Shared and local window bases written in the kernel header (shared addresses in the trace are
/// shmem_base + offset within the CTA's allocation).
inline constexpr uint64_t kShmemBase = 0x00007fb000000000ull;
inline constexpr uint64_t kLocalBase = 0x00007fa000000000ull;

/// "gen: <generator>: <what>" errors.
[[noreturn]] void fail(const Params& p, const std::string& what);

}  // namespace joulesim::trace::gen::detail
