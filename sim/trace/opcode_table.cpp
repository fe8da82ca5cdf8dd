#include "core/error.hpp"
#include "trace/trace.hpp"
#include "trace/warn.hpp"

namespace joulesim::trace {

OpcodeTable::OpcodeTable(IsaFamily isa, uint32_t binary_version)
    : isa_(isa), binary_version_(binary_version) {}

namespace {
/// Cheap hash of a short opcode string: length, first and last bytes, middle byte.
size_t recent_slot(std::string_view s) {
  if (s.empty()) return 0;
  const auto b = [&](size_t i) { return static_cast<size_t>(static_cast<unsigned char>(s[i])); };
  return (s.size() * 131 + b(0) * 31 + b(s.size() - 1) * 7 + b(s.size() / 2) * 17 +
          b(s.size() * 3 / 4) * 3) &
         255;
}
}  // namespace

uint16_t OpcodeTable::intern(std::string_view name) {
  uint16_t& recent = recent_[recent_slot(name)];
  if (recent != 0 && infos_[recent - 1].name == name) return static_cast<uint16_t>(recent - 1);
  // Heterogeneous lookup: a hit allocates nothing.
  auto it = index_.find(name);
  if (it != index_.end()) {
    recent = static_cast<uint16_t>(it->second + 1);
    return it->second;
  }
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
