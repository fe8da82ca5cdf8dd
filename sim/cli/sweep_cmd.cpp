#include "cli/commands.hpp"
#include "core/error.hpp"

namespace joulesim::cli {

void add_sweep_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("sweep", "Run an architecture sweep (issue 7): not implemented yet");
  cmd->allow_extras();
  cmd->callback([] { throw Error("'sweep' is not implemented yet"); });
}

}  // namespace joulesim::cli
