/* step.c — one accepted step, with its checks, and auto's test for
 * stiffness that hands a phase to the stiff stepper. */
#include <math.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "engine/engine.h"

/* Consider a switch, after a warm-up of AUTO_WARMUP explicit steps in
 * which the step grows from its start through the fast transient, when
 * finishing the phase explicitly would take more steps than AUTO_MAX_STEPS
 * (a Rosenbrock step costs about four explicit ones; measured, bench/:
 * the 5000 and 100 that suited BDF leave Rodas4 4,052 steps on Vermeer
 * and 2,792 on the two years, 100 and 20 leave 1,264 and 1,541; with bdf
 * as the stiff stepper, 50 or 200 instead of 100 change nothing and a
 * warm-up of 10 costs 10% more on Vermeer) ... */
static const double AUTO_MAX_STEPS = 100;
static const unsigned long AUTO_WARMUP = 20;
/* ... and make it only if the fast modes hold the step: h·ρ(J) above
 * engine_auto_stiff_hrho(rtol), and at a phase's first test above
 * AUTO_FIRST_HRHO too.  That test comes while the step may still be growing
 * through the phase's first transient, where h·ρ tells how fast the fastest
 * mode is, not that it holds the step: up to 0.85 on Vermeer over twelve
 * parameters ×/÷2, up to twice that with ip_ka doubled (Vermeer's −48/d is
 * its empty intraperitoneal depot), which at 0.9 took 22% more steps. */
static const double AUTO_FIRST_HRHO = 1.5;
/* A test (a Jacobian and power iteration, ~10 µs, twenty explicit steps)
 * that finds the step not at the limit is repeated only after this many
 * steps, doubling each time up to AUTO_CHECK_MAX: a long phase whose steps
 * stay short for accuracy would otherwise pay it on every step. */
static const unsigned long AUTO_CHECK_FIRST = 32, AUTO_CHECK_MAX = 1024;

/* rkck's real stability interval ends at hλ = −3.73, but its error estimate
 * answers a fast mode at hλ = −1.1 with 6.6e-4 of the mode's amplitude
 * (277/1228800·|z|⁵·(1 + 0.75|z|)): at rtol 1e-6 the estimate holds the
 * step at h·ρ 0.8–1.5 while slow modes move (on Vermeer, warfarin washing
 * out after a diet switch: the faster the washout, the lower), near 3.7
 * only once they settle.  A threshold of 1.5 left such phases explicit for
 * 64 to 450 more steps.  Handing over steps that still grow costs (a
 * threshold of 0.5 for every test: 10% slower); a phase's first test keeps
 * 1.5 for that reason (AUTO_FIRST_HRHO).  So 0.9 at rtol 1e-6, rising with
 * the held step, about tol^(1/5), to the 1.5 that suits looser tolerances
 * (measured with 1.0 for every test at 1e-4: 8–12% slower, phases handed
 * over inside their first transient).
 * Not below 0.9: the same law would hand tight tolerances to bdf, 30%
 * faster at 1e-8 but with bdf's accuracy instead of rkck's (2.5× the
 * error at 1e-8, 9× at 1e-10), so below ~5e-7 held phases stay explicit.
 * auto-rodas4 hands over by the same test.  Measured: bench/README.md,
 * 2026-12-07. */
double engine_auto_stiff_hrho(double rtol)
{
    return fmin(1.5, 0.9 * fmax(1.0, pow(rtol / 1e-6, 0.2)));
}

/* The steps of a new segment, ending at t_end: from the explicit driver
 * (auto: every segment starts explicit), at the initial step, with auto's
 * stiffness test due at its warm-up. */
void engine_segment_start(calcify_solver *s, double t_end)
{
    s->next_check = 0;
    s->check_every = AUTO_CHECK_FIRST;
    s->switch_due = 0;
    s->t_seg_end = t_end;
    s->driver = s->explicit_drv; /* auto: every segment starts explicit */
    s->check_each_rhs = s->explicit_checks;
    gsl_odeiv2_driver_reset_hstart(s->driver, H_START);
}

/* Integrate from *t to t1 (no-op if already there; a jump if `still`),
 * landing exactly on t1, by the same steps as everywhere else (so the same
 * checks and, for auto, the same switch). */
int engine_advance(calcify_solver *s, double *t, double t1, double y[], int still)
{
    if (t1 <= *t)
        return GSL_SUCCESS;
    if (still) {
        *t = t1;
        return GSL_SUCCESS;
    }
    int rc = GSL_SUCCESS;
    while (rc == GSL_SUCCESS && *t < t1)
        rc = engine_step(s, t, t1, y);
    return rc;
}

typedef double v2d __attribute__((vector_size(16), aligned(8), may_alias));

/* Largest |eigenvalue| of the Jacobian at (t, y), by power iteration: the
 * growth of ‖Jᵏv‖ over the last iterations (complex pairs make single
 * ratios oscillate; their product does not). */
double engine_spectral_radius(calcify_solver *s, double t, const double y[])
{
    const size_t n = s->sys->dim;
    double *v = s->scratch, *w = s->scratch + 3 * n;
    if (engine_jac(t, y, s->jac, w, s) != GSL_SUCCESS)
        return INFINITY;
    for (size_t i = 0; i < n; i++)
        v[i] = 1.0 + 0.1 * (double)(i % 7); /* not an eigenvector by accident */
    /* the non-zeros only, row by row in place (calcify's J: 89 of 900);
     * every entry written, the count advanced only past a non-zero (no
     * branch on the values, mispredicted every few entries) */
    double *a = s->jac;
    unsigned *col = s->jac_col;
    size_t *end = s->jac_row_end, nz = 0;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < n; j++) {
            const double x = a[i * n + j];
            a[nz] = x;
            col[nz] = (unsigned)j;
            nz += x != 0;
        }
        end[i] = nz;
    }
    double log_growth = 0;
    int counted = 0;
    for (int it = 0; it < 24; it++) {
        double norm_v = 0, norm_w = 0;
        for (size_t i = 0, e = 0; i < n; i++) {
            double acc = 0;
            for (; e < end[i]; e++)
                acc += a[e] * v[col[e]];
            w[i] = acc;
            if (fabs(acc) > norm_w)
                norm_w = fabs(acc);
            if (fabs(v[i]) > norm_v)
                norm_v = fabs(v[i]);
        }
        if (!(norm_w > 0))
            return 0;
        if (it >= 8) { /* after the transient */
            log_growth += log(norm_w / norm_v);
            counted++;
        }
        /* two at a time (GCC's vector extension: SSE2's divpd on x86-64;
         * GCC left it scalar), the same quotients */
        size_t i = 0;
        for (; i + 2 <= n; i += 2)
            *(v2d *)(v + i) = *(const v2d *)(w + i) / norm_w;
        for (; i < n; i++)
            v[i] = w[i] / norm_w;
    }
    return exp(log_growth / counted);
}

/* One accepted step of at most t_end − *t from (*t, y): afterwards s->f0 and
 * s->f1 hold dy/dt at the step's two ends, the driver's evolve object the
 * state at its start (e->y0) and its length (e->last_step).  A switch that
 * auto decided on after the previous step happens first, so that the
 * previous step's rows were filled from the driver that took it. */
int engine_step(calcify_solver *s, double *t, double t_end, double y[])
{
    if (s->switch_due) {
        s->switch_due = 0;
        const double h = s->driver->h;
        s->driver = s->stiff_drv;
        s->check_each_rhs = s->stiff_checks;
        s->hcap = 0;
        s->c3_h = s->c3_prev_h = 0;
        s->n_nodes = 0;
        gsl_odeiv2_driver_reset_hstart(s->driver, h);
        s->n_switches++;
    }
    gsl_odeiv2_driver *d = s->driver;
    const int first = d->e->count == 0;
    if (d->e->count >= MAX_STEPS)
        return GSL_EMAXITER;
    if (s->hcap > 0 && d->h > s->hcap)
        d->h = s->hcap;
    const double t0 = *t;
    int rc = gsl_odeiv2_evolve_apply(d->e, d->c, d->s, &s->gsys, t, t_end, &d->h, y);
    if (rc != GSL_SUCCESS)
        return rc;
    const size_t n = s->sys->dim;
    s->n_steps++;
    if (!engine_all_finite(y, n)) { /* back to the last good state */
        memcpy(y, d->e->y0, n * sizeof *y);
        *t = t0;
        return GSL_EBADFUNC;
    }
    /* slopes at the ends, for Hermite rows: only behind explicit pairs
     * (an iterating stepper's rows interpolate values, rows_by_values;
     * a stepper with its own dense output gives them, engine_dense_rows) */
    if (!s->check_each_rhs && !engine_has_dense_output(d->s)) {
        if (!first)
            memcpy(s->f0, s->f1, n * sizeof *s->f0);
        else if (d->s->type->can_use_dydt_in) /* evaluated at the start by evolve */
            memcpy(s->f0, d->e->dydt_in, n * sizeof *s->f0);
        else if ((rc = engine_rhs(*t - d->e->last_step, d->e->y0, s->f0, s)) != GSL_SUCCESS)
            return rc;
        if (d->s->type->gives_exact_dydt_out)
            memcpy(s->f1, d->e->dydt_out, n * sizeof *s->f1);
        else if ((rc = engine_rhs(*t, y, s->f1, s)) != GSL_SUCCESS)
            return rc;
    }
    /* auto: after a warm-up in which the step can grow from its start, an
     * explicit step this short for the time left, held at the stability
     * limit of the fastest mode, means stiffness: the rest of the phase
     * goes to the stiff stepper (from the next step on) */
    if (d == s->explicit_drv && s->stiff_drv && d->e->count >= AUTO_WARMUP &&
        d->e->count >= s->next_check && (s->t_seg_end - *t) > AUTO_MAX_STEPS * d->h) {
        const double hrho = engine_auto_stiff_hrho(s->rtol);
        const int first = s->next_check == 0; /* no test yet in this segment */
        if (d->h * engine_spectral_radius(s, *t, y) > (first ? fmax(AUTO_FIRST_HRHO, hrho) : hrho))
            s->switch_due = 1;
        else {
            s->next_check = d->e->count + s->check_every;
            if (s->check_every < AUTO_CHECK_MAX)
                s->check_every *= 2;
        }
    }
    if (s->step_fn && !s->step_held)
        return engine_report_step(s, t0, *t, y, 0);
    return GSL_SUCCESS;
}
