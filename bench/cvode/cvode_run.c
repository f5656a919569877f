/* cvode_run.c — calcify's equations and calcify's work, integrated by CVODE
 * (BDF, Newton with dense LU on calcify's analytic Jacobian). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cvode/cvode.h>
#include <nvector/nvector_serial.h>
#include <sundials/sundials_context.h>
#include <sunlinsol/sunlinsol_dense.h>
#include <sunmatrix/sunmatrix_dense.h>

#include "cvode_run.h"

enum { N = CALCIFY_NSTATE };

/* What one arm does: which phases it replays from an earlier arm, and where
 * its rows and phase-end states live. */
typedef struct {
    size_t first_row, n_rows;  /* rows [first_row, first_row + n_rows)      */
    size_t from, shared;       /* phases [0, shared) are those of arm `from` */
    double (*u)[CALCIFY_NU];   /* inputs per phase                           */
    double (*bound)[N];        /* state at the end of each phase             */
} arm_plan;

struct cvode_run {
    const calcify_scenario *sc;
    calcify_model m;           /* the baseline's model, with its reference   */
    double y0[N];              /* baseline state                             */
    double rtol, atol;
    SUNContext ctx;
    void *mem;                 /* CVODE                                      */
    N_Vector y;                /* the state being integrated                 */
    SUNMatrix A;
    SUNLinearSolver ls;
    const double *u;           /* inputs of the phase being integrated       */
    double jac_rows[N * N];    /* calcify's row-major Jacobian               */
    unsigned long n_rhs, n_jac, n_steps, n_setups;
    long seen_steps, seen_setups; /* CVODE's counts since its last ReInit, collected */
    arm_plan *arms;
    size_t n_rows;             /* over all arms                              */
    double *row_t;             /* per row: time, d                           */
    size_t *row_phase;         /* ... phase whose inputs it holds            */
    double (*row_y)[N];        /* ... state                                  */
};

static int cv_rhs(sunrealtype t, N_Vector y, N_Vector ydot, void *user)
{
    (void)t;
    cvode_run *c = user;
    c->n_rhs++;
    return calcify_model_rhs(&c->m, N_VGetArrayPointer(y), N_VGetArrayPointer(ydot), c->u);
}

/* CVODE's dense matrices are column-major, calcify's Jacobian row-major:
 * the transpose is part of the adapter's cost (well under 1 µs). */
static int cv_jac(sunrealtype t, N_Vector y, N_Vector fy, SUNMatrix J, void *user,
                  N_Vector tmp1, N_Vector tmp2, N_Vector tmp3)
{
    (void)t, (void)fy, (void)tmp1, (void)tmp2, (void)tmp3;
    cvode_run *c = user;
    c->n_jac++;
    int rc = calcify_model_jac(&c->m, N_VGetArrayPointer(y), c->jac_rows, c->u);
    for (size_t j = 0; j < N; j++) {
        sunrealtype *col = SUNDenseMatrix_Column(J, (sunindextype)j);
        for (size_t i = 0; i < N; i++)
            col[i] = c->jac_rows[i * N + j];
    }
    return rc;
}

/* calcify's test (src/engine/solver.c, at_equilibrium) that a phase need not be
 * integrated: no state would move by more than a thousandth of its
 * tolerance over the whole phase.  One RHS evaluation. */
static int at_equilibrium(cvode_run *c, const double y[], double duration)
{
    double f[N];
    c->n_rhs++;
    calcify_model_rhs(&c->m, y, f, c->u);
    for (size_t i = 0; i < N; i++)
        if (!(fabs(f[i]) * duration <= 1e-3 * (c->atol + c->rtol * fabs(y[i]))))
            return 0;
    return 1;
}

static int same_phase(const calcify_diet_phase *a, const calcify_diet_phase *b)
{
    return a->duration == b->duration && memcmp(a->diet, b->diet, sizeof a->diet) == 0;
}

/* calcify goes on through a boundary where the diet does not change
 * (src/run/armcache.c, calcify_phase_continues; doses and `set` are not
 * supported here): no CVodeReInit there either. */
static int goes_on(const calcify_arm *arm, size_t p)
{
    return p > 0 && memcmp(arm->phases[p - 1].diet, arm->phases[p].diet,
                           sizeof arm->phases[p].diet) == 0;
}

const char *cvode_run_unsupported(const calcify_scenario *sc)
{
    if (sc->growth)
        return "a growth table";
    for (size_t a = 0; a < sc->n_arms; a++)
        for (size_t p = 0; p < sc->arms[a].n_phases; p++) {
            const calcify_diet_phase *ph = &sc->arms[a].phases[p];
            if (ph->n_doses)
                return "doses";
            for (size_t i = 0; i < CALCIFY_NPARAM; i++)
                if (ph->set[i])
                    return "a parameter `set` in a phase";
        }
    return NULL;
}

/* Rows of an arm by calcify's grid rule: k·dt below the arm's end (a time
 * within 1e-9 of a phase start is that start, and belongs to the phase that
 * starts there), then the end.  With row_t NULL only counts them. */
static size_t plan_rows(const calcify_arm *arm, double dt, double *row_t, size_t *row_phase)
{
    size_t n = 0;
    unsigned long k = 0;
    double t = 0;
    for (size_t p = 0; p < arm->n_phases; p++) {
        const double t1 = t + arm->phases[p].duration, eps = 1e-9 * (t1 > 1 ? t1 : 1);
        for (;; k++) {
            double tg = (double)k * dt;
            if (tg >= t1 - eps)
                break;
            if (row_t) {
                row_t[n] = fabs(tg - t) <= eps ? t : tg;
                row_phase[n] = p;
            }
            n++;
        }
        t = t1;
    }
    if (row_t) {
        row_t[n] = t;
        row_phase[n] = arm->n_phases - 1;
    }
    return n + 1;
}

/* Arm a replays the longest phase prefix it shares with an earlier arm,
 * never its last phase, ending where the arm restarts (as calcify's arm
 * cache, src/run/armcache.c). */
static void plan_sharing(const calcify_scenario *sc, size_t a, arm_plan *ap)
{
    const calcify_arm *arm = &sc->arms[a];
    ap->shared = 0;
    for (size_t b = 0; b < a; b++) {
        const calcify_arm *other = &sc->arms[b];
        size_t limit = arm->n_phases - 1 < other->n_phases ? arm->n_phases - 1 : other->n_phases;
        size_t n = 0;
        while (n < limit && same_phase(&arm->phases[n], &other->phases[n]))
            n++;
        while (n > 0 && goes_on(arm, n)) /* a replay stops only at a restart */
            n--;
        if (n > ap->shared) {
            ap->shared = n;
            ap->from = b;
        }
    }
}

static int plan(cvode_run *c)
{
    const calcify_scenario *sc = c->sc;
    if (!(c->arms = calloc(sc->n_arms, sizeof *c->arms)))
        return -1;
    for (size_t a = 0; a < sc->n_arms; a++) {
        arm_plan *ap = &c->arms[a];
        const calcify_arm *arm = &sc->arms[a];
        ap->first_row = c->n_rows;
        ap->n_rows = plan_rows(arm, sc->output_step, NULL, NULL);
        c->n_rows += ap->n_rows;
        ap->u = calloc(arm->n_phases, sizeof *ap->u);
        ap->bound = calloc(arm->n_phases, sizeof *ap->bound);
        if (!ap->u || !ap->bound)
            return -1;
        for (size_t p = 0; p < arm->n_phases; p++)
            calcify_model_inputs(&c->m, arm->phases[p].diet, ap->u[p]);
        plan_sharing(sc, a, ap);
    }
    c->row_t = calloc(c->n_rows, sizeof *c->row_t);
    c->row_phase = calloc(c->n_rows, sizeof *c->row_phase);
    c->row_y = calloc(c->n_rows, sizeof *c->row_y);
    if (!c->row_t || !c->row_phase || !c->row_y)
        return -1;
    for (size_t a = 0; a < sc->n_arms; a++)
        plan_rows(&sc->arms[a], sc->output_step, c->row_t + c->arms[a].first_row,
                  c->row_phase + c->arms[a].first_row);
    return 0;
}

cvode_run *cvode_run_alloc(const calcify_scenario *sc, const calcify_model *m,
                           const double y0[CALCIFY_NSTATE], double rtol, double atol)
{
    const char *what = cvode_run_unsupported(sc);
    if (what) {
        fprintf(stderr, "%s: has %s, which the CVODE harness does not model (expected "
                "arms of diet phases only)\n", sc->path, what);
        return NULL;
    }
    cvode_run *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->sc = sc;
    c->m = *m;
    memcpy(c->y0, y0, sizeof c->y0);
    c->rtol = rtol;
    c->atol = atol;
    int ok = plan(c) == 0;
#if SUNDIALS_VERSION_MAJOR >= 7
    ok = ok && SUNContext_Create(SUN_COMM_NULL, &c->ctx) == 0;
#else
    ok = ok && SUNContext_Create(NULL, &c->ctx) == 0;
#endif
    ok = ok && (c->y = N_VNew_Serial(N, c->ctx)) != NULL;
    ok = ok && (c->A = SUNDenseMatrix(N, N, c->ctx)) != NULL;
    ok = ok && (c->ls = SUNLinSol_Dense(c->y, c->A, c->ctx)) != NULL;
    ok = ok && (c->mem = CVodeCreate(CV_BDF, c->ctx)) != NULL;
    if (ok)
        memcpy(N_VGetArrayPointer(c->y), y0, sizeof c->y0);
    ok = ok && CVodeInit(c->mem, cv_rhs, 0, c->y) == CV_SUCCESS;
    ok = ok && CVodeSStolerances(c->mem, rtol, atol) == CV_SUCCESS;
    ok = ok && CVodeSetUserData(c->mem, c) == CV_SUCCESS;
    ok = ok && CVodeSetLinearSolver(c->mem, c->ls, c->A) == CV_SUCCESS;
    ok = ok && CVodeSetJacFn(c->mem, cv_jac) == CV_SUCCESS;
    /* CVODE's default of 500 steps per call is plenty between daily rows,
     * but not for a scenario with a coarse output step */
    ok = ok && CVodeSetMaxNumSteps(c->mem, 10000000L) == CV_SUCCESS;
    if (!ok) {
        fprintf(stderr, "cannot set up CVODE (rtol %g, atol %g)\n", rtol, atol);
        cvode_run_free(c);
        return NULL;
    }
    return c;
}

void cvode_run_free(cvode_run *c)
{
    if (!c)
        return;
    CVodeFree(&c->mem);
    if (c->ls)
        SUNLinSolFree(c->ls);
    if (c->A)
        SUNMatDestroy(c->A);
    if (c->y)
        N_VDestroy(c->y);
    if (c->ctx)
        SUNContext_Free(&c->ctx);
    for (size_t a = 0; c->arms && a < c->sc->n_arms; a++) {
        free(c->arms[a].u);
        free(c->arms[a].bound);
    }
    free(c->arms);
    free(c->row_t);
    free(c->row_phase);
    free(c->row_y);
    free(c);
}

/* Add the statistics of the integration since the last collect (CVodeReInit
 * clears CVODE's own: seen_* are zeroed with it). */
static void collect(cvode_run *c)
{
    long steps = 0, setups = 0;
    CVodeGetNumSteps(c->mem, &steps);
    CVodeGetNumLinSolvSetups(c->mem, &setups);
    c->n_steps += (unsigned long)(steps - c->seen_steps);
    c->n_setups += (unsigned long)(setups - c->seen_setups);
    c->seen_steps = steps;
    c->seen_setups = setups;
}

static int fail(const cvode_run *c, size_t a, size_t p, double t, int flag)
{
    fprintf(stderr, "CVODE: arm '%s', phase %zu: failed at t = %.6g d: %s\n",
            c->sc->arms[a].name, p + 1, t, CVodeGetReturnFlagName(flag));
    return flag < 0 ? flag : -1;
}

/* Phases [shared, n_phases) of arm a from the state in c->y at time t,
 * filling the rows of those phases up to the end row (excluded); r is the
 * arm's first row of phase `shared`. */
static int integrate_arm(cvode_run *c, size_t a, size_t r, double t)
{
    const calcify_arm *arm = &c->sc->arms[a];
    const arm_plan *ap = &c->arms[a];
    const size_t r_end = ap->first_row + ap->n_rows - 1;
    double *y = N_VGetArrayPointer(c->y);
    int was_still = 0;
    for (size_t p = ap->shared; p < arm->n_phases; p++) {
        const double t1 = t + arm->phases[p].duration;
        c->u = ap->u[p];
        const int still = at_equilibrium(c, y, arm->phases[p].duration);
        int flag = CV_SUCCESS;
        if (!still) {
            /* the diet switches here: restart from the phase's start state,
             * never stepping across the discontinuity; where it does not,
             * go on (after a phase that was integrated) */
            const int go_on = p > ap->shared && goes_on(arm, p) && !was_still;
            if (!go_on)
                c->seen_steps = c->seen_setups = 0;
            if ((!go_on && (flag = CVodeReInit(c->mem, t, c->y)) != CV_SUCCESS) ||
                (flag = CVodeSetStopTime(c->mem, t1)) != CV_SUCCESS)
                return fail(c, a, p, t, flag);
        }
        was_still = still;
        for (; r < r_end && c->row_phase[r] == p; r++) {
            if (!still && c->row_t[r] > t) {
                sunrealtype tret;
                if ((flag = CVode(c->mem, c->row_t[r], c->y, &tret, CV_NORMAL)) < 0)
                    return fail(c, a, p, t, flag);
                t = tret;
            }
            memcpy(c->row_y[r], y, sizeof c->row_y[r]);
        }
        if (!still) {
            sunrealtype tret;
            if ((flag = CVode(c->mem, t1, c->y, &tret, CV_NORMAL)) < 0)
                return fail(c, a, p, t, flag);
            collect(c);
        }
        t = t1;
        memcpy(ap->bound[p], y, sizeof ap->bound[p]);
    }
    memcpy(c->row_y[r], y, sizeof c->row_y[r]); /* the end row */
    return 0;
}

int cvode_run_scenario(cvode_run *c, double *obs)
{
    const calcify_scenario *sc = c->sc;
    double *y = N_VGetArrayPointer(c->y);
    for (size_t a = 0; a < sc->n_arms; a++) {
        const arm_plan *ap = &c->arms[a];
        size_t r = ap->first_row;
        double t = 0;
        memcpy(y, c->y0, sizeof c->y0);
        if (ap->shared) { /* replay the shared phases' rows and end states */
            const arm_plan *src = &c->arms[ap->from];
            /* not its end row: the next phase starts with its own row there */
            const size_t rs_end = src->first_row + src->n_rows - 1;
            for (size_t rs = src->first_row; rs < rs_end && c->row_phase[rs] < ap->shared;
                 r++, rs++)
                memcpy(c->row_y[r], c->row_y[rs], sizeof c->row_y[r]);
            memcpy(ap->bound, src->bound, ap->shared * sizeof *ap->bound);
            memcpy(y, ap->bound[ap->shared - 1], sizeof c->y0);
            for (size_t p = 0; p < ap->shared; p++)
                t += sc->arms[a].phases[p].duration;
        }
        int rc = integrate_arm(c, a, r, t);
        if (rc)
            return rc;
        for (size_t i = 0; obs && i < ap->n_rows; i++) {
            const size_t row = ap->first_row + i;
            calcify_model_observe(&c->m, c->row_y[row], ap->u[c->row_phase[row]],
                                  obs + row * CALCIFY_NOBS);
        }
    }
    return 0;
}

size_t cvode_run_rows(const cvode_run *c) { return c->n_rows; }
size_t cvode_run_arm_row(const cvode_run *c, size_t arm) { return c->arms[arm].first_row; }

cvode_run_counts cvode_run_get_counts(const cvode_run *c)
{
    return (cvode_run_counts){c->n_rhs, c->n_jac, c->n_steps, c->n_setups};
}

void cvode_run_reset_counts(cvode_run *c) { c->n_rhs = c->n_jac = c->n_steps = c->n_setups = 0; }
