// The GPU config schema table: one row per key path with its type, allowed range, unit,
// description, whether it has a default, and how it maps into GpuSpec.
#include <deque>
#include <type_traits>

#include "config/config.hpp"
#include "config/schema.hpp"

namespace joulesim::config::detail {
namespace {

using nlohmann::json;

// Follows a chain of member pointers: walk(g, &GpuSpec::dram, &DramSpec::timing,
// &DramTiming::trcd).
template <typename Obj, typename M>
decltype(auto) walk(Obj& o, M m) {
  return (o.*m);
}
template <typename Obj, typename M, typename... Rest>
decltype(auto) walk(Obj& o, M m, Rest... rest) {
  return walk(o.*m, rest...);
}

class Builder {
 public:
  /// A key stored in GpuSpec through the member-pointer chain @p ms.
  template <typename... Ms>
  KeyRow& field(std::string path, ValueType type, double min, double max, std::string unit,
                std::string description, Ms... ms) {
    KeyRow r;
    r.path = std::move(path);
    r.type = type;
    r.min = min;
    r.max = max;
    r.unit = std::move(unit);
    r.description = std::move(description);
    r.set = [=](GpuSpec& g, const json& v) {
      auto& ref = walk(g, ms...);
      ref = v.get<std::remove_reference_t<decltype(ref)>>();
    };
    r.get = [=](const GpuSpec& g) { return json(walk(g, ms...)); };
    rows_.push_back(std::move(r));
    return rows_.back();
  }
  /// A key with custom set/get (arrays, tensor rates) or none (resolved-only strings).
  KeyRow& custom(KeyRow r) {
    rows_.push_back(std::move(r));
    return rows_.back();
  }
  std::vector<KeyRow> take() {
    return std::vector<KeyRow>(std::make_move_iterator(rows_.begin()),
                               std::make_move_iterator(rows_.end()));
  }

 private:
  std::deque<KeyRow> rows_;  // deque: references returned by field() stay valid
};

KeyRow& with_default(KeyRow& r, std::string reason) {
  r.has_default = true;
  r.default_reason = std::move(reason);
  return r;
}

KeyRow& with_choices(KeyRow& r, std::vector<std::string> choices) {
  r.choices = std::move(choices);
  return r;
}

constexpr ValueType U = ValueType::kUint;
constexpr ValueType R = ValueType::kReal;
constexpr ValueType S = ValueType::kString;

void add_top_and_core(Builder& b) {
  b.field("name", S, 0, 0, "", "human-readable GPU name", &GpuSpec::name);
  with_choices(b.field("vendor", S, 0, 0, "", "vendor", &GpuSpec::vendor),
               {"nvidia", "amd", "other"});
  with_choices(b.field("isa", S, 0, 0, "", "instruction set family of its traces", &GpuSpec::isa),
               {"sass", "cdna"});
  for (const char* key : {"rationale", "description"}) {
    KeyRow r;
    r.path = key;
    r.type = S;
    r.allow_empty = true;
    r.description = std::string(key) == "rationale"
                        ? "why a hypothetical design differs from the one it extends"
                        : "free-text notes on the config";
    with_default(b.custom(std::move(r)), "optional text");
  }
  using C = CoreSpec;
  auto core = &GpuSpec::core;
  b.field("core.sm_count", U, 1, 4096, "SMs/CUs",
          "streaming multiprocessors (NVIDIA) or compute units (AMD)", core, &C::sm_count);
  b.field("core.subcores_per_sm", U, 1, 16, "sub-cores",
          "processing blocks (NVIDIA) or SIMDs (AMD) per SM/CU, each with its own scheduler", core,
          &C::subcores_per_sm);
  b.field("core.warp_size", U, 32, 64, "threads", "threads per warp (32) or wavefront (64)", core,
          &C::warp_size);
  b.field("core.max_warps_per_sm", U, 1, 512, "warps", "resident warps per SM", core,
          &C::max_warps_per_sm);
  b.field("core.max_ctas_per_sm", U, 1, 512, "CTAs", "resident thread blocks per SM", core,
          &C::max_ctas_per_sm);
  b.field("core.max_threads_per_cta", U, 32, 4096, "threads", "threads per thread block", core,
          &C::max_threads_per_cta);
  b.field("core.registers_per_sm", U, 1024, 1u << 22, "32-bit registers", "register file per SM",
          core, &C::registers_per_sm);
  b.field("core.register_alloc_unit", U, 1, 1u << 16, "registers per warp",
          "register allocation granularity per warp", core, &C::register_alloc_unit);
  with_default(b.field("core.issue_width", U, 1, 8, "instructions/cycle",
                       "instructions issued per sub-core per cycle", core, &C::issue_width),
               "assumed: one instruction per scheduler per cycle (NVIDIA since Volta; one wave per "
               "SIMD per cycle on CDNA)");
  with_default(b.field("core.rf_banks", U, 1, 64, "banks", "register-file banks per sub-core", core,
                       &C::rf_banks),
               "assumed: two banks per sub-core (Jia et al. 2018, Volta microbenchmarks, register "
               "bank section)");
  with_default(b.field("core.dies", U, 1, 64, "dies",
                       "compute dies (XCDs/GCDs) the SMs are split over", core, &C::dies),
               "monolithic die");
  with_default(b.field("core.gpcs", U, 1, 4096, "GPCs",
                       "graphics processing clusters the SMs are split over (a thread-block "
                       "cluster's CTAs share one)",
                       core, &C::gpcs),
               "one group: a thread-block cluster may use any SMs");
  with_default(b.field("core.sms_per_tpc", U, 1, 64, "SMs",
                       "SMs per TPC (GPCs are made of whole TPCs)", core, &C::sms_per_tpc),
               "GPCs split SM by SM");
  with_default(b.field("core.cta_launch_cycles", U, 0, 100000, "core cycles",
                       "CTA dispatch to first issue of its warps", core, &C::cta_launch_cycles),
               "no CTA launch latency modelled");
  with_choices(
      with_default(
          b.field("core.scheduler", S, 0, 0, "", "warp scheduler policy", core, &C::scheduler),
          "greedy-then-oldest, the usual GPU scheduler model (Accel-Sim configs use gto)"),
      warp_scheduler_names());
}

void add_units(Builder& b) {
  struct Pipe {
    const char* key;
    UnitSpec UnitsSpec::*member;
    const char* what;
    bool has_default;
  };
  const Pipe pipes[] = {
      {"int", &UnitsSpec::int_alu, "integer ALU", false},
      {"fp32", &UnitsSpec::fp32, "FP32 FMA pipe", false},
      {"fp16", &UnitsSpec::fp16, "packed FP16x2 pipe (lanes each do one FP16x2 FMA)", false},
      {"fp64", &UnitsSpec::fp64, "FP64 pipe", false},
      {"sfu", &UnitsSpec::sfu, "special-function unit", false},
      {"ldst", &UnitsSpec::ldst, "load/store address pipe", false},
      {"branch", &UnitsSpec::branch, "branch unit", true},
      {"scalar", &UnitsSpec::scalar, "AMD scalar unit", true},
  };
  auto units = &GpuSpec::units;
  for (const Pipe& p : pipes) {
    std::string base = std::string("units.") + p.key;
    auto& lanes = b.field(
        base + ".lanes", U, 1, 256, "lanes per sub-core",
        std::string(p.what) + ": lanes; a warp instruction occupies it warp_size/lanes cycles",
        units, p.member, &UnitSpec::lanes_per_subcore);
    auto& lat = b.field(base + ".latency", U, 1, 4096, "cycles",
                        std::string(p.what) + ": issue-to-dependent-issue latency", units, p.member,
                        &UnitSpec::latency);
    if (p.has_default) {
      with_default(lanes, "assumed: rarely the bottleneck; the default pipe width is used");
      with_default(lat, "assumed: rarely on the critical path; the default latency is used");
    }
  }
  with_default(b.field("units.int_dot_ops", U, 0, 256, "ops per lane",
                       "operations per lane of a 4-way integer dot product (IDP4A)", units,
                       &UnitsSpec::int_dot_flops_per_lane),
               "IDP4A: 4 multiplies + 4 adds per lane (CUDA __dp4a semantics)");
  with_default(b.field("units.scalar_mem_latency", U, 0, 4096, "cycles",
                       "AMD scalar-cache (s_load) hit latency; 0: l1.latency", units,
                       &UnitsSpec::scalar_mem_latency),
               "no scalar data cache (NVIDIA): constant loads use l1.latency");
}

void add_tensor(Builder& b) {
  using trace::TensorType;
  for (size_t i = 1; i < static_cast<size_t>(TensorType::kCount); ++i) {
    const auto name = std::string(trace::to_string(static_cast<TensorType>(i)));
    KeyRow r;
    r.path = "tensor." + name + "_flops_per_clk";
    r.type = R;
    r.min = 0;
    r.max = 1e7;
    r.unit = "FLOP/clk/SM";
    r.description = "dense " + name + " tensor/matrix throughput per SM per clock (0: unsupported)";
    r.set = [i](GpuSpec& g, const json& v) { g.tensor.dense_flops_per_clk[i] = v.get<double>(); };
    r.get = [i](const GpuSpec& g) { return json(g.tensor.dense_flops_per_clk[i]); };
    with_default(b.custom(std::move(r)), "no tensor path for this data type");
  }
  auto t = &GpuSpec::tensor;
  b.field("tensor.sparsity_speedup", R, 1, 8, "x",
          "throughput factor of 2:4 structured sparsity (1: no sparse path); FP64 never sparse", t,
          &TensorSpec::sparsity_speedup);
  b.field("tensor.mma_latency", U, 1, 4096, "cycles",
          "cycles after the last pipe cycle of a warp MMA until its result is usable", t,
          &TensorSpec::mma_latency);
  with_default(b.field("tensor.gmma_latency", U, 0, 8192, "cycles",
                       "extra cycles of a warpgroup (wgmma) MMA", t, &TensorSpec::gmma_latency),
               "no extra latency beyond the pipe cycles (and no warpgroup MMA before Hopper)");
}

void add_memories(Builder& b) {
  auto l1 = &GpuSpec::l1;
  b.field("l1.size_kb", U, 1, 1u << 16, "KiB",
          "L1 data cache per SM (its share of a unified array)", l1, &L1Spec::size_kb);
  with_default(
      b.field("l1.unified_kb", U, 0, 1u << 16, "KiB",
              "unified L1/shared SRAM per SM (0: separate arrays)", l1, &L1Spec::unified_kb),
      "separate L1 and shared-memory arrays");
  b.field("l1.line_bytes", U, 16, 1024, "bytes", "L1 line size", l1, &L1Spec::line_bytes);
  b.field("l1.sector_bytes", U, 16, 1024, "bytes", "L1 sector size (fill granularity)", l1,
          &L1Spec::sector_bytes);
  b.field("l1.assoc", U, 1, 1024, "ways", "L1 associativity", l1, &L1Spec::assoc);
  b.field("l1.latency", U, 1, 4096, "cycles", "L1 hit load-to-use latency", l1, &L1Spec::latency);
  with_default(b.field("l1.mshrs", U, 1, 1u << 16, "entries", "outstanding L1 sector misses", l1,
                       &L1Spec::mshrs),
               "assumed: 256 sector MSHRs per SM (Accel-Sim SM7_QV100 config, dl1 A:256)");
  with_choices(with_default(b.field("l1.write_policy", S, 0, 0, "", "L1 write policy", l1,
                                    &L1Spec::write_policy),
                            "NVIDIA and CDNA L1s write through to L2"),
               {"write_through", "write_back"});

  auto sh = &GpuSpec::shared;
  b.field("shared.size_kb", U, 0, 1u << 16, "KiB", "shared memory / LDS per SM", sh,
          &SharedSpec::size_kb);
  b.field("shared.max_per_cta_kb", U, 0, 1u << 16, "KiB", "shared memory one CTA may allocate", sh,
          &SharedSpec::max_per_cta_kb);
  b.field("shared.banks", U, 1, 256, "banks", "shared-memory banks", sh, &SharedSpec::banks);
  b.field("shared.bank_bytes", U, 4, 8, "bytes", "bank width", sh, &SharedSpec::bank_bytes);
  b.field("shared.latency", U, 1, 4096, "cycles", "conflict-free shared load-to-use latency", sh,
          &SharedSpec::latency);

  auto l2 = &GpuSpec::l2;
  b.field("l2.size_kb", U, 1, 1u << 24, "KiB", "total L2", l2, &L2Spec::size_kb);
  b.field("l2.slices", U, 1, 4096, "slices", "address-hashed L2 slices", l2, &L2Spec::slices);
  b.field("l2.assoc", U, 1, 1024, "ways", "L2 associativity", l2, &L2Spec::assoc);
  b.field("l2.line_bytes", U, 16, 1024, "bytes", "L2 line size", l2, &L2Spec::line_bytes);
  b.field("l2.sector_bytes", U, 16, 1024, "bytes", "L2 sector size", l2, &L2Spec::sector_bytes);
  b.field("l2.latency", U, 1, 8192, "core cycles", "L2 hit load-to-use latency including the NoC",
          l2, &L2Spec::latency);
  b.field("l2.bytes_per_clk", U, 1, 4096, "bytes/L2 clock/slice", "L2 slice bandwidth", l2,
          &L2Spec::bytes_per_clk_per_slice);
  with_default(
      b.field("l2.mshrs_per_slice", U, 1, 1u << 16, "entries", "outstanding misses per L2 slice",
              l2, &L2Spec::mshrs_per_slice),
      "assumed: 64 per slice (Accel-Sim A100 config, dl2 A:192 per sub-partition, rounded down)");
  with_default(b.field("l2.per_die", U, 0, 1, "0|1",
                       "1: one L2 per compute die (size and slices split over core.dies), an SM "
                       "uses only its own die's L2; 0: one L2 shared by all SMs",
                       l2, &L2Spec::per_die),
               "one L2 shared by all SMs (monolithic GPUs)");

  auto llc = &GpuSpec::llc;
  with_default(b.field("llc.size_mb", U, 0, 1u << 20, "MiB",
                       "memory-side last-level cache (0: absent)", llc, &LlcSpec::size_mb),
               "no memory-side cache");
  with_default(b.field("llc.latency", U, 0, 8192, "core cycles",
                       "extra latency of an LLC hit over the L2-miss path", llc, &LlcSpec::latency),
               "no memory-side cache");
  with_default(b.field("llc.bandwidth_gbs", R, 0, 1e6, "GB/s", "LLC peak bandwidth", llc,
                       &LlcSpec::bandwidth_gbs),
               "no memory-side cache");

  auto noc = &GpuSpec::noc;
  b.field("noc.bytes_per_clk_per_port", U, 1, 4096, "bytes/L2 clock", "crossbar port width", noc,
          &NocSpec::bytes_per_clk_per_port);
  b.field("noc.latency", U, 0, 4096, "L2 cycles", "crossbar traversal latency", noc,
          &NocSpec::latency);
  with_default(b.field("noc.cross_die_latency", U, 0, 8192, "L2 cycles",
                       "extra latency between compute dies", noc, &NocSpec::cross_die_latency),
               "monolithic die: no die crossing");
  with_default(b.field("noc.sm_to_sm_latency", U, 0, 100000, "core cycles",
                       "SM-to-SM network of a GPC: latency of a remote mbarrier arrive", noc,
                       &NocSpec::sm_to_sm_latency),
               "assumed: 180 cycles, below the ~265-cycle L2 hit that the SM-to-SM network "
               "avoids (order of the distributed-shared-memory latency Luo et al. 2024 report "
               "for Hopper; only cluster kernels use it)");
  with_default(b.field("noc.memory_dies", U, 0, 64, "dies",
                       "dies the DRAM channels and LLC are spread over (0: memory not partitioned, "
                       "no die crossing between L2 and memory)",
                       noc, &NocSpec::memory_dies),
               "memory not partitioned by die");
  with_default(b.field("noc.cross_die_gbs", R, 0, 1e6, "GB/s",
                       "per memory die and direction: bandwidth of its links to the other dies "
                       "(0: unlimited)",
                       noc, &NocSpec::cross_die_gbs),
               "no die-to-die bandwidth limit");
}

void add_dram(Builder& b) {
  auto d = &GpuSpec::dram;
  with_choices(b.field("dram.type", S, 0, 0, "", "memory technology", d, &DramSpec::type),
               {"hbm2", "hbm2e", "hbm3", "hbm3e", "gddr6", "gddr6x", "lpddr5", "sram"});
  b.field("dram.channels", U, 1, 4096, "channels", "independently scheduled (pseudo-)channels", d,
          &DramSpec::channels);
  b.field("dram.banks", U, 1, 256, "banks", "banks per channel", d, &DramSpec::banks_per_channel);
  b.field("dram.bank_groups", U, 1, 64, "groups", "bank groups per channel", d,
          &DramSpec::bank_groups);
  b.field("dram.bus_bits", U, 1, 4096, "bits", "data bus width per channel", d,
          &DramSpec::bus_bits);
  b.field("dram.data_rate_mtps", R, 1, 1e5, "MT/s per pin", "data rate", d,
          &DramSpec::data_rate_mtps);
  b.field("dram.row_bytes", U, 32, 1u << 20, "bytes", "row-buffer size per bank", d,
          &DramSpec::row_bytes);
  b.field("dram.atom_bytes", U, 4, 4096, "bytes", "bytes per column burst", d,
          &DramSpec::atom_bytes);
  b.field("dram.capacity_gb", R, 0.001, 1e6, "GB", "memory capacity", d, &DramSpec::capacity_gb);
  with_default(b.field("dram.queue_depth", U, 1, 1u << 16, "requests",
                       "scheduler queue per channel", d, &DramSpec::queue_depth),
               "assumed: 64 (Accel-Sim configs, gpgpu_frfcfs_dram_sched_queue_size 64)");
  with_default(b.field("dram.controller_ns", R, 0, 10000, "ns",
                       "fixed controller/PHY/return-path latency of a DRAM read", d,
                       &DramSpec::controller_ns),
               "no latency beyond the DRAM array timing");
  with_choices(
      with_default(
          b.field("dram.scheduler", S, 0, 0, "", "DRAM command scheduler", d, &DramSpec::scheduler),
          "FR-FCFS, the standard open-row-first scheduler (Rixner et al. ISCA 2000)"),
      dram_scheduler_names());
  struct T {
    const char* key;
    uint32_t DramTiming::*member;
    const char* what;
  };
  const T timings[] = {
      {"trcd", &DramTiming::trcd, "ACT to column command"},
      {"trp", &DramTiming::trp, "precharge period"},
      {"tcl", &DramTiming::tcl, "read column to data (CAS latency)"},
      {"tras", &DramTiming::tras, "ACT to precharge minimum"},
      {"tccd_s", &DramTiming::tccd_s, "column to column, different bank group"},
      {"tccd_l", &DramTiming::tccd_l, "column to column, same bank group"},
      {"trrd", &DramTiming::trrd, "ACT to ACT, different banks"},
      {"tfaw", &DramTiming::tfaw, "four-activate window"},
      {"twr", &DramTiming::twr, "write recovery"},
      {"trtp", &DramTiming::trtp, "read to precharge"},
      {"twtr", &DramTiming::twtr, "write to read turnaround"},
      {"trefi", &DramTiming::trefi, "refresh interval"},
      {"trfc", &DramTiming::trfc, "refresh cycle time"},
      {"burst_cycles", &DramTiming::burst_cycles, "data-bus cycles of one burst"},
  };
  for (const T& t : timings) {
    b.field(std::string("dram.timing.") + t.key, U, 1, 1u << 20, "DRAM clocks (tCK)", t.what, d,
            &DramSpec::timing, t.member);
  }
  with_default(b.field("dram.timing.trfcsb", U, 0, 1u << 20, "DRAM clocks (tCK)",
                       "per-bank refresh cycle time (0: all-bank refresh)", d, &DramSpec::timing,
                       &DramTiming::trfcsb),
               "all-bank refresh (REFab)");
}

void add_clocks_power(Builder& b) {
  auto c = &GpuSpec::clocks;
  b.field("clocks.core_mhz", R, 1, 10000, "MHz",
          "core clock at the default operating point (boost)", c, &ClockSpec::core_mhz);
  b.field("clocks.base_mhz", R, 1, 10000, "MHz", "base clock", c, &ClockSpec::base_mhz);
  b.field("clocks.l2_mhz", R, 1, 10000, "MHz", "L2/NoC clock", c, &ClockSpec::l2_mhz);
  b.field("clocks.dram_mhz", R, 1, 10000, "MHz", "DRAM command clock (tCK = 1/dram_mhz)", c,
          &ClockSpec::dram_mhz);

  KeyRow pts;
  pts.path = "dvfs.points";
  pts.type = ValueType::kDvfsPoints;
  pts.min = 0;
  pts.max = 10000;
  pts.unit = "[[MHz, V], ...]";
  pts.description = "voltage-frequency table, ascending in MHz";
  pts.set = [](GpuSpec& g, const json& v) {
    g.dvfs.points.clear();
    for (const auto& p : v) g.dvfs.points.push_back({p[0].get<double>(), p[1].get<double>()});
  };
  pts.get = [](const GpuSpec& g) {
    json a = json::array();
    for (const auto& p : g.dvfs.points) a.push_back({p.mhz, p.volts});
    return a;
  };
  b.custom(std::move(pts));
  with_default(
      b.field("dvfs.core_mhz", R, 0, 10000, "MHz", "chosen operating point (0: clocks.core_mhz)",
              &GpuSpec::dvfs, &DvfsSpec::core_mhz),
      "run at clocks.core_mhz");

  auto p = &GpuSpec::power;
  b.field("power.tdp_w", R, 0.001, 1e5, "W", "board/package power limit", p, &PowerSpec::tdp_w);
  b.field("power.energy_table", S, 0, 0, "", "energy table, models/energy/<name>.json", p,
          &PowerSpec::energy_table);
  with_default(b.field("power.temperature_c", R, -50, 150, "degC",
                       "junction temperature assumed for leakage", p, &PowerSpec::temperature_c),
               "AccelWattch measured its Volta power at 65 degC "
               "(accelwattch-volta/hw_power_validation_volta.csv notes)");

  with_default(b.field("power.dram_energy_scale", R, 0.01, 100, "x",
                       "scale on the energy table's DRAM energies (hypothetical memories)", p,
                       &PowerSpec::dram_energy_scale),
               "the energy table's DRAM energies as tabled");

  auto ch = &GpuSpec::chip;
  b.field("chip.process", S, 0, 0, "", "process name, e.g. TSMC 4N", ch, &ChipSpec::process);
  b.field("chip.node_nm", R, 1, 1000, "nm", "process node", ch, &ChipSpec::node_nm);
  b.field("chip.die_area_mm2", R, 0.01, 1e5, "mm^2", "compute die area (all dies)", ch,
          &ChipSpec::die_area_mm2);
  b.field("chip.transistors_billion", R, 0.0001, 1e5, "billion", "transistor count", ch,
          &ChipSpec::transistors_billion);
  b.field("chip.link_gbs", R, 0, 1e6, "GB/s",
          "NVLink / Infinity Fabric bandwidth per direction (0: none)", ch, &ChipSpec::link_gbs);
}

}  // namespace

std::vector<KeyRow> build_schema() {
  Builder b;
  add_top_and_core(b);
  add_units(b);
  add_tensor(b);
  add_memories(b);
  add_dram(b);
  add_clocks_power(b);
  return b.take();
}

}  // namespace joulesim::config::detail
