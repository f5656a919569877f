/* params.c — parameter files: load, check, override, write. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calcify/output.h"
#include "calcify/params.h"
#include "calcify/units.h"
#include "base/cfgread.h"
#include "base/suggest.h"

static const char *const param_keys[] = {"value", "unit", "source", NULL};

void calcify_paramset_free(calcify_paramset *ps)
{
    if (!ps)
        return;
    for (int i = 0; i < CALCIFY_MAX_PARAM; i++)
        free(ps->source[i]);
    memset(ps, 0, sizeof *ps);
}

const calcify_modeldef *calcify_params_file_model(void) { return &calcify_vermeer2007_model; }

const calcify_modeldef *calcify_paramset_model(const calcify_paramset *ps)
{
    return ps->model ? ps->model : calcify_params_file_model();
}

calcify_status calcify_paramset_copy(calcify_paramset *dst,
                                     const calcify_paramset *src)
{
    calcify_paramset tmp;
    memset(&tmp, 0, sizeof tmp);
    tmp.model = src->model;
    for (int i = 0; i < CALCIFY_MAX_PARAM; i++) {
        tmp.value[i] = src->value[i];
        if (src->source[i] && !(tmp.source[i] = strdup(src->source[i]))) {
            calcify_paramset_free(&tmp);
            return CALCIFY_ENOMEM;
        }
    }
    *dst = tmp;
    return CALCIFY_OK;
}

static calcify_status range_check(int i, double v, calcify_error *err,
                                  const char *path, int line)
{
    const calcify_param_def *d = &calcify_param_defs[i];
    if (isfinite(v) && v >= d->lo && v <= d->hi)
        return CALCIFY_OK;
    if (path)
        return calcify_fail(err, CALCIFY_EINPUT,
                            "%s:%d: parameter '%s' is %g %s (expected a value "
                            "in [%g, %g] %s)",
                            path, line, d->name, v, d->unit, d->lo, d->hi, d->unit);
    return calcify_fail(err, CALCIFY_EINPUT,
                        "parameter '%s' is %g %s (expected a value in [%g, %g] %s)",
                        d->name, v, d->unit, d->lo, d->hi, d->unit);
}

calcify_status calcify_param_check(int index, double value, const char *path, int line,
                                   calcify_error *err)
{
    return range_check(index, value, err, path, line);
}

static char *suggest_param(const char *name, char *buf, size_t cap)
{
    return calcify_suggest_strided(name, &calcify_param_defs[0].name,
                                   CALCIFY_NPARAM, sizeof calcify_param_defs[0],
                                   buf, cap);
}

static calcify_status load_one(const char *path, const config_setting_t *g,
                               int i, calcify_paramset *ps, calcify_error *err)
{
    const calcify_param_def *d = &calcify_param_defs[i];
    char where[128];
    snprintf(where, sizeof where, "parameter '%s'", d->name);
    if (!config_setting_is_group(g))
        return calcify_fail(err, CALCIFY_EINPUT,
                            "%s:%d: %s is not a group (expected %s = { value = "
                            "…; unit = \"%s\"; source = \"…\"; };)",
                            path, cfg_line(g), where, d->name, d->unit);
    calcify_status st = cfg_check_keys(path, g, param_keys, where, err);
    if (st)
        return st;
    double raw;
    if ((st = cfg_number(path, g, "value", where, -HUGE_VAL, HUGE_VAL, &raw, err)))
        return st;
    const char *unit, *source;
    if ((st = cfg_string(path, g, "unit", where, 1, &unit, err)) ||
        (st = cfg_string(path, g, "source", where, 1, &source, err)))
        return st;
    int line = cfg_line(config_setting_get_member(g, "unit"));
    double v;
    int rc = calcify_unit_convert(raw, unit, d->unit, &v);
    if (rc != 0)
        return calcify_fail(err, CALCIFY_EINPUT,
                            "%s:%d: unit \"%s\" of %s is %s (expected one of: %s)",
                            path, line, unit, where,
                            rc == -1 ? "unknown" : "of the wrong dimension",
                            calcify_unit_alternatives(d->unit));
    if ((st = range_check(i, v, err, path, cfg_line(g))))
        return st;
    ps->value[i] = v;
    if (!(ps->source[i] = strdup(source)))
        return CALCIFY_ENOMEM;
    return CALCIFY_OK;
}

calcify_status calcify_paramset_load(const char *path, calcify_paramset *ps,
                                     calcify_error *err)
{
    config_t cfg;
    calcify_paramset tmp;
    memset(&tmp, 0, sizeof tmp);
    tmp.model = calcify_params_file_model();
    calcify_status st = cfg_load(&cfg, path, err);
    if (st)
        goto out;
    const config_setting_t *root = config_root_setting(&cfg);
    static const char *const top_keys[] = {"parameters", NULL};
    if ((st = cfg_check_keys(path, root, top_keys, "a parameter file", err)))
        goto out;
    const config_setting_t *group = cfg_require(path, root, "parameters",
                                                "a parameter file", err);
    if (!group) {
        st = CALCIFY_EINPUT;
        goto out;
    }
    if (!config_setting_is_group(group)) {
        st = calcify_fail(err, CALCIFY_EINPUT,
                          "%s:%d: 'parameters' is not a group (expected "
                          "parameters = { … };)", path, cfg_line(group));
        goto out;
    }
    int n = config_setting_length(group), next = 0;
    for (int k = 0; k < n; k++) {
        const config_setting_t *g = config_setting_get_elem(group, (unsigned)k);
        const char *name = config_setting_name(g);
        /* files list the parameters in their order (calcify fit and
         * params write them so): the one after the last is tried first,
         * a search of all of them cost ~1,350 instructions a name */
        int i = next < CALCIFY_NPARAM && strcmp(calcify_param_defs[next].name, name) == 0
                    ? next
                    : calcify_param_find(name);
        next = i + 1;
        if (i < 0) {
            char near[256];
            suggest_param(name, near, sizeof near);
            st = calcify_fail(err, CALCIFY_EINPUT,
                              "%s:%d: unknown parameter '%s' (expected a name "
                              "listed by 'calcify params')%s%s%s",
                              path, cfg_line(g), name,
                              near[0] ? "; did you mean " : "", near,
                              near[0] ? "?" : "");
            goto out;
        }
        if ((st = load_one(path, g, i, &tmp, err)))
            goto out;
    }
    for (int i = 0; i < CALCIFY_NPARAM; i++)
        if (!tmp.source[i]) {
            st = calcify_fail(err, CALCIFY_EINPUT,
                              "%s:%d: missing parameter '%s' (expected %s = { "
                              "value = …; unit = \"%s\"; source = \"…\"; };)",
                              path, cfg_line(group), calcify_param_defs[i].name,
                              calcify_param_defs[i].name, calcify_param_defs[i].unit);
            goto out;
        }
out:
    config_destroy(&cfg);
    if (st == CALCIFY_ENOMEM)
        calcify_fail(err, st, "%s: out of memory", path);
    if (st)
        calcify_paramset_free(&tmp);
    else
        *ps = tmp;
    return st;
}

calcify_status calcify_paramset_set(calcify_paramset *ps, int index,
                                    double value, const char *origin,
                                    calcify_error *err)
{
    calcify_status st = range_check(index, value, err, NULL, 0);
    if (st)
        return st;
    char *src = strdup(origin ? origin : "set by the caller");
    if (!src)
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    free(ps->source[index]);
    ps->source[index] = src;
    ps->value[index] = value;
    return CALCIFY_OK;
}

calcify_status calcify_paramset_assign(calcify_paramset *ps,
                                       const char *assignment,
                                       const char *origin, calcify_error *err)
{
    const char *eq = strchr(assignment, '=');
    if (!eq || eq == assignment)
        return calcify_fail(err, CALCIFY_EUSAGE,
                            "--set '%s': expected NAME=VALUE, e.g. "
                            "warfarin_thalf=12 or warfarin_thalf='12 h'",
                            assignment);
    char name[64];
    size_t n = (size_t)(eq - assignment);
    if (n >= sizeof name)
        n = sizeof name - 1;
    memcpy(name, assignment, n);
    name[n] = '\0';
    int i = calcify_param_find(name);
    if (i < 0) {
        char near[256];
        suggest_param(name, near, sizeof near);
        return calcify_fail(err, CALCIFY_EUSAGE,
                            "--set: unknown parameter '%s' (see 'calcify params "
                            "SCENARIO')%s%s%s",
                            name, near[0] ? "; did you mean " : "", near,
                            near[0] ? "?" : "");
    }
    const calcify_param_def *d = &calcify_param_defs[i];
    const char *text = eq + 1;
    char buf[128];
    /* a bare number is in the model's unit */
    char *end;
    (void)strtod(text, &end);
    if (end != text && *end == '\0') {
        snprintf(buf, sizeof buf, "%s %s", text, d->unit);
        text = buf;
    }
    double v;
    calcify_status st = cfg_convert_quantity("--set", 0, name, "--set", text,
                                             d->unit, -HUGE_VAL, HUGE_VAL, "",
                                             &v, err);
    if (st) { /* drop the "path:line: " prefix, which means nothing here */
        char msg[sizeof err->msg];
        snprintf(msg, sizeof msg, "%s", err->msg + strlen("--set:0: "));
        return calcify_fail(err, CALCIFY_EUSAGE, "--set: %s", msg);
    }
    st = calcify_paramset_set(ps, i, v, origin, err);
    return st == CALCIFY_EINPUT ? CALCIFY_EUSAGE : st;
}

/* Escape a string for a libconfig "…" literal. */
static void write_escaped(FILE *fp, const char *s)
{
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', fp);
        fputc(*s, fp);
    }
}

calcify_status calcify_paramset_write(const calcify_paramset *ps,
                                      const char *path, const char *header,
                                      calcify_error *err)
{
    calcify_outfile of;
    calcify_status st = calcify_outfile_open(&of, path, err);
    if (st)
        return st;
    FILE *fp = of.fp;
    if (header) {
        const char *line = header;
        while (*line) {
            const char *nl = strchr(line, '\n');
            size_t len = nl ? (size_t)(nl - line) : strlen(line);
            fprintf(fp, "# %.*s\n", (int)len, line);
            line += len + (nl ? 1 : 0);
        }
        fputc('\n', fp);
    }
    fputs("parameters = {\n", fp);
    for (int i = 0; i < CALCIFY_NPARAM; i++) {
        const calcify_param_def *d = &calcify_param_defs[i];
        /* exact, so a fitted file gives back the fit's very values */
        char value[CALCIFY_NUMFMT_CAP];
        calcify_numfmt(value, ps->value[i], CALCIFY_NUMFMT_SHORTEST);
        fprintf(fp, "  # %s\n  %s = { value = %s; unit = \"%s\";\n    source = \"",
                d->meaning, d->name, value, d->unit);
        write_escaped(fp, ps->source[i] ? ps->source[i] : "");
        fputs("\"; };\n", fp);
    }
    fputs("};\n", fp);
    return calcify_outfile_commit(&of, err);
}

char *calcify_param_column(int param, char *buf, size_t cap)
{
    const calcify_param_def *d = &calcify_param_defs[param];
    size_t n = (size_t)snprintf(buf, cap, "%s", d->name);
    if (strcmp(d->unit, "1") == 0)
        return buf;
    if (n + 1 < cap)
        buf[n++] = '_', buf[n] = '\0';
    for (const char *u = d->unit; *u && n + 6 < cap; u++) {
        if (*u == '/') {
            memcpy(buf + n, "_per_", 6);
            n += 5;
        } else {
            buf[n++] = *u;
            buf[n] = '\0';
        }
    }
    /* "1/d" reads better as "per_d" than "1_per_d" */
    char *one = strstr(buf, "_1_per_");
    if (one)
        memmove(one + 1, one + 3, strlen(one + 3) + 1);
    return buf;
}
