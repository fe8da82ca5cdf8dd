#pragma once
/// @file
/// Dim3 as text, "(x,y,z)": the one spelling of grid, block and cluster shapes in trace headers,
/// error messages and summaries.
#include <string>

#include "trace/trace.hpp"

namespace joulesim::trace {

/// "(x,y,z)".
inline std::string dim_text(const Dim3& d) {
  std::string s(1, '(');  // built by appending: GCC 12 warns on "(" + std::string&&
  s += std::to_string(d.x);
  s += ',';
  s += std::to_string(d.y);
  s += ',';
  s += std::to_string(d.z);
  s += ')';
  return s;
}

}  // namespace joulesim::trace
