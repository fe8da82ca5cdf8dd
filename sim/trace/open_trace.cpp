// open_trace: picks the reader from the path and the file's first bytes.
#include <fstream>

#include "core/error.hpp"
#include "trace/accelsim_reader.hpp"
#include "trace/jst_reader.hpp"
#include "trace/text_input.hpp"

namespace joulesim::trace {

namespace fs = std::filesystem;

std::unique_ptr<TraceSource> open_trace(const fs::path& path_in) {
  fs::path path = path_in;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    path /= "kernelslist.g";
    if (!fs::is_regular_file(path, ec))
      throw Error(path_in.string() + " is a folder without a kernelslist.g");
  }
  if (!fs::exists(path, ec)) throw Error("trace not found: " + path.string());
  if (!fs::is_regular_file(path, ec)) throw Error("not a regular file: " + path.string());
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot open " + path.string());
  std::string head(4096, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(in.gcount()));
  if (detail::is_jst(head))
    return detail::open_jst(detail::open_random_access_file(path.string()), path.string());
  if (detail::detect_compression(head) != detail::Compression::kNone)
    return detail::open_accelsim_kernel_file(path);
  // Text: a kernel file starts with its "-kernel name" header, a list with commands or paths.
  size_t first = head.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) throw Error(path.string() + ": empty file, not a trace");
  if (head[first] == '-' || head.compare(first, 9, "#BEGIN_TB") == 0)
    return detail::open_accelsim_kernel_file(path);
  return detail::open_accelsim_list(path);
}

std::unique_ptr<TraceSource> open_trace_from_memory(std::string data, std::string name) {
  auto shared = std::make_shared<const std::string>(std::move(data));
  if (detail::is_jst(*shared))
    return detail::open_jst(detail::open_random_access_memory(shared), name);
  return detail::open_accelsim_memory(shared, std::move(name));
}

}  // namespace joulesim::trace
