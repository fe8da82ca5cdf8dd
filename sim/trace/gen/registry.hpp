#pragma once
// Inside of the generators: the registry entries, one per generator source file.
#include "trace/gen/program.hpp"

namespace joulesim::trace::gen::detail {

/// A registered generator: its spec and the function that builds its trace from validated params.
struct Entry {
  GeneratorSpec spec;
  GenTrace (*make)(const Params& params, Isa isa);
};

Entry ffma_chain_entry();     // ubench_chain.cpp
Entry throughput_entry();     // ubench_throughput.cpp
Entry pointer_chase_entry();  // ubench_pointer_chase.cpp
Entry stream_entry();         // ubench_stream.cpp
Entry stream_loop_entry();    // ubench_stream.cpp
Entry smem_bank_entry();      // ubench_smem.cpp
Entry smem_chase_entry();     // ubench_smem.cpp
Entry gemm_entry();           // gemm.cpp
Entry reduce_entry();         // kernel_reduce.cpp

/// Integer / choice ParamSpec shorthands.
ParamSpec int_param(std::string name, int64_t def, int64_t min, int64_t max, std::string doc,
                    bool power_of_two = false);
ParamSpec choice_param(std::string name, std::string def, std::vector<std::string> choices,
                       std::string doc);

/// All ISAs; SASS ISAs only; CDNA only.
std::vector<Isa> all_isas();

}  // namespace joulesim::trace::gen::detail
