/* sobolseq.c — Sobol points from Joe–Kuo direction numbers, Owen-scrambled. */
#include <stdlib.h>

#include "calcify/sobolseq.h"
#include "analysis/sobolseq_data.h"

enum { BITS = 32 };

struct calcify_sobolseq {
    size_t dim;
    int scramble;
    uint32_t (*v)[BITS];   /* direction numbers V_1..V_32 per dimension, left-aligned */
    uint32_t *key;         /* per-dimension scrambling key                            */
};

size_t calcify_sobolseq_max_dim(void) { return calcify_joekuo_dims; }

size_t calcify_sobolseq_dim(const calcify_sobolseq *q) { return q->dim; }

/* SplitMix64 finaliser (Steele, Lea, Flood 2014): well-spread keys from
 * consecutive seeds and dimensions. */
static uint64_t mix64(uint64_t z)
{
    z += 0x9e3779b97f4a7c15u;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* Direction numbers of one dimension by the recurrence of Bratley & Fox
 * (1988): V_k = m_k·2^(32−k) for k ≤ s, then
 * V_k = V_{k−s} ⊕ (V_{k−s} >> s) ⊕ a_1 V_{k−1} ⊕ … ⊕ a_{s−1} V_{k−s+1}. */
static void directions(size_t j, uint32_t v[BITS])
{
    unsigned poly = calcify_joekuo_poly[j];
    if (poly == 1) { /* the first dimension: van der Corput */
        for (int k = 0; k < BITS; k++)
            v[k] = (uint32_t)1 << (BITS - 1 - k);
        return;
    }
    int s = 0;
    while ((poly >> (s + 1)) != 0)
        s++;
    for (int k = 0; k < s && k < BITS; k++)
        v[k] = (uint32_t)calcify_joekuo_m[j][k] << (BITS - 1 - k);
    for (int k = s; k < BITS; k++) {
        uint32_t x = v[k - s] ^ (v[k - s] >> s);
        for (int i = 1; i < s; i++)
            if ((poly >> (s - i)) & 1u)
                x ^= v[k - i];
        v[k] = x;
    }
}

calcify_sobolseq *calcify_sobolseq_alloc(size_t dim, int scramble, uint64_t seed,
                                         calcify_error *err)
{
    if (dim == 0 || dim > calcify_joekuo_dims) {
        calcify_fail(err, CALCIFY_EUSAGE, "Sobol sequence: %zu dimensions (expected 1 to %u)",
                     dim, calcify_joekuo_dims);
        return NULL;
    }
    calcify_sobolseq *q = calloc(1, sizeof *q);
    if (!q || !(q->v = malloc(dim * sizeof *q->v)) || !(q->key = malloc(dim * sizeof *q->key))) {
        calcify_sobolseq_free(q);
        calcify_fail(err, CALCIFY_ENOMEM, "out of memory for a Sobol sequence");
        return NULL;
    }
    q->dim = dim;
    q->scramble = scramble;
    for (size_t j = 0; j < dim; j++) {
        directions(j, q->v[j]);
        q->key[j] = (uint32_t)(mix64(mix64(seed) ^ (uint64_t)j) >> 32);
    }
    return q;
}

void calcify_sobolseq_free(calcify_sobolseq *q)
{
    if (!q)
        return;
    free(q->v);
    free(q->key);
    free(q);
}

static uint32_t reverse32(uint32_t x)
{
    x = ((x >> 1) & 0x55555555u) | ((x & 0x55555555u) << 1);
    x = ((x >> 2) & 0x33333333u) | ((x & 0x33333333u) << 2);
    x = ((x >> 4) & 0x0f0f0f0fu) | ((x & 0x0f0f0f0fu) << 4);
    x = ((x >> 8) & 0x00ff00ffu) | ((x & 0x00ff00ffu) << 8);
    return (x >> 16) | (x << 16);
}

/* Owen scrambling of a 32-bit binary fraction: each bit is flipped by a
 * function of the key and the bits above it only.  With the bits reversed
 * that is a hash in which every output bit depends on the input bits below
 * it only — the multiply-xor permutation of Laine & Karras (2011), with the
 * constants Burley (2020) found to mix well. */
static uint32_t owen(uint32_t x, uint32_t key)
{
    x = reverse32(x);
    x += key;
    x ^= x * 0x6c50b47cu;
    x ^= x * 0xb82f1e52u;
    x ^= x * 0xc7afe638u;
    x ^= x * 0x8d22f6e6u;
    return reverse32(x);
}

void calcify_sobolseq_point(const calcify_sobolseq *q, uint64_t index, double *u)
{
    for (size_t j = 0; j < q->dim; j++) {
        uint32_t x = 0;
        uint64_t i = index;
        for (int k = 0; i && k < BITS; k++, i >>= 1)
            if (i & 1u)
                x ^= q->v[j][k];
        if (q->scramble)
            u[j] = ((double)owen(x, q->key[j]) + 0.5) / 4294967296.0;
        else
            u[j] = (double)x / 4294967296.0;
    }
}
