/* fit_explore.c — around a fit: profile likelihood of each parameter and
 * fits from many starts (docs/SCENARIOS.md, calcify fit). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "calcify/fit.h"
#include "analysis/fit_transform.h"

/* Parameters and columns are named as those of the model parameter files
 * are read for (calcify/params.h): the scenario's. */
#define MD (calcify_params_file_model())

/* Steps of the profile on the fit's scale x: a fifth of a standard error
 * (at least 0.02, so a tiny SE still moves), at most this many per side. */
enum { PROFILE_MAX_STEPS = 40 };

/* Σr² with parameter `param` held at value v and the other free
 * parameters of `fit` refitted from their estimates (none to refit: just
 * evaluated). */
static calcify_status profile_point(calcify_scenario *sc, const calcify_targets *tg,
                                    const calcify_fit_result *fit, size_t j, double v,
                                    double *chisq, calcify_error *err)
{
    int others[CALCIFY_MAX_PARAM];
    size_t m = 0;
    for (size_t k = 0; k < fit->n_free; k++) {
        sc->params.value[fit->free[k]] = fit->estimate[k];
        if (k != j && !fit->at_bound[k])
            others[m++] = fit->free[k];
    }
    sc->params.value[fit->free[j]] = v;
    if (m == 0)
        return calcify_fit_chisq(sc, tg, chisq, err);
    calcify_fit_result r;
    calcify_status st = calcify_fit(sc, tg, others, m, &r, NULL, NULL, err);
    if (!st)
        *chisq = r.chisq;
    calcify_fit_result_free(&r);
    return st;
}

/* Append (v, chisq) to the profile. */
static int profile_add(calcify_fit_profile *p, double v, double chisq)
{
    double *value = realloc(p->value, (p->n + 1) * sizeof *value);
    if (value)
        p->value = value;
    double *c = realloc(p->chisq, (p->n + 1) * sizeof *c);
    if (c)
        p->chisq = c;
    if (!value || !c)
        return -1;
    p->value[p->n] = v;
    p->chisq[p->n++] = chisq;
    return 0;
}

/* Walk from the estimate on side `dir` (−1, +1) until the rise passes
 * delta; *edge gets the interpolated crossing, *open 1 if none. */
static calcify_status profile_side(calcify_scenario *sc, const calcify_targets *tg,
                                   const calcify_fit_result *fit, size_t j, int dir,
                                   calcify_fit_profile *p, double *edge, int *open,
                                   calcify_error *err)
{
    const calcify_param_def *d = &MD->params[fit->free[j]];
    const double x0 = x_of(d, fit->estimate[j]);
    const double se_x = fit->se[j] / dparam_dx(d, fit->estimate[j]);
    const double h = isfinite(se_x) ? fmax(0.2 * se_x, 0.02) : 0.05;
    double prev_v = fit->estimate[j], prev_rise = 0;
    *open = 1;
    *edge = dir < 0 ? d->lo : d->hi;
    for (int k = 1; k <= PROFILE_MAX_STEPS; k++) {
        const double v = param_of(d, x0 + dir * k * h);
        if (bound_of(d, v))
            break; /* the range ends before the rise */
        double chisq;
        calcify_status st = profile_point(sc, tg, fit, j, v, &chisq, err);
        if (st)
            return st;
        if (profile_add(p, v, chisq))
            return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
        const double rise = chisq - p->chisq_min;
        if (rise > p->delta) {
            *edge = prev_v + (v - prev_v) * (p->delta - prev_rise) / (rise - prev_rise);
            *open = 0;
            break;
        }
        prev_v = v;
        prev_rise = rise;
    }
    return CALCIFY_OK;
}

static int by_value(const void *a, const void *b)
{
    const double *x = a, *y = b;
    return (x[0] > y[0]) - (x[0] < y[0]);
}

calcify_status calcify_fit_profile_run(calcify_scenario *sc, const calcify_targets *tg,
                                       const calcify_fit_result *fit, size_t j, double delta,
                                       calcify_fit_profile *prof, calcify_error *err)
{
    memset(prof, 0, sizeof *prof);
    prof->param = fit->free[j];
    prof->estimate = fit->estimate[j];
    prof->chisq_min = fit->chisq;
    prof->delta = delta;
    double saved[CALCIFY_MAX_PARAM];
    memcpy(saved, sc->params.value, sizeof saved);
    calcify_status st = CALCIFY_OK;
    if (fit->at_bound[j])
        st = calcify_fail(err, CALCIFY_EFIT, "cannot profile '%s': the fit left it at a "
                          "bound of its range", MD->params[fit->free[j]].name);
    if (!st && profile_add(prof, fit->estimate[j], fit->chisq))
        st = calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    if (!st)
        st = profile_side(sc, tg, fit, j, -1, prof, &prof->lo, &prof->lo_open, err);
    if (!st)
        st = profile_side(sc, tg, fit, j, +1, prof, &prof->hi, &prof->hi_open, err);
    memcpy(sc->params.value, saved, sizeof saved);
    if (st) {
        calcify_fit_profile_free(prof);
        return st;
    }
    /* the points in increasing value, for tables and figures */
    double *pairs = malloc(2 * prof->n * sizeof *pairs);
    if (!pairs) {
        calcify_fit_profile_free(prof);
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    }
    for (size_t k = 0; k < prof->n; k++) {
        pairs[2 * k] = prof->value[k];
        pairs[2 * k + 1] = prof->chisq[k];
    }
    qsort(pairs, prof->n, 2 * sizeof *pairs, by_value);
    for (size_t k = 0; k < prof->n; k++) {
        prof->value[k] = pairs[2 * k];
        prof->chisq[k] = pairs[2 * k + 1];
    }
    free(pairs);
    return CALCIFY_OK;
}

void calcify_fit_profile_free(calcify_fit_profile *prof)
{
    if (!prof)
        return;
    free(prof->value);
    free(prof->chisq);
    memset(prof, 0, sizeof *prof);
}

void calcify_fit_starts_free(calcify_fit_starts *s)
{
    if (!s)
        return;
    free(s->start);
    free(s->estimate);
    free(s->chisq);
    free(s->status);
    memset(s, 0, sizeof *s);
}

calcify_status calcify_fit_multistart(calcify_scenario *sc, const calcify_targets *tg,
                                      const int *free, size_t n_free, size_t n_starts,
                                      double spread, unsigned long seed, double same_rel,
                                      calcify_fit_starts *out, calcify_error *err)
{
    memset(out, 0, sizeof *out);
    out->n_starts = n_starts;
    out->n_free = n_free;
    out->start = malloc(n_starts * n_free * sizeof *out->start);
    out->estimate = malloc(n_starts * n_free * sizeof *out->estimate);
    out->chisq = malloc(n_starts * sizeof *out->chisq);
    out->status = malloc(n_starts * sizeof *out->status);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!out->start || !out->estimate || !out->chisq || !out->status || !rng) {
        gsl_rng_free(rng);
        calcify_fit_starts_free(out);
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    }
    gsl_rng_set(rng, seed);
    double centre[CALCIFY_MAX_PARAM];
    for (size_t j = 0; j < n_free; j++)
        centre[j] = x_of(&MD->params[free[j]], sc->params.value[free[j]]);
    int any = 0;
    for (size_t s = 0; s < n_starts; s++) {
        for (size_t j = 0; j < n_free; j++) {
            const calcify_param_def *d = &MD->params[free[j]];
            double v = param_of(d, centre[j] + spread * (2 * gsl_rng_uniform(rng) - 1));
            if (bound_of(d, v)) /* a start must lie inside the range */
                v = param_of(d, centre[j]);
            out->start[s * n_free + j] = v;
            sc->params.value[free[j]] = v;
        }
        calcify_fit_result r;
        calcify_error e;
        out->status[s] = calcify_fit(sc, tg, free, n_free, &r, NULL, NULL, &e);
        out->chisq[s] = out->status[s] ? NAN : r.chisq;
        for (size_t j = 0; j < n_free; j++)
            out->estimate[s * n_free + j] = out->status[s] ? NAN : r.estimate[j];
        if (!out->status[s] && (!any || r.chisq < out->chisq[out->best]))
            out->best = s;
        any |= !out->status[s];
        if (out->status[s] && s == n_starts - 1 && !any)
            *err = e; /* every start failed: say why the last did */
        calcify_fit_result_free(&r);
    }
    gsl_rng_free(rng);
    if (!any) {
        calcify_fit_starts_free(out);
        return CALCIFY_EFIT;
    }
    for (size_t s = 0; s < n_starts; s++) {
        int same = !out->status[s];
        for (size_t j = 0; same && j < n_free; j++) {
            double b = out->estimate[out->best * n_free + j];
            same = fabs(out->estimate[s * n_free + j] - b) <= same_rel * fabs(b);
        }
        out->n_same += same;
    }
    for (size_t j = 0; j < n_free; j++)
        sc->params.value[free[j]] = out->estimate[out->best * n_free + j];
    return CALCIFY_OK;
}
