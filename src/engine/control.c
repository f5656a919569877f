/* control.c — the step-size control every calcify driver uses: GSL's
 * standard control (ode-initval2/cstd.c) in its y_new form, the same
 * arithmetic, with the error ratio's loop two states at a time, four where
 * the CPU has AVX2 (4.3% of an endpoint-only Vermeer run at two).
 *
 * Why not GSL's own: its hadjust divides state by state in a scalar loop,
 * 7.5% of a Vermeer run (perf, 2026-12-06), for a ratio that the vector
 * loop below gives to the same bit: each |yerr_i| / |D0_i| is the same
 * IEEE division, and the maximum of the same set does not depend on the
 * order it is taken in (a NaN ratio is passed over in both, as
 * GSL_MAX_DBL(r, rmax) = r > rmax ? r : rmax does).  tests/test_control.c
 * holds the two side by side on random and non-finite inputs. */
#include <float.h>
#include <math.h>
#include <stdlib.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <stdint.h>

#include <gsl/gsl_errno.h>

#include "engine/engine.h"

typedef struct {
    double eps_abs, eps_rel, a_y, a_dydt;
    int avx2; /* the ratio four states at a time (error_ratio) */
} control_state;

static void *control_alloc(void)
{
    control_state *s = malloc(sizeof *s);
    if (!s)
        GSL_ERROR_NULL("failed to allocate space for the control's state", GSL_ENOMEM);
    return s;
}

static int control_init(void *vstate, double eps_abs, double eps_rel, double a_y,
                        double a_dydt)
{
    control_state *s = vstate;
    if (eps_abs < 0)
        GSL_ERROR("eps_abs is negative", GSL_EINVAL);
    if (eps_rel < 0)
        GSL_ERROR("eps_rel is negative", GSL_EINVAL);
    if (a_y < 0)
        GSL_ERROR("a_y is negative", GSL_EINVAL);
    if (a_dydt < 0)
        GSL_ERROR("a_dydt is negative", GSL_EINVAL);
    *s = (control_state){eps_abs, eps_rel, a_y, a_dydt, engine_avx2(1)};
    return GSL_SUCCESS;
}

/* max_i |yerr_i| / |eps_rel·(a_y·|y_i| + a_dydt·|h·yp_i|) + eps_abs|, from
 * DBL_MIN up (GSL's start); wide: four states at a time first (a constant
 * where it is inlined, below) */
static inline __attribute__((always_inline)) double
ratio(const control_state *s, size_t dim, const double y[], const double yerr[],
      const double yp[], double h, const int wide)
{
    (void)wide; /* read only where ENGINE_AVX2 is defined */
    double rmax = DBL_MIN;
    size_t i = 0;
#ifdef __SSE2__
    const __m128d rel = _mm_set1_pd(s->eps_rel), abs_ = _mm_set1_pd(s->eps_abs);
    const __m128d ay = _mm_set1_pd(s->a_y), ad = _mm_set1_pd(s->a_dydt);
    const __m128d hv = _mm_set1_pd(h), sign = _mm_set1_pd(-0.0);
    __m128d m = _mm_set1_pd(DBL_MIN);
#ifdef ENGINE_AVX2
    if (wide) { /* GCC's vector extension: AVX where inlined into ratio_avx2 */
        typedef double v4d __attribute__((vector_size(32), aligned(8), may_alias));
        typedef int64_t v4i __attribute__((vector_size(32), aligned(8), may_alias));
        const v4d rel4 = {s->eps_rel, s->eps_rel, s->eps_rel, s->eps_rel};
        const v4d abs4 = {s->eps_abs, s->eps_abs, s->eps_abs, s->eps_abs};
        const v4d ay4 = {s->a_y, s->a_y, s->a_y, s->a_y};
        const v4d ad4 = {s->a_dydt, s->a_dydt, s->a_dydt, s->a_dydt};
        const v4d hv4 = {h, h, h, h};
        v4d m4 = {DBL_MIN, DBL_MIN, DBL_MIN, DBL_MIN};
        for (; i + 4 <= dim; i += 4) {
            const v4d ya = (v4d)(*(const v4i *)(y + i) & INT64_MAX);
            const v4d hyp = (v4d)((v4i)(hv4 * *(const v4d *)(yp + i)) & INT64_MAX);
            const v4d d0 = rel4 * (ay4 * ya + ad4 * hyp) + abs4;
            const v4d r = (v4d)(*(const v4i *)(yerr + i) & INT64_MAX) / (v4d)((v4i)d0 & INT64_MAX);
            const v4i gt = r > m4; /* r > m ? r : m, lane by lane (a NaN r: m) */
            m4 = (v4d)(((v4i)r & gt) | ((v4i)m4 & ~gt));
        }
        const double l0 = m4[0] > m4[2] ? m4[0] : m4[2], l1 = m4[1] > m4[3] ? m4[1] : m4[3];
        m = _mm_set_pd(l1, l0);
    }
#endif
    for (; i + 2 <= dim; i += 2) {
        const __m128d ya = _mm_andnot_pd(sign, _mm_loadu_pd(y + i));
        const __m128d hyp = _mm_andnot_pd(sign, _mm_mul_pd(hv, _mm_loadu_pd(yp + i)));
        const __m128d d0 = _mm_add_pd(
            _mm_mul_pd(rel, _mm_add_pd(_mm_mul_pd(ay, ya), _mm_mul_pd(ad, hyp))), abs_);
        const __m128d r = _mm_div_pd(_mm_andnot_pd(sign, _mm_loadu_pd(yerr + i)),
                                     _mm_andnot_pd(sign, d0));
        m = _mm_max_pd(r, m); /* r > m ? r : m, lane by lane */
    }
    double lanes[2];
    _mm_storeu_pd(lanes, m);
    rmax = lanes[0] > lanes[1] ? lanes[0] : lanes[1];
#endif
    for (; i < dim; i++) {
        const double d0 = s->eps_rel * (s->a_y * fabs(y[i]) + s->a_dydt * fabs(h * yp[i])) +
                          s->eps_abs;
        const double r = fabs(yerr[i]) / fabs(d0);
        rmax = r > rmax ? r : rmax;
    }
    return rmax;
}

/* Where the CPU has AVX2, the ratio compiled for it: the same IEEE
 * operations on each state (no FMA), and the maximum of the same set.
 * A control's choice is made at its init (control_init). */
#ifdef ENGINE_AVX2
__attribute__((target("avx2"))) static double ratio_avx2(const control_state *s, size_t dim,
                                                         const double y[], const double yerr[],
                                                         const double yp[], double h)
{
    return ratio(s, dim, y, yerr, yp, h, 1);
}
#endif

static double error_ratio(const control_state *s, size_t dim, const double y[],
                          const double yerr[], const double yp[], double h)
{
#ifdef ENGINE_AVX2
    if (s->avx2)
        return ratio_avx2(s, dim, y, yerr, yp, h);
#endif
    return ratio(s, dim, y, yerr, yp, h, 0);
}

static int control_hadjust(void *vstate, size_t dim, unsigned int ord, const double y[],
                           const double yerr[], const double yp[], double *h)
{
    const double S = 0.9, h_old = *h;
    const double rmax = error_ratio(vstate, dim, y, yerr, yp, h_old);
    if (rmax > 1.1) {
        /* shrink, by at most 5, a fraction S more than the error asks */
        double r = S / pow(rmax, 1.0 / ord);
        if (r < 0.2)
            r = 0.2;
        *h = r * h_old;
        return GSL_ODEIV_HADJ_DEC;
    }
    if (rmax < 0.5) {
        /* grow, by at most 5, never shrink */
        double r = S / pow(rmax, 1.0 / (ord + 1.0));
        if (r > 5.0)
            r = 5.0;
        if (r < 1.0)
            r = 1.0;
        *h = r * h_old;
        return GSL_ODEIV_HADJ_INC;
    }
    return GSL_ODEIV_HADJ_NIL;
}

static int control_errlevel(void *vstate, const double y, const double dydt, const double h,
                            const size_t ind, double *errlev)
{
    (void)ind;
    const control_state *s = vstate;
    *errlev = s->eps_rel * (s->a_y * fabs(y) + s->a_dydt * fabs(h * dydt)) + s->eps_abs;
    if (*errlev <= 0.0)
        GSL_ERROR_NULL("errlev <= zero", GSL_ESANITY);
    return GSL_SUCCESS;
}

static int control_set_driver(void *vstate, const gsl_odeiv2_driver *d)
{
    (void)vstate, (void)d;
    return GSL_SUCCESS;
}

static const gsl_odeiv2_control_type engine_control_type = {
    "calcify_standard", control_alloc, control_init, control_hadjust, control_errlevel,
    control_set_driver, free};

int engine_control_use_avx2(gsl_odeiv2_control *c, int on)
{
    if (c->type != &engine_control_type)
        return 0;
    control_state *s = c->state;
    return s->avx2 = engine_avx2(on);
}

gsl_odeiv2_control *engine_control_y_new(double eps_abs, double eps_rel)
{
    gsl_odeiv2_control *c = gsl_odeiv2_control_alloc(&engine_control_type);
    if (c && gsl_odeiv2_control_init(c, eps_abs, eps_rel, 1.0, 0.0) != GSL_SUCCESS) {
        gsl_odeiv2_control_free(c);
        return NULL;
    }
    return c;
}
