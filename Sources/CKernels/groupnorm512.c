// The group norm's statistics and its three per-pixel loops (winograd.c's norm_stats,
// norm_silu, norm_silu_backward_sums, norm_input_gradient) with the sixteen lanes of a block in
// one AVX-512 register instead of two AVX2 ones: one load or store per pixel row's
// cache line. The operations and their order are those of the AVX2 bodies and of
// GroupNorm.swift, every product and sum rounded on its own (no FMA), so each lane's
// result is bit for bit theirs.
#include <immintrin.h>
#include "kernels512.h"

#pragma clang fp contract(off)

typedef __m512 v16;
#define ADD _mm512_add_ps
#define SUB _mm512_sub_ps
#define MUL _mm512_mul_ps
#define SET _mm512_set1_ps

/// 2^y as winograd.c's exp2_8_exact (FastMath.swift's `fastExp2`), sixteen lanes.
__attribute__((target("avx512f"), always_inline))
static inline v16 exp2_16_exact(v16 y) {
    y = _mm512_max_ps(SET(-126), y);
    y = _mm512_min_ps(SET(126), y);
    const v16 magic = SET(12582912.0f);
    v16 t = ADD(y, magic);
    v16 f = SUB(y, SUB(t, magic));
    v16 p = SET(0.0013276455f);
    p = ADD(MUL(p, f), SET(0.0096755404f));
    p = ADD(MUL(p, f), SET(0.055507133f));
    p = ADD(MUL(p, f), SET(0.240221197f));
    p = ADD(MUL(p, f), SET(0.693146967f));
    p = ADD(MUL(p, f), SET(1.000000072f));
    __m512i k = _mm512_sub_epi32(_mm512_castps_si512(t), _mm512_castps_si512(magic));
    return MUL(p, _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(k, _mm512_set1_epi32(127)), 23)));
}

__attribute__((target("avx512f")))
void norm_stats_512(const float *x, long n, long c0, long c1, long P, long B, float count, float *mean, float *sq) {
    v16 sum = SET(0);
    for (long c = c0; c < c1; c++)
        for (long p = 0; p < P; p++) sum = ADD(sum, _mm512_loadu_ps(x + c * n + p * B));
    v16 mu = _mm512_div_ps(sum, SET(count)), acc = SET(0);
    for (long c = c0; c < c1; c++)
        for (long p = 0; p < P; p++) {
            v16 d = SUB(_mm512_loadu_ps(x + c * n + p * B), mu);
            acc = ADD(acc, MUL(d, d));
        }
    _mm512_storeu_ps(mean, mu);
    _mm512_storeu_ps(sq, acc);
}

__attribute__((target("avx512f")))
void norm_silu_512(const float *src, long P, long B, const float *mean, const float *r, const float *a,
                   const float *o, float *xhat, float *sigmoid, float *dst) {
    const v16 one = SET(1), log2e = SET(-1.44269504f);
    const v16 mu = _mm512_loadu_ps(mean), rs = _mm512_loadu_ps(r), av = _mm512_loadu_ps(a), ov = _mm512_loadu_ps(o);
    for (long p = 0; p < P; p++) {
        long at = p * B;
        v16 xh = MUL(SUB(_mm512_loadu_ps(src + at), mu), rs);
        v16 m = ADD(MUL(av, xh), ov);
        v16 s = _mm512_div_ps(one, ADD(one, exp2_16_exact(MUL(m, log2e))));
        if (xhat) { _mm512_storeu_ps(xhat + at, xh); _mm512_storeu_ps(sigmoid + at, s); }
        _mm512_storeu_ps(dst + at, MUL(m, s));
    }
}

__attribute__((target("avx512f")))
void norm_silu_backward_sums_512(float *dh, const float *sigmoid, const float *xhat, const float *h, long P, long B,
                                 float gamma, float beta, float *sdm, float *sdmn, float *sdmx) {
    const v16 one = SET(1), gv = SET(gamma), bv = SET(beta);
    v16 s0 = SET(0), s1 = SET(0), s2 = SET(0);
    for (long p = 0; p < P; p++) {
        long at = p * B;
        v16 sv = _mm512_loadu_ps(sigmoid + at), xh = _mm512_loadu_ps(xhat + at);
        v16 dm = MUL(_mm512_loadu_ps(dh + at), ADD(sv, MUL(_mm512_loadu_ps(h + at), SUB(one, sv))));
        _mm512_storeu_ps(dh + at, dm);
        s0 = ADD(s0, dm);
        s1 = ADD(s1, MUL(dm, ADD(MUL(gv, xh), bv)));
        s2 = ADD(s2, MUL(dm, xh));
    }
    _mm512_storeu_ps(sdm, s0);
    _mm512_storeu_ps(sdmn, s1);
    _mm512_storeu_ps(sdmx, s2);
}

__attribute__((target("avx512f")))
void norm_input_gradient_512(const float *dm, const float *xhat, long P, long B, const float *r, const float *k,
                             const float *mean1, const float *mean2, bool accumulate, float *dx) {
    const v16 rv = _mm512_loadu_ps(r), kv = _mm512_loadu_ps(k);
    const v16 m1 = _mm512_loadu_ps(mean1), m2 = _mm512_loadu_ps(mean2);
    for (long p = 0; p < P; p++) {
        long at = p * B;
        v16 v = MUL(rv, SUB(SUB(MUL(kv, _mm512_loadu_ps(dm + at)), m1), MUL(_mm512_loadu_ps(xhat + at), m2)));
        if (accumulate) v = ADD(v, _mm512_loadu_ps(dx + at));
        _mm512_storeu_ps(dx + at, v);
    }
}
