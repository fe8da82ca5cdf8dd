// SASS opcode tables (Volta sm_70 .. Blackwell sm_120), keyed by base mnemonic with the range of
// table versions where the mnemonic exists. Sources for mnemonics and their pipes: NVIDIA CUDA
// Binary Utilities, "Instruction Set Reference" (Volta through Blackwell sections); the opcode
// lists of Accel-Sim's ISA_Def tables (facts only); wgmma is sm_90a only and tcgen05 (UTC*, LDTM,
// STTM) exists on datacenter Blackwell (sm_100/103/110) but not on sm_120 (PTX ISA 8.7/8.8 target
// notes). Unit choices follow measured pipe assignments (XU: MUFU, POPC, FLO, BREV, F2I/I2F; LSU:
// SHFL; uniform datapath: U* ops).
#include <string>
#include <unordered_map>
#include <vector>

#include "trace/isa_tables.hpp"

namespace joulesim::trace::detail {

namespace {
using C = OpClass;
using U = Unit;
using S = MemSpace;

constexpr uint32_t kAll = 0xFFFFFFFF;

struct Entry {
  std::string_view base;
  C op_class;
  U unit;
  S space = S::kNone;
  uint32_t first = 70;   // oldest table version that has the mnemonic
  uint32_t last = kAll;  // newest table version that has it
};

// clang-format off
const Entry kEntries[] = {
    // FP32
    {"FADD", C::kFp32Add, U::kFp32}, {"FADD32I", C::kFp32Add, U::kFp32},
    {"FMUL", C::kFp32Mul, U::kFp32}, {"FMUL32I", C::kFp32Mul, U::kFp32},
    {"FFMA", C::kFp32Fma, U::kFp32}, {"FFMA32I", C::kFp32Fma, U::kFp32},
    {"FADD2", C::kFp32Add, U::kFp32, S::kNone, 100}, {"FMUL2", C::kFp32Mul, U::kFp32, S::kNone, 100},
    {"FFMA2", C::kFp32Fma, U::kFp32, S::kNone, 100},
    {"FHADD", C::kFp32Add, U::kFp32, S::kNone, 100}, {"FHFMA", C::kFp32Fma, U::kFp32, S::kNone, 100},
    {"FMNMX", C::kFp32Add, U::kFp32}, {"FMNMX3", C::kFp32Add, U::kFp32, S::kNone, 100},
    {"FSET", C::kFp32Add, U::kFp32}, {"FSETP", C::kFp32Add, U::kFp32},
    {"FSWZADD", C::kFp32Add, U::kFp32}, {"FCHK", C::kFp32Add, U::kFp32},
    {"FSEL", C::kMove, U::kInt},
    // FP16x2 / BF16x2
    {"HADD2", C::kFp16, U::kFp16}, {"HADD2_32I", C::kFp16, U::kFp16},
    {"HMUL2", C::kFp16, U::kFp16}, {"HMUL2_32I", C::kFp16, U::kFp16},
    {"HFMA2", C::kFp16, U::kFp16}, {"HFMA2_32I", C::kFp16, U::kFp16},
    {"HSET2", C::kFp16, U::kFp16}, {"HSETP2", C::kFp16, U::kFp16},
    {"HMNMX2", C::kFp16, U::kFp16, S::kNone, 80}, {"VHMNMX", C::kFp16, U::kFp16, S::kNone, 90},
    // FP64
    {"DADD", C::kFp64, U::kFp64}, {"DMUL", C::kFp64, U::kFp64}, {"DFMA", C::kFp64, U::kFp64},
    {"DSETP", C::kFp64, U::kFp64}, {"DMNMX", C::kFp64, U::kFp64},
    // SFU
    {"MUFU", C::kSfu, U::kSfu},
    // Integer
    {"IADD3", C::kIntAlu, U::kInt}, {"IADD", C::kIntAlu, U::kInt}, {"IADD32I", C::kIntAlu, U::kInt},
    {"IABS", C::kIntAlu, U::kInt}, {"IMNMX", C::kIntAlu, U::kInt}, {"ISETP", C::kIntAlu, U::kInt},
    {"ISCADD", C::kIntAlu, U::kInt}, {"ISCADD32I", C::kIntAlu, U::kInt},
    {"LEA", C::kIntAlu, U::kInt}, {"LOP", C::kIntAlu, U::kInt}, {"LOP3", C::kIntAlu, U::kInt},
    {"LOP32I", C::kIntAlu, U::kInt}, {"SHF", C::kIntAlu, U::kInt}, {"SHL", C::kIntAlu, U::kInt},
    {"SHR", C::kIntAlu, U::kInt}, {"BMSK", C::kIntAlu, U::kInt}, {"SGXT", C::kIntAlu, U::kInt},
    {"VABSDIFF", C::kIntAlu, U::kInt}, {"VABSDIFF4", C::kIntAlu, U::kInt},
    {"PLOP3", C::kIntAlu, U::kInt}, {"PSETP", C::kIntAlu, U::kInt},
    {"P2R", C::kIntAlu, U::kInt}, {"R2P", C::kIntAlu, U::kInt},
    {"VOTE", C::kIntAlu, U::kInt}, {"MATCH", C::kIntAlu, U::kInt}, {"QSPC", C::kIntAlu, U::kInt},
    {"POPC", C::kIntAlu, U::kSfu}, {"FLO", C::kIntAlu, U::kSfu}, {"BREV", C::kIntAlu, U::kSfu},
    {"VIADD", C::kIntAlu, U::kInt, S::kNone, 90}, {"VIADDMNMX", C::kIntAlu, U::kInt, S::kNone, 90},
    {"VIMNMX", C::kIntAlu, U::kInt, S::kNone, 90}, {"VIMNMX3", C::kIntAlu, U::kInt, S::kNone, 100},
    {"IMAD", C::kIntMul, U::kInt}, {"IMUL", C::kIntMul, U::kInt}, {"IMUL32I", C::kIntMul, U::kInt},
    {"IMAD32I", C::kIntMul, U::kInt},
    {"IDP", C::kIntDot, U::kInt}, {"IDP4A", C::kIntDot, U::kInt},
    // Conversions: F2F/F2I/I2F run on the XU; the packed and int-int ones on the ALU.
    {"F2F", C::kConvert, U::kSfu}, {"F2I", C::kConvert, U::kSfu}, {"I2F", C::kConvert, U::kSfu},
    {"I2I", C::kConvert, U::kInt}, {"I2IP", C::kConvert, U::kInt}, {"FRND", C::kConvert, U::kInt},
    {"F2FP", C::kConvert, U::kInt, S::kNone, 80}, {"I2FP", C::kConvert, U::kInt, S::kNone, 86},
    {"F2IP", C::kConvert, U::kInt, S::kNone, 86},
    // Moves
    {"MOV", C::kMove, U::kInt}, {"MOV32I", C::kMove, U::kInt}, {"PRMT", C::kMove, U::kInt},
    {"SEL", C::kMove, U::kInt}, {"S2R", C::kMove, U::kInt}, {"CS2R", C::kMove, U::kInt},
    {"B2R", C::kMove, U::kInt}, {"R2B", C::kMove, U::kInt}, {"LEPC", C::kMove, U::kInt},
    {"GETLMEMBASE", C::kMove, U::kInt}, {"SETLMEMBASE", C::kMove, U::kInt},
    {"SHFL", C::kMove, U::kLdSt}, {"MOVM", C::kMove, U::kLdSt, S::kNone, 75},
    {"ACTIVEMASK", C::kMove, U::kInt, S::kNone, 90},
    // Uniform datapath (Turing+): one operation per warp, modelled on the scalar unit.
    {"R2UR", C::kMove, U::kScalar, S::kNone, 75}, {"S2UR", C::kMove, U::kScalar, S::kNone, 75},
    {"UMOV", C::kMove, U::kScalar, S::kNone, 75}, {"UMOV32I", C::kMove, U::kScalar, S::kNone, 75},
    {"CS2UR", C::kMove, U::kScalar, S::kNone, 100},
    {"ULDC", C::kLoad, U::kScalar, S::kConstant, 75}, {"LDCU", C::kLoad, U::kScalar, S::kConstant, 100},
    {"UIADD3", C::kScalarAlu, U::kScalar, S::kNone, 75}, {"UIMAD", C::kScalarAlu, U::kScalar, S::kNone, 75},
    {"UISETP", C::kScalarAlu, U::kScalar, S::kNone, 75}, {"ULEA", C::kScalarAlu, U::kScalar, S::kNone, 75},
    {"ULOP", C::kScalarAlu, U::kScalar, S::kNone, 75}, {"ULOP3", C::kScalarAlu, U::kScalar, S::kNone, 75},
    {"ULOP32I", C::kScalarAlu, U::kScalar, S::kNone, 75}, {"USHF", C::kScalarAlu, U::kScalar, S::kNone, 75},
    {"USHL", C::kScalarAlu, U::kScalar, S::kNone, 75}, {"USHR", C::kScalarAlu, U::kScalar, S::kNone, 75},
    {"USEL", C::kScalarAlu, U::kScalar, S::kNone, 75}, {"USGXT", C::kScalarAlu, U::kScalar, S::kNone, 75},
    {"UPRMT", C::kScalarAlu, U::kScalar, S::kNone, 75}, {"UFLO", C::kScalarAlu, U::kScalar, S::kNone, 75},
    {"UPOPC", C::kScalarAlu, U::kScalar, S::kNone, 75}, {"UBREV", C::kScalarAlu, U::kScalar, S::kNone, 75},
    {"UBMSK", C::kScalarAlu, U::kScalar, S::kNone, 75}, {"UCLEA", C::kScalarAlu, U::kScalar, S::kNone, 75},
    {"UP2UR", C::kScalarAlu, U::kScalar, S::kNone, 75}, {"UR2UP", C::kScalarAlu, U::kScalar, S::kNone, 75},
    {"UPLOP3", C::kScalarAlu, U::kScalar, S::kNone, 75}, {"UPSETP", C::kScalarAlu, U::kScalar, S::kNone, 75},
    {"VOTEU", C::kScalarAlu, U::kScalar, S::kNone, 75},
    {"UF2FP", C::kScalarAlu, U::kScalar, S::kNone, 80}, {"REDUX", C::kScalarAlu, U::kScalar, S::kNone, 80},
    {"ULEPC", C::kScalarAlu, U::kScalar, S::kNone, 90}, {"UIMNMX", C::kScalarAlu, U::kScalar, S::kNone, 90},
    {"UIABS", C::kScalarAlu, U::kScalar, S::kNone, 90}, {"ELECT", C::kScalarAlu, U::kScalar, S::kNone, 90},
    {"USETMAXREG", C::kScalarAlu, U::kScalar, S::kNone, 90},
    {"CREDUX", C::kScalarAlu, U::kScalar, S::kNone, 100}, {"UVIADD", C::kScalarAlu, U::kScalar, S::kNone, 100},
    {"UVIMNMX", C::kScalarAlu, U::kScalar, S::kNone, 100}, {"UFFMA", C::kScalarAlu, U::kScalar, S::kNone, 100},
    {"UFADD", C::kScalarAlu, U::kScalar, S::kNone, 100}, {"UFMUL", C::kScalarAlu, U::kScalar, S::kNone, 100},
    {"UFMNMX", C::kScalarAlu, U::kScalar, S::kNone, 100}, {"UFSEL", C::kScalarAlu, U::kScalar, S::kNone, 100},
    {"UFSET", C::kScalarAlu, U::kScalar, S::kNone, 100}, {"UFSETP", C::kScalarAlu, U::kScalar, S::kNone, 100},
    {"UF2F", C::kScalarAlu, U::kScalar, S::kNone, 100}, {"UF2I", C::kScalarAlu, U::kScalar, S::kNone, 100},
    {"UF2IP", C::kScalarAlu, U::kScalar, S::kNone, 100}, {"UI2F", C::kScalarAlu, U::kScalar, S::kNone, 100},
    {"UI2FP", C::kScalarAlu, U::kScalar, S::kNone, 100}, {"UI2I", C::kScalarAlu, U::kScalar, S::kNone, 100},
    {"UI2IP", C::kScalarAlu, U::kScalar, S::kNone, 100}, {"UFRND", C::kScalarAlu, U::kScalar, S::kNone, 100},
    {"UVIRTCOUNT", C::kScalarAlu, U::kScalar, S::kNone, 100},
    {"UGETNEXTWORKID", C::kScalarAlu, U::kScalar, S::kNone, 100},
    {"UMEMSETS", C::kStore, U::kScalar, S::kShared, 100},
    // Tensor cores: warp-synchronous MMA
    {"HMMA", C::kTensorMma, U::kTensor}, {"IMMA", C::kTensorMma, U::kTensor, S::kNone, 75},
    {"BMMA", C::kTensorMma, U::kTensor, S::kNone, 75}, {"DMMA", C::kTensorMma, U::kTensor, S::kNone, 80},
    {"QMMA", C::kTensorMma, U::kTensor, S::kNone, 89}, {"OMMA", C::kTensorMma, U::kTensor, S::kNone, 100},
    // Warpgroup asynchronous MMA (wgmma, sm_90a only) and tcgen05 MMA (datacenter Blackwell)
    {"HGMMA", C::kTensorGmma, U::kTensor, S::kNone, 90, 90},
    {"IGMMA", C::kTensorGmma, U::kTensor, S::kNone, 90, 90},
    {"QGMMA", C::kTensorGmma, U::kTensor, S::kNone, 90, 90},
    {"BGMMA", C::kTensorGmma, U::kTensor, S::kNone, 90, 90},
    {"UTCHMMA", C::kTensorGmma, U::kTensor, S::kNone, 100, 119},
    {"UTCIMMA", C::kTensorGmma, U::kTensor, S::kNone, 100, 119},
    {"UTCQMMA", C::kTensorGmma, U::kTensor, S::kNone, 100, 119},
    {"UTCOMMA", C::kTensorGmma, U::kTensor, S::kNone, 100, 119},
    {"LDTM", C::kMove, U::kTensor, S::kNone, 100, 119}, {"STTM", C::kMove, U::kTensor, S::kNone, 100, 119},
    {"LDT", C::kMove, U::kTensor, S::kNone, 100, 119}, {"STT", C::kMove, U::kTensor, S::kNone, 100, 119},
    {"UTCCP", C::kLoad, U::kTensor, S::kShared, 100, 119},
    {"UTCSHIFT", C::kMove, U::kTensor, S::kNone, 100, 119},
    {"UTCBAR", C::kWarpSync, U::kSync, S::kNone, 100, 119},
    {"UTCATOMSWS", C::kWarpSync, U::kSync, S::kNone, 100, 119},
    // Loads and stores
    {"LDG", C::kLoad, U::kLdSt, S::kGlobal}, {"STG", C::kStore, U::kLdSt, S::kGlobal},
    {"LDS", C::kLoad, U::kLdSt, S::kShared}, {"STS", C::kStore, U::kLdSt, S::kShared},
    {"LDL", C::kLoad, U::kLdSt, S::kLocal}, {"STL", C::kStore, U::kLdSt, S::kLocal},
    {"LDC", C::kLoad, U::kLdSt, S::kConstant},
    {"LD", C::kLoad, U::kLdSt, S::kGeneric}, {"ST", C::kStore, U::kLdSt, S::kGeneric},
    {"ATOM", C::kAtomic, U::kLdSt, S::kGeneric}, {"ATOMG", C::kAtomic, U::kLdSt, S::kGlobal},
    {"ATOMS", C::kAtomic, U::kLdSt, S::kShared}, {"RED", C::kAtomic, U::kLdSt, S::kGlobal},
    {"REDG", C::kAtomic, U::kLdSt, S::kGlobal, 90}, {"REDAS", C::kAtomic, U::kLdSt, S::kShared, 90},
    {"STAS", C::kStore, U::kLdSt, S::kShared, 90}, {"LDGMC", C::kLoad, U::kLdSt, S::kGlobal, 90},
    {"LDSM", C::kLoad, U::kLdSt, S::kShared, 75}, {"STSM", C::kStore, U::kLdSt, S::kShared, 90},
    // cp.async: global -> shared; the traced addresses are the global ones.
    {"LDGSTS", C::kLoad, U::kLdSt, S::kGlobal, 80},
    {"USTGR", C::kStore, U::kLdSt, S::kGlobal, 100}, {"UREDGR", C::kAtomic, U::kLdSt, S::kGlobal, 100},
    // Tensor Memory Accelerator / bulk copies (async, issued by one thread)
    {"UTMALDG", C::kLoad, U::kLdSt, S::kGlobal, 90}, {"UTMASTG", C::kStore, U::kLdSt, S::kGlobal, 90},
    {"UTMAPF", C::kLoad, U::kLdSt, S::kGlobal, 90}, {"UTMAREDG", C::kAtomic, U::kLdSt, S::kGlobal, 90},
    {"UBLKCP", C::kLoad, U::kLdSt, S::kGlobal, 90}, {"UBLKPF", C::kLoad, U::kLdSt, S::kGlobal, 90},
    {"UBLKRED", C::kAtomic, U::kLdSt, S::kGlobal, 90},
    {"UTMACCTL", C::kNop, U::kLdSt, S::kNone, 90}, {"UTMACMDFLUSH", C::kNop, U::kLdSt, S::kNone, 90},
    // Texture and surface
    {"TEX", C::kLoad, U::kLdSt, S::kTexture}, {"TLD", C::kLoad, U::kLdSt, S::kTexture},
    {"TLD4", C::kLoad, U::kLdSt, S::kTexture}, {"TMML", C::kLoad, U::kLdSt, S::kTexture},
    {"TXD", C::kLoad, U::kLdSt, S::kTexture}, {"TXQ", C::kLoad, U::kLdSt, S::kTexture},
    {"SULD", C::kLoad, U::kLdSt, S::kTexture}, {"SUST", C::kStore, U::kLdSt, S::kTexture},
    {"SUATOM", C::kAtomic, U::kLdSt, S::kTexture}, {"SURED", C::kAtomic, U::kLdSt, S::kTexture},
    {"SUQUERY", C::kLoad, U::kLdSt, S::kTexture, 86},
    // Cache control
    {"CCTL", C::kNop, U::kLdSt}, {"CCTLL", C::kNop, U::kLdSt}, {"CCTLT", C::kNop, U::kLdSt},
    // Control flow
    {"BRA", C::kBranch, U::kBranch}, {"BRX", C::kBranch, U::kBranch}, {"BRXU", C::kBranch, U::kBranch},
    {"JMP", C::kBranch, U::kBranch}, {"JMX", C::kBranch, U::kBranch}, {"JMXU", C::kBranch, U::kBranch},
    {"CALL", C::kBranch, U::kBranch}, {"RET", C::kBranch, U::kBranch},
    {"BSSY", C::kBranch, U::kBranch}, {"BSYNC", C::kBranch, U::kBranch},
    {"BREAK", C::kBranch, U::kBranch}, {"BMOV", C::kBranch, U::kBranch},
    {"BPT", C::kBranch, U::kBranch}, {"RTT", C::kBranch, U::kBranch}, {"RPCMOV", C::kBranch, U::kBranch},
    {"YIELD", C::kNop, U::kBranch},
    {"EXIT", C::kExit, U::kSync}, {"KILL", C::kExit, U::kSync},
    // Barriers, waits and fences
    {"BAR", C::kBarrier, U::kSync}, {"BARRIER", C::kBarrier, U::kSync},
    {"UCGABAR_ARV", C::kBarrier, U::kSync, S::kNone, 90}, {"UCGABAR_WAIT", C::kBarrier, U::kSync, S::kNone, 90},
    {"WARPSYNC", C::kWarpSync, U::kSync}, {"NANOSLEEP", C::kWarpSync, U::kSync},
    {"DEPBAR", C::kWarpSync, U::kSync}, {"LDGDEPBAR", C::kWarpSync, U::kSync, S::kNone, 80},
    {"ARRIVES", C::kWarpSync, U::kSync, S::kNone, 80},
    {"MEMBAR", C::kWarpSync, U::kSync}, {"ERRBAR", C::kWarpSync, U::kSync},
    {"FENCE", C::kWarpSync, U::kSync, S::kNone, 90}, {"CGAERRBAR", C::kWarpSync, U::kSync, S::kNone, 90},
    {"SYNCS", C::kWarpSync, U::kSync, S::kNone, 90}, {"ACQBULK", C::kWarpSync, U::kSync, S::kNone, 90},
    {"ACQSHMINIT", C::kWarpSync, U::kSync, S::kNone, 90},
    {"ENDCOLLECTIVE", C::kWarpSync, U::kSync, S::kNone, 90},
    {"WARPGROUP", C::kWarpSync, U::kSync, S::kNone, 90, 90},
    {"WARPGROUPSET", C::kWarpSync, U::kSync, S::kNone, 90, 90},
    // Miscellaneous
    {"NOP", C::kNop, U::kInt}, {"PMTRIG", C::kNop, U::kInt}, {"CSMTEST", C::kNop, U::kInt},
    {"SETCTAID", C::kNop, U::kInt}, {"PREEXIT", C::kNop, U::kSync, S::kNone, 90},
};
// clang-format on

const std::unordered_map<std::string_view, const Entry*>& entry_index() {
  static const auto* index = [] {
    auto* m = new std::unordered_map<std::string_view, const Entry*>();
    for (const Entry& e : kEntries) m->emplace(e.base, &e);
    return m;
  }();
  return *index;
}

struct TensorDefault {
  std::string_view base;
  TensorType type;
};
constexpr TensorDefault kTensorDefaults[] = {
    {"HMMA", TensorType::kFp16},   {"IMMA", TensorType::kInt8},    {"DMMA", TensorType::kFp64},
    {"BMMA", TensorType::kInt1},   {"QMMA", TensorType::kFp8},     {"OMMA", TensorType::kFp4},
    {"HGMMA", TensorType::kFp16},  {"IGMMA", TensorType::kInt8},   {"QGMMA", TensorType::kFp8},
    {"BGMMA", TensorType::kInt1},  {"UTCHMMA", TensorType::kFp16}, {"UTCIMMA", TensorType::kInt8},
    {"UTCQMMA", TensorType::kFp8}, {"UTCOMMA", TensorType::kFp4},
};

// Input-type modifiers; F16/F32/S32 name the accumulator and are not listed.
TensorType modifier_type(std::string_view m) {
  if (m == "BF16") return TensorType::kBf16;
  if (m == "TF32") return TensorType::kTf32;
  if (m == "E4M3" || m == "E5M2") return TensorType::kFp8;
  if (m == "E2M3" || m == "E3M2") return TensorType::kFp6;
  if (m == "E2M1") return TensorType::kFp4;
  if (m == "S8" || m == "U8") return TensorType::kInt8;
  if (m == "S4" || m == "U4") return TensorType::kInt4;
  return TensorType::kNone;
}

void decode_tensor(OpcodeInfo& info, const std::vector<std::string_view>& mods) {
  for (const auto& d : kTensorDefaults)
    if (d.base == info.base) info.tensor_type = d.type;
  bool typed = false;
  for (std::string_view m : mods) {
    if (m == "SP") {
      info.sparse = true;
    } else if (info.mma_m == 0 && parse_mma_shape(m, info.mma_m, info.mma_n, info.mma_k)) {
    } else if (TensorType t = modifier_type(m); t != TensorType::kNone && !typed) {
      info.tensor_type = t;  // the A operand's type comes first
      typed = true;
    }
  }
}
}  // namespace

OpcodeInfo classify_sass(std::string_view name, uint32_t table_version) {
  OpcodeInfo info;
  info.name = std::string(name);
  std::vector<std::string_view> mods;
  size_t dot = name.find('.');
  std::string_view base = name.substr(0, dot);
  info.base = std::string(base);
  while (dot != std::string_view::npos) {
    size_t next = name.find('.', dot + 1);
    mods.push_back(name.substr(dot + 1, next == std::string_view::npos ? next : next - dot - 1));
    dot = next;
  }
  const auto& index = entry_index();
  auto it = index.find(base);
  if (it == index.end()) return info;
  const Entry& e = *it->second;
  if (table_version < e.first || table_version > e.last) return info;  // not in this ISA
  info.known = true;
  info.op_class = e.op_class;
  info.unit = e.unit;
  info.space = e.space;
  auto has = [&mods](std::string_view m) {
    for (auto x : mods)
      if (x == m) return true;
    return false;
  };
  // IMAD.MOV is the compiler's move on the FMA-side pipe: a move, not a multiply.
  if (base == "IMAD" && has("MOV")) info.op_class = C::kMove;
  // Double-precision conversions run on the FP64 pipe.
  if ((base == "F2F" || base == "F2I" || base == "I2F") && has("F64")) info.unit = U::kFp64;
  if (info.unit == U::kTensor &&
      (info.op_class == C::kTensorMma || info.op_class == C::kTensorGmma))
    decode_tensor(info, mods);
  return info;
}

}  // namespace joulesim::trace::detail
