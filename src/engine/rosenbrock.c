/* rosenbrock.c — Rodas4, an L-stable, stiffly accurate Rosenbrock method of
 * order 4 with an embedded order-3 error estimate and a dense output of
 * order 3 (Hairer & Wanner, Solving ODEs II, §IV.7, 1996; coefficients of
 * their RODAS, method 1), as a GSL stepper type so that GSL's evolve,
 * control and driver run it like any other.
 *
 * A step of length h from (t0, y0), with W = I/(hγ) − J(t0, y0):
 *   for i = 1..6:  Y_i = y0 + Σ_{j<i} a_ij K_j
 *                  W K_i = f(t0 + α_i h, Y_i) + Σ_{j<i} (c_ij/h) K_j + γ_i h ∂f/∂t
 *   y1 = y0 + Σ m_j K_j,   error estimate K_6.
 * Six right-hand sides, one Jacobian and one factorisation per step, no
 * iteration.  W is solved by its strongly connected blocks (blocklu.c):
 * calcify's Jacobian is nearly a cascade, so only a few small blocks are
 * factorised.  A step retaken from the same state (a rejected step) keeps
 * the Jacobian and refactorises for the new h only.
 *
 * J is loaded into the block solver on its pattern by
 * engine_jacobian_load (checks.c), as for bdf.
 */
/* short loops over the states, run six times a step: let GCC vectorise
 * them (meson builds -O2; no reassociation, so results stay the same
 * bits run to run) */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("O3")
#endif
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "engine/blocklu.h"
#include "engine/engine.h"

enum { S = 6 };

/* In the form of Hairer's RODAS (and KPP): a, c strictly lower triangular,
 * row by row. */
static const double GAMMA = 0.25;
static const double ALPHA[S] = {0, 0.386, 0.21, 0.63, 1, 1};
static const double GAMMA_I[S] = {0.25, -0.1043, 0.1035, -0.0362, 0, 0};
static const double A[S][S] = {
    {0},
    {1.544},
    {0.9466785280815826, 0.2557011698983284},
    {3.314825187068521, 2.896124015972201, 0.9986419139977817},
    {1.221224509226641, 6.019134481288629, 12.53708332932087, -0.687886036105895},
    {1.221224509226641, 6.019134481288629, 12.53708332932087, -0.687886036105895, 1},
};
static const double C[S][S] = {
    {0},
    {-5.6688},
    {-2.430093356833875, -0.2063599157091915},
    {-0.1073529058151375, -9.594562251023355, -20.47028614809616},
    {7.496443313967647, -10.24680431464352, -33.99990352819905, 11.7089089320616},
    {8.083246795921522, -7.981132988064893, -31.52159432874371, 16.31930543123136,
     -6.058818238834054},
};
/* y1 = Y_6 + K_6: m = a_6 + e_6 */
/* dense output y(t0 + θh) = (1 − θ)·y0 + θ·(y1 + (1 − θ)·(D1 + θ·D2)),
 * D1 = Σ d1_j K_j, D2 = Σ d2_j K_j */
static const double D1[S - 1] = {10.12623508344586, -7.487995877610167, -34.80091861555747,
                                 -7.992771707568823, 1.025137723295662};
static const double D2[S - 1] = {-0.6762803392801253, 6.087714651680015, 16.43084320892478,
                                 24.76722511418386, -6.594389125716872};

typedef struct {
    size_t n;
    engine_blocklu *lu;
    double *J, *dfdt;
    double *K;            /* S·n stages */
    double *Y, *F;        /* stage state and right-hand side */
    double *yj;           /* the state J was taken at */
    double tj;
    int have_j;           /* J (and its blocks) are those at (tj, yj) */
    double c_factored;    /* the c = 1/(hγ) the blocks are factorised for, 0: none */
    /* the last step, for dense output */
    double t0, h;
    double *y0, *y1;
    int have_step;
    int time_dependent;   /* ∂f/∂t seen non-zero */
    unsigned long loads;  /* Jacobians since the last reset */
} rodas_state;

static void rodas_free(void *vstate)
{
    rodas_state *s = vstate;
    if (!s)
        return;
    engine_blocklu_free(s->lu);
    free(s->J);
    free(s);
}

static void *rodas_alloc(size_t n)
{
    rodas_state *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->n = n;
    s->lu = engine_blocklu_alloc(n);
    /* one block: J, then dfdt, K, Y, F, yj, y0, y1 */
    s->J = malloc((n * n + (S + 6) * n) * sizeof *s->J);
    if (!s->lu || !s->J) {
        rodas_free(s);
        GSL_ERROR_NULL("no memory for the Rosenbrock stepper", GSL_ENOMEM);
    }
    s->dfdt = s->J + n * n;
    s->K = s->dfdt + n;
    s->Y = s->K + S * n;
    s->F = s->Y + n;
    s->yj = s->F + n;
    s->y0 = s->yj + n;
    s->y1 = s->y0 + n;
    return s;
}

static int rodas_apply(void *vstate, size_t n, double t, double h, double y[], double yerr[],
                       const double dydt_in[], double dydt_out[],
                       const gsl_odeiv2_system *sys)
{
    rodas_state *s = vstate;
    int rc;
    s->have_step = 0;
    if (!sys->jacobian)
        GSL_ERROR("the Rosenbrock stepper needs a Jacobian", GSL_EFAULT);
    /* J at (t, y): reused when the step is retaken from the same state */
    if (!(s->have_j && s->tj == t && memcmp(s->yj, y, n * sizeof *y) == 0)) {
        s->have_j = 0;
        if ((rc = engine_jacobian_load(s->lu, sys, t, y, s->J, s->dfdt, s->Y, &s->loads)))
            return rc;
        s->time_dependent = 0;
        for (size_t i = 0; i < n; i++)
            if (s->dfdt[i] != 0)
                s->time_dependent = 1;
        memcpy(s->yj, y, n * sizeof *y);
        s->tj = t;
        s->have_j = 1;
        s->c_factored = 0;
    }
    const double c = 1.0 / (h * GAMMA);
    if (c != s->c_factored) {
        if ((rc = engine_blocklu_factor(s->lu, c)) != GSL_SUCCESS) {
            s->c_factored = 0;
            return rc; /* not EBADFUNC: evolve halves the step and retries */
        }
        s->c_factored = c;
    }
    double *restrict K = s->K, *restrict Y = s->Y;
    const double *restrict F;
    const double inv_h = 1.0 / h;
    for (int i = 0; i < S; i++) {
        double *restrict Ki = K + (size_t)i * n;
        if (i == 0 && dydt_in) {
            F = dydt_in;
        } else {
            /* stage by stage over the states (vectorisable), each state's
             * terms added in the same order as one sum would */
            memcpy(Y, y, n * sizeof *Y);
            for (int j = 0; j < i; j++) {
                const double a = A[i][j];
                const double *restrict Kj = K + (size_t)j * n;
                for (size_t k = 0; k < n; k++)
                    Y[k] += a * Kj[k];
            }
            if ((rc = GSL_ODEIV_FN_EVAL(sys, t + ALPHA[i] * h, Y, s->F)) != GSL_SUCCESS)
                return rc;
            F = s->F;
        }
        double cij[S];
        for (int j = 0; j < i; j++)
            cij[j] = C[i][j] * inv_h;
        memcpy(Ki, F, n * sizeof *Ki);
        for (int j = 0; j < i; j++) {
            const double c = cij[j];
            const double *restrict Kj = K + (size_t)j * n;
            for (size_t k = 0; k < n; k++)
                Ki[k] += c * Kj[k];
        }
        if (s->time_dependent) {
            const double hg = h * GAMMA_I[i];
            for (size_t k = 0; k < n; k++)
                Ki[k] += hg * s->dfdt[k];
        }
        engine_blocklu_solve(s->lu, Ki);
    }
    /* stiffly accurate: y1 = Y_6 + K_6, the last stage's state plus its
     * correction, which is the error estimate */
    const double *K6 = K + (size_t)(S - 1) * n;
    memcpy(s->y0, y, n * sizeof *y);
    for (size_t k = 0; k < n; k++) {
        y[k] = Y[k] + K6[k];
        yerr[k] = K6[k];
    }
    memcpy(s->y1, y, n * sizeof *y);
    /* GSL's evolve passes the dydt_out of an accepted step as the next
     * step's dydt_in: its first stage */
    if (dydt_out && (rc = GSL_ODEIV_FN_EVAL(sys, t + h, y, dydt_out)) != GSL_SUCCESS) {
        memcpy(y, s->y0, n * sizeof *y);
        return rc;
    }
    s->t0 = t;
    s->h = h;
    s->have_step = 1;
    return GSL_SUCCESS;
}

static int rodas_set_driver(void *vstate, const gsl_odeiv2_driver *d)
{
    (void)vstate, (void)d;
    return GSL_SUCCESS;
}

static int rodas_reset(void *vstate, size_t n)
{
    (void)n;
    rodas_state *s = vstate;
    s->have_j = 0;
    s->have_step = 0;
    s->c_factored = 0;
    s->loads = 0;
    return GSL_SUCCESS;
}

/* the error estimate is O(h⁴): GSL's standard control shrinks steps by
 * r^(−1/4) and grows them by r^(−1/5) */
static unsigned int rodas_order(void *vstate)
{
    (void)vstate;
    return 4;
}

static const gsl_odeiv2_step_type rodas4_type = {
    "rodas4", 1 /* can use dydt_in */, 1 /* gives exact dydt_out */,
    rodas_alloc, rodas_apply, rodas_set_driver, rodas_reset, rodas_order, rodas_free};

const gsl_odeiv2_step_type *const engine_step_rodas4 = &rodas4_type;

int engine_dense_output(const gsl_odeiv2_step *st, double t, double out[])
{
    if (st->type != &rodas4_type)
        return engine_bdf_dense_output(st, t, out);
    const rodas_state *s = st->state;
    if (!s->have_step)
        return 0;
    const size_t n = s->n;
    const double th = (t - s->t0) / s->h, th1 = 1.0 - th;
    const double *K = s->K;
    for (size_t k = 0; k < n; k++) {
        double d1 = 0, d2 = 0;
        for (int j = 0; j < S - 1; j++) {
            d1 += D1[j] * K[(size_t)j * n + k];
            d2 += D2[j] * K[(size_t)j * n + k];
        }
        out[k] = th1 * s->y0[k] + th * (s->y1[k] + th1 * (d1 + th * d2));
    }
    return 1;
}

int engine_has_dense_output(const gsl_odeiv2_step *st)
{
    return st->type == &rodas4_type || engine_is_bdf(st);
}
