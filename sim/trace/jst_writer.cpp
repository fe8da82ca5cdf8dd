// Writes a TraceSource as a native .jst file: one CTA is encoded in memory at a time, the file is
// written under a temporary name and renamed into place when complete.
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cstdio>

#include "core/error.hpp"
#include "trace/jst_format.hpp"
#include "trace/trace.hpp"

namespace joulesim::trace {

namespace {
using namespace detail;

class OutFile {
 public:
  explicit OutFile(const std::filesystem::path& path) : path_(path) {
    f_ = std::fopen(path.c_str(), "wb");
    if (f_ == nullptr) throw Error("cannot write " + path.string() + ": " + std::strerror(errno));
    std::setvbuf(f_, nullptr, _IOFBF, 1 << 20);
  }
  ~OutFile() {
    if (f_ != nullptr) std::fclose(f_);
  }
  void write(std::string_view s) {
    if (std::fwrite(s.data(), 1, s.size(), f_) != s.size()) fail();
  }
  long long tell() { return ftello(f_); }
  void patch_u64(long long at, uint64_t v) {
    long long here = ftello(f_);
    char b[8];
    for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (8 * i));
    if (fseeko(f_, at, SEEK_SET) != 0 || std::fwrite(b, 1, 8, f_) != 8 ||
        fseeko(f_, here, SEEK_SET) != 0)
      fail();
  }
  void close() {
    if (std::fflush(f_) != 0 || ::fsync(fileno(f_)) != 0) fail();
    int rc = std::fclose(f_);
    f_ = nullptr;
    if (rc != 0) fail();
  }

 private:
  [[noreturn]] void fail() {
    throw Error("write failed: " + path_.string() + ": " + std::strerror(errno));
  }
  std::filesystem::path path_;
  FILE* f_;
};

void put_info(std::string& b, const KernelInfo& k) {
  put_string(b, k.name);
  put_varint(b, k.id);
  for (uint32_t v : {k.grid.x, k.grid.y, k.grid.z, k.block.x, k.block.y, k.block.z})
    put_varint(b, v);
  put_varint(b, k.shmem_bytes);
  put_varint(b, k.regs_per_thread);
  put_varint(b, k.regs_in_header);
  put_varint(b, k.binary_version);
  put_varint(b, k.stream_id);
  put_varint(b, k.tracer_version);
  put_varint(b, k.shmem_base);
  put_varint(b, k.local_base);
  b.push_back(static_cast<char>(k.isa));
  put_varint(b, k.warp_size);
  put_varint(b, k.warnings.size());
  for (const auto& w : k.warnings) put_string(b, w);
  // Only cluster kernels carry the record, so traces without clusters keep their bytes.
  if (k.cluster_ctas() != 1) {
    b.push_back(static_cast<char>(kTagCluster));
    for (uint32_t v : {k.cluster.x, k.cluster.y, k.cluster.z}) put_varint(b, v);
  }
}

// Deltas bit-packed at a common width after dropping their common low zero bits (gathers of
// aligned elements). Returns the encoded size, or 0 if the widest value needs > kMaxPackedBits.
size_t packed_size(const uint64_t* a, int n, int& shift, int& width) {
  uint64_t all = 0;
  for (int i = 1; i < n; ++i) all |= a[i] - a[i - 1];
  shift = all == 0 ? 0 : std::countr_zero(all);
  width = 0;
  for (int i = 1; i < n; ++i) {
    int64_t d = static_cast<int64_t>(a[i] - a[i - 1]) >> shift;
    width = std::max(width, static_cast<int>(std::bit_width(zigzag(d))));
  }
  if (width > kMaxPackedBits) return 0;
  return 2 + (static_cast<size_t>(n - 1) * static_cast<size_t>(width) + 7) / 8;
}

void put_addresses(std::string& b, const uint64_t* a, int n, uint64_t& prev_base, uint8_t& mode) {
  if (n == 0) {
    mode = kAddrNone;
    return;
  }
  put_varint(b, zigzag(static_cast<int64_t>(a[0] - prev_base)));
  prev_base = a[0];
  // Base+stride when all gaps are equal, else base+deltas or packed deltas: whichever is smallest.
  const int64_t stride = n > 1 ? static_cast<int64_t>(a[1] - a[0]) : 0;
  bool uniform = true;
  size_t delta_bytes = 0;
  for (int i = 1; i < n; ++i) {
    int64_t d = static_cast<int64_t>(a[i] - a[i - 1]);
    uniform = uniform && d == stride;
    delta_bytes += static_cast<size_t>(varint_size(zigzag(d)));
  }
  int shift = 0, width = 0;
  const size_t packed_bytes = n > 2 ? packed_size(a, n, shift, width) : 0;
  const size_t stride_bytes = static_cast<size_t>(varint_size(zigzag(stride)));
  if (uniform && stride_bytes < delta_bytes) {
    mode = kAddrStride;
    put_varint(b, zigzag(stride));
  } else if (packed_bytes != 0 && packed_bytes < delta_bytes) {
    mode = kAddrPacked;
    b.push_back(static_cast<char>(shift));
    b.push_back(static_cast<char>(width));
    uint64_t acc = 0;
    int have = 0;
    for (int i = 1; i < n; ++i) {
      uint64_t z = zigzag(static_cast<int64_t>(a[i] - a[i - 1]) >> shift);
      acc |= z << have;  // have < 8 here, width <= 57: fits in 64 bits
      have += width;
      while (have >= 8) {
        b.push_back(static_cast<char>(acc & 0xff));
        acc >>= 8;
        have -= 8;
      }
    }
    if (have > 0) b.push_back(static_cast<char>(acc & 0xff));
  } else {
    mode = kAddrDeltas;
    for (int i = 1; i < n; ++i) put_varint(b, zigzag(static_cast<int64_t>(a[i] - a[i - 1])));
  }
}

void put_warp(std::string& b, const WarpTrace& w, const KernelInfo& k, size_t opcodes) {
  put_varint(b, w.warp_in_cta);
  put_varint(b, w.insts.size());
  uint32_t prev_pc = 0u - kPcStep;
  uint64_t prev_mask = k.warp_size >= 64 ? ~uint64_t{0} : (uint64_t{1} << k.warp_size) - 1;
  uint64_t prev_base = 0;
  for (const Instruction& in : w.insts) {
    if (in.opcode >= opcodes || in.num_dst > kMaxDst || in.num_src > kMaxSrc)
      throw Error("kernel " + k.name + ": malformed instruction (opcode or register count)");
    size_t header_at = b.size();
    b.push_back(0);
    uint8_t h = 0;
    put_varint(b, in.opcode);
    if (in.pc == prev_pc + kPcStep) {
      h |= kPcNext;
    } else {
      put_varint(b, zigzag(static_cast<int64_t>(static_cast<int32_t>(in.pc - prev_pc))));
    }
    prev_pc = in.pc;
    if (in.active_mask == prev_mask) {
      h |= kMaskSame;
    } else {
      put_varint(b, in.active_mask);
    }
    prev_mask = in.active_mask;
    b.push_back(static_cast<char>(in.num_dst | in.num_src << 4));
    for (int i = 0; i < in.num_dst; ++i) put_varint(b, in.dst[i]);
    for (int i = 0; i < in.num_src; ++i) put_varint(b, in.src[i]);
    if (in.immediate != 0) {
      h |= kHasImm;
      put_varint(b, in.immediate);
    }
    if (in.mem_width != 0) {
      h |= kMemory;
      b.push_back(static_cast<char>(in.mem_width));
      int n = in.active_lanes();
      if (uint64_t{in.addr_index} + n > w.addresses.size())
        throw Error("kernel " + k.name + ": memory instruction without its addresses");
      uint8_t mode;
      put_addresses(b, w.addresses.data() + in.addr_index, n, prev_base, mode);
      h |= mode << kAddrShift;
    }
    b[header_at] = static_cast<char>(h);
  }
}
}  // namespace

void write_jst(TraceSource& source, const std::filesystem::path& out) {
  std::filesystem::path tmp = out;
  tmp += ".tmp." + std::to_string(::getpid());
  try {
    OutFile f(tmp);
    std::string b(kJstMagic, sizeof(kJstMagic));
    put_varint(b, kJstVersion);
    f.write(b);
    TraceCommand cmd;
    CtaTrace cta;
    while (source.next(cmd)) {
      b.clear();
      if (cmd.kind == TraceCommand::Kind::kMemcpyHtoD) {
        b.push_back(static_cast<char>(kTagMemcpy));
        put_varint(b, cmd.address);
        put_varint(b, cmd.bytes);
        f.write(b);
        continue;
      }
      KernelReader& k = *cmd.kernel;
      b.push_back(static_cast<char>(kTagKernel));
      f.write(b);
      long long size_at = f.tell();
      f.write(std::string_view("\0\0\0\0\0\0\0\0", 8));
      b.clear();
      put_info(b, k.info());
      f.write(b);
      size_t opcodes_written = 0;
      uint64_t ctas = 0, warp_insts = 0;
      std::string body;
      while (k.next_cta(cta)) {
        // New opcode strings first: the reader interns them in the same order, so indices match.
        body.clear();
        const OpcodeTable& table = k.opcodes();
        put_varint(body, table.size() - opcodes_written);
        for (size_t i = opcodes_written; i < table.size(); ++i)
          put_string(body, table[static_cast<uint16_t>(i)].name);
        opcodes_written = table.size();
        put_varint(body, cta.id.x);
        put_varint(body, cta.id.y);
        put_varint(body, cta.id.z);
        put_varint(body, cta.warps.size());
        for (const WarpTrace& w : cta.warps) {
          put_warp(body, w, k.info(), table.size());
          warp_insts += w.insts.size();
        }
        b.clear();
        b.push_back(static_cast<char>(kTagCta));
        put_varint(b, body.size());
        f.write(b);
        f.write(body);
        ++ctas;
      }
      b.clear();
      b.push_back(static_cast<char>(kTagKernelEnd));
      put_varint(b, ctas);
      put_varint(b, warp_insts);
      f.write(b);
      f.patch_u64(size_at, static_cast<uint64_t>(f.tell() - size_at - 8));
    }
    b.assign(1, static_cast<char>(kTagEnd));
    f.write(b);
    f.close();
    std::filesystem::rename(tmp, out);
  } catch (...) {
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    throw;
  }
}

}  // namespace joulesim::trace
