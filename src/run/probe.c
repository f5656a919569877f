/* probe.c — which rows of which arms a batch keeps, and where. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calcify/endpoints.h"
#include "calcify/probe.h"
#include "base/suggest.h"

void calcify_probe_free(calcify_probe *p)
{
    for (size_t a = 0; p && p->arms && a < p->n_arms; a++) {
        calcify_arm_split_free(&p->arms[a].run);
        free(p->arms[a].times);
        free(p->arms[a].slot_of_row);
    }
    if (p) {
        free(p->arms);
        free(p->obs);
        memset(p, 0, sizeof *p);
    }
}

/* Times this close are one time (as calcify_endpoints takes them). */
static int same_time(double a, double b)
{
    return fabs(a - b) <= 1e-9 * (fabs(b) > 1 ? fabs(b) : 1);
}

long calcify_probe_time_index(const calcify_probe_arm *pa, double t)
{
    size_t lo = 0, hi = pa->n_times;
    while (lo < hi) { /* the first time >= t */
        size_t mid = lo + (hi - lo) / 2;
        if (pa->times[mid] < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < pa->n_times && same_time(pa->times[lo], t))
        return (long)lo;
    return lo > 0 && same_time(pa->times[lo - 1], t) ? (long)lo - 1 : -1;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Common start: the arms and the observables. */
static calcify_status start(calcify_probe *p, const calcify_scenario *sc,
                            const unsigned char *selected, const int *obs, size_t n_obs,
                            calcify_error *err)
{
    memset(p, 0, sizeof *p);
    size_t n = 0;
    for (size_t k = 0; k < sc->n_arms; k++)
        n += !selected || selected[k];
    p->n_obs = n_obs ? n_obs : calcify_obs_count(sc->obs);
    p->table = sc->obs;
    if (!(p->arms = calloc(n ? n : 1, sizeof *p->arms)) ||
        !(p->obs = malloc(p->n_obs * sizeof *p->obs)))
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    for (size_t i = 0; i < p->n_obs; i++)
        p->obs[i] = n_obs ? obs[i] : (int)i;
    calcify_status st = calcify_obs_bind(sc->obs, p->obs, p->n_obs, "--observable",
                                         CALCIFY_EUSAGE, err);
    if (st)
        return st;
    for (size_t k = 0; k < sc->n_arms; k++)
        if (!selected || selected[k]) {
            calcify_probe_arm *pa = &p->arms[p->n_arms++];
            pa->arm = k;
            pa->run = sc->arms[k];
            pa->run.phases = NULL;
        }
    return CALCIFY_OK;
}

static void finish(calcify_probe *p)
{
    size_t off = 0;
    for (size_t a = 0; a < p->n_arms; a++) {
        p->arms[a].offset = off;
        off += p->arms[a].n_times * p->n_obs;
    }
    p->n_out = off;
}

/* Sort times[0..*n) and keep one of each (as same_time takes them). */
static void sort_unique(double *times, size_t *n)
{
    qsort(times, *n, sizeof *times, cmp_double);
    size_t u = 0;
    for (size_t i = 0; i < *n; i++)
        if (u == 0 || !same_time(times[i], times[u - 1]))
            times[u++] = times[i];
    *n = u;
}

/* Arm pa of scenario arm `src`, phases cut at the wanted times (sorted,
 * unique, within the arm; the doses re-timed as calcify_arm_split does);
 * rows then fall at t = 0, at phase starts and at the end. */
static calcify_status cut(calcify_probe_arm *pa, const calcify_arm *src, calcify_error *err)
{
    if (calcify_arm_split(src, pa->times, pa->n_times, &pa->run) ||
        !(pa->slot_of_row = malloc((pa->run.n_phases + 1) * sizeof *pa->slot_of_row)))
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    size_t ti = 0;
    double t = 0;
    for (size_t r = 0; r <= pa->run.n_phases; r++) {
        while (ti < pa->n_times && pa->times[ti] < t && !same_time(pa->times[ti], t))
            ti++; /* not a row time (cannot happen: every time is cut or a boundary) */
        pa->slot_of_row[r] = ti < pa->n_times && same_time(pa->times[ti], t) ? (long)ti++ : -1;
        if (r < pa->run.n_phases)
            t += pa->run.phases[r].duration;
    }
    pa->n_rows = pa->run.n_phases + 1;
    pa->dt = 0;
    return CALCIFY_OK;
}

calcify_status calcify_probe_init(calcify_probe *p, const calcify_scenario *sc,
                                  const unsigned char *selected, const double *at,
                                  size_t n_at, const int *obs, size_t n_obs,
                                  calcify_error *err)
{
    for (size_t i = 0; i < n_at; i++)
        if (!isfinite(at[i]) || at[i] < 0)
            return calcify_fail(err, CALCIFY_EUSAGE, "--at %g: expected a time >= 0 d", at[i]);
    calcify_status st = start(p, sc, selected, obs, n_obs, err);
    for (size_t a = 0; !st && a < p->n_arms; a++) {
        calcify_probe_arm *pa = &p->arms[a];
        const calcify_arm *src = &sc->arms[pa->arm];
        double end = calcify_arm_duration(src);
        size_t cap = n_at ? n_at : src->n_phases;
        if (!(pa->times = malloc(cap * sizeof *pa->times))) {
            st = calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
            break;
        }
        if (n_at) {
            for (size_t i = 0; i < n_at; i++)
                if (at[i] <= end)
                    pa->times[pa->n_times++] = at[i];
            sort_unique(pa->times, &pa->n_times);
        } else {
            double t = 0;
            for (size_t k = 0; k < src->n_phases; k++)
                pa->times[pa->n_times++] = t += src->phases[k].duration;
        }
        if (pa->n_times == 0)
            st = calcify_fail(err, CALCIFY_EUSAGE, "--at: no time within arm '%s' "
                              "(0 to %g d)", src->name, end);
        else
            st = cut(pa, src, err);
    }
    if (st) {
        calcify_probe_free(p);
        return st;
    }
    finish(p);
    return CALCIFY_OK;
}

/* Grid times of an arm of length `end`: k·dt below the end (the solver's
 * rule: a grid time within 1e-9 of the end is the end), then the end. */
static size_t grid_count(double dt, double end)
{
    const double eps = 1e-9 * (end > 1 ? end : 1);
    size_t n = 0;
    while ((double)n * dt < end - eps)
        n++;
    return n;
}

/* Times of probe arm pa: its grid and the at[] within it; those off the
 * grid are cut into the arm's phases, and their rows are then found by time
 * (slot_of_row NULL, boundary rows on). */
static calcify_status grid_arm(calcify_probe_arm *pa, const calcify_arm *src, double dt,
                               const double *at, size_t n_at, calcify_error *err)
{
    double end = calcify_arm_duration(src);
    size_t n = grid_count(dt, end), n_cut = 0;
    double *cuts = malloc((n_at ? n_at : 1) * sizeof *cuts);
    if (!cuts || !(pa->times = malloc((n + 1 + n_at) * sizeof *pa->times))) {
        free(cuts);
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    }
    for (size_t k = 0; k < n; k++)
        pa->times[k] = (double)k * dt;
    pa->times[n] = end;
    pa->n_times = n + 1;
    for (size_t i = 0; i < n_at; i++) {
        double k = nearbyint(at[i] / dt);
        if ((at[i] > end && !same_time(at[i], end)) || same_time(at[i], end) ||
            (k < (double)n && same_time(at[i], k * dt)))
            continue; /* past the end, or a time the grid has */
        cuts[n_cut++] = pa->times[pa->n_times++] = at[i];
    }
    sort_unique(pa->times, &pa->n_times);
    sort_unique(cuts, &n_cut);
    pa->dt = dt;
    calcify_status st = CALCIFY_OK;
    if (calcify_arm_split(src, cuts, n_cut, &pa->run))
        st = calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    else if (n_cut)
        pa->boundary_rows = 1;
    else if (!(pa->slot_of_row = malloc((n + 1) * sizeof *pa->slot_of_row)))
        st = calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    else
        for (size_t k = 0; k <= n; k++)
            pa->slot_of_row[k] = (long)k;
    pa->n_rows = n_cut ? 0 : n + 1;
    free(cuts);
    return st;
}

calcify_status calcify_probe_init_grid(calcify_probe *p, const calcify_scenario *sc,
                                       const unsigned char *selected, double dt,
                                       const int *obs, size_t n_obs, calcify_error *err)
{
    return calcify_probe_init_grid_at(p, sc, selected, dt, NULL, 0, obs, n_obs, err);
}

calcify_status calcify_probe_init_grid_at(calcify_probe *p, const calcify_scenario *sc,
                                          const unsigned char *selected, double dt,
                                          const double *at, size_t n_at, const int *obs,
                                          size_t n_obs, calcify_error *err)
{
    if (!(dt > 0) || !isfinite(dt))
        return calcify_fail(err, CALCIFY_EUSAGE, "output step %g: expected > 0 d", dt);
    for (size_t i = 0; i < n_at; i++)
        if (!isfinite(at[i]) || at[i] < 0)
            return calcify_fail(err, CALCIFY_EUSAGE, "--at %g: expected a time >= 0 d", at[i]);
    calcify_status st = start(p, sc, selected, obs, n_obs, err);
    for (size_t a = 0; !st && a < p->n_arms; a++)
        st = grid_arm(&p->arms[a], &sc->arms[p->arms[a].arm], dt, at, n_at, err);
    if (st) {
        calcify_probe_free(p);
        return st;
    }
    finish(p);
    return CALCIFY_OK;
}

calcify_status calcify_obs_parse_list(const char *list, int *obs, size_t *n,
                                      calcify_error *err)
{
    const char *s = list;
    for (;;) {
        const char *comma = strchr(s, ',');
        size_t len = comma ? (size_t)(comma - s) : strlen(s);
        char name[128];
        snprintf(name, sizeof name, "%.*s", (int)len, s);
        int found = calcify_obs_defer(name);
        if (found < 0) {
            char near[256];
            calcify_suggest(name, calcify_obs_names, CALCIFY_NOBS, near, sizeof near);
            return calcify_fail(err, CALCIFY_EUSAGE, "--observable '%s': unknown%s%s%s "
                                "(observables are the columns of calcify run)", name,
                                near[0] ? "; did you mean " : "", near, near[0] ? "?" : "");
        }
        if (*n >= CALCIFY_MAX_OBS)
            return calcify_fail(err, CALCIFY_EUSAGE, "--observable: too many");
        obs[(*n)++] = found;
        calcify_status st = calcify_obs_check_unique(NULL, "--observable", obs, *n,
                                                     CALCIFY_EUSAGE, err);
        if (st)
            return st;
        if (!comma)
            return CALCIFY_OK;
        s = comma + 1;
    }
}
