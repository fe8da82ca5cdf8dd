// Provisional opcode classifier (SASS base mnemonics). The trace subsystem owner extends it with
// per-binary-version tables and CDNA opcodes.
#include <string>
#include <unordered_map>

#include "trace/trace.hpp"

namespace joulesim::trace {

namespace {
struct BaseEntry {
  OpClass op_class;
  Unit unit;
  MemSpace space;
};

const std::unordered_map<std::string_view, BaseEntry>& sass_bases() {
  static const std::unordered_map<std::string_view, BaseEntry> table = {
      {"IADD3", {OpClass::kIntAlu, Unit::kInt, MemSpace::kNone}},
      {"IADD", {OpClass::kIntAlu, Unit::kInt, MemSpace::kNone}},
      {"ISETP", {OpClass::kIntAlu, Unit::kInt, MemSpace::kNone}},
      {"LOP3", {OpClass::kIntAlu, Unit::kInt, MemSpace::kNone}},
      {"SHF", {OpClass::kIntAlu, Unit::kInt, MemSpace::kNone}},
      {"LEA", {OpClass::kIntAlu, Unit::kInt, MemSpace::kNone}},
      {"IMAD", {OpClass::kIntMul, Unit::kInt, MemSpace::kNone}},
      {"IMUL", {OpClass::kIntMul, Unit::kInt, MemSpace::kNone}},
      {"IDP", {OpClass::kIntDot, Unit::kInt, MemSpace::kNone}},
      {"IDP4A", {OpClass::kIntDot, Unit::kInt, MemSpace::kNone}},
      {"FADD", {OpClass::kFp32Add, Unit::kFp32, MemSpace::kNone}},
      {"FMUL", {OpClass::kFp32Mul, Unit::kFp32, MemSpace::kNone}},
      {"FFMA", {OpClass::kFp32Fma, Unit::kFp32, MemSpace::kNone}},
      {"FSETP", {OpClass::kFp32Add, Unit::kFp32, MemSpace::kNone}},
      {"HADD2", {OpClass::kFp16, Unit::kFp16, MemSpace::kNone}},
      {"HMUL2", {OpClass::kFp16, Unit::kFp16, MemSpace::kNone}},
      {"HFMA2", {OpClass::kFp16, Unit::kFp16, MemSpace::kNone}},
      {"DADD", {OpClass::kFp64, Unit::kFp64, MemSpace::kNone}},
      {"DMUL", {OpClass::kFp64, Unit::kFp64, MemSpace::kNone}},
      {"DFMA", {OpClass::kFp64, Unit::kFp64, MemSpace::kNone}},
      {"MUFU", {OpClass::kSfu, Unit::kSfu, MemSpace::kNone}},
      {"F2F", {OpClass::kConvert, Unit::kSfu, MemSpace::kNone}},
      {"I2F", {OpClass::kConvert, Unit::kSfu, MemSpace::kNone}},
      {"F2I", {OpClass::kConvert, Unit::kSfu, MemSpace::kNone}},
      {"MOV", {OpClass::kMove, Unit::kInt, MemSpace::kNone}},
      {"S2R", {OpClass::kMove, Unit::kInt, MemSpace::kNone}},
      {"CS2R", {OpClass::kMove, Unit::kInt, MemSpace::kNone}},
      {"ULDC", {OpClass::kMove, Unit::kInt, MemSpace::kNone}},
      {"HMMA", {OpClass::kTensorMma, Unit::kTensor, MemSpace::kNone}},
      {"IMMA", {OpClass::kTensorMma, Unit::kTensor, MemSpace::kNone}},
      {"DMMA", {OpClass::kTensorMma, Unit::kTensor, MemSpace::kNone}},
      {"HGMMA", {OpClass::kTensorGmma, Unit::kTensor, MemSpace::kNone}},
      {"QGMMA", {OpClass::kTensorGmma, Unit::kTensor, MemSpace::kNone}},
      {"IGMMA", {OpClass::kTensorGmma, Unit::kTensor, MemSpace::kNone}},
      {"LDG", {OpClass::kLoad, Unit::kLdSt, MemSpace::kGlobal}},
      {"STG", {OpClass::kStore, Unit::kLdSt, MemSpace::kGlobal}},
      {"LDS", {OpClass::kLoad, Unit::kLdSt, MemSpace::kShared}},
      {"STS", {OpClass::kStore, Unit::kLdSt, MemSpace::kShared}},
      {"LDL", {OpClass::kLoad, Unit::kLdSt, MemSpace::kLocal}},
      {"STL", {OpClass::kStore, Unit::kLdSt, MemSpace::kLocal}},
      {"LDC", {OpClass::kLoad, Unit::kLdSt, MemSpace::kConstant}},
      {"ATOMG", {OpClass::kAtomic, Unit::kLdSt, MemSpace::kGlobal}},
      {"RED", {OpClass::kAtomic, Unit::kLdSt, MemSpace::kGlobal}},
      {"BRA", {OpClass::kBranch, Unit::kBranch, MemSpace::kNone}},
      {"BAR", {OpClass::kBarrier, Unit::kSync, MemSpace::kNone}},
      {"WARPSYNC", {OpClass::kWarpSync, Unit::kSync, MemSpace::kNone}},
      {"EXIT", {OpClass::kExit, Unit::kSync, MemSpace::kNone}},
      {"NOP", {OpClass::kNop, Unit::kInt, MemSpace::kNone}},
  };
  return table;
}
}  // namespace

OpcodeInfo classify_opcode(std::string_view name, IsaFamily /*isa*/, uint32_t /*binary_version*/) {
  OpcodeInfo info;
  info.name = std::string(name);
  info.base = std::string(name.substr(0, name.find('.')));
  const auto& table = sass_bases();
  if (auto it = table.find(info.base); it != table.end()) {
    info.op_class = it->second.op_class;
    info.unit = it->second.unit;
    info.space = it->second.space;
    info.known = true;
  }
  return info;
}

}  // namespace joulesim::trace
