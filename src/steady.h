/* steady.h — steady state of the model under a constant diet (internal). */
#ifndef CALCIFY_STEADY_H
#define CALCIFY_STEADY_H

#include "calcify/model.h"
#include "calcify/solver.h"
#include "calcify/status.h"

/* Relative rate below which a state counts as steady, per day. */
#define CALCIFY_STEADY_TOL 1e-10

/* The steady state of m under diet u on the clean (uncalcified) branch,
 * into y.  First damped Newton from calcify_model_steady_guess, accepted if
 * it converges to a non-negative, linearly stable point; otherwise the slow
 * and sure path: fill the vitamin K pools for a year with mineral deposition
 * held off, integrate with `solver` (whose system must be m's) in 5-year
 * rounds and polish each with Newton.  CALCIFY_ESTEADY on failure. */
calcify_status calcify_steady_state(calcify_model *m, calcify_solver *solver,
                                    const double u[CALCIFY_NINPUT],
                                    double y[CALCIFY_NSTATE], calcify_error *err);

/* Only the slow and sure path (for tests that check the fast one). */
calcify_status calcify_steady_state_by_integration(calcify_model *m,
                                                   calcify_solver *solver,
                                                   const double u[CALCIFY_NINPUT],
                                                   double y[CALCIFY_NSTATE],
                                                   calcify_error *err);

#endif
