#pragma once
/// @file
/// Public interface of the synthetic trace generators (`joulesim trace gen`): microbenchmarks with
/// known answers (dependent chains, throughput loops per unit, pointer chase, streaming, shared-
/// memory bank conflicts) and tensor-core GEMM kernels, emitted as realistic SASS (sm_70/80/90/100)
/// or CDNA (gfx90a/gfx942) instruction streams with register dependencies and addresses.
///
/// Generators live in a registry by name. Each has documented, typed and validated parameters;
/// an unknown parameter or a value out of range is an Error naming it and what is allowed.
/// A generated trace is available two ways: materialised (generate(): a MemoryTraceSource, for
/// tests and small traces) or streamed CTA by CTA (open_generated(): memory bounded by one CTA,
/// for large GEMMs and for writing files). Both produce identical instructions.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "trace/memory_source.hpp"
#include "trace/trace.hpp"

namespace joulesim::trace::gen {

/// Target instruction set of a generated trace.
enum class Isa : uint8_t { kSm70, kSm80, kSm90, kSm100, kGfx90a, kGfx942, kCount };

/// "sm_70", "sm_80", "sm_90", "sm_100", "gfx90a", "gfx942".
std::string_view to_string(Isa isa);
/// Parses an ISA name; throws Error listing the allowed names.
Isa parse_isa(std::string_view name);
/// kSass for sm_*, kCdna for gfx*.
IsaFamily isa_family(Isa isa);
/// The number written as "-binary version": 70/80/90/100 for SASS; 0x90A/0x942 for CDNA (the gfx
/// id read as hex, as the trace subsystem numbers CDNA tables).
uint32_t isa_binary_version(Isa isa);
/// 32 (NVIDIA warp) or 64 (CDNA wavefront).
uint32_t isa_warp_size(Isa isa);

/// One parameter of a generator: an integer in [min, max] (optionally a power of two), or one of
/// a list of choices. Values are given as text ("k=v") and validated by resolve_params().
struct ParamSpec {
  std::string name;
  std::string doc;
  std::string def;                   ///< default value, as text
  std::vector<std::string> choices;  ///< non-empty: an enumerated parameter
  int64_t min = 0, max = 0;          ///< integer range (inclusive) when choices is empty
  bool power_of_two = false;         ///< integer must also be a power of two
};

/// A registered generator: its name, what it emits, its parameters and the ISAs it supports.
struct GeneratorSpec {
  std::string name;
  std::string summary;
  std::vector<ParamSpec> params;
  std::vector<Isa> isas;  ///< supported targets; the first is the default
};

/// Parameter assignments as given on the command line, in order ("n", "4096").
using ParamList = std::vector<std::pair<std::string, std::string>>;

/// Parameter values after validation, with defaults filled in.
class Params {
 public:
  /// Integer value of @p name (which must be an integer parameter of the generator).
  int64_t integer(std::string_view name) const;
  /// Text value of @p name (a choice parameter).
  const std::string& text(std::string_view name) const;
  /// Generator name, for error messages.
  const std::string& generator() const { return generator_; }

 private:
  friend Params resolve_params(const GeneratorSpec& spec, const ParamList& given);
  std::string generator_;
  std::vector<std::pair<std::string, std::string>> values_;
  std::vector<int64_t> ints_;
};

/// Validates @p given against @p spec: unknown names (listing the allowed ones), malformed
/// integers, out-of-range values (showing the range), non-members of a choice list (showing it),
/// duplicates. Throws Error; the message starts with the generator name.
Params resolve_params(const GeneratorSpec& spec, const ParamList& given);

/// Splits "k=v" command-line arguments into a ParamList; throws Error on a missing '='.
ParamList parse_param_args(const std::vector<std::string>& args);

/// All registered generators, in a stable order.
const std::vector<GeneratorSpec>& generator_specs();
/// The generator called @p name; throws Error listing the registered names.
const GeneratorSpec& generator_spec(std::string_view name);
/// Human-readable list of every generator with its parameters (for `trace gen --list`).
std::string describe_generators();

/// Streams the trace of generator @p name (CTAs built on demand; all opcodes of a kernel are
/// interned before its reader is returned). @p isa defaults to the generator's first ISA; an ISA
/// it does not support, or a parameter combination the ISA cannot express, throws Error.
std::unique_ptr<TraceSource> open_generated(std::string_view name, const ParamList& params,
                                            std::optional<Isa> isa = std::nullopt);

/// The same trace materialised in memory.
MemoryTraceSource generate(std::string_view name, const ParamList& params,
                           std::optional<Isa> isa = std::nullopt);

}  // namespace joulesim::trace::gen
