// One Accel-Sim .traceg kernel: the "-key = value" header, then #BEGIN_TB / thread block / warp /
// insts = N / instruction lines / #END_TB sections, streamed one CTA at a time.
#include <bit>

#include "core/error.hpp"
#include "trace/accelsim_parse.hpp"
#include "trace/accelsim_reader.hpp"
#include "trace/warn.hpp"

namespace joulesim::trace::detail {

namespace {

constexpr uint32_t kMaxRegsPerThread = 255;  // every NVIDIA GPU since Kepler GK110
constexpr uint64_t kMaxThreadsPerCta = 1024;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_hex_digit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// "(x,y,z)" or "x,y,z" with positive components.
bool parse_dim(std::string_view v, Dim3& d) {
  v = trim(v);
  if (v.size() >= 2 && v.front() == '(' && v.back() == ')') v = v.substr(1, v.size() - 2);
  uint32_t c[3];
  for (int i = 0; i < 3; ++i) {
    size_t comma = i < 2 ? v.find(',') : v.size();
    if (comma == std::string_view::npos) return false;
    if (!parse_uint(trim(v.substr(0, comma)), c[i])) return false;
    v = i < 2 ? v.substr(comma + 1) : std::string_view();
  }
  d = {c[0], c[1], c[2]};
  return true;
}

// "keyword = N" lines inside a CTA section.
bool parse_keyword_value(std::string_view line, std::string_view keyword, std::string_view& value) {
  if (!line.starts_with(keyword)) return false;
  std::string_view rest = trim(line.substr(keyword.size()));
  if (rest.empty() || rest[0] != '=') return false;
  value = trim(rest.substr(1));
  return true;
}

class AccelSimKernelReader : public KernelReader {
 public:
  explicit AccelSimKernelReader(std::unique_ptr<LineReader> lines)
      : lines_(std::move(lines)), file_(lines_->name()) {
    parse_header();
    opcodes_ = OpcodeTable(info_.isa, info_.binary_version);
    format_.file = &file_;
    format_.tracer_version = info_.tracer_version;
    format_.lineinfo = lineinfo_;
    format_.warp_size = info_.warp_size;
  }

  const KernelInfo& info() const override { return info_; }
  const OpcodeTable& opcodes() const override { return opcodes_; }
  bool next_cta(CtaTrace& out) override;

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw InputError(file_, lines_->line_number(), what);
  }
  void parse_header();
  void header_line(std::string_view line, bool& have_version, bool& have_grid, bool& have_block,
                   bool& have_name);
  void close_warp(const CtaTrace& cta);

  std::unique_ptr<LineReader> lines_;
  std::string file_;
  KernelInfo info_;
  OpcodeTable opcodes_;
  LineFormat format_;
  bool lineinfo_ = false;
  bool pending_begin_ = false;  // the header ended at a #BEGIN_TB line
  uint64_t ctas_read_ = 0;
  // State of the warp being read.
  WarpTrace* warp_ = nullptr;
  uint64_t warp_declared_ = 0, warp_seen_ = 0, insts_line_ = 0;
  bool warp_has_count_ = false;
};

void AccelSimKernelReader::parse_header() {
  bool have_version = false, have_grid = false, have_block = false, have_name = false;
  std::string_view line;
  bool ended = false;
  while (lines_->next(line)) {
    std::string_view t = trim(line);
    if (t.empty()) continue;
    if (t[0] == '#') {
      pending_begin_ = t.starts_with("#BEGIN_TB");
      ended = true;
      break;
    }
    if (t[0] != '-')
      fail("expected a header line '-key = value' or the '#traces format' line, found " + quote(t));
    header_line(t, have_version, have_grid, have_block, have_name);
  }
  if (!ended && !have_name) fail("empty or truncated kernel trace: no '-kernel name' header");
  if (!have_name) fail("the header has no '-kernel name = ...' line");
  if (!have_grid) fail("the header has no '-grid dim = (x,y,z)' line");
  if (!have_block) fail("the header has no '-block dim = (x,y,z)' line");
  if (!have_version)
    fail("the header has no '-accelsim tracer version = N' line (versions 3 to 5 are supported)");
  if (info_.tracer_version < 3 || info_.tracer_version > 5)
    fail("accelsim tracer version " + std::to_string(info_.tracer_version) +
         " is not supported (versions 3 to 5 are)");
  if (info_.grid.count() == 0) fail("the grid has a zero dimension");
  if (info_.block.count() == 0 || info_.block.count() > kMaxThreadsPerCta)
    fail("block dim (" + std::to_string(info_.block.x) + "," + std::to_string(info_.block.y) + "," +
         std::to_string(info_.block.z) + ") has " + std::to_string(info_.block.count()) +
         " threads; 1 to 1024 are allowed");
  if (std::string e = cluster_shape_error(info_); !e.empty()) fail("'-cluster dim': " + e);
  info_.isa = IsaFamily::kSass;
  info_.warp_size = 32;
  uint32_t table = isa_table_version(info_.isa, info_.binary_version);
  if (table != info_.binary_version) {
    info_.warnings.push_back(file_ + ": binary version " + std::to_string(info_.binary_version) +
                             " has no ISA table; classifying opcodes with the nearest one, " +
                             isa_name(info_.isa, table));
  }
  info_.regs_per_thread = info_.regs_in_header;
  if (info_.regs_in_header > kMaxRegsPerThread) {
    info_.regs_per_thread = kMaxRegsPerThread;
    info_.warnings.push_back(file_ + ": -nregs = " + std::to_string(info_.regs_in_header) +
                             " is impossible (at most 255 registers per thread); using 255 for "
                             "occupancy");
  }
  for (const auto& w : info_.warnings) warn_once(w);
}

void AccelSimKernelReader::header_line(std::string_view t, bool& have_version, bool& have_grid,
                                       bool& have_block, bool& have_name) {
  size_t eq = t.find('=');
  if (eq == std::string_view::npos) fail("expected '-key = value', found " + quote(t));
  std::string_view key = trim(t.substr(1, eq - 1));
  std::string_view value = trim(t.substr(eq + 1));
  auto number = [&](auto& out) {
    if (!parse_uint(value, out))
      fail("expected '-" + std::string(key) + " = <non-negative integer>', found " + quote(value));
  };
  auto hex = [&](uint64_t& out) {
    if (!parse_uint(value, out, 16))
      fail("expected '-" + std::string(key) + " = <hex address>', found " + quote(value));
  };
  auto dim = [&](Dim3& out) {
    if (!parse_dim(value, out))
      fail("expected '-" + std::string(key) + " = (x,y,z)' with integers, found " + quote(value));
  };
  if (key == "kernel name") {
    if (value.empty()) fail("expected a kernel name after '-kernel name ='");
    info_.name = std::string(value);
    have_name = true;
  } else if (key == "kernel id") {
    number(info_.id);
  } else if (key == "grid dim") {
    dim(info_.grid);
    have_grid = true;
  } else if (key == "block dim") {
    dim(info_.block);
    have_block = true;
  } else if (key == "cluster dim") {  // joulesim extension (traces/FORMAT.md); absent: (1,1,1)
    dim(info_.cluster);
  } else if (key == "shmem") {
    number(info_.shmem_bytes);
  } else if (key == "nregs") {
    number(info_.regs_in_header);
  } else if (key == "binary version") {
    number(info_.binary_version);
  } else if (key == "cuda stream id") {
    number(info_.stream_id);
  } else if (key == "shmem base_addr") {
    hex(info_.shmem_base);
  } else if (key == "local mem base_addr") {
    hex(info_.local_base);
  } else if (key == "accelsim tracer version") {
    number(info_.tracer_version);
    have_version = true;
  } else if (key == "enable lineinfo") {
    uint32_t v;
    number(v);
    lineinfo_ = v != 0;
  }
  // Other keys (nvbit version, future additions) do not affect simulation.
}

void AccelSimKernelReader::close_warp(const CtaTrace& cta) {
  if (warp_ == nullptr) return;
  if (!warp_has_count_)
    fail("warp " + std::to_string(warp_->warp_in_cta) + " has no 'insts = N' line");
  if (warp_seen_ != warp_declared_) {
    throw InputError(file_, insts_line_,
                     "warp " + std::to_string(warp_->warp_in_cta) + " of thread block (" +
                         std::to_string(cta.id.x) + "," + std::to_string(cta.id.y) + "," +
                         std::to_string(cta.id.z) +
                         ") declares 'insts = " + std::to_string(warp_declared_) + "' but " +
                         std::to_string(warp_seen_) + " instruction lines follow");
  }
  warp_ = nullptr;
}

bool AccelSimKernelReader::next_cta(CtaTrace& out) {
  std::string_view line;
  // Find #BEGIN_TB.
  if (!pending_begin_) {
    for (;;) {
      if (!lines_->next(line)) {
        if (ctas_read_ < info_.grid.count())
          fail("file ends after " + std::to_string(ctas_read_) + " of " +
               std::to_string(info_.grid.count()) + " thread blocks (truncated trace?)");
        return false;
      }
      std::string_view t = trim(line);
      if (t.empty()) continue;
      if (t.starts_with("#BEGIN_TB")) break;
      if (t[0] == '#') continue;  // comment, e.g. the '#traces format' line
      fail("expected '#BEGIN_TB', found " + quote(t));
    }
  }
  pending_begin_ = false;
  if (ctas_read_ >= info_.grid.count())
    fail("more thread blocks than the grid's " + std::to_string(info_.grid.count()));

  size_t used = 0;
  uint64_t warps_seen_mask = 0;
  bool have_id = false;
  warp_ = nullptr;
  const uint32_t warps_per_cta = info_.warps_per_cta();
  for (;;) {
    if (!lines_->next(line))
      fail("file ends inside a thread block (missing '#END_TB'; truncated trace?)");
    std::string_view t = line;
    while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
    if (t.empty()) continue;
    const char c = t[0];
    if (is_hex_digit(c)) {
      if (warp_ == nullptr) fail("instruction line before any 'warp = N' line");
      if (!warp_has_count_) fail("instruction line before the warp's 'insts = N' line");
      if (warp_seen_ == warp_declared_)
        fail("more instruction lines than the warp's 'insts = " + std::to_string(warp_declared_) +
             "' (line " + std::to_string(insts_line_) + ")");
      Instruction& inst = warp_->insts.emplace_back();
      parse_instruction_line(t, lines_->line_number(), format_, opcodes_, inst, warp_->addresses);
      ++warp_seen_;
      continue;
    }
    std::string_view value;
    if (c == '#') {
      if (t.starts_with("#END_TB")) break;
      if (t.starts_with("#BEGIN_TB")) fail("'#BEGIN_TB' before the previous block's '#END_TB'");
      continue;
    }
    if (parse_keyword_value(t, "thread block", value)) {
      if (have_id) fail("second 'thread block' line in one block");
      if (!parse_dim(value, out.id)) fail("expected 'thread block = x,y,z', found " + quote(t));
      if (out.id.x >= info_.grid.x || out.id.y >= info_.grid.y || out.id.z >= info_.grid.z)
        fail("thread block " + std::string(value) + " lies outside the grid (" +
             std::to_string(info_.grid.x) + "," + std::to_string(info_.grid.y) + "," +
             std::to_string(info_.grid.z) + ")");
      have_id = true;
    } else if (parse_keyword_value(t, "warp", value)) {
      if (!have_id) fail("'warp = N' before the 'thread block = x,y,z' line");
      close_warp(out);
      uint32_t w;
      if (!parse_uint(value, w)) fail("expected 'warp = <warp index>', found " + quote(t));
      if (w >= warps_per_cta)
        fail("warp " + std::to_string(w) + " out of range: a block of " +
             std::to_string(info_.block.count()) + " threads has " + std::to_string(warps_per_cta) +
             " warps");
      if (warps_seen_mask >> w & 1)
        fail("warp " + std::to_string(w) + " appears twice in one block");
      warps_seen_mask |= uint64_t{1} << w;
      if (used == out.warps.size()) out.warps.emplace_back();
      warp_ = &out.warps[used++];
      warp_->warp_in_cta = w;
      warp_->insts.clear();
      warp_->addresses.clear();
      warp_has_count_ = false;
      warp_seen_ = warp_declared_ = 0;
    } else if (parse_keyword_value(t, "insts", value)) {
      if (warp_ == nullptr) fail("'insts = N' before any 'warp = N' line");
      if (warp_has_count_) fail("second 'insts = N' line for one warp");
      uint32_t n;
      if (!parse_uint(value, n)) fail("expected 'insts = <count>', found " + quote(t));
      warp_declared_ = n;
      warp_has_count_ = true;
      insts_line_ = lines_->line_number();
      warp_->insts.reserve(std::min<uint32_t>(n, 1u << 16));
    } else {
      fail(
          "expected an instruction line, 'thread block = x,y,z', 'warp = N', 'insts = N' or "
          "'#END_TB', found " +
          quote(t));
    }
  }
  if (!have_id) fail("thread block without a 'thread block = x,y,z' line");
  close_warp(out);
  out.warps.resize(used);
  ++ctas_read_;
  return true;
}

}  // namespace

std::unique_ptr<KernelReader> open_accelsim_kernel(std::unique_ptr<LineReader> lines) {
  return std::make_unique<AccelSimKernelReader>(std::move(lines));
}

}  // namespace joulesim::trace::detail
