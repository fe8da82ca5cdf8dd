#pragma once
// Helpers for the generator tests: flatten a trace into plain records, and an opcode-shape parser
// written independently of the trace subsystem's classifier.
#include <cstdint>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "trace/generators.hpp"

namespace gentest {

using namespace joulesim::trace;
using joulesim::trace::gen::ParamList;

/// One warp instruction with its opcode name and expanded lane addresses.
struct Rec {
  uint64_t cta = 0;  // linear CTA index in read order
  uint32_t warp = 0;
  std::string opcode;
  bool known = false;  // the trace subsystem's ISA table classifies the opcode
  Instruction inst;
  std::vector<uint64_t> addrs;
};

struct Flat {
  std::vector<KernelInfo> kernels;
  std::vector<std::pair<uint64_t, uint64_t>> copies;
  std::vector<Rec> recs;             // all kernels, CTA by CTA, warp by warp
  std::vector<uint64_t> warp_sizes;  // instructions per warp, in order
};

inline Flat flatten(TraceSource& src) {
  Flat f;
  TraceCommand cmd;
  while (src.next(cmd)) {
    if (cmd.kind == TraceCommand::Kind::kMemcpyHtoD) {
      f.copies.emplace_back(cmd.address, cmd.bytes);
      continue;
    }
    KernelReader& r = *cmd.kernel;
    f.kernels.push_back(r.info());
    CtaTrace cta;
    uint64_t index = 0;
    while (r.next_cta(cta)) {
      for (const WarpTrace& w : cta.warps) {
        f.warp_sizes.push_back(w.insts.size());
        for (const Instruction& in : w.insts) {
          Rec rec;
          rec.cta = index;
          rec.warp = w.warp_in_cta;
          rec.opcode = r.opcodes()[in.opcode].name;
          rec.known = r.opcodes()[in.opcode].known;
          rec.inst = in;
          if (in.mem_width != 0) {
            rec.addrs.assign(w.addresses.begin() + in.addr_index,
                             w.addresses.begin() + in.addr_index + in.active_lanes());
          }
          f.recs.push_back(std::move(rec));
        }
      }
      ++index;
    }
  }
  return f;
}

inline Flat make_flat(const std::string& name, const ParamList& params,
                      std::optional<gen::Isa> isa = std::nullopt) {
  MemoryTraceSource s = gen::generate(name, params, isa);
  return flatten(s);
}

inline std::string base_of(const std::string& op) { return op.substr(0, op.find('.')); }

/// MMA shape (m, n, k) from an opcode name: "64x256x16" tokens (GMMA, MFMA) or the packed SASS
/// digits "16816" = m16 n8 k16, "884" = m8 n8 k4. Zero if none.
struct Shape {
  uint64_t m = 0, n = 0, k = 0;
};
inline Shape mma_shape(const std::string& op) {
  static const std::regex xyz("([0-9]+)x([0-9]+)x([0-9]+)");
  std::smatch mt;
  if (std::regex_search(op, mt, xyz)) {
    return {std::stoull(mt[1]), std::stoull(mt[2]), std::stoull(mt[3])};
  }
  const std::string b = base_of(op);
  if (b != "HMMA" && b != "IMMA" && b != "DMMA" && b != "QMMA" && b != "OMMA") return {};
  static const std::regex packed("\\.(16|8)(8)([0-9]+)(\\.|$)");
  if (std::regex_search(op, mt, packed)) {
    return {std::stoull(mt[1]), std::stoull(mt[2]), std::stoull(mt[3])};
  }
  return {};
}

/// Tensor FLOPs of one warp instruction; warpgroup MMAs count a quarter per warp.
inline uint64_t mma_flops(const std::string& op) {
  Shape s = mma_shape(op);
  uint64_t f = 2 * s.m * s.n * s.k;
  const std::string b = base_of(op);
  if (b == "HGMMA" || b == "QGMMA" || b == "IGMMA") f /= 4;
  return f;
}

}  // namespace gentest
