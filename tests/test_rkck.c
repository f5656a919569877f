/* test_rkck.c — the engine's Cash–Karp pair (src/engine/rkck.c) against
 * GSL's gsl_odeiv2_step_rkck, bit for bit: single steps on random
 * nonlinear systems (dydt_in and dydt_out given or not, some states not
 * finite), failures of the right-hand side at every one of its calls, and
 * whole runs through GSL's evolve and standard control; each with the AVX2
 * path (where the CPU has it) and the SSE2 one. */
#include <math.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_odeiv2.h>
#include <gsl/gsl_rng.h>

#include "cunit_main.h"
#include "engine/engine.h"

enum { DIM_MAX = 37, CASES = 20000 };

/* y_i' = −a_i·y_i + c_i·y_{i+1}·y_{i+2} + sin(t + i) (indices mod n): a
 * nonlinear, coupled system; calls are counted and the call numbered
 * fail_at (1, 2, …; 0 for none) fails */
typedef struct {
    size_t n;
    double a[DIM_MAX], c[DIM_MAX];
    int calls, fail_at;
} sys_params;

static int rhs(double t, const double y[], double f[], void *vp)
{
    sys_params *p = vp;
    if (++p->calls == p->fail_at)
        return GSL_EBADFUNC;
    for (size_t i = 0; i < p->n; i++)
        f[i] = -p->a[i] * y[i] + p->c[i] * y[(i + 1) % p->n] * y[(i + 2) % p->n] +
               sin(t + (double)i);
    return GSL_SUCCESS;
}

static int same_bits(const double *a, const double *b, size_t n)
{
    return memcmp(a, b, n * sizeof *a) == 0;
}

/* the engine's stepper, with its AVX2 path on or off */
static gsl_odeiv2_step *engine_rkck(size_t n, int wide)
{
    gsl_odeiv2_step *s = gsl_odeiv2_step_alloc(engine_step_rkck, n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    engine_rkck_use_avx2(s, wide);
    return s;
}

/* One step from the same (t, y, h, dydt_in) by GSL's stepper and the
 * engine's: the same status, y, yerr and dydt_out to the bit. */
static int one_step_agrees(gsl_odeiv2_step *g, gsl_odeiv2_step *e, sys_params *p, double t,
                           double h, const double y0[], const double *dydt_in, int want_out)
{
    const size_t n = p->n;
    double yg[DIM_MAX], ye[DIM_MAX], errg[DIM_MAX], erre[DIM_MAX], outg[DIM_MAX],
        oute[DIM_MAX];
    memcpy(yg, y0, n * sizeof *yg);
    memcpy(ye, y0, n * sizeof *ye);
    memset(errg, 0, sizeof errg), memset(erre, 0, sizeof erre);
    memset(outg, 0, sizeof outg), memset(oute, 0, sizeof oute);
    gsl_odeiv2_system sys = {rhs, NULL, n, p};
    p->calls = 0;
    const int rg = gsl_odeiv2_step_apply(g, t, h, yg, errg, dydt_in, want_out ? outg : NULL, &sys);
    const int calls_g = p->calls;
    p->calls = 0;
    const int re = gsl_odeiv2_step_apply(e, t, h, ye, erre, dydt_in, want_out ? oute : NULL, &sys);
    return rg == re && calls_g == p->calls && same_bits(yg, ye, n) &&
           same_bits(errg, erre, n) && same_bits(outg, oute, n);
}

static void random_system(gsl_rng *r, sys_params *p)
{
    p->n = 1 + gsl_rng_uniform_int(r, DIM_MAX);
    for (size_t i = 0; i < p->n; i++) {
        p->a[i] = pow(10.0, -2 + 5 * gsl_rng_uniform(r));
        p->c[i] = gsl_rng_uniform(r) - 0.5;
    }
    p->calls = p->fail_at = 0;
}

static void test_steps_match_gsl(void)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 20261206);
    int mismatched = 0, with_nonfinite = 0;
    for (int k = 0; k < CASES; k++) {
        sys_params p;
        random_system(r, &p);
        double y[DIM_MAX], f[DIM_MAX];
        for (size_t i = 0; i < p.n; i++)
            y[i] = (gsl_rng_uniform(r) - 0.3) * pow(10.0, -6 + 8 * gsl_rng_uniform(r));
        if (k % 50 == 0) { /* a state that is not finite: the same NaN or inf out */
            y[gsl_rng_uniform_int(r, p.n)] = k % 100 ? NAN : INFINITY;
            with_nonfinite++;
        }
        const double t = 10 * gsl_rng_uniform(r), h = pow(10.0, -6 + 6 * gsl_rng_uniform(r));
        const int given_in = k % 2, want_out = k % 3 != 0;
        if (given_in)
            rhs(t, y, f, &p);
        for (int wide = 1; wide >= 0; wide--) {
            gsl_odeiv2_step *g = gsl_odeiv2_step_alloc(gsl_odeiv2_step_rkck, p.n);
            gsl_odeiv2_step *e = engine_rkck(p.n, wide);
            if (!one_step_agrees(g, e, &p, t, h, y, given_in ? f : NULL, want_out))
                mismatched++;
            gsl_odeiv2_step_free(g);
            gsl_odeiv2_step_free(e);
        }
    }
    CU_ASSERT_EQUAL(mismatched, 0);
    CU_ASSERT(with_nonfinite > 100);
    gsl_rng_free(r);
}

/* The right-hand side failing at its first, second, … seventh call (the
 * stages, then dydt_out): the same status and y left as GSL leaves it (as
 * it was: untouched before the last stage, restored after dydt_out). */
static void test_failures_match_gsl(void)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 11);
    int mismatched = 0, cases = 0;
    for (int k = 0; k < 200; k++) {
        sys_params p;
        random_system(r, &p);
        double y[DIM_MAX], f[DIM_MAX];
        for (size_t i = 0; i < p.n; i++)
            y[i] = gsl_rng_uniform(r) - 0.5;
        const int given_in = k % 2;
        if (given_in)
            rhs(0.5, y, f, &p);
        for (int fail_at = 1; fail_at <= 7; fail_at++)
            for (int wide = 1; wide >= 0; wide--) {
                gsl_odeiv2_step *g = gsl_odeiv2_step_alloc(gsl_odeiv2_step_rkck, p.n);
                gsl_odeiv2_step *e = engine_rkck(p.n, wide);
                p.fail_at = fail_at;
                if (!one_step_agrees(g, e, &p, 0.5, 0.01, y, given_in ? f : NULL, 1))
                    mismatched++;
                cases++;
                gsl_odeiv2_step_free(g);
                gsl_odeiv2_step_free(e);
            }
    }
    CU_ASSERT_EQUAL(mismatched, 0);
    CU_ASSERT_EQUAL(cases, 200 * 7 * 2);
    gsl_rng_free(r);
}

/* Whole runs through GSL's evolve and standard control (rejections,
 * dydt_in carried from step to step): the same t, h and y after every
 * step. */
static void test_runs_match_gsl(void)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 3);
    unsigned long rejected = 0;
    for (int run = 0; run < 6; run++) {
        sys_params p;
        random_system(r, &p);
        gsl_odeiv2_system sys = {rhs, NULL, p.n, &p};
        const int wide = run % 2 == 0;
        gsl_odeiv2_driver *dg = gsl_odeiv2_driver_alloc_y_new(&sys, gsl_odeiv2_step_rkck, 1e-3,
                                                              1e-10, 1e-7);
        gsl_odeiv2_driver *de = gsl_odeiv2_driver_alloc_y_new(&sys, engine_step_rkck, 1e-3,
                                                              1e-10, 1e-7);
        CU_ASSERT_PTR_NOT_NULL_FATAL(dg);
        CU_ASSERT_PTR_NOT_NULL_FATAL(de);
        engine_rkck_use_avx2(de->s, wide);
        double yg[DIM_MAX], ye[DIM_MAX], tg = 0, te = 0;
        for (size_t i = 0; i < p.n; i++)
            yg[i] = ye[i] = gsl_rng_uniform(r) - 0.5;
        int steps = 0, same = 1;
        while (tg < 5 && steps < 20000 && same) {
            const int rg = gsl_odeiv2_evolve_apply(dg->e, dg->c, dg->s, &sys, &tg, 5.0, &dg->h, yg);
            const int re = gsl_odeiv2_evolve_apply(de->e, de->c, de->s, &sys, &te, 5.0, &de->h, ye);
            same = rg == GSL_SUCCESS && re == GSL_SUCCESS && same_bits(yg, ye, p.n) &&
                   same_bits(&tg, &te, 1) && same_bits(&dg->h, &de->h, 1);
            steps++;
        }
        CU_ASSERT(same);
        CU_ASSERT(tg >= 5);
        CU_ASSERT(dg->e->failed_steps == de->e->failed_steps);
        rejected += dg->e->failed_steps;
        gsl_odeiv2_driver_free(dg);
        gsl_odeiv2_driver_free(de);
    }
    CU_ASSERT(rejected > 0); /* the runs went through rejected steps too */
    gsl_rng_free(r);
}

static int register_suites(void)
{
    CU_pSuite s = CU_add_suite("rkck", NULL, NULL);
    if (!s)
        return 1;
    if (!CU_add_test(s, "single steps as GSL's rkck takes them, to the bit",
                     test_steps_match_gsl) ||
        !CU_add_test(s, "a failing right-hand side at each call, as GSL's",
                     test_failures_match_gsl) ||
        !CU_add_test(s, "whole runs through evolve and the standard control, as GSL's",
                     test_runs_match_gsl))
        return 1;
    return 0;
}

CALCIFY_CUNIT_MAIN
