#include "cli/commands.hpp"
#include "core/error.hpp"

namespace joulesim::cli {

void add_reprice_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("reprice", "Re-price a saved result (issue 4): not implemented yet");
  cmd->allow_extras();
  cmd->callback([] { throw Error("'reprice' is not implemented yet"); });
}

}  // namespace joulesim::cli
