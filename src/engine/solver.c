/* solver.c — the solver object: allocation, settings and counters. */
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"

void calcify_solver_set_boundary_rows(calcify_solver *s, int on) { s->boundary_rows = on; }

void calcify_solver_set_step_fn(calcify_solver *s, calcify_step_fn fn, void *user)
{
    s->step_fn = fn;
    s->step_user = user;
}

static gsl_odeiv2_driver *driver_for(calcify_solver *s, const engine_stepper *st,
                                     double tol_scale)
{
    gsl_odeiv2_driver *d = gsl_odeiv2_driver_alloc_y_new(&s->gsys, *st->type, H_START,
                                                         tol_scale * s->atol,
                                                         tol_scale * s->rtol);
    if (!d)
        return NULL;
    gsl_odeiv2_driver_set_nmax(d, MAX_STEPS);
    /* GSL's standard control, the same decisions at less cost (control.c) */
    gsl_odeiv2_control *c = engine_control_y_new(tol_scale * s->atol, tol_scale * s->rtol);
    if (!c) {
        gsl_odeiv2_driver_free(d);
        return NULL;
    }
    gsl_odeiv2_control_free(d->c);
    d->c = c;
    gsl_odeiv2_control_set_driver(c, d);
    return d;
}

calcify_solver *calcify_solver_alloc(const calcify_system *sys,
                                     const char *method, double rtol,
                                     double atol)
{
    const int is_auto = engine_stepper_is_auto(method);
    const engine_stepper *st =
        is_auto ? engine_stepper_auto(method, 0) : engine_stepper_find(method);
    if (!st || !sys || sys->dim == 0 || !sys->rhs || !(rtol > 0) || !(atol > 0))
        return NULL;
    if ((st->needs_jacobian || is_auto) && !sys->jac)
        return NULL;
    calcify_solver *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->sys = sys;
    s->rtol = rtol;
    s->atol = atol;
    if (!(s->scratch = malloc((6 + NODES) * sys->dim * sizeof *s->scratch)) ||
        (is_auto && (!(s->jac = malloc(sys->dim * sys->dim * sizeof *s->jac)) ||
                     !(s->jac_col = malloc(sys->dim * sys->dim * sizeof *s->jac_col)) ||
                     !(s->jac_row_end = malloc(sys->dim * sizeof *s->jac_row_end))))) {
        free(s->scratch);
        free(s->jac);
        free(s->jac_col);
        free(s);
        return NULL;
    }
    s->check_each_rhs = s->explicit_checks = st->iterates;
    s->f0 = s->scratch + sys->dim;
    s->f1 = s->f0 + sys->dim;
    s->c3 = s->f1 + 2 * sys->dim; /* scratch + 3·dim is a work row */
    s->c3_prev = s->c3 + sys->dim;
    for (int i = 0; i < NODES; i++)
        s->node_y[i] = s->c3_prev + (size_t)(i + 1) * sys->dim;
    s->gsys.function = engine_rhs;
    s->gsys.jacobian = sys->jac ? engine_jac : NULL;
    s->gsys.dimension = sys->dim;
    s->gsys.params = s;
    s->driver = s->explicit_drv = driver_for(s, st, 1.0);
    const engine_stepper *stiff = is_auto ? engine_stepper_auto(method, 1) : NULL;
    if (stiff) {
        s->stiff_drv = driver_for(s, stiff, engine_stepper_auto_tol_scale(method));
        s->stiff_checks = stiff->iterates;
    }
    /* rows that interpolation cannot vouch for behind an iterating stepper
     * are integrated to by a second copy of it (rows.c) */
    const engine_stepper *filler = stiff && stiff->iterates ? stiff : st->iterates ? st : NULL;
    if (filler)
        s->fill_drv = driver_for(s, filler, 1.0);
    if (!s->driver || (stiff && !s->stiff_drv) || (filler && !s->fill_drv)) {
        calcify_solver_free(s);
        return NULL;
    }
    return s;
}

void calcify_solver_free(calcify_solver *s)
{
    if (!s)
        return;
    /* gsl_odeiv2_driver_free is not NULL-safe */
    if (s->explicit_drv)
        gsl_odeiv2_driver_free(s->explicit_drv);
    if (s->stiff_drv)
        gsl_odeiv2_driver_free(s->stiff_drv);
    if (s->fill_drv)
        gsl_odeiv2_driver_free(s->fill_drv);
    free(s->scratch);
    free(s->jac);
    free(s->jac_col);
    free(s->jac_row_end);
    free(s);
}

unsigned long calcify_solver_switches(const calcify_solver *s) { return s->n_switches; }
unsigned long calcify_solver_row_fills(const calcify_solver *s) { return s->n_fills; }

void calcify_solver_continue_next(calcify_solver *s) { s->continue_next = 1; }

void calcify_solver_land_on_grid(calcify_solver *s, int on) { s->land_on_grid = on; }

unsigned long calcify_solver_rhs_evals(const calcify_solver *s) { return s->n_rhs; }
unsigned long calcify_solver_jac_evals(const calcify_solver *s) { return s->n_jac; }
unsigned long calcify_solver_steps(const calcify_solver *s) { return s->n_steps; }
void calcify_solver_reset_counters(calcify_solver *s) { s->n_rhs = s->n_jac = s->n_steps = 0; }
