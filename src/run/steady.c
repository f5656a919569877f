/* steady.c — the baseline steady state every arm starts from, and the
 * check that it is the only one.
 *
 * The model is a cascade without feedback, so a constant diet has exactly
 * one steady state (docs/MODEL.md §5).  That is checked, not assumed: the
 * state is solved from the clean corner and from the diseased one, and the
 * two must agree and be linearly stable.  Newton's method from each corner
 * takes a few dozen microseconds.  When it does not converge (the diseased
 * corner, where the switch of the VSMCs stalls a line search on the
 * max-norm residual, and unusual parameters in a sweep), pseudo-transient
 * continuation does: linearised backward-Euler steps (I/dt − J)·Δ = f with
 * dt growing as the residual falls, i.e. the model's own flow towards a
 * stable steady state with Newton's speed at the end.  Only if that fails
 * too does integration (5-year rounds, milliseconds) take over.
 *
 * The Jacobian is nearly a cascade (19 strongly connected blocks of 30
 * states, the largest six): every linear solve goes through the
 * block-triangular LU of src/engine/blocklu.c (GSL's dense LU when a block
 * needs pivoting), and the stability check takes the eigenvalues of the
 * diagonal blocks only.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>

#include "engine/blocklu.h"
#include "run/steady.h"

/* Arrays hold up to CALCIFY_MAX_STATE states (matrices n×n with stride n);
 * loops run over the model's n. */
enum { N = CALCIFY_MAX_STATE };

/* The model being solved: its descriptor, instance and size. */
typedef struct {
    const calcify_modeldef *md;
    const void *m;
    int n;
} steady_model;

#define RHS(s, y, f, u) (s)->md->fn.rhs((s)->m, y, f, u)
#define JAC(s, y, J, u) (s)->md->fn.jac((s)->m, y, J, u)

/* Largest |f_i| / max(|y_i|, floor): a relative rate, per day. */
static double residual(int n, const double y[], const double f[])
{
    double worst = 0;
    for (int i = 0; i < n; i++) {
        double scale = fabs(y[i]) > 1e-6 ? fabs(y[i]) : 1e-6;
        double r = fabs(f[i]) / scale;
        if (!(r <= worst)) /* also catches NaN */
            worst = r;
    }
    return worst;
}

/* Largest |dx_i| / max(|y_i|, floor): the relative size of a Newton step. */
static double step_size(int n, const double y[], const double dx[])
{
    double worst = 0;
    for (int i = 0; i < n; i++) {
        double r = fabs(dx[i]) / (fabs(y[i]) > 1e-6 ? fabs(y[i]) : 1e-6);
        if (!(r <= worst))
            worst = r;
    }
    return worst;
}

/* x := (c·I − J)⁻¹ x by GSL's dense LU with partial pivoting; 0, or -1.
 * Not inlined: its 7 KB matrix stays off the stack of the usual path
 * (each fresh stack page is a page fault). */
static __attribute__((noinline)) int solve_dense(int n, const double J[], double c,
                                                 double x[])
{
    double W[N * N], b[N];
    size_t perm_store[N];
    gsl_permutation perm = {(size_t)n, perm_store};
    for (int k = 0; k < n * n; k++)
        W[k] = -J[k];
    for (int i = 0; i < n; i++)
        W[i * n + i] += c;
    memcpy(b, x, (size_t)n * sizeof *b);
    gsl_matrix_view A = gsl_matrix_view_array(W, (size_t)n, (size_t)n);
    gsl_vector_view bv = gsl_vector_view_array(b, (size_t)n);
    gsl_vector_view xv = gsl_vector_view_array(x, (size_t)n);
    int sign;
    if (gsl_linalg_LU_decomp(&A.matrix, &perm, &sign) != GSL_SUCCESS ||
        gsl_linalg_LU_solve(&A.matrix, &perm, &bv.vector, &xv.vector) != GSL_SUCCESS)
        return -1;
    return 0;
}

/* x := (c·I − J)⁻¹ x.  By blocks (J's strongly connected components, W
 * block lower triangular, blocklu.h); when a block's pivot is too small
 * without pivoting, by GSL's dense LU with partial pivoting.  The
 * structure is lu's own (the non-zeros of the matrices it has loaded in
 * this solve of the steady state): the same inputs give the same bits.
 * J is left as it was.  0, or -1 if W is singular or not finite. */
static int solve_shifted(int n, engine_blocklu *lu, const double J[], double c, double x[])
{
    if (lu && engine_blocklu_load(lu, J, 1) == GSL_SUCCESS &&
        engine_blocklu_factor(lu, c) == GSL_SUCCESS)
        engine_blocklu_solve(lu, x);
    else if (solve_dense(n, J, c, x))
        return -1;
    for (int i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return -1;
    return 0;
}

/* Damped, projected Newton on f(y) = 0 from y: each step is clipped at zero
 * (every state is an amount) and halved until the residual falls.  0 once
 * the residual is below tol *and* the next full Newton step would move no
 * state by more than CALCIFY_STEADY_STEP relative: small rates alone also
 * describe a slow drift with no steady state nearby.  At most `iters`
 * iterations; unless `creep`, -1 as soon as three steps in a row are
 * damped below 1/16. */
static int newton(const steady_model *s, const double u[], double y[], double tol,
                  engine_blocklu *lu, int iters, int creep)
{
    const int n = s->n;
    const size_t bytes = (size_t)n * sizeof(double);
    double f[N], J[N * N], dx[N], trial[N], ft[N];
    RHS(s, y, f, u);
    double r = residual(n, y, f);
    int stalled = 0;
    for (int it = 0; it < iters; it++) {
        if (!isfinite(r))
            return -1;
        JAC(s, y, J, u);
        /* J·dx = f: (0·I − J)·(−dx) = f */
        for (int i = 0; i < n; i++)
            dx[i] = -f[i];
        if (solve_shifted(n, lu, J, 0.0, dx))
            return -1;
        if (r <= tol && step_size(n, y, dx) <= CALCIFY_STEADY_STEP) {
            /* take the step already solved for: Newton converges
             * quadratically, so the state lands far closer than tol, and
             * an arm that starts there on the baseline diet passes the
             * engine's equilibrium test instead of being integrated */
            for (int i = 0; i < n; i++)
                y[i] = y[i] - dx[i] < 0 ? 0 : y[i] - dx[i];
            return 0;
        }
        double lambda = 1.0, rt = INFINITY;
        for (int half = 0; half < 30; half++, lambda /= 2) {
            /* projected onto y >= 0: every state is an amount */
            for (int i = 0; i < n; i++) {
                trial[i] = y[i] - lambda * dx[i];
                if (trial[i] < 0)
                    trial[i] = 0;
            }
            RHS(s, trial, ft, u);
            rt = residual(n, trial, ft);
            if (rt < r || rt <= tol)
                break;
        }
        if (!(rt < r || rt <= tol))
            return -1;
        /* creeping (three steps in a row damped below 1/16: the max-norm
         * residual is no guide here, as from the calcified corner): the
         * caller's continuation goes faster */
        stalled = lambda < 1.0 / 16 ? stalled + 1 : 0;
        if (stalled == 3 && !creep)
            return -1;
        memcpy(y, trial, bytes);
        memcpy(f, ft, bytes);
        r = rt;
    }
    return -1;
}

/* Pseudo-transient continuation from y: y += Δ with (I/dt − J)·Δ = f,
 * projected onto y >= 0.  A backward-Euler step of the model's own flow,
 * which tends to Newton's step as dt grows: it goes where integration
 * would, at Newton's speed once near.  dt starts at 1 day and follows the
 * flow: a step may change no state by more than 90% (relative to the
 * larger of its two values, or 1e-3 for states tending to zero), and the
 * next dt aims at 50% (at most four times the last).  Newton finishes
 * (the same test as always) once the residual is below 1e-6 per day, and
 * again after every hundredfold fall.  0 on success, y then the steady
 * state; y is left somewhere on the way otherwise. */
static int ptc(const steady_model *s, const double u[], double y[], engine_blocklu *lu)
{
    const int n = s->n;
    const size_t bytes = (size_t)n * sizeof(double);
    double f[N], J[N * N], x[N], trial[N], ft[N];
    RHS(s, y, f, u);
    double r = residual(n, y, f), dt = 1.0, next_try = 1e-6;
    for (int it = 0; it < 300 && dt > 1e-9; it++) {
        if (!isfinite(r))
            return -1;
        if (r <= next_try) {
            memcpy(trial, y, bytes);
            if (newton(s, u, trial, CALCIFY_STEADY_TOL, lu, 8, 0) == 0) {
                memcpy(y, trial, bytes);
                return 0;
            }
            next_try = r * 1e-2;
        }
        JAC(s, y, J, u);
        memcpy(x, f, bytes);
        if (solve_shifted(n, lu, J, 1.0 / dt, x)) {
            dt *= 0.25;
            continue;
        }
        double change = 0;
        for (int i = 0; i < n; i++) {
            trial[i] = y[i] + x[i];
            if (trial[i] < 0)
                trial[i] = 0;
            const double d = fabs(trial[i] - y[i]) / fmax(fmax(y[i], trial[i]), 1e-3);
            if (!(d <= change))
                change = d;
        }
        if (!(change <= 0.9)) { /* too fast a change to follow: smaller dt */
            dt *= isfinite(change) ? 0.5 / change : 0.1;
            continue;
        }
        RHS(s, trial, ft, u);
        const double rt = residual(n, trial, ft);
        if (!isfinite(rt)) {
            dt *= 0.1;
            continue;
        }
        dt *= change > 0 ? fmin(0.5 / change, 4.0) : 4.0;
        memcpy(y, trial, bytes);
        memcpy(f, ft, bytes);
        r = rt;
    }
    return -1;
}

/* Largest real part of the eigenvalues of the m×m row-major a, which the
 * eigensolver overwrites (NaN if it fails). */
static double matrix_max_eigen_real(double *a, size_t m)
{
    gsl_matrix_view Av = gsl_matrix_view_array(a, m, m);
    gsl_vector_complex *eval = gsl_vector_complex_alloc(m);
    gsl_eigen_nonsymm_workspace *w = gsl_eigen_nonsymm_alloc(m);
    double worst = NAN;
    if (eval && w && gsl_eigen_nonsymm(&Av.matrix, eval, w) == GSL_SUCCESS) {
        worst = -INFINITY;
        for (size_t i = 0; i < m; i++) {
            double re = GSL_REAL(gsl_vector_complex_get(eval, i));
            if (re > worst)
                worst = re;
        }
    }
    gsl_eigen_nonsymm_free(w);
    gsl_vector_complex_free(eval);
    return worst;
}

double calcify_steady_max_eigen_real_dense(const double J[], size_t n)
{
    double A[N * N];
    memcpy(A, J, n * n * sizeof *A);
    return matrix_max_eigen_real(A, n);
}

/* The same for one diagonal block: 1×1 and 2×2 in closed form. */
static double block_max_eigen_real(double *a, size_t m)
{
    if (m == 1)
        return a[0];
    if (m == 2) {
        /* λ = tr/2 ± √(tr²/4 − det): the root of larger magnitude, and the
         * other as det / it (no cancellation) */
        const double h = 0.5 * (a[0] + a[3]), det = a[0] * a[3] - a[1] * a[2];
        const double disc = h * h - det;
        if (!(disc >= 0))
            return isfinite(disc) ? h : NAN;
        const double big = h + copysign(sqrt(disc), h);
        const double other = big != 0 ? det / big : 0;
        return fmax(big, other);
    }
    return matrix_max_eigen_real(a, m);
}

/* The eigenvalues of a block-triangular matrix are those of its diagonal
 * blocks (det(λI − J) is the product of the blocks' det(λI − J_kk)).  J's
 * own non-zeros give its strongly connected components (blocklu.c), in an
 * order that makes J block lower triangular: only those blocks (the
 * largest six states for calcify, most of one) go to the eigensolver.
 * Tested against the dense eigenvalues on every model's baseline
 * (tests/test_model.c). */
double calcify_steady_max_eigen_real(const double J[], size_t n)
{
    engine_blocklu *lu = engine_blocklu_alloc(n);
    if (!lu || engine_blocklu_load(lu, J, 1) != GSL_SUCCESS) {
        engine_blocklu_free(lu);
        return calcify_steady_max_eigen_real_dense(J, n);
    }
    double worst = -INFINITY, a[N * N];
    const size_t nb = engine_blocklu_blocks(lu, NULL, NULL);
    for (size_t k = 0; k < nb && !isnan(worst); k++) {
        const size_t *st;
        const size_t m = engine_blocklu_block(lu, k, &st);
        for (size_t r = 0; r < m; r++)
            for (size_t c = 0; c < m; c++)
                a[r * m + c] = J[st[r] * n + st[c]];
        const double re = block_max_eigen_real(a, m);
        worst = isnan(re) ? NAN : fmax(worst, re);
    }
    engine_blocklu_free(lu);
    return worst;
}

/* Largest real part of the Jacobian's eigenvalues at y, per day (NaN if the
 * eigensolver fails). */
static double max_eigen_real(const steady_model *s, const double u[], const double y[])
{
    double J[N * N];
    JAC(s, y, J, u);
    return calcify_steady_max_eigen_real(J, (size_t)s->n);
}

static void clamp_small_negatives(int n, double y[])
{
    for (int i = 0; i < n; i++)
        if (y[i] < 0)
            y[i] = 0;
}

calcify_status calcify_steady_state_by_integration(const calcify_modeldef *md,
                                                   const void *m, calcify_solver *solver,
                                                   const double u[], double y[],
                                                   calcify_error *err)
{
    const steady_model sm = {md, m, (int)md->n_state}, *s = &sm;
    const size_t bytes = md->n_state * sizeof(double);
    /* mineral resorption has a time constant of months: integrate in 5-year
     * rounds and let Newton finish what integration would take decades for */
    calcify_phase round_phase = {.duration = 5 * 365.25, .input = u};
    calcify_failure fail;
    double trial[N], f[N];
    engine_blocklu *lu = engine_blocklu_alloc(md->n_state); /* NULL: dense LU */
    for (int round = 0; round < 10; round++) {
        if (calcify_solver_run(solver, &round_phase, 1, y, 0, NULL, NULL, &fail)) {
            engine_blocklu_free(lu);
            return calcify_fail(err, CALCIFY_ESTEADY,
                                "baseline: integration failed at t = %g d: %s",
                                fail.t + round * round_phase.duration,
                                gsl_strerror(fail.gsl_status));
        }
        memcpy(trial, y, bytes);
        if (newton(s, u, trial, CALCIFY_STEADY_TOL, lu, 60, 1) == 0) {
            engine_blocklu_free(lu);
            memcpy(y, trial, bytes);
            clamp_small_negatives(s->n, y);
            return CALCIFY_OK;
        }
    }
    engine_blocklu_free(lu);
    RHS(s, y, f, u);
    return calcify_fail(err, CALCIFY_ESTEADY,
                        "baseline: no steady state after 50 years of model time: "
                        "the state still drifts (largest relative rate %g per day; "
                        "expected <= %g with a Newton step below %g relative)",
                        residual(s->n, y, f), CALCIFY_STEADY_TOL, CALCIFY_STEADY_STEP);
}

/* Steady state from one corner: Newton, else pseudo-transient
 * continuation, else integration.  *newton_ok says whether Newton alone
 * found it. */
static calcify_status solve_from(const steady_model *s, calcify_solver *solver,
                                 const double u[], int diseased, double y[],
                                 int *newton_ok, engine_blocklu *lu, calcify_error *err)
{
    const int n = s->n;
    const size_t bytes = (size_t)n * sizeof(double);
    s->md->fn.steady_guess(s->m, u, diseased, y);
    /* the guess is each pool's intake over its clearance: a pool that takes
     * something in and has no way out has no steady state to start from */
    for (int i = 0; i < n; i++)
        if (!isfinite(y[i]))
            return calcify_fail(err, CALCIFY_ESTEADY,
                                "baseline: no steady state on the baseline diet: a pool "
                                "with an intake and no clearance grows without bound "
                                "(expected a clearance above 0 wherever the diet brings "
                                "something in)");
    double start[N];
    memcpy(start, y, bytes);
    *newton_ok = newton(s, u, y, CALCIFY_STEADY_TOL, lu, 60, 0) == 0;
    if (*newton_ok) {
        clamp_small_negatives(n, y);
        return CALCIFY_OK;
    }
    memcpy(y, start, bytes);
    if (ptc(s, u, y, lu) == 0) {
        clamp_small_negatives(n, y);
        return CALCIFY_OK;
    }
    memcpy(y, start, bytes);
    return calcify_steady_state_by_integration(s->md, s->m, solver, u, y, err);
}

/* Largest relative difference between two states. */
static double state_distance(int n, const double a[], const double b[])
{
    double worst = 0;
    for (int i = 0; i < n; i++) {
        double scale = fmax(fmax(fabs(a[i]), fabs(b[i])), 1e-9 / CALCIFY_STEADY_SAME);
        double d = fabs(a[i] - b[i]) / scale;
        if (!(d <= worst))
            worst = d;
    }
    return worst;
}

/* The sum of the states the model reports in its baseline check. */
static double summary(const calcify_modeldef *md, const double y[])
{
    double sum = 0;
    for (size_t k = 0; k < md->n_summary; k++)
        sum += y[md->summary_states[k]];
    return sum;
}

calcify_status calcify_steady_state(const calcify_modeldef *md, const void *m,
                                    calcify_solver *solver, const double u[],
                                    int allow_multiple, double y[],
                                    calcify_steady_check *check, calcify_error *err)
{
    const steady_model s = {md, m, (int)md->n_state};
    calcify_steady_check ck = {0};
    double other[N];
    /* one structure per corner, so that neither's bits depend on the other */
    engine_blocklu *lu = engine_blocklu_alloc(md->n_state); /* NULL: dense LU */
    calcify_status st = solve_from(&s, solver, u, 0, y, &ck.newton_clean, lu, err);
    engine_blocklu_free(lu);
    if (!st) {
        lu = engine_blocklu_alloc(md->n_state);
        st = solve_from(&s, solver, u, 1, other, &ck.newton_diseased, lu, err);
        engine_blocklu_free(lu);
    }
    if (!st) {
        ck.distance = state_distance(s.n, y, other);
        ck.unique = ck.distance <= CALCIFY_STEADY_SAME;
        ck.mineral_clean = summary(md, y);
        ck.mineral_other = summary(md, other);
        ck.max_eigen_real = max_eigen_real(&s, u, y);
        ck.stable = ck.max_eigen_real < CALCIFY_STEADY_SLOWEST;
    }
    if (check)
        *check = ck;
    if (st)
        return st;
    if (!ck.unique && !allow_multiple && md->n_summary)
        return calcify_fail(err, CALCIFY_ESTEADY,
                            "baseline: the steady state is not unique (%s "
                            "%.4g %s from a clean start, %.4g from a "
                            "calcified one; expected one steady state)", md->summary_name,
                            ck.mineral_clean, md->summary_unit, ck.mineral_other);
    if (!ck.unique && !allow_multiple)
        return calcify_fail(err, CALCIFY_ESTEADY,
                            "baseline: the steady state is not unique (the two starts "
                            "differ by %.3g relative; expected one steady state)",
                            ck.distance);
    if (!ck.stable)
        return calcify_fail(err, CALCIFY_ESTEADY,
                            "baseline: no stable steady state (largest eigenvalue "
                            "real part %g per day; expected < %g: a slower mode "
                            "never settles)",
                            ck.max_eigen_real, CALCIFY_STEADY_SLOWEST);
    return CALCIFY_OK;
}
