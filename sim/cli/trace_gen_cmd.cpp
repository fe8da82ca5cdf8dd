#include "cli/commands.hpp"
#include "core/error.hpp"

namespace joulesim::cli {

void add_trace_gen_command(CLI::App& trace) {
  auto* cmd = trace.add_subcommand("gen", "Generate a synthetic trace: not implemented yet");
  cmd->allow_extras();
  cmd->callback([] { throw Error("'trace gen' is not implemented yet"); });
}

}  // namespace joulesim::cli
