/* scenario.c — scenario files: arms, diet phases, solver settings. */
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calcify/observables.h"
#include "calcify/scenario.h"
#include "calcify/solver.h"
#include "base/cfgread.h"
#include "scenario/dosing_read.h"
#include "scenario/scenvars.h"
#include "base/suggest.h"

static const char *const top_keys[] = {"name", "description", "parameters",
                                       "output_step", "solver", "baseline",
                                       "overrides", "arms", "data_labels",
                                       "growth", "vars", "endpoints",
                                       "endpoint_observables", "observables", NULL};
static const char *const solver_keys[] = {"method", "rtol", "atol", NULL};
/* A scenario file is read for the model parameter files are read for (its
 * parameter file is read last); its diet keys and parameter names are that
 * model's (calcify_modeldef). */
#define MD (calcify_params_file_model())

/* The diet keys of the model ("warfarin", "k1", "mk4"), NULL-terminated;
 * with `phase`, between a phase's other keys. */
static const char *const *diet_keys_of(int phase, const char *keys[CALCIFY_MAX_DIET + 4])
{
    size_t n = 0;
    if (phase)
        keys[n++] = "duration";
    for (size_t k = 0; k < MD->n_diet; k++)
        keys[n++] = MD->diet[k].key;
    if (phase)
        keys[n++] = "doses", keys[n++] = "set";
    keys[n] = NULL;
    return keys;
}
static const char *const arm_keys[] = {"name", "description", "phases", "set", "start_day",
                                       "growth", NULL};

/* --set NAME=… where NAME is neither a parameter nor a variable of sc: a
 * diet key (warfarin = … of a phase) or a name that is not near any
 * parameter is explained with scenario variables, the way to set a diet or
 * any value of the scenario from the command line; a name near a variable
 * gets that variable.  CALCIFY_OK leaves a likely misspelt parameter to
 * calcify_paramset_assign's message. */
static calcify_status unknown_setting(const calcify_scenario *sc, const char *nm,
                                      calcify_error *err)
{
    char near_p[256], near_v[256] = "", vars[400] = "";
    calcify_suggest_strided(nm, &MD->params[0].name, MD->n_param, sizeof MD->params[0],
                            near_p, sizeof near_p);
    if (sc->n_vars)
        calcify_suggest_strided(nm, &sc->vars[0].name, sc->n_vars, sizeof sc->vars[0],
                                near_v, sizeof near_v);
    size_t used = 0;
    for (size_t k = 0; k < sc->n_vars && used + 64 < sizeof vars; k++)
        used += (size_t)snprintf(vars + used, sizeof vars - used, "%s%s", k ? ", " : "",
                                 sc->vars[k].name);
    char theirs[480];
    snprintf(theirs, sizeof theirs, sc->n_vars ? "the variables of %s: %s" :
             "%s defines no variables%s", sc->path, vars);
    int diet = -1;
    for (size_t k = 0; k < MD->n_diet; k++)
        if (strcmp(nm, MD->diet[k].key) == 0)
            diet = (int)k;
    /* a diet key: how to vary it instead (the descriptor's words for it) */
    if (diet >= 0) {
        const calcify_diet_def *dd = &MD->diet[diet];
        const char *what = dd->substance ? dd->substance : dd->key;
        char example[96];
        if (dd->example_var)
            snprintf(example, sizeof example, "%s", dd->example_var);
        else
            snprintf(example, sizeof example, "%s_level = \"1 %s\"", dd->key, dd->unit);
        char var[32];
        snprintf(var, sizeof var, "%.*s", (int)strcspn(example, " "), example);
        return calcify_fail(err, CALCIFY_EUSAGE, "--set: '%s' is a diet key of the "
                            "scenario's phases (the %s concentration of the food), neither "
                            "a parameter nor a variable; to vary a diet concentration, define a "
                            "scenario variable, vars = { %s; }, use it in the phases, %s = "
                            "\"$%s\" (docs/SCENARIOS.md, Variables), and set that: --set "
                            "%s=VALUE (%s)%s%s%s", nm, what, example, nm, var,
                            var, theirs, near_p[0] ? "; or did you mean the parameter " : "",
                            near_p, near_p[0] ? "?" : "");
    }
    if (near_v[0]) /* closer to a variable than to nothing: say so */
        return calcify_fail(err, CALCIFY_EUSAGE, "--set: unknown parameter or variable "
                            "'%s' (see 'calcify params SCENARIO' and the scenario's vars); "
                            "did you mean %s?", nm, near_v);
    if (!near_p[0])
        return calcify_fail(err, CALCIFY_EUSAGE, "--set: unknown parameter or variable "
                            "'%s': not a parameter (see 'calcify params SCENARIO') nor a "
                            "scenario variable (%s); a value of the scenario is set from "
                            "the command line through a variable, vars = { %s = \"…\"; } "
                            "and \"$%s\" where it is used (docs/SCENARIOS.md, Variables)",
                            nm, theirs, nm, nm);
    return CALCIFY_OK;
}

static calcify_status check_settable(const calcify_scenario *sc, const calcify_growth *g,
                                     int param, const char *who, calcify_status code,
                                     calcify_error *err);

/* A parameter named in an `overrides` or `set` group: its index and value
 * in the model's unit, or an error naming the closest parameters. */
static calcify_status read_param_value(const char *path, const config_setting_t *g,
                                       const config_setting_t *s, const char *where,
                                       int *index, double *value, calcify_error *err)
{
    const char *name = config_setting_name(s);
    int i = calcify_modeldef_param(MD, name);
    if (i < 0) {
        char near[256];
        calcify_suggest_strided(name, &MD->params[0].name, MD->n_param, sizeof MD->params[0],
                                near, sizeof near);
        return calcify_fail(err, CALCIFY_EINPUT,
                            "%s:%d: unknown parameter '%s' in %s "
                            "(expected a name listed by 'calcify params')%s%s%s",
                            path, cfg_line(s), name, where,
                            near[0] ? "; did you mean " : "", near,
                            near[0] ? "?" : "");
    }
    const calcify_param_def *d = &MD->params[i];
    *index = i;
    char example[64];
    snprintf(example, sizeof example, "%g %s", d->lo > 0 ? d->lo : d->hi, d->unit);
    return cfg_quantity(path, g, name, where, d->unit, d->lo, d->hi, "a value", example, value,
                        err);
}

/* A `set = { NAME = "VALUE UNIT"; … };` group of an arm or phase. */
static calcify_status read_set(const char *path, const config_setting_t *g,
                               const char *where, unsigned char set[CALCIFY_MAX_PARAM],
                               double value[CALCIFY_MAX_PARAM], calcify_error *err)
{
    char w[240];
    snprintf(w, sizeof w, "set of %s", where);
    if (!config_setting_is_group(g))
        return calcify_fail(err, CALCIFY_EINPUT,
                            "%s:%d: 'set' of %s is not a group (expected set = { "
                            "dist_beta = \"0.6 mg/ug\"; };)", path, cfg_line(g), where);
    int n = config_setting_length(g);
    for (int k = 0; k < n; k++) {
        int i;
        double v;
        calcify_status st = read_param_value(path, g, config_setting_get_elem(g, (unsigned)k),
                                             w, &i, &v, err);
        if (st)
            return st;
        set[i] = 1;
        value[i] = v;
    }
    return CALCIFY_OK;
}

/* The model's diet inputs of a group (baseline or phase), in its units
 * (food concentrations: mg/g food). */
static calcify_status read_diet(const char *path, const config_setting_t *g,
                                const char *where, double diet[CALCIFY_MAX_DIET],
                                calcify_error *err)
{
    const char *keys[CALCIFY_MAX_DIET + 4];
    const char *const *diet_keys = diet_keys_of(0, keys);
    for (size_t k = 0; k < MD->n_diet; k++) {
        /* "2 mg/kg" reads as a body-weight dose to a pharmacologist, and as
         * mg per kg food to a unit table: refuse it */
        const config_setting_t *s = config_setting_get_member(g, diet_keys[k]);
        const char *text = s ? config_setting_get_string(s) : NULL;
        if (calcify_unit_is_per_body_weight(text))
            return calcify_fail(err, CALCIFY_EINPUT,
                                "%s:%d: '%s' in %s is \"%s\": a dose per kg body weight "
                                "on a diet key (expected a food concentration such as "
                                "\"3 mg/g\" or \"5 ug/g\"; give doses in the phase's "
                                "doses = ( { drug = \"%s\"; route = …; amount = \"%s\"; } );)",
                                path, cfg_line(s), diet_keys[k], where, text, diet_keys[k], text);
        calcify_status st = cfg_quantity(path, g, diet_keys[k], where, MD->diet[k].unit, 0,
                                         1000, "a food concentration", "5 ug/g", &diet[k], err);
        if (st)
            return st;
    }
    return CALCIFY_OK;
}

static char *dup_or_empty(const char *s) { return strdup(s ? s : ""); }

static calcify_status read_arm(const char *path, const config_setting_t *a,
                               size_t idx, calcify_arm *arm, calcify_error *err)
{
    char where[160];
    snprintf(where, sizeof where, "arm %zu", idx + 1);
    if (!config_setting_is_group(a))
        return calcify_fail(err, CALCIFY_EINPUT,
                            "%s:%d: %s is not a group (expected { name = \"…\"; "
                            "phases = ( … ); })", path, cfg_line(a), where);
    calcify_status st = cfg_check_keys(path, a, arm_keys, where, err);
    const char *name, *desc;
    if (st || (st = cfg_string(path, a, "name", where, 1, &name, err)) ||
        (st = cfg_string(path, a, "description", where, 0, &desc, err)))
        return st;
    arm->line = cfg_line(a);
    /* names land unquoted in CSV rows and on command lines */
    if (strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") != strlen(name))
        return calcify_fail(err, CALCIFY_EINPUT,
                            "%s:%d: arm name \"%s\" (expected letters, digits, '_', "
                            "'-' and '.' only)", path, cfg_line(config_setting_get_member(a, "name")),
                            name);
    if (!(arm->name = strdup(name)) || !(arm->description = dup_or_empty(desc)))
        return CALCIFY_ENOMEM;
    snprintf(where, sizeof where, "arm '%s'", name);
    unsigned char arm_set[CALCIFY_MAX_PARAM] = {0};
    double arm_value[CALCIFY_MAX_PARAM] = {0};
    const config_setting_t *as = config_setting_get_member(a, "set");
    if (as && (st = read_set(path, as, where, arm_set, arm_value, err)))
        return st;
    /* the arm's own growth table, in place of the scenario's */
    calcify_growth *g = NULL;
    if ((st = dosing_read_growth(path, a, &g, err)))
        return st;
    arm->growth = g;
    /* the weekday of the arm's day 0, for doses given on weekdays */
    int start_day = 0;
    if (config_setting_get_member(a, "start_day") &&
        (st = dosing_read_weekday(path, a, "start_day", where, &start_day, err)))
        return st;
    const config_setting_t *ph = cfg_require(path, a, "phases", where, err);
    if (!ph)
        return CALCIFY_EINPUT;
    if (!config_setting_is_list(ph) || config_setting_length(ph) == 0)
        return calcify_fail(err, CALCIFY_EINPUT,
                            "%s:%d: 'phases' of %s must be a non-empty list "
                            "(expected phases = ( { duration = \"6 w\"; … } );)",
                            path, cfg_line(ph), where);
    size_t n = (size_t)config_setting_length(ph);
    if (!(arm->phases = calloc(n, sizeof *arm->phases)))
        return CALCIFY_ENOMEM;
    arm->n_phases = n;
    double t0 = 0;
    for (size_t k = 0; k < n; k++) {
        const config_setting_t *g = config_setting_get_elem(ph, (unsigned)k);
        char pw[200];
        snprintf(pw, sizeof pw, "phase %zu of arm '%s'", k + 1, name);
        if (!config_setting_is_group(g))
            return calcify_fail(err, CALCIFY_EINPUT,
                                "%s:%d: %s is not a group (expected { duration "
                                "= \"6 w\"; warfarin = …; k1 = …; mk4 = …; })",
                                path, cfg_line(g), pw);
        calcify_diet_phase *p = &arm->phases[k];
        p->line = cfg_line(g);
        const char *keys[CALCIFY_MAX_DIET + 4];
        if ((st = cfg_check_keys(path, g, diet_keys_of(1, keys), pw, err)) ||
            (st = cfg_quantity(path, g, "duration", pw, "d", 1e-9, 1e6,
                               "a duration", "6 w",
                               &p->duration, err)) ||
            (st = read_diet(path, g, pw, p->diet, err)) ||
            (st = dosing_read_phase(path, g, pw, t0, start_day, p, err)))
            return st;
        t0 += p->duration;
        /* the arm's set applies to every phase; a phase's own set wins */
        memcpy(p->set, arm_set, sizeof p->set);
        memcpy(p->set_value, arm_value, sizeof p->set_value);
        const config_setting_t *ps = config_setting_get_member(g, "set");
        if (ps && (st = read_set(path, ps, pw, p->set, p->set_value, err)))
            return st;
    }
    return CALCIFY_OK;
}

static calcify_status read_overrides(const char *path, const config_setting_t *o,
                                     calcify_paramset *ps, calcify_error *err)
{
    if (!config_setting_is_group(o))
        return calcify_fail(err, CALCIFY_EINPUT,
                            "%s:%d: 'overrides' is not a group (expected "
                            "overrides = { warfarin_thalf = \"12 h\"; };)",
                            path, cfg_line(o));
    int n = config_setting_length(o);
    for (int k = 0; k < n; k++) {
        const config_setting_t *s = config_setting_get_elem(o, (unsigned)k);
        int i;
        double v;
        calcify_status st = read_param_value(path, o, s, "overrides", &i, &v, err);
        if (st)
            return st;
        char origin[512];
        snprintf(origin, sizeof origin, "override in %s:%d", path, cfg_line(s));
        if ((st = calcify_paramset_set(ps, i, v, origin, err)))
            return st;
    }
    return CALCIFY_OK;
}

/* A list or array of arm names into freshly allocated indices. */
static calcify_status read_arm_names(const char *path, const calcify_scenario *sc,
                                     const config_setting_t *s, const char *where,
                                     size_t **out, size_t *n_out,
                                     calcify_error *err)
{
    int n = config_setting_length(s);
    if ((!config_setting_is_list(s) && !config_setting_is_array(s)) || n == 0)
        return calcify_fail(err, CALCIFY_EINPUT,
                            "%s:%d: %s must list arm names (expected [\"arm\", …])",
                            path, cfg_line(s), where);
    if (!(*out = calloc((size_t)n, sizeof **out)))
        return CALCIFY_ENOMEM;
    *n_out = (size_t)n;
    for (int k = 0; k < n; k++) {
        const char *name = config_setting_get_string_elem(s, k);
        const calcify_arm *a = name ? calcify_scenario_find_arm(sc, name) : NULL;
        if (!a) {
            char near[256] = "";
            if (name)
                calcify_suggest_strided(name, &sc->arms[0].name, sc->n_arms,
                                        sizeof sc->arms[0], near, sizeof near);
            return calcify_fail(err, CALCIFY_EINPUT,
                                "%s:%d: %s: '%s' is not an arm of this scenario"
                                "%s%s%s", path, cfg_line(s), where,
                                name ? name : "(not a string)",
                                near[0] ? "; did you mean " : "", near,
                                near[0] ? "?" : "");
        }
        (*out)[k] = (size_t)(a - sc->arms);
    }
    return CALCIFY_OK;
}

static calcify_status read_labels(const char *path, const config_setting_t *g,
                                  calcify_scenario *sc, calcify_error *err)
{
    static const char *const ratio_keys[] = {"numerator", "denominator", NULL};
    if (!config_setting_is_group(g))
        return calcify_fail(err, CALCIFY_EINPUT,
                            "%s:%d: 'data_labels' is not a group (expected "
                            "data_labels = { WK = [\"wk_continued\"]; };)",
                            path, cfg_line(g));
    size_t n = (size_t)config_setting_length(g);
    if (n && !(sc->labels = calloc(n, sizeof *sc->labels)))
        return CALCIFY_ENOMEM;
    sc->n_labels = n;
    for (size_t k = 0; k < n; k++) {
        const config_setting_t *s = config_setting_get_elem(g, (unsigned)k);
        calcify_data_label *l = &sc->labels[k];
        l->line = cfg_line(s);
        if (!(l->label = strdup(config_setting_name(s))))
            return CALCIFY_ENOMEM;
        char where[160];
        snprintf(where, sizeof where, "data label '%s'", l->label);
        calcify_status st;
        if (!config_setting_is_group(s)) {
            if ((st = read_arm_names(path, sc, s, where, &l->arms, &l->n_arms, err)))
                return st;
            continue;
        }
        const config_setting_t *num, *den;
        if ((st = cfg_check_keys(path, s, ratio_keys, where, err)))
            return st;
        if (!(num = cfg_require(path, s, "numerator", where, err)) ||
            !(den = cfg_require(path, s, "denominator", where, err)))
            return CALCIFY_EINPUT;
        if ((st = read_arm_names(path, sc, num, where, &l->arms, &l->n_arms, err)) ||
            (st = read_arm_names(path, sc, den, where, &l->den, &l->n_den, err)))
            return st;
    }
    return CALCIFY_OK;
}

const calcify_data_label *calcify_scenario_find_label(const calcify_scenario *sc,
                                                      const char *label)
{
    for (size_t k = 0; k < sc->n_labels; k++)
        if (strcmp(sc->labels[k].label, label) == 0)
            return &sc->labels[k];
    return NULL;
}

/* Parameter file path relative to the scenario's directory. */
static char *resolve(const char *scenario_path, const char *rel)
{
    if (rel[0] == '/')
        return strdup(rel);
    char *copy = strdup(scenario_path);
    if (!copy)
        return NULL;
    const char *dir = dirname(copy);
    size_t len = strlen(dir) + strlen(rel) + 2;
    char *out = malloc(len);
    if (out)
        snprintf(out, len, "%s/%s", dir, rel);
    free(copy);
    return out;
}

/* The file's name without directory and extension: the default name. */
static char *default_name(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strcspn(base, ".");
    char *out = malloc(n + 1);
    if (out)
        snprintf(out, n + 1, "%.*s", (int)n, base);
    return out;
}

static calcify_status read_solver(const char *path, const config_setting_t *root,
                                  calcify_scenario *sc, calcify_error *err)
{
    const config_setting_t *solver = config_setting_get_member(root, "solver");
    const char *w = "solver", *method = CALCIFY_DEFAULT_METHOD;
    sc->rtol = CALCIFY_DEFAULT_RTOL;
    sc->atol = CALCIFY_DEFAULT_ATOL;
    calcify_status st;
    if (solver) {
        if (!config_setting_is_group(solver))
            return calcify_fail(err, CALCIFY_EINPUT,
                                "%s:%d: 'solver' is not a group (expected solver = { "
                                "method = \"auto\"; rtol = 1e-6; atol = 1e-9; };)",
                                path, cfg_line(solver));
        const char *m;
        if ((st = cfg_check_keys(path, solver, solver_keys, w, err)) ||
            (st = cfg_string(path, solver, "method", w, 0, &m, err)))
            return st;
        if (m)
            method = m;
        if ((config_setting_get_member(solver, "rtol") &&
             (st = cfg_number(path, solver, "rtol", w, 1e-14, 0.1, &sc->rtol, err))) ||
            (config_setting_get_member(solver, "atol") &&
             (st = cfg_number(path, solver, "atol", w, 1e-20, 1.0, &sc->atol, err))))
            return st;
        if (!calcify_stepper_known(method))
            return calcify_fail(err, CALCIFY_EINPUT,
                                "%s:%d: unknown solver method '%s' (expected one of: "
                                "%s)", path, cfg_line(config_setting_get_member(solver, "method")),
                                method, calcify_stepper_list());
    }
    return (sc->method = strdup(method)) ? CALCIFY_OK : CALCIFY_ENOMEM;
}

/* endpoints = ["6 w", "12 w"]; and endpoint_observables = ["…", …]; */
static calcify_status read_endpoints(const char *path, const config_setting_t *root,
                                     calcify_scenario *sc, calcify_error *err)
{
    const config_setting_t *e = config_setting_get_member(root, "endpoints");
    if (e) {
        int n = config_setting_length(e);
        if ((!config_setting_is_list(e) && !config_setting_is_array(e)) || n == 0)
            return calcify_fail(err, CALCIFY_EINPUT,
                                "%s:%d: 'endpoints' must list times (expected endpoints "
                                "= [\"6 w\", \"12 w\"];)", path, cfg_line(e));
        if (!(sc->endpoints = calloc((size_t)n, sizeof *sc->endpoints)))
            return CALCIFY_ENOMEM;
        for (int k = 0; k < n; k++) {
            const char *text;
            char key[32];
            snprintf(key, sizeof key, "endpoint %d", k + 1);
            calcify_status st = cfg_quantity_text(path, config_setting_get_elem(e, (unsigned)k),
                                                  key, "endpoints", "6 w", &text, err);
            if (st)
                return st;
            st = cfg_convert_quantity(
                path, cfg_line(e), key, "endpoints", text, "d", 0, 1e6,
                "a time", &sc->endpoints[k], err);
            if (st)
                return st;
            if (k && !(sc->endpoints[k] > sc->endpoints[k - 1]))
                return calcify_fail(err, CALCIFY_EINPUT,
                                    "%s:%d: endpoint %d (\"%s\") is not after the one "
                                    "before it (expected increasing times)",
                                    path, cfg_line(e), k + 1, text);
            sc->n_endpoints++;
        }
    }
    const config_setting_t *o = config_setting_get_member(root, "endpoint_observables");
    if (o) {
        int n = config_setting_length(o);
        if ((!config_setting_is_list(o) && !config_setting_is_array(o)) || n == 0)
            return calcify_fail(err, CALCIFY_EINPUT,
                                "%s:%d: 'endpoint_observables' must list CSV column "
                                "names (expected [\"ca_aorta_ug_per_mg\"])",
                                path, cfg_line(o));
        if (!(sc->endpoint_obs = calloc((size_t)n, sizeof *sc->endpoint_obs)))
            return CALCIFY_ENOMEM;
        for (int k = 0; k < n; k++) {
            const char *name = config_setting_get_string_elem(o, k);
            int i = name ? calcify_obs_lookup(sc->obs, name) : -1;
            if (i < 0) {
                char near[256] = "";
                if (name)
                    calcify_suggest(name, calcify_obs_names_of(sc->obs),
                                    calcify_obs_count(sc->obs), near, sizeof near);
                return calcify_fail(err, CALCIFY_EINPUT,
                                    "%s:%d: endpoint_observables: '%s' is not an "
                                    "output column (expected a column name of "
                                    "'calcify run', e.g. ca_aorta_ug_per_mg)%s%s%s",
                                    path, cfg_line(o), name ? name : "(not a string)",
                                    near[0] ? "; did you mean " : "", near,
                                    near[0] ? "?" : "");
            }
            sc->endpoint_obs[sc->n_endpoint_obs++] = i;
        }
        char where[1100];
        snprintf(where, sizeof where, "%s:%d: endpoint_observables", path, cfg_line(o));
        calcify_status st = calcify_obs_check_unique(sc->obs, where, sc->endpoint_obs,
                                                     sc->n_endpoint_obs, CALCIFY_EINPUT, err);
        if (st)
            return st;
    }
    return CALCIFY_OK;
}

/* The top-level keys, the variables and the scenario's own settings:
 * name, description, parameter set, output step and solver. */
static calcify_status read_header(const char *path, const calcify_scenario_opts *o,
                                  config_setting_t *root, calcify_scenario *sc,
                                  scen_uses *uses, calcify_error *err)
{
    const char *w = "the scenario";
    const char *name, *desc, *params;
    calcify_status st;
    if ((st = cfg_check_keys(path, root, top_keys, w, err)) ||
        (st = scen_vars_read(path, root, o->sets, o->n_sets, sc, err)) ||
        (st = scen_vars_substitute(path, root, sc, uses, err)) ||
        (st = cfg_string(path, root, "name", w, 0, &name, err)) ||
        (st = cfg_string(path, root, "description", w, 0, &desc, err)) ||
        (st = cfg_string(path, root, "parameters", w, 1, &params, err)))
        return st;
    sc->output_step = CALCIFY_DEFAULT_OUTPUT_STEP_D;
    if (config_setting_get_member(root, "output_step") &&
        (st = cfg_quantity(path, root, "output_step", w, "d", 1e-9, 1e6,
                           "a time step", "1 d", &sc->output_step, err)))
        return st;
    if (!(sc->path = strdup(path)) ||
        !(sc->name = name ? strdup(name) : default_name(path)) ||
        !(sc->description = dup_or_empty(desc)) ||
        !(sc->param_path = o->param_path ? strdup(o->param_path)
                                         : resolve(path, params)))
        return CALCIFY_ENOMEM;
    return read_solver(path, root, sc, err);
}

/* The arms, whose names must be unique: they name the output files and
 * the --arm option. */
static calcify_status read_arms(const char *path, const config_setting_t *root,
                                calcify_scenario *sc, calcify_error *err)
{
    const config_setting_t *arms = cfg_require(path, root, "arms", "the scenario", err);
    if (!arms)
        return CALCIFY_EINPUT;
    if (!config_setting_is_list(arms) || config_setting_length(arms) == 0)
        return calcify_fail(err, CALCIFY_EINPUT,
                            "%s:%d: 'arms' must be a non-empty list (expected "
                            "arms = ( { name = \"control\"; phases = ( … ); } );)",
                            path, cfg_line(arms));
    size_t n = (size_t)config_setting_length(arms);
    if (!(sc->arms = calloc(n, sizeof *sc->arms)))
        return CALCIFY_ENOMEM;
    sc->n_arms = n;
    for (size_t k = 0; k < n; k++) {
        calcify_status st;
        if ((st = read_arm(path, config_setting_get_elem(arms, (unsigned)k), k,
                           &sc->arms[k], err)))
            return st;
        for (size_t j = 0; j < k; j++)
            if (strcmp(sc->arms[j].name, sc->arms[k].name) == 0)
                return calcify_fail(err, CALCIFY_EINPUT,
                                    "%s:%d: duplicate arm name '%s' (first "
                                    "defined at line %d; expected unique names)",
                                    path, sc->arms[k].line, sc->arms[k].name,
                                    sc->arms[j].line);
    }
    return CALCIFY_OK;
}

/* A growth table decides body weight and food intake: a phase's `set`
 * of either would be silently ignored. */
static calcify_status check_growth_sets(const char *path, const calcify_scenario *sc,
                                        calcify_error *err)
{
    calcify_status st;
    for (size_t a = 0; a < sc->n_arms; a++)
        for (size_t p = 0; (sc->growth || sc->arms[a].growth) && p < sc->arms[a].n_phases; p++) {
            const calcify_diet_phase *ph = &sc->arms[a].phases[p];
            char who[512];
            snprintf(who, sizeof who, "%s:%d: phase %zu of arm '%s'", path, ph->line, p + 1,
                     sc->arms[a].name);
            for (int i = 0; i < (int)MD->n_param; i++)
                if (ph->set[i] &&
                    (st = check_settable(sc, sc->arms[a].growth ? sc->arms[a].growth
                                                                : sc->growth,
                                         i, who, CALCIFY_EINPUT, err)))
                    return st;
        }
    return CALCIFY_OK;
}

/* The parameter set, then the file's overrides, then the command line's
 * --set, which wins over both (variables were taken by read_header). */
static calcify_status read_params(const char *path, const calcify_scenario_opts *o,
                                  const config_setting_t *root, calcify_scenario *sc,
                                  calcify_error *err)
{
    calcify_status st;
    if ((st = calcify_paramset_load(sc->param_path, &sc->params, err)))
        return st;
    const config_setting_t *ov = config_setting_get_member(root, "overrides");
    if (ov && (st = read_overrides(path, ov, &sc->params, err)))
        return st;
    for (size_t i = 0; i < o->n_sets; i++) {
        char nm[128];
        if (calcify_scenario_find_var(sc, scen_assignment_name(o->sets[i], nm, sizeof nm)))
            continue;
        if (calcify_modeldef_param(MD, nm) < 0 && strchr(o->sets[i], '=') &&
            (st = unknown_setting(sc, nm, err)))
            return st;
        char who[160];
        snprintf(who, sizeof who, "--set '%s'", o->sets[i]);
        int p = calcify_modeldef_param(MD, nm);
        if ((p >= 0 && (st = calcify_scenario_check_settable(sc, p, who, CALCIFY_EUSAGE, err))) ||
            (st = calcify_paramset_assign(&sc->params, o->sets[i],
                                          "set on the command line", err)))
            return st;
    }
    return CALCIFY_OK;
}

/* The options, kept so that calcify_scenario_reload can load the file again with more. */
static calcify_status keep_opts(const calcify_scenario_opts *o, calcify_scenario *sc)
{
    if (o->param_path && !(sc->param_override = strdup(o->param_path)))
        return CALCIFY_ENOMEM;
    if (o->n_sets && !(sc->sets = calloc(o->n_sets, sizeof *sc->sets)))
        return CALCIFY_ENOMEM;
    for (size_t i = 0; i < o->n_sets; i++, sc->n_sets++)
        if (!(sc->sets[i] = strdup(o->sets[i])))
            return CALCIFY_ENOMEM;
    return CALCIFY_OK;
}

static calcify_status load(const char *path, const calcify_scenario_opts *o,
                           config_t *cfg, calcify_scenario *sc, scen_uses *uses,
                           calcify_error *err)
{
    calcify_status st = cfg_load(cfg, path, err);
    if (st)
        return st;
    config_setting_t *root = config_root_setting(cfg);
    if ((st = read_header(path, o, root, sc, uses, err)))
        return st;

    memcpy(sc->baseline, MD->default_diet, MD->n_diet * sizeof *sc->baseline);
    const config_setting_t *base = config_setting_get_member(root, "baseline");
    const char *keys[CALCIFY_MAX_DIET + 4];
    if (base && ((st = cfg_check_keys(path, base, diet_keys_of(0, keys), "baseline", err)) ||
                 (st = read_diet(path, base, "baseline", sc->baseline, err))))
        return st;
    if ((st = read_arms(path, root, sc, err)))
        return st;
    /* the scenario's own observables, before anything names a column */
    if ((st = calcify_obs_read(path, config_setting_get_member(root, "observables"),
                               &sc->obs, err)))
        return st;
    for (size_t k = 0; k < sc->n_arms; k++)
        sc->arms[k].obs = sc->obs;
    if ((st = read_endpoints(path, root, sc, err)))
        return st;

    const config_setting_t *labels = config_setting_get_member(root, "data_labels");
    if (labels && (st = read_labels(path, labels, sc, err)))
        return st;
    if ((st = dosing_read_growth(path, root, &sc->growth, err)) ||
        (st = check_growth_sets(path, sc, err)) ||
        (st = read_params(path, o, root, sc, err)))
        return st;
    return keep_opts(o, sc);
}

calcify_status calcify_scenario_load(const char *path, calcify_scenario *sc,
                                     calcify_error *err)
{
    return calcify_scenario_load_opts(path, NULL, sc, err);
}

calcify_status calcify_scenario_load_params(const char *path,
                                            const char *param_path,
                                            calcify_scenario *sc,
                                            calcify_error *err)
{
    calcify_scenario_opts o = {param_path, NULL, 0};
    return calcify_scenario_load_opts(path, &o, sc, err);
}

calcify_status calcify_scenario_load_opts(const char *path,
                                          const calcify_scenario_opts *opts,
                                          calcify_scenario *sc, calcify_error *err)
{
    static const calcify_scenario_opts none = {NULL, NULL, 0};
    config_t cfg;
    scen_uses uses = {0};
    memset(sc, 0, sizeof *sc);
    calcify_status st = load(path, opts ? opts : &none, &cfg, sc, &uses, err);
    config_destroy(&cfg);
    if (st == CALCIFY_EINPUT)
        scen_vars_explain(path, &uses, sc, err);
    scen_uses_free(&uses);
    if (st == CALCIFY_ENOMEM)
        calcify_fail(err, st, "%s: out of memory", path);
    if (st)
        calcify_scenario_free(sc);
    return st;
}

calcify_status calcify_scenario_reload(const calcify_scenario *base,
                                       const char *const *extra, size_t n_extra,
                                       calcify_scenario *out, calcify_error *err)
{
    size_t n = base->n_sets + n_extra;
    const char **sets = calloc(n ? n : 1, sizeof *sets);
    if (!sets)
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    for (size_t i = 0; i < base->n_sets; i++)
        sets[i] = base->sets[i];
    for (size_t i = 0; i < n_extra; i++)
        sets[base->n_sets + i] = extra[i];
    calcify_scenario_opts o = {base->param_override, sets, n};
    calcify_status st = calcify_scenario_load_opts(base->path, &o, out, err);
    free(sets);
    return st;
}

void calcify_scenario_free(calcify_scenario *sc)
{
    if (!sc)
        return;
    for (size_t k = 0; k < sc->n_arms; k++) {
        free(sc->arms[k].name);
        free(sc->arms[k].description);
        for (size_t p = 0; sc->arms[k].phases && p < sc->arms[k].n_phases; p++)
            free(sc->arms[k].phases[p].doses);
        free(sc->arms[k].phases);
        calcify_growth_free((calcify_growth *)sc->arms[k].growth);
    }
    calcify_growth_free(sc->growth);
    free(sc->arms);
    for (size_t k = 0; k < sc->n_labels; k++) {
        free(sc->labels[k].label);
        free(sc->labels[k].arms);
        free(sc->labels[k].den);
    }
    free(sc->labels);
    for (size_t k = 0; k < sc->n_vars; k++) {
        free(sc->vars[k].name);
        free(sc->vars[k].value);
    }
    free(sc->vars);
    free(sc->endpoints);
    free(sc->endpoint_obs);
    calcify_obs_table_free(sc->obs);
    free(sc->param_override);
    for (size_t k = 0; k < sc->n_sets; k++)
        free(sc->sets[k]);
    free(sc->sets);
    free(sc->path);
    free(sc->name);
    free(sc->description);
    free(sc->param_path);
    free(sc->method);
    calcify_paramset_free(&sc->params);
    memset(sc, 0, sizeof *sc);
}

const calcify_arm *calcify_scenario_find_arm(const calcify_scenario *sc,
                                             const char *name)
{
    for (size_t k = 0; k < sc->n_arms; k++)
        if (strcmp(sc->arms[k].name, name) == 0)
            return &sc->arms[k];
    return NULL;
}

/* The check against growth table g (NULL: none). */
static calcify_status check_settable(const calcify_scenario *sc, const calcify_growth *g,
                                     int param, const char *who, calcify_status code,
                                     calcify_error *err)
{
    const calcify_modeldef *md = calcify_paramset_model(&sc->params);
    if (!g || (param != md->p_food_intake && param != md->p_body_weight))
        return CALCIFY_OK;
    return calcify_fail(err, code, "%s sets '%s', which the growth table at %s:%d decides "
                        "(expected the growth table to change it, or no growth table)", who,
                        md->params[param].name, sc->path, g->line);
}

calcify_status calcify_scenario_check_settable(const calcify_scenario *sc, int param,
                                               const char *who, calcify_status code,
                                               calcify_error *err)
{
    /* the scenario's table, else the first arm's own: a value set for the
     * whole scenario would be silently ignored by that arm */
    const calcify_growth *g = sc->growth;
    for (size_t a = 0; !g && a < sc->n_arms; a++)
        g = sc->arms[a].growth;
    return check_settable(sc, g, param, who, code, err);
}

double calcify_arm_duration(const calcify_arm *arm)
{
    double t = 0;
    for (size_t k = 0; k < arm->n_phases; k++)
        t += arm->phases[k].duration;
    return t;
}
