// Matrix products with few rows and a short inner dimension, the shape of the U-Net's
// Winograd products (M_ξ = U_ξ·V_ξ: 32 × 32 times 32 × 2048) where OpenBLAS spends as
// long packing its operands and zeroing C as multiplying. No packing here: op(A) is
// read in place (it fits in L1), B and C row by row, and each C tile is kept in
// registers across the whole inner sum.
//
// Rounding: every element of C is one sum over p = 0 … k−1 in that order, each term
// added with a fused multiply–add, started from zero (then added to C when asked), or
// from C's value for ck_small_sgemm_nn_chain. The
// order depends on the shape alone, never on the thread that runs it: the same inputs
// give the same numbers. The AVX2 and AVX-512 bodies sum alike for the NN form (one
// FMA chain per element); the NT form's lane split follows the register width.
#include <immintrin.h>
#include <stdint.h>
#include "ckernels.h"


// MARK: C = op(A)·B, op(A) read through (row, column) strides

// What a tile does with C: writes its sums (each chain started from zero), adds them to
// C, or continues C's chains (each sum started from C's value, then written back: a
// product over k = k₁ + k₂ in two calls, the second continuing, gives the bits of one
// call over k).
enum { NN_SET = 0, NN_ADD = 1, NN_CHAIN = 2 };

// AVX2: tiles of 4 rows × 24 columns (12 accumulators, 3 loads of B per step).
#define NN_MR2 4

__attribute__((target("avx2,fma"), always_inline))
static inline void nn_tile_avx2(int nv, long mask_n, long rows, long k, const float *a, long ars, long acs,
                                const float *b, long ldb, float *c, long ldc, int mode) {
    // Rows past the end read the last row again; their sums are not stored.
    const float *ar[NN_MR2];
    for (int r = 0; r < NN_MR2; r++) ar[r] = a + (r < rows ? r : rows - 1) * ars;
    __m256i mask = _mm256_setzero_si256();
    if (mask_n) {
        const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
        mask = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)mask_n), idx);
    }
    __m256 s[NN_MR2][3];
    for (int r = 0; r < NN_MR2; r++)
        for (int v = 0; v < 3; v++) {
            const float *cr = c + (r < rows ? r : rows - 1) * ldc + 8 * v;
            s[r][v] = mode != NN_CHAIN || v >= nv ? _mm256_setzero_ps()
                      : mask_n                    ? _mm256_maskload_ps(cr, mask)
                                                  : _mm256_loadu_ps(cr);
        }
    for (long p = 0; p < k; p++) {
        const float *bp = b + p * ldb;
        __m256 bv[3];
        for (int v = 0; v < nv; v++) bv[v] = mask_n ? _mm256_maskload_ps(bp, mask) : _mm256_loadu_ps(bp + 8 * v);
        for (int r = 0; r < NN_MR2; r++) {
            __m256 av = _mm256_broadcast_ss(ar[r] + p * acs);
            for (int v = 0; v < nv; v++) s[r][v] = _mm256_fmadd_ps(av, bv[v], s[r][v]);
        }
    }
    // Constant bounds, so that the unrolled loop keeps every sum in its register.
#pragma clang loop unroll(full)
    for (int r = 0; r < NN_MR2; r++) {
        if (r >= rows) break;
        float *cr = c + r * ldc;
        for (int v = 0; v < nv; v++) {
            __m256 out = s[r][v];
            if (mask_n) {
                if (mode == NN_ADD) out = _mm256_add_ps(_mm256_maskload_ps(cr, mask), out);
                _mm256_maskstore_ps(cr, mask, out);
            } else {
                if (mode == NN_ADD) out = _mm256_add_ps(_mm256_loadu_ps(cr + 8 * v), out);
                _mm256_storeu_ps(cr + 8 * v, out);
            }
        }
    }
}

__attribute__((target("avx2,fma")))
static void nn_avx2(long m, long n, long k, const float *a, long ars, long acs, const float *b, long ldb, float *c,
                    long ldc, int mode) {
    long j = 0;
    for (; j + 24 <= n; j += 24)
        for (long i = 0; i < m; i += NN_MR2)
            nn_tile_avx2(3, 0, m - i < NN_MR2 ? m - i : NN_MR2, k, a + i * ars, ars, acs, b + j, ldb, c + i * ldc + j,
                         ldc, mode);
    for (; j + 8 <= n; j += 8)
        for (long i = 0; i < m; i += NN_MR2)
            nn_tile_avx2(1, 0, m - i < NN_MR2 ? m - i : NN_MR2, k, a + i * ars, ars, acs, b + j, ldb, c + i * ldc + j,
                         ldc, mode);
    if (j < n)
        for (long i = 0; i < m; i += NN_MR2)
            nn_tile_avx2(1, n - j, m - i < NN_MR2 ? m - i : NN_MR2, k, a + i * ars, ars, acs, b + j, ldb,
                         c + i * ldc + j, ldc, mode);
}

// AVX-512: tiles of 8 rows × 48 columns (24 accumulators, 3 loads of B per step), 8 × 32
// (16) and 8 × 16 (8) for the columns left over. A 16-column tile of 8 rows has 8
// accumulators and as many loads as FMAs: on one core, in L1, 32 × 32 · 32 × 256 ran at
// 127 GFLOP/s in two such tiles and 172 in one 8 × 32; 64 columns (the 7 × 7 level's
// slices, and weight gradients) 133 as 48 + 16 and 144–164 as 32 + 32. (12 × 32 tiles
// spill their sums: 60. 16 × 16 tiles for a rest of 16 columns or fewer ran 2.5–3.5×
// slower than 8 × 16 ones, 50–55 against 118–135 GFLOP/s at n = 16, 2026-12-07.) A
// tile's shape changes which elements share a loop, never an element's sum.
#define NN_MR5 8

__attribute__((target("avx512f"), always_inline))
static inline void nn_tile_avx512(int nv, int mr, long mask_n, long rows, long k, const float *a, long ars, long acs,
                                  const float *b, long ldb, float *c, long ldc, int mode, bool prefetch) {
    // Rows past the end read the last row again; their sums are not stored.
    const float *ar[NN_MR5];
    for (int r = 0; r < mr; r++) ar[r] = a + (r < rows ? r : rows - 1) * ars;
    const __mmask16 mask = mask_n ? (__mmask16)((1u << mask_n) - 1) : (__mmask16)0xFFFF;
    __m512 s[NN_MR5][3];
    for (int r = 0; r < mr; r++)
        for (int v = 0; v < nv; v++)
            s[r][v] = mode == NN_CHAIN ? _mm512_maskz_loadu_ps(mask, c + (r < rows ? r : rows - 1) * ldc + 16 * v)
                                       : _mm512_setzero_ps();
    for (long p = 0; p < k; p++) {
        const float *bp = b + p * ldb;
        if (prefetch) // the next strip's rows of B, while this strip's first tile runs
            for (int v = 0; v < 3; v++) _mm_prefetch((const char *)(bp + 48 + 16 * v), _MM_HINT_T0);
        __m512 bv[3];
        for (int v = 0; v < nv; v++) bv[v] = mask_n ? _mm512_maskz_loadu_ps(mask, bp) : _mm512_loadu_ps(bp + 16 * v);
        for (int r = 0; r < mr; r++) {
            __m512 av = _mm512_set1_ps(ar[r][p * acs]);
            for (int v = 0; v < nv; v++) s[r][v] = _mm512_fmadd_ps(av, bv[v], s[r][v]);
        }
    }
    // Constant bounds, so that the unrolled loop keeps every sum in its register.
#pragma clang loop unroll(full)
    for (int r = 0; r < NN_MR5; r++) {
        if (r >= mr || r >= rows) break;
        float *cr = c + r * ldc;
        for (int v = 0; v < nv; v++) {
            __m512 out = s[r][v];
            if (mask_n) {
                if (mode == NN_ADD) out = _mm512_add_ps(_mm512_maskz_loadu_ps(mask, cr), out);
                _mm512_mask_storeu_ps(cr, mask, out);
            } else {
                if (mode == NN_ADD) out = _mm512_add_ps(_mm512_loadu_ps(cr + 16 * v), out);
                _mm512_storeu_ps(cr + 16 * v, out);
            }
        }
    }
}

/// Rows i … m−1 of one column strip, in tiles of `mr` rows (`mr` a constant at each call).
#define NN_STRIP5(nv, mr, mask_n, j, prefetch)                                                                      \
    for (long i = 0; i < m; i += (mr))                                                                             \
        nn_tile_avx512((nv), (mr), (mask_n), m - i < (mr) ? m - i : (mr), k, a + i * ars, ars, acs, b + (j), ldb,   \
                       c + i * ldc + (j), ldc, mode, (prefetch) && i == 0)

__attribute__((target("avx512f")))
static void nn_avx512(long m, long n, long k, const float *a, long ars, long acs, const float *b, long ldb, float *c,
                      long ldc, int mode) {
    // Strips of 48 columns, then of 32 (two where 16 would be left: 64 = 32 + 32), then
    // one of 16 and the masked rest: 256 = 4·48 + 2·32, 64 = 2·32, 32, 96 = 2·48.
    long wide = n / 48;
    if (n % 48 == 16 && wide > 0) wide--;
    long j = 0;
    for (long t = 0; t < wide; t++, j += 48) NN_STRIP5(3, NN_MR5, 0, j, j + 96 <= n);
    for (; j + 32 <= n; j += 32) NN_STRIP5(2, NN_MR5, 0, j, false);
    if (j + 16 <= n) {
        NN_STRIP5(1, NN_MR5, 0, j, false);
        j += 16;
    }
    if (j < n) NN_STRIP5(1, NN_MR5, n - j, j, false);
}

static int nn(int max_level, long m, long n, long k, const float *a, long ars, long acs, const float *b, long ldb,
              float *c, long ldc, int mode) {
    int level = ck_vector_level();
    if (level > max_level) level = max_level;
    if (level < 1 || m <= 0 || n <= 0 || k <= 0) return 0;
    if (level >= 2)
        nn_avx512(m, n, k, a, ars, acs, b, ldb, c, ldc, mode);
    else
        nn_avx2(m, n, k, a, ars, acs, b, ldb, c, ldc, mode);
    return level;
}

int ck_small_sgemm_nn(int max_level, long m, long n, long k, const float *a, long a_row_stride, long a_col_stride,
                      const float *b, long ldb, float *c, long ldc, bool accumulate) {
    return nn(max_level, m, n, k, a, a_row_stride, a_col_stride, b, ldb, c, ldc, accumulate ? NN_ADD : NN_SET);
}

int ck_small_sgemm_nn_chain(int max_level, long m, long n, long k, const float *a, long a_row_stride,
                            long a_col_stride, const float *b, long ldb, float *c, long ldc) {
    return nn(max_level, m, n, k, a, a_row_stride, a_col_stride, b, ldb, c, ldc, NN_CHAIN);
}

// MARK: C = A·Bᵀ with a long inner dimension

// Blocks of 4 (AVX2) or 8 (AVX-512) rows of A against 3 rows of B; the inner sum runs in
// chunks of NT_KC values (a block's chunks of A stay in L1 while it sweeps the rows of
// B), each chunk summed lane-wise, its lanes added up in a fixed order and added to C.
// On 32 × 2048 · 2048 × 32, one core, AVX-512: chunks of 512 gave 78 GFLOP/s, of 256
// 47–70, of 1024 77, none (2048) 62.
#define NT_KC 512
// Rows of A per block: 4 (AVX2, 12 accumulators of 16 registers), 8 (AVX-512, 24 of 32);
// 4 × 4, 6 × 4 and 6 × 3 blocks measured slower.
#define NT_MR5 8
#define NT_NR5 3

__attribute__((target("avx2,fma")))
static inline float hsum8(__m256 v) {
    __m128 lo = _mm256_castps256_ps128(v), hi = _mm256_extractf128_ps(v, 1);
    __m128 s = _mm_add_ps(lo, hi);                  // lanes (0+4, 1+5, 2+6, 3+7)
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));         // (0+2, 1+3)
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 0x55));  // 0 + 1
    return _mm_cvtss_f32(s);
}

__attribute__((target("avx2,fma")))
static void nt_block_avx2(long rows, long cols, long len, const float *a, long lda, const float *b, long ldb,
                          float *c, long ldc) {
    const float *ar[4], *br[3];
    for (int r = 0; r < 4; r++) ar[r] = a + (r < rows ? r : rows - 1) * lda;
    for (int q = 0; q < 3; q++) br[q] = b + (q < cols ? q : cols - 1) * ldb;
    __m256 s[4][3];
    for (int r = 0; r < 4; r++)
        for (int q = 0; q < 3; q++) s[r][q] = _mm256_setzero_ps();
    long p = 0;
    for (; p + 8 <= len; p += 8) {
        __m256 bv[3];
        for (int q = 0; q < 3; q++) bv[q] = _mm256_loadu_ps(br[q] + p);
        for (int r = 0; r < 4; r++) {
            __m256 av = _mm256_loadu_ps(ar[r] + p);
            for (int q = 0; q < 3; q++) s[r][q] = _mm256_fmadd_ps(av, bv[q], s[r][q]);
        }
    }
    for (int r = 0; r < rows; r++)
        for (int q = 0; q < cols; q++) {
            float sum = hsum8(s[r][q]);
            for (long t = p; t < len; t++) sum = __builtin_fmaf(ar[r][t], br[q][t], sum);
            c[r * ldc + q] += sum;
        }
}

__attribute__((target("avx512f")))
static inline float hsum16(__m512 v) {
    __m256 lo = _mm512_castps512_ps256(v);
    __m256 hi = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1));
    __m256 s8 = _mm256_add_ps(lo, hi);
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(s8), _mm256_extractf128_ps(s8, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 0x55));
    return _mm_cvtss_f32(s);
}

__attribute__((target("avx512f")))
static void nt_block_avx512(long rows, long cols, long len, const float *a, long lda, const float *b, long ldb,
                            float *c, long ldc) {
    const float *ar[NT_MR5], *br[NT_NR5];
    for (int r = 0; r < NT_MR5; r++) ar[r] = a + (r < rows ? r : rows - 1) * lda;
    for (int q = 0; q < NT_NR5; q++) br[q] = b + (q < cols ? q : cols - 1) * ldb;
    __m512 s[NT_MR5][NT_NR5];
    for (int r = 0; r < NT_MR5; r++)
        for (int q = 0; q < NT_NR5; q++) s[r][q] = _mm512_setzero_ps();
    long p = 0;
    for (; p + 16 <= len; p += 16) {
        __m512 bv[NT_NR5];
        for (int q = 0; q < NT_NR5; q++) bv[q] = _mm512_loadu_ps(br[q] + p);
        for (int r = 0; r < NT_MR5; r++) {
            __m512 av = _mm512_loadu_ps(ar[r] + p);
            for (int q = 0; q < NT_NR5; q++) s[r][q] = _mm512_fmadd_ps(av, bv[q], s[r][q]);
        }
    }
    for (int r = 0; r < rows; r++)
        for (int q = 0; q < cols; q++) {
            float sum = hsum16(s[r][q]);
            for (long t = p; t < len; t++) sum = __builtin_fmaf(ar[r][t], br[q][t], sum);
            c[r * ldc + q] += sum;
        }
}

int ck_small_sgemm_nt(int max_level, long m, long n, long k, const float *a, long lda, const float *b, long ldb,
                      float *c, long ldc, bool accumulate) {
    int level = ck_vector_level();
    if (level > max_level) level = max_level;
    if (level < 1 || m <= 0 || n <= 0) return 0;
    if (!accumulate)
        for (long i = 0; i < m; i++)
            for (long j = 0; j < n; j++) c[i * ldc + j] = 0;
    for (long p0 = 0; p0 < k; p0 += NT_KC) {
        long len = k - p0 < NT_KC ? k - p0 : NT_KC;
        for (long i = 0, mr = level >= 2 ? NT_MR5 : 4; i < m; i += mr)
            for (long j = 0, nr = level >= 2 ? NT_NR5 : 3; j < n; j += nr) {
                long rows = m - i < mr ? m - i : mr, cols = n - j < nr ? n - j : nr;
                if (level >= 2)
                    nt_block_avx512(rows, cols, len, a + i * lda + p0, lda, b + j * ldb + p0, ldb, c + i * ldc + j,
                                    ldc);
                else
                    nt_block_avx2(rows, cols, len, a + i * lda + p0, lda, b + j * ldb + p0, ldb, c + i * ldc + j, ldc);
            }
    }
    return level;
}
