/* blocklu.h — solves with W = c·I − J for a sparse Jacobian J whose
 * dependency graph is nearly a cascade (calcify's model: 30 states, about
 * 90 non-zeros, strongly connected components of at most six states).
 *
 * The pattern of J (the states each derivative reads) is found from the
 * matrices themselves: every entry ever seen non-zero belongs to it, and a
 * new one rebuilds the structure.  Its strongly connected components
 * (Tarjan), in the order Tarjan closes them, put W in block lower
 * triangular form: only the diagonal blocks are factorised (dense LU with
 * partial pivoting, a few dozen flops for calcify), and a solve is a
 * forward block substitution over the off-diagonal non-zeros.  A new c
 * (a new step size) refactorises the blocks from the J already loaded.
 * Deterministic: the same matrices give the same structure and results. */
#ifndef CALCIFY_ENGINE_BLOCKLU_H
#define CALCIFY_ENGINE_BLOCKLU_H

#include <stddef.h>

typedef struct engine_blocklu engine_blocklu;

/* NULL if out of memory. */
engine_blocklu *engine_blocklu_alloc(size_t n);
void engine_blocklu_free(engine_blocklu *b);

/* Take the values of the dense row-major J (n·n) on the pattern.  With
 * `scan` (and always the first time), J is first searched for non-zeros
 * off the pattern (all n² entries, the costliest part of a load), which
 * widen it and rebuild the blocks.  Returns 0, or GSL_EBADFUNC if an entry
 * of the pattern is not finite, GSL_ENOMEM. */
int engine_blocklu_load(engine_blocklu *b, const double *J, int scan);

/* Factorise W = c·I − J (J from the last load).  0, or GSL_ESING. */
int engine_blocklu_factor(engine_blocklu *b, double c);

/* x := W⁻¹ x (original state order). */
void engine_blocklu_solve(const engine_blocklu *b, double *x);

/* Block k of the order (k < the number of blocks): its size, and into
 * *states its states (original numbering, ascending).  With the pattern
 * taken from one matrix J, J permuted to this order is block lower
 * triangular with these diagonal blocks. */
size_t engine_blocklu_block(const engine_blocklu *b, size_t k, const size_t **states);

/* Blocks and the largest one, pattern non-zeros (for reports). */
size_t engine_blocklu_blocks(const engine_blocklu *b, size_t *largest, size_t *nnz);

#endif
