// B = Aᵀ for a rows × cols block of floats: the U-Net's weight gradient dU_ξ = dM_ξ·V_ξᵀ
// transposes a slice's V_ξ (Cin × columns) so that the product runs as the NN kernel of
// smallgemm.c, with no horizontal sums (SmallProduct.swift, smallProductNTShort). A copy,
// so every body gives the same bits.
#include <immintrin.h>
#include "ckernels.h"

/// 16 × 16 with AVX-512: 32-bit then 64-bit interleaves within each 128-bit lane, which
/// leave, for the four rows 4g … 4g+3 and c = 0 … 3, a vector whose 128-bit lane L holds
/// column 4L + c of those rows; a 4 × 4 transpose of 128-bit lanes across g then gathers
/// each column.
__attribute__((target("avx512f")))
static void transpose16_512(const float *a, long lda, float *b, long ldb) {
    __m512 r[16], t[16];
    for (int i = 0; i < 16; i++) r[i] = _mm512_loadu_ps(a + i * lda);
    for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
    }
    for (int i = 0; i < 16; i += 4) { // r[i + c]: column 4L + c of rows i … i+3 in lane L
        __m512d t0 = _mm512_castps_pd(t[i]), t1 = _mm512_castps_pd(t[i + 1]);
        __m512d t2 = _mm512_castps_pd(t[i + 2]), t3 = _mm512_castps_pd(t[i + 3]);
        r[i] = _mm512_castpd_ps(_mm512_unpacklo_pd(t0, t2));
        r[i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(t0, t2));
        r[i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(t1, t3));
        r[i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(t1, t3));
    }
    for (int c = 0; c < 4; c++) {
        __m512 x0 = r[c], x1 = r[4 + c], x2 = r[8 + c], x3 = r[12 + c];
        __m512 p0 = _mm512_shuffle_f32x4(x0, x1, 0x44), p1 = _mm512_shuffle_f32x4(x0, x1, 0xEE);
        __m512 p2 = _mm512_shuffle_f32x4(x2, x3, 0x44), p3 = _mm512_shuffle_f32x4(x2, x3, 0xEE);
        _mm512_storeu_ps(b + (0 + c) * ldb, _mm512_shuffle_f32x4(p0, p2, 0x88));
        _mm512_storeu_ps(b + (4 + c) * ldb, _mm512_shuffle_f32x4(p0, p2, 0xDD));
        _mm512_storeu_ps(b + (8 + c) * ldb, _mm512_shuffle_f32x4(p1, p3, 0x88));
        _mm512_storeu_ps(b + (12 + c) * ldb, _mm512_shuffle_f32x4(p1, p3, 0xDD));
    }
}

/// 8 × 8 with AVX2: the same interleaves, then a swap of 128-bit halves.
__attribute__((target("avx2")))
static void transpose8_256(const float *a, long lda, float *b, long ldb) {
    __m256 r[8], t[8];
    for (int i = 0; i < 8; i++) r[i] = _mm256_loadu_ps(a + i * lda);
    for (int i = 0; i < 8; i += 2) {
        t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
    }
    for (int i = 0; i < 8; i += 4) { // r[i + c]: column 4H + c of rows i … i+3 in half H
        __m256d t0 = _mm256_castps_pd(t[i]), t1 = _mm256_castps_pd(t[i + 1]);
        __m256d t2 = _mm256_castps_pd(t[i + 2]), t3 = _mm256_castps_pd(t[i + 3]);
        r[i] = _mm256_castpd_ps(_mm256_unpacklo_pd(t0, t2));
        r[i + 1] = _mm256_castpd_ps(_mm256_unpackhi_pd(t0, t2));
        r[i + 2] = _mm256_castpd_ps(_mm256_unpacklo_pd(t1, t3));
        r[i + 3] = _mm256_castpd_ps(_mm256_unpackhi_pd(t1, t3));
    }
    for (int c = 0; c < 4; c++) {
        _mm256_storeu_ps(b + c * ldb, _mm256_permute2f128_ps(r[c], r[4 + c], 0x20));
        _mm256_storeu_ps(b + (4 + c) * ldb, _mm256_permute2f128_ps(r[c], r[4 + c], 0x31));
    }
}

static void transpose_scalar(long rows, long cols, const float *a, long lda, float *b, long ldb) {
    for (long i = 0; i < rows; i++)
        for (long j = 0; j < cols; j++) b[j * ldb + i] = a[i * lda + j];
}

void ck_transpose(int max_level, long rows, long cols, const float *a, long lda, float *b, long ldb) {
    int level = ck_vector_level();
    if (level > max_level) level = max_level;
    long w = level >= 2 ? 16 : level == 1 ? 8 : 0;
    long i = 0;
    if (w)
        for (; i + w <= rows; i += w) {
            long j = 0;
            for (; j + w <= cols; j += w) {
                if (w == 16) transpose16_512(a + i * lda + j, lda, b + j * ldb + i, ldb);
                else transpose8_256(a + i * lda + j, lda, b + j * ldb + i, ldb);
            }
            transpose_scalar(w, cols - j, a + i * lda + j, lda, b + j * ldb + i, ldb);
        }
    transpose_scalar(rows - i, cols, a + i * lda, lda, b + i, ldb);
}
