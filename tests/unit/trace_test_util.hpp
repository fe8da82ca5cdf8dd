#pragma once
// Helpers shared by the trace tests: in-memory kernels, compression, temporary folders.
#include <lzma.h>
#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "trace/trace.hpp"
#include "trace/trace_stats.hpp"

namespace joulesim::trace::testing {

/// A tracer-version-5 kernel header for a (grid x 1 x 1) x (block x 1 x 1) launch.
inline std::string header(int grid, int block, int version = 5, int binary = 80, int lineinfo = 0,
                          int nregs = 16) {
  std::ostringstream o;
  o << "-kernel name = test_kernel\n-kernel id = 7\n-grid dim = (" << grid << ",1,1)\n"
    << "-block dim = (" << block << ",1,1)\n-shmem = 0\n-nregs = " << nregs
    << "\n-binary version = " << binary << "\n-cuda stream id = 0\n"
    << "-shmem base_addr = 0x00007f0000000000\n-local mem base_addr = 0x00007e0000000000\n"
    << "-nvbit version = 1.7\n-accelsim tracer version = " << version
    << "\n-enable lineinfo = " << lineinfo << "\n\n#traces format = ...\n\n";
  return o.str();
}

/// One CTA block holding the given warps' instruction lines.
inline std::string cta(int id, const std::vector<std::vector<std::string>>& warps) {
  std::ostringstream o;
  o << "#BEGIN_TB\n\nthread block = " << id << ",0,0\n\n";
  for (size_t w = 0; w < warps.size(); ++w) {
    o << "warp = " << w << "\ninsts = " << warps[w].size() << "\n";
    for (const auto& l : warps[w]) o << l << "\n";
    o << "\n";
  }
  o << "#END_TB\n\n";
  return o.str();
}

/// Reads the single kernel of an in-memory trace fully into CTAs.
struct LoadedKernel {
  KernelInfo info;
  std::vector<OpcodeInfo> opcodes;
  std::vector<CtaTrace> ctas;
};

inline std::vector<LoadedKernel> load_all(TraceSource& src) {
  std::vector<LoadedKernel> out;
  TraceCommand cmd;
  while (src.next(cmd)) {
    if (cmd.kind != TraceCommand::Kind::kKernel) continue;
    LoadedKernel k;
    k.info = cmd.kernel->info();
    CtaTrace c;
    while (cmd.kernel->next_cta(c)) k.ctas.push_back(c);
    for (size_t i = 0; i < cmd.kernel->opcodes().size(); ++i)
      k.opcodes.push_back(cmd.kernel->opcodes()[static_cast<uint16_t>(i)]);
    out.push_back(std::move(k));
  }
  return out;
}

inline LoadedKernel load_text(const std::string& text) {
  auto src = open_trace_from_memory(text, "test.traceg");
  auto all = load_all(*src);
  if (all.size() != 1) throw std::runtime_error("expected one kernel");
  return all[0];
}

inline std::string gzip_bytes(const std::string& in) {
  z_stream z{};
  if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("zlib");
  std::string out(deflateBound(&z, in.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) throw std::runtime_error("deflate");
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

inline std::string xz_bytes(const std::string& in) {
  std::string out(lzma_stream_buffer_bound(in.size()), '\0');
  size_t pos = 0;
  if (lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, nullptr,
                              reinterpret_cast<const uint8_t*>(in.data()), in.size(),
                              reinterpret_cast<uint8_t*>(out.data()), &pos, out.size()) != LZMA_OK)
    throw std::runtime_error("lzma");
  out.resize(pos);
  return out;
}

/// A fresh temporary folder removed at scope exit.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    static std::atomic<int> n{0};
    path = std::filesystem::temp_directory_path() /
           ("joulesim_trace_test_" + std::to_string(::getpid()) + "_" + std::to_string(n++));
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::filesystem::path write(const std::string& name, const std::string& data) const {
    auto p = path / name;
    std::ofstream(p, std::ios::binary) << data;
    return p;
  }
};

}  // namespace joulesim::trace::testing
