// `joulesim report DIR|RESULT.json -o report.html`: a self-contained HTML page for a run result
// (with its power timeline when DIR holds timeline.csv) or for a sweep output folder.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "core/paths.hpp"
#include "report/result_table.hpp"

namespace joulesim::cli {

namespace {

namespace fs = std::filesystem;

struct ReportArgs {
  std::string input;
  std::string out;
};

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw Error("cannot read " + p.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

nlohmann::json read_json(const fs::path& p) {
  try {
    return nlohmann::json::parse(read_text(p));
  } catch (const nlohmann::json::parse_error& e) {
    throw Error(p.string() + ": invalid JSON: " + e.what());
  }
}

std::string sweep_page(const fs::path& dir) {
  std::vector<nlohmann::json> points;
  std::istringstream lines(read_text(dir / "results.jsonl"));
  std::string line;
  size_t n = 0;
  while (std::getline(lines, line)) {
    ++n;
    if (line.empty()) continue;
    try {
      points.push_back(nlohmann::json::parse(line));
    } catch (const nlohmann::json::parse_error&) {
      // A torn last line of an interrupted sweep: `sweep --resume` cuts it; skip it here.
      std::cerr << "joulesim: warning: " << (dir / "results.jsonl").string() << ":" << n
                << ": not a complete JSON line (skipped)\n";
    }
  }
  const nlohmann::json pareto =
      fs::exists(dir / "pareto.json") ? read_json(dir / "pareto.json") : nlohmann::json::object();
  return report::sweep_html(dir.filename().string(), points, pareto);
}

void run_report(const ReportArgs& a) {
  const fs::path in(a.input);
  std::string html;
  if (fs::is_directory(in)) {
    if (fs::exists(in / "results.jsonl")) {
      html = sweep_page(in);
    } else if (fs::exists(in / "result.json")) {
      const fs::path tl = in / "timeline.csv";
      html = report::result_html(read_json(in / "result.json"),
                                 fs::exists(tl) ? read_text(tl) : std::string());
    } else {
      throw Error(in.string() +
                  ": neither a run output (result.json) nor a sweep output (results.jsonl)");
    }
  } else {
    html = report::result_html(read_json(in), std::string());
  }
  write_file_atomically(a.out, html);
  std::cerr << "joulesim: wrote " << a.out << "\n";
}

}  // namespace

void add_report_command(CLI::App& app) {
  auto args = std::make_shared<ReportArgs>();
  auto* cmd = app.add_subcommand(
      "report",
      "Write a self-contained HTML report of a run (RESULT.json, or a `run --out` DIR with its "
      "timeline.csv) or of a sweep output DIR");
  cmd->add_option("input", args->input, "RESULT.json, a run --out DIR or a sweep output DIR")
      ->required();
  cmd->add_option("-o,--out", args->out, "the HTML file to write (atomically)")->required();
  cmd->callback([args] { run_report(*args); });
}

}  // namespace joulesim::cli
