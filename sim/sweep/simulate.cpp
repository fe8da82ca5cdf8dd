// The real simulator of a sweep point: open the workload's trace (or stream its generator) and
// run the timing model on the point's spec.
#include "core/error.hpp"
#include "sweep/sweep.hpp"
#include "trace/generators.hpp"
#include "trace/trace.hpp"

#if __has_include("gpu/gpu.hpp")
#include "gpu/gpu.hpp"
#define JOULESIM_SWEEP_HAVE_GPU 1
#endif

namespace joulesim::sweep {

namespace {

std::unique_ptr<trace::TraceSource> open_workload(const Workload& w) {
  if (!w.trace.empty()) return trace::open_trace(w.trace);
  std::optional<trace::gen::Isa> isa;
  if (!w.isa.empty()) isa = trace::gen::parse_isa(w.isa);
  return trace::gen::open_generated(w.generator, w.params, isa);
}

}  // namespace

report::RunResult simulate_workload(const config::GpuSpec& spec, const Workload& workload) {
#ifdef JOULESIM_SWEEP_HAVE_GPU
  auto source = open_workload(workload);
  return gpu::simulate(spec, *source);
#else
  (void)spec;
  open_workload(workload);
  throw Error("this build has no timing model (sim/gpu is missing): merge the timing model");
#endif
}

}  // namespace joulesim::sweep
