#pragma once
/// @file
/// Public interface of the trace subsystem: the instruction model every reader produces and the
/// timing model consumes, and the streaming reader interfaces (kernels -> CTAs -> warps).
///
/// Opcode strings are interned at parse time: an Instruction carries a small opcode index plus
/// its pre-classified op class, unit and memory space, so nothing downstream touches strings.
#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace joulesim::trace {

/// Instruction-set family a kernel was compiled for.
enum class IsaFamily : uint8_t { kSass, kCdna };

/// Functional unit an instruction issues to.
enum class Unit : uint8_t {
  kInt,     ///< integer ALU / IMAD
  kFp32,    ///< FP32 FMA pipe
  kFp16,    ///< packed FP16x2 (HFMA2 etc.)
  kFp64,    ///< FP64 pipe
  kSfu,     ///< special functions (MUFU)
  kTensor,  ///< tensor core / matrix core
  kLdSt,    ///< load/store unit (global, shared, local, constant)
  kBranch,  ///< branch / control
  kSync,    ///< barriers, warp sync, exit: handled by the issue stage
  kScalar,  ///< AMD scalar unit (s_* instructions)
  kCount
};

/// Operation class: what the energy model prices and `trace info` reports.
enum class OpClass : uint8_t {
  kIntAlu,      ///< IADD3, LOP3, ISETP, SHF, ...
  kIntMul,      ///< IMAD, IMUL
  kIntDot,      ///< IDP4A / IDP2A
  kFp32Add,     ///< FADD
  kFp32Mul,     ///< FMUL
  kFp32Fma,     ///< FFMA
  kFp16,        ///< HADD2, HMUL2, HFMA2
  kFp64,        ///< DADD, DMUL, DFMA
  kSfu,         ///< MUFU.*
  kConvert,     ///< F2F, I2F, F2I
  kMove,        ///< MOV, S2R, CS2R, SHFL, PRMT, SEL
  kTensorMma,   ///< warp-synchronous MMA: HMMA, IMMA, DMMA, MFMA
  kTensorGmma,  ///< warpgroup asynchronous MMA: HGMMA, QGMMA, IGMMA (wgmma)
  kLoad,        ///< LDG, LDS, LDL, LDC, LD
  kStore,       ///< STG, STS, STL, ST
  kAtomic,      ///< ATOM, ATOMG, ATOMS, RED
  kBranch,      ///< BRA, BRX, JMP, CALL, RET, BSSY, BSYNC
  kBarrier,     ///< BAR.SYNC, BAR.ARV
  kWarpSync,    ///< WARPSYNC, DEPBAR, WARPGROUP.ARRIVE/DEPBAR (wgmma wait), s_waitcnt
  kExit,        ///< EXIT, s_endpgm
  kNop,         ///< NOP
  kScalarAlu,   ///< AMD s_* ALU
  kUnknown,     ///< opcode missing from the ISA table: simulated as a generic ALU op
  kCount
};

/// Memory space a memory instruction addresses.
enum class MemSpace : uint8_t {
  kNone,
  kGlobal,
  kShared,
  kLocal,
  kConstant,
  kTexture,
  kGeneric,
  kCount
};

/// Element data type of a tensor/matrix instruction's multiplicands. kFp6 (e3m2/e2m3), kInt1
/// (binary BMMA/BGMMA) and kFp32 (AMD MFMA with f32 inputs) were appended by the trace subsystem.
// clang-format off
enum class TensorType : uint8_t {
  kNone, kFp16, kBf16, kTf32, kFp8, kInt8, kInt4, kFp4, kFp64, kFp6, kInt1, kFp32, kCount
};
// clang-format on

/// Lowercase stable names, used in JSON output and configs.
std::string_view to_string(Unit u);
std::string_view to_string(OpClass c);
std::string_view to_string(MemSpace s);
std::string_view to_string(TensorType t);

/// Everything the simulator knows about one distinct opcode string, decided once at intern time.
struct OpcodeInfo {
  std::string name;  ///< full opcode as written in the trace, e.g. "HMMA.16816.F32.BF16"
  std::string base;  ///< mnemonic before the first '.', e.g. "HMMA"
  OpClass op_class = OpClass::kUnknown;
  Unit unit = Unit::kInt;
  MemSpace space = MemSpace::kNone;
  TensorType tensor_type = TensorType::kNone;
  uint16_t mma_m = 0, mma_n = 0, mma_k = 0;  ///< tensor shape (per warp, or per warpgroup for GMMA)
  uint16_t mma_blocks = 1;  ///< independent m x n x k blocks per instruction (AMD MFMA 4x4, 16x16)
  /// Fraction of the type's peak tensor rate this shape reaches (AMD MFMA: small shapes take
  /// longer per FLOP; per-shape cycle table in isa_cdna_mfma.cpp). 1 for everything else.
  float mma_rate = 1.0f;
  bool sparse = false;  ///< 2:4 structured-sparse tensor op (.SP)
  bool known = false;   ///< false: not in the ISA table
};

/// Hash for heterogeneous (string_view) lookup, so interning a parsed token allocates nothing.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

/// Interns opcode strings of one ISA into dense indices. Filled at parse time only.
/// The first unknown sighting of an opcode prints one warning per process (see known=false).
class OpcodeTable {
 public:
  explicit OpcodeTable(IsaFamily isa = IsaFamily::kSass, uint32_t binary_version = 80);
  /// Index of @p name, classifying and adding it on first sight.
  uint16_t intern(std::string_view name);
  const OpcodeInfo& operator[](uint16_t index) const { return infos_[index]; }
  size_t size() const { return infos_.size(); }
  IsaFamily isa() const { return isa_; }
  uint32_t binary_version() const { return binary_version_; }

 private:
  IsaFamily isa_;
  uint32_t binary_version_;
  std::vector<OpcodeInfo> infos_;
  std::unordered_map<std::string, uint16_t, StringHash, std::equal_to<>> index_;
  /// Direct-mapped cache in front of index_ (parsing interns every line's opcode; a loop body
  /// has a handful of them): entry id + 1, 0 = empty, checked by comparing the name.
  std::array<uint16_t, 256> recent_{};
};

/// Classifies an opcode string against the ISA table for @p isa / @p binary_version (the nearest
/// table when the version has none; see isa_table_version).
OpcodeInfo classify_opcode(std::string_view name, IsaFamily isa, uint32_t binary_version);

/// AMD CDNA targets are numbered by their gfx id read as hex: gfx90a -> 0x90A, gfx942 -> 0x942.
inline constexpr uint32_t kGfx90a = 0x90A;
inline constexpr uint32_t kGfx942 = 0x942;

/// The ISA table used for @p binary_version: the exact one (SASS 70, 75, 80, 86, 89, 90, 100, 120;
/// CDNA kGfx90a, kGfx942) or the nearest one (ties go to the older table).
uint32_t isa_table_version(IsaFamily isa, uint32_t binary_version);

/// Printable ISA name: "sm_80", "gfx90a".
std::string isa_name(IsaFamily isa, uint32_t binary_version);

/// A tcgen05.mma as its instruction descriptor describes it (PTX ISA, "Instruction descriptor"
/// for .kind::f16 / tf32 / f8f6f4 / i8 / mxf4: bit 2 sparse, bits 7-9 the A format, bits 17-22
/// N >> 3, bits 24-28 M >> 4). K is fixed by the kind: 256 bits of K per dense MMA (f16/bf16 16,
/// tf32 8, f8f6f4 and i8 32, mxf4 64), doubled when 2:4 sparse.
struct TcShape {
  uint32_t m = 0, n = 0, k = 0;
  TensorType type = TensorType::kNone;  ///< the rate (and energy) it runs at
  uint32_t bits = 0;                    ///< bits per A/B element
  bool sparse = false;
  bool valid() const { return m != 0 && n != 0 && k != 0; }
  uint64_t flops() const { return 2ull * m * n * k; }
  /// Bytes of A and B read from shared memory (A compressed to k/2 when sparse).
  uint64_t operand_bytes() const {
    return (uint64_t{m} * k / (sparse ? 2 : 1) + uint64_t{n} * k) * bits / 8;
  }
};

/// Decodes @p idesc for an MMA whose opcode gives @p base (UTCHMMA: kFp16, UTCQMMA: kFp8,
/// UTCIMMA: kInt8, UTCOMMA: kFp4). UTCHMMA's A format picks f16 (0), bf16 (1) or tf32 (2).
/// Not valid() when M or N is 0 or not a shape the ISA has (M 64/128/256, N a multiple of 8 up
/// to 256, of 16 for M = 128 and 256).
TcShape decode_tc_idesc(TensorType base, uint32_t idesc);

/// The instruction descriptor of an M x N MMA of type @p type (inverse of decode_tc_idesc; used
/// by the trace generator and tests).
uint32_t encode_tc_idesc(TensorType type, uint32_t m, uint32_t n, bool sparse);

/// Register index space: general registers R0..R254 are 0..254, R255 (RZ) is kZeroReg and never
/// creates a dependency; uniform registers URn are kUniformBase + n; AMD SGPRs sN are kScalarBase +
/// n. UR63 is URZ, the uniform zero register: readers map it to kZeroReg as well.
inline constexpr uint16_t kZeroReg = 255;
inline constexpr uint16_t kUniformBase = 256;
inline constexpr uint16_t kScalarBase = 512;
inline constexpr int kMaxDst = 8;
inline constexpr int kMaxSrc = 8;

/// One warp (or wavefront) instruction as replayed by the timing model. Compact and string-free.
struct Instruction {
  uint64_t active_mask = 0;  ///< bit i set: lane i executes (32 lanes SASS, 64 lanes CDNA wave64)
  uint32_t pc = 0;
  uint32_t addr_index = 0;  ///< first address in WarpTrace::addresses (one per active lane)
  uint32_t immediate = 0;
  uint16_t opcode = 0;  ///< index into the kernel's OpcodeTable
  OpClass op_class = OpClass::kUnknown;
  Unit unit = Unit::kInt;
  MemSpace space = MemSpace::kNone;
  uint8_t mem_width = 0;  ///< bytes accessed per active lane (0: not a memory instruction)
  uint8_t num_dst = 0, num_src = 0;
  std::array<uint16_t, kMaxDst> dst{};
  std::array<uint16_t, kMaxSrc> src{};

  int active_lanes() const { return __builtin_popcountll(active_mask); }
  bool is_memory() const { return mem_width != 0; }
};

/// The instruction stream of one warp of a CTA, with the addresses its memory instructions touch.
struct WarpTrace {
  uint32_t warp_in_cta = 0;
  std::vector<Instruction> insts;
  std::vector<uint64_t> addresses;  ///< per active lane, in lane order, per memory instruction
};

struct Dim3 {
  uint32_t x = 1, y = 1, z = 1;
  uint64_t count() const { return uint64_t{x} * y * z; }
  bool operator==(const Dim3&) const = default;
};

/// One CTA (thread block) with all its warps.
struct CtaTrace {
  Dim3 id;
  std::vector<WarpTrace> warps;
};

/// Launch parameters of a kernel, from the trace header.
struct KernelInfo {
  std::string name;
  uint32_t id = 0;
  Dim3 grid, block;
  uint32_t shmem_bytes = 0;      ///< static + dynamic shared memory per CTA
  uint32_t regs_per_thread = 0;  ///< as used for occupancy (clamped if the header was implausible)
  uint32_t binary_version = 0;   ///< e.g. 80 for sm_80 (as written in the header)
  uint32_t stream_id = 0;
  uint32_t tracer_version = 0;
  uint64_t shmem_base = 0, local_base = 0;
  IsaFamily isa = IsaFamily::kSass;
  uint32_t warp_size = 32;
  uint32_t regs_in_header = 0;  ///< -nregs exactly as the trace wrote it
  /// Thread-block cluster shape (sm_90+ cluster launch): CTAs whose grid coordinates divided by
  /// it are equal form one cluster, co-scheduled on SMs of one GPC. (1,1,1): no clusters (every
  /// trace written before clusters existed). Each dimension divides the grid's.
  Dim3 cluster;
  std::vector<std::string> warnings;  ///< non-fatal problems found reading the header (fallbacks)
  uint32_t cluster_ctas() const { return static_cast<uint32_t>(cluster.count()); }
  uint32_t warps_per_cta() const {
    return static_cast<uint32_t>((block.count() + warp_size - 1) / warp_size);
  }
};

/// Largest thread-block cluster the readers accept (16 CTAs: Hopper's non-portable maximum; 8 is
/// the portable one, CUDA C++ Programming Guide, "Thread Block Clusters").
inline constexpr uint32_t kMaxClusterCtas = 16;
/// shared::cluster addresses (remote mbarrier arrives): CTA rank r's shared-memory byte at shared
/// address A (the kernel's shared window) is A + r << kClusterRankShift (traces/FORMAT.md).
inline constexpr uint32_t kClusterRankShift = 24;

/// Why @p k's cluster shape is invalid ("" when it is fine): each dimension at least 1 and a
/// divisor of the grid's, at most kMaxClusterCtas CTAs in all.
std::string cluster_shape_error(const KernelInfo& k);

/// Streams the CTAs of one kernel in trace order. Memory is bounded by the CTA being read.
class KernelReader {
 public:
  virtual ~KernelReader() = default;
  virtual const KernelInfo& info() const = 0;
  /// Opcode table that the Instructions' opcode indices refer to. Stable for the reader's life.
  virtual const OpcodeTable& opcodes() const = 0;
  /// Reads the next CTA into @p out (reusing its storage). False at the end of the kernel.
  /// Throws InputError naming the file and line on malformed input.
  virtual bool next_cta(CtaTrace& out) = 0;
};

/// One entry of a trace's command list, in stream order.
struct TraceCommand {
  enum class Kind { kMemcpyHtoD, kKernel } kind = Kind::kKernel;
  uint64_t address = 0, bytes = 0;       ///< for kMemcpyHtoD
  std::unique_ptr<KernelReader> kernel;  ///< for kKernel
};

/// A whole trace: memcpys and kernels in stream order.
class TraceSource {
 public:
  virtual ~TraceSource() = default;
  /// Next command; false at the end. Throws InputError on malformed input.
  virtual bool next(TraceCommand& out) = 0;
};

/// Opens a trace by path: an Accel-Sim kernelslist.g (or a single .traceg[.xz|.gz]), or a native
/// .jst file. Throws Error if the path does not exist or its format is not recognised.
std::unique_ptr<TraceSource> open_trace(const std::filesystem::path& path);

/// Opens a trace held in memory: a native .jst image, or the text of one Accel-Sim .traceg kernel
/// file (optionally xz/gzip-compressed). @p name is used in error messages. Used by the fuzzer.
std::unique_ptr<TraceSource> open_trace_from_memory(std::string data,
                                                    std::string name = "<memory>");

/// Writes every command of @p source to @p out as a native .jst file (atomically).
void write_jst(TraceSource& source, const std::filesystem::path& out);

/// Writes every command of @p source into folder @p dir (created if missing) as an Accel-Sim text
/// trace, tracer version 5: kernelslist.g (MemcpyHtoD lines and kernel file names, in stream
/// order) and kernel-N.traceg per kernel (N = 1, 2, ... in order), each file written atomically.
/// Addresses use mode 1 (base+stride) where the active lanes are contiguous with a constant
/// stride, else mode 2 (base+deltas), as the NVBit tracer does. SASS only: a CDNA kernel throws
/// Error (Accel-Sim text has 32-lane masks and R registers; use write_jst).
void write_accelsim(TraceSource& source, const std::filesystem::path& dir);

}  // namespace joulesim::trace
