/* calcify/runner.h — the one scenario runner: a run of a scenario read
 * through a probe (calcify/probe.h).
 *
 * A run sets the growth table (the scenario's, or the caller's in place of
 * it and of the arms' own), solves the baseline steady state, then runs each
 * probe arm from it and reads it.  Every command that simulates a scenario
 * and reads values (run --summary, sweep, validate, fit, sensitivity, gsa,
 * population) runs it here, so each gets the same numbers for the same
 * question.  Parameters are whatever the simulator holds
 * (calcify_sim_set_params); a parameter that the growth table decides is
 * refused where it is set (calcify_scenario_check_settable).
 */
#ifndef CALCIFY_RUNNER_H
#define CALCIFY_RUNNER_H

#include <stddef.h>

#include "calcify/probe.h"
#include "calcify/scenario.h"
#include "calcify/simulate.h"
#include "calcify/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Outcome of a run, or of an arm of it. */
typedef enum {
    CALCIFY_RUN_OK,
    CALCIFY_RUN_NO_STEADY_STATE,
    CALCIFY_RUN_SOLVER_FAILED,
    CALCIFY_RUN_NOT_RUN,         /* outside a shard, or stopped early */
    CALCIFY_RUN_INVALID_INPUT    /* a varied value the scenario refuses */
} calcify_run_status;

/* "ok", "no_steady_state", "solver_failed", "not_run", "invalid_input". */
const char *calcify_run_status_name(calcify_run_status s);

/* The library status of a failed outcome: CALCIFY_ESTEADY for no steady
 * state, CALCIFY_ESOLVER otherwise (CALCIFY_OK for CALCIFY_RUN_OK). */
calcify_status calcify_run_status_code(calcify_run_status s);

/* What an arm cost the solver. */
typedef struct {
    unsigned long steps, rhs_evals;
} calcify_run_cost;

/* Run probe arm a from the baseline state y0 and store its values in v (a
 * run's vector; NAN where nothing was read, and in all of the arm's values
 * on failure).  `growth_override`: the arm runs without its own table (the
 * simulator's is the run's).  cost may be NULL.  Returns the arm's status,
 * err filled on failure. */
calcify_status calcify_runner_arm(calcify_sim *sim, const calcify_probe *p, size_t a,
                                  const double y0[], int growth_override, double *v,
                                  calcify_run_cost *cost, calcify_error *err);

/* One run of sc: the growth table `growth` (NULL: the scenario's and each
 * arm's own), the baseline, then every probe arm (only probe arm `only`
 * when only >= 0).  v[p->n_out] gets the values (NAN where not read);
 * arm_status[p->n_arms] and cost[p->n_arms] (both may be NULL) each arm's
 * outcome and cost.  Returns the run's outcome (no steady state, else the
 * first arm's failure); err holds its message. */
calcify_run_status calcify_runner_run(calcify_sim *sim, const calcify_scenario *sc,
                                      const calcify_probe *p,
                                      const calcify_growth *growth, long only, double *v,
                                      unsigned char *arm_status, calcify_run_cost *cost,
                                      calcify_error *err);

#ifdef __cplusplus
}
#endif
#endif
