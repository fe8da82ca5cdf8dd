// Occupancy: how many CTAs of a kernel fit on one SM at once.
#include <algorithm>
#include <limits>

#include "core/error.hpp"
#include "gpu/gpu.hpp"

namespace joulesim::gpu {

namespace {
uint64_t round_up(uint64_t v, uint64_t unit) {
  return unit == 0 ? v : (v + unit - 1) / unit * unit;
}
constexpr uint32_t kUnlimited = std::numeric_limits<uint32_t>::max();
}  // namespace

Occupancy occupancy(const config::GpuSpec& spec, const trace::KernelInfo& k) {
  const auto& core = spec.core;
  Occupancy o;
  const uint64_t threads = k.block.count();
  const std::string who = "kernel '" + k.name + "' (id " + std::to_string(k.id) + ")";
  if (threads == 0) throw Error(who + ": block has 0 threads");
  if (threads > core.max_threads_per_cta) {
    throw Error(who + ": " + std::to_string(threads) +
                " threads per CTA exceed core.max_threads_per_cta = " +
                std::to_string(core.max_threads_per_cta));
  }
  const uint32_t ws = std::max<uint32_t>(1, core.warp_size);
  o.warps_per_cta = static_cast<uint32_t>((threads + ws - 1) / ws);
  o.by_warps = core.max_warps_per_sm / o.warps_per_cta;

  const uint64_t regs_per_warp =
      round_up(uint64_t{k.regs_per_thread} * ws, core.register_alloc_unit);
  o.registers_per_cta = static_cast<uint32_t>(regs_per_warp * o.warps_per_cta);
  o.by_registers =
      o.registers_per_cta == 0 ? kUnlimited : core.registers_per_sm / o.registers_per_cta;

  const uint64_t smem_per_sm = uint64_t{spec.shared.size_kb} * 1024;
  if (k.shmem_bytes > uint64_t{spec.shared.max_per_cta_kb} * 1024) {
    throw Error(who + ": " + std::to_string(k.shmem_bytes) +
                " bytes of shared memory per CTA exceed shared.max_per_cta_kb = " +
                std::to_string(spec.shared.max_per_cta_kb));
  }
  o.by_shared =
      k.shmem_bytes == 0 ? kUnlimited : static_cast<uint32_t>(smem_per_sm / k.shmem_bytes);
  o.by_ctas = core.max_ctas_per_sm;
  o.ctas_per_sm = std::min({o.by_warps, o.by_registers, o.by_shared, o.by_ctas});
  if (o.ctas_per_sm == 0) {
    std::string why;
    if (o.by_warps == 0)
      why = std::to_string(o.warps_per_cta) + " warps > core.max_warps_per_sm";
    else if (o.by_registers == 0)
      why = std::to_string(o.registers_per_cta) +
            " registers > core.registers_per_sm = " + std::to_string(core.registers_per_sm);
    else if (o.by_shared == 0)
      why = std::to_string(k.shmem_bytes) + " bytes of shared memory > shared.size_kb";
    else
      why = "core.max_ctas_per_sm = 0";
    throw Error(who + ": not even one CTA fits on an SM: " + why);
  }
  return o;
}

}  // namespace joulesim::gpu
