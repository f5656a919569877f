/* endpoints.c — values at chosen times, AUC, min and max of an arm. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "calcify/endpoints.h"
#include "calcify/output.h"
#include "calcify/params.h"
#include "calcify/units.h"
#include "base/suggest.h"

/* what a summary reports when the scenario does not say: looked up by
 * name, so a model without one of them simply reports fewer */
static const char *const default_obs[] = {"ca_aorta_ug_per_mg", "cmgp_fraction",
                                          "clotting_activity_rel", "distensibility_rel"};

/* two times this close are the same time (they are sums of durations) */
static int same_time(double a, double b)
{
    return fabs(a - b) <= 1e-9 * (fabs(b) > 1 ? fabs(b) : 1);
}

int calcify_obs_find(const char *name)
{
    for (int i = 0; i < CALCIFY_NOBS; i++)
        if (strcmp(calcify_obs_names[i], name) == 0)
            return i;
    return -1;
}

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

calcify_status calcify_times_parse(const char *opt, const char *list, double **at,
                                   size_t *n_at, calcify_error *err)
{
    *at = NULL;
    *n_at = 0;
    size_t cap = count_items(list);
    double *v = calloc(cap, sizeof *v);
    if (!v)
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    const char *p = list;
    for (size_t k = 0; k < cap; k++) {
        char item[64], text[80];
        size_t len = next_item(&p, item, sizeof item);
        char *end;
        (void)strtod(item, &end);
        while (*end == ' ')
            end++;
        /* a bare number is in days */
        snprintf(text, sizeof text, "%s%s", item, end != item && *end == '\0' ? " d" : "");
        if (len == 0 || len >= 63 || calcify_quantity_parse(text, "d", &v[k]) != 0 ||
            v[k] < 0 || v[k] > 1e6 || (k && !(v[k] > v[k - 1]))) {
            free(v);
            return calcify_fail(err, CALCIFY_EUSAGE,
                                "%s '%s': '%s' (expected increasing times >= 0, in "
                                "days or with a unit: 7,14 or '6 w,12 w,1 y')",
                                opt, list, item);
        }
    }
    *at = v;
    *n_at = cap;
    return CALCIFY_OK;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

calcify_status calcify_obs_check_unique(const calcify_obs_table *t, const char *where,
                                        const int *obs, size_t n, calcify_status code,
                                        calcify_error *err)
{
    for (size_t j = 1; j < n; j++)
        for (size_t i = 0; i < j; i++)
            if (obs[i] == obs[j])
                return calcify_fail(err, code, "%s '%s' given twice (expected each "
                                    "observable once)", where, calcify_obs_name(t, obs[j]));
    return CALCIFY_OK;
}

calcify_status calcify_obs_list_parse(const char *opt, const char *list, int **obs,
                                      size_t *n_obs, calcify_error *err)
{
    *obs = NULL;
    *n_obs = 0;
    size_t cap = count_items(list);
    int *v = calloc(cap, sizeof *v);
    if (!v)
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    const char *p = list;
    for (size_t k = 0; k < cap; k++) {
        char name[128];
        next_item(&p, name, sizeof name);
        if ((v[k] = calcify_obs_defer(name)) < 0) {
            char near[256];
            calcify_suggest(name, calcify_obs_names, CALCIFY_NOBS, near, sizeof near);
            free(v);
            return calcify_fail(err, CALCIFY_EUSAGE,
                                "%s: '%s' is not an output column (expected names such "
                                "as ca_aorta_ug_per_mg,cmgp_fraction)%s%s%s", opt, name,
                                near[0] ? "; did you mean " : "", near, near[0] ? "?" : "");
        }
    }
    calcify_status st = calcify_obs_check_unique(NULL, opt, v, cap, CALCIFY_EUSAGE, err);
    if (st) {
        free(v);
        return st;
    }
    *obs = v;
    *n_obs = cap;
    return CALCIFY_OK;
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
            if (!u || !same_time(e->at[i], e->at[u - 1]))
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
    int p = calcify_param_find(name);
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
    return e->n_obs * (e->n_at + 3);
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
}

void calcify_endpoints_write_values(FILE *fp, int precision, const double *v, size_t n)
{
    calcify_csv_write_numbers(fp, precision, v, n); /* NAN: empty, NA in R */
}

typedef struct {
    const calcify_endpoints *e;
    double *v;             /* the columns                               */
    double t_prev;         /* previous row, for the trapezoid           */
    double prev[CALCIFY_MAX_OBS];
    int have_prev;
} capture_ctx;

static int capture(void *user, const calcify_arm *arm, double t, size_t phase,
                   const double y[], const double o[])
{
    (void)phase, (void)y;
    capture_ctx *c = user;
    const calcify_endpoints *e = c->e;
    size_t n_obs = e->n_obs, auc = e->n_at * n_obs, lo = auc + n_obs, hi = lo + n_obs;
    for (size_t k = 0; k < e->n_at; k++)
        if (same_time(t, e->at[k]))
            for (size_t j = 0; j < n_obs; j++)
                c->v[k * n_obs + j] = o[e->obs[j]];
    for (size_t j = 0; j < n_obs; j++) {
        double x = o[e->obs[j]];
        if (!c->have_prev) {
            c->v[auc + j] = 0;
            c->v[lo + j] = c->v[hi + j] = x;
            continue;
        }
        c->v[auc + j] += 0.5 * (t - c->t_prev) * (x + c->prev[e->obs[j]]);
        if (x < c->v[lo + j])
            c->v[lo + j] = x;
        if (x > c->v[hi + j])
            c->v[hi + j] = x;
    }
    c->t_prev = t;
    memcpy(c->prev, o, calcify_obs_count(arm->obs) * sizeof *o);
    c->have_prev = 1;
    return 0;
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
            if (t >= ph->duration || t >= c1 || (c1 < ph->duration && same_time(t, c1)))
                break;
            if (t < c0 && !same_time(t, c0))
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

void calcify_arm_split_free(calcify_arm *a)
{
    if (!a)
        return;
    for (size_t p = 0; a->phases && p < a->n_phases; p++)
        free(a->phases[p].doses);
    free(a->phases);
    a->phases = NULL;
}

calcify_status calcify_arm_split(const calcify_arm *arm, const double *at, size_t n_at,
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
            if (k < n_at && (!(next > cut) || same_time(next, cut) || !(next < end) ||
                             same_time(next, end)))
                continue;
            calcify_diet_phase *piece = &out->phases[n];
            *piece = *ph;
            piece->duration = next - cut;
            out->n_phases = ++n;
            if (piece_doses(ph, cut - start, next - start, &piece->doses, &piece->n_doses)) {
                piece->doses = NULL;
                calcify_arm_split_free(out);
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

calcify_status calcify_endpoints_arm(calcify_sim *sim, const calcify_arm *arm,
                                     const double y0[CALCIFY_NSTATE],
                                     const calcify_endpoints *e, double *values,
                                     unsigned long *steps, unsigned long *rhs_evals,
                                     calcify_error *err)
{
    size_t n = calcify_endpoints_ncols(e);
    for (size_t i = 0; i < n; i++)
        values[i] = NAN;
    *steps = *rhs_evals = 0;
    calcify_arm split;
    if (calcify_arm_split(arm, e->at, e->n_at, &split))
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    calcify_solver *solver = calcify_sim_solver(sim);
    unsigned long s0 = calcify_solver_steps(solver), r0 = calcify_solver_rhs_evals(solver);
    capture_ctx c = {.e = e, .v = values};
    calcify_sim_set_boundary_rows(sim, 1);
    calcify_status st = calcify_sim_run_arm(sim, &split, y0, e->grid, capture, &c, err);
    calcify_sim_set_boundary_rows(sim, 0);
    calcify_arm_split_free(&split);
    *steps = calcify_solver_steps(solver) - s0;
    *rhs_evals = calcify_solver_rhs_evals(solver) - r0;
    if (st)
        for (size_t i = 0; i < n; i++)
            values[i] = NAN;
    return st;
}

calcify_status calcify_sim_run_arm_at(calcify_sim *sim, const calcify_arm *arm,
                                      const double y0[CALCIFY_NSTATE], const double *times,
                                      size_t n, calcify_row_fn row, void *user,
                                      calcify_error *err)
{
    double *at = malloc((n ? n : 1) * sizeof *at);
    if (!at)
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    memcpy(at, times, n * sizeof *at);
    qsort(at, n, sizeof *at, cmp_double);
    calcify_arm split;
    calcify_status st = calcify_arm_split(arm, at, n, &split);
    free(at);
    if (st)
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    /* dt 0: rows at 0, at every phase start and at the end only */
    st = calcify_sim_run_arm(sim, &split, y0, 0, row, user, err);
    calcify_arm_split_free(&split);
    return st;
}
