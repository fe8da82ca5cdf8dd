#include "cli/commands.hpp"
#include "core/error.hpp"

namespace joulesim::cli {

void add_trace_commands(CLI::App& app) {
  auto* trace = app.add_subcommand("trace", "Inspect, convert and generate traces");
  trace->require_subcommand(1);
  for (const char* name : {"info", "convert"}) {
    auto* cmd = trace->add_subcommand(name, std::string(name) + ": not implemented yet");
    cmd->allow_extras();
    cmd->callback([name] { throw Error(std::string("'trace ") + name + "' is not implemented yet"); });
  }
  add_trace_gen_command(*trace);
}

}  // namespace joulesim::cli
