#include "trace/gen/program.hpp"

#include <algorithm>
#include <bit>

#include "core/error.hpp"
#include "trace/acc_registers.hpp"

namespace joulesim::trace::gen::detail {

uint16_t reg(int n) {
  if (n < 0 || n >= 255) throw Error("generator bug: register R" + std::to_string(n));
  return static_cast<uint16_t>(n);
}

uint16_t sreg(int n) {
  if (n < 0 || n >= 106) throw Error("generator bug: scalar register s" + std::to_string(n));
  return static_cast<uint16_t>(kScalarBase + n);
}

uint16_t areg(int n) {
  if (n < 0 || n >= 256) throw Error("generator bug: accumulation register a" + std::to_string(n));
  return static_cast<uint16_t>(kAccBase + n);
}

void fail(const Params& p, const std::string& what) {
  throw Error("trace gen " + p.generator() + ": " + what);
}

Warp::Warp(WarpTrace& trace, uint32_t lanes)
    : t_(trace), full_(lanes >= 64 ? ~uint64_t{0} : (uint64_t{1} << lanes) - 1), lanes_(lanes) {}

Instruction& Warp::push(const Op& op, uint64_t mask, std::initializer_list<uint16_t> dst,
                        std::initializer_list<uint16_t> src, uint32_t imm) {
  if (dst.size() > kMaxDst || src.size() > kMaxSrc) throw Error("generator bug: too many operands");
  Instruction& i = t_.insts.emplace_back();
  i.active_mask = mask;
  i.pc = pc_;
  i.immediate = imm;
  i.opcode = op.id;
  i.op_class = op.op_class;
  i.unit = op.unit;
  i.space = op.space;
  i.mem_width = op.width;
  for (uint16_t r : dst) i.dst[i.num_dst++] = r;
  for (uint16_t r : src) i.src[i.num_src++] = r;
  pc_ += op.size;
  return i;
}

Instruction& Warp::op(const Op& op, std::initializer_list<uint16_t> dst,
                      std::initializer_list<uint16_t> src, uint32_t imm) {
  return push(op, full_, dst, src, imm);
}

Instruction& Warp::op_masked(const Op& op, uint64_t mask, std::initializer_list<uint16_t> dst,
                             std::initializer_list<uint16_t> src, uint32_t imm) {
  return push(op, mask, dst, src, imm);
}

Instruction& Warp::mem(const Op& op, uint64_t mask, std::initializer_list<uint16_t> dst,
                       std::initializer_list<uint16_t> src, std::span<const uint64_t> addrs) {
  if (op.width == 0 || addrs.size() != static_cast<size_t>(std::popcount(mask))) {
    throw Error("generator bug: memory instruction needs one address per active lane");
  }
  Instruction& i = push(op, mask, dst, src, 0);
  i.addr_index = static_cast<uint32_t>(t_.addresses.size());
  t_.addresses.insert(t_.addresses.end(), addrs.begin(), addrs.end());
  return i;
}

Instruction& Warp::mem_strided(const Op& op, std::initializer_list<uint16_t> dst,
                               std::initializer_list<uint16_t> src, uint64_t base, int64_t stride) {
  if (op.width == 0) throw Error("generator bug: not a memory opcode");
  Instruction& i = push(op, full_, dst, src, 0);
  i.addr_index = static_cast<uint32_t>(t_.addresses.size());
  for (uint32_t l = 0; l < lanes_; ++l) {
    t_.addresses.push_back(base + static_cast<uint64_t>(stride * static_cast<int64_t>(l)));
  }
  return i;
}

KernelProgram::KernelProgram(Isa isa, std::string name, Dim3 grid, Dim3 block)
    : isa_(isa), table_(std::make_shared<OpcodeTable>(isa_family(isa), isa_binary_version(isa))) {
  info_.name = std::move(name);
  info_.id = 1;
  info_.grid = grid;
  info_.block = block;
  info_.binary_version = isa_binary_version(isa);
  info_.tracer_version = 5;
  info_.shmem_base = kShmemBase;
  info_.local_base = kLocalBase;
  info_.isa = isa_family(isa);
  info_.warp_size = isa_warp_size(isa);
}

Op KernelProgram::intern(std::string_view name, uint8_t mem_width) {
  Op op;
  op.id = table_->intern(name);
  const OpcodeInfo& oi = (*table_)[op.id];
  op.op_class = oi.op_class;
  op.unit = oi.unit;
  op.space = oi.space;
  op.width = mem_width;
  if (isa_family(isa_) == IsaFamily::kSass) {
    op.size = 16;  // every SASS instruction since Volta is 128 bits
  } else {
    // CDNA: SOPP/SOPC/SOP1/SOP2 and VOP1/VOP2 are 32-bit encodings; VOP3/VOP3P, MFMA, SMEM,
    // DS, FLAT/GLOBAL are 64-bit (AMD CDNA2/CDNA3 ISA guides, "Microcode Formats").
    bool short_form = (name.starts_with("s_") && !name.starts_with("s_load") &&
                       !name.starts_with("s_buffer") && !name.starts_with("s_store")) ||
                      name == "v_mov_b32" || name == "v_add_u32" || name == "v_lshlrev_b32" ||
                      name == "v_and_b32" || name == "v_add_f32" || name == "v_exp_f32" ||
                      name.starts_with("v_cmp_");
    op.size = short_form ? 4 : 8;
  }
  return op;
}

void KernelProgram::build(uint64_t index, CtaTrace& out) const {
  const Dim3& g = info_.grid;
  if (index >= g.count()) throw Error("generator bug: CTA index out of range");
  // Launch order: cluster by cluster (clusters x fastest), each cluster's CTAs x fastest; without
  // clusters (1,1,1) that is plain x-fastest order.
  const Dim3& c = info_.cluster;
  const uint64_t per = c.count(), k = index / per, r = index % per;
  const uint64_t cx = g.x / c.x, cy = g.y / c.y;
  out.id.x = static_cast<uint32_t>(k % cx * c.x + r % c.x);
  out.id.y = static_cast<uint32_t>(k / cx % cy * c.y + r / c.x % c.y);
  out.id.z = static_cast<uint32_t>(k / (cx * cy) * c.z + r / (uint64_t{c.x} * c.y));
  index = out.id.x + uint64_t{g.x} * (out.id.y + uint64_t{g.y} * out.id.z);
  const uint32_t warps = info_.warps_per_cta();
  const uint64_t threads = info_.block.count();
  out.warps.resize(warps);
  for (uint32_t w = 0; w < warps; ++w) {
    WarpTrace& wt = out.warps[w];
    wt.warp_in_cta = w;
    wt.insts.clear();
    wt.addresses.clear();
    // A CTA whose size is not a multiple of the warp size ends with a partial warp: its missing
    // lanes are off in every mask (on CDNA, a wave64 with those exec-mask bits clear).
    const uint64_t first = uint64_t{w} * info_.warp_size;
    const auto lanes = static_cast<uint32_t>(std::min<uint64_t>(info_.warp_size, threads - first));
    Warp emitter(wt, lanes);
    emit_warp(out.id, index, w, emitter);
  }
}

uint64_t DeviceHeap::alloc(uint64_t bytes) {
  constexpr uint64_t kAlign = 2ull << 20;
  uint64_t a = next_;
  next_ += (bytes + kAlign - 1) / kAlign * kAlign;
  if (bytes == 0) next_ += kAlign;
  return a;
}

}  // namespace joulesim::trace::gen::detail
