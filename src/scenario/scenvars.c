/* scenvars.c — scenario variables and their substitution. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calcify/params.h"
#include "calcify/units.h"
#include "base/cfgread.h"
#include "scenario/scenvars.h"
#include "base/suggest.h"

char *scen_assignment_name(const char *assignment, char *buf, size_t cap)
{
    snprintf(buf, cap, "%.*s", (int)strcspn(assignment, "="), assignment);
    return buf;
}

const calcify_var *calcify_scenario_find_var(const calcify_scenario *sc,
                                             const char *name)
{
    for (size_t k = 0; k < sc->n_vars; k++)
        if (strcmp(sc->vars[k].name, name) == 0)
            return &sc->vars[k];
    return NULL;
}

/* The unit of a "NUMBER UNIT" text, or NULL when the text has none. */
static const char *unit_of(const char *text)
{
    char *end;
    (void)strtod(text, &end);
    if (end == text)
        return NULL;
    while (*end == ' ')
        end++;
    return *end ? end : NULL;
}

/* --set NAME=VALUE on a variable: a bare number takes the unit of the
 * variable's definition, so `--set high_k=200` means 200 ug/g when the
 * scenario says high_k = "100 ug/g". */
static calcify_status assign_var(calcify_var *v, const char *text, calcify_error *err)
{
    char *end;
    (void)strtod(text, &end);
    const char *unit = unit_of(v->value);
    char *value;
    size_t n = strlen(text) + (unit ? strlen(unit) : 0) + 2;
    if (!(value = malloc(n)))
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    if (end != text && *end == '\0' && unit)
        snprintf(value, n, "%s %s", text, unit);
    else
        snprintf(value, n, "%s", text);
    if (value[0] == '\0' || value[0] == '$') {
        free(value);
        return calcify_fail(err, CALCIFY_EUSAGE, "--set %s='%s': expected a value "
                            "such as \"%s\"", v->name, text, v->value);
    }
    free(v->value);
    v->value = value;
    return CALCIFY_OK;
}

calcify_status scen_vars_read(const char *path, const config_setting_t *root,
                              const char *const *sets, size_t n_sets,
                              calcify_scenario *sc, calcify_error *err)
{
    const config_setting_t *g = config_setting_get_member(root, "vars");
    if (g) {
        if (!config_setting_is_group(g))
            return calcify_fail(err, CALCIFY_EINPUT,
                                "%s:%d: 'vars' is not a group (expected vars = { "
                                "high_k = \"100 ug/g\"; };)", path, cfg_line(g));
        size_t n = (size_t)config_setting_length(g);
        if (n && !(sc->vars = calloc(n, sizeof *sc->vars)))
            return CALCIFY_ENOMEM;
        for (size_t k = 0; k < n; k++) {
            const config_setting_t *s = config_setting_get_elem(g, (unsigned)k);
            const char *name = config_setting_name(s), *text = config_setting_get_string(s);
            int line = cfg_line(s);
            if (calcify_modeldef_param(calcify_params_file_model(), name) >= 0)
                return calcify_fail(err, CALCIFY_EINPUT,
                                    "%s:%d: variable '%s' has the name of a model "
                                    "parameter (expected a name of its own; to change "
                                    "the parameter use overrides or set)", path, line, name);
            if (!text || !text[0])
                return calcify_fail(err, CALCIFY_EINPUT,
                                    "%s:%d: variable '%s' is not a quoted value "
                                    "(expected e.g. %s = \"100 ug/g\";)", path, line,
                                    name, name);
            if (text[0] == '$')
                return calcify_fail(err, CALCIFY_EINPUT,
                                    "%s:%d: variable '%s' refers to '%s' (expected a "
                                    "value: variables do not refer to each other)",
                                    path, line, name, text);
            calcify_var *v = &sc->vars[sc->n_vars++];
            v->line = line;
            if (!(v->name = strdup(name)) || !(v->value = strdup(text)))
                return CALCIFY_ENOMEM;
        }
    }
    for (size_t i = 0; i < n_sets; i++) {
        char name[128];
        scen_assignment_name(sets[i], name, sizeof name);
        calcify_var *v = (calcify_var *)calcify_scenario_find_var(sc, name);
        if (v && sets[i][strlen(name)] == '=') {
            calcify_status st = assign_var(v, sets[i] + strlen(name) + 1, err);
            if (st)
                return st;
        }
    }
    return CALCIFY_OK;
}

static calcify_status undefined(const char *path, const config_setting_t *s,
                                const char *use, const calcify_scenario *sc,
                                calcify_error *err)
{
    char defined[512] = "", near[256] = "";
    for (size_t k = 0; k < sc->n_vars; k++) {
        if (k)
            strncat(defined, ", ", sizeof defined - strlen(defined) - 1);
        strncat(defined, sc->vars[k].name, sizeof defined - strlen(defined) - 1);
    }
    if (sc->n_vars)
        calcify_suggest_strided(use + 1, &sc->vars[0].name,
                                sc->n_vars, sizeof sc->vars[0], near, sizeof near);
    if (!sc->n_vars)
        return calcify_fail(err, CALCIFY_EINPUT,
                            "%s:%d: undefined variable '%s' (expected a variable "
                            "defined in vars = { … }; this scenario defines none)",
                            path, cfg_line(s), use);
    return calcify_fail(err, CALCIFY_EINPUT,
                        "%s:%d: undefined variable '%s' (expected one defined in "
                        "vars = { … }: %s)%s%s%s", path, cfg_line(s), use, defined,
                        near[0] ? "; did you mean " : "", near, near[0] ? "?" : "");
}

void scen_uses_free(scen_uses *uses)
{
    free(uses->line);
    free(uses->var);
    memset(uses, 0, sizeof *uses);
}

static int record(scen_uses *u, int line, size_t var)
{
    if (u->n == u->cap) {
        size_t cap = u->cap ? 2 * u->cap : 16;
        int *l = realloc(u->line, cap * sizeof *l);
        if (l)
            u->line = l;
        size_t *v = l ? realloc(u->var, cap * sizeof *v) : NULL;
        if (!v)
            return -1;
        u->var = v, u->cap = cap;
    }
    u->line[u->n] = line;
    u->var[u->n++] = var;
    return 0;
}

void scen_vars_explain(const char *path, const scen_uses *uses,
                       const calcify_scenario *sc, calcify_error *err)
{
    /* the use on the error's line whose value the message quotes: a line
     * may hold several uses ("$weeks" and "$dose" in one phase) */
    char prefix[600], quoted[600];
    const calcify_var *found = NULL;
    for (size_t k = 0; k < uses->n; k++) {
        int n = snprintf(prefix, sizeof prefix, "%s:%d:", path, uses->line[k]);
        if (n <= 0 || strncmp(err->msg, prefix, (size_t)n) != 0)
            continue;
        const calcify_var *v = &sc->vars[uses->var[k]];
        snprintf(quoted, sizeof quoted, "\"%s\"", v->value);
        if (strstr(err->msg, quoted)) {
            if (found && found != v && strcmp(found->value, v->value) != 0)
                return; /* two different variables quoted: say nothing wrong */
            found = v;
        }
    }
    if (!found)
        return;
    size_t len = strlen(err->msg);
    snprintf(err->msg + len, sizeof err->msg - len,
             "; the value is $%s (defined at line %d)", found->name, found->line);
}

calcify_status scen_vars_substitute(const char *path, config_setting_t *s,
                                    const calcify_scenario *sc, scen_uses *uses,
                                    calcify_error *err)
{
    if (config_setting_is_aggregate(s)) {
        int n = config_setting_length(s);
        for (int k = 0; k < n; k++) {
            config_setting_t *c = config_setting_get_elem(s, (unsigned)k);
            const char *name = config_setting_name(c);
            if (config_setting_is_root(s) && name && strcmp(name, "vars") == 0)
                continue;
            calcify_status st = scen_vars_substitute(path, c, sc, uses, err);
            if (st)
                return st;
        }
        return CALCIFY_OK;
    }
    const char *text = config_setting_type(s) == CONFIG_TYPE_STRING
                           ? config_setting_get_string(s) : NULL;
    if (!text || text[0] != '$')
        return CALCIFY_OK;
    const calcify_var *v = calcify_scenario_find_var(sc, text + 1);
    if (!v)
        return undefined(path, s, text, sc, err);
    if ((uses && record(uses, cfg_line(s), (size_t)(v - sc->vars))) ||
        config_setting_set_string(s, v->value) != CONFIG_TRUE)
        return CALCIFY_ENOMEM;
    return CALCIFY_OK;
}
