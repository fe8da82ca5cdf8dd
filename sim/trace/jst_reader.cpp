// Reads native .jst traces. Each kernel reader has its own cursor over the shared file, so kernels
// can be read independently; memory is bounded by the CTA being decoded.
#include <bit>

#include "core/error.hpp"
#include "trace/jst_format.hpp"
#include "trace/jst_reader.hpp"
#include "trace/warn.hpp"

namespace joulesim::trace::detail {

namespace {

constexpr size_t kMaxName = 1 << 16;

class JstKernelReader : public KernelReader {
 public:
  JstKernelReader(std::shared_ptr<RandomAccess> data, uint64_t begin, uint64_t end,
                  const std::string& name)
      : c_(std::move(data), begin, end, name) {
    read_info();
    opcodes_ = OpcodeTable(info_.isa, info_.binary_version);
    for (const auto& w : info_.warnings) warn_once(w);
  }
  const KernelInfo& info() const override { return info_; }
  const OpcodeTable& opcodes() const override { return opcodes_; }
  bool next_cta(CtaTrace& out) override;

 private:
  uint32_t u32(const char* what) {
    uint64_t v = c_.varint();
    if (v > 0xFFFFFFFFull) c_.fail(std::string(what) + " does not fit 32 bits");
    return static_cast<uint32_t>(v);
  }
  void read_info();
  void read_warp(WarpTrace& w);

  Cursor c_;
  KernelInfo info_;
  OpcodeTable opcodes_;
  uint64_t full_mask_ = 0;
  uint64_t ctas_ = 0, warp_insts_ = 0;
  bool done_ = false;
};

void JstKernelReader::read_info() {
  info_.name = c_.string(kMaxName, "kernel name");
  info_.id = u32("kernel id");
  info_.grid = {u32("grid.x"), u32("grid.y"), u32("grid.z")};
  info_.block = {u32("block.x"), u32("block.y"), u32("block.z")};
  info_.shmem_bytes = u32("shmem");
  info_.regs_per_thread = u32("regs");
  info_.regs_in_header = u32("regs in header");
  info_.binary_version = u32("binary version");
  info_.stream_id = u32("stream id");
  info_.tracer_version = u32("tracer version");
  info_.shmem_base = c_.varint();
  info_.local_base = c_.varint();
  uint8_t isa = c_.byte();
  if (isa > static_cast<uint8_t>(IsaFamily::kCdna)) c_.fail("unknown ISA family " + std::to_string(isa));
  info_.isa = static_cast<IsaFamily>(isa);
  info_.warp_size = u32("warp size");
  if (info_.warp_size != 32 && info_.warp_size != 64) c_.fail("warp size must be 32 or 64");
  full_mask_ = info_.warp_size == 64 ? ~uint64_t{0} : (uint64_t{1} << 32) - 1;
  uint64_t n = c_.varint();
  if (n > 64) c_.fail("more than 64 warnings");
  for (uint64_t i = 0; i < n; ++i) info_.warnings.push_back(c_.string(kMaxName, "warning"));
}

void JstKernelReader::read_warp(WarpTrace& w) {
  w.warp_in_cta = u32("warp index");
  uint64_t n = c_.varint();
  if (n > (uint64_t{1} << 32)) c_.fail("implausible instruction count");
  w.insts.clear();
  w.addresses.clear();
  w.insts.reserve(std::min<uint64_t>(n, 1u << 16));
  uint32_t pc = 0u - kPcStep;
  uint64_t mask = full_mask_;
  uint64_t prev_base = 0;
  const size_t nops = opcodes_.size();
  for (uint64_t i = 0; i < n; ++i) {
    Instruction& in = w.insts.emplace_back();
    const uint8_t h = c_.byte();
    if (h & 0xC0) c_.fail("bad instruction header byte");
    uint64_t op = c_.varint();
    if (op >= nops) c_.fail("opcode index " + std::to_string(op) + " not in the opcode table");
    in.opcode = static_cast<uint16_t>(op);
    const OpcodeInfo& info = opcodes_[in.opcode];
    in.op_class = info.op_class;
    in.unit = info.unit;
    in.space = info.space;
    pc = (h & kPcNext) ? pc + kPcStep : pc + static_cast<uint32_t>(unzigzag(c_.varint()));
    in.pc = pc;
    if (!(h & kMaskSame)) {
      mask = c_.varint();
      if (mask & ~full_mask_) c_.fail("active mask wider than the warp");
    }
    in.active_mask = mask;
    const uint8_t regs = c_.byte();
    in.num_dst = regs & 15;
    in.num_src = regs >> 4;
    if (in.num_dst > kMaxDst || in.num_src > kMaxSrc) c_.fail("too many registers");
    for (int r = 0; r < in.num_dst; ++r) {
      uint64_t v = c_.varint();
      if (v > 0xFFFF) c_.fail("register number out of range");
      in.dst[r] = static_cast<uint16_t>(v);
    }
    for (int r = 0; r < in.num_src; ++r) {
      uint64_t v = c_.varint();
      if (v > 0xFFFF) c_.fail("register number out of range");
      in.src[r] = static_cast<uint16_t>(v);
    }
    if (h & kHasImm) {
      uint64_t v = c_.varint();
      if (v > 0xFFFFFFFFull) c_.fail("immediate out of range");
      in.immediate = static_cast<uint32_t>(v);
    }
    in.addr_index = 0;
    const uint8_t mode = (h >> kAddrShift) & 3;
    if (h & kMemory) {
      in.addr_index = static_cast<uint32_t>(w.addresses.size());
      in.mem_width = c_.byte();
      if (in.mem_width == 0) c_.fail("memory instruction with width 0");
      const int lanes = std::popcount(mask);
      if ((lanes == 0) != (mode == kAddrNone) || mode > kAddrDeltas)
        c_.fail("address encoding does not match the active lanes");
      if (lanes > 0) {
        uint64_t a = prev_base + static_cast<uint64_t>(unzigzag(c_.varint()));
        prev_base = a;
        w.addresses.push_back(a);
        if (mode == kAddrStride) {
          uint64_t stride = static_cast<uint64_t>(unzigzag(c_.varint()));
          for (int l = 1; l < lanes; ++l) w.addresses.push_back(a += stride);
        } else {
          for (int l = 1; l < lanes; ++l)
            w.addresses.push_back(a += static_cast<uint64_t>(unzigzag(c_.varint())));
        }
      }
    } else if (mode != 0) {
      c_.fail("address bits set on a non-memory instruction");
    }
  }
}

bool JstKernelReader::next_cta(CtaTrace& out) {
  if (done_) return false;
  uint8_t tag = c_.byte();
  if (tag == kTagKernelEnd) {
    uint64_t ctas = c_.varint(), insts = c_.varint();
    if (ctas != ctas_ || insts != warp_insts_)
      c_.fail("kernel end record counts (" + std::to_string(ctas) + " CTAs, " +
              std::to_string(insts) + " warp instructions) differ from the data read");
    if (!c_.at_end()) c_.fail("data after the kernel end record");
    done_ = true;
    return false;
  }
  if (tag != kTagCta) c_.fail("expected a CTA record");
  uint64_t size = c_.varint();
  uint64_t end = c_.offset() + size;
  uint64_t new_ops = c_.varint();
  if (new_ops > 0xFFFF) c_.fail("too many opcodes");
  for (uint64_t i = 0; i < new_ops; ++i) {
    std::string name = c_.string(256, "opcode");
    size_t before = opcodes_.size();
    if (name.empty() || opcodes_.intern(name) != before) c_.fail("duplicate or empty opcode '" + name + "'");
  }
  out.id = {u32("cta.x"), u32("cta.y"), u32("cta.z")};
  uint64_t nw = c_.varint();
  if (nw > 64) c_.fail("more than 64 warps in a CTA");
  out.warps.resize(nw);
  for (WarpTrace& w : out.warps) {
    read_warp(w);
    warp_insts_ += w.insts.size();
  }
  if (c_.offset() != end) c_.fail("CTA record length does not match its contents");
  ++ctas_;
  return true;
}

class JstSource : public TraceSource {
 public:
  JstSource(std::shared_ptr<RandomAccess> data, std::string name)
      : data_(data), name_(name), c_(data, 0, data->size(), name) {
    for (char m : kJstMagic)
      if (static_cast<char>(c_.byte()) != m) c_.fail("not a .jst file (bad magic)");
    uint64_t version = c_.varint();
    if (version != kJstVersion)
      c_.fail("unsupported .jst version " + std::to_string(version) + " (this build reads " +
              std::to_string(kJstVersion) + ")");
  }
  bool next(TraceCommand& out) override {
    if (done_) return false;
    uint8_t tag = c_.byte();
    out.kernel.reset();
    out.address = out.bytes = 0;
    switch (tag) {
      case kTagEnd:
        if (!c_.at_end()) c_.fail("data after the end-of-trace record");
        done_ = true;
        return false;
      case kTagMemcpy:
        out.kind = TraceCommand::Kind::kMemcpyHtoD;
        out.address = c_.varint();
        out.bytes = c_.varint();
        return true;
      case kTagKernel: {
        uint64_t size = c_.u64le();
        uint64_t begin = c_.offset();
        if (size > data_->size() - begin) c_.fail("kernel record runs past the end of the file");
        out.kind = TraceCommand::Kind::kKernel;
        out.kernel = std::make_unique<JstKernelReader>(data_, begin, begin + size, name_);
        c_.seek(begin + size);
        return true;
      }
      default:
        c_.fail("unknown record tag " + std::to_string(tag));
    }
  }

 private:
  std::shared_ptr<RandomAccess> data_;
  std::string name_;
  Cursor c_;
  bool done_ = false;
};

}  // namespace

std::unique_ptr<TraceSource> open_jst(std::shared_ptr<RandomAccess> data, std::string name) {
  return std::make_unique<JstSource>(std::move(data), std::move(name));
}

}  // namespace joulesim::trace::detail
