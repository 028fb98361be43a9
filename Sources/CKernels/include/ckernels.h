// Vector kernels for the few loops Swift cannot vectorise well on baseline x86-64:
// each has an AVX2 + FMA body, chosen at run time when the CPU has both, and a
// portable body otherwise. Which one runs is fixed for the life of the process, so
// the same inputs give the same numbers on one machine.
#ifndef CKERNELS_H
#define CKERNELS_H

#include <stdbool.h>

/// True when the AVX2 + FMA bodies run: the CPU has both, and the environment
/// variable CMLAB_PORTABLE_KERNELS (read once, at load) is unset or 0.
bool ck_vector_kernels(void);

/// The widest x86 vector level this CPU offers, from CPUID: 2 with the AVX-512 subsets of
/// Skylake-X and later (F, CD, BW, DQ, VL), 1 with AVX2 + FMA, else 0. For reports:
/// OpenBLAS names the kernel family of each level SkylakeX and Haswell.
int ck_cpu_vector_level(void);

/// The vector bodies that run, decided once at load: 0 when ck_vector_kernels() is false,
/// else ck_cpu_vector_level() (1 AVX2 + FMA, 2 AVX-512). Functions that take a
/// `max_level` run the widest body up to it, and none below 1.
int ck_vector_level(void);

/// The exact denoiser of an isotropic Gaussian mixture for `rows` points of `dims`
/// values (see GaussianMixture.swift): with ℓ_k = c_k − ‖x − μ_k‖²·a_k and
/// w = softmax(ℓ) (weights below e^−40 of the largest count as 0),
/// D(x) = Σ_k w_k·(μ_k + h_k·(x − μ_k)).
/// Row i reads its constants (c_k, a_k, h_k for k = 0…K−1, 3K doubles) at
/// `table + 3K·slot[i]` (`slot` NULL: every row at slot 0). Double throughout. With
/// `vector` (and ck_vector_kernels()), points in the plane take the AVX2 body, exp
/// from glibc's libmvec (≤ 4 ulp); otherwise the portable body (any dimension) with
/// libm's exp — tests pass `vector = false` to compare the two. `scratch` holds
/// ck_mixture_scratch(K) doubles (no alignment needed).
void ck_mixture_denoise(bool vector, long rows, long dims, long K, const double *x, const double *mu,
                        const double *table, const long *slot, double *out, double *scratch);
long ck_mixture_scratch(long K);

/// Bias, sigmoid and SiLU over a `[rows, n]` block: zb = z + bias (bias may be NULL),
/// s = σ(zb), u = zb·s; `sigmoid_out` gets s and `silu_out` gets u when non-NULL;
/// `out` gets u, or skip + u when `skip` is non-NULL. Float32; σ through a
/// degree-5 2^f polynomial, relative error ≤ 2e−7·(1 + |z|).
/// Returns false (and writes nothing) when the vector body is unavailable.
bool ck_bias_silu_forward(const float *z, const float *bias, long rows, long n,
                          float *sigmoid_out, float *silu_out, float *out, const float *skip);

/// SiLU backward over a `[rows, n]` block: dz = g·(s + u·(1 − s)), adding the column
/// sums of dz to `column_sums` [n]. Returns false when the vector body is unavailable.
bool ck_silu_backward(const float *g, const float *s, const float *u, long rows, long n,
                      float *dz, float *column_sums);

/// The constants of one Adam step (see Adam.swift): m ← β₁m + (1−β₁)g,
/// v ← β₂v + (1−β₂)g², θ ← θ·shrink − step·m / (√v·inv_sqrt_bc2 + ε), with
/// g ← g + l2·θ first. No decay is l2 = 0 and shrink = 1.
typedef struct {
    float beta1, one_minus_beta1, beta2, one_minus_beta2;
    float step_size, inv_sqrt_bc2, epsilon, l2, shrink;
} ck_adam_constants;

/// One Adam(W) update of `n` parameters in place, with IEEE square root and division
/// (multiplications and additions rounded separately, as the Swift body). Returns
/// false (and writes nothing) when the vector body is unavailable.
bool ck_adam_update(long n, float *p, const float *g, float *m, float *v, const ck_adam_constants *k);

/// Winograd.swift's four tile transforms over a whole plane: one channel of a CHWB
/// activation, height × width pixels of B images (lanes) each, cut into 4 × 4 output tiles
/// t = i·⌈width/4⌉ + j whose 36 transformed positions ξ = 6r + s sit at column t·B of rows
/// `xi_stride` apart. They run the AVX-512 body (sixteen lanes per register) when
/// `max_level` ≥ 2, the CPU has it and B is a multiple of 16, else the AVX2 body (eight
/// lanes; B a multiple of 8); every width is the Swift body's operations in the same
/// order, bit for bit its result. Each returns false (and writes nothing) when no vector
/// body may run or B is not a multiple of 8.
///
/// - input: `V = Bᵀ d B` of each tile's 6 × 6 patch of `plane` into `out` (`zero`: B
///   zeros, read where the patch leaves the image);
/// - output: `Y = Aᵀ M A + bias` from `m` into the pixels of `y` that lie on the image;
/// - grad_output: `dM = A dY Aᵀ` of each tile's 4 × 4 pixels of `plane` (`zero` off the
///   image) into `out`;
/// - grad_input: `B dV Bᵀ` from `dv` added onto each tile's patch of `plane` (`sink`: B
///   floats of scratch, written where the patch leaves the image).
bool ck_winograd_input_plane(int max_level, const float *plane, long height, long width, long B, const float *zero, float *out,
                             long xi_stride);
bool ck_winograd_output_plane(int max_level, const float *m, long xi_stride, long height, long width, long B, float bias,
                              float *y);
bool ck_winograd_grad_output_plane(int max_level, const float *plane, long height, long width, long B, const float *zero,
                                   float *out, long xi_stride);
bool ck_winograd_grad_input_plane(int max_level, const float *dv, long xi_stride, long height, long width, long B, float *sink,
                                  float *plane);

/// y = conv(x) + bias of a 3 × 3 convolution in one call, `tiles_per_block` tiles at a
/// time (each block's input transform, 36 products and output transform in turn, so that
/// they stay in the core's caches): bit for bit the four plane transforms above and
/// ck_small_sgemm_nn (at `product_level`) over all columns. x `[ci, H, W, B]`, y
/// `[co, H, W, B]`, U `[36, co, ci]` with ξ rows `us` apart, `zero` B zeros, `scratch`
/// 36·(ci + co)·(tiles_per_block·B + 16) floats. `res`: NULL, or `[co, H, W, B]` added to
/// each output after its bias, y = (conv + bias) + res (a residual block's identity skip,
/// the bits of adding it in a pass of its own). Needs co·ci ≤ 16384 and ci ≤ 256 (the NN
/// body's limits, which the caller checks). False (nothing written) when no vector body
/// runs at these levels or this batch.
bool ck_winograd_conv_forward(int max_level, int product_level, const float *x, long ci, long height, long width,
                              long B, const float *u, long us, long co, const float *bias, const float *res,
                              const float *zero, long tiles_per_block, float *scratch, float *y);

/// A 3 × 3 convolution's backward in one call, `tiles_per_block` tiles at a time (each
/// block's dM = A dY Aᵀ; with `dx` not NULL, dV_ξ = U_ξᵀ·dM_ξ and dx (+)= B dV Bᵀ; then V
/// = Bᵀ x B again and dU_ξ = dM_ξ·V_ξᵀ), so that dM, dV and V stay in the core's caches.
/// Bit for bit the plane transforms, ck_small_sgemm_nn over all columns for dV, and for
/// dU Swift's smallProductNTShort with chunks of `chunk` columns (each element one FMA
/// chain per chunk, the chunks added in order); dx is zeroed first unless `accumulate`.
/// dU `[36, co, ci]` is written (not added to), ξ rows `us` apart like U's. `zero`: B
/// zeros; `sink`: B floats of scratch; `scratch`: 36·((co + ci)·tb·B + 32) + tb·B·ci
/// floats (tb = min(tiles_per_block, tiles)), plus 36·us when the columns exceed one
/// chunk. Needs ci·co ≤ 16384, co ≤ 256, and chunk·co ≤ 16384, chunk ≤ 256 (the NN
/// body's limits, which the caller checks). False (nothing written) when no vector body
/// runs at these levels or this batch, or `chunk` is not a multiple of tb·B.
bool ck_winograd_conv_backward(int max_level, int product_level, const float *dy, const float *x, long co, long ci,
                               long height, long width, long B, const float *u, long us, const float *zero,
                               float *sink, long tiles_per_block, long chunk, float *scratch, float *du, float *dx,
                               bool accumulate);

/// Direct 3 × 3 convolutions (conv3direct.c), for layers with few channels on one side.
/// CHWB layout; `xp` is the input with a zero border, [c, H + 2, W + 2, B], as
/// ck_conv3_pad writes it. Every lane runs the same fused multiply-adds in the same
/// order at every level (`max_level` caps ck_vector_level: 2 AVX-512, 1 AVX2, 0
/// portable), so all levels give the same bits; any B.
void ck_conv3_pad(const float *x, long c, long height, long width, long B, float *xp);
/// y[o] = Σ_c Σ_kh Σ_kw w[o, c, kh, kw]·xp[c, h + kh, w + kw] (one FMA chain from 0 in
/// that order), then y = that + bias[o] (bias not NULL), y += that (`accumulate`), or
/// y = that. w `[co, ci, 3, 3]`, y `[co, H, W, B]`.
void ck_conv3_direct(int max_level, const float *xp, long ci, long height, long width, long B, const float *w,
                     long co, const float *bias, bool accumulate, float *y);
/// dw[o, c, kh, kw] += Σ_lanes Σ_pixels dy[o, h, w]·xp[c, h + kh, w + kw]: per lane one FMA
/// chain over the pixels in order, then the lanes added in order, then added to dw.
/// dy `[co, H, W, B]`, dw `[co, ci, 3, 3]`.
void ck_conv3_direct_filter_grad(int max_level, const float *dy, long co, const float *xp, long ci, long height,
                                 long width, long B, float *dw);

/// The three group-norm passes below run the AVX-512 body (one register per sixteen
/// lanes) when `max_level` ≥ 2 and the CPU has it, else the AVX2 body (two registers);
/// both are the Swift body's operations in the same order.
///
/// GroupNorm.swift's statistics of `groups` groups of `cpg` channels each for sixteen
/// images (lanes) from `x` (channel rows `n` apart, group g from channel g·cpg): per group,
/// the sum over its channels and their P pixels (stride B), in that order, mean = sum /
/// count, then Σ (x − mean)² in the same order; `mean` and `sq` get 16 floats per group
/// (`[groups, 16]`). Bit for bit the Swift body, one group at a time (the vector body
/// runs four groups' sums side by side); false when the vector body is unavailable.
bool ck_group_norm_stats(int max_level, const float *x, long n, long groups, long cpg, long P, long B, float count,
                         float *mean, float *sq);

/// GroupNorm.swift's per-pixel pass for sixteen images (lanes) of one channel: over
/// the P pixels (stride B), x̂ = (x − mean)·r, m = a·x̂ + o (mean, r, a, o: 16 lanes
/// each), s = σ(m) (FastMath.swift's fastSigmoid), h = m·s into `dst`. Bit for bit the
/// Swift body. Returns false when the vector body is unavailable.
bool ck_group_norm_silu_pixels(int max_level, const float *src, long P, long B, const float *mean, const float *r,
                               const float *a, const float *o, float *dst);

/// GroupNorm.swift's first backward pass for sixteen images of one channel: over the P
/// pixels (stride B), x̂, m, s and h = m·s again from the forward's input `x` (mean, r,
/// a, o as the forward's), dm = dh·(s + h·(1 − s)) (written over dh), and per lane the
/// sums Σ dm, Σ dm·(γx̂ + β), Σ dm·x̂ from zero in pixel order (16 floats each). Bit for
/// bit the Swift body; false when the vector body is unavailable.
bool ck_group_norm_silu_backward_sums(int max_level, float *dh, const float *x, long P, long B, const float *mean,
                                      const float *r, const float *a, const float *o, float gamma, float beta,
                                      float *sdm, float *sdmn, float *sdmx);

/// GroupNorm.swift's second backward pass for sixteen images of one channel:
/// dx (+)= r·(k·dm − mean1 − x̂·mean2) over the P pixels, x̂ = (x − mean)·r again (mean,
/// r, k, mean1, mean2: 16 lanes each; `accumulate` adds to dx). Bit for bit the Swift
/// body; false as above.
bool ck_group_norm_input_gradient(int max_level, const float *dm, const float *x, long P, long B, const float *mean,
                                  const float *r, const float *k, const float *mean1, const float *mean2,
                                  bool accumulate, float *dx);

/// C (+)= op(A)·B for small m and k (smallgemm.c): op(A) is m × k with element (i, p)
/// at `a[i·a_row_stride + p·a_col_stride]` (so a transposed A is only a change of
/// strides), B is k × n and C m × n, row-major with row strides ldb, ldc. Each element
/// is one fused multiply–add chain over p = 0 … k−1 from zero, then added to C when
/// `accumulate`. Uses the widest body up to `max_level` (1 AVX2 + FMA, 2 AVX-512) that
/// the CPU has and returns its level; returns 0 (and writes nothing) when no vector body
/// may run (see ck_vector_kernels) or a size is not positive.
int ck_small_sgemm_nn(int max_level, long m, long n, long k, const float *a, long a_row_stride, long a_col_stride,
                      const float *b, long ldb, float *c, long ldc, bool accumulate);

/// C = op(A)·B continuing C's chains: each element's sum starts from C's value instead of
/// zero, then is written back, so that a product over k = k₁ + k₂ as ck_small_sgemm_nn
/// over k₁ then this over k₂ gives the bits of one ck_small_sgemm_nn over k. Arguments
/// and return value as ck_small_sgemm_nn.
int ck_small_sgemm_nn_chain(int max_level, long m, long n, long k, const float *a, long a_row_stride,
                            long a_col_stride, const float *b, long ldb, float *c, long ldc);

/// C (+)= A·Bᵀ with A m × k and B n × k row-major (row strides lda, ldb) and a long inner
/// dimension k: blocks of 4 × 3 (AVX2) or 8 × 3 (AVX-512) elements, the sum over p in chunks
/// of 512, each chunk
/// lane-wise (8 or 16 lanes by the body's width) with FMA, its lanes added in a fixed
/// order, then added to C (zeroed first unless `accumulate`). Levels and the return
/// value as ck_small_sgemm_nn; with k = 0 it only zeroes C (unless `accumulate`).
int ck_small_sgemm_nt(int max_level, long m, long n, long k, const float *a, long lda, const float *b, long ldb,
                      float *c, long ldc, bool accumulate);

/// dg += Gᵀ·dU·G for the first pairs of `pairs` filter pairs (Winograd.swift's
/// winogradFilterGradient): dU's 36 rows `stride` apart, dg `[pairs, 3, 3]`. Bit for bit
/// the Swift body. AVX-512 only, 16 pairs per register: returns how many pairs it did
/// (the largest multiple of 16; 0 below that level), the caller doing the rest.
long ck_winograd_filter_gradient(int max_level, const float *du, long stride, long pairs, float *dw);

/// U = G·g·Gᵀ for the first pairs of `pairs` filter pairs (Winograd.swift's
/// winogradFilterTransform): g `[pairs, 3, 3]`, U's 36 rows `stride` apart. Bit for bit
/// the Swift body; AVX-512 only, 16 pairs per register: returns how many pairs it did
/// (the largest multiple of 16; 0 below that level), the caller doing the rest.
long ck_winograd_filter_transform(int max_level, const float *w, long pairs, float *u, long stride);

/// B = Aᵀ: A is rows × cols with row stride lda, B cols × rows with row stride ldb
/// (transpose.c). Blocks of 16 × 16 (AVX-512) or 8 × 8 (AVX2) up to `max_level`, the
/// edges and level 0 element by element; an exact copy at every level.
void ck_transpose(int max_level, long rows, long cols, const float *a, long lda, float *b, long ldb);

/// The current frame's address on the thread's real stack. (The address of a local
/// variable is not: AddressSanitizer may move locals into heap-allocated fake frames.)
static inline void *ck_frame_address(void) { return __builtin_frame_address(0); }

/// A spin-wait hint (x86 `pause`): lets the sibling hardware thread run and saves
/// power while a worker polls for work.
static inline void ck_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

#endif
