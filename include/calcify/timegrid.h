/* calcify/timegrid.h — when two times are one time, and which rows an
 * output grid has: the one rule every reader of values at times follows
 * (calcify/probe.h), written once.
 *
 * Times are sums of phase durations and multiples of an output step, so
 * two that should be equal may differ in their last bits: times within
 * CALCIFY_TIME_TOL days (relative above 1 d) are one time.
 *
 * Grid rule: an arm of length `end` read every dt days has rows at k·dt
 * (computed as k·dt, not by accumulation) for every k·dt below end −
 * tolerance, and one at the end (calcify/solver.h writes the same rows).
 */
#ifndef CALCIFY_TIMEGRID_H
#define CALCIFY_TIMEGRID_H

#include <math.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CALCIFY_TIME_TOL 1e-9

/* The tolerance at time t (d): CALCIFY_TIME_TOL, relative above 1 d. */
static inline double calcify_time_tol(double t)
{
    t = fabs(t);
    return CALCIFY_TIME_TOL * (t > 1 ? t : 1);
}

/* 1 if a and b are one time. */
static inline int calcify_same_time(double a, double b)
{
    return fabs(a - b) <= calcify_time_tol(b);
}

/* Grid rows k·dt strictly before `end` (k = 0 … n − 1); the end's row is
 * not counted. */
static inline size_t calcify_grid_rows_before(double dt, double end)
{
    const double eps = calcify_time_tol(end);
    size_t n = 0;
    while ((double)n * dt < end - eps)
        n++;
    return n;
}

#ifdef __cplusplus
}
#endif
#endif
