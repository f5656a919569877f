/* calcify/probe.h — the one reader of values at times: chosen observables
 * at chosen times of chosen arms (and, when asked, each observable's AUC,
 * minimum and maximum over the arm), as one flat vector per run.  Every
 * command reads a run through it (calcify/runner.h runs it), so the same
 * question gets the same numbers from each.
 *
 * How a run is read (one rule for all): each arm is integrated with rows
 * on the output grid (every dt days, calcify/timegrid.h; dt is the
 * scenario's output_step unless the caller gives one) and at every phase
 * start; a probed time off that grid is cut into the arm's phases (same
 * diet and parameters, every dose kept where it is: the arm splitter in probe.c), so
 * it is a row of its own.  Rows are matched to probed times by time
 * (CALCIFY_TIME_TOL), never by their order.
 *
 * Times are a list (each arm's phase ends by default; a time past an arm's
 * end is left out for that arm) or, for time series, the grid itself plus
 * the listed times.  A run's vector holds, arm after arm, time after time,
 * the observables in order (calcify_probe_slot), then, with metrics, AUC,
 * min, max and time of max of each observable (calcify_probe_metric_slot).
 * These come from the solver's steps, not from the rows (runner.c): AUC by
 * Gauss–Legendre quadrature of each step's interpolant, min and max with
 * the extremes inside steps; they do not depend on the output step.
 */
#ifndef CALCIFY_PROBE_H
#define CALCIFY_PROBE_H

#include <stddef.h>

#include "calcify/scenario.h"
#include "calcify/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    size_t arm;          /* index into the scenario's arms                   */
    calcify_arm run;     /* the arm as run (phases cut at the times)         */
    double dt;           /* output grid of the run, d                         */
    size_t n_times;
    double *times;       /* d, ascending                                     */
    size_t offset;       /* index of this arm's first value in a run's vector */
} calcify_probe_arm;

typedef struct {
    calcify_probe_arm *arms;
    size_t n_arms;
    int *obs;            /* index of each observable read (observables.h)    */
    size_t n_obs;
    const calcify_obs_table *table; /* their names: the scenario's          */
    int metrics;         /* each arm's block ends with AUC, min, max, tmax per obs */
    size_t n_out;        /* length of a run's vector                          */
} calcify_probe;

/* What to read. */
typedef struct {
    const unsigned char *selected; /* arms (indexed like sc->arms); NULL = all */
    double dt;           /* output grid, d; <= 0: the scenario's output_step  */
    int grid_times;      /* every grid time (and each arm's end) is read too  */
    const double *at;    /* times, d, any order; none (and no grid_times):   */
    size_t n_at;         /*   each arm's phase ends                           */
    const int *obs;      /* observables; none: all                            */
    size_t n_obs;
    int metrics;         /* also AUC, min, max, time of max of each observable */
} calcify_probe_spec;

/* The probe of spec s on scenario sc.  CALCIFY_EUSAGE for a negative or
 * non-finite time or step, or a list of times none of which falls in an
 * arm; CALCIFY_ENOMEM.  On failure *p is empty. */
calcify_status calcify_probe_make(calcify_probe *p, const calcify_scenario *sc,
                                  const calcify_probe_spec *s, calcify_error *err);

/* The same for one arm alone (probe arm 0, arm index 0); s->dt must be > 0. */
calcify_status calcify_probe_make_arm(calcify_probe *p, const calcify_arm *arm,
                                      const calcify_probe_spec *s, calcify_error *err);

/* Shorthands of calcify_probe_make: the times `at` (0: phase ends) on the
 * scenario's grid; every dt days and at `at`. */
calcify_status calcify_probe_init(calcify_probe *p, const calcify_scenario *sc,
                                  const unsigned char *selected, const double *at,
                                  size_t n_at, const int *obs, size_t n_obs,
                                  calcify_error *err);
calcify_status calcify_probe_init_grid_at(calcify_probe *p, const calcify_scenario *sc,
                                          const unsigned char *selected, double dt,
                                          const double *at, size_t n_at, const int *obs,
                                          size_t n_obs, calcify_error *err);

/* Index in pa->times of time t (calcify_same_time), or -1. */
long calcify_probe_time_index(const calcify_probe_arm *pa, double t);

/* NULL-safe; leaves *p empty. */
void calcify_probe_free(calcify_probe *p);

/* Index in a run's vector of probe arm a, time ti, observable oi. */
static inline size_t calcify_probe_slot(const calcify_probe *p, size_t a, size_t ti, size_t oi)
{
    return p->arms[a].offset + ti * p->n_obs + oi;
}

/* Metrics of probe arm a (p->metrics set): m = 0 AUC (the observable's
 * unit times d), 1 min, 2 max, 3 time of max (d, the first), of
 * observable oi. */
enum { CALCIFY_METRIC_AUC, CALCIFY_METRIC_MIN, CALCIFY_METRIC_MAX, CALCIFY_METRIC_TMAX,
       CALCIFY_NMETRIC };
static inline size_t calcify_probe_metric_slot(const calcify_probe *p, size_t a, int m,
                                               size_t oi)
{
    return p->arms[a].offset + (p->arms[a].n_times + (size_t)m) * p->n_obs + oi;
}

/* Values a probe arm takes in a run's vector. */
static inline size_t calcify_probe_arm_values(const calcify_probe *p, size_t a)
{
    return (p->arms[a].n_times + (p->metrics ? CALCIFY_NMETRIC : 0)) * p->n_obs;
}

#ifdef __cplusplus
}
#endif
#endif
