// Opcode classification per ISA table: facts from the CUDA binary utilities and AMD ISA guides.
#include <gtest/gtest.h>

#include "trace/trace.hpp"

using namespace joulesim::trace;

namespace {
OpcodeInfo sass(const char* op, uint32_t v = 80) {
  return classify_opcode(op, IsaFamily::kSass, v);
}
OpcodeInfo cdna(const char* op, uint32_t v = kGfx942) {
  return classify_opcode(op, IsaFamily::kCdna, v);
}

void expect_mma(const OpcodeInfo& i, OpClass c, int m, int n, int k, TensorType t,
                bool sparse = false) {
  EXPECT_TRUE(i.known) << i.name;
  EXPECT_EQ(i.op_class, c) << i.name;
  EXPECT_EQ(i.unit, Unit::kTensor) << i.name;
  EXPECT_EQ(i.mma_m, m) << i.name;
  EXPECT_EQ(i.mma_n, n) << i.name;
  EXPECT_EQ(i.mma_k, k) << i.name;
  EXPECT_EQ(i.tensor_type, t) << i.name;
  EXPECT_EQ(i.sparse, sparse) << i.name;
}
}  // namespace

TEST(IsaTables, TableVersionsAndFallback) {
  for (uint32_t v : {70u, 75u, 80u, 86u, 89u, 90u, 100u, 120u})
    EXPECT_EQ(isa_table_version(IsaFamily::kSass, v), v);
  EXPECT_EQ(isa_table_version(IsaFamily::kSass, 0), 70u);
  EXPECT_EQ(isa_table_version(IsaFamily::kSass, 61), 70u);
  EXPECT_EQ(isa_table_version(IsaFamily::kSass, 72), 70u);
  EXPECT_EQ(isa_table_version(IsaFamily::kSass, 87), 86u);
  EXPECT_EQ(isa_table_version(IsaFamily::kSass, 103), 100u);
  EXPECT_EQ(isa_table_version(IsaFamily::kSass, 121), 120u);
  EXPECT_EQ(isa_table_version(IsaFamily::kCdna, 0x908), kGfx90a);
  EXPECT_EQ(isa_table_version(IsaFamily::kCdna, 0x950), kGfx942);
  EXPECT_EQ(isa_name(IsaFamily::kSass, 90), "sm_90");
  EXPECT_EQ(isa_name(IsaFamily::kCdna, kGfx90a), "gfx90a");
}

TEST(IsaTables, SassTensorShapesAndTypes) {
  expect_mma(sass("HMMA.16816.F32.BF16"), OpClass::kTensorMma, 16, 8, 16, TensorType::kBf16);
  expect_mma(sass("HMMA.884.F32.F32.STEP2", 70), OpClass::kTensorMma, 8, 8, 4, TensorType::kFp16);
  expect_mma(sass("HMMA.1688.F16", 75), OpClass::kTensorMma, 16, 8, 8, TensorType::kFp16);
  expect_mma(sass("HMMA.1684.F32.TF32"), OpClass::kTensorMma, 16, 8, 4, TensorType::kTf32);
  expect_mma(sass("HMMA.SP.16832.F32.BF16"), OpClass::kTensorMma, 16, 8, 32, TensorType::kBf16,
             true);
  expect_mma(sass("IMMA.16832.S8.S8"), OpClass::kTensorMma, 16, 8, 32, TensorType::kInt8);
  expect_mma(sass("IMMA.8832.U4.U4", 75), OpClass::kTensorMma, 8, 8, 32, TensorType::kInt4);
  expect_mma(sass("DMMA.884"), OpClass::kTensorMma, 8, 8, 4, TensorType::kFp64);
  expect_mma(sass("DMMA.8x8x4", 100), OpClass::kTensorMma, 8, 8, 4, TensorType::kFp64);
  expect_mma(sass("BMMA.88128.AND.POPC"), OpClass::kTensorMma, 8, 8, 128, TensorType::kInt1);
  expect_mma(sass("HGMMA.64x256x16.F32.BF16", 90), OpClass::kTensorGmma, 64, 256, 16,
             TensorType::kBf16);
  expect_mma(sass("HGMMA.64x128x8.F32.TF32", 90), OpClass::kTensorGmma, 64, 128, 8,
             TensorType::kTf32);
  expect_mma(sass("QGMMA.64x256x32.F32.E4M3.E4M3", 90), OpClass::kTensorGmma, 64, 256, 32,
             TensorType::kFp8);
  expect_mma(sass("QGMMA.SP.64x128x64.F32.E5M2.E4M3", 90), OpClass::kTensorGmma, 64, 128, 64,
             TensorType::kFp8, true);
  expect_mma(sass("IGMMA.64x64x32.S32.S8.S8", 90), OpClass::kTensorGmma, 64, 64, 32,
             TensorType::kInt8);
  expect_mma(sass("QMMA.16832.F32.E4M3.E4M3", 89), OpClass::kTensorMma, 16, 8, 32,
             TensorType::kFp8);
  expect_mma(sass("QMMA.16864.F32.E2M1.E2M1", 120), OpClass::kTensorMma, 16, 8, 64,
             TensorType::kFp4);
  EXPECT_EQ(sass("UTCHMMA.2CTA", 100).op_class, OpClass::kTensorGmma);
  EXPECT_EQ(sass("UTCQMMA", 100).tensor_type, TensorType::kFp8);
}

TEST(IsaTables, SassAvailabilityDependsOnTheTable) {
  EXPECT_FALSE(sass("HGMMA.64x256x16.F32.BF16", 80).known);  // wgmma is sm_90a only
  EXPECT_FALSE(sass("HGMMA.64x256x16.F32.BF16", 100).known);
  EXPECT_FALSE(sass("UTCHMMA", 120).known);             // no tcgen05 on sm_120
  EXPECT_FALSE(sass("LDGSTS.E.BYPASS.128", 75).known);  // cp.async is Ampere+
  EXPECT_TRUE(sass("LDGSTS.E.BYPASS.128", 80).known);
  EXPECT_FALSE(sass("UIADD3", 70).known);  // uniform datapath is Turing+
  EXPECT_TRUE(sass("UIADD3", 75).known);
  EXPECT_FALSE(sass("IMMA.8816.S8.S8", 70).known);
  EXPECT_FALSE(sass("DMMA.884", 75).known);
}

TEST(IsaTables, SassMemoryControlAndUniformOps) {
  struct Case {
    const char* op;
    uint32_t v;
    OpClass c;
    Unit u;
    MemSpace s;
  } cases[] = {
      {"LDG.E.128.SYS", 70, OpClass::kLoad, Unit::kLdSt, MemSpace::kGlobal},
      {"STG.E", 80, OpClass::kStore, Unit::kLdSt, MemSpace::kGlobal},
      {"LDS.U.128", 80, OpClass::kLoad, Unit::kLdSt, MemSpace::kShared},
      {"STS.64", 80, OpClass::kStore, Unit::kLdSt, MemSpace::kShared},
      {"LDL.LU", 80, OpClass::kLoad, Unit::kLdSt, MemSpace::kLocal},
      {"STL", 80, OpClass::kStore, Unit::kLdSt, MemSpace::kLocal},
      {"LDC.64", 80, OpClass::kLoad, Unit::kLdSt, MemSpace::kConstant},
      {"ATOM.E.ADD.STRONG.GPU", 80, OpClass::kAtomic, Unit::kLdSt, MemSpace::kGeneric},
      {"ATOMS.CAS", 80, OpClass::kAtomic, Unit::kLdSt, MemSpace::kShared},
      {"RED.E.ADD.F32.FTZ.RN", 80, OpClass::kAtomic, Unit::kLdSt, MemSpace::kGlobal},
      {"LDSM.16.M88.4", 80, OpClass::kLoad, Unit::kLdSt, MemSpace::kShared},
      {"LDGSTS.E.BYPASS.LTC128B.128", 80, OpClass::kLoad, Unit::kLdSt, MemSpace::kGlobal},
      {"UTMALDG.2D", 90, OpClass::kLoad, Unit::kLdSt, MemSpace::kGlobal},
      {"UBLKCP.S.G", 90, OpClass::kLoad, Unit::kLdSt, MemSpace::kGlobal},
      {"BAR.SYNC.DEFER_BLOCKING", 80, OpClass::kBarrier, Unit::kSync, MemSpace::kNone},
      {"WARPGROUP.ARRIVE", 90, OpClass::kWarpSync, Unit::kSync, MemSpace::kNone},
      {"WARPGROUP.DEPBAR.LE", 90, OpClass::kWarpSync, Unit::kSync, MemSpace::kNone},
      {"DEPBAR.LE", 80, OpClass::kWarpSync, Unit::kSync, MemSpace::kNone},
      {"BSSY", 80, OpClass::kBranch, Unit::kBranch, MemSpace::kNone},
      {"BSYNC", 80, OpClass::kBranch, Unit::kBranch, MemSpace::kNone},
      {"EXIT", 80, OpClass::kExit, Unit::kSync, MemSpace::kNone},
      {"MUFU.EX2", 80, OpClass::kSfu, Unit::kSfu, MemSpace::kNone},
      {"F2F.F64.F32", 80, OpClass::kConvert, Unit::kFp64, MemSpace::kNone},
      {"I2F.U32.RP", 80, OpClass::kConvert, Unit::kSfu, MemSpace::kNone},
      {"F2FP.BF16.F32.PACK_AB", 80, OpClass::kConvert, Unit::kInt, MemSpace::kNone},
      {"IMAD.MOV.U32", 80, OpClass::kMove, Unit::kInt, MemSpace::kNone},
      {"IMAD.WIDE", 80, OpClass::kIntMul, Unit::kInt, MemSpace::kNone},
      {"FFMA.FTZ", 80, OpClass::kFp32Fma, Unit::kFp32, MemSpace::kNone},
      {"HFMA2.MMA", 80, OpClass::kFp16, Unit::kFp16, MemSpace::kNone},
      {"DFMA", 80, OpClass::kFp64, Unit::kFp64, MemSpace::kNone},
      {"UIADD3", 86, OpClass::kScalarAlu, Unit::kScalar, MemSpace::kNone},
      {"ULDC.64", 80, OpClass::kLoad, Unit::kScalar, MemSpace::kConstant},
      {"S2UR", 90, OpClass::kMove, Unit::kScalar, MemSpace::kNone},
      {"SHFL.BFLY", 80, OpClass::kMove, Unit::kLdSt, MemSpace::kNone},
      {"IDP.4A.S8.S8", 80, OpClass::kIntDot, Unit::kInt, MemSpace::kNone},
  };
  for (const Case& c : cases) {
    OpcodeInfo i = sass(c.op, c.v);
    EXPECT_TRUE(i.known) << c.op;
    EXPECT_EQ(i.op_class, c.c) << c.op;
    EXPECT_EQ(i.unit, c.u) << c.op;
    EXPECT_EQ(i.space, c.s) << c.op;
  }
  OpcodeInfo u = sass("NOTANOP.X");
  EXPECT_FALSE(u.known);
  EXPECT_EQ(u.op_class, OpClass::kUnknown);
  EXPECT_EQ(u.unit, Unit::kInt);
  EXPECT_EQ(u.base, "NOTANOP");
}

TEST(IsaTables, CdnaMfmaShapesAndTypes) {
  expect_mma(cdna("v_mfma_f32_32x32x8f16", kGfx90a), OpClass::kTensorMma, 32, 32, 8,
             TensorType::kFp16);
  expect_mma(cdna("v_mfma_f32_16x16x16bf16_1k", kGfx90a), OpClass::kTensorMma, 16, 16, 16,
             TensorType::kBf16);
  expect_mma(cdna("v_mfma_f64_16x16x4f64", kGfx90a), OpClass::kTensorMma, 16, 16, 4,
             TensorType::kFp64);
  expect_mma(cdna("v_mfma_f32_32x32x2f32", kGfx90a), OpClass::kTensorMma, 32, 32, 2,
             TensorType::kFp32);
  expect_mma(cdna("v_mfma_i32_32x32x8i8", kGfx90a), OpClass::kTensorMma, 32, 32, 8,
             TensorType::kInt8);
  expect_mma(cdna("v_mfma_f32_32x32x8_f16"), OpClass::kTensorMma, 32, 32, 8, TensorType::kFp16);
  expect_mma(cdna("v_mfma_f32_16x16x32_fp8_fp8"), OpClass::kTensorMma, 16, 16, 32,
             TensorType::kFp8);
  expect_mma(cdna("v_mfma_f32_32x32x4_xf32"), OpClass::kTensorMma, 32, 32, 4, TensorType::kTf32);
  expect_mma(cdna("v_mfma_i32_16x16x32_i8"), OpClass::kTensorMma, 16, 16, 32, TensorType::kInt8);
  expect_mma(cdna("v_smfmac_f32_16x16x32_f16"), OpClass::kTensorMma, 16, 16, 32, TensorType::kFp16,
             true);
  EXPECT_FALSE(cdna("v_mfma_f32_16x16x32_fp8_fp8", kGfx90a).known);  // fp8 is CDNA3
  EXPECT_FALSE(cdna("v_smfmac_f32_16x16x32_f16", kGfx90a).known);
  EXPECT_FALSE(cdna("v_mfma_i32_32x32x8i8", kGfx942).known);  // replaced on gfx940
}

TEST(IsaTables, CdnaVectorScalarAndMemory) {
  struct Case {
    const char* op;
    OpClass c;
    Unit u;
    MemSpace s;
  } cases[] = {
      {"v_fma_f32", OpClass::kFp32Fma, Unit::kFp32, MemSpace::kNone},
      {"v_fmac_f32_e32", OpClass::kFp32Fma, Unit::kFp32, MemSpace::kNone},
      {"v_pk_fma_f32", OpClass::kFp32Fma, Unit::kFp32, MemSpace::kNone},
      {"v_mul_f32_e32", OpClass::kFp32Mul, Unit::kFp32, MemSpace::kNone},
      {"v_add_f32", OpClass::kFp32Add, Unit::kFp32, MemSpace::kNone},
      {"v_fma_f64", OpClass::kFp64, Unit::kFp64, MemSpace::kNone},
      {"v_pk_fma_f16", OpClass::kFp16, Unit::kFp16, MemSpace::kNone},
      {"v_add_u32_e32", OpClass::kIntAlu, Unit::kInt, MemSpace::kNone},
      {"v_mul_lo_u32", OpClass::kIntMul, Unit::kInt, MemSpace::kNone},
      {"v_dot4_i32_i8", OpClass::kIntDot, Unit::kInt, MemSpace::kNone},
      {"v_exp_f32_e32", OpClass::kSfu, Unit::kSfu, MemSpace::kNone},
      {"v_cvt_f32_f16", OpClass::kConvert, Unit::kInt, MemSpace::kNone},
      {"v_mov_b32_e32", OpClass::kMove, Unit::kInt, MemSpace::kNone},
      {"s_add_u32", OpClass::kScalarAlu, Unit::kScalar, MemSpace::kNone},
      {"s_waitcnt", OpClass::kWarpSync, Unit::kSync, MemSpace::kNone},
      {"s_barrier", OpClass::kBarrier, Unit::kSync, MemSpace::kNone},
      {"s_endpgm", OpClass::kExit, Unit::kSync, MemSpace::kNone},
      {"s_cbranch_scc1", OpClass::kBranch, Unit::kBranch, MemSpace::kNone},
      {"s_load_dwordx4", OpClass::kLoad, Unit::kScalar, MemSpace::kConstant},
      {"global_load_dwordx4", OpClass::kLoad, Unit::kLdSt, MemSpace::kGlobal},
      {"global_store_dword", OpClass::kStore, Unit::kLdSt, MemSpace::kGlobal},
      {"global_atomic_add_f32", OpClass::kAtomic, Unit::kLdSt, MemSpace::kGlobal},
      {"buffer_load_dword", OpClass::kLoad, Unit::kLdSt, MemSpace::kGlobal},
      {"flat_load_dword", OpClass::kLoad, Unit::kLdSt, MemSpace::kGeneric},
      {"scratch_store_dword", OpClass::kStore, Unit::kLdSt, MemSpace::kLocal},
      {"ds_read_b128", OpClass::kLoad, Unit::kLdSt, MemSpace::kShared},
      {"ds_write_b64", OpClass::kStore, Unit::kLdSt, MemSpace::kShared},
      {"ds_add_u32", OpClass::kAtomic, Unit::kLdSt, MemSpace::kShared},
  };
  for (const Case& c : cases) {
    OpcodeInfo i = cdna(c.op);
    EXPECT_TRUE(i.known) << c.op;
    EXPECT_EQ(i.op_class, c.c) << c.op;
    EXPECT_EQ(i.unit, c.u) << c.op;
    EXPECT_EQ(i.space, c.s) << c.op;
  }
  EXPECT_FALSE(cdna("x_bogus").known);
}
