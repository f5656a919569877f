/* design.c — grid, Latin hypercube and Sobol designs on GSL. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "calcify/design.h"
#include "calcify/model.h"
#include "calcify/sobolseq.h"
#include "calcify/units.h"
#include "base/suggest.h"

/* Parameters and columns are named as those of the model parameter files
 * are read for (calcify/params.h): the scenario's. */
#define MD (calcify_params_file_model())

struct calcify_design {
    calcify_design_kind kind;
    calcify_vary *v;
    size_t nv, n, runs, next;
    size_t **perm;       /* lhs: one permutation of 0..n-1 per parameter */
    gsl_rng *rng;        /* lhs: jitter within strata                    */
    calcify_sobolseq *sobol; /* sobol: scrambled, seeded                 */
    double *u;               /* sobol: one point in (0,1)^nv             */
};

int calcify_design_kind_parse(const char *name)
{
    if (!strcmp(name, "grid")) return CALCIFY_DESIGN_GRID;
    if (!strcmp(name, "lhs")) return CALCIFY_DESIGN_LHS;
    if (!strcmp(name, "sobol")) return CALCIFY_DESIGN_SOBOL;
    return -1;
}

static int parse_number(const char *s, const char *end, double *out)
{
    char buf[64];
    size_t n = (size_t)(end - s);
    if (n == 0 || n >= sizeof buf)
        return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *stop;
    errno = 0;
    *out = strtod(buf, &stop);
    return *stop || errno == ERANGE || !isfinite(*out) ? -1 : 0;
}

/* A number, or a number and a unit converted into `unit` (s..end); a bare
 * number is in `bare_unit`.  The unit written, if any, goes to given[cap]. */
static int parse_value(const char *s, const char *end, const char *bare_unit,
                       const char *unit, double *out, char *given, size_t cap)
{
    char buf[96];
    size_t n = (size_t)(end - s);
    if (n == 0 || n >= 64)
        return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *stop;
    errno = 0;
    double v = strtod(buf, &stop);
    if (stop == buf || errno == ERANGE || !isfinite(v))
        return -1;
    while (*stop == ' ')
        stop++;
    if (given)
        snprintf(given, cap, "%s", stop);
    if (*stop == '\0') {
        if (!unit[0] || !bare_unit[0]) { /* a variable that is a bare number */
            *out = v;
            return 0;
        }
        snprintf(buf + n, sizeof buf - n, " %s", bare_unit);
    }
    if (!unit[0])
        return -1; /* a unit where the variable has none */
    return calcify_quantity_parse(buf, unit, out) == 0 ? 0 : -1;
}

/* |z| at the quantiles 1e-10 and 1 − 1e-10: the Sobol points lie within
 * them (cell centres of 2^-32), so no draw leaves a checked range */
static const double Z_MAX = 6.3613409;

static double lognormal_sigma(double cv) { return sqrt(log1p(cv * cv)); }

double calcify_vary_map(const calcify_vary *v, double u)
{
    switch (v->dist) {
    case CALCIFY_DIST_LOGUNIFORM:
        return exp(log(v->lo) + u * (log(v->hi) - log(v->lo)));
    case CALCIFY_DIST_NORMAL:
        return v->centre * (1 + v->cv * gsl_cdf_ugaussian_Pinv(u));
    case CALCIFY_DIST_LOGNORMAL:
        return v->centre * exp(lognormal_sigma(v->cv) * gsl_cdf_ugaussian_Pinv(u));
    case CALCIFY_DIST_UNIFORM:
    default:
        return v->lo + u * (v->hi - v->lo);
    }
}

int calcify_vary_bounded(const calcify_vary *v)
{
    return v->dist == CALCIFY_DIST_UNIFORM || v->dist == CALCIFY_DIST_LOGUNIFORM;
}

/* "30%" → 0.3 */
static int parse_percent(const char *s, const char *end, double *out)
{
    if (end - s < 2 || end[-1] != '%' || parse_number(s, end - 1, out) || *out <= 0)
        return -1;
    *out /= 100;
    return 0;
}

static calcify_status parse_spec(const char *spec, const calcify_scenario *sc,
                                 calcify_vary *v, calcify_error *err)
{
    const char *eq = strchr(spec, '=');
    const char *usage = "expected NAME=LO:HI, NAME=LO:HI:log, NAME=MEAN:CV%:normal or "
                        "NAME=MEDIAN:CV%:lognormal, in the parameter's unit unless one "
                        "is given, e.g. ca_dep_max=0.02:0.06, 'warfarin_thalf=5 h:2 d:log' "
                        "or ca_dep_max=0.04:30%:lognormal";
    memset(v, 0, sizeof *v);
    v->var = -1;
    if (!eq || eq == spec || eq - spec >= (long)sizeof v->name)
        return calcify_fail(err, CALCIFY_EUSAGE, "--vary '%s': %s", spec, usage);
    snprintf(v->name, sizeof v->name, "%.*s", (int)(eq - spec), spec);
    v->param = calcify_modeldef_param(MD, v->name);
    const calcify_var *var = sc && v->param < 0 ? calcify_scenario_find_var(sc, v->name) : NULL;
    if (var) {
        v->var = (int)(var - sc->vars);
        char *stop;
        (void)strtod(var->value, &stop);
        while (*stop == ' ')
            stop++;
        snprintf(v->unit, sizeof v->unit, "%s", stop == var->value ? "" : stop);
    } else if (v->param < 0) {
        char near[256];
        calcify_suggest_strided(v->name, &MD->params[0].name, MD->n_param, sizeof MD->params[0], near, sizeof near);
        return calcify_fail(err, CALCIFY_EUSAGE, "--vary: unknown parameter%s '%s'%s%s%s",
                            sc ? " or variable" : "", v->name,
                            near[0] ? "; did you mean " : "", near, near[0] ? "?" : "");
    } else {
        snprintf(v->unit, sizeof v->unit, "%s", MD->params[v->param].unit);
    }
    const char *c1 = strchr(eq + 1, ':');
    const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    const char *end_hi = c2 ? c2 : eq + 1 + strlen(eq + 1);
    v->dist = CALCIFY_DIST_UNIFORM;
    if (c2) {
        const char *kind = c2 + 1;
        if (!strcmp(kind, "log"))
            v->dist = CALCIFY_DIST_LOGUNIFORM;
        else if (!strcmp(kind, "normal"))
            v->dist = CALCIFY_DIST_NORMAL;
        else if (!strcmp(kind, "lognormal"))
            v->dist = CALCIFY_DIST_LOGNORMAL;
        else
            return calcify_fail(err, CALCIFY_EUSAGE, "--vary '%s': '%s' (%s)", spec, kind,
                                usage);
    }
    v->log = v->dist == CALCIFY_DIST_LOGUNIFORM;
    /* a variable's admissible values are those of the keys that use it */
    const double adm_lo = v->param >= 0 ? MD->params[v->param].lo : -HUGE_VAL;
    const double adm_hi = v->param >= 0 ? MD->params[v->param].hi : HUGE_VAL;
    if (!calcify_vary_bounded(v)) {
        if (!c1 || parse_value(eq + 1, c1, v->unit, v->unit, &v->centre, NULL, 0) ||
            parse_percent(c1 + 1, end_hi, &v->cv))
            return calcify_fail(err, CALCIFY_EUSAGE, "--vary '%s': %s", spec, usage);
        if (v->dist == CALCIFY_DIST_NORMAL) {
            v->lo = v->centre * (1 - v->cv * Z_MAX);
            v->hi = v->centre * (1 + v->cv * Z_MAX);
            if (v->lo > v->hi) {
                double t = v->lo;
                v->lo = v->hi, v->hi = t;
            }
        } else {
            double f = exp(lognormal_sigma(v->cv) * Z_MAX);
            v->lo = v->centre / f, v->hi = v->centre * f;
        }
        if (!(v->centre != 0) || v->lo < adm_lo || v->hi > adm_hi ||
            (v->dist == CALCIFY_DIST_LOGNORMAL && !(v->centre > 0)))
            return calcify_fail(err, CALCIFY_EUSAGE,
                                "--vary '%s': the distribution reaches %g..%g %s (quantiles "
                                "1e-10, 1 - 1e-10), outside the admissible [%g, %g]%s", spec,
                                v->lo, v->hi, v->unit, adm_lo, adm_hi,
                                v->dist == CALCIFY_DIST_NORMAL
                                    ? "; a smaller CV or :lognormal keeps it inside" : "");
        return CALCIFY_OK;
    }
    char hi_unit[64] = "";
    if (!c1 || parse_value(c1 + 1, end_hi, v->unit, v->unit, &v->hi, hi_unit, sizeof hi_unit) ||
        parse_value(eq + 1, c1, hi_unit[0] ? hi_unit : v->unit, v->unit, &v->lo, NULL, 0))
        return calcify_fail(err, CALCIFY_EUSAGE, "--vary '%s': %s%s%s", spec, usage,
                            v->unit[0] ? "; units of this quantity: " : "",
                            v->unit[0] ? calcify_unit_alternatives(v->unit) : "");
    if (!(v->lo < v->hi) || v->lo < adm_lo || v->hi > adm_hi || (v->log && !(v->lo > 0))) {
        if (v->param < 0)
            return calcify_fail(err, CALCIFY_EUSAGE, "--vary '%s': expected LO < HI%s", spec,
                                v->log ? " and LO > 0 for log" : "");
        return calcify_fail(err, CALCIFY_EUSAGE,
                            "--vary '%s': expected LO < HI within [%g, %g] %s%s", spec,
                            adm_lo, adm_hi, v->unit, v->log ? " and LO > 0 for log" : "");
    }
    return CALCIFY_OK;
}

calcify_status calcify_vary_parse(const char *spec, calcify_vary *v, calcify_error *err)
{
    return parse_spec(spec, NULL, v, err);
}

calcify_status calcify_vary_parse_in(const char *spec, const calcify_scenario *sc,
                                     calcify_vary *v, calcify_error *err)
{
    return parse_spec(spec, sc, v, err);
}

void calcify_design_free(calcify_design *d)
{
    if (!d)
        return;
    if (d->perm)
        for (size_t j = 0; j < d->nv; j++)
            free(d->perm[j]);
    free(d->perm);
    free(d->v);
    gsl_rng_free(d->rng);
    calcify_sobolseq_free(d->sobol);
    free(d->u);
    free(d);
}

static calcify_design *design_alloc(calcify_design_kind kind, const calcify_vary *v,
                                    size_t nv, size_t n, unsigned long seed,
                                    calcify_error *err, calcify_status *st)
{
    if (nv == 0) {
        *st = calcify_fail(err, CALCIFY_EUSAGE, "a sweep needs at least one --vary");
        return NULL;
    }
    for (size_t j = 0; kind == CALCIFY_DESIGN_GRID && j < nv; j++)
        if (!calcify_vary_bounded(&v[j])) {
            *st = calcify_fail(err, CALCIFY_EUSAGE, "grid design: %s has an unbounded "
                         "distribution (expected LO:HI or LO:HI:log; use lhs or sobol)",
                         v[j].name);
            return NULL;
        }
    if (n < (kind == CALCIFY_DESIGN_GRID ? 2u : 1u)) {
        *st = calcify_fail(err, CALCIFY_EUSAGE, "--n %zu: expected at least %d", n,
                     kind == CALCIFY_DESIGN_GRID ? 2 : 1);
        return NULL;
    }
    calcify_design *d = calloc(1, sizeof *d);
    if (!d || !(d->v = malloc(nv * sizeof *v)))
        goto nomem;
    memcpy(d->v, v, nv * sizeof *v);
    d->kind = kind, d->nv = nv, d->n = n, d->runs = n;
    if (kind == CALCIFY_DESIGN_GRID)
        for (size_t j = 1; j < nv; j++) {
            if (d->runs > SIZE_MAX / n || d->runs * n > 100000000u) {
                /* a resource limit, not a malformed request: exit 1 */
                *st = calcify_fail(err, CALCIFY_ENOMEM, "grid of %zu^%zu runs is too large "
                             "(at most 1e8 runs)", n, nv);
                calcify_design_free(d);
                return NULL;
            }
            d->runs *= n;
        }
    if (kind == CALCIFY_DESIGN_LHS && n > (1u << 30) / sizeof(size_t) / nv) {
        /* refused before allocating: with overcommit a huge malloc succeeds
         * and the shuffle that touches it is killed by the kernel instead */
        *st = calcify_fail(err, CALCIFY_ENOMEM, "lhs design of %zu runs over %zu parameters "
                     "needs %.1f GiB for its permutations (at most 1 GiB)", n, nv,
                     (double)n * (double)nv * sizeof(size_t) / (1u << 30));
        calcify_design_free(d);
        return NULL;
    }
    if (kind == CALCIFY_DESIGN_LHS) {
        /* permutations first, then one jitter per parameter per run, in
         * run order: the stream of draws is fixed by the seed alone */
        if (!(d->rng = gsl_rng_alloc(gsl_rng_mt19937)) ||
            !(d->perm = calloc(nv, sizeof *d->perm)))
            goto nomem;
        gsl_rng_set(d->rng, seed);
        for (size_t j = 0; j < nv; j++) {
            if (!(d->perm[j] = malloc(n * sizeof **d->perm)))
                goto nomem;
            for (size_t i = 0; i < n; i++)
                d->perm[j][i] = i;
            gsl_ran_shuffle(d->rng, d->perm[j], n, sizeof **d->perm);
        }
    }
    if (kind == CALCIFY_DESIGN_SOBOL) {
        if (!(d->u = malloc(nv * sizeof *d->u)))
            goto nomem;
        if (!(d->sobol = calcify_sobolseq_alloc(nv, 1, seed, err))) {
            *st = CALCIFY_EUSAGE; /* too many dimensions */
            calcify_design_free(d);
            return NULL;
        }
    }
    return d;
nomem:
    calcify_design_free(d);
    *st = calcify_fail(err, CALCIFY_ENOMEM, "out of memory for the design");
    return NULL;
}

/* why the last calcify_design_alloc of this thread failed */
static _Thread_local calcify_status last_status;

calcify_design *calcify_design_alloc(calcify_design_kind kind, const calcify_vary *v,
                                     size_t nv, size_t n, unsigned long seed,
                                     calcify_error *err)
{
    last_status = CALCIFY_OK;
    return design_alloc(kind, v, nv, n, seed, err, &last_status);
}

calcify_status calcify_design_alloc_status(void) { return last_status; }

size_t calcify_design_runs(const calcify_design *d) { return d->runs; }

long calcify_design_next(calcify_design *d, double *values)
{
    if (d->next >= d->runs)
        return -1;
    size_t id = d->next++;
    switch (d->kind) {
    case CALCIFY_DESIGN_GRID: {
        size_t rest = id;
        for (size_t j = d->nv; j-- > 0;) {
            values[j] = calcify_vary_map(&d->v[j], (double)(rest % d->n) / (double)(d->n - 1));
            rest /= d->n;
        }
        break;
    }
    case CALCIFY_DESIGN_LHS:
        for (size_t j = 0; j < d->nv; j++)
            values[j] = calcify_vary_map(&d->v[j], ((double)d->perm[j][id] + gsl_rng_uniform_pos(d->rng)) /
                                          (double)d->n);
        break;
    case CALCIFY_DESIGN_SOBOL:
        calcify_sobolseq_point(d->sobol, id, d->u);
        for (size_t j = 0; j < d->nv; j++)
            values[j] = calcify_vary_map(&d->v[j], d->u[j]);
        break;
    }
    return (long)id;
}
