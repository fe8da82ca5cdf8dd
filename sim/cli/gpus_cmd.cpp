// `joulesim gpus list | show NAME [--set k=v]... [--json] [--peaks] | diff A B [--json]`
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli/commands.hpp"
#include "config/config.hpp"
#include "core/error.hpp"

namespace joulesim::cli {
namespace {

using nlohmann::json;
namespace cfg = joulesim::config;

std::string value_text(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

/// "989.4 TFLOP/s" style: decimal SI prefixes.
std::string si(double v, const char* unit) {
  const char* prefixes[] = {"", "k", "M", "G", "T", "P", "E"};
  int i = 0;
  while (v >= 1000 && i < 6) v /= 1000, ++i;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4g %s%s", v, prefixes[i], unit);
  return buf;
}

/// "50 MiB" style: binary prefixes for capacities.
std::string binary(double bytes) {
  const char* prefixes[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int i = 0;
  while (bytes >= 1024 && i < 4) bytes /= 1024, ++i;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4g %s", bytes, prefixes[i]);
  return buf;
}

void print_show(const cfg::LoadedGpu& g) {
  std::cout << g.name << "  (" << g.file.string() << ")\n";
  for (const auto& [path, leaf] : cfg::flatten_resolved(g.resolved)) {
    std::cout << std::left << std::setw(34) << path << " " << std::setw(14)
              << value_text(leaf.at("value"));
    const auto& src = leaf.at("source").get_ref<const std::string&>();
    if (!src.empty()) std::cout << "  # " << src;
    std::cout << "  [" << leaf.at("file").get<std::string>() << "]\n";
  }
}

void print_peaks(const cfg::LoadedGpu& g, const cfg::Peaks& p) {
  const auto& s = g.spec;
  std::cout << g.name << ": theoretical peaks at " << p.core_mhz << " MHz"
            << (s.dvfs.core_mhz > 0 ? " (dvfs.core_mhz)" : " (clocks.core_mhz)") << "\n";
  std::cout << "tensor (" << s.core.sm_count << " SMs/CUs)  dense            2:4 sparse (x"
            << s.tensor.sparsity_speedup << ")\n";
  for (const auto& t : p.tensor) {
    const bool integer = t.type == trace::TensorType::kInt8 || t.type == trace::TensorType::kInt4;
    const char* unit = integer ? "OP/s" : "FLOP/s";
    std::cout << "  " << std::left << std::setw(18) << trace::to_string(t.type) << std::setw(17)
              << si(t.dense_flops_per_s, unit) << si(t.sparse_flops_per_s, unit) << "\n";
  }
  std::cout << "vector\n"
            << "  fp32              " << si(p.fp32_flops_per_s, "FLOP/s") << "\n"
            << "  fp64              " << si(p.fp64_flops_per_s, "FLOP/s") << "\n"
            << "  fp16 (x2 packed)  " << si(p.fp16_flops_per_s, "FLOP/s") << "\n";
  std::cout << "memory\n  dram              " << si(p.dram_bytes_per_s, "B/s") << "  ("
            << s.dram.channels << " ch x " << s.dram.bus_bits << " bit x " << s.dram.data_rate_mtps
            << " MT/s, " << s.dram.type << ", " << si(p.dram_capacity_bytes, "B") << ")\n";
  if (p.llc_bytes > 0) std::cout << "  llc               " << si(p.llc_bytes_per_s, "B/s") << "\n";
  std::cout << "storage\n"
            << "  registers         " << binary(p.registers_bytes_per_sm) << "/SM, "
            << binary(p.registers_bytes_total) << " total\n"
            << "  l1                " << binary(p.l1_bytes_per_sm) << "/SM, "
            << binary(p.l1_bytes_total) << " total\n"
            << "  shared            " << binary(p.shared_bytes_per_sm) << "/SM, "
            << binary(p.shared_bytes_total) << " total\n"
            << "  l2                " << binary(p.l2_bytes) << "\n";
  if (p.llc_bytes > 0) std::cout << "  llc               " << binary(p.llc_bytes) << "\n";
}

void add_list(CLI::App& gpus) {
  auto* cmd = gpus.add_subcommand(
      "list", "List the GPU configs under configs/gpus (each is loaded and validated)");
  cmd->callback([] {
    int bad = 0;
    for (const auto& e : cfg::list_gpus()) {
      std::cout << std::left << std::setw(38) << e.name << ' ';
      try {
        auto g = cfg::load_gpu(e.file.string());
        std::cout << std::setw(8) << g.spec.vendor << g.spec.name << "\n";
      } catch (const Error& err) {
        ++bad;
        std::cout << "INVALID: " << err.what() << "\n";
      }
    }
    if (bad > 0) throw Error(std::to_string(bad) + " config(s) failed validation");
  });
}

void add_show(CLI::App& gpus) {
  struct Opts {
    std::string name;
    std::vector<std::string> sets;
    bool json = false, peaks = false;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = gpus.add_subcommand(
      "show", "Print a resolved GPU config (every key with its value, source and file)");
  cmd->add_option("name", o->name, "config name (h100, emerging/h100-fp4) or path to a .json file")
      ->required();
  cmd->add_option("--set", o->sets, config::kSetOptionHelp)->allow_extra_args(false);
  cmd->add_flag("--json", o->json, "print JSON (the resolved tree, or the peaks with --peaks)");
  cmd->add_flag("--peaks", o->peaks, "print theoretical peaks computed from the parameters");
  cmd->callback([o] {
    auto g = cfg::load_gpu(o->name, o->sets);
    if (o->peaks) {
      auto p = cfg::compute_peaks(g.spec);
      if (o->json) {
        std::cout << json{{"name", g.name}, {"peaks", cfg::peaks_to_json(p)}}.dump(2) << "\n";
      } else {
        print_peaks(g, p);
      }
    } else if (o->json) {
      std::cout << json{{"name", g.name}, {"file", g.file.string()}, {"config", g.resolved}}.dump(2)
                << "\n";
    } else {
      print_show(g);
    }
  });
}

void add_diff(CLI::App& gpus) {
  struct Opts {
    std::string a, b;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = gpus.add_subcommand(
      "diff", "Print exactly the keys whose resolved values differ between two configs");
  cmd->add_option("a", o->a, "first config")->required();
  cmd->add_option("b", o->b, "second config")->required();
  cmd->add_flag("--json", o->json, "print a JSON array of {path, a, b}");
  cmd->callback([o] {
    auto ga = cfg::load_gpu(o->a), gb = cfg::load_gpu(o->b);
    auto changes = cfg::diff(ga, gb);
    if (o->json) {
      json arr = json::array();
      for (const auto& c : changes) arr.push_back({{"path", c.path}, {"a", c.a}, {"b", c.b}});
      std::cout << arr.dump(2) << "\n";
      return;
    }
    std::cout << "--- " << ga.name << "\n+++ " << gb.name << "\n";
    for (const auto& c : changes) {
      std::cout << c.path << ": " << value_text(c.a) << " -> " << value_text(c.b) << "\n";
    }
  });
}

}  // namespace

void add_gpus_commands(CLI::App& app) {
  auto* gpus = app.add_subcommand("gpus", "List, show and compare GPU configs");
  gpus->require_subcommand(1);
  add_list(*gpus);
  add_show(*gpus);
  add_diff(*gpus);
}

}  // namespace joulesim::cli
