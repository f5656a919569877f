/* endpoints.c — values at chosen times, AUC, min and max of an arm. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "calcify/endpoints.h"
#include "calcify/runner.h"
#include "calcify/timegrid.h"
#include "calcify/output.h"
#include "calcify/params.h"
#include "calcify/units.h"
#include "base/suggest.h"

/* what a summary reports when the scenario does not say: looked up by
 * name, so a model without one of them simply reports fewer */
static const char *const default_obs[] = {"ca_aorta_ug_per_mg", "cmgp_fraction",
                                          "clotting_activity_rel", "distensibility_rel"};

/* Items of a comma-separated list: how many, and the next one into buf
 * (its length, which may exceed cap - 1; *p moves past it). */
static size_t count_items(const char *list)
{
    size_t n = 1;
    for (; *list; list++)
        n += *list == ',';
    return n;
}

static size_t next_item(const char **p, char *buf, size_t cap)
{
    size_t len = strcspn(*p, ",");
    snprintf(buf, cap, "%.*s", (int)(len < cap - 1 ? len : cap - 1), *p);
    *p += len + ((*p)[len] == ',');
    return len;
}

/* One time of a list: a bare number is in days. */
static int parse_time(const char *item, size_t len, double *t)
{
    char text[80], *end;
    (void)strtod(item, &end);
    while (*end == ' ')
        end++;
    snprintf(text, sizeof text, "%s%s", item, end != item && *end == '\0' ? " d" : "");
    return len == 0 || len >= 63 || calcify_quantity_parse(text, "d", t) != 0 || !(*t >= 0) ||
           *t > 1e6;
}

calcify_status calcify_times_add(const char *opt, const char *list, double *at, size_t *n,
                                 size_t cap, calcify_error *err)
{
    const size_t count = count_items(list), n0 = *n;
    const char *p = list;
    for (size_t k = 0; k < count; k++) {
        char item[64];
        size_t len = next_item(&p, item, sizeof item);
        double t;
        if (parse_time(item, len, &t)) {
            *n = n0;
            return calcify_fail(err, CALCIFY_EUSAGE,
                                "%s '%s': '%s' (expected times >= 0, in days or with a "
                                "unit: 7,14 or '6 w,12 w,1 y')", opt, list, item);
        }
        if (*n > 0 && (!(t > at[*n - 1]) || calcify_same_time(t, at[*n - 1]))) {
            double last = at[*n - 1];
            *n = n0;
            return calcify_fail(err, CALCIFY_EUSAGE,
                                "%s '%s': '%s' (%g d) is %s %g d (expected increasing "
                                "times, each once)", opt, list, item, t,
                                calcify_same_time(t, last) ? "the same time as" : "before",
                                last);
        }
        if (*n == cap) {
            *n = n0;
            return calcify_fail(err, CALCIFY_EUSAGE, "%s: at most %zu times", opt, cap);
        }
        at[(*n)++] = t;
    }
    return CALCIFY_OK;
}

calcify_status calcify_times_parse(const char *opt, const char *list, double **at,
                                   size_t *n_at, calcify_error *err)
{
    size_t cap = *n_at + count_items(list);
    double *v = realloc(*at, cap * sizeof *v);
    if (!v)
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    *at = v;
    return calcify_times_add(opt, list, v, n_at, cap, err);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

calcify_status calcify_obs_add(const char *opt, const char *list, int *obs, size_t *n,
                               size_t cap, calcify_error *err)
{
    const size_t count = count_items(list), n0 = *n;
    const char *p = list;
    calcify_status st = CALCIFY_OK;
    for (size_t k = 0; !st && k < count; k++) {
        char name[128];
        next_item(&p, name, sizeof name);
        int o = calcify_obs_defer(name); /* a scenario's own: bound once it is read */
        if (o < 0) {
            char near[256];
            calcify_suggest(name, calcify_obs_names_of(NULL), calcify_obs_count(NULL), near,
                            sizeof near);
            st = calcify_fail(err, CALCIFY_EUSAGE,
                              "%s: '%s' is not an output column (expected names such "
                              "as ca_aorta_ug_per_mg,cmgp_fraction)%s%s%s", opt, name,
                              near[0] ? "; did you mean " : "", near, near[0] ? "?" : "");
        } else if (*n == cap) {
            st = calcify_fail(err, CALCIFY_EUSAGE, "%s: at most %zu observables", opt, cap);
        } else {
            obs[(*n)++] = o;
            st = calcify_obs_check_unique(NULL, opt, obs, *n, CALCIFY_EUSAGE, err);
        }
    }
    if (st)
        *n = n0;
    return st;
}

calcify_status calcify_obs_list_parse(const char *opt, const char *list, int **obs,
                                      size_t *n_obs, calcify_error *err)
{
    size_t cap = *n_obs + count_items(list);
    int *v = realloc(*obs, cap * sizeof *v);
    if (!v)
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    *obs = v;
    return calcify_obs_add(opt, list, v, n_obs, cap, err);
}

calcify_status calcify_endpoints_resolve(const calcify_scenario *sc,
                                         const unsigned char *selected,
                                         const double *at, size_t n_at,
                                         const int *obs_over, size_t n_obs_over,
                                         calcify_endpoints *e, calcify_error *err)
{
    memset(e, 0, sizeof *e);
    e->grid = sc->output_step;
    if (!at || !n_at) {
        at = sc->endpoints;
        n_at = sc->n_endpoints;
    }
    size_t cap = n_at;
    if (!n_at)
        for (size_t k = 0; k < sc->n_arms; k++)
            cap += sc->arms[k].n_phases;
    const int *obs_given = n_obs_over ? obs_over : sc->endpoint_obs;
    size_t n_given = n_obs_over ? n_obs_over : sc->n_endpoint_obs;
    size_t n_obs = n_given ? n_given : sizeof default_obs / sizeof default_obs[0];
    if (!(e->at = calloc(cap ? cap : 1, sizeof *e->at)) ||
        !(e->obs = calloc(n_obs, sizeof *e->obs))) {
        calcify_endpoints_free(e);
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    }
    if (n_at) {
        memcpy(e->at, at, n_at * sizeof *at);
        e->n_at = n_at;
    } else { /* the end of every phase, over the arms run */
        for (size_t k = 0; k < sc->n_arms; k++) {
            double t = 0;
            for (size_t p = 0; (!selected || selected[k]) && p < sc->arms[k].n_phases; p++)
                e->at[e->n_at++] = t += sc->arms[k].phases[p].duration;
        }
        qsort(e->at, e->n_at, sizeof *e->at, cmp_double);
        size_t u = 0;
        for (size_t i = 0; i < e->n_at; i++)
            if (!u || !calcify_same_time(e->at[i], e->at[u - 1]))
                e->at[u++] = e->at[i];
        e->n_at = u;
    }
    for (size_t i = 0; i < n_obs; i++) {
        int o = n_given ? obs_given[i] : calcify_obs_find(default_obs[i]);
        if (o >= 0)
            e->obs[e->n_obs++] = o;
    }
    e->table = sc->obs;
    calcify_status st = calcify_obs_bind(sc->obs, e->obs, e->n_obs, "--observable",
                                         CALCIFY_EUSAGE, err);
    if (st)
        calcify_endpoints_free(e);
    return st;
}

int calcify_setting_column(const calcify_scenario *sc, const char *name, char *col,
                           size_t cap, double *value)
{
    int p = calcify_modeldef_param(calcify_paramset_model(&sc->params), name);
    if (p >= 0) {
        *value = sc->params.value[p];
        calcify_param_column(p, col, cap);
        return 0;
    }
    const calcify_var *v = calcify_scenario_find_var(sc, name);
    if (!v)
        return -1;
    char *end;
    *value = strtod(v->value, &end);
    if (end == v->value)
        *value = NAN;
    while (*end == ' ')
        end++;
    size_t n = (size_t)snprintf(col, cap, "%s", name);
    if (*end && strcmp(end, "1") != 0 && n + 1 < cap)
        col[n++] = '_', col[n] = '\0';
    for (; *end && strcmp(end, "1") != 0 && n + 6 < cap; end++) {
        if (*end == '/') {
            memcpy(col + n, "_per_", 6);
            n += 5;
        } else if (*end != ' ') {
            col[n++] = *end == '%' ? 'p' : *end; /* "%" is not a name character */
            col[n] = '\0';
        }
    }
    return 0;
}

void calcify_endpoints_free(calcify_endpoints *e)
{
    if (!e)
        return;
    free(e->at);
    free(e->obs);
    memset(e, 0, sizeof *e);
}

size_t calcify_endpoints_ncols(const calcify_endpoints *e)
{
    return e->n_obs * (e->n_at + CALCIFY_NMETRIC);
}

void calcify_endpoints_write_names(FILE *fp, const calcify_endpoints *e)
{
    for (size_t t = 0; t < e->n_at; t++)
        for (size_t j = 0; j < e->n_obs; j++)
            fprintf(fp, ",%s_at_%.10gd", calcify_obs_name(e->table, e->obs[j]), e->at[t]);
    for (size_t j = 0; j < e->n_obs; j++)
        fprintf(fp, ",auc_%s_x_d", calcify_obs_name(e->table, e->obs[j]));
    for (size_t j = 0; j < e->n_obs; j++)
        fprintf(fp, ",min_%s", calcify_obs_name(e->table, e->obs[j]));
    for (size_t j = 0; j < e->n_obs; j++)
        fprintf(fp, ",max_%s", calcify_obs_name(e->table, e->obs[j]));
    for (size_t j = 0; j < e->n_obs; j++)
        fprintf(fp, ",tmax_%s_d", calcify_obs_name(e->table, e->obs[j]));
}

void calcify_endpoints_write_values(FILE *fp, int precision, const double *v, size_t n)
{
    calcify_csv_write_numbers(fp, precision, v, n); /* NAN: empty, NA in R */
}

calcify_status calcify_endpoints_probe(const calcify_endpoints *e, const calcify_scenario *sc,
                                       const unsigned char *selected, calcify_probe *p,
                                       calcify_error *err)
{
    const calcify_probe_spec s = {.selected = selected, .dt = e->grid, .at = e->at,
                                  .n_at = e->n_at, .obs = e->obs, .n_obs = e->n_obs,
                                  .metrics = 1};
    return calcify_probe_make(p, sc, &s, err);
}

void calcify_endpoints_from_probe(const calcify_endpoints *e, const calcify_probe *p,
                                  size_t a, const double *v, double *values)
{
    size_t k = 0;
    for (size_t t = 0; t < e->n_at; t++) {
        long ti = calcify_probe_time_index(&p->arms[a], e->at[t]);
        for (size_t j = 0; j < e->n_obs; j++)
            values[k++] = ti < 0 ? NAN : v[calcify_probe_slot(p, a, (size_t)ti, j)];
    }
    for (int m = 0; m < CALCIFY_NMETRIC; m++)
        for (size_t j = 0; j < e->n_obs; j++)
            values[k++] = v[calcify_probe_metric_slot(p, a, m, j)];
}

calcify_status calcify_endpoints_arm(calcify_sim *sim, const calcify_arm *arm,
                                     const double y0[],
                                     const calcify_endpoints *e, double *values,
                                     unsigned long *steps, unsigned long *rhs_evals,
                                     calcify_error *err)
{
    size_t n = calcify_endpoints_ncols(e);
    for (size_t i = 0; i < n; i++)
        values[i] = NAN;
    *steps = *rhs_evals = 0;
    const calcify_probe_spec s = {.dt = e->grid, .at = e->at, .n_at = e->n_at,
                                  .obs = e->obs, .n_obs = e->n_obs, .metrics = 1};
    calcify_probe p;
    calcify_status st = calcify_probe_make_arm(&p, arm, &s, err);
    double *v = st ? NULL : malloc((p.n_out ? p.n_out : 1) * sizeof *v);
    if (!st && !v)
        st = calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    calcify_run_cost cost = {0, 0};
    if (!st)
        st = calcify_runner_arm(sim, &p, 0, y0, 0, v, &cost, err);
    if (v)
        calcify_endpoints_from_probe(e, &p, 0, v, values);
    *steps = cost.steps;
    *rhs_evals = cost.rhs_evals;
    free(v);
    calcify_probe_free(&p);
    return st;
}
