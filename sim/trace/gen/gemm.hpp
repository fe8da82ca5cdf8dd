#pragma once
// Inside of the gemm generator: the tiled-GEMM kernel skeleton shared by the SASS code paths
// (warp-synchronous MMA on sm_70/80/100, warpgroup wgmma on sm_90). MFMA on CDNA
// (gemm_mfma.cpp) has its own software-pipelined loop and uses only GemmSetup and swizzle().
//
// C[m][n] = A[m][k] * B[k][n], all row-major. Each CTA computes one BM x BN tile of C; per k-tile
// of BK it copies the A (BM x BK) and B (BK x BN) tiles global -> registers -> shared memory in
// 16-byte chunks (LDG.E.128 + STS.128 / global_load_dwordx4 + ds_write_b128), double-buffered:
// the next k-tile's loads are issued before the current tile's MMAs and stored to the other
// buffer after them, then a barrier. The last k-tile is peeled after the loop (no prefetch).
// Shared-memory tiles are row-major with the 16-byte chunk XOR swizzle
//   chunk' = (chunk & ~7) | ((chunk ^ (chunk >> 3)) & 7)
// so that 8 consecutive chunks of one row and the same chunk of 8 consecutive 128-byte lines
// both fall in distinct bank groups.
#include <array>
#include <vector>

#include "trace/gen/program.hpp"

namespace joulesim::trace::gen::detail {

/// Problem and layout shared by every path.
struct GemmSetup {
  uint64_t m = 0, n = 0, k = 0;
  uint32_t bits = 16;      ///< bits per A/B element
  uint32_t acc_bytes = 4;  ///< bytes per C element (the accumulator type)
  bool sparse = false;     ///< 2:4 structured sparse A (compressed to k/2, with metadata)
  uint32_t bm = 128, bn = 128, bk = 32;  ///< CTA tile (bk in logical k)
  uint32_t threads = 128;
  /// k-tiles whose global loads are in flight ahead of the one being stored: 1 is plain double
  /// buffering; d > 1 keeps d register staging sets, so each load has d k-tiles of MMAs to hide
  /// its latency behind (what multistage pipelines do with asynchronous copies).
  uint32_t prefetch = 1;
  uint64_t a = 0, b = 0, c = 0, meta = 0;  ///< device addresses of A (compressed), B, C, metadata
  std::string name;                        ///< kernel name

  uint64_t a_row_bytes() const { return k * bits / 8 / (sparse ? 2 : 1); }
  uint64_t b_row_bytes() const { return n * bits / 8; }
  /// Metadata: 1 bit per logical A element (two 2-bit indices per group of four), row-major.
  uint64_t meta_row_bytes() const { return k / 8; }
  uint64_t k_tiles() const { return k / bk; }
};

/// One matrix tile copied to shared memory every k-iteration.
struct SmemTile {
  uint64_t rows = 0, row_bytes = 0;  ///< tile extent in the matrix
  uint64_t pitch = 0;                ///< bytes per matrix row
  uint32_t offset = 0;               ///< byte offset in a shared-memory stage
  uint16_t ptr_reg = 0;              ///< register holding the global pointer
  uint64_t chunks() const { return rows * row_bytes / 16; }
};

inline uint64_t swizzle(uint64_t chunk) {
  return (chunk & ~uint64_t{7}) | ((chunk ^ (chunk >> 3)) & 7);
}

class GemmKernel : public KernelProgram {
 public:
  GemmKernel(Isa isa, const GemmSetup& s);

 protected:
  void emit_warp(const Dim3& cta, uint64_t index, uint32_t warp, Warp& w) const final;

  /// Path hooks. Registers R0..R15 are the skeleton's; staging registers follow (staging_end()).
  virtual void prologue(Warp& w) const = 0;
  virtual void compute(Warp& w, const Dim3& cta, uint32_t warp, uint64_t kt,
                       uint32_t stage) const = 0;
  virtual void epilogue(Warp& w, const Dim3& cta, uint32_t warp) const = 0;

  /// Shared-memory address of byte @p byte of row @p row of tile @p t in buffer @p stage.
  uint64_t smem_addr(int t, uint32_t stage, uint64_t row, uint64_t byte) const;
  /// Global address of the tile's (row, byte) for CTA @p cta at k-tile @p kt.
  uint64_t global_addr(int t, const Dim3& cta, uint64_t kt, uint64_t row, uint64_t byte) const;
  /// First register after the staging registers of the global->shared copy.
  int staging_end() const { return kStage + 4 * static_cast<int>(loads_per_warp_ * s_.prefetch); }

  static constexpr int kStage = 16;  // first staging register
  GemmSetup s_;
  std::array<SmemTile, 2> tiles_;  // A, B
  uint32_t stage_bytes_ = 0;
  bool sass_ = true;
  Op ldg_, sts_, bar_, inc_, cmp_, bra_, exit_, wait_, mov_, s2r_, imad_;

 private:
  /// Loads k-tile @p kt into its staging registers (lanes off when @p active is false: the
  /// loop's tail keeps its static PCs with predicated-off prefetches).
  void copy_loads(Warp& w, const Dim3& cta, uint32_t warp, uint64_t kt, bool active = true) const;
  void copy_stores(Warp& w, uint32_t warp, uint64_t kt) const;
  int staging_reg(uint64_t kt, uint64_t i) const {
    return kStage + 4 * static_cast<int>((kt % s_.prefetch) * loads_per_warp_ + i);
  }
  void barrier(Warp& w) const;
  uint64_t loads_per_warp_ = 0;
};

/// Path factories (gemm_mma.cpp, gemm_wgmma.cpp, gemm_mfma.cpp). @p dtype is validated by gemm.cpp.
std::shared_ptr<KernelProgram> make_mma_gemm(Isa isa, GemmSetup s, const std::string& dtype,
                                             const Params& p);
std::shared_ptr<KernelProgram> make_wgmma_gemm(GemmSetup s, const std::string& dtype,
                                               const Params& p);
std::shared_ptr<KernelProgram> make_mfma_gemm(Isa isa, GemmSetup s, const std::string& dtype,
                                              const Params& p);

/// Checks that m, n, k are multiples of the CTA tile; fails naming the tile otherwise.
void check_tiling(const Params& p, Isa isa, const GemmSetup& s, const std::string& dtype);

}  // namespace joulesim::trace::gen::detail
