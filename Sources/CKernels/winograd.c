// The hot loops of the U-Net's Winograd F(4×4, 3×3) convolutions and of its group norm
// with SiLU, eight lanes (images) per AVX2 register (the tile transforms from
// winograd_tiles.inc; their AVX-512 bodies in winograd512.c, the group norm's in
// groupnorm512.c). Each is the Swift body of
// Winograd.swift or GroupNorm.swift with the same operations in the same order, every
// product and sum rounded on its own (no FMA), so the results are bit for bit the
// Swift body's; only the register width differs.
#include <immintrin.h>
#include "ckernels.h"
#include "kernels512.h"

#pragma clang fp contract(off)

typedef __m256 v8;
#define ADD _mm256_add_ps
#define SUB _mm256_sub_ps
#define MUL _mm256_mul_ps
#define SET _mm256_set1_ps

#define VEC v8
#define W 8
#define LOADU _mm256_loadu_ps
#define STOREU _mm256_storeu_ps
#define NEG(x) _mm256_xor_ps((x), SET(-0.0f))
#define TARGET "avx2"
#define FN(name) name
#define LINKAGE static
#include "winograd_tiles.inc"

/// 2^y as FastMath.swift's `fastExp2`: clamped to [−126, 126] (a NaN passes through:
/// max/min return their second operand when either is NaN), y = n + f with n = round(y)
/// by the 1.5·2²³ trick, 2^f by the degree-5 polynomial, 2^n in the exponent bits.
__attribute__((target("avx2"), always_inline))
static inline v8 exp2_8_exact(v8 y) {
    y = _mm256_max_ps(SET(-126), y);
    y = _mm256_min_ps(SET(126), y);
    const v8 magic = SET(12582912.0f);
    v8 t = ADD(y, magic);
    v8 f = SUB(y, SUB(t, magic));
    v8 p = SET(0.0013276455f);
    p = ADD(MUL(p, f), SET(0.0096755404f));
    p = ADD(MUL(p, f), SET(0.055507133f));
    p = ADD(MUL(p, f), SET(0.240221197f));
    p = ADD(MUL(p, f), SET(0.693146967f));
    p = ADD(MUL(p, f), SET(1.000000072f));
    __m256i k = _mm256_sub_epi32(_mm256_castps_si256(t), _mm256_castps_si256(magic));
    return MUL(p, _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(k, _mm256_set1_epi32(127)), 23)));
}

__attribute__((target("avx2")))
static void norm_silu(const float *src, long P, long B, const float *mean, const float *r, const float *a, const float *o,
                      float *xhat, float *sigmoid, float *dst) {
    const v8 one = SET(1), log2e = SET(-1.44269504f);
    for (long h = 0; h < 16; h += 8) {
        const v8 mu = _mm256_loadu_ps(mean + h), rs = _mm256_loadu_ps(r + h);
        const v8 av = _mm256_loadu_ps(a + h), ov = _mm256_loadu_ps(o + h);
        for (long p = 0; p < P; p++) {
            long at = p * B + h;
            v8 xh = MUL(SUB(_mm256_loadu_ps(src + at), mu), rs);
            v8 m = ADD(MUL(av, xh), ov);
            v8 s = _mm256_div_ps(one, ADD(one, exp2_8_exact(MUL(m, log2e))));
            if (xhat) { _mm256_storeu_ps(xhat + at, xh); _mm256_storeu_ps(sigmoid + at, s); }
            _mm256_storeu_ps(dst + at, MUL(m, s));
        }
    }
}

/// GroupNorm.swift's statistics of one group for sixteen images: Σ x over the channels
/// c0 … c1−1 (rows n apart) and their P pixels (B apart) in that order, mean = Σ / count,
/// then Σ (x − mean)² in the same order. Two registers per sixteen lanes.
__attribute__((target("avx2")))
static void norm_stats(const float *x, long n, long c0, long c1, long P, long B, float count, float *mean,
                       float *sq) {
    v8 sum[2] = {SET(0), SET(0)};
    for (long c = c0; c < c1; c++)
        for (long p = 0; p < P; p++)
            for (int q = 0; q < 2; q++) sum[q] = ADD(sum[q], _mm256_loadu_ps(x + c * n + p * B + 8 * q));
    v8 mu[2], acc[2] = {SET(0), SET(0)};
    for (int q = 0; q < 2; q++) mu[q] = _mm256_div_ps(sum[q], SET(count));
    for (long c = c0; c < c1; c++)
        for (long p = 0; p < P; p++)
            for (int q = 0; q < 2; q++) {
                v8 d = SUB(_mm256_loadu_ps(x + c * n + p * B + 8 * q), mu[q]);
                acc[q] = ADD(acc[q], MUL(d, d));
            }
    for (int q = 0; q < 2; q++) {
        _mm256_storeu_ps(mean + 8 * q, mu[q]);
        _mm256_storeu_ps(sq + 8 * q, acc[q]);
    }
}

bool ck_group_norm_stats(int max_level, const float *x, long n, long c0, long c1, long P, long B, float count,
                         float *mean, float *sq) {
    int level = ck_vector_level() < max_level ? ck_vector_level() : max_level;
    if (level < 1) return false;
    if (level >= 2) norm_stats_512(x, n, c0, c1, P, B, count, mean, sq);
    else norm_stats(x, n, c0, c1, P, B, count, mean, sq);
    return true;
}

bool ck_group_norm_silu_pixels(int max_level, const float *src, long P, long B, const float *mean, const float *r, const float *a, const float *o,
                               float *xhat, float *sigmoid, float *dst) {
    int level = ck_vector_level() < max_level ? ck_vector_level() : max_level;
    if (level < 1) return false;
    if (level >= 2) norm_silu_512(src, P, B, mean, r, a, o, xhat, sigmoid, dst);
    else norm_silu(src, P, B, mean, r, a, o, xhat, sigmoid, dst);
    return true;
}

__attribute__((target("avx2")))
static void norm_silu_backward_sums(float *dh, const float *sigmoid, const float *xhat, const float *h, long P, long B,
                                    float gamma, float beta, float *sdm, float *sdmn, float *sdmx) {
    const v8 one = SET(1), gv = SET(gamma), bv = SET(beta);
    for (long l = 0; l < 16; l += 8) {
        v8 s0 = SET(0), s1 = SET(0), s2 = SET(0);
        for (long p = 0; p < P; p++) {
            long at = p * B + l;
            v8 sv = _mm256_loadu_ps(sigmoid + at), xh = _mm256_loadu_ps(xhat + at);
            v8 dm = MUL(_mm256_loadu_ps(dh + at), ADD(sv, MUL(_mm256_loadu_ps(h + at), SUB(one, sv))));
            _mm256_storeu_ps(dh + at, dm);
            s0 = ADD(s0, dm);
            s1 = ADD(s1, MUL(dm, ADD(MUL(gv, xh), bv)));
            s2 = ADD(s2, MUL(dm, xh));
        }
        _mm256_storeu_ps(sdm + l, s0);
        _mm256_storeu_ps(sdmn + l, s1);
        _mm256_storeu_ps(sdmx + l, s2);
    }
}

bool ck_group_norm_silu_backward_sums(int max_level, float *dh, const float *sigmoid, const float *xhat, const float *h, long P, long B,
                                      float gamma, float beta, float *sdm, float *sdmn, float *sdmx) {
    int level = ck_vector_level() < max_level ? ck_vector_level() : max_level;
    if (level < 1) return false;
    if (level >= 2) norm_silu_backward_sums_512(dh, sigmoid, xhat, h, P, B, gamma, beta, sdm, sdmn, sdmx);
    else norm_silu_backward_sums(dh, sigmoid, xhat, h, P, B, gamma, beta, sdm, sdmn, sdmx);
    return true;
}

__attribute__((target("avx2")))
static void norm_input_gradient(const float *dm, const float *xhat, long P, long B, const float *r, const float *k,
                                const float *mean1, const float *mean2, bool accumulate, float *dx) {
    for (long l = 0; l < 16; l += 8) {
        const v8 rv = _mm256_loadu_ps(r + l), kv = _mm256_loadu_ps(k + l);
        const v8 m1 = _mm256_loadu_ps(mean1 + l), m2 = _mm256_loadu_ps(mean2 + l);
        for (long p = 0; p < P; p++) {
            long at = p * B + l;
            v8 v = MUL(rv, SUB(SUB(MUL(kv, _mm256_loadu_ps(dm + at)), m1), MUL(_mm256_loadu_ps(xhat + at), m2)));
            if (accumulate) v = ADD(v, _mm256_loadu_ps(dx + at));
            _mm256_storeu_ps(dx + at, v);
        }
    }
}

bool ck_group_norm_input_gradient(int max_level, const float *dm, const float *xhat, long P, long B, const float *r, const float *k,
                                  const float *mean1, const float *mean2, bool accumulate, float *dx) {
    int level = ck_vector_level() < max_level ? ck_vector_level() : max_level;
    if (level < 1) return false;
    if (level >= 2) norm_input_gradient_512(dm, xhat, P, B, r, k, mean1, mean2, accumulate, dx);
    else norm_input_gradient(dm, xhat, P, B, r, k, mean1, mean2, accumulate, dx);
    return true;
}

/// The widest body up to `max_level` that the process runs and the batch allows (the
/// AVX-512 body needs B a multiple of 16, the AVX2 body of 8); 0 for the Swift body.
static int tile_level(int max_level, long B) {
    int level = ck_vector_level() < max_level ? ck_vector_level() : max_level;
    if (level >= 2 && B % 16 == 0) return 2;
    return level >= 1 && B % 8 == 0 ? 1 : 0;
}

bool ck_winograd_input_tile(int max_level, const float *const *rows, long B, float *out, long xi_stride) {
    switch (tile_level(max_level, B)) {
    case 2: input_tile_512(rows, B, out, xi_stride); return true;
    case 1: input_tile(rows, B, out, xi_stride); return true;
    default: return false;
    }
}

bool ck_winograd_output_tile(int max_level, const float *m, long xi_stride, long B, float bias, float *y,
                             long row_stride, long rows_inside, long cols_inside) {
    switch (tile_level(max_level, B)) {
    case 2: output_tile_512(m, xi_stride, B, bias, y, row_stride, rows_inside, cols_inside); return true;
    case 1: output_tile(m, xi_stride, B, bias, y, row_stride, rows_inside, cols_inside); return true;
    default: return false;
    }
}

bool ck_winograd_grad_output_tile(int max_level, const float *const *rows, long B, float *out, long xi_stride) {
    switch (tile_level(max_level, B)) {
    case 2: grad_output_tile_512(rows, B, out, xi_stride); return true;
    case 1: grad_output_tile(rows, B, out, xi_stride); return true;
    default: return false;
    }
}

bool ck_winograd_grad_input_tile(int max_level, const float *dv, long xi_stride, long B, float *const *rows) {
    switch (tile_level(max_level, B)) {
    case 2: grad_input_tile_512(dv, xi_stride, B, rows); return true;
    case 1: grad_input_tile(dv, xi_stride, B, rows); return true;
    default: return false;
    }
}
