/* cfgread.c — checked reading of libconfig settings. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calcify/units.h"
#include "base/cfgread.h"
#include "base/infile.h"
#include "base/suggest.h"

/* Is c part of a libconfig name ([A-Za-z*][-A-Za-z0-9_*]*)? */
static int name_char(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '*';
}

/* Append n bytes to the growing copy. */
static int put(char **out, size_t *len, size_t *cap, const char *s, size_t n)
{
    if (*len + n + 1 > *cap) {
        size_t ncap = (*len + n + 1) * 2;
        char *g = realloc(*out, ncap);
        if (!g)
            return -1;
        *out = g;
        *cap = ncap;
    }
    memcpy(*out + *len, s, n);
    *len += n;
    (*out)[*len] = '\0';
    return 0;
}

/* The copy being made by prepare, and where the scan is in the text. */
typedef struct {
    const char *path;
    const char *copied; /* the text up to here is in out */
    char *out;
    size_t len, cap;
    int line;
    calcify_error *err;
} prep;

/* Past a string at p (escapes; it may not end), counting its lines.  The
 * text between the characters that matter is skipped by strcspn: a
 * parameter file is mostly the strings of its sources, and a byte at a
 * time took 126,000 instructions of every run. */
static const char *skip_string(const char *p, int *line)
{
    for (p++;;) {
        p += strcspn(p, "\"\\\n");
        if (*p == '\\' && p[1]) { /* an escaped character, a line break too */
            *line += p[1] == '\n';
            p += 2;
        } else if (*p == '\n') {
            (*line)++;
            p++;
        } else { /* the closing quote, the end, or a last lone backslash */
            return *p ? p + 1 : p;
        }
    }
}

/* Past a comment at p, counting its lines (strcspn, as for strings). */
static const char *skip_block_comment(const char *p, int *line)
{
    for (p += 2;;) {
        p += strcspn(p, "*\n");
        if (*p == '\n') {
            (*line)++;
            p++;
        } else if (*p == '*' && p[1] != '/') {
            p++;
        } else {
            return *p ? p + 2 : p;
        }
    }
}

/* Past the number at *pp: an integer too big for 32 bits gets its L
 * suffix in the copy; one too big for 64 bits is refused. */
static calcify_status scan_number(prep *s, const char **pp)
{
    const char *tok = *pp;
    int hex = 0;
    const char *d = tok + (*tok == '-' || *tok == '+');
    if (d[0] == '0' && (d[1] == 'x' || d[1] == 'X')) {
        hex = 1;
        for (d += 2; (*d >= '0' && *d <= '9') || (*d >= 'a' && *d <= 'f') ||
                     (*d >= 'A' && *d <= 'F'); d++)
            ;
    } else {
        while (*d >= '0' && *d <= '9')
            d++;
    }
    if (!hex && (*d == '.' || *d == 'e' || *d == 'E')) { /* a float */
        while ((*d >= '0' && *d <= '9') || *d == '.' || *d == 'e' || *d == 'E' ||
               ((*d == '-' || *d == '+') && (d[-1] == 'e' || d[-1] == 'E')))
            d++;
        *pp = d;
        return CALCIFY_OK;
    }
    int suffix = *d == 'L';
    errno = 0;
    char *end;
    long long v = hex ? (long long)strtoull(tok, &end, 16) : strtoll(tok, &end, 10);
    unsigned long long hv = hex ? strtoull(tok, &end, 16) : 0;
    if (errno == ERANGE || (hex && hv > (unsigned long long)LLONG_MAX))
        return calcify_fail(s->err, CALCIFY_EINPUT,
                            "%s:%d: integer %.*s does not fit in 64 bits (expected "
                            "an integer of at most 19 digits, or a number with a "
                            "decimal point such as 1e30)",
                            s->path, s->line, (int)(d - tok), tok);
    if (!suffix && (hex ? hv > (unsigned long long)INT_MAX
                        : (v > INT_MAX || v < INT_MIN))) {
        if (put(&s->out, &s->len, &s->cap, s->copied, (size_t)(d - s->copied)) ||
            put(&s->out, &s->len, &s->cap, "L", 1))
            return calcify_fail(s->err, CALCIFY_ENOMEM, "out of memory");
        s->copied = d;
    }
    while (*d == 'L')
        d++;
    *pp = d;
    return CALCIFY_OK;
}

/* libconfig 1.5 reads an integer without an L suffix into 32 bits, so
 * 4294967366 became 70, and it runs @include from inside its scanner,
 * against the working directory.  This pass walks the text as libconfig's
 * scanner would (strings, three kinds of comment, names, numbers) and
 * returns a copy in which every integer too big for 32 bits carries its L
 * suffix (*out NULL when there is none: the text itself will do);
 * integers beyond 64 bits and @include are refused. */
static calcify_status prepare(const char *path, const char *text, char **out,
                              calcify_error *err)
{
    prep s = {path, text, NULL, 0, 0, 1, err};
    *out = NULL;
    if (put(&s.out, &s.len, &s.cap, "", 0))
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    const char *p = text;
    int line_start = 1;
    calcify_status st = CALCIFY_OK;
    while (*p && !st) {
        if (*p == '\n') {
            s.line++;
            line_start = 1;
            p++;
            continue;
        }
        if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\f') {
            p++;
            continue;
        }
        int at_start = line_start;
        line_start = 0;
        if (*p == '"') {
            p = skip_string(p, &s.line);
        } else if (*p == '#' || (p[0] == '/' && p[1] == '/')) {
            p += strcspn(p, "\n");
        } else if (p[0] == '/' && p[1] == '*') {
            p = skip_block_comment(p, &s.line);
        } else if (*p == '@') {
            if (at_start && strncmp(p, "@include", 8) == 0)
                st = calcify_fail(err, CALCIFY_EINPUT,
                                  "%s:%d: @include is not supported (expected one "
                                  "self-contained file; a scenario names its "
                                  "parameter file with parameters = \"FILE\";)",
                                  path, s.line);
            p++;
        } else if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '*') {
            while (name_char((unsigned char)*p))
                p++;
        } else if ((*p >= '0' && *p <= '9') ||
                   ((*p == '-' || *p == '+') && p[1] >= '0' && p[1] <= '9') ||
                   /* a float such as .25 or -.25: its digits are no
                    * integer of their own (flex reads them as one float) */
                   (*p == '.' && p[1] >= '0' && p[1] <= '9') ||
                   ((*p == '-' || *p == '+') && p[1] == '.' && p[2] >= '0' && p[2] <= '9')) {
            st = scan_number(&s, &p);
        } else {
            p++;
        }
    }
    if (!st && s.copied == text) { /* nothing to add: the caller's text will do */
        free(s.out);
        return CALCIFY_OK;
    }
    if (!st && put(&s.out, &s.len, &s.cap, s.copied, strlen(s.copied)))
        st = calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    if (st)
        free(s.out);
    else
        *out = s.out;
    return st;
}

calcify_status cfg_load(config_t *cfg, const char *path, calcify_error *err)
{
    config_init(cfg);
    calcify_infile f;
    calcify_status st = calcify_infile_read(&f, path, "a scenario or parameter file", err);
    if (st)
        return st;
    if (strspn(f.data, " \t\r\n") == f.len) {
        calcify_infile_free(&f);
        return calcify_fail(err, CALCIFY_EINPUT,
                            "%s: file is empty (expected settings such as "
                            "'name = \"…\";')", path);
    }
    char *text;
    st = prepare(path, f.data, &text, err);
    if (st) {
        calcify_infile_free(&f);
        return st;
    }
    int ok = config_read_string(cfg, text ? text : f.data);
    free(text);
    calcify_infile_free(&f);
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
    /* a list or array here ("solver = ( … )") has members without names */
    if (!config_setting_is_group(group))
        return calcify_fail(err, CALCIFY_EINPUT, "%s:%d: %s is not a group (expected "
                            "{ key = value; … })", path, cfg_line(group), where);
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
                            "%s:%d: '%s' in %s is \"%s\" (expected %s in [%g, %g] %s)",
                            path, line, key, where, text, what, lo, hi, unit);
    *out = v;
    return CALCIFY_OK;
}

calcify_status cfg_quantity_text(const char *path, const config_setting_t *s,
                                 const char *key, const char *where,
                                 const char *example, const char **text,
                                 calcify_error *err)
{
    *text = config_setting_type(s) == CONFIG_TYPE_STRING ? config_setting_get_string(s) : NULL;
    if (*text)
        return CALCIFY_OK;
    char is[96];
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64:
        snprintf(is, sizeof is, "%lld, a number without a unit",
                 (long long)config_setting_get_int64(s));
        break;
    case CONFIG_TYPE_FLOAT:
        snprintf(is, sizeof is, "%g, a number without a unit", config_setting_get_float(s));
        break;
    case CONFIG_TYPE_BOOL:
        snprintf(is, sizeof is, "%s, a boolean", config_setting_get_bool(s) ? "true" : "false");
        break;
    case CONFIG_TYPE_GROUP: snprintf(is, sizeof is, "a group { }"); break;
    case CONFIG_TYPE_ARRAY: snprintf(is, sizeof is, "an array [ ]"); break;
    case CONFIG_TYPE_LIST: snprintf(is, sizeof is, "a list ( )"); break;
    default: snprintf(is, sizeof is, "not a string"); break;
    }
    return calcify_fail(err, CALCIFY_EINPUT,
                        "%s:%d: '%s' in %s is %s (expected a quantity with a unit, "
                        "e.g. \"%s\")", path, cfg_line(s), key, where, is, example);
}

calcify_status cfg_quantity(const char *path, const config_setting_t *group,
                            const char *key, const char *where,
                            const char *unit, double lo, double hi,
                            const char *what, const char *example, double *out,
                            calcify_error *err)
{
    const config_setting_t *s = config_setting_get_member(group, key);
    char at[1024];
    if (!s)
        return calcify_fail(err, CALCIFY_EINPUT,
                            "%s: missing required key '%s' in %s (expected "
                            "%s = \"NUMBER UNIT\";)",
                            loc(at, sizeof at, path, cfg_line(group)), key, where,
                            key);
    const char *text;
    calcify_status st = cfg_quantity_text(path, s, key, where, example, &text, err);
    if (st)
        return st;
    return cfg_convert_quantity(path, cfg_line(s), key, where, text, unit, lo,
                                hi, what, out, err);
}
