/* solver.c — the stepper registry and phase-by-phase integration on GSL. */
#include <float.h>
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
    int iterates;       /* solves for its step (implicit or corrector) */
} stepper;

/* GSL exports each stepper as a pointer to a const table; taking the
 * pointer's address keeps this registry a compile-time constant. */
static const stepper steppers[] = {
    {"msbdf", &gsl_odeiv2_step_msbdf, 1, 1},     {"bsimp", &gsl_odeiv2_step_bsimp, 1, 1},
    {"rk4imp", &gsl_odeiv2_step_rk4imp, 1, 1},   {"rk2imp", &gsl_odeiv2_step_rk2imp, 1, 1},
    {"rk1imp", &gsl_odeiv2_step_rk1imp, 1, 1},   {"msadams", &gsl_odeiv2_step_msadams, 0, 1},
    {"rk8pd", &gsl_odeiv2_step_rk8pd, 0, 0},     {"rkck", &gsl_odeiv2_step_rkck, 0, 0},
    {"rkf45", &gsl_odeiv2_step_rkf45, 0, 0},     {"rk4", &gsl_odeiv2_step_rk4, 0, 0},
    {"rk2", &gsl_odeiv2_step_rk2, 0, 0},
};
enum { N_STEPPERS = sizeof steppers / sizeof steppers[0] };

/* "auto": the explicit pair that is fastest on calcify's model at rtol 1e-6
 * (bench/), handing a phase to BDF once it turns stiff. */
static const char AUTO[] = "auto";
static const char AUTO_EXPLICIT[] = "rkck", AUTO_IMPLICIT[] = "msbdf";
/* Consider a switch when finishing the phase explicitly would take more
 * steps than this (about 2 ms of explicit steps, where BDF takes a few
 * hundred) ... */
static const double AUTO_MAX_STEPS = 5000;
static const unsigned long AUTO_WARMUP = 100;
/* ... and make it only if the step is at rkck's stability limit: h·ρ(J)
 * above this (rkck's real stability interval is about 3.3; accuracy-limited
 * steps of non-stiff problems sit well below). */
static const double AUTO_STIFF_HRHO = 1.5;
/* A test (a Jacobian and power iteration, ~10 µs, twenty explicit steps)
 * that finds the step not at the limit is repeated only after this many
 * steps, doubling each time up to AUTO_CHECK_MAX: a long phase whose steps
 * stay short for accuracy would otherwise pay it on every step. */
static const unsigned long AUTO_CHECK_FIRST = 32, AUTO_CHECK_MAX = 1024;

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
        "auto, msbdf, bsimp, rk4imp, rk2imp, rk1imp, msadams, rk8pd, rkck, rkf45, rk4, rk2";
    return list;
}

int calcify_stepper_known(const char *method)
{
    return (method && !strcmp(method, AUTO)) || find(method) != NULL;
}

int calcify_stepper_needs_jacobian(const char *method)
{
    if (method && !strcmp(method, AUTO))
        return 1;
    const stepper *s = find(method);
    return s && s->needs_jacobian;
}

/* Accepted states kept for rows behind an iterating stepper: a quintic
 * through six of them matches BDF's highest order. */
enum { NODES = 6 };

struct calcify_solver {
    const calcify_system *sys;
    gsl_odeiv2_system gsys;
    gsl_odeiv2_driver *driver;        /* the active one                     */
    gsl_odeiv2_driver *explicit_drv;  /* auto: where each phase starts      */
    gsl_odeiv2_driver *stiff_drv;     /* auto: where a stiff phase goes     */
    unsigned long n_switches;         /* auto: phases handed to BDF         */
    const double *u;              /* inputs of the phase being integrated */
    unsigned long n_rhs, n_jac, n_steps;
    double rtol, atol;
    int land_on_grid;             /* shorten steps to hit rows exactly     */
    int check_each_rhs;           /* finiteness per RHS call (implicit)    */
    int explicit_checks;          /* the explicit driver's check_each_rhs  */
    int switch_due;               /* auto: hand over before the next step  */
    double hcap;                  /* step cap that keeps rows accurate, 0: none */
    double *scratch;              /* dim doubles: equilibrium test, rows   */
    double *f0, *f1;              /* dy/dt at the ends of the last step    */
    double *c3, *c3_prev;         /* third derivative of the cubic of the
                                     last step and of the one before, per
                                     state (row error estimate)            */
    double c3_h, c3_prev_h;       /* those steps' lengths, 0: none         */
    unsigned long n_fills;        /* rows integrated to (fill_row)         */
    unsigned seg_rows, seg_fills; /* value rows and fills in this segment  */
    unsigned long next_check;     /* auto: explicit step count of the next
                                     stiffness test, and the interval after */
    unsigned long check_every;
    double *jac;                  /* auto: dim² for the stiffness test     */
    /* behind an iterating stepper: the last accepted states of the segment,
     * oldest first, for rows by polynomial interpolation of values       */
    double node_t[NODES];
    double *node_y[NODES];
    int n_nodes;
    gsl_odeiv2_driver *fill_drv;  /* the iterating stepper again, for a row
                                     interpolation cannot vouch for        */
    double t_seg_end;             /* end of the segment being integrated   */
    int boundary_rows;            /* also a row at each phase start        */
};

void calcify_solver_set_boundary_rows(calcify_solver *s, int on) { s->boundary_rows = on; }

/* Initial step after a start or a phase switch, d: small enough for the
 * fastest process (absorption, ~1 h), the controller grows it from there. */
static const double H_START = 1e-4;
/* Steps per driver call before it gives up with GSL_EMAXITER. */
static const unsigned long MAX_STEPS = 10000000UL;
/* segment()'s status when an emit asked to stop: no GSL code. */
enum { STOPPED = -1000 };
/* Retakes of one step for the sake of its rows before landing on them. */
static const int MAX_RETAKES = 2;

static int all_finite(const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return 0;
    return 1;
}

/* For explicit Runge–Kutta steppers the RHS wrapper does no finiteness
 * check: a NaN in a stage spreads to the step's result, which step() checks
 * once per accepted step.  Steppers that iterate (implicit, or msadams's
 * corrector) check every call, so that the iteration stops with
 * GSL_EBADFUNC instead of shrinking the step to nothing. */
static int gsl_rhs(double t, const double y[], double dydt[], void *params)
{
    calcify_solver *s = params;
    s->n_rhs++;
    int rc = s->sys->rhs(t, y, dydt, s->u, s->sys->ctx);
    if (rc != GSL_SUCCESS || !s->check_each_rhs)
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

static gsl_odeiv2_driver *driver_for(calcify_solver *s, const stepper *st)
{
    gsl_odeiv2_driver *d = gsl_odeiv2_driver_alloc_y_new(&s->gsys, *st->type, H_START,
                                                         s->atol, s->rtol);
    if (d)
        gsl_odeiv2_driver_set_nmax(d, MAX_STEPS);
    return d;
}

calcify_solver *calcify_solver_alloc(const calcify_system *sys,
                                     const char *method, double rtol,
                                     double atol)
{
    const int is_auto = method && !strcmp(method, AUTO);
    const stepper *st = find(is_auto ? AUTO_EXPLICIT : method);
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
        (is_auto && !(s->jac = malloc(sys->dim * sys->dim * sizeof *s->jac)))) {
        free(s->scratch);
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
    s->gsys.function = gsl_rhs;
    s->gsys.jacobian = sys->jac ? gsl_jac : NULL;
    s->gsys.dimension = sys->dim;
    s->gsys.params = s;
    s->driver = s->explicit_drv = driver_for(s, st);
    if (is_auto)
        s->stiff_drv = driver_for(s, find(AUTO_IMPLICIT));
    if (is_auto || st->iterates)
        s->fill_drv = driver_for(s, is_auto ? find(AUTO_IMPLICIT) : st);
    if (!s->driver || (is_auto && !s->stiff_drv) || ((is_auto || st->iterates) && !s->fill_drv)) {
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
    free(s);
}

unsigned long calcify_solver_switches(const calcify_solver *s) { return s->n_switches; }
unsigned long calcify_solver_row_fills(const calcify_solver *s) { return s->n_fills; }

void calcify_solver_land_on_grid(calcify_solver *s, int on) { s->land_on_grid = on; }

unsigned long calcify_solver_rhs_evals(const calcify_solver *s) { return s->n_rhs; }
unsigned long calcify_solver_jac_evals(const calcify_solver *s) { return s->n_jac; }
unsigned long calcify_solver_steps(const calcify_solver *s) { return s->n_steps; }
void calcify_solver_reset_counters(calcify_solver *s) { s->n_rhs = s->n_jac = s->n_steps = 0; }

/* 1 if y is an equilibrium for the phase: integrating the whole phase would
 * move no state by more than a thousandth of its tolerance
 * (|f_i|·duration <= 1e-3·(atol + rtol·|y_i|)).  The state then stays put,
 * which is what the ODE does; the control arm, which starts at the steady
 * state of its own diet, costs one RHS evaluation instead of a few hundred
 * steps of an explicit method. */
static int at_equilibrium(calcify_solver *s, const double y[], double duration)
{
    double *f = s->scratch;
    if (gsl_rhs(0, y, f, s) != GSL_SUCCESS)
        return 0;
    for (size_t i = 0; i < s->sys->dim; i++)
        if (fabs(f[i]) * duration > 1e-3 * (s->atol + s->rtol * fabs(y[i])))
            return 0;
    return 1;
}

static int step(calcify_solver *s, double *t, double t_end, double y[]);

/* Integrate from *t to t1 (no-op if already there; a jump if `still`),
 * landing exactly on t1, by the same steps as everywhere else (so the same
 * checks and, for auto, the same switch). */
static int advance(calcify_solver *s, double *t, double t1, double y[], int still)
{
    if (t1 <= *t)
        return GSL_SUCCESS;
    if (still) {
        *t = t1;
        return GSL_SUCCESS;
    }
    int rc = GSL_SUCCESS;
    while (rc == GSL_SUCCESS && *t < t1)
        rc = step(s, t, t1, y);
    return rc;
}

/* Largest |eigenvalue| of the Jacobian at (t, y), by power iteration: the
 * growth of ‖Jᵏv‖ over the last iterations (complex pairs make single
 * ratios oscillate; their product does not). */
static double spectral_radius(calcify_solver *s, double t, const double y[])
{
    const size_t n = s->sys->dim;
    double *v = s->scratch, *w = s->scratch + 3 * n;
    if (gsl_jac(t, y, s->jac, w, s) != GSL_SUCCESS)
        return INFINITY;
    for (size_t i = 0; i < n; i++)
        v[i] = 1.0 + 0.1 * (double)(i % 7); /* not an eigenvector by accident */
    double log_growth = 0;
    int counted = 0;
    for (int it = 0; it < 24; it++) {
        double norm_v = 0, norm_w = 0;
        for (size_t i = 0; i < n; i++) {
            double acc = 0;
            for (size_t j = 0; j < n; j++)
                acc += s->jac[i * n + j] * v[j];
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
        for (size_t i = 0; i < n; i++)
            v[i] = w[i] / norm_w;
    }
    return exp(log_growth / counted);
}

/* One accepted step of at most t_end − *t from (*t, y): afterwards s->f0 and
 * s->f1 hold dy/dt at the step's two ends, the driver's evolve object the
 * state at its start (e->y0) and its length (e->last_step).  A switch that
 * auto decided on after the previous step happens first, so that the
 * previous step's rows were filled from the driver that took it. */
static int step(calcify_solver *s, double *t, double t_end, double y[])
{
    if (s->switch_due) {
        s->switch_due = 0;
        const double h = s->driver->h;
        s->driver = s->stiff_drv;
        s->check_each_rhs = 1;
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
    if (!all_finite(y, n)) { /* back to the last good state */
        memcpy(y, d->e->y0, n * sizeof *y);
        *t = t0;
        return GSL_EBADFUNC;
    }
    /* slopes at the ends, for Hermite rows: only behind explicit pairs
     * (an iterating stepper's rows interpolate values, rows_by_values) */
    if (!s->check_each_rhs) {
        if (!first)
            memcpy(s->f0, s->f1, n * sizeof *s->f0);
        else if (d->s->type->can_use_dydt_in) /* evaluated at the start by evolve */
            memcpy(s->f0, d->e->dydt_in, n * sizeof *s->f0);
        else if ((rc = gsl_rhs(*t - d->e->last_step, d->e->y0, s->f0, s)) != GSL_SUCCESS)
            return rc;
        if (d->s->type->gives_exact_dydt_out)
            memcpy(s->f1, d->e->dydt_out, n * sizeof *s->f1);
        else if ((rc = gsl_rhs(*t, y, s->f1, s)) != GSL_SUCCESS)
            return rc;
    }
    /* auto: after a warm-up in which the step can grow from its start, an
     * explicit step this short for the time left, held at the stability
     * limit of the fastest mode, means stiffness: the rest of the phase
     * goes to BDF (from the next step on) */
    if (d == s->explicit_drv && s->stiff_drv && d->e->count >= AUTO_WARMUP &&
        d->e->count >= s->next_check && (s->t_seg_end - *t) > AUTO_MAX_STEPS * d->h) {
        if (d->h * spectral_radius(s, *t, y) > AUTO_STIFF_HRHO)
            s->switch_due = 1;
        else {
            s->next_check = d->e->count + s->check_every;
            if (s->check_every < AUTO_CHECK_MAX)
                s->check_every *= 2;
        }
    }
    return GSL_SUCCESS;
}

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
static void cubic_update(calcify_solver *s, const double y1[])
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
static double row_error(const calcify_solver *s, const double y1[])
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
static void interpolate(const calcify_solver *s, double tg, double t1, const double y1[],
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
static void node_push(calcify_solver *s, double t, const double y[])
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
static double value_row(const calcify_solver *s, double tg, double out[])
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
static int fill_row(calcify_solver *s, double tg, double out[])
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
static int rows_by_values(const calcify_solver *s)
{
    return !s->land_on_grid && s->check_each_rhs && !s->switch_due &&
           !(s->seg_rows >= 4 && 2 * s->seg_fills > s->seg_rows);
}

/* 1 if rows are interpolated between the steps now being taken: only
 * behind an explicit Runge–Kutta pair. */
static int interpolating(const calcify_solver *s)
{
    return !s->land_on_grid && !s->explicit_checks && !s->switch_due &&
           s->driver == s->explicit_drv;
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
    s->next_check = 0;
    s->check_every = AUTO_CHECK_FIRST;
    s->switch_due = 0;
    s->t_seg_end = t_end;
    s->driver = s->explicit_drv; /* auto: every segment starts explicit */
    s->check_each_rhs = s->explicit_checks;
    gsl_odeiv2_driver_reset_hstart(s->driver, H_START);
    int rc = GSL_SUCCESS;
    if (dt > 0 && (still || s->land_on_grid)) {
        for (;;) {
            double tg = (double)k * dt;
            if (tg >= t_end - eps)
                break;
            if (fabs(tg - t) <= eps)
                tg = t;
            if ((rc = advance(s, &t, tg, y, still)) != GSL_SUCCESS)
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
            if (rows_by_values(s)) {
                /* behind an iterating stepper: free steps, rows from
                 * the accepted states (node_push) */
                if (s->n_nodes == 0 || s->node_t[s->n_nodes - 1] != t) {
                    s->n_nodes = 0;
                    node_push(s, t, y);
                }
                if ((rc = step(s, &t, t_end, y)) != GSL_SUCCESS)
                    break;
                node_push(s, t, y);
                for (; (tg = (double)k * dt) < t_end - eps && tg < t - eps; k++) {
                    s->seg_rows++;
                    if (!(value_row(s, tg, row) <= 1) &&
                        (rc = fill_row(s, tg, row)) != GSL_SUCCESS)
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
            if (retakes > MAX_RETAKES || !interpolating(s)) {
                /* land on the next row: behind a stepper that iterates
                 * (BDF, implicit RK, auto after its switch), whose dy/dt
                 * at its own states carries J·(its error) and would make
                 * a poor cubic, or where rows would not interpolate well
                 * enough */
                retakes = 0;
                if ((rc = advance(s, &t, tg, y, 0)) != GSL_SUCCESS)
                    break;
                s->c3_h = s->c3_prev_h = 0;
                continue;
            }
            if ((rc = step(s, &t, t_end, y)) != GSL_SUCCESS)
                break;
            /* every step feeds the estimate; steps holding rows act on it:
             * the next step is capped to keep rows within tolerance (error
             * ∝ h⁴), and a step whose rows would not be is taken again,
             * shorter (at most 5× a time) */
            const double h = s->driver->e->last_step;
            cubic_update(s, y);
            if ((tg = (double)k * dt) < t_end - eps && tg < t - eps) {
                const double err = row_error(s, y);
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
            for (; (tg = (double)k * dt) < t_end - eps && tg < t - eps; k++) {
                interpolate(s, tg, t, y, row);
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
        rc = step(s, &t, t_end, y);
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
            int rc = segment(s, &t, t_end, y, dt, &k, p, still, emit, user);
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
