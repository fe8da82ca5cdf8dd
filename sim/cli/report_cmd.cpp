#include "cli/commands.hpp"
#include "core/error.hpp"

namespace joulesim::cli {

void add_report_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("report", "Write an HTML report (later issue): not implemented yet");
  cmd->allow_extras();
  cmd->callback([] { throw Error("'report' is not implemented yet"); });
}

}  // namespace joulesim::cli
