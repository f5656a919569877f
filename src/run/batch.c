/* batch.c — runs of a scenario on threads (run/pool.h), results stored by
 * run id. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "calcify/batch.h"
#include "calcify/simulate.h"
#include "run/pool.h"

typedef struct {
    const calcify_batch_opts *o;
    double *out;
    unsigned char *status;
    size_t done;
} batch;

static calcify_status thread_start(void *user, void **state, calcify_error *err)
{
    const batch *b = user;
    calcify_pool_sim *w = calloc(1, sizeof *w);
    if (!w)
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    *state = w;
    return calcify_pool_sim_open(w, b->o->sc, err);
}

static void thread_end(void *user, void *state)
{
    (void)user;
    calcify_pool_sim_close(state);
    free(state);
}

/* Run `id`: its parameter values, then calcify_runner_run. */
static calcify_status job(void *user, void *state, size_t id, calcify_error *err)
{
    (void)err;
    batch *b = user;
    const calcify_batch_opts *o = b->o;
    calcify_pool_sim *w = state;
    for (size_t j = 0; j < o->n_params; j++)
        w->ps.value[o->params[j]] = o->values[id * o->n_params + j];
    calcify_sim_set_params(w->sim, &w->ps);
    calcify_error run_err;
    b->status[id - o->first] = (unsigned char)calcify_runner_run(
        w->sim, o->sc, o->probe, o->growth ? o->growth[id] : NULL,
        o->run_arm ? (long)o->run_arm[id] : -1, b->out + (id - o->first) * o->probe->n_out,
        NULL, NULL, &run_err);
    return CALCIFY_OK; /* a failed run is a status, not a failed batch */
}

static int done(void *user, void *state, size_t id)
{
    (void)state;
    batch *b = user;
    const calcify_batch_opts *o = b->o;
    b->done++;
    int stop = o->run_done && o->run_done(o->user, id);
    if (o->progress)
        o->progress(o->user, b->done, o->last - o->first);
    return stop;
}

calcify_status calcify_batch_run(const calcify_batch_opts *o, double *out,
                                 unsigned char *status, calcify_error *err)
{
    if (o->first > o->last)
        return calcify_fail(err, CALCIFY_EUSAGE, "batch: run range %zu..%zu", o->first,
                            o->last);
    for (size_t r = 0; r < o->last - o->first; r++)
        status[r] = CALCIFY_RUN_NOT_RUN;
    batch b = {.o = o, .out = out, .status = status};
    const calcify_pool_opts po = {.threads = o->threads, .first = o->first, .last = o->last,
                                  .user = &b, .thread_start = thread_start,
                                  .thread_end = thread_end, .job = job, .done = done};
    return calcify_pool_run(&po, err);
}
