/* calcify/simulate.h — the model run through a scenario: the baseline steady
 * state, then arm by arm, phase by phase, row by row.
 *
 * A calcify_sim owns one model, one GSL driver and its workspace; it is not
 * shared between threads (give each thread its own).
 */
#ifndef CALCIFY_SIMULATE_H
#define CALCIFY_SIMULATE_H

#include "calcify/modeldef.h"
#include "calcify/params.h"
#include "calcify/scenario.h"
#include "calcify/solver.h"
#include "calcify/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct calcify_sim calcify_sim;

/* What calcify_sim_baseline checked about its steady state. */
typedef struct {
    int newton_clean;       /* Newton converged from the clean corner        */
    int newton_diseased;    /* ... and from the diseased corner              */
    int unique;             /* both starts reached the same state            */
    int stable;             /* every Jacobian eigenvalue has real part < 0   */
    double distance;        /* largest relative difference of the two        */
    double max_eigen_real;  /* largest eigenvalue real part, 1/d             */
    double mineral_clean;   /* what the model reports of each start (its
                               descriptor's summary_*: for the shipped model
                               aortic mineral, ug/mg)                        */
    double mineral_other;
} calcify_steady_check;

/* Called per output row with the observables: the model's n_obs built-ins
 * (its obs_names order), then the scenario's own (arm->obs; their
 * count is calcify_obs_count(arm->obs)); non-zero stops the run (as
 * CALCIFY_EIO). */
typedef int (*calcify_row_fn)(void *user, const calcify_arm *arm, double t,
                              size_t phase, const double y[],
                              const double obs[]);

/* A simulator for parameter set `ps` (copied) of the model
 * calcify_paramset_model(ps), with a GSL stepper and tolerances.  NULL with
 * err filled if the method is unknown, the model's descriptor exceeds the
 * CALCIFY_MAX_* bounds, or memory runs out.  Later parameter sets must be
 * of the same model. */
calcify_sim *calcify_sim_alloc(const calcify_paramset *ps, const char *method,
                               double rtol, double atol, calcify_error *err);

/* NULL-safe. */
void calcify_sim_free(calcify_sim *sim);

/* Replace the parameter values (the reference is reset until the next
 * calcify_sim_baseline).  Values equal to the current ones change nothing,
 * so that runs of a sweep over scenario variables share the baseline. */
void calcify_sim_set_params(calcify_sim *sim, const calcify_paramset *ps);

/* Steady state of the model under the constant diet `diet` (n_diet
 * values; y gets n_state), solved from a
 * clean and from a diseased start (Newton's method on the analytic Jacobian
 * until every |dy_i/dt| <= 1e-10·max(|y_i|, 1e-6) per day, integration for
 * up to 50 years where Newton fails).  Sets the reference of the relative
 * observables to it.  CALCIFY_ESTEADY if a start finds none, if it is
 * unstable, or if the two starts disagree (more than one steady state)
 * unless calcify_sim_allow_multiple_steady(sim, 1) was called; then the
 * clean one is used.  The same parameters and inputs as the last successful
 * call return its answer without solving again. */
calcify_status calcify_sim_baseline(calcify_sim *sim,
                                    const double diet[], double y[],
                                    calcify_error *err);

/* Run one arm from y0 with output step dt (see calcify/solver.h for the grid
 * rule).  Each phase is integrated with the parameters of the simulator
 * overlaid with the phase's `set` values (the arm's `set` is folded into
 * its phases); relative observables keep the baseline's reference.  A solver
 * failure names arm, phase, time and GSL's reason. */
calcify_status calcify_sim_run_arm(calcify_sim *sim, const calcify_arm *arm,
                                   const double y0[], double dt,
                                   calcify_row_fn row, void *user,
                                   calcify_error *err);

/* Baseline, then every arm of sc (or only those with a non-zero entry in
 * `selected`, indexed like sc->arms; NULL = all). */
calcify_status calcify_sim_run_scenario(calcify_sim *sim,
                                        const calcify_scenario *sc,
                                        const unsigned char *selected,
                                        double dt, calcify_row_fn row,
                                        void *user, calcify_error *err);

/* Body weight and food intake over time for the runs that follow (the
 * scenario's growth table, or NULL for the parameters' constant values);
 * must outlive them.  calcify_sim_run_scenario sets it itself. */
void calcify_sim_set_growth(calcify_sim *sim, const calcify_growth *growth);

/* Forget the last baseline, so that the next calcify_sim_baseline solves
 * again (benchmarks time the solve with it). */
void calcify_sim_forget_baseline(calcify_sim *sim);

/* Accept a baseline diet with more than one steady state (default: refuse). */
void calcify_sim_allow_multiple_steady(calcify_sim *sim, int allow);

/* What the last calcify_sim_baseline checked (zeros before the first). */
const calcify_steady_check *calcify_sim_steady_check(const calcify_sim *sim);

/* Also write a row at every phase start off the output grid (endpoints
 * need exact values there); off by default. */
void calcify_sim_set_boundary_rows(calcify_sim *sim, int on);

/* Which rows the row callback wants (given its `user` and the row's time):
 * with a filter set, a row it refuses is neither observed nor passed on;
 * the integration is the same.  NULL (the default): every row. */
typedef int (*calcify_row_wanted_fn)(void *user, double t);
void calcify_sim_set_row_filter(calcify_sim *sim, calcify_row_wanted_fn wanted);

/* Metrics from the solver's own steps: with a step callback set, every
 * calcify_sim_run_arm calls it (with the row callback's `user`) for each
 * stretch the solver covers — each accepted step, each stretch at an
 * equilibrium — from t0 to t1, `fresh` when the state jumped at t0 (the
 * arm's start, a dose); inside the call calcify_sim_step_observe gives the
 * observables (as rows get them) anywhere in [t0, t1], from the solver's
 * interpolant of the step (calcify_solver_state_at).  Non-zero stops the
 * run (CALCIFY_EIO).  The integration is the same.  The callback keeps
 * its summary of the steps so far in carry[n_carry] (the caller's): an arm
 * that starts with phases another arm has run (integrated once, replayed)
 * gets the summary at their end restored there instead of their steps.
 * NULL (the default): no call. */
typedef struct calcify_sim_step calcify_sim_step;
typedef int (*calcify_step_obs_fn)(void *user, const calcify_sim_step *st, double t0,
                                   double t1, int fresh);
void calcify_sim_set_step_fn(calcify_sim *sim, calcify_step_obs_fn fn, double *carry,
                             size_t n_carry);
/* The observables at t inside the step (CALCIFY_MAX_OBS doubles, built-ins
 * then, with `own`, the scenario's own); non-zero if the scenario's own
 * fail. */
int calcify_sim_step_observe(const calcify_sim_step *st, double t, int own, double obs[]);
/* The same for the observables which[0..n) only (built-in or the scenario's
 * own): obs[which[k]] as calcify_sim_step_observe gives it; other entries
 * may be left unset.  A model with observe_some reads just those — what
 * makes summary metrics cheap. */
int calcify_sim_step_observe_some(const calcify_sim_step *st, double t, const int which[],
                                  size_t n, double obs[]);

/* The model's instance (for the shipped model a calcify_model), its
 * descriptor, and the parameter values it holds now (n_param). */
const void *calcify_sim_model(const calcify_sim *sim);
const calcify_modeldef *calcify_sim_modeldef(const calcify_sim *sim);
const double *calcify_sim_params(const calcify_sim *sim);
calcify_solver *calcify_sim_solver(calcify_sim *sim);

#ifdef __cplusplus
}
#endif
#endif
