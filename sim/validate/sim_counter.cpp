// Built-in simulators that need no timing model: counter-driven power (AccelWattch) priced by the
// EnergyModel, and datasheet peaks implied by a GPU config.
#include "config/config.hpp"
#include "validate/internal.hpp"

namespace joulesim::validate {

using nlohmann::json;
using namespace detail;

namespace {

std::vector<CaseResult> all_not_simulated(const Dataset& ds, const std::string& why) {
  std::vector<CaseResult> out;
  for (const Case& c : ds.cases) {
    CaseResult r = result_of(c);
    r.status = CaseStatus::kNotSimulated;
    r.note = why;
    out.push_back(r);
  }
  return out;
}

std::filesystem::path under(const std::filesystem::path& root, const std::string& p) {
  std::filesystem::path path(p);
  return path.is_absolute() ? path : root / path;
}

}  // namespace

namespace detail {

std::vector<CaseResult> simulate_counter_power(const Dataset& ds,
                                               const std::filesystem::path& root) {
  CounterSet set;
  try {
    set = load_counter_set(ds, root);
  } catch (const std::exception& e) {
    return all_not_simulated(ds, std::string("not simulated (missing: ") + e.what() + ")");
  }
  std::vector<CaseResult> out;
  const json& models = ds.raw["models"];
  for (const Group& g : ds.groups) {
    const json& m = models[g.name];
    std::vector<double> pred;
    std::string how;
    try {
      if (m.contains("energy_table")) {
        const auto table = energy::load_energy_table(m["energy_table"].get<std::string>());
        for (const auto& s : set.samples) pred.push_back(counter_power_w(s, table, set.spec));
        how = "priced with " + m["energy_table"].get<std::string>();
      } else {
        const auto spec = load_calibration_spec(under(root, m["calibration"].get<std::string>()));
        const json base = read_json(energy::resolve_table_path(spec.base_table));
        const Design d = build_design(set.samples, base, spec.parameters, set.spec);
        pred = loo_predictions(d, spec.parameters, spec.lambda_grid, spec.relative_weighting);
        how = "leave-one-out: fitted (" + spec.file.filename().string() + ") on the other " +
              std::to_string(set.samples.size() - 1) + " kernels";
      }
    } catch (const std::exception& e) {
      pred.clear();
      how = std::string("error: ") + e.what();
    }
    for (size_t i = 0; i < set.samples.size(); ++i) {
      CaseResult r;
      r.id = g.name + ":" + set.samples[i].name;
      r.group = g.name;
      r.quantity = "mean board power of " + set.samples[i].name;
      r.unit = "W";
      r.measured = set.samples[i].measured_w;
      if (pred.empty()) {
        r.status = CaseStatus::kError;
      } else {
        r.status = CaseStatus::kOk;
        r.simulated = pred[i];
      }
      r.note = how;
      out.push_back(r);
    }
  }
  return out;
}

std::vector<CaseResult> simulate_datasheet_peaks(const Dataset& ds,
                                                 const std::filesystem::path& root,
                                                 const CaseSimulator& timing) {
  std::vector<CaseResult> out;
  Dataset rest = ds;  // cases that need a simulation (TDP): handed to the timing simulator
  rest.cases.clear();
  for (const Case& c : ds.cases) {
    if (!c.sim.contains("peak")) {
      rest.cases.push_back(c);
      continue;
    }
    CaseResult r = result_of(c);
    try {
      std::vector<std::string> set;
      if (c.sim.contains("set")) set = c.sim["set"].get<std::vector<std::string>>();
      const auto gpu = config::load_gpu(c.sim["gpu"].get<std::string>(), set);
      const auto peaks = config::compute_peaks(gpu.spec);
      const std::string what = c.sim["peak"].get<std::string>();
      double v = 0;
      if (what == "fp32_flops_per_s") v = peaks.fp32_flops_per_s;
      if (what == "fp64_flops_per_s") v = peaks.fp64_flops_per_s;
      if (what == "fp16_flops_per_s") v = peaks.fp16_flops_per_s;
      if (what == "dram_bytes_per_s") v = peaks.dram_bytes_per_s;
      if (what == "tensor_dense_flops_per_s") {
        const std::string type = c.sim.value("type", std::string("fp16"));
        for (const auto& t : peaks.tensor) {
          if (trace::to_string(t.type) == type) v = t.dense_flops_per_s;
        }
        if (v == 0) throw Error(gpu.name + " has no " + type + " tensor peak");
      }
      if (c.unit == "TFLOPS")
        v /= 1e12;
      else if (c.unit == "GB/s")
        v /= 1e9;
      else if (c.unit == "TB/s")
        v /= 1e12;
      else
        throw Error("unit '" + c.unit + "' of a peak must be TFLOPS, GB/s or TB/s");
      r.simulated = v;
      r.status = CaseStatus::kOk;
      r.note =
          "implied by config " + gpu.name + " at " + std::to_string(gpu.spec.core_mhz()) + " MHz";
    } catch (const std::exception& e) {
      r.status = CaseStatus::kNotSimulated;
      r.note = std::string("not simulated (missing: ") + e.what() + ")";
    }
    out.push_back(r);
  }
  if (!rest.cases.empty()) {
    auto more = timing(rest);
    out.insert(out.end(), more.begin(), more.end());
  }
  (void)root;
  return out;
}

}  // namespace detail

}  // namespace joulesim::validate
