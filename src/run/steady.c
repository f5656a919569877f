/* steady.c — the baseline steady state every arm starts from, and the
 * check that it is the only one.
 *
 * The model is a cascade without feedback, so a constant diet has exactly
 * one steady state (docs/MODEL.md §5).  That is checked, not assumed: the
 * state is solved from the clean corner and from the diseased one, and the
 * two must agree and be linearly stable.  Newton's method from each corner
 * takes a few dozen microseconds; when it does not converge (unusual
 * parameters in a sweep), integration does, in milliseconds.
 */
#include <math.h>
#include <string.h>

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>

#include "run/steady.h"

enum { N = CALCIFY_NSTATE };

/* Largest |f_i| / max(|y_i|, floor): a relative rate, per day. */
static double residual(const double y[], const double f[])
{
    double worst = 0;
    for (int i = 0; i < N; i++) {
        double scale = fabs(y[i]) > 1e-6 ? fabs(y[i]) : 1e-6;
        double r = fabs(f[i]) / scale;
        if (!(r <= worst)) /* also catches NaN */
            worst = r;
    }
    return worst;
}

/* Largest |dx_i| / max(|y_i|, floor): the relative size of a Newton step. */
static double step_size(const double y[], const double dx[])
{
    double worst = 0;
    for (int i = 0; i < N; i++) {
        double r = fabs(dx[i]) / (fabs(y[i]) > 1e-6 ? fabs(y[i]) : 1e-6);
        if (!(r <= worst))
            worst = r;
    }
    return worst;
}

/* Damped, projected Newton on f(y) = 0 from y: each step is clipped at zero
 * (every state is an amount) and halved until the residual falls.  0 once
 * the residual is below tol *and* the next full Newton step would move no
 * state by more than CALCIFY_STEADY_STEP relative: small rates alone also
 * describe a slow drift with no steady state nearby. */
static int newton(const calcify_model *m, const double u[], double y[], double tol)
{
    double f[N], J[N * N], dx[N], trial[N], ft[N];
    size_t perm_store[N];
    gsl_permutation perm = {N, perm_store};
    calcify_model_rhs(m, y, f, u);
    double r = residual(y, f);
    for (int it = 0; it < 60; it++) {
        if (!isfinite(r))
            return -1;
        calcify_model_jac(m, y, J, u);
        gsl_matrix_view A = gsl_matrix_view_array(J, N, N);
        gsl_vector_view b = gsl_vector_view_array(f, N);
        gsl_vector_view x = gsl_vector_view_array(dx, N);
        int sign;
        if (gsl_linalg_LU_decomp(&A.matrix, &perm, &sign) != GSL_SUCCESS ||
            gsl_linalg_LU_solve(&A.matrix, &perm, &b.vector, &x.vector) != GSL_SUCCESS)
            return -1;
        if (r <= tol && step_size(y, dx) <= CALCIFY_STEADY_STEP)
            return 0;
        double lambda = 1.0, rt = INFINITY;
        for (int half = 0; half < 30; half++, lambda /= 2) {
            /* projected onto y >= 0: every state is an amount */
            for (int i = 0; i < N; i++) {
                trial[i] = y[i] - lambda * dx[i];
                if (trial[i] < 0)
                    trial[i] = 0;
            }
            calcify_model_rhs(m, trial, ft, u);
            rt = residual(trial, ft);
            if (rt < r || rt <= tol)
                break;
        }
        if (!(rt < r || rt <= tol))
            return -1;
        memcpy(y, trial, sizeof trial);
        memcpy(f, ft, sizeof ft);
        r = rt;
    }
    return -1;
}

/* Largest real part of the Jacobian's eigenvalues at y, per day (NaN if the
 * eigensolver fails). */
static double max_eigen_real(const calcify_model *m, const double u[], const double y[])
{
    double J[N * N];
    calcify_model_jac(m, y, J, u);
    gsl_matrix_view A = gsl_matrix_view_array(J, N, N);
    gsl_vector_complex *eval = gsl_vector_complex_alloc(N);
    gsl_eigen_nonsymm_workspace *w = gsl_eigen_nonsymm_alloc(N);
    double worst = NAN;
    if (eval && w && gsl_eigen_nonsymm(&A.matrix, eval, w) == GSL_SUCCESS) {
        worst = -INFINITY;
        for (int i = 0; i < N; i++) {
            double re = GSL_REAL(gsl_vector_complex_get(eval, i));
            if (re > worst)
                worst = re;
        }
    }
    gsl_eigen_nonsymm_free(w);
    gsl_vector_complex_free(eval);
    return worst;
}

static void clamp_small_negatives(double y[])
{
    for (int i = 0; i < N; i++)
        if (y[i] < 0)
            y[i] = 0;
}

calcify_status calcify_steady_state_by_integration(calcify_model *m,
                                                   calcify_solver *solver,
                                                   const double u[CALCIFY_NU],
                                                   double y[CALCIFY_NSTATE],
                                                   calcify_error *err)
{
    /* mineral resorption has a time constant of months: integrate in 5-year
     * rounds and let Newton finish what integration would take decades for */
    calcify_phase round_phase = {.duration = 5 * 365.25, .input = u};
    calcify_failure fail;
    double trial[N], f[N];
    for (int round = 0; round < 10; round++) {
        if (calcify_solver_run(solver, &round_phase, 1, y, 0, NULL, NULL, &fail))
            return calcify_fail(err, CALCIFY_ESTEADY,
                                "baseline: integration failed at t = %g d: %s",
                                fail.t + round * round_phase.duration,
                                gsl_strerror(fail.gsl_status));
        memcpy(trial, y, sizeof trial);
        if (newton(m, u, trial, CALCIFY_STEADY_TOL) == 0) {
            memcpy(y, trial, sizeof trial);
            clamp_small_negatives(y);
            return CALCIFY_OK;
        }
    }
    calcify_model_rhs(m, y, f, u);
    return calcify_fail(err, CALCIFY_ESTEADY,
                        "baseline: no steady state after 50 years of model time: "
                        "the state still drifts (largest relative rate %g per day; "
                        "expected <= %g with a Newton step below %g relative)",
                        residual(y, f), CALCIFY_STEADY_TOL, CALCIFY_STEADY_STEP);
}

/* Steady state from one corner: Newton, else integration.  *newton_ok says
 * which path found it. */
static calcify_status solve_from(calcify_model *m, calcify_solver *solver,
                                 const double u[], int diseased, double y[],
                                 int *newton_ok, calcify_error *err)
{
    calcify_model_steady_guess(m, u, diseased, y);
    /* the guess is each pool's intake over its clearance: a pool that takes
     * something in and has no way out has no steady state to start from */
    for (int i = 0; i < N; i++)
        if (!isfinite(y[i]))
            return calcify_fail(err, CALCIFY_ESTEADY,
                                "baseline: no steady state on the baseline diet: a pool "
                                "with an intake and no clearance grows without bound "
                                "(expected a clearance above 0 wherever the diet brings "
                                "something in)");
    double start[N];
    memcpy(start, y, sizeof start);
    *newton_ok = newton(m, u, y, CALCIFY_STEADY_TOL) == 0;
    if (*newton_ok) {
        clamp_small_negatives(y);
        return CALCIFY_OK;
    }
    memcpy(y, start, sizeof start);
    return calcify_steady_state_by_integration(m, solver, u, y, err);
}

/* Largest relative difference between two states. */
static double state_distance(const double a[], const double b[])
{
    double worst = 0;
    for (int i = 0; i < N; i++) {
        double scale = fmax(fmax(fabs(a[i]), fabs(b[i])), 1e-9 / CALCIFY_STEADY_SAME);
        double d = fabs(a[i] - b[i]) / scale;
        if (!(d <= worst))
            worst = d;
    }
    return worst;
}

calcify_status calcify_steady_state(calcify_model *m, calcify_solver *solver,
                                    const double u[CALCIFY_NU],
                                    int allow_multiple, double y[CALCIFY_NSTATE],
                                    calcify_steady_check *check, calcify_error *err)
{
    calcify_steady_check ck = {0};
    double other[N];
    calcify_status st = solve_from(m, solver, u, 0, y, &ck.newton_clean, err);
    if (!st)
        st = solve_from(m, solver, u, 1, other, &ck.newton_diseased, err);
    if (!st) {
        ck.distance = state_distance(y, other);
        ck.unique = ck.distance <= CALCIFY_STEADY_SAME;
        ck.mineral_clean = y[CALCIFY_S_CA_YOUNG] + y[CALCIFY_S_CA_MATURE];
        ck.mineral_other = other[CALCIFY_S_CA_YOUNG] + other[CALCIFY_S_CA_MATURE];
        ck.max_eigen_real = max_eigen_real(m, u, y);
        ck.stable = ck.max_eigen_real < CALCIFY_STEADY_SLOWEST;
    }
    if (check)
        *check = ck;
    if (st)
        return st;
    if (!ck.unique && !allow_multiple)
        return calcify_fail(err, CALCIFY_ESTEADY,
                            "baseline: the steady state is not unique (aortic "
                            "mineral %.4g ug/mg from a clean start, %.4g from a "
                            "calcified one; expected one steady state)",
                            ck.mineral_clean, ck.mineral_other);
    if (!ck.stable)
        return calcify_fail(err, CALCIFY_ESTEADY,
                            "baseline: no stable steady state (largest eigenvalue "
                            "real part %g per day; expected < %g: a slower mode "
                            "never settles)",
                            ck.max_eigen_real, CALCIFY_STEADY_SLOWEST);
    return CALCIFY_OK;
}
