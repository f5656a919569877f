/* sweep.c — threaded sweeps with results written in run_id order. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calcify/output.h"
#include "calcify/simulate.h"
#include "calcify/params.h"
#include "calcify/runner.h"
#include "calcify/sweep.h"
#include "run/pool.h"

/* varied names: each parameter and each scenario variable at most once */
enum { MAX_VARY = CALCIFY_MAX_PARAM + CALCIFY_SWEEP_MAX_VARS };

enum { WINDOW_PER_THREAD = 8 };

typedef struct {
    int ready;
    char *summary, *timeseries;   /* formatted rows (malloc'd by open_memstream) */
    size_t summary_len, timeseries_len;
    int failed;
} slot;

typedef struct {
    const calcify_sweep_opts *o;
    size_t written;       /* runs written: first + written   */
    size_t window;
    slot *slots;
    calcify_sweep_stats stats;
    calcify_status status;
    calcify_error err;
    calcify_probe probe;  /* the endpoints' reader of the scenario as given */
} sweep;

typedef struct {
    FILE *fp;
    long run_id;
    int precision;
} ts_ctx;

static int ts_row(void *user, const calcify_arm *arm, double t, size_t phase,
                  const double y[], const double obs[])
{
    (void)y;
    ts_ctx *c = user;
    fprintf(c->fp, "%ld,", c->run_id);
    return calcify_csv_write_row(c->fp, c->precision, arm->name, t, phase, obs,
                                 calcify_obs_count(arm->obs));
}

char *calcify_sweep_column(const calcify_scenario *sc, const calcify_vary *v, char *buf,
                           size_t cap)
{
    double unused;
    if (calcify_setting_column(sc, v->name, buf, cap, &unused))
        snprintf(buf, cap, "%s", v->name);
    return buf;
}

void calcify_sweep_write_header(FILE *fp, const calcify_scenario *sc,
                                const calcify_vary *vary, size_t n_vary,
                                const calcify_endpoints *e)
{
    fputs("run_id", fp);
    for (size_t j = 0; j < n_vary; j++) {
        char col[128];
        fprintf(fp, ",%s", calcify_sweep_column(sc, &vary[j], col, sizeof col));
    }
    fputs(",arm,status", fp);
    calcify_endpoints_write_names(fp, e);
    fputs(",steps,rhs_evals\n", fp);
}

static void summary_row(FILE *fp, const calcify_sweep_opts *o, size_t id,
                        const double *values, const char *arm, const char *status,
                        const double *v, unsigned long steps, unsigned long rhs)
{
    fprintf(fp, "%zu", id);
    calcify_csv_write_numbers(fp, CALCIFY_NUMFMT_SHORTEST, values, o->n_vary);
    fprintf(fp, ",%s,%s", arm, status);
    calcify_endpoints_write_values(fp, o->precision, v, calcify_endpoints_ncols(o->endpoints));
    fprintf(fp, ",%lu,%lu\n", steps, rhs);
}

/* The scenario of a run that varies variables: read again with them set
 * ("name=VALUE UNIT").  CALCIFY_EINPUT when a value is not admissible where
 * the variable is used. */
static calcify_status reload(const calcify_sweep_opts *o, const double *values,
                             calcify_scenario *out, calcify_error *err)
{
    char sets[CALCIFY_SWEEP_MAX_VARS][160];
    const char *ptr[CALCIFY_SWEEP_MAX_VARS];
    size_t n = 0;
    for (size_t j = 0; j < o->n_vary; j++) {
        if (o->vary[j].var < 0 || n == CALCIFY_SWEEP_MAX_VARS)
            continue; /* calcify_sweep_run refuses more */
        snprintf(sets[n], sizeof sets[n], "%s=%.17g%s%s", o->vary[j].name, values[j],
                 o->vary[j].unit[0] ? " " : "", o->vary[j].unit);
        ptr[n] = sets[n];
        n++;
    }
    return calcify_scenario_reload(o->sc, ptr, n, out, err);
}

/* The time series of a run's arms (after its summary: the baseline is
 * the simulator's memo by then). */
static void run_timeseries(const calcify_sweep_opts *o, calcify_sim *sim,
                           const calcify_scenario *sc, size_t id, FILE *ts)
{
    calcify_error err;
    double y0[CALCIFY_MAX_STATE];
    if (calcify_sim_baseline(sim, sc->baseline, y0, &err))
        return;
    for (size_t k = 0; k < sc->n_arms; k++)
        if (!o->selected || o->selected[k]) {
            ts_ctx c = {ts, (long)id, o->precision};
            calcify_sim_run_arm(sim, &sc->arms[k], y0, o->timeseries_step, ts_row, &c, &err);
        }
}

/* The summary rows of a run of probe p: each arm's endpoints and status
 * (every arm `invalid_input` when the run's values were refused). */
static int run_rows(const calcify_sweep_opts *o, calcify_sim *sim, const calcify_scenario *sc,
                    const calcify_probe *p, size_t id, const double *values, FILE *sum)
{
    const size_t ncol = calcify_endpoints_ncols(o->endpoints);
    double *v = calloc(ncol ? ncol : 1, sizeof *v), *run = NULL;
    unsigned char *arm_status = NULL;
    calcify_run_cost *cost = NULL;
    if (!v || !(run = malloc((p->n_out ? p->n_out : 1) * sizeof *run)) ||
        !(arm_status = malloc(p->n_arms ? p->n_arms : 1)) ||
        !(cost = calloc(p->n_arms ? p->n_arms : 1, sizeof *cost))) {
        free(v), free(run), free(arm_status);
        return -1;
    }
    calcify_error err;
    calcify_run_status rs = CALCIFY_RUN_INVALID_INPUT;
    if (sc) {
        rs = calcify_runner_run(sim, sc, p, NULL, -1, run, arm_status, cost, &err);
    } else {
        for (size_t i = 0; i < p->n_out; i++)
            run[i] = NAN;
        memset(arm_status, CALCIFY_RUN_INVALID_INPUT, p->n_arms ? p->n_arms : 1);
    }
    for (size_t a = 0; a < p->n_arms; a++) {
        calcify_endpoints_from_probe(o->endpoints, p, a, run, v);
        summary_row(sum, o, id, values, o->sc->arms[p->arms[a].arm].name,
                    calcify_run_status_name(arm_status[a]), v, cost[a].steps,
                    cost[a].rhs_evals);
    }
    free(v), free(run), free(arm_status), free(cost);
    return rs != CALCIFY_RUN_OK;
}

/* One run into its slot's buffers; 0 on success, -1 out of memory. */
static int run_one(sweep *s, calcify_sim *sim, calcify_paramset *ps, size_t id,
                   const double *values, slot *out)
{
    const calcify_sweep_opts *o = s->o;
    calcify_error err;
    calcify_scenario own;
    const calcify_scenario *sc = o->sc;
    const calcify_probe *p = &s->probe;
    calcify_probe own_probe = {0};
    int has_var = 0, input_ok = 1;
    for (size_t j = 0; j < o->n_vary; j++)
        has_var |= o->vary[j].var >= 0;
    if (has_var) {
        calcify_status st = reload(o, values, &own, &err);
        if (st == CALCIFY_ENOMEM)
            return -1;
        input_ok = st == CALCIFY_OK;
        if (input_ok) {
            sc = &own;
            calcify_paramset_free(ps);
            /* the varied scenario's arms, read by the same rule */
            if (calcify_paramset_copy(ps, &own.params) ||
                calcify_endpoints_probe(o->endpoints, &own, o->selected, &own_probe, &err)) {
                calcify_scenario_free(&own);
                return -1;
            }
            p = &own_probe;
        }
    }
    for (size_t j = 0; j < o->n_vary; j++)
        if (o->vary[j].param >= 0)
            ps->value[o->vary[j].param] = values[j];
    calcify_sim_set_params(sim, ps);
    FILE *sum = open_memstream(&out->summary, &out->summary_len);
    FILE *ts = o->timeseries && sum ? open_memstream(&out->timeseries, &out->timeseries_len)
                                    : NULL;
    int failed = sum && (!o->timeseries || ts)
                     ? run_rows(o, sim, input_ok ? sc : NULL, p, id, values, sum) : -1;
    out->failed = failed != 0;
    if (ts && input_ok && failed >= 0)
        run_timeseries(o, sim, sc, id, ts);
    calcify_probe_free(&own_probe);
    if (sc == &own) {
        calcify_sim_set_growth(sim, o->sc->growth); /* not the table freed here */
        calcify_scenario_free(&own);
        calcify_paramset_free(ps); /* back to the base set for the next run */
        if (calcify_paramset_copy(ps, &o->sc->params))
            return -1;
    }
    int bad = failed < 0 || !sum || (o->timeseries && !ts);
    if (sum)
        bad |= fclose(sum) != 0;
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
            /* time series before summary: a summary row on disk promises
             * that its run's time series is complete (see flush_each_run) */
            int ts_bad = (o->timeseries && sl->timeseries_len &&
                          fwrite(sl->timeseries, 1, sl->timeseries_len, o->timeseries) !=
                              sl->timeseries_len) ||
                         (o->flush_each_run && o->timeseries && fflush(o->timeseries) != 0);
            if (ts_bad || fwrite(sl->summary, 1, sl->summary_len, o->summary) != sl->summary_len ||
                (o->flush_each_run && fflush(o->summary) != 0)) {
                const char *name = ts_bad ? o->timeseries_name : o->summary_name;
                s->status = calcify_fail(&s->err, CALCIFY_EIO, "%s: write failed: %s",
                                         name ? name : "sweep", strerror(errno));
            }
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
}

/* A thread's simulator, parameter set, the values of the run it claimed
 * and that run's result. */
typedef struct {
    calcify_pool_sim run;
    double values[MAX_VARY];
    slot result;
} worker;

static calcify_status thread_start(void *user, void **state, calcify_error *err)
{
    worker *w = calloc(1, sizeof *w);
    if (!w)
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    *state = w;
    return calcify_pool_sim_open(&w->run, ((sweep *)user)->o->sc, err);
}

static void thread_end(void *user, void *state)
{
    (void)user;
    worker *w = state;
    if (w)
        calcify_pool_sim_close(&w->run);
    free(w);
}

/* A run waits until its result has room in the window. */
static int must_wait(void *user, size_t id)
{
    const sweep *s = user;
    return id >= s->o->first + s->written + s->window;
}

static int stop(void *user)
{
    sweep *s = user;
    if (s->status || !s->o->stop || !*s->o->stop)
        return s->status != CALCIFY_OK;
    s->stats.stopped = 1;
    return 1;
}

/* The design's values, in run_id order (claimed under the lock). */
static void claimed(void *user, void *state, size_t id)
{
    (void)id;
    calcify_design_next(((sweep *)user)->o->design, ((worker *)state)->values);
}

static calcify_status job(void *user, void *state, size_t id, calcify_error *err)
{
    worker *w = state;
    memset(&w->result, 0, sizeof w->result);
    if (run_one(user, w->run.sim, &w->run.ps, id, w->values, &w->result) == 0)
        return CALCIFY_OK;
    free(w->result.summary);
    free(w->result.timeseries);
    memset(&w->result, 0, sizeof w->result);
    return calcify_fail(err, CALCIFY_ENOMEM, "sweep: out of memory");
}

/* The run's result into its slot, and every ready one written. */
static int done(void *user, void *state, size_t id)
{
    sweep *s = user;
    worker *w = state;
    w->result.ready = 1;
    s->slots[id % s->window] = w->result;
    memset(&w->result, 0, sizeof w->result);
    flush_ready(s);
    return s->status != CALCIFY_OK;
}

calcify_status calcify_sweep_run(const calcify_sweep_opts *o, calcify_sweep_stats *stats,
                                 calcify_error *err)
{
    memset(stats, 0, sizeof *stats);
    if (!o->sc || !o->design || !o->endpoints)
        return calcify_fail(err, CALCIFY_EUSAGE, "sweep: scenario, design and endpoints "
                            "are required (calcify_endpoints_resolve makes the endpoints)");
    size_t n_vars = 0;
    for (size_t j = 0; j < o->n_vary; j++)
        n_vars += o->vary[j].var >= 0;
    const size_t np = calcify_paramset_model(&o->sc->params)->n_param;
    if (o->n_vary > np + CALCIFY_SWEEP_MAX_VARS || n_vars > CALCIFY_SWEEP_MAX_VARS)
        return calcify_fail(err, CALCIFY_EUSAGE, "at most %d varied parameters and %d "
                            "variables", (int)np, CALCIFY_SWEEP_MAX_VARS);
    if (o->last > calcify_design_runs(o->design) || o->first > o->last)
        return calcify_fail(err, CALCIFY_EUSAGE, "run range %zu..%zu outside the "
                            "design's %zu runs", o->first, o->last,
                            calcify_design_runs(o->design));
    sweep s = {.o = o, .status = CALCIFY_OK};
    int threads = o->threads < 1 ? 1 : o->threads;
    s.window = (size_t)threads * WINDOW_PER_THREAD;
    calcify_status pst = calcify_endpoints_probe(o->endpoints, o->sc, o->selected, &s.probe,
                                                 err);
    if (pst)
        return pst;
    if (!(s.slots = calloc(s.window, sizeof *s.slots))) {
        calcify_probe_free(&s.probe);
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    }
    /* the design is sequential: skip the runs before this shard */
    double skip[MAX_VARY];
    for (size_t i = 0; i < o->first; i++)
        calcify_design_next(o->design, skip);
    const calcify_pool_opts po = {.threads = threads, .first = o->first, .last = o->last,
                                  .user = &s, .thread_start = thread_start,
                                  .thread_end = thread_end, .must_wait = must_wait,
                                  .stop = stop, .claimed = claimed, .job = job, .done = done};
    calcify_error perr;
    pst = calcify_pool_run(&po, &perr);
    if (pst && !s.status) {
        s.status = pst;
        s.err = perr;
    }
    for (size_t i = 0; i < s.window; i++) {
        free(s.slots[i].summary);
        free(s.slots[i].timeseries);
    }
    free(s.slots);
    calcify_probe_free(&s.probe);
    *stats = s.stats;
    if (s.status)
        *err = s.err;
    return s.status;
}
