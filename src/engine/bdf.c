/* bdf.c — a variable-order (1–5), variable-step BDF stepper in Nordsieck
 * form on blocklu.c, as a GSL stepper type so that GSL's evolve, control
 * and driver run it like any other.
 *
 * The history is the Nordsieck array z = [y, h·y', h²·y''/2, …, h^q·y⁽q⁾/q!]
 * of the polynomial P through the last q+1 solution values at the spacing
 * h (Byrne & Hindmarsh 1975; the form LSODE uses): a change of h rescales
 * column j by (h_new/h)^j — P itself is kept, and the formulas below stay
 * those of a constant step (quasi-constant step size).  Steps change h or
 * q only every q+1 steps, which keeps that interpolation well behaved.
 *
 * A step of length h:
 *   predict   z⁽⁰⁾ = z·A (Pascal's triangle: P re-expanded at t + h)
 *   correct   y_n = y⁽⁰⁾ + e,  h·y'_n = z1⁽⁰⁾ + ℓ1·e, with h·y'_n = h·f(t_n, y_n):
 *             Newton on  e/γ − f(y⁽⁰⁾ + e) + z1⁽⁰⁾/h = 0,  γ = h/ℓ1,
 *             with W = I/γ − J through engine_blocklu
 *   update    z_n = z⁽⁰⁾ + ℓ·e,  ℓ(x) = Π_{i=1..q} (1 + x/i)
 * (the correction polynomial e·ℓ((t−t_n)/h) vanishes at the q past points:
 * P keeps interpolating them and takes y_n at t_n).
 *
 * Error: e = y_n − y⁽⁰⁾ is the (q+1)-th backward difference of the
 * solution, ≈ h^{q+1}·y⁽q+1⁾, and BDF's local error in these units is
 * h^{q+1}·y⁽q+1⁾/(ℓ1·(q+1)): the estimate is e/(ℓ1·(q+1)).  At order q−1 it
 * would be z_q·(q−1)!/ℓ1(q−1), at q+1 (e − e_prev)/(ℓ1(q+1)·(q+2)) (both from
 * the same differences), which choose the next order as in CVODE
 * (Hindmarsh et al., ACM TOMS 31:363, 2005): the order whose step would be
 * longest, biased towards keeping it, only if that step is 1.5× longer.
 *
 * How it fits GSL's evolve and standard control.  The control judges the
 * error in yerr with the same weights as here (read from it through
 * gsl_odeiv2_control_errlevel): a step whose estimate exceeds 1.1 is
 * rejected (evolve shrinks h by 0.9·r^(−1/(q+1)), the exponent of BDF's
 * error, since order() reports q+1).  An accepted step's yerr is the
 * estimate scaled so that the control picks exactly the next step size
 * the order selection chose (the same length, or ×η ≥ 1.5): GSL's control
 * would otherwise change h on every step.  Evolve's retries are recognised
 * by the arguments: a call from the last accepted state again (same t,
 * same y) retakes the step from the stored history, so a rejected step
 * leaves no trace; a call from the end of the last step commits it; any
 * other call starts afresh at order 1.  Nothing in the history changes
 * before the step is known to be accepted.
 *
 * The control's weights are those of the predicted state (Newton's too);
 * the new state's differ by the correction, a fraction of the tolerance.
 * A step rejected twice is retaken at order q−1, four times at order 1
 * from the history's state.
 *
 * Jacobian and factorisation are reused across steps, as CVODE does: W is
 * refactorised when γ moved by more than 30% since its factorisation, J is
 * re-evaluated every JAC_EVERY steps or when Newton fails with an old one,
 * at the history's point (the same whatever h is tried); a retake restores
 * the W and Newton's convergence rate of the last commit while J is the
 * same, so that it gives, to the last bit, what the shorter step would
 * have given first (tests/test_bdf.c).  The engine does not check each RHS
 * for finiteness (as for Rodas4): Newton's norm sees a value that is not
 * finite and fails the step, and evolve retakes it shorter.
 * Dense output is P of the last step (the order of the step).
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("O3")
#endif
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <string.h>

#include <gsl/gsl_errno.h>

#include "engine/blocklu.h"
#include "engine/engine.h"

enum { QMAX = 5, NCOL = QMAX + 2, MAXCOR = 3 };

/* J re-evaluated after this many accepted steps */
static const unsigned long JAC_EVERY = 20;
/* W refactorised when γ/γ_factored moves further than this from 1 */
static const double DGMAX = 0.3;
/* step growth asked of the control: at least ETA_UP (else none), at most
 * GSL's 5 */
static const double ETA_UP = 1.5, ETA_MAX = 5.0;
/* biases of the order selection (CVODE's): order q−1, q, q+1 */
static const double BIAS_DOWN = 6, BIAS_SAME = 6, BIAS_UP = 10;
/* pow(x, 1/k) ≥ KEEP_ROOT (ulps aside) means an η = 1/(pow + 1e-6) plainly
 * below ETA_UP: 1/KEEP_ROOT < 1.4926 */
static const double KEEP_ROOT = 0.67;
/* Newton stops when its remaining error is this fraction of the error
 * test's */
static const double NEWTON_TOL = 0.1;
/* GSL's standard control: rejects above 1.1, keeps h in [0.5, 1.1], grows
 * by 0.9·r^(−1/(ord+1)) below 0.5 */
static const double CTRL_KEEP = 0.8, CTRL_REJECT = 1.1, CTRL_SAFETY = 0.9;

typedef enum { NEWTON_OK = 0, NEWTON_FAIL = 1 } newton_status;

typedef struct {
    size_t n;
    engine_blocklu *lu;
    const gsl_odeiv2_driver *driver;
    /* per order q: ℓ (Π_{i=1..q}(1 + x/i)), the error constant 1/(ℓ1·(q+1)),
     * and c (Π_{i=0..q−1}(x + i)) for changes of order */
    double ell[NCOL][NCOL], kerr[NCOL], c[NCOL][NCOL], fact[NCOL];
    /* per order q: the errors at q, q−1, q+1 at or above which the order
     * selection's η is below ETA_UP (KEEP_ROOT^k over its bias) */
    double keep_same[NCOL], keep_down[NCOL], keep_up[NCOL];
    double *J, *dfdt, *yg;
    double *z;      /* committed history at tn, spacing hn, order q */
    double *zn;     /* the step just taken (pending), order qp, at tp1 */
    double *e, *eprev; /* its correction; the committed step's */
    double *ycur, *f, *winv;
    /* committed */
    int have_hist, q, qwait;
    double tn, hn;
    double eprev_h;
    int eprev_q;
    /* pending */
    int pending, qp, q_next;
    double tp0, tp1, hp, eta_next;
    int nfail;      /* retakes of the step from tn */
    /* Jacobian and factorisation */
    int have_j;
    unsigned long j_age, loads;
    double gamma_w;  /* γ of the W the step uses, 0: none yet */
    double gamma_lu; /* γ the blocks are factorised for, 0: none */
    unsigned long j_id; /* Jacobians evaluated */
    /* the same at the last commit: a retake of the step uses the W and the
     * convergence rate the step would have had, had it been taken first */
    double gamma_wc, crate_c;
    unsigned long j_id_c;
    int have_ctrl;  /* the control's weights read (once a reset) */
    double ca, cb, cc;
    double crate;    /* Newton's convergence rate */
    int ord_report; /* order() for the control */
    int avx2;       /* the CPU has AVX2: bdf_apply_avx2 */
} bdf_state;

static void bdf_free(void *vstate)
{
    bdf_state *s = vstate;
    if (!s)
        return;
    engine_blocklu_free(s->lu);
    free(s->J);
    free(s);
}

/* coefficients of Π_{i<m} (x + r_i) into out[0..m] */
static void poly_from_roots(const double *r, int m, double out[NCOL])
{
    for (int j = 0; j < NCOL; j++)
        out[j] = 0;
    out[0] = 1;
    for (int i = 0; i < m; i++)
        for (int j = i + 1; j >= 0; j--)
            out[j] = out[j] * r[i] + (j > 0 ? out[j - 1] : 0);
}

static void *bdf_alloc(size_t n)
{
    bdf_state *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->n = n;
    s->avx2 = engine_avx2(1);
    s->lu = engine_blocklu_alloc(n);
    /* one block: J, then dfdt, yg, z, zn, e, eprev, ycur, f, winv */
    s->J = malloc((n * n + (7 + 2 * NCOL) * n) * sizeof *s->J);
    if (!s->lu || !s->J) {
        bdf_free(s);
        GSL_ERROR_NULL("no memory for the BDF stepper", GSL_ENOMEM);
    }
    s->dfdt = s->J + n * n;
    s->yg = s->dfdt + n;
    s->z = s->yg + n;
    s->zn = s->z + NCOL * n;
    s->e = s->zn + NCOL * n;
    s->eprev = s->e + n;
    s->ycur = s->eprev + n;
    s->f = s->ycur + n;
    s->winv = s->f + n;
    /* ℓ of order q: Π_{i=1..q} (1 + x/i) = Π (x + i) / q! */
    double roots[NCOL];
    s->fact[0] = 1;
    for (int q = 1; q < NCOL; q++)
        s->fact[q] = s->fact[q - 1] * q;
    for (int q = 0; q < NCOL; q++) {
        for (int i = 0; i < q; i++)
            roots[i] = i + 1;
        poly_from_roots(roots, q, s->ell[q]);
        for (int j = 0; j <= q; j++)
            s->ell[q][j] /= s->fact[q];
        s->kerr[q] = q > 0 ? 1.0 / (s->ell[q][1] * (q + 1)) : 0;
        for (int i = 0; i < q; i++)
            roots[i] = i;
        poly_from_roots(roots, q, s->c[q]);
        s->keep_same[q] = pow(KEEP_ROOT, q + 1) / BIAS_SAME;
        s->keep_down[q] = pow(KEEP_ROOT, q) / BIAS_DOWN;
        s->keep_up[q] = pow(KEEP_ROOT, q + 2) / BIAS_UP;
    }
    return s;
}

/* The control's weights: D0_i = A + B·|y_i| + C·|h·y'_i| (GSL's standard
 * control, its coefficients read through errlevel); 0 if no control. */
static int control_coeffs(const bdf_state *s, double *A, double *B, double *C)
{
    if (!s->driver || !s->driver->c)
        return 0;
    gsl_odeiv2_control *c = s->driver->c;
    double a, ab, ac;
    if (gsl_odeiv2_control_errlevel(c, 0, 0, 1, 0, &a) != GSL_SUCCESS ||
        gsl_odeiv2_control_errlevel(c, 1, 0, 1, 0, &ab) != GSL_SUCCESS ||
        gsl_odeiv2_control_errlevel(c, 0, 1, 1, 0, &ac) != GSL_SUCCESS)
        return 0;
    *A = a;
    *B = ab - a;
    *C = ac - a;
    return 1;
}

/* Start the history at (t, y): order 1, z1 = h·f(t, y). */
static int start(bdf_state *s, double t, double h, const double y[],
                 const gsl_odeiv2_system *sys)
{
    const size_t n = s->n;
    int rc;
    s->have_hist = 0;
    memcpy(s->z, y, n * sizeof *y);
    if ((rc = GSL_ODEIV_FN_EVAL(sys, t, y, s->z + n)) != GSL_SUCCESS)
        return rc;
    for (size_t i = 0; i < n; i++)
        s->z[n + i] *= h;
    s->q = 1;
    s->qwait = 2;
    s->tn = t;
    s->hn = h;
    s->eprev_q = 0;
    s->nfail = 0;
    s->pending = 0;
    s->gamma_wc = s->gamma_w;
    s->crate_c = s->crate;
    s->j_id_c = s->j_id;
    s->have_hist = 1;
    return GSL_SUCCESS;
}

/* Order q → q−1 of the history z (spacing hn): the polynomial through the
 * last q points, P − z_q·Π_{i=0..q−1}(x + i). */
static void order_down(bdf_state *s, double *z)
{
    const size_t n = s->n;
    const int q = s->q;
    const double *zq = z + (size_t)q * n;
    for (int j = 1; j < q; j++) {
        const double cj = s->c[q][j];
        double *zj = z + (size_t)j * n;
        for (size_t i = 0; i < n; i++)
            zj[i] -= cj * zq[i];
    }
    s->q = q - 1;
}

/* Order q → q+1: the polynomial through one more point, P + d/(q+1)!·
 * Π_{i=0..q}(x + i), with d the last correction (the (q+1)-th backward
 * difference). */
static void order_up(bdf_state *s, double *z, const double *d)
{
    const size_t n = s->n;
    const int q1 = s->q + 1;
    const double k = 1.0 / s->fact[q1];
    for (int j = 1; j <= q1; j++) {
        const double cj = k * s->c[q1][j];
        double *zj = z + (size_t)j * n;
        if (j == q1)
            for (size_t i = 0; i < n; i++)
                zj[i] = cj * d[i];
        else
            for (size_t i = 0; i < n; i++)
                zj[i] += cj * d[i];
    }
    s->q = q1;
}

/* The pending step is accepted: it becomes the history (at time t, as
 * evolve reports its end). */
static void commit(bdf_state *s, double t)
{
    double *tmp = s->z;
    s->z = s->zn;
    s->zn = tmp;
    tmp = s->eprev;
    s->eprev = s->e;
    s->e = tmp;
    const double h_old = s->hn;
    s->tn = t;
    s->hn = s->hp;
    s->eprev_h = s->hp;
    s->eprev_q = s->q;
    s->pending = 0;
    s->nfail = 0;
    s->j_age++;
    s->gamma_wc = s->gamma_w;
    s->crate_c = s->crate;
    s->j_id_c = s->j_id;
    if (s->q_next > s->q)
        order_up(s, s->z, s->eprev);
    else if (s->q_next < s->q)
        order_down(s, s->z);
    if (s->hp != h_old || s->q_next != s->qp || s->eta_next != 1)
        s->qwait = s->q + 1;
    else if (s->qwait > 0)
        s->qwait--;
}

/* Two states at a time in GCC's vector extension (SSE2's packed operations
 * on x86-64, pairs of scalar ones elsewhere): each lane does the same IEEE
 * operations as the scalar code, so results are the same to the bit.  GCC
 * left the loops below scalar on its own (predict was a quarter of
 * bdf_apply). */
typedef double v2d __attribute__((vector_size(16), aligned(8), may_alias));
typedef int64_t v2i __attribute__((vector_size(16), aligned(8), may_alias));
#define LD2(p) (*(const v2d *)(p))
#define ST2(p, v) (*(v2d *)(p) = (v))
/* four at a time, only where compiled for AVX2 (bdf_apply_avx2 below):
 * GCC's SSE2 code for them was 10% slower on Vermeer than two at a time */
typedef double v4d __attribute__((vector_size(32), aligned(8), may_alias));
typedef int64_t v4i __attribute__((vector_size(32), aligned(8), may_alias));
#define LD4(p) (*(const v4d *)(p))
#define ST4(p, v) (*(v4d *)(p) = (v))

static inline v2d vabs2(v2d x) { return (v2d)((v2i)x & INT64_MAX); }

/* x > m ? x : m in each lane (m where x is a NaN), MAXPD's own rule */
static inline v2d vmax2(v2d x, v2d m)
{
#ifdef __SSE2__
    return _mm_max_pd(x, m);
#else
    const v2i k = (v2i)(x > m);
    return (v2d)(((v2i)x & k) | ((v2i)m & ~k));
#endif
}

/* the larger lane, NaN-free */
static inline double hmax2(v2d m) { return m[0] > m[1] ? m[0] : m[1]; }

/* zn := z rescaled column by column by r[j] and re-expanded at one step
 * ahead (Pascal's triangle), two states at a time in registers; Q a
 * constant where it is inlined, so that GCC unrolls it */
static inline __attribute__((always_inline)) void predict(double *restrict zn,
                                                           const double *restrict z, size_t n,
                                                           const double r[NCOL], const int Q,
                                                           const int wide)
{
    size_t i = 0;
    for (; wide && i + 4 <= n; i += 4) {
        v4d v[NCOL];
        for (int j = 0; j <= Q; j++)
            v[j] = r[j] * LD4(z + (size_t)j * n + i);
        for (int k = 0; k < Q; k++)
            for (int j = Q; j > k; j--)
                v[j - 1] += v[j];
        for (int j = 0; j <= Q; j++)
            ST4(zn + (size_t)j * n + i, v[j]);
    }
    for (; i + 2 <= n; i += 2) {
        v2d v[NCOL];
        for (int j = 0; j <= Q; j++)
            v[j] = r[j] * LD2(z + (size_t)j * n + i);
        for (int k = 0; k < Q; k++)
            for (int j = Q; j > k; j--)
                v[j - 1] += v[j];
        for (int j = 0; j <= Q; j++)
            ST2(zn + (size_t)j * n + i, v[j]);
    }
    for (; i < n; i++) {
        double v[NCOL];
        for (int j = 0; j <= Q; j++)
            v[j] = r[j] * z[(size_t)j * n + i];
        for (int k = 0; k < Q; k++)
            for (int j = Q; j > k; j--)
                v[j - 1] += v[j];
        for (int j = 0; j <= Q; j++)
            zn[(size_t)j * n + i] = v[j];
    }
}

/* z_n := z⁽⁰⁾ + ℓ·e (ℓ0 = 1), y := its value, dydt := its slope (if
 * asked), two states at a time; Q a constant where it is inlined */
static inline __attribute__((always_inline)) void update(double *restrict zn,
                                                          const double *restrict e,
                                                          const double ell[NCOL],
                                                          double *restrict y,
                                                          double *restrict dydt, double inv_h,
                                                          size_t n, const int Q, const int wide)
{
    size_t i = 0;
    for (; wide && i + 4 <= n; i += 4) {
        const v4d ei = LD4(e + i);
        v4d v[NCOL];
        for (int j = 0; j <= Q; j++) {
            v[j] = LD4(zn + (size_t)j * n + i) + ell[j] * ei;
            ST4(zn + (size_t)j * n + i, v[j]);
        }
        ST4(y + i, v[0]);
        if (dydt)
            ST4(dydt + i, v[1] * inv_h);
    }
    for (; i + 2 <= n; i += 2) {
        const v2d ei = LD2(e + i);
        v2d v[NCOL];
        for (int j = 0; j <= Q; j++) {
            v[j] = LD2(zn + (size_t)j * n + i) + ell[j] * ei;
            ST2(zn + (size_t)j * n + i, v[j]);
        }
        ST2(y + i, v[0]);
        if (dydt)
            ST2(dydt + i, v[1] * inv_h);
    }
    for (; i < n; i++) {
        const double ei = e[i];
        for (int j = 0; j <= Q; j++)
            zn[(size_t)j * n + i] += ell[j] * ei;
        y[i] = zn[i];
        if (dydt)
            dydt[i] = zn[n + i] * inv_h;
    }
}

/* m[0] = max |e_i|·w_i, m[1] = max |zq_i|·w_i (if down), m[2] =
 * max |e_i − ep_i|·w_i (if up), else 0: three weighted max norms (finite
 * values) in one pass, two states at a time */
static void max_norms(const double *restrict e, const double *restrict zq,
                      const double *restrict ep, const double *restrict w, size_t n, int down,
                      int up, double m[3])
{
    v2d a = {0, 0}, b = {0, 0}, c = {0, 0};
    size_t i = 0;
    if (down && up)
        for (; i + 2 <= n; i += 2) {
            const v2d wi = LD2(w + i);
            a = vmax2(vabs2(LD2(e + i)) * wi, a);
            b = vmax2(vabs2(LD2(zq + i)) * wi, b);
            c = vmax2(vabs2(LD2(e + i) - LD2(ep + i)) * wi, c);
        }
    else if (down)
        for (; i + 2 <= n; i += 2) {
            const v2d wi = LD2(w + i);
            a = vmax2(vabs2(LD2(e + i)) * wi, a);
            b = vmax2(vabs2(LD2(zq + i)) * wi, b);
        }
    else if (up)
        for (; i + 2 <= n; i += 2) {
            const v2d wi = LD2(w + i);
            a = vmax2(vabs2(LD2(e + i)) * wi, a);
            c = vmax2(vabs2(LD2(e + i) - LD2(ep + i)) * wi, c);
        }
    else
        for (; i + 2 <= n; i += 2)
            a = vmax2(vabs2(LD2(e + i)) * LD2(w + i), a);
    m[0] = hmax2(a);
    m[1] = hmax2(b);
    m[2] = hmax2(c);
#define MAXW(acc, x) acc = (x) > acc ? (x) : acc
    if (i < n) {
        MAXW(m[0], fabs(e[i]) * w[i]);
        if (down)
            MAXW(m[1], fabs(zq[i]) * w[i]);
        if (up)
            MAXW(m[2], fabs(e[i] - ep[i]) * w[i]);
    }
#undef MAXW
}

/* (Re)evaluate J at (t, y) and load it on its pattern. */
static int new_jacobian(bdf_state *s, double t, const double y[],
                        const gsl_odeiv2_system *sys)
{
    int rc;
    s->have_j = 0;
    s->gamma_w = s->gamma_lu = 0;
    s->j_id++;
    if ((rc = engine_jacobian_load(s->lu, sys, t, y, s->J, s->dfdt, s->yg, &s->loads)))
        return rc;
    s->have_j = 1;
    s->j_age = 0;
    return GSL_SUCCESS;
}

/* Newton on the corrector from the prediction in zn; e := the correction.
 * *rc_out: a GSL status of the RHS (NEWTON_FAIL with it ≠ 0). */
static newton_status newton(bdf_state *s, double t1, double h, double gamma, double ntol,
                            const gsl_odeiv2_system *sys, int *rc_out)
{
    const size_t n = s->n;
    double *restrict e = s->e, *restrict y = s->ycur, *restrict f = s->f;
    const double *restrict yp = s->zn, *restrict z1 = s->zn + n, *restrict w = s->winv;
    const double inv_h = 1.0 / h, inv_g = 1.0 / gamma;
    const double gr = gamma / s->gamma_w, scale = 2.0 * gr / (1.0 + gr);
    double delp = 0;
    *rc_out = GSL_SUCCESS;
    for (int m = 0; m < MAXCOR; m++) {
        /* the first iteration from the prediction itself (e = 0); y = yp + e
         * for the next was made with e */
        int rc = GSL_ODEIV_FN_EVAL(sys, t1, m > 0 ? y : yp, f);
        if (rc != GSL_SUCCESS) {
            *rc_out = rc;
            return NEWTON_FAIL;
        }
        size_t i = 0;
        if (m > 0) {
            for (; i + 2 <= n; i += 2)
                ST2(f + i, LD2(f + i) - LD2(z1 + i) * inv_h - LD2(e + i) * inv_g);
            for (; i < n; i++)
                f[i] = f[i] - z1[i] * inv_h - e[i] * inv_g;
        } else {
            for (; i + 2 <= n; i += 2)
                ST2(f + i, LD2(f + i) - LD2(z1 + i) * inv_h);
            for (; i < n; i++)
                f[i] = f[i] - z1[i] * inv_h;
        }
        engine_blocklu_solve(s->lu, f);
        /* del: the weighted max norm of the change (a max: exact in any
         * order).  A value that is not finite (a NaN from the RHS, an
         * overflow) fails the iteration: the test was that the sum of the
         * |change|·w is finite, which is so exactly when each is finite
         * and their sum does not overflow; the exponent bits tell the
         * first, and the sum itself is taken only where the largest could
         * make it overflow */
        const v2i EXP = {0x7ff0000000000000LL, 0x7ff0000000000000LL};
        const v2i ONE = {0x0010000000000000LL, 0x0010000000000000LL};
        v2d dv = {0, 0};
        v2i bad = {0, 0};
        double del = 0;
        int bad1 = 0;
        i = 0;
        for (; i + 2 <= n; i += 2) {
            const v2d d = scale * LD2(f + i);
            v2d ei = d;
            if (m > 0)
                ei += LD2(e + i);
            ST2(e + i, ei);
            ST2(y + i, LD2(yp + i) + ei);
            const v2d a = vabs2(d) * LD2(w + i);
            bad |= ((v2i)a & EXP) + ONE;
            dv = vmax2(a, dv);
        }
        for (; i < n; i++) {
            const double d = scale * f[i];
            e[i] = m > 0 ? e[i] + d : d;
            y[i] = yp[i] + e[i];
            const double a = fabs(d) * w[i];
            bad1 |= !isfinite(a);
            del = a > del ? a : del;
        }
        {
            const double d2 = hmax2(dv);
            del = d2 > del ? d2 : del;
        }
        if (bad1 || ((bad[0] | bad[1]) < 0))
            return NEWTON_FAIL;
        if (del > DBL_MAX / (2.0 * (double)n)) { /* the sum might overflow */
            double sum = 0;
            for (i = 0; i < n; i++)
                sum += fabs(scale * f[i]) * w[i];
            if (!isfinite(sum))
                return NEWTON_FAIL;
        }
        if (m > 0) {
            const double r = del / delp;
            s->crate = 0.3 * s->crate > r ? 0.3 * s->crate : r;
        }
        const double dcon = del * (s->crate < 1 ? s->crate : 1.0) / ntol;
        if (dcon <= 1)
            return NEWTON_OK;
        if (m > 0 && del > 2 * delp)
            return NEWTON_FAIL;
        delp = del;
    }
    return NEWTON_FAIL;
}

/* The step; wide: predict, update and the weights four states at a time
 * (a constant where it is inlined, below) */
static inline __attribute__((always_inline)) int
apply(void *vstate, size_t n, double t, double h, double y[], double yerr[],
      const double dydt_in[], double dydt_out[], const gsl_odeiv2_system *sys, const int wide)
{
    (void)dydt_in;
    bdf_state *s = vstate;
    int rc;
    if (!sys->jacobian)
        GSL_ERROR("the BDF stepper needs a Jacobian", GSL_EFAULT);
    /* where this call stands: a retake from the history, the step after the
     * pending one (which evolve accepted), or a fresh start */
    if (s->have_hist && t == s->tn && memcmp(y, s->z, n * sizeof *y) == 0) {
        if (s->pending) { /* rejected by the control */
            s->pending = 0;
            s->nfail++;
        }
        if (s->have_j && s->j_id == s->j_id_c) { /* the W it would have had */
            s->gamma_w = s->gamma_wc;
            s->crate = s->crate_c;
        }
        if (s->nfail >= 4 && s->q > 1) { /* again and again: order 1 afresh */
            if ((rc = start(s, t, s->hn, y, sys)) != GSL_SUCCESS)
                return rc;
            s->nfail = 4;
        } else if (s->nfail >= 2 && s->q > 1) {
            order_down(s, s->z);
            s->qwait = s->q + 1;
        }
    } else if (s->pending && memcmp(y, s->zn, n * sizeof *y) == 0 &&
               fabs(t - s->tp1) <= 1e-9 * (fabs(t) > 1 ? fabs(t) : 1)) {
        commit(s, t);
    } else if ((rc = start(s, t, h, y, sys)) != GSL_SUCCESS) {
        return rc;
    }
    s->pending = 0;
    const int q = s->q;
    s->ord_report = q + 1;
    /* predict: rescale to h, then re-expand at t + h */
    double *restrict zn = s->zn;
    double r[NCOL];
    r[0] = 1;
    for (int j = 1; j <= q; j++)
        r[j] = r[j - 1] * (h / s->hn);
    switch (q) {
    case 1: predict(zn, s->z, n, r, 1, wide); break;
    case 2: predict(zn, s->z, n, r, 2, wide); break;
    case 3: predict(zn, s->z, n, r, 3, wide); break;
    case 4: predict(zn, s->z, n, r, 4, wide); break;
    default: predict(zn, s->z, n, r, 5, wide); break;
    }
    if (!s->have_ctrl && !(s->have_ctrl = control_coeffs(s, &s->ca, &s->cb, &s->cc)))
        s->ca = s->cb = 1e-6, s->cc = 0; /* no control: rtol = atol = 1e-6 */
    const double A = s->ca, B = s->cb, C = s->cc;
    {
        size_t i = 0;
        for (; wide && i + 4 <= n; i += 4)
            ST4(s->winv + i, 1.0 / (A + B * (v4d)((v4i)LD4(zn + i) & INT64_MAX)));
        for (; i + 2 <= n; i += 2)
            ST2(s->winv + i, 1.0 / (A + B * vabs2(LD2(zn + i))));
        for (; i < n; i++)
            s->winv[i] = 1.0 / (A + B * fabs(zn[i]));
    }
    const double gamma = h / s->ell[q][1];
    const double t1 = t + h;
    const double ntol = NEWTON_TOL / s->kerr[q];
    int fresh = 0;
    newton_status ns = NEWTON_FAIL;
    for (;;) {
        /* J at the history's point, so that a retake takes the same one */
        if (!s->have_j || s->j_age >= JAC_EVERY) {
            if ((rc = new_jacobian(s, s->tn, s->z, sys)) != GSL_SUCCESS)
                return rc;
            fresh = 1;
        }
        if (!(s->gamma_w > 0) || fabs(gamma / s->gamma_w - 1) > DGMAX) {
            s->gamma_w = gamma;
            s->crate = 1;
        }
        if (s->gamma_lu != s->gamma_w) {
            if ((rc = engine_blocklu_factor(s->lu, 1.0 / s->gamma_w)) != GSL_SUCCESS) {
                s->gamma_w = s->gamma_lu = 0;
                s->nfail++;
                return rc; /* evolve halves the step and retries */
            }
            s->gamma_lu = s->gamma_w;
        }
        int rhs_rc;
        ns = newton(s, t1, h, gamma, ntol, sys, &rhs_rc);
        if (ns == NEWTON_OK)
            break;
        if (rhs_rc != GSL_SUCCESS)
            return rhs_rc;
        if (fresh) { /* J is new: a shorter step */
            s->nfail++;
            return GSL_FAILURE;
        }
        s->have_j = 0; /* an old J: take a new one, same step */
    }
    /* update: z_n = z⁽⁰⁾ + ℓ·e, with y and y' out, in one pass */
    const double *restrict e = s->e;
    const double inv_h = 1.0 / h;
    switch (q) {
    case 1: update(zn, e, s->ell[1], y, dydt_out, inv_h, n, 1, wide); break;
    case 2: update(zn, e, s->ell[2], y, dydt_out, inv_h, n, 2, wide); break;
    case 3: update(zn, e, s->ell[3], y, dydt_out, inv_h, n, 3, wide); break;
    case 4: update(zn, e, s->ell[4], y, dydt_out, inv_h, n, 4, wide); break;
    default: update(zn, e, s->ell[5], y, dydt_out, inv_h, n, 5, wide); break;
    }
    /* the error, weighed as the control will; the estimates at q ± 1 */
    const double kq = s->kerr[q];
    double err = 0, err_down = 0, err_up = 0;
    const int may_change = s->qwait == 0 && h == s->hn;
    const int up_ok = may_change && q < QMAX && s->eprev_q == q && s->eprev_h == h;
    const double *zq = zn + (size_t)q * n;
    const double k_down = q > 1 ? s->fact[q - 1] / s->ell[q - 1][1] : 0;
    const double k_up = q < QMAX ? s->kerr[q + 1] : 0;
    /* weights: the predicted state's (those of Newton) stand for the new
     * state's, which differ by the correction, a fraction of the tolerance */
    double *restrict w = s->winv;
    if (C != 0)
        for (size_t i = 0; i < n; i++)
            w[i] = 1.0 / (A + B * fabs(zn[i]) + C * fabs(zn[n + i]));
    /* the norms in one pass (a max is exact: any order gives the same) */
    double m[3];
    max_norms(e, zq, s->eprev, w, n, may_change && q > 1, up_ok, m);
    err = kq * m[0];
    if (may_change && q > 1)
        err_down = k_down * m[1];
    if (up_ok)
        err_up = k_up * m[2];
    s->q_next = q;
    s->eta_next = 1;
    /* no order's step 1.5× longer, plainly (its pow not needed to see it):
     * B·err ≥ 0.67^k gives pow(B·err, 1/k) ≥ 0.67 less a few ulps, an η
     * below 1/0.6667 < ETA_UP whatever the rounding; the steady steps, on
     * which pow() was 3% of a Vermeer run, decide as before without it */
    const int plain_keep = err >= s->keep_same[q] &&
                           (q == 1 || err_down >= s->keep_down[q]) &&
                           (!up_ok || err_up >= s->keep_up[q]);
    if (err <= CTRL_REJECT && may_change && !plain_keep) {
        double eta = 1.0 / (pow(BIAS_SAME * err, 1.0 / (q + 1)) + 1e-6);
        int qn = q;
        if (q > 1) {
            const double ed = 1.0 / (pow(BIAS_DOWN * err_down, 1.0 / q) + 1e-6);
            if (ed > eta)
                eta = ed, qn = q - 1;
        }
        if (up_ok) {
            const double eu = 1.0 / (pow(BIAS_UP * err_up, 1.0 / (q + 2)) + 1e-6);
            if (eu > eta)
                eta = eu, qn = q + 1;
        }
        if (eta >= ETA_UP) {
            s->eta_next = eta < ETA_MAX ? eta : ETA_MAX;
            s->q_next = qn;
        }
    }
    /* yerr: the estimate, scaled on an accepted step so that the control
     * keeps h (r in [0.5, 1.1]) or grows it by eta_next (r below 0.5) */
    double k = 1;
    if (s->have_ctrl && err <= CTRL_REJECT) {
        const double target = s->eta_next > 1
                              ? pow(CTRL_SAFETY / s->eta_next, (double)(s->ord_report + 1))
                              : CTRL_KEEP;
        k = err > 0 ? target / err : 0;
        if (!(err > 0)) /* no error at all: the target on every state */
            for (size_t i = 0; i < n; i++)
                yerr[i] = target / s->winv[i];
    }
    if (k != 0)
        for (size_t i = 0; i < n; i++)
            yerr[i] = k * kq * e[i];
    s->qp = q;
    s->tp0 = t;
    s->tp1 = t1;
    s->hp = h;
    s->pending = 1;
    return GSL_SUCCESS;
}

/* Where the CPU has AVX2, the step compiled for it, four states at a time
 * (Vermeer: 0.97x); elsewhere two at a time, SSE2, as any x86-64 runs.
 * No FMA in either (GCC contracts a·b + c only where the target has it):
 * the same IEEE operations on each value, the same results to the bit. */
#ifdef ENGINE_AVX2
__attribute__((target("avx2"))) static int bdf_apply_avx2(void *vstate, size_t n, double t,
                                                           double h, double y[], double yerr[],
                                                           const double dydt_in[],
                                                           double dydt_out[],
                                                           const gsl_odeiv2_system *sys)
{
    return apply(vstate, n, t, h, y, yerr, dydt_in, dydt_out, sys, 1);
}
#endif

static int bdf_apply(void *vstate, size_t n, double t, double h, double y[], double yerr[],
                     const double dydt_in[], double dydt_out[], const gsl_odeiv2_system *sys)
{
#ifdef ENGINE_AVX2
    const bdf_state *s = vstate;
    if (s->avx2)
        return bdf_apply_avx2(vstate, n, t, h, y, yerr, dydt_in, dydt_out, sys);
#endif
    return apply(vstate, n, t, h, y, yerr, dydt_in, dydt_out, sys, 0);
}

static int bdf_set_driver(void *vstate, const gsl_odeiv2_driver *d)
{
    bdf_state *s = vstate;
    s->driver = d;
    return GSL_SUCCESS;
}

static int bdf_reset(void *vstate, size_t n)
{
    (void)n;
    bdf_state *s = vstate;
    s->have_hist = 0;
    s->pending = 0;
    s->have_j = 0;
    s->gamma_w = s->gamma_lu = 0;
    s->loads = 0;
    s->nfail = 0;
    s->have_ctrl = 0;
    return GSL_SUCCESS;
}

/* q+1 for the step just taken: the control's exponent on a rejection is
 * then 1/(q+1), that of BDF's error */
static unsigned int bdf_order(void *vstate)
{
    const bdf_state *s = vstate;
    return s->ord_report > 0 ? (unsigned)s->ord_report : 2;
}

static const gsl_odeiv2_step_type bdf_type = {
    "bdf", 0 /* no dydt_in: z holds h·y' */, 0 /* dydt_out from z, not f */,
    bdf_alloc, bdf_apply, bdf_set_driver, bdf_reset, bdf_order, bdf_free};

const gsl_odeiv2_step_type *const engine_step_bdf = &bdf_type;

/* The step just taken, whose polynomial dense output evaluates, and t's
 * place on it (x = 0 at its end, −1 at its start); NULL if st is not bdf
 * or has taken no step. */
static const bdf_state *dense_step(const gsl_odeiv2_step *st, double t, double *x)
{
    if (st->type != &bdf_type)
        return NULL;
    const bdf_state *s = st->state;
    if (!s->pending)
        return NULL;
    *x = (t - s->tp1) / s->hp;
    return s;
}

int engine_bdf_dense_output(const gsl_odeiv2_step *st, double t, double out[])
{
    double x;
    const bdf_state *s = dense_step(st, t, &x);
    if (!s)
        return 0;
    const size_t n = s->n;
    /* Horner column by column, the states the inner loop (it vectorises;
     * with the order inside, it did not): the same operations per state */
    const double *restrict zq = s->zn + (size_t)s->qp * n;
    double *restrict o = out;
    for (size_t i = 0; i < n; i++)
        o[i] = zq[i];
    for (int j = s->qp - 1; j >= 0; j--) {
        const double *restrict zj = s->zn + (size_t)j * n;
        for (size_t i = 0; i < n; i++)
            o[i] = o[i] * x + zj[i];
    }
    return 1;
}

/* State by state, the same Horner as engine_bdf_dense_output: z_q·x + … + z_0
 * at order q. */
static inline __attribute__((always_inline)) void
horner_some(const bdf_state *s, double x, uint32_t states, double out[], const int q)
{
    const size_t n = s->n;
    for (uint32_t m = states; m; m &= m - 1) {
        const size_t i = (size_t)__builtin_ctz(m);
        double o = s->zn[(size_t)q * n + i];
        for (int j = q - 1; j >= 0; j--)
            o = o * x + s->zn[(size_t)j * n + i];
        out[i] = o;
    }
}

int engine_bdf_dense_output_some(const gsl_odeiv2_step *st, double t, uint32_t states,
                                 double out[])
{
    double x;
    const bdf_state *s = dense_step(st, t, &x);
    if (!s)
        return 0;
    /* the order a constant in each case, so that Horner unrolls */
    switch (s->qp) {
    case 1: horner_some(s, x, states, out, 1); break;
    case 2: horner_some(s, x, states, out, 2); break;
    case 3: horner_some(s, x, states, out, 3); break;
    case 4: horner_some(s, x, states, out, 4); break;
    case 5: horner_some(s, x, states, out, 5); break;
    default: horner_some(s, x, states, out, s->qp); break;
    }
    return 1;
}

int engine_is_bdf(const gsl_odeiv2_step *st) { return st->type == &bdf_type; }

int engine_bdf_use_avx2(gsl_odeiv2_step *st, int on)
{
    if (st->type != &bdf_type)
        return 0;
    bdf_state *s = st->state;
    return s->avx2 = engine_avx2(on);
}
