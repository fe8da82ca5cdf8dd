#pragma once
/// @file
/// One registration function per subcommand; each lives in its own file in sim/cli/.
/// A command's callback throws joulesim::Error on failure; main prints it and exits non-zero.
#include <CLI/CLI.hpp>

namespace joulesim::cli {

void add_run_command(CLI::App& app);        ///< run.cpp
void add_trace_commands(CLI::App& app);     ///< trace_cmd.cpp: info, convert, gen
void add_gpus_commands(CLI::App& app);      ///< gpus_cmd.cpp: list, show, diff
void add_sweep_command(CLI::App& app);      ///< sweep_cmd.cpp
void add_reprice_command(CLI::App& app);    ///< reprice_cmd.cpp
void add_validate_commands(CLI::App& app);  ///< validate_cmd.cpp: validate, calibrate
void add_report_command(CLI::App& app);     ///< report_cmd.cpp
/// Adds `gen` under the `trace` subcommand @p trace (trace_gen_cmd.cpp: synthetic generators).
void add_trace_gen_command(CLI::App& trace);

}  // namespace joulesim::cli
