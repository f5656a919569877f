/* simulate.c — the model through a scenario: steady state, arms, rows. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>

#include "calcify/simulate.h"

struct calcify_sim {
    calcify_model model;
    calcify_system sys;
    calcify_solver *solver;
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
    free(sim);
}

void calcify_sim_set_params(calcify_sim *sim, const calcify_paramset *ps)
{
    memcpy(sim->model.p, ps->value, sizeof sim->model.p);
    calcify_model_init(&sim->model);
}

const calcify_model *calcify_sim_model(const calcify_sim *sim) { return &sim->model; }
calcify_solver *calcify_sim_solver(calcify_sim *sim) { return sim->solver; }

/* Largest |f_i| / max(|y_i|, floor): a relative rate, per day. */
static double residual(const double y[], const double f[])
{
    double worst = 0;
    for (int i = 0; i < CALCIFY_NSTATE; i++) {
        double scale = fabs(y[i]) > 1e-6 ? fabs(y[i]) : 1e-6;
        double r = fabs(f[i]) / scale;
        if (!(r <= worst)) /* also catches NaN */
            worst = r;
    }
    return worst;
}

/* Newton's method on f(y) = 0 from y; 0 if it converged to tol. */
static int newton(const calcify_model *m, const double u[], double y[], double tol)
{
    enum { N = CALCIFY_NSTATE };
    double f[N], J[N * N], dx[N];
    gsl_permutation *perm = gsl_permutation_alloc(N);
    if (!perm)
        return -1;
    int ok = -1;
    for (int it = 0; it < 50; it++) {
        calcify_model_rhs(m, y, f, u);
        double r = residual(y, f);
        if (!isfinite(r))
            break;
        if (r <= tol) {
            ok = 0;
            break;
        }
        calcify_model_jac(m, y, J, u);
        gsl_matrix_view A = gsl_matrix_view_array(J, N, N);
        gsl_vector_view b = gsl_vector_view_array(f, N);
        gsl_vector_view x = gsl_vector_view_array(dx, N);
        int sign;
        if (gsl_linalg_LU_decomp(&A.matrix, perm, &sign) != GSL_SUCCESS ||
            gsl_linalg_LU_solve(&A.matrix, perm, &b.vector, &x.vector) != GSL_SUCCESS)
            break;
        for (int i = 0; i < N; i++)
            y[i] -= dx[i];
    }
    gsl_permutation_free(perm);
    return ok;
}

/* Relative rate below which a state counts as steady, per day. */
static const double STEADY_TOL = 1e-10;

calcify_status calcify_sim_baseline(calcify_sim *sim,
                                    const double diet[CALCIFY_NINPUT],
                                    double y[CALCIFY_NSTATE], calcify_error *err)
{
    /* The model is bistable: under the same normal diet an artery can stay
     * clean or stay calcified (that hysteresis is why normal vitamin K does
     * not reverse W&K calcification).  The baseline is the clean branch, so
     * the vitamin K pools first fill from empty for a year with mineral
     * deposition held off, and only then does the full model run to its
     * attractor; Newton polishes the result (mineral resorption has a time
     * constant of months, too slow to wait out to 1e-10 by integration). */
    memset(y, 0, sizeof(double) * CALCIFY_NSTATE);
    y[CALCIFY_S_CMGP] = 1.0;
    calcify_model_init(&sim->model);
    calcify_failure fail;
    const double dep_max = sim->model.p[CALCIFY_P_CA_DEP_MAX];
    sim->model.p[CALCIFY_P_CA_DEP_MAX] = 0;
    calcify_phase fill = {.duration = 365.25, .input = diet};
    calcify_status st = calcify_solver_run(sim->solver, &fill, 1, y, 0, NULL, NULL, &fail);
    sim->model.p[CALCIFY_P_CA_DEP_MAX] = dep_max;
    if (st)
        return calcify_fail(err, CALCIFY_ESTEADY,
                            "baseline: integration failed at t = %g d: %s",
                            fail.t, gsl_strerror(fail.gsl_status));
    calcify_phase phase = {.duration = 5 * 365.25, .input = diet};
    double f[CALCIFY_NSTATE], trial[CALCIFY_NSTATE];
    for (int round = 0; round < 10; round++) {
        if (calcify_solver_run(sim->solver, &phase, 1, y, 0, NULL, NULL, &fail))
            return calcify_fail(err, CALCIFY_ESTEADY,
                                "baseline: integration failed at t = %g d: %s",
                                fail.t + round * phase.duration,
                                gsl_strerror(fail.gsl_status));
        memcpy(trial, y, sizeof trial);
        if (newton(&sim->model, diet, trial, STEADY_TOL) == 0) {
            int nonneg = 1;
            for (int i = 0; i < CALCIFY_NSTATE; i++)
                nonneg &= trial[i] >= -1e-12;
            if (nonneg) {
                for (int i = 0; i < CALCIFY_NSTATE; i++)
                    y[i] = trial[i] > 0 ? trial[i] : 0;
                calcify_model_set_reference(&sim->model, y);
                return CALCIFY_OK;
            }
        }
    }
    calcify_model_rhs(&sim->model, y, f, diet);
    return calcify_fail(err, CALCIFY_ESTEADY,
                        "baseline: no steady state after 50 years of model time "
                        "(largest relative rate %g per day; expected <= %g)",
                        residual(y, f), STEADY_TOL);
}

typedef struct {
    calcify_sim *sim;
    const calcify_arm *arm;
    calcify_row_fn row;
    void *user;
} emit_ctx;

static int emit_row(void *user, double t, size_t phase, const double y[],
                    const double u[])
{
    emit_ctx *c = user;
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
    double y[CALCIFY_NSTATE];
    memcpy(y, y0, sizeof y);
    emit_ctx ctx = {sim, arm, row, user};
    calcify_failure fail;
    calcify_status st = calcify_solver_run(sim->solver, phases, arm->n_phases, y,
                                           dt, row ? emit_row : NULL, &ctx, &fail);
    free(phases);
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
