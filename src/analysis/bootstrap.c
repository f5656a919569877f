/* bootstrap.c — resampling and percentile intervals. */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "analysis/bootstrap.h"

gsl_rng *calcify_boot_rng(const calcify_boot_opts *b)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (rng)
        gsl_rng_set(rng, (unsigned long)b->seed);
    return rng;
}

void calcify_boot_resample(gsl_rng *rng, const size_t *used, size_t m, size_t *pick)
{
    for (size_t i = 0; i < m; i++)
        pick[i] = used[gsl_rng_uniform_int(rng, m)];
}

void calcify_boot_interval(double *rep, size_t n, double conf, double *lo, double *hi)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(rep[i]))
            rep[k++] = rep[i];
    if (k == 0) {
        *lo = *hi = NAN;
        return;
    }
    gsl_sort(rep, 1, k);
    *lo = gsl_stats_quantile_from_sorted_data(rep, 1, k, (1 - conf) / 2);
    *hi = gsl_stats_quantile_from_sorted_data(rep, 1, k, (1 + conf) / 2);
}
