#include "cli/commands.hpp"
#include "core/error.hpp"

namespace joulesim::cli {

void add_trace_commands(CLI::App& app) {
  auto* cmd = app.add_subcommand("trace", "trace: not implemented yet");
  cmd->allow_extras();
  cmd->callback([] { throw Error("'trace' is not implemented yet"); });
}

}  // namespace joulesim::cli
