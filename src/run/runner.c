/* runner.c — the one scenario runner: growth, baseline, arms, read. */
#include <math.h>
#include <string.h>

#include "calcify/runner.h"

const char *calcify_run_status_name(calcify_run_status s)
{
    switch (s) {
    case CALCIFY_RUN_OK: return "ok";
    case CALCIFY_RUN_NO_STEADY_STATE: return "no_steady_state";
    case CALCIFY_RUN_SOLVER_FAILED: return "solver_failed";
    case CALCIFY_RUN_INVALID_INPUT: return "invalid_input";
    default: return "not_run";
    }
}

calcify_status calcify_run_status_code(calcify_run_status s)
{
    return s == CALCIFY_RUN_OK ? CALCIFY_OK
           : s == CALCIFY_RUN_NO_STEADY_STATE ? CALCIFY_ESTEADY : CALCIFY_ESOLVER;
}

typedef struct {
    const calcify_probe *p;
    size_t a;
    double *v;             /* this run's vector                         */
    const calcify_sim_step *st; /* the step being read (read_step)      */
    /* the metrics so far (the simulator's carry, kept with shared phases):
     * CALCIFY_NMETRIC × n_obs (metric m of observable i at m·n_obs + i),
     * the read observables at the last step's end, and 1 once a step was
     * read                                                               */
    double acc[(CALCIFY_NMETRIC + 1) * CALCIFY_MAX_OBS + 1];
} read_ctx;

static size_t carry_len(const calcify_probe *p) { return (CALCIFY_NMETRIC + 1) * p->n_obs + 1; }

/* Metrics come from the solver's steps, not from the rows, so they do not
 * depend on the output step.  Each step's state is the solver's own
 * interpolant (calcify_solver_state_at: cubic Hermite behind an explicit
 * pair, order 4 like its steps; Rodas4's dense output; bdf's Nordsieck
 * polynomial; the polynomial through the last states behind msbdf and the
 * other iterating steppers), accurate to the solver's tolerance
 * where rows are.
 *
 * AUC: Simpson's rule (3-point Gauss–Lobatto) on each step of each
 * observable, taken at the step's ends and middle on the interpolant
 * (observables are nonlinear in the states).  Its error per step,
 * h⁵·g⁽⁴⁾/2880, is a quarter of the cubic Hermite interpolant's own
 * (∫ y⁽⁴⁾(t−t0)²(t−t1)²/24 = h⁵·y⁽⁴⁾/720, of one sign) and of the order of
 * Rodas4's dense output's: the quadrature does not add to the solver's
 * error, and it costs two observations a step (the start is the last
 * step's end), where 3-point Gauss–Legendre (error h⁷·g⁽⁶⁾/2016000, exact
 * beyond what the interpolant is) costs three (measured: AUC within 4e-6
 * across output steps either way, tests/scripts/test_metrics.sh).
 *
 * Min and max: over the step's ends and middle, and where the extreme of
 * those samples is inside the step (in the middle, or at an end where the
 * parabola through the three turns back into the step) the
 * step's own extreme is found on the interpolant by successive parabolas
 * (parabolic(): 1–3 observations a search on Vermeer) until moving to the
 * parabola's top would gain less than PEAK_REL of the value, with
 * golden-section search where the samples give no bracket, down to a
 * bracket of REFINE·h: ½|g''|·(REFINE·h)² off the true extreme of the
 * interpolant, a relative 1e-12·(h/τ)² for a peak on a time scale τ
 * (golden section alone took ~30 observations a search, a quarter of all
 * the observations of an endpoint-only Vermeer run).  On a plateau flat to
 * PEAK_REL (clotting at 1 before warfarin acts) the time of max is any
 * time on it.
 * The parabola's slope at the end is off by O(h²·g'''); only a slope
 * smaller than that can point the wrong way, and the extreme then missed
 * is within g'²/(2|g''|) = O(h⁴) of the end's value: below the
 * interpolant's own error.  Only steps that can beat the extreme so far
 * are searched.  The time of max is known only to about √(2·ε/|g''|) for
 * a value error ε (the peak is flat): 4e-5 relative for an sc bolus at
 * rtol 1e-6 (tests/scripts/test_metrics.sh); with repeated doses whose
 * peaks are equal to within the tolerance, which one is first is not
 * determined. */
static const double REFINE = 1e-6;
static const double PEAK_REL = 1e-13;
enum { NS = 3 }; /* samples per step: start, middle, end */

/* The read observables at t inside the step. */
static int observe_at(read_ctx *c, double t, double out[])
{
    double obs[CALCIFY_MAX_OBS];
    if (calcify_sim_step_observe_some(c->st, t, c->p->obs, c->p->n_obs, obs))
        return -1;
    for (size_t i = 0; i < c->p->n_obs; i++)
        out[i] = obs[c->p->obs[i]];
    return 0;
}

/* The largest of sign·(observable i) on [lo, hi] (golden section, the
 * step's interpolant assumed unimodal there); *t_at its time. */
static int golden(read_ctx *c, size_t i, double sign, double lo, double hi, double tol,
                  double *best, double *t_at)
{
    const double r = 0.61803398874989485;
    double x[CALCIFY_MAX_OBS];
    double a = hi - r * (hi - lo), b = lo + r * (hi - lo), fa, fb;
    if (observe_at(c, a, x))
        return -1;
    fa = sign * x[i];
    if (observe_at(c, b, x))
        return -1;
    fb = sign * x[i];
    while (hi - lo > tol) {
        if (fa >= fb) {
            hi = b, b = a, fb = fa, a = hi - r * (hi - lo);
            if (observe_at(c, a, x))
                return -1;
            fa = sign * x[i];
        } else {
            lo = a, a = b, fa = fb, b = lo + r * (hi - lo);
            if (observe_at(c, b, x))
                return -1;
            fb = sign * x[i];
        }
    }
    *best = fa >= fb ? fa : fb;
    *t_at = fa >= fb ? a : b;
    return 0;
}

/* The top of the parabola through (a, fa), (b, fb), (c, fc); NaN when the
 * three lie on a line. */
static double parabola_top(double a, double b, double c, double fa, double fb, double fc)
{
    const double p = (b - a) * (fb - fc), q = (b - c) * (fb - fa), den = 2 * (p - q);
    return den != 0 ? b - ((b - a) * p - (b - c) * q) / den : NAN;
}

/* The same from a bracket a < b < c with f(b) >= f(a), f(c) (f = sign·
 * observable i): successive parabolas through the bracket (a golden step
 * where the parabola's top falls outside it or onto a point), until the
 * top is so close to b that moving there would gain at most PEAK_REL of
 * the value (|A|·δ² for the parabola's curvature A) and the top before
 * was there too, or the bracket is tol wide.  A handful of observations
 * where golden section needs ~30 for a bracket of 1e-6 of the step. */
static int parabolic(read_ctx *c, size_t i, double sign, double a, double b, double cc,
                     double fa, double fb, double fc, double tol, double *best, double *t_at)
{
    const double g = 0.38196601125010515;
    double x[CALCIFY_MAX_OBS], u_prev = NAN;
    for (int it = 0; it < 100 && cc - a > tol; it++) {
        const double curv = fabs(((fc - fb) / (cc - b) - (fb - fa) / (b - a)) / (cc - a));
        double u = parabola_top(a, b, cc, fa, fb, fc);
        const double close = 0.25 * tol, eps = PEAK_REL * fabs(fb);
        /* two tops in a row agree, and both at b: the parabola is local */
        if (isfinite(u) && curv * (u - b) * (u - b) <= eps &&
            curv * (u - u_prev) * (u - u_prev) <= eps)
            break;
        if (fb - fa <= eps && fb - fc <= eps)
            break; /* flat to PEAK_REL (a plateau, or its rounding noise) */
        u_prev = u;
        if (!(u > a + close && u < cc - close && fabs(u - b) > close))
            u = cc - b > b - a ? b + g * (cc - b) : b - g * (b - a);
        if (observe_at(c, u, x))
            return -1;
        const double fu = sign * x[i];
        if (fu >= fb) {
            if (u < b)
                cc = b, fc = fb;
            else
                a = b, fa = fb;
            b = u, fb = fu;
        } else if (u < b)
            a = u, fa = fu;
        else
            cc = u, fc = fu;
    }
    *best = fb;
    *t_at = b;
    return 0;
}

/* Slope at t[e] of the parabola through (t[a], y[a]), (t[b], y[b]),
 * (t[e], y[e]). */
static double end_slope(const double t[NS], const double y[NS], int a, int b, int e)
{
    const double dab = (y[b] - y[a]) / (t[b] - t[a]), dbe = (y[e] - y[b]) / (t[e] - t[b]);
    return dbe + (dbe - dab) / (t[e] - t[a]) * (t[e] - t[b]);
}

/* The extreme (sign 1: max, −1: min) of observable i over the step, from
 * its samples x[k][i] at t[k], into *ext (and *t_ext if not NULL): only
 * where this step can beat it. */
static int step_extreme(read_ctx *c, size_t i, double sign, const double t[NS],
                        double x[NS][CALCIFY_MAX_OBS], double *ext, double *t_ext)
{
    double y[NS];
    int k = 0;
    for (int j = 0; j < NS; j++) {
        y[j] = sign * x[j][i];
        if (y[j] > y[k])
            k = j;
    }
    if (!(y[k] >= sign * *ext))
        return 0;
    double best = y[k], t_best = t[k];
    const double h = t[NS - 1] - t[0];
    int inside = k > 0 && k < NS - 1;
    if (k == 0) /* the extreme at an end: unless the step turns there */
        inside = end_slope(t, y, 2, 1, 0) > 0;
    else if (k == NS - 1)
        inside = end_slope(t, y, NS - 3, NS - 2, NS - 1) < 0;
    double b, tb;
    if (inside && k == 1) {
        if (parabolic(c, i, sign, t[0], t[1], t[2], y[0], y[1], y[2], REFINE * h, &b, &tb))
            return -1;
    } else if (inside) {
        /* the top of the parabola through the samples, inside the half
         * step by the end: if it beats the end, a bracket */
        const int s0 = k == 0 ? 0 : 1; /* the half step: samples s0, s0 + 1 */
        const double lo = t[s0], hi = t[s0 + 1];
        double u = parabola_top(t[0], t[1], t[2], y[0], y[1], y[2]);
        if (!(u > lo && u < hi))
            u = 0.5 * (lo + hi);
        double x[CALCIFY_MAX_OBS];
        if (observe_at(c, u, x))
            return -1;
        const double fu = sign * x[i];
        if (fu > y[k] ? parabolic(c, i, sign, lo, u, hi, y[s0], fu, y[s0 + 1], REFINE * h, &b,
                                  &tb)
                      : golden(c, i, sign, k == 0 ? lo : u, k == 0 ? u : hi, REFINE * h, &b,
                               &tb))
            return -1;
    }
    if (inside && b > best)
        best = b, t_best = tb;
    if (best > sign * *ext) {
        *ext = sign * best;
        if (t_ext)
            *t_ext = t_best;
    }
    return 0;
}

/* A step of the solver: AUC over it, min, max and time of max. */
static int read_step(void *user, const calcify_sim_step *st, double t0, double t1, int fresh)
{
    read_ctx *c = user;
    const size_t n = c->p->n_obs;
    double *acc = c->acc, *end = acc + CALCIFY_NMETRIC * n, *have_end = end + n;
    c->st = st;
    const double h = t1 - t0;
    const double t[NS] = {t0, t0 + 0.5 * h, t1};
    double x[NS][CALCIFY_MAX_OBS];
    if (fresh || !*have_end) { /* the state jumped: observe it */
        if (observe_at(c, t0, x[0]))
            return -1;
    } else
        memcpy(x[0], end, n * sizeof x[0][0]);
    for (int k = 1; k < NS; k++)
        if (observe_at(c, t[k], x[k]))
            return -1;
    for (size_t i = 0; i < n; i++) {
        double *auc = &acc[CALCIFY_METRIC_AUC * n + i], *lo = &acc[CALCIFY_METRIC_MIN * n + i];
        double *hi = &acc[CALCIFY_METRIC_MAX * n + i], *thi = &acc[CALCIFY_METRIC_TMAX * n + i];
        if (!*have_end) {
            *auc = 0;
            *lo = *hi = x[0][i];
            *thi = t0;
        }
        *auc += h / 6 * (x[0][i] + 4 * x[1][i] + x[2][i]);
        /* step_extreme's own first test, inline (a NaN sample goes in):
         * most steps beat neither extreme */
        const int above_lo = x[0][i] > *lo && x[1][i] > *lo && x[2][i] > *lo;
        const int below_hi = x[0][i] < *hi && x[1][i] < *hi && x[2][i] < *hi;
        if ((!above_lo && step_extreme(c, i, -1, t, x, lo, NULL)) ||
            (!below_hi && step_extreme(c, i, 1, t, x, hi, thi)))
            return -1;
    }
    memcpy(end, x[NS - 1], n * sizeof x[0][0]);
    *have_end = 1;
    return 0;
}

/* A row: its values if its time is probed (matched by time, whatever rows
 * come before it), and the metrics. */
static int read_row(void *user, const calcify_arm *arm, double t, size_t phase,
                    const double y[], const double obs[])
{
    (void)arm, (void)phase, (void)y;
    read_ctx *c = user;
    const calcify_probe *p = c->p;
    long ti = calcify_probe_time_index(&p->arms[c->a], t);
    for (size_t i = 0; ti >= 0 && i < p->n_obs; i++)
        c->v[calcify_probe_slot(p, c->a, (size_t)ti, i)] = obs[p->obs[i]];
    return 0;
}

/* Only the probed times are read from rows (metrics come from the steps):
 * the rows between them are integrated to (the same steps) but not
 * observed. */
static int wanted(void *user, double t)
{
    const read_ctx *c = user;
    return calcify_probe_time_index(&c->p->arms[c->a], t) >= 0;
}

calcify_status calcify_runner_arm(calcify_sim *sim, const calcify_probe *p, size_t a,
                                  const double y0[], int growth_override, double *v,
                                  calcify_run_cost *cost, calcify_error *err)
{
    const calcify_probe_arm *pa = &p->arms[a];
    const size_t n = calcify_probe_arm_values(p, a);
    for (size_t i = 0; i < n; i++)
        v[pa->offset + i] = NAN;
    calcify_solver *solver = calcify_sim_solver(sim);
    unsigned long s0 = calcify_solver_steps(solver), r0 = calcify_solver_rhs_evals(solver);
    read_ctx c = {.p = p, .a = a, .v = v};
    calcify_arm arm = pa->run;
    if (growth_override)
        arm.growth = NULL; /* the run's own table, set on the simulator */
    /* a row at every phase start: the cuts at probed times are rows */
    calcify_sim_set_boundary_rows(sim, 1);
    calcify_sim_set_row_filter(sim, wanted);
    calcify_sim_set_step_fn(sim, p->metrics ? read_step : NULL, c.acc, carry_len(p));
    calcify_status st = calcify_sim_run_arm(sim, &arm, y0, pa->dt, read_row, &c, err);
    calcify_sim_set_step_fn(sim, NULL, NULL, 0);
    /* the metrics, once a step was read */
    for (int m = 0; p->metrics && c.acc[carry_len(p) - 1] && m < CALCIFY_NMETRIC; m++)
        for (size_t i = 0; i < p->n_obs; i++)
            v[calcify_probe_metric_slot(p, a, m, i)] = c.acc[(size_t)m * p->n_obs + i];
    calcify_sim_set_row_filter(sim, NULL);
    calcify_sim_set_boundary_rows(sim, 0);
    if (cost) {
        cost->steps = calcify_solver_steps(solver) - s0;
        cost->rhs_evals = calcify_solver_rhs_evals(solver) - r0;
    }
    /* rows before a failure were read; the arm's values are not */
    for (size_t i = 0; st && i < n; i++)
        v[pa->offset + i] = NAN;
    return st;
}

calcify_run_status calcify_runner_run(calcify_sim *sim, const calcify_scenario *sc,
                                      const calcify_probe *p,
                                      const calcify_growth *growth, long only, double *v,
                                      unsigned char *arm_status, calcify_run_cost *cost,
                                      calcify_error *err)
{
    for (size_t i = 0; i < p->n_out; i++)
        v[i] = NAN;
    for (size_t a = 0; a < p->n_arms; a++) {
        if (arm_status)
            arm_status[a] = CALCIFY_RUN_NOT_RUN;
        if (cost)
            cost[a] = (calcify_run_cost){0, 0};
    }
    calcify_sim_set_growth(sim, growth ? growth : sc->growth);
    double y0[CALCIFY_MAX_STATE];
    calcify_run_status rs = CALCIFY_RUN_OK;
    if (calcify_sim_baseline(sim, sc->baseline, y0, err))
        rs = CALCIFY_RUN_NO_STEADY_STATE;
    calcify_error arm_err;
    for (size_t a = 0; a < p->n_arms; a++) {
        if (only >= 0 && (size_t)only != a)
            continue;
        calcify_run_status as = CALCIFY_RUN_NO_STEADY_STATE;
        if (rs != CALCIFY_RUN_NO_STEADY_STATE)
            as = calcify_runner_arm(sim, p, a, y0, growth != NULL, v,
                                    cost ? &cost[a] : NULL, &arm_err)
                     ? CALCIFY_RUN_SOLVER_FAILED : CALCIFY_RUN_OK;
        if (as == CALCIFY_RUN_SOLVER_FAILED && rs == CALCIFY_RUN_OK) {
            rs = as;
            *err = arm_err;
        }
        if (arm_status)
            arm_status[a] = (unsigned char)as;
    }
    return rs;
}
