/* probe.c — which rows of which arms a batch keeps, and where. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calcify/endpoints.h"
#include "calcify/probe.h"
#include "suggest.h"

void calcify_probe_free(calcify_probe *p)
{
    for (size_t a = 0; p && p->arms && a < p->n_arms; a++) {
        free(p->arms[a].run.phases);
        free(p->arms[a].times);
        free(p->arms[a].slot_of_row);
    }
    if (p) {
        free(p->arms);
        free(p->obs);
        memset(p, 0, sizeof *p);
    }
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
    p->n_obs = n_obs ? n_obs : CALCIFY_NOBS;
    if (!(p->arms = calloc(n ? n : 1, sizeof *p->arms)) ||
        !(p->obs = malloc(p->n_obs * sizeof *p->obs)))
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    for (size_t i = 0; i < p->n_obs; i++)
        p->obs[i] = n_obs ? obs[i] : (int)i;
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

/* Arm pa of scenario arm `src`, phases cut at the wanted times (sorted,
 * unique, within the arm); rows then fall at phase starts and at the end. */
static calcify_status cut(calcify_probe_arm *pa, const calcify_arm *src, calcify_error *err)
{
    size_t cap = src->n_phases + pa->n_times;
    if (!(pa->run.phases = malloc(cap * sizeof *pa->run.phases)) ||
        !(pa->slot_of_row = malloc((cap + 1) * sizeof *pa->slot_of_row)))
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    size_t np = 0, ti = 0;
    double t0 = 0;      /* start of the scenario phase k */
    /* row 0 is t = 0 */
    pa->slot_of_row[0] = (pa->n_times && pa->times[0] == 0) ? (long)ti++ : -1;
    for (size_t k = 0; k < src->n_phases; k++) {
        double t1 = t0 + src->phases[k].duration, start = t0;
        /* cuts strictly inside the phase, then its end */
        while (ti < pa->n_times && pa->times[ti] < t1) {
            calcify_diet_phase ph = src->phases[k];
            ph.duration = pa->times[ti] - start;
            start = pa->times[ti];
            pa->run.phases[np++] = ph;
            pa->slot_of_row[np] = (long)ti++;
        }
        calcify_diet_phase ph = src->phases[k];
        ph.duration = t1 - start;
        pa->run.phases[np++] = ph;
        pa->slot_of_row[np] = (ti < pa->n_times && pa->times[ti] == t1) ? (long)ti++ : -1;
        t0 = t1;
    }
    pa->run.n_phases = np;
    pa->n_rows = np + 1;
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
            qsort(pa->times, pa->n_times, sizeof *pa->times, cmp_double);
            size_t u = 0; /* drop repeats */
            for (size_t i = 0; i < pa->n_times; i++)
                if (u == 0 || pa->times[i] != pa->times[u - 1])
                    pa->times[u++] = pa->times[i];
            pa->n_times = u;
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

calcify_status calcify_probe_init_grid(calcify_probe *p, const calcify_scenario *sc,
                                       const unsigned char *selected, double dt,
                                       const int *obs, size_t n_obs, calcify_error *err)
{
    if (!(dt > 0) || !isfinite(dt))
        return calcify_fail(err, CALCIFY_EUSAGE, "output step %g: expected > 0 d", dt);
    calcify_status st = start(p, sc, selected, obs, n_obs, err);
    for (size_t a = 0; !st && a < p->n_arms; a++) {
        calcify_probe_arm *pa = &p->arms[a];
        const calcify_arm *src = &sc->arms[pa->arm];
        double end = calcify_arm_duration(src);
        /* the solver's grid rule: k·dt below the end (a grid time within
         * 1e-9 of the end is the end), then the end */
        const double eps = 1e-9 * (end > 1 ? end : 1);
        size_t n = 0;
        while ((double)n * dt < end - eps)
            n++;
        pa->n_times = pa->n_rows = n + 1;
        pa->dt = dt;
        if (!(pa->times = malloc(pa->n_times * sizeof *pa->times)) ||
            !(pa->slot_of_row = malloc(pa->n_rows * sizeof *pa->slot_of_row)) ||
            !(pa->run.phases = malloc(src->n_phases * sizeof *pa->run.phases))) {
            st = calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
            break;
        }
        memcpy(pa->run.phases, src->phases, src->n_phases * sizeof *src->phases);
        for (size_t k = 0; k < n; k++) {
            pa->times[k] = (double)k * dt;
            pa->slot_of_row[k] = (long)k;
        }
        pa->times[n] = end;
        pa->slot_of_row[n] = (long)n;
    }
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
        int found = -1;
        for (int i = 0; i < CALCIFY_NOBS; i++)
            if (!strcmp(name, calcify_obs_names[i]))
                found = i;
        if (found < 0) {
            char near[256];
            calcify_suggest(name, calcify_obs_names, CALCIFY_NOBS, near, sizeof near);
            return calcify_fail(err, CALCIFY_EUSAGE, "--observable '%s': unknown%s%s%s "
                                "(observables are the columns of calcify run)", name,
                                near[0] ? "; did you mean " : "", near, near[0] ? "?" : "");
        }
        if (*n >= CALCIFY_NOBS)
            return calcify_fail(err, CALCIFY_EUSAGE, "--observable: too many");
        obs[(*n)++] = found;
        calcify_status st = calcify_obs_check_unique("--observable", obs, *n, CALCIFY_EUSAGE,
                                                     err);
        if (st)
            return st;
        if (!comma)
            return CALCIFY_OK;
        s = comma + 1;
    }
}
