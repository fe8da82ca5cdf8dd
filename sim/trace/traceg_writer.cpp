// Accel-Sim text trace writer (NVBit tracer version 5 layout): kernelslist.g + kernel-N.traceg.
// Instruction lines: "PC mask ndst [Rd] OPCODE nsrc [Rs..] width [mode addresses] immediate ",
// PC as %04x, mask as %08x, a trailing space as the tracer writes it.
#include <unistd.h>

#include <bit>
#include <charconv>
#include <cstdio>
#include <fstream>

#include "core/error.hpp"
#include "core/paths.hpp"
#include "trace/dim_text.hpp"
#include "trace/trace.hpp"

namespace joulesim::trace {

namespace {

// Streams a file to "<path>.tmp.<pid>" and renames it into place on commit().
class AtomicFile {
 public:
  explicit AtomicFile(std::filesystem::path path) : path_(std::move(path)) {
    tmp_ = path_;
    tmp_ += ".tmp." + std::to_string(::getpid());
    out_.open(tmp_, std::ios::binary | std::ios::trunc);
    if (!out_) throw Error("cannot write " + tmp_.string());
    buf_.reserve(kFlush + 4096);
  }
  ~AtomicFile() {
    if (!done_) {
      out_.close();
      std::error_code ec;
      std::filesystem::remove(tmp_, ec);
    }
  }
  std::string& buf() { return buf_; }
  void maybe_flush() {
    if (buf_.size() >= kFlush) flush();
  }
  void commit() {
    flush();
    out_.close();
    if (!out_) throw Error("write failed: " + tmp_.string());
    std::error_code ec;
    std::filesystem::rename(tmp_, path_, ec);
    if (ec)
      throw Error("cannot rename " + tmp_.string() + " to " + path_.string() + ": " + ec.message());
    done_ = true;
  }

 private:
  static constexpr size_t kFlush = 1 << 20;
  void flush() {
    out_.write(buf_.data(), static_cast<std::streamsize>(buf_.size()));
    if (!out_) throw Error("write failed: " + tmp_.string());
    buf_.clear();
  }
  std::filesystem::path path_, tmp_;
  std::ofstream out_;
  std::string buf_;
  bool done_ = false;
};

void put_dec(std::string& s, int64_t v) {
  char b[24];
  auto r = std::to_chars(b, b + sizeof b, v);
  s.append(b, r.ptr);
}

void put_hex(std::string& s, uint64_t v, int min_digits) {
  char b[20];
  auto r = std::to_chars(b, b + sizeof b, v, 16);
  for (int pad = min_digits - static_cast<int>(r.ptr - b); pad > 0; --pad) s += '0';
  s.append(b, r.ptr);
}

void put_reg(std::string& s, uint16_t r, const std::string& file) {
  if (r <= kZeroReg) {  // R255 is how the tracer writes RZ
    s += 'R';
    put_dec(s, r);
  } else if (r >= kUniformBase && r < kUniformBase + 64) {
    s += "UR";
    put_dec(s, r - kUniformBase);
  } else {
    throw Error(file + ": register index " + std::to_string(r) +
                " has no Accel-Sim spelling (R0..R255, UR0..UR63)");
  }
}

// Mode 1 needs at least two active lanes forming one contiguous run with a constant stride that
// fits the tracer's int; otherwise mode 2 (base of the first active lane, then deltas).
void put_addresses(std::string& s, uint64_t mask, const uint64_t* a) {
  const int n = std::popcount(mask);
  bool stride_ok = false;
  int64_t stride = 0;
  if (n >= 2) {
    const uint64_t run = mask >> std::countr_zero(mask);
    stride = static_cast<int64_t>(a[1] - a[0]);
    stride_ok = (run & (run + 1)) == 0 && stride >= INT32_MIN && stride <= INT32_MAX;
    for (int i = 2; stride_ok && i < n; ++i)
      stride_ok = static_cast<int64_t>(a[i] - a[i - 1]) == stride;
  }
  if (stride_ok) {
    s += "1 0x";
    put_hex(s, a[0], 1);
    s += ' ';
    put_dec(s, stride);
    s += ' ';
    return;
  }
  s += "2 0x";
  put_hex(s, n > 0 ? a[0] : 0, 1);
  s += ' ';
  for (int i = 1; i < n; ++i) {
    put_dec(s, static_cast<int64_t>(a[i] - a[i - 1]));
    s += ' ';
  }
}

void write_header(std::string& s, const KernelInfo& k, uint32_t id) {
  char base[64];
  s += "-kernel name = " + k.name + "\n";
  s += "-kernel id = " + std::to_string(id) + "\n";
  s += "-grid dim = " + dim_text(k.grid) + "\n";
  s += "-block dim = " + dim_text(k.block) + "\n";
  if (k.cluster_ctas() != 1) s += "-cluster dim = " + dim_text(k.cluster) + "\n";
  s += "-shmem = " + std::to_string(k.shmem_bytes) + "\n";
  s += "-nregs = " + std::to_string(k.regs_per_thread) + "\n";
  s += "-binary version = " + std::to_string(k.binary_version) + "\n";
  s += "-cuda stream id = " + std::to_string(k.stream_id) + "\n";
  std::snprintf(base, sizeof base, "0x%016llx", static_cast<unsigned long long>(k.shmem_base));
  s += "-shmem base_addr = " + std::string(base) + "\n";
  std::snprintf(base, sizeof base, "0x%016llx", static_cast<unsigned long long>(k.local_base));
  s += "-local mem base_addr = " + std::string(base) + "\n";
  s += "-nvbit version = none (joulesim)\n";
  s += "-accelsim tracer version = 5\n";
  s += "-enable lineinfo = 0\n\n";
  s += "#traces format = [line_num] PC mask dest_num [reg_dests] opcode src_num [reg_srcs] "
       "mem_width [adrrescompress?] [mem_addresses] immediate\n\n\n\n";
}

void write_kernel(KernelReader& r, const std::filesystem::path& path, uint32_t id) {
  const KernelInfo& info = r.info();
  const std::string file = path.string();
  if (info.isa != IsaFamily::kSass || info.warp_size != 32) {
    throw Error(file + ": kernel '" + info.name +
                "' is CDNA (wave64); Accel-Sim text traces hold SASS only: write .jst instead");
  }
  const OpcodeTable& ops = r.opcodes();
  AtomicFile out(path);
  std::string& s = out.buf();
  write_header(s, info, id);
  CtaTrace cta;
  bool first = true;
  while (r.next_cta(cta)) {
    if (!first) s += '\n';
    first = false;
    s += "#BEGIN_TB\n\nthread block = " + std::to_string(cta.id.x) + "," +
         std::to_string(cta.id.y) + "," + std::to_string(cta.id.z) + "\n\n";
    for (const WarpTrace& w : cta.warps) {
      s += "warp = ";
      put_dec(s, w.warp_in_cta);
      s += "\ninsts = ";
      put_dec(s, static_cast<int64_t>(w.insts.size()));
      s += '\n';
      for (const Instruction& in : w.insts) {
        if (in.active_mask >> 32) throw Error(file + ": active mask wider than 32 lanes");
        put_hex(s, in.pc, 4);
        s += ' ';
        put_hex(s, in.active_mask, 8);
        s += ' ';
        put_dec(s, in.num_dst);
        s += ' ';
        for (int i = 0; i < in.num_dst; ++i) {
          put_reg(s, in.dst[i], file);
          s += ' ';
        }
        s += ops[in.opcode].name;
        s += ' ';
        put_dec(s, in.num_src);
        s += ' ';
        for (int i = 0; i < in.num_src; ++i) {
          put_reg(s, in.src[i], file);
          s += ' ';
        }
        put_dec(s, in.mem_width);
        s += ' ';
        if (in.mem_width != 0) {
          if (in.addr_index + static_cast<size_t>(in.active_lanes()) > w.addresses.size()) {
            throw Error(file + ": instruction addresses out of range");
          }
          put_addresses(s, in.active_mask, w.addresses.data() + in.addr_index);
        }
        put_dec(s, in.immediate);
        s += " \n";
        out.maybe_flush();
      }
      s += '\n';
    }
    s += "#END_TB\n";
  }
  out.commit();
}

}  // namespace

void write_accelsim(TraceSource& source, const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw Error("cannot create folder " + dir.string() + ": " + ec.message());
  std::string list;
  TraceCommand cmd;
  uint32_t kernels = 0;
  while (source.next(cmd)) {
    if (cmd.kind == TraceCommand::Kind::kMemcpyHtoD) {
      char line[80];
      std::snprintf(line, sizeof line, "MemcpyHtoD,0x%016llx,%llu\n",
                    static_cast<unsigned long long>(cmd.address),
                    static_cast<unsigned long long>(cmd.bytes));
      list += line;
    } else {
      const std::string name = "kernel-" + std::to_string(++kernels) + ".traceg";
      write_kernel(*cmd.kernel, dir / name, kernels);
      list += name + "\n";
    }
  }
  write_file_atomically(dir / "kernelslist.g", list);
}

}  // namespace joulesim::trace
