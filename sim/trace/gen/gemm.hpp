#pragma once
// Inside of the gemm generator: the tiled-GEMM kernel skeleton shared by the SASS code paths
// (warp-synchronous MMA on sm_70/80/100, warpgroup wgmma on sm_90). MFMA on CDNA
// (gemm_mfma.cpp) has its own software-pipelined loop and uses only GemmSetup and swizzle().
//
// C[m][n] = A[m][k] * B[k][n], all row-major. Each CTA computes one BM x BN tile of C; per k-tile
// of BK it copies the A (BM x BK) and B (BK x BN) tiles global -> registers -> shared memory in
// 16-byte chunks (LDG.E.128 + STS.128; or cp.async / TMA, gemm_async.cpp), double-buffered:
// the next k-tile's loads are issued before the current tile's MMAs and stored to the other
// buffer after them, then a barrier. The last k-tile is peeled after the loop (no prefetch).
// Shared-memory tiles are row-major with the 16-byte chunk XOR swizzle
//   chunk' = (chunk & ~7) | ((chunk ^ (chunk >> 3)) & 7)
// so that 8 consecutive chunks of one row and the same chunk of 8 consecutive 128-byte lines
// both fall in distinct bank groups.
#include <array>
#include <functional>
#include <vector>

#include "trace/gen/program.hpp"

namespace joulesim::trace::gen::detail {

// Skeleton registers (SASS Rn).
inline constexpr int kTid = 0, kCtaX = 2, kCtaY = 3, kPtrA = 4, kPtrB = 6, kSmemW = 8, kSmemRA = 9,
                     kSmemRB = 10, kKCount = 11, kPtrMeta = 12, kPtrC = 13;

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
  /// How tiles reach shared memory: through registers (LDG + STS, `prefetch` staging sets),
  /// cp.async (LDGSTS.BYPASS + LDGDEPBAR / DEPBAR.LE, sm_80+) or TMA bulk tensor copies
  /// completing on mbarriers, issued by a producer warp (UTMALDG + SYNCS, sm_90+).
  /// kCpAsyncWs: warp-specialised like kTma, the producer warp copying with LDGSTS and
  /// signalling each stage with ARRIVES.LDGSTSBAR (cp.async.mbarrier.arrive, sm_80+).
  enum class Copy : uint8_t { kRegisters, kCpAsync, kTma, kCpAsyncWs };
  Copy copy = Copy::kRegisters;
  uint32_t stages = 2;          ///< shared-memory buffers (kCpAsync, kTma; 2 for kRegisters)
  uint32_t consumer_warps = 0;  ///< kTma: warps that compute (the producer warp follows them)
  /// kTma: thread-block cluster of cluster_m CTAs along M (sharing the B tile: B is multicast) or
  /// cluster_n along N (sharing A); 1 x 1: no cluster. The shared tile of each k-tile is copied
  /// in cluster-size slices, rank r's producer copying slice r into every CTA of the cluster.
  uint32_t cluster_m = 1, cluster_n = 1;
  /// compute() leaves its tensor ops in flight (wgmma): a buffer is free only after the next
  /// k-tile's compute() waited for them.
  bool mma_async = false;
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
  /// compute() reads shared-memory buffer @p stage (of s_.stages).
  virtual void prologue(Warp& w) const = 0;
  virtual void compute(Warp& w, const Dim3& cta, uint32_t warp, uint64_t kt,
                       uint32_t stage) const = 0;
  virtual void epilogue(Warp& w, const Dim3& cta, uint32_t warp) const = 0;

  /// Shared-memory address of byte @p byte of row @p row of tile @p t in buffer @p stage.
  uint64_t smem_addr(int t, uint32_t stage, uint64_t row, uint64_t byte) const;
  /// Global address of the tile's (row, byte) for CTA @p cta at k-tile @p kt.
  uint64_t global_addr(int t, const Dim3& cta, uint64_t kt, uint64_t row, uint64_t byte) const;
  /// First register after the staging registers of the global->shared copy.
  int staging_end() const {
    if (s_.copy != GemmSetup::Copy::kRegisters) return kStage;  // asynchronous copies: none
    return kStage + 4 * static_cast<int>(loads_per_warp_ * s_.prefetch);
  }
  /// Optional split of compute() into k-steps, which lets the cp.async pipeline load the next
  /// k-step's fragments (into the other of two fragment register sets) before the current
  /// k-step's MMAs, across k-tiles too (as CUTLASS's multistage mainloop). 0: not split.
  virtual uint32_t ksteps() const { return 0; }
  /// k-steps of a k-tile for the register pipeline, which spreads the next k-tile's global loads
  /// over them (an in-order warp then never waits long at a load whose L1 MSHRs are taken while
  /// MMAs it could issue queue behind it). 0: loads at the loop head, compute() whole.
  virtual uint32_t register_ksteps() const { return 0; }
  /// Fragment loads of k-step @p ks of k-tile @p kt from buffer @p stage into register set
  /// @p set (0 or 1); all lanes off when @p active is false (a loop tail's static PCs). Emits
  /// loads @p first .. @p first + @p count - 1 of the k-step's fragment_loads(ks), in the order
  /// the next k-step's MMAs first need them.
  virtual void load_fragments(Warp&, const Dim3&, uint32_t /*warp*/, uint64_t /*kt*/,
                              uint32_t /*ks*/, uint32_t /*stage*/, uint32_t /*set*/,
                              bool /*active*/, uint32_t /*first*/ = 0,
                              uint32_t /*count*/ = ~0u) const {}
  /// Instructions load_fragments() emits for k-step @p ks (0: not split).
  virtual uint32_t fragment_loads(uint32_t /*ks*/) const { return 0; }
  /// The MMAs of one k-step on fragment register set @p set, calling @p between(j) for j = 0..
  /// @p slots - 1 spread evenly among them (the pipeline issues its copies there).
  virtual void mma_step(Warp&, uint32_t /*set*/, uint32_t /*slots*/,
                        const std::function<void(uint32_t)>& /*between*/) const {}

  static constexpr int kStage = 16;  // first staging register
  GemmSetup s_;
  std::array<SmemTile, 2> tiles_;  // A, B
  uint32_t stage_bytes_ = 0;
  Op ldg_, sts_, bar_, inc_, cmp_, bra_, exit_, mov_, s2r_, imad_;

 private:
  /// Loads k-tile @p kt into its staging registers (lanes off when @p active is false: the
  /// loop's tail keeps its static PCs with predicated-off prefetches).
  void copy_loads(Warp& w, const Dim3& cta, uint32_t warp, uint64_t kt, bool active = true) const;
  void copy_load(Warp& w, const Dim3& cta, uint32_t warp, uint64_t kt, uint64_t i,
                 bool active) const;
  void copy_stores(Warp& w, uint32_t warp, uint64_t kt) const;
  void copy_store(Warp& w, uint32_t warp, uint64_t kt, uint64_t i) const;
  int staging_reg(uint64_t kt, uint64_t i) const {
    return kStage + 4 * static_cast<int>((kt % s_.prefetch) * loads_per_warp_ + i);
  }
  void barrier(Warp& w) const;
  void setup_registers(Warp& w) const;
  /// Global addresses of copy chunk set @p i (one 16-byte chunk per lane) of k-tile @p kt for
  /// @p warp; returns the tile (0: A, 1: B) they belong to.
  int chunk_addrs(const Dim3& cta, uint32_t warp, uint64_t kt, uint64_t i, uint64_t* addrs) const;
  // Asynchronous pipelines (gemm_async.cpp).
  void emit_cp_async(const Dim3& cta, uint32_t warp, Warp& w) const;
  void emit_tma(const Dim3& cta, uint32_t warp, Warp& w) const;
  void loop_tail(Warp& w, bool again) const;
  uint32_t cluster_size() const { return s_.cluster_m * s_.cluster_n; }
  /// Rank of @p cta in its cluster (x, the N direction, fastest).
  uint32_t cluster_rank(const Dim3& cta) const {
    return cta.x % s_.cluster_n + s_.cluster_n * (cta.y % s_.cluster_m);
  }
  /// Register-staged copies with double-buffered fragments (ksteps() > 0), as CUTLASS's
  /// two-stage Volta mainloop: after the prologue's first k-tile in shared memory.
  void emit_register_pipeline(const Dim3& cta, uint32_t warp, Warp& w) const;
  uint64_t mbar_addr(bool empty, uint32_t stage) const {
    return kShmemBase + uint64_t{s_.stages} * stage_bytes_ +
           8 * (uint64_t{empty} * s_.stages + stage);
  }
  uint64_t loads_per_warp_ = 0;
  Op ldgsts_, ldgdepbar_, depbar_le_, mbar_init_, mbar_arrive_, mbar_wait_, tma_, arrives_;
  Op tma_mcast_, mbar_arrive_remote_;
  bool warp_specialised() const {
    return s_.copy == GemmSetup::Copy::kTma || s_.copy == GemmSetup::Copy::kCpAsyncWs;
  }
};

/// Path factories (gemm_mma.cpp, gemm_wgmma.cpp, gemm_mfma.cpp, gemm_tcgen05.cpp). @p dtype is
/// validated by gemm.cpp.
std::shared_ptr<KernelProgram> make_mma_gemm(Isa isa, GemmSetup s, const std::string& dtype,
                                             const Params& p);
std::shared_ptr<KernelProgram> make_wgmma_gemm(GemmSetup s, const std::string& dtype,
                                               const Params& p);
/// Blackwell tcgen05 (gemm_tcgen05.cpp): its own warp-specialised kernel, not the skeleton.
std::shared_ptr<KernelProgram> make_tcgen05_gemm(GemmSetup s, const std::string& dtype,
                                                 const Params& p);
std::shared_ptr<KernelProgram> make_mfma_gemm(Isa isa, GemmSetup s, const std::string& dtype,
                                              const Params& p);

/// Checks that m, n, k are multiples of the CTA tile; fails naming the tile otherwise.
void check_tiling(const Params& p, Isa isa, const GemmSetup& s, const std::string& dtype);

}  // namespace joulesim::trace::gen::detail
