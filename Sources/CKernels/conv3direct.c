// A 3 × 3 convolution computed directly, for layers with few channels on one side (a
// U-Net's first and last layers, 1 → C and C → 1), where Winograd's transforms cost
// more than the 9·Ci·Co multiply-adds per pixel they save. CHWB layout: channel c,
// pixel (h, w) and lane b at ((c·H + h)·W + w)·B + b; the input is first copied into
// a zero-bordered plane of (H + 2) × (W + 2) pixels (ck_conv3_pad), so that every tap
// is one fixed offset.
//
// Every lane runs the same fused multiply-adds in the same order at every vector level
// (sixteen lanes per step at AVX-512, two AVX2 registers, or one lane at a time), so the
// three bodies give the same bits.
#include <string.h>
#include "ckernels.h"

#pragma clang fp contract(off)

typedef float v16 __attribute__((ext_vector_type(16)));
typedef float v16u __attribute__((ext_vector_type(16), aligned(4)));

#define LOAD16(p) (*(const v16u *)(p))
#define STORE16(p, v) (*(v16u *)(p) = (v))
#define FMA16(a, b, c) __builtin_elementwise_fma((a), (b), (c))
#define SPLAT16(s) ((v16)(s))
#define LOAD1(p) (*(p))
#define STORE1(p, v) (*(p) = (v))
#define FMA1(a, b, c) __builtin_fmaf((a), (b), (c))
#define SPLAT1(s) (s)

/// The widest body up to `max_level` that the process runs (every one gives the same bits).
static int direct_level(int max_level) { return ck_vector_level() < max_level ? ck_vector_level() : max_level; }

void ck_conv3_pad(const float *x, long c, long height, long width, long B, float *xp) {
    const long wp = width + 2, row = width * B;
    for (long k = 0; k < c; k++) {
        float *plane = xp + k * (height + 2) * wp * B;
        memset(plane, 0, (size_t)(wp * B) * sizeof(float));
        for (long h = 0; h < height; h++) {
            float *r = plane + (h + 1) * wp * B;
            memset(r, 0, (size_t)B * sizeof(float));
            memcpy(r + B, x + (k * height + h) * row, (size_t)row * sizeof(float));
            memset(r + (width + 1) * B, 0, (size_t)B * sizeof(float));
        }
        memset(plane + (height + 1) * wp * B, 0, (size_t)(wp * B) * sizeof(float));
    }
}

// One register tile of the forward: COB output channels × PB pixels of row h from
// column w, for the lanes at `lane` (a T holds 16 lanes or one). acc = Σ_ci Σ_kh Σ_kw
// w·x in that order from 0, then y = acc + bias, y = acc, or y += acc.
#define CONV_TILE(T, LD, ST, FMA, SPLAT, COB, PB)                                                   \
    do {                                                                                           \
        T acc[COB][PB];                                                                            \
        for (int i = 0; i < COB; i++)                                                              \
            for (int j = 0; j < PB; j++) acc[i][j] = SPLAT(0.0f);                                  \
        for (long c = 0; c < ci; c++) {                                                            \
            const float *src = xp + ((c * hp + h) * wp + w) * B + lane;                            \
            const float *wc = wt + (o * ci + c) * 9;                                               \
            for (int kh = 0; kh < 3; kh++)                                                         \
                for (int kw = 0; kw < 3; kw++) {                                                   \
                    T xv[PB];                                                                      \
                    for (int j = 0; j < PB; j++) xv[j] = LD(src + ((long)kh * wp + j + kw) * B);  \
                    for (int i = 0; i < COB; i++) {                                                \
                        T s = SPLAT(wc[(long)i * ci * 9 + kh * 3 + kw]);                           \
                        for (int j = 0; j < PB; j++) acc[i][j] = FMA(s, xv[j], acc[i][j]);         \
                    }                                                                              \
                }                                                                                  \
        }                                                                                          \
        for (int i = 0; i < COB; i++) {                                                            \
            float *dst = y + (((o + i) * height + h) * width + w) * B + lane;                      \
            for (int j = 0; j < PB; j++) {                                                         \
                T v = acc[i][j];                                                                   \
                if (bias) v = v + SPLAT(bias[o + i]);                                              \
                else if (accumulate) v = LD(dst + (long)j * B) + v;                                \
                ST(dst + (long)j * B, v);                                                          \
            }                                                                                      \
        }                                                                                          \
    } while (0)

// The tiles of output channels o … o+COB−1 over every row, pixels in blocks of 8, 4, 2, 1
// (at most PMAX), every lane.
#define CONV_CHANNELS(COB, PMAX)                                                                   \
    do {                                                                                           \
        for (long h = 0; h < height; h++) {                                                        \
            long w = 0;                                                                            \
            while (w < width) {                                                                    \
                long left = width - w;                                                             \
                int pb = left >= 8 && PMAX >= 8 ? 8 : left >= 4 && PMAX >= 4 ? 4 : left >= 2 ? 2 : 1; \
                long lane = 0;                                                                     \
                for (; lane + 16 <= B; lane += 16) {                                               \
                    if (pb == 8) CONV_TILE(v16, LOAD16, STORE16, FMA16, SPLAT16, COB, (PMAX >= 8 ? 8 : 1)); \
                    else if (pb == 4) CONV_TILE(v16, LOAD16, STORE16, FMA16, SPLAT16, COB, (PMAX >= 4 ? 4 : 1)); \
                    else if (pb == 2) CONV_TILE(v16, LOAD16, STORE16, FMA16, SPLAT16, COB, 2);     \
                    else CONV_TILE(v16, LOAD16, STORE16, FMA16, SPLAT16, COB, 1);                  \
                }                                                                                  \
                for (; lane < B; lane++) {                                                         \
                    for (long j = 0; j < pb; j++) {                                                \
                        long w0 = w;                                                               \
                        w = w0 + j;                                                                \
                        CONV_TILE(float, LOAD1, STORE1, FMA1, SPLAT1, COB, 1);                     \
                        w = w0;                                                                    \
                    }                                                                              \
                }                                                                                  \
                w += pb;                                                                           \
            }                                                                                      \
        }                                                                                          \
    } while (0)

#define CONV_BODY                                                                                  \
    {                                                                                              \
        const long hp = height + 2, wp = width + 2;                                                \
        long o = 0;                                                                                \
        for (; o + 4 <= co; o += 4) CONV_CHANNELS(4, 2);                                           \
        for (; o < co; o++) CONV_CHANNELS(1, 8);                                                   \
    }

#define CONV_ARGS                                                                                  \
    const float *xp, long ci, long height, long width, long B, const float *wt, long co, const float *bias, \
        bool accumulate, float *y

__attribute__((target("avx512f"))) static void conv_512(CONV_ARGS) CONV_BODY
__attribute__((target("avx2,fma"))) static void conv_avx2(CONV_ARGS) CONV_BODY
static void conv_portable(CONV_ARGS) CONV_BODY

void ck_conv3_direct(int max_level, const float *xp, long ci, long height, long width, long B, const float *w,
                     long co, const float *bias, bool accumulate, float *y) {
    int level = direct_level(max_level);
    if (level >= 2) conv_512(xp, ci, height, width, B, w, co, bias, accumulate, y);
    else if (level == 1) conv_avx2(xp, ci, height, width, B, w, co, bias, accumulate, y);
    else conv_portable(xp, ci, height, width, B, w, co, bias, accumulate, y);
}

// The filter gradient of output channels o … o+COB−1 and input channel c for the lanes
// at `lane`: each tap's sum over the pixels in order, one FMA chain per lane, then the
// lanes added in order into s[i][t] (which starts at 0 and continues over the lanes).
#define GRAD_TILE(T, LD, FMA, SPLAT, W, COB)                                                       \
    do {                                                                                           \
        T acc[COB][9];                                                                             \
        for (int i = 0; i < COB; i++)                                                              \
            for (int t = 0; t < 9; t++) acc[i][t] = SPLAT(0.0f);                                   \
        for (long h = 0; h < height; h++)                                                          \
            for (long w = 0; w < width; w++) {                                                     \
                const float *src = xp + ((c * hp + h) * wp + w) * B + lane;                        \
                for (int i = 0; i < COB; i++) {                                                    \
                    T d = LD(dy + (((o + i) * height + h) * width + w) * B + lane);                \
                    for (int kh = 0; kh < 3; kh++)                                                 \
                        for (int kw = 0; kw < 3; kw++)                                             \
                            acc[i][kh * 3 + kw] = FMA(d, LD(src + ((long)kh * wp + kw) * B), acc[i][kh * 3 + kw]); \
                }                                                                                  \
            }                                                                                      \
        for (int i = 0; i < COB; i++)                                                              \
            for (int t = 0; t < 9; t++) {                                                          \
                float lanes[W];                                                                    \
                memcpy(lanes, &acc[i][t], sizeof lanes);                                           \
                for (int l = 0; l < W; l++) s[i][t] += lanes[l];                                   \
            }                                                                                      \
    } while (0)

#define GRAD_CHANNELS(COB)                                                                         \
    do {                                                                                           \
        for (long c = 0; c < ci; c++) {                                                            \
            float s[COB][9];                                                                       \
            for (int i = 0; i < COB; i++)                                                          \
                for (int t = 0; t < 9; t++) s[i][t] = 0;                                           \
            long lane = 0;                                                                         \
            for (; lane + 16 <= B; lane += 16) GRAD_TILE(v16, LOAD16, FMA16, SPLAT16, 16, COB);    \
            for (; lane < B; lane++) GRAD_TILE(float, LOAD1, FMA1, SPLAT1, 1, COB);                \
            for (int i = 0; i < COB; i++)                                                          \
                for (int t = 0; t < 9; t++) dw[((o + i) * ci + c) * 9 + t] += s[i][t];            \
        }                                                                                          \
    } while (0)

#define GRAD_BODY                                                                                  \
    {                                                                                              \
        const long hp = height + 2, wp = width + 2;                                                \
        long o = 0;                                                                                \
        for (; o + 2 <= co; o += 2) GRAD_CHANNELS(2);                                              \
        for (; o < co; o++) GRAD_CHANNELS(1);                                                      \
    }

#define GRAD_ARGS                                                                                  \
    const float *dy, long co, const float *xp, long ci, long height, long width, long B, float *dw

__attribute__((target("avx512f"))) static void grad_512(GRAD_ARGS) GRAD_BODY
__attribute__((target("avx2,fma"))) static void grad_avx2(GRAD_ARGS) GRAD_BODY
static void grad_portable(GRAD_ARGS) GRAD_BODY

void ck_conv3_direct_filter_grad(int max_level, const float *dy, long co, const float *xp, long ci, long height,
                                 long width, long B, float *dw) {
    int level = direct_level(max_level);
    if (level >= 2) grad_512(dy, co, xp, ci, height, width, B, dw);
    else if (level == 1) grad_avx2(dy, co, xp, ci, height, width, B, dw);
    else grad_portable(dy, co, xp, ci, height, width, B, dw);
}
