/* bench.c — what a five-arm scenario costs on this machine, and how
 * accurate it is, per stepper and for the default.
 *
 *   ninja -C build bench                     (the usual way)
 *   build/bench/calcify-bench [SCENARIO [SWEEP_RUNS]]
 *
 * For every stepper at rtol 1e-6, atol 1e-9: CPU µs per scenario (baseline
 * steady state + every arm, median of interleaved rounds), RHS evaluations,
 * accepted steps, and the error of its daily rows against a reference
 * (rk8pd, rtol 1e-12, steps landing on every row): the worst over arms,
 * days and observables of |x − ref| divided by the observable's range over
 * the reference.  Then daily rows vs endpoint rows for the default, the
 * unit costs of one RHS and one Jacobian, and sweep throughput (endpoint
 * rows, 1 and 2 threads).  CPU time is the thread's own, so other work on
 * the machine inflates it little. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_odeiv2.h>

#include "calcify/simulate.h"
#include "calcify/endpoints.h"
#include "calcify/params.h"
#include "calcify/runner.h"
#include "calcify/sweep.h"

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static double process_cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Rows of one run: obs[(arm * days + day) * NOBS + k]. */
typedef struct {
    const calcify_scenario *sc;
    size_t days;
    double *obs;
    size_t arm;
} rows;

static int keep_row(void *user, const calcify_arm *arm, double t, size_t phase,
                    const double y[], const double obs[CALCIFY_NOBS])
{
    (void)phase, (void)y;
    rows *r = user;
    size_t a = (size_t)(arm - r->sc->arms), d = (size_t)lround(t);
    if (a < r->sc->n_arms && d < r->days)
        memcpy(r->obs + (a * r->days + d) * CALCIFY_NOBS, obs, sizeof(double) * CALCIFY_NOBS);
    return 0;
}

static calcify_sim *make_sim(const calcify_scenario *sc, const char *method, double rtol,
                             double atol)
{
    calcify_error err;
    calcify_sim *sim = calcify_sim_alloc(&sc->params, method, rtol, atol, &err);
    if (!sim)
        fprintf(stderr, "%s: %s\n", method, err.msg);
    return sim;
}

/* One scenario run; its CPU seconds, or a negative number on failure. */
static double run_once(calcify_sim *sim, const calcify_scenario *sc, double dt, rows *r)
{
    calcify_error err;
    calcify_sim_forget_baseline(sim); /* every run solves it, as one calcify run does */
    double t0 = cpu_now();
    calcify_status st = calcify_sim_run_scenario(sim, sc, NULL, dt, r ? keep_row : NULL, r, &err);
    double t = cpu_now() - t0;
    if (st) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    return t;
}

/* Worst scaled error of run against ref (ranges over ref). */
static double worst_error(const rows *ref, const rows *run, int *worst_obs)
{
    size_t n = ref->sc->n_arms * ref->days;
    double worst = 0;
    *worst_obs = 0;
    for (int k = 0; k < CALCIFY_NOBS; k++) {
        double lo = INFINITY, hi = -INFINITY;
        for (size_t i = 0; i < n; i++) {
            lo = fmin(lo, ref->obs[i * CALCIFY_NOBS + k]);
            hi = fmax(hi, ref->obs[i * CALCIFY_NOBS + k]);
        }
        double range = hi > lo ? hi - lo : fmax(fabs(hi), 1e-300);
        for (size_t i = 0; i < n; i++) {
            double e = fabs(run->obs[i * CALCIFY_NOBS + k] - ref->obs[i * CALCIFY_NOBS + k]) / range;
            if (!(e <= worst)) {
                worst = e;
                *worst_obs = k;
            }
        }
    }
    return worst;
}

/* The floor: what GSL's explicit pair costs on this model with nothing
 * else — the bare rkck driver (gsl_odeiv2_driver_apply) on the bare RHS,
 * the same arm-phases calcify integrates (a phase prefix shared with an
 * earlier arm once, a phase starting at its own equilibrium not at all),
 * no rows, no baseline (y0 given).  Returns CPU s; counts in *steps, *rhs. */
typedef struct {
    const calcify_model *m;
    double u[CALCIFY_NU];
    unsigned long n_rhs;
} floor_ctx;

static int floor_rhs(double t, const double y[], double f[], void *params)
{
    (void)t;
    floor_ctx *c = params;
    c->n_rhs++;
    return calcify_model_rhs(c->m, y, f, c->u);
}

static int same_diet_prefix(const calcify_arm *a, const calcify_arm *b, size_t n)
{
    if (a->n_phases <= n || b->n_phases <= n)
        return 0;
    for (size_t p = 0; p < n; p++)
        if (a->phases[p].duration != b->phases[p].duration ||
            memcmp(a->phases[p].diet, b->phases[p].diet, sizeof a->phases[p].diet) ||
            a->phases[p].n_doses || b->phases[p].n_doses)
            return 0;
    return 1;
}

static double floor_run(const calcify_scenario *sc, const calcify_model *m,
                        const double y0[CALCIFY_NSTATE], unsigned long *steps,
                        unsigned long *rhs)
{
    floor_ctx c = {m, {0}, 0};
    gsl_odeiv2_system sys = {floor_rhs, NULL, CALCIFY_NSTATE, &c};
    gsl_odeiv2_driver *d = gsl_odeiv2_driver_alloc_y_new(&sys, gsl_odeiv2_step_rkck, 1e-4,
                                                         1e-9, 1e-6);
    enum { MAX_SHARED = 16 };
    double saved[MAX_SHARED][CALCIFY_NSTATE];
    *steps = 0;
    double t0 = cpu_now();
    for (size_t a = 0; a < sc->n_arms; a++) {
        const calcify_arm *arm = &sc->arms[a];
        double y[CALCIFY_NSTATE], t = 0;
        memcpy(y, y0, sizeof y);
        size_t p0 = 0;
        /* longest prefix shared with an earlier arm: its end state is saved */
        for (size_t b = 0; b < a; b++)
            for (size_t n = arm->n_phases - 1; n > p0 && n <= MAX_SHARED; n--)
                if (same_diet_prefix(arm, &sc->arms[b], n)) {
                    p0 = n;
                    break;
                }
        if (p0 > 0)
            memcpy(y, saved[p0 - 1], sizeof y);
        for (size_t p = 0; p < p0; p++)
            t += arm->phases[p].duration;
        for (size_t p = p0; p < arm->n_phases; p++) {
            const double t1 = t + arm->phases[p].duration;
            calcify_model_inputs(m, arm->phases[p].diet, c.u);
            double f[CALCIFY_NSTATE];
            int still = 1;
            calcify_model_rhs(m, y, f, c.u);
            for (int i = 0; i < CALCIFY_NSTATE; i++)
                if (fabs(f[i]) * (t1 - t) > 1e-3 * (1e-9 + 1e-6 * fabs(y[i])))
                    still = 0;
            if (!still) {
                gsl_odeiv2_driver_reset_hstart(d, 1e-4);
                if (gsl_odeiv2_driver_apply(d, &t, t1, y) != GSL_SUCCESS)
                    break;
                *steps += d->n;
            }
            t = t1;
            if (p < MAX_SHARED)
                memcpy(saved[p], y, sizeof y);
        }
    }
    double dt = cpu_now() - t0;
    *rhs = c.n_rhs;
    gsl_odeiv2_driver_free(d);
    return dt;
}

typedef struct {
    const char *method;
    calcify_sim *sim;
    double *t;                 /* CPU s per round */
    unsigned long rhs, steps, jac;
    double err;
    int err_obs;
} entry;

/* Parameters (not scenario variables) a design of library_runs may vary. */
enum { MAX_VARY = 16 };

/* Design runs (LHS over `vary`, parameters only, seed 1) through the
 * library only, with `method`: each run through calcify_runner_run with the
 * endpoints' probe made once, as each run of `calcify sweep` goes.  CPU s
 * a run; steps and RHS calls of a whole run (every arm) into *steps, *rhs
 * if given, over the runs that succeeded (NAN if none did). */
static double library_runs(const calcify_scenario *sc, const char *method,
                           const calcify_vary *vary, size_t n_vary,
                           const calcify_endpoints *endpoints, long n, double *steps,
                           double *rhs)
{
    calcify_error err;
    int ok = n_vary <= MAX_VARY;
    for (size_t k = 0; ok && k < n_vary; k++)
        ok = vary[k].param >= 0;
    if (!ok) {
        fprintf(stderr, "library_runs: at most %d parameters, no scenario variables\n",
                (int)MAX_VARY);
        return NAN;
    }
    calcify_probe probe;
    if (calcify_endpoints_probe(endpoints, sc, NULL, &probe, &err)) {
        fprintf(stderr, "library_runs: %s\n", err.msg);
        return NAN;
    }
    calcify_design *d = calcify_design_alloc(CALCIFY_DESIGN_LHS, vary, n_vary, (size_t)n, 1,
                                             &err);
    calcify_sim *sim = make_sim(sc, method, sc->rtol, sc->atol);
    calcify_paramset ps;
    double *v = malloc((probe.n_out ? probe.n_out : 1) * sizeof *v);
    calcify_run_cost *cost = calloc(probe.n_arms ? probe.n_arms : 1, sizeof *cost);
    double per_run = NAN;
    unsigned long all_steps = 0, all_rhs = 0, good = 0;
    if (d && sim && v && cost && calcify_paramset_copy(&ps, &sc->params) == CALCIFY_OK) {
        double values[MAX_VARY], t0 = cpu_now();
        long runs = 0;
        while (calcify_design_next(d, values) >= 0) {
            for (size_t k = 0; k < n_vary; k++)
                ps.value[vary[k].param] = values[k];
            calcify_sim_set_params(sim, &ps);
            runs++;
            if (calcify_runner_run(sim, sc, &probe, NULL, -1, v, NULL, cost, &err) !=
                CALCIFY_RUN_OK)
                continue;
            for (size_t a = 0; a < probe.n_arms; a++) {
                all_steps += cost[a].steps;
                all_rhs += cost[a].rhs_evals;
            }
            good++;
        }
        per_run = (cpu_now() - t0) / (double)(runs ? runs : 1);
        if (steps)
            *steps = good ? (double)all_steps / (double)good : NAN;
        if (rhs)
            *rhs = good ? (double)all_rhs / (double)good : NAN;
        calcify_paramset_free(&ps);
    }
    free(cost);
    free(v);
    calcify_sim_free(sim);
    calcify_design_free(d);
    calcify_probe_free(&probe);
    return per_run;
}

/* Endpoint-only runs over the design of `vary` (the sweep's: baseline and
 * every arm to its endpoints) of the default, of rkck and, with `old`, of
 * auto-rodas4, in alternating rounds: the fastest of 3 rounds' CPU per run
 * into best[0..2]; the default's steps and RHS calls a run.  -1 if the
 * endpoints do not resolve. */
static int ratio_rounds(const calcify_scenario *sc, const calcify_vary *vary, size_t nv, long n,
                        int old, double best[3], double *steps, double *rhs)
{
    calcify_error err;
    calcify_endpoints endpoints = {0};
    if (calcify_endpoints_resolve(sc, NULL, NULL, 0, NULL, 0, &endpoints, &err)) {
        fprintf(stderr, "endpoints: %s\n", err.msg);
        return -1;
    }
    best[0] = best[1] = best[2] = INFINITY;
    for (int round = 0; round < 3; round++) {
        best[0] = fmin(best[0], library_runs(sc, sc->method, vary, nv, &endpoints, n, steps, rhs));
        if (old)
            best[2] = fmin(best[2], library_runs(sc, "auto-rodas4", vary, nv, &endpoints, n,
                                                 NULL, NULL));
        best[1] = fmin(best[1], library_runs(sc, "rkck", vary, nv, &endpoints, n, NULL, NULL));
    }
    calcify_endpoints_free(&endpoints);
    return 0;
}

/* The sweep's two parameters, as the "default against --method
 * rkck, an endpoint-only sweep, one thread". */
static void endpoint_ratio(const calcify_scenario *sc, const char *label, long n)
{
    calcify_error err;
    calcify_vary vary[2];
    calcify_vary_parse("warfarin_thalf=5:50:log", &vary[0], &err);
    calcify_vary_parse("ca_reg_max=0.005:0.05", &vary[1], &err);
    double best[3], steps, rhs;
    if (ratio_rounds(sc, vary, 2, n, 1, best, &steps, &rhs))
        return;
    printf("endpoint-only runs, %s (%ld runs, fastest of 3 rounds): default %.0f us, "
           "rkck %.0f us a run: default %.2fx faster; auto-rodas4 %.0f us (default / it %.2f)\n",
           label, n, 1e6 * best[0], 1e6 * best[1], best[1] / best[0], 1e6 * best[2],
           best[0] / best[2]);
}

/* The same comparison over a wider stretch of parameter space: twelve of the
 * model's rates and capacities, each from half to twice the scenario's value
 * (log-uniform, jointly, LHS).  The nominal point can hide what a sweep
 * meets: on 2026-12-07 a third of the half-lives in the sweep above left
 * auto explicit for hundreds of steps while the nominal run was fine
 * (bench/README.md). */
static void joint_ratio(const calcify_scenario *sc, const char *label, long n)
{
    static const char *const names[] = {
        "warfarin_thalf", "ca_reg_max", "vkor_ec50", "mgp_kdeg", "liver_vkor",
        "aorta_mk4_kel", "vsmc_switch_on", "aorta_ggcx_vmax", "ca_dep_max", "warfarin_ka",
        "k1_cl_liver", "mgp_induction"};
    enum { NN = sizeof names / sizeof names[0] };
    _Static_assert((int)NN <= (int)MAX_VARY, "library_runs varies at most MAX_VARY parameters");
    calcify_error err;
    calcify_vary vary[NN];
    size_t nv = 0;
    for (size_t k = 0; k < NN; k++) {
        const int p = calcify_param_find(names[k]);
        char spec[128];
        if (p < 0 || !(sc->params.value[p] > 0)) /* a log range needs a value above 0 */
            continue;
        snprintf(spec, sizeof spec, "%s=%.17g:%.17g:log", names[k], sc->params.value[p] / 2,
                 sc->params.value[p] * 2);
        if (calcify_vary_parse(spec, &vary[nv], &err) == CALCIFY_OK)
            nv++;
    }
    double best[3], steps = 0, rhs = 0;
    if (ratio_rounds(sc, vary, nv, n, 0, best, &steps, &rhs))
        return;
    printf("endpoint-only runs, %s, %zu parameters, each 0.5-2x, jointly (%ld runs, fastest of 3 "
           "rounds): default %.0f us (%.0f steps, %.0f rhs a run of every arm), rkck %.0f us: "
           "default %.2fx faster\n",
           label, nv, n, 1e6 * best[0], steps, rhs, 1e6 * best[1], best[1] / best[0]);
}

/* A long horizon: where auto hands phases to Rodas4.  Its default, rodas4, bdf, msbdf and
 * rkck on `path` (rows at its output step), CPU ms (median of 9 interleaved rounds) and error
 * against rk8pd 1e-12; nothing if the file does not load. */
static void long_horizon(const char *path)
{
    calcify_scenario sc;
    calcify_error err;
    if (calcify_scenario_load(path, &sc, &err))
        return;
    double longest = 0;
    for (size_t a = 0; a < sc.n_arms; a++)
        longest = fmax(longest, calcify_arm_duration(&sc.arms[a]));
    const size_t days = (size_t)floor(longest + 1e-9) + 1;
    const size_t cells = sc.n_arms * days * CALCIFY_NOBS;
    rows ref = {&sc, days, calloc(cells, sizeof(double)), 0};
    rows run = {&sc, days, calloc(cells, sizeof(double)), 0};
    calcify_sim *rsim = make_sim(&sc, "rk8pd", 1e-12, 1e-15);
    if (ref.obs && run.obs && rsim) {
        calcify_solver_land_on_grid(calcify_sim_solver(rsim), 1);
        if (run_once(rsim, &sc, sc.output_step, &ref) >= 0) {
            printf("\nlong horizon, %s (%zu arms, %.0f d, rows every %g d):\n", path,
                   sc.n_arms, longest, sc.output_step);
            const char *methods[] = {sc.method, "auto-rodas4", "rodas4", "bdf", "msbdf", "rkck"};
            enum { NL = sizeof methods / sizeof methods[0], LROUNDS = 9 };
            calcify_sim *sims[NL];
            unsigned long steps[NL], rhs[NL], jac[NL];
            double errs[NL], t[NL][LROUNDS];
            int worst_obs[NL];
            for (int i = 0; i < NL; i++) {
                sims[i] = make_sim(&sc, methods[i], sc.rtol, sc.atol);
                if (!sims[i])
                    continue;
                calcify_solver *sv = calcify_sim_solver(sims[i]);
                calcify_solver_reset_counters(sv);
                if (run_once(sims[i], &sc, sc.output_step, &run) < 0) {
                    calcify_sim_free(sims[i]);
                    sims[i] = NULL;
                    continue;
                }
                steps[i] = calcify_solver_steps(sv);
                rhs[i] = calcify_solver_rhs_evals(sv);
                jac[i] = calcify_solver_jac_evals(sv);
                worst_obs[i] = 0;
                errs[i] = worst_error(&ref, &run, &worst_obs[i]);
            }
            /* interleaved rounds, as on the main scenario */
            for (int r = 0; r < LROUNDS; r++)
                for (int i = 0; i < NL; i++)
                    if (sims[i])
                        t[i][r] = run_once(sims[i], &sc, sc.output_step, NULL);
            for (int i = 0; i < NL; i++) {
                if (!sims[i])
                    continue;
                qsort(t[i], LROUNDS, sizeof(double), cmp);
                printf("%-16s %8.2f ms %9lu rhs %7lu steps %5lu jac  error %.2g (%s)\n",
                       i == 0 ? "default" : methods[i], 1e3 * t[i][LROUNDS / 2], rhs[i],
                       steps[i], jac[i], errs[i], calcify_obs_names[worst_obs[i]]);
                calcify_sim_free(sims[i]);
            }
            endpoint_ratio(&sc, "two years", 20);
            joint_ratio(&sc, "two years", 20);
        }
    }
    calcify_sim_free(rsim);
    free(ref.obs);
    free(run.obs);
    calcify_scenario_free(&sc);
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    const char *path = argc > 1 ? argv[1] : "models/vermeer2007.cfg";
    long sweep_runs = argc > 2 ? atol(argv[2]) : 3000;
    calcify_scenario sc;
    calcify_error err;
    if (calcify_scenario_load(path, &sc, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    double longest = 0;
    for (size_t a = 0; a < sc.n_arms; a++)
        longest = fmax(longest, calcify_arm_duration(&sc.arms[a]));
    const size_t days = (size_t)floor(longest + 1e-9) + 1;
    const size_t cells = sc.n_arms * days * CALCIFY_NOBS;

    /* the reference */
    rows ref = {&sc, days, calloc(cells, sizeof(double)), 0};
    calcify_sim *rsim = make_sim(&sc, "rk8pd", 1e-12, 1e-15);
    if (!rsim)
        return 1;
    calcify_solver_land_on_grid(calcify_sim_solver(rsim), 1);
    if (run_once(rsim, &sc, 1.0, &ref) < 0)
        return 1;
    calcify_sim_free(rsim);

    const char *methods[] = {sc.method, "auto-rodas4", "rodas4", "bdf", "msbdf", "rkf45", "rkck", "rk8pd", "msadams",
                             "rk4imp", "bsimp"};
    enum { N_METHODS = sizeof methods / sizeof methods[0], ROUNDS = 15 };
    entry e[N_METHODS];
    rows run = {&sc, days, calloc(cells, sizeof(double)), 0};
    /* bsimp takes about 4 s on the 12-week scenario: on a longer one it is
     * left out rather than run for minutes */
    const int skip_slow = longest > 200;
    for (int i = 0; i < N_METHODS; i++) {
        e[i] = (entry){methods[i], make_sim(&sc, methods[i], 1e-6, 1e-9),
                       calloc(ROUNDS, sizeof(double)), 0, 0, 0, NAN, 0};
        if (!e[i].sim)
            return 1;
        if (skip_slow && !strcmp(methods[i], "bsimp")) {
            e[i].t[0] = NAN;
            continue;
        }
        calcify_solver *s = calcify_sim_solver(e[i].sim);
        calcify_solver_reset_counters(s);
        if (run_once(e[i].sim, &sc, 1.0, &run) < 0)
            continue;
        e[i].rhs = calcify_solver_rhs_evals(s);
        e[i].steps = calcify_solver_steps(s);
        e[i].jac = calcify_solver_jac_evals(s);
        e[i].err = worst_error(&ref, &run, &e[i].err_obs);
    }
    /* interleaved rounds: every method once per round; a method slower than
     * 50 ms a run (bsimp) is timed in the first round only */
    for (int r = 0; r < ROUNDS; r++)
        for (int i = 0; i < N_METHODS; i++) {
            if (isnan(e[i].t[0]) && r == 0)
                continue;
            if (r > 0 && !(e[i].t[0] <= 0.05)) {
                e[i].t[r] = e[i].t[0];
                continue;
            }
            e[i].t[r] = run_once(e[i].sim, &sc, 1.0, NULL);
        }
    printf("scenario %s: %zu arms, daily rows, rtol 1e-6, atol 1e-9, CPU time, median of %d "
           "interleaved rounds\nerror: worst |x - ref| / range of the observable, ref = rk8pd "
           "rtol 1e-12 landing on every row\n\n", path, sc.n_arms, ROUNDS);
    printf("%-16s %10s %9s %8s %6s %10s  %s\n", "stepper", "us", "rhs", "steps", "jac", "error",
           "worst observable");
    double default_us = 0, msbdf_us = 0;
    for (int i = 0; i < N_METHODS; i++) {
        if (isnan(e[i].t[0])) {
            printf("%-16s skipped: a scenario over 200 days would take minutes\n", e[i].method);
            continue;
        }
        qsort(e[i].t, ROUNDS, sizeof(double), cmp);
        double us = 1e6 * e[i].t[ROUNDS / 2];
        if (i == 0)
            default_us = us;
        if (!strcmp(e[i].method, "msbdf"))
            msbdf_us = us;
        printf("%-16s %10.0f %9lu %8lu %6lu %10.2g  %s\n", i == 0 ? "default" : e[i].method, us,
               e[i].rhs, e[i].steps, e[i].jac, e[i].err, calcify_obs_names[e[i].err_obs]);
        if (i == 0)
            printf("%-16s\n", "");
    }
    printf("\ndefault (%s) vs msbdf: %.1fx faster\n", sc.method, msbdf_us / default_us);

    /* the floor of an explicit GSL pair on this model */
    {
        double y0[CALCIFY_NSTATE], t[ROUNDS];
        unsigned long steps = 0, rhs = 0;
        if (calcify_sim_baseline(e[0].sim, sc.baseline, y0, &err) == CALCIFY_OK) {
            for (int r = 0; r < ROUNDS; r++)
                t[r] = floor_run(&sc, calcify_sim_model(e[0].sim), y0, &steps, &rhs);
            qsort(t, ROUNDS, sizeof(double), cmp);
            double baseline[ROUNDS];
            for (int r = 0; r < ROUNDS; r++) {
                calcify_sim_forget_baseline(e[0].sim);
                double t0 = cpu_now();
                calcify_sim_baseline(e[0].sim, sc.baseline, y0, &err);
                baseline[r] = cpu_now() - t0;
            }
            qsort(baseline, ROUNDS, sizeof(double), cmp);
            const double floor_us = 1e6 * t[ROUNDS / 2];
            printf("floor: bare GSL rkck driver on the bare RHS, same arm-phases, no rows, no "
                   "baseline: %.0f us (%lu steps, %lu rhs)\n", floor_us, steps, rhs);
            printf("baseline steady state (Newton from two starts, eigenvalues): %.0f us\n",
                   1e6 * baseline[ROUNDS / 2]);
            printf("default / floor: %.2f (with rows and baseline)\n", default_us / floor_us);
        }
    }

    /* endpoint rows, unit costs */
    {
        double t[ROUNDS];
        for (int r = 0; r < ROUNDS; r++)
            t[r] = run_once(e[0].sim, &sc, 42.0, NULL);
        qsort(t, ROUNDS, sizeof(double), cmp);
        printf("default, rows at weeks 0, 6, 12 only: %.0f us\n", 1e6 * t[ROUNDS / 2]);
    }
    {
        const calcify_model *m = calcify_sim_model(e[0].sim);
        double y[CALCIFY_NSTATE], f[CALCIFY_NSTATE];
        static double J[CALCIFY_NSTATE * CALCIFY_NSTATE];
        calcify_sim_baseline(e[0].sim, sc.baseline, y, &err);
        double u[CALCIFY_NU];
        calcify_model_inputs(m, sc.arms[sc.n_arms > 1 ? 1 : 0].phases[0].diet, u);
        enum { REPS = 200000 };
        double t0 = cpu_now(), sink = 0;
        for (int r = 0; r < REPS; r++) {
            y[CALCIFY_S_CA_YOUNG] += 1e-12; /* defeat hoisting */
            calcify_model_rhs(m, y, f, u);
            sink += f[0];
        }
        double rhs_ns = 1e9 * (cpu_now() - t0) / REPS;
        t0 = cpu_now();
        for (int r = 0; r < REPS / 10; r++) {
            y[CALCIFY_S_CA_YOUNG] += 1e-12;
            calcify_model_jac(m, y, J, u);
            sink += J[0];
        }
        double jac_ns = 1e9 * (cpu_now() - t0) / (REPS / 10);
        printf("one RHS: %.0f ns, one Jacobian: %.0f ns%s\n", rhs_ns, jac_ns, sink == 42 ? " " : "");
    }
    for (int i = 0; i < N_METHODS; i++) {
        calcify_sim_free(e[i].sim);
        free(e[i].t);
    }

    /* sweep throughput, endpoint rows */
    calcify_vary vary[2];
    calcify_vary_parse("warfarin_thalf=5:50:log", &vary[0], &err);
    calcify_vary_parse("ca_reg_max=0.005:0.05", &vary[1], &err);
    FILE *null = fopen("/dev/null", "w");
    double rate[3] = {0};
    calcify_endpoints endpoints = {0};
    if (calcify_endpoints_resolve(&sc, NULL, NULL, 0, NULL, 0, &endpoints, &err)) {
        fprintf(stderr, "endpoints: %s\n", err.msg);
        return 1;
    }
    for (int threads = 1; threads <= 2; threads++) {
        calcify_design *d = calcify_design_alloc(CALCIFY_DESIGN_LHS, vary, 2, (size_t)sweep_runs,
                                                 1, &err);
        calcify_sweep_opts o = {.sc = &sc, .vary = vary, .n_vary = 2, .design = d,
                                .first = 0, .last = (size_t)sweep_runs, .threads = threads,
                                .endpoints = &endpoints, .precision = 6, .summary = null};
        calcify_sweep_stats stats;
        double t0 = wall_now();
        if (calcify_sweep_run(&o, &stats, &err))
            fprintf(stderr, "sweep: %s\n", err.msg);
        double dt = wall_now() - t0;
        rate[threads] = sweep_runs / dt;
        printf("sweep, %s, LHS %ld runs, %d thread%s: %.2f s wall, %.0f runs/s (%zu failed)\n",
               sc.method, sweep_runs, threads, threads > 1 ? "s" : "", dt, rate[threads],
               stats.failed);
        calcify_design_free(d);
    }
    printf("2-thread speed-up: %.2fx\n", rate[2] / rate[1]);

    /* the same runs without the sweep around them: the share of a sweep's
     * CPU time that is the model (baseline + integration of every arm);
     * the two alternate three times and the fastest of each counts */
    {
        double lib_best = INFINITY, sweep_best = INFINITY;
        for (int round = 0; round < 3; round++) {
            double lib = library_runs(&sc, sc.method, vary, 2, &endpoints, sweep_runs, NULL,
                                      NULL);
            calcify_design *d = calcify_design_alloc(CALCIFY_DESIGN_LHS, vary, 2,
                                                     (size_t)sweep_runs, 1, &err);
            calcify_sweep_opts o = {.sc = &sc, .vary = vary, .n_vary = 2, .design = d,
                                    .first = 0, .last = (size_t)sweep_runs, .threads = 1,
                                    .endpoints = &endpoints, .precision = 6, .summary = null};
            calcify_sweep_stats stats;
            double c0 = process_cpu_now();
            calcify_sweep_run(&o, &stats, &err);
            double sw = (process_cpu_now() - c0) / (double)sweep_runs;
            calcify_design_free(d);
            lib_best = fmin(lib_best, lib);
            sweep_best = fmin(sweep_best, sw);
        }
        printf("a run in the library alone (baseline + endpoints of every arm): %.0f us CPU, "
               "in a 1-thread sweep %.0f us: the model is %.0f%% of a sweep\n",
               1e6 * lib_best, 1e6 * sweep_best, 100 * lib_best / sweep_best);
    }
    calcify_endpoints_free(&endpoints);
    endpoint_ratio(&sc, "this scenario", 200);
    joint_ratio(&sc, "this scenario", 200);

    /* long_followup.cfg beside the scenario, if there */
    {
        const char *slash = strrchr(path, '/');
        char other[4096];
        snprintf(other, sizeof other, "%.*slong_followup.cfg",
                 slash ? (int)(slash - path + 1) : 0, path);
        long_horizon(other);
    }
    fclose(null);
    free(ref.obs);
    free(run.obs);
    calcify_scenario_free(&sc);
    return 0;
}
