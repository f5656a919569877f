/* batch.c — runs of a scenario on threads, results stored by run id. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "calcify/batch.h"
#include "calcify/simulate.h"

const char *calcify_run_status_name(calcify_run_status s)
{
    switch (s) {
    case CALCIFY_RUN_OK: return "ok";
    case CALCIFY_RUN_NO_STEADY_STATE: return "no_steady_state";
    case CALCIFY_RUN_SOLVER_FAILED: return "solver_failed";
    default: return "not_run";
    }
}

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

typedef struct {
    const calcify_probe *p;
    const calcify_probe_arm *pa;
    size_t a;
    size_t row;
    double *v;      /* this run's vector */
} capture_ctx;

static int capture(void *user, const calcify_arm *arm, double t, size_t phase,
                   const double y[], const double obs[])
{
    (void)arm, (void)phase, (void)y;
    capture_ctx *c = user;
    if (!c->pa->slot_of_row || c->row < c->pa->n_rows) {
        long ti = c->pa->slot_of_row ? c->pa->slot_of_row[c->row]
                                     : calcify_probe_time_index(c->pa, t);
        for (size_t i = 0; ti >= 0 && i < c->p->n_obs; i++)
            c->v[calcify_probe_slot(c->p, c->a, (size_t)ti, i)] = obs[c->p->obs[i]];
    }
    c->row++;
    return 0;
}

static calcify_run_status run_one(const calcify_batch_opts *o, calcify_sim *sim,
                                  calcify_paramset *ps, size_t id, double *v)
{
    const calcify_probe *p = o->probe;
    for (size_t j = 0; j < o->n_params; j++)
        ps->value[o->params[j]] = o->values[id * o->n_params + j];
    calcify_sim_set_params(sim, ps);
    for (size_t i = 0; i < p->n_out; i++)
        v[i] = NAN;
    calcify_error err;
    const calcify_growth *g = o->growth ? o->growth[id] : NULL;
    if (g)
        calcify_sim_set_growth(sim, g);
    double y0[CALCIFY_NSTATE];
    calcify_run_status rs = CALCIFY_RUN_OK;
    if (calcify_sim_baseline(sim, o->sc->baseline, y0, &err))
        rs = CALCIFY_RUN_NO_STEADY_STATE;
    for (size_t a = 0; rs != CALCIFY_RUN_NO_STEADY_STATE && a < p->n_arms; a++) {
        if (o->run_arm && o->run_arm[id] != a)
            continue;
        capture_ctx c = {p, &p->arms[a], a, 0, v};
        calcify_arm arm = p->arms[a].run;
        if (g)
            arm.growth = NULL; /* the run's own table, set above */
        calcify_sim_set_boundary_rows(sim, p->arms[a].boundary_rows);
        calcify_status ra = calcify_sim_run_arm(sim, &arm, y0, p->arms[a].dt, capture, &c,
                                                &err);
        calcify_sim_set_boundary_rows(sim, 0);
        if (ra) {
            /* rows before the failure were kept; the run's values are not */
            for (size_t i = 0; i < p->arms[a].n_times * p->n_obs; i++)
                v[p->arms[a].offset + i] = NAN;
            rs = CALCIFY_RUN_SOLVER_FAILED;
        }
    }
    if (g)
        calcify_sim_set_growth(sim, o->sc->growth);
    return rs;
}

static void *worker(void *arg)
{
    batch *b = arg;
    const calcify_batch_opts *o = b->o;
    calcify_error err;
    calcify_sim *sim = calcify_sim_alloc(&o->sc->params, o->sc->method, o->sc->rtol,
                                         o->sc->atol, &err);
    /* the scenario's growth table, as calcify_sim_run_scenario sets it:
     * without it every run kept the parameters' constant body weight */
    if (sim)
        calcify_sim_set_growth(sim, o->sc->growth);
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
