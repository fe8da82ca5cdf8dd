// `joulesim sweep SPEC.json [--jobs N] [--resume] [--out DIR] [--mpi]`
#include <chrono>
#include <iostream>
#include <memory>
#include <thread>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "sweep/sweep.hpp"

namespace joulesim::cli {

namespace {

struct SweepArgs {
  std::string spec;
  unsigned jobs = 0;
  bool resume = false;
  std::string out;
  bool mpi = false;
  std::string progress = "auto";
  bool dry_run = false;
};

void print_stats(const sweep::RunStats& s, const sweep::OutputFiles& files) {
  std::cout << "points: " << s.points << " (already done " << s.already_done << ", evaluated now "
            << s.evaluated << ", failed " << s.failures.size()
            << ")  simulations run: " << s.simulations
            << ", re-priced from saved simulations: " << s.reused_sims << "  wall " << s.wall_s
            << " s\n";
  if (s.torn_lines > 0)
    std::cout << "discarded a torn last line in " << files.results().string() << "\n";
  for (const auto& f : s.failures) {
    std::cerr << "joulesim: point " << f.point << " (id " << f.id << ") failed: " << f.error
              << "\n";
  }
}

void run_sweep(const SweepArgs& a) {
  sweep::RunOptions opt;
  opt.resume = a.resume;
  opt.jobs = a.jobs > 0 ? a.jobs : std::max(1u, std::thread::hardware_concurrency());
  if (a.progress == "bar") opt.progress = sweep::ProgressMode::kBar;
  if (a.progress == "lines") opt.progress = sweep::ProgressMode::kLines;
  if (a.progress == "none") opt.progress = sweep::ProgressMode::kNone;

  // MPI first, so that only rank 0 reports a bad spec.
  std::unique_ptr<sweep::MpiSession> mpi;
  if (a.mpi) mpi = std::make_unique<sweep::MpiSession>();
  const bool root = !mpi || mpi->rank() == 0;

  sweep::Plan plan;
  const auto start = std::chrono::steady_clock::now();
  try {
    plan = sweep::make_plan(sweep::load_spec(a.spec));
  } catch (const Error&) {
    if (root) throw;
    mpi.reset();  // finalise quietly; rank 0 prints the error
    std::exit(1);
  }
  opt.out = a.out.empty() ? "sweep-" + plan.spec.name : a.out;
  const sweep::OutputFiles files{opt.out};
  if (root) {
    const double plan_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << sweep::describe_plan(plan) << "  validated every point in " << plan_s
              << " s\noutput: " << files.dir.string() << "/\n"
              << std::flush;
  }
  if (a.dry_run) return;

  const sweep::RunStats stats = mpi ? mpi->run(plan, sweep::simulate_workload, opt)
                                    : sweep::run_local(plan, sweep::simulate_workload, opt);
  if (!root) return;
  std::cout << sweep::summarize(plan, files);
  print_stats(stats, files);
  if (!stats.failures.empty()) {
    throw Error(std::to_string(stats.failures.size()) + " point(s) failed (see " +
                files.failures().string() + "); the others are in " + files.results().string() +
                "; fix the cause and run again with --resume");
  }
}

}  // namespace

void add_sweep_command(CLI::App& app) {
  auto a = std::make_shared<SweepArgs>();
  auto* cmd = app.add_subcommand(
      "sweep",
      "Run an architecture sweep: every point of SPEC (configs/sweeps/*.json) simulated or "
      "re-priced, results as JSON lines + CSV, Pareto front and best points");
  cmd->add_option("spec", a->spec, "sweep spec JSON (see configs/sweeps/README.md)")->required();
  cmd->add_option("--jobs,-j", a->jobs, "worker threads (default: all cores)")
      ->check(CLI::Range(1u, 1024u));
  cmd->add_flag("--resume", a->resume,
                "keep the finished points in the output folder and run only the rest");
  cmd->add_option("--out,-o", a->out, "output folder (default: sweep-<spec name>)");
  cmd->add_flag("--mpi", a->mpi,
                "run across MPI ranks (mpirun -np N joulesim sweep SPEC --mpi): rank 0 hands "
                "out points and writes results");
  cmd->add_option("--progress", a->progress, "auto (bar on a terminal), bar, lines or none")
      ->check(CLI::IsMember({"auto", "bar", "lines", "none"}));
  cmd->add_flag("--dry-run", a->dry_run,
                "validate the spec and print the plan (points, re-simulated and re-priced axes)");
  cmd->callback([a] { run_sweep(*a); });
}

}  // namespace joulesim::cli
