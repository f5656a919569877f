/* test_fit.c — calcify fit and validate on hand-made targets: the admissible
 * range holds an estimate whose optimum lies beyond it, standard errors
 * scale as their definitions say, validate judges every row by a stated
 * rule or calls it unjudged, and a targets time needs its unit.  Expected values come from the model's
 * structure (with no deposition there is no mineral, so the aorta keeps its
 * baseline calcium; deposition is at most ca_dep_max per day) and from the
 * definitions, never from a previous run's output. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calcify/fit.h"
#include "calcify/model.h"
#include "calcify/params.h"
#include "calcify/scenario.h"
#include "calcify/targets.h"
#include "cunit_main.h"

#define SC "models/vermeer2007.cfg"
#define HEAD "arm,time,observable,target,accept_lo,accept_hi,sd,n,basis,source\n"

static char dir[] = "/tmp/calcify-fit-XXXXXX";

#define sh test_sh
#define calcify test_calcify

static int setup(void) { return calcify() && mkdtemp(dir) ? 0 : -1; }
static int teardown(void) { return sh("rm -rf '%s'", dir) ? -1 : 0; }

/* Write `rows` after the header into dir/name; returns the path (static). */
static const char *targets(const char *name, const char *rows)
{
    static char path[4][600];
    static int k;
    char *p = path[k++ % 4];
    snprintf(p, sizeof path[0], "%s/%s", dir, name);
    FILE *fp = fopen(p, "w");
    if (!fp)
        return "";
    fputs(HEAD, fp);
    fputs(rows, fp);
    fclose(fp);
    return p;
}

/* Fit `free` (comma-free single name or two names) of SC to `path`. */
static calcify_status fit(const char *path, const char *const *names, size_t n,
                          calcify_fit_result *res, calcify_scenario *sc)
{
    calcify_error err;
    calcify_targets tg;
    int idx[4];
    for (size_t j = 0; j < n; j++)
        idx[j] = calcify_param_find(names[j]);
    if (calcify_scenario_load(SC, sc, &err) || calcify_targets_load(path, sc, &tg, &err)) {
        fprintf(stderr, "\n  %s\n", err.msg);
        return CALCIFY_EINPUT;
    }
    calcify_status st = calcify_fit(sc, &tg, idx, n, res, NULL, NULL, &err);
    if (st)
        fprintf(stderr, "\n  %s\n", err.msg);
    calcify_targets_free(&tg);
    return st;
}

/* A target below the aorta's non-mineral calcium at 6 weeks of W&K: the
 * best ca_dep_max would be negative.  The fit stops at the lower bound 0,
 * says so, and the arm then keeps its week-0 calcium (no deposition, no
 * mineral). */
static void test_fit_stops_at_lower_bound(void)
{
    const char *path = targets("low.csv",
        "wk_continued,6 w,ca_aorta_ug_per_mg,0,,,0.1,6,expected,below any possible value\n"
        "wk_continued,0 w,ca_aorta_ug_per_mg,0.22,,,0.1,6,observed,baseline\n");
    const char *names[] = {"ca_dep_max"};
    calcify_fit_result res;
    calcify_scenario sc;
    CU_ASSERT_EQUAL_FATAL(fit(path, names, 1, &res, &sc), CALCIFY_OK);
    int dep = calcify_param_find("ca_dep_max");
    CU_ASSERT_EQUAL(calcify_param_defs[dep].lo, 0);
    CU_ASSERT(res.estimate[0] >= 0);
    CU_ASSERT(res.estimate[0] <= 1e-6 * calcify_param_defs[dep].hi);
    CU_ASSERT_EQUAL(res.at_bound[0], -1);
    CU_ASSERT(isnan(res.se[0]) && isnan(res.se_scaled[0]));
    CU_ASSERT(res.estimate[0] == sc.params.value[dep]); /* left in the scenario */
    /* rows 2 (6 w) and 3 (0 w): the same calcium, to the deposition's
     * 42 d x estimate */
    CU_ASSERT_EQUAL_FATAL(res.n_resid, 2);
    CU_ASSERT(fabs(res.simulated[0] - res.simulated[1]) < 1e-3);
    calcify_fit_result_free(&res);
    calcify_scenario_free(&sc);

    /* the command line reports it, and the written file's source says it */
    CU_ASSERT_EQUAL(sh("'%s' fit " SC " --data '%s' --free ca_dep_max -q -o '%s/low.cfg' "
                       "> '%s/low.txt'", calcify(), path, dir, dir), 0);
    CU_ASSERT_EQUAL(sh("grep -qx 'ca_dep_max: at its lower bound 0 ug/mg/d (held there: "
                       "no standard error)' '%s/low.txt'", dir), 0);
    calcify_paramset ps;
    calcify_error err;
    char cfg[700];
    snprintf(cfg, sizeof cfg, "%s/low.cfg", dir);
    CU_ASSERT_EQUAL_FATAL(calcify_paramset_load(cfg, &ps, &err), CALCIFY_OK);
    CU_ASSERT_PTR_NOT_NULL(strstr(ps.source[dep], "(calcify fit; at its lower bound 0 ug/mg/d)"));
    CU_ASSERT(ps.value[dep] >= 0 && ps.value[dep] <= 1e-4);
    calcify_paramset_free(&ps);
}

/* A million ug/mg after 6 weeks: deposition is at most ca_dep_max per day,
 * so no ca_dep_max in range reaches it; the fit stops at the upper bound
 * 100 ug/mg/d and never beyond it. */
static void test_fit_stops_at_upper_bound(void)
{
    const char *path = targets("high.csv",
        "wk_continued,6 w,ca_aorta_ug_per_mg,1e6,,,0.1,6,expected,beyond any possible value\n"
        "wk_continued,0 w,ca_aorta_ug_per_mg,0.22,,,0.1,6,observed,baseline\n");
    const char *names[] = {"ca_dep_max"};
    calcify_fit_result res;
    calcify_scenario sc;
    CU_ASSERT_EQUAL_FATAL(fit(path, names, 1, &res, &sc), CALCIFY_OK);
    int dep = calcify_param_find("ca_dep_max");
    CU_ASSERT_EQUAL(calcify_param_defs[dep].hi, 100);
    CU_ASSERT(res.estimate[0] <= 100);
    CU_ASSERT(res.estimate[0] >= 100 * (1 - 1e-6));
    CU_ASSERT_EQUAL(res.at_bound[0], 1);
    /* the simulated value is below its ceiling: week-0 calcium + 42 d x 100 */
    CU_ASSERT(res.simulated[0] > res.simulated[1]);
    CU_ASSERT(res.simulated[0] <= res.simulated[1] + 42 * 100);
    calcify_fit_result_free(&res);
    calcify_scenario_free(&sc);
    CU_ASSERT_EQUAL(sh("'%s' fit " SC " --data '%s' --free ca_dep_max -q -o '%s/high.cfg' | "
                       "grep -q '^ca_dep_max: at its upper bound 100 ug/mg/d'", calcify(),
                       path, dir), 0);
    CU_ASSERT_EQUAL(sh("grep -qF 'at its upper bound 100 ug/mg/d' '%s/high.cfg'", dir), 0);
}

/* Three rows with sd and n, fitted once as given and once with every sd ten
 * times larger: the weights change by a common factor, so the estimate
 * stays, the unscaled SE grows tenfold and the SE scaled by the residual
 * variance stays (s grows tenfold as SS/(n-p) does a hundredfold). */
static void test_standard_errors_scale(void)
{
    const char *a = targets("se1.csv",
        "wk_continued,6 w,ca_aorta_ug_per_mg,1.5,,,0.3,6,observed,x\n"
        "wk_continued,12 w,ca_aorta_ug_per_mg,2.8,,,0.3,6,observed,x\n"
        "high_k1,12 w,ca_aorta_ug_per_mg,1.1,,,0.3,6,observed,x\n");
    const char *b = targets("se10.csv",
        "wk_continued,6 w,ca_aorta_ug_per_mg,1.5,,,3,6,observed,x\n"
        "wk_continued,12 w,ca_aorta_ug_per_mg,2.8,,,3,6,observed,x\n"
        "high_k1,12 w,ca_aorta_ug_per_mg,1.1,,,3,6,observed,x\n");
    const char *names[] = {"ca_dep_max"};
    calcify_fit_result r1, r10;
    calcify_scenario s1, s10;
    CU_ASSERT_EQUAL_FATAL(fit(a, names, 1, &r1, &s1), CALCIFY_OK);
    CU_ASSERT_EQUAL_FATAL(fit(b, names, 1, &r10, &s10), CALCIFY_OK);
    CU_ASSERT_EQUAL(r1.at_bound[0], 0);
    CU_ASSERT_EQUAL(r1.n_rows, 3);
    CU_ASSERT_EQUAL(r1.dof, 2);
    CU_ASSERT(rel_err(r10.estimate[0], r1.estimate[0]) < 1e-5);
    CU_ASSERT(rel_err(r10.se[0], 10 * r1.se[0]) < 1e-3);
    CU_ASSERT(rel_err(r10.se_scaled[0], r1.se_scaled[0]) < 1e-3);
    /* the definitions: s² = SS/(n − p), se_scaled = se·s */
    CU_ASSERT(rel_err(r1.s2, r1.chisq / 2) < 1e-12);
    CU_ASSERT(rel_err(r1.se_scaled[0], r1.se[0] * sqrt(r1.chisq / 2)) < 1e-12);
    /* a residual is (simulated − target)/σ, σ = sd/√n */
    for (size_t i = 0; i < r1.n_resid; i++) {
        double target[] = {1.5, 2.8, 1.1};
        CU_ASSERT(rel_err(r1.resid[i], (r1.simulated[i] - target[i]) / (0.3 / sqrt(6))) < 1e-9);
    }
    calcify_fit_result_free(&r1);
    calcify_fit_result_free(&r10);
    calcify_scenario_free(&s1);
    calcify_scenario_free(&s10);
}

/* The shipped data: rows 2, 4, 5, 7, 8, 9 and 10 have a target and a range
 * (3 and 6 have none), 18 residuals as rows 2, 4, 9 and 10 stand for
 * several arms; n − p counts rows.  The residual table has the simulated
 * value between the observable and the target. */
static void test_fit_report(void)
{
    CU_ASSERT_EQUAL(sh("'%s' fit " SC " --data models/data/schurgers2007.csv --free "
                       "ca_dep_max,ca_reg_max -q > '%s/report.txt'", calcify(), dir), 0);
    CU_ASSERT_EQUAL(sh("grep -q '18 residuals from 7 data rows, 5 degrees of freedom' "
                       "'%s/report.txt'", dir), 0);
    CU_ASSERT_EQUAL(sh("grep -Eq '^row +label +arm +week +observable +simulated +target +accept "
                       "+residual$' '%s/report.txt'", dir), 0);
    CU_ASSERT_EQUAL(sh("grep -Eq '^parameter +estimate +std_error +rel_se +se_scaled +unit$' "
                       "'%s/report.txt'", dir), 0);
}

/* --free: a misspelt name is refused with the nearest names; a start on a
 * bound cannot be fitted on the transformed scale. */
static void test_free_names(void)
{
    CU_ASSERT_EQUAL(sh("'%s' fit " SC " --data models/data/schurgers2007.csv --free "
                       "ca_dep_mx -q 2> '%s/err' >/dev/null", calcify(), dir), 2);
    CU_ASSERT_EQUAL(sh("grep -qF \"calcify: --free: unknown parameter 'ca_dep_mx' (see calcify "
                       "params SCENARIO); did you mean 'ca_dep_max'?\" '%s/err'", dir), 0);
    CU_ASSERT_EQUAL(sh("'%s' fit " SC " --data models/data/schurgers2007.csv --free "
                       "ca_dep_max --set ca_dep_max=0 -q 2> '%s/err' >/dev/null", calcify(),
                       dir), 1);
    CU_ASSERT_EQUAL(sh("grep -qF \"cannot fit 'ca_dep_max': its start value 0 ug/mg/d is at a "
                       "bound\" '%s/err'", dir), 0);
}

/* The rules of validate.  The regression: 0.98 with sd 0.30 of 6 animals
 * accepts 0.98 ± 2·0.30/√6 = 0.98 ± 0.245, so 0.47 (0.51 away) FAILs —
 * it once read ok, as the row has no accepted range. */
static void test_judge_rules(void)
{
    calcify_target t = {.target = 0.98, .sd = 0.30, .n_animals = 6,
                        .lo = -INFINITY, .hi = INFINITY};
    calcify_rule rule;
    double lo, hi;
    CU_ASSERT_EQUAL(calcify_target_judge(&t, 0.47, &rule, &lo, &hi), CALCIFY_JUDGED_FAIL);
    CU_ASSERT_EQUAL(rule, CALCIFY_RULE_SEM);
    CU_ASSERT_DOUBLE_EQUAL(lo, 0.98 - 0.6 / sqrt(6), 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(hi, 0.98 + 0.6 / sqrt(6), 1e-15);
    CU_ASSERT_EQUAL(calcify_target_judge(&t, 0.98 + 0.24, NULL, NULL, NULL), CALCIFY_JUDGED_OK);
    CU_ASSERT_EQUAL(calcify_target_judge(&t, 0.98 - 0.24, NULL, NULL, NULL), CALCIFY_JUDGED_OK);
    CU_ASSERT_EQUAL(calcify_target_judge(&t, 0.98 + 0.25, NULL, NULL, NULL), CALCIFY_JUDGED_FAIL);
    CU_ASSERT_EQUAL(calcify_target_judge(&t, NAN, NULL, NULL, NULL), CALCIFY_JUDGED_FAIL);
    /* an accepted range wins over sd and n, and may be one-sided */
    t.lo = 0;
    t.hi = 0.40;
    CU_ASSERT_EQUAL(calcify_target_judge(&t, 0.3, &rule, NULL, NULL), CALCIFY_JUDGED_OK);
    CU_ASSERT_EQUAL(rule, CALCIFY_RULE_RANGE);
    CU_ASSERT_EQUAL(calcify_target_judge(&t, 0.41, NULL, NULL, NULL), CALCIFY_JUDGED_FAIL);
    t.lo = 1.62;
    t.hi = INFINITY;
    CU_ASSERT_EQUAL(calcify_target_judge(&t, 1.7, NULL, NULL, NULL), CALCIFY_JUDGED_OK);
    CU_ASSERT_EQUAL(calcify_target_judge(&t, 1.5, NULL, NULL, NULL), CALCIFY_JUDGED_FAIL);
    t.lo = -INFINITY;
    t.hi = 0.4;
    CU_ASSERT_EQUAL(calcify_target_judge(&t, -5, NULL, NULL, NULL), CALCIFY_JUDGED_OK);
    CU_ASSERT_EQUAL(calcify_target_judge(&t, 0.5, NULL, NULL, NULL), CALCIFY_JUDGED_FAIL);
    /* no range, and not all of target, sd, n: no rule, whatever the value */
    t.hi = INFINITY;
    t.n_animals = NAN;
    CU_ASSERT_EQUAL(calcify_target_judge(&t, 0.98, &rule, NULL, NULL), CALCIFY_UNJUDGED);
    CU_ASSERT_EQUAL(rule, CALCIFY_RULE_NONE);
    t.n_animals = 6;
    t.sd = NAN;
    CU_ASSERT_EQUAL(calcify_target_judge(&t, 0.98, NULL, NULL, NULL), CALCIFY_UNJUDGED);
    t.sd = 0.3;
    t.target = NAN;
    CU_ASSERT_EQUAL(calcify_target_judge(&t, 0.98, NULL, NULL, NULL), CALCIFY_UNJUDGED);
}

/* validate on the command line: a range every value meets (calcium >= 0),
 * a target no run reaches in 6 weeks (1000 ug/mg: deposition is at most
 * ca_dep_max per day) judged by sd and n, and a row with a target alone. */
static void test_validate_counts(void)
{
    const char *path = targets("judge.csv",
        "wk_continued,6 w,ca_aorta_ug_per_mg,,0,,,,expected,calcium is never negative\n"
        "wk_continued,6 w,ca_aorta_ug_per_mg,1000,,,0.3,6,observed,out of reach\n"
        "wk_continued,6 w,ca_aorta_ug_per_mg,1.5,,,,,observed,no sd or n\n");
    CU_ASSERT_EQUAL(sh("'%s' validate " SC " --data '%s' > '%s/val.txt'", calcify(), path, dir), 1);
    CU_ASSERT_EQUAL(sh("tail -1 '%s/val.txt' | grep -qx '3 comparisons: 1 ok, 1 FAIL, 1 unjudged'",
                       dir), 0);
    CU_ASSERT_EQUAL(sh("grep -Eq '^2 .* >= 0 +range +ok$' '%s/val.txt'", dir), 0);
    CU_ASSERT_EQUAL(sh("grep -Eq '^3 .* 999.8\\.\\.1000 +2sd/sqrt\\(n\\) +FAIL$' '%s/val.txt'",
                       dir), 0);
    CU_ASSERT_EQUAL(sh("grep -Eq '^4 .* - +- +unjudged$' '%s/val.txt'", dir), 0);
    /* unjudged alone is no failure, and no ok */
    path = targets("unjudged.csv", "wk_continued,6 w,ca_aorta_ug_per_mg,1.5,,,0.3,,observed,no n\n");
    CU_ASSERT_EQUAL(sh("'%s' validate " SC " --data '%s' | tail -1 | grep -qx "
                       "'1 comparisons: 0 ok, 0 FAIL, 1 unjudged'", calcify(), path), 0);
    /* population means are judged alike */
    CU_ASSERT_EQUAL_FATAL(sh("'%s' population " SC " --n-per-arm 2 --iiv ca_dep_max=10%% "
                             "--arm wk_continued --threads 1 -q -o '%s/pop'", calcify(), dir), 0);
    path = targets("judge.csv",
        "wk_continued,6 w,ca_aorta_ug_per_mg,,0,,,,expected,calcium is never negative\n"
        "wk_continued,6 w,ca_aorta_ug_per_mg,1000,,,0.3,6,observed,out of reach\n"
        "wk_continued,6 w,ca_aorta_ug_per_mg,1.5,,,,,observed,no sd or n\n");
    CU_ASSERT_EQUAL(sh("'%s' validate " SC " --data '%s' --population '%s/pop' | tail -1 | grep -qx "
                       "'3 comparisons of population means: 1 ok, 1 FAIL, 1 unjudged, 0 not in "
                       "the population'", calcify(), path, dir), 0);
}

/* A targets time needs its unit: "8" could be weeks or days.  The message
 * offers both readings (8 w = 56 d); exit status 2; the file given to -o is
 * not written.  Every shipped targets file (models/data, the fixtures of
 * the current format) still loads. */
static void test_time_needs_unit(void)
{
    calcify_scenario sc;
    calcify_error err;
    calcify_targets tg;
    CU_ASSERT_EQUAL_FATAL(calcify_scenario_load(SC, &sc, &err), CALCIFY_OK);
    const char *path = targets("bare.csv",
        "WK,6 w,ca_aorta_ug_per_mg,1.62,1.30,1.95,,6,observed,with a unit\n"
        "WK,8,ca_aorta_ug_per_mg,1.62,1.30,1.95,,6,observed,without\n");
    CU_ASSERT_EQUAL(calcify_targets_load(path, &sc, &tg, &err), CALCIFY_EINPUT);
    char want[700];
    snprintf(want, sizeof want, "%s:3: time '8' has no unit (expected e.g. \"8 w\" or \"56 d\")",
             path);
    CU_ASSERT_STRING_EQUAL(err.msg, want);
    path = targets("bare_half.csv", "WK,1.5,ca_aorta_ug_per_mg,1.62,,,0.3,6,observed,x\n");
    CU_ASSERT_EQUAL(calcify_targets_load(path, &sc, &tg, &err), CALCIFY_EINPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "time '1.5' has no unit (expected e.g. \"1.5 w\" or "
                                           "\"10.5 d\")"));
    /* the same row with units: 8 w and 56 d are one time */
    path = targets("units.csv", "WK,8 w,ca_aorta_ug_per_mg,1,,,0.3,6,observed,x\n"
                                "WK,56 d,ca_aorta_ug_per_mg,1,,,0.3,6,observed,x\n");
    CU_ASSERT_EQUAL_FATAL(calcify_targets_load(path, &sc, &tg, &err), CALCIFY_OK);
    CU_ASSERT(tg.n >= 2 && tg.items[0].time_d == 56 && tg.items[tg.n - 1].time_d == 56);
    calcify_targets_free(&tg);
    calcify_scenario_free(&sc);
    /* the command line: exit 2, the message, -o untouched */
    CU_ASSERT_EQUAL(sh("cd '%s' && echo old > out.cfg && '%s' fit '%s/" SC "' --data bare.csv "
                       "--free ca_dep_max -o out.cfg 2> err; rc=$?; test \"$(cat out.cfg)\" = old "
                       "&& grep -qF \"bare.csv:3: time '8' has no unit\" err && exit $rc", dir,
                       calcify(), getenv("CALCIFY_SOURCE_ROOT")),
                    2);
    CU_ASSERT_EQUAL(sh("for f in models/data/*.csv tests/fixtures/targets_v1.csv; do "
                       "'%s' validate " SC " --data \"$f\" > /dev/null || exit 1; done", calcify()),
                    0);
}

/* The shipped data, loaded with the scenario (for profile and starts). */
static int shipped(calcify_scenario *sc, calcify_targets *tg)
{
    calcify_error err;
    if (calcify_scenario_load(SC, sc, &err))
        return -1;
    if (calcify_targets_load("models/data/schurgers2007.csv", sc, tg, &err)) {
        calcify_scenario_free(sc);
        return -1;
    }
    return 0;
}

/* Profile likelihood.  For a model linear in the parameter, Σr² is exactly
 * quadratic in it, ((p − p̂)/se)² above its minimum, so the 95% interval is
 * p̂ ± 1.96·se; calcium is close to linear in ca_dep_max, so the profile
 * interval of a one-parameter fit must lie within a factor 1.4 of that
 * half-width on either side, and the profile's own minimum is the fit's. */
static void test_profile_interval(void)
{
    calcify_scenario sc;
    calcify_targets tg;
    CU_ASSERT_EQUAL_FATAL(shipped(&sc, &tg), 0);
    calcify_error err;
    const int idx[1] = {calcify_param_find("ca_dep_max")};
    calcify_fit_result res;
    CU_ASSERT_EQUAL_FATAL(calcify_fit(&sc, &tg, idx, 1, &res, NULL, NULL, &err), CALCIFY_OK);
    calcify_fit_profile pr;
    CU_ASSERT_EQUAL_FATAL(calcify_fit_profile_run(&sc, &tg, &res, 0, 3.84, &pr, &err),
                          CALCIFY_OK);
    const double half = 1.96 * res.se[0], p = res.estimate[0];
    CU_ASSERT(!pr.lo_open && !pr.hi_open);
    CU_ASSERT(p - pr.lo > half / 1.4 && p - pr.lo < half * 1.4);
    CU_ASSERT(pr.hi - p > half / 1.4 && pr.hi - p < half * 1.4);
    for (size_t k = 0; k < pr.n; k++) /* nothing below the optimum */
        CU_ASSERT(pr.chisq[k] >= res.chisq - 1e-6 * res.chisq);
    for (size_t k = 1; k < pr.n; k++)
        CU_ASSERT(pr.value[k] > pr.value[k - 1]);
    CU_ASSERT_DOUBLE_EQUAL(sc.params.value[idx[0]], p, 0); /* restored */
    calcify_fit_profile_free(&pr);
    calcify_fit_result_free(&res);
    calcify_targets_free(&tg);
    calcify_scenario_free(&sc);
}

/* Multi-start: from ten seeds (two starts each, within a factor of about 7
 * of the shipped values) every fit reaches the one optimum of the two
 * fitted parameters, the one a single fit finds. */
static void test_multistart_same_optimum(void)
{
    calcify_scenario sc;
    calcify_targets tg;
    CU_ASSERT_EQUAL_FATAL(shipped(&sc, &tg), 0);
    calcify_error err;
    const int idx[2] = {calcify_param_find("ca_dep_max"), calcify_param_find("ca_reg_max")};
    double shipped_value[2] = {sc.params.value[idx[0]], sc.params.value[idx[1]]};
    calcify_fit_result one;
    CU_ASSERT_EQUAL_FATAL(calcify_fit(&sc, &tg, idx, 2, &one, NULL, NULL, &err), CALCIFY_OK);
    for (unsigned long seed = 1; seed <= 10; seed++) {
        sc.params.value[idx[0]] = shipped_value[0];
        sc.params.value[idx[1]] = shipped_value[1];
        calcify_fit_starts fs;
        CU_ASSERT_EQUAL_FATAL(calcify_fit_multistart(&sc, &tg, idx, 2, 2, 2.0, seed, 1e-3,
                                                     &fs, &err), CALCIFY_OK);
        CU_ASSERT_EQUAL(fs.n_same, 2);
        CU_ASSERT(fabs(fs.chisq[fs.best] - one.chisq) <= 1e-6 * one.chisq);
        for (size_t j = 0; j < 2; j++)
            CU_ASSERT(fabs(sc.params.value[idx[j]] / one.estimate[j] - 1) < 1e-3);
        calcify_fit_starts_free(&fs);
    }
    calcify_fit_result_free(&one);
    calcify_targets_free(&tg);
    calcify_scenario_free(&sc);
}

static int register_suites(void)
{
    CU_pSuite s = CU_add_suite("fit", setup, teardown);
    if (!s)
        return -1;
    return !CU_add_test(s, "an optimum below the range stops at the lower bound",
                        test_fit_stops_at_lower_bound) ||
           !CU_add_test(s, "an optimum above the range stops at the upper bound",
                        test_fit_stops_at_upper_bound) ||
           !CU_add_test(s, "standard errors, unscaled and scaled by s^2", test_standard_errors_scale) ||
           !CU_add_test(s, "the report: rows, degrees of freedom, columns", test_fit_report) ||
           !CU_add_test(s, "--free: did you mean, a start on a bound", test_free_names) ||
           !CU_add_test(s, "validate: range, 2 sd/sqrt(n), or unjudged", test_judge_rules) ||
           !CU_add_test(s, "validate: the counts on the command line", test_validate_counts) ||
           !CU_add_test(s, "a targets time needs a unit", test_time_needs_unit) ||
           !CU_add_test(s, "profile likelihood: the interval of a near-linear parameter",
                        test_profile_interval) ||
           !CU_add_test(s, "multi-start: ten seeds, one optimum", test_multistart_same_optimum);
}

CALCIFY_CUNIT_MAIN
