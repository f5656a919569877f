/* probe.c — which rows of which arms a run is read at, and where each value
 * goes; the one arm splitter. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calcify/probe.h"
#include "calcify/timegrid.h"

static void arm_split_free(calcify_arm *a);

void calcify_probe_free(calcify_probe *p)
{
    for (size_t a = 0; p && p->arms && a < p->n_arms; a++) {
        arm_split_free(&p->arms[a].run);
        free(p->arms[a].times);
    }
    if (p) {
        free(p->arms);
        free(p->obs);
        memset(p, 0, sizeof *p);
    }
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
    if (lo < pa->n_times && calcify_same_time(pa->times[lo], t))
        return (long)lo;
    return lo > 0 && calcify_same_time(pa->times[lo - 1], t) ? (long)lo - 1 : -1;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sort times[0..*n) and keep one of each (as calcify_same_time takes them). */
static void sort_unique(double *times, size_t *n)
{
    qsort(times, *n, sizeof *times, cmp_double);
    size_t u = 0;
    for (size_t i = 0; i < *n; i++)
        if (u == 0 || !calcify_same_time(times[i], times[u - 1]))
            times[u++] = times[i];
    *n = u;
}

/* The doses of `ph` given in [c0, c1) of it (d from the phase's start), for a
 * piece of the phase that starts at c0: *out (malloc'd, NULL if none).  A
 * dose at a cut belongs to the piece that starts there, as a dose at a
 * phase's start is given before its first row. */
static calcify_status piece_doses(const calcify_diet_phase *ph, double c0, double c1,
                                  calcify_dose **out, size_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    if (!ph->n_doses)
        return CALCIFY_OK;
    if (!(*out = calloc(ph->n_doses, sizeof **out)))
        return CALCIFY_ENOMEM;
    for (size_t i = 0; i < ph->n_doses; i++) {
        const calcify_dose *d = &ph->doses[i];
        long first = -1, count = 0;
        for (long k = 0; k < d->count; k++) {
            double t = d->at + (double)k * d->every;
            /* at a cut (not the phase's own end): the next piece's */
            if (t >= ph->duration || t >= c1 ||
                (c1 < ph->duration && calcify_same_time(t, c1)))
                break;
            if (t < c0 && !calcify_same_time(t, c0))
                continue;
            if (first < 0)
                first = k;
            count++;
        }
        if (!count)
            continue;
        calcify_dose *nd = &(*out)[(*n_out)++];
        *nd = *d;
        nd->at = fmax(0.0, d->at + (double)first * d->every - c0);
        nd->count = count;
    }
    return CALCIFY_OK;
}

/* Release the phases and doses of a split arm; NULL-safe. */
static void arm_split_free(calcify_arm *a)
{
    if (!a)
        return;
    for (size_t p = 0; a->phases && p < a->n_phases; p++)
        free(a->phases[p].doses);
    free(a->phases);
    a->phases = NULL;
}

/* `arm` with its phases cut at the times at[0..n_at) (increasing, d) that
 * fall inside them (same diet and parameters); every dose stays where it
 * is: each piece carries the doses of its stretch, re-timed from its own
 * start (a dose at a cut belongs to the piece that starts there).
 * CALCIFY_ENOMEM on failure (*out then holds nothing to free); free with
 * arm_split_free.  The one splitter of arms. */
static calcify_status arm_split(const calcify_arm *arm, const double *at, size_t n_at,
                                calcify_arm *out)
{
    *out = *arm;
    out->n_phases = 0;
    out->phases = calloc(arm->n_phases + n_at, sizeof *out->phases);
    if (!out->phases)
        return CALCIFY_ENOMEM;
    size_t n = 0;
    double start = 0;
    for (size_t p = 0; p < arm->n_phases; p++) {
        const calcify_diet_phase *ph = &arm->phases[p];
        double end = start + ph->duration, cut = start;
        for (size_t k = 0; k <= n_at; k++) {
            double next = k < n_at ? at[k] : end;
            if (k < n_at && (!(next > cut) || calcify_same_time(next, cut) ||
                             !(next < end) || calcify_same_time(next, end)))
                continue;
            calcify_diet_phase *piece = &out->phases[n];
            *piece = *ph;
            piece->duration = next - cut;
            out->n_phases = ++n;
            if (piece_doses(ph, cut - start, next - start, &piece->doses, &piece->n_doses)) {
                piece->doses = NULL;
                arm_split_free(out);
                return CALCIFY_ENOMEM;
            }
            cut = next;
            if (k == n_at)
                break;
        }
        start = end;
    }
    return CALCIFY_OK;
}

/* Probe arm pa of arm `src` under spec s (s->dt > 0): its times (the grid's
 * with grid_times, the listed ones within the arm, else the phase ends) and
 * the arm as run, cut at those of its times that are off the grid. */
static calcify_status probe_arm(calcify_probe_arm *pa, const calcify_arm *src,
                                const calcify_probe_spec *s, calcify_error *err)
{
    const double end = calcify_arm_duration(src), dt = s->dt;
    const size_t n_grid = calcify_grid_rows_before(dt, end);
    size_t cap = (s->grid_times ? n_grid + 1 : 0) + (s->n_at ? s->n_at : src->n_phases);
    size_t n_cut = 0;
    double *cuts = malloc((cap ? cap : 1) * sizeof *cuts);
    if (!cuts || !(pa->times = malloc((cap ? cap : 1) * sizeof *pa->times))) {
        free(cuts);
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    }
    pa->dt = dt;
    pa->n_times = 0;
    for (size_t k = 0; s->grid_times && k <= n_grid; k++)
        pa->times[pa->n_times++] = k < n_grid ? (double)k * dt : end;
    double t = 0;
    for (size_t i = 0; i < (s->n_at ? s->n_at : (s->grid_times ? 0 : src->n_phases)); i++) {
        double ti = s->n_at ? s->at[i] : (t += src->phases[i].duration);
        if (ti > end && !calcify_same_time(ti, end))
            continue; /* past the arm's end */
        double k = nearbyint(ti / dt);
        if (!calcify_same_time(ti, end) &&
            !(k < (double)n_grid && calcify_same_time(ti, k * dt)))
            cuts[n_cut++] = ti; /* off the grid: a row of its own */
        pa->times[pa->n_times++] = ti;
    }
    sort_unique(pa->times, &pa->n_times);
    sort_unique(cuts, &n_cut);
    calcify_status st = CALCIFY_OK;
    if (pa->n_times == 0 && !s->metrics) /* metrics are read whatever the times */
        st = calcify_fail(err, CALCIFY_EUSAGE, "--at: no time within arm '%s' (0 to %g d)",
                          src->name, end);
    else if (arm_split(src, cuts, n_cut, &pa->run))
        st = calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    free(cuts);
    return st;
}

/* Checks and the observables; the arms are filled by the caller. */
static calcify_status start(calcify_probe *p, size_t n_arms, const calcify_probe_spec *s,
                            const calcify_obs_table *table, calcify_error *err)
{
    memset(p, 0, sizeof *p);
    if (!(s->dt > 0) || !isfinite(s->dt))
        return calcify_fail(err, CALCIFY_EUSAGE, "output step %g: expected > 0 d", s->dt);
    for (size_t i = 0; i < s->n_at; i++)
        if (!isfinite(s->at[i]) || s->at[i] < 0)
            return calcify_fail(err, CALCIFY_EUSAGE, "--at %g: expected a time >= 0 d",
                                s->at[i]);
    p->n_obs = s->n_obs ? s->n_obs : calcify_obs_count(table);
    p->table = table;
    p->metrics = s->metrics;
    if (!(p->arms = calloc(n_arms ? n_arms : 1, sizeof *p->arms)) ||
        !(p->obs = malloc(p->n_obs * sizeof *p->obs)))
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    for (size_t i = 0; i < p->n_obs; i++)
        p->obs[i] = s->n_obs ? s->obs[i] : (int)i;
    /* names given before the scenario was read: the scenario's own */
    return calcify_obs_bind(table, p->obs, p->n_obs, "--observable", CALCIFY_EUSAGE, err);
}

static void finish(calcify_probe *p)
{
    size_t off = 0;
    for (size_t a = 0; a < p->n_arms; a++) {
        p->arms[a].offset = off;
        off += calcify_probe_arm_values(p, a);
    }
    p->n_out = off;
}

calcify_status calcify_probe_make(calcify_probe *p, const calcify_scenario *sc,
                                  const calcify_probe_spec *spec, calcify_error *err)
{
    calcify_probe_spec s = *spec;
    if (!(s.dt > 0))
        s.dt = sc->output_step;
    size_t n = 0;
    for (size_t k = 0; k < sc->n_arms; k++)
        n += !s.selected || s.selected[k];
    calcify_status st = start(p, n, &s, sc->obs, err);
    for (size_t k = 0; !st && k < sc->n_arms; k++)
        if (!s.selected || s.selected[k]) {
            calcify_probe_arm *pa = &p->arms[p->n_arms++];
            pa->arm = k;
            st = probe_arm(pa, &sc->arms[k], &s, err);
        }
    if (st) {
        calcify_probe_free(p);
        return st;
    }
    finish(p);
    return CALCIFY_OK;
}

calcify_status calcify_probe_make_arm(calcify_probe *p, const calcify_arm *arm,
                                      const calcify_probe_spec *s, calcify_error *err)
{
    calcify_status st = start(p, 1, s, arm->obs, err);
    if (!st) {
        p->n_arms = 1;
        st = probe_arm(&p->arms[0], arm, s, err);
    }
    if (st) {
        calcify_probe_free(p);
        return st;
    }
    finish(p);
    return CALCIFY_OK;
}

calcify_status calcify_probe_init(calcify_probe *p, const calcify_scenario *sc,
                                  const unsigned char *selected, const double *at,
                                  size_t n_at, const int *obs, size_t n_obs,
                                  calcify_error *err)
{
    const calcify_probe_spec s = {.selected = selected, .at = at, .n_at = n_at,
                                  .obs = obs, .n_obs = n_obs};
    return calcify_probe_make(p, sc, &s, err);
}

calcify_status calcify_probe_init_grid_at(calcify_probe *p, const calcify_scenario *sc,
                                          const unsigned char *selected, double dt,
                                          const double *at, size_t n_at, const int *obs,
                                          size_t n_obs, calcify_error *err)
{
    if (!(dt > 0) || !isfinite(dt))
        return calcify_fail(err, CALCIFY_EUSAGE, "output step %g: expected > 0 d", dt);
    const calcify_probe_spec s = {.selected = selected, .dt = dt, .grid_times = 1,
                                  .at = at, .n_at = n_at, .obs = obs, .n_obs = n_obs};
    return calcify_probe_make(p, sc, &s, err);
}
