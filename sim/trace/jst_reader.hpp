#pragma once
// Inside of the trace subsystem: the native .jst reader.
#include <memory>
#include <string>

#include "trace/jst_format.hpp"
#include "trace/trace.hpp"

namespace joulesim::trace::detail {

/// Opens a .jst image; throws Error naming the byte offset on malformed data.
std::unique_ptr<TraceSource> open_jst(std::shared_ptr<RandomAccess> data, std::string name);

}  // namespace joulesim::trace::detail
