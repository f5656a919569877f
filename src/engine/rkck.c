/* rkck.c — the Cash–Karp 4(5) pair (Cash and Karp, ACM TOMS 16:201, 1990)
 * exactly as GSL's gsl_odeiv2_step_rkck computes it, several states at a
 * time.
 *
 * auto's explicit phase and --method rkck take thousands of these steps,
 * and GSL's loops over the states are scalar (its stages are not
 * vectorised: the arrays may alias): on Vermeer they were 8.7% of an
 * endpoint-only run's instructions, the six RHS calls aside.  Here each
 * stage is the same expression per state, in the same order, two states at
 * a time (SSE2, any x86-64) or four (AVX2, a second compilation chosen once
 * per stepper as bdf.c does), without FMA: every lane rounds as GSL's
 * scalar code does, so y, yerr and dydt_out are GSL's to the bit
 * (tests/test_rkck.c takes both side by side).  The coefficients are
 * Cash and Karp's, as GSL spells them. */
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "engine/engine.h"

static const double ah[] = {1.0 / 5.0, 0.3, 3.0 / 5.0, 1.0, 7.0 / 8.0};
static const double b21 = 1.0 / 5.0;
static const double b3[] = {3.0 / 40.0, 9.0 / 40.0};
static const double b4[] = {0.3, -0.9, 1.2};
static const double b5[] = {-11.0 / 54.0, 2.5, -70.0 / 27.0, 35.0 / 27.0};
static const double b6[] = {1631.0 / 55296.0, 175.0 / 512.0, 575.0 / 13824.0,
                            44275.0 / 110592.0, 253.0 / 4096.0};
static const double c1 = 37.0 / 378.0, c3 = 250.0 / 621.0, c4 = 125.0 / 594.0,
                    c6 = 512.0 / 1771.0;
/* the fifth-order weights less the fourth-order ones: the error */
static const double ec1 = 37.0 / 378.0 - 2825.0 / 27648.0,
                    ec3 = 250.0 / 621.0 - 18575.0 / 48384.0,
                    ec4 = 125.0 / 594.0 - 13525.0 / 55296.0, ec5 = -277.0 / 14336.0,
                    ec6 = 512.0 / 1771.0 - 0.25;

typedef double v2d __attribute__((vector_size(16), aligned(8), may_alias));
typedef double v4d __attribute__((vector_size(32), aligned(8), may_alias));

typedef struct {
    double *k1, *k2, *k3, *k4, *k5, *k6, *y0, *ytmp;
    int avx2; /* the CPU has AVX2: rkck_apply_avx2 */
} rkck_state;

static void rkck_free(void *vstate)
{
    rkck_state *s = vstate;
    if (s)
        free(s->k1); /* one block for the eight vectors */
    free(s);
}

static void *rkck_alloc(size_t n)
{
    rkck_state *s = calloc(1, sizeof *s);
    double *v = s ? calloc(8 * (n ? n : 1), sizeof *v) : NULL;
    if (!v) {
        free(s);
        GSL_ERROR_NULL("failed to allocate space for rkck_state", GSL_ENOMEM);
    }
    double **k[] = {&s->k1, &s->k2, &s->k3, &s->k4, &s->k5, &s->k6, &s->y0, &s->ytmp};
    for (size_t j = 0; j < 8; j++)
        *k[j] = v + j * n;
    s->avx2 = engine_avx2(1);
    return s;
}

/* BODY for each state i, with T the type of that many states: four at a
 * time where `wide`, then two, then one.  L(p) reads states i.. of p as a
 * T, S(p, v) writes them. */
#define EACH(n, wide, BODY)                                                                        \
    do {                                                                                           \
        size_t i = 0;                                                                              \
        for (; (wide) && i + 4 <= (n); i += 4) {                                                   \
            typedef v4d T;                                                                         \
            BODY                                                                                   \
        }                                                                                          \
        for (; i + 2 <= (n); i += 2) {                                                             \
            typedef v2d T;                                                                         \
            BODY                                                                                   \
        }                                                                                          \
        for (; i < (n); i++) {                                                                     \
            typedef double T;                                                                      \
            BODY                                                                                   \
        }                                                                                          \
    } while (0)
#define L(p) (*(const T *)((p) + i))
#define S(p, v) (*(T *)((p) + i) = (v))
#define EVAL(tt, yy, f)                                                                            \
    do {                                                                                           \
        int rc_ = GSL_ODEIV_FN_EVAL(sys, tt, yy, f);                                               \
        if (rc_ != GSL_SUCCESS)                                                                    \
            return rc_;                                                                            \
    } while (0)

static inline __attribute__((always_inline)) int
apply(void *vstate, size_t n, double t, double h, double y[], double yerr[],
      const double dydt_in[], double dydt_out[], const gsl_odeiv2_system *sys, const int wide)
{
    rkck_state *s = vstate;
    double *const k1 = s->k1, *const k2 = s->k2, *const k3 = s->k3, *const k4 = s->k4,
                  *const k5 = s->k5, *const k6 = s->k6, *const ytmp = s->ytmp;
    memcpy(s->y0, y, n * sizeof *y);
    if (dydt_in)
        memcpy(k1, dydt_in, n * sizeof *k1);
    else
        EVAL(t, y, k1);
    EACH(n, wide, S(ytmp, L(y) + b21 * h * L(k1)););
    EVAL(t + ah[0] * h, ytmp, k2);
    EACH(n, wide, S(ytmp, L(y) + h * (b3[0] * L(k1) + b3[1] * L(k2))););
    EVAL(t + ah[1] * h, ytmp, k3);
    EACH(n, wide, S(ytmp, L(y) + h * (b4[0] * L(k1) + b4[1] * L(k2) + b4[2] * L(k3))););
    EVAL(t + ah[2] * h, ytmp, k4);
    EACH(n, wide,
         S(ytmp, L(y) + h * (b5[0] * L(k1) + b5[1] * L(k2) + b5[2] * L(k3) + b5[3] * L(k4))););
    EVAL(t + ah[3] * h, ytmp, k5);
    EACH(n, wide,
         S(ytmp, L(y) + h * (b6[0] * L(k1) + b6[1] * L(k2) + b6[2] * L(k3) + b6[3] * L(k4) +
                             b6[4] * L(k5))););
    EVAL(t + ah[4] * h, ytmp, k6);
    EACH(n, wide, S(y, L(y) + h * (c1 * L(k1) + c3 * L(k3) + c4 * L(k4) + c6 * L(k6))););
    if (dydt_out) {
        int rc = GSL_ODEIV_FN_EVAL(sys, t + h, y, dydt_out);
        if (rc != GSL_SUCCESS) {
            memcpy(y, s->y0, n * sizeof *y); /* as it was */
            return rc;
        }
    }
    EACH(n, wide,
         S(yerr, h * (ec1 * L(k1) + ec3 * L(k3) + ec4 * L(k4) + ec5 * L(k5) + ec6 * L(k6))););
    return GSL_SUCCESS;
}
#undef EVAL
#undef S
#undef L
#undef EACH

#ifdef ENGINE_AVX2
__attribute__((target("avx2"))) static int
rkck_apply_avx2(void *vstate, size_t n, double t, double h, double y[], double yerr[],
                const double dydt_in[], double dydt_out[], const gsl_odeiv2_system *sys)
{
    return apply(vstate, n, t, h, y, yerr, dydt_in, dydt_out, sys, 1);
}
#endif

static int rkck_apply(void *vstate, size_t n, double t, double h, double y[], double yerr[],
                      const double dydt_in[], double dydt_out[], const gsl_odeiv2_system *sys)
{
#ifdef ENGINE_AVX2
    if (((const rkck_state *)vstate)->avx2)
        return rkck_apply_avx2(vstate, n, t, h, y, yerr, dydt_in, dydt_out, sys);
#endif
    return apply(vstate, n, t, h, y, yerr, dydt_in, dydt_out, sys, 0);
}

static int rkck_set_driver(void *vstate, const gsl_odeiv2_driver *d)
{
    (void)vstate, (void)d;
    return GSL_SUCCESS;
}

static int rkck_reset(void *vstate, size_t n)
{
    (void)vstate, (void)n; /* nothing carries from one step to the next */
    return GSL_SUCCESS;
}

static unsigned int rkck_order(void *vstate)
{
    (void)vstate;
    return 5; /* GSL's value, which its standard control uses */
}

static const gsl_odeiv2_step_type rkck_type = {
    "rkck", 1 /* takes dydt_in */, 1 /* exact dydt_out */,
    rkck_alloc, rkck_apply, rkck_set_driver, rkck_reset, rkck_order, rkck_free};

const gsl_odeiv2_step_type *const engine_step_rkck = &rkck_type;

int engine_rkck_use_avx2(gsl_odeiv2_step *st, int on)
{
    if (st->type != &rkck_type)
        return 0;
    rkck_state *s = st->state;
    return s->avx2 = engine_avx2(on);
}
