/* test_control.c — the engine's step-size control (src/engine/control.c)
 * against GSL's standard control, decision for decision and bit for bit,
 * on random states that mix scales, signs, zeros and non-finite values,
 * through both of its paths (SSE2, and AVX2 where the CPU has it). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_odeiv2.h>
#include <gsl/gsl_rng.h>

#include "cunit_main.h"
#include "engine/engine.h"

enum { DIM_MAX = 37, CASES = 200000 };

/* A value of any scale and sign, sometimes exactly 0 or not finite. */
static double any_value(gsl_rng *r, int allow_nonfinite)
{
    const double u = gsl_rng_uniform(r);
    if (u < 0.05)
        return 0.0;
    if (allow_nonfinite && u < 0.06)
        return NAN;
    if (allow_nonfinite && u < 0.07)
        return gsl_rng_uniform(r) < 0.5 ? INFINITY : -INFINITY;
    const double mag = pow(10.0, -12 + 16 * gsl_rng_uniform(r));
    return gsl_rng_uniform(r) < 0.3 ? -mag : mag;
}

static int same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

static void test_control_matches_gsl_standard(void)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 20261206);
    double y[DIM_MAX], yerr[DIM_MAX], yp[DIM_MAX];
    int mismatched = 0, decisions[3] = {0, 0, 0};
    for (int k = 0; k < CASES; k++) {
        const size_t dim = 1 + gsl_rng_uniform_int(r, DIM_MAX);
        const double eps_abs = pow(10.0, -15 + 12 * gsl_rng_uniform(r));
        const double eps_rel = gsl_rng_uniform(r) < 0.1 ? 0 : pow(10.0, -12 + 10 * gsl_rng_uniform(r));
        const double a_y = k % 3 ? 1.0 : gsl_rng_uniform(r) * 2;
        const double a_dydt = k % 3 ? 0.0 : gsl_rng_uniform(r);
        const double h = pow(10.0, -8 + 9 * gsl_rng_uniform(r));
        const unsigned ord = 1 + (unsigned)gsl_rng_uniform_int(r, 6);
        /* errors near the tolerance, so that all three decisions occur */
        const double scale = eps_abs * pow(10.0, -3 + 6 * gsl_rng_uniform(r));
        for (size_t i = 0; i < dim; i++) {
            y[i] = any_value(r, k % 11 == 0);
            yp[i] = any_value(r, k % 5 == 0);
            yerr[i] = k % 7 == 0 ? any_value(r, 1) : scale * (gsl_rng_uniform(r) - 0.5);
        }
        gsl_odeiv2_control *g = gsl_odeiv2_control_standard_new(eps_abs, eps_rel, a_y, a_dydt);
        gsl_odeiv2_control *e = engine_control_y_new(eps_abs, eps_rel);
        CU_ASSERT_FATAL(g != NULL && e != NULL);
        CU_ASSERT_FATAL(gsl_odeiv2_control_init(e, eps_abs, eps_rel, a_y, a_dydt) ==
                        GSL_SUCCESS);
        double hg = h;
        /* through the type: gsl_odeiv2_control_hadjust takes the order
         * and size from a stepper */
        const int dg = g->type->hadjust(g->state, dim, ord, y, yerr, yp, &hg);
        /* both of the engine's paths: SSE2, and AVX2 where the CPU has it */
        for (int wide = 0; wide < 2; wide++) {
            double he = h;
            if (engine_control_use_avx2(e, wide) != wide && k == 0)
                fprintf(stderr, "\n  (no AVX2 here: both passes take the SSE2 path)\n");
            const int de = e->type->hadjust(e->state, dim, ord, y, yerr, yp, &he);
            if (dg != de || !same_bits(hg, he))
                mismatched++;
        }
        decisions[dg + 1]++;
        double lg, le;
        const size_t i = gsl_rng_uniform_int(r, dim);
        gsl_odeiv2_control_errlevel(g, y[i], yp[i], h, i, &lg);
        gsl_odeiv2_control_errlevel(e, y[i], yp[i], h, i, &le);
        if (!same_bits(lg, le))
            mismatched++;
        gsl_odeiv2_control_free(g);
        gsl_odeiv2_control_free(e);
    }
    CU_ASSERT_EQUAL(mismatched, 0);
    /* the cases reached every decision: shrink, keep (the narrowest band,
     * ratios in [0.5, 1.1]: about 5% of the cases) and grow */
    CU_ASSERT(decisions[0] > CASES / 10 && decisions[1] > CASES / 50 &&
              decisions[2] > CASES / 10);
    gsl_rng_free(r);
}

/* Ratios at the edges of the band where h is kept (0.5 and 1.1), to the
 * ulp and a little beyond the margins the control's shortcut leaves. */
static void test_control_edges_of_keep(void)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 7);
    int mismatched = 0;
    for (int k = 0; k < 40000; k++) {
        const double edge = k % 2 ? 1.1 : 0.5;
        const double off = (k / 2 % 4 == 0) ? (double)((k / 8) % 41 - 20) * 1e-16
                                            : (gsl_rng_uniform(r) - 0.5) * 8e-4;
        const size_t dim = 1 + gsl_rng_uniform_int(r, 9);
        double y[9], yerr[9], yp[9];
        const double eps_abs = 1e-9, eps_rel = 1e-6;
        for (size_t i = 0; i < dim; i++) {
            y[i] = any_value(r, 0);
            yp[i] = any_value(r, 0);
            const double d0 = eps_rel * fabs(y[i]) + eps_abs;
            yerr[i] = (i == 0 ? edge * (1 + off) : 0.3 * gsl_rng_uniform(r)) * d0;
        }
        gsl_odeiv2_control *g = gsl_odeiv2_control_y_new(eps_abs, eps_rel);
        gsl_odeiv2_control *e = engine_control_y_new(eps_abs, eps_rel);
        CU_ASSERT_FATAL(g != NULL && e != NULL);
        double hg = 0.01;
        const unsigned ord = 1 + (unsigned)(k % 5);
        const int dg = g->type->hadjust(g->state, dim, ord, y, yerr, yp, &hg);
        for (int wide = 0; wide < 2; wide++) {
            double he = 0.01;
            engine_control_use_avx2(e, wide);
            if (dg != e->type->hadjust(e->state, dim, ord, y, yerr, yp, &he) ||
                !same_bits(hg, he))
                mismatched++;
        }
        gsl_odeiv2_control_free(g);
        gsl_odeiv2_control_free(e);
    }
    CU_ASSERT_EQUAL(mismatched, 0);
    gsl_rng_free(r);
}

static int register_suites(void)
{
    CU_pSuite s = CU_add_suite("control", NULL, NULL);
    if (!s)
        return 1;
    if (!CU_add_test(s, "the engine's control decides as GSL's standard one, to the bit",
                     test_control_matches_gsl_standard) ||
        !CU_add_test(s, "... and at the edges of the band where it keeps h",
                     test_control_edges_of_keep))
        return 1;
    return 0;
}

CALCIFY_CUNIT_MAIN
