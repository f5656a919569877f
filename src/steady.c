/* steady.c — the normal-diet steady state every arm starts from.
 *
 * The model is bistable: under the same normal diet an artery can stay clean
 * or stay calcified (that hysteresis is why normal vitamin K does not reverse
 * W&K calcification).  The baseline is the clean branch.  Newton's method
 * from a clean guess finds it in a few dozen microseconds; when it does not
 * converge (unusual parameters in a sweep), integration from an empty
 * animal does, in milliseconds.
 */
#include <math.h>
#include <string.h>

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>

#include "steady.h"

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

/* Damped, projected Newton on f(y) = 0 from y: each step is clipped at zero
 * (every state is an amount) and halved until the residual falls.  0 if it
 * reached tol. */
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
        if (r <= tol)
            return 0;
        calcify_model_jac(m, y, J, u);
        gsl_matrix_view A = gsl_matrix_view_array(J, N, N);
        gsl_vector_view b = gsl_vector_view_array(f, N);
        gsl_vector_view x = gsl_vector_view_array(dx, N);
        int sign;
        if (gsl_linalg_LU_decomp(&A.matrix, &perm, &sign) != GSL_SUCCESS ||
            gsl_linalg_LU_solve(&A.matrix, &perm, &b.vector, &x.vector) != GSL_SUCCESS)
            return -1;
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
    return r <= tol ? 0 : -1;
}

/* 1 if every eigenvalue of the Jacobian at y has a negative real part. */
static int stable(const calcify_model *m, const double u[], const double y[])
{
    double J[N * N];
    calcify_model_jac(m, y, J, u);
    gsl_matrix_view A = gsl_matrix_view_array(J, N, N);
    gsl_vector_complex *eval = gsl_vector_complex_alloc(N);
    gsl_eigen_nonsymm_workspace *w = gsl_eigen_nonsymm_alloc(N);
    int ok = eval && w && gsl_eigen_nonsymm(&A.matrix, eval, w) == GSL_SUCCESS;
    for (int i = 0; ok && i < N; i++)
        ok = GSL_REAL(gsl_vector_complex_get(eval, i)) < 0;
    gsl_eigen_nonsymm_free(w);
    gsl_vector_complex_free(eval);
    return ok;
}

static void clamp_small_negatives(double y[])
{
    for (int i = 0; i < N; i++)
        if (y[i] < 0)
            y[i] = 0;
}

calcify_status calcify_steady_state_by_integration(calcify_model *m,
                                                   calcify_solver *solver,
                                                   const double u[CALCIFY_NINPUT],
                                                   double y[CALCIFY_NSTATE],
                                                   calcify_error *err)
{
    /* an empty animal with its MGP carboxylated; the vitamin K pools fill
     * for a year with deposition held off, so the start-up deficiency cannot
     * calcify the artery and tip it onto the calcified branch */
    memset(y, 0, sizeof(double) * N);
    y[CALCIFY_S_CMGP] = 1.0;
    calcify_failure fail;
    const double dep_max = m->p[CALCIFY_P_CA_DEP_MAX];
    m->p[CALCIFY_P_CA_DEP_MAX] = 0;
    calcify_phase fill = {.duration = 365.25, .input = u};
    calcify_status st = calcify_solver_run(solver, &fill, 1, y, 0, NULL, NULL, &fail);
    m->p[CALCIFY_P_CA_DEP_MAX] = dep_max;
    if (st)
        return calcify_fail(err, CALCIFY_ESTEADY,
                            "baseline: integration failed at t = %g d: %s", fail.t,
                            gsl_strerror(fail.gsl_status));
    /* mineral resorption has a time constant of months: integrate in 5-year
     * rounds and let Newton finish what integration would take decades for */
    calcify_phase round_phase = {.duration = 5 * 365.25, .input = u};
    double trial[N], f[N];
    for (int round = 0; round < 10; round++) {
        if (calcify_solver_run(solver, &round_phase, 1, y, 0, NULL, NULL, &fail))
            return calcify_fail(err, CALCIFY_ESTEADY,
                                "baseline: integration failed at t = %g d: %s",
                                fail.t + 365.25 + round * round_phase.duration,
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
                        "baseline: no steady state after 50 years of model time "
                        "(largest relative rate %g per day; expected <= %g)",
                        residual(y, f), CALCIFY_STEADY_TOL);
}

calcify_status calcify_steady_state(calcify_model *m, calcify_solver *solver,
                                    const double u[CALCIFY_NINPUT],
                                    double y[CALCIFY_NSTATE], calcify_error *err)
{
    calcify_model_steady_guess(m, u, y);
    if (newton(m, u, y, CALCIFY_STEADY_TOL) == 0 && stable(m, u, y)) {
        clamp_small_negatives(y);
        return CALCIFY_OK;
    }
    return calcify_steady_state_by_integration(m, solver, u, y, err);
}
