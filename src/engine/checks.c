/* checks.c — the right-hand side and Jacobian as GSL calls them: counted,
 * and checked for values that are not finite. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "engine/engine.h"

/* Not finite: an exponent of all ones, which adding one to the exponent
 * carries into the sign bit.  Integer AND, ADD and OR with no branch per
 * element, four at a time in GCC's vector extension (SSE2 on x86-64; GCC
 * left the loop scalar at -O2): isfinite's loop, a compare and branch
 * each, was 2% of a Vermeer run from engine_step's check alone. */
typedef uint64_t v2u __attribute__((vector_size(16), aligned(8), may_alias));

int engine_all_finite(const double *v, size_t n)
{
    const uint64_t EXP = 0x7ff0000000000000ULL, ONE = 0x0010000000000000ULL;
    v2u b0 = {0, 0}, b1 = {0, 0};
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        b0 |= (*(const v2u *)(v + i) & EXP) + ONE;
        b1 |= (*(const v2u *)(v + i + 2) & EXP) + ONE;
    }
    b0 |= b1;
    uint64_t bad = b0[0] | b0[1];
    for (; i < n; i++) {
        uint64_t bits;
        memcpy(&bits, &v[i], sizeof bits);
        bad |= (bits & EXP) + ONE;
    }
    return !(bad >> 63);
}

/* For explicit Runge–Kutta steppers the RHS wrapper does no finiteness
 * check: a NaN in a stage spreads to the step's result, which engine_step() checks
 * once per accepted step.  Steppers that iterate (implicit, or msadams's
 * corrector) check every call, so that the iteration stops with
 * GSL_EBADFUNC instead of shrinking the step to nothing. */
int engine_rhs(double t, const double y[], double dydt[], void *params)
{
    calcify_solver *s = params;
    s->n_rhs++;
    int rc = s->sys->rhs(t, y, dydt, s->u, s->sys->ctx);
    if (rc != GSL_SUCCESS || !s->check_each_rhs)
        return rc;
    return engine_all_finite(dydt, s->sys->dim) ? GSL_SUCCESS : GSL_EBADFUNC;
}

int engine_jac(double t, const double y[], double *dfdy, double dfdt[],
                   void *params)
{
    calcify_solver *s = params;
    s->n_jac++;
    size_t n = s->sys->dim;
    memset(dfdt, 0, n * sizeof *dfdt);
    int rc = s->sys->jac(t, y, dfdy, dfdt, s->u, s->sys->ctx);
    if (rc != GSL_SUCCESS)
        return rc;
    /* Rodas4 and bdf read J through its pattern and check what they read
     * (engine_blocklu_load): no pass over all n² entries here */
    if (s->driver && engine_has_dense_output(s->driver->s))
        return GSL_SUCCESS;
    return engine_all_finite(dfdy, n * n) ? GSL_SUCCESS : GSL_EBADFUNC;
}

/* Searching all n² entries of J for new non-zeros costs more than the
 * rest of a load, so it is done on the first Jacobian after a reset (a new
 * phase or stretch: new inputs, perhaps new parameters) and every
 * SCAN_EVERY-th after that, and there also on the Jacobian at a generic
 * state — every state moved off zero and apart, (|y_i| + 1)·(1 + i/(8n)) —
 * so that an entry that is zero only where a state is (a mineral pool still
 * empty, a Hill term off below zero) is in the pattern before the state
 * leaves it.  An entry missed between scans makes W inexact for a few
 * steps, not wrong: the step's error test still judges it. */
enum { SCAN_EVERY = 16 };

int engine_jacobian_load(engine_blocklu *lu, const gsl_odeiv2_system *sys, double t,
                         const double y[], double *J, double *dfdt, double *scratch,
                         unsigned long *loads)
{
    const size_t n = sys->dimension;
    const int scan = (*loads)++ % SCAN_EVERY == 0;
    int rc;
    if (scan) { /* the generic state's pattern first (J, dfdt as scratch) */
        for (size_t i = 0; i < n; i++)
            scratch[i] = (fabs(y[i]) + 1.0) * (1.0 + (double)i / (8.0 * (double)n));
        if (sys->jacobian(t, scratch, J, dfdt, sys->params) == GSL_SUCCESS)
            (void)engine_blocklu_load(lu, J, 1);
    }
    if ((rc = sys->jacobian(t, y, J, dfdt, sys->params)) != GSL_SUCCESS)
        return rc;
    return engine_blocklu_load(lu, J, scan);
}
