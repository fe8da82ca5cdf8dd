#include <array>

#include "trace/trace.hpp"

namespace joulesim::trace {

namespace {
template <typename E, size_t N>
std::string_view lookup(const std::array<std::string_view, N>& names, E e) {
  static_assert(N == static_cast<size_t>(E::kCount));
  return names[static_cast<size_t>(e)];
}
}  // namespace

std::string_view to_string(Unit u) {
  static constexpr std::array<std::string_view, 10> kNames = {
      "int", "fp32", "fp16", "fp64", "sfu", "tensor", "ldst", "branch", "sync", "scalar"};
  return lookup(kNames, u);
}

std::string_view to_string(OpClass c) {
  static constexpr std::array<std::string_view, 23> kNames = {
      "int_alu",     "int_mul", "int_dot", "fp32_add",   "fp32_mul", "fp32_fma",
      "fp16",        "fp64",    "sfu",     "convert",    "move",     "tensor_mma",
      "tensor_gmma", "load",    "store",   "atomic",     "branch",   "barrier",
      "warp_sync",   "exit",    "nop",     "scalar_alu", "unknown"};
  return lookup(kNames, c);
}

std::string_view to_string(MemSpace s) {
  static constexpr std::array<std::string_view, 7> kNames = {
      "none", "global", "shared", "local", "constant", "texture", "generic"};
  return lookup(kNames, s);
}

std::string_view to_string(TensorType t) {
  static constexpr std::array<std::string_view, 12> kNames = {
      "none", "fp16", "bf16", "tf32", "fp8", "int8", "int4", "fp4", "fp64", "fp6", "int1", "fp32"};
  return lookup(kNames, t);
}

}  // namespace joulesim::trace
