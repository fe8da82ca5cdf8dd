// The result sink (output folder, resume, recording) and the local thread-pool runner.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <thread>

#include "core/error.hpp"
#include "core/paths.hpp"
#include "sweep/internal.hpp"

namespace joulesim::sweep {
namespace fs = std::filesystem;
using nlohmann::json;

namespace detail {

namespace {

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

json plan_json(const Plan& plan) {
  json points = json::array();
  for (const auto& p : plan.points) {
    points.push_back({{"index", p.index},
                      {"id", p.id},
                      {"sim_id", p.sim_id},
                      {"workload", p.workload.name},
                      {"gpu", p.gpu},
                      {"coords", p.coords}});
  }
  return {{"name", plan.spec.name},
          {"spec", plan.spec.file.string()},
          {"digest", plan.digest},
          {"simulations", plan.sims.size()},
          {"resimulated_axes", plan.resimulated_axes},
          {"repriced_axes", plan.repriced_axes},
          {"points", std::move(points)}};
}

}  // namespace

ResultSink::ResultSink(const Plan& plan, const RunOptions& options)
    : plan_(plan), options_(options), files_{options.out}, start_(now_s()) {
  if (files_.dir.empty()) throw Error("sweep: no output folder");
  fs::create_directories(files_.dir / "sims");
  // One sweep at a time per folder: two writers would duplicate points.
  lock_fd_ = ::open((files_.dir / ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ < 0 || ::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    if (lock_fd_ >= 0) ::close(lock_fd_);
    lock_fd_ = -1;
    throw Error("another sweep is writing " + files_.dir.string());
  }
  std::set<std::string> done;
  if (options.resume) {
    for (const auto& line : read_lines(files_.results(), true, &stats_.torn_lines)) {
      if (line.is_object() && line.contains("id") && line["id"].is_string())
        done.insert(line["id"].get<std::string>());
    }
  } else if (fs::exists(files_.results()) && fs::file_size(files_.results()) > 0) {
    throw Error(files_.results().string() +
                " already holds results: pass --resume to continue that sweep, or choose "
                "another --out folder");
  }
  if (!options.resume) {
    // Fresh sweep: saved simulations from an older run are not trusted.
    for (const auto& e : fs::directory_iterator(files_.dir / "sims")) fs::remove(e.path());
    fs::remove(files_.failures());
  }
  write_file_atomically(files_.plan(), plan_json(plan).dump(1) + "\n");

  stats_.points = plan.points.size();
  for (uint32_t g = 0; g < plan.sims.size(); ++g) {
    Task t{g, {}};
    for (uint32_t idx : plan.sims[g].points) {
      if (done.count(plan.points[idx].id)) {
        ++stats_.already_done;
      } else {
        t.todo.push_back(idx);
      }
    }
    if (!t.todo.empty()) tasks_.push_back(std::move(t));
  }
  results_ = std::make_unique<JsonLinesWriter>(files_.results(), options.sync_interval_s);
  std::ostream& log = options.log ? *options.log : std::cerr;
  size_t sims_to_run = 0;
  for (const auto& t : tasks_) sims_to_run += saved_sim(t).empty() ? 1 : 0;
  progress_ = std::make_unique<Progress>(options.progress, log, stats_.points, stats_.already_done,
                                         sims_to_run);
}

ResultSink::~ResultSink() {
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

std::string ResultSink::saved_sim(const Task& task) const {
  if (!options_.resume) return "";
  std::ifstream in(files_.sim(plan_.sims[task.group].sim_id), std::ios::binary);
  if (!in) return "";
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void ResultSink::record(const Task& task, const GroupOutcome& o) {
  std::lock_guard<std::mutex> g(mu_);
  const SimGroup& group = plan_.sims[task.group];
  const Point& first = plan_.points[task.todo.front()];
  std::string what = first.workload.name;
  for (const auto& [k, v] : first.coords.items()) {
    what += " " + k + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
  }
  if (!o.error.empty()) {
    if (!failures_) failures_ = std::make_unique<JsonLinesWriter>(files_.failures(), 0);
    json ids = json::array(), idx = json::array();
    for (uint32_t i : task.todo) {
      ids.push_back(plan_.points[i].id);
      idx.push_back(i);
      stats_.failures.push_back({i, plan_.points[i].id, o.error});
    }
    failures_->append(
        json{{"sim_id", group.sim_id}, {"ids", ids}, {"indices", idx}, {"error", o.error}}.dump());
    progress_->task_done(
        task.todo.size(), false, true,
        "FAILED " + what + " (" + std::to_string(task.todo.size()) + " points): " + o.error);
    return;
  }
  // The simulation first: if we are killed before the lines, resume re-prices it.
  if (!o.sim_json.empty()) write_file_atomically(files_.sim(group.sim_id), o.sim_json);
  for (const auto& [i, line] : o.lines) results_->append(line);
  if (o.simulated) {
    ++stats_.simulations;
  } else {
    ++stats_.reused_sims;
  }
  stats_.evaluated += o.lines.size();
  progress_->task_done(
      o.lines.size(), o.simulated, false,
      (o.simulated ? "simulated " : "re-priced ") + what +
          (o.lines.size() > 1 ? " (+" + std::to_string(o.lines.size() - 1) + " re-priced points)"
                              : ""));
}

RunStats ResultSink::finish() {
  std::lock_guard<std::mutex> g(mu_);
  results_->sync();
  progress_->finish();
  stats_.wall_s = now_s() - start_;
  return stats_;
}

}  // namespace detail

RunStats run_local(const Plan& plan, const Simulator& simulate, const RunOptions& options) {
  detail::ResultSink sink(plan, options);
  const auto& tasks = sink.tasks();
  std::atomic<size_t> next{0};
  std::mutex error_mu;
  std::exception_ptr error;  // the first failure to record a result (e.g. disk full) stops all
  auto worker = [&] {
    try {
      while (true) {
        const size_t t = next.fetch_add(1);
        if (t >= tasks.size()) return;
        const GroupOutcome o = detail::run_task(plan, tasks[t], sink.saved_sim(tasks[t]), simulate);
        sink.record(tasks[t], o);
      }
    } catch (...) {
      std::lock_guard<std::mutex> g(error_mu);
      if (!error) error = std::current_exception();
      next.store(tasks.size());
    }
  };
  const unsigned jobs = std::max(1u, std::min<unsigned>(options.jobs, tasks.size()));
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < jobs; ++i) pool.emplace_back(worker);
  worker();
  for (auto& th : pool) th.join();
  if (error) std::rethrow_exception(error);
  return sink.finish();
}

}  // namespace joulesim::sweep
