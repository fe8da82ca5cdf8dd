#include "cli/commands.hpp"
#include "core/error.hpp"

namespace joulesim::cli {

void add_validate_commands(CLI::App& app) {
  for (const char* name : {"validate", "calibrate"}) {
    auto* cmd = app.add_subcommand(name, std::string(name) + " (issue 6): not implemented yet");
    cmd->allow_extras();
    cmd->callback([name] { throw Error(std::string("'") + name + "' is not implemented yet"); });
  }
}

}  // namespace joulesim::cli
