/* pool.c — the one thread pool: jobs claimed in order, on N threads. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "run/pool.h"

typedef struct {
    const calcify_pool_opts *o;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    size_t next;
    int stopped;
    calcify_status st;
    calcify_error err;
} pool;

/* The first failure stops the pool; lock held. */
static void fail(pool *p, calcify_status st, const calcify_error *err)
{
    if (!p->st) {
        p->st = st;
        p->err = *err;
    }
    pthread_cond_broadcast(&p->wake);
}

static void *worker(void *arg)
{
    pool *p = arg;
    const calcify_pool_opts *o = p->o;
    calcify_error err;
    void *state = NULL;
    calcify_status st = o->thread_start ? o->thread_start(o->user, &state, &err) : CALCIFY_OK;
    pthread_mutex_lock(&p->lock);
    if (st)
        fail(p, st, &err);
    for (;;) {
        while (!p->st && !p->stopped && p->next < o->last && o->must_wait &&
               o->must_wait(o->user, p->next))
            pthread_cond_wait(&p->wake, &p->lock);
        if (p->st || p->stopped || p->next >= o->last)
            break;
        if (o->stop && o->stop(o->user)) {
            p->stopped = 1;
            pthread_cond_broadcast(&p->wake);
            break;
        }
        size_t id = p->next++;
        if (o->claimed)
            o->claimed(o->user, state, id);
        pthread_mutex_unlock(&p->lock);
        st = o->job(o->user, state, id, &err);
        pthread_mutex_lock(&p->lock);
        if (st) {
            fail(p, st, &err);
            break;
        }
        if (o->done && o->done(o->user, state, id))
            p->stopped = 1;
        pthread_cond_broadcast(&p->wake);
    }
    pthread_mutex_unlock(&p->lock);
    if (o->thread_end)
        o->thread_end(o->user, state);
    return NULL;
}

calcify_status calcify_pool_run(const calcify_pool_opts *o, calcify_error *err)
{
    pool p = {.o = o, .next = o->first, .st = CALCIFY_OK};
    size_t jobs = o->last > o->first ? o->last - o->first : 0;
    int threads = o->threads < 1 ? 1 : o->threads;
    if (jobs && (size_t)threads > jobs)
        threads = (int)jobs;
    pthread_t *tid = calloc((size_t)threads, sizeof *tid);
    if (!tid)
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    pthread_mutex_init(&p.lock, NULL);
    pthread_cond_init(&p.wake, NULL);
    int started = 0;
    for (int t = 0; t < threads; t++, started++)
        if (pthread_create(&tid[t], NULL, worker, &p) != 0) {
            calcify_error e;
            calcify_fail(&e, CALCIFY_ENOMEM, "cannot start thread %d", t + 1);
            pthread_mutex_lock(&p.lock);
            fail(&p, CALCIFY_ENOMEM, &e);
            pthread_mutex_unlock(&p.lock);
            break;
        }
    for (int t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
    free(tid);
    pthread_mutex_destroy(&p.lock);
    pthread_cond_destroy(&p.wake);
    if (p.st)
        *err = p.err;
    return p.st;
}

calcify_status calcify_pool_sim_open(calcify_pool_sim *w, const calcify_scenario *sc,
                                     calcify_error *err)
{
    memset(w, 0, sizeof *w);
    if (!(w->sim = calcify_sim_alloc(&sc->params, sc->method, sc->rtol, sc->atol, err)))
        return CALCIFY_EUSAGE;
    if (calcify_paramset_copy(&w->ps, &sc->params)) {
        calcify_sim_free(w->sim);
        w->sim = NULL;
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    }
    return CALCIFY_OK;
}

void calcify_pool_sim_close(calcify_pool_sim *w)
{
    if (!w || !w->sim)
        return;
    calcify_paramset_free(&w->ps);
    calcify_sim_free(w->sim);
    w->sim = NULL;
}
