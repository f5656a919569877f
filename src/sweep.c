/* sweep.c — threaded sweeps with results written in run_id order. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calcify/output.h"
#include "calcify/simulate.h"
#include "calcify/summary.h"
#include "calcify/sweep.h"

enum { WINDOW_PER_THREAD = 8 };

typedef struct {
    int ready;
    char *summary, *timeseries;   /* formatted rows (malloc'd by open_memstream) */
    size_t summary_len, timeseries_len;
    int failed;
} slot;

typedef struct {
    const calcify_sweep_opts *o;
    pthread_mutex_t lock;
    pthread_cond_t room;
    size_t next;          /* next run_id to claim           */
    size_t written;       /* runs written: first + written   */
    size_t window;
    slot *slots;
    calcify_sweep_stats stats;
    calcify_status status;
    calcify_error err;
} sweep;

typedef struct {
    FILE *fp;
    long run_id;
    int precision;
} ts_ctx;

static int ts_row(void *user, const calcify_arm *arm, double t, size_t phase,
                  const double y[], const double obs[CALCIFY_NOBS])
{
    (void)y;
    ts_ctx *c = user;
    fprintf(c->fp, "%ld,", c->run_id);
    return calcify_csv_write_row(c->fp, c->precision, arm->name, t, phase, obs);
}

/* One run into its slot's buffers; 0 on success, -1 out of memory. */
static int run_one(sweep *s, calcify_sim *sim, calcify_paramset *ps, size_t id,
                   const double *values, slot *out)
{
    const calcify_sweep_opts *o = s->o;
    for (size_t j = 0; j < o->n_vary; j++)
        ps->value[o->vary[j].param] = values[j];
    calcify_sim_set_params(sim, ps);
    FILE *sum = open_memstream(&out->summary, &out->summary_len);
    FILE *ts = o->timeseries ? open_memstream(&out->timeseries, &out->timeseries_len) : NULL;
    if (!sum || (o->timeseries && !ts)) {
        if (sum)
            fclose(sum);
        if (ts)
            fclose(ts);
        return -1;
    }
    calcify_error err;
    double y0[CALCIFY_NSTATE];
    calcify_sim_set_growth(sim, o->sc->growth);
    int baseline_ok = calcify_sim_baseline(sim, o->sc->baseline, y0, &err) == CALCIFY_OK;
    out->failed = !baseline_ok;
    for (size_t k = 0; k < o->sc->n_arms; k++) {
        if (o->selected && !o->selected[k])
            continue;
        const calcify_arm *arm = &o->sc->arms[k];
        calcify_arm_summary a;
        if (!baseline_ok)
            calcify_arm_summary_failed(&a, "no_steady_state");
        else if (calcify_sim_summarize_arm(sim, arm, y0, &a, &err))
            out->failed = 1;
        calcify_summary_write_row(sum, o->precision, (long)id, values, o->n_vary,
                                  arm->name, &a);
        if (ts && baseline_ok) {
            ts_ctx c = {ts, (long)id, o->precision};
            calcify_sim_run_arm(sim, arm, y0, o->timeseries_step, ts_row, &c, &err);
        }
    }
    int bad = fclose(sum) != 0;
    if (ts)
        bad |= fclose(ts) != 0;
    return bad ? -1 : 0;
}

/* Write every ready result at the head of the window; lock held. */
static void flush_ready(sweep *s)
{
    const calcify_sweep_opts *o = s->o;
    for (;;) {
        slot *sl = &s->slots[(o->first + s->written) % s->window];
        if (!sl->ready)
            break;
        if (s->status == CALCIFY_OK) {
            if (fwrite(sl->summary, 1, sl->summary_len, o->summary) != sl->summary_len ||
                (o->timeseries && sl->timeseries_len &&
                 fwrite(sl->timeseries, 1, sl->timeseries_len, o->timeseries) !=
                     sl->timeseries_len))
                s->status = calcify_fail(&s->err, CALCIFY_EIO, "sweep: write failed");
        }
        s->stats.failed += sl->failed;
        free(sl->summary);
        free(sl->timeseries);
        memset(sl, 0, sizeof *sl);
        s->written++;
        s->stats.runs++;
        if (o->progress)
            o->progress(o->user, s->written, o->last - o->first);
    }
    pthread_cond_broadcast(&s->room);
}

static void *worker(void *arg)
{
    sweep *s = arg;
    const calcify_sweep_opts *o = s->o;
    calcify_error err;
    calcify_sim *sim = calcify_sim_alloc(&o->sc->params, o->sc->method, o->sc->rtol,
                                         o->sc->atol, &err);
    calcify_paramset ps;
    int have_ps = calcify_paramset_copy(&ps, &o->sc->params) == CALCIFY_OK;
    double values[CALCIFY_NPARAM]; /* each parameter is varied at most once */
    pthread_mutex_lock(&s->lock);
    if (!sim || !have_ps) {
        s->status = calcify_fail(&s->err, sim ? CALCIFY_ENOMEM : CALCIFY_EUSAGE, "%s",
                                 sim ? "out of memory" : err.msg);
        pthread_cond_broadcast(&s->room);
    }
    for (;;) {
        while (s->status == CALCIFY_OK && s->next < o->last &&
               s->next >= o->first + s->written + s->window)
            pthread_cond_wait(&s->room, &s->lock);
        if (s->status != CALCIFY_OK || s->next >= o->last)
            break;
        size_t id = s->next++;
        calcify_design_next(o->design, values); /* in run_id order, under the lock */
        pthread_mutex_unlock(&s->lock);

        slot result = {0};
        int rc = run_one(s, sim, &ps, id, values, &result);

        pthread_mutex_lock(&s->lock);
        if (rc) {
            free(result.summary);
            free(result.timeseries);
            s->status = calcify_fail(&s->err, CALCIFY_ENOMEM, "sweep: out of memory");
            pthread_cond_broadcast(&s->room);
            break;
        }
        result.ready = 1;
        s->slots[id % s->window] = result;
        flush_ready(s);
    }
    pthread_mutex_unlock(&s->lock);
    if (have_ps)
        calcify_paramset_free(&ps);
    calcify_sim_free(sim);
    return NULL;
}

calcify_status calcify_sweep_run(const calcify_sweep_opts *o, calcify_sweep_stats *stats,
                                 calcify_error *err)
{
    memset(stats, 0, sizeof *stats);
    if (o->n_vary > CALCIFY_NPARAM)
        return calcify_fail(err, CALCIFY_EUSAGE, "at most %d varied parameters", CALCIFY_NPARAM);
    if (o->last > calcify_design_runs(o->design) || o->first > o->last)
        return calcify_fail(err, CALCIFY_EUSAGE, "run range %zu..%zu outside the "
                            "design's %zu runs", o->first, o->last,
                            calcify_design_runs(o->design));
    sweep s = {.o = o, .next = o->first, .status = CALCIFY_OK};
    int threads = o->threads < 1 ? 1 : o->threads;
    s.window = (size_t)threads * WINDOW_PER_THREAD;
    if (!(s.slots = calloc(s.window, sizeof *s.slots)))
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    /* the design is sequential: skip the runs before this shard */
    double skip[CALCIFY_NPARAM];
    for (size_t i = 0; i < o->first; i++)
        calcify_design_next(o->design, skip);
    pthread_mutex_init(&s.lock, NULL);
    pthread_cond_init(&s.room, NULL);
    pthread_t *tid = calloc((size_t)threads, sizeof *tid);
    int started = 0;
    if (!tid)
        s.status = calcify_fail(&s.err, CALCIFY_ENOMEM, "out of memory");
    for (int t = 0; tid && t < threads; t++, started++)
        if (pthread_create(&tid[t], NULL, worker, &s) != 0) {
            pthread_mutex_lock(&s.lock);
            s.status = calcify_fail(&s.err, CALCIFY_ENOMEM, "cannot start thread %d", t + 1);
            pthread_cond_broadcast(&s.room);
            pthread_mutex_unlock(&s.lock);
            break;
        }
    for (int t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
    for (size_t i = 0; i < s.window; i++) {
        free(s.slots[i].summary);
        free(s.slots[i].timeseries);
    }
    free(s.slots);
    free(tid);
    pthread_mutex_destroy(&s.lock);
    pthread_cond_destroy(&s.room);
    *stats = s.stats;
    if (s.status)
        *err = s.err;
    return s.status;
}
