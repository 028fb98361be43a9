// Bias + sigmoid + SiLU, forward and backward, eight Float32 lanes per AVX2 register.
// The portable bodies stay in Swift (Sources/Nets/SiLU.swift); these return false
// when the CPU lacks AVX2 or FMA.
#include <immintrin.h>
#include "ckernels.h"

/// 2^y for y clamped to [−126, 126]: y = n + f with n = round(y) (the 1.5·2²³ trick)
/// and |f| ≤ ½ exact; 2^f by a degree-5 minimax polynomial (relative error 7.5e−8 in
/// exact arithmetic); 2^n built in the exponent bits. The algorithm of fastExp2 in
/// FastMath.swift, with fused multiply-adds.
__attribute__((target("avx2,fma")))
static inline __m256 exp2_8(__m256 y) {
    // max/min return their second operand when either is NaN: a NaN passes through.
    y = _mm256_min_ps(_mm256_set1_ps(126), _mm256_max_ps(_mm256_set1_ps(-126), y));
    const __m256 magic = _mm256_set1_ps(12582912.0f);                    // 1.5·2²³
    __m256 t = _mm256_add_ps(y, magic);
    __m256 f = _mm256_sub_ps(y, _mm256_sub_ps(t, magic));
    __m256 p = _mm256_set1_ps(0.0013276455f);
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(0.0096755404f));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(0.055507133f));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(0.240221197f));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(0.693146967f));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(1.000000072f));
    __m256i n = _mm256_sub_epi32(_mm256_castps_si256(t), _mm256_castps_si256(magic));
    __m256i scale = _mm256_slli_epi32(_mm256_add_epi32(n, _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(scale));
}

/// σ(v) = 1 / (1 + 2^(−v·log₂e)).
__attribute__((target("avx2,fma")))
static inline __m256 sigmoid_8(__m256 v) {
    __m256 e = exp2_8(_mm256_mul_ps(v, _mm256_set1_ps(-1.44269504f)));
    return _mm256_div_ps(_mm256_set1_ps(1), _mm256_add_ps(_mm256_set1_ps(1), e));
}

/// Lanes j … j+7 of a row of n: all of them, or a mask for the row's tail.
__attribute__((target("avx2,fma")))
static inline __m256i lanes(long j, long n) {
    long left = n - j;
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(left >= 8 ? 8 : (int)left), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/// Masked loads and stores only at a row's tail: AMD cores store masked vectors slowly.
#define LOAD(p, m, tail) ((tail) ? _mm256_maskload_ps((p), (m)) : _mm256_loadu_ps(p))
#define STORE(p, m, v, tail) do { if (tail) _mm256_maskstore_ps((p), (m), (v)); else _mm256_storeu_ps((p), (v)); } while (0)

__attribute__((target("avx2,fma"), always_inline))
static inline void forward8(const float *z, const float *bias, float *so, float *uo, float *out, const float *skip,
                            long o, long j, __m256i m, bool tail) {
    __m256 v = LOAD(z + o + j, m, tail);
    if (bias) v = _mm256_add_ps(v, LOAD(bias + j, m, tail));
    __m256 s = sigmoid_8(v);
    __m256 u = _mm256_mul_ps(v, s);
    if (so) STORE(so + o + j, m, s, tail);
    if (uo) STORE(uo + o + j, m, u, tail);
    if (skip) u = _mm256_add_ps(LOAD(skip + o + j, m, tail), u);
    STORE(out + o + j, m, u, tail);
}

__attribute__((target("avx2,fma")))
static void forward(const float *z, const float *bias, long rows, long n,
                    float *so, float *uo, float *out, const float *skip) {
    __m256i all = _mm256_set1_epi32(-1), m = lanes(n & ~7L, n);
    for (long r = 0; r < rows; r++) {
        long o = r * n, j = 0;
        for (; j + 8 <= n; j += 8) forward8(z, bias, so, uo, out, skip, o, j, all, false);
        if (j < n) forward8(z, bias, so, uo, out, skip, o, j, m, true);
    }
}

bool ck_bias_silu_forward(const float *z, const float *bias, long rows, long n,
                          float *sigmoid_out, float *silu_out, float *out, const float *skip) {
    if (!ck_vector_kernels()) return false;
    forward(z, bias, rows, n, sigmoid_out, silu_out, out, skip);
    return true;
}

__attribute__((target("avx2,fma"), always_inline))
static inline void backward8(const float *g, const float *s, const float *u, float *dz, float *sums,
                             long o, long j, __m256i m, bool tail) {
    __m256 sv = LOAD(s + o + j, m, tail), uv = LOAD(u + o + j, m, tail);
    __m256 d = _mm256_mul_ps(LOAD(g + o + j, m, tail),
                             _mm256_fmadd_ps(uv, _mm256_sub_ps(_mm256_set1_ps(1), sv), sv));   // g·(s + u(1−s))
    STORE(dz + o + j, m, d, tail);
    STORE(sums + j, m, _mm256_add_ps(LOAD(sums + j, m, tail), d), tail);
}

__attribute__((target("avx2,fma")))
static void backward(const float *g, const float *s, const float *u, long rows, long n,
                     float *dz, float *sums) {
    __m256i all = _mm256_set1_epi32(-1), m = lanes(n & ~7L, n);
    for (long r = 0; r < rows; r++) {
        long o = r * n, j = 0;
        for (; j + 8 <= n; j += 8) backward8(g, s, u, dz, sums, o, j, all, false);
        if (j < n) backward8(g, s, u, dz, sums, o, j, m, true);
    }
}

bool ck_silu_backward(const float *g, const float *s, const float *u, long rows, long n,
                      float *dz, float *column_sums) {
    if (!ck_vector_kernels()) return false;
    backward(g, s, u, rows, n, dz, column_sums);
    return true;
}
