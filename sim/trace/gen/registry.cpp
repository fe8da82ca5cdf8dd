// The generator registry and the two ways to obtain a generated trace (streamed, materialised).
#include "trace/gen/registry.hpp"

#include <algorithm>

#include "core/error.hpp"

namespace joulesim::trace::gen {

namespace detail {

ParamSpec int_param(std::string name, int64_t def, int64_t min, int64_t max, std::string doc,
                    bool power_of_two) {
  ParamSpec p;
  p.name = std::move(name);
  p.doc = std::move(doc);
  p.def = std::to_string(def);
  p.min = min;
  p.max = max;
  p.power_of_two = power_of_two;
  return p;
}

ParamSpec choice_param(std::string name, std::string def, std::vector<std::string> choices,
                       std::string doc) {
  ParamSpec p;
  p.name = std::move(name);
  p.doc = std::move(doc);
  p.def = std::move(def);
  p.choices = std::move(choices);
  return p;
}

std::vector<Isa> all_isas() {
  return {Isa::kSm80, Isa::kSm70, Isa::kSm90, Isa::kSm100, Isa::kGfx90a, Isa::kGfx942};
}

namespace {

const std::vector<Entry>& entries() {
  static const std::vector<Entry> table = {
      ffma_chain_entry(),  throughput_entry(), pointer_chase_entry(),
      stream_entry(),      smem_bank_entry(),  smem_chase_entry(),
      stream_loop_entry(), gemm_entry(),       reduce_entry()};
  return table;
}

const Entry& entry(std::string_view name) {
  for (const Entry& e : entries()) {
    if (e.spec.name == name) return e;
  }
  std::string names;
  for (const Entry& e : entries()) names += (names.empty() ? "" : ", ") + e.spec.name;
  throw Error("trace gen: unknown generator '" + std::string(name) + "'; available: " + names);
}

GenTrace build(std::string_view name, const ParamList& given, std::optional<Isa> isa) {
  const Entry& e = entry(name);
  Params params = resolve_params(e.spec, given);
  Isa target = isa.value_or(e.spec.isas.front());
  if (std::find(e.spec.isas.begin(), e.spec.isas.end(), target) == e.spec.isas.end()) {
    std::string allowed;
    for (Isa i : e.spec.isas) allowed += (allowed.empty() ? "" : ", ") + std::string(to_string(i));
    throw Error("trace gen " + e.spec.name + ": --isa " + std::string(to_string(target)) +
                " is not supported; allowed: " + allowed);
  }
  return e.make(params, target);
}

class GenKernelReader : public KernelReader {
 public:
  explicit GenKernelReader(std::shared_ptr<const KernelProgram> p) : p_(std::move(p)) {}
  const KernelInfo& info() const override { return p_->info(); }
  const OpcodeTable& opcodes() const override { return *p_->opcodes(); }
  bool next_cta(CtaTrace& out) override {
    if (next_ >= p_->info().grid.count()) return false;
    p_->build(next_++, out);
    return true;
  }

 private:
  std::shared_ptr<const KernelProgram> p_;
  uint64_t next_ = 0;
};

class GenTraceSource : public TraceSource {
 public:
  explicit GenTraceSource(GenTrace t) : t_(std::move(t)) {}
  bool next(TraceCommand& out) override {
    out.kernel.reset();
    if (copy_ < t_.copies.size()) {
      out.kind = TraceCommand::Kind::kMemcpyHtoD;
      out.address = t_.copies[copy_].address;
      out.bytes = t_.copies[copy_].bytes;
      ++copy_;
      return true;
    }
    if (kernel_ < t_.kernels.size()) {
      out.kind = TraceCommand::Kind::kKernel;
      out.address = out.bytes = 0;
      out.kernel = std::make_unique<GenKernelReader>(t_.kernels[kernel_++]);
      return true;
    }
    return false;
  }

 private:
  GenTrace t_;
  size_t copy_ = 0, kernel_ = 0;
};

}  // namespace
}  // namespace detail

const std::vector<GeneratorSpec>& generator_specs() {
  static const std::vector<GeneratorSpec> specs = [] {
    std::vector<GeneratorSpec> v;
    for (const detail::Entry& e : detail::entries()) v.push_back(e.spec);
    return v;
  }();
  return specs;
}

const GeneratorSpec& generator_spec(std::string_view name) {
  const detail::Entry& e = detail::entry(name);
  for (const GeneratorSpec& s : generator_specs()) {
    if (s.name == e.spec.name) return s;
  }
  throw Error("generator registry inconsistent");
}

std::string describe_generators() {
  std::string s;
  for (const GeneratorSpec& g : generator_specs()) {
    s += g.name + ": " + g.summary + "\n  isa: ";
    for (size_t i = 0; i < g.isas.size(); ++i) {
      s += (i ? ", " : "") + std::string(to_string(g.isas[i]));
    }
    s += " (default " + std::string(to_string(g.isas.front())) + ")\n";
    for (const ParamSpec& p : g.params) {
      s += "  " + p.name + " = ";
      if (p.choices.empty()) {
        s += "[" + std::to_string(p.min) + ".." + std::to_string(p.max) + "]";
        if (p.power_of_two) s += " power of two";
      } else {
        for (size_t i = 0; i < p.choices.size(); ++i) s += (i ? "|" : "") + p.choices[i];
      }
      s += " (default " + p.def + "): " + p.doc + "\n";
    }
  }
  return s;
}

std::unique_ptr<TraceSource> open_generated(std::string_view name, const ParamList& params,
                                            std::optional<Isa> isa) {
  return std::make_unique<detail::GenTraceSource>(detail::build(name, params, isa));
}

MemoryTraceSource generate(std::string_view name, const ParamList& params, std::optional<Isa> isa) {
  detail::GenTrace t = detail::build(name, params, isa);
  MemoryTraceSource src;
  for (const auto& c : t.copies) src.add_memcpy(c.address, c.bytes);
  for (const auto& k : t.kernels) {
    MemoryKernel mk;
    mk.info = k->info();
    mk.opcodes = k->opcodes();
    const uint64_t n = k->info().grid.count();
    mk.ctas.resize(n);
    for (uint64_t i = 0; i < n; ++i) k->build(i, mk.ctas[i]);
    src.add_kernel(std::move(mk));
  }
  return src;
}

}  // namespace joulesim::trace::gen
