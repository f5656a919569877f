/* calcify/design.h — the points of a parameter sweep.
 *
 * A sweep varies parameters over ranges ("ca_dep_max=0.02:0.06",
 * "warfarin_thalf=5:50:log", values in the parameter's model unit) with one
 * of three designs:
 *   grid   n points per parameter (ends included), n^d runs, the last
 *          parameter varying fastest;
 *   lhs    n runs, Latin hypercube: each parameter's range cut into n equal
 *          strata, one run in each, strata paired by seeded permutations
 *          (GSL's mt19937) and placed uniformly within;
 *   sobol  n runs, the first n points of GSL's Sobol sequence (d <= 40).
 * On a log range the design is made in log space.  Points come out in run_id
 * order (0, 1, …) and are the same for the same arguments, whatever asks.
 */
#ifndef CALCIFY_DESIGN_H
#define CALCIFY_DESIGN_H

#include <stddef.h>

#include "calcify/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { CALCIFY_DESIGN_GRID, CALCIFY_DESIGN_LHS, CALCIFY_DESIGN_SOBOL } calcify_design_kind;

typedef struct {
    int param;       /* calcify_param_index */
    double lo, hi;   /* model units, lo < hi (lo > 0 when log) */
    int log;
} calcify_vary;

/* Parse "NAME=LO:HI" or "NAME=LO:HI:log"; checks the name (with
 * suggestions), the numbers and the parameter's admissible range. */
calcify_status calcify_vary_parse(const char *spec, calcify_vary *v, calcify_error *err);

/* "grid", "lhs" or "sobol"; -1 otherwise. */
int calcify_design_kind_parse(const char *name);

typedef struct calcify_design calcify_design;

/* A design of `n` (per parameter for grid) over `nv` ranges.  NULL with err
 * set if n is too small (grid: 2; others: 1), the run count overflows, sobol
 * gets more than 40 parameters, or memory runs out. */
calcify_design *calcify_design_alloc(calcify_design_kind kind, const calcify_vary *v,
                                     size_t nv, size_t n, unsigned long seed,
                                     calcify_error *err);

void calcify_design_free(calcify_design *d);

/* Total number of runs. */
size_t calcify_design_runs(const calcify_design *d);

/* The next point (values in model units, nv of them); returns its run_id,
 * or -1 when the design is exhausted. */
long calcify_design_next(calcify_design *d, double *values);

#ifdef __cplusplus
}
#endif
#endif
