// The EnergyModel: activity counts x energy table, plus static and board power x time.
#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.hpp"
#include "energy/energy.hpp"
#include "energy/internal.hpp"

namespace joulesim::energy {

namespace {

constexpr double kPj = 1e-12;
constexpr std::array<std::string_view, kNumComponents> kComponentNames = {
    "sm_datapath",  "inst_overhead",   "register_file", "l1_shared", "l2",     "noc",
    "dram_dynamic", "dram_background", "sm_clock",      "idle_sm",   "static", "constant"};

constexpr size_t idx(Component c) { return static_cast<size_t>(c); }
constexpr size_t idx(trace::OpClass c) { return static_cast<size_t>(c); }

bool is_tensor(size_t op) {
  return op == idx(trace::OpClass::kTensorMma) || op == idx(trace::OpClass::kTensorGmma);
}

}  // namespace

std::string_view component_name(Component c) { return kComponentNames[idx(c)]; }

double OpClassEnergy::overhead_ratio() const {
  if (datapath_j > 0) return overhead_j / datapath_j;
  return overhead_j > 0 ? std::numeric_limits<double>::infinity() : 0.0;
}

double EnergyBreakdown::instruction_j() const {
  return component(Component::kDatapath) + component(Component::kInstOverhead) +
         component(Component::kRegisterFile);
}

EnergyBreakdown& EnergyBreakdown::operator+=(const EnergyBreakdown& o) {
  time_s += o.time_s;
  total_j += o.total_j;
  for (size_t i = 0; i < kNumComponents; ++i) by_component[i] += o.by_component[i];
  for (size_t i = 0; i < kNumOpClasses; ++i) {
    by_op_class[i].datapath_j += o.by_op_class[i].datapath_j;
    by_op_class[i].overhead_j += o.by_op_class[i].overhead_j;
    by_op_class[i].warp_insts += o.by_op_class[i].warp_insts;
    by_op_class[i].thread_insts += o.by_op_class[i].thread_insts;
  }
  for (size_t i = 0; i < kNumTensorTypes; ++i) tensor_datapath_j[i] += o.tensor_datapath_j[i];
  return *this;
}

double leakage_scale(const EnergyTable& t, const Conditions& cond) {
  const double vref = t.vref.value;
  const double v = cond.volts > 0 ? cond.volts : vref;
  // Subthreshold leakage current grows exponentially with V (DIBL) and the power is V x I.
  const double v_term = (v / vref) * std::exp(t.leak_v_exp_per_volt.value * (v - vref));
  const double t_term = std::exp2((cond.temperature_c - t.tref.value) / t.leak_doubling_c.value);
  return v_term * t_term;
}

EnergyBreakdown price(const stats::ActivityCounts& counts, int64_t time_ps, const EnergyTable& t,
                      const config::GpuSpec& spec, const Conditions& cond) {
  if (time_ps < 0)
    throw Error("energy model: negative elapsed time (" + std::to_string(time_ps) + " ps)");
  if (!(t.vref.value > 0) || !(cond.volts >= 0) || !std::isfinite(cond.temperature_c)) {
    throw Error("energy model: voltage must be >= 0 and the temperature finite");
  }
  EnergyBreakdown e;
  e.time_s = static_cast<double>(time_ps) * 1e-12;
  const double v = cond.volts > 0 ? cond.volts : t.vref.value;
  const double dyn = (v / t.vref.value) * (v / t.vref.value);  // CV^2 at fixed capacitance
  const double lanes = spec.core.warp_size;
  auto& comp = e.by_component;

  // Instruction energy: datapath per thread instruction (tensor: per FLOP by type), overhead per
  // warp instruction (issue) and per active lane (operand delivery).
  double tensor_pool = 0;
  for (size_t ty = 1; ty < kNumTensorTypes; ++ty) {
    const uint64_t all = counts.tensor_flops[ty];
    const uint64_t sp = std::min(all, counts.tensor_sparse_flops[ty]);  // sparse is a subset
    const double dense = static_cast<double>(all - sp);
    const double sparse = static_cast<double>(sp);
    const double j =
        (dense + sparse * t.tensor_sparse_ratio.value) * t.tensor_pj_per_flop[ty].value * kPj * dyn;
    e.tensor_datapath_j[ty] = j;
    tensor_pool += j;
  }
  const uint64_t mma_threads = counts.thread_insts[idx(trace::OpClass::kTensorMma)];
  const uint64_t gmma_threads = counts.thread_insts[idx(trace::OpClass::kTensorGmma)];
  uint64_t all_warps = 0;
  for (size_t c = 0; c < kNumOpClasses; ++c) {
    auto& oc = e.by_op_class[c];
    oc.warp_insts = counts.warp_insts[c];
    oc.thread_insts = counts.thread_insts[c];
    all_warps += oc.warp_insts;
    if (!is_tensor(c)) {
      oc.datapath_j = static_cast<double>(oc.thread_insts) * t.op_datapath_pj[c].value * kPj * dyn;
    }
    oc.overhead_j = (static_cast<double>(oc.warp_insts) * t.issue_pj_per_warp_inst.value +
                     static_cast<double>(oc.thread_insts) * t.lane_pj_per_thread_inst.value) *
                    kPj * dyn;
    comp[idx(Component::kInstOverhead)] += oc.overhead_j;
  }
  // Tensor FLOPs are not split by MMA kind in the counts: share by thread instructions (exact
  // whenever a kernel uses only one kind).
  if (tensor_pool > 0) {
    const uint64_t both = mma_threads + gmma_threads;
    const double mma_share = both == 0 ? 1.0 : static_cast<double>(mma_threads) / both;
    e.by_op_class[idx(trace::OpClass::kTensorMma)].datapath_j = tensor_pool * mma_share;
    e.by_op_class[idx(trace::OpClass::kTensorGmma)].datapath_j =
        tensor_pool - tensor_pool * mma_share;
  }
  for (const auto& oc : e.by_op_class) comp[idx(Component::kDatapath)] += oc.datapath_j;

  // Register file: measured in total, attributed to op classes by warp instructions.
  const double rf_j =
      (static_cast<double>(counts[Counter::kRfRead]) * t.rf_read_pj_per_lane.value +
       static_cast<double>(counts[Counter::kRfWrite]) * t.rf_write_pj_per_lane.value) *
      lanes * kPj * dyn;
  comp[idx(Component::kRegisterFile)] = rf_j;
  if (rf_j > 0) {
    if (all_warps == 0) {
      e.by_op_class[idx(trace::OpClass::kUnknown)].overhead_j += rf_j;
    } else {
      double given = 0;
      size_t last = 0;
      for (size_t c = 0; c < kNumOpClasses; ++c) {
        if (e.by_op_class[c].warp_insts == 0) continue;
        const double share = rf_j * (static_cast<double>(e.by_op_class[c].warp_insts) / all_warps);
        e.by_op_class[c].overhead_j += share;
        given += share;
        last = c;
      }
      e.by_op_class[last].overhead_j += rf_j - given;  // rounding remainder: keep sums exact
    }
  }

  // Memory hierarchy and NoC actions.
  for (const auto c : kPricedActions) {
    const Component k = action_component(c);
    // power.dram_energy_scale: a hypothetical memory's DRAM energies relative to the table's.
    const double scale = on_core_rail(k)                ? dyn
                         : k == Component::kDramDynamic ? spec.power.dram_energy_scale
                                                        : 1.0;
    comp[idx(k)] +=
        static_cast<double>(counts[c]) * t.action_pj[static_cast<size_t>(c)].value * kPj * scale;
  }
  const double burst_bits = spec.dram.atom_bytes * 8.0;
  comp[idx(Component::kDramDynamic)] +=
      (static_cast<double>(counts[Counter::kDramReadBurst]) * t.dram_read_pj_per_bit.value +
       static_cast<double>(counts[Counter::kDramWriteBurst]) * t.dram_write_pj_per_bit.value) *
      burst_bits * kPj * spec.power.dram_energy_scale;
  comp[idx(Component::kDramBackground)] +=
      t.dram_background_w_per_channel.value * spec.dram.channels * e.time_s;

  // Clocking of active and idle SMs, leakage, board.
  comp[idx(Component::kSmClock)] = static_cast<double>(counts[Counter::kSmActiveCycles]) *
                                   t.sm_active_cycle_pj.value * kPj * dyn;
  comp[idx(Component::kIdleSm)] =
      static_cast<double>(counts[Counter::kSmIdleCycles]) * t.sm_idle_cycle_pj.value * kPj * dyn;
  const double leak_w = (t.sm_leakage_w.value * spec.core.sm_count + t.uncore_leakage_w.value) *
                        leakage_scale(t, cond);
  comp[idx(Component::kStatic)] = leak_w * e.time_s;
  comp[idx(Component::kConstant)] = t.board_w.value * e.time_s;

  for (const double j : comp) e.total_j += j;
  return e;
}

nlohmann::json to_json(const EnergyBreakdown& e) {
  nlohmann::json j;
  j["energy_j"] = e.total_j;
  j["time_s"] = e.time_s;
  j["avg_power_w"] = e.avg_power_w();
  auto& comp = j["energy_by_component"] = nlohmann::json::object();
  for (size_t i = 0; i < kNumComponents; ++i)
    comp[std::string(kComponentNames[i])] = e.by_component[i];
  auto& ops = j["energy_by_op_class"] = nlohmann::json::object();
  for (size_t c = 0; c < kNumOpClasses; ++c) {
    const auto& oc = e.by_op_class[c];
    if (oc.warp_insts == 0 && oc.datapath_j == 0 && oc.overhead_j == 0) continue;
    nlohmann::json o;
    o["datapath_j"] = oc.datapath_j;
    o["overhead_j"] = oc.overhead_j;
    const double r = oc.overhead_ratio();
    o["overhead_ratio"] = std::isfinite(r) ? nlohmann::json(r) : nlohmann::json(nullptr);
    o["warp_insts"] = oc.warp_insts;
    o["thread_insts"] = oc.thread_insts;
    ops[std::string(trace::to_string(static_cast<trace::OpClass>(c)))] = o;
  }
  auto& tens = j["energy_by_tensor_type"] = nlohmann::json::object();
  for (size_t ty = 1; ty < kNumTensorTypes; ++ty) {
    if (e.tensor_datapath_j[ty] > 0) {
      tens[std::string(trace::to_string(static_cast<trace::TensorType>(ty)))] =
          e.tensor_datapath_j[ty];
    }
  }
  return j;
}

}  // namespace joulesim::energy
