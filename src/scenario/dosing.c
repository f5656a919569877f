/* dosing.c — doses and growth tables: reading them from scenario files,
 * body weight and food intake at a time, doses as state jumps. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "calcify/dosing.h"
#include "calcify/modeldef.h"
#include "calcify/params.h"
#include "calcify/units.h"
#include "scenario/dosing_read.h"
#include "base/suggest.h"

const char *const calcify_route_names[CALCIFY_NROUTE] = {"oral", "sc", "ip", "iv"};

const char *const calcify_weekday_names[7] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};

static const char *const dose_keys[] = {"drug", "route", "amount", "rate", "duration", "at",
                                        "every", "count", "days", NULL};
static const char *const growth_keys[] = {"time", "body_weight", "food_intake", NULL};

/* Doses cap: a typo like every = "1 min" over a year would otherwise ask
 * for half a million state jumps. */
#define MAX_DOSES_PER_ENTRY 100000L

void calcify_growth_at(const calcify_growth *g, double t, double *bw, double *food_per_kg,
                       double *dfood_dt)
{
    size_t n = g->n, i = 0;
    double b, f, db = 0, df = 0;
    if (n == 1 || t <= g->t[0]) {
        b = g->body_weight[0];
        f = g->food[0];
    } else if (t >= g->t[n - 1]) {
        b = g->body_weight[n - 1];
        f = g->food[n - 1];
    } else {
        while (i + 1 < n && g->t[i + 1] <= t)
            i++;
        const double h = g->t[i + 1] - g->t[i], w = (t - g->t[i]) / h;
        db = (g->body_weight[i + 1] - g->body_weight[i]) / h;
        df = (g->food[i + 1] - g->food[i]) / h;
        b = g->body_weight[i] + w * (g->body_weight[i + 1] - g->body_weight[i]);
        f = g->food[i] + w * (g->food[i + 1] - g->food[i]);
    }
    *bw = b;
    *food_per_kg = f / b;
    if (dfood_dt)
        *dfood_dt = (df * b - f * db) / (b * b);
}

_Static_assert(CALCIFY_NROUTE == CALCIFY_MODEL_NROUTE, "routes in calcify_modeldef order");

/* The state a dose of `drug` by `route` enters and the factor from mg per
 * kg to that state's unit: the model's (calcify_modeldef.drugs).  A model
 * without that drug or route refuses. */
static calcify_status dose_state(const calcify_modeldef *md, const calcify_dose *d,
                                 size_t *state, double *per_mg, calcify_error *err)
{
    const int known = d->drug >= 0 && (size_t)d->drug < md->n_drug;
    const calcify_dose_target *to = known ? &md->drugs[d->drug].route[d->route] : NULL;
    if (!to || to->state < 0)
        return calcify_fail(err, CALCIFY_EINPUT, "line %d: a dose of drug %s by route %s "
                            "(expected a drug and route the model '%s' takes)", d->line,
                            known ? md->drugs[d->drug].name : "?",
                            calcify_route_names[d->route], md->name);
    *state = (size_t)to->state;
    *per_mg = to->per_mg;
    return CALCIFY_OK;
}

static int cmp_event(const void *a, const void *b)
{
    const calcify_event *x = a, *y = b;
    return (x->t > y->t) - (x->t < y->t);
}

calcify_status calcify_dose_events(const calcify_modeldef *md, const calcify_dose *d,
                                   size_t n, double duration,
                                   double t0, const calcify_growth *growth,
                                   double body_weight, calcify_event **events,
                                   size_t *n_events, calcify_error *err)
{
    *events = NULL;
    *n_events = 0;
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        if (!(d[i].duration > 0))
            total += (size_t)d[i].count;
    if (total == 0)
        return CALCIFY_OK;
    calcify_event *ev = malloc(total * sizeof *ev);
    if (!ev)
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        double per_mg;
        size_t state;
        if (dose_state(md, &d[i], &state, &per_mg, err)) {
            free(ev);
            return CALCIFY_EINPUT;
        }
        for (long k = 0; k < d[i].count; k++) {
            const double t = d[i].at + (double)k * d[i].every;
            if (t >= duration)
                break;
            if (d[i].duration > 0)
                break; /* an infusion: calcify_dose_infusions */
            double bw = body_weight, food;
            if (growth)
                calcify_growth_at(growth, t0 + t, &bw, &food, NULL);
            ev[m].t = t;
            ev[m].state = state;
            ev[m].amount = per_mg * (d[i].per_kg ? d[i].amount : d[i].amount / bw);
            m++;
        }
    }
    qsort(ev, m, sizeof *ev, cmp_event);
    *events = ev;
    *n_events = m;
    return CALCIFY_OK;
}

calcify_status calcify_dose_infusions(const calcify_modeldef *md, const calcify_dose *d,
                                      size_t n, double t0,
                                      calcify_infusion **out, size_t *n_out,
                                      calcify_error *err)
{
    *out = NULL;
    *n_out = 0;
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        if (d[i].duration > 0)
            total += (size_t)d[i].count;
    if (total == 0)
        return CALCIFY_OK;
    calcify_infusion *inf = malloc(total * sizeof *inf);
    if (!inf)
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (!(d[i].duration > 0))
            continue;
        double per_mg;
        size_t state;
        if (dose_state(md, &d[i], &state, &per_mg, err)) {
            free(inf);
            return CALCIFY_EINPUT;
        }
        for (long k = 0; k < d[i].count; k++) {
            const double t = t0 + d[i].at + (double)k * d[i].every;
            inf[m++] = (calcify_infusion){t, t + d[i].duration, state, per_mg * d[i].rate,
                                          d[i].per_kg};
        }
    }
    *out = inf;
    *n_out = m;
    return CALCIFY_OK;
}

double calcify_growth_weight_slope(const calcify_growth *g, double t)
{
    if (!g || g->n == 1 || t < g->t[0] || t >= g->t[g->n - 1])
        return 0;
    size_t i = 0;
    while (i + 1 < g->n && g->t[i + 1] <= t)
        i++;
    return (g->body_weight[i + 1] - g->body_weight[i]) / (g->t[i + 1] - g->t[i]);
}

/* ∫ dt / body_weight(t) from a to b (1/kg·d) under the growth table, or
 * (b − a) / body_weight without one: what a per-animal infusion gives per
 * kg. */
static double growth_inv_weight_integral(const calcify_growth *g, double body_weight,
                                          double a, double b)
{
    if (!g)
        return (b - a) / body_weight;
    /* body weight is linear between the table's times and constant
     * outside: ∫ dt / (w0 + s·(t − ta)) = ln(w1 / w0) / s on each piece */
    double sum = 0, t = a;
    while (t < b) {
        size_t i = 0;
        while (i < g->n && g->t[i] <= t)
            i++;
        const double next = i < g->n && g->t[i] < b ? g->t[i] : b;
        double w0, w1, f;
        calcify_growth_at(g, t, &w0, &f, NULL);
        calcify_growth_at(g, next, &w1, &f, NULL);
        sum += w1 == w0 ? (next - t) / w0 : (next - t) * log(w1 / w0) / (w1 - w0);
        t = next;
    }
    return sum;
}

static int cmp_record(const void *a, const void *b)
{
    const calcify_dose_record *x = a, *y = b;
    if (x->t != y->t)
        return (x->t > y->t) - (x->t < y->t);
    if (x->drug != y->drug)
        return (int)x->drug - (int)y->drug;
    if (x->route != y->route)
        return (int)x->route - (int)y->route;
    return (x->amount_mg_per_kg > y->amount_mg_per_kg) - (x->amount_mg_per_kg < y->amount_mg_per_kg);
}

calcify_status calcify_arm_doses(const calcify_scenario *sc, const calcify_arm *arm,
                                 calcify_dose_record **out, size_t *n, calcify_error *err)
{
    *out = NULL;
    *n = 0;
    size_t total = 0;
    for (size_t p = 0; p < arm->n_phases; p++)
        for (size_t i = 0; i < arm->phases[p].n_doses; i++)
            total += (size_t)arm->phases[p].doses[i].count;
    if (total == 0)
        return CALCIFY_OK;
    calcify_dose_record *r = malloc(total * sizeof *r);
    if (!r)
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    const calcify_growth *g = arm->growth ? arm->growth : sc->growth;
    size_t m = 0;
    double t0 = 0;
    for (size_t p = 0; p < arm->n_phases; p++) {
        const calcify_diet_phase *ph = &arm->phases[p];
        const int pbw = calcify_paramset_model(&sc->params)->p_body_weight;
        const double bw_param = ph->set[pbw] ? ph->set_value[pbw] : sc->params.value[pbw];
        for (size_t i = 0; i < ph->n_doses; i++) {
            const calcify_dose *d = &ph->doses[i];
            for (long k = 0; k < d->count; k++) {
                const double t = t0 + d->at + (double)k * d->every;
                double bw = bw_param, food;
                if (g)
                    calcify_growth_at(g, t, &bw, &food, NULL);
                calcify_dose_record *e = &r[m++];
                e->t = t;
                e->phase = p;
                e->drug = d->drug;
                e->route = d->route;
                if (d->duration > 0) {
                    e->duration = d->duration;
                    e->rate_mg_per_kg_d = d->per_kg ? d->rate : d->rate / bw;
                    e->amount_mg_per_kg = d->per_kg ? d->rate * d->duration
                                          : d->rate * growth_inv_weight_integral(
                                                          g, bw_param, t, t + d->duration);
                } else {
                    e->duration = e->rate_mg_per_kg_d = NAN;
                    e->amount_mg_per_kg = d->per_kg ? d->amount : d->amount / bw;
                }
            }
        }
        t0 += ph->duration;
    }
    /* entries of a phase interleave (weekday schedules): by time, then
     * drug, route and amount, so that the order never depends on qsort */
    qsort(r, m, sizeof *r, cmp_record);
    *out = r;
    *n = m;
    return CALCIFY_OK;
}

void calcify_growth_free(calcify_growth *g)
{
    if (!g)
        return;
    free(g->t);
    free(g->body_weight);
    free(g->food);
    free(g);
}

int calcify_unit_is_per_body_weight(const char *text)
{
    const char *u = text ? strrchr(text, '/') : NULL;
    return u && strcmp(u, "/kg") == 0;
}

/* One of `names` (n of them) as written at key, with did-you-mean. */
static calcify_status read_choice(const char *path, const config_setting_t *g,
                                  const char *key, const char *where,
                                  const char *const *names, int n, int *out,
                                  calcify_error *err)
{
    const char *v;
    calcify_status st = cfg_string(path, g, key, where, 1, &v, err);
    if (st)
        return st;
    for (int i = 0; i < n; i++)
        if (!strcmp(v, names[i])) {
            *out = i;
            return CALCIFY_OK;
        }
    char list[128] = "", near[128];
    for (int i = 0; i < n; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", names[i]);
    calcify_suggest(v, names, (size_t)n, near, sizeof near);
    return calcify_fail(err, CALCIFY_EINPUT, "%s:%d: unknown %s '%s' in %s (expected one of: "
                        "%s)%s%s%s", path, cfg_line(config_setting_get_member(g, key)), key, v,
                        where, list, near[0] ? "; did you mean " : "", near,
                        near[0] ? "?" : "");
}

/* amount = "2 mg/kg" (per kg body weight) or "0.6 mg" (per animal), in mg. */
static calcify_status read_amount(const char *path, const config_setting_t *g,
                                  const char *where, calcify_dose *d, calcify_error *err)
{
    const config_setting_t *s = cfg_require(path, g, "amount", where, err);
    if (!s)
        return CALCIFY_EINPUT;
    const char *text;
    calcify_status st = cfg_quantity_text(path, s, "amount", where, "200 ug/kg", &text, err);
    if (st)
        return st;
    d->per_kg = calcify_unit_is_per_body_weight(text);
    if (!d->per_kg && calcify_quantity_parse(text, "mg", &d->amount) == -3)
        return calcify_fail(err, CALCIFY_EINPUT,
                            "%s:%d: 'amount' in %s is \"%s\": a dose is per kg body "
                            "weight or per animal (expected one of: mg/kg, ug/kg, "
                            "mg, ug, g)", path, cfg_line(s), where, text);
    return cfg_convert_quantity(path, cfg_line(s), "amount", where, text,
                                d->per_kg ? "mg/kg" : "mg", 0, 1e6,
                                d->per_kg ? "an amount per kg body weight"
                                          : "an amount per animal", &d->amount, err);
}

/* rate = "2 mg/kg/d" (per kg body weight) or "0.5 mg/d" (per animal), in
 * mg/d (per kg or per animal). */
static calcify_status read_rate(const char *path, const config_setting_t *g,
                                const char *where, calcify_dose *d, calcify_error *err)
{
    const config_setting_t *s = config_setting_get_member(g, "rate");
    const char *text;
    calcify_status st = cfg_quantity_text(path, s, "rate", where, "2 mg/kg/d", &text, err);
    if (st)
        return st;
    d->per_kg = strstr(text, "/kg/") != NULL;
    double v;
    if (calcify_quantity_parse(text, d->per_kg ? "mg/kg/d" : "mg/d", &v) == -3)
        return calcify_fail(err, CALCIFY_EINPUT,
                            "%s:%d: 'rate' in %s is \"%s\": an infusion rate is per kg body "
                            "weight or per animal, per time (expected one of: mg/kg/d, "
                            "ug/kg/d, mg/kg/h, ug/kg/h, mg/d, ug/d, mg/h, ug/h)",
                            path, cfg_line(s), where, text);
    return cfg_convert_quantity(path, cfg_line(s), "rate", where, text,
                                d->per_kg ? "mg/kg/d" : "mg/d", 0, 1e6,
                                d->per_kg ? "a rate per kg body weight"
                                          : "a rate per animal", &d->rate, err);
}

/* The index of a weekday name (Mon … Sun, or in full, any case), or -1. */
static int weekday_find(const char *name)
{
    static const char *const full[7] = {"monday", "tuesday", "wednesday", "thursday",
                                        "friday", "saturday", "sunday"};
    for (int i = 0; i < 7; i++)
        if (!strcasecmp(name, calcify_weekday_names[i]) || !strcasecmp(name, full[i]))
            return i;
    return -1;
}

calcify_status dosing_read_weekday(const char *path, const config_setting_t *g,
                                   const char *key, const char *where, int *out,
                                   calcify_error *err)
{
    const char *v;
    calcify_status st = cfg_string(path, g, key, where, 1, &v, err);
    if (st)
        return st;
    if ((*out = weekday_find(v)) >= 0)
        return CALCIFY_OK;
    char near[128];
    calcify_suggest(v, calcify_weekday_names, 7, near, sizeof near);
    return calcify_fail(err, CALCIFY_EINPUT, "%s:%d: '%s' in %s is \"%s\", not a weekday "
                        "(expected one of: Mon, Tue, Wed, Thu, Fri, Sat, Sun)%s%s%s", path,
                        cfg_line(config_setting_get_member(g, key)), key, where, v,
                        near[0] ? "; did you mean " : "", near, near[0] ? "?" : "");
}

/* days = "Mon,Wed,Fri": a bit per weekday (Monday bit 0). */
static calcify_status read_days(const char *path, const config_setting_t *g,
                                const char *where, unsigned *mask, calcify_error *err)
{
    const char *v;
    calcify_status st = cfg_string(path, g, "days", where, 1, &v, err);
    if (st)
        return st;
    const int line = cfg_line(config_setting_get_member(g, "days"));
    *mask = 0;
    for (const char *p = v;;) {
        char name[32];
        size_t len = strcspn(p, ","), a = 0, b = len;
        while (a < b && (p[a] == ' ' || p[a] == '\t'))
            a++;
        while (b > a && (p[b - 1] == ' ' || p[b - 1] == '\t'))
            b--;
        snprintf(name, sizeof name, "%.*s", (int)(b - a < 31 ? b - a : 31), p + a);
        const int day = weekday_find(name);
        if (day < 0) {
            char near[128];
            calcify_suggest(name, calcify_weekday_names, 7, near, sizeof near);
            return calcify_fail(err, CALCIFY_EINPUT,
                                "%s:%d: 'days' in %s is \"%s\": '%s' is not a weekday "
                                "(expected weekdays separated by commas, e.g. "
                                "\"Mon,Wed,Fri\")%s%s%s", path, line, where, v, name,
                                near[0] ? "; did you mean " : "", near, near[0] ? "?" : "");
        }
        if (*mask & (1u << day))
            return calcify_fail(err, CALCIFY_EINPUT,
                                "%s:%d: 'days' in %s is \"%s\": %s is listed twice "
                                "(expected each weekday once)", path, line, where, v,
                                calcify_weekday_names[day]);
        *mask |= 1u << day;
        if (p[len] == '\0')
            break;
        p += len + 1;
    }
    return CALCIFY_OK;
}

/* Doses of an entry starting `at` d into a phase of `duration` d, every
 * `every` d (0: one), each lasting `length` d (0: a bolus): how many start
 * before the phase's end and, for an infusion, end by it. */
static long doses_that_fit(double at, double every, double length, double duration)
{
    if (at >= duration)
        return 0;
    long fit = every > 0 ? (long)floor((duration - at) / every * (1 + 1e-12)) + 1 : 1;
    if (every > 0 && at + (double)(fit - 1) * every >= duration)
        fit--;
    while (fit > 0 && at + (double)(fit - 1) * every + length > duration * (1 + 1e-12))
        fit--;
    return fit;
}

/* How much of the drug a dose entry gives: a bolus `amount`, or for an
 * infusion (it has a `duration`) a `rate` or an `amount` spread over it. */
static calcify_status read_quantity(const char *path, const config_setting_t *g,
                                    const char *where, calcify_dose *d, calcify_error *err)
{
    const config_setting_t *rate = config_setting_get_member(g, "rate");
    const config_setting_t *len = config_setting_get_member(g, "duration");
    const config_setting_t *amount = config_setting_get_member(g, "amount");
    if (rate && amount)
        return calcify_fail(err, CALCIFY_EINPUT,
                            "%s:%d: %s gives both 'rate' and 'amount' (expected one of them "
                            "with a duration: rate = \"2 mg/kg/d\" or amount = \"1 mg/kg\" "
                            "given over duration = \"12 h\")", path, cfg_line(rate), where);
    if (rate && !len)
        return calcify_fail(err, CALCIFY_EINPUT,
                            "%s:%d: 'rate' in %s without 'duration' (expected duration = "
                            "\"…\": how long the infusion runs)", path, cfg_line(rate), where);
    d->rate = d->duration = 0;
    if (!len)
        return read_amount(path, g, where, d, err);
    /* an infusion: a zero-order input into plasma or the sc depot */
    if (d->route != CALCIFY_ROUTE_IV && d->route != CALCIFY_ROUTE_SC)
        return calcify_fail(err, CALCIFY_EINPUT,
                            "%s:%d: %s is an infusion (it has a duration) by route '%s' "
                            "(expected route = \"iv\" or \"sc\" for an infusion)", path,
                            cfg_line(config_setting_get_member(g, "route")), where,
                            calcify_route_names[d->route]);
    calcify_status st;
    if ((st = cfg_quantity(path, g, "duration", where, "d", 1e-6, 1e6,
                           "an infusion's duration", "12 h", &d->duration, err)))
        return st;
    if (rate) {
        if ((st = read_rate(path, g, where, d, err)))
            return st;
        d->amount = d->rate * d->duration;
    } else {
        if ((st = read_amount(path, g, where, d, err)))
            return st;
        d->rate = d->amount / d->duration;
    }
    return CALCIFY_OK;
}

/* A weekday schedule (`days`) of the dose `proto`: one entry per weekday
 * listed, each every 7 d, into out[0..*n_out).  The phase is `duration` d
 * long and starts t0 d into an arm whose day 0 is weekday `start_day`. */
static calcify_status expand_weekdays(const char *path, const config_setting_t *g,
                                      const char *where, double duration, double t0,
                                      int start_day, const calcify_dose *proto,
                                      calcify_dose *out, size_t *n_out, calcify_error *err)
{
    const config_setting_t *days = config_setting_get_member(g, "days");
    const config_setting_t *every = config_setting_get_member(g, "every");
    unsigned mask;
    calcify_status st;
    if ((st = read_days(path, g, where, &mask, err)))
        return st;
    if (every || config_setting_get_member(g, "count"))
        return calcify_fail(err, CALCIFY_EINPUT,
                            "%s:%d: %s gives 'days' and '%s' (expected one or the other: "
                            "doses on the listed days run every week through the phase)",
                            path, cfg_line(days), where, every ? "every" : "count");
    if (proto->at >= 1)
        return calcify_fail(err, CALCIFY_EINPUT,
                            "%s:%d: 'at' in %s is %g d, not a time of day (expected a "
                            "time below 1 d with 'days', e.g. at = \"8 h\")", path,
                            cfg_line(config_setting_get_member(g, "at")), where, proto->at);
    for (int day = 0; day < 7; day++) {
        if (!(mask & (1u << day)))
            continue;
        /* its first time in the phase: day 0 of the arm is start_day */
        const double off = (double)((day - start_day + 7) % 7) + proto->at;
        const double k = ceil((t0 - off) / 7 - 1e-9);
        double at = off + 7 * (k > 0 ? k : 0) - t0;
        if (at < 0)
            at = 0; /* rounding of t0 */
        const long fit = doses_that_fit(at, 7, proto->duration, duration);
        if (fit == 0)
            continue;
        calcify_dose *e = &out[(*n_out)++];
        *e = *proto;
        e->at = at;
        e->every = 7;
        e->count = fit;
    }
    if (*n_out == 0)
        return calcify_fail(err, CALCIFY_EINPUT,
                            "%s:%d: days = \"%s\" in %s gives no dose: the phase runs "
                            "%g d from day %g of the arm, whose day 0 is a %s (expected a "
                            "phase that holds one of the days%s)", path, cfg_line(days),
                            config_setting_get_string(days), where, duration, t0,
                            calcify_weekday_names[start_day],
                            proto->duration > 0 ? ", each infusion ending within it" : "");
    return CALCIFY_OK;
}

/* `every` and `count` of a dose entry starting d->at d into a phase of
 * `duration` d: d->every and d->count, the doses that fit unless count
 * says fewer. */
static calcify_status read_repeats(const char *path, const config_setting_t *g,
                                   const char *where, double duration, calcify_dose *d,
                                   calcify_error *err)
{
    const int has_every = config_setting_get_member(g, "every") != NULL;
    const config_setting_t *cs = config_setting_get_member(g, "count");
    calcify_status st;
    if (d->at >= duration)
        return calcify_fail(err, CALCIFY_EINPUT,
                            "%s:%d: 'at' in %s is %g d, at or after the phase's end "
                            "(expected a time before %g d)", path,
                            cfg_line(config_setting_get_member(g, "at")), where, d->at, duration);
    if (has_every && (st = cfg_quantity(path, g, "every", where, "d", 1e-6, 1e6,
                                        "an interval", "1 d", &d->every,
                                        err)))
        return st;
    long fit = doses_that_fit(d->at, d->every, d->duration, duration);
    if (fit == 0) /* an infusion that runs past the phase's end */
        return calcify_fail(err, CALCIFY_EINPUT,
                            "%s:%d: the infusion of %s runs from %g d to %g d, past the "
                            "phase's end (expected at + duration <= %g d: an infusion "
                            "ends within its phase)", path,
                            cfg_line(config_setting_get_member(g, "duration")), where, d->at,
                            d->at + d->duration, duration);
    d->count = fit;
    if (cs) {
        double c;
        if ((st = cfg_number(path, g, "count", where, 1, (double)MAX_DOSES_PER_ENTRY, &c, err)))
            return st;
        if (c != floor(c))
            return calcify_fail(err, CALCIFY_EINPUT, "%s:%d: 'count' in %s is %g (expected "
                                "a whole number of doses)", path, cfg_line(cs), where, c);
        if (c > 1 && !has_every)
            return calcify_fail(err, CALCIFY_EINPUT, "%s:%d: 'count' in %s is %g without "
                                "'every' (expected every = \"…\" for repeated doses)",
                                path, cfg_line(cs), where, c);
        if ((long)c > fit)
            return calcify_fail(err, CALCIFY_EINPUT, "%s:%d: 'count' in %s is %g, but only "
                                "%ld doses fit in the phase (expected at most %ld)",
                                path, cfg_line(cs), where, c, fit, fit);
        d->count = (long)c;
    }
    if (d->count > MAX_DOSES_PER_ENTRY)
        return calcify_fail(err, CALCIFY_EINPUT, "%s:%d: %s asks for %ld doses (expected at "
                            "most %ld; is 'every' right?)", path, d->line, where, d->count,
                            MAX_DOSES_PER_ENTRY);
    return CALCIFY_OK;
}

/* One entry of a `doses` list into out[0..*n_out): one dose, or for a
 * weekday schedule one per weekday listed (at most 7).  The phase is
 * `duration` d long and starts t0 d into an arm whose day 0 is weekday
 * `start_day` (0 = Monday). */
static calcify_status read_dose(const char *path, const config_setting_t *g,
                                const char *where, double duration, double t0,
                                int start_day, calcify_dose *out, size_t *n_out,
                                calcify_error *err)
{
    calcify_dose *d = out;
    *n_out = 0;
    if (!config_setting_is_group(g))
        return calcify_fail(err, CALCIFY_EINPUT,
                            "%s:%d: %s is not a group (expected { drug = \"warfarin\"; "
                            "route = \"sc\"; amount = \"2 mg/kg\"; every = \"1 d\"; })",
                            path, cfg_line(g), where);
    d->line = cfg_line(g);
    int drug, route;
    calcify_status st;
    /* the drugs of the model scenario files are read for */
    const calcify_modeldef *md = calcify_params_file_model();
    const char *drugs[CALCIFY_MAX_DRUG];
    for (size_t k = 0; k < md->n_drug; k++)
        drugs[k] = md->drugs[k].name;
    if ((st = cfg_check_keys(path, g, dose_keys, where, err)) ||
        (st = read_choice(path, g, "drug", where, drugs, (int)md->n_drug, &drug, err)) ||
        (st = read_choice(path, g, "route", where, calcify_route_names, CALCIFY_NROUTE, &route, err)))
        return st;
    d->drug = drug;
    d->route = (calcify_route)route;
    if ((st = read_quantity(path, g, where, d, err)))
        return st;
    d->at = 0;
    d->every = 0;
    if (config_setting_get_member(g, "at") &&
        (st = cfg_quantity(path, g, "at", where, "d", 0, 1e6,
                           "a time from the phase's start", "8 h", &d->at,
                           err)))
        return st;
    if (config_setting_get_member(g, "days")) {
        const calcify_dose proto = *d;
        return expand_weekdays(path, g, where, duration, t0, start_day, &proto, out, n_out,
                               err);
    }
    if ((st = read_repeats(path, g, where, duration, d, err)))
        return st;
    *n_out = 1;
    return CALCIFY_OK;
}

calcify_status dosing_read_phase(const char *path, const config_setting_t *phase,
                                 const char *where, double t0, int start_day,
                                 calcify_diet_phase *p, calcify_error *err)
{
    const config_setting_t *list = config_setting_get_member(phase, "doses");
    if (!list)
        return CALCIFY_OK;
    if (!config_setting_is_list(list))
        return calcify_fail(err, CALCIFY_EINPUT,
                            "%s:%d: 'doses' of %s is not a list (expected doses = ( { "
                            "drug = …; route = …; amount = …; } );)", path, cfg_line(list), where);
    size_t n = (size_t)config_setting_length(list);
    if (n == 0)
        return CALCIFY_OK;
    /* room for a weekday schedule's seven entries each */
    if (!(p->doses = calloc(7 * n, sizeof *p->doses)))
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    p->n_doses = 0;
    for (size_t k = 0; k < n; k++) {
        char w[240];
        snprintf(w, sizeof w, "dose %zu of %s", k + 1, where);
        size_t got;
        calcify_status st = read_dose(path, config_setting_get_elem(list, (unsigned)k), w,
                                      p->duration, t0, start_day, &p->doses[p->n_doses],
                                      &got, err);
        if (st)
            return st;
        p->n_doses += got;
    }
    return CALCIFY_OK;
}

/* A list of quantities, each converted to `unit`, in [lo, hi]. */
static calcify_status read_column(const char *path, const config_setting_t *g,
                                  const char *key, const char *unit, double lo, double hi,
                                  const char *what, const char *example, double **out,
                                  size_t *n, calcify_error *err)
{
    const config_setting_t *a = cfg_require(path, g, key, "growth", err);
    if (!a)
        return CALCIFY_EINPUT;
    if (!config_setting_is_array(a) || config_setting_length(a) == 0)
        return calcify_fail(err, CALCIFY_EINPUT, "%s:%d: '%s' in growth is not a non-empty "
                            "array (expected %s = [\"…\", \"…\"];)", path, cfg_line(a), key, key);
    *n = (size_t)config_setting_length(a);
    if (!(*out = calloc(*n, sizeof **out)))
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    for (size_t i = 0; i < *n; i++) {
        const char *text;
        char k[64];
        snprintf(k, sizeof k, "%s[%zu]", key, i + 1);
        calcify_status st = cfg_quantity_text(path, config_setting_get_elem(a, (unsigned)i),
                                              k, "growth", example, &text, err);
        if (st)
            return st;
        st = cfg_convert_quantity(path, cfg_line(a), k, "growth", text, unit,
                                                 lo, hi, what, &(*out)[i], err);
        if (st)
            return st;
    }
    return CALCIFY_OK;
}

calcify_status dosing_read_growth(const char *path, const config_setting_t *root,
                                  calcify_growth **out, calcify_error *err)
{
    *out = NULL;
    const config_setting_t *g = config_setting_get_member(root, "growth");
    if (!g)
        return CALCIFY_OK;
    if (!config_setting_is_group(g))
        return calcify_fail(err, CALCIFY_EINPUT, "%s:%d: 'growth' is not a group (expected "
                            "growth = { time = [\"0 d\", …]; body_weight = [\"250 g\", …]; "
                            "food_intake = [\"18 g/d\", …]; };)", path, cfg_line(g));
    calcify_growth *gr = calloc(1, sizeof *gr);
    if (!gr)
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    gr->line = cfg_line(g);
    size_t nt = 0, nb = 0, nf = 0;
    calcify_status st;
    /* the table stands in for these parameters: the same admissible ranges */
    const calcify_modeldef *md = calcify_params_file_model();
    const calcify_param_def *bw = &md->params[md->p_body_weight];
    if ((st = cfg_check_keys(path, g, growth_keys, "growth", err)) ||
        (st = read_column(path, g, "time", "d", 0, 1e9, "a time", "0 d", &gr->t, &nt, err)) ||
        (st = read_column(path, g, "body_weight", "kg", bw->lo, bw->hi, "a body weight",
                          "250 g", &gr->body_weight, &nb, err)) ||
        (st = read_column(path, g, "food_intake", "g/d", 0, 1e9, "food per animal per day",
                          "18 g/d", &gr->food, &nf, err))) {
        calcify_growth_free(gr);
        return st;
    }
    if (nb != nt || nf != nt) {
        calcify_growth_free(gr);
        return calcify_fail(err, CALCIFY_EINPUT, "%s:%d: growth has %zu times, %zu body "
                            "weights and %zu food intakes (expected one of each per time)",
                            path, cfg_line(g), nt, nb, nf);
    }
    for (size_t i = 1; i < nt; i++)
        if (!(gr->t[i] > gr->t[i - 1])) {
            st = calcify_fail(err, CALCIFY_EINPUT, "%s:%d: growth time[%zu] = %g d follows "
                              "%g d (expected increasing times)", path, cfg_line(g), i + 1,
                              gr->t[i], gr->t[i - 1]);
            calcify_growth_free(gr);
            return st;
        }
    /* food per kg is linear over linear between rows, so monotone: the rows
     * bound it */
    for (size_t i = 0; i < nt; i++)
        if ((st = calcify_param_check(md->p_food_intake, gr->food[i] / gr->body_weight[i],
                                      path, cfg_line(g), err))) {
            size_t len = strlen(err->msg);
            snprintf(err->msg + len, sizeof err->msg - len, "; growth row %zu: food_intake "
                     "%g g/d at body_weight %g kg", i + 1, gr->food[i], gr->body_weight[i]);
            calcify_growth_free(gr);
            return st;
        }
    gr->n = nt;
    *out = gr;
    return CALCIFY_OK;
}
