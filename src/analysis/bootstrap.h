/* bootstrap.h — percentile bootstrap shared by the estimators (internal). */
#ifndef CALCIFY_BOOTSTRAP_H
#define CALCIFY_BOOTSTRAP_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "calcify/gsa.h"

/* A generator for the resamples of b (mt19937, seeded by b->seed); NULL when
 * memory runs out. */
gsl_rng *calcify_boot_rng(const calcify_boot_opts *b);

/* Fill pick[0..m-1] with a resample (with replacement) of used[0..m-1]. */
void calcify_boot_resample(gsl_rng *rng, const size_t *used, size_t m, size_t *pick);

/* The (1−conf)/2 and (1+conf)/2 quantiles of rep[0..n-1] (sorted in place;
 * NaN replicates are left out); NAN when none is finite. */
void calcify_boot_interval(double *rep, size_t n, double conf, double *lo, double *hi);

#endif
