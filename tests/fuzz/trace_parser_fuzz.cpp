// libFuzzer harness for the trace readers: the input is one Accel-Sim kernel file (plain, gzip or
// xz) or a .jst image, read from memory. Every input must either parse or throw joulesim::Error;
// a crash, sanitizer report, hang or any other exception is a bug.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/error.hpp"
#include "trace/trace.hpp"
#include "trace/trace_stats.hpp"
#include "trace/warn.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static bool quiet = (joulesim::trace::detail::set_warnings_enabled(false), true);
  (void)quiet;
  try {
    auto source = joulesim::trace::open_trace_from_memory(
        std::string(reinterpret_cast<const char*>(data), size), "fuzz");
    joulesim::trace::TraceSummary s = joulesim::trace::summarize_trace(*source);
    // As the CLI prints it: invalid UTF-8 in names is replaced.
    (void)s.to_json().dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  } catch (const joulesim::Error&) {
    // Malformed input reported properly.
  }
  return 0;
}
