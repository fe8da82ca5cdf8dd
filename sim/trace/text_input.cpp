#include "trace/text_input.hpp"

#include <fcntl.h>
#include <lzma.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/error.hpp"

namespace joulesim::trace::detail {

namespace {
constexpr size_t kChunk = size_t{256} << 10;   // bytes read per refill
constexpr size_t kMaxLine = size_t{64} << 20;  // a longer line is not a trace line

class FileSource : public ByteSource {
 public:
  FileSource(int fd, std::string name) : fd_(fd), name_(std::move(name)) {
#ifdef POSIX_FADV_SEQUENTIAL
    ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
  }
  ~FileSource() override { ::close(fd_); }
  size_t read(char* buf, size_t n) override {
    for (;;) {
      ssize_t got = ::read(fd_, buf, n);
      if (got >= 0) return static_cast<size_t>(got);
      if (errno != EINTR) throw Error("cannot read " + name_ + ": " + std::strerror(errno));
    }
  }

 private:
  int fd_;
  std::string name_;
};

class MemorySource : public ByteSource {
 public:
  explicit MemorySource(std::shared_ptr<const std::string> data) : data_(std::move(data)) {}
  size_t read(char* buf, size_t n) override {
    size_t k = std::min(n, data_->size() - pos_);
    std::memcpy(buf, data_->data() + pos_, k);
    pos_ += k;
    return k;
  }

 private:
  std::shared_ptr<const std::string> data_;
  size_t pos_ = 0;
};

class GzipSource : public ByteSource {
 public:
  explicit GzipSource(std::unique_ptr<ByteSource> raw)
      : raw_(std::move(raw)), in_(new char[kChunk]) {
    std::memset(&z_, 0, sizeof(z_));
    if (inflateInit2(&z_, 15 + 32) != Z_OK) throw Error("zlib initialisation failed");
  }
  ~GzipSource() override { inflateEnd(&z_); }
  size_t read(char* buf, size_t n) override {
    z_.next_out = reinterpret_cast<Bytef*>(buf);
    z_.avail_out = static_cast<uInt>(n);
    while (z_.avail_out == n && !done_) {
      if (z_.avail_in == 0) {
        size_t got = raw_->read(in_.get(), kChunk);
        if (got == 0) {
          if (!member_done_) throw DecodeError("truncated gzip stream");
          done_ = true;
          break;
        }
        z_.next_in = reinterpret_cast<Bytef*>(in_.get());
        z_.avail_in = static_cast<uInt>(got);
      }
      member_done_ = false;
      int rc = inflate(&z_, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        member_done_ = true;  // another gzip member may follow (concatenated files)
        if (inflateReset(&z_) != Z_OK) throw DecodeError("zlib reset failed");
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        throw DecodeError(std::string("corrupt gzip stream: ") + (z_.msg ? z_.msg : "error"));
      }
    }
    return n - z_.avail_out;
  }

 private:
  std::unique_ptr<ByteSource> raw_;
  std::unique_ptr<char[]> in_;
  z_stream z_;
  bool member_done_ = false, done_ = false;
};

class XzSource : public ByteSource {
 public:
  explicit XzSource(std::unique_ptr<ByteSource> raw) : raw_(std::move(raw)), in_(new char[kChunk]) {
    if (lzma_stream_decoder(&s_, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK)
      throw Error("liblzma initialisation failed");
  }
  ~XzSource() override { lzma_end(&s_); }
  size_t read(char* buf, size_t n) override {
    s_.next_out = reinterpret_cast<uint8_t*>(buf);
    s_.avail_out = n;
    while (s_.avail_out == n && !done_) {
      lzma_action action = LZMA_RUN;
      if (s_.avail_in == 0 && !in_eof_) {
        size_t got = raw_->read(in_.get(), kChunk);
        if (got == 0) in_eof_ = true;
        s_.next_in = reinterpret_cast<const uint8_t*>(in_.get());
        s_.avail_in = got;
      }
      if (in_eof_) action = LZMA_FINISH;
      lzma_ret rc = lzma_code(&s_, action);
      if (rc == LZMA_STREAM_END) {
        done_ = true;
      } else if (rc == LZMA_BUF_ERROR && in_eof_) {
        throw DecodeError("truncated xz stream");
      } else if (rc != LZMA_OK && rc != LZMA_BUF_ERROR) {
        throw DecodeError("corrupt xz stream (liblzma error " + std::to_string(rc) + ")");
      }
    }
    return n - s_.avail_out;
  }

 private:
  std::unique_ptr<ByteSource> raw_;
  std::unique_ptr<char[]> in_;
  lzma_stream s_ = LZMA_STREAM_INIT;
  bool in_eof_ = false, done_ = false;
};

std::unique_ptr<ByteSource> wrap(std::unique_ptr<ByteSource> raw, Compression c) {
  switch (c) {
    case Compression::kGzip:
      return std::make_unique<GzipSource>(std::move(raw));
    case Compression::kXz:
      return std::make_unique<XzSource>(std::move(raw));
    case Compression::kNone:
      break;
  }
  return raw;
}
}  // namespace

Compression detect_compression(std::string_view head) {
  if (head.size() >= 2 && static_cast<unsigned char>(head[0]) == 0x1f &&
      static_cast<unsigned char>(head[1]) == 0x8b)
    return Compression::kGzip;
  if (head.size() >= 6 && head.substr(0, 6) == std::string_view("\xFD"
                                                                "7zXZ\0",
                                                                6))
    return Compression::kXz;
  return Compression::kNone;
}

std::unique_ptr<ByteSource> open_file_source(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error("cannot open " + path.string() + ": " + std::strerror(errno));
  char head[6];
  ssize_t got = ::pread(fd, head, sizeof(head), 0);
  Compression c = detect_compression(std::string_view(head, got > 0 ? size_t(got) : 0));
  return wrap(std::make_unique<FileSource>(fd, path.string()), c);
}

std::unique_ptr<ByteSource> open_memory_source(std::shared_ptr<const std::string> data) {
  Compression c = detect_compression(std::string_view(*data).substr(0, 6));
  return wrap(std::make_unique<MemorySource>(std::move(data)), c);
}

LineReader::LineReader(std::unique_ptr<ByteSource> source, std::string name, size_t initial_buffer)
    : source_(std::move(source)),
      name_(std::move(name)),
      buf_(new char[std::clamp<size_t>(initial_buffer, 256, kChunk)]),
      cap_(std::clamp<size_t>(initial_buffer, 256, kChunk)) {}

bool LineReader::refill() {
  if (eof_) return false;
  if (begin_ > 0) {  // keep the partial line, move it to the front
    std::memmove(buf_.get(), buf_.get() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == cap_) {
    if (cap_ >= kMaxLine)
      throw InputError(name_, line_ + 1, "line longer than 64 MiB: not a trace line");
    std::unique_ptr<char[]> bigger(new char[cap_ * 2]);
    std::memcpy(bigger.get(), buf_.get(), end_);
    buf_ = std::move(bigger);
    cap_ *= 2;
  }
  size_t got;
  try {
    got = source_->read(buf_.get() + end_, cap_ - end_);
  } catch (const DecodeError& e) {
    throw InputError(name_, line_ + 1, e.what());
  }
  if (got == 0) eof_ = true;
  end_ += got;
  return got > 0;
}

bool LineReader::next(std::string_view& line) {
  for (;;) {
    const char* start = buf_.get() + begin_;
    const void* nl = std::memchr(start, '\n', end_ - begin_);
    if (nl != nullptr) {
      size_t len = static_cast<const char*>(nl) - start;
      begin_ += len + 1;
      if (len > 0 && start[len - 1] == '\r') --len;
      line = std::string_view(start, len);
      ++line_;
      return true;
    }
    if (!refill()) {
      if (begin_ == end_) return false;
      // Last line without a newline.
      size_t len = end_ - begin_;
      const char* s = buf_.get() + begin_;
      begin_ = end_;
      if (len > 0 && s[len - 1] == '\r') --len;
      line = std::string_view(s, len);
      ++line_;
      return true;
    }
  }
}

}  // namespace joulesim::trace::detail
