#include "trace/trace_stats.hpp"

#include <cstdio>
#include <sstream>

#include "trace/dim_text.hpp"
#include "trace/jst_format.hpp"

namespace joulesim::trace {

namespace {
constexpr size_t kClasses = static_cast<size_t>(OpClass::kCount);
constexpr size_t kSpaces = static_cast<size_t>(MemSpace::kCount);

nlohmann::ordered_json dim_json(const Dim3& d) { return {d.x, d.y, d.z}; }

void add_counts(KernelSummary& total, const KernelSummary& k) {
  total.ctas += k.ctas;
  total.warps += k.warps;
  total.warp_insts += k.warp_insts;
  total.thread_insts += k.thread_insts;
  for (size_t i = 0; i < kClasses; ++i) {
    total.warp_insts_by_class[i] += k.warp_insts_by_class[i];
    total.thread_insts_by_class[i] += k.thread_insts_by_class[i];
  }
  for (size_t i = 0; i < kSpaces; ++i) {
    total.memory[i].warp_insts += k.memory[i].warp_insts;
    total.memory[i].lane_accesses += k.memory[i].lane_accesses;
    total.memory[i].bytes += k.memory[i].bytes;
  }
  for (const auto& [op, n] : k.unknown_opcodes) total.unknown_opcodes[op] += n;
}

nlohmann::ordered_json counts_json(const KernelSummary& k) {
  // Sub-objects are built first: ordered_json stores members in a vector, so a reference into
  // it would not survive the next insertion.
  nlohmann::ordered_json by = nlohmann::ordered_json::object();
  nlohmann::ordered_json tby = nlohmann::ordered_json::object();
  for (size_t i = 0; i < kClasses; ++i) {
    if (k.warp_insts_by_class[i] == 0) continue;
    by[std::string(to_string(static_cast<OpClass>(i)))] = k.warp_insts_by_class[i];
    tby[std::string(to_string(static_cast<OpClass>(i)))] = k.thread_insts_by_class[i];
  }
  nlohmann::ordered_json mem = nlohmann::ordered_json::object();
  for (size_t i = 0; i < kSpaces; ++i) {
    const MemSpaceStats& m = k.memory[i];
    if (m.warp_insts == 0) continue;
    mem[std::string(to_string(static_cast<MemSpace>(i)))] = {
        {"warp_insts", m.warp_insts}, {"lane_accesses", m.lane_accesses}, {"bytes", m.bytes}};
  }
  nlohmann::ordered_json unk = nlohmann::ordered_json::object();
  for (const auto& [op, n] : k.unknown_opcodes) unk[op] = n;
  nlohmann::ordered_json j;
  j["ctas"] = k.ctas;
  j["warps"] = k.warps;
  j["warp_insts"] = k.warp_insts;
  j["thread_insts"] = k.thread_insts;
  j["warp_insts_by_class"] = std::move(by);
  j["thread_insts_by_class"] = std::move(tby);
  j["memory"] = std::move(mem);
  j["unknown_opcodes"] = std::move(unk);
  return j;
}

std::string with_commas(uint64_t v) {
  std::string s = std::to_string(v);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<size_t>(i), ",");
  return s;
}

void counts_table(std::ostringstream& o, const KernelSummary& k) {
  char line[160];
  std::snprintf(line, sizeof(line), "  CTAs %s   warps %s   warp insts %s   thread insts %s\n",
                with_commas(k.ctas).c_str(), with_commas(k.warps).c_str(),
                with_commas(k.warp_insts).c_str(), with_commas(k.thread_insts).c_str());
  o << line;
  o << "  op class          warp insts    thread insts   share\n";
  for (size_t i = 0; i < kClasses; ++i) {
    if (k.warp_insts_by_class[i] == 0) continue;
    double share =
        k.warp_insts ? 100.0 * double(k.warp_insts_by_class[i]) / double(k.warp_insts) : 0;
    std::snprintf(line, sizeof(line), "  %-14s %13s %15s  %5.1f%%\n",
                  std::string(to_string(static_cast<OpClass>(i))).c_str(),
                  with_commas(k.warp_insts_by_class[i]).c_str(),
                  with_commas(k.thread_insts_by_class[i]).c_str(), share);
    o << line;
  }
  bool any_mem = false;
  for (const auto& m : k.memory) any_mem = any_mem || m.warp_insts != 0;
  if (any_mem) {
    o << "  memory space      warp insts   lane accesses           bytes\n";
    for (size_t i = 0; i < kSpaces; ++i) {
      const MemSpaceStats& m = k.memory[i];
      if (m.warp_insts == 0) continue;
      std::snprintf(line, sizeof(line), "  %-14s %13s %15s %15s\n",
                    std::string(to_string(static_cast<MemSpace>(i))).c_str(),
                    with_commas(m.warp_insts).c_str(), with_commas(m.lane_accesses).c_str(),
                    with_commas(m.bytes).c_str());
      o << line;
    }
  }
  if (!k.unknown_opcodes.empty()) {
    o << "  unknown opcodes (simulated as generic integer ALU ops):\n";
    for (const auto& [op, n] : k.unknown_opcodes)
      o << "    " << op << "  " << with_commas(n) << "\n";
  }
}
}  // namespace

KernelSummary summarize_kernel(KernelReader& kernel) {
  KernelSummary k;
  k.info = kernel.info();
  k.isa_table = isa_table_version(k.info.isa, k.info.binary_version);
  std::vector<uint64_t> per_opcode;  // warp instructions per opcode index (for unknown ones)
  CtaTrace cta;
  while (kernel.next_cta(cta)) {
    ++k.ctas;
    per_opcode.resize(kernel.opcodes().size(), 0);
    for (const WarpTrace& w : cta.warps) {
      ++k.warps;
      k.warp_insts += w.insts.size();
      for (const Instruction& in : w.insts) {
        const uint64_t lanes = static_cast<uint64_t>(detail::popcount64(in.active_mask));
        const size_t c = static_cast<size_t>(in.op_class);
        k.thread_insts += lanes;
        ++k.warp_insts_by_class[c];
        k.thread_insts_by_class[c] += lanes;
        ++per_opcode[in.opcode];
        if (in.mem_width != 0) {
          MemSpaceStats& m = k.memory[static_cast<size_t>(in.space)];
          ++m.warp_insts;
          m.lane_accesses += lanes;
          m.bytes += lanes * in.mem_width;
        }
      }
    }
  }
  const OpcodeTable& table = kernel.opcodes();
  for (size_t i = 0; i < per_opcode.size(); ++i) {
    const OpcodeInfo& info = table[static_cast<uint16_t>(i)];
    if (!info.known && per_opcode[i] != 0) k.unknown_opcodes[info.name] += per_opcode[i];
  }
  return k;
}

TraceSummary summarize_trace(TraceSource& source) {
  TraceSummary s;
  TraceCommand cmd;
  while (source.next(cmd)) {
    if (cmd.kind == TraceCommand::Kind::kMemcpyHtoD) {
      ++s.memcpys;
      s.memcpy_bytes += cmd.bytes;
    } else {
      s.kernels.push_back(summarize_kernel(*cmd.kernel));
    }
  }
  return s;
}

nlohmann::ordered_json TraceSummary::to_json() const {
  nlohmann::ordered_json j;
  j["memcpys"] = memcpys;
  j["memcpy_bytes"] = memcpy_bytes;
  nlohmann::ordered_json ks = nlohmann::ordered_json::array();
  KernelSummary total;
  std::vector<std::string> warnings;
  for (const KernelSummary& k : kernels) {
    nlohmann::ordered_json kj;
    const KernelInfo& i = k.info;
    kj["name"] = i.name;
    kj["id"] = i.id;
    kj["grid"] = dim_json(i.grid);
    kj["block"] = dim_json(i.block);
    kj["threads_per_cta"] = i.block.count();
    kj["shmem_bytes"] = i.shmem_bytes;
    kj["regs_per_thread"] = i.regs_per_thread;
    kj["regs_in_header"] = i.regs_in_header;
    kj["isa"] = i.isa == IsaFamily::kSass ? "sass" : "cdna";
    kj["binary_version"] = i.binary_version;
    kj["isa_table"] = isa_name(i.isa, k.isa_table);
    kj["tracer_version"] = i.tracer_version;
    kj["stream_id"] = i.stream_id;
    kj["warp_size"] = i.warp_size;
    kj["warnings"] = i.warnings;
    const nlohmann::ordered_json counts = counts_json(k);  // a named value: items() refers to it
    for (const auto& [key, v] : counts.items()) kj[key] = v;
    ks.push_back(std::move(kj));
    add_counts(total, k);
    warnings.insert(warnings.end(), i.warnings.begin(), i.warnings.end());
  }
  j["kernels"] = std::move(ks);
  auto t = counts_json(total);
  t.erase("warps");
  nlohmann::ordered_json tj;
  tj["kernels"] = kernels.size();
  tj["warps"] = total.warps;
  for (const auto& [key, v] : t.items()) tj[key] = v;
  tj["warnings"] = warnings;
  j["total"] = std::move(tj);
  return j;
}

std::string TraceSummary::to_table() const {
  std::ostringstream o;
  o << kernels.size() << (kernels.size() == 1 ? " kernel" : " kernels") << ", " << memcpys
    << " host-to-device copies (" << with_commas(memcpy_bytes) << " bytes)\n";
  KernelSummary total;
  for (const KernelSummary& k : kernels) {
    const KernelInfo& i = k.info;
    o << "\nkernel " << i.id << ": " << i.name << "\n";
    o << "  grid " << dim_text(i.grid) << "  block " << dim_text(i.block) << "  shmem "
      << i.shmem_bytes << " B  regs " << i.regs_per_thread;
    if (i.regs_in_header != i.regs_per_thread) o << " (header says " << i.regs_in_header << ")";
    o << "  " << isa_name(i.isa, i.binary_version);
    if (k.isa_table != i.binary_version)
      o << " (opcodes classified as " << isa_name(i.isa, k.isa_table) << ")";
    o << "  tracer v" << i.tracer_version << "\n";
    for (const auto& w : i.warnings) o << "  warning: " << w << "\n";
    counts_table(o, k);
    add_counts(total, k);
  }
  if (kernels.size() > 1) {
    o << "\ntotal\n";
    counts_table(o, total);
  }
  return o.str();
}

}  // namespace joulesim::trace
