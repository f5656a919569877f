/* cvode_run.h — a calcify scenario integrated by SUNDIALS CVODE, doing the
 * same work as calcify's own path; for bench_cvode.c only (a by-hand
 * comparison, see README.md next to this file).
 *
 * Same equations: CVODE's right-hand side is calcify_model_rhs and its dense
 * Jacobian calcify_model_jac, on a copy of the model the baseline was solved
 * with (so the relative observables share calcify's reference).
 * Same work as calcify_sim_run_scenario after its baseline: a phase whose
 * start state is an equilibrium for it is not integrated (the control arm);
 * a phase prefix an arm shares with an earlier arm (the common W&K phase) is
 * integrated once and its rows replayed; every other phase is integrated on
 * its own, CVodeReInit at its start and CVODE's stop time at its end, with
 * rows at k·dt by CVODE's own interpolation (CV_NORMAL) and one row at the
 * arm's end, following calcify's grid rule (calcify/solver.h).
 */
#ifndef BENCH_CVODE_RUN_H
#define BENCH_CVODE_RUN_H

#include <stddef.h>

#include "calcify/model.h"
#include "calcify/scenario.h"

typedef struct cvode_run cvode_run;

/* Work done since cvode_run_alloc or the last cvode_run_reset_counts. */
typedef struct {
    unsigned long rhs;     /* right-hand side evaluations (CVODE's and the
                              equilibrium tests')                          */
    unsigned long jac;     /* Jacobian evaluations                         */
    unsigned long steps;   /* accepted steps                               */
    unsigned long setups;  /* Newton matrix set-ups (LU factorisations)    */
} cvode_run_counts;

/* What in sc this harness does not model ("doses", "a growth table", …);
 * NULL if it models all of it. */
const char *cvode_run_unsupported(const calcify_scenario *sc);

/* A CVODE BDF solver with dense LU for the diet-only scenario sc (which
 * must outlive it), model m (copied) and baseline state y0, at tolerances
 * rtol (scalar) and atol (every state).  NULL, with the reason on stderr,
 * if sc has doses, parameter `set`s or a growth table (not modelled here),
 * or if CVODE cannot be set up. */
cvode_run *cvode_run_alloc(const calcify_scenario *sc, const calcify_model *m,
                           const double y0[CALCIFY_NSTATE], double rtol, double atol);

/* NULL-safe. */
void cvode_run_free(cvode_run *c);

/* Every arm of the scenario from y0.  With obs non-NULL, also fills the
 * observables of every row: obs[(cvode_run_arm_row(c, a) + r) * CALCIFY_NOBS
 * + k] for row r of arm a.  Returns 0, or CVODE's (negative) flag after
 * reporting arm, phase and time on stderr. */
int cvode_run_scenario(cvode_run *c, double *obs);

/* Total rows over all arms, and the first row of arm a. */
size_t cvode_run_rows(const cvode_run *c);
size_t cvode_run_arm_row(const cvode_run *c, size_t arm);

cvode_run_counts cvode_run_get_counts(const cvode_run *c);
void cvode_run_reset_counts(cvode_run *c);

#endif
