// The Winograd tile transforms of winograd_tiles.inc with sixteen lanes (images) per
// AVX-512 register, called by winograd.c's wrappers when the CPU has AVX-512.
#include <immintrin.h>
#include "kernels512.h"

#pragma clang fp contract(off)

#define VEC __m512
#define W 16
#define ADD _mm512_add_ps
#define SUB _mm512_sub_ps
#define MUL _mm512_mul_ps
#define SET _mm512_set1_ps
#define LOADU _mm512_loadu_ps
#define STOREU _mm512_storeu_ps
#define NEG(x) _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(x), _mm512_set1_epi32((int)0x80000000)))
#define TARGET "avx512f"
#define FN(name) name##_512
#define LINKAGE
#include "winograd_tiles.inc"
