/* cfgread.c — checked reading of libconfig settings. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "calcify/units.h"
#include "cfgread.h"
#include "suggest.h"

calcify_status cfg_load(config_t *cfg, const char *path, calcify_error *err)
{
    config_init(cfg);
    struct stat st;
    if (stat(path, &st) != 0)
        return calcify_fail(err, CALCIFY_EINPUT, "%s: cannot open: %s", path,
                            strerror(errno));
    if (S_ISDIR(st.st_mode))
        return calcify_fail(err, CALCIFY_EINPUT,
                            "%s: is a directory (expected a file)", path);
    FILE *fp = fopen(path, "r");
    if (!fp)
        return calcify_fail(err, CALCIFY_EINPUT, "%s: cannot open: %s", path,
                            strerror(errno));
    int c, only_space = 1;
    while ((c = getc(fp)) != EOF)
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
            only_space = 0;
            break;
        }
    if (ferror(fp)) {
        int e = errno;
        fclose(fp);
        return calcify_fail(err, CALCIFY_EINPUT, "%s: cannot read: %s", path,
                            strerror(e));
    }
    if (only_space) {
        fclose(fp);
        return calcify_fail(err, CALCIFY_EINPUT,
                            "%s: file is empty (expected settings such as "
                            "'name = \"…\";')", path);
    }
    rewind(fp);
    int ok = config_read(cfg, fp);
    fclose(fp);
    /* libconfig refuses a key written twice in one group; say which rule */
    if (ok != CONFIG_TRUE && strcmp(config_error_text(cfg), "duplicate setting name") == 0)
        return calcify_fail(err, CALCIFY_EINPUT,
                            "%s:%d: a key, variable or parameter defined twice in one "
                            "group (expected each name once)",
                            path, config_error_line(cfg));
    if (ok != CONFIG_TRUE)
        return calcify_fail(err, CALCIFY_EINPUT,
                            "%s:%d: %s (expected libconfig syntax: "
                            "key = value; groups in { }, lists in ( ))",
                            path, config_error_line(cfg),
                            config_error_text(cfg));
    return CALCIFY_OK;
}

/* "path:line" or, for the file as a whole (line 0), "path". */
static const char *loc(char *buf, size_t cap, const char *path, int line)
{
    if (line > 0)
        snprintf(buf, cap, "%s:%d", path, line);
    else
        snprintf(buf, cap, "%s", path);
    return buf;
}

int cfg_line(const config_setting_t *s)
{
    while (s) {
        int line = config_setting_source_line(s);
        if (line > 0)
            return line;
        s = config_setting_parent(s);
    }
    return 0;
}

calcify_status cfg_check_keys(const char *path, const config_setting_t *group,
                              const char *const *allowed, const char *where,
                              calcify_error *err)
{
    size_t n_allowed = 0;
    while (allowed[n_allowed])
        n_allowed++;
    int n = config_setting_length(group);
    for (int i = 0; i < n; i++) {
        const config_setting_t *s = config_setting_get_elem(group, (unsigned)i);
        const char *name = config_setting_name(s);
        size_t k = 0;
        while (k < n_allowed && strcmp(allowed[k], name) != 0)
            k++;
        if (k < n_allowed)
            continue;
        char expected[512] = "", near[256];
        for (size_t j = 0; j < n_allowed; j++) {
            if (j)
                strncat(expected, ", ", sizeof expected - strlen(expected) - 1);
            strncat(expected, allowed[j], sizeof expected - strlen(expected) - 1);
        }
        calcify_suggest(name, allowed, n_allowed, near, sizeof near);
        return calcify_fail(err, CALCIFY_EINPUT,
                            "%s:%d: unknown key '%s' in %s (expected one of: "
                            "%s)%s%s%s",
                            path, cfg_line(s), name, where, expected,
                            near[0] ? "; did you mean " : "", near,
                            near[0] ? "?" : "");
    }
    return CALCIFY_OK;
}

const config_setting_t *cfg_require(const char *path,
                                    const config_setting_t *group,
                                    const char *key, const char *where,
                                    calcify_error *err)
{
    const config_setting_t *s = config_setting_get_member(group, key);
    char at[1024];
    if (!s)
        calcify_fail(err, CALCIFY_EINPUT, "%s: missing required key '%s' in %s",
                     loc(at, sizeof at, path, cfg_line(group)), key, where);
    return s;
}

calcify_status cfg_string(const char *path, const config_setting_t *group,
                          const char *key, const char *where, int required,
                          const char **out, calcify_error *err)
{
    const config_setting_t *s = config_setting_get_member(group, key);
    char at[1024];
    *out = NULL;
    if (!s) {
        if (!required)
            return CALCIFY_OK;
        return calcify_fail(err, CALCIFY_EINPUT,
                            "%s: missing required key '%s' in %s",
                            loc(at, sizeof at, path, cfg_line(group)), key, where);
    }
    const char *v = config_setting_get_string(s);
    if (!v || !v[0])
        return calcify_fail(err, CALCIFY_EINPUT,
                            "%s:%d: '%s' in %s must be a non-empty string "
                            "(expected %s = \"…\";)",
                            path, cfg_line(s), key, where, key);
    *out = v;
    return CALCIFY_OK;
}

calcify_status cfg_number(const char *path, const config_setting_t *group,
                          const char *key, const char *where, double lo,
                          double hi, double *out, calcify_error *err)
{
    const config_setting_t *s = cfg_require(path, group, key, where, err);
    if (!s)
        return CALCIFY_EINPUT;
    double v;
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_FLOAT: v = config_setting_get_float(s); break;
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64: v = (double)config_setting_get_int64(s); break;
    default:
        return calcify_fail(err, CALCIFY_EINPUT,
                            "%s:%d: '%s' in %s is not a number (expected a "
                            "number such as 1e-6, without quotes)",
                            path, cfg_line(s), key, where);
    }
    if (!isfinite(v) || v < lo || v > hi)
        return calcify_fail(err, CALCIFY_EINPUT,
                            "%s:%d: '%s' in %s is %g (expected a number in "
                            "[%g, %g])",
                            path, cfg_line(s), key, where, v, lo, hi);
    *out = v;
    return CALCIFY_OK;
}

calcify_status cfg_convert_quantity(const char *path, int line,
                                    const char *key, const char *where,
                                    const char *text, const char *unit,
                                    double lo, double hi, const char *what,
                                    double *out, calcify_error *err)
{
    double v;
    switch (calcify_quantity_parse(text, unit, &v)) {
    case 0:
        break;
    case -1:
        return calcify_fail(err, CALCIFY_EINPUT,
                            "%s:%d: '%s' in %s is \"%s\": not a finite number "
                            "(expected a number and a unit, e.g. \"1 %s\")",
                            path, line, key, where, text, unit);
    case -2:
        return calcify_fail(err, CALCIFY_EINPUT,
                            "%s:%d: '%s' in %s is \"%s\": missing or unknown "
                            "unit (expected one of: %s)",
                            path, line, key, where, text,
                            calcify_unit_alternatives(unit));
    default:
        return calcify_fail(err, CALCIFY_EINPUT,
                            "%s:%d: '%s' in %s is \"%s\": the unit does not fit "
                            "this quantity (expected one of: %s)",
                            path, line, key, where, text,
                            calcify_unit_alternatives(unit));
    }
    if (!(v >= lo && v <= hi))
        return calcify_fail(err, CALCIFY_EINPUT,
                            "%s:%d: '%s' in %s is \"%s\" (expected %s)", path,
                            line, key, where, text, what);
    *out = v;
    return CALCIFY_OK;
}

calcify_status cfg_quantity(const char *path, const config_setting_t *group,
                            const char *key, const char *where,
                            const char *unit, double lo, double hi,
                            const char *what, double *out, calcify_error *err)
{
    const config_setting_t *s = config_setting_get_member(group, key);
    char at[1024];
    if (!s)
        return calcify_fail(err, CALCIFY_EINPUT,
                            "%s: missing required key '%s' in %s (expected "
                            "%s = \"NUMBER UNIT\";)",
                            loc(at, sizeof at, path, cfg_line(group)), key, where,
                            key);
    const char *text = config_setting_get_string(s);
    if (!text)
        return calcify_fail(err, CALCIFY_EINPUT,
                            "%s:%d: '%s' in %s has no unit (expected a quoted "
                            "number and unit, e.g. %s = \"1 %s\";)",
                            path, cfg_line(s), key, where, key, unit);
    return cfg_convert_quantity(path, cfg_line(s), key, where, text, unit, lo,
                                hi, what, out, err);
}
