#pragma once
// Inside of the trace subsystem: the Accel-Sim/NVBit text trace reader.
#include <filesystem>
#include <memory>

#include "trace/text_input.hpp"
#include "trace/trace.hpp"

namespace joulesim::trace::detail {

/// Reads one kernel (.traceg): parses its header now, streams its CTAs on demand.
std::unique_ptr<KernelReader> open_accelsim_kernel(std::unique_ptr<LineReader> lines);

/// A kernelslist.g: MemcpyHtoD lines and kernel files relative to the list's folder.
std::unique_ptr<TraceSource> open_accelsim_list(const std::filesystem::path& list);

/// A single .traceg[.xz|.gz] file as a one-kernel trace.
std::unique_ptr<TraceSource> open_accelsim_kernel_file(const std::filesystem::path& file);

/// A single kernel's text held in memory (optionally compressed).
std::unique_ptr<TraceSource> open_accelsim_memory(std::shared_ptr<const std::string> data,
                                                  std::string name);

}  // namespace joulesim::trace::detail
