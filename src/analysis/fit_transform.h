/* fit_transform.h — the scale calcify fits parameters on (internal to the
 * fit and its profile and multi-start, src/fit*.c). */
#ifndef CALCIFY_FIT_TRANSFORM_H
#define CALCIFY_FIT_TRANSFORM_H
#include <math.h>

#include "calcify/model.h"

/* An estimate this close to a bound, as a share of the admissible range,
 * is reported as at the bound: the logistic transform reaches a bound only
 * as x -> ±inf, so an optimum beyond it ends a tiny distance inside. */
static const double AT_BOUND = 1e-6;

/* Each free parameter is optimised as x with
 *     p = lo + (hi - lo) / (1 + exp(-x)),   x = ln((p - lo) / (hi - p)),
 * [lo, hi] its admissible range (the model descriptor's params), so no step of the
 * solver can leave the range, and the residuals stay smooth in x (a
 * projection onto the range would put kinks, and zero finite-difference
 * columns, in the Jacobian).  Where p is far below hi, p - lo ≈ (hi - lo)e^x:
 * for lo = 0 that is the log scale the fit used before, which suits
 * positive rate constants spanning decades. */
static inline double param_of(const calcify_param_def *d, double x)
{
    double w = d->hi - d->lo;
    if (x >= 0) /* from the nearer bound, so that p keeps its digits there */
        return d->hi - w / (1 + exp(x));
    return d->lo + w / (1 + exp(-x));
}

static inline double x_of(const calcify_param_def *d, double p)
{
    return log(p - d->lo) - log(d->hi - p);
}

/* dp/dx, to carry standard errors from x to p. */
static inline double dparam_dx(const calcify_param_def *d, double p)
{
    return (p - d->lo) * (d->hi - p) / (d->hi - d->lo);
}

/* -1 at the lower bound, +1 at the upper, 0 inside (AT_BOUND). */
static inline int bound_of(const calcify_param_def *d, double p)
{
    double w = d->hi - d->lo;
    if (p - d->lo <= AT_BOUND * w)
        return -1;
    if (d->hi - p <= AT_BOUND * w)
        return 1;
    return 0;
}

#endif
