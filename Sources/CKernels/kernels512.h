// AVX-512 builds of winograd.c's loops (winograd512.c: the tile transforms and the group
// norm's passes), called by its dispatching wrappers only; not part of the module's
// interface.
#ifndef CKERNELS_512_H
#define CKERNELS_512_H

#include <stdbool.h>

void norm_stats_512(const float *x, long n, long groups, long cpg, long P, long B, float count, float *mean,
                    float *sq);
void norm_silu_512(const float *src, long P, long B, const float *mean, const float *r, const float *a,
                   const float *o, float *dst);
void norm_silu_backward_sums_512(float *dh, const float *x, long P, long B, const float *mean, const float *r,
                                 const float *a, const float *o, float gamma, float beta, float *sdm, float *sdmn,
                                 float *sdmx);
void norm_input_gradient_512(const float *dm, const float *x, long P, long B, const float *mean, const float *r,
                             const float *k, const float *mean1, const float *mean2, bool accumulate, float *dx);

void input_plane_512(const float *plane, long H, long WD, long B, const float *zero, float *out, long xi);
void output_plane_512(const float *m, long xi, long H, long WD, long B, float bias, float *y);
void grad_output_plane_512(const float *plane, long H, long WD, long B, const float *zero, float *out, long xi);
void grad_input_plane_512(const float *dv, long xi, long H, long WD, long B, float *sink, float *plane);
void conv_forward_512(const float *x, long ci, long H, long WD, long B, const float *u, long us, long co,
                      const float *bias, const float *res, const float *zero, long tb, int product_level,
                      float *scratch, float *y);
void conv_backward_512(const float *dy, const float *x, long co, long ci, long H, long WD, long B, const float *u,
                       long us, const float *zero, float *sink, long tb, long chunk, int product_level, float *scratch,
                       float *du, float *dx, bool accumulate);

#endif
