// Per-kernel opcode decode: pipe, latency and occupancy from the GpuSpec, once per kernel.
#include "gpu/op_timing.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>

#include "core/error.hpp"

namespace joulesim::gpu {

namespace {

using trace::MemSpace;
using trace::OpClass;
using trace::Unit;

Pipe pipe_of(Unit u) {
  switch (u) {
    case Unit::kInt:
      return Pipe::kInt;
    case Unit::kFp32:
      return Pipe::kFp32;
    case Unit::kFp16:
      return Pipe::kFp16;
    case Unit::kFp64:
      return Pipe::kFp64;
    case Unit::kSfu:
      return Pipe::kSfu;
    case Unit::kTensor:
      return Pipe::kTensor;
    case Unit::kLdSt:
      return Pipe::kLdSt;
    case Unit::kBranch:
      return Pipe::kBranch;
    case Unit::kScalar:
      return Pipe::kScalar;
    default:
      return Pipe::kNone;
  }
}

const config::UnitSpec* unit_spec(Pipe p, const config::UnitsSpec& u) {
  switch (p) {
    case Pipe::kInt:
      return &u.int_alu;
    case Pipe::kFp32:
      return &u.fp32;
    case Pipe::kFp16:
      return &u.fp16;
    case Pipe::kFp64:
      return &u.fp64;
    case Pipe::kSfu:
      return &u.sfu;
    case Pipe::kLdSt:
      return &u.ldst;
    case Pipe::kBranch:
      return &u.branch;
    case Pipe::kScalar:
      return &u.scalar;
    default:
      return nullptr;
  }
}

/// Bytes per cycle one sub-core moves between its TMEM lanes and registers (assumed: see LDTM).
constexpr uint64_t kTmemBytesPerClk = 128;

bool contains(std::string_view s, std::string_view part) {
  return s.find(part) != std::string_view::npos;
}

}  // namespace

void decode_new_opcodes(const trace::OpcodeTable& table, const config::GpuSpec& spec,
                        const std::string& kernel_name, std::vector<OpTiming>& out) {
  const size_t first = out.size();
  out.resize(table.size());
  const double ws = spec.core.warp_size;
  const double subcores = std::max<uint32_t>(1, spec.core.subcores_per_sm);
  const bool cdna = table.isa() == trace::IsaFamily::kCdna;
  for (size_t i = first; i < table.size(); ++i) {
    const trace::OpcodeInfo& info = table[static_cast<uint16_t>(i)];
    OpTiming& t = out[i];
    t.pipe = pipe_of(info.unit);
    if (const auto* us = unit_spec(t.pipe, spec.units)) {
      t.latency = std::max<uint32_t>(1, us->latency);
      t.occupancy_q = std::llround(ws * kQ / std::max<uint32_t>(1, us->lanes_per_subcore));
    } else {
      t.latency = 1;
      t.occupancy_q = 0;
    }
    if (t.pipe == Pipe::kScalar) {
      // The scalar unit executes once per wave (not per lane): lanes = instructions per cycle.
      t.occupancy_q = kQ / std::max<uint32_t>(1, spec.units.scalar.lanes_per_subcore);
    } else if (cdna && (t.pipe == Pipe::kInt || t.pipe == Pipe::kFp16 || t.pipe == Pipe::kFp64 ||
                        t.pipe == Pipe::kSfu)) {
      // One VALU per SIMD on CDNA: every vector ALU op occupies the same pipe (kFp32), each for
      // warp_size / its own lanes cycles.
      t.pipe = Pipe::kFp32;
    }
    const std::string_view name = info.name;
    const std::string_view base = info.base;
    switch (info.op_class) {
      case OpClass::kExit:
        t.kind = OpKind::kExit, t.pipe = Pipe::kNone;
        break;
      case OpClass::kBarrier:
        t.kind = contains(name, ".ARV") ? OpKind::kBarArrive : OpKind::kBarrier;
        t.pipe = Pipe::kNone;
        break;
      case OpClass::kWarpSync:
        t.pipe = Pipe::kNone;
        if (base == "WARPGROUP" && contains(name, "ARRIVE"))
          t.kind = OpKind::kWgArrive;
        else if (base == "WARPGROUP" && contains(name, "DEPBAR"))
          t.kind = OpKind::kWgWait;
        else if (base == "s_waitcnt")
          t.kind = OpKind::kWaitCnt;
        else if (base == "LDGDEPBAR")
          t.kind = OpKind::kCpCommit;
        else if (base == "ARRIVES" && contains(name, "LDGSTSBAR"))
          t.kind = OpKind::kCpArrive;
        else if (base == "DEPBAR" && contains(name, ".LE"))
          t.kind = OpKind::kCpWait;
        else if (base == "SYNCS" && contains(name, "EXCH"))
          t.kind = OpKind::kMbarInit;
        else if (base == "SYNCS" && contains(name, "ARRIVE"))
          t.kind = OpKind::kMbarArrive, t.remote = contains(name, ".RED");
        else if (base == "SYNCS" && contains(name, "TRYWAIT"))
          t.kind = OpKind::kMbarWait;
        else if (base == "UTCBAR")
          t.kind = OpKind::kTcCommit;
        else if (base == "UTCATOMSWS" && contains(name, "FIND_AND_SET"))
          t.kind = OpKind::kTmemAlloc;
        else if (base == "UTCATOMSWS" && contains(name, ".AND"))
          t.kind = OpKind::kTmemDealloc;
        else if (base == "DEPBAR" || base.starts_with("s_waitcnt_"))
          t.kind = OpKind::kMemWait;
        else
          t.kind = OpKind::kNop;
        break;
      case OpClass::kTensorGmma:
        if (base.starts_with("UTC")) {  // tcgen05.mma: shape per instruction (sm_tc.cpp)
          t.kind = OpKind::kTcMma;
          t.pipe = Pipe::kTensor;
          t.tensor_type = info.tensor_type;
          t.latency = spec.tensor.gmma_latency;
          t.occupancy_q = 0;
          break;
        }
        [[fallthrough]];
      case OpClass::kTensorMma: {
        const bool gmma = info.op_class == OpClass::kTensorGmma;
        t.kind = gmma ? OpKind::kGmma : OpKind::kMma;
        t.pipe = Pipe::kTensor;
        t.tensor_type = info.tensor_type;
        t.sparse = info.sparse;
        t.flops =
            2ull * info.mma_m * info.mma_n * info.mma_k * std::max<uint16_t>(1, info.mma_blocks);
        const double rate = spec.tensor.dense_flops_per_clk[static_cast<size_t>(info.tensor_type)];
        const std::string who = "kernel '" + kernel_name + "', opcode '" + info.name + "': ";
        if (t.flops == 0) throw Error(who + "tensor instruction of unknown shape (m, n, k)");
        if (!(rate > 0)) {
          throw Error(who + "the GPU has no tensor rate for type '" +
                      std::string(trace::to_string(info.tensor_type)) + "' (tensor." +
                      std::string(trace::to_string(info.tensor_type)) + "_flops_per_clk is 0)");
        }
        // AMD MFMA shapes below the type's peak rate run at their published fraction of it.
        const double shape_rate = info.mma_rate > 0 ? info.mma_rate : 1.0;
        double cycles = t.flops / ((gmma ? rate : rate / subcores) * shape_rate);
        if (t.sparse) cycles /= std::max(1.0, spec.tensor.sparsity_speedup);
        t.occupancy_q = std::max<int64_t>(1, std::llround(cycles * kQ));
        t.latency = gmma ? spec.tensor.gmma_latency : spec.tensor.mma_latency;
        if (cdna) {
          // An MFMA is issued through its SIMD's VALU: one wave64 pass (warp_size / fp32 lanes
          // cycles, 4 on SIMD16) before a VALU op may co-execute (AMD Matrix Instruction
          // Calculator: co-execution delay 4 cycles on CDNA2). FP64 MFMAs do not co-execute.
          const double pass = ws / std::max<uint32_t>(1, spec.units.fp32.lanes_per_subcore);
          t.valu_q = info.tensor_type == trace::TensorType::kFp64
                         ? t.occupancy_q
                         : std::min<int64_t>(t.occupancy_q, std::llround(pass * kQ));
        }
        break;
      }
      default:
        if (base == "LDTM" || base == "STTM") {
          // tcgen05.ld / st: a warp moves its 32 lanes (its sub-core's quarter of TMEM) of
          // columns x 32 bits, .xN times the shape's bytes (.32x32b and .16x64b: 128 B per
          // repetition, .16x128b 256 B, .16x256b 512 B). Assumed: one 128 B column slice per
          // cycle per sub-core (no published TMEM port width), and the latency of a shared-memory
          // load (TMEM is an SRAM beside the tensor cores; no published latency).
          uint32_t reps = 1, per = 128;
          for (size_t d = name.find('.'); d != std::string_view::npos; d = name.find('.', d + 1)) {
            const std::string_view m = name.substr(d + 1, name.find('.', d + 1) - d - 1);
            if (m.size() > 1 && m[0] == 'x' && m[1] >= '0' && m[1] <= '9')
              reps = static_cast<uint32_t>(std::atoi(std::string(m.substr(1)).c_str()));
            else if (m == "16x128b")
              per = 256;
            else if (m == "16x256b")
              per = 512;
          }
          t.kind = OpKind::kTmemLoad;
          t.pipe = Pipe::kTmem;
          t.write = base == "STTM";
          t.latency = std::max<uint32_t>(1, spec.shared.latency);
          t.tmem_bytes = std::max(1u, reps) * per;
          t.occupancy_q = static_cast<int64_t>(t.tmem_bytes / kTmemBytesPerClk) * kQ;
        } else if (info.unit == Unit::kLdSt || info.space != MemSpace::kNone) {
          t.pipe = Pipe::kLdSt;
          const auto& ls = spec.units.ldst;
          t.latency = std::max<uint32_t>(1, ls.latency);
          t.occupancy_q = std::llround(ws * kQ / std::max<uint32_t>(1, ls.lanes_per_subcore));
          t.write = info.op_class == OpClass::kStore;
          switch (info.space) {
            case MemSpace::kShared:
              t.kind = OpKind::kShared;
              break;
            case MemSpace::kConstant:
              t.kind = OpKind::kConst;
              t.latency = std::max<uint32_t>(1, spec.l1.latency);
              if (info.unit == Unit::kScalar) {  // AMD s_load: the scalar unit and its cache
                t.pipe = Pipe::kScalar;
                t.occupancy_q = kQ / std::max<uint32_t>(1, spec.units.scalar.lanes_per_subcore);
                if (spec.units.scalar_mem_latency > 0) t.latency = spec.units.scalar_mem_latency;
              }
              break;
            case MemSpace::kNone:
              t.kind = OpKind::kAlu;
              break;
            default:
              t.kind = info.op_class == OpClass::kAtomic ? OpKind::kAtomic : OpKind::kGlobal;
              if (base == "LDGSTS") {
                t.cp_async = true;
                t.bypass_l1 = contains(name, ".BYPASS");
              } else if (base == "UTMALDG" || base == "UBLKCP") {
                t.kind = OpKind::kBulkCopy;
                t.multicast = contains(name, ".MULTICAST");
              }
          }
        } else if (t.pipe == Pipe::kNone) {
          t.kind = OpKind::kNop;
        } else {
          t.kind = OpKind::kAlu;
        }
    }
  }
}

}  // namespace joulesim::gpu
