/* solver.c — the stepper registry and phase-by-phase integration on GSL. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_odeiv2.h>

#include "calcify/solver.h"

typedef struct {
    const char *name;
    const gsl_odeiv2_step_type *const *type;
    int needs_jacobian;
} stepper;

/* GSL exports each stepper as a pointer to a const table; taking the
 * pointer's address keeps this registry a compile-time constant. */
static const stepper steppers[] = {
    {"msbdf", &gsl_odeiv2_step_msbdf, 1},   {"bsimp", &gsl_odeiv2_step_bsimp, 1},
    {"rk4imp", &gsl_odeiv2_step_rk4imp, 1}, {"rk2imp", &gsl_odeiv2_step_rk2imp, 1},
    {"rk1imp", &gsl_odeiv2_step_rk1imp, 1}, {"msadams", &gsl_odeiv2_step_msadams, 0},
    {"rk8pd", &gsl_odeiv2_step_rk8pd, 0},   {"rkck", &gsl_odeiv2_step_rkck, 0},
    {"rkf45", &gsl_odeiv2_step_rkf45, 0},   {"rk4", &gsl_odeiv2_step_rk4, 0},
    {"rk2", &gsl_odeiv2_step_rk2, 0},
};
enum { N_STEPPERS = sizeof steppers / sizeof steppers[0] };

static const stepper *find(const char *name)
{
    for (size_t i = 0; i < N_STEPPERS; i++)
        if (name && strcmp(steppers[i].name, name) == 0)
            return &steppers[i];
    return NULL;
}

const char *calcify_stepper_list(void)
{
    static const char list[] =
        "msbdf, bsimp, rk4imp, rk2imp, rk1imp, msadams, rk8pd, rkck, rkf45, rk4, rk2";
    return list;
}

int calcify_stepper_known(const char *method) { return find(method) != NULL; }

int calcify_stepper_needs_jacobian(const char *method)
{
    const stepper *s = find(method);
    return s && s->needs_jacobian;
}

struct calcify_solver {
    const calcify_system *sys;
    gsl_odeiv2_system gsys;
    gsl_odeiv2_driver *driver;
    const double *u;              /* inputs of the phase being integrated */
    unsigned long n_rhs, n_jac, n_steps;
};

/* Initial step after a start or a phase switch, d: small enough for the
 * fastest process (absorption, ~1 h), the controller grows it from there. */
static const double H_START = 1e-4;
/* Steps per driver call before it gives up with GSL_EMAXITER. */
static const unsigned long MAX_STEPS = 10000000UL;

static int all_finite(const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return 0;
    return 1;
}

static int gsl_rhs(double t, const double y[], double dydt[], void *params)
{
    calcify_solver *s = params;
    s->n_rhs++;
    int rc = s->sys->rhs(t, y, dydt, s->u, s->sys->ctx);
    if (rc != GSL_SUCCESS)
        return rc;
    return all_finite(dydt, s->sys->dim) ? GSL_SUCCESS : GSL_EBADFUNC;
}

static int gsl_jac(double t, const double y[], double *dfdy, double dfdt[],
                   void *params)
{
    calcify_solver *s = params;
    s->n_jac++;
    size_t n = s->sys->dim;
    memset(dfdt, 0, n * sizeof *dfdt);
    int rc = s->sys->jac(t, y, dfdy, dfdt, s->u, s->sys->ctx);
    if (rc != GSL_SUCCESS)
        return rc;
    return all_finite(dfdy, n * n) ? GSL_SUCCESS : GSL_EBADFUNC;
}

calcify_solver *calcify_solver_alloc(const calcify_system *sys,
                                     const char *method, double rtol,
                                     double atol)
{
    const stepper *st = find(method);
    if (!st || !sys || sys->dim == 0 || !sys->rhs || !(rtol > 0) || !(atol > 0))
        return NULL;
    if (st->needs_jacobian && !sys->jac)
        return NULL;
    calcify_solver *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->sys = sys;
    s->gsys.function = gsl_rhs;
    s->gsys.jacobian = sys->jac ? gsl_jac : NULL;
    s->gsys.dimension = sys->dim;
    s->gsys.params = s;
    s->driver = gsl_odeiv2_driver_alloc_y_new(&s->gsys, *st->type, H_START,
                                              atol, rtol);
    if (!s->driver) {
        free(s);
        return NULL;
    }
    gsl_odeiv2_driver_set_nmax(s->driver, MAX_STEPS);
    return s;
}

void calcify_solver_free(calcify_solver *s)
{
    if (!s)
        return;
    gsl_odeiv2_driver_free(s->driver);
    free(s);
}

unsigned long calcify_solver_rhs_evals(const calcify_solver *s) { return s->n_rhs; }
unsigned long calcify_solver_jac_evals(const calcify_solver *s) { return s->n_jac; }
unsigned long calcify_solver_steps(const calcify_solver *s) { return s->n_steps; }
void calcify_solver_reset_counters(calcify_solver *s) { s->n_rhs = s->n_jac = s->n_steps = 0; }

/* Integrate from *t to t1 (no-op if already there). */
static int advance(calcify_solver *s, double *t, double t1, double y[])
{
    if (t1 <= *t)
        return GSL_SUCCESS;
    return gsl_odeiv2_driver_apply(s->driver, t, t1, y);
}

calcify_status calcify_solver_run(calcify_solver *s, const calcify_phase *phases,
                                  size_t n_phases, double y[], double dt,
                                  calcify_emit_fn emit, void *user,
                                  calcify_failure *fail)
{
    double t = 0, t_phase_end = 0;
    unsigned long k = 0;   /* next grid index: the grid time is k·dt */
    for (size_t p = 0; p < n_phases; p++) {
        t_phase_end += phases[p].duration;
        /* a grid time this close to a boundary is the boundary */
        const double eps = 1e-9 * (t_phase_end > 1 ? t_phase_end : 1);
        s->u = phases[p].input;
        gsl_odeiv2_driver_reset_hstart(s->driver, H_START);
        int rc = GSL_SUCCESS;
        if (dt > 0) {
            for (;;) {
                double tg = (double)k * dt;
                if (tg >= t_phase_end - eps)
                    break;
                if (fabs(tg - t) <= eps)
                    tg = t;
                if ((rc = advance(s, &t, tg, y)) != GSL_SUCCESS)
                    break;
                if (emit && emit(user, tg, p, y, s->u))
                    return CALCIFY_EIO;
                k++;
            }
        } else if (emit && emit(user, t, p, y, s->u)) {
            return CALCIFY_EIO;
        }
        if (rc == GSL_SUCCESS)
            rc = advance(s, &t, t_phase_end, y);
        /* the evolve object counts steps since the reset at this phase's start */
        s->n_steps += s->driver->e->count;
        if (rc != GSL_SUCCESS) {
            if (fail) {
                fail->phase = p;
                fail->t = t;
                fail->gsl_status = rc;
            }
            return CALCIFY_ESOLVER;
        }
        t = t_phase_end;
    }
    if (emit && n_phases > 0 && emit(user, t, n_phases - 1, y, s->u))
        return CALCIFY_EIO;
    return CALCIFY_OK;
}
