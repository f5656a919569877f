/* individuals.c — the animals of a population from a CSV file (mrgsolve's
 * idata_set): read through csvread.c, checked like every parameter value. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "calcify/population.h"
#include "base/csvread.h"
#include "base/suggest.h"

/* Parameters and columns are named as those of the model parameter files
 * are read for (calcify/params.h): the scenario's. */
#define MD (calcify_params_file_model())

/* the columns kept: id, arm and every parameter once */
#define MAX_COLS (CALCIFY_MAX_PARAM + 2)

typedef struct {
    const calcify_scenario *sc;
    calcify_individuals *ind;
    size_t n_cols;
    int kind[MAX_COLS];   /* a calcify_param_index, or COL_ID / COL_ARM */
    size_t cap;
} ireader;

enum { COL_ID = -10, COL_ARM = -11 }; /* below calcify_modeldef_param's -1 */

static calcify_status header_column(ireader *r, const calcify_csv_record *rec, size_t c,
                                    calcify_error *err)
{
    const char *name = rec->fields[c];
    int kind = !strcmp(name, "id") ? COL_ID : !strcmp(name, "arm") ? COL_ARM
                                                                    : calcify_modeldef_param(MD, name);
    if (kind == -1) {
        char near[256];
        calcify_suggest_strided(name, &MD->params[0].name, MD->n_param, sizeof MD->params[0], near, sizeof near);
        return calcify_fail(err, CALCIFY_EINPUT, "%s:%d: unknown column '%s' (expected id, "
                            "arm or a parameter name, as calcify params lists them)%s%s%s",
                            rec->path, rec->line, name, near[0] ? "; did you mean " : "",
                            near, near[0] ? "?" : "");
    }
    for (size_t k = 0; k < c; k++)
        if (r->kind[k] == kind)
            return calcify_fail(err, CALCIFY_EINPUT, "%s:%d: column '%s' given twice "
                                "(expected each column once)", rec->path, rec->line, name);
    r->kind[c] = kind;
    if (kind >= 0) {
        /* body weight and food intake scale a growth table; others must be
         * parameters the scenario lets an animal have */
        char who[512];
        snprintf(who, sizeof who, "%s:%d: column '%s'", rec->path, rec->line, name);
        if (kind != MD->p_body_weight && kind != MD->p_food_intake &&
            calcify_scenario_check_settable(r->sc, kind, who, CALCIFY_EINPUT, err))
            return CALCIFY_EINPUT;
        r->ind->param[r->ind->m++] = kind;
    }
    return CALCIFY_OK;
}

static calcify_status header(ireader *r, const calcify_csv_record *rec, calcify_error *err)
{
    if (rec->n_fields > MD->n_param + 2)
        return calcify_fail(err, CALCIFY_EINPUT, "%s:%d: %zu columns (expected at most %d: "
                            "id, arm and each parameter once)", rec->path, rec->line,
                            rec->n_fields, (int)(MD->n_param + 2));
    r->n_cols = rec->n_fields;
    for (size_t c = 0; c < r->n_cols; c++) {
        calcify_status st = header_column(r, rec, c, err);
        if (st)
            return st;
    }
    for (size_t c = 0; c < r->n_cols; c++)
        if (r->kind[c] == COL_ID)
            return CALCIFY_OK;
    return calcify_fail(err, CALCIFY_EINPUT, "%s:%d: no column 'id' (expected a header "
                        "such as id,body_weight,ca_dep_max)", rec->path, rec->line);
}

static int whole_number(const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    *out = strtod(s, &end);
    return end == s || *end || errno == ERANGE || !isfinite(*out) || *out < lo ||
           *out > hi || (lo >= 1 && *out != floor(*out));
}

/* Field c of data row i into ind. */
static calcify_status field(ireader *r, const calcify_csv_record *rec, size_t c, size_t i,
                            size_t *j, calcify_error *err)
{
    calcify_individuals *ind = r->ind;
    const char *f = rec->fields[c];
    double v;
    if (r->kind[c] == COL_ID) {
        if (whole_number(f, 1, 1e15, &v))
            return calcify_fail(err, CALCIFY_EINPUT, "%s:%d: id '%s' (expected a whole "
                                "number >= 1)", rec->path, rec->line, f);
        ind->id[i] = (long long)v;
        return CALCIFY_OK;
    }
    if (r->kind[c] == COL_ARM) {
        const calcify_arm *a = calcify_scenario_find_arm(r->sc, f);
        if (a) {
            ind->arm[i] = (long)(a - r->sc->arms);
            return CALCIFY_OK;
        }
        char near[256];
        calcify_suggest_strided(f, &r->sc->arms[0].name, r->sc->n_arms,
                                sizeof r->sc->arms[0], near, sizeof near);
        return calcify_fail(err, CALCIFY_EINPUT, "%s:%d: arm '%s' is not an arm of %s "
                            "(expected one of its arm names)%s%s%s", rec->path, rec->line, f,
                            r->sc->path, near[0] ? "; did you mean " : "", near,
                            near[0] ? "?" : "");
    }
    const calcify_param_def *d = &MD->params[r->kind[c]];
    if (whole_number(f, -INFINITY, INFINITY, &v))
        return calcify_fail(err, CALCIFY_EINPUT, "%s:%d: %s is '%s' (expected a number, "
                            "in %s)", rec->path, rec->line, d->name, f, d->unit);
    if (calcify_param_check(r->kind[c], v, rec->path, rec->line, err))
        return CALCIFY_EINPUT;
    ind->values[i * ind->m + (*j)++] = v;
    return CALCIFY_OK;
}

static calcify_status grow(calcify_individuals *ind, size_t *cap, calcify_error *err)
{
    if (ind->n < *cap)
        return CALCIFY_OK;
    size_t nc = *cap ? 2 * *cap : 64;
    double *v = realloc(ind->values, nc * (ind->m ? ind->m : 1) * sizeof *v);
    if (v)
        ind->values = v;
    long long *id = v ? realloc(ind->id, nc * sizeof *id) : NULL;
    if (id)
        ind->id = id;
    long *arm = id ? realloc(ind->arm, nc * sizeof *arm) : NULL;
    if (arm)
        ind->arm = arm;
    int *line = arm ? realloc(ind->line, nc * sizeof *line) : NULL;
    if (!line)
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    ind->line = line;
    *cap = nc;
    return CALCIFY_OK;
}

static calcify_status on_record(void *user, const calcify_csv_record *rec, calcify_error *err)
{
    ireader *r = user;
    if (rec->record == 1)
        return header(r, rec, err);
    calcify_individuals *ind = r->ind;
    if (rec->n_fields != r->n_cols)
        return calcify_fail(err, CALCIFY_EINPUT, "%s:%d: %zu fields (expected %zu, as in "
                            "the header)", rec->path, rec->line, rec->n_fields, r->n_cols);
    if (ind->n == CALCIFY_POPULATION_MAX_PER_ARM)
        return calcify_fail(err, CALCIFY_EINPUT, "%s:%d: more than %d animals (expected at "
                            "most that many rows)", rec->path, rec->line,
                            CALCIFY_POPULATION_MAX_PER_ARM);
    calcify_status st = grow(ind, &r->cap, err);
    size_t i = ind->n, j = 0;
    ind->arm[i] = -1;
    ind->line[i] = rec->line;
    for (size_t c = 0; !st && c < r->n_cols; c++)
        st = field(r, rec, c, i, &j, err);
    if (!st)
        ind->n++;
    return st;
}

typedef struct {
    long arm;
    long long id;
    int line;
} key;

static int cmp_key(const void *a, const void *b)
{
    const key *x = a, *y = b;
    if (x->arm != y->arm)
        return (x->arm > y->arm) - (x->arm < y->arm);
    if (x->id != y->id)
        return (x->id > y->id) - (x->id < y->id);
    return (x->line > y->line) - (x->line < y->line);
}

/* Each animal once: an id once in an arm (once in the file without an arm
 * column). */
static calcify_status check_unique(const char *path, const calcify_individuals *ind,
                                   calcify_error *err)
{
    key *k = malloc((ind->n ? ind->n : 1) * sizeof *k);
    if (!k)
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    for (size_t i = 0; i < ind->n; i++)
        k[i] = (key){ind->arm[i], ind->id[i], ind->line[i]};
    qsort(k, ind->n, sizeof *k, cmp_key);
    calcify_status st = CALCIFY_OK;
    for (size_t i = 1; i < ind->n && !st; i++)
        if (k[i].arm == k[i - 1].arm && k[i].id == k[i - 1].id)
            st = calcify_fail(err, CALCIFY_EINPUT, "%s:%d: id %lld again (first at line %d; "
                              "expected one row per animal%s)", path, k[i].line, k[i].id,
                              k[i - 1].line, ind->has_arm ? " and arm" : "");
    free(k);
    return st;
}

calcify_status calcify_individuals_load(const char *path, const calcify_scenario *sc,
                                        calcify_individuals *ind, calcify_error *err)
{
    memset(ind, 0, sizeof *ind);
    ireader r = {.sc = sc, .ind = ind};
    int records;
    calcify_status st = calcify_csv_read(path, "a CSV file of individuals (id and "
                                         "parameter columns)", MAX_COLS + 1, on_record, &r,
                                         &records, err);
    for (size_t c = 0; c < r.n_cols; c++)
        ind->has_arm |= r.kind[c] == COL_ARM;
    if (!st && records == 0)
        st = calcify_fail(err, CALCIFY_EINPUT, "%s: file is empty (expected a header "
                          "id,PARAMETER,... and a row per animal)", path);
    if (!st && ind->n == 0)
        st = calcify_fail(err, CALCIFY_EINPUT, "%s: no animals (expected a row per animal "
                          "after the header)", path);
    if (!st)
        st = check_unique(path, ind, err);
    if (st)
        calcify_individuals_free(ind);
    return st;
}

void calcify_individuals_free(calcify_individuals *ind)
{
    if (!ind)
        return;
    free(ind->values);
    free(ind->id);
    free(ind->arm);
    free(ind->line);
    memset(ind, 0, sizeof *ind);
}
