// Reads native .jst traces. Each kernel reader has its own cursor over the shared file, so kernels
// can be read independently; memory is bounded by the CTA being decoded.
#include "trace/jst_reader.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

#include "core/error.hpp"
#include "trace/accelsim_parse.hpp"
#include "trace/jst_format.hpp"
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
  if (isa > static_cast<uint8_t>(IsaFamily::kCdna))
    c_.fail("unknown ISA family " + std::to_string(isa));
  info_.isa = static_cast<IsaFamily>(isa);
  info_.warp_size = u32("warp size");
  if (info_.warp_size != 32 && info_.warp_size != 64) c_.fail("warp size must be 32 or 64");
  full_mask_ = info_.warp_size == 64 ? ~uint64_t{0} : (uint64_t{1} << 32) - 1;
  uint64_t n = c_.varint();
  if (n > 64) c_.fail("more than 64 warnings");
  for (uint64_t i = 0; i < n; ++i) info_.warnings.push_back(c_.string(kMaxName, "warning"));
  c_.ensure(1);
  if (c_.available() > 0 && static_cast<uint8_t>(*c_.data()) == kTagCluster) {
    c_.byte();
    info_.cluster = {u32("cluster.x"), u32("cluster.y"), u32("cluster.z")};
    if (std::string e = cluster_shape_error(info_); !e.empty()) c_.fail(e);
  }
}

// Byte readers for decode_instruction(): FastBytes reads without bounds checks from a buffer that
// holds at least kMaxInstBytes (an instruction's worst case); SlowBytes checks every byte.
struct FastBytes {
  static constexpr bool kFast = true;
  const char* p;
  Cursor* c;
  uint8_t byte() { return static_cast<uint8_t>(*p++); }
  uint64_t varint() {
    if (static_cast<uint8_t>(*p) < 0x80) return static_cast<uint8_t>(*p++);  // most are 1 byte
    uint64_t v = 0;
    for (int shift = 0;; shift += 7) {
      const uint8_t b = static_cast<uint8_t>(*p++);
      if (shift == 63 && b > 1) c->fail("varint overflows 64 bits");
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return v;
    }
  }
  [[noreturn]] void fail(const std::string& what) { c->fail(what); }
};

struct SlowBytes {
  static constexpr bool kFast = false;
  Cursor* c;
  uint8_t byte() { return c->byte(); }
  uint64_t varint() { return c->varint(); }
  [[noreturn]] void fail(const std::string& what) { c->fail(what); }
};

struct WarpState {
  uint32_t pc = 0u - kPcStep;
  uint64_t mask;
  uint64_t prev_base = 0;
};

// Decodes into @p in, overwriting every field (the storage is reused from earlier CTAs), and
// appends the addresses at addrs[count...].
template <typename R>
inline void decode_instruction(R& r, Instruction& in, WarpState& st, std::vector<uint64_t>& addrs,
                               size_t& count, const OpcodeTable& ops, uint64_t full_mask) {
  const uint8_t h = r.byte();
  uint64_t op = r.varint();
  if (op >= ops.size()) r.fail("opcode index " + std::to_string(op) + " not in the opcode table");
  in.opcode = static_cast<uint16_t>(op);
  const OpcodeInfo& info = ops[in.opcode];
  in.op_class = info.op_class;
  in.unit = info.unit;
  in.space = info.space;
  st.pc = (h & kPcNext) ? st.pc + kPcStep : st.pc + static_cast<uint32_t>(unzigzag(r.varint()));
  in.pc = st.pc;
  if (!(h & kMaskSame)) {
    st.mask = r.varint();
    if (st.mask & ~full_mask) r.fail("active mask wider than the warp");
  }
  in.active_mask = st.mask;
  const uint8_t regs = r.byte();
  in.dst = {};
  in.src = {};
  in.immediate = 0;
  in.addr_index = 0;
  in.mem_width = 0;
  in.num_dst = regs & 15;
  in.num_src = regs >> 4;
  if (in.num_dst > kMaxDst || in.num_src > kMaxSrc) r.fail("too many registers");
  for (int i = 0; i < in.num_dst; ++i) {
    uint64_t v = r.varint();
    if (v > 0xFFFF) r.fail("register number out of range");
    in.dst[i] = static_cast<uint16_t>(v);
  }
  for (int i = 0; i < in.num_src; ++i) {
    uint64_t v = r.varint();
    if (v > 0xFFFF) r.fail("register number out of range");
    in.src[i] = static_cast<uint16_t>(v);
  }
  if (h & kHasImm) {
    uint64_t v = r.varint();
    if (v > 0xFFFFFFFFull) r.fail("immediate out of range");
    in.immediate = static_cast<uint32_t>(v);
  }
  const uint8_t mode = (h >> kAddrShift) & 3;
  if (!(h & kMemory)) {
    if (mode != 0) r.fail("address bits set on a non-memory instruction");
    return;
  }
  in.addr_index = static_cast<uint32_t>(count);
  in.mem_width = r.byte();
  if (in.mem_width == 0) r.fail("memory instruction with width 0");
  const int lanes = popcount64(st.mask);
  if ((lanes == 0) != (mode == kAddrNone))
    r.fail("address encoding does not match the active lanes");
  if (lanes == 0) return;
  const size_t first = count;
  count += static_cast<size_t>(lanes);
  if (count > addrs.size()) addrs.resize(std::max(count, addrs.size() * 2));
  uint64_t* out = addrs.data() + first;
  uint64_t a = st.prev_base + static_cast<uint64_t>(unzigzag(r.varint()));
  st.prev_base = a;
  out[0] = a;
  if (mode == kAddrStride) {
    const uint64_t stride = static_cast<uint64_t>(unzigzag(r.varint()));
    for (int l = 1; l < lanes; ++l) out[l] = a += stride;
  } else if (mode == kAddrDeltas) {
    for (int l = 1; l < lanes; ++l) out[l] = a += static_cast<uint64_t>(unzigzag(r.varint()));
  } else {
    const uint8_t shift = r.byte(), width = r.byte();
    if (shift > 63 || width > kMaxPackedBits) r.fail("bad packed-delta parameters");
    const uint64_t field = (uint64_t{1} << width) - 1;
    if constexpr (R::kFast) {
      // Unaligned 8-byte loads: a field of <= 57 bits starting at any bit fits in one. The
      // buffer holds kMaxInstBytes past the instruction start, more than the packed bytes + 8.
      const char* base = r.p;
      size_t bit = 0;
      for (int l = 1; l < lanes; ++l, bit += width) {
        uint64_t word;
        std::memcpy(&word, base + bit / 8, 8);
        const uint64_t z = (word >> (bit % 8)) & field;
        out[l] = a += static_cast<uint64_t>(unzigzag(z)) << shift;
      }
      r.p = base + (bit + 7) / 8;
      return;
    }
    uint64_t acc = 0;
    int have = 0;
    for (int l = 1; l < lanes; ++l) {
      while (have < width) {
        acc |= static_cast<uint64_t>(r.byte()) << have;
        have += 8;
      }
      const uint64_t z = acc & field;
      acc = width == 0 ? acc : acc >> width;
      have -= width;
      out[l] = a += static_cast<uint64_t>(unzigzag(z)) << shift;
    }
  }
}

void JstKernelReader::read_warp(WarpTrace& w) {
  w.warp_in_cta = u32("warp index");
  uint64_t n = c_.varint();
  if (n > (uint64_t{1} << 32)) c_.fail("implausible instruction count");
  // Storage from earlier CTAs is overwritten rather than cleared, so it is not zeroed again.
  const size_t kept = w.insts.size();
  size_t count = 0;
  WarpState st;
  st.mask = full_mask_;
  for (uint64_t i = 0; i < n; ++i) {
    if (i >= kept) w.insts.emplace_back();
    Instruction& in = w.insts[i];
    c_.ensure(kMaxInstBytes);
    if (c_.available() >= kMaxInstBytes) {
      FastBytes r{c_.data(), &c_};
      decode_instruction(r, in, st, w.addresses, count, opcodes_, full_mask_);
      c_.advance_to(r.p);
    } else {  // the last bytes of the file
      SlowBytes r{&c_};
      decode_instruction(r, in, st, w.addresses, count, opcodes_, full_mask_);
    }
  }
  w.insts.resize(n);
  w.addresses.resize(count);
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
    if (!is_valid_opcode(name)) c_.fail("invalid opcode string " + quote(name));
    size_t before = opcodes_.size();
    if (opcodes_.intern(name) != before) c_.fail("duplicate opcode " + quote(name));
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
