/* simulate.c — the model through a scenario: steady state, arms, rows. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "armcache.h"
#include "calcify/simulate.h"
#include "steady.h"

struct calcify_sim {
    calcify_model model;
    calcify_system sys;
    calcify_solver *solver;
    calcify_armcache cache;   /* shared arm prefixes (armcache.h) */
    int allow_multiple;       /* accept a multistable baseline diet */
    calcify_steady_check check; /* of the last baseline */
};

static int sys_rhs(double t, const double y[], double f[], const double u[], void *ctx)
{
    (void)t;
    return calcify_model_rhs(ctx, y, f, u);
}

static int sys_jac(double t, const double y[], double *dfdy, double dfdt[],
                   const double u[], void *ctx)
{
    (void)t;
    (void)dfdt; /* autonomous within a phase: ∂f/∂t = 0 (zeroed by the solver) */
    return calcify_model_jac(ctx, y, dfdy, u);
}

calcify_sim *calcify_sim_alloc(const calcify_paramset *ps, const char *method,
                               double rtol, double atol, calcify_error *err)
{
    if (!calcify_stepper_known(method)) {
        calcify_fail(err, CALCIFY_EUSAGE, "unknown solver method '%s' (expected "
                     "one of: %s)", method, calcify_stepper_list());
        return NULL;
    }
    calcify_sim *sim = calloc(1, sizeof *sim);
    if (!sim) {
        calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
        return NULL;
    }
    calcify_sim_set_params(sim, ps);
    sim->sys.dim = CALCIFY_NSTATE;
    sim->sys.rhs = sys_rhs;
    sim->sys.jac = sys_jac;
    sim->sys.ctx = &sim->model;
    sim->solver = calcify_solver_alloc(&sim->sys, method, rtol, atol);
    if (!sim->solver) {
        calcify_fail(err, CALCIFY_EUSAGE, "cannot set up solver '%s' with rtol "
                     "%g, atol %g (expected positive tolerances)", method, rtol, atol);
        free(sim);
        return NULL;
    }
    return sim;
}

void calcify_sim_free(calcify_sim *sim)
{
    if (!sim)
        return;
    calcify_solver_free(sim->solver);
    calcify_armcache_free(&sim->cache);
    free(sim);
}

void calcify_sim_set_params(calcify_sim *sim, const calcify_paramset *ps)
{
    memcpy(sim->model.p, ps->value, sizeof sim->model.p);
    calcify_model_init(&sim->model);
    calcify_armcache_clear(&sim->cache);
}

void calcify_sim_allow_multiple_steady(calcify_sim *sim, int allow)
{
    sim->allow_multiple = allow;
}

const calcify_steady_check *calcify_sim_steady_check(const calcify_sim *sim)
{
    return &sim->check;
}

const calcify_model *calcify_sim_model(const calcify_sim *sim) { return &sim->model; }
calcify_solver *calcify_sim_solver(calcify_sim *sim) { return sim->solver; }

calcify_status calcify_sim_baseline(calcify_sim *sim,
                                    const double diet[CALCIFY_NINPUT],
                                    double y[CALCIFY_NSTATE], calcify_error *err)
{
    calcify_model_init(&sim->model);
    calcify_armcache_clear(&sim->cache); /* the reference, so the rows, change */
    calcify_status st = calcify_steady_state(&sim->model, sim->solver, diet,
                                             sim->allow_multiple, y, &sim->check, err);
    if (!st)
        calcify_model_set_reference(&sim->model, y);
    return st;
}

typedef struct {
    calcify_sim *sim;
    const calcify_arm *arm;
    calcify_row_fn row;
    void *user;
    calcify_cached_arm *cache;  /* NULL: not cached */
} emit_ctx;

static int emit_row(void *user, double t, size_t phase, const double y[],
                    const double u[])
{
    emit_ctx *c = user;
    if (c->cache)
        calcify_armcache_add_row(c->cache, t, phase, y);
    if (!c->row)
        return 0;
    double obs[CALCIFY_NOBS];
    calcify_model_observe(&c->sim->model, y, u, obs);
    return c->row(c->user, c->arm, t, phase, y, obs);
}

calcify_status calcify_sim_run_arm(calcify_sim *sim, const calcify_arm *arm,
                                   const double y0[CALCIFY_NSTATE], double dt,
                                   calcify_row_fn row, void *user,
                                   calcify_error *err)
{
    calcify_phase *phases = calloc(arm->n_phases, sizeof *phases);
    if (!phases)
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    for (size_t k = 0; k < arm->n_phases; k++) {
        phases[k].duration = arm->phases[k].duration;
        phases[k].input = arm->phases[k].diet;
    }
    size_t first = 0;
    const calcify_cached_arm *src = calcify_armcache_find(&sim->cache, arm, y0, dt, &first);
    emit_ctx ctx = {sim, arm, row, user, calcify_armcache_start(&sim->cache, arm, src)};
    double y[CALCIFY_NSTATE];
    memcpy(y, y0, sizeof y);
    calcify_status st = CALCIFY_OK;
    if (first > 0) { /* replay the shared phases */
        for (size_t i = 0; !st && i < src->n_rows && src->rows[i].phase < first; i++)
            if (emit_row(&ctx, src->rows[i].t, src->rows[i].phase, src->rows[i].y,
                         arm->phases[src->rows[i].phase].diet))
                st = CALCIFY_EIO;
        for (size_t p = 0; ctx.cache && p < first; p++)
            calcify_armcache_add_boundary(ctx.cache, src->boundary[p]);
        memcpy(y, src->boundary[first - 1], sizeof y);
    }
    calcify_failure fail;
    for (size_t p = first; !st && p < arm->n_phases; p++) {
        st = calcify_solver_run_from(sim->solver, phases, arm->n_phases, p, p + 1, y, dt,
                                     emit_row, &ctx, &fail);
        if (!st && ctx.cache)
            calcify_armcache_add_boundary(ctx.cache, y);
    }
    free(phases);
    if (st && ctx.cache)
        ctx.cache->n_phases = 0; /* a failed or interrupted arm is not reused */
    if (st == CALCIFY_ESOLVER)
        return calcify_fail(err, st, "arm '%s', phase %zu: integration failed at "
                            "t = %.6g d: %s", arm->name, fail.phase + 1, fail.t,
                            gsl_strerror(fail.gsl_status));
    if (st == CALCIFY_EIO)
        return calcify_fail(err, st, "arm '%s': writing a row failed", arm->name);
    return st;
}

calcify_status calcify_sim_run_scenario(calcify_sim *sim,
                                        const calcify_scenario *sc,
                                        const unsigned char *selected,
                                        double dt, calcify_row_fn row,
                                        void *user, calcify_error *err)
{
    double y0[CALCIFY_NSTATE];
    calcify_status st = calcify_sim_baseline(sim, sc->baseline, y0, err);
    for (size_t k = 0; !st && k < sc->n_arms; k++)
        if (!selected || selected[k])
            st = calcify_sim_run_arm(sim, &sc->arms[k], y0, dt, row, user, err);
    return st;
}
