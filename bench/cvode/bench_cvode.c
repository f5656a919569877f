/* bench_cvode.c — calcify's default path against SUNDIALS CVODE on the same
 * equations and the same work, measured in one process (README.md here).
 *
 *   bench/cvode/run.sh SUNDIALS_PREFIX [SCENARIO [ROUNDS [METHOD]]]
 *
 * A by-hand tool: it needs an optimised SUNDIALS (build-sundials.sh) and is
 * not part of the meson build or of CI.
 *
 * What is timed, CPU time of this thread, median of ROUNDS (default 51)
 * interleaved rounds (every entry once per round):
 *   - the baseline steady state (calcify_sim_baseline: Newton from two
 *     corners and the eigenvalue check), which both paths start from;
 *   - calcify's default (the scenario's method, normally "auto"): the whole
 *     calcify_sim_run_scenario, baseline included;
 *   - CVODE BDF with dense LU and calcify's analytic Jacobian (cvode_run.h)
 *     doing the same work after the baseline, at the scenario's tolerances
 *     and at tighter ones (atol scaled with rtol), because CVODE's error
 *     test uses an RMS norm and GSL's a max norm: equal tolerances do not
 *     give equal accuracy, so the comparison is also made at equal error.
 * Timed runs compute no observables (calcify's bench passes no row
 * callback either); untimed runs do, for the error: the worst over arms,
 * rows and observables of |x − ref| / (range of the observable over the
 * reference), ref = calcify with rk8pd, rtol 1e-12, atol 1e-15, steps
 * landing on every row (as bench/bench.c). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_errno.h>
#include <sundials/sundials_config.h>

#include "calcify/simulate.h"
#include "cvode_run.h"

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, by_value);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Collects calcify's rows into the CVODE harness's row layout. */
typedef struct {
    const calcify_scenario *sc;
    const cvode_run *layout;
    double *obs;
    const calcify_arm *arm;    /* arm of the last row          */
    size_t next;               /* its next row, 0-based        */
    size_t *count;             /* rows seen per arm            */
    int extra;                 /* an arm had a row too many    */
} collector;

static int collect_row(void *user, const calcify_arm *arm, double t, size_t phase,
                       const double y[], const double obs[CALCIFY_NOBS])
{
    (void)t, (void)phase, (void)y;
    collector *c = user;
    const size_t a = (size_t)(arm - c->sc->arms);
    if (arm != c->arm) {
        c->arm = arm;
        c->next = 0;
    }
    if (a >= c->sc->n_arms)
        return 1;
    const size_t first = cvode_run_arm_row(c->layout, a);
    const size_t end = a + 1 < c->sc->n_arms ? cvode_run_arm_row(c->layout, a + 1)
                                            : cvode_run_rows(c->layout);
    if (first + c->next >= end) {
        c->extra = 1; /* more rows than the grid rule gives */
        return 1;
    }
    memcpy(c->obs + (first + c->next++) * CALCIFY_NOBS, obs, sizeof(double) * CALCIFY_NOBS);
    c->count[a]++;
    return 0;
}

/* Every row of sc by calcify's simulator `sim`, into obs (layout's rows);
 * 0 on success. */
static int calcify_rows(calcify_sim *sim, const calcify_scenario *sc, const cvode_run *layout,
                        double *obs)
{
    size_t *count = calloc(sc->n_arms, sizeof *count);
    collector c = {sc, layout, obs, NULL, 0, count, 0};
    calcify_error err;
    int rc = count ? 0 : -1;
    if (!rc && calcify_sim_run_scenario(sim, sc, NULL, sc->output_step, collect_row, &c, &err)) {
        if (c.extra)
            fprintf(stderr, "calcify wrote more rows for arm '%s' than the grid rule gives "
                    "(calcify/solver.h)\n", c.arm->name);
        else
            fprintf(stderr, "calcify: %s\n", err.msg);
        rc = -1;
    }
    for (size_t a = 0; !rc && a < sc->n_arms; a++) {
        const size_t end = a + 1 < sc->n_arms ? cvode_run_arm_row(layout, a + 1)
                                             : cvode_run_rows(layout);
        if (count[a] != end - cvode_run_arm_row(layout, a)) {
            fprintf(stderr, "arm '%s': calcify wrote %zu rows, the grid rule gives %zu\n",
                    sc->arms[a].name, count[a], end - cvode_run_arm_row(layout, a));
            rc = -1;
        }
    }
    free(count);
    return rc;
}

/* Scaled error of a run against the reference. */
typedef struct {
    double worst;
    int obs;                   /* the observable where it is worst */
} scaled_error;

static scaled_error error_vs(const double *ref, const double range[CALCIFY_NOBS],
                             const double *run, size_t n_rows)
{
    scaled_error e = {0, 0};
    for (size_t r = 0; r < n_rows; r++)
        for (size_t k = 0; k < CALCIFY_NOBS; k++) {
            const double d = fabs(run[r * CALCIFY_NOBS + k] - ref[r * CALCIFY_NOBS + k]) / range[k];
            if (!(d <= e.worst)) {
                e.worst = d;
                e.obs = (int)k;
            }
        }
    return e;
}

/* One line of the table. */
typedef struct {
    char name[64];
    calcify_sim *sim;          /* a calcify path, or ...        */
    cvode_run *cv;             /* ... a CVODE one               */
    double rtol;
    double *t;                 /* CPU s per round               */
    double us;                 /* median, µs                    */
    double ratio;              /* CVODE: median over rounds of its
                                  time + the baseline's over calcify's */
    unsigned long rhs, jac, steps, setups;
    scaled_error err;
} entry;

static double time_entry(entry *e, const calcify_scenario *sc)
{
    calcify_error err;
    if (e->sim) /* solve the baseline in the timed run, not answer from the memo */
        calcify_sim_forget_baseline(e->sim);
    const double t0 = cpu_now();
    int rc = e->sim ? (int)calcify_sim_run_scenario(e->sim, sc, NULL, sc->output_step, NULL,
                                                    NULL, &err)
                    : cvode_run_scenario(e->cv, NULL);
    const double t = cpu_now() - t0;
    if (rc) {
        fprintf(stderr, "%s: failed in a timed round\n", e->name);
        exit(1);
    }
    return t;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        printf("usage: %s [SCENARIO [ROUNDS [METHOD]]]   (run it through bench/cvode/run.sh)"
               "\n\n"
               "Times calcify's default (the scenario's method) and SUNDIALS CVODE BDF on the\n"
               "same equations and the same work, interleaved, and reports CPU us per\n"
               "scenario, RHS and Jacobian calls, steps and the error against a rk8pd\n"
               "reference.  SCENARIO defaults to models/vermeer2007.cfg (diet phases only),\n"
               "ROUNDS to 51, METHOD (calcify's stepper) to the scenario's.\n"
               "bench/cvode/README.md says what is measured and how.\n",
               argv[0]);
        return 0;
    }
    const char *path = argc > 1 ? argv[1] : "models/vermeer2007.cfg";
    long rounds = 51;
    if (argc > 2) {
        char *end;
        errno = 0;
        rounds = strtol(argv[2], &end, 10);
        if (errno || *end || end == argv[2] || rounds < 1 || rounds > 100000) {
            fprintf(stderr, "%s: rounds '%s' (expected an integer 1..100000; 15 or more "
                    "for a stable median)\n", argv[0], argv[2]);
            return 2;
        }
    }
    calcify_scenario sc;
    calcify_error err;
    if (calcify_scenario_load(path, &sc, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 2;
    }
    const char *method = argc > 3 ? argv[3] : sc.method;
    const char *what = cvode_run_unsupported(&sc);
    if (what || !calcify_stepper_known(method)) {
        if (what)
            fprintf(stderr, "%s: has %s, which the CVODE harness does not model (expected "
                    "arms of diet phases only)\n", path, what);
        else
            fprintf(stderr, "unknown method '%s' (expected one of: %s)\n", method,
                    calcify_stepper_list());
        calcify_scenario_free(&sc);
        return 2;
    }

    /* the baseline both paths start from, and the model with its reference */
    calcify_sim *base = calcify_sim_alloc(&sc.params, sc.method, sc.rtol, sc.atol, &err);
    double y0[CALCIFY_NSTATE];
    if (!base || calcify_sim_baseline(base, sc.baseline, y0, &err)) {
        fprintf(stderr, "baseline: %s\n", err.msg);
        return 1;
    }
    const calcify_model *model = calcify_sim_model(base);

    /* the table: calcify's default, then CVODE along a ladder of tolerances */
    static const double ladder[] = {1, 0.3, 0.1, 0.03, 0.01, 0.003, 0.001};
    enum { N_LADDER = sizeof ladder / sizeof ladder[0], N_ENTRIES = 1 + N_LADDER };
    entry e[N_ENTRIES];
    memset(e, 0, sizeof e);
    snprintf(e[0].name, sizeof e[0].name, "calcify %s", method);
    e[0].rtol = sc.rtol;
    if (!(e[0].sim = calcify_sim_alloc(&sc.params, method, sc.rtol, sc.atol, &err))) {
        fprintf(stderr, "%s\n", err.msg);
        return 2;
    }
    for (int i = 0; i < N_LADDER; i++) {
        entry *c = &e[1 + i];
        c->rtol = sc.rtol * ladder[i];
        snprintf(c->name, sizeof c->name, "CVODE BDF rtol %.0e", c->rtol);
        if (!(c->cv = cvode_run_alloc(&sc, model, y0, c->rtol, sc.atol * ladder[i])))
            return 2;
    }
    const size_t n_rows = cvode_run_rows(e[1].cv), cells = n_rows * CALCIFY_NOBS;

    /* the reference and its ranges */
    double *ref = calloc(cells, sizeof *ref), *run = calloc(cells, sizeof *run);
    calcify_sim *rsim = calcify_sim_alloc(&sc.params, "rk8pd", 1e-12, 1e-15, &err);
    if (!ref || !run || !rsim)
        return 1;
    calcify_solver_land_on_grid(calcify_sim_solver(rsim), 1);
    if (calcify_rows(rsim, &sc, e[1].cv, ref))
        return 1;
    calcify_sim_free(rsim);
    double range[CALCIFY_NOBS];
    for (size_t k = 0; k < CALCIFY_NOBS; k++) {
        double lo = INFINITY, hi = -INFINITY;
        for (size_t r = 0; r < n_rows; r++) {
            lo = fmin(lo, ref[r * CALCIFY_NOBS + k]);
            hi = fmax(hi, ref[r * CALCIFY_NOBS + k]);
        }
        /* a constant observable: its size, so that the error is relative */
        range[k] = hi > lo ? hi - lo : fmax(fabs(hi), 1e-300);
    }

    /* work and error, one untimed run each */
    for (int i = 0; i < N_ENTRIES; i++) {
        if (e[i].sim) {
            calcify_solver *s = calcify_sim_solver(e[i].sim);
            calcify_solver_reset_counters(s);
            if (calcify_rows(e[i].sim, &sc, e[1].cv, run))
                return 1;
            e[i].rhs = calcify_solver_rhs_evals(s);
            e[i].jac = calcify_solver_jac_evals(s);
            e[i].steps = calcify_solver_steps(s);
        } else {
            cvode_run_reset_counts(e[i].cv);
            if (cvode_run_scenario(e[i].cv, run))
                return 1;
            cvode_run_counts n = cvode_run_get_counts(e[i].cv);
            e[i].rhs = n.rhs, e[i].jac = n.jac, e[i].steps = n.steps, e[i].setups = n.setups;
        }
        e[i].err = error_vs(ref, range, run, n_rows);
    }

    /* interleaved rounds */
    double *base_t = calloc((size_t)rounds, sizeof *base_t);
    for (int i = 0; i < N_ENTRIES; i++)
        if (!(e[i].t = calloc((size_t)rounds, sizeof *e[i].t)))
            return 1;
    if (!base_t)
        return 1;
    for (long r = 0; r < rounds; r++) {
        calcify_sim_forget_baseline(base);
        const double t0 = cpu_now();
        if (calcify_sim_baseline(base, sc.baseline, y0, &err)) {
            fprintf(stderr, "baseline: %s\n", err.msg);
            return 1;
        }
        base_t[r] = cpu_now() - t0;
        /* each round starts one entry later, so that no entry always runs
         * right after the same other one (caches, clock) */
        for (int j = 0; j < N_ENTRIES; j++) {
            entry *x = &e[(j + r) % N_ENTRIES];
            x->t[r] = time_entry(x, &sc);
        }
    }
    /* per-round ratios first (the medians sort the times): the paths of one
     * round ran within milliseconds of each other, so the load that other
     * work puts on the machine largely cancels in them */
    double *ratio = calloc((size_t)rounds, sizeof *ratio);
    if (!ratio)
        return 1;
    for (int i = 1; i < N_ENTRIES; i++) {
        for (long r = 0; r < rounds; r++)
            ratio[r] = (e[i].t[r] + base_t[r]) / e[0].t[r];
        e[i].ratio = median(ratio, (size_t)rounds);
    }
    free(ratio);
    const double base_us = 1e6 * median(base_t, (size_t)rounds);
    for (int i = 0; i < N_ENTRIES; i++)
        e[i].us = 1e6 * median(e[i].t, (size_t)rounds);

    printf("scenario %s: %zu arms, %zu rows (output step %g d); calcify's tolerances rtol %g, "
           "atol %g\nSUNDIALS %s, CVODE BDF, dense LU, analytic Jacobian; CVODE's atol = "
           "rtol x %g\nCPU time of one thread, median of %ld interleaved rounds; error: worst "
           "|x - ref| / range of the observable,\nref = calcify rk8pd rtol 1e-12 landing on "
           "every row; LU = Newton matrix set-ups (CVODE only);\narms = after the baseline; "
           "total = with the baseline (the same for both); x calcify = median over rounds\n"
           "of CVODE's total / calcify's\n\n",
           path, sc.n_arms, n_rows, sc.output_step, sc.rtol, sc.atol, SUNDIALS_VERSION,
           sc.atol / sc.rtol, rounds);
    /* calcify's arms alone and CVODE's with the baseline are derived from
     * the medians: the baseline is timed on its own */
    printf("%-30s %8s %8s %9s %6s %4s %5s %4s %8s  %s\n", "path", "arms us", "total us",
           "x calcify", "rhs", "jac", "steps", "LU", "error", "worst observable");
    printf("%-30s %8s %8.0f\n", "baseline steady state", "", base_us);
    for (int i = 0; i < N_ENTRIES; i++) {
        const double arms = e[i].sim ? e[i].us - base_us : e[i].us;
        const double total = e[i].sim ? e[i].us : e[i].us + base_us;
        char lu[16] = "-", x[16] = "";
        if (e[i].cv) {
            snprintf(lu, sizeof lu, "%lu", e[i].setups);
            snprintf(x, sizeof x, "%.2f", e[i].ratio);
        }
        printf("%-30s %8.0f %8.0f %9s %6lu %4lu %5lu %4s %8.2g  %s\n", e[i].name, arms, total,
               x, e[i].rhs, e[i].jac, e[i].steps, lu, e[i].err.worst,
               calcify_obs_names[e[i].err.obs]);
    }

    /* ratios from this run: at equal tolerances, and at CVODE's loosest
     * tolerance that is at least as accurate as calcify's default */
    const double calcify_us = e[0].us;
    printf("\nCVODE / calcify %s, totals, same tolerances: %.2fx (arms only, from the "
           "medians: %.2fx)\n", method, e[1].ratio, e[1].us / (calcify_us - base_us));
    int matched = -1;
    for (int i = 1; i < N_ENTRIES && matched < 0; i++)
        if (e[i].err.worst <= e[0].err.worst)
            matched = i;
    if (matched > 0)
        printf("CVODE / calcify %s, totals, at equal or better error (CVODE rtol %.0e, "
               "error %.2g vs %.2g): %.2fx (arms only: %.2fx)\n", method, e[matched].rtol,
               e[matched].err.worst, e[0].err.worst, e[matched].ratio,
               e[matched].us / (calcify_us - base_us));
    else
        printf("no CVODE tolerance on the ladder reaches calcify's error %.2g\n",
               e[0].err.worst);

    for (int i = 0; i < N_ENTRIES; i++) {
        calcify_sim_free(e[i].sim);
        cvode_run_free(e[i].cv);
        free(e[i].t);
    }
    free(base_t);
    free(ref);
    free(run);
    calcify_sim_free(base);
    calcify_scenario_free(&sc);
    return 0;
}
