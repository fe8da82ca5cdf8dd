// Evaluating one simulation group: simulate its first point (or reuse a saved simulation), then
// price every requested point of the group from the same counts.
#include <chrono>

#include "core/error.hpp"
#include "sweep/internal.hpp"

namespace joulesim::sweep {

GroupOutcome evaluate_group(const Plan& plan, size_t group, const std::vector<uint32_t>& todo,
                            const report::RunResult* saved, const Simulator& simulate) {
  GroupOutcome out;
  const SimGroup& g = plan.sims.at(group);
  const Point& first = plan.points.at(g.points.front());
  try {
    report::RunResult fresh;
    const report::RunResult* run = saved;
    if (run == nullptr) {
      const auto start = std::chrono::steady_clock::now();
      fresh = simulate(*g.timing, first.workload);
      fresh.wall_s =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      fresh.gpu = g.gpu_name;
      fresh.trace = first.workload.trace.empty() ? "generator:" + first.workload.generator
                                                 : first.workload.trace;
      fresh.config = g.resolved;
      fresh.energy = nullptr;
      out.sim_json = report::result_to_json(fresh).dump(1) + "\n";
      out.simulated = true;
      run = &fresh;
    }
    for (uint32_t idx : todo) {
      const Point& p = plan.points.at(idx);
      if (p.group != group)
        throw Error("internal: point " + std::to_string(idx) + " is not in group");
      out.lines.emplace_back(idx, result_line(plan, p, *run));
    }
  } catch (const std::exception& e) {
    out.lines.clear();
    out.error = e.what();
  }
  return out;
}

namespace detail {

GroupOutcome run_task(const Plan& plan, const Task& task, const std::string& saved_json,
                      const Simulator& simulate) {
  if (!saved_json.empty()) {
    // A saved simulation that does not read back (e.g. cut short) is simply redone.
    try {
      const report::RunResult saved = report::result_from_json(
          nlohmann::json::parse(saved_json), "sims/" + plan.sims.at(task.group).sim_id + ".json");
      GroupOutcome o = evaluate_group(plan, task.group, task.todo, &saved, simulate);
      if (o.error.empty()) return o;
    } catch (const std::exception&) {
    }
  }
  return evaluate_group(plan, task.group, task.todo, nullptr, simulate);
}

}  // namespace detail
}  // namespace joulesim::sweep
