/* targets.c — observed targets: read with libcsv, resolved against a
 * scenario's data labels, and simulated. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "calcify/endpoints.h"
#include "calcify/runner.h"
#include "calcify/timegrid.h"
#include "calcify/targets.h"
#include "calcify/units.h"
#include "base/csvread.h"
#include "base/suggest.h"

/* the first format, still read, and the current one */
static const char *const header_v1[] = {"arm", "week", "observable", "unit", "target",
                                        "accept_lo", "accept_hi", "basis", "source"};
static const char *const header_v2[] = {"arm", "time", "observable", "target", "accept_lo",
                                        "accept_hi", "sd", "n", "basis", "source"};
enum { N_V1 = 9, N_V2 = 10, N_COLS = 10 };

/* The first format's names, of the shipped model's columns (looked up by
 * name in the scenario's model, which must have them). */
static const struct {
    const char *name, *unit, *column;
    int is_ratio;
} observables[] = {
    {"ca_aorta", "ug_per_mg_dry", "ca_aorta_ug_per_mg", 0},
    {"ca_aorta_ratio", "1", "ca_aorta_ug_per_mg", 1},
    {"clotting_activity_rel_control", "1", "clotting_activity_rel", 0},
};
enum { N_OBSERVABLES = sizeof observables / sizeof observables[0] };

typedef struct {
    const char *path;
    const calcify_scenario *sc;
    calcify_targets *tg;
    calcify_error *err;
    int line;                 /* physical line where the current record began */
    int records;              /* records seen (the header is record 1)         */
    int version;              /* 1 or 2, from the header                    */
    size_t file;              /* index of this file in tg->paths            */
    int col;                  /* fields in the record                       */
    char **fields;            /* the first N_COLS of them                   */
} reader;

/* A number field: empty gives `empty`; anything else must parse fully. */
static int number(const char *s, double empty, double *out)
{
    if (!s[0]) {
        *out = empty;
        return 0;
    }
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno == ERANGE || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

static calcify_status add(reader *r, const calcify_target *t)
{
    /* a time after an arm's end has no simulated value to compare */
    const calcify_arm *arms[2] = {&r->sc->arms[t->arm], t->is_ratio ? &r->sc->arms[t->arm_den] : NULL};
    for (int k = 0; k < 2; k++)
        if (arms[k] && t->time_d > calcify_arm_duration(arms[k]) &&
            !calcify_same_time(t->time_d, calcify_arm_duration(arms[k])))
            return calcify_fail(r->err, CALCIFY_EINPUT,
                                "%s:%d: time %g d is after the end of arm '%s' (%g d) "
                                "(expected a time within the arm)", r->path, r->line,
                                t->time_d, arms[k]->name, calcify_arm_duration(arms[k]));
    calcify_targets *tg = r->tg;
    calcify_target *grown = realloc(tg->items, (tg->n + 1) * sizeof *grown);
    if (!grown)
        return calcify_fail(r->err, CALCIFY_ENOMEM, "out of memory");
    tg->items = grown;
    tg->items[tg->n++] = *t;
    return CALCIFY_OK;
}

static calcify_status check_header(reader *r)
{
    char **f = r->fields;
    const char *const *want = r->col == N_V1 ? header_v1 : header_v2;
    int n = r->col == N_V1 ? N_V1 : N_V2;
    r->version = r->col == N_V1 ? 1 : 2;
    if (r->col != N_V1 && r->col != N_V2)
        return calcify_fail(r->err, CALCIFY_EINPUT,
                            "%s:%d: %d columns (expected arm,time,observable,target,"
                            "accept_lo,accept_hi,sd,n,basis,source)", r->path, r->line,
                            r->col);
    for (int c = 0; c < n; c++)
        if (strcmp(f[c], want[c]) != 0)
            return calcify_fail(r->err, CALCIFY_EINPUT,
                                "%s:%d: column %d is '%s' (expected '%s')",
                                r->path, r->line, c + 1, f[c], want[c]);
    return CALCIFY_OK;
}

/* Time, observable, sd and n of a current-format row into t. */
static calcify_status parse_v2(reader *r, calcify_target *t)
{
    const char *path = r->path;
    int line = r->line;
    char **f = r->fields, *end;
    /* a bare number is refused: papers give weeks, tables days, and "8"
     * read as days would put an 8-week value at day 8 without a word */
    double bare = strtod(f[1], &end);
    if (end != f[1] && *end == '\0')
        return calcify_fail(r->err, CALCIFY_EINPUT,
                            "%s:%d: time '%s' has no unit (expected e.g. \"%s w\" or "
                            "\"%g d\")", path, line, f[1], f[1], 7 * bare);
    if (calcify_quantity_parse(f[1], "d", &t->time_d) != 0 || !(t->time_d >= 0))
        return calcify_fail(r->err, CALCIFY_EINPUT,
                            "%s:%d: time is '%s' (expected a time >= 0 with a unit, "
                            "e.g. 6 w or 42 d)", path, line, f[1]);
    char name[256];
    snprintf(name, sizeof name, "%s", f[2]);
    size_t len = strlen(name);
    /* a built-in column or one of the scenario's own observables */
    const calcify_obs_table *table = r->sc->obs;
    int o = calcify_obs_lookup(table, name);
    if (o < 0 && len > 6 && strcmp(name + len - 6, "_ratio") == 0) {
        name[len - 6] = '\0';
        if ((o = calcify_obs_lookup(table, name)) >= 0)
            t->is_ratio = 1;
    }
    if (o < 0) {
        char near[256];
        calcify_suggest(f[2], calcify_obs_names_of(table), calcify_obs_count(table), near,
                        sizeof near);
        return calcify_fail(r->err, CALCIFY_EINPUT,
                            "%s:%d: unknown observable '%s' (expected a column name "
                            "of 'calcify run', optionally with _ratio)%s%s%s",
                            path, line, f[2], near[0] ? "; did you mean " : "", near,
                            near[0] ? "?" : "");
    }
    t->obs = o;
    if (number(f[6], NAN, &t->sd) || (f[6][0] && !(t->sd > 0)) ||
        number(f[7], NAN, &t->n_animals) ||
        (f[7][0] && !(t->n_animals >= 1 && t->n_animals == floor(t->n_animals))))
        return calcify_fail(r->err, CALCIFY_EINPUT,
                            "%s:%d: sd '%s', n '%s' (expected sd > 0 and a whole "
                            "n >= 1, or empty fields)", path, line, f[6], f[7]);
    return CALCIFY_OK;
}

static calcify_status row(reader *r)
{
    const char *path = r->path;
    int line = r->line;
    char **f = r->fields;
    if (r->records == 1)
        return check_header(r);
    int n_cols = r->version == 1 ? N_V1 : N_V2;
    if (r->col != n_cols)
        return calcify_fail(r->err, CALCIFY_EINPUT,
                            "%s:%d: %d fields (expected %d, as in the header)",
                            path, line, r->col, n_cols);
    calcify_target t;
    memset(&t, 0, sizeof t);
    t.row = line;
    t.file = r->file;
    t.sd = t.n_animals = NAN;
    snprintf(t.label, sizeof t.label, "%s", f[0]);
    snprintf(t.observable, sizeof t.observable, "%s", f[2]);
    /* the value columns: target, accept_lo, accept_hi */
    int v = r->version == 1 ? 4 : 3;
    if (r->version == 1) {
        double week;
        if (number(f[1], NAN, &week) || !(week >= 0))
            return calcify_fail(r->err, CALCIFY_EINPUT,
                                "%s:%d: week is '%s' (expected a number >= 0)", path,
                                line, f[1]);
        t.time_d = 7.0 * week;
        int o = 0;
        while (o < N_OBSERVABLES && strcmp(observables[o].name, f[2]) != 0)
            o++;
        if (o == N_OBSERVABLES)
            return calcify_fail(r->err, CALCIFY_EINPUT,
                                "%s:%d: unknown observable '%s' (expected ca_aorta, "
                                "ca_aorta_ratio or clotting_activity_rel_control)",
                                path, line, f[2]);
        if (strcmp(observables[o].unit, f[3]) != 0)
            return calcify_fail(r->err, CALCIFY_EINPUT,
                                "%s:%d: unit of %s is '%s' (expected '%s')", path, line,
                                f[2], f[3], observables[o].unit);
        t.obs = calcify_modeldef_obs(calcify_paramset_model(&r->sc->params),
                                     observables[o].column);
        if (t.obs < 0)
            return calcify_fail(r->err, CALCIFY_EINPUT, "%s:%d: %s needs the column %s "
                                "(expected a model that has it)", path, line, f[2],
                                observables[o].column);
        t.is_ratio = observables[o].is_ratio;
    } else {
        calcify_status st = parse_v2(r, &t);
        if (st)
            return st;
    }
    t.week = t.time_d / 7.0;
    if (number(f[v], NAN, &t.target) || number(f[v + 1], -INFINITY, &t.lo) ||
        number(f[v + 2], INFINITY, &t.hi) || t.lo > t.hi)
        return calcify_fail(r->err, CALCIFY_EINPUT,
                            "%s:%d: target '%s', range '%s'..'%s' (expected "
                            "numbers or empty fields, accept_lo <= accept_hi)",
                            path, line, f[v], f[v + 1], f[v + 2]);
    const calcify_data_label *l = calcify_scenario_find_label(r->sc, f[0]);
    const calcify_arm *direct = l ? NULL : calcify_scenario_find_arm(r->sc, f[0]);
    if (!l && !direct) {
        char near[256] = "";
        if (r->sc->n_labels)
            calcify_suggest_strided(f[0], &r->sc->labels[0].label, r->sc->n_labels,
                                    sizeof r->sc->labels[0], near, sizeof near);
        return calcify_fail(r->err, CALCIFY_EINPUT,
                            "%s:%d: arm label '%s' is neither an arm nor in data_labels "
                            "of %s (expected an arm name or a data_labels entry)%s%s%s",
                            path, line, f[0], r->sc->path,
                            near[0] ? "; did you mean " : "", near,
                            near[0] ? "?" : "");
    }
    if (direct) { /* an arm's own name needs no data_labels entry */
        if (t.is_ratio)
            return calcify_fail(r->err, CALCIFY_EINPUT,
                                "%s:%d: %s needs a ratio label from data_labels, but "
                                "'%s' is an arm", path, line, f[2], f[0]);
        t.arm = (size_t)(direct - r->sc->arms);
        return add(r, &t);
    }
    if ((l->n_den > 0) != t.is_ratio)
        return calcify_fail(r->err, CALCIFY_EINPUT,
                            "%s:%d: %s needs %s label, but '%s' is %s", path, line,
                            f[2], t.is_ratio ? "a ratio" : "an arm-list",
                            f[0], l->n_den ? "a ratio" : "an arm list");
    for (size_t i = 0; i < l->n_arms; i++)
        for (size_t j = 0; j < (t.is_ratio ? l->n_den : 1); j++) {
            t.arm = l->arms[i];
            t.arm_den = t.is_ratio ? l->den[j] : 0;
            calcify_status st = add(r, &t);
            if (st)
                return st;
        }
    return CALCIFY_OK;
}

static calcify_status on_record(void *user, const calcify_csv_record *rec, calcify_error *err)
{
    (void)err; /* r->err */
    reader *r = user;
    r->records = rec->record;
    r->line = rec->line;
    r->col = rec->n_fields > 1000 ? 1000 : (int)rec->n_fields;
    r->fields = rec->fields;
    return row(r);
}

calcify_status calcify_targets_load(const char *path, const calcify_scenario *sc,
                                    calcify_targets *tg, calcify_error *err)
{
    memset(tg, 0, sizeof *tg);
    calcify_status st = calcify_targets_append(path, sc, tg, err);
    if (st)
        calcify_targets_free(tg);
    return st;
}

calcify_status calcify_targets_append(const char *path, const calcify_scenario *sc,
                                      calcify_targets *tg, calcify_error *err)
{
    size_t n_before = tg->n;
    reader r = {.path = path, .sc = sc, .tg = tg, .err = err, .file = tg->n_paths};
    int records;
    calcify_status st = calcify_csv_read(path, "a CSV file of targets", N_COLS, on_record,
                                         &r, &records, err);
    if (!st && records == 0)
        st = calcify_fail(err, CALCIFY_EINPUT, "%s: file is empty (expected a "
                          "header line and target rows)", path);
    if (!st && tg->n == n_before)
        st = calcify_fail(err, CALCIFY_EINPUT, "%s: no target rows (expected "
                          "at least one after the header)", path);
    char **paths = st ? NULL : realloc(tg->paths, (tg->n_paths + 1) * sizeof *paths);
    if (paths)
        tg->paths = paths;
    if (!st && (!paths || !(tg->paths[tg->n_paths] = strdup(path)) ||
                (!tg->path && !(tg->path = strdup(path)))))
        st = calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    if (!st)
        tg->n_paths++;
    if (st)
        tg->n = n_before; /* the rows of this file go; the others stay */
    return st;
}

double calcify_target_sigma(const calcify_target *t)
{
    if (isfinite(t->sd))
        return isfinite(t->n_animals) ? t->sd / sqrt(t->n_animals) : t->sd;
    if (isfinite(t->lo) && isfinite(t->hi) && t->hi > t->lo)
        return (t->hi - t->lo) / 4.0;
    return NAN;
}

void calcify_targets_free(calcify_targets *tg)
{
    if (!tg)
        return;
    free(tg->items);
    free(tg->path);
    for (size_t k = 0; k < tg->n_paths; k++)
        free(tg->paths[k]);
    free(tg->paths);
    memset(tg, 0, sizeof *tg);
}

int calcify_target_ok(const calcify_target *t, double v)
{
    return isfinite(v) && v >= t->lo && v <= t->hi;
}

calcify_judgement calcify_target_judge(const calcify_target *t, double v,
                                       calcify_rule *rule, double *lo, double *hi)
{
    calcify_rule r = CALCIFY_RULE_NONE;
    double a = -INFINITY, b = INFINITY;
    if (isfinite(t->lo) || isfinite(t->hi)) {
        r = CALCIFY_RULE_RANGE;
        a = t->lo;
        b = t->hi;
    } else if (isfinite(t->target) && isfinite(t->sd) && isfinite(t->n_animals)) {
        /* the mean of n animals lies within 2 standard errors of it (~95%) */
        double half = 2 * t->sd / sqrt(t->n_animals);
        r = CALCIFY_RULE_SEM;
        a = t->target - half;
        b = t->target + half;
    }
    if (rule)
        *rule = r;
    if (lo)
        *lo = a;
    if (hi)
        *hi = b;
    if (r == CALCIFY_RULE_NONE)
        return CALCIFY_UNJUDGED;
    if (r == CALCIFY_RULE_SEM) /* the distance itself, free of rounding in a ± b */
        return isfinite(v) && fabs(v - t->target) <= 2 * t->sd / sqrt(t->n_animals)
                   ? CALCIFY_JUDGED_OK : CALCIFY_JUDGED_FAIL;
    return isfinite(v) && v >= a && v <= b ? CALCIFY_JUDGED_OK : CALCIFY_JUDGED_FAIL;
}

/* The times of the targets, sorted (the probe keeps one of each). */
static double *target_times(const calcify_targets *tg)
{
    double *t = malloc((tg->n ? tg->n : 1) * sizeof *t);
    for (size_t i = 0; t && i < tg->n; i++)
        t[i] = tg->items[i].time_d;
    return t;
}

/* The value of target item x's observable at its time in scenario arm k,
 * from a run's vector v of probe p (NAN if not read). */
static double probed(const calcify_probe *p, const double *v, size_t k,
                     const calcify_target *x)
{
    for (size_t a = 0; a < p->n_arms; a++) {
        if (p->arms[a].arm != k)
            continue;
        long ti = calcify_probe_time_index(&p->arms[a], x->time_d);
        return ti < 0 ? NAN : v[calcify_probe_slot(p, a, (size_t)ti, (size_t)x->obs)];
    }
    return NAN;
}

calcify_status calcify_targets_simulate(calcify_sim *sim,
                                        const calcify_scenario *sc,
                                        const calcify_targets *tg,
                                        double *sim_out, calcify_error *err)
{
    /* read as every command reads (calcify/probe.h): the arms with a
     * target, at every target time, all observables */
    unsigned char *needed = calloc(sc->n_arms ? sc->n_arms : 1, 1);
    double *times = target_times(tg), *v = NULL;
    calcify_probe p = {0};
    calcify_status st = CALCIFY_OK;
    if (!needed || !times)
        st = calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    for (size_t i = 0; !st && i < tg->n; i++) {
        needed[tg->items[i].arm] = 1;
        if (tg->items[i].is_ratio)
            needed[tg->items[i].arm_den] = 1;
    }
    const calcify_probe_spec spec = {.selected = needed, .at = times, .n_at = tg->n};
    if (!st)
        st = calcify_probe_make(&p, sc, &spec, err);
    if (!st && !(v = malloc((p.n_out ? p.n_out : 1) * sizeof *v)))
        st = calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    if (!st)
        st = calcify_run_status_code(calcify_runner_run(sim, sc, &p, NULL, -1, v, NULL,
                                                        NULL, err));
    for (size_t i = 0; !st && i < tg->n; i++) {
        const calcify_target *x = &tg->items[i];
        double num = probed(&p, v, x->arm, x);
        sim_out[i] = x->is_ratio ? num / probed(&p, v, x->arm_den, x) : num;
    }
    calcify_probe_free(&p);
    free(v);
    free(times);
    free(needed);
    return st;
}
