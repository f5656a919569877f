/* checks.c — the right-hand side and Jacobian as GSL calls them: counted,
 * and checked for values that are not finite. */
#include <math.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "engine/engine.h"

int engine_all_finite(const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return 0;
    return 1;
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
