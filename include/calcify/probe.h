/* calcify/probe.h — what is read from each run of a batch: chosen
 * observables at chosen times of chosen arms, as one flat vector per run.
 *
 * Times are either a list (each arm's phase ends by default, or --at times;
 * a time past an arm's end is left out for that arm) or an output grid
 * (every dt days, plus the arm's end).  For a list, each arm is run with its
 * phases cut at the listed times — the diet is unchanged, the solver is
 * restarted there — so each time is an exact row, whatever it is.  A run's
 * vector holds, arm after arm, time after time, the observables in order:
 * calcify_probe_slot() gives the index.
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
    double dt;           /* output step of the run; <= 0: rows at phase starts */
    size_t n_times;
    double *times;       /* d, ascending                                     */
    size_t n_rows;       /* rows the run emits                                */
    long *slot_of_row;   /* time index of each row, or -1; NULL: rows are
                            matched to times by their time                    */
    int boundary_rows;   /* run with a row at every phase start off the grid  */
    size_t offset;       /* index of this arm's first value in a run's vector */
} calcify_probe_arm;

typedef struct {
    calcify_probe_arm *arms;
    size_t n_arms;
    int *obs;            /* index of each observable read (observables.h)    */
    size_t n_obs;
    const calcify_obs_table *table; /* their names: the scenario's          */
    size_t n_out;        /* length of a run's vector                          */
} calcify_probe;

/* Probe the arms flagged in `selected` (NULL = all) at the times `at` (n_at
 * of them, d, any order; 0 = each arm's phase ends), observables `obs`
 * (n_obs; 0 = all, the scenario's own too; deferred names are bound to the
 * scenario's observables, CALCIFY_EUSAGE for an unknown one).  CALCIFY_EUSAGE for a negative or non-finite time or
 * an arm that none of the times falls in; CALCIFY_ENOMEM.  On failure *p
 * is empty. */
calcify_status calcify_probe_init(calcify_probe *p, const calcify_scenario *sc,
                                  const unsigned char *selected, const double *at,
                                  size_t n_at, const int *obs, size_t n_obs,
                                  calcify_error *err);

/* Probe every dt days (from 0) and at each arm's end. */
calcify_status calcify_probe_init_grid(calcify_probe *p, const calcify_scenario *sc,
                                       const unsigned char *selected, double dt,
                                       const int *obs, size_t n_obs, calcify_error *err);

/* The same, and also at the times `at` (n_at of them, d, any order): those
 * on the grid are its rows; the others (within the arm) are cut into the
 * arm's phases, as calcify_endpoints does, so each is an exact row.  A time
 * past an arm's end is left out for that arm. */
calcify_status calcify_probe_init_grid_at(calcify_probe *p, const calcify_scenario *sc,
                                          const unsigned char *selected, double dt,
                                          const double *at, size_t n_at, const int *obs,
                                          size_t n_obs, calcify_error *err);

/* Index in pa->times of time t (within 1e-9 d, relative above 1 d), or -1. */
long calcify_probe_time_index(const calcify_probe_arm *pa, double t);

/* NULL-safe; leaves *p empty. */
void calcify_probe_free(calcify_probe *p);

/* Index in a run's vector of probe arm a, time ti, observable oi. */
static inline size_t calcify_probe_slot(const calcify_probe *p, size_t a, size_t ti, size_t oi)
{
    return p->arms[a].offset + ti * p->n_obs + oi;
}

/* Parse a comma-separated list of observable names into obs (capacity
 * CALCIFY_MAX_OBS), appending after *n; a name that is no built-in column is
 * deferred (calcify_obs_defer) until calcify_probe_init binds it, one that
 * cannot be a column fails with suggestions. */
calcify_status calcify_obs_parse_list(const char *list, int *obs, size_t *n,
                                      calcify_error *err);

#ifdef __cplusplus
}
#endif
#endif
