// The Winograd tile transforms of winograd_tiles.inc and the group norm's passes of
// groupnorm_body.inc with sixteen lanes (images) per AVX-512 register, called by
// winograd.c's wrappers when the CPU has AVX-512.
#include <immintrin.h>
#include <string.h>
#include "ckernels.h"
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

#define DIV _mm512_div_ps
#define VMAX _mm512_max_ps
#define VMIN _mm512_min_ps
#define IVEC __m512i
#define ICAST _mm512_castps_si512
#define FCAST _mm512_castsi512_ps
#define ISUB _mm512_sub_epi32
#define IADD _mm512_add_epi32
#define ISHL _mm512_slli_epi32
#define ISET _mm512_set1_epi32
#define ROUND_EVEN(x) _mm512_roundscale_ps((x), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)
#define SCALEF _mm512_scalef_ps
#define FMA _mm512_fmadd_ps
#define FNMA _mm512_fnmadd_ps
#include "groupnorm_body.inc"
