#pragma once
// Inside of the trace subsystem: per-ISA opcode classifiers behind classify_opcode().
#include <string_view>

#include "trace/trace.hpp"

namespace joulesim::trace::detail {

/// Classifies a SASS opcode ("HMMA.16816.F32.BF16") against the table of @p table_version
/// (one of 70, 75, 80, 86, 89, 90, 100, 120).
OpcodeInfo classify_sass(std::string_view name, uint32_t table_version);

/// Classifies an AMD CDNA mnemonic ("v_mfma_f32_32x32x8f16") for kGfx90a or kGfx942.
OpcodeInfo classify_cdna(std::string_view name, uint32_t table_version);

/// Sets mma_blocks and mma_rate of a classified MFMA (type, sparse and m, n, k already set) from
/// the per-shape cycle table of @p table (kGfx90a or kGfx942). @p old_bf16: a gfx90a bf16 MFMA
/// without the _1k suffix. False if the shape is not in the table (left at 1 block, full rate).
bool set_mfma_shape_info(OpcodeInfo& info, bool old_bf16, uint32_t table);

/// Parses a tensor shape token: "64x256x16" or the packed SASS digits "16816" (m16 n8 k16),
/// "884" (m8 n8 k4), "88128" (m8 n8 k128). False if @p token is not a shape.
bool parse_mma_shape(std::string_view token, uint16_t& m, uint16_t& n, uint16_t& k);

}  // namespace joulesim::trace::detail
