/* calcify/endpoints.h — the numbers a study reports per arm: chosen
 * observables at chosen times, and each observable's area under the curve,
 * minimum and maximum over the arm.
 *
 * Times come from `calcify run --at`, else the scenario's `endpoints`, else
 * the end of every phase of the arms run (their union, so that every arm's
 * row has the same columns; an arm that does not reach a time leaves it
 * empty).  Observables come from the scenario's `endpoint_observables`, else
 * ca_aorta_ug_per_mg, cmgp_fraction, clotting_activity_rel and
 * distensibility_rel (those the model has).
 *
 * Values are read as every command reads them (calcify/probe.h, one rule):
 * rows on the output grid (the scenario's output_step, or --step) and at
 * every phase start, times off the grid cut into the arm's phases.  AUC,
 * min, max and time of max come from the solver's steps, not the rows
 * (calcify/probe.h).  Columns: <obs>_at_<T>d for each time T (in days) and
 * observable, then auc_<obs>_x_d (the observable's unit times days),
 * min_<obs>, max_<obs>, tmax_<obs>_d.
 */
#ifndef CALCIFY_ENDPOINTS_H
#define CALCIFY_ENDPOINTS_H

#include <stdio.h>

#include "calcify/probe.h"
#include "calcify/scenario.h"
#include "calcify/simulate.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    double *at;          /* d, increasing                                  */
    size_t n_at;
    int *obs;            /* observable indices (calcify/observables.h)     */
    size_t n_obs;
    const calcify_obs_table *table; /* their names: the scenario's          */
    double grid;         /* d: the output step (rows; not the metrics)      */
} calcify_endpoints;


/* The one parser of time lists (--at of every command): "7,14" or
 * "6 w,12 w,1 y" (a bare number is in days), appended to at[*n..cap).
 * The times, with those already in at[], must increase: a time before or
 * equal to the one before it is refused ("--at '84,42': '42' (42 d) is
 * before 84 d (expected increasing times, each once)"), as is more than
 * cap.  On failure *n is unchanged.  The message names `opt`. */
calcify_status calcify_times_add(const char *opt, const char *list, double *at, size_t *n,
                                 size_t cap, calcify_error *err);

/* The same into a malloc'd *at of *n_at times (grown; NULL and 0 to start). */
calcify_status calcify_times_parse(const char *opt, const char *list, double **at,
                                   size_t *n_at, calcify_error *err);


/* The one parser of observable lists (--observable of every command):
 * "ca_aorta_ug_per_mg,cmgp_fraction" (output column names) appended to
 * obs[*n..cap) as indices.  An unknown name fails with the closest names
 * suggested; a name already in obs[] fails (calcify_obs_check_unique), as
 * does more than cap.  On failure *n is unchanged.  The message names `opt`. */
calcify_status calcify_obs_add(const char *opt, const char *list, int *obs, size_t *n,
                               size_t cap, calcify_error *err);

/* The same into a malloc'd *obs of *n_obs (grown; NULL and 0 to start). */
calcify_status calcify_obs_list_parse(const char *opt, const char *list, int **obs,
                                      size_t *n_obs, calcify_error *err);

/* The endpoints of a run of sc's arms (`selected` as in calcify_sim_run_scenario),
 * with `at` (n_at > 0) in place of the scenario's times and `obs` (n_obs > 0)
 * in place of its observables, deferred names bound to sc's observables
 * (an unknown one: CALCIFY_EUSAGE).  Copies everything. */
calcify_status calcify_endpoints_resolve(const calcify_scenario *sc,
                                         const unsigned char *selected,
                                         const double *at, size_t n_at,
                                         const int *obs, size_t n_obs,
                                         calcify_endpoints *e, calcify_error *err);

/* The CSV column of a parameter or scenario variable `name` and its current
 * value: "warfarin_thalf_h" / the parameter in its model unit, "high_k_ug_per_g"
 * / the variable's number in the unit it is written with (NAN if it is not
 * a number).  0, or -1 if `name` is neither. */
int calcify_setting_column(const calcify_scenario *sc, const char *name, char *col,
                           size_t cap, double *value);

/* NULL-safe; leaves *e empty. */
void calcify_endpoints_free(calcify_endpoints *e);

/* Number of value columns. */
size_t calcify_endpoints_ncols(const calcify_endpoints *e);

/* ",name,name,…" — one comma before each column. */
void calcify_endpoints_write_names(FILE *fp, const calcify_endpoints *e);

/* ",v,v,…" as calcify_csv_write_numbers writes them (`precision` 0: the
 * shortest round-trip text); NAN is an empty field. */
void calcify_endpoints_write_values(FILE *fp, int precision, const double *v, size_t n);

/* The probe that reads e's columns from the arms `selected` of sc (with
 * metrics).  Free with calcify_probe_free. */
calcify_status calcify_endpoints_probe(const calcify_endpoints *e, const calcify_scenario *sc,
                                       const unsigned char *selected, calcify_probe *p,
                                       calcify_error *err);

/* e's columns of probe arm a from a run's vector v into
 * values[calcify_endpoints_ncols(e)] (NAN where the arm ends before a time). */
void calcify_endpoints_from_probe(const calcify_endpoints *e, const calcify_probe *p,
                                  size_t a, const double *v, double *values);

/* Run `arm` from y0 and fill values[calcify_endpoints_ncols(e)] (NAN where
 * the arm ends before a time, and everywhere on failure).  *steps and
 * *rhs_evals get the cost.  Returns the run's status (err filled). */
calcify_status calcify_endpoints_arm(calcify_sim *sim, const calcify_arm *arm,
                                     const double y0[],
                                     const calcify_endpoints *e, double *values,
                                     unsigned long *steps, unsigned long *rhs_evals,
                                     calcify_error *err);

#ifdef __cplusplus
}
#endif
#endif
