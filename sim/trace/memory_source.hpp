#pragma once
/// @file
/// An in-memory trace: kernels whose CTAs are held as values. Used by the synthetic generators and
/// by tests that build instruction streams by hand.
#include <vector>

#include "trace/trace.hpp"

namespace joulesim::trace {

/// A kernel held in memory, with its own opcode table.
struct MemoryKernel {
  KernelInfo info;
  std::shared_ptr<OpcodeTable> opcodes = std::make_shared<OpcodeTable>();
  std::vector<CtaTrace> ctas;

  /// Appends an instruction named @p opcode to @p warp, classified through the opcode table, with
  /// one address per active lane in @p lane_addresses for memory instructions.
  Instruction& append(WarpTrace& warp, std::string_view opcode, uint64_t active_mask,
                      std::initializer_list<uint16_t> dst, std::initializer_list<uint16_t> src,
                      uint8_t mem_width = 0, const std::vector<uint64_t>& lane_addresses = {});
};

/// A TraceSource over kernels (and memcpys) held in memory.
class MemoryTraceSource : public TraceSource {
 public:
  void add_memcpy(uint64_t address, uint64_t bytes);
  void add_kernel(MemoryKernel kernel);
  bool next(TraceCommand& out) override;

 private:
  struct Entry {
    TraceCommand::Kind kind;
    uint64_t address = 0, bytes = 0;
    std::shared_ptr<MemoryKernel> kernel;
  };
  std::vector<Entry> entries_;
  size_t next_ = 0;
};

}  // namespace joulesim::trace
