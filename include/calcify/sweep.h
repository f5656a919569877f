/* calcify/sweep.h — many runs of a scenario over a design, on threads.
 *
 * Each run: the design's values set on a copy of the scenario's parameters
 * (a varied variable: the scenario read again with it), the baseline steady
 * state, then every selected arm's endpoints (calcify/endpoints.h; and,
 * when asked, its time series).  Rows are written in run_id order whatever the
 * number of threads, and a run's rows are bit-identical however the sweep is
 * split: runs share nothing but the read-only scenario.  Results wait in a
 * window of 8 runs per thread until the runs before them are written, so
 * memory does not grow with the number of runs.  A failed run is written
 * with its status, never dropped.
 */
#ifndef CALCIFY_SWEEP_H
#define CALCIFY_SWEEP_H

#include <signal.h>
#include <stdio.h>

#include "calcify/design.h"
#include "calcify/endpoints.h"
#include "calcify/scenario.h"
#include "calcify/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    const calcify_scenario *sc;
    const unsigned char *selected;   /* arms to run (indexed like sc->arms); NULL = all */
    const calcify_vary *vary;        /* the varied parameters, as given to the design */
    const calcify_endpoints *endpoints; /* the columns of every summary row         */
    size_t n_vary;
    calcify_design *design;          /* consumed from run 0 up to `last`            */
    size_t first, last;              /* run_ids [first, last)                       */
    int threads;                     /* >= 1                                        */
    int precision;                   /* digits of endpoints; 0 shortest round-trip  */
    FILE *summary;                   /* summary rows (no header)                    */
    FILE *timeseries;                /* NULL = none; else rows with a run_id column  */
    double timeseries_step;          /* d                                           */
    /* called with the lock held after each run is written (may be NULL) */
    void (*progress)(void *user, size_t done, size_t total);
    void *user;
    /* when set, each run's rows are flushed as soon as they are written,
     * time series first, so that a file cut by SIGKILL ends in whole runs
     * of the summary whose time series are complete                      */
    int flush_each_run;
    /* NULL, or the names of the summary and time-series files, for the
     * message of a failed write ("sweep" when NULL) */
    const char *summary_name, *timeseries_name;
    /* when not NULL and *stop becomes non-zero (a signal handler), no new
     * run starts; the runs under way finish and are written              */
    volatile sig_atomic_t *stop;
} calcify_sweep_opts;

/* The column of a varied name in design.csv and summary.csv
 * ("warfarin_thalf_h", "high_k_ug_per_g"); returns buf. */
char *calcify_sweep_column(const calcify_scenario *sc, const calcify_vary *v, char *buf,
                           size_t cap);

/* At most this many scenario variables varied in one sweep. */
#define CALCIFY_SWEEP_MAX_VARS 64

/* Summary header: run_id,<varied columns>,arm,status,<endpoints>,steps,rhs_evals */
void calcify_sweep_write_header(FILE *fp, const calcify_scenario *sc,
                                const calcify_vary *vary, size_t n_vary,
                                const calcify_endpoints *e);

typedef struct {
    size_t runs;      /* runs written                       */
    size_t failed;    /* runs with any arm not "ok"         */
    int stopped;      /* *stop ended the sweep early        */
} calcify_sweep_stats;

/* Run the sweep.  Returns CALCIFY_OK when every run was written (failed
 * runs included: see stats->failed) or *stop ended it after whole runs
 * (stats->stopped); CALCIFY_ENOMEM/EIO otherwise. */
calcify_status calcify_sweep_run(const calcify_sweep_opts *o, calcify_sweep_stats *stats,
                                 calcify_error *err);

#ifdef __cplusplus
}
#endif
#endif
