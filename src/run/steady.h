/* steady.h — steady state of the model under a constant diet (internal). */
#ifndef CALCIFY_STEADY_H
#define CALCIFY_STEADY_H

#include "calcify/modeldef.h"
#include "calcify/simulate.h"
#include "calcify/solver.h"
#include "calcify/status.h"

/* Relative rate below which a state counts as steady, per day ... */
#define CALCIFY_STEADY_TOL 1e-10
/* ... provided a Newton step from it moves no state by more than this,
 * relative (max(|y_i|, 1e-6)). */
#define CALCIFY_STEADY_STEP 1e-6

/* A steady state counts as stable when every eigenvalue of the Jacobian has
 * a real part below this, per day (a time constant under 2,700 years). */
#define CALCIFY_STEADY_SLOWEST (-1e-6)

/* Two steady states count as one when every state agrees to this relative
 * tolerance (or 1e-9 absolute). */
#define CALCIFY_STEADY_SAME 1e-6

/* The steady state of m under diet u, into y, and what was checked, into
 * `check` (may be NULL).  Solved twice, from the clean corner and from the
 * diseased one (the descriptor's steady_guess): each by damped projected
 * Newton, or if Newton fails (or creeps) by pseudo-transient continuation
 * finished by Newton, or if that fails too by integrating in 5-year rounds
 * (up to 50 years) polished by Newton.  CALCIFY_ESTEADY if either start finds no
 * steady state, if the two differ (more than one steady state) unless
 * `allow_multiple`, in which case the clean one is returned, or if the
 * Jacobian there has an eigenvalue with a real part above
 * CALCIFY_STEADY_SLOWEST. */
calcify_status calcify_steady_state(const calcify_modeldef *md, const void *m,
                                    calcify_solver *solver, const double u[],
                                    int allow_multiple, double y[],
                                    calcify_steady_check *check, calcify_error *err);

/* Only the slow and sure path from `y` as given (for tests that check the
 * fast one).  0 on success. */
calcify_status calcify_steady_state_by_integration(const calcify_modeldef *md,
                                                   const void *m, calcify_solver *solver,
                                                   const double u[], double y[],
                                                   calcify_error *err);

/* Largest real part of the eigenvalues of the row-major n×n J, from
 * the diagonal blocks of its block-triangular form (its strongly connected
 * components); and the same from the whole matrix (GSL's dense
 * eigensolver, for tests).  NaN if the eigensolver fails. */
double calcify_steady_max_eigen_real(const double J[], size_t n);
double calcify_steady_max_eigen_real_dense(const double J[], size_t n);

#endif
