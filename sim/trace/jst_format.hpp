#pragma once
// Inside of the trace subsystem: constants and byte-level helpers of the native .jst format
// (documented in traces/FORMAT.md).
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

namespace joulesim::trace::detail {

inline constexpr char kJstMagic[8] = {'\x89', 'J', 'S', 'T', '\r', '\n', '\x1a', '\n'};
inline constexpr uint64_t kJstVersion = 1;

// Record tags.
inline constexpr uint8_t kTagEnd = 0x00;
inline constexpr uint8_t kTagMemcpy = 0x01;
inline constexpr uint8_t kTagKernel = 0x02;
inline constexpr uint8_t kTagCta = 0x03;
inline constexpr uint8_t kTagKernelEnd = 0x04;
/// Optional, right after a kernel's info: its thread-block cluster shape (absent: 1,1,1).
inline constexpr uint8_t kTagCluster = 0x05;

// Instruction header bits.
inline constexpr uint8_t kPcNext = 0x01;    // pc == previous pc + 16
inline constexpr uint8_t kMaskSame = 0x02;  // active mask == previous mask of the warp
inline constexpr uint8_t kHasImm = 0x04;    // a non-zero immediate follows
inline constexpr uint8_t kMemory = 0x08;    // a memory width (and addresses) follow
inline constexpr int kAddrShift = 4;        // bits 4-5: address encoding
inline constexpr uint8_t kAddrNone = 0, kAddrStride = 1, kAddrDeltas = 2, kAddrPacked = 3;
inline constexpr int kMaxPackedBits = 57;  // packed deltas: at most 57 bits each
/// Upper bound of one encoded instruction (header, 16 register varints, 63 address deltas).
inline constexpr size_t kMaxInstBytes = 1024;
inline constexpr uint32_t kPcStep = 16;  // SASS instructions are 16 bytes since Volta

/// Population count that stays inline without -mpopcnt (std::popcount would call libgcc).
inline int popcount64(uint64_t x) {
  x = x - ((x >> 1) & 0x5555555555555555ull);
  x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
  x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
  return static_cast<int>((x * 0x0101010101010101ull) >> 56);
}

inline bool is_jst(std::string_view head) {
  return head.size() >= sizeof(kJstMagic) && std::memcmp(head.data(), kJstMagic, 8) == 0;
}

inline uint64_t zigzag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t unzigzag(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

inline void put_varint(std::string& out, uint64_t v) {
  char buf[10];
  int n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  out.append(buf, n);
}
inline int varint_size(uint64_t v) {
  int n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}
inline void put_string(std::string& out, std::string_view s) {
  put_varint(out, s.size());
  out.append(s);
}

/// Random access to the bytes of a .jst image (a file or memory), shared by all its cursors.
class RandomAccess {
 public:
  virtual ~RandomAccess() = default;
  virtual uint64_t size() const = 0;
  /// Reads up to @p n bytes at @p offset; fewer only at the end.
  virtual size_t read_at(uint64_t offset, char* buf, size_t n) const = 0;
  /// All bytes at once when they are already in memory (read without copying), else nullptr.
  virtual const char* mapped() const { return nullptr; }
};

std::shared_ptr<RandomAccess> open_random_access_file(const std::string& path);
std::shared_ptr<RandomAccess> open_random_access_memory(std::shared_ptr<const std::string> data);

/// Buffered reader over [begin, end) of a RandomAccess. Errors name the file and byte offset.
class Cursor {
 public:
  Cursor(std::shared_ptr<RandomAccess> data, uint64_t begin, uint64_t end, std::string name);
  uint64_t offset() const { return base_ + static_cast<uint64_t>(p_ - start_); }
  bool at_end() const { return offset() >= end_; }
  uint8_t byte() {
    if (p_ == lim_) fill(1);
    return static_cast<uint8_t>(*p_++);
  }
  uint64_t varint() {
    if (lim_ - p_ < 10) fill(10);
    uint64_t v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      if (p_ == lim_) fail("truncated varint");
      uint8_t b = static_cast<uint8_t>(*p_++);
      if (shift == 63 && b > 1) fail("varint overflows 64 bits");
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return v;
    }
    fail("varint longer than 10 bytes");
  }
  int64_t svarint() { return unzigzag(varint()); }
  uint64_t u64le();
  /// Makes @p n bytes readable at data() if the range holds them; available() tells.
  void ensure(size_t n) {
    if (static_cast<size_t>(lim_ - p_) < n) fill(n);
  }
  size_t available() const { return static_cast<size_t>(lim_ - p_); }
  const char* data() const { return p_; }
  void advance_to(const char* q) { p_ = q; }
  std::string string(size_t max_len, const char* what);
  void seek(uint64_t offset);
  [[noreturn]] void fail(const std::string& what) const;

 private:
  void fill(size_t want);  // make at least @p want bytes available if the range has them
  std::shared_ptr<RandomAccess> data_;
  uint64_t end_;
  std::string name_;
  const char* map_;              // the whole image when held in memory, else nullptr
  std::unique_ptr<char[]> buf_;  // read buffer when not mapped
  size_t cap_ = 0;
  uint64_t base_;  // offset of start_
  const char* start_;
  const char* p_;
  const char* lim_;
};

}  // namespace joulesim::trace::detail
