// The exact Gaussian-mixture denoiser, row by row (portable) or four rows per AVX2
// register (one row per lane, so any K and dims vectorise the same way).
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

/// Four rows, one per lane: `xl` [dims][4] holds their coordinates, `base` [4] the
/// offsets of their constants; `L` [K][4] and `acc` [dims][4] are scratch; the
/// result is left in `acc`.
__attribute__((target("avx2,fma")))
static void denoise_4rows(long dims, long K, const double *xl, const double *mu, const double *table,
                          __m256i base, double *L, double *acc) {
    __m256d maxL = _mm256_set1_pd(-INFINITY);
    for (long k = 0; k < K; k++) {
        __m256d c = _mm256_i64gather_pd(table + 3 * k, base, 8);
        __m256d a = _mm256_i64gather_pd(table + 3 * k + 1, base, 8);
        __m256d r2 = _mm256_setzero_pd();
        for (long j = 0; j < dims; j++) {
            __m256d t = _mm256_sub_pd(_mm256_loadu_pd(xl + 4 * j), _mm256_set1_pd(mu[k * dims + j]));
            r2 = _mm256_fmadd_pd(t, t, r2);
        }
        __m256d l = _mm256_fnmadd_pd(r2, a, c);                    // c − r2·a
        _mm256_storeu_pd(L + 4 * k, l);
        maxL = _mm256_max_pd(maxL, l);
    }
    __m256d z = _mm256_setzero_pd();
    for (long k = 0; k < K; k++) {
        __m256d t = _mm256_sub_pd(_mm256_loadu_pd(L + 4 * k), maxL);
        __m256d keep = _mm256_cmp_pd(t, _mm256_set1_pd(prune), _CMP_GE_OQ);
        __m256d w = _mm256_and_pd(_ZGVdN4v_exp(_mm256_max_pd(t, _mm256_set1_pd(prune - 1))), keep);
        _mm256_storeu_pd(L + 4 * k, w);
        z = _mm256_add_pd(z, w);
    }
    __m256d iz = _mm256_div_pd(_mm256_set1_pd(1), z);
    for (long j = 0; j < dims; j++) _mm256_storeu_pd(acc + 4 * j, _mm256_setzero_pd());
    for (long k = 0; k < K; k++) {
        __m256d w = _mm256_mul_pd(_mm256_loadu_pd(L + 4 * k), iz);
        if (_mm256_movemask_pd(_mm256_cmp_pd(w, _mm256_setzero_pd(), _CMP_NEQ_UQ)) == 0) continue;
        __m256d h = _mm256_i64gather_pd(table + 3 * k + 2, base, 8);
        for (long j = 0; j < dims; j++) {
            __m256d m = _mm256_set1_pd(mu[k * dims + j]);
            __m256d v = _mm256_fmadd_pd(h, _mm256_sub_pd(_mm256_loadu_pd(xl + 4 * j), m), m);   // μ + h·(x − μ)
            _mm256_storeu_pd(acc + 4 * j, _mm256_fmadd_pd(w, v, _mm256_loadu_pd(acc + 4 * j)));
        }
    }
}

/// Constant `at` of the four lanes' tables: one broadcast when they share a table
/// (rows at one σ, as in a solve), a gather otherwise.
__attribute__((target("avx2,fma"), always_inline))
static inline __m256d constant(const double *table, long at, __m256i base, long shared) {
    return shared >= 0 ? _mm256_broadcast_sd(table + shared + at) : _mm256_i64gather_pd(table + at, base, 8);
}

/// The body of `denoise_4rows` for points in the plane (every toy mixture), with the
/// coordinates and sums in registers.
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

/// Every row goes through a four-lane body, the last group padded with copies of the
/// batch's last row, so a row's result does not depend on where it sits in the batch.
__attribute__((target("avx2,fma")))
static void denoise_vector(long rows, long dims, long K, const double *x, const double *mu,
                           const double *table, const long *slot, double *out, double *scratch) {
    double *xl = scratch, *acc = scratch + 4 * dims, *L = scratch + 8 * dims;
    for (long i = 0; i < rows; i += 4) {
        long r[4];
        for (int q = 0; q < 4; q++) r[q] = i + q < rows ? i + q : rows - 1;
        for (long j = 0; j < dims; j++)
            for (int q = 0; q < 4; q++) xl[4 * j + q] = x[r[q] * dims + j];
        long sl[4];
        for (int q = 0; q < 4; q++) sl[q] = slot ? slot[r[q]] : 0;
        long s0 = sl[0];
        bool same = sl[1] == s0 && sl[2] == s0 && sl[3] == s0;
        __m256i base = _mm256_setr_epi64x(3 * K * s0, 3 * K * sl[1], 3 * K * sl[2], 3 * K * sl[3]);
        if (dims == 2) {
            __m256d o0, o1;
            if (same) denoise_4rows_2d(K, _mm256_loadu_pd(xl), _mm256_loadu_pd(xl + 4), mu, table, base, 3 * K * s0, L, &o0, &o1);
            else denoise_4rows_2d(K, _mm256_loadu_pd(xl), _mm256_loadu_pd(xl + 4), mu, table, base, -1, L, &o0, &o1);
            _mm256_storeu_pd(acc, o0);
            _mm256_storeu_pd(acc + 4, o1);
        } else {
            denoise_4rows(dims, K, xl, mu, table, base, L, acc);
        }
        for (int q = 0; q < 4 && i + q < rows; q++)
            for (long j = 0; j < dims; j++) out[(i + q) * dims + j] = acc[4 * j + q];
    }
}

long ck_mixture_scratch(long dims, long K) { return 4 * (2 * dims + K); }

void ck_mixture_denoise(long rows, long dims, long K, const double *x, const double *mu,
                        const double *table, const long *slot, double *out, double *scratch) {
    ck_mixture_denoise_body(true, rows, dims, K, x, mu, table, slot, out, scratch);
}

void ck_mixture_denoise_body(bool vector, long rows, long dims, long K, const double *x, const double *mu,
                             const double *table, const long *slot, double *out, double *scratch) {
    if (vector && ck_vector_kernels()) {
        denoise_vector(rows, dims, K, x, mu, table, slot, out, scratch);
        return;
    }
    for (long i = 0; i < rows; i++)
        denoise_row(dims, K, x + i * dims, mu, table + 3 * K * (slot ? slot[i] : 0), scratch, out + i * dims);
}
