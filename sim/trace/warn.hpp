#pragma once
// Inside of the trace subsystem: one-time warnings on stderr.
#include <string>

namespace joulesim::trace::detail {

/// Prints "joulesim: warning: MESSAGE" to stderr the first time this process sees MESSAGE.
void warn_once(const std::string& message);

/// Turns warn_once printing off (the fuzzer) or back on. Thread-safe.
void set_warnings_enabled(bool enabled);

}  // namespace joulesim::trace::detail
