#include "cli/commands.hpp"
#include "core/error.hpp"

namespace joulesim::cli {

void add_run_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("run", "Replay a trace on a GPU model (issue 3): not implemented yet");
  cmd->allow_extras();
  cmd->callback([] { throw Error("'run' is not implemented yet"); });
}

}  // namespace joulesim::cli
