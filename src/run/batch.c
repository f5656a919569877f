/* batch.c — runs of a scenario on threads, results stored by run id. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "calcify/batch.h"
#include "calcify/simulate.h"

typedef struct {
    const calcify_batch_opts *o;
    double *out;
    unsigned char *status;
    pthread_mutex_t lock;
    size_t next, done;
    int stopped;       /* run_done asked to stop */
    calcify_status st;
    calcify_error err;
} batch;

static calcify_run_status run_one(const calcify_batch_opts *o, calcify_sim *sim,
                                  calcify_paramset *ps, size_t id, double *v)
{
    for (size_t j = 0; j < o->n_params; j++)
        ps->value[o->params[j]] = o->values[id * o->n_params + j];
    calcify_sim_set_params(sim, ps);
    calcify_error err;
    return calcify_runner_run(sim, o->sc, o->probe, o->growth ? o->growth[id] : NULL,
                              o->run_arm ? (long)o->run_arm[id] : -1, v, NULL, NULL, &err);
}

static void *worker(void *arg)
{
    batch *b = arg;
    const calcify_batch_opts *o = b->o;
    calcify_error err;
    calcify_sim *sim = calcify_sim_alloc(&o->sc->params, o->sc->method, o->sc->rtol,
                                         o->sc->atol, &err);
    calcify_paramset ps;
    int have_ps = calcify_paramset_copy(&ps, &o->sc->params) == CALCIFY_OK;
    pthread_mutex_lock(&b->lock);
    if (!sim || !have_ps)
        b->st = calcify_fail(&b->err, sim ? CALCIFY_ENOMEM : CALCIFY_EUSAGE, "%s",
                             sim ? "out of memory" : err.msg);
    while (b->st == CALCIFY_OK && !b->stopped && b->next < o->last) {
        size_t id = b->next++;
        pthread_mutex_unlock(&b->lock);
        calcify_run_status rs =
            run_one(o, sim, &ps, id, b->out + (id - o->first) * o->probe->n_out);
        pthread_mutex_lock(&b->lock);
        b->status[id - o->first] = (unsigned char)rs;
        b->done++;
        if (o->run_done && o->run_done(o->user, id))
            b->stopped = 1;
        if (o->progress)
            o->progress(o->user, b->done, o->last - o->first);
    }
    pthread_mutex_unlock(&b->lock);
    if (have_ps)
        calcify_paramset_free(&ps);
    calcify_sim_free(sim);
    return NULL;
}

calcify_status calcify_batch_run(const calcify_batch_opts *o, double *out,
                                 unsigned char *status, calcify_error *err)
{
    if (o->first > o->last)
        return calcify_fail(err, CALCIFY_EUSAGE, "batch: run range %zu..%zu", o->first,
                            o->last);
    for (size_t r = 0; r < o->last - o->first; r++)
        status[r] = CALCIFY_RUN_NOT_RUN;
    batch b = {.o = o, .out = out, .status = status, .next = o->first, .st = CALCIFY_OK};
    int threads = o->threads < 1 ? 1 : o->threads;
    if ((size_t)threads > o->last - o->first)
        threads = o->last - o->first > 0 ? (int)(o->last - o->first) : 1;
    pthread_t *tid = calloc((size_t)threads, sizeof *tid);
    if (!tid)
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    pthread_mutex_init(&b.lock, NULL);
    int started = 0;
    for (int t = 0; t < threads; t++, started++)
        if (pthread_create(&tid[t], NULL, worker, &b) != 0) {
            pthread_mutex_lock(&b.lock);
            b.st = calcify_fail(&b.err, CALCIFY_ENOMEM, "cannot start thread %d", t + 1);
            pthread_mutex_unlock(&b.lock);
            break;
        }
    for (int t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
    free(tid);
    pthread_mutex_destroy(&b.lock);
    if (b.st)
        *err = b.err;
    return b.st;
}
