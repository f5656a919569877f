/* gsa_sobol.c — Saltelli design, Sobol index estimators, bootstrap. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/bootstrap.h"
#include "calcify/gsa.h"
#include "calcify/sobolseq.h"

size_t calcify_saltelli_runs(size_t n, size_t d)
{
    if (d + 2 < d || (n && d + 2 > (size_t)-1 / n))
        return 0;
    return n * (d + 2);
}

calcify_status calcify_saltelli_unit(size_t d, size_t n, uint64_t seed, double *u,
                                     calcify_error *err)
{
    calcify_sobolseq *q = calcify_sobolseq_alloc(2 * d, 1, seed, err);
    double *p = malloc(2 * d * sizeof *p);
    if (!q || !p) {
        calcify_sobolseq_free(q);
        free(p);
        return q ? calcify_fail(err, CALCIFY_ENOMEM, "out of memory") : CALCIFY_EUSAGE;
    }
    for (size_t i = 0; i < n; i++) {
        calcify_sobolseq_point(q, i, p);
        double *base = u + i * (d + 2) * d;
        memcpy(base, p, d * sizeof *p);               /* A_i  */
        memcpy(base + d, p + d, d * sizeof *p);       /* B_i  */
        for (size_t j = 0; j < d; j++) {              /* AB_j */
            double *row = base + (2 + j) * d;
            memcpy(row, p, d * sizeof *p);
            row[j] = p[d + j];
        }
    }
    calcify_sobolseq_free(q);
    free(p);
    return CALCIFY_OK;
}

calcify_status calcify_saltelli_design(const calcify_vary *v, size_t d, size_t n,
                                       uint64_t seed, double *values, calcify_error *err)
{
    calcify_status st = calcify_saltelli_unit(d, n, seed, values, err);
    if (st)
        return st;
    size_t runs = calcify_saltelli_runs(n, d);
    for (size_t r = 0; r < runs; r++)
        for (size_t j = 0; j < d; j++)
            values[r * d + j] = calcify_vary_map(&v[j], values[r * d + j]);
    return CALCIFY_OK;
}

/* Point estimates from the samples pick[0..m-1] (indices of base samples,
 * repeats allowed); s1/st get d values, NAN if the output does not vary.
 * f(B) is centred on the sample mean in S1's product: the expectation is
 * unchanged (mean(f(AB_j) − f(A)) → 0) but the estimate no longer depends on
 * the output's offset — without it an output of mean 1 and SD 0.01 gets
 * intervals a hundred times too wide (as SALib, which standardises). */
static void estimate(const double *y, size_t stride, size_t d, const size_t *pick, size_t m,
                     double *s1, double *st)
{
    const size_t w = d + 2;
#define Y(i, k) y[((i) * w + (k)) * stride]
    double mean = 0;
    for (size_t s = 0; s < m; s++)
        mean += Y(pick[s], 0) + Y(pick[s], 1);
    mean /= 2.0 * (double)m;
    double var = 0;
    for (size_t s = 0; s < m; s++) {
        double a = Y(pick[s], 0) - mean, b = Y(pick[s], 1) - mean;
        var += a * a + b * b;
    }
    var /= 2.0 * (double)m - 1;
    /* an output whose spread is roundoff (an arm the parameters cannot
     * touch, varying in its 16th digit) has no indices to speak of */
    const int varies = sqrt(var) > 1e-9 * fabs(mean) && var > 0;
    for (size_t j = 0; j < d; j++) {
        double v1 = 0, vt = 0;
        for (size_t s = 0; s < m; s++) {
            double fa = Y(pick[s], 0), fb = Y(pick[s], 1), fab = Y(pick[s], 2 + j);
            v1 += (fb - mean) * (fab - fa);
            vt += (fa - fab) * (fa - fab);
        }
        s1[j] = varies ? v1 / (double)m / var : NAN;
        st[j] = varies ? vt / (2.0 * (double)m) / var : NAN;
    }
#undef Y
}

calcify_status calcify_sobol_indices(const double *y, size_t stride, size_t n, size_t d,
                                     const calcify_boot_opts *b, calcify_sobol_index *out,
                                     size_t *n_used, calcify_error *err)
{
    size_t *used = malloc((n ? n : 1) * sizeof *used);
    size_t *pick = malloc((n ? n : 1) * sizeof *pick);
    double *s1 = malloc(2 * d * sizeof *s1), *st = s1 ? s1 + d : NULL;
    size_t nb = b ? b->n_boot : 0;
    double *rep = malloc((2 * d * nb + 1) * sizeof *rep);
    gsl_rng *rng = b ? calcify_boot_rng(b) : NULL;
    calcify_status status = CALCIFY_OK;
    if (!used || !pick || !s1 || !rep || (b && !rng)) {
        status = calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
        goto done;
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        int ok = 1;
        for (size_t k = 0; k < d + 2; k++)
            ok &= isfinite(y[(i * (d + 2) + k) * stride]) != 0;
        if (ok)
            used[m++] = i;
    }
    if (n_used)
        *n_used = m;
    for (size_t j = 0; j < d; j++)
        out[j] = (calcify_sobol_index){NAN, NAN, NAN, NAN, NAN, NAN};
    if (m < 2)
        goto done;
    estimate(y, stride, d, used, m, s1, st);
    for (size_t j = 0; j < d; j++)
        out[j].s1 = s1[j], out[j].st = st[j];
    if (nb == 0)
        goto done;
    for (size_t r = 0; r < nb; r++) {
        calcify_boot_resample(rng, used, m, pick);
        estimate(y, stride, d, pick, m, s1, st);
        for (size_t j = 0; j < d; j++) {
            rep[(2 * j) * nb + r] = s1[j];
            rep[(2 * j + 1) * nb + r] = st[j];
        }
    }
    for (size_t j = 0; j < d; j++) {
        calcify_boot_interval(rep + 2 * j * nb, nb, b->conf, &out[j].s1_lo, &out[j].s1_hi);
        calcify_boot_interval(rep + (2 * j + 1) * nb, nb, b->conf, &out[j].st_lo,
                              &out[j].st_hi);
    }
done:
    free(used);
    free(pick);
    free(s1);
    free(rep);
    gsl_rng_free(rng);
    return status;
}
