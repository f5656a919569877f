/* run/pool.h — the one thread pool of the library (internal): jobs
 * [first, last) on threads, claimed in id order, each thread with a state
 * of its own (a simulator).  Used by calcify_batch_run and
 * calcify_sweep_run.
 *
 * Every callback but `job` and `thread_end` runs with the pool's lock
 * held, so they may share their user data unguarded; after each job and
 * each stop, threads waiting in `must_wait` are woken.
 */
#ifndef CALCIFY_RUN_POOL_H
#define CALCIFY_RUN_POOL_H

#include <stddef.h>

#include "calcify/scenario.h"
#include "calcify/simulate.h"
#include "calcify/status.h"

typedef struct {
    int threads;                 /* at most last − first are started; >= 1  */
    size_t first, last;          /* job ids                                 */
    void *user;
    /* a thread's state; a failure (err filled) stops the pool            */
    calcify_status (*thread_start)(void *user, void **state, calcify_error *err);
    void (*thread_end)(void *user, void *state);       /* NULL-safe state */
    /* NULL, or non-zero while job `id` may not start yet (a window)      */
    int (*must_wait)(void *user, size_t id);
    /* NULL, or non-zero to start no other job (a signal's flag)          */
    int (*stop)(void *user);
    /* NULL, or called as job `id` is claimed (ids in order)              */
    void (*claimed)(void *user, void *state, size_t id);
    /* the job, without the lock; a failure (err filled) stops the pool   */
    calcify_status (*job)(void *user, void *state, size_t id, calcify_error *err);
    /* NULL, or called after job `id` (with the state that ran it: a
     * result handed over under the lock); non-zero starts no other job   */
    int (*done)(void *user, void *state, size_t id);
} calcify_pool_opts;

/* What a thread of a pool runs scenario sc on: its own simulator and a
 * copy of the parameters for the values a job varies. */
typedef struct {
    calcify_sim *sim;
    calcify_paramset ps;
} calcify_pool_sim;

/* Open w for sc; on failure (err filled) w holds nothing to close. */
calcify_status calcify_pool_sim_open(calcify_pool_sim *w, const calcify_scenario *sc,
                                     calcify_error *err);

/* Release w; NULL-safe, and safe on a zeroed w. */
void calcify_pool_sim_close(calcify_pool_sim *w);

/* Run the jobs; CALCIFY_OK when no thread, job or start failed (jobs not
 * started because of stop() or done() included), else the first failure. */
calcify_status calcify_pool_run(const calcify_pool_opts *o, calcify_error *err);

#endif
