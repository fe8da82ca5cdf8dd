#pragma once
/// @file
/// GpuSpec: the typed, validated, immutable description of one GPU design. Built by the config
/// loader from JSON (configs/gpus/...), consumed by the timing and energy models. Every member
/// maps one-to-one to a JSON key path (e.g. `l2.size_kb`, `dram.timing.trcd`), named in the
/// comment; the schema in schema.cpp holds its type, allowed range and description.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "trace/trace.hpp"

namespace joulesim::config {

/// One functional-unit pipe per sub-core (`units.<name>.*`).
struct UnitSpec {
  uint32_t lanes_per_subcore =
      16;                ///< `lanes`: a warp instruction occupies the pipe warp_size/lanes cycles
  uint32_t latency = 4;  ///< `latency`: cycles from issue until dependants may issue
};

/// `core.*`: the streaming multiprocessor (NVIDIA) or compute unit (AMD).
struct CoreSpec {
  uint32_t sm_count = 80;               ///< `core.sm_count`
  uint32_t subcores_per_sm = 4;         ///< `core.subcores_per_sm` (processing blocks / SIMDs)
  uint32_t warp_size = 32;              ///< `core.warp_size` (64 for CDNA wave64)
  uint32_t max_warps_per_sm = 64;       ///< `core.max_warps_per_sm`
  uint32_t max_ctas_per_sm = 32;        ///< `core.max_ctas_per_sm`
  uint32_t max_threads_per_cta = 1024;  ///< `core.max_threads_per_cta`
  uint32_t registers_per_sm = 65536;    ///< `core.registers_per_sm` (32-bit registers)
  uint32_t register_alloc_unit =
      256;                   ///< `core.register_alloc_unit` (registers per warp, granularity)
  uint32_t issue_width = 1;  ///< `core.issue_width` instructions per sub-core per cycle
  uint32_t rf_banks = 2;     ///< `core.rf_banks` register-file banks per sub-core
  uint32_t dies = 1;         ///< `core.dies` compute dies (XCDs); SMs split evenly
  /// `core.gpcs`: graphics processing clusters, made of whole TPCs of `core.sms_per_tpc` SMs:
  /// SM i is in TPC t = i / sms_per_tpc, and TPC t of T in GPC t * G / T with G = min(gpcs, T)
  /// (as even a split as the counts allow; a config cut down with --set core.sm_count keeps at
  /// least one TPC per GPC). A thread-block cluster's CTAs share one GPC.
  uint32_t gpcs = 1;
  uint32_t sms_per_tpc = 1;       ///< `core.sms_per_tpc` SMs per texture processing cluster
  std::string scheduler = "gto";  ///< `core.scheduler`: warp scheduler by name (gto, lrr)
  /// `core.cta_launch_cycles`: cycles from a CTA's dispatch to its warps' first issue (block
  /// scheduler, warp and register set-up); charged to every CTA, so the turnover of short CTAs
  /// costs it once per CTA.
  uint32_t cta_launch_cycles = 0;
};

/// `units.*`: the non-tensor pipes.
struct UnitsSpec {
  UnitSpec int_alu{16, 4};  ///< `units.int`
  UnitSpec fp32{16, 4};     ///< `units.fp32`
  UnitSpec fp16{16, 4};     ///< `units.fp16` (packed FP16x2 instructions)
  UnitSpec fp64{8, 8};      ///< `units.fp64`
  UnitSpec sfu{4, 21};      ///< `units.sfu`
  UnitSpec ldst{16, 4};     ///< `units.ldst` (address generation; memory latency comes from caches)
  UnitSpec branch{16, 4};   ///< `units.branch`
  UnitSpec scalar{1, 2};    ///< `units.scalar` (AMD scalar unit; lanes = 1 instruction per cycle)
  uint32_t int_dot_flops_per_lane = 8;  ///< `units.int_dot_ops` ops per lane of IDP4A
  uint32_t scalar_mem_latency =
      0;  ///< `units.scalar_mem_latency` AMD s_load hit cycles (0: l1.latency)
};

/// `tensor.*`: tensor/matrix cores. Per-type dense rates; an MMA instruction of F FLOPs occupies
/// a sub-core's tensor unit for F / (rate / subcores) cycles.
struct TensorSpec {
  /// `tensor.<type>_flops_per_clk` dense FLOPs per clock per SM, by trace::TensorType (0:
  /// unsupported).
  std::array<double, static_cast<size_t>(trace::TensorType::kCount)> dense_flops_per_clk{};
  double sparsity_speedup = 2.0;  ///< `tensor.sparsity_speedup` of 2:4 structured sparsity
  uint32_t mma_latency =
      16;  ///< `tensor.mma_latency` cycles after the last pipe cycle of a warp MMA
  uint32_t gmma_latency = 0;  ///< `tensor.gmma_latency` extra cycles of a warpgroup MMA (0: none)
};

/// `l1.*`: the sectored L1 data cache.
struct L1Spec {
  uint32_t size_kb = 32;    ///< `l1.size_kb` (data-cache share of the unified array)
  uint32_t unified_kb = 0;  ///< `l1.unified_kb` unified L1/shared SRAM per SM (0: separate arrays)
  uint32_t line_bytes = 128;                   ///< `l1.line_bytes`
  uint32_t sector_bytes = 32;                  ///< `l1.sector_bytes`
  uint32_t assoc = 4;                          ///< `l1.assoc`
  uint32_t latency = 28;                       ///< `l1.latency` load-to-use cycles on a hit
  uint32_t mshrs = 256;                        ///< `l1.mshrs` outstanding sector misses
  std::string write_policy = "write_through";  ///< `l1.write_policy`: write_through | write_back
};

/// `shared.*`: shared memory / LDS.
struct SharedSpec {
  uint32_t size_kb = 96;         ///< `shared.size_kb` per SM
  uint32_t max_per_cta_kb = 96;  ///< `shared.max_per_cta_kb`
  uint32_t banks = 32;           ///< `shared.banks`
  uint32_t bank_bytes = 4;       ///< `shared.bank_bytes`
  uint32_t latency = 19;         ///< `shared.latency` conflict-free load-to-use cycles
};

/// `l2.*`: the shared L2, split into address-hashed slices.
struct L2Spec {
  uint32_t size_kb = 6144;     ///< `l2.size_kb`
  uint32_t slices = 64;        ///< `l2.slices`
  uint32_t assoc = 16;         ///< `l2.assoc`
  uint32_t line_bytes = 128;   ///< `l2.line_bytes`
  uint32_t sector_bytes = 32;  ///< `l2.sector_bytes`
  uint32_t latency = 190;      ///< `l2.latency` core cycles, load-to-use on a hit (incl. NoC)
  uint32_t bytes_per_clk_per_slice = 64;  ///< `l2.bytes_per_clk` per slice per L2 clock
  uint32_t mshrs_per_slice = 64;          ///< `l2.mshrs_per_slice`
  /// `l2.per_die`: 1 = one L2 per compute die (size_kb and slices split evenly over core.dies;
  /// an SM uses only its own die's L2, as on MI300X's XCDs); 0 = one L2 shared by all SMs.
  uint32_t per_die = 0;
};

/// `llc.*`: an optional memory-side last-level cache (e.g. Infinity Cache). size 0: absent.
struct LlcSpec {
  uint32_t size_mb = 0;      ///< `llc.size_mb`
  uint32_t latency = 0;      ///< `llc.latency` extra core cycles over an L2 miss path
  double bandwidth_gbs = 0;  ///< `llc.bandwidth_gbs`
};

/// `noc.*`: the crossbar between SMs and L2 slices.
struct NocSpec {
  uint32_t bytes_per_clk_per_port = 32;  ///< `noc.bytes_per_clk_per_port`
  uint32_t latency = 8;                  ///< `noc.latency` L2-clock cycles per traversal
  uint32_t cross_die_latency = 0;        ///< `noc.cross_die_latency` extra cycles between dies
  /// `noc.sm_to_sm_latency`: core cycles of a signal over the SM-to-SM network of a GPC (a
  /// remote mbarrier arrive on another CTA of the cluster).
  uint32_t sm_to_sm_latency = 180;
  /// `noc.memory_dies`: dies the DRAM channels (and LLC) are spread over, e.g. MI300X's 4 IODs
  /// (0: memory is not partitioned; no die crossing between L2 and memory).
  uint32_t memory_dies = 0;
  /// `noc.cross_die_gbs`: bandwidth per direction of one memory die's links to the other dies,
  /// carrying L2 <-> memory traffic whose home is on another die (0: unlimited).
  double cross_die_gbs = 0;
};

/// `dram.timing.*` in DRAM command-clock cycles (tCK).
struct DramTiming {
  uint32_t trcd = 14, trp = 14, tcl = 14, tras = 33, tccd_s = 2, tccd_l = 4, trrd = 4, tfaw = 16;
  uint32_t twr = 16, trtp = 4, twtr = 8, trefi = 3900, trfc = 260, burst_cycles = 2;
  /// `dram.timing.trfcsb`: 0 = all-bank refresh (REFab, tRFC every tREFI); > 0 = per-bank refresh
  /// (REFsb): one bank every tREFI / banks, each blocking only its bank for trfcsb.
  uint32_t trfcsb = 0;
};

/// `dram.*`: the HBM/GDDR subsystem.
struct DramSpec {
  std::string type = "hbm2";  ///< `dram.type`
  uint32_t channels = 32;     ///< `dram.channels` (pseudo-channels, each independently scheduled)
  uint32_t banks_per_channel = 16;  ///< `dram.banks`
  uint32_t bank_groups = 4;         ///< `dram.bank_groups`
  uint32_t bus_bits = 64;           ///< `dram.bus_bits` per channel
  double data_rate_mtps = 1752;  ///< `dram.data_rate_mtps` transfers per second per pin (millions)
  uint32_t row_bytes = 1024;     ///< `dram.row_bytes` row-buffer size per bank
  uint32_t atom_bytes = 32;      ///< `dram.atom_bytes` bytes per column burst
  double capacity_gb = 32;       ///< `dram.capacity_gb`
  uint32_t queue_depth = 64;     ///< `dram.queue_depth` per channel
  std::string scheduler = "fr_fcfs";  ///< `dram.scheduler`: fr_fcfs | fcfs
  /// `dram.controller_ns`: fixed latency a read spends in the memory controller, PHY and return
  /// path beyond the DRAM array timing (pipeline latency: it adds to every DRAM read, never
  /// occupies a bank or the bus, so it lowers latency-bound bandwidth but not the peak).
  double controller_ns = 0;
  DramTiming timing;  ///< `dram.timing`
  /// Peak bandwidth in bytes per second implied by the parameters.
  double peak_bytes_per_s() const { return channels * (bus_bits / 8.0) * data_rate_mtps * 1e6; }
};

/// `clocks.*` in MHz.
struct ClockSpec {
  double core_mhz = 1530;  ///< `clocks.core_mhz` (boost; the default operating point)
  double base_mhz = 1230;  ///< `clocks.base_mhz`
  double l2_mhz = 1530;    ///< `clocks.l2_mhz`
  double dram_mhz = 876;   ///< `clocks.dram_mhz` DRAM command clock
};

/// `dvfs.*`: voltage-frequency table and the chosen point.
struct DvfsPoint {
  double mhz = 0;
  double volts = 0;
};
struct DvfsSpec {
  std::vector<DvfsPoint> points;  ///< `dvfs.points` [[mhz, volts], ...] ascending
  double core_mhz = 0;            ///< `dvfs.core_mhz` chosen point (0: clocks.core_mhz)
};

/// `power.*` and `chip.*`: what the energy and carbon models need.
struct PowerSpec {
  double tdp_w = 300;         ///< `power.tdp_w`
  std::string energy_table;   ///< `power.energy_table` path under models/energy
  double temperature_c = 65;  ///< `power.temperature_c` junction temperature assumed
  /// `power.dram_energy_scale`: multiplies the energy table's DRAM energies (1: as tabled;
  /// 0.5: a hypothetical HBM at half the pJ/bit).
  double dram_energy_scale = 1.0;
};
struct ChipSpec {
  std::string process = "12nm";       ///< `chip.process`
  double node_nm = 12;                ///< `chip.node_nm`
  double die_area_mm2 = 815;          ///< `chip.die_area_mm2` (all compute dies)
  double transistors_billion = 21.1;  ///< `chip.transistors_billion`
  double link_gbs = 0;  ///< `chip.link_gbs` NVLink / Infinity Fabric bandwidth per direction
};

/// The whole GPU.
struct GpuSpec {
  std::string name;               ///< `name` human-readable
  std::string vendor = "nvidia";  ///< `vendor`: nvidia | amd | other
  std::string isa = "sass";       ///< `isa`: sass | cdna
  CoreSpec core;
  UnitsSpec units;
  TensorSpec tensor;
  L1Spec l1;
  SharedSpec shared;
  L2Spec l2;
  LlcSpec llc;
  NocSpec noc;
  DramSpec dram;
  ClockSpec clocks;
  DvfsSpec dvfs;
  PowerSpec power;
  ChipSpec chip;

  /// Core clock in MHz actually used: dvfs.core_mhz if set, else clocks.core_mhz.
  double core_mhz() const { return dvfs.core_mhz > 0 ? dvfs.core_mhz : clocks.core_mhz; }
};

}  // namespace joulesim::config
