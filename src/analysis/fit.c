/* fit.c — weighted least-squares calibration on gsl_multifit_nlinear. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit_nlinear.h>

#include "calcify/fit.h"
#include "calcify/simulate.h"
#include "analysis/fit_transform.h"

/* Parameters and columns are named as those of the model parameter files
 * are read for (calcify/params.h): the scenario's. */
#define MD (calcify_params_file_model())

/* Solver tolerance during a fit: finite-difference derivatives of simulated
 * values need the simulation far more accurate than the FD step. */
static const double FIT_RTOL = 1e-9, FIT_ATOL = 1e-12;
/* Relative FD step in the transformed parameters (GSL scales it by |x|). */
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
        c->sc->params.value[c->free[j]] =
            param_of(&MD->params[c->free[j]], gsl_vector_get(x, j));
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
    free(r->se_scaled);
    free(r->at_bound);
    free(r->simulated);
    free(r->corr);
    free(r->resid_target);
    free(r->resid);
    memset(r, 0, sizeof *r);
}

/* Data rows behind the residuals: a row applied to several arms weighs as
 * one row (w_i), so it counts as one observation in n − p. */
static size_t distinct_rows(const fit_ctx *c)
{
    size_t n = 0;
    for (size_t i = 0; i < c->n_resid; i++) {
        const calcify_target *t = &c->tg->items[c->idx[i]];
        size_t k = 0;
        while (k < i && (c->tg->items[c->idx[k]].row != t->row ||
                         c->tg->items[c->idx[k]].file != t->file))
            k++;
        n += k == i;
    }
    return n;
}

/* Covariance of the parameters inside their ranges, (JᵀJ)⁻¹ on their
 * columns of J (in x): one at a bound is not at a stationary point, so it
 * is held there and gets no standard error (NAN) or correlations. */
static calcify_status covariance(const gsl_matrix *J, const int *at_bound,
                                 gsl_matrix *cov, calcify_error *err)
{
    size_t n = J->size1, p = J->size2, m = 0;
    gsl_matrix_set_all(cov, NAN);
    for (size_t j = 0; j < p; j++)
        m += !at_bound[j];
    if (m == 0)
        return CALCIFY_OK;
    gsl_matrix *Jm = gsl_matrix_alloc(n, m), *cm = gsl_matrix_alloc(m, m);
    if (!Jm || !cm) {
        gsl_matrix_free(Jm);
        gsl_matrix_free(cm);
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    }
    for (size_t j = 0, k = 0; j < p; j++)
        if (!at_bound[j]) {
            gsl_vector_const_view col = gsl_matrix_const_column(J, j);
            gsl_matrix_set_col(Jm, k++, &col.vector);
        }
    gsl_multifit_nlinear_covar(Jm, 0.0, cm);
    for (size_t j = 0, a = 0; j < p; j++) {
        if (at_bound[j])
            continue;
        for (size_t k = 0, b = 0; k < p; k++)
            if (!at_bound[k])
                gsl_matrix_set(cov, j, k, gsl_matrix_get(cm, a, b++));
        a++;
    }
    gsl_matrix_free(Jm);
    gsl_matrix_free(cm);
    return CALCIFY_OK;
}

/* Estimates, bounds, standard errors, correlations and residuals at the
 * optimum x (residuals f, Jacobian J in x) into res; res->chisq and
 * res->dof are set. */
static calcify_status fill_result(const fit_ctx *c, const gsl_vector *x,
                                  const gsl_vector *f, const gsl_matrix *J,
                                  calcify_fit_result *res, calcify_error *err)
{
    size_t p = c->n_free, n = c->n_resid;
    res->n_free = p;
    res->free = malloc(p * sizeof *res->free);
    res->estimate = malloc(p * sizeof *res->estimate);
    res->se = malloc(p * sizeof *res->se);
    res->se_scaled = malloc(p * sizeof *res->se_scaled);
    res->at_bound = malloc(p * sizeof *res->at_bound);
    res->corr = malloc(p * p * sizeof *res->corr);
    res->resid_target = malloc(n * sizeof *res->resid_target);
    res->resid = malloc(n * sizeof *res->resid);
    res->simulated = malloc(n * sizeof *res->simulated);
    gsl_matrix *cov = gsl_matrix_alloc(p, p);
    if (!res->free || !res->estimate || !res->se || !res->se_scaled ||
        !res->at_bound || !res->corr || !res->resid_target || !res->resid ||
        !res->simulated || !cov) {
        gsl_matrix_free(cov);
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    }
    for (size_t j = 0; j < p; j++) {
        const calcify_param_def *d = &MD->params[c->free[j]];
        res->free[j] = c->free[j];
        res->estimate[j] = param_of(d, gsl_vector_get(x, j));
        res->at_bound[j] = bound_of(d, res->estimate[j]);
    }
    calcify_status st = covariance(J, res->at_bound, cov, err);
    /* s² = SS/(n − p): the residual variance, when the σ of the data may be
     * off by a common factor (NAN without degrees of freedom) */
    res->s2 = res->dof > 0 ? res->chisq / res->dof : NAN;
    for (size_t j = 0; !st && j < p; j++) {
        const calcify_param_def *d = &MD->params[c->free[j]];
        res->se[j] = fabs(dparam_dx(d, res->estimate[j])) * sqrt(gsl_matrix_get(cov, j, j));
        res->se_scaled[j] = res->se[j] * sqrt(res->s2);
        for (size_t k = 0; k < p; k++)
            res->corr[j * p + k] = gsl_matrix_get(cov, j, k) /
                                   sqrt(gsl_matrix_get(cov, j, j) * gsl_matrix_get(cov, k, k));
    }
    for (size_t i = 0; i < n; i++) {
        res->resid_target[i] = c->idx[i];
        res->resid[i] = gsl_vector_get(f, i);
        res->simulated[i] = c->simulated[c->idx[i]];
    }
    gsl_matrix_free(cov);
    return st;
}

/* The residuals of tg that are fitted (a target value and a σ), their
 * weights, and a simulator at the fit's tolerances, for the scenario's
 * current parameters. */
static calcify_status ctx_init(fit_ctx *c, calcify_scenario *sc, const calcify_targets *tg,
                               calcify_error *err)
{
    c->sc = sc;
    c->tg = tg;
    c->err = err;
    c->idx = calloc(tg->n ? tg->n : 1, sizeof *c->idx);
    c->weight = calloc(tg->n ? tg->n : 1, sizeof *c->weight);
    c->simulated = calloc(tg->n ? tg->n : 1, sizeof *c->simulated);
    if (!c->idx || !c->weight || !c->simulated)
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    for (size_t i = 0; i < tg->n; i++) {
        const calcify_target *t = &tg->items[i];
        double sigma = calcify_target_sigma(t);
        if (!isfinite(t->target) || !isfinite(sigma))
            continue;
        size_t copies = 0;
        for (size_t k = 0; k < tg->n; k++)
            copies += tg->items[k].row == t->row && tg->items[k].file == t->file;
        c->idx[c->n_resid] = i;
        c->weight[c->n_resid] = 1.0 / sigma / sqrt((double)copies);
        c->n_resid++;
    }
    if (!(c->sim = calcify_sim_alloc(&sc->params, sc->method, FIT_RTOL, FIT_ATOL, err)))
        return CALCIFY_EFIT;
    return CALCIFY_OK;
}

static void ctx_free(fit_ctx *c)
{
    calcify_sim_free(c->sim);
    free(c->idx);
    free(c->weight);
    free(c->simulated);
}

calcify_status calcify_fit_chisq(calcify_scenario *sc, const calcify_targets *tg,
                                 double *chisq, calcify_error *err)
{
    fit_ctx c = {0};
    calcify_status st = ctx_init(&c, sc, tg, err);
    if (!st)
        st = calcify_targets_simulate(c.sim, sc, tg, c.simulated, err);
    *chisq = 0;
    for (size_t i = 0; !st && i < c.n_resid; i++) {
        const calcify_target *t = &tg->items[c.idx[i]];
        double r = (c.simulated[c.idx[i]] - t->target) * c.weight[i];
        *chisq += r * r;
    }
    ctx_free(&c);
    return st;
}

calcify_status calcify_fit(calcify_scenario *sc, const calcify_targets *tg,
                           const int *free_idx, size_t n_free,
                           calcify_fit_result *res,
                           calcify_fit_progress progress, void *user,
                           calcify_error *err)
{
    memset(res, 0, sizeof *res);
    fit_ctx c = {.free = free_idx, .n_free = n_free, .progress = progress, .user = user};
    calcify_status st = CALCIFY_OK;
    for (size_t j = 0; !st && j < n_free; j++) {
        const calcify_param_def *d = &MD->params[free_idx[j]];
        double v = sc->params.value[free_idx[j]];
        if (!(v > d->lo && v < d->hi)) /* x_of would be infinite */
            st = calcify_fail(err, CALCIFY_EFIT, "cannot fit '%s': its start "
                              "value %g %s is at a bound of its range (expected a "
                              "start inside (%g, %g); set one with --set)",
                              d->name, v, d->unit, d->lo, d->hi);
    }
    if (!st)
        st = ctx_init(&c, sc, tg, err);
    if (!st && (n_free == 0 || c.n_resid < n_free))
        st = calcify_fail(err, CALCIFY_EFIT, "%zu free parameters but %zu targets "
                          "with a value and an sd or a closed range (expected at least as "
                          "many targets as free parameters)", n_free, c.n_resid);

    gsl_multifit_nlinear_workspace *w = NULL;
    gsl_vector *x0 = NULL;
    if (!st) {
        gsl_vector *f0 = gsl_vector_alloc(c.n_resid);
        x0 = gsl_vector_alloc(n_free);
        for (size_t j = 0; j < n_free; j++)
            gsl_vector_set(x0, j, x_of(&MD->params[free_idx[j]],
                                       sc->params.value[free_idx[j]]));
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
        if (!w)
            st = calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
        int info = 0;
        int rc = st ? GSL_SUCCESS : gsl_multifit_nlinear_init(x0, &fdf, w);
        if (!st && rc == GSL_SUCCESS)
            rc = gsl_multifit_nlinear_driver(200, 1e-8, 1e-8, 1e-10, on_iteration,
                                             &c, &info, w);
        /* GSL's driver says "max iterations" when its very first step finds
         * nothing lower (info GSL_ENOPROG): the start is already the
         * minimum to the simulation's precision — refitting a fitted
         * parameter file does that — and is taken as the estimate */
        if (!st && rc == GSL_EMAXITER && info == GSL_ENOPROG)
            rc = GSL_SUCCESS;
        if (!st && rc != GSL_SUCCESS)
            st = calcify_fail(err, CALCIFY_EFIT, "least squares did not converge: "
                              "%s", gsl_strerror(rc));
        if (!st) {
            /* evaluate at the optimum so sc->params and residuals match it */
            gsl_vector *x = gsl_multifit_nlinear_position(w);
            gsl_vector *f = gsl_multifit_nlinear_residual(w);
            residuals(x, &c, f);
            gsl_blas_ddot(f, f, &res->chisq);
            res->n_rows = distinct_rows(&c);
            res->dof = (int)res->n_rows - (int)n_free;
            st = fill_result(&c, x, f, gsl_multifit_nlinear_jac(w), res, err);
            res->n_resid = c.n_resid;
            res->iterations = gsl_multifit_nlinear_niter(w);
        }
    }
    gsl_multifit_nlinear_free(w);
    gsl_vector_free(x0);
    ctx_free(&c);
    if (st)
        calcify_fit_result_free(res);
    return st;
}
