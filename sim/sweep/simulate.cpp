// The real simulator of a sweep point: open the workload's trace (or stream its generator),
// repeated back to back when asked, and run the timing model on the point's spec.
#include "core/error.hpp"
#include "gpu/gpu.hpp"
#include "sweep/sweep.hpp"
#include "trace/generators.hpp"
#include "trace/trace.hpp"

namespace joulesim::sweep {

namespace {

std::unique_ptr<trace::TraceSource> open_once(const Workload& w) {
  if (!w.trace.empty()) return trace::open_trace(w.trace);
  std::optional<trace::gen::Isa> isa;
  if (!w.isa.empty()) isa = trace::gen::parse_isa(w.isa);
  return trace::gen::open_generated(w.generator, w.params, isa);
}

/// A kernel reader under a new kernel id (the passes of a repeated trace are distinct kernels).
class RenumberedKernel final : public trace::KernelReader {
 public:
  RenumberedKernel(std::unique_ptr<trace::KernelReader> inner, uint32_t id)
      : inner_(std::move(inner)), info_(inner_->info()) {
    info_.id = id;
  }
  const trace::KernelInfo& info() const override { return info_; }
  const trace::OpcodeTable& opcodes() const override { return inner_->opcodes(); }
  bool next_cta(trace::CtaTrace& out) override { return inner_->next_cta(out); }

 private:
  std::unique_ptr<trace::KernelReader> inner_;
  trace::KernelInfo info_;
};

/// The workload's trace @p times over, each pass opened when the previous one ends, so memory
/// stays bounded as for one pass.
class RepeatedSource final : public trace::TraceSource {
 public:
  RepeatedSource(const Workload& w, uint32_t times) : w_(w), times_(times) {}
  bool next(trace::TraceCommand& out) override {
    while (pass_ < times_) {
      if (!current_) current_ = open_once(w_);
      if (current_->next(out)) {
        if (out.kind == trace::TraceCommand::Kind::kKernel) {
          out.kernel = std::make_unique<RenumberedKernel>(std::move(out.kernel), ++kernels_);
        }
        return true;
      }
      current_.reset();
      ++pass_;
    }
    return false;
  }

 private:
  const Workload& w_;
  uint32_t times_, pass_ = 0, kernels_ = 0;
  std::unique_ptr<trace::TraceSource> current_;
};

}  // namespace

report::RunResult simulate_workload(const config::GpuSpec& spec, const Workload& workload) {
  if (workload.repeat <= 1) {
    auto source = open_once(workload);
    return gpu::simulate(spec, *source);
  }
  RepeatedSource source(workload, workload.repeat);
  return gpu::simulate(spec, source);
}

}  // namespace joulesim::sweep
