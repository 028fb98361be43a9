// One Adam(W) update over a stretch of the flat parameter buffers, eight lanes per
// AVX2 register with exact square roots and divisions.
#include <immintrin.h>
#include "ckernels.h"

// Every product and sum rounded on its own, in the vector lanes and the scalar tail alike.
#pragma clang fp contract(off)

__attribute__((target("avx2,fma"), always_inline))
static inline void adam_body(long n, float *p, const float *g, float *m, float *v, const ck_adam_constants *k, bool decay) {
    const __m256 b1 = _mm256_set1_ps(k->beta1), c1 = _mm256_set1_ps(k->one_minus_beta1);
    const __m256 b2 = _mm256_set1_ps(k->beta2), c2 = _mm256_set1_ps(k->one_minus_beta2);
    const __m256 step = _mm256_set1_ps(k->step_size), inv = _mm256_set1_ps(k->inv_sqrt_bc2), eps = _mm256_set1_ps(k->epsilon);
    const __m256 l2 = _mm256_set1_ps(k->l2), shrink = _mm256_set1_ps(k->shrink);
    long i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 theta = _mm256_loadu_ps(p + i), grad = _mm256_loadu_ps(g + i);
        if (decay) grad = _mm256_add_ps(grad, _mm256_mul_ps(l2, theta));
        __m256 mv = _mm256_add_ps(_mm256_mul_ps(b1, _mm256_loadu_ps(m + i)), _mm256_mul_ps(c1, grad));
        __m256 vv = _mm256_add_ps(_mm256_mul_ps(b2, _mm256_loadu_ps(v + i)), _mm256_mul_ps(c2, _mm256_mul_ps(grad, grad)));
        _mm256_storeu_ps(m + i, mv);
        _mm256_storeu_ps(v + i, vv);
        __m256 denom = _mm256_add_ps(_mm256_mul_ps(_mm256_sqrt_ps(vv), inv), eps);
        if (decay) theta = _mm256_mul_ps(theta, shrink);
        _mm256_storeu_ps(p + i, _mm256_sub_ps(theta, _mm256_div_ps(_mm256_mul_ps(step, mv), denom)));
    }
    for (; i < n; i++) {
        float theta = p[i], grad = g[i];
        if (decay) grad += k->l2 * theta;
        float mv = k->beta1 * m[i] + k->one_minus_beta1 * grad;
        float vv = k->beta2 * v[i] + k->one_minus_beta2 * (grad * grad);
        m[i] = mv; v[i] = vv;
        float denom = __builtin_sqrtf(vv) * k->inv_sqrt_bc2 + k->epsilon;
        if (decay) theta *= k->shrink;
        p[i] = theta - (k->step_size * mv) / denom;
    }
}

__attribute__((target("avx2,fma")))
static void adam_vector(long n, float *p, const float *g, float *m, float *v, const ck_adam_constants *k) {
    if (k->l2 != 0 || k->shrink != 1) adam_body(n, p, g, m, v, k, true);
    else adam_body(n, p, g, m, v, k, false);
}

bool ck_adam_update(long n, float *p, const float *g, float *m, float *v, const ck_adam_constants *k) {
    if (!ck_vector_kernels()) return false;
    adam_vector(n, p, g, m, v, k);
    return true;
}
