#pragma once
/// @file
/// The short terminal table `joulesim run` prints without --json.
#include <string>

#include "report/run_result.hpp"

namespace joulesim::report {

/// One row per kernel (cycles, time, warp instructions, IPC) and a total row, then energy and
/// average power when the result has been priced, then the simulator's own speed.
std::string result_table(const RunResult& r);

}  // namespace joulesim::report
