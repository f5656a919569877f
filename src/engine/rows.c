/* rows.c — output rows between the stepper's own steps. */
#include <float.h>
#include <math.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "engine/engine.h"

/* Rows between steps come from the cubic Hermite interpolant of each step
 * (values and slopes at its ends).  Its error is e(t) = y⁽⁴⁾·(t − t0)²(t −
 * t1)²/24 to leading order, at most y⁽⁴⁾·h⁴/384 mid-step.  Each step's cubic
 * has a constant third derivative, 6·(2(y0 − y1) + h(f0 + f1))/h³; its
 * change from the previous step over their mean length estimates y⁽⁴⁾, with
 * no RHS call (a defect f(H) − H' would also carry J·e, which behind a
 * stiff stepper overstates the error by |hJ|).
 *
 * cubic_update records the last step's third derivative (every step: a
 * cheap loop); row_error weighs it against the tolerance, only for steps
 * that hold rows (about one in ten at daily rows). */
void engine_cubic_update(calcify_solver *s, const double y1[])
{
    const gsl_odeiv2_evolve *e = s->driver->e;
    const size_t n = s->sys->dim;
    const double h = e->last_step, k3 = 6.0 / (h * h * h);
    double *c3 = s->c3_prev; /* the older one is overwritten */
    s->c3_prev = s->c3;
    s->c3_prev_h = s->c3_h;
    for (size_t i = 0; i < n; i++)
        c3[i] = k3 * (2.0 * (e->y0[i] - y1[i]) + h * (s->f0[i] + s->f1[i]));
    s->c3 = c3;
    s->c3_h = h;
}

/* Error of the last step's rows relative to the tolerance (<= 1: rows as
 * good as the steps); 0 for the first step of a segment, which has no
 * predecessor (the cap that the next step sets takes over). */
double engine_row_error(const calcify_solver *s, const double y1[])
{
    const double *y0 = s->driver->e->y0;
    const double h = s->c3_h, hp = s->c3_prev_h;
    if (!(hp > 0))
        return 0;
    const double k4 = h * h * h * h / 384.0 / (0.5 * (h + hp)); /* err = k4·|Δc3| */
    const double floor_rel = 100 * DBL_EPSILON;
    double worst = 0;
    for (size_t i = 0; i < s->sys->dim; i++) {
        const double a0 = fabs(y0[i]), a1 = fabs(y1[i]), big = a0 > a1 ? a0 : a1;
        /* no tolerance below roundoff in the states themselves */
        double tol = s->atol + s->rtol * big;
        if (tol < floor_rel * big)
            tol = floor_rel * big;
        const double err = k4 * fabs(s->c3[i] - s->c3_prev[i]);
        if (!(err <= worst * tol)) /* NaN counts as worst */
            worst = err / tol;
    }
    return worst;
}

/* The state at tg inside the last step, by cubic Hermite interpolation
 * between its ends (values and slopes): fourth-order accurate, the order of
 * the embedded pairs, so rows cost no step of their own. */
void engine_interpolate(const calcify_solver *s, double tg, double t1, const double y1[],
                        double out[])
{
    const gsl_odeiv2_evolve *e = s->driver->e;
    const double h = e->last_step, t0 = t1 - h, th = (tg - t0) / h;
    const double th2 = th * th, th3 = th2 * th;
    const double a0 = 2 * th3 - 3 * th2 + 1, b0 = h * (th3 - 2 * th2 + th);
    const double a1 = 3 * th2 - 2 * th3, b1 = h * (th3 - th2);
    for (size_t i = 0; i < s->sys->dim; i++)
        out[i] = a0 * e->y0[i] + b0 * s->f0[i] + a1 * y1[i] + b1 * s->f1[i];
}

/* Behind a stepper that iterates (BDF, implicit RK, auto after its switch),
 * dy/dt at its own states carries J·(its error), which a cubic Hermite row
 * would amplify by |hJ|; landing on every row instead shortens steps, and
 * makes BDF refactorise, at each one (2.6x the cost of a two-year phase
 * with weekly rows).  Rows there interpolate the accepted states
 * themselves: the polynomial through the last up to six of them (BDF's
 * order goes to five), its error estimated as its change from the
 * polynomial one degree lower through the last ones; a row it cannot
 * vouch for (fewer than three states, or the estimate above the
 * tolerance) is integrated to from the step's start. */
void engine_node_push(calcify_solver *s, double t, const double y[])
{
    if (s->n_nodes == NODES) { /* drop the oldest, reuse its storage */
        double *oldest = s->node_y[0];
        for (int i = 0; i < NODES - 1; i++) {
            s->node_y[i] = s->node_y[i + 1];
            s->node_t[i] = s->node_t[i + 1];
        }
        s->node_y[NODES - 1] = oldest;
        s->n_nodes = NODES - 1;
    }
    memcpy(s->node_y[s->n_nodes], y, s->sys->dim * sizeof *y);
    s->node_t[s->n_nodes++] = t;
}

/* Lagrange weights w[j] of nodes t[0..m) at x. */
static void lagrange_weights(const double *t, int m, double x, double w[])
{
    for (int j = 0; j < m; j++) {
        double num = 1, den = 1;
        for (int i = 0; i < m; i++)
            if (i != j) {
                num *= x - t[i];
                den *= t[j] - t[i];
            }
        w[j] = num / den;
    }
}

/* The row at tg inside the last step, through the nodes; returns its
 * estimated error relative to the tolerance (INFINITY: no estimate). */
double engine_value_row(const calcify_solver *s, double tg, double out[])
{
    const int m = s->n_nodes;
    double w[NODES], v[NODES];
    lagrange_weights(s->node_t, m, tg, w);
    if (m >= 3)
        lagrange_weights(s->node_t + 1, m - 1, tg, v);
    const double *a = s->node_y[m - 2], *b = s->node_y[m - 1];
    double worst = m >= 3 ? 0 : INFINITY;
    for (size_t i = 0; i < s->sys->dim; i++) {
        double hi = 0, lo = 0;
        for (int j = 0; j < m; j++)
            hi += w[j] * s->node_y[j][i];
        out[i] = hi;
        if (m < 3)
            continue;
        for (int j = 1; j < m; j++)
            lo += v[j - 1] * s->node_y[j][i];
        const double big = fabs(a[i]) > fabs(b[i]) ? fabs(a[i]) : fabs(b[i]);
        const double err = fabs(hi - lo) / (s->atol + s->rtol * big);
        if (!(err <= worst))
            worst = err;
    }
    return worst;
}

/* The row at tg integrated from the last step's start by the fill driver
 * (a second copy of the iterating stepper, so that the main one keeps its
 * history; stable where an explicit pair would crawl); a GSL status. */
int engine_fill_row(calcify_solver *s, double tg, double out[])
{
    double t = s->node_t[s->n_nodes - 2];
    memcpy(out, s->node_y[s->n_nodes - 2], s->sys->dim * sizeof *out);
    gsl_odeiv2_driver *d = s->fill_drv;
    gsl_odeiv2_driver_reset_hstart(d, H_START < tg - t ? H_START : tg - t);
    int rc = gsl_odeiv2_driver_apply(d, &t, tg, out);
    s->n_steps += d->n;
    s->n_fills++;
    s->seg_fills++;
    return rc;
}

/* 1 while rows behind an iterating stepper come from its accepted states:
 * a stepper whose steps outrun the interpolation (bsimp's extrapolation
 * steps span many rows) has most rows filled, each a fresh start, and is
 * cheaper landing on them: it does so for the rest of the segment once
 * more than half of four or more rows needed a fill. */
int engine_rows_by_values(const calcify_solver *s)
{
    return !s->land_on_grid && s->check_each_rhs && !s->switch_due &&
           !(s->seg_rows >= 4 && 2 * s->seg_fills > s->seg_rows);
}

/* 1 if rows come from the dense output of the stepper taking the steps
 * (Rodas4's, of order 3; bdf's, its Nordsieck polynomial, of the step's
 * order: no estimate, no fill, no cap on the step). */
int engine_dense_rows(const calcify_solver *s)
{
    return !s->land_on_grid && !s->switch_due && engine_has_dense_output(s->driver->s);
}

/* 1 if rows are interpolated between the steps now being taken: only
 * behind an explicit Runge–Kutta pair. */
int engine_interpolating(const calcify_solver *s)
{
    return !s->land_on_grid && !s->explicit_checks && !s->switch_due &&
           s->driver == s->explicit_drv;
}

/* Report the stretch [t0, t1] that ends at y1 (an accepted step, or with
 * `still` a stretch at an equilibrium) to the step callback, keeping what
 * calcify_solver_state_at needs: the same evaluation inside it as the rows
 * behind the stepper that took it.  Behind an iterating stepper the states
 * are kept as nodes here too (segment pushes them only where it reads rows
 * from them, and never pushes a time twice: its rows stay the same). */
int engine_report_step(calcify_solver *s, double t0, double t1, const double y1[], int still)
{
    if (still)
        s->step_kind = STEP_CONST;
    else if (engine_has_dense_output(s->driver->s))
        s->step_kind = STEP_DENSE;
    else if (!s->check_each_rhs)
        s->step_kind = STEP_HERMITE;
    else {
        s->step_kind = STEP_NODES;
        if (s->n_nodes == 0 || s->node_t[s->n_nodes - 1] != t0) {
            s->n_nodes = 0;
            engine_node_push(s, t0, s->driver->e->y0);
        }
        engine_node_push(s, t1, y1);
    }
    s->step_t1 = t1;
    s->step_y1 = y1;
    const int fresh = s->step_fresh;
    s->step_fresh = 0;
    return s->step_fn(s->step_user, t0, t1, s->step_phase, s->u, fresh) ? STOPPED
                                                                         : GSL_SUCCESS;
}

void calcify_solver_state_at_some(const calcify_solver *s, double t, uint32_t states,
                                  double out[])
{
    const size_t n = s->sys->dim;
    const uint32_t all = n >= 32 ? ~(uint32_t)0 : (uint32_t)(((uint64_t)1 << n) - 1);
    const uint32_t m = states & all;
    /* all of them (or more than the mask holds): the loops over every state */
    if (n > 32 || m == all || t == s->step_t1) {
        calcify_solver_state_at(s, t, out);
        return;
    }
    if (s->step_kind == STEP_DENSE && engine_bdf_dense_output_some(s->driver->s, t, m, out))
        return;
    if (s->step_kind == STEP_HERMITE) { /* engine_interpolate's formula */
        const gsl_odeiv2_evolve *e = s->driver->e;
        const double h = e->last_step, t0 = s->step_t1 - h, th = (t - t0) / h;
        const double th2 = th * th, th3 = th2 * th;
        const double a0 = 2 * th3 - 3 * th2 + 1, b0 = h * (th3 - 2 * th2 + th);
        const double a1 = 3 * th2 - 2 * th3, b1 = h * (th3 - th2);
        for (uint32_t k = m; k; k &= k - 1) {
            const size_t i = (size_t)__builtin_ctz(k);
            out[i] = a0 * e->y0[i] + b0 * s->f0[i] + a1 * s->step_y1[i] + b1 * s->f1[i];
        }
        return;
    }
    calcify_solver_state_at(s, t, out);
}

void calcify_solver_state_at(const calcify_solver *s, double t, double out[])
{
    if (t == s->step_t1) { /* the step's end: its state */
        memcpy(out, s->step_y1, s->sys->dim * sizeof *out);
        return;
    }
    switch (s->step_kind) {
    case STEP_DENSE: engine_dense_output(s->driver->s, t, out); break;
    case STEP_HERMITE: engine_interpolate(s, t, s->step_t1, s->step_y1, out); break;
    case STEP_NODES: engine_value_row(s, t, out); break;
    default: memcpy(out, s->step_y1, s->sys->dim * sizeof *out);
    }
}
