/* calcify/sobolseq.h — a seeded, scrambled Sobol sequence in any dimension
 * up to calcify_sobolseq_max_dim() (1024).
 *
 * Direction numbers: Joe & Kuo (2008), table new-joe-kuo-6.21201, chosen so
 * that the two-dimensional projections are well spread (GSL's table, from
 * Bratley & Fox 1988, stops at 40 dimensions and leaves some pairs of
 * columns filling only half of an 8×8 grid at n = 4096).
 *
 * Scrambling: Owen's nested uniform scrambling, done per dimension with the
 * hash-based permutation of Burley ("Practical hash-based Owen scrambling",
 * JCGT 9(4), 2020), keyed by the seed.  It keeps the (t,m,s)-net structure
 * of every 2^m-point block, makes each point uniform on (0,1)^d, and makes
 * estimates from different seeds independent replicates.  Points are
 * indexed: point i is computed directly from i (no state), so any block of
 * a design can be computed by any shard or thread alone.
 */
#ifndef CALCIFY_SOBOLSEQ_H
#define CALCIFY_SOBOLSEQ_H

#include <stddef.h>
#include <stdint.h>

#include "calcify/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct calcify_sobolseq calcify_sobolseq;

/* Largest dimension available. */
size_t calcify_sobolseq_max_dim(void);

/* A sequence in `dim` dimensions; scrambled with `seed` when `scramble` is
 * non-zero, else the plain Sobol points (then point 0 is the origin).  NULL
 * with err set when dim is 0 or above calcify_sobolseq_max_dim(), or memory
 * runs out. */
calcify_sobolseq *calcify_sobolseq_alloc(size_t dim, int scramble, uint64_t seed,
                                         calcify_error *err);

/* NULL-safe. */
void calcify_sobolseq_free(calcify_sobolseq *q);

size_t calcify_sobolseq_dim(const calcify_sobolseq *q);

/* Point `index` (< 2^32) into u[0..dim-1].  Scrambled points lie strictly
 * inside (0, 1): each is the centre of its 2^-32 cell, so inverse CDFs of
 * unbounded distributions stay finite. */
void calcify_sobolseq_point(const calcify_sobolseq *q, uint64_t index, double *u);

#ifdef __cplusplus
}
#endif
#endif
