/* morris.c — Morris trajectories and elementary-effect statistics. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "analysis/bootstrap.h"
#include "calcify/gsa.h"

size_t calcify_morris_runs(size_t r, size_t d)
{
    if (d + 1 == 0 || (r && d + 1 > (size_t)-1 / r))
        return 0;
    return r * (d + 1);
}

void calcify_morris_plan_free(calcify_morris_plan *plan)
{
    if (!plan)
        return;
    free(plan->u);
    free(plan->moved);
    memset(plan, 0, sizeof *plan);
}

calcify_status calcify_morris_plan_make(calcify_morris_plan *plan, size_t r, size_t d,
                                        int levels, uint64_t seed, calcify_error *err)
{
    memset(plan, 0, sizeof *plan);
    if (levels < 2 || levels % 2)
        return calcify_fail(err, CALCIFY_EUSAGE, "Morris: %d levels (expected an even "
                            "number >= 2)", levels);
    size_t runs = calcify_morris_runs(r, d);
    if (r < 2 || d == 0 || runs == 0)
        return calcify_fail(err, CALCIFY_EUSAGE, "Morris: %zu trajectories over %zu "
                            "parameters (expected at least 2 and 1)", r, d);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    plan->u = malloc(runs * d * sizeof *plan->u);
    plan->moved = malloc(r * d * sizeof *plan->moved);
    if (!rng || !plan->u || !plan->moved) {
        gsl_rng_free(rng);
        calcify_morris_plan_free(plan);
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    }
    gsl_rng_set(rng, (unsigned long)seed);
    plan->r = r, plan->d = d, plan->levels = levels;
    const double delta = levels / (2.0 * (levels - 1));
    const int half = levels / 2;
    for (size_t t = 0; t < r; t++) {
        double *x = plan->u + t * (d + 1) * d;
        size_t *order = plan->moved + t * d;
        /* each parameter moves between a level and the one Δ above it;
         * where it starts (low or high end) sets its step's direction */
        for (size_t j = 0; j < d; j++) {
            double lo = (double)gsl_rng_uniform_int(rng, (unsigned long)half) / (levels - 1);
            x[j] = gsl_rng_uniform_int(rng, 2) ? lo + delta : lo;
            order[j] = j;
        }
        gsl_ran_shuffle(rng, order, d, sizeof *order);
        /* each parameter moves once, to the other end of its pair */
        for (size_t k = 0; k < d; k++) {
            double *next = x + (k + 1) * d;
            memcpy(next, x + k * d, d * sizeof *x);
            size_t j = order[k];
            /* low ends lie below 1/2 (at most (levels/2 − 1)/(levels − 1)),
             * high ends above it (at least Δ > 1/2) */
            next[j] = x[j] > 0.5 ? x[j] - delta : x[j] + delta;
        }
    }
    gsl_rng_free(rng);
    return CALCIFY_OK;
}

void calcify_morris_values(const calcify_morris_plan *plan, const calcify_vary *v,
                           double *values)
{
    size_t runs = plan->r * (plan->d + 1);
    for (size_t i = 0; i < runs; i++)
        for (size_t j = 0; j < plan->d; j++) {
            double u = plan->u[i * plan->d + j];
            /* unbounded distributions: the grid spans the 1%..99% quantiles */
            if (!calcify_vary_bounded(&v[j]))
                u = 0.01 + 0.98 * u;
            values[i * plan->d + j] = calcify_vary_map(&v[j], u);
        }
}

/* Statistics over the trajectories pick[0..m-1]; ee: r·d elementary effects. */
static void stats(const double *ee, size_t d, const size_t *pick, size_t m, size_t j,
                  double *mu_star, double *mu, double *sigma)
{
    double sa = 0, s = 0;
    for (size_t i = 0; i < m; i++) {
        double e = ee[pick[i] * d + j];
        sa += fabs(e), s += e;
    }
    *mu_star = sa / (double)m;
    *mu = s / (double)m;
    if (sigma) {
        double q = 0;
        for (size_t i = 0; i < m; i++) {
            double e = ee[pick[i] * d + j] - *mu;
            q += e * e;
        }
        *sigma = sqrt(q / (double)(m - 1));
    }
}

calcify_status calcify_morris_indices(const calcify_morris_plan *plan, const double *y,
                                      size_t stride, const calcify_boot_opts *b,
                                      calcify_morris_index *out, calcify_error *err)
{
    const size_t r = plan->r, d = plan->d;
    size_t nb = b ? b->n_boot : 0;
    double *ee = malloc(r * d * sizeof *ee);
    size_t *used = malloc(r * sizeof *used), *pick = malloc(r * sizeof *pick);
    double *rep = malloc((nb + 1) * sizeof *rep);
    gsl_rng *rng = b ? calcify_boot_rng(b) : NULL;
    calcify_status status = CALCIFY_OK;
    if (!ee || !used || !pick || !rep || (b && !rng)) {
        status = calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
        goto done;
    }
    size_t m = 0;
    for (size_t t = 0; t < r; t++) {
        int ok = 1;
        for (size_t k = 0; k < d; k++) {
            size_t a = t * (d + 1) + k, c = a + 1, j = plan->moved[t * d + k];
            double du = plan->u[c * d + j] - plan->u[a * d + j];
            ee[t * d + j] = (y[c * stride] - y[a * stride]) / du;
            ok &= isfinite(ee[t * d + j]) != 0;
        }
        if (ok)
            used[m++] = t;
    }
    for (size_t j = 0; j < d; j++)
        out[j] = (calcify_morris_index){NAN, NAN, NAN, NAN, NAN};
    if (m < 2)
        goto done;
    for (size_t j = 0; j < d; j++)
        stats(ee, d, used, m, j, &out[j].mu_star, &out[j].mu, &out[j].sigma);
    for (size_t j = 0; j < d && nb; j++) {
        gsl_rng_set(rng, (unsigned long)b->seed); /* same resamples for every parameter */
        for (size_t k = 0; k < nb; k++) {
            double mu;
            calcify_boot_resample(rng, used, m, pick);
            stats(ee, d, pick, m, j, &rep[k], &mu, NULL);
        }
        calcify_boot_interval(rep, nb, b->conf, &out[j].mu_star_lo, &out[j].mu_star_hi);
    }
done:
    free(ee);
    free(used);
    free(pick);
    free(rep);
    gsl_rng_free(rng);
    return status;
}
