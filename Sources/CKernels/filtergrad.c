// dg += Gᵀ·dU·G for 16 filter pairs at a time (Winograd.swift's winogradFilterGradient,
// the adjoint of the filter transform): each U-Net training slice runs it once per
// 3 × 3 convolution. The Swift body's operations in the same order, each rounded on its
// own (no FMA), so the bits are the Swift body's.
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

long ck_winograd_filter_gradient(int max_level, const float *du, long stride, long pairs, float *dw) {
    int level = ck_vector_level();
    if (level > max_level) level = max_level;
    if (level < 2 || pairs < 16) return 0;
    long whole = pairs / 16 * 16;
    filter_gradient_512(du, stride, whole, dw);
    return whole;
}
