/* targets.c — observed targets: read with libcsv, resolved against a
 * scenario's data labels, and simulated. */
#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "calcify/targets.h"
#include "suggest.h"

static const char *const header[] = {"arm", "week", "observable", "unit", "target",
                                     "accept_lo", "accept_hi", "basis", "source"};
enum { N_COLS = sizeof header / sizeof header[0] };

static const struct {
    const char *name, *unit;
    int obs, is_ratio;
} observables[] = {
    {"ca_aorta", "ug_per_mg_dry", CALCIFY_O_CA_AORTA, 0},
    {"ca_aorta_ratio", "1", CALCIFY_O_CA_AORTA, 1},
    {"clotting_activity_rel_control", "1", CALCIFY_O_CLOTTING, 0},
};
enum { N_OBSERVABLES = sizeof observables / sizeof observables[0] };

typedef struct {
    const char *path;
    const calcify_scenario *sc;
    calcify_targets *tg;
    calcify_error *err;
    calcify_status st;
    int line;                 /* record number = line, as no field spans lines */
    int col;
    char fields[N_COLS][256];
} reader;

static void on_field(void *s, size_t len, void *data)
{
    reader *r = data;
    if (r->col < N_COLS) {
        size_t n = s ? (len < 255 ? len : 255) : 0; /* empty fields come as NULL */
        if (n)
            memcpy(r->fields[r->col], s, n);
        r->fields[r->col][n] = '\0';
    }
    r->col++;
}

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
    calcify_targets *tg = r->tg;
    calcify_target *grown = realloc(tg->items, (tg->n + 1) * sizeof *grown);
    if (!grown)
        return calcify_fail(r->err, CALCIFY_ENOMEM, "out of memory");
    tg->items = grown;
    tg->items[tg->n++] = *t;
    return CALCIFY_OK;
}

static calcify_status row(reader *r)
{
    const char *path = r->path;
    int line = r->line;
    char (*f)[256] = r->fields;
    if (r->col != N_COLS)
        return calcify_fail(r->err, CALCIFY_EINPUT,
                            "%s:%d: %d fields (expected %d: arm,week,observable,"
                            "unit,target,accept_lo,accept_hi,basis,source)",
                            path, line, r->col, N_COLS);
    if (line == 1) {
        for (int c = 0; c < N_COLS; c++)
            if (strcmp(f[c], header[c]) != 0)
                return calcify_fail(r->err, CALCIFY_EINPUT,
                                    "%s:1: column %d is '%s' (expected '%s')",
                                    path, c + 1, f[c], header[c]);
        return CALCIFY_OK;
    }
    calcify_target t;
    memset(&t, 0, sizeof t);
    t.row = line;
    snprintf(t.label, sizeof t.label, "%s", f[0]);
    snprintf(t.observable, sizeof t.observable, "%s", f[2]);
    if (number(f[1], NAN, &t.week) || !(t.week >= 0))
        return calcify_fail(r->err, CALCIFY_EINPUT,
                            "%s:%d: week is '%s' (expected a number >= 0)", path,
                            line, f[1]);
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
    t.obs = observables[o].obs;
    t.is_ratio = observables[o].is_ratio;
    if (number(f[4], NAN, &t.target) || number(f[5], -INFINITY, &t.lo) ||
        number(f[6], INFINITY, &t.hi) || t.lo > t.hi)
        return calcify_fail(r->err, CALCIFY_EINPUT,
                            "%s:%d: target '%s', range '%s'..'%s' (expected "
                            "numbers or empty fields, accept_lo <= accept_hi)",
                            path, line, f[4], f[5], f[6]);
    const calcify_data_label *l = calcify_scenario_find_label(r->sc, f[0]);
    if (!l) {
        char near[256];
        calcify_suggest_strided(f[0], &r->sc->labels[0].label, r->sc->n_labels,
                                sizeof r->sc->labels[0], near, sizeof near);
        return calcify_fail(r->err, CALCIFY_EINPUT,
                            "%s:%d: arm label '%s' is not in data_labels of %s"
                            "%s%s%s", path, line, f[0], r->sc->path,
                            near[0] ? " (did you mean " : "", near,
                            near[0] ? "?)" : "");
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

static void on_row(int c, void *data)
{
    (void)c;
    reader *r = data;
    r->line++;
    if (!r->st)
        r->st = row(r);
    r->col = 0;
}

calcify_status calcify_targets_load(const char *path, const calcify_scenario *sc,
                                    calcify_targets *tg, calcify_error *err)
{
    memset(tg, 0, sizeof *tg);
    struct stat sb;
    if (stat(path, &sb) != 0)
        return calcify_fail(err, CALCIFY_EINPUT, "%s: cannot open: %s", path,
                            strerror(errno));
    if (S_ISDIR(sb.st_mode))
        return calcify_fail(err, CALCIFY_EINPUT, "%s: is a directory (expected "
                            "a CSV file)", path);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return calcify_fail(err, CALCIFY_EINPUT, "%s: cannot open: %s", path,
                            strerror(errno));
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_APPEND_NULL | CSV_EMPTY_IS_NULL) != 0) {
        fclose(fp);
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    }
    reader r = {.path = path, .sc = sc, .tg = tg, .err = err};
    char buf[4096];
    size_t n;
    while (!r.st && (n = fread(buf, 1, sizeof buf, fp)) > 0)
        if (csv_parse(&p, buf, n, on_field, on_row, &r) != n)
            r.st = calcify_fail(err, CALCIFY_EINPUT, "%s:%d: %s (expected "
                                "comma-separated fields, quotes balanced)", path,
                                r.line + 1, csv_strerror(csv_error(&p)));
    if (!r.st && ferror(fp))
        r.st = calcify_fail(err, CALCIFY_EINPUT, "%s: cannot read: %s", path,
                            strerror(errno));
    if (!r.st && csv_fini(&p, on_field, on_row, &r) != 0)
        r.st = calcify_fail(err, CALCIFY_EINPUT, "%s:%d: %s", path, r.line + 1,
                            csv_strerror(csv_error(&p)));
    csv_free(&p);
    fclose(fp);
    if (!r.st && r.line == 0)
        r.st = calcify_fail(err, CALCIFY_EINPUT, "%s: file is empty (expected a "
                            "header line and target rows)", path);
    if (!r.st && tg->n == 0)
        r.st = calcify_fail(err, CALCIFY_EINPUT, "%s: no target rows (expected "
                            "at least one after the header)", path);
    if (!r.st && !(tg->path = strdup(path)))
        r.st = calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    if (r.st)
        calcify_targets_free(tg);
    return r.st;
}

void calcify_targets_free(calcify_targets *tg)
{
    if (!tg)
        return;
    free(tg->items);
    free(tg->path);
    memset(tg, 0, sizeof *tg);
}

int calcify_target_ok(const calcify_target *t, double v)
{
    return isfinite(v) && v >= t->lo && v <= t->hi;
}

typedef struct {
    const calcify_targets *tg;
    size_t arm;
    double *num, *den;
} capture;

static int capture_row(void *user, const calcify_arm *arm, double t, size_t phase,
                       const double y[], const double obs[CALCIFY_NOBS])
{
    (void)arm, (void)phase, (void)y;
    capture *c = user;
    for (size_t i = 0; i < c->tg->n; i++) {
        const calcify_target *x = &c->tg->items[i];
        if (fabs(t - 7.0 * x->week) > 1e-9)
            continue;
        if (x->arm == c->arm)
            c->num[i] = obs[x->obs];
        if (x->is_ratio && x->arm_den == c->arm)
            c->den[i] = obs[x->obs];
    }
    return 0;
}

calcify_status calcify_targets_simulate(calcify_sim *sim,
                                        const calcify_scenario *sc,
                                        const calcify_targets *tg,
                                        double *sim_out, calcify_error *err)
{
    double *num = malloc(tg->n * sizeof *num), *den = malloc(tg->n * sizeof *den);
    unsigned char *needed = calloc(sc->n_arms, 1);
    calcify_status st = CALCIFY_OK;
    if (!num || !den || !needed)
        st = calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    /* weekly rows when every week is whole, else daily */
    double dt = 7.0;
    for (size_t i = 0; !st && i < tg->n; i++) {
        num[i] = den[i] = NAN;
        needed[tg->items[i].arm] = 1;
        if (tg->items[i].is_ratio)
            needed[tg->items[i].arm_den] = 1;
        if (tg->items[i].week != floor(tg->items[i].week))
            dt = 1.0;
    }
    double y0[CALCIFY_NSTATE];
    calcify_sim_set_growth(sim, sc->growth);
    if (!st)
        st = calcify_sim_baseline(sim, sc->baseline, y0, err);
    for (size_t k = 0; !st && k < sc->n_arms; k++) {
        if (!needed[k])
            continue;
        capture c = {tg, k, num, den};
        st = calcify_sim_run_arm(sim, &sc->arms[k], y0, dt, capture_row, &c, err);
    }
    for (size_t i = 0; !st && i < tg->n; i++)
        sim_out[i] = tg->items[i].is_ratio ? num[i] / den[i] : num[i];
    free(num);
    free(den);
    free(needed);
    return st;
}
