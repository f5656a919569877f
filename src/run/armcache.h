/* armcache.h — arms that start alike are integrated alike (internal).
 *
 * Four of the five Vermeer arms begin with the same six weeks of W&K.  The
 * cache keeps, per recently run arm, the state at the end of each phase and
 * the rows it wrote; an arm whose first phases equal another's (same
 * durations, diets and `set` parameters, to the bit) starts from the cached boundary state and
 * replays the cached rows.  The results are bit-identical to integrating the
 * prefix again, because the solver restarts at every boundary a replay
 * can stop at: a prefix never ends between two phases with the same
 * equations, through which an arm's steps go on (calcify_phase_continues).
 * Valid for one parameter set, one start state and one output grid.
 */
#ifndef CALCIFY_ARMCACHE_H
#define CALCIFY_ARMCACHE_H

#include <stddef.h>

#include "calcify/modeldef.h"
#include "calcify/scenario.h"

typedef struct {
    calcify_diet_phase *phases;    /* copy of the arm's phases            */
    calcify_dose *doses;           /* copy of their doses (phases point here) */
    size_t n_phases;
    size_t n_done;                 /* phases integrated                   */
    double (*boundary)[CALCIFY_MAX_STATE]; /* state at the end of each phase */
    size_t dim;                    /* states of the model (its cache's)   */
    /* the rows of phases [0, rows_until), each CALCIFY_ARMCACHE_ROW(dim)
     * doubles: t, the phase, then the dim states (calcify_armcache_row_*);
     * only those a later arm can replay are kept (a row of 32 states for
     * every row of every arm was 120 KB of fresh pages of a 5-arm run) */
    double *rows;
    size_t n_rows, cap_rows;
    size_t rows_until;
    unsigned long age;             /* for eviction                        */
    /* with a step callback (calcify_sim_set_step_fn): its summary of the
     * steps so far at the end of each phase, n_carry doubles a phase     */
    double *carry;
    size_t n_carry;                /* 0: none recorded                    */
} calcify_cached_arm;

enum { CALCIFY_ARMCACHE_SLOTS = 8 };

#define CALCIFY_ARMCACHE_ROW(dim) (2 + (dim))
/* Row i of an entry: its time, phase and states. */
static inline const double *calcify_armcache_row(const calcify_cached_arm *e, size_t i)
{
    return e->rows + i * CALCIFY_ARMCACHE_ROW(e->dim);
}
static inline double calcify_armcache_row_t(const double *r) { return r[0]; }
static inline size_t calcify_armcache_row_phase(const double *r) { return (size_t)r[1]; }
static inline const double *calcify_armcache_row_y(const double *r) { return r + 2; }

typedef struct {
    int valid;
    size_t dim;                    /* states of the model: set by the owner */
    double y0[CALCIFY_MAX_STATE], dt;
    int boundary_rows;             /* the rows were written with them      */
    calcify_cached_arm slot[CALCIFY_ARMCACHE_SLOTS];
    unsigned long clock;
} calcify_armcache;

/* Forget everything (parameters changed); keeps the memory. */
void calcify_armcache_clear(calcify_armcache *c);

/* Free everything. */
void calcify_armcache_free(calcify_armcache *c);

/* For `arm` from y0 with step dt: the cached arm sharing the longest prefix
 * of whole phases with it (at most arm->n_phases − 1, so that the arm's own
 * end is always integrated, and only phases whose rows it kept), or NULL
 * with *shared = 0.  Clears the cache if
 * y0 or dt differ from what it holds. */
const calcify_cached_arm *calcify_armcache_find(calcify_armcache *c, const calcify_arm *arm,
                                                const double y0[], double dt,
                                                int boundary_rows, size_t *shared);

/* A fresh entry for `arm`, evicting the oldest other than `keep`, that
 * keeps the rows of the arm's first `rows_until` phases (SIZE_MAX: all of
 * them; the boundary states are always kept); NULL when memory runs out
 * or rows_until is 0 (the run then goes on uncached). */
calcify_cached_arm *calcify_armcache_start(calcify_armcache *c, const calcify_arm *arm,
                                           const calcify_cached_arm *keep, size_t rows_until);

/* 1 if phase b's equations are phase a's (the same diet and `set`
 * parameters, and neither gives doses): the solver goes on through the
 * boundary between them instead of restarting (calcify_solver_continue_next). */
int calcify_phase_continues(const calcify_diet_phase *a, const calcify_diet_phase *b);

/* How many whole leading phases of b it could replay from a, as find
 * chooses them: those the two have in common, all but b's last, ending
 * where b restarts. */
size_t calcify_armcache_common(const calcify_arm *a, const calcify_arm *b);

/* Record a row (only one of the first rows_until phases is kept) / the
 * state at the end of the next phase; on failure to grow the entry is
 * marked unusable (n_done frozen), never an error. */
void calcify_armcache_add_row(calcify_cached_arm *e, double t, size_t phase,
                              const double y[]);
void calcify_armcache_add_boundary(calcify_cached_arm *e, const double y[]);
/* Record the step callback's summary at the end of the next phase (before
 * its calcify_armcache_add_boundary); on failure none is kept (n_carry 0). */
void calcify_armcache_add_carry(calcify_cached_arm *e, const double *carry, size_t n);

#endif
