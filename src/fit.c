/* fit.c — weighted least-squares calibration on gsl_multifit_nlinear. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit_nlinear.h>

#include "calcify/fit.h"
#include "calcify/simulate.h"

/* Solver tolerance during a fit: finite-difference derivatives of simulated
 * values need the simulation far more accurate than the FD step. */
static const double FIT_RTOL = 1e-9, FIT_ATOL = 1e-12;
/* Relative FD step in log-parameters. */
static const double FD_STEP = 1e-5;
/* Residual given to a parameter set whose simulation fails, so that the
 * trust region rejects the step instead of aborting the fit. */
static const double FAILED_RESIDUAL = 1e3;

typedef struct {
    calcify_scenario *sc;
    const calcify_targets *tg;
    const int *free;
    size_t n_free;
    size_t n_resid;
    size_t *idx;          /* residual -> target                     */
    double *weight;       /* w_i / σ_i                              */
    double *simulated;    /* per target                             */
    calcify_sim *sim;
    calcify_fit_progress progress;
    void *user;
    calcify_error *err;
    int failed;           /* the start point could not be simulated */
} fit_ctx;

/* Weighted residuals of the values in c->simulated. */
static void fill_residuals(const fit_ctx *c, gsl_vector *f)
{
    for (size_t i = 0; i < c->n_resid; i++) {
        const calcify_target *t = &c->tg->items[c->idx[i]];
        double r = (c->simulated[c->idx[i]] - t->target) * c->weight[i];
        gsl_vector_set(f, i, isfinite(r) ? r : FAILED_RESIDUAL);
    }
}

static int residuals(const gsl_vector *x, void *data, gsl_vector *f)
{
    fit_ctx *c = data;
    for (size_t j = 0; j < c->n_free; j++)
        c->sc->params.value[c->free[j]] = exp(gsl_vector_get(x, j));
    calcify_sim_set_params(c->sim, &c->sc->params);
    calcify_error err;
    if (calcify_targets_simulate(c->sim, c->sc, c->tg, c->simulated, &err)) {
        for (size_t i = 0; i < c->n_resid; i++)
            gsl_vector_set(f, i, FAILED_RESIDUAL);
        return GSL_SUCCESS;
    }
    fill_residuals(c, f);
    return GSL_SUCCESS;
}

static void on_iteration(const size_t iter, void *data,
                         const gsl_multifit_nlinear_workspace *w)
{
    fit_ctx *c = data;
    if (!c->progress)
        return;
    double chisq;
    gsl_blas_ddot(w->f, w->f, &chisq);
    c->progress(c->user, iter, chisq);
}

void calcify_fit_result_free(calcify_fit_result *r)
{
    if (!r)
        return;
    free(r->free);
    free(r->estimate);
    free(r->se);
    free(r->corr);
    free(r->resid_target);
    free(r->resid);
    memset(r, 0, sizeof *r);
}

calcify_status calcify_fit(calcify_scenario *sc, const calcify_targets *tg,
                           const int *free_idx, size_t n_free,
                           calcify_fit_result *res,
                           calcify_fit_progress progress, void *user,
                           calcify_error *err)
{
    memset(res, 0, sizeof *res);
    fit_ctx c = {.sc = sc, .tg = tg, .free = free_idx, .n_free = n_free,
                 .progress = progress, .user = user, .err = err};
    c.idx = calloc(tg->n, sizeof *c.idx);
    c.weight = calloc(tg->n, sizeof *c.weight);
    c.simulated = calloc(tg->n, sizeof *c.simulated);
    calcify_status st = CALCIFY_OK;
    if (!c.idx || !c.weight || !c.simulated)
        st = calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    for (size_t i = 0; !st && i < tg->n; i++) {
        const calcify_target *t = &tg->items[i];
        double sigma = calcify_target_sigma(t);
        if (!isfinite(t->target) || !isfinite(sigma))
            continue;
        size_t copies = 0;
        for (size_t k = 0; k < tg->n; k++)
            copies += tg->items[k].row == t->row && tg->items[k].file == t->file;
        c.idx[c.n_resid] = i;
        c.weight[c.n_resid] = 1.0 / sigma / sqrt((double)copies);
        c.n_resid++;
    }
    for (size_t j = 0; !st && j < n_free; j++)
        if (!(sc->params.value[free_idx[j]] > 0))
            st = calcify_fail(err, CALCIFY_EFIT, "cannot fit '%s': its start "
                              "value is %g (expected > 0; fitted on a log scale)",
                              calcify_param_defs[free_idx[j]].name,
                              sc->params.value[free_idx[j]]);
    if (!st && (n_free == 0 || c.n_resid < n_free))
        st = calcify_fail(err, CALCIFY_EFIT, "%zu free parameters but %zu targets "
                          "with a value and an sd or a closed range (expected at least as "
                          "many targets as free parameters)", n_free, c.n_resid);
    if (!st && !(c.sim = calcify_sim_alloc(&sc->params, sc->method, FIT_RTOL,
                                           FIT_ATOL, err)))
        st = CALCIFY_EFIT;

    gsl_multifit_nlinear_workspace *w = NULL;
    gsl_vector *x0 = NULL;
    gsl_matrix *cov = NULL;
    if (!st) {
        gsl_vector *f0 = gsl_vector_alloc(c.n_resid);
        x0 = gsl_vector_alloc(n_free);
        for (size_t j = 0; j < n_free; j++)
            gsl_vector_set(x0, j, log(sc->params.value[free_idx[j]]));
        /* the start point must simulate: say why if it does not */
        st = calcify_targets_simulate(c.sim, sc, tg, c.simulated, err);
        if (!st) {
            fill_residuals(&c, f0);
            gsl_blas_ddot(f0, f0, &res->chisq0);
        }
        gsl_vector_free(f0);
    }
    if (!st) {
        gsl_multifit_nlinear_fdf fdf = {.f = residuals, .df = NULL, .fvv = NULL,
                                        .n = c.n_resid, .p = n_free, .params = &c};
        gsl_multifit_nlinear_parameters fp = gsl_multifit_nlinear_default_parameters();
        fp.h_df = FD_STEP;
        w = gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &fp, c.n_resid, n_free);
        cov = gsl_matrix_alloc(n_free, n_free);
        if (!w || !cov)
            st = calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
        int info = 0;
        int rc = st ? GSL_SUCCESS : gsl_multifit_nlinear_init(x0, &fdf, w);
        if (!st && rc == GSL_SUCCESS)
            rc = gsl_multifit_nlinear_driver(200, 1e-8, 1e-8, 1e-10, on_iteration,
                                             &c, &info, w);
        if (!st && rc != GSL_SUCCESS)
            st = calcify_fail(err, CALCIFY_EFIT, "least squares did not converge: "
                              "%s", gsl_strerror(rc));
        if (!st) {
            /* evaluate at the optimum so sc->params and residuals match it */
            gsl_vector *x = gsl_multifit_nlinear_position(w);
            gsl_vector *f = gsl_multifit_nlinear_residual(w);
            residuals(x, &c, f);
            gsl_matrix *J = gsl_multifit_nlinear_jac(w);
            gsl_multifit_nlinear_covar(J, 0.0, cov);
            res->n_free = n_free;
            res->free = malloc(n_free * sizeof *res->free);
            res->estimate = malloc(n_free * sizeof *res->estimate);
            res->se = malloc(n_free * sizeof *res->se);
            res->corr = malloc(n_free * n_free * sizeof *res->corr);
            res->resid_target = malloc(c.n_resid * sizeof *res->resid_target);
            res->resid = malloc(c.n_resid * sizeof *res->resid);
            if (!res->free || !res->estimate || !res->se || !res->corr ||
                !res->resid_target || !res->resid)
                st = calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
            for (size_t j = 0; !st && j < n_free; j++) {
                double v = exp(gsl_vector_get(x, j));
                res->free[j] = free_idx[j];
                res->estimate[j] = v;
                res->se[j] = v * sqrt(gsl_matrix_get(cov, j, j));
                for (size_t k = 0; k < n_free; k++)
                    res->corr[j * n_free + k] =
                        gsl_matrix_get(cov, j, k) /
                        sqrt(gsl_matrix_get(cov, j, j) * gsl_matrix_get(cov, k, k));
            }
            for (size_t i = 0; !st && i < c.n_resid; i++) {
                res->resid_target[i] = c.idx[i];
                res->resid[i] = gsl_vector_get(f, i);
            }
            gsl_blas_ddot(f, f, &res->chisq);
            res->n_resid = c.n_resid;
            res->iterations = gsl_multifit_nlinear_niter(w);
            res->dof = (int)c.n_resid - (int)n_free;
        }
    }
    gsl_multifit_nlinear_free(w);
    gsl_vector_free(x0);
    gsl_matrix_free(cov);
    calcify_sim_free(c.sim);
    free(c.idx);
    free(c.weight);
    free(c.simulated);
    if (st)
        calcify_fit_result_free(res);
    return st;
}
