// MPI runner (Boost.MPI): rank 0 hands out simulation groups dynamically and writes every result;
// the other ranks evaluate. Built only with JOULESIM_HAVE_MPI.
#include "core/error.hpp"
#include "sweep/internal.hpp"

#ifdef JOULESIM_HAVE_MPI
#include <boost/mpi.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#endif

namespace joulesim::sweep {

#ifdef JOULESIM_HAVE_MPI

namespace {

namespace mpi = boost::mpi;

enum Tag : int { kResult = 1, kTask = 2, kStop = 3 };

/// Rank 0 -> worker: evaluate these points of this group.
struct TaskMsg {
  int32_t task = -1;
  uint32_t group = 0;
  std::vector<uint32_t> todo;
  std::string saved;  ///< saved simulation of the group when resuming
  template <class Archive>
  void serialize(Archive& a, unsigned) {
    a& task& group& todo& saved;
  }
};

/// Worker -> rank 0: a finished task (task < 0: the first "ready" message).
struct ResultMsg {
  int32_t task = -1;
  std::string digest;  ///< the worker's plan digest: all ranks must agree
  std::vector<uint32_t> indices;
  std::vector<std::string> lines;
  std::string sim_json, error;
  bool simulated = false;
  template <class Archive>
  void serialize(Archive& a, unsigned) {
    a& task& digest& indices& lines& sim_json& error& simulated;
  }
};

GroupOutcome outcome_of(const ResultMsg& r) {
  GroupOutcome o;
  for (size_t i = 0; i < r.lines.size() && i < r.indices.size(); ++i)
    o.lines.emplace_back(r.indices[i], r.lines[i]);
  o.sim_json = r.sim_json;
  o.error = r.error;
  o.simulated = r.simulated;
  return o;
}

void worker_loop(mpi::communicator& world, const Plan& plan, const Simulator& simulate) {
  ResultMsg ready;
  ready.digest = plan.digest;
  world.send(0, kResult, ready);
  while (true) {
    TaskMsg t;
    const mpi::status st = world.recv(0, mpi::any_tag, t);
    if (st.tag() == kStop) return;
    const detail::Task task{t.group, t.todo};
    GroupOutcome o;
    try {
      o = detail::run_task(plan, task, t.saved, simulate);
    } catch (const std::exception& e) {
      o.error = e.what();
    }
    ResultMsg r;
    r.task = t.task;
    r.digest = plan.digest;
    for (auto& [i, line] : o.lines) {
      r.indices.push_back(i);
      r.lines.push_back(std::move(line));
    }
    r.sim_json = std::move(o.sim_json);
    r.error = o.error.empty() ? "" : "rank " + std::to_string(world.rank()) + ": " + o.error;
    r.simulated = o.simulated;
    world.send(0, kResult, r);
  }
}

RunStats root_loop(mpi::communicator& world, const Plan& plan, const Simulator& simulate,
                   const RunOptions& options) {
  std::unique_ptr<detail::ResultSink> sink;
  std::exception_ptr error;
  try {
    sink = std::make_unique<detail::ResultSink>(plan, options);
  } catch (...) {
    error = std::current_exception();
  }
  if (world.size() == 1) {
    if (error) std::rethrow_exception(error);
    for (const auto& t : sink->tasks()) {
      sink->record(t, detail::run_task(plan, t, sink->saved_sim(t), simulate));
    }
    return sink->finish();
  }
  static const std::vector<detail::Task> kNone;
  const auto& tasks = sink ? sink->tasks() : kNone;
  size_t next = 0;
  int active = world.size() - 1;
  // Every worker gets answered until it is told to stop, even after an error here, so that no
  // rank is left waiting.
  while (active > 0) {
    ResultMsg r;
    const mpi::status st = world.recv(mpi::any_source, kResult, r);
    if (!error && r.digest != plan.digest) {
      error = std::make_exception_ptr(
          Error("MPI rank " + std::to_string(st.source()) +
                " expanded the sweep differently (plan digest " + r.digest + " vs " + plan.digest +
                "): do all ranks see the same spec, configs and JOULESIM_HOME?"));
    }
    if (!error && r.task >= 0) {
      try {
        sink->record(tasks.at(static_cast<size_t>(r.task)), outcome_of(r));
      } catch (...) {
        error = std::current_exception();
      }
    }
    if (!error && next < tasks.size()) {
      TaskMsg t;
      t.task = static_cast<int32_t>(next);
      t.group = tasks[next].group;
      t.todo = tasks[next].todo;
      t.saved = sink->saved_sim(tasks[next]);
      ++next;
      world.send(st.source(), kTask, t);
    } else {
      world.send(st.source(), kStop, TaskMsg{});
      --active;
    }
  }
  if (error) std::rethrow_exception(error);
  return sink->finish();
}

}  // namespace

struct MpiSession::Impl {
  mpi::environment env{mpi::threading::single, false};  // errors end the run normally
  mpi::communicator world;
};

bool mpi_available() { return true; }

MpiSession::MpiSession() : impl_(std::make_unique<Impl>()) {}
MpiSession::~MpiSession() = default;
int MpiSession::rank() const { return impl_->world.rank(); }
int MpiSession::size() const { return impl_->world.size(); }

RunStats MpiSession::run(const Plan& plan, const Simulator& simulate, const RunOptions& options) {
  if (impl_->world.rank() == 0) return root_loop(impl_->world, plan, simulate, options);
  worker_loop(impl_->world, plan, simulate);
  return {};
}

#else  // !JOULESIM_HAVE_MPI

struct MpiSession::Impl {};

bool mpi_available() { return false; }

MpiSession::MpiSession() {
  throw Error(
      "this joulesim was built without MPI (needs Boost.MPI and an MPI library, "
      "e.g. Debian libboost-mpi-dev and openmpi-bin; then rebuild with -DJOULESIM_MPI=ON)");
}
MpiSession::~MpiSession() = default;
int MpiSession::rank() const { return 0; }
int MpiSession::size() const { return 1; }
RunStats MpiSession::run(const Plan&, const Simulator&, const RunOptions&) {
  throw Error("this joulesim was built without MPI");
}

#endif

}  // namespace joulesim::sweep
