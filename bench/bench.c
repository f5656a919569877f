/* bench.c — what a five-arm Vermeer scenario costs on this machine, per
 * stepper: µs per scenario (baseline steady state + five arms), RHS and
 * Jacobian evaluations, with daily rows and with endpoints only; then sweep
 * throughput (LHS over two parameters, summary rows to /dev/null) at 1 and 2
 * threads.  Run by hand:
 *     meson test -C build --benchmark          (or build/bench/calcify-bench)
 *     build/bench/calcify-bench models/vermeer2007.cfg 100000 rkf45
 * The optional second argument is the number of sweep runs (default 2000),
 * the third the sweep's stepper (default: the scenario's). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_errno.h>

#include "calcify/simulate.h"
#include "calcify/sweep.h"

static double now(void)
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

/* Median µs of up to `reps` scenario runs (fewer when one run takes more
 * than a second: bsimp is slow on this model); counters of the last one. */
static int time_scenario(const calcify_scenario *sc, const char *method, double dt,
                         int baseline_only, int reps, double *us,
                         unsigned long *rhs, unsigned long *jac)
{
    calcify_error err;
    calcify_sim *sim = calcify_sim_alloc(&sc->params, method, 1e-6, 1e-9, &err);
    if (!sim)
        return -1;
    double *t = malloc(reps * sizeof *t);
    int rc = 0;
    int done = 0;
    for (int r = 0; r < reps && !rc; r++, done++) {
        calcify_solver_reset_counters(calcify_sim_solver(sim));
        double t0 = now(), y0[CALCIFY_NSTATE];
        if (baseline_only)
            rc = calcify_sim_baseline(sim, sc->baseline, y0, &err);
        else
            rc = calcify_sim_run_scenario(sim, sc, NULL, dt, NULL, NULL, &err);
        t[r] = 1e6 * (now() - t0);
        if (t[r] > 1e6)
            reps = r + 1;
    }
    reps = done;
    if (rc)
        fprintf(stderr, "%s: %s\n", method, err.msg);
    qsort(t, reps, sizeof *t, cmp);
    *us = t[reps / 2];
    *rhs = calcify_solver_rhs_evals(calcify_sim_solver(sim));
    *jac = calcify_solver_jac_evals(calcify_sim_solver(sim));
    free(t);
    calcify_sim_free(sim);
    return rc;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    const char *path = argc > 1 ? argv[1] : "models/vermeer2007.cfg";
    calcify_scenario sc;
    calcify_error err;
    if (calcify_scenario_load(path, &sc, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    const char *methods[] = {"msbdf", "bsimp", "rk4imp", "msadams", "rk8pd", "rkck", "rkf45"};
    printf("five-arm scenario %s, rtol 1e-6, atol 1e-9, median of 21 runs\n"
           "(µs include the baseline steady state; 'endpoints' = rows at weeks 0, 6, 12)\n", path);
    printf("%-8s %14s %10s %8s %14s %10s %8s %14s\n", "stepper", "daily_us", "rhs", "jac",
           "endpoints_us", "rhs", "jac", "baseline_us");
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        double us_d, us_e, us_b;
        unsigned long rd, jd, re, je, rb, jb;
        if (time_scenario(&sc, methods[i], 1.0, 0, 21, &us_d, &rd, &jd) ||
            time_scenario(&sc, methods[i], 42.0, 0, 21, &us_e, &re, &je) ||
            time_scenario(&sc, methods[i], 0, 1, 21, &us_b, &rb, &jb))
            continue;
        fflush(stdout);
        printf("%-8s %14.0f %10lu %8lu %14.0f %10lu %8lu %14.0f\n", methods[i], us_d, rd, jd,
               us_e, re, je, us_b);
    }

    /* sweep throughput */
    long runs = argc > 2 ? atol(argv[2]) : 2000;
    if (argc > 3) {
        free(sc.method);
        sc.method = strdup(argv[3]);
    }
    calcify_vary vary[2];
    calcify_vary_parse("warfarin_thalf=5:50:log", &vary[0], &err);
    calcify_vary_parse("ca_reg_max=0.005:0.05", &vary[1], &err);
    FILE *null = fopen("/dev/null", "w");
    double rate[3] = {0};
    for (int threads = 1; threads <= 2; threads++) {
        calcify_design *d = calcify_design_alloc(CALCIFY_DESIGN_LHS, vary, 2, (size_t)runs, 1, &err);
        calcify_sweep_opts o = {.sc = &sc, .vary = vary, .n_vary = 2, .design = d,
                                .first = 0, .last = (size_t)runs, .threads = threads,
                                .precision = 6, .summary = null};
        calcify_sweep_stats stats;
        double t0 = now();
        if (calcify_sweep_run(&o, &stats, &err))
            fprintf(stderr, "sweep: %s\n", err.msg);
        double dt = now() - t0;
        rate[threads] = runs / dt;
        printf("sweep, %s, LHS %ld runs, %d thread%s: %.2f s, %.0f runs/s (%zu failed)\n",
               sc.method, runs, threads, threads > 1 ? "s" : "", dt, rate[threads], stats.failed);
        fflush(stdout);
        calcify_design_free(d);
    }
    printf("2-thread speed-up: %.2fx\n", rate[2] / rate[1]);
    fclose(null);
    calcify_scenario_free(&sc);
    return 0;
}
