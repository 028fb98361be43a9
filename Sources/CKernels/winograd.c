// The hot loops of the U-Net's Winograd F(4×4, 3×3) convolutions and of its group norm
// with SiLU, eight lanes (images) per AVX2 register (the bodies from winograd_tiles.inc
// and groupnorm_body.inc; their AVX-512 builds in winograd512.c), and the wrappers that
// choose a width. Each is the Swift body of
// Winograd.swift or GroupNorm.swift with the same operations in the same order, every
// product and sum rounded on its own (no FMA), so the results are bit for bit the
// Swift body's; only the register width differs. (The group norm's passes fuse
// their multiply–adds, as GroupNorm.swift's body does with addingProduct.)
#include <immintrin.h>
#include <string.h>
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

#define DIV _mm256_div_ps
#define VMAX _mm256_max_ps
#define VMIN _mm256_min_ps
#define IVEC __m256i
#define ICAST _mm256_castps_si256
#define FCAST _mm256_castsi256_ps
#define ISUB _mm256_sub_epi32
#define IADD _mm256_add_epi32
#define ISHL _mm256_slli_epi32
#define ISET _mm256_set1_epi32
#define FMA _mm256_fmadd_ps
#define FNMA _mm256_fnmadd_ps
#undef TARGET
#define TARGET "avx2,fma"
#include "groupnorm_body.inc"

/// The widest group-norm body up to `max_level` that the process runs; 0 for none.
static int norm_level(int max_level) { return ck_vector_level() < max_level ? ck_vector_level() : max_level; }

bool ck_group_norm_stats(int max_level, const float *x, long n, long groups, long cpg, long P, long B, float count,
                         float *mean, float *sq) {
    int level = norm_level(max_level);
    if (level < 1) return false;
    if (level >= 2) norm_stats_512(x, n, groups, cpg, P, B, count, mean, sq);
    else norm_stats(x, n, groups, cpg, P, B, count, mean, sq);
    return true;
}

bool ck_group_norm_silu_pixels(int max_level, const float *src, long P, long B, const float *mean, const float *r,
                               const float *a, const float *o, float *dst) {
    int level = norm_level(max_level);
    if (level < 1) return false;
    if (level >= 2) norm_silu_512(src, P, B, mean, r, a, o, dst);
    else norm_silu(src, P, B, mean, r, a, o, dst);
    return true;
}

bool ck_group_norm_silu_backward_sums(int max_level, float *dh, const float *x, long P, long B, const float *mean,
                                      const float *r, const float *a, const float *o, float gamma, float beta,
                                      float *sdm, float *sdmn, float *sdmx) {
    int level = norm_level(max_level);
    if (level < 1) return false;
    if (level >= 2) norm_silu_backward_sums_512(dh, x, P, B, mean, r, a, o, gamma, beta, sdm, sdmn, sdmx);
    else norm_silu_backward_sums(dh, x, P, B, mean, r, a, o, gamma, beta, sdm, sdmn, sdmx);
    return true;
}

bool ck_group_norm_input_gradient(int max_level, const float *dm, const float *x, long P, long B, const float *mean,
                                  const float *r, const float *k, const float *mean1, const float *mean2,
                                  bool accumulate, float *dx) {
    int level = norm_level(max_level);
    if (level < 1) return false;
    if (level >= 2) norm_input_gradient_512(dm, x, P, B, mean, r, k, mean1, mean2, accumulate, dx);
    else norm_input_gradient(dm, x, P, B, mean, r, k, mean1, mean2, accumulate, dx);
    return true;
}

/// The widest body up to `max_level` that the process runs and the batch allows (the
/// AVX-512 body needs B a multiple of 16, the AVX2 body of 8); 0 for the Swift body.
static int tile_level(int max_level, long B) {
    int level = ck_vector_level() < max_level ? ck_vector_level() : max_level;
    if (level >= 2 && B % 16 == 0) return 2;
    return level >= 1 && B % 8 == 0 ? 1 : 0;
}

bool ck_winograd_input_plane(int max_level, const float *plane, long height, long width, long B, const float *zero, float *out,
                             long xi_stride) {
    switch (tile_level(max_level, B)) {
    case 2: input_plane_512(plane, height, width, B, zero, out, xi_stride); return true;
    case 1: input_plane(plane, height, width, B, zero, out, xi_stride); return true;
    default: return false;
    }
}

bool ck_winograd_output_plane(int max_level, const float *m, long xi_stride, long height, long width, long B, float bias,
                              float *y) {
    switch (tile_level(max_level, B)) {
    case 2: output_plane_512(m, xi_stride, height, width, B, bias, y); return true;
    case 1: output_plane(m, xi_stride, height, width, B, bias, y); return true;
    default: return false;
    }
}

bool ck_winograd_grad_output_plane(int max_level, const float *plane, long height, long width, long B, const float *zero,
                                   float *out, long xi_stride) {
    switch (tile_level(max_level, B)) {
    case 2: grad_output_plane_512(plane, height, width, B, zero, out, xi_stride); return true;
    case 1: grad_output_plane(plane, height, width, B, zero, out, xi_stride); return true;
    default: return false;
    }
}

bool ck_winograd_grad_input_plane(int max_level, const float *dv, long xi_stride, long height, long width, long B, float *sink,
                                  float *plane) {
    switch (tile_level(max_level, B)) {
    case 2: grad_input_plane_512(dv, xi_stride, height, width, B, sink, plane); return true;
    case 1: grad_input_plane(dv, xi_stride, height, width, B, sink, plane); return true;
    default: return false;
    }
}

bool ck_winograd_conv_forward(int max_level, int product_level, const float *x, long ci, long height, long width,
                              long B, const float *u, long us, long co, const float *bias, const float *res,
                              const float *zero, long tiles_per_block, float *scratch, float *y) {
    if (product_level > ck_vector_level()) product_level = ck_vector_level();
    if (product_level < 1 || tiles_per_block < 1) return false;
    switch (tile_level(max_level, B)) {
    case 2:
        conv_forward_512(x, ci, height, width, B, u, us, co, bias, res, zero, tiles_per_block, product_level, scratch, y);
        return true;
    case 1:
        conv_forward(x, ci, height, width, B, u, us, co, bias, res, zero, tiles_per_block, product_level, scratch, y);
        return true;
    default: return false;
    }
}

bool ck_winograd_conv_backward(int max_level, int product_level, const float *dy, const float *x, long co, long ci,
                               long height, long width, long B, const float *u, long us, const float *zero,
                               float *sink, long tiles_per_block, long chunk, float *scratch, float *du, float *dx,
                               bool accumulate) {
    if (product_level > ck_vector_level()) product_level = ck_vector_level();
    if (product_level < 1 || tiles_per_block < 1) return false;
    long tiles = (height + 3) / 4 * ((width + 3) / 4), tb = tiles_per_block < tiles ? tiles_per_block : tiles;
    if (chunk < 1 || chunk % (tb * B) != 0) return false;
    switch (tile_level(max_level, B)) {
    case 2:
        conv_backward_512(dy, x, co, ci, height, width, B, u, us, zero, sink, tiles_per_block, chunk, product_level,
                          scratch, du, dx, accumulate);
        return true;
    case 1:
        conv_backward(dy, x, co, ci, height, width, B, u, us, zero, sink, tiles_per_block, chunk, product_level,
                      scratch, du, dx, accumulate);
        return true;
    default: return false;
    }
}
