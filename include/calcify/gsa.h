/* calcify/gsa.h — global sensitivity: Sobol indices (Saltelli sampling,
 * Saltelli/Jansen estimators) and Morris elementary effects, with
 * bootstrap confidence intervals.  Model-free: the caller evaluates the
 * design's points (calcify/batch.h does it for a scenario) and passes the
 * outputs back, so the same code is tested on analytic functions.
 *
 * Sobol (Saltelli et al. 2010, Comput. Phys. Commun. 181:259): two N × d
 * matrices A and B are the first and last d coordinates of N points of a
 * scrambled 2d-dimensional Sobol sequence (calcify/sobolseq.h); AB_j is A
 * with column j from B.  Run r = i·(d+2) + k is row i of A (k = 0), of B
 * (k = 1) or of AB_j (k = 2 + j): N·(d+2) runs.  With V the variance of the
 * 2N outputs f(A), f(B):
 *   S1_j = mean((f(B) − m)·(f(AB_j) − f(A))) / V    (Saltelli 2010, eq. b;
 *          m the mean of f(A), f(B): removes the output's offset)
 *   ST_j = mean((f(A) − f(AB_j))²) / (2V)           (Jansen 1999)
 * Morris (1991), with the trajectories of Campolongo et al. (2007, Environ.
 * Model. Softw. 22:1509) reported as mu* = mean |EE|: r trajectories of d+1
 * points on a grid of `levels` levels, one parameter moved by
 * Δ = levels / (2(levels − 1)) per step, in random order and direction.
 * Elementary effects are per unit of the grid coordinate u ∈ [0, 1] (the
 * parameter's quantile; for normal and log-normal 1% + 98%·u),
 * so they compare across parameters of any unit; normal and log-normal
 * parameters are cut at their 1% and 99% quantiles for Morris.
 * Intervals: percentile bootstrap over base samples (Sobol) or trajectories
 * (Morris), resampled with a seeded generator, the same resamples for
 * every output.  A sample with any failed (NaN) run is left out.
 */
#ifndef CALCIFY_GSA_H
#define CALCIFY_GSA_H

#include <stddef.h>
#include <stdint.h>

#include "calcify/design.h"
#include "calcify/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Sobol indices ---- */

/* N·(d+2), or 0 on overflow. */
size_t calcify_saltelli_runs(size_t n, size_t d);

/* The Saltelli design: values[r·d + j], model units, for every run r.
 * CALCIFY_EUSAGE when 2d exceeds the Sobol generator's dimensions. */
calcify_status calcify_saltelli_design(const calcify_vary *v, size_t d, size_t n,
                                       uint64_t seed, double *values, calcify_error *err);

/* The same in the unit cube (u[r·d + j] ∈ (0, 1)), for analytic tests. */
calcify_status calcify_saltelli_unit(size_t d, size_t n, uint64_t seed, double *u,
                                     calcify_error *err);

typedef struct {
    double s1, s1_lo, s1_hi;   /* first-order index and its interval       */
    double st, st_lo, st_hi;   /* total index and its interval             */
} calcify_sobol_index;

typedef struct {
    size_t n_boot;             /* bootstrap resamples (0: no intervals)     */
    double conf;               /* interval coverage, e.g. 0.95              */
    uint64_t seed;             /* of the resampling                          */
} calcify_boot_opts;

/* Indices of one output: y[r·stride] for run r of the design above.  out
 * has d entries; all NAN when fewer than 2 samples are usable or the output
 * does not vary (V = 0).  *n_used (may be NULL) gets the samples used. */
calcify_status calcify_sobol_indices(const double *y, size_t stride, size_t n, size_t d,
                                     const calcify_boot_opts *b, calcify_sobol_index *out,
                                     size_t *n_used, calcify_error *err);

/* ---- Morris elementary effects ---- */

typedef struct {
    size_t r, d;
    int levels;
    double *u;        /* r·(d+1) points × d, in [0, 1]                     */
    size_t *moved;    /* r·d: parameter moved at each step                  */
} calcify_morris_plan;

/* r(d+1), or 0 on overflow. */
size_t calcify_morris_runs(size_t r, size_t d);

/* Trajectories of Morris's method; `levels` even, >= 2.  On failure *plan
 * is empty. */
calcify_status calcify_morris_plan_make(calcify_morris_plan *plan, size_t r, size_t d,
                                        int levels, uint64_t seed, calcify_error *err);

void calcify_morris_plan_free(calcify_morris_plan *plan);

/* The plan's points in model units: values[run·d + j]. */
void calcify_morris_values(const calcify_morris_plan *plan, const calcify_vary *v,
                           double *values);

typedef struct {
    double mu_star, mu_star_lo, mu_star_hi;  /* mean |EE| and its interval   */
    double mu, sigma;                        /* mean EE, its SD               */
} calcify_morris_index;

/* Indices of one output y[run·stride]; out has d entries (NAN when fewer
 * than 2 trajectories are usable). */
calcify_status calcify_morris_indices(const calcify_morris_plan *plan, const double *y,
                                      size_t stride, const calcify_boot_opts *b,
                                      calcify_morris_index *out, calcify_error *err);

#ifdef __cplusplus
}
#endif
#endif
