// `joulesim trace info` and `joulesim trace convert` (`trace gen` lives in trace_gen_cmd.cpp).
#include <filesystem>
#include <iostream>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "trace/trace.hpp"
#include "trace/trace_stats.hpp"

namespace joulesim::cli {

namespace {
struct InfoOptions {
  std::string path;
  bool json = false;
};
struct ConvertOptions {
  std::string in, out;
};
}  // namespace

void add_trace_commands(CLI::App& app) {
  auto* trace = app.add_subcommand("trace", "Inspect, convert and generate traces");
  trace->require_subcommand(1);

  auto info_opts = std::make_shared<InfoOptions>();
  auto* info = trace->add_subcommand(
      "info",
      "Summarise a trace: kernels (name, grid, block, shared memory, registers), CTAs, warps, "
      "warp and thread instructions, instructions per op class, memory instructions and bytes "
      "per space, unknown opcodes and ISA fallback warnings");
  info->add_option("PATH", info_opts->path,
                   "kernelslist.g, a single .traceg[.xz|.gz], a folder with a kernelslist.g, or a "
                   ".jst file")
      ->required();
  info->add_flag("--json", info_opts->json, "Print one JSON object instead of tables");
  info->callback([info_opts] {
    auto source = trace::open_trace(info_opts->path);
    trace::TraceSummary summary = trace::summarize_trace(*source);
    if (info_opts->json) {
      // Kernel names are bytes from the trace: invalid UTF-8 is replaced, not fatal.
      std::cout << summary.to_json().dump(2, ' ', false,
                                          nlohmann::ordered_json::error_handler_t::replace)
                << "\n";
    } else {
      std::cout << "trace " << info_opts->path << "\n" << summary.to_table();
    }
  });

  auto conv_opts = std::make_shared<ConvertOptions>();
  auto* convert = trace->add_subcommand(
      "convert", "Convert a trace (Accel-Sim text, compressed or not) to the native .jst format");
  convert->add_option("IN", conv_opts->in, "Input trace (any format trace info accepts)")
      ->required();
  convert->add_option("OUT", conv_opts->out, "Output file; must end in .jst (written atomically)")
      ->required();
  convert->callback([conv_opts] {
    std::filesystem::path out = conv_opts->out;
    if (out.extension() != ".jst") throw Error("output file must end in .jst: " + conv_opts->out);
    auto source = trace::open_trace(conv_opts->in);
    trace::write_jst(*source, out);
    std::cout << "wrote " << out.string() << " (" << std::filesystem::file_size(out) << " bytes)\n";
  });

  add_trace_gen_command(*trace);
}

}  // namespace joulesim::cli
