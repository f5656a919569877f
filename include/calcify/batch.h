/* calcify/batch.h — many runs of a scenario with different parameter values,
 * on threads, each run's probed values stored at its own place.
 *
 * Run r sets params[j] = values[r·n_params + j] on the scenario's parameter
 * set and is run by calcify_runner_run (its own baseline steady state, then
 * the probe's arms: all, or the one run_arm[r] names).  Runs share nothing but read-only inputs and
 * each writes only its own row of `out`, so the results are the same bits
 * whatever the number of threads or the block [first, last) a shard runs.
 */
#ifndef CALCIFY_BATCH_H
#define CALCIFY_BATCH_H

#include <stddef.h>

#include "calcify/probe.h"
#include "calcify/runner.h"
#include "calcify/scenario.h"
#include "calcify/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    const calcify_scenario *sc;
    const calcify_probe *probe;
    const int *params;          /* parameters set per run                      */
    size_t n_params;
    const double *values;       /* runs × n_params, indexed by absolute run id  */
    const size_t *run_arm;      /* NULL: every probe arm; else a probe arm per run */
    size_t first, last;         /* run ids [first, last)                       */
    /* NULL, or per run id the growth table the run follows, for its baseline
     * and its arms, instead of the scenario's and the arms' own (a NULL
     * entry: as the scenario says) */
    const calcify_growth *const *growth;
    int threads;                /* >= 1                                        */
    /* called under a lock after each run (may be NULL) */
    void (*progress)(void *user, size_t done, size_t total);
    void *user;
    /* NULL, or called under the same lock after run `id`'s values and status
     * are stored (before progress); nonzero stops the batch: runs under way
     * finish, no other starts (their status stays CALCIFY_RUN_NOT_RUN) */
    int (*run_done)(void *user, size_t id);
} calcify_batch_opts;

/* Run the batch.  out[(r − first)·probe->n_out + slot] receives the probed
 * values of run r (NAN where the run failed or the arm was not run);
 * status[r − first] its outcome.  Returns CALCIFY_OK when every run was
 * attempted (failed runs included), CALCIFY_ENOMEM or CALCIFY_EUSAGE (the
 * solver could not be set up) otherwise. */
calcify_status calcify_batch_run(const calcify_batch_opts *o, double *out,
                                 unsigned char *status, calcify_error *err);

#ifdef __cplusplus
}
#endif
#endif
