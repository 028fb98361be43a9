// The Winograd filter transform U = G·g·Gᵀ (Winograd.swift's winogradFilterTransform, run
// once per prediction or training step for every 3 × 3 convolution) and its adjoint
// dg += Gᵀ·dU·G (winogradFilterGradient, once per training slice and convolution), for
// 16 filter pairs at a time. The Swift bodies' operations in the same order, each rounded
// on its own (no FMA), so the bits are the Swift bodies'.
#include <immintrin.h>
#include "ckernels.h"

#pragma clang fp contract(off)

/// Gᵀ·d: six values to three (Winograd.swift's gtcol).
__attribute__((target("avx512f"), always_inline))
static inline void gt6(const __m512 d[6], __m512 r[3]) {
    const __m512 quarter = _mm512_set1_ps(0.25f), sixth = _mm512_set1_ps(1.0f / 6);
    const __m512 twelfth = _mm512_set1_ps(1.0f / 12), twentyfourth = _mm512_set1_ps(1.0f / 24);
    __m512 s12 = _mm512_add_ps(d[1], d[2]), s34 = _mm512_add_ps(d[3], d[4]);
    r[0] = _mm512_add_ps(_mm512_sub_ps(_mm512_mul_ps(quarter, d[0]), _mm512_mul_ps(s12, sixth)),
                         _mm512_mul_ps(s34, twentyfourth));
    r[1] = _mm512_add_ps(_mm512_mul_ps(_mm512_sub_ps(d[2], d[1]), sixth),
                         _mm512_mul_ps(_mm512_sub_ps(d[3], d[4]), twelfth));
    r[2] = _mm512_add_ps(_mm512_mul_ps(_mm512_sub_ps(_mm512_sub_ps(s34, d[1]), d[2]), sixth), d[5]);
}

__attribute__((target("avx512f")))
static void filter_gradient_512(const float *du, long stride, long pairs, float *dw) { // pairs: a multiple of 16
    // Lane l of output vector q (block element e = 16q + l) is pair e / 9, entry e % 9.
    __m512i idx[9];
    for (int q = 0; q < 9; q++) {
        int e[16];
        for (int l = 0; l < 16; l++) e[l] = (16 * q + l) % 9 * 16 + (16 * q + l) / 9;
        idx[q] = _mm512_loadu_si512(e);
    }
    for (long k = 0; k < pairs; k += 16) {
        __m512 t[6][3];
        for (int r = 0; r < 6; r++) { // dU·G, row r
            __m512 d[6];
            for (int s = 0; s < 6; s++) d[s] = _mm512_loadu_ps(du + (6 * r + s) * stride + k);
            gt6(d, t[r]);
        }
        float out[9 * 16]; // out[16j + l]: entry j (the Swift body's g[j]) of pair k + l
        for (int c = 0; c < 3; c++) { // Gᵀ·(dU·G), column c → entries c, 3 + c, 6 + c
            __m512 d[6] = {t[0][c], t[1][c], t[2][c], t[3][c], t[4][c], t[5][c]}, r[3];
            gt6(d, r);
            for (int i = 0; i < 3; i++) _mm512_storeu_ps(out + 16 * (3 * i + c), r[i]);
        }
        float *g = dw + 9 * k;
        for (int q = 0; q < 9; q++)
            _mm512_storeu_ps(g + 16 * q,
                             _mm512_add_ps(_mm512_loadu_ps(g + 16 * q), _mm512_i32gather_ps(idx[q], out, 4)));
    }
}

/// The pairs the AVX-512 bodies take (whole blocks of 16), or 0 below that level.
static long whole_blocks(int max_level, long pairs) {
    int level = ck_vector_level();
    if (level > max_level) level = max_level;
    return level < 2 ? 0 : pairs / 16 * 16;
}

long ck_winograd_filter_gradient(int max_level, const float *du, long stride, long pairs, float *dw) {
    long whole = whole_blocks(max_level, pairs);
    if (whole > 0) filter_gradient_512(du, stride, whole, dw);
    return whole;
}

/// G·g: three values to six (Winograd.swift's gcol).
__attribute__((target("avx512f"), always_inline))
static inline void g3(__m512 g0, __m512 g1, __m512 g2, __m512 r[6]) {
    const __m512 quarter = _mm512_set1_ps(0.25f), sixth = _mm512_set1_ps(1.0f / 6);
    const __m512 twelfth = _mm512_set1_ps(1.0f / 12), twentyfourth = _mm512_set1_ps(1.0f / 24);
    const __m512i sign = _mm512_set1_epi32((int)0x80000000);
    __m512 even = _mm512_add_ps(g0, g2);
    __m512 e4 = _mm512_add_ps(_mm512_mul_ps(g0, twentyfourth), _mm512_mul_ps(g2, sixth));
    __m512 o = _mm512_mul_ps(g1, twelfth);
    __m512 sum = _mm512_add_ps(even, g1); // Swift's prefix minus flips the sign bit
    r[0] = _mm512_mul_ps(quarter, g0);
    r[1] = _mm512_mul_ps(_mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(sum), sign)), sixth);
    r[2] = _mm512_mul_ps(_mm512_sub_ps(g1, even), sixth);
    r[3] = _mm512_add_ps(e4, o);
    r[4] = _mm512_sub_ps(e4, o);
    r[5] = g2;
}

__attribute__((target("avx512f")))
static void filter_transform_512(const float *w, long pairs, float *u, long stride) { // pairs: a multiple of 16
    __m512i idx[9]; // entry j of pairs k … k + 15: w[9(k + l) + j]
    for (int j = 0; j < 9; j++) {
        int e[16];
        for (int l = 0; l < 16; l++) e[l] = 9 * l + j;
        idx[j] = _mm512_loadu_si512(e);
    }
    for (long k = 0; k < pairs; k += 16) {
        __m512 g[9];
        for (int j = 0; j < 9; j++) g[j] = _mm512_i32gather_ps(idx[j], w + 9 * k, 4);
        __m512 c[3][6]; // G·g, column by column
        for (int col = 0; col < 3; col++) g3(g[col], g[3 + col], g[6 + col], c[col]);
        for (int r = 0; r < 6; r++) { // (G·g)·Gᵀ, row r
            __m512 v[6];
            g3(c[0][r], c[1][r], c[2][r], v);
            for (int s = 0; s < 6; s++) _mm512_storeu_ps(u + (6 * r + s) * stride + k, v[s]);
        }
    }
}

long ck_winograd_filter_transform(int max_level, const float *w, long pairs, float *u, long stride) {
    long whole = whole_blocks(max_level, pairs);
    if (whole > 0) filter_transform_512(w, whole, u, stride);
    return whole;
}
