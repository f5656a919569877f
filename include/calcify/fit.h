/* calcify/fit.h — calibration: free parameters estimated from targets by
 * weighted nonlinear least squares (GSL gsl_multifit_nlinear, trust-region
 * Levenberg–Marquardt).
 *
 * Residual of target i: w_i · (simulated_i − target_i) / σ_i with σ_i the
 * standard error of the mean when the row gives sd (and n), else
 * (accept_hi − accept_lo) / 4 (the accepted range read as ±2σ)
 * (calcify_target_sigma), and w_i = 1/√(number of arms the data row was
 * applied to), so a row that stands for several arms weighs as one row.
 * Rows without a target value, or with neither sd nor a closed range, are
 * checked by validate but not fitted.
 * Each parameter stays in its admissible range [lo, hi] (calcify_modeldef.params):
 * it is estimated as x = ln((p − lo)/(hi − p)), p = lo + (hi − lo)/(1 + e^−x),
 * which is the log scale for lo = 0 and p far below hi.  An estimate within
 * 1e-6·(hi − lo) of a bound is reported at that bound (at_bound), held
 * there, and has no standard error.  Standard errors and correlations of the
 * others come from the Jacobian at the optimum: cov = (JᵀJ)⁻¹ in x, carried
 * to p by dp/dx; `se` is √diag of it (right when the data's σ are), and
 * `se_scaled` is se·s with s² = Σr²/(n − p), the residual variance (right
 * when the σ are off by a common factor), n the data rows fitted (a row
 * applied to several arms weighs, and counts, as one).
 */
#ifndef CALCIFY_FIT_H
#define CALCIFY_FIT_H

#include <stddef.h>

#include "calcify/scenario.h"
#include "calcify/targets.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    size_t n_free;
    int *free;            /* parameter indices                          */
    double *estimate;     /* model units                                */
    double *se;           /* standard error √diag((JᵀJ)⁻¹), model units;
                             NAN at a bound                             */
    double *se_scaled;    /* se · √s2; NAN at a bound or without dof    */
    int *at_bound;        /* −1 at the lower bound, +1 the upper, else 0 */
    double *corr;         /* n_free × n_free correlation matrix (NAN for
                             a parameter at a bound)                    */
    size_t n_resid;       /* targets used                               */
    size_t *resid_target; /* index into the targets of each residual    */
    double *resid;        /* weighted residuals at the optimum          */
    double *simulated;    /* simulated value of each residual's target  */
    double chisq, chisq0; /* Σ r² at the optimum and at the start       */
    double s2;            /* chisq / dof; NAN when dof <= 0              */
    size_t iterations;
    size_t n_rows;        /* data rows behind the residuals (a row
                             applied to several arms counts once)       */
    int dof;              /* n_rows − n_free                            */
} calcify_fit_result;

/* Called after each iteration (may be NULL). */
typedef void (*calcify_fit_progress)(void *user, size_t iter, double chisq);

/* Fit parameters `free` (n_free indices) of sc->params to tg; on success
 * sc->params holds the estimates.  CALCIFY_EFIT if fewer usable targets
 * than free parameters, a start value on a bound of its range, or GSL
 * fails; CALCIFY_ESOLVER if a simulation fails at the start point. */
calcify_status calcify_fit(calcify_scenario *sc, const calcify_targets *tg,
                           const int *free, size_t n_free,
                           calcify_fit_result *res,
                           calcify_fit_progress progress, void *user,
                           calcify_error *err);

void calcify_fit_result_free(calcify_fit_result *res);

/* The weighted sum of squares Σr² of the fitted rows of tg at sc's current
 * parameters (the quantity calcify_fit minimises). */
calcify_status calcify_fit_chisq(calcify_scenario *sc, const calcify_targets *tg,
                                 double *chisq, calcify_error *err);

/* Profile likelihood of free parameter j of a fit: the parameter is held at
 * values stepped out from its estimate on the fit's scale x (src/analysis/fit.c),
 * both ways, the other free parameters refitted at each, until Σr² has
 * risen by more than `delta` (3.84: χ² with one degree of freedom, a 95%
 * interval when the data's σ are right) or the range ends.  lo and hi
 * interpolate where the rise crosses delta; lo_open/hi_open say the profile
 * never rose that far on that side (the interval is open there). */
typedef struct {
    int param;
    double estimate, chisq_min, delta;
    double lo, hi;
    int lo_open, hi_open;
    size_t n;              /* points of the profile, in increasing value */
    double *value, *chisq;
} calcify_fit_profile;

/* sc->params must hold the optimum `fit` (as calcify_fit leaves them); they
 * are restored on return. */
calcify_status calcify_fit_profile_run(calcify_scenario *sc, const calcify_targets *tg,
                                       const calcify_fit_result *fit, size_t j, double delta,
                                       calcify_fit_profile *prof, calcify_error *err);
void calcify_fit_profile_free(calcify_fit_profile *prof);

/* Multi-start: n_starts fits from starts drawn (seeded, uniform on the
 * fit's scale) within ±spread of the current values' x, clipped to the
 * ranges.  start/estimate are n_starts × n_free (row-major); status is each
 * fit's; best is the start with the least Σr²; n_same counts the fits whose
 * estimates all lie within `same_rel` (relative) of the best's.  sc->params
 * are left at the best estimate. */
typedef struct {
    size_t n_starts, n_free, best, n_same;
    double *start, *estimate, *chisq;
    int *status;
} calcify_fit_starts;

calcify_status calcify_fit_multistart(calcify_scenario *sc, const calcify_targets *tg,
                                      const int *free, size_t n_free, size_t n_starts,
                                      double spread, unsigned long seed, double same_rel,
                                      calcify_fit_starts *out, calcify_error *err);
void calcify_fit_starts_free(calcify_fit_starts *s);

#ifdef __cplusplus
}
#endif
#endif
