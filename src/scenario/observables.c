/* observables.c — a scenario's own observables: read, checked and compiled
 * with GNU libmatheval (Debian libmatheval-dev), evaluated per row.
 *
 * libmatheval parses with a flex/bison parser whose state is global, so
 * every evaluator_create is made under one lock; evaluator_evaluate writes
 * the variables' values into the evaluator, so each calcify_sim evaluates
 * its own copies (calcify_obs_eval), never the table's.  The table keeps no
 * evaluator at all: the copies are compiled from the text as written
 * (libmatheval's own printed form rounds numbers to 6 digits). */
#include <ctype.h>
#include <matheval.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include "base/cfgread.h"
#include "base/suggest.h"
#include "calcify/observables.h"
#include "calcify/params.h"
#include "calcify/output.h"

/* every observable must fit in a CSV row */
_Static_assert(CALCIFY_MAX_OBS <= CALCIFY_CSV_MAX_OBS, "CSV rows too short for the observables");

static pthread_mutex_t parse_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_ulong next_serial = 1;

/* libmatheval's evaluator_create, serialised (its parser is not reentrant). */
static void *compile(const char *text)
{
    char *copy = strdup(text);
    if (!copy)
        return NULL;
    pthread_mutex_lock(&parse_lock);
    void *f = evaluator_create(copy);
    pthread_mutex_unlock(&parse_lock);
    free(copy);
    return f;
}

/* The model whose observables a table starts with: the one scenario files
 * are read for. */
#define MD (calcify_params_file_model())

size_t calcify_obs_count(const calcify_obs_table *t) { return t ? t->n : MD->n_obs; }

const char *const *calcify_obs_names_of(const calcify_obs_table *t)
{
    return t ? t->names : MD->obs_names;
}

/* command-line names not built in, until a scenario binds them */
static char *deferred[CALCIFY_MAX_USER_OBS];
static size_t n_deferred;

const char *calcify_obs_name(const calcify_obs_table *t, int k)
{
    if (k >= 0 && (size_t)k < calcify_obs_count(t))
        return calcify_obs_names_of(t)[k];
    if (k >= CALCIFY_OBS_DEFERRED && (size_t)(k - CALCIFY_OBS_DEFERRED) < n_deferred)
        return deferred[k - CALCIFY_OBS_DEFERRED];
    return "?";
}

int calcify_obs_lookup(const calcify_obs_table *t, const char *name)
{
    const char *const *names = calcify_obs_names_of(t);
    for (size_t i = 0; i < calcify_obs_count(t); i++)
        if (strcmp(names[i], name) == 0)
            return (int)i;
    return -1;
}

const calcify_user_obs *calcify_obs_user(const calcify_obs_table *t, int k)
{
    if (!t || k < 0 || (size_t)k < t->n_builtin || (size_t)k >= t->n)
        return NULL;
    return &t->user[(size_t)k - t->n_builtin];
}

static int is_identifier(const char *s)
{
    if (!isalpha((unsigned char)s[0]))
        return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_')
            return 0;
    return 1;
}

int calcify_obs_defer(const char *name)
{
    int k = calcify_obs_lookup(NULL, name);
    if (k >= 0)
        return k;
    if (!is_identifier(name) || strlen(name) > 63)
        return -1;
    for (size_t i = 0; i < n_deferred; i++)
        if (strcmp(deferred[i], name) == 0)
            return CALCIFY_OBS_DEFERRED + (int)i;
    if (n_deferred == CALCIFY_MAX_USER_OBS || !(deferred[n_deferred] = strdup(name)))
        return -1;
    return CALCIFY_OBS_DEFERRED + (int)n_deferred++;
}

calcify_status calcify_obs_bind(const calcify_obs_table *t, int *obs, size_t n,
                                const char *opt, calcify_status code, calcify_error *err)
{
    for (size_t i = 0; i < n; i++) {
        if (obs[i] < CALCIFY_OBS_DEFERRED)
            continue;
        const char *name = calcify_obs_name(t, obs[i]);
        int k = calcify_obs_lookup(t, name);
        if (k < 0) {
            char near[256];
            calcify_suggest(name, calcify_obs_names_of(t), calcify_obs_count(t), near,
                            sizeof near);
            return calcify_fail(err, code, "%s '%s': unknown observable (expected a column "
                                "name of calcify run: a built-in one or one of the "
                                "scenario's observables)%s%s%s", opt, name,
                                near[0] ? "; did you mean " : "", near, near[0] ? "?" : "");
        }
        obs[i] = k;
    }
    return CALCIFY_OK;
}

/* ---- units ------------------------------------------------------------ */

int calcify_obs_unit_ok(const char *unit)
{
    static const char *const tokens[] = {"g", "kg", "mg", "ug", "ng", "L", "mL", "d", "h",
                                         "mol", "mmol", "umol", "nmol", NULL};
    if (!unit || !*unit)
        return 0;
    if (strcmp(unit, "1") == 0 || strcmp(unit, "%") == 0)
        return 1;
    const char *s = unit;
    for (int first = 1;; first = 0) {
        size_t len = strcspn(s, "/");
        int ok = first && len == 1 && s[0] == '1' && s[1] == '/';
        for (int i = 0; !ok && tokens[i]; i++)
            ok = strlen(tokens[i]) == len && strncmp(tokens[i], s, len) == 0;
        if (!ok)
            return 0;
        if (!s[len])
            return 1;
        s += len + 1;
    }
}

/* ---- reading ----------------------------------------------------------- */

static void user_free(calcify_user_obs *u)
{
    free(u->name);
    free(u->unit);
    free(u->expr);
    free(u->description);
    for (int i = 0; u->var_names && i < u->n_vars; i++)
        free(u->var_names[i]);
    free(u->var_names);
    free(u->var_src);
}

void calcify_obs_table_free(calcify_obs_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n_user; i++)
        user_free(&t->user[i]);
    free(t->user);
    free(t);
}

static const char *const keys[] = {"name", "unit", "expr", "description", NULL};
#define NAME_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_"
#define EXPR_CHARS NAME_CHARS ".+-*/^() \t"

/* Where name `v` of an expression comes from, among the built-ins, the
 * parameters, time_d and the first n_user observables of t; -2 - NPARAM
 * (none) if it is none of them. */
#define SRC_NONE (-3 - CALCIFY_MAX_PARAM)
static int source_of(const calcify_obs_table *t, size_t n_user, const char *v)
{
    if (strcmp(v, "time_d") == 0)
        return CALCIFY_OBS_SRC_TIME;
    for (size_t k = 0; k < t->n_builtin + n_user; k++)
        if (strcmp(t->names[k], v) == 0)
            return (int)k;
    int p = calcify_modeldef_param(MD, v);
    return p >= 0 ? CALCIFY_OBS_SRC_PARAM(p) : SRC_NONE;
}

/* "unknown name 'x' in observable 'y'" with the nearest of every name it
 * could have meant. */
static calcify_status unknown_name(const char *path, int line, const calcify_obs_table *t,
                                   size_t n_user, const char *v, const char *obs,
                                   calcify_error *err)
{
    const char *cand[CALCIFY_MAX_OBS + CALCIFY_MAX_PARAM + 1];
    size_t n = 0;
    for (size_t k = 0; k < t->n_builtin + n_user; k++)
        cand[n++] = t->names[k];
    for (size_t p = 0; p < MD->n_param; p++)
        cand[n++] = MD->params[p].name;
    cand[n++] = "time_d";
    char near[256];
    calcify_suggest(v, cand, n, near, sizeof near);
    if (strcmp(v, obs) == 0)
        return calcify_fail(err, CALCIFY_EINPUT, "%s:%d: observable '%s' reads itself (expected "
                            "the observables it reads defined above it)", path, line, obs);
    for (size_t j = n_user + 1; j < t->n_user; j++) /* there, but further down */
        if (strcmp(t->user[j].name, v) == 0)
            return calcify_fail(err, CALCIFY_EINPUT, "%s:%d: observable '%s' reads '%s', "
                                "which is defined below it, at line %d (expected the "
                                "observables it reads defined above it)", path, line, obs, v,
                                t->user[j].line);
    if (near[0])
        return calcify_fail(err, CALCIFY_EINPUT, "%s:%d: unknown name '%s' in observable '%s' "
                            "(did you mean %s?)", path, line, v, obs, near);
    return calcify_fail(err, CALCIFY_EINPUT, "%s:%d: unknown name '%s' in observable '%s' "
                        "(expected a column of calcify run, a parameter of calcify params, "
                        "time_d or an observable defined above it)", path, line, v, obs);
}

/* Name, unit and description of observable i (group g), checked. */
static calcify_status read_head(const char *path, const config_setting_t *g,
                                calcify_obs_table *t, size_t i, calcify_error *err)
{
    calcify_user_obs *u = &t->user[i];
    char where[64];
    snprintf(where, sizeof where, "observable %zu", i + 1);
    const char *name, *unit, *desc;
    calcify_status st;
    if ((st = cfg_check_keys(path, g, keys, where, err)) ||
        (st = cfg_string(path, g, "name", where, 1, &name, err)))
        return st;
    const int name_line = cfg_line(config_setting_get_member(g, "name"));
    if (!is_identifier(name) || strlen(name) > 63)
        return calcify_fail(err, CALCIFY_EINPUT, "%s:%d: observable name '%s' (expected a "
                            "letter, then letters, digits and '_', at most 63 in all: it "
                            "is a CSV column and a name in expressions)", path, name_line, name);
    const char *clash = NULL;
    int other = -1;
    if (calcify_obs_lookup(NULL, name) >= 0)
        clash = "a built-in column of calcify run";
    else if (calcify_modeldef_param(MD, name) >= 0)
        clash = "a model parameter";
    else if (!strcmp(name, "time_d") || !strcmp(name, "arm") || !strcmp(name, "phase"))
        clash = "a column of calcify run";
    for (size_t j = 0; !clash && j < i; j++)
        if (strcmp(t->user[j].name, name) == 0)
            clash = "another observable", other = t->user[j].line;
    if (!clash) { /* a constant or function of libmatheval (pi, e, exp, …) */
        void *f = compile(name);
        char **v = NULL;
        int nv = 0;
        if (f)
            evaluator_get_variables(f, &v, &nv);
        if (!f || nv != 1 || strcmp(v[0], name) != 0)
            clash = "a constant or function of the expressions";
        if (f)
            evaluator_destroy(f);
    }
    if (clash) {
        char first[64] = "";
        if (other >= 0)
            snprintf(first, sizeof first, " defined at line %d", other);
        return calcify_fail(err, CALCIFY_EINPUT, "%s:%d: observable '%s' has the name of %s%s "
                            "(expected a name of its own)", path, name_line, name, clash, first);
    }
    snprintf(where, sizeof where, "observable '%s'", name);
    if (!config_setting_get_member(g, "unit"))
        return calcify_fail(err, CALCIFY_EINPUT, "%s:%d: observable '%s' has no unit (expected "
                            "unit = \"1\"; for a pure number, or the unit of its value, e.g. "
                            "unit = \"umol/L\";)", path, cfg_line(g), name);
    if ((st = cfg_string(path, g, "unit", where, 1, &unit, err)) ||
        (st = cfg_string(path, g, "description", where, 0, &desc, err)))
        return st;
    if (!calcify_obs_unit_ok(unit))
        return calcify_fail(err, CALCIFY_EINPUT, "%s:%d: unit \"%s\" of observable '%s' "
                            "(expected \"1\", \"%%\" or units of g, kg, mg, ug, ng, L, mL, d, "
                            "h, mol, mmol, umol, nmol joined by '/', e.g. \"umol/L\", "
                            "\"ng/g\", \"1/d\")", path,
                            cfg_line(config_setting_get_member(g, "unit")), unit, name);
    u->line = cfg_line(g);
    if (!(u->name = strdup(name)) || !(u->unit = strdup(unit)) ||
        !(u->description = strdup(desc ? desc : "")))
        return calcify_fail(err, CALCIFY_ENOMEM, "%s: out of memory", path);
    t->names[t->n_builtin + i] = u->name;
    return CALCIFY_OK;
}

/* The expression of observable i, compiled once to check it and to learn
 * the names it reads; each thread compiles its own copy of it. */
static calcify_status read_expr(const char *path, const config_setting_t *g,
                                calcify_obs_table *t, size_t i, calcify_error *err)
{
    calcify_user_obs *u = &t->user[i];
    char where[96];
    snprintf(where, sizeof where, "observable '%s'", u->name);
    const char *expr;
    calcify_status st = cfg_string(path, g, "expr", where, 1, &expr, err);
    if (st)
        return st;
    const int line = cfg_line(config_setting_get_member(g, "expr"));
    size_t bad = strspn(expr, EXPR_CHARS);
    if (expr[bad]) /* libmatheval's scanner would echo it to stdout */
        return calcify_fail(err, CALCIFY_EINPUT, "%s:%d: expression of observable '%s' has "
                            "'%c' at character %zu (expected names, numbers, + - * / ^ and "
                            "parentheses)", path, line, u->name, expr[bad], bad + 1);
    if (strspn(expr, " \t") == strlen(expr))
        return calcify_fail(err, CALCIFY_EINPUT, "%s:%d: expression of observable '%s' is "
                            "empty (expected e.g. expr = \"mk4_aorta_ng_per_g / "
                            "k1_aorta_ng_per_g\";)", path, line, u->name);
    void *f = compile(expr);
    if (!f)
        return calcify_fail(err, CALCIFY_EINPUT, "%s:%d: expression of observable '%s' is "
                            "not a formula: \"%s\" (expected names, numbers, + - * / ^, "
                            "parentheses and functions such as exp, log, sqrt, abs)",
                            path, line, u->name, expr);
    char **v = NULL;
    int nv = 0;
    evaluator_get_variables(f, &v, &nv);
    if (!(u->expr = strdup(expr)) ||
        (nv && (!(u->var_names = calloc((size_t)nv, sizeof *u->var_names)) ||
                !(u->var_src = calloc((size_t)nv, sizeof *u->var_src))))) {
        evaluator_destroy(f);
        return calcify_fail(err, CALCIFY_ENOMEM, "%s: out of memory", path);
    }
    for (int k = 0; k < nv; k++) {
        if (!(u->var_names[k] = strdup(v[k]))) {
            st = calcify_fail(err, CALCIFY_ENOMEM, "%s: out of memory", path);
            break;
        }
        u->n_vars = k + 1;
        if ((u->var_src[k] = source_of(t, i, v[k])) == SRC_NONE) {
            st = unknown_name(path, line, t, i, v[k], u->name, err);
            break;
        }
    }
    evaluator_destroy(f);
    return st;
}

calcify_status calcify_obs_read(const char *path, const config_setting_t *list,
                                calcify_obs_table **out, calcify_error *err)
{
    *out = NULL;
    if (!list)
        return CALCIFY_OK;
    int n = config_setting_length(list);
    if (!config_setting_is_list(list) || n == 0)
        return calcify_fail(err, CALCIFY_EINPUT, "%s:%d: 'observables' must be a non-empty "
                            "list of groups (expected observables = ( { name = \"…\"; unit = "
                            "\"1\"; expr = \"…\"; } );)", path, cfg_line(list));
    if (n > CALCIFY_MAX_USER_OBS)
        return calcify_fail(err, CALCIFY_EINPUT, "%s:%d: %d observables (expected at most %d)",
                            path, cfg_line(list), n, CALCIFY_MAX_USER_OBS);
    calcify_obs_table *t = calloc(1, sizeof *t);
    if (!t || !(t->user = calloc((size_t)n, sizeof *t->user))) {
        free(t);
        return calcify_fail(err, CALCIFY_ENOMEM, "%s: out of memory", path);
    }
    t->n_builtin = MD->n_obs;
    for (size_t k = 0; k < t->n_builtin; k++)
        t->names[k] = MD->obs_names[k];
    t->n_user = (size_t)n;
    t->n = t->n_builtin + t->n_user;
    t->serial = atomic_fetch_add(&next_serial, 1);
    calcify_status st = CALCIFY_OK;
    /* every name first, so that a name read before its definition is
     * reported as such */
    for (int i = 0; !st && i < n; i++) {
        const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
        if (!config_setting_is_group(g))
            st = calcify_fail(err, CALCIFY_EINPUT, "%s:%d: observable %d is not a group "
                              "(expected { name = \"…\"; unit = \"1\"; expr = \"…\"; })",
                              path, cfg_line(g), i + 1);
        else
            st = read_head(path, g, t, (size_t)i, err);
    }
    for (int i = 0; !st && i < n; i++)
        st = read_expr(path, config_setting_get_elem(list, (unsigned)i), t, (size_t)i, err);
    if (st) {
        calcify_obs_table_free(t);
        return st;
    }
    *out = t;
    return CALCIFY_OK;
}

/* ---- evaluation -------------------------------------------------------- */

void calcify_obs_eval_free(calcify_obs_eval *ev)
{
    for (size_t i = 0; ev->f && i < ev->n; i++)
        if (ev->f[i])
            evaluator_destroy(ev->f[i]);
    free(ev->f);
    free(ev->vals);
    memset(ev, 0, sizeof *ev);
}

/* ev's own copies of t's expressions. */
static calcify_status make_copies(calcify_obs_eval *ev, const calcify_obs_table *t)
{
    calcify_obs_eval_free(ev);
    int most = 1;
    for (size_t i = 0; i < t->n_user; i++)
        if (t->user[i].n_vars > most)
            most = t->user[i].n_vars;
    if (!(ev->f = calloc(t->n_user, sizeof *ev->f)) ||
        !(ev->vals = calloc((size_t)most, sizeof *ev->vals)))
        goto nomem;
    ev->n = t->n_user;
    for (size_t i = 0; i < t->n_user; i++)
        if (!(ev->f[i] = compile(t->user[i].expr)))
            goto nomem;
    ev->serial = t->serial;
    return CALCIFY_OK;
nomem:
    calcify_obs_eval_free(ev);
    return CALCIFY_ENOMEM;
}

calcify_status calcify_obs_evaluate(calcify_obs_eval *ev, const calcify_obs_table *t,
                                    double t_d, const double p[], double *obs)
{
    if (!t || !t->n_user)
        return CALCIFY_OK;
    if (ev->serial != t->serial) {
        calcify_status st = make_copies(ev, t);
        if (st)
            return st;
    }
    for (size_t i = 0; i < t->n_user; i++) {
        const calcify_user_obs *u = &t->user[i];
        for (int k = 0; k < u->n_vars; k++) {
            int s = u->var_src[k];
            ev->vals[k] = s >= 0 ? obs[s] : s == CALCIFY_OBS_SRC_TIME ? t_d : p[-2 - s];
        }
        obs[t->n_builtin + i] = evaluator_evaluate(ev->f[i], u->n_vars, u->var_names, ev->vals);
    }
    return CALCIFY_OK;
}

int calcify_obs_find(const char *name)
{
    return calcify_modeldef_obs(MD, name);
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
