/* calcify/solver.h — phase-by-phase integration of an ODE system with
 * piecewise-constant inputs, on GSL's gsl_odeiv2 driver.
 *
 * The right-hand side never tests the time against a switch: each phase is
 * integrated on its own with its inputs fixed, and the driver is reset at
 * every boundary, so the stepper never steps across a discontinuity.
 *
 * Output grid rule: rows at t = k·dt (k = 0, 1, …, computed as k·dt, not by
 * accumulation) for every t below the arm's end, plus one row at the end.  A
 * row that falls exactly on a phase boundary holds the state at that instant
 * and the *new* phase's inputs; the row at the end holds the last phase's
 * inputs.  With dt <= 0 rows are written at t = 0, at every phase boundary
 * and at the end only.
 */
#ifndef CALCIFY_SOLVER_H
#define CALCIFY_SOLVER_H

#include <stddef.h>
#include <stdint.h>

#include "calcify/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An ODE system dy/dt = f(y, u) with inputs u that are constant in a phase. */
typedef struct {
    size_t dim;
    /* 0 on success, GSL_EBADFUNC (or any non-zero GSL code) on failure */
    int (*rhs)(double t, const double y[], double dydt[], const double u[],
               void *ctx);
    /* row-major dfdy[i*dim+j]; dfdt may be filled with zeros; may be NULL
       for explicit steppers only */
    int (*jac)(double t, const double y[], double *dfdy, double dfdt[],
               const double u[], void *ctx);
    void *ctx;
    /* non-zero if f depends on t beyond the phase inputs (a growth table):
       then no phase is skipped as an equilibrium */
    int time_dependent;
    /* optional: called before each stretch of a phase between its events
       is integrated, with the stretch's ends t0 < t1 (inputs that switch
       at events, such as infusions, take their value for it here) */
    void (*segment)(double t0, double t1, void *ctx);
} calcify_system;

/* A jump of one state at a time inside a phase (a dose). */
typedef struct {
    double t;              /* d from the phase's start, 0 <= t < duration   */
    size_t state;          /* index into y                                  */
    double amount;         /* added to y[state]                             */
} calcify_event;

typedef struct {
    double duration;       /* > 0 */
    const double *input;   /* the phase's inputs, read during the phase */
    const calcify_event *events; /* sorted by t; NULL if none           */
    size_t n_events;
} calcify_phase;

/* Where and why a run failed. */
typedef struct {
    size_t phase;          /* index of the phase that failed                */
    double t;              /* last time reached with a good state           */
    int gsl_status;        /* GSL error code                                */
} calcify_failure;

/* Called for each output row; a non-zero return stops the run with
 * CALCIFY_EIO (the callback reports its own error). */
typedef int (*calcify_emit_fn)(void *user, double t, size_t phase,
                               const double y[], const double u[]);

typedef struct calcify_solver calcify_solver;

/* Names of the GSL steppers, comma-separated ("rk2, rk4, …"). */
const char *calcify_stepper_list(void);

/* 1 if `method` names a stepper, else 0. */
int calcify_stepper_known(const char *method);

/* 1 if the stepper needs the Jacobian. */
int calcify_stepper_needs_jacobian(const char *method);

/* A solver for `sys` (which must outlive it).  NULL if the method is unknown,
 * a Jacobian is needed but sys->jac is NULL, tolerances are not positive, or
 * memory runs out. */
calcify_solver *calcify_solver_alloc(const calcify_system *sys,
                                     const char *method, double rtol,
                                     double atol);

/* NULL-safe. */
void calcify_solver_free(calcify_solver *s);

/* Integrate through `phases` from y (length sys->dim, overwritten with the
 * final state), calling emit per the grid rule above.  On a GSL failure
 * returns CALCIFY_ESOLVER, fills *fail (if not NULL), leaves y at the last
 * good state and emits no row past it. */
calcify_status calcify_solver_run(calcify_solver *s, const calcify_phase *phases,
                                  size_t n_phases, double y[], double dt,
                                  calcify_emit_fn emit, void *user,
                                  calcify_failure *fail);

/* The same for phases [first_phase, stop_phase) only: y is the state at
 * the start of first_phase, the grid continues where it would have, and the
 * end row is written only if stop_phase == n_phases. */
calcify_status calcify_solver_run_from(calcify_solver *s, const calcify_phase *phases,
                                       size_t n_phases, size_t first_phase,
                                       size_t stop_phase, double y[], double dt,
                                       calcify_emit_fn emit, void *user,
                                       calcify_failure *fail);

/* Called after every accepted step, [t0, t1] of phase `phase` with its
 * inputs u, and once for each stretch of a phase that stays at an
 * equilibrium (no steps: the state is constant there); together they cover
 * the run without gap or overlap.  `fresh` is 1 if the state at t0 is not
 * where the previous stretch ended (a segment's start: the run's start, a
 * phase start, a dose).  Inside the call, calcify_solver_state_at gives the
 * state anywhere in [t0, t1] to the accuracy of the rows (see below).  A
 * non-zero return stops the run with CALCIFY_EIO.  The steps taken are the
 * same with and without it. */
typedef int (*calcify_step_fn)(void *user, double t0, double t1, size_t phase,
                               const double u[], int fresh);
/* NULL (the default): no call, no cost. */
void calcify_solver_set_step_fn(calcify_solver *s, calcify_step_fn fn, void *user);
/* The state at t in [t0, t1] of the stretch being reported (only from
 * inside a calcify_step_fn). */
void calcify_solver_state_at(const calcify_solver *s, double t, double out[]);
/* The same for the states whose bits are set in `states` (bit i: out[i]),
 * each to the bit what calcify_solver_state_at gives it; the other entries
 * are left as they are or set, as it is cheaper.  Observing a few
 * observables inside a step interpolates only the states they read. */
void calcify_solver_state_at_some(const calcify_solver *s, double t, uint32_t states,
                                  double out[]);

/* Output rows are interpolated between the stepper's own steps: cubic
 * Hermite behind an explicit pair, the polynomial through the last (up to
 * six) accepted states behind a stepper that iterates (msbdf, implicit
 * RK), each with its error estimated and held below the tolerance; behind
 * Rodas4 its own dense output of order 3, behind bdf (and auto once stiff)
 * its Nordsieck polynomial, of the step's order.  With `on`
 * != 0 steps are shortened to land on every row instead (for references
 * and comparisons). */
void calcify_solver_land_on_grid(calcify_solver *s, int on);

/* auto: how many phases were handed from the explicit pair to the stiff
 * stepper (bdf; Rodas4 under auto-rodas4). */
unsigned long calcify_solver_switches(const calcify_solver *s);

/* Rows behind an iterating stepper that interpolation could not vouch for
 * (too few accepted states yet, or its error estimate above the tolerance)
 * and that were integrated to from the step's start instead. */
unsigned long calcify_solver_row_fills(const calcify_solver *s);

/* With `on`, a run with dt > 0 also writes a row at the start of every phase
 * that is not on the grid (holding the new phase's inputs), so that values
 * at phase boundaries are exact; off by default. */
void calcify_solver_set_boundary_rows(calcify_solver *s, int on);

/* The next calcify_solver_run_from goes on with the steps of the run
 * before it, where that run ended (same t), instead of restarting them
 * (step size, and bdf's order and history): for a phase whose equations
 * are the previous phase's (the same inputs and parameters, no doses), so
 * that its start is no discontinuity.  One run only; a run from any other
 * time restarts as usual. */
void calcify_solver_continue_next(calcify_solver *s);

/* Right-hand side and Jacobian evaluations and accepted steps since the solver was allocated
 * (or the counters last reset). */
unsigned long calcify_solver_rhs_evals(const calcify_solver *s);
unsigned long calcify_solver_jac_evals(const calcify_solver *s);
unsigned long calcify_solver_steps(const calcify_solver *s);
void calcify_solver_reset_counters(calcify_solver *s);

#ifdef __cplusplus
}
#endif
#endif
