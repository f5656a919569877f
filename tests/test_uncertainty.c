/* test_uncertainty.c — sensitivity, gsa and population on the shipped model
 * through the command line.  Model-agnostic: only dist_beta (acts on
 * distensibility alone), ca_dep_max, warfarin_thalf and the observables
 * ca_aorta_ug_per_mg and distensibility_rel are named.  One arm
 * (wk_continued) keeps the runs cheap. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "calcify/model.h"
#include "calcify/scenario.h"
#include "cunit_main.h"

static char dir[] = "/tmp/calcify-unc-XXXXXX";
static const char *SC = "models/vermeer2007.cfg";

#define sh test_sh
#define calcify test_calcify
static int setup(void) { return calcify() && mkdtemp(dir) ? 0 : -1; }
static int teardown(void) { return sh("rm -rf '%s'", dir) ? -1 : 0; }

/* ---- a small CSV reader for the tests: fields by column name ---- */

typedef struct {
    char **line;
    size_t n;
    char *header;      /* line 0 as read */
    char *cols[64];
    int ncols;
} table;

static int split(char *s, char **f, int cap)
{
    int n = 0;
    f[n++] = s;
    for (; *s && n < cap; s++)
        if (*s == ',') {
            *s = '\0';
            f[n++] = s + 1;
        }
    return n;
}

static int table_load(table *t, const char *path)
{
    memset(t, 0, sizeof *t);
    FILE *fp = fopen(path, "r");
    if (!fp)
        return -1;
    char buf[65536];
    while (fgets(buf, sizeof buf, fp)) {
        buf[strcspn(buf, "\n")] = '\0';
        t->line = realloc(t->line, (t->n + 1) * sizeof *t->line);
        t->line[t->n++] = strdup(buf);
    }
    fclose(fp);
    if (t->n == 0)
        return -1;
    t->header = strdup(t->line[0]);
    t->ncols = split(t->line[0], t->cols, 64);
    return 0;
}

static void table_free(table *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->line[i]);
    free(t->line);
    free(t->header);
}

static int col(const table *t, const char *name)
{
    for (int i = 0; i < t->ncols; i++)
        if (!strcmp(t->cols[i], name))
            return i;
    return -1;
}

/* fields of data row r (1-based line), in f (split copy in buf) */
static int row(const table *t, size_t r, char *buf, size_t cap, char **f)
{
    snprintf(buf, cap, "%s", t->line[r]);
    return split(buf, f, 64);
}

/* ---- sensitivity ---- */

static double run_value(const char *param, double value, double time, const char *obs)
{
    char out[700];
    snprintf(out, sizeof out, "%s/cd.csv", dir);
    if (sh("'%s' run %s --arm wk_continued --rtol 1e-10 --atol 1e-14 --set '%s=%.17g' "
           "-o '%s'", calcify(), SC, param, value, out))
        return NAN;
    table t;
    if (table_load(&t, out))
        return NAN;
    double v = NAN;
    int ct = col(&t, "time_d"), co = col(&t, obs);
    for (size_t r = 1; r < t.n; r++) {
        char buf[65536], *f[64];
        row(&t, r, buf, sizeof buf, f);
        if (atof(f[ct]) == time)
            v = strtod(f[co], NULL);
    }
    table_free(&t);
    return v;
}

static void test_sensitivity(void)
{
    char out[700];
    snprintf(out, sizeof out, "%s/sens.csv", dir);
    CU_ASSERT_EQUAL_FATAL(sh("'%s' sensitivity %s --arm wk_continued --observable "
                             "ca_aorta_ug_per_mg,distensibility_rel --threads 2 -q -o '%s'",
                             calcify(), SC, out), 0);
    table t;
    CU_ASSERT_EQUAL_FATAL(table_load(&t, out), 0);
    int cp = col(&t, "parameter"), co = col(&t, "observable"), ct = col(&t, "time_d"),
        cs = col(&t, "sensitivity"), cn = col(&t, "normalised"), cv = col(&t, "parameter_value");
    CU_ASSERT_FATAL(cp >= 0 && co >= 0 && ct >= 0 && cs >= 0 && cn >= 0 && cv >= 0);
    CU_ASSERT(col(&t, "arm") >= 0 && col(&t, "value") >= 0);
    /* every parameter × 2 phase ends × 2 observables */
    CU_ASSERT_EQUAL(t.n - 1, (size_t)CALCIFY_NPARAM * 2 * 2);
    double best = 0, best_s = 0, best_p = 0, best_t = 0;
    char best_name[64] = "";
    int dist_rows = 0, dist_moves_dist = 0;
    for (size_t r = 1; r < t.n; r++) {
        char buf[4096], *f[64];
        row(&t, r, buf, sizeof buf, f);
        int is_ca = !strcmp(f[co], "ca_aorta_ug_per_mg");
        double norm = f[cn][0] ? strtod(f[cn], NULL) : NAN;
        if (!strcmp(f[cp], "dist_beta")) {
            if (is_ca) { /* dist_beta acts on distensibility only */
                dist_rows++;
                CU_ASSERT(fabs(norm) < 1e-6);
            } else {
                dist_moves_dist |= fabs(norm) > 1e-3;
            }
        }
        if (is_ca && isfinite(norm) && fabs(norm) > best) {
            best = fabs(norm);
            best_s = strtod(f[cs], NULL);
            best_p = strtod(f[cv], NULL);
            best_t = strtod(f[ct], NULL);
            snprintf(best_name, sizeof best_name, "%s", f[cp]);
        }
    }
    CU_ASSERT_EQUAL(dist_rows, 2);
    CU_ASSERT(dist_moves_dist);
    table_free(&t);
    /* the largest against a tight central difference through `calcify run --set` */
    CU_ASSERT_FATAL(best > 0);
    double h = 1e-3 * fabs(best_p);
    double up = run_value(best_name, best_p + h, best_t, "ca_aorta_ug_per_mg");
    double dn = run_value(best_name, best_p - h, best_t, "ca_aorta_ug_per_mg");
    double cd = (up - dn) / ((best_p + h) - (best_p - h));
    printf("\n  largest |d ln Ca / d ln p|: %s at %g d, %.6g vs central difference %.6g "
           "(%.2g%%)", best_name, best_t, best_s, cd, 100 * rel_err(best_s, cd));
    CU_ASSERT(rel_err(best_s, cd) < 0.03);
}

/* A probe at an --at time inside a phase: the value is the run's value. */
static void test_sensitivity_at(void)
{
    char out[700];
    snprintf(out, sizeof out, "%s/sens_at.csv", dir);
    CU_ASSERT_EQUAL_FATAL(sh("'%s' sensitivity %s --arm wk_continued --param ca_dep_max "
                             "--observable ca_aorta_ug_per_mg --at 10,50 -q -o '%s'",
                             calcify(), SC, out), 0);
    table t;
    CU_ASSERT_EQUAL_FATAL(table_load(&t, out), 0);
    CU_ASSERT_EQUAL_FATAL(t.n, 3);
    char buf[4096], *f[64];
    row(&t, 2, buf, sizeof buf, f);
    CU_ASSERT_STRING_EQUAL(f[col(&t, "time_d")], "50");
    double v = strtod(f[col(&t, "value")], NULL), p = strtod(f[col(&t, "parameter_value")], NULL);
    double want = run_value("ca_dep_max", p, 50, "ca_aorta_ug_per_mg");
    CU_ASSERT(rel_err(v, want) < 1e-5);
    table_free(&t);
    /* bad input: exit 2, no file */
    snprintf(out, sizeof out, "%s/bad.csv", dir);
    CU_ASSERT_EQUAL(sh("'%s' sensitivity %s --param dist_bta -o '%s' 2>/dev/null", calcify(),
                       SC, out), 2);
    CU_ASSERT_EQUAL(sh("'%s' sensitivity %s --observable ca_aorta -o '%s' 2>/dev/null",
                       calcify(), SC, out), 2);
    CU_ASSERT_EQUAL(sh("'%s' sensitivity %s --at -1 -o '%s' 2>/dev/null", calcify(), SC, out), 2);
    CU_ASSERT_EQUAL(sh("test -e '%s'", out), 1);
}

/* ---- gsa ---- */

static void vary_args(char *buf, size_t cap)
{
    calcify_scenario sc;
    calcify_error err;
    buf[0] = '\0';
    if (calcify_scenario_load(SC, &sc, &err))
        return;
    double dep = sc.params.value[calcify_param_find("ca_dep_max")];
    double beta = sc.params.value[calcify_param_find("dist_beta")];
    double thalf = sc.params.value[calcify_param_find("warfarin_thalf")];
    snprintf(buf, cap, "--vary ca_dep_max=%.17g:%.17g --vary dist_beta=%.17g:%.17g "
             "--vary warfarin_thalf=%.17g:%.17g:log", dep / 2, dep * 1.5, beta / 2, beta * 2,
             thalf / 3, thalf * 3);
    calcify_scenario_free(&sc);
}

static void test_gsa_sobol_on_the_model(void)
{
    char vary[1024];
    vary_args(vary, sizeof vary);
    CU_ASSERT_FATAL(vary[0] != '\0');
    const char *common = "--method sobol --n 64 --arm wk_continued --observable "
                         "ca_aorta_ug_per_mg,distensibility_rel --boot 100 -q";
    CU_ASSERT_EQUAL_FATAL(sh("'%s' gsa %s %s %s --threads 1 -o '%s/g1'", calcify(), SC,
                             common, vary, dir), 0);
    CU_ASSERT_EQUAL(sh("'%s' gsa %s %s %s --threads 2 -o '%s/g2'", calcify(), SC, common,
                       vary, dir), 0);
    CU_ASSERT_EQUAL(sh("cmp -s '%s/g1/indices.csv' '%s/g2/indices.csv'", dir, dir), 0);
    /* two shards, joined with --from: the same bytes */
    for (int k = 1; k <= 2; k++)
        CU_ASSERT_EQUAL(sh("'%s' gsa %s %s %s --threads 1 --shard %d/2 -o '%s/s%d'", calcify(),
                           SC, common, vary, k, dir, k), 0);
    CU_ASSERT_EQUAL(sh("test -e '%s/s1/indices.csv'", dir), 1);
    CU_ASSERT_EQUAL(sh("'%s' gsa %s %s %s --from '%s/s2' --from '%s/s1' -o '%s/joined'",
                       calcify(), SC, common, vary, dir, dir, dir), 0);
    CU_ASSERT_EQUAL(sh("cmp -s '%s/g1/indices.csv' '%s/joined/indices.csv'", dir, dir), 0);
    CU_ASSERT_EQUAL(sh("cmp -s '%s/g1/evaluations.csv' '%s/joined/evaluations.csv'", dir, dir), 0);
    /* a missing shard, or another seed's shard, is refused */
    CU_ASSERT_EQUAL(sh("'%s' gsa %s %s %s --from '%s/s1' -o '%s/half' 2>/dev/null", calcify(),
                       SC, common, vary, dir, dir), 2);
    CU_ASSERT_EQUAL(sh("'%s' gsa %s %s %s --seed 2 --from '%s/s1' --from '%s/s2' -o '%s/other' "
                       "2>/dev/null", calcify(), SC, common, vary, dir, dir, dir), 2);

    char path[700];
    snprintf(path, sizeof path, "%s/g1/indices.csv", dir);
    table t;
    CU_ASSERT_EQUAL_FATAL(table_load(&t, path), 0);
    const char *want[] = {"parameter", "arm", "observable", "time_d", "S1", "S1_lo", "S1_hi",
                          "ST", "ST_lo", "ST_hi"};
    for (int i = 0; i < 10; i++)
        CU_ASSERT_STRING_EQUAL(t.cols[i], want[i]);
    int seen = 0, dist_matters = 0;
    for (size_t r = 1; r < t.n; r++) {
        char buf[4096], *f[64];
        row(&t, r, buf, sizeof buf, f);
        if (strcmp(f[0], "dist_beta"))
            continue;
        double st = strtod(f[7], NULL);
        if (!strcmp(f[2], "ca_aorta_ug_per_mg")) {
            seen++;
            CU_ASSERT(st < 0.02);
        } else if (st > 0.1) {
            dist_matters = 1;
        }
    }
    CU_ASSERT_EQUAL(seen, 2);
    CU_ASSERT(dist_matters); /* but it does act on distensibility */
    table_free(&t);
}

static void test_gsa_morris_and_bad_input(void)
{
    char vary[1024];
    vary_args(vary, sizeof vary);
    CU_ASSERT_EQUAL_FATAL(sh("'%s' gsa %s --method morris --n 6 %s --arm wk_continued "
                             "--observable ca_aorta_ug_per_mg --at 84 -q -o '%s/m'", calcify(),
                             SC, vary, dir), 0);
    char path[700];
    snprintf(path, sizeof path, "%s/m/indices.csv", dir);
    table t;
    CU_ASSERT_EQUAL_FATAL(table_load(&t, path), 0);
    CU_ASSERT_STRING_EQUAL(t.header, "parameter,arm,observable,time_d,mu_star,mu_star_lo,"
                                      "mu_star_hi,sigma,mu,trajectories");
    CU_ASSERT_EQUAL(t.n, 4);
    for (size_t r = 1; r < t.n; r++) {
        char buf[4096], *f[64];
        row(&t, r, buf, sizeof buf, f);
        if (!strcmp(f[0], "dist_beta"))
            CU_ASSERT_DOUBLE_EQUAL(strtod(f[4], NULL), 0, 0);  /* no effect at all on Ca */
        if (!strcmp(f[0], "ca_dep_max"))
            CU_ASSERT(strtod(f[4], NULL) > 0);
    }
    table_free(&t);
    CU_ASSERT_EQUAL(sh("'%s' gsa %s --method sobel %s -o '%s/bad' 2>/dev/null", calcify(), SC,
                       vary, dir), 2);
    CU_ASSERT_EQUAL(sh("'%s' gsa %s --method sobol --vary ca_dep_max=0.04:30:lognormal -o '%s/bad' "
                       "2>/dev/null", calcify(), SC, dir), 2);
    CU_ASSERT_EQUAL(sh("'%s' gsa %s --method morris --levels 3 %s -o '%s/bad' 2>/dev/null",
                       calcify(), SC, vary, dir), 2);
    CU_ASSERT_EQUAL(sh("test -e '%s/bad'", dir), 1);
}

/* ---- population ---- */

static void test_population(void)
{
    const char *args = "--n-per-arm 6 --iiv ca_dep_max=30% -q";
    CU_ASSERT_EQUAL_FATAL(sh("'%s' population %s %s --seed 7 --threads 1 -o '%s/p1'",
                             calcify(), SC, args, dir), 0);
    CU_ASSERT_EQUAL(sh("'%s' population %s %s --seed 7 --threads 2 -o '%s/p2'", calcify(), SC,
                       args, dir), 0);
    CU_ASSERT_EQUAL(sh("'%s' population %s %s --seed 8 --threads 2 -o '%s/p3'", calcify(), SC,
                       args, dir), 0);
    for (int i = 0; i < 2; i++) {
        const char *f = i ? "stats.csv" : "animals.csv";
        CU_ASSERT_EQUAL(sh("cmp -s '%s/p1/%s' '%s/p2/%s'", dir, f, dir, f), 0);
        CU_ASSERT_EQUAL(sh("cmp -s '%s/p1/%s' '%s/p3/%s'", dir, f, dir, f), 1);
    }
    char path[700];
    snprintf(path, sizeof path, "%s/p1/animals.csv", dir);
    table t;
    CU_ASSERT_EQUAL_FATAL(table_load(&t, path), 0);
    calcify_scenario sc;
    calcify_error err;
    CU_ASSERT_EQUAL_FATAL(calcify_scenario_load(SC, &sc, &err), CALCIFY_OK);
    CU_ASSERT_EQUAL(t.n - 1, 6 * sc.n_arms);
    int cp = col(&t, "ca_dep_max_ug_per_mg_per_d"), cs = col(&t, "status");
    CU_ASSERT_FATAL(cp >= 0 && cs >= 0 && col(&t, "id") == 0 && col(&t, "arm") == 1);
    CU_ASSERT(col(&t, "ca_aorta_ug_per_mg_end") >= 0);
    /* log-normal around the scenario's value: the mean log lies within 3
     * standard errors (omega/sqrt(n)) of log(theta) */
    double theta = sc.params.value[calcify_param_find("ca_dep_max")], s = 0;
    double omega = sqrt(log(1 + 0.09));
    for (size_t r = 1; r < t.n; r++) {
        char buf[65536], *f[64];
        row(&t, r, buf, sizeof buf, f);
        CU_ASSERT_STRING_EQUAL(f[cs], "ok");
        s += log(strtod(f[cp], NULL) / theta);
    }
    CU_ASSERT(fabs(s / (double)(t.n - 1)) < 3 * omega / sqrt((double)(t.n - 1)));
    table_free(&t);
    /* stats: n = 6 everywhere, p05 <= p50 <= p95, and a real spread at week 12 */
    snprintf(path, sizeof path, "%s/p1/stats.csv", dir);
    CU_ASSERT_EQUAL_FATAL(table_load(&t, path), 0);
    CU_ASSERT_STRING_EQUAL(t.header, "arm,time_d,observable,n,mean,sd,p05,p50,p95");
    int ordered = 1, spread = 0;
    for (size_t r = 1; r < t.n; r++) {
        char buf[4096], *f[64];
        row(&t, r, buf, sizeof buf, f);
        ordered &= !strcmp(f[3], "6");
        if (f[6][0])
            ordered &= strtod(f[6], NULL) <= strtod(f[7], NULL) &&
                       strtod(f[7], NULL) <= strtod(f[8], NULL);
        if (!strcmp(f[0], "wk_continued") && !strcmp(f[2], "ca_aorta_ug_per_mg") &&
            !strcmp(f[1], "84"))
            spread = strtod(f[5], NULL) > 0.05 * strtod(f[4], NULL);
    }
    CU_ASSERT(ordered);
    CU_ASSERT(spread);
    table_free(&t);
    calcify_scenario_free(&sc);
    /* validate --population compares every target; the figure draws */
    CU_ASSERT_EQUAL(sh("'%s' validate %s --data models/data/schurgers2007.csv --population "
                       "'%s/p1' | tail -1 | grep -q '^20 comparisons of population means'",
                       calcify(), SC, dir), 0);
    CU_ASSERT_EQUAL(sh("'%s' validate %s --data models/data/schurgers2007.csv --population "
                       "'%s/nonexistent' 2>/dev/null", calcify(), SC, dir), 2);
    CU_ASSERT_EQUAL(sh("gnuplot -c plots/population.gp '%s/p1/stats.csv' '%s/pop.png' && "
                       "test $(stat -c %%s '%s/pop.png') -gt 20000", dir, dir, dir), 0);
    /* bad input */
    CU_ASSERT_EQUAL(sh("'%s' population %s --n-per-arm 6 --iiv ca_dep_mx=30%% -o '%s/badp' "
                       "2>/dev/null", calcify(), SC, dir), 2);
    CU_ASSERT_EQUAL(sh("'%s' population %s --n-per-arm 6 --iiv ca_dep_max=-3 -o '%s/badp' "
                       "2>/dev/null", calcify(), SC, dir), 2);
    CU_ASSERT_EQUAL(sh("'%s' population %s --n-per-arm 6 --iiv ca_dep_max=30 --iiv "
                       "warfarin_thalf=20 --iiv-corr ca_dep_max,warfarin_thalf=1.5 -o '%s/badp' "
                       "2>/dev/null", calcify(), SC, dir), 2);
    CU_ASSERT_EQUAL(sh("test -e '%s/badp'", dir), 1);
}

/* Correlated IIV: the drawn log-parameters carry the correlation. */
static void test_population_correlated(void)
{
    CU_ASSERT_EQUAL_FATAL(sh("'%s' population %s --arm control --n-per-arm 400 --iiv "
                             "ca_dep_max=30%% --iiv warfarin_thalf=20%% --iiv-corr "
                             "ca_dep_max,warfarin_thalf=0.8 --observable ca_aorta_ug_per_mg "
                             "--step 84 --seed 3 -q -o '%s/pc'", calcify(), SC, dir), 0);
    char path[700];
    snprintf(path, sizeof path, "%s/pc/animals.csv", dir);
    table t;
    CU_ASSERT_EQUAL_FATAL(table_load(&t, path), 0);
    double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    size_t n = t.n - 1;
    for (size_t r = 1; r < t.n; r++) {
        char buf[4096], *f[64];
        row(&t, r, buf, sizeof buf, f);
        double x = log(strtod(f[3], NULL)), y = log(strtod(f[4], NULL));
        sx += x, sy += y, sxx += x * x, syy += y * y, sxy += x * y;
    }
    double cxy = sxy / n - sx / n * sy / n, vx = sxx / n - sx / n * sx / n,
           vy = syy / n - sy / n * sy / n;
    double rho = cxy / sqrt(vx * vy);
    /* SE of r at n = 400, rho = 0.8: (1 − rho²)/sqrt(n) = 0.018 */
    CU_ASSERT_DOUBLE_EQUAL(rho, 0.8, 0.06);
    CU_ASSERT_DOUBLE_EQUAL(sqrt(vx), sqrt(log(1.09)), 0.03);
    table_free(&t);
}

/* Each animal follows the scenario's growth table: models/sc_injections.cfg
 * grows its rats from 250 g to 330 g over the 4 weeks of every arm, so at
 * the arm's end every animal weighs 0.33 kg (the parameter body_weight, 0.3
 * kg, is what a run that ignored the table would show). */
static void test_population_growth(void)
{
    CU_ASSERT_EQUAL_FATAL(sh("'%s' population models/sc_injections.cfg --arm control "
                             "--n-per-arm 2 --iiv ca_dep_max=10%% --observable body_weight_kg "
                             "-q -o '%s/pg'", calcify(), dir), 0);
    char path[700];
    snprintf(path, sizeof path, "%s/pg/animals.csv", dir);
    table t;
    CU_ASSERT_EQUAL_FATAL(table_load(&t, path), 0);
    int cw = col(&t, "body_weight_kg_end");
    CU_ASSERT_FATAL(cw >= 0 && t.n == 3);
    for (size_t r = 1; r < t.n; r++) {
        char buf[4096], *f[64];
        row(&t, r, buf, sizeof buf, f);
        CU_ASSERT_DOUBLE_EQUAL(strtod(f[cw], NULL), 0.33, 1e-12);
    }
    table_free(&t);
}

/* --at: per-animal values at chosen times, the exact rows run --summary
 * gives (the arm cut there, doses re-timed): 20.25 d lies between the 7-d
 * grid's rows and between two daily sc doses, 14 d on the grid, 5 w after
 * the 4-week arm's end (an empty field). */
static void test_population_at(void)
{
    const char *arm = "--arm warfarin_sc_k1_sc", *obs = "--observable warfarin_plasma_mg_per_l";
    CU_ASSERT_EQUAL_FATAL(sh("'%s' population models/sc_injections.cfg %s %s --step 7 "
                             "--n-per-arm 2 --iiv dist_beta=10%% --at '2 w,20.25 d,5 w' -q "
                             "-o '%s/pat'", calcify(), arm, obs, dir), 0);
    CU_ASSERT_EQUAL_FATAL(sh("'%s' run models/sc_injections.cfg %s %s --summary --header "
                             "--at '14 d,20.25 d' > '%s/pat.csv'", calcify(), arm, obs, dir), 0);
    char path[700];
    table t, r;
    snprintf(path, sizeof path, "%s/pat.csv", dir);
    CU_ASSERT_EQUAL_FATAL(table_load(&r, path), 0);
    snprintf(path, sizeof path, "%s/pat/animals.csv", dir);
    CU_ASSERT_EQUAL_FATAL(table_load(&t, path), 0);
    const char *names[2] = {"warfarin_plasma_mg_per_l_at_14d",
                            "warfarin_plasma_mg_per_l_at_20.25d"};
    char rb[4096], *rf[64], buf[4096], *f[64];
    row(&r, 1, rb, sizeof rb, rf);
    int c5 = col(&t, "warfarin_plasma_mg_per_l_at_35d");
    CU_ASSERT_FATAL(c5 >= 0 && t.n == 3);
    for (size_t k = 1; k < t.n; k++) {
        row(&t, k, buf, sizeof buf, f);
        for (int i = 0; i < 2; i++) {
            int ca = col(&t, names[i]), cr = col(&r, names[i]);
            CU_ASSERT_FATAL(ca >= 0 && cr >= 0);
            double want = strtod(rf[cr], NULL);
            CU_ASSERT(want > 0);
            /* dist_beta acts on distensibility alone: the same warfarin */
            CU_ASSERT_DOUBLE_EQUAL(strtod(f[ca], NULL), want, 1e-6 * want);
        }
        CU_ASSERT_STRING_EQUAL(f[c5], "");
    }
    table_free(&t);
    table_free(&r);
    /* stats.csv has the off-grid time too */
    CU_ASSERT_EQUAL(sh("grep -q '^warfarin_sc_k1_sc,20.25,warfarin_plasma_mg_per_l,2,' "
                       "'%s/pat/stats.csv'", dir), 0);
}

/* Column `name` of every data row of DIR/FILE as numbers (malloc'd). */
static double *column(const char *file, const char *name, size_t *n)
{
    char path[700];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    table t;
    *n = 0;
    if (table_load(&t, path))
        return NULL;
    int c = col(&t, name);
    double *v = c < 0 ? NULL : malloc(t.n * sizeof *v);
    for (size_t r = 1; v && r < t.n; r++) {
        char buf[4096], *f[64];
        row(&t, r, buf, sizeof buf, f);
        v[(*n)++] = f[c][0] ? strtod(f[c], NULL) : NAN;
    }
    table_free(&t);
    return v;
}

static void mean_sd(const double *x, size_t n, double *mean, double *sd)
{
    double s = 0, ss = 0;
    for (size_t i = 0; i < n; i++)
        s += x[i];
    *mean = s / (double)n;
    for (size_t i = 0; i < n; i++)
        ss += (x[i] - *mean) * (x[i] - *mean);
    *sd = sqrt(ss / (double)(n - 1));
}

/* Residual error with no IIV: every animal has the same true value y, so
 * observed/true − 1 is e1 ~ N(0, 0.2²) and observed − true is e2 ~
 * N(0, 0.05²).  Over n = 2000 animals the sample SD s of n normal draws has
 * standard error σ/√(2(n−1)) (0.2/√3998 = 0.0032 and 0.05/√3998 = 0.00079)
 * and the sample mean σ/√n: each within 3 SE.  stats.csv summarises the
 * observed values (its sd is the sample SD of the _obs column). */
static void test_population_residual_error(void)
{
    CU_ASSERT_EQUAL_FATAL(sh("'%s' population %s --arm control --n-per-arm 2000 --error "
                             "ca_aorta_ug_per_mg=prop:20%% --error distensibility_rel=add:0.05 "
                             "--observable ca_aorta_ug_per_mg,distensibility_rel --step 84 "
                             "--seed 5 -q -o '%s/pe'", calcify(), SC, dir), 0);
    size_t n, n2, n3, n4;
    double *y = column("pe/animals.csv", "ca_aorta_ug_per_mg_end", &n);
    double *yo = column("pe/animals.csv", "ca_aorta_ug_per_mg_end_obs", &n2);
    double *d = column("pe/animals.csv", "distensibility_rel_end", &n3);
    double *dobs = column("pe/animals.csv", "distensibility_rel_end_obs", &n4);
    CU_ASSERT_FATAL(y && yo && d && dobs && n == 2000 && n2 == n && n3 == n && n4 == n);
    double mean, sd, omean, osd;
    mean_sd(yo, n, &omean, &osd);
    for (size_t i = 0; i < n; i++) {
        CU_ASSERT_EQUAL(y[i], y[0]);    /* no IIV: one true value */
        yo[i] = yo[i] / y[i] - 1;
        dobs[i] -= d[i];
    }
    const double se_n = sqrt(2.0 * (double)(n - 1));
    mean_sd(yo, n, &mean, &sd);
    CU_ASSERT(fabs(sd - 0.2) < 3 * 0.2 / se_n);
    CU_ASSERT(fabs(mean) < 3 * 0.2 / sqrt((double)n));
    mean_sd(dobs, n, &mean, &sd);
    CU_ASSERT(fabs(sd - 0.05) < 3 * 0.05 / se_n);
    CU_ASSERT(fabs(mean) < 3 * 0.05 / sqrt((double)n));
    /* stats.csv: n, mean and sd of the observed values at the end */
    CU_ASSERT_EQUAL(sh("awk -F, '$1 == \"control\" && $2 == 84 && $3 == \"ca_aorta_ug_per_mg\" "
                       "{ exit !($4 == 2000 && ($5 - %.17g)^2 < (1e-9 * %.17g)^2 && "
                       "($6 - %.17g)^2 < (1e-9 * %.17g)^2) }' '%s/pe/stats.csv'",
                       omean, omean, osd, osd, dir), 0);
    free(y), free(yo), free(d), free(dobs);
    /* residual error leaves the IIV draws (and the true values) as they were */
    const char *a = "--arm control --n-per-arm 6 --iiv ca_dep_max=30% --seed 7 -q "
                    "--observable ca_aorta_ug_per_mg";
    CU_ASSERT_EQUAL_FATAL(sh("'%s' population %s %s -o '%s/pe1' && '%s' population %s %s "
                             "--error ca_aorta_ug_per_mg=prop:10%%,add:0.01 --covariate "
                             "body_weight=0.3:10%% -o '%s/pe2'", calcify(), SC, a, dir,
                             calcify(), SC, a, dir), 0);
    CU_ASSERT_EQUAL(sh("cd '%s' && cut -d, -f1-6 pe1/animals.csv > pe1.txt && "
                       "cut -d, -f1-4,6-7 pe2/animals.csv > pe2.txt && cmp -s pe1.txt pe2.txt",
                       dir), 0);
    CU_ASSERT_EQUAL(sh("head -1 '%s/pe2/animals.csv' | grep -qx 'id,arm,animal,"
                       "ca_dep_max_ug_per_mg_per_d,body_weight_kg,status,"
                       "ca_aorta_ug_per_mg_end,ca_aorta_ug_per_mg_end_obs'", dir), 0);
}

/* Covariates: body weight log-normal around 0.4 kg with a 10% CV, and the
 * growth table of sc_injections (250 g at day 0, 330 g at 4 w) scaled to
 * each animal: its weight at the arm's end is its own times 330/250.  The
 * mean log weight lies within 3 SE (omega/sqrt(n), omega² = ln 1.01) of
 * ln 0.4. */
static void test_population_covariates(void)
{
    CU_ASSERT_EQUAL_FATAL(sh("'%s' population models/sc_injections.cfg --arm control "
                             "--n-per-arm 200 --covariate 'body_weight=400 g:10%%' "
                             "--observable body_weight_kg --step 28 -q -o '%s/pcv'",
                             calcify(), dir), 0);
    size_t n, n2;
    double *bw = column("pcv/animals.csv", "body_weight_kg", &n);
    double *end = column("pcv/animals.csv", "body_weight_kg_end", &n2);
    CU_ASSERT_FATAL(bw && end && n == 200 && n2 == n);
    double s = 0;
    for (size_t i = 0; i < n; i++) {
        CU_ASSERT_DOUBLE_EQUAL(end[i], bw[i] * 330.0 / 250.0, 1e-12);
        s += log(bw[i] / 0.4);
    }
    CU_ASSERT(fabs(s / (double)n) < 3 * sqrt(log(1.01)) / sqrt((double)n));
    free(bw), free(end);
    /* without a growth table the parameter itself: CV 0% gives the median */
    CU_ASSERT_EQUAL_FATAL(sh("'%s' population %s --arm control --n-per-arm 2 --covariate "
                             "body_weight=0.35:0%% --observable body_weight_kg --step 84 -q "
                             "-o '%s/pcv0'", calcify(), SC, dir), 0);
    end = column("pcv0/animals.csv", "body_weight_kg_end", &n);
    CU_ASSERT_FATAL(end && n == 2);
    CU_ASSERT_DOUBLE_EQUAL(end[0], 0.35, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(end[1], 0.35, 1e-15);
    free(end);
}

/* An individuals file: every row an animal, in every arm or in its own. */
static void test_population_individuals(void)
{
    CU_ASSERT_EQUAL_FATAL(sh("printf 'id,ca_dep_max,body_weight\\n7,0.2,0.3\\n9,0.25,0.45\\n' "
                             "> '%s/ind.csv' && '%s' population models/sc_injections.cfg "
                             "--individuals '%s/ind.csv' --observable body_weight_kg "
                             "--step 28 -q -o '%s/pin'", dir, calcify(), dir, dir), 0);
    char path[700];
    snprintf(path, sizeof path, "%s/pin/animals.csv", dir);
    table t;
    CU_ASSERT_EQUAL_FATAL(table_load(&t, path), 0);
    CU_ASSERT_STRING_EQUAL(t.header, "id,arm,animal,ca_dep_max_ug_per_mg_per_d,body_weight_kg,"
                                     "status,body_weight_kg_end");
    CU_ASSERT_EQUAL_FATAL(t.n, 1 + 2 * 3); /* 2 animals in each of 3 arms */
    for (size_t r = 1; r < t.n; r++) {
        char buf[4096], *f[64];
        row(&t, r, buf, sizeof buf, f);
        int second = r % 2 == 0;
        CU_ASSERT_STRING_EQUAL(f[2], second ? "9" : "7");
        CU_ASSERT_STRING_EQUAL(f[3], second ? "0.25" : "0.2");
        /* the growth table scaled to the animal: 0.33 kg × its weight / 0.25 kg */
        CU_ASSERT_DOUBLE_EQUAL(strtod(f[6], NULL), 0.33 * (second ? 0.45 : 0.3) / 0.25, 1e-12);
    }
    table_free(&t);
    /* an arm column: each row in its arm only, arms without rows not run */
    CU_ASSERT_EQUAL_FATAL(sh("printf 'arm,id,ca_dep_max\\ncontrol,1,0.2\\nwk_continued,1,0.3\\n"
                             "wk_continued,2,0.25\\n' > '%s/inda.csv' && '%s' population %s "
                             "--individuals '%s/inda.csv' --observable ca_aorta_ug_per_mg "
                             "--step 84 -q -o '%s/pina'", dir, calcify(), SC, dir, dir), 0);
    CU_ASSERT_EQUAL(sh("cut -d, -f1-4 '%s/pina/animals.csv' | tr '\\n' ' ' | grep -qx "
                       "'id,arm,animal,ca_dep_max_ug_per_mg_per_d 1,control,1,0.2 "
                       "2,wk_continued,1,0.3 3,wk_continued,2,0.25 '", dir), 0);
    CU_ASSERT_EQUAL(sh("grep -c '^control,84,' '%s/pina/stats.csv' | grep -qx 1 && "
                       "! grep -q '^normal_k,' '%s/pina/stats.csv'", dir, dir), 0);
    /* doses follow each animal's weight: 2 mg/kg sc daily gives every
     * weight the same; 0.6 mg per animal is 2 mg/kg for a 0.3 kg rat (the
     * same again) and 1 mg/kg for a 0.6 kg one (less warfarin) */
    CU_ASSERT_EQUAL_FATAL(sh("printf 'id,arm,body_weight\n1,sc_per_kg,0.3\n2,sc_per_kg,0.6\n"
                             "1,sc_per_animal,0.3\n2,sc_per_animal,0.6\n' > '%s/indw.csv' && "
                             "'%s' population tests/fixtures/dosing/good_doses.cfg --individuals "
                             "'%s/indw.csv' --observable warfarin_plasma_mg_per_l -q "
                             "-o '%s/pinw'", dir, calcify(), dir, dir), 0);
    size_t n;
    double *w = column("pinw/animals.csv", "warfarin_plasma_mg_per_l_end", &n);
    CU_ASSERT_FATAL(w && n == 4);
    CU_ASSERT(w[0] > 0);
    CU_ASSERT_DOUBLE_EQUAL(w[1], w[0], 1e-6 * w[0]);
    CU_ASSERT_DOUBLE_EQUAL(w[2], w[0], 1e-6 * w[0]);
    CU_ASSERT(w[3] < 0.9 * w[0]);
    free(w);
}

static int register_suites(void)
{
    CU_pSuite s = CU_add_suite("uncertainty", setup, teardown);
    if (!s || !CU_add_test(s, "sensitivity: dist_beta, largest vs run --set", test_sensitivity) ||
        !CU_add_test(s, "sensitivity at --at times; bad input", test_sensitivity_at) ||
        !CU_add_test(s, "gsa sobol: dist_beta, threads, shards", test_gsa_sobol_on_the_model) ||
        !CU_add_test(s, "gsa morris; bad input", test_gsa_morris_and_bad_input) ||
        !CU_add_test(s, "population: seed, threads, stats, validate, figure", test_population) ||
        !CU_add_test(s, "population: correlated IIV", test_population_correlated) ||
        !CU_add_test(s, "population: the scenario's growth table", test_population_growth) ||
        !CU_add_test(s, "population: --at columns as run --summary", test_population_at) ||
        !CU_add_test(s, "population: residual error, CV within 3 SE", test_population_residual_error) ||
        !CU_add_test(s, "population: covariates scale the growth table", test_population_covariates) ||
        !CU_add_test(s, "population: an individuals file", test_population_individuals))
        return -1;
    return 0;
}

CALCIFY_CUNIT_MAIN
