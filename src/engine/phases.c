/* phases.c — the phase driver: phases with fixed inputs, the doses that
 * cut them into segments, and the output grid. */
#include <math.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "engine/engine.h"

/* 1 if y is an equilibrium for the phase: integrating the whole phase would
 * move no state by more than a thousandth of its tolerance
 * (|f_i|·duration <= 1e-3·(atol + rtol·|y_i|)).  The state then stays put,
 * which is what the ODE does; the control arm, which starts at the steady
 * state of its own diet, costs one RHS evaluation instead of a few hundred
 * steps of an explicit method. */
static int at_equilibrium(calcify_solver *s, const double y[], double duration)
{
    double *f = s->scratch;
    if (engine_rhs(0, y, f, s) != GSL_SUCCESS)
        return 0;
    for (size_t i = 0; i < s->sys->dim; i++)
        if (fabs(f[i]) * duration > 1e-3 * (s->atol + s->rtol * fabs(y[i])))
            return 0;
    return 1;
}

/* One segment being integrated: where it is, and where its rows go. */
typedef struct {
    calcify_solver *s;
    double t, t_end, dt;
    double eps; /* a grid time this close to the end is the end's (the next segment's) */
    unsigned long k; /* the next row is k·dt */
    size_t p;
    calcify_emit_fn emit;
    void *user;
} seg_run;

static int emit_row(const seg_run *r, double tg, const double row[])
{
    if (r->emit && r->emit(r->user, tg, r->p, row, r->s->u))
        return STOPPED;
    return GSL_SUCCESS;
}

/* 1 if the next row lies inside the step just taken (and before the
 * segment's end); *tg is its time either way. */
static int row_inside(const seg_run *r, double *tg)
{
    *tg = (double)r->k * r->dt;
    return *tg < r->t_end - r->eps && *tg < r->t - r->eps;
}

/* Step estimates and interpolation state belong to one segment: a dose
 * makes the previous ones meaningless. */
static void segment_reset(calcify_solver *s, size_t p, double t_end)
{
    s->hcap = 0;
    s->c3_h = s->c3_prev_h = 0;
    s->n_nodes = 0;
    s->seg_rows = s->seg_fills = 0;
    s->step_phase = p;
    s->step_fresh = 1;
    engine_segment_start(s, t_end);
}

/* The same segment state for a segment that goes on with the steps before
 * it (calcify_solver_continue_next): only where it ends and its phase. */
static void segment_continue(calcify_solver *s, size_t p, double t_end)
{
    s->step_phase = p;
    s->t_seg_end = t_end;
}

/* Rows by integrating to each grid time in turn. */
static int rows_on_grid(seg_run *r, double y[], int still)
{
    int rc = GSL_SUCCESS;
    for (;;) {
        double tg = (double)r->k * r->dt;
        if (tg >= r->t_end - r->eps)
            break;
        if (fabs(tg - r->t) <= r->eps)
            tg = r->t;
        if ((rc = engine_advance(r->s, &r->t, tg, y, still)) != GSL_SUCCESS)
            break;
        if ((rc = emit_row(r, tg, y)) != GSL_SUCCESS)
            break;
        r->k++;
    }
    return rc;
}

/* One free step of a stepper with its own dense output. */
static int step_dense(seg_run *r, double y[], double row[])
{
    calcify_solver *s = r->s;
    int rc = engine_step(s, &r->t, r->t_end, y);
    if (rc != GSL_SUCCESS)
        return rc;
    double tg;
    for (; row_inside(r, &tg); r->k++) {
        engine_dense_output(s->driver->s, tg, row);
        if ((rc = emit_row(r, tg, row)) != GSL_SUCCESS)
            return rc;
    }
    return GSL_SUCCESS;
}

/* One free step behind an iterating stepper: rows from the accepted
 * states (node_push). */
static int step_by_values(seg_run *r, double y[], double row[])
{
    calcify_solver *s = r->s;
    if (s->n_nodes == 0 || s->node_t[s->n_nodes - 1] != r->t) {
        s->n_nodes = 0;
        engine_node_push(s, r->t, y);
    }
    int rc = engine_step(s, &r->t, r->t_end, y);
    if (rc != GSL_SUCCESS)
        return rc;
    if (s->node_t[s->n_nodes - 1] != r->t) /* the step callback's */
        engine_node_push(s, r->t, y);
    double tg;
    for (; row_inside(r, &tg); r->k++) {
        s->seg_rows++;
        if (!(engine_value_row(s, tg, row) <= 1) &&
            (rc = engine_fill_row(s, tg, row)) != GSL_SUCCESS)
            return rc;
        if ((rc = emit_row(r, tg, row)) != GSL_SUCCESS)
            return rc;
    }
    return GSL_SUCCESS;
}

/* One free step whose rows are interpolated by a cubic.  Every step feeds
 * the estimate; steps holding rows act on it: the next step is capped to
 * keep rows within tolerance (error ∝ h⁴), and a step whose rows would not
 * be is taken again, shorter (at most 5× a time), counted in *retakes. */
static int step_interpolated(seg_run *r, double y[], double row[], int *retakes)
{
    calcify_solver *s = r->s;
    const double t_start = r->t;
    s->step_held = 1; /* reported once kept, below */
    int rc = engine_step(s, &r->t, r->t_end, y);
    s->step_held = 0;
    if (rc != GSL_SUCCESS)
        return rc;
    const double h = s->driver->e->last_step;
    engine_cubic_update(s, y);
    double tg;
    if (row_inside(r, &tg)) {
        const double err = engine_row_error(s, y);
        double shrink = err > 1e-4 ? 1.0 / sqrt(sqrt(err)) : 10.0;
        if (!(shrink >= 0.2))
            shrink = 0.2;
        s->hcap = 0.9 * h * shrink;
        if (!(err <= 1)) {
            (*retakes)++;
            s->switch_due = 0;
            memcpy(y, s->driver->e->y0, s->sys->dim * sizeof *y);
            r->t = t_start;
            /* the rejected step's cubic covers the same stretch:
             * it stays the predecessor of the shorter retake */
            gsl_odeiv2_driver_reset_hstart(s->driver, s->hcap);
            return GSL_SUCCESS;
        }
    }
    *retakes = 0;
    if (s->step_fn && (rc = engine_report_step(s, t_start, r->t, y, 0)) != GSL_SUCCESS)
        return rc;
    for (; row_inside(r, &tg); r->k++) {
        engine_interpolate(s, tg, r->t, y, row);
        if ((rc = emit_row(r, tg, row)) != GSL_SUCCESS)
            return rc;
    }
    return GSL_SUCCESS;
}

/* Rows between free steps, by whichever means the stepper supports. */
static int rows_free(seg_run *r, double y[])
{
    calcify_solver *s = r->s;
    double *row = s->scratch;
    int retakes = 0;
    int rc = GSL_SUCCESS;
    for (;;) {
        const double tg = (double)r->k * r->dt;
        if (tg >= r->t_end - r->eps)
            break;
        if (tg <= r->t + r->eps) { /* at the current state */
            if ((rc = emit_row(r, tg, y)) != GSL_SUCCESS)
                break;
            r->k++;
            continue;
        }
        if (engine_dense_rows(s)) {
            rc = step_dense(r, y, row);
        } else if (engine_rows_by_values(s)) {
            rc = step_by_values(r, y, row);
        } else if (retakes > MAX_RETAKES || !engine_interpolating(s)) {
            /* land on the next row: behind a stepper that iterates
             * (BDF, implicit RK, auto after its switch), whose dy/dt
             * at its own states carries J·(its error) and would make
             * a poor cubic, or where rows would not interpolate well
             * enough */
            retakes = 0;
            if ((rc = engine_advance(s, &r->t, tg, y, 0)) == GSL_SUCCESS)
                s->c3_h = s->c3_prev_h = 0;
        } else {
            rc = step_interpolated(r, y, row, &retakes);
        }
        if (rc != GSL_SUCCESS)
            break;
    }
    return rc;
}

/* Integrate one segment of a phase, from *t to t_end (a dose or the
 * phase's end), emitting the rows k·dt in [*t, t_end) with phase index p.
 * Returns a GSL status, or STOPPED when an emit asked to stop. */
static int segment(calcify_solver *s, double *tp, double t_end, double y[], double dt,
                   unsigned long *kp, size_t p, int still, int go_on, calcify_emit_fn emit,
                   void *user)
{
    seg_run r = {s, *tp, t_end, dt, 1e-9 * (t_end > 1 ? t_end : 1), *kp, p, emit, user};
    if (go_on)
        segment_continue(s, p, t_end);
    else
        segment_reset(s, p, t_end);
    int rc;
    if (dt > 0 && (still || s->land_on_grid))
        rc = rows_on_grid(&r, y, still);
    else if (dt > 0)
        rc = rows_free(&r, y);
    else
        rc = emit_row(&r, r.t, y);
    while (rc == GSL_SUCCESS && !still && r.t < t_end)
        rc = engine_step(s, &r.t, t_end, y);
    *tp = r.t;
    *kp = r.k;
    return rc;
}

calcify_status calcify_solver_run(calcify_solver *s, const calcify_phase *phases,
                                  size_t n_phases, double y[], double dt,
                                  calcify_emit_fn emit, void *user,
                                  calcify_failure *fail)
{
    return calcify_solver_run_from(s, phases, n_phases, 0, n_phases, y, dt, emit, user,
                                   fail);
}

calcify_status calcify_solver_run_from(calcify_solver *s, const calcify_phase *phases,
                                       size_t n_phases, size_t first_phase,
                                       size_t stop_phase, double y[], double dt,
                                       calcify_emit_fn emit, void *user,
                                       calcify_failure *fail)
{
    double t = 0;
    for (size_t p = 0; p < first_phase; p++)
        t += phases[p].duration;
    double t_phase_end = t;
    /* next grid index: the first k with k·dt at or after t */
    unsigned long k = 0;
    if (dt > 0 && t > 0) {
        const double eps = 1e-9 * (t > 1 ? t : 1);
        k = (unsigned long)floor(t / dt);
        while ((double)k * dt < t - eps)
            k++;
        while (k > 0 && (double)(k - 1) * dt >= t - eps)
            k--;
    }
    /* going on from the last run's steps: only from where it ended */
    int go_on = s->continue_next && s->have_last && s->t_last == t;
    s->continue_next = 0;
    s->have_last = 0;
    for (size_t p = first_phase; p < stop_phase; p++) {
        const double t_phase_start = t;
        t_phase_end += phases[p].duration;
        s->u = phases[p].input;
        /* the phase runs in segments between its events (doses): each
         * event jumps its state, and the stepper restarts from there */
        size_t ev = 0;
        for (;;) {
            const double eps_ev = 1e-9 * (t > 1 ? t : 1);
            while (ev < phases[p].n_events &&
                   t_phase_start + phases[p].events[ev].t <= t + eps_ev) {
                y[phases[p].events[ev].state] += phases[p].events[ev].amount;
                ev++;
            }
            /* a phase start off the grid: its own row, when asked (after the
             * doses given at that instant, as a grid row there would be) */
            if (t == t_phase_start && dt > 0 && s->boundary_rows &&
                !(fabs((double)k * dt - t) <= eps_ev) && emit && emit(user, t, p, y, s->u))
                return CALCIFY_EIO;
            const double t_end = ev < phases[p].n_events
                                 ? t_phase_start + phases[p].events[ev].t : t_phase_end;
            if (s->sys->segment)
                s->sys->segment(t, t_end, s->sys->ctx);
            const int still = phases[p].n_events == 0 && !s->sys->time_dependent &&
                              at_equilibrium(s, y, phases[p].duration);
            const double t_seg = t;
            int rc = segment(s, &t, t_end, y, dt, &k, p, still, go_on && ev == 0 && !still,
                             emit, user);
            go_on = 0;
            if (rc == GSL_SUCCESS && still && s->step_fn) /* no steps: constant */
                rc = engine_report_step(s, t_seg, t_end, y, 1);
            if (rc == STOPPED)
                return CALCIFY_EIO;
            if (rc != GSL_SUCCESS) {
                if (fail) {
                    fail->phase = p;
                    fail->t = t;
                    fail->gsl_status = rc;
                }
                return CALCIFY_ESOLVER;
            }
            t = t_end;
            s->have_last = !still;
            s->t_last = t;
            if (t_end == t_phase_end)
                break;
        }
    }
    if (stop_phase == n_phases && emit && n_phases > 0 &&
        emit(user, t, n_phases - 1, y, s->u))
        return CALCIFY_EIO;
    return CALCIFY_OK;
}
