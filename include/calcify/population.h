/* calcify/population.h — virtual animals: log-normal inter-individual
 * variability (IIV) on chosen parameters, optionally correlated.
 *
 * Animal i's parameter j is θ_j·exp(η_ij), θ_j the scenario's value (the
 * population median), η_i ~ N(0, Ω) with Ω_jj = ω_j² = ln(1 + CV_j²) (so CV_j
 * is the parameter's own coefficient of variation) and Ω_jk = ρ_jk·ω_j·ω_k.
 * The η are drawn serially, animal by animal, from one mt19937 stream
 * seeded by the user, as L·z with L the Cholesky factor of Ω and z standard
 * normal (GSL's Ziggurat): the same seed gives the same animals whatever
 * runs them.  Animals are numbered arm by arm (arm 0's first, …).
 */
#ifndef CALCIFY_POPULATION_H
#define CALCIFY_POPULATION_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "calcify/params.h"
#include "calcify/probe.h"
#include "calcify/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int param;      /* calcify_param_index */
    double cv;      /* fraction, > 0       */
} calcify_iiv;

/* Parse "NAME=CV%" (e.g. "ca_dep_max=30%"; the % may be left out: the
 * number is in percent either way). */
calcify_status calcify_iiv_parse(const char *spec, calcify_iiv *v, calcify_error *err);

/* Parse "NAME1,NAME2=RHO" against the m IIV parameters, storing ρ in the
 * symmetric m × m matrix corr (unit diagonal, set by the caller). */
calcify_status calcify_iiv_corr_parse(const char *spec, const calcify_iiv *iiv, size_t m,
                                      double *corr, calcify_error *err);

/* Draw n animals: values[i·m + j] for parameter iiv[j].param around ps's
 * values.  corr: m × m correlation matrix, or NULL for independent.
 * CALCIFY_EUSAGE if corr is not positive definite or a drawn value leaves
 * its parameter's admissible range (the message names animal, parameter
 * and value: lower the CV). */
calcify_status calcify_population_draw(const calcify_paramset *ps, const calcify_iiv *iiv,
                                       size_t m, const double *corr, size_t n,
                                       uint64_t seed, double *values, calcify_error *err);

/* stats.csv from the animals' probed vectors y[i·probe->n_out] (probe on a
 * grid), animal i in probe arm arm_of[i] with status[i] (0 = ok): per arm,
 * time and observable the number of ok animals, mean, SD (n − 1), and the
 * 5%, 50% and 95% quantiles (linear interpolation, R's type 7).  Header:
 * arm,time_d,observable,n,mean,sd,p05,p50,p95. */
calcify_status calcify_population_write_stats(FILE *fp, int precision,
                                              const calcify_scenario *sc,
                                              const calcify_probe *probe, const double *y,
                                              const size_t *arm_of,
                                              const unsigned char *status, size_t n,
                                              calcify_error *err);

/* Most animals per arm (population --n-per-arm), and so the largest n of a
 * stats.csv row. */
#define CALCIFY_POPULATION_MAX_PER_ARM 1000000

/* One row of a stats.csv, as read back. */
typedef struct {
    char arm[128];
    double time;          /* d */
    int obs;              /* calcify_obs_index */
    size_t n;
    double mean, sd;      /* NAN when empty */
    int line;             /* in the file */
} calcify_popstat;

/* Read a stats.csv written by calcify_population_write_stats, strictly: a
 * whole last line, 9 fields, n a whole number in [0,
 * CALCIFY_POPULATION_MAX_PER_ARM], mean and quantiles finite when n >= 1 and
 * empty when n = 0, sd finite and >= 0 when n >= 2 and empty below, one row
 * per arm, time and observable; CRLF line ends are read as LF.  Errors as
 * "path:line: what (expected …)", CALCIFY_EINPUT; *rows is malloc'd. */
calcify_status calcify_popstats_load(const char *path, calcify_popstat **rows, size_t *n,
                                     calcify_error *err);

/* The row of arm `arm`, observable `obs` at time t (within 1e-9 d), or NULL. */
const calcify_popstat *calcify_popstats_find(const calcify_popstat *rows, size_t n,
                                             const char *arm, double t, int obs);

#ifdef __cplusplus
}
#endif
#endif
