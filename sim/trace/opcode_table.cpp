#include "core/error.hpp"
#include "trace/trace.hpp"
#include "trace/warn.hpp"

namespace joulesim::trace {

OpcodeTable::OpcodeTable(IsaFamily isa, uint32_t binary_version)
    : isa_(isa), binary_version_(binary_version) {}

uint16_t OpcodeTable::intern(std::string_view name) {
  // Heterogeneous lookup: a hit (the common case while parsing) allocates nothing.
  auto it = index_.find(name);
  if (it != index_.end()) return it->second;
  if (infos_.size() >= 0xFFFF) throw Error("more than 65535 distinct opcodes in one kernel");
  auto id = static_cast<uint16_t>(infos_.size());
  infos_.push_back(classify_opcode(name, isa_, binary_version_));
  index_.emplace(std::string(name), id);
  if (!infos_.back().known) {
    detail::warn_once("unknown opcode '" + std::string(name) + "' for " +
                      isa_name(isa_, isa_table_version(isa_, binary_version_)) +
                      ": counted and simulated as a generic integer ALU op");
  }
  return id;
}

}  // namespace joulesim::trace
