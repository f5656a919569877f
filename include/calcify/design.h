/* calcify/design.h — the points of a parameter sweep.
 *
 * A sweep varies parameters or scenario variables over ranges
 * ("ca_dep_max=0.02:0.06", "warfarin_thalf=5 h:2 d:log", "high_k=10:200 ug/g";
 * a bare number is in the parameter's model unit or in the unit of the
 * variable's definition) with one of three designs:
 *   grid   n points per parameter (ends included), n^d runs, the last
 *          parameter varying fastest;
 *   lhs    n runs, Latin hypercube: each parameter's range cut into n equal
 *          strata, one run in each, strata paired by seeded permutations
 *          (GSL's mt19937) and placed uniformly within;
 *   sobol  n runs, the first n points of a Sobol sequence with Joe–Kuo
 *          direction numbers, Owen-scrambled by the seed (calcify/sobolseq.h;
 *          up to 1024 parameters; n a power of 2 balances it best).
 * On a log range the design is made in log space.  Points come out in run_id
 * order (0, 1, …) and are the same for the same arguments, whatever asks.
 */
#ifndef CALCIFY_DESIGN_H
#define CALCIFY_DESIGN_H

#include <stddef.h>

#include "calcify/scenario.h"
#include "calcify/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { CALCIFY_DESIGN_GRID, CALCIFY_DESIGN_LHS, CALCIFY_DESIGN_SOBOL } calcify_design_kind;

/* How a varied parameter is spread.  Normal and log-normal are given by
 * a centre and a coefficient of variation: normal mean·(1 + CV·z), log-normal
 * median·exp(σz) with σ² = ln(1 + CV²) (so that CV is the distribution's
 * own CV), z standard normal. */
typedef enum {
    CALCIFY_DIST_UNIFORM,      /* on [lo, hi]                         */
    CALCIFY_DIST_LOGUNIFORM,   /* log uniform on [lo, hi], lo > 0     */
    CALCIFY_DIST_NORMAL,       /* mean = centre                        */
    CALCIFY_DIST_LOGNORMAL     /* median = centre                      */
} calcify_dist;

typedef struct {
    int param;       /* calcify_param_index, or -1 for a scenario variable */
    int var;         /* index into the scenario's vars, or -1             */
    char name[64];   /* the parameter's or variable's name                */
    char unit[32];   /* unit of the numbers: the parameter's model unit, or
                        the unit of the variable's definition ("" if none) */
    double lo, hi;   /* model units, lo < hi (lo > 0 when log); for normal and
                        log-normal the 1e-10 and 1 − 1e-10 quantiles        */
    int log;         /* 1 for log-uniform (kept for older callers)          */
    calcify_dist dist;
    double centre, cv; /* normal / log-normal only; cv as a fraction         */
} calcify_vary;

/* Parse "NAME=LO:HI" (uniform), "NAME=LO:HI:log" (log-uniform),
 * "NAME=MEAN:CV%:normal" or "NAME=MEDIAN:CV%:lognormal" (CV in percent, the
 * % sign required); checks the name (with suggestions), the numbers and
 * that the parameter's admissible range holds the range, or for normal and
 * log-normal the quantiles 1e-10 to 1 − 1e-10 (no draw is ever clipped). */
calcify_status calcify_vary_parse(const char *spec, calcify_vary *v, calcify_error *err);

/* The same where NAME may also be a variable of `sc`; numbers may carry
 * units ("5 h:2 d", or "10:200 ug/g" where LO takes HI's unit).  A
 * variable's range is checked where the variable is used, by reading the
 * scenario with it (calcify sweep does so before it starts). */
calcify_status calcify_vary_parse_in(const char *spec, const calcify_scenario *sc,
                                     calcify_vary *v, calcify_error *err);

/* The value at quantile u ∈ [0, 1] (open (0, 1) for normal and log-normal). */
double calcify_vary_map(const calcify_vary *v, double u);

/* 1 if the distribution has finite ends (uniform, log-uniform). */
int calcify_vary_bounded(const calcify_vary *v);

/* "grid", "lhs" or "sobol"; -1 otherwise. */
int calcify_design_kind_parse(const char *name);

typedef struct calcify_design calcify_design;

/* A design of `n` (per parameter for grid) over `nv` ranges.  NULL with err
 * set if n is too small (grid: 2; others: 1), a grid gets an unbounded
 * (normal, log-normal) parameter, or sobol gets more parameters than
 * calcify_sobolseq_max_dim() (calcify_design_alloc_status: CALCIFY_EUSAGE),
 * or if the grid exceeds 1e8 runs, an lhs design needs more than 1 GiB of
 * permutations, or memory runs out (CALCIFY_ENOMEM). */
calcify_design *calcify_design_alloc(calcify_design_kind kind, const calcify_vary *v,
                                     size_t nv, size_t n, unsigned long seed,
                                     calcify_error *err);

void calcify_design_free(calcify_design *d);

/* The status of the last failed calcify_design_alloc in this thread. */
calcify_status calcify_design_alloc_status(void);

/* Total number of runs. */
size_t calcify_design_runs(const calcify_design *d);

/* The next point (values in model units, nv of them); returns its run_id,
 * or -1 when the design is exhausted. */
long calcify_design_next(calcify_design *d, double *values);

#ifdef __cplusplus
}
#endif
#endif
