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
 * Parameters are estimated on a log scale (they are positive); standard
 * errors and correlations come from the Jacobian at the optimum,
 * cov = (JᵀJ)⁻¹ in log-parameters, SE(p) ≈ p · SE(log p).
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
    double *se;           /* standard error, model units                */
    double *corr;         /* n_free × n_free correlation matrix         */
    size_t n_resid;       /* targets used                               */
    size_t *resid_target; /* index into the targets of each residual    */
    double *resid;        /* weighted residuals at the optimum          */
    double chisq, chisq0; /* Σ r² at the optimum and at the start       */
    size_t iterations;
    int dof;              /* n_resid − n_free                           */
} calcify_fit_result;

/* Called after each iteration (may be NULL). */
typedef void (*calcify_fit_progress)(void *user, size_t iter, double chisq);

/* Fit parameters `free` (n_free indices) of sc->params to tg; on success
 * sc->params holds the estimates.  CALCIFY_EFIT if fewer usable targets
 * than free parameters or GSL fails; CALCIFY_ESOLVER if a simulation fails
 * at the start point. */
calcify_status calcify_fit(calcify_scenario *sc, const calcify_targets *tg,
                           const int *free, size_t n_free,
                           calcify_fit_result *res,
                           calcify_fit_progress progress, void *user,
                           calcify_error *err);

void calcify_fit_result_free(calcify_fit_result *res);

#ifdef __cplusplus
}
#endif
#endif
