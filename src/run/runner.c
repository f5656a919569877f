/* runner.c — the one scenario runner: growth, baseline, arms, read. */
#include <math.h>
#include <string.h>

#include "calcify/runner.h"

const char *calcify_run_status_name(calcify_run_status s)
{
    switch (s) {
    case CALCIFY_RUN_OK: return "ok";
    case CALCIFY_RUN_NO_STEADY_STATE: return "no_steady_state";
    case CALCIFY_RUN_SOLVER_FAILED: return "solver_failed";
    case CALCIFY_RUN_INVALID_INPUT: return "invalid_input";
    default: return "not_run";
    }
}

calcify_status calcify_run_status_code(calcify_run_status s)
{
    return s == CALCIFY_RUN_OK ? CALCIFY_OK
           : s == CALCIFY_RUN_NO_STEADY_STATE ? CALCIFY_ESTEADY : CALCIFY_ESOLVER;
}

typedef struct {
    const calcify_probe *p;
    size_t a;
    double *v;             /* this run's vector                         */
    double t_prev;         /* previous row, for the trapezoid           */
    double prev[CALCIFY_MAX_OBS];
    int have_prev;
} read_ctx;

/* Metrics of one row: the trapezoid from the last row, min and max. */
static void read_metrics(read_ctx *c, double t, const double obs[])
{
    const calcify_probe *p = c->p;
    for (size_t i = 0; i < p->n_obs; i++) {
        double x = obs[p->obs[i]];
        double *auc = &c->v[calcify_probe_metric_slot(p, c->a, CALCIFY_METRIC_AUC, i)];
        double *lo = &c->v[calcify_probe_metric_slot(p, c->a, CALCIFY_METRIC_MIN, i)];
        double *hi = &c->v[calcify_probe_metric_slot(p, c->a, CALCIFY_METRIC_MAX, i)];
        if (!c->have_prev) {
            *auc = 0;
            *lo = *hi = x;
            continue;
        }
        *auc += 0.5 * (t - c->t_prev) * (x + c->prev[i]);
        if (x < *lo)
            *lo = x;
        if (x > *hi)
            *hi = x;
    }
    for (size_t i = 0; i < p->n_obs; i++)
        c->prev[i] = obs[p->obs[i]];
    c->t_prev = t;
    c->have_prev = 1;
}

/* A row: its values if its time is probed (matched by time, whatever rows
 * come before it), and the metrics. */
static int read_row(void *user, const calcify_arm *arm, double t, size_t phase,
                    const double y[], const double obs[])
{
    (void)arm, (void)phase, (void)y;
    read_ctx *c = user;
    const calcify_probe *p = c->p;
    long ti = calcify_probe_time_index(&p->arms[c->a], t);
    for (size_t i = 0; ti >= 0 && i < p->n_obs; i++)
        c->v[calcify_probe_slot(p, c->a, (size_t)ti, i)] = obs[p->obs[i]];
    if (p->metrics)
        read_metrics(c, t, obs);
    return 0;
}

/* Without metrics only the probed times are read: the rows between them
 * are integrated to (the same steps) but not observed. */
static int wanted(void *user, double t)
{
    const read_ctx *c = user;
    return calcify_probe_time_index(&c->p->arms[c->a], t) >= 0;
}

calcify_status calcify_runner_arm(calcify_sim *sim, const calcify_probe *p, size_t a,
                                  const double y0[], int growth_override, double *v,
                                  calcify_run_cost *cost, calcify_error *err)
{
    const calcify_probe_arm *pa = &p->arms[a];
    const size_t n = calcify_probe_arm_values(p, a);
    for (size_t i = 0; i < n; i++)
        v[pa->offset + i] = NAN;
    calcify_solver *solver = calcify_sim_solver(sim);
    unsigned long s0 = calcify_solver_steps(solver), r0 = calcify_solver_rhs_evals(solver);
    read_ctx c = {.p = p, .a = a, .v = v};
    calcify_arm arm = pa->run;
    if (growth_override)
        arm.growth = NULL; /* the run's own table, set on the simulator */
    /* a row at every phase start: the cuts at probed times are rows */
    calcify_sim_set_boundary_rows(sim, 1);
    calcify_sim_set_row_filter(sim, p->metrics ? NULL : wanted);
    calcify_status st = calcify_sim_run_arm(sim, &arm, y0, pa->dt, read_row, &c, err);
    calcify_sim_set_row_filter(sim, NULL);
    calcify_sim_set_boundary_rows(sim, 0);
    if (cost) {
        cost->steps = calcify_solver_steps(solver) - s0;
        cost->rhs_evals = calcify_solver_rhs_evals(solver) - r0;
    }
    /* rows before a failure were read; the arm's values are not */
    for (size_t i = 0; st && i < n; i++)
        v[pa->offset + i] = NAN;
    return st;
}

calcify_run_status calcify_runner_run(calcify_sim *sim, const calcify_scenario *sc,
                                      const calcify_probe *p,
                                      const calcify_growth *growth, long only, double *v,
                                      unsigned char *arm_status, calcify_run_cost *cost,
                                      calcify_error *err)
{
    for (size_t i = 0; i < p->n_out; i++)
        v[i] = NAN;
    for (size_t a = 0; a < p->n_arms; a++) {
        if (arm_status)
            arm_status[a] = CALCIFY_RUN_NOT_RUN;
        if (cost)
            cost[a] = (calcify_run_cost){0, 0};
    }
    calcify_sim_set_growth(sim, growth ? growth : sc->growth);
    double y0[CALCIFY_NSTATE];
    calcify_run_status rs = CALCIFY_RUN_OK;
    if (calcify_sim_baseline(sim, sc->baseline, y0, err))
        rs = CALCIFY_RUN_NO_STEADY_STATE;
    calcify_error arm_err;
    for (size_t a = 0; a < p->n_arms; a++) {
        if (only >= 0 && (size_t)only != a)
            continue;
        calcify_run_status as = CALCIFY_RUN_NO_STEADY_STATE;
        if (rs != CALCIFY_RUN_NO_STEADY_STATE)
            as = calcify_runner_arm(sim, p, a, y0, growth != NULL, v,
                                    cost ? &cost[a] : NULL, &arm_err)
                     ? CALCIFY_RUN_SOLVER_FAILED : CALCIFY_RUN_OK;
        if (as == CALCIFY_RUN_SOLVER_FAILED && rs == CALCIFY_RUN_OK) {
            rs = as;
            *err = arm_err;
        }
        if (arm_status)
            arm_status[a] = (unsigned char)as;
    }
    return rs;
}
