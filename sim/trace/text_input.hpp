#pragma once
// Inside of the trace subsystem: byte sources (plain file, memory, gzip, xz) and a line reader
// over them that hands out string_views into its own buffer, so reading a line allocates nothing.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace joulesim::trace::detail {

/// A corrupt or truncated compressed stream; LineReader turns it into an InputError.
class DecodeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A stream of bytes. read() returns 0 only at the end.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual size_t read(char* buf, size_t n) = 0;
};

enum class Compression { kNone, kGzip, kXz };

/// Compression detected from the first bytes of a stream (gzip 1f 8b, xz fd '7zXZ').
Compression detect_compression(std::string_view head);

/// Opens @p path, decompressing gzip/xz transparently (detected by magic bytes).
/// Throws Error if it cannot be opened.
std::unique_ptr<ByteSource> open_file_source(const std::filesystem::path& path);

/// A source over bytes held in memory, decompressing gzip/xz transparently.
std::unique_ptr<ByteSource> open_memory_source(std::shared_ptr<const std::string> data);

/// Reads lines ('\n'-terminated, a trailing '\r' dropped) from a ByteSource.
class LineReader {
 public:
  /// @p initial_buffer: starting buffer size (it grows for long lines); small for small inputs.
  LineReader(std::unique_ptr<ByteSource> source, std::string name,
             size_t initial_buffer = size_t{256} << 10);
  /// Next line, valid until the following call. False at the end of the input.
  bool next(std::string_view& line);
  /// 1-based number of the line last returned.
  uint64_t line_number() const { return line_; }
  const std::string& name() const { return name_; }

 private:
  bool refill();
  std::unique_ptr<ByteSource> source_;
  std::string name_;
  std::unique_ptr<char[]> buf_;  // not value-initialised: nothing is zeroed per open
  size_t cap_;
  size_t begin_ = 0, end_ = 0;
  bool eof_ = false;
  uint64_t line_ = 0;
};

}  // namespace joulesim::trace::detail
