// `joulesim trace gen GENERATOR [--param k=v]... [--isa ISA] --out PATH [--format F]`
// and `joulesim trace gen --list`.
#include <filesystem>
#include <iostream>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "trace/generators.hpp"

namespace joulesim::cli {

namespace {
struct GenOptions {
  std::string generator, isa, out, format = "auto";
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
  cmd->add_option("--isa", opt->isa,
                  "target ISA: sm_70, sm_80, sm_90, sm_100, gfx90a, gfx942 (default: the "
                  "generator's first, see --list)");
  cmd->add_option("-o,--out", opt->out,
                  "output: a folder for traceg (kernelslist.g + kernel-N.traceg); for jst a file "
                  "ending in .jst, or a folder that receives trace.jst");
  cmd->add_option("--format", opt->format,
                  "traceg (Accel-Sim text, SASS only), jst (native), or auto: traceg for SASS, "
                  "jst for CDNA")
      ->check(CLI::IsMember({"auto", "traceg", "jst"}));
  cmd->add_flag("--list", opt->list, "list the generators and their parameters");
  cmd->callback([opt] {
    if (opt->list) {
      std::cout << trace::gen::describe_generators();
      return;
    }
    if (opt->generator.empty()) {
      throw Error("trace gen: name a generator (see 'joulesim trace gen --list')");
    }
    if (opt->out.empty()) throw Error("trace gen: --out is required");
    std::optional<trace::gen::Isa> isa;
    if (!opt->isa.empty()) isa = trace::gen::parse_isa(opt->isa);
    auto source =
        trace::gen::open_generated(opt->generator, trace::gen::parse_param_args(opt->params), isa);
    const trace::gen::Isa target =
        isa.value_or(trace::gen::generator_spec(opt->generator).isas.front());
    std::string format = opt->format;
    if (format == "auto") {
      format = trace::gen::isa_family(target) == trace::IsaFamily::kSass ? "traceg" : "jst";
    }
    std::filesystem::path out = opt->out;
    if (format == "traceg") {
      trace::write_accelsim(*source, out);
      out /= "kernelslist.g";
    } else {
      if (out.extension() != ".jst") out /= "trace.jst";
      if (out.has_parent_path()) std::filesystem::create_directories(out.parent_path());
      trace::write_jst(*source, out);
    }
    std::cout << "wrote " << opt->generator << " (" << trace::gen::to_string(target) << ") to "
              << out.string() << "\n";
  });
}

}  // namespace joulesim::cli
