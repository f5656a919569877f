/* population.c — drawing virtual animals and summarising them. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_linalg.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "calcify/timegrid.h"
#include "calcify/endpoints.h"
#include "calcify/output.h"
#include "calcify/population.h"
#include "calcify/units.h"
#include "base/suggest.h"

/* Parameters and columns are named as those of the model parameter files
 * are read for (calcify/params.h): the scenario's. */
#define MD (calcify_params_file_model())

static int find_param(const char *name, size_t len, calcify_error *err, const char *opt)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%.*s", (int)len, name);
    int p = calcify_modeldef_param(MD, buf);
    if (p < 0) {
        char near[256];
        calcify_suggest_strided(buf, &MD->params[0].name, MD->n_param, sizeof MD->params[0], near, sizeof near);
        calcify_fail(err, CALCIFY_EUSAGE, "%s: unknown parameter '%s'%s%s%s", opt, buf,
                     near[0] ? "; did you mean " : "", near, near[0] ? "?" : "");
    }
    return p;
}

/* "30%" (exactly len bytes) into 0.30: -1 without the % sign, -2 if not a
 * number in [0, 1000] percent. */
static int percent(const char *s, size_t len, double *out)
{
    char num[64];
    if (!len || s[len - 1] != '%')
        return -1;
    if (len - 1 >= sizeof num)
        return -2;
    memcpy(num, s, len - 1);
    num[len - 1] = '\0';
    char *end;
    errno = 0;
    double v = strtod(num, &end);
    if (end == num || *end || errno == ERANGE || !(v >= 0 && v <= 1000))
        return -2;
    *out = v / 100;
    return 0;
}

calcify_status calcify_iiv_parse(const char *spec, calcify_iiv *v, calcify_error *err)
{
    const char *eq = strchr(spec, '=');
    if (!eq || eq == spec)
        return calcify_fail(err, CALCIFY_EUSAGE, "--iiv '%s': expected NAME=CV%% "
                            "(e.g. ca_dep_max=30%%)", spec);
    if ((v->param = find_param(spec, (size_t)(eq - spec), err, "--iiv")) < 0)
        return CALCIFY_EUSAGE;
    /* the % is required: a pharmacometrician's 0.3 and a 30 both mean 30%
     * to someone, and 0.3% is almost no variability */
    int rc = percent(eq + 1, strlen(eq + 1), &v->cv);
    if (rc == -1)
        return calcify_fail(err, CALCIFY_EUSAGE, "--iiv '%s': the CV needs its %% sign "
                            "(expected e.g. ca_dep_max=30%% for a 30%% CV)", spec);
    if (rc || !(v->cv > 0))
        return calcify_fail(err, CALCIFY_EUSAGE, "--iiv '%s': expected a CV in percent, "
                            "0 < CV <= 1000 (e.g. ca_dep_max=30%%)", spec);
    return CALCIFY_OK;
}

calcify_status calcify_iiv_corr_parse(const char *spec, const calcify_iiv *iiv, size_t m,
                                      double *corr, calcify_error *err)
{
    const char *comma = strchr(spec, ','), *eq = strchr(spec, '=');
    if (!comma || !eq || eq < comma)
        return calcify_fail(err, CALCIFY_EUSAGE, "--iiv-corr '%s': expected NAME1,NAME2=RHO "
                            "with -1 < RHO < 1", spec);
    int p1 = find_param(spec, (size_t)(comma - spec), err, "--iiv-corr");
    int p2 = p1 < 0 ? -1 : find_param(comma + 1, (size_t)(eq - comma - 1), err, "--iiv-corr");
    if (p1 < 0 || p2 < 0)
        return CALCIFY_EUSAGE;
    long a = -1, b = -1;
    for (size_t j = 0; j < m; j++) {
        if (iiv[j].param == p1) a = (long)j;
        if (iiv[j].param == p2) b = (long)j;
    }
    if (a < 0 || b < 0 || a == b)
        return calcify_fail(err, CALCIFY_EUSAGE, "--iiv-corr '%s': expected two different "
                            "parameters that each have an --iiv", spec);
    char *end;
    errno = 0;
    double rho = strtod(eq + 1, &end);
    if (end == eq + 1 || *end || errno == ERANGE || !(rho > -1 && rho < 1))
        return calcify_fail(err, CALCIFY_EUSAGE, "--iiv-corr '%s': expected -1 < RHO < 1", spec);
    corr[a * (long)m + b] = corr[b * (long)m + a] = rho;
    return CALCIFY_OK;
}

calcify_status calcify_population_draw(const calcify_paramset *ps, const calcify_iiv *iiv,
                                       size_t m, const double *corr, size_t n,
                                       uint64_t seed, double *values, calcify_error *err)
{
    gsl_matrix *L = gsl_matrix_alloc(m, m);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    double *z = malloc(m * sizeof *z);
    calcify_status st = CALCIFY_OK;
    if (!L || !rng || !z) {
        st = calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t j = 0; j < m; j++)
        for (size_t k = 0; k < m; k++) {
            double rho = j == k ? 1 : corr ? corr[j * m + k] : 0;
            double wj = sqrt(log1p(iiv[j].cv * iiv[j].cv));
            double wk = sqrt(log1p(iiv[k].cv * iiv[k].cv));
            gsl_matrix_set(L, j, k, rho * wj * wk);
        }
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int rc = gsl_linalg_cholesky_decomp1(L);
    gsl_set_error_handler(old);
    if (rc) {
        st = calcify_fail(err, CALCIFY_EUSAGE, "--iiv-corr: the correlations do not form "
                          "a positive definite matrix (expected a valid correlation matrix)");
        goto done;
    }
    gsl_rng_set(rng, (unsigned long)seed);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < m; j++)
            z[j] = gsl_ran_gaussian_ziggurat(rng, 1.0);
        for (size_t j = 0; j < m; j++) {
            double eta = 0;
            for (size_t k = 0; k <= j; k++) /* lower triangle holds L */
                eta += gsl_matrix_get(L, j, k) * z[k];
            const calcify_param_def *d = &MD->params[iiv[j].param];
            double v = ps->value[iiv[j].param] * exp(eta);
            if (!(v >= d->lo && v <= d->hi)) {
                st = calcify_fail(err, CALCIFY_EUSAGE, "--iiv: animal %zu drew %s = %g %s, "
                                  "outside the admissible [%g, %g] (expected a smaller CV)",
                                  i + 1, d->name, v, d->unit, d->lo, d->hi);
                goto done;
            }
            values[i * m + j] = v;
        }
    }
done:
    gsl_matrix_free(L);
    gsl_rng_free(rng);
    free(z);
    return st;
}

unsigned long calcify_population_stream_seed(uint64_t seed, int stream)
{
    if (stream == CALCIFY_STREAM_IIV)
        return (unsigned long)seed;
    uint64_t z = seed + (uint64_t)stream * 0x9E3779B97F4A7C15u; /* splitmix64 */
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return (unsigned long)((z ^ (z >> 31)) & 0xFFFFFFFFu);
}

calcify_status calcify_covariate_parse(const char *spec, calcify_covariate *c,
                                       calcify_error *err)
{
    const char *eq = strchr(spec, '='), *colon = eq ? strrchr(eq, ':') : NULL;
    if (!eq || !colon || eq == spec)
        return calcify_fail(err, CALCIFY_EUSAGE, "--covariate '%s': expected NAME=MEDIAN:CV%% "
                            "(e.g. body_weight=0.35:10%%)", spec);
    if ((c->param = find_param(spec, (size_t)(eq - spec), err, "--covariate")) < 0)
        return CALCIFY_EUSAGE;
    const calcify_param_def *d = &MD->params[c->param];
    if (c->param != MD->p_body_weight && c->param != MD->p_food_intake)
        return calcify_fail(err, CALCIFY_EUSAGE, "--covariate '%s': %s is not a covariate "
                            "(expected %s or %s; --iiv for others)", spec, d->name,
                            MD->params[MD->p_body_weight].name,
                            MD->params[MD->p_food_intake].name);
    char med[128];
    snprintf(med, sizeof med, "%.*s", (int)(colon - eq - 1), eq + 1);
    char *end;
    errno = 0;
    c->median = strtod(med, &end); /* a bare number is in the parameter's unit */
    if (end == med || *end || errno == ERANGE) {
        if (calcify_quantity_parse(med, d->unit, &c->median) != 0)
            return calcify_fail(err, CALCIFY_EUSAGE, "--covariate '%s': median '%s' (expected "
                                "a number in %s, or with a unit of its kind)", spec, med,
                                d->unit);
    }
    if (calcify_param_check(c->param, c->median, NULL, 0, err)) {
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err->msg);
        return calcify_fail(err, CALCIFY_EUSAGE, "--covariate '%s': %s", spec, why);
    }
    if (percent(colon + 1, strlen(colon + 1), &c->cv))
        return calcify_fail(err, CALCIFY_EUSAGE, "--covariate '%s': expected a CV in percent "
                            "with its %% sign, 0 <= CV <= 1000 (e.g. body_weight=0.35:10%%)",
                            spec);
    return CALCIFY_OK;
}

calcify_status calcify_covariate_draw(const calcify_covariate *c, size_t m, size_t n,
                                      uint64_t seed, double *values, size_t stride,
                                      calcify_error *err)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!rng)
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    gsl_rng_set(rng, calcify_population_stream_seed(seed, CALCIFY_STREAM_COVARIATE));
    calcify_status st = CALCIFY_OK;
    for (size_t i = 0; i < n && !st; i++)
        for (size_t j = 0; j < m && !st; j++) {
            double w = sqrt(log1p(c[j].cv * c[j].cv));
            double v = c[j].median * exp(w * gsl_ran_gaussian_ziggurat(rng, 1.0));
            const calcify_param_def *d = &MD->params[c[j].param];
            if (!(v >= d->lo && v <= d->hi))
                st = calcify_fail(err, CALCIFY_EUSAGE, "--covariate: animal %zu drew %s = %g "
                                  "%s, outside the admissible [%g, %g] (expected a smaller "
                                  "CV)", i + 1, d->name, v, d->unit, d->lo, d->hi);
            values[i * stride + j] = v;
        }
    gsl_rng_free(rng);
    return st;
}

calcify_status calcify_growth_scaled(const calcify_growth *g, double bw, double fpk,
                                     calcify_growth **out, calcify_error *err)
{
    calcify_growth *s = calloc(1, sizeof *s);
    if (!s || !(s->t = malloc(g->n * sizeof *s->t)) ||
        !(s->body_weight = malloc(g->n * sizeof *s->body_weight)) ||
        !(s->food = malloc(g->n * sizeof *s->food))) {
        calcify_growth_free(s);
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    }
    double rw = isnan(bw) ? 1 : bw / g->body_weight[0];
    double rf = isnan(fpk) ? 1 : fpk / (g->food[0] / g->body_weight[0]);
    s->n = g->n;
    s->line = g->line;
    for (size_t k = 0; k < g->n; k++) {
        s->t[k] = g->t[k];
        s->body_weight[k] = g->body_weight[k] * rw;
        s->food[k] = g->food[k] * rw * rf;
    }
    *out = s;
    return CALCIFY_OK;
}

calcify_status calcify_reserr_parse(const char *spec, calcify_reserr *e, calcify_error *err)
{
    static const char form[] = "expected OBS=prop:CV%%, OBS=add:SD or OBS=prop:CV%%,add:SD "
                               "(e.g. ca_aorta_ug_per_mg=prop:20%%)";
    const char *eq = strchr(spec, '=');
    if (!eq || eq == spec)
        return calcify_fail(err, CALCIFY_EUSAGE, "--error '%s': %s", spec, form);
    char name[128];
    snprintf(name, sizeof name, "%.*s", (int)(eq - spec), spec);
    if ((e->obs = calcify_obs_find(name)) < 0) {
        char near[256];
        calcify_suggest(name, MD->obs_names, MD->n_obs, near, sizeof near);
        return calcify_fail(err, CALCIFY_EUSAGE, "--error '%s': unknown observable '%s' "
                            "(expected a column name of calcify run)%s%s%s", spec, name,
                            near[0] ? "; did you mean " : "", near, near[0] ? "?" : "");
    }
    e->prop = e->add = 0;
    int have_prop = 0, have_add = 0;
    for (const char *p = eq + 1;;) {
        const char *comma = strchr(p, ','), *stop = comma ? comma : p + strlen(p);
        char *end;
        if (!strncmp(p, "prop:", 5) && !have_prop++) {
            if (percent(p + 5, (size_t)(stop - p - 5), &e->prop) || !(e->prop > 0))
                return calcify_fail(err, CALCIFY_EUSAGE, "--error '%s': the proportional "
                                    "error needs a CV in percent with its %% sign, 0 < CV "
                                    "<= 1000 (e.g. prop:20%%)", spec);
        } else if (!strncmp(p, "add:", 4) && !have_add++) {
            errno = 0;
            e->add = strtod(p + 4, &end);
            if (end == p + 4 || end != stop || errno == ERANGE || !(e->add > 0) ||
                !isfinite(e->add))
                return calcify_fail(err, CALCIFY_EUSAGE, "--error '%s': the additive error "
                                    "needs an SD > 0 in the observable's unit (e.g. add:0.05)",
                                    spec);
        } else
            return calcify_fail(err, CALCIFY_EUSAGE, "--error '%s': %s, each part once",
                                spec, form);
        if (!comma)
            return CALCIFY_OK;
        p = comma + 1;
    }
}

calcify_status calcify_reserr_apply(const calcify_probe *probe, const calcify_reserr *e,
                                    size_t n_e, const double *y, size_t n, uint64_t seed,
                                    double *y_obs, calcify_error *err)
{
    const calcify_reserr *of[CALCIFY_MAX_OBS] = {0}; /* the error of each probe observable */
    for (size_t oi = 0; oi < probe->n_obs; oi++)
        for (size_t k = 0; k < n_e; k++)
            if (e[k].obs == probe->obs[oi])
                of[oi] = &e[k];
    memcpy(y_obs, y, n * probe->n_out * sizeof *y);
    if (!n_e)
        return CALCIFY_OK;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!rng)
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    gsl_rng_set(rng, calcify_population_stream_seed(seed, CALCIFY_STREAM_RESIDUAL));
    for (size_t i = 0; i < n; i++)
        for (size_t a = 0; a < probe->n_arms; a++)
            for (size_t ti = 0; ti < probe->arms[a].n_times; ti++)
                for (size_t oi = 0; oi < probe->n_obs; oi++) {
                    if (!of[oi])
                        continue;
                    double e1 = of[oi]->prop * gsl_ran_gaussian_ziggurat(rng, 1.0);
                    double e2 = of[oi]->add * gsl_ran_gaussian_ziggurat(rng, 1.0);
                    double *v = &y_obs[i * probe->n_out + calcify_probe_slot(probe, a, ti, oi)];
                    *v = *v * (1 + e1) + e2;
                }
    gsl_rng_free(rng);
    return CALCIFY_OK;
}

calcify_status calcify_population_write_stats(FILE *fp, int precision,
                                              const calcify_scenario *sc,
                                              const calcify_probe *probe, const double *y,
                                              const size_t *arm_of,
                                              const unsigned char *status, size_t n,
                                              calcify_error *err)
{
    double *buf = malloc((n ? n : 1) * sizeof *buf);
    if (!buf)
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    fputs("arm,time_d,observable,n,mean,sd,p05,p50,p95\n", fp);
    for (size_t a = 0; a < probe->n_arms; a++) {
        const calcify_probe_arm *pa = &probe->arms[a];
        for (size_t ti = 0; ti < pa->n_times; ti++)
            for (size_t oi = 0; oi < probe->n_obs; oi++) {
                size_t k = 0, slot = calcify_probe_slot(probe, a, ti, oi);
                for (size_t i = 0; i < n; i++)
                    if (arm_of[i] == a && status[i] == 0 && isfinite(y[i * probe->n_out + slot]))
                        buf[k++] = y[i * probe->n_out + slot];
                fprintf(fp, "%s,%.*g,%s,%zu", sc->arms[pa->arm].name, 10, pa->times[ti],
                        calcify_obs_name(probe->table, probe->obs[oi]), k);
                if (k == 0) {
                    fputs(",,,,,\n", fp);
                    continue;
                }
                gsl_sort(buf, 1, k);
                calcify_csv_write_number(fp, precision, gsl_stats_mean(buf, 1, k));
                calcify_csv_write_number(fp, precision, k > 1 ? gsl_stats_sd(buf, 1, k) : NAN);
                calcify_csv_write_number(fp, precision, gsl_stats_quantile_from_sorted_data(buf, 1, k, 0.05));
                calcify_csv_write_number(fp, precision, gsl_stats_quantile_from_sorted_data(buf, 1, k, 0.50));
                calcify_csv_write_number(fp, precision, gsl_stats_quantile_from_sorted_data(buf, 1, k, 0.95));
                fputc('\n', fp);
            }
    }
    free(buf);
    return CALCIFY_OK;
}

#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)

/* strtod over exactly [s, end); empty → NAN; -1 if not a finite number */
static int number_field(const char *s, const char *end, double *out)
{
    if (s == end) {
        *out = NAN;
        return 0;
    }
    char buf[64], *stop;
    if ((size_t)(end - s) >= sizeof buf)
        return -1;
    memcpy(buf, s, (size_t)(end - s));
    buf[end - s] = '\0';
    errno = 0;
    *out = strtod(buf, &stop);
    return *stop || errno == ERANGE || !isfinite(*out) ? -1 : 0;
}

/* What is wrong with the numbers of a row (fields f[1], f[3..8]), or NULL. */
static const char *check_numbers(const char *const f[9], const char *line_end,
                                 calcify_popstat *r)
{
    double count, q;
    if (number_field(f[1], f[2] - 1, &r->time) || isnan(r->time))
        return "time_d is not a finite number";
    if (number_field(f[3], f[4] - 1, &count) || !(count >= 0) ||
        count > CALCIFY_POPULATION_MAX_PER_ARM || count != floor(count))
        return "n is not a whole number of animals (expected 0 to "
               STRINGIFY(CALCIFY_POPULATION_MAX_PER_ARM) ")";
    r->n = (size_t)count;
    if (number_field(f[4], f[5] - 1, &r->mean) || number_field(f[5], f[6] - 1, &r->sd))
        return "mean or sd is not a finite number (expected a number, or an empty field "
               "where population writes one)";
    if (isnan(r->mean) != (r->n == 0))
        return "mean is empty with animals or given without (expected a mean exactly when n >= 1)";
    if (isnan(r->sd) != (r->n < 2))
        return "sd is empty with two or more animals or given with fewer (expected an sd "
               "exactly when n >= 2)";
    if (r->sd < 0)
        return "sd is negative (expected sd >= 0)";
    for (int k = 6; k < 9; k++)
        if (number_field(f[k], k < 8 ? f[k + 1] - 1 : line_end, &q) || isnan(q) != (r->n == 0))
            return "a quantile is not a finite number (expected p05, p50 and p95 exactly "
                   "when n >= 1)";
    return NULL;
}

static int cmp_key(const void *a, const void *b)
{
    const calcify_popstat *x = a, *y = b;
    int c = strcmp(x->arm, y->arm);
    if (c)
        return c;
    if (x->obs != y->obs)
        return (x->obs > y->obs) - (x->obs < y->obs);
    return (x->time > y->time) - (x->time < y->time);
}

/* One row per arm, time and observable (times equal as calcify_popstats_find
 * takes them). */
static calcify_status check_unique(const char *path, const calcify_obs_table *t,
                                   const calcify_popstat *rows, size_t n, calcify_error *err)
{
    if (n < 2)
        return CALCIFY_OK;
    calcify_popstat *s = malloc(n * sizeof *s);
    if (!s)
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    memcpy(s, rows, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp_key);
    calcify_status st = CALCIFY_OK;
    for (size_t i = 1; i < n && !st; i++)
        if (s[i].obs == s[i - 1].obs && !strcmp(s[i].arm, s[i - 1].arm) &&
            calcify_same_time(s[i - 1].time, s[i].time)) {
            const calcify_popstat *a = s[i].line < s[i - 1].line ? &s[i] : &s[i - 1];
            const calcify_popstat *b = a == &s[i] ? &s[i - 1] : &s[i];
            st = calcify_fail(err, CALCIFY_EINPUT, "%s:%d: arm '%s', time_d %g, observable "
                              "'%s' again (first at line %d; expected one row per arm, time "
                              "and observable)", path, b->line, b->arm, b->time,
                              calcify_obs_name(t, b->obs), a->line);
        }
    free(s);
    return st;
}

calcify_status calcify_popstats_load(const char *path, const calcify_obs_table *t,
                                     calcify_popstat **rows, size_t *n,
                                     calcify_error *err)
{
    static const char header[] = "arm,time_d,observable,n,mean,sd,p05,p50,p95";
    *rows = NULL;
    *n = 0;
    FILE *fp = fopen(path, "r");
    if (!fp)
        return calcify_fail(err, CALCIFY_EINPUT, "%s: cannot open: %s (expected the "
                            "stats.csv of calcify population)", path, strerror(errno));
    char *line = NULL;
    size_t cap = 0, have = 0;
    int lineno = 0;
    calcify_status st = CALCIFY_OK;
    ssize_t len;
    while (!st && (len = getline(&line, &cap, fp)) > 0) {
        lineno++;
        if (memchr(line, '\0', (size_t)len)) {
            st = calcify_fail(err, CALCIFY_EINPUT, "%s:%d: NUL byte (expected the stats.csv "
                              "as calcify population wrote it)", path, lineno);
            break;
        }
        if (line[len - 1] != '\n') {
            st = calcify_fail(err, CALCIFY_EINPUT, "%s:%d: the row is cut short (no line "
                              "end; expected the stats.csv of a population that finished)",
                              path, lineno);
            break;
        }
        line[--len] = '\0';
        if (len > 0 && line[len - 1] == '\r') /* CRLF, as an editor may save it */
            line[--len] = '\0';
        if (lineno == 1) {
            if (strcmp(line, header) != 0)
                st = calcify_fail(err, CALCIFY_EINPUT, "%s:1: header '%s' (expected '%s')",
                                  path, line, header);
            continue;
        }
        const char *f[9];
        int k = 0;
        f[k++] = line;
        for (char *c = line; *c && k < 9; c++)
            if (*c == ',')
                f[k++] = c + 1;
        if (k != 9 || strchr(f[8], ',')) {
            st = calcify_fail(err, CALCIFY_EINPUT, "%s:%d: expected 9 fields", path, lineno);
            break;
        }
        if (have == *n) {
            size_t nc = have ? 2 * have : 64;
            calcify_popstat *r = realloc(*rows, nc * sizeof *r);
            if (!r) {
                st = calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
                break;
            }
            *rows = r, have = nc;
        }
        calcify_popstat *r = &(*rows)[*n];
        r->line = lineno;
        snprintf(r->arm, sizeof r->arm, "%.*s", (int)(f[1] - f[0] - 1), f[0]);
        char obs[128];
        snprintf(obs, sizeof obs, "%.*s", (int)(f[3] - f[2] - 1), f[2]);
        r->obs = calcify_obs_lookup(t, obs);
        const char *why = check_numbers(f, line + len, r);
        if (why) {
            st = calcify_fail(err, CALCIFY_EINPUT, "%s:%d: %s", path, lineno, why);
            break;
        }
        if (r->obs >= 0) /* an observable this build does not know is skipped */
            (*n)++;
    }
    free(line);
    if (!st && ferror(fp))
        st = calcify_fail(err, CALCIFY_EINPUT, "%s: cannot read: %s", path, strerror(errno));
    if (!st && lineno == 0)
        st = calcify_fail(err, CALCIFY_EINPUT, "%s: empty (expected the stats.csv of "
                          "calcify population)", path);
    fclose(fp);
    if (!st)
        st = check_unique(path, t, *rows, *n, err);
    if (st) {
        free(*rows);
        *rows = NULL;
        *n = 0;
    }
    return st;
}

const calcify_popstat *calcify_popstats_find(const calcify_popstat *rows, size_t n,
                                             const char *arm, double t, int obs)
{
    for (size_t i = 0; i < n; i++)
        if (rows[i].obs == obs && calcify_same_time(rows[i].time, t) &&
            !strcmp(rows[i].arm, arm))
            return &rows[i];
    return NULL;
}
