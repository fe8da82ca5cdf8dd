#include "trace/memory_source.hpp"

#include "core/error.hpp"

namespace joulesim::trace {

namespace {
class MemoryKernelReader : public KernelReader {
 public:
  explicit MemoryKernelReader(std::shared_ptr<MemoryKernel> k) : kernel_(std::move(k)) {}
  const KernelInfo& info() const override { return kernel_->info; }
  const OpcodeTable& opcodes() const override { return *kernel_->opcodes; }
  bool next_cta(CtaTrace& out) override {
    if (next_ >= kernel_->ctas.size()) return false;
    out = kernel_->ctas[next_++];
    return true;
  }

 private:
  std::shared_ptr<MemoryKernel> kernel_;
  size_t next_ = 0;
};
}  // namespace

Instruction& MemoryKernel::append(WarpTrace& warp, std::string_view opcode, uint64_t active_mask,
                                  std::initializer_list<uint16_t> dst,
                                  std::initializer_list<uint16_t> src, uint8_t mem_width,
                                  const std::vector<uint64_t>& lane_addresses) {
  Instruction inst;
  inst.opcode = opcodes->intern(opcode);
  const OpcodeInfo& oi = (*opcodes)[inst.opcode];
  inst.op_class = oi.op_class;
  inst.unit = oi.unit;
  inst.space = oi.space;
  inst.active_mask = active_mask;
  inst.pc = static_cast<uint32_t>(warp.insts.size() * 16);
  if (dst.size() > kMaxDst || src.size() > kMaxSrc) throw Error("too many registers");
  for (uint16_t r : dst) inst.dst[inst.num_dst++] = r;
  for (uint16_t r : src) inst.src[inst.num_src++] = r;
  inst.mem_width = mem_width;
  if (mem_width != 0) {
    if (lane_addresses.size() != static_cast<size_t>(inst.active_lanes())) {
      throw Error("memory instruction needs one address per active lane");
    }
    inst.addr_index = static_cast<uint32_t>(warp.addresses.size());
    warp.addresses.insert(warp.addresses.end(), lane_addresses.begin(), lane_addresses.end());
  }
  warp.insts.push_back(inst);
  return warp.insts.back();
}

void MemoryTraceSource::add_memcpy(uint64_t address, uint64_t bytes) {
  entries_.push_back({TraceCommand::Kind::kMemcpyHtoD, address, bytes, nullptr});
}

void MemoryTraceSource::add_kernel(MemoryKernel kernel) {
  entries_.push_back(
      {TraceCommand::Kind::kKernel, 0, 0, std::make_shared<MemoryKernel>(std::move(kernel))});
}

bool MemoryTraceSource::next(TraceCommand& out) {
  if (next_ >= entries_.size()) return false;
  const Entry& e = entries_[next_++];
  out.kind = e.kind;
  out.address = e.address;
  out.bytes = e.bytes;
  out.kernel.reset();
  if (e.kind == TraceCommand::Kind::kKernel)
    out.kernel = std::make_unique<MemoryKernelReader>(e.kernel);
  return true;
}

}  // namespace joulesim::trace
