// Compact resident CTAs: static-instruction interning and lane-address compression.
#include "gpu/resident_cta.hpp"

#include <algorithm>

#include "core/error.hpp"

namespace joulesim::gpu {

namespace {

using trace::Instruction;

bool same_static(const Instruction& a, const Instruction& b) {
  return a.pc == b.pc && a.opcode == b.opcode && a.immediate == b.immediate &&
         a.op_class == b.op_class && a.unit == b.unit && a.space == b.space &&
         a.mem_width == b.mem_width && a.num_dst == b.num_dst && a.num_src == b.num_src &&
         std::equal(a.dst.begin(), a.dst.begin() + a.num_dst, b.dst.begin()) &&
         std::equal(a.src.begin(), a.src.begin() + a.num_src, b.src.begin());
}

/// Staged warps longer than this (4 MB of expanded instructions) are not kept for reuse.
constexpr size_t kKeepStagedInsts = size_t{1} << 16;

uint64_t hash_of(const Instruction& i) {
  return (uint64_t{i.pc} * 0x9E3779B97F4A7C15ull) ^ (uint64_t{i.opcode} * 0xC2B2AE3D27D4EB4Full);
}

}  // namespace

void StaticTable::clear() {
  insts_.clear();
  std::fill(slots_.begin(), slots_.end(), 0u);
}

void StaticTable::grow() {
  slots_.assign(std::max<size_t>(1024, slots_.size() * 2), 0u);
  const size_t mask = slots_.size() - 1;
  for (size_t e = 0; e < insts_.size(); ++e) {
    size_t s = (hash_of(insts_[e]) >> 20) & mask;
    while (slots_[s] != 0) s = (s + 1) & mask;
    slots_[s] = static_cast<uint32_t>(e + 1);
  }
}

uint32_t StaticTable::intern(const Instruction& inst) {
  if (2 * (insts_.size() + 1) > slots_.size()) grow();
  const size_t mask = slots_.size() - 1;
  size_t s = (hash_of(inst) >> 20) & mask;
  for (; slots_[s] != 0; s = (s + 1) & mask) {
    const uint32_t e = slots_[s] - 1;
    if (same_static(insts_[e], inst)) return e;
  }
  if (insts_.size() >= kAffineAddr) throw Error("kernel has more than 2^31 static instructions");
  Instruction& n = insts_.emplace_back();
  n.pc = inst.pc;
  n.immediate = inst.immediate;
  n.opcode = inst.opcode;
  n.op_class = inst.op_class;
  n.unit = inst.unit;
  n.space = inst.space;
  n.mem_width = inst.mem_width;
  n.num_dst = inst.num_dst;
  n.num_src = inst.num_src;
  std::copy_n(inst.dst.begin(), inst.num_dst, n.dst.begin());
  std::copy_n(inst.src.begin(), inst.num_src, n.src.begin());
  const uint32_t e = static_cast<uint32_t>(insts_.size() - 1);
  slots_[s] = e + 1;
  return e;
}

void make_resident(trace::CtaTrace& in, StaticTable& table, ResidentCta& out) {
  out.id = in.id;
  out.num_warps = static_cast<uint32_t>(in.warps.size());
  if (out.warps.size() < in.warps.size()) out.warps.resize(in.warps.size());
  for (size_t w = 0; w < in.warps.size(); ++w) {
    trace::WarpTrace& src = in.warps[w];
    ResidentWarp& dst = out.warps[w];
    dst.warp_in_cta = src.warp_in_cta;
    dst.insts.clear();
    dst.insts.reserve(src.insts.size());
    dst.addrs.clear();
    for (size_t i = 0; i < src.insts.size(); ++i) {
      const Instruction& inst = src.insts[i];
      DynInst& d = dst.insts.emplace_back();
      d.mask = inst.active_mask;
      d.stat = table.intern(inst);
      if (inst.mem_width == 0) continue;
      const int n = inst.active_lanes();
      if (n == 0) continue;
      if (inst.addr_index + static_cast<size_t>(n) > src.addresses.size()) {
        throw Error("internal: CTA trace has fewer lane addresses than its active lanes");
      }
      const uint64_t* a = src.addresses.data() + inst.addr_index;
      const size_t at = dst.addrs.size();
      if (at >= kAffineAddr) throw Error("a warp of the trace has more than 2^31 lane addresses");
      d.addr = static_cast<uint32_t>(at);
      bool affine = n >= 3;
      const uint64_t stride = n >= 2 ? a[1] - a[0] : 0;
      for (int k = 2; affine && k < n; ++k) affine = a[k] - a[k - 1] == stride;
      if (affine) {
        d.addr |= kAffineAddr;
        dst.addrs.push_back(a[0]);
        dst.addrs.push_back(stride);
      } else {
        dst.addrs.insert(dst.addrs.end(), a, a + n);
      }
    }
    // The staging CTA is reused for the next one; a very long warp's expanded form is given back
    // now so that it does not stay resident beside its compact copy.
    if (src.insts.capacity() > kKeepStagedInsts) {
      std::vector<Instruction>().swap(src.insts);
      std::vector<uint64_t>().swap(src.addresses);
    }
  }
}

}  // namespace joulesim::gpu
