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
 *
 * Covariates (body weight, food intake) and residual error are drawn from
 * streams of their own (calcify_population_stream_seed), so that adding
 * either leaves the IIV draws of a seed as they were.
 */
#ifndef CALCIFY_POPULATION_H
#define CALCIFY_POPULATION_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "calcify/params.h"
#include "calcify/dosing.h"
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

/* The seed of draw stream `stream` of a user's seed: stream 0 (IIV) is the
 * seed itself; the others are splitmix64 of seed + stream (their low 32
 * bits, what mt19937 takes), independent of it for practical purposes. */
enum { CALCIFY_STREAM_IIV, CALCIFY_STREAM_COVARIATE, CALCIFY_STREAM_RESIDUAL };
unsigned long calcify_population_stream_seed(uint64_t seed, int stream);

/* A covariate: body_weight or food_intake drawn log-normal, the median
 * times exp(omega·z), omega² = ln(1 + CV²). */
typedef struct {
    int param;      /* the model's p_body_weight or p_food_intake */
    double median;  /* in the parameter's unit                       */
    double cv;      /* fraction, >= 0 (0: every animal the median)   */
} calcify_covariate;

/* Parse "NAME=MEDIAN:CV%" ("body_weight=0.35:10%", or the median with a
 * unit: "body_weight=350 g:10%"). */
calcify_status calcify_covariate_parse(const char *spec, calcify_covariate *c,
                                       calcify_error *err);

/* Draw n animals' covariates c[0..m) from the covariate stream of `seed`,
 * animal by animal: values[i·stride + j].  A value outside the parameter's
 * admissible range fails (CALCIFY_EUSAGE, naming animal and both bounds). */
calcify_status calcify_covariate_draw(const calcify_covariate *c, size_t m, size_t n,
                                      uint64_t seed, double *values, size_t stride,
                                      calcify_error *err);

/* A growth table scaled to an animal of body weight bw (kg) and food intake
 * fpk (g/kg/d) at the table's first row: every body weight times
 * bw / g->body_weight[0], every food intake (g per animal per day) times
 * the same factor and fpk / (g->food[0] / g->body_weight[0]); a NAN bw or
 * fpk leaves that factor 1.  The animal keeps the table's shape.  *out is
 * malloc'd (calcify_growth_free). */
calcify_status calcify_growth_scaled(const calcify_growth *g, double bw, double fpk,
                                     calcify_growth **out, calcify_error *err);

/* Residual (measurement) error on an observable, NONMEM's and mrgsolve's
 * combined model: observed = y·(1 + e1) + e2, e1 ~ N(0, prop²), e2 ~
 * N(0, add²); either may be 0.  An observed value may fall below 0. */
typedef struct {
    int obs;        /* calcify_obs_index                              */
    double prop;    /* CV of the proportional error, fraction, >= 0   */
    double add;     /* SD of the additive error, the observable's unit */
} calcify_reserr;

/* Parse "OBS=prop:CV%", "OBS=add:SD" or "OBS=prop:CV%,add:SD". */
calcify_status calcify_reserr_parse(const char *spec, calcify_reserr *e, calcify_error *err);

/* y_obs = y with the errors e[0..n_e) on their observables' slots, for n
 * runs of probe's vectors, drawn from the residual stream of `seed`: run
 * after run, slot after slot, e1 then e2 for every slot of an observable
 * with an error (a failed run's NAN included, and kept NAN), so one
 * animal's draws never depend on another's values. */
calcify_status calcify_reserr_apply(const calcify_probe *probe, const calcify_reserr *e,
                                    size_t n_e, const double *y, size_t n, uint64_t seed,
                                    double *y_obs, calcify_error *err);

/* Animals from a CSV file (mrgsolve's idata_set): a header `id`, optionally
 * `arm`, and parameter names (those of calcify params); a row per animal,
 * values in the parameter's unit as calcify params prints it.  An id is a
 * whole number >= 1, once per arm (once in the file without `arm`).  Read
 * with libcsv (docs/SCENARIOS.md, Individuals file); errors "path:line:
 * what (expected …)", CALCIFY_EINPUT: an unknown column (with "did you
 * mean"), a column twice, no id, a row of another length, a value not a
 * number or outside the parameter's admissible range (both bounds named),
 * an unknown arm, a parameter the scenario's growth table decides (but
 * body_weight and food_intake, which scale it: calcify_growth_scaled). */
typedef struct {
    size_t n;                   /* animals (rows)                          */
    size_t m;                   /* parameter columns                       */
    int param[CALCIFY_MAX_PARAM]; /* their parameter indices, in file order */
    double *values;             /* n × m, in the parameters' units         */
    long long *id;              /* n                                       */
    long *arm;                  /* n: scenario arm index, -1 without `arm`  */
    int *line;                  /* n: where each row is                    */
    int has_arm;                /* the file has an `arm` column            */
} calcify_individuals;

calcify_status calcify_individuals_load(const char *path, const calcify_scenario *sc,
                                        calcify_individuals *ind, calcify_error *err);

/* NULL-safe; leaves *ind empty. */
void calcify_individuals_free(calcify_individuals *ind);

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
 * per arm, time and observable; CRLF line ends are read as LF.  Observables
 * are named by table t (a scenario's: its own observables too; NULL: the
 * built-ins); a row of another is skipped.  Errors as "path:line: what
 * (expected …)", CALCIFY_EINPUT; *rows is malloc'd. */
calcify_status calcify_popstats_load(const char *path, const calcify_obs_table *t,
                                     calcify_popstat **rows, size_t *n, calcify_error *err);

/* The row of arm `arm`, observable `obs` at time t (within 1e-9 d), or NULL. */
const calcify_popstat *calcify_popstats_find(const calcify_popstat *rows, size_t n,
                                             const char *arm, double t, int obs);

#ifdef __cplusplus
}
#endif
#endif
