// joulesim: cycle-level, trace-driven GPU performance and energy simulator.
#include <iostream>

#include "cli/commands.hpp"
#include "core/error.hpp"

int main(int argc, char** argv) {
  CLI::App app{"joulesim: cycle-level, trace-driven GPU performance and energy simulator"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "joulesim 0.1.0");
  joulesim::cli::add_run_command(app);
  joulesim::cli::add_trace_commands(app);
  joulesim::cli::add_gpus_commands(app);
  joulesim::cli::add_sweep_command(app);
  joulesim::cli::add_reprice_command(app);
  joulesim::cli::add_validate_commands(app);
  joulesim::cli::add_report_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const joulesim::Error& e) {
    std::cerr << "joulesim: error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "joulesim: internal error: " << e.what() << "\n";
    return 2;
  }
  return 0;
}
