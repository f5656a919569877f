/* design.c — grid, Latin hypercube and Sobol designs on GSL. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_qrng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "calcify/design.h"
#include "calcify/model.h"
#include "suggest.h"

struct calcify_design {
    calcify_design_kind kind;
    calcify_vary *v;
    size_t nv, n, runs, next;
    size_t **perm;       /* lhs: one permutation of 0..n-1 per parameter */
    gsl_rng *rng;        /* lhs: jitter within strata                    */
    gsl_qrng *qrng;      /* sobol                                        */
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

calcify_status calcify_vary_parse(const char *spec, calcify_vary *v, calcify_error *err)
{
    const char *eq = strchr(spec, '=');
    const char *usage = "expected NAME=LO:HI or NAME=LO:HI:log, in the "
                        "parameter's unit, e.g. ca_dep_max=0.02:0.06";
    if (!eq || eq == spec)
        return calcify_fail(err, CALCIFY_EUSAGE, "--vary '%s': %s", spec, usage);
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int)(eq - spec), spec);
    v->param = calcify_param_find(name);
    if (v->param < 0) {
        char near[256];
        calcify_suggest_strided(name, &calcify_param_defs[0].name, CALCIFY_NPARAM,
                                sizeof calcify_param_defs[0], near, sizeof near);
        return calcify_fail(err, CALCIFY_EUSAGE, "--vary: unknown parameter '%s'%s%s%s",
                            name, near[0] ? "; did you mean " : "", near,
                            near[0] ? "?" : "");
    }
    const char *c1 = strchr(eq + 1, ':');
    const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    const char *end_hi = c2 ? c2 : eq + 1 + strlen(eq + 1);
    v->log = 0;
    if (c2) {
        if (strcmp(c2 + 1, "log") != 0)
            return calcify_fail(err, CALCIFY_EUSAGE, "--vary '%s': '%s' (%s)", spec,
                                c2 + 1, usage);
        v->log = 1;
    }
    if (!c1 || parse_number(eq + 1, c1, &v->lo) || parse_number(c1 + 1, end_hi, &v->hi))
        return calcify_fail(err, CALCIFY_EUSAGE, "--vary '%s': %s", spec, usage);
    const calcify_param_def *d = &calcify_param_defs[v->param];
    if (!(v->lo < v->hi) || v->lo < d->lo || v->hi > d->hi || (v->log && !(v->lo > 0)))
        return calcify_fail(err, CALCIFY_EUSAGE,
                            "--vary '%s': expected LO < HI within [%g, %g] %s%s", spec,
                            d->lo, d->hi, d->unit, v->log ? " and LO > 0 for log" : "");
    return CALCIFY_OK;
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
    gsl_qrng_free(d->qrng);
    free(d);
}

calcify_design *calcify_design_alloc(calcify_design_kind kind, const calcify_vary *v,
                                     size_t nv, size_t n, unsigned long seed,
                                     calcify_error *err)
{
    if (nv == 0) {
        calcify_fail(err, CALCIFY_EUSAGE, "a sweep needs at least one --vary");
        return NULL;
    }
    if (n < (kind == CALCIFY_DESIGN_GRID ? 2u : 1u)) {
        calcify_fail(err, CALCIFY_EUSAGE, "--n %zu: expected at least %d", n,
                     kind == CALCIFY_DESIGN_GRID ? 2 : 1);
        return NULL;
    }
    if (kind == CALCIFY_DESIGN_SOBOL && nv > 40) {
        calcify_fail(err, CALCIFY_EUSAGE, "sobol design: %zu parameters (GSL's Sobol "
                     "sequence has at most 40 dimensions)", nv);
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
                calcify_fail(err, CALCIFY_EUSAGE, "grid of %zu^%zu runs is too large "
                             "(at most 1e8)", n, nv);
                calcify_design_free(d);
                return NULL;
            }
            d->runs *= n;
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
    if (kind == CALCIFY_DESIGN_SOBOL && !(d->qrng = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)nv)))
        goto nomem;
    return d;
nomem:
    calcify_design_free(d);
    calcify_fail(err, CALCIFY_ENOMEM, "out of memory for the design");
    return NULL;
}

size_t calcify_design_runs(const calcify_design *d) { return d->runs; }

/* u in [0, 1] onto a range */
static double map(const calcify_vary *v, double u)
{
    if (v->log)
        return exp(log(v->lo) + u * (log(v->hi) - log(v->lo)));
    return v->lo + u * (v->hi - v->lo);
}

long calcify_design_next(calcify_design *d, double *values)
{
    if (d->next >= d->runs)
        return -1;
    size_t id = d->next++;
    double u[40];
    switch (d->kind) {
    case CALCIFY_DESIGN_GRID: {
        size_t rest = id;
        for (size_t j = d->nv; j-- > 0;) {
            values[j] = map(&d->v[j], (double)(rest % d->n) / (double)(d->n - 1));
            rest /= d->n;
        }
        break;
    }
    case CALCIFY_DESIGN_LHS:
        for (size_t j = 0; j < d->nv; j++)
            values[j] = map(&d->v[j], ((double)d->perm[j][id] + gsl_rng_uniform(d->rng)) /
                                          (double)d->n);
        break;
    case CALCIFY_DESIGN_SOBOL:
        gsl_qrng_get(d->qrng, u);
        for (size_t j = 0; j < d->nv; j++)
            values[j] = map(&d->v[j], u[j]);
        break;
    }
    return (long)id;
}
