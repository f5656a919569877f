/* test_bdf.c — the BDF stepper (src/engine/bdf.c): a stiff linear system
 * against its closed form through the solver, and a step rejected and
 * retaken shorter against the same shorter step taken first, its AVX2 and
 * SSE2 paths against each other, and its dense output of a few states
 * against the full one, bit for bit. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_odeiv2.h>

#include "calcify/solver.h"
#include "cunit_main.h"
#include "engine/engine.h"

/* ---- y' = A y, A = [[-500.5, 499.5], [499.5, -500.5]]: eigenvalues −1
 * (eigenvector (1, 1)) and −1000 (1, −1); y(0) = (2, 0) gives
 * y = e^{−t}·(1, 1) + e^{−1000 t}·(1, −1).  A third state fed by the first,
 * z' = y0 − 0.1 z, z(0) = 0, puts a cascade below the stiff 2×2 block:
 * z = (e^{−0.1t} − e^{−t})/0.9 + (e^{−0.1t} − e^{−1000t})/999.9. */
static const double A00 = -500.5, A01 = 499.5;

static void exact(double t, double y[3])
{
    const double slow = exp(-t), fast = exp(-1000 * t), z = exp(-0.1 * t);
    y[0] = slow + fast;
    y[1] = slow - fast;
    y[2] = (z - slow) / 0.9 + (z - fast) / 999.9;
}

static int stiff_rhs(double t, const double y[], double f[], const double u[], void *ctx)
{
    (void)t, (void)u, (void)ctx;
    f[0] = A00 * y[0] + A01 * y[1];
    f[1] = A01 * y[0] + A00 * y[1];
    f[2] = y[0] - 0.1 * y[2];
    return GSL_SUCCESS;
}

static int stiff_jac(double t, const double y[], double *J, double dfdt[], const double u[],
                     void *ctx)
{
    (void)t, (void)y, (void)dfdt, (void)u, (void)ctx;
    const double j[9] = {A00, A01, 0, A01, A00, 0, 1, 0, -0.1};
    memcpy(J, j, sizeof j);
    return GSL_SUCCESS;
}

typedef struct {
    double worst; /* max over rows and states of |y − exact| / (atol + rtol·|exact|) */
    double rtol, atol;
    int n;
} check;

static int compare(void *user, double t, size_t phase, const double y[], const double u[])
{
    (void)phase, (void)u;
    check *c = user;
    double want[3];
    exact(t, want);
    for (int i = 0; i < 3; i++) {
        const double e = fabs(y[i] - want[i]) / (c->atol + c->rtol * fabs(want[i]));
        if (!(e <= c->worst))
            c->worst = e;
    }
    c->n++;
    return 0;
}

/* Rows every 0.25 d over 20 d (dense output between the steps).  The
 * control bounds each step's local error by the tolerance; the global
 * error of a stable problem stays within a modest multiple of it: 20× is
 * asked (the steps' own estimate is of the local error only).  The steps
 * show the method is not held by the fast mode (an explicit pair needs
 * h < ~3/1000 d, thousands of steps). */
static void test_stiff_linear_closed_form(void)
{
    const double zero = 0;
    calcify_system sys = {.dim = 3, .rhs = stiff_rhs, .jac = stiff_jac};
    calcify_phase ph[1] = {{.duration = 20.0, .input = &zero}};
    const double rtols[] = {1e-5, 1e-7, 1e-9};
    for (size_t k = 0; k < sizeof rtols / sizeof rtols[0]; k++) {
        const double rtol = rtols[k], atol = 1e-3 * rtol;
        calcify_solver *sv = calcify_solver_alloc(&sys, "bdf", rtol, atol);
        CU_ASSERT_PTR_NOT_NULL_FATAL(sv);
        double y[3] = {2, 0, 0};
        check c = {0, rtol, atol, 0};
        CU_ASSERT_EQUAL(calcify_solver_run(sv, ph, 1, y, 0.25, compare, &c, NULL), CALCIFY_OK);
        CU_ASSERT_EQUAL(c.n, 81);
        if (!(c.worst < 20))
            fprintf(stderr, "\n  bdf at rtol %g: worst error %g × the tolerance\n", rtol, c.worst);
        CU_ASSERT(c.worst < 20);
        CU_ASSERT(calcify_solver_steps(sv) < 1000);
        CU_ASSERT(calcify_solver_jac_evals(sv) < calcify_solver_steps(sv) / 4);
        calcify_solver_free(sv);
    }
}

/* ---- the stepper through GSL directly ---------------------------------- */
static int gsl_rhs(double t, const double y[], double f[], void *p)
{
    return stiff_rhs(t, y, f, NULL, p);
}

static int gsl_jac(double t, const double y[], double *J, double dfdt[], void *p)
{
    memset(dfdt, 0, 3 * sizeof *dfdt);
    return stiff_jac(t, y, J, dfdt, NULL, p);
}

/* Two copies of the stepper take the same steps (GSL's evolve and control
 * choosing them); then one takes a step of 3h that is thrown away (as
 * evolve throws away a rejected step) and retakes it at 0.9h from the
 * same point, the other takes 0.9h directly (close enough to h that the
 * second reuses the W of the steps before).  Their results, and those of the steps
 * after, are the same to the last bit: a rejected step leaves nothing
 * behind in the history.  By then the order has risen above one. */
static void test_rejected_step_leaves_no_trace(void)
{
    gsl_odeiv2_system sys = {gsl_rhs, gsl_jac, 3, NULL};
    gsl_odeiv2_driver *da = gsl_odeiv2_driver_alloc_y_new(&sys, engine_step_bdf, 1e-4, 1e-9, 1e-6);
    gsl_odeiv2_driver *db = gsl_odeiv2_driver_alloc_y_new(&sys, engine_step_bdf, 1e-4, 1e-9, 1e-6);
    CU_ASSERT_PTR_NOT_NULL_FATAL(da);
    CU_ASSERT_PTR_NOT_NULL_FATAL(db);
    double ya[3] = {2, 0, 0}, yb[3] = {2, 0, 0}, err[3], dydt[3], ta = 0, tb = 0;
    while (ta < 0.5) { /* the same steps on both */
        CU_ASSERT_EQUAL_FATAL(gsl_odeiv2_evolve_apply(da->e, da->c, da->s, &sys, &ta, 10.0,
                                                      &da->h, ya), GSL_SUCCESS);
        CU_ASSERT_EQUAL_FATAL(gsl_odeiv2_evolve_apply(db->e, db->c, db->s, &sys, &tb, 10.0,
                                                      &db->h, yb), GSL_SUCCESS);
    }
    CU_ASSERT_EQUAL(memcmp(ya, yb, sizeof ya), 0);
    CU_ASSERT_EQUAL(ta, tb);
    CU_ASSERT(gsl_odeiv2_step_order(da->s) > 2); /* q + 1: order above one */
    const double t = ta, h = da->h;
    /* a: a step of 3h, thrown away */
    double saved[3];
    memcpy(saved, ya, sizeof ya);
    CU_ASSERT_EQUAL(gsl_odeiv2_step_apply(da->s, t, 3 * h, ya, err, NULL, dydt, &sys),
                    GSL_SUCCESS);
    CU_ASSERT(memcmp(ya, saved, sizeof ya) != 0);
    memcpy(ya, saved, sizeof ya);
    /* then both take 0.9h, and evolve takes both on from there */
    const double h1 = 0.9 * h;
    CU_ASSERT_EQUAL(gsl_odeiv2_step_apply(da->s, t, h1, ya, err, NULL, dydt, &sys), GSL_SUCCESS);
    CU_ASSERT_EQUAL(gsl_odeiv2_step_apply(db->s, t, h1, yb, err, NULL, dydt, &sys), GSL_SUCCESS);
    CU_ASSERT_EQUAL(memcmp(ya, yb, sizeof ya), 0);
    ta = tb = t + h1;
    da->h = db->h = h1;
    for (int k = 0; k < 20; k++) {
        CU_ASSERT_EQUAL(gsl_odeiv2_evolve_apply(da->e, da->c, da->s, &sys, &ta, 10.0, &da->h, ya),
                        GSL_SUCCESS);
        CU_ASSERT_EQUAL(gsl_odeiv2_evolve_apply(db->e, db->c, db->s, &sys, &tb, 10.0, &db->h, yb),
                        GSL_SUCCESS);
        CU_ASSERT_EQUAL(memcmp(ya, yb, sizeof ya), 0);
        CU_ASSERT_EQUAL(ta, tb);
    }
    /* and both are right */
    double want[3];
    exact(ta, want);
    for (int i = 0; i < 3; i++)
        CU_ASSERT(fabs(ya[i] - want[i]) < 20 * (1e-9 + 1e-6 * fabs(want[i])));
    gsl_odeiv2_driver_free(da);
    gsl_odeiv2_driver_free(db);
}

/* The same through GSL's evolve, where the control decides: with a
 * first step far too long for the tolerance (rejected, retaken shorter
 * several times), the run still matches the closed form, and its
 * rejections are counted by evolve. */
static void test_evolve_rejections(void)
{
    gsl_odeiv2_system sys = {gsl_rhs, gsl_jac, 3, NULL};
    gsl_odeiv2_driver *d = gsl_odeiv2_driver_alloc_y_new(&sys, engine_step_bdf, 1.0, 1e-10, 1e-7);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    double y[3] = {2, 0, 0}, t = 0;
    CU_ASSERT_EQUAL(gsl_odeiv2_driver_apply(d, &t, 5.0, y), GSL_SUCCESS);
    CU_ASSERT(d->e->failed_steps > 0);
    double want[3];
    exact(5.0, want);
    for (int i = 0; i < 3; i++)
        CU_ASSERT(fabs(y[i] - want[i]) < 20 * (1e-10 + 1e-7 * fabs(want[i])));
    gsl_odeiv2_driver_free(d);
}

/* ---- seven states: the 2×2 stiff block, and a cascade of five below it
 * (f_i = y_{i−1} − 0.1·i·y_i), so that four at a time, two at a time and
 * one at a time all have states to do */
enum { N7 = 7 };

static int rhs7(double t, const double y[], double f[], void *p)
{
    (void)t, (void)p;
    f[0] = A00 * y[0] + A01 * y[1];
    f[1] = A01 * y[0] + A00 * y[1];
    for (int i = 2; i < N7; i++)
        f[i] = y[i - 1] - 0.1 * i * y[i];
    return GSL_SUCCESS;
}

static int jac7(double t, const double y[], double *J, double dfdt[], void *p)
{
    (void)t, (void)y, (void)p;
    memset(J, 0, N7 * N7 * sizeof *J);
    memset(dfdt, 0, N7 * sizeof *dfdt);
    J[0] = A00, J[1] = A01, J[N7] = A01, J[N7 + 1] = A00;
    for (int i = 2; i < N7; i++) {
        J[i * N7 + i - 1] = 1;
        J[i * N7 + i] = -0.1 * i;
    }
    return GSL_SUCCESS;
}

/* bdf's step four states at a time (AVX2, where the CPU has it) and two at
 * a time (SSE2): the same IEEE operations on each value, so the same
 * states, step sizes and orders to the last bit, step after step. */
static void test_avx2_and_sse2_paths_agree(void)
{
    gsl_odeiv2_system sys = {rhs7, jac7, N7, NULL};
    gsl_odeiv2_driver *da = gsl_odeiv2_driver_alloc_y_new(&sys, engine_step_bdf, 1e-4, 1e-9, 1e-6);
    gsl_odeiv2_driver *db = gsl_odeiv2_driver_alloc_y_new(&sys, engine_step_bdf, 1e-4, 1e-9, 1e-6);
    CU_ASSERT_PTR_NOT_NULL_FATAL(da);
    CU_ASSERT_PTR_NOT_NULL_FATAL(db);
    const int wide = engine_bdf_use_avx2(da->s, 1);
    CU_ASSERT_EQUAL(engine_bdf_use_avx2(db->s, 0), 0);
    if (!wide)
        fprintf(stderr, "\n  (no AVX2 here: both runs take the SSE2 path)\n");
    double ya[N7] = {2, 0, 1, 0, 0, 0, 0}, yb[N7] = {2, 0, 1, 0, 0, 0, 0}, ta = 0, tb = 0;
    int steps = 0;
    while (ta < 20 && steps < 5000) {
        CU_ASSERT_EQUAL_FATAL(gsl_odeiv2_evolve_apply(da->e, da->c, da->s, &sys, &ta, 20.0,
                                                      &da->h, ya), GSL_SUCCESS);
        CU_ASSERT_EQUAL_FATAL(gsl_odeiv2_evolve_apply(db->e, db->c, db->s, &sys, &tb, 20.0,
                                                      &db->h, yb), GSL_SUCCESS);
        CU_ASSERT_EQUAL_FATAL(memcmp(ya, yb, sizeof ya), 0);
        CU_ASSERT_EQUAL_FATAL(ta, tb);
        CU_ASSERT_EQUAL_FATAL(da->h, db->h);
        steps++;
    }
    CU_ASSERT(ta >= 20);
    CU_ASSERT(gsl_odeiv2_step_order(da->s) > 3); /* orders above two were taken */
    /* dense output in the last step, both ways */
    double oa[N7], ob[N7];
    CU_ASSERT(engine_bdf_dense_output(da->s, ta - 0.3 * da->e->last_step, oa));
    CU_ASSERT(engine_bdf_dense_output(db->s, tb - 0.3 * db->e->last_step, ob));
    CU_ASSERT_EQUAL(memcmp(oa, ob, sizeof oa), 0);
    gsl_odeiv2_driver_free(da);
    gsl_odeiv2_driver_free(db);
}

/* The dense output of a few states (what summary metrics read inside a
 * step) is, bit for bit, the full dense output's, at every order the steps
 * take: each state alone, every other state, and all of them. */
static void test_dense_output_of_a_few_states(void)
{
    gsl_odeiv2_system sys = {rhs7, jac7, N7, NULL};
    gsl_odeiv2_driver *d = gsl_odeiv2_driver_alloc_y_new(&sys, engine_step_bdf, 1e-4, 1e-9, 1e-6);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    double y[N7] = {2, 0, 1, 0, 0, 0, 0}, t = 0;
    int seen[8] = {0}, mismatched = 0, steps = 0;
    while (t < 20 && steps++ < 5000) {
        CU_ASSERT_EQUAL_FATAL(gsl_odeiv2_evolve_apply(d->e, d->c, d->s, &sys, &t, 20.0, &d->h, y),
                              GSL_SUCCESS);
        const unsigned ord = gsl_odeiv2_step_order(d->s); /* q + 1 */
        seen[ord < 8 ? ord : 7] = 1;
        const double h = d->e->last_step;
        const double at[4] = {t - h, t - 0.7 * h, t - 0.3 * h, t};
        const uint32_t masks[2] = {0x55, 0x7f};
        for (int k = 0; k < 4; k++) {
            double all[N7], some[N7];
            CU_ASSERT_FATAL(engine_bdf_dense_output(d->s, at[k], all));
            for (int m = 0; m < 2 + N7; m++) {
                const uint32_t mask = m < 2 ? masks[m] : (uint32_t)1 << (m - 2);
                for (int i = 0; i < N7; i++)
                    some[i] = NAN;
                CU_ASSERT_FATAL(engine_bdf_dense_output_some(d->s, at[k], mask, some));
                for (int i = 0; i < N7; i++)
                    if ((mask >> i & 1) ? memcmp(&some[i], &all[i], sizeof all[i]) != 0
                                        : !isnan(some[i]))
                        mismatched++;
            }
        }
    }
    CU_ASSERT_EQUAL(mismatched, 0);
    for (unsigned q = 1; q <= 5; q++) /* every order, 1 to 5 */
        CU_ASSERT(seen[q + 1]);
    gsl_odeiv2_driver_free(d);
}

static int register_suites(void)
{
    CU_pSuite s = CU_add_suite("bdf", NULL, NULL);
    if (!s)
        return 1;
    if (!CU_add_test(s, "stiff linear system against its closed form",
                     test_stiff_linear_closed_form) ||
        !CU_add_test(s, "a rejected step leaves no trace", test_rejected_step_leaves_no_trace) ||
        !CU_add_test(s, "evolve's rejections and retakes", test_evolve_rejections) ||
        !CU_add_test(s, "AVX2 and SSE2 paths agree to the bit", test_avx2_and_sse2_paths_agree) ||
        !CU_add_test(s, "the dense output of a few states is the full one's, at every order",
                     test_dense_output_of_a_few_states))
        return 1;
    return 0;
}

CALCIFY_CUNIT_MAIN
