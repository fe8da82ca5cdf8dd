#pragma once
/// @file
/// Per-kernel decode of opcodes into what the issue stage needs (pipe, latency, occupancy, tensor
/// work), computed once per kernel from its OpcodeTable so the hot path never looks at strings.
#include <cstdint>
#include <vector>

#include "config/gpu_spec.hpp"
#include "trace/trace.hpp"

namespace joulesim::gpu {

/// Fixed-point fraction of a cycle: pipe occupancies are kept in 1/kQ cycles so that pipes whose
/// rate does not divide the warp size (or tensor ops of fractional length) keep their exact
/// average throughput.
inline constexpr int64_t kQ = int64_t{1} << 20;

/// A sub-core's pipes.
enum class Pipe : uint8_t {
  kInt,
  kFp32,
  kFp16,
  kFp64,
  kSfu,
  kLdSt,
  kBranch,
  kScalar,
  kTensor,
  kTmem,  ///< the sub-core's quarter of Tensor Memory (LDTM / STTM)
  kNone,
  kCount
};
inline constexpr size_t kNumPipes = static_cast<size_t>(Pipe::kCount);

/// What the issue stage does with an instruction.
enum class OpKind : uint8_t {
  kAlu,          ///< fixed latency on a pipe
  kMma,          ///< warp MMA on the sub-core's tensor unit
  kGmma,         ///< warpgroup MMA: asynchronous, all the SM's tensor units
  kGlobal,       ///< global/local/generic/texture access through L1
  kShared,       ///< shared memory through the bank-conflict pipe
  kConst,        ///< constant cache: fixed latency
  kAtomic,       ///< global atomic/reduction: bypasses L1, performed below
  kBarrier,      ///< BAR.SYNC: wait for the CTA's warps
  kBarArrive,    ///< BAR.ARV: arrive without waiting
  kExit,         ///< EXIT
  kWgArrive,     ///< WARPGROUP.ARRIVE: wait for the warp's prior (non-GMMA) register writes
  kWgWait,       ///< WARPGROUP.DEPBAR: wait for the warp's outstanding GMMAs
  kMemWait,      ///< DEPBAR: wait for the warp's outstanding loads
  kWaitCnt,      ///< AMD s_waitcnt: wait until the vmcnt / lgkmcnt counters are <= the immediate's
  kCpCommit,     ///< LDGDEPBAR (cp.async.commit_group): closes the warp's open LDGSTS group
  kCpWait,       ///< DEPBAR.LE SB0, N (cp.async.wait_group N): at most N committed groups pending
  kCpArrive,     ///< ARRIVES.LDGSTSBAR (cp.async.mbarrier.arrive.noinc): arrive when copies land
  kMbarInit,     ///< SYNCS.EXCH.64 (mbarrier.init): arrival count = the immediate
  kMbarArrive,   ///< SYNCS.ARRIVE.TRANS64 (mbarrier.arrive[.expect_tx]): tx bytes = the immediate
  kMbarWait,     ///< SYNCS.PHASECHK.TRANS64.TRYWAIT (mbarrier.try_wait.parity): parity = immediate
  kBulkCopy,     ///< UTMALDG / UBLKCP: TMA bulk copy global -> shared, completes on an mbarrier
  kTcMma,        ///< UTC*MMA (tcgen05.mma): one thread queues an MMA on the SM's tensor cores;
                 ///< shape and type from its instruction descriptor (the immediate)
  kTcCommit,     ///< UTCBAR (tcgen05.commit): arrive on an mbarrier once the warp's MMAs completed
  kTmemAlloc,    ///< UTCATOMSWS.FIND_AND_SET (tcgen05.alloc): immediate columns; blocks when full
  kTmemDealloc,  ///< UTCATOMSWS.AND (tcgen05.dealloc): frees immediate columns of the CTA
  kTmemLoad,     ///< LDTM / STTM (tcgen05.ld / st): Tensor Memory <-> registers, one warp's lanes
  kNop,          ///< issues, occupies nothing
};

struct OpTiming {
  OpKind kind = OpKind::kAlu;
  Pipe pipe = Pipe::kInt;
  bool write = false;   ///< memory: a store
  bool sparse = false;  ///< tensor: 2:4 sparse
  bool bypass_l1 =
      false;              ///< global load that does not allocate in L1 (LDGSTS.BYPASS, cp.async.cg)
  bool cp_async = false;  ///< LDGSTS: counts in the warp's cp.async groups
  bool multicast = false;  ///< bulk copy delivered to several CTAs of a cluster
  /// mbarrier arrive of cluster scope (SYNCS.ARRIVE...RED): lane addresses are shared::cluster
  bool remote = false;
  trace::TensorType tensor_type = trace::TensorType::kNone;
  uint32_t latency = 1;      ///< cycles from issue to result (ALU, constant)
  int64_t occupancy_q = kQ;  ///< pipe (or tensor unit) occupancy in 1/kQ cycles
  uint64_t flops = 0;        ///< tensor: 2*m*n*k of the instruction (per warpgroup for GMMA)
  uint32_t tmem_bytes = 0;   ///< LDTM / STTM: bytes the warp moves to or from Tensor Memory
  /// AMD MFMA: cycles it also holds its SIMD's VALU (the issue pass through the VALU; the whole
  /// execution for FP64 MFMAs, which do not co-execute with VALU ops). 0 elsewhere.
  int64_t valu_q = 0;
};

/// Tensor Memory of one SM (PTX ISA, tcgen05 "Tensor Memory"): 128 lanes x 512 columns of 32 bits.
inline constexpr uint32_t kTmemColumns = 512;

/// Decodes the opcodes of @p table that @p ops does not cover yet (appending), for @p spec.
/// Streaming readers intern opcodes as they read CTAs, so this runs again after every CTA read
/// (a no-op when nothing new appeared). Throws Error naming the kernel and opcode for a tensor op
/// of a type the GPU does not support or of an unknown shape.
void decode_new_opcodes(const trace::OpcodeTable& table, const config::GpuSpec& spec,
                        const std::string& kernel_name, std::vector<OpTiming>& ops);

}  // namespace joulesim::gpu
