#pragma once
/// @file
/// CDNA accumulation registers (AccVGPRs) in the trace register index space (trace.hpp): aN is
/// kAccBase + n, n < 256. MFMAs read and write their C/D matrices there on gfx90a/gfx942 (AMD
/// CDNA2/CDNA3 ISA guides), and memory instructions may take them as data. Kept apart from
/// trace.hpp only so that adding it did not rebuild every file; fold it in when trace.hpp next
/// changes.
#include <cstdint>

namespace joulesim::trace {

inline constexpr uint16_t kAccBase = 768;

}  // namespace joulesim::trace
