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

/* Integrate one segment of a phase, from *t to t_end (a dose or the
 * phase's end), emitting the rows k·dt in [*t, t_end) with phase index p.
 * Returns a GSL status, or STOPPED when an emit asked to stop. */
static int segment(calcify_solver *s, double *tp, double t_end, double y[], double dt,
                   unsigned long *kp, size_t p, int still, calcify_emit_fn emit, void *user)
{
    double t = *tp;
    unsigned long k = *kp;
    /* a grid time this close to the end is the end's (the next segment's) */
    const double eps = 1e-9 * (t_end > 1 ? t_end : 1);
    s->hcap = 0;
    s->c3_h = s->c3_prev_h = 0;
    s->n_nodes = 0;
    s->seg_rows = s->seg_fills = 0;
    s->step_phase = p;
    s->step_fresh = 1;
    engine_segment_start(s, t_end);
    int rc = GSL_SUCCESS;
    if (dt > 0 && (still || s->land_on_grid)) {
        for (;;) {
            double tg = (double)k * dt;
            if (tg >= t_end - eps)
                break;
            if (fabs(tg - t) <= eps)
                tg = t;
            if ((rc = engine_advance(s, &t, tg, y, still)) != GSL_SUCCESS)
                break;
            if (emit && emit(user, tg, p, y, s->u)) {
                rc = STOPPED;
                break;
            }
            k++;
        }
    } else if (dt > 0) {
        /* free steps; rows in between are interpolated */
        double *row = s->scratch;
        int retakes = 0;
        for (;;) {
            double tg = (double)k * dt;
            if (tg >= t_end - eps)
                break;
            if (tg <= t + eps) { /* at the current state */
                if (emit && emit(user, tg, p, y, s->u)) {
                    rc = STOPPED;
                    break;
                }
                k++;
                continue;
            }
            const double t_start = t;
            if (engine_dense_rows(s)) {
                if ((rc = engine_step(s, &t, t_end, y)) != GSL_SUCCESS)
                    break;
                for (; (tg = (double)k * dt) < t_end - eps && tg < t - eps; k++) {
                    engine_dense_output(s->driver->s, tg, row);
                    if (emit && emit(user, tg, p, row, s->u)) {
                        rc = STOPPED;
                        break;
                    }
                }
                if (rc != GSL_SUCCESS)
                    break;
                continue;
            }
            if (engine_rows_by_values(s)) {
                /* behind an iterating stepper: free steps, rows from
                 * the accepted states (node_push) */
                if (s->n_nodes == 0 || s->node_t[s->n_nodes - 1] != t) {
                    s->n_nodes = 0;
                    engine_node_push(s, t, y);
                }
                if ((rc = engine_step(s, &t, t_end, y)) != GSL_SUCCESS)
                    break;
                if (s->node_t[s->n_nodes - 1] != t) /* the step callback's */
                    engine_node_push(s, t, y);
                for (; (tg = (double)k * dt) < t_end - eps && tg < t - eps; k++) {
                    s->seg_rows++;
                    if (!(engine_value_row(s, tg, row) <= 1) &&
                        (rc = engine_fill_row(s, tg, row)) != GSL_SUCCESS)
                        break;
                    if (emit && emit(user, tg, p, row, s->u)) {
                        rc = STOPPED;
                        break;
                    }
                }
                if (rc != GSL_SUCCESS)
                    break;
                continue;
            }
            if (retakes > MAX_RETAKES || !engine_interpolating(s)) {
                /* land on the next row: behind a stepper that iterates
                 * (BDF, implicit RK, auto after its switch), whose dy/dt
                 * at its own states carries J·(its error) and would make
                 * a poor cubic, or where rows would not interpolate well
                 * enough */
                retakes = 0;
                if ((rc = engine_advance(s, &t, tg, y, 0)) != GSL_SUCCESS)
                    break;
                s->c3_h = s->c3_prev_h = 0;
                continue;
            }
            s->step_held = 1; /* reported once kept, below */
            rc = engine_step(s, &t, t_end, y);
            s->step_held = 0;
            if (rc != GSL_SUCCESS)
                break;
            /* every step feeds the estimate; steps holding rows act on it:
             * the next step is capped to keep rows within tolerance (error
             * ∝ h⁴), and a step whose rows would not be is taken again,
             * shorter (at most 5× a time) */
            const double h = s->driver->e->last_step;
            engine_cubic_update(s, y);
            if ((tg = (double)k * dt) < t_end - eps && tg < t - eps) {
                const double err = engine_row_error(s, y);
                double shrink = err > 1e-4 ? 1.0 / sqrt(sqrt(err)) : 10.0;
                if (!(shrink >= 0.2))
                    shrink = 0.2;
                s->hcap = 0.9 * h * shrink;
                if (!(err <= 1)) {
                    retakes++;
                    s->switch_due = 0;
                    memcpy(y, s->driver->e->y0, s->sys->dim * sizeof *y);
                    t = t_start;
                    /* the rejected step's cubic covers the same stretch:
                     * it stays the predecessor of the shorter retake */
                    gsl_odeiv2_driver_reset_hstart(s->driver, s->hcap);
                    continue;
                }
            }
            retakes = 0;
            if (s->step_fn && (rc = engine_report_step(s, t_start, t, y, 0)) != GSL_SUCCESS)
                break;
            for (; (tg = (double)k * dt) < t_end - eps && tg < t - eps; k++) {
                engine_interpolate(s, tg, t, y, row);
                if (emit && emit(user, tg, p, row, s->u)) {
                    rc = STOPPED;
                    break;
                }
            }
            if (rc != GSL_SUCCESS)
                break;
        }
    } else if (emit && emit(user, t, p, y, s->u)) {
        rc = STOPPED;
    }
    while (rc == GSL_SUCCESS && !still && t < t_end)
        rc = engine_step(s, &t, t_end, y);
    *tp = t;
    *kp = k;
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
            int rc = segment(s, &t, t_end, y, dt, &k, p, still, emit, user);
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
            if (t_end == t_phase_end)
                break;
        }
    }
    if (stop_phase == n_phases && emit && n_phases > 0 &&
        emit(user, t, n_phases - 1, y, s->u))
        return CALCIFY_EIO;
    return CALCIFY_OK;
}
