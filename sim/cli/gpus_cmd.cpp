#include "cli/commands.hpp"
#include "core/error.hpp"

namespace joulesim::cli {

void add_gpus_commands(CLI::App& app) {
  auto* cmd = app.add_subcommand("gpus", "gpus: not implemented yet");
  cmd->allow_extras();
  cmd->callback([] { throw Error("'gpus' is not implemented yet"); });
}

}  // namespace joulesim::cli
