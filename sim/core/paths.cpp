#include "core/paths.hpp"

#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "core/error.hpp"

namespace joulesim {

std::filesystem::path data_root() {
  if (const char* home = std::getenv("JOULESIM_HOME"); home != nullptr && *home != '\0') {
    return home;
  }
  return JOULESIM_SOURCE_DIR;
}

void write_file_atomically(const std::filesystem::path& path, const std::string& contents) {
  // Same folder as the target so that rename() is atomic on one file system.
  auto tmp = path;
  tmp += ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw Error("cannot write " + tmp.string());
    out << contents;
    out.flush();
    if (!out) throw Error("write failed: " + tmp.string());
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp);
    throw Error("cannot rename " + tmp.string() + " to " + path.string() + ": " + ec.message());
  }
}

}  // namespace joulesim
