// The hot loops of the U-Net's Winograd F(4×4, 3×3) convolutions and of its group norm
// with SiLU, eight lanes (images) per AVX2 register. Each is the Swift body of
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

/// Bᵀ·d (Winograd.swift's `bt`).
__attribute__((target("avx2"), always_inline))
static inline void bt6(const v8 d[6], v8 r[6]) {
    const v8 four = SET(4), two = SET(2), five = SET(5);
    v8 a = SUB(d[4], d[2]), b = SUB(d[3], d[1]);
    r[0] = ADD(SUB(MUL(four, d[0]), MUL(five, d[2])), d[4]);
    r[1] = SUB(ADD(d[3], d[4]), MUL(four, ADD(d[1], d[2])));
    r[2] = ADD(SUB(MUL(four, SUB(d[1], d[2])), d[3]), d[4]);
    r[3] = ADD(a, MUL(two, b));
    r[4] = SUB(a, MUL(two, b));
    r[5] = ADD(SUB(MUL(four, d[1]), MUL(five, d[3])), d[5]);
}

/// Aᵀ·m (Winograd.swift's `at`): six values to four.
__attribute__((target("avx2"), always_inline))
static inline void at6(const v8 m[6], v8 r[4]) {
    v8 p1 = ADD(m[1], m[2]), m1 = SUB(m[1], m[2]), p2 = ADD(m[3], m[4]), m2 = SUB(m[3], m[4]);
    r[0] = ADD(ADD(m[0], p1), p2);
    r[1] = ADD(m1, MUL(SET(2), m2));
    r[2] = ADD(p1, MUL(SET(4), p2));
    r[3] = ADD(ADD(m1, MUL(SET(8), m2)), m[5]);
}

__attribute__((target("avx2")))
static void input_tile(const float *const *rows, long B, float *out, long xi) {
    for (long l = 0; l < B; l += 8) {
        v8 t[36];
        for (int s = 0; s < 6; s++) {                        // columns: Bᵀ over r
            v8 d[6], u[6];
            for (int r = 0; r < 6; r++) d[r] = _mm256_loadu_ps(rows[6 * r + s] + l);
            bt6(d, u);
            for (int r = 0; r < 6; r++) t[6 * r + s] = u[r];
        }
        for (int r = 0; r < 6; r++) {                        // rows: B over s; ξ = 6r + s
            v8 w[6];
            bt6(t + 6 * r, w);
            float *o = out + 6 * r * xi + l;
            for (int s = 0; s < 6; s++) _mm256_storeu_ps(o + s * xi, w[s]);
        }
    }
}

bool ck_winograd_input_tile(const float *const *rows, long B, float *out, long xi_stride) {
    if (!ck_vector_kernels() || B % 8 != 0) return false;
    input_tile(rows, B, out, xi_stride);
    return true;
}

__attribute__((target("avx2")))
static void output_tile(const float *m, long xi, long B, float bias, float *y, long row_stride, long rows_inside, long cols_inside) {
    const v8 beta = SET(bias);
    for (long l = 0; l < B; l += 8) {
        const float *p = m + l;
        v8 t[24];
        for (int s = 0; s < 6; s++) {                        // columns: Aᵀ over r
            v8 d[6], u[4];
            for (int r = 0; r < 6; r++) d[r] = _mm256_loadu_ps(p + (6 * r + s) * xi);
            at6(d, u);
            for (int r = 0; r < 4; r++) t[6 * r + s] = u[r];
        }
        for (long u = 0; u < rows_inside; u++) {             // rows: A over s
            v8 w[4];
            at6(t + 6 * u, w);
            float *o = y + u * row_stride + l;
            for (long c = 0; c < cols_inside; c++) _mm256_storeu_ps(o + c * B, ADD(w[c], beta));
        }
    }
}

bool ck_winograd_output_tile(const float *m, long xi_stride, long B, float bias, float *y, long row_stride,
                             long rows_inside, long cols_inside) {
    if (!ck_vector_kernels() || B % 8 != 0) return false;
    output_tile(m, xi_stride, B, bias, y, row_stride, rows_inside, cols_inside);
    return true;
}

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

/// B·v (Winograd.swift's `b`, the adjoint of `bt`). The leading negation flips the sign
/// bit, as Swift's prefix minus does.
__attribute__((target("avx2"), always_inline))
static inline void b6(const v8 v[6], v8 r[6]) {
    const v8 four = SET(4), two = SET(2), five = SET(5);
    r[0] = MUL(four, v[0]);
    r[1] = ADD(MUL(four, ADD(SUB(v[2], v[1]), v[5])), MUL(two, SUB(v[4], v[3])));
    v8 neg = _mm256_xor_ps(MUL(five, v[0]), SET(-0.0f));
    r[2] = SUB(SUB(SUB(neg, MUL(four, ADD(v[1], v[2]))), v[3]), v[4]);
    r[3] = SUB(ADD(SUB(v[1], v[2]), MUL(two, SUB(v[3], v[4]))), MUL(five, v[5]));
    r[4] = ADD(ADD(ADD(ADD(v[0], v[1]), v[2]), v[3]), v[4]);
    r[5] = v[5];
}

/// A·y (Winograd.swift's `a`, the adjoint of `at`): four values to six.
__attribute__((target("avx2"), always_inline))
static inline void a4(const v8 y[4], v8 r[6]) {
    v8 e = ADD(y[0], y[2]), o = ADD(y[1], y[3]);
    v8 e4 = ADD(y[0], MUL(SET(4), y[2])), o2 = ADD(MUL(SET(2), y[1]), MUL(SET(8), y[3]));
    r[0] = y[0];
    r[1] = ADD(e, o);
    r[2] = SUB(e, o);
    r[3] = ADD(e4, o2);
    r[4] = SUB(e4, o2);
    r[5] = y[3];
}

__attribute__((target("avx2")))
static void grad_output_tile(const float *const *rows, long B, float *out, long xi) {
    for (long l = 0; l < B; l += 8) {
        v8 t[24];
        for (int v = 0; v < 4; v++) {                        // columns: A over u
            v8 y[4], e[6];
            for (int u = 0; u < 4; u++) y[u] = _mm256_loadu_ps(rows[4 * u + v] + l);
            a4(y, e);
            for (int k = 0; k < 6; k++) t[4 * k + v] = e[k];
        }
        for (int r = 0; r < 6; r++) {                        // rows: A over v; ξ = 6r + s
            v8 w[6];
            a4(t + 4 * r, w);
            float *o = out + 6 * r * xi + l;
            for (int s = 0; s < 6; s++) _mm256_storeu_ps(o + s * xi, w[s]);
        }
    }
}

bool ck_winograd_grad_output_tile(const float *const *rows, long B, float *out, long xi_stride) {
    if (!ck_vector_kernels() || B % 8 != 0) return false;
    grad_output_tile(rows, B, out, xi_stride);
    return true;
}

__attribute__((target("avx2")))
static void grad_input_tile(const float *dv, long xi, long B, float *const *rows) {
    for (long l = 0; l < B; l += 8) {
        const float *p = dv + l;
        v8 t[36];
        for (int s = 0; s < 6; s++) {                        // columns: B over r
            v8 d[6], u[6];
            for (int r = 0; r < 6; r++) d[r] = _mm256_loadu_ps(p + (6 * r + s) * xi);
            b6(d, u);
            for (int r = 0; r < 6; r++) t[6 * r + s] = u[r];
        }
        for (int r = 0; r < 6; r++) {                        // rows: B over s, added at (r, s)
            v8 w[6];
            b6(t + 6 * r, w);
            for (int s = 0; s < 6; s++) {
                float *q = rows[6 * r + s] + l;
                _mm256_storeu_ps(q, ADD(_mm256_loadu_ps(q), w[s]));
            }
        }
    }
}

bool ck_winograd_grad_input_tile(const float *dv, long xi_stride, long B, float *const *rows) {
    if (!ck_vector_kernels() || B % 8 != 0) return false;
    grad_input_tile(dv, xi_stride, B, rows);
    return true;
}
