// Accel-Sim command lists (kernelslist.g) and single-kernel trace sources.
#include "core/error.hpp"
#include "trace/accelsim_parse.hpp"
#include "trace/accelsim_reader.hpp"

namespace joulesim::trace::detail {

namespace {

struct ListEntry {
  TraceCommand::Kind kind = TraceCommand::Kind::kKernel;
  uint64_t address = 0, bytes = 0;
  std::filesystem::path kernel_file;
};

class ListSource : public TraceSource {
 public:
  explicit ListSource(std::vector<ListEntry> entries) : entries_(std::move(entries)) {}
  bool next(TraceCommand& out) override {
    if (next_ >= entries_.size()) return false;
    const ListEntry& e = entries_[next_++];
    out.kind = e.kind;
    out.address = e.address;
    out.bytes = e.bytes;
    out.kernel.reset();
    if (e.kind == TraceCommand::Kind::kKernel) {
      out.kernel = open_accelsim_kernel(
          std::make_unique<LineReader>(open_file_source(e.kernel_file), e.kernel_file.string()));
    }
    return true;
  }

 private:
  std::vector<ListEntry> entries_;
  size_t next_ = 0;
};

class MemoryKernelSource : public TraceSource {
 public:
  MemoryKernelSource(std::shared_ptr<const std::string> data, std::string name)
      : data_(std::move(data)), name_(std::move(name)) {}
  bool next(TraceCommand& out) override {
    if (done_) return false;
    done_ = true;
    out.kind = TraceCommand::Kind::kKernel;
    out.address = out.bytes = 0;
    out.kernel = open_accelsim_kernel(
        std::make_unique<LineReader>(open_memory_source(data_), name_, data_->size() + 64));
    return true;
  }

 private:
  std::shared_ptr<const std::string> data_;
  std::string name_;
  bool done_ = false;
};

// "MemcpyHtoD,0x00007fb0fc400000,200000"
ListEntry parse_memcpy(std::string_view line, const std::string& file, uint64_t ln) {
  auto bad = [&] {
    return InputError(file, ln,
                      "expected 'MemcpyHtoD,<hex address>,<byte count>', found " + quote(line));
  };
  size_t c1 = line.find(',');
  size_t c2 = c1 == std::string_view::npos ? c1 : line.find(',', c1 + 1);
  if (c2 == std::string_view::npos) throw bad();
  auto trim = [](std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
  };
  ListEntry e;
  e.kind = TraceCommand::Kind::kMemcpyHtoD;
  if (!parse_uint(trim(line.substr(c1 + 1, c2 - c1 - 1)), e.address, 16) ||
      !parse_uint(trim(line.substr(c2 + 1)), e.bytes))
    throw bad();
  return e;
}

}  // namespace

std::unique_ptr<TraceSource> open_accelsim_list(const std::filesystem::path& list) {
  LineReader lines(open_file_source(list), list.string());
  const std::filesystem::path dir = list.parent_path();
  std::vector<ListEntry> entries;
  std::string_view line;
  while (lines.next(line)) {
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.empty() || line[0] == '#') continue;
    if (line.starts_with("MemcpyHtoD")) {
      entries.push_back(parse_memcpy(line, list.string(), lines.line_number()));
      continue;
    }
    if (line.starts_with("Memcpy")) continue;  // device-to-host copies do not affect the GPU
    std::filesystem::path file = std::filesystem::path(line);
    if (file.is_relative()) file = dir / file;
    std::filesystem::path found;
    for (const char* ext : {"", ".xz", ".gz"}) {
      std::filesystem::path candidate = file;
      candidate += ext;
      std::error_code ec;
      if (std::filesystem::is_regular_file(candidate, ec)) {
        found = candidate;
        break;
      }
    }
    if (found.empty())
      throw InputError(list.string(), lines.line_number(),
                       "kernel trace file '" + std::string(line) + "' not found (looked for " +
                           file.string() + " and its .xz/.gz forms)");
    ListEntry e;
    e.kind = TraceCommand::Kind::kKernel;
    e.kernel_file = found;
    entries.push_back(std::move(e));
  }
  return std::make_unique<ListSource>(std::move(entries));
}

std::unique_ptr<TraceSource> open_accelsim_kernel_file(const std::filesystem::path& file) {
  ListEntry e;
  e.kind = TraceCommand::Kind::kKernel;
  e.kernel_file = file;
  std::vector<ListEntry> entries;
  entries.push_back(std::move(e));
  return std::make_unique<ListSource>(std::move(entries));
}

std::unique_ptr<TraceSource> open_accelsim_memory(std::shared_ptr<const std::string> data,
                                                  std::string name) {
  return std::make_unique<MemoryKernelSource>(std::move(data), std::move(name));
}

}  // namespace joulesim::trace::detail
