#pragma once
/// @file
/// How results are presented: the short terminal table `joulesim run` prints without --json,
/// and the self-contained HTML pages of `joulesim report`.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "report/run_result.hpp"

namespace joulesim::report {

/// One row per kernel (cycles, time, warp instructions, IPC) and a total row, then energy and
/// average power when the result has been priced, then the simulator's own speed.
std::string result_table(const RunResult& r);

/// HTML page for a saved run result (result_to_json's format): summary, kernels, energy by
/// component and by op class, and the power timeline when @p timeline_csv (timeline_csv's
/// format) is not empty. Throws Error when @p result is not a result.
std::string result_html(const nlohmann::json& result, const std::string& timeline_csv);

/// HTML page for a sweep's output: per workload, time vs energy of every point with the Pareto
/// front (@p pareto: pareto.json) and a table of the points (@p points: results.jsonl lines).
std::string sweep_html(const std::string& name, const std::vector<nlohmann::json>& points,
                       const nlohmann::json& pareto);

}  // namespace joulesim::report
