// Append-only JSON lines: one write() per line, torn tails detected and cut off on resume.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>

#include "core/error.hpp"
#include "sweep/sweep.hpp"

namespace joulesim::sweep {
namespace fs = std::filesystem;

namespace {
double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
}  // namespace

fs::path OutputFiles::sim(const std::string& sim_id) const {
  return dir / "sims" / (sim_id + ".json");
}

struct JsonLinesWriter::Lock {
  std::mutex mu;
};

JsonLinesWriter::JsonLinesWriter(const fs::path& path, double sync_interval_s)
    : path_(path), sync_interval_s_(sync_interval_s), lock_(std::make_unique<Lock>()) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) throw Error("cannot open " + path.string() + ": " + std::strerror(errno));
  last_sync_ = now_s();
}

JsonLinesWriter::~JsonLinesWriter() {
  if (fd_ >= 0) {
    ::fdatasync(fd_);
    ::close(fd_);
  }
}

void JsonLinesWriter::append(const std::string& line) {
  if (line.find('\n') != std::string::npos)
    throw Error("internal: a JSON line must not contain a newline");
  std::string buf = line;
  buf.push_back('\n');
  std::lock_guard<std::mutex> g(lock_->mu);
  // One write() of the whole line: O_APPEND makes its offset atomic; a short write (disk full,
  // signal) is finished in a loop and would at worst leave a torn last line for read_lines().
  size_t done = 0;
  while (done < buf.size()) {
    const ssize_t n = ::write(fd_, buf.data() + done, buf.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error("cannot append to " + path_.string() + ": " + std::strerror(errno));
    }
    done += static_cast<size_t>(n);
  }
  if (const double t = now_s(); t - last_sync_ >= sync_interval_s_) {
    ::fdatasync(fd_);
    last_sync_ = t;
  }
}

void JsonLinesWriter::sync() {
  std::lock_guard<std::mutex> g(lock_->mu);
  ::fdatasync(fd_);
  last_sync_ = now_s();
}

std::vector<nlohmann::json> read_lines(const fs::path& path, bool repair, size_t* torn) {
  if (torn != nullptr) *torn = 0;
  std::vector<nlohmann::json> out;
  std::ifstream in(path, std::ios::binary);
  if (!in) return out;
  std::ostringstream ss;
  ss << in.rdbuf();
  const std::string data = ss.str();
  size_t pos = 0, line_no = 0, good_end = 0;
  while (pos < data.size()) {
    const size_t nl = data.find('\n', pos);
    ++line_no;
    if (nl == std::string::npos) {
      // No newline: the write of this line never completed.
      if (torn != nullptr) *torn = 1;
      break;
    }
    const std::string_view text(data.data() + pos, nl - pos);
    if (!text.empty()) {
      try {
        out.push_back(nlohmann::json::parse(text));
      } catch (const nlohmann::json::parse_error& e) {
        throw ConfigError(path.string() + ":" + std::to_string(line_no) +
                          ": not a JSON result line (the file is corrupt): " + e.what());
      }
    }
    pos = nl + 1;
    good_end = pos;
  }
  if (repair && good_end < data.size()) {
    if (::truncate(path.c_str(), static_cast<off_t>(good_end)) != 0) {
      throw Error("cannot truncate the torn last line of " + path.string() + ": " +
                  std::strerror(errno));
    }
  }
  return out;
}

}  // namespace joulesim::sweep
