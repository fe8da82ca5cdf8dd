// `joulesim trace gen GENERATOR [--param k=v]... [--isa ISA] --out DIR [--format traceg]`
// and `joulesim trace gen --list`.
#include <iostream>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "trace/generators.hpp"

namespace joulesim::cli {

namespace {
struct GenOptions {
  std::string generator, isa, out, format = "traceg";
  std::vector<std::string> params;
  bool list = false;
};
}  // namespace

void add_trace_gen_command(CLI::App& trace) {
  auto opt = std::make_shared<GenOptions>();
  auto* cmd = trace.add_subcommand(
      "gen", "Generate a synthetic trace (microbenchmarks, GEMM); --list shows the generators");
  cmd->add_option("generator", opt->generator, "generator name, e.g. ubench.ffma_chain or gemm");
  cmd->add_option("-p,--param", opt->params, "generator parameter name=value (repeatable)");
  cmd->add_option("--isa", opt->isa, "target ISA: sm_70, sm_80, sm_90, sm_100, gfx90a, gfx942");
  cmd->add_option("-o,--out", opt->out, "output folder (kernelslist.g + kernel-N.traceg)");
  cmd->add_option("--format", opt->format, "output format: traceg (Accel-Sim text)")
      ->check(CLI::IsMember({"traceg"}));
  cmd->add_flag("--list", opt->list, "list the generators and their parameters");
  cmd->callback([opt] {
    if (opt->list) {
      std::cout << trace::gen::describe_generators();
      return;
    }
    if (opt->generator.empty()) {
      throw Error("trace gen: name a generator (see 'joulesim trace gen --list')");
    }
    if (opt->out.empty()) throw Error("trace gen: --out DIR is required");
    std::optional<trace::gen::Isa> isa;
    if (!opt->isa.empty()) isa = trace::gen::parse_isa(opt->isa);
    auto source =
        trace::gen::open_generated(opt->generator, trace::gen::parse_param_args(opt->params), isa);
    trace::write_accelsim(*source, opt->out);
    std::cout << "wrote " << opt->generator << " to " << opt->out << "/kernelslist.g\n";
  });
}

}  // namespace joulesim::cli
