/* units.c — a small table of units, each a factor times its dimension's base.
 *
 * Only the units calcify's files need are listed; an unknown unit is an
 * error, never guessed.  Mass ratios share one dimension on purpose: mg/g of
 * food, ng/g of tissue and ug/mg of dry aorta are all mass per mass.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "calcify/units.h"

typedef enum {
    DIM_ONE, DIM_TIME, DIM_RATE, DIM_MASS_RATIO, DIM_MASS_RATIO_RATE,
    DIM_INV_MASS_RATIO, DIM_CONC, DIM_VOL_PER_MASS, DIM_CLEARANCE,
    DIM_MASS, DIM_MASS_RATE
} dimension;

typedef struct {
    const char *name;
    dimension dim;
    double factor;  /* value in base unit = value × factor */
} unit_def;

static const unit_def units[] = {
    {"1", DIM_ONE, 1.0},          {"%", DIM_ONE, 0.01},
    {"d", DIM_TIME, 1.0},         {"h", DIM_TIME, 1.0 / 24},
    {"min", DIM_TIME, 1.0 / 1440}, {"w", DIM_TIME, 7.0},
    /* the month as mrgsolve and most dosing texts take it: a twelfth of
     * the Julian year, 30.4375 d, so 12 mo is exactly 1 y */
    {"mo", DIM_TIME, 365.25 / 12},
    /* the Julian year: 2 y is 730.5 d, as in most pharmacology texts */
    {"y", DIM_TIME, 365.25},
    {"1/d", DIM_RATE, 1.0},       {"1/h", DIM_RATE, 24.0},
    {"1/w", DIM_RATE, 1.0 / 7},
    /* base: mg/g */
    {"g/g", DIM_MASS_RATIO, 1e3}, {"mg/g", DIM_MASS_RATIO, 1.0},
    {"ug/g", DIM_MASS_RATIO, 1e-3}, {"ng/g", DIM_MASS_RATIO, 1e-6},
    {"ug/mg", DIM_MASS_RATIO, 1.0}, {"mg/kg", DIM_MASS_RATIO, 1e-3},
    {"g/kg", DIM_MASS_RATIO, 1.0}, {"ug/kg", DIM_MASS_RATIO, 1e-6},
    /* base: mg/g/d */
    {"g/kg/d", DIM_MASS_RATIO_RATE, 1.0}, {"mg/g/d", DIM_MASS_RATIO_RATE, 1.0},
    {"ug/mg/d", DIM_MASS_RATIO_RATE, 1.0},
    {"ng/g/d", DIM_MASS_RATIO_RATE, 1e-6}, {"ng/g/h", DIM_MASS_RATIO_RATE, 24e-6},
    {"ug/g/d", DIM_MASS_RATIO_RATE, 1e-3},
    /* infusion rates per kg body weight */
    {"mg/kg/d", DIM_MASS_RATIO_RATE, 1e-3}, {"ug/kg/d", DIM_MASS_RATIO_RATE, 1e-6},
    {"mg/kg/h", DIM_MASS_RATIO_RATE, 24e-3}, {"ug/kg/h", DIM_MASS_RATIO_RATE, 24e-6},
    /* base: 1/(mg/g) */
    {"mg/ug", DIM_INV_MASS_RATIO, 1.0}, {"g/mg", DIM_INV_MASS_RATIO, 1.0},
    /* base: mg/L */
    {"mg/L", DIM_CONC, 1.0}, {"ug/mL", DIM_CONC, 1.0},
    {"ug/L", DIM_CONC, 1e-3}, {"ng/mL", DIM_CONC, 1e-3},
    /* base: L/kg */
    {"L/kg", DIM_VOL_PER_MASS, 1.0}, {"mL/g", DIM_VOL_PER_MASS, 1.0},
    {"mL/kg", DIM_VOL_PER_MASS, 1e-3},
    /* base: mL/g/d */
    {"mL/g/d", DIM_CLEARANCE, 1.0}, {"L/kg/d", DIM_CLEARANCE, 1.0},
    {"mL/g/h", DIM_CLEARANCE, 24.0},
    /* base: mg (doses per animal, body weight) */
    {"kg", DIM_MASS, 1e6}, {"g", DIM_MASS, 1e3}, {"mg", DIM_MASS, 1.0},
    {"ug", DIM_MASS, 1e-3},
    /* base: g/d (food per animal) */
    {"g/d", DIM_MASS_RATE, 1.0}, {"kg/d", DIM_MASS_RATE, 1e3}, {"mg/d", DIM_MASS_RATE, 1e-3},
    /* infusion rates per animal */
    {"ug/d", DIM_MASS_RATE, 1e-6}, {"mg/h", DIM_MASS_RATE, 24e-3}, {"ug/h", DIM_MASS_RATE, 24e-6},
};
enum { N_UNITS = sizeof units / sizeof units[0] };

/* Copy `in` to `out` with both micro signs folded to 'u'. */
static void fold_micro(const char *in, char *out, size_t cap)
{
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)in; *p && o + 1 < cap; p++) {
        if ((p[0] == 0xC2 && p[1] == 0xB5) || (p[0] == 0xCE && p[1] == 0xBC)) {
            out[o++] = 'u';
            p++;
        } else {
            out[o++] = (char)*p;
        }
    }
    out[o] = '\0';
}

static const unit_def *lookup(const char *name)
{
    char folded[64];
    fold_micro(name, folded, sizeof folded);
    for (size_t i = 0; i < N_UNITS; i++)
        if (strcmp(units[i].name, folded) == 0)
            return &units[i];
    return NULL;
}

int calcify_unit_convert(double value, const char *from, const char *to,
                         double *out)
{
    /* a value in the unit asked for (most parameters) needs one lookup */
    const unit_def *a = lookup(from), *b = strcmp(from, to) == 0 ? a : lookup(to);
    if (!a || !b)
        return -1;
    if (a->dim != b->dim)
        return -2;
    *out = value * a->factor / b->factor;
    return 0;
}

int calcify_quantity_parse(const char *text, const char *to, double *out)
{
    const char *p = text;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p == '\0')
        return -1;
    char *end;
    errno = 0;
    double v = strtod(p, &end);
    if (end == p || errno == ERANGE || !isfinite(v))
        return -1;
    while (*end == ' ' || *end == '\t')
        end++;
    char unit[64];
    size_t n = strlen(end);
    while (n > 0 && (end[n - 1] == ' ' || end[n - 1] == '\t'))
        n--;
    if (n == 0 || n >= sizeof unit)
        return -2;
    memcpy(unit, end, n);
    unit[n] = '\0';
    const unit_def *u = lookup(unit);
    if (!u)
        return -2;
    int rc = calcify_unit_convert(v, unit, to, out);
    return rc == -2 ? -3 : rc;
}

const char *calcify_unit_alternatives(const char *unit)
{
    static char buf[256];
    const unit_def *u = lookup(unit);
    buf[0] = '\0';
    if (!u)
        return buf;
    for (size_t i = 0; i < N_UNITS; i++) {
        if (units[i].dim != u->dim)
            continue;
        if (buf[0])
            strncat(buf, ", ", sizeof buf - strlen(buf) - 1);
        strncat(buf, units[i].name, sizeof buf - strlen(buf) - 1);
    }
    return buf;
}
