// `joulesim run --gpu NAME|FILE --trace PATH [--set key=value]... [--json] [--out DIR]
// [--timeline NS]`
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "config/config.hpp"
#include "core/error.hpp"
#include "core/paths.hpp"
#include "energy/energy.hpp"
#include "gpu/gpu.hpp"
#include "report/result_table.hpp"
#include "report/run_result.hpp"
#include "trace/trace.hpp"

namespace joulesim::cli {

namespace {
struct RunOptions {
  std::string gpu;
  std::string trace;
  std::vector<std::string> sets;
  bool json = false;
  std::string out;
  int64_t deadlock_cycles = gpu::SimOptions{}.deadlock_cycles;
  double timeline_ns = 0;  ///< power timeline interval; 0: none
};

/// Where --timeline writes: DIR/timeline.csv with --out, else ./timeline.csv.
std::filesystem::path timeline_path(const RunOptions& o) {
  return o.out.empty() ? std::filesystem::path("timeline.csv")
                       : std::filesystem::path(o.out) / "timeline.csv";
}

void run_command(const RunOptions& o) {
  const config::LoadedGpu loaded = config::load_gpu(o.gpu, o.sets);
  auto source = trace::open_trace(o.trace);
  gpu::SimOptions sim;
  sim.deadlock_cycles = o.deadlock_cycles;
  std::vector<energy::Snapshot> snapshots;
  if (o.timeline_ns > 0) {
    sim.snapshot_interval = Picoseconds{static_cast<int64_t>(o.timeline_ns * 1000.0 + 0.5)};
    if (sim.snapshot_interval.value <= 0) throw Error("--timeline: the interval is below 1 ps");
    sim.on_snapshot = [&snapshots](Picoseconds t, const stats::ActivityCounts& c) {
      if (!snapshots.empty() && snapshots.back().time_ps == t.value) {
        snapshots.back().counts = c;  // the end of the run can coincide with an interval edge
      } else {
        snapshots.push_back({t.value, c});
      }
    };
  }

  const auto start = std::chrono::steady_clock::now();
  report::RunResult result = gpu::simulate(loaded.spec, *source, sim);
  result.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.gpu = loaded.name;
  result.trace = o.trace;
  result.config = loaded.resolved;
  // Timing produces counts; the energy model prices them (total and per kernel) and
  // result_to_json merges its keys into "total" and "kernels".
  // A pricing failure (e.g. an incomplete energy table) must not throw away the simulation: the
  // timing result is still written, without energy keys, and the reason goes to stderr.
  try {
    result.energy = energy::price_run(result, loaded.spec, energy::PriceOptions{});
  } catch (const Error& e) {
    std::cerr << "joulesim: warning: the result is not priced (no energy keys): " << e.what()
              << "\n";
  }

  const nlohmann::json j = report::result_to_json(result);
  if (!o.out.empty()) {
    std::filesystem::create_directories(o.out);
    write_file_atomically(std::filesystem::path(o.out) / "result.json", j.dump(2) + "\n");
  }
  if (o.json)
    std::cout << j.dump(2) << "\n";
  else
    std::cout << report::result_table(result);
  if (o.timeline_ns > 0) {  // after the result, so a pricing error cannot lose it
    const auto path = timeline_path(o);
    write_file_atomically(
        path, energy::price_timeline_csv(snapshots, loaded.spec, energy::PriceOptions{}));
    std::cerr << "joulesim: power timeline (" << snapshots.size() << " intervals) in "
              << path.string() << "\n";
  }
}
}  // namespace

void add_run_command(CLI::App& app) {
  auto opts = std::make_shared<RunOptions>();
  auto* cmd = app.add_subcommand("run", "Replay a trace on a GPU model, cycle by cycle");
  cmd->add_option("--gpu", opts->gpu,
                  "GPU config: a name under configs/gpus (e.g. qv100) or a .json file")
      ->required();
  cmd->add_option("--trace", opts->trace,
                  "Trace: an Accel-Sim kernelslist.g / .traceg[.xz|.gz] or a .jst file")
      ->required();
  cmd->add_option("--set", opts->sets, config::kSetOptionHelp);
  cmd->add_flag("--json", opts->json, "Print the result as one JSON object");
  cmd->add_option("--out", opts->out, "Also write DIR/result.json (atomically)");
  cmd->add_option("--deadlock-cycles", opts->deadlock_cycles,
                  "Stop with an error after this many core cycles without progress")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--timeline", opts->timeline_ns,
                  "Write the power per interval of NS nanoseconds of simulated time as CSV "
                  "(DIR/timeline.csv with --out, else ./timeline.csv)")
      ->check(CLI::PositiveNumber);
  cmd->callback([opts] { run_command(*opts); });
}

}  // namespace joulesim::cli
