#include <stdatomic.h>
#include <stdlib.h>
#include "ckernels.h"

static atomic_int level = 0;

static bool cpu_has_avx2_fma(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

// Decided once, before main, so the choice never changes under a running computation.
// CMLAB_PORTABLE_KERNELS=1 in the environment forces the portable bodies.
__attribute__((constructor)) static void decide(void) {
    const char *portable = getenv("CMLAB_PORTABLE_KERNELS");
    bool force = portable && portable[0] && portable[0] != '0';
    atomic_store_explicit(&level, !force && cpu_has_avx2_fma() ? ck_cpu_vector_level() : 0, memory_order_relaxed);
}

int ck_cpu_vector_level(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") &&
        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512vl"))
        return 2;
    return cpu_has_avx2_fma() ? 1 : 0;
}

bool ck_vector_kernels(void) { return ck_vector_level() >= 1; }

int ck_vector_level(void) { return atomic_load_explicit(&level, memory_order_relaxed); }
