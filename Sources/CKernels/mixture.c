// The exact Gaussian-mixture denoiser, row by row (portable, any dimension) or, for
// points in the plane, four rows per AVX2 register (one row per lane, any K).
#include <immintrin.h>
#include <math.h>
#include "ckernels.h"

// glibc's libmvec: exp on four doubles (AVX2), documented maximum error 4 ulp.
__attribute__((target("avx2"))) __m256d _ZGVdN4v_exp(__m256d x);

/// Weights below e^−40 (4·10⁻¹⁸ of the largest) cannot move a Double sum of O(1)
/// terms: they count as 0.
static const double prune = -40;

static void denoise_row(long dims, long K, const double *x, const double *mu,
                        const double *c, double *e, double *out) {
    double maxL = -INFINITY;
    for (long k = 0; k < K; k++) {
        double r2 = 0;
        for (long j = 0; j < dims; j++) { double t = x[j] - mu[k * dims + j]; r2 += t * t; }
        double l = c[3 * k] - r2 * c[3 * k + 1];
        e[k] = l;
        if (l > maxL) maxL = l;
    }
    double z = 0;
    for (long k = 0; k < K; k++) {
        double t = e[k] - maxL;
        double w = t < prune ? 0 : exp(t);
        e[k] = w; z += w;
    }
    double iz = 1 / z;
    for (long j = 0; j < dims; j++) out[j] = 0;
    for (long k = 0; k < K; k++) {
        double w = e[k] * iz;
        if (w == 0) continue;
        double h = c[3 * k + 2];
        for (long j = 0; j < dims; j++) { double m = mu[k * dims + j]; out[j] += w * (h * (x[j] - m) + m); }
    }
}

/// Constant `at` of the four lanes' tables: one broadcast when they share a table
/// (rows at one σ, as in a solve), a gather otherwise.
__attribute__((target("avx2,fma"), always_inline))
static inline __m256d constant(const double *table, long at, __m256i base, long shared) {
    return shared >= 0 ? _mm256_broadcast_sd(table + shared + at) : _mm256_i64gather_pd(table + at, base, 8);
}

/// Four rows in the plane (every toy mixture), one per lane, with their coordinates
/// `x0`, `x1` and sums in registers; `base` holds the offsets of their constants, or
/// `shared` the one offset they share; `L` [K][4] is scratch.
__attribute__((target("avx2,fma"), always_inline))
static inline void denoise_4rows_2d(long K, __m256d x0, __m256d x1, const double *mu, const double *table,
                                    __m256i base, long shared, double *L, __m256d *o0, __m256d *o1) {
    __m256d maxL = _mm256_set1_pd(-INFINITY);
    for (long k = 0; k < K; k++) {
        __m256d t0 = _mm256_sub_pd(x0, _mm256_set1_pd(mu[2 * k])), t1 = _mm256_sub_pd(x1, _mm256_set1_pd(mu[2 * k + 1]));
        __m256d r2 = _mm256_fmadd_pd(t1, t1, _mm256_mul_pd(t0, t0));
        __m256d l = _mm256_fnmadd_pd(r2, constant(table, 3 * k + 1, base, shared), constant(table, 3 * k, base, shared));
        _mm256_storeu_pd(L + 4 * k, l);
        maxL = _mm256_max_pd(maxL, l);
    }
    __m256d z = _mm256_setzero_pd();
    for (long k = 0; k < K; k++) {
        // Lanes below the pruning bound are clamped before the exp (libmvec takes a slow
        // scalar path for arguments that underflow) and then zeroed.
        __m256d t = _mm256_sub_pd(_mm256_loadu_pd(L + 4 * k), maxL);
        __m256d keep = _mm256_cmp_pd(t, _mm256_set1_pd(prune), _CMP_GE_OQ);
        __m256d w = _mm256_and_pd(_ZGVdN4v_exp(_mm256_max_pd(t, _mm256_set1_pd(prune - 1))), keep);
        _mm256_storeu_pd(L + 4 * k, w);
        z = _mm256_add_pd(z, w);
    }
    __m256d iz = _mm256_div_pd(_mm256_set1_pd(1), z), a0 = _mm256_setzero_pd(), a1 = _mm256_setzero_pd();
    for (long k = 0; k < K; k++) {
        __m256d w = _mm256_mul_pd(_mm256_loadu_pd(L + 4 * k), iz);
        if (_mm256_movemask_pd(_mm256_cmp_pd(w, _mm256_setzero_pd(), _CMP_NEQ_UQ)) == 0) continue;
        __m256d h = constant(table, 3 * k + 2, base, shared);
        __m256d m0 = _mm256_set1_pd(mu[2 * k]), m1 = _mm256_set1_pd(mu[2 * k + 1]);
        a0 = _mm256_fmadd_pd(w, _mm256_fmadd_pd(h, _mm256_sub_pd(x0, m0), m0), a0);
        a1 = _mm256_fmadd_pd(w, _mm256_fmadd_pd(h, _mm256_sub_pd(x1, m1), m1), a1);
    }
    *o0 = a0; *o1 = a1;
}

/// Every row goes through the four-lane body, the last group padded with copies of the
/// batch's last row, so a row's result does not depend on where it sits in the batch.
__attribute__((target("avx2,fma")))
static void denoise_vector_2d(long rows, long K, const double *x, const double *mu,
                              const double *table, const long *slot, double *out, double *L) {
    for (long i = 0; i < rows; i += 4) {
        long r[4], sl[4];
        for (int q = 0; q < 4; q++) { r[q] = i + q < rows ? i + q : rows - 1; sl[q] = slot ? slot[r[q]] : 0; }
        __m256d x0 = _mm256_setr_pd(x[2 * r[0]], x[2 * r[1]], x[2 * r[2]], x[2 * r[3]]);
        __m256d x1 = _mm256_setr_pd(x[2 * r[0] + 1], x[2 * r[1] + 1], x[2 * r[2] + 1], x[2 * r[3] + 1]);
        bool same = sl[1] == sl[0] && sl[2] == sl[0] && sl[3] == sl[0];
        __m256i base = _mm256_setr_epi64x(3 * K * sl[0], 3 * K * sl[1], 3 * K * sl[2], 3 * K * sl[3]);
        __m256d o0, o1;
        if (same) denoise_4rows_2d(K, x0, x1, mu, table, base, 3 * K * sl[0], L, &o0, &o1);
        else denoise_4rows_2d(K, x0, x1, mu, table, base, -1, L, &o0, &o1);
        double a0[4], a1[4];
        _mm256_storeu_pd(a0, o0);
        _mm256_storeu_pd(a1, o1);
        for (int q = 0; q < 4 && i + q < rows; q++) { out[2 * (i + q)] = a0[q]; out[2 * (i + q) + 1] = a1[q]; }
    }
}

long ck_mixture_scratch(long K) { return 4 * K; }

void ck_mixture_denoise(bool vector, long rows, long dims, long K, const double *x, const double *mu,
                        const double *table, const long *slot, double *out, double *scratch) {
    if (vector && dims == 2 && ck_vector_kernels()) {
        denoise_vector_2d(rows, K, x, mu, table, slot, out, scratch);
        return;
    }
    for (long i = 0; i < rows; i++)
        denoise_row(dims, K, x + i * dims, mu, table + 3 * K * (slot ? slot[i] : 0), scratch, out + i * dims);
}
