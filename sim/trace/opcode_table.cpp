#include "core/error.hpp"
#include "trace/trace.hpp"

namespace joulesim::trace {

OpcodeTable::OpcodeTable(IsaFamily isa, uint32_t binary_version)
    : isa_(isa), binary_version_(binary_version) {}

uint16_t OpcodeTable::intern(std::string_view name) {
  auto it = index_.find(std::string(name));
  if (it != index_.end()) return it->second;
  if (infos_.size() >= 0xFFFF) throw Error("more than 65535 distinct opcodes in one kernel");
  auto id = static_cast<uint16_t>(infos_.size());
  infos_.push_back(classify_opcode(name, isa_, binary_version_));
  index_.emplace(std::string(name), id);
  return id;
}

}  // namespace joulesim::trace
