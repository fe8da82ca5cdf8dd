// Theoretical peaks derived from a config's parameters (never typed into the config).
#include "config/config.hpp"

namespace joulesim::config {
using nlohmann::json;

Peaks compute_peaks(const GpuSpec& s) {
  Peaks p;
  p.core_mhz = s.core_mhz();
  const double clk = p.core_mhz * 1e6;
  const double sms = s.core.sm_count;
  for (size_t i = 1; i < s.tensor.dense_flops_per_clk.size(); ++i) {
    const double rate = s.tensor.dense_flops_per_clk[i];
    if (rate <= 0) continue;
    const auto type = static_cast<trace::TensorType>(i);
    TensorPeak t;
    t.type = type;
    t.dense_flops_per_s = rate * sms * clk;
    // 2:4 structured sparsity exists for every tensor type except FP64 on all modelled parts.
    t.sparse_flops_per_s = type == trace::TensorType::kFp64
                               ? t.dense_flops_per_s
                               : t.dense_flops_per_s * s.tensor.sparsity_speedup;
    p.tensor.push_back(t);
  }
  const double per_sm_lanes = s.core.subcores_per_sm * sms * clk;
  p.fp32_flops_per_s = 2.0 * s.units.fp32.lanes_per_subcore * per_sm_lanes;  // FFMA: 2 FLOPs
  p.fp64_flops_per_s = 2.0 * s.units.fp64.lanes_per_subcore * per_sm_lanes;  // DFMA: 2 FLOPs
  p.fp16_flops_per_s = 4.0 * s.units.fp16.lanes_per_subcore * per_sm_lanes;  // HFMA2: 2 x 2 FLOPs
  p.dram_bytes_per_s = s.dram.peak_bytes_per_s();
  p.dram_capacity_bytes = s.dram.capacity_gb * 1e9;
  p.llc_bytes_per_s = s.llc.bandwidth_gbs * 1e9;
  p.l1_bytes_per_sm = uint64_t{s.l1.size_kb} * 1024;
  p.shared_bytes_per_sm = uint64_t{s.shared.size_kb} * 1024;
  p.registers_bytes_per_sm = uint64_t{s.core.registers_per_sm} * 4;
  p.l1_bytes_total = p.l1_bytes_per_sm * s.core.sm_count;
  p.shared_bytes_total = p.shared_bytes_per_sm * s.core.sm_count;
  p.registers_bytes_total = p.registers_bytes_per_sm * s.core.sm_count;
  p.l2_bytes = uint64_t{s.l2.size_kb} * 1024;
  p.llc_bytes = uint64_t{s.llc.size_mb} * 1024 * 1024;
  return p;
}

json peaks_to_json(const Peaks& p) {
  json tensor = json::object();
  for (const auto& t : p.tensor) {
    tensor[std::string(trace::to_string(t.type))] = {{"dense_flops_per_s", t.dense_flops_per_s},
                                                     {"sparse_flops_per_s", t.sparse_flops_per_s}};
  }
  return {
      {"core_mhz", p.core_mhz},
      {"tensor", tensor},
      {"vector",
       {{"fp32_flops_per_s", p.fp32_flops_per_s},
        {"fp64_flops_per_s", p.fp64_flops_per_s},
        {"fp16_flops_per_s", p.fp16_flops_per_s}}},
      {"memory",
       {{"dram_bytes_per_s", p.dram_bytes_per_s},
        {"dram_capacity_bytes", p.dram_capacity_bytes},
        {"llc_bytes_per_s", p.llc_bytes_per_s}}},
      {"storage",
       {{"registers_bytes_per_sm", p.registers_bytes_per_sm},
        {"registers_bytes_total", p.registers_bytes_total},
        {"l1_bytes_per_sm", p.l1_bytes_per_sm},
        {"l1_bytes_total", p.l1_bytes_total},
        {"shared_bytes_per_sm", p.shared_bytes_per_sm},
        {"shared_bytes_total", p.shared_bytes_total},
        {"l2_bytes", p.l2_bytes},
        {"llc_bytes", p.llc_bytes}}},
  };
}

}  // namespace joulesim::config
