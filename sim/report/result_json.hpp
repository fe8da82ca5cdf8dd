#pragma once
/// @file
/// RunResult <-> JSON (the `run --json` contract, DESIGN §8) and the short terminal table.
///
/// Layout: {"gpu", "trace", "config", "total": {...}, "kernels": [{...}], "sim": {...}}.
/// "total" and each kernel hold cycles, time_s, warp_insts, thread_insts, ipc (warp instructions
/// per core cycle, whole GPU) and "counts" (counts_to_json). Energy: when RunResult::energy is
/// non-null, energy["total"] is merged into "total", energy["kernels"][i] into "kernels"[i], and
/// any other member goes under a top-level "energy". Everything except "sim" (host timing) is a
/// function of the inputs only, so equal inputs give byte-identical JSON without "sim".
#include <nlohmann/json.hpp>
#include <string>

#include "report/run_result.hpp"
#include "stats/activity.hpp"

namespace joulesim::report {

/// Every counter by its dotted name, plus "warp_insts"/"thread_insts" by op class and
/// "tensor_flops"/"tensor_sparse_flops" by tensor type (zero entries included: a stable schema).
nlohmann::json counts_to_json(const stats::ActivityCounts& counts);

/// Inverse of counts_to_json; throws Error naming the key for an unknown name or a non-integer.
/// Missing names read as 0 (results written before a counter existed).
stats::ActivityCounts counts_from_json(const nlohmann::json& j);

/// The whole result. @p include_sim adds the "sim" block (wall_s, warp_insts_per_s).
nlohmann::json to_json(const RunResult& r, bool include_sim = true);

/// A short human-readable table: one row per kernel and a total row.
std::string to_table(const RunResult& r);

}  // namespace joulesim::report
