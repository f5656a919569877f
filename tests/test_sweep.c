/* test_sweep.c — designs, `run --summary`, `sweep` on threads and shards,
 * `merge`: the same bytes however a sweep is split, failed runs recorded. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "calcify/design.h"
#include "calcify/sweep.h"
#include "calcify/model.h"
#include "cunit_main.h"

static char dir[] = "/tmp/calcify-sweep-XXXXXX";

#define sh test_sh
#define calcify test_calcify


static int setup(void) { return calcify() && mkdtemp(dir) ? 0 : -1; }
static int teardown(void) { return sh("rm -rf '%s'", dir) ? -1 : 0; }

static void test_grid_design(void)
{
    calcify_vary v[2];
    calcify_error err;
    CU_ASSERT_EQUAL_FATAL(calcify_vary_parse("warfarin_thalf=10:40", &v[0], &err), CALCIFY_OK);
    CU_ASSERT_EQUAL_FATAL(calcify_vary_parse("vkor_ec50=0.01:1:log", &v[1], &err), CALCIFY_OK);
    calcify_design *d = calcify_design_alloc(CALCIFY_DESIGN_GRID, v, 2, 3, 1, &err);
    CU_ASSERT_EQUAL_FATAL(calcify_design_runs(d), 9);
    double x[2];
    const double thalf[3] = {10, 25, 40}, ec50[3] = {0.01, 0.1, 1};
    for (int i = 0; i < 9; i++) {
        CU_ASSERT_EQUAL(calcify_design_next(d, x), i);
        CU_ASSERT(rel_err(x[0], thalf[i / 3]) < 1e-14);  /* last varies fastest */
        CU_ASSERT(rel_err(x[1], ec50[i % 3]) < 1e-12);   /* geometric on log */
    }
    CU_ASSERT_EQUAL(calcify_design_next(d, x), -1);
    calcify_design_free(d);
}

static void test_lhs_design(void)
{
    calcify_vary v[3];
    calcify_error err;
    calcify_vary_parse("warfarin_thalf=10:40", &v[0], &err);
    calcify_vary_parse("ca_reg_max=0.001:0.1:log", &v[1], &err);
    calcify_vary_parse("food_intake=60:80", &v[2], &err);
    enum { N = 50 };
    calcify_design *a = calcify_design_alloc(CALCIFY_DESIGN_LHS, v, 3, N, 7, &err);
    calcify_design *b = calcify_design_alloc(CALCIFY_DESIGN_LHS, v, 3, N, 7, &err);
    calcify_design *c = calcify_design_alloc(CALCIFY_DESIGN_LHS, v, 3, N, 8, &err);
    int hits[3][N] = {{0}};
    int same = 1, differ = 0;
    for (int i = 0; i < N; i++) {
        double x[3], y[3], z[3];
        calcify_design_next(a, x);
        calcify_design_next(b, y);
        calcify_design_next(c, z);
        for (int j = 0; j < 3; j++) {
            same &= x[j] == y[j];
            differ |= x[j] != z[j];
            double u = v[j].log ? log(x[j] / v[j].lo) / log(v[j].hi / v[j].lo)
                                : (x[j] - v[j].lo) / (v[j].hi - v[j].lo);
            CU_ASSERT(u >= 0 && u < 1);
            hits[j][(int)(u * N)]++;
        }
    }
    CU_ASSERT(same);    /* same seed, same design */
    CU_ASSERT(differ);  /* another seed, another design */
    for (int j = 0; j < 3; j++)
        for (int s = 0; s < N; s++)
            CU_ASSERT_EQUAL(hits[j][s], 1); /* one run per stratum */
    calcify_design_free(a);
    calcify_design_free(b);
    calcify_design_free(c);
}

static void test_sobol_design(void)
{
    calcify_vary v[2];
    calcify_error err;
    /* warfarin_thalf must be >= 0.1 h: a range outside is refused */
    CU_ASSERT_EQUAL(calcify_vary_parse("warfarin_thalf=0:1", &v[0], &err), CALCIFY_EUSAGE);
    CU_ASSERT_EQUAL(calcify_vary_parse("warfarin_thalv=1:2", &v[0], &err), CALCIFY_EUSAGE);
    CU_ASSERT_STRING_EQUAL(err.msg, "--vary: unknown parameter 'warfarin_thalv'; did you mean 'warfarin_thalf'?");
    CU_ASSERT_EQUAL(calcify_vary_parse("warfarin_f=0:1", &v[0], &err), CALCIFY_OK);
    CU_ASSERT_EQUAL(calcify_vary_parse("conv_vkor_free=0:1", &v[1], &err), CALCIFY_OK);
    calcify_design *d = calcify_design_alloc(CALCIFY_DESIGN_SOBOL, v, 2, 8, 1, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    /* 8 scrambled Sobol points: one in each eighth of each range (both
     * parameters run over [0, 1]) */
    int hits[2][8] = {{0}};
    for (int i = 0; i < 8; i++) {
        double x[2];
        CU_ASSERT_EQUAL(calcify_design_next(d, x), i);
        for (int j = 0; j < 2; j++) {
            CU_ASSERT(x[j] > 0 && x[j] < 1);
            hits[j][(int)(x[j] * 8)]++;
        }
    }
    for (int j = 0; j < 2; j++)
        for (int k = 0; k < 8; k++)
            CU_ASSERT_EQUAL(hits[j][k], 1);
    calcify_design_free(d);
    /* more parameters than GSL's 40 dimensions: every model parameter */
    calcify_vary all[CALCIFY_NPARAM];
    for (int p = 0; p < CALCIFY_NPARAM; p++) {
        char spec[128];
        snprintf(spec, sizeof spec, "%s=%.17g:%.17g", calcify_param_defs[p].name,
                 calcify_param_defs[p].lo, calcify_param_defs[p].hi);
        CU_ASSERT_EQUAL_FATAL(calcify_vary_parse(spec, &all[p], &err), CALCIFY_OK);
    }
    d = calcify_design_alloc(CALCIFY_DESIGN_SOBOL, all, CALCIFY_NPARAM, 16, 1, &err);
    CU_ASSERT_PTR_NOT_NULL(d);
    calcify_design_free(d);
}

static const char *VARY = "--vary warfarin_thalf=5:50:log --vary ca_reg_max=0.005:0.05";

static void test_threads_and_shards_give_the_same_bytes(void)
{
    CU_ASSERT_EQUAL_FATAL(sh("'%s' sweep models/vermeer2007.cfg %s --n 24 --threads 1 -q "
                             "-o '%s/one'", calcify(), VARY, dir), 0);
    CU_ASSERT_EQUAL(sh("'%s' sweep models/vermeer2007.cfg %s --n 24 --threads 2 -q "
                       "-o '%s/two'", calcify(), VARY, dir), 0);
    CU_ASSERT_EQUAL(sh("cmp -s '%s/one/summary.csv' '%s/two/summary.csv'", dir, dir), 0);
    CU_ASSERT_EQUAL(sh("cmp -s '%s/one/design.csv' '%s/two/design.csv'", dir, dir), 0);
    /* the time series too (rows written by whichever thread ran them) */
    CU_ASSERT_EQUAL(sh("'%s' sweep models/vermeer2007.cfg %s --n 6 --threads 1 -q "
                       "--timeseries --step 14 -o '%s/ts1'", calcify(), VARY, dir), 0);
    CU_ASSERT_EQUAL(sh("'%s' sweep models/vermeer2007.cfg %s --n 6 --threads 2 -q "
                       "--timeseries --step 14 -o '%s/ts2'", calcify(), VARY, dir), 0);
    CU_ASSERT_EQUAL(sh("cmp -s '%s/ts1/timeseries.csv' '%s/ts2/timeseries.csv'", dir, dir), 0);
    /* 3 shards through GNU parallel, merged */
    CU_ASSERT_EQUAL_FATAL(sh("parallel --will-cite --halt now,fail=1 \"'%s' sweep "
                             "models/vermeer2007.cfg %s --n 24 --threads 1 -q --shard {}/3 "
                             "-o '%s/shard{}'\" ::: 1 2 3", calcify(), VARY, dir), 0);
    CU_ASSERT_EQUAL(sh("'%s' merge '%s/shard2' '%s/shard3' '%s/shard1' -o '%s/merged' "
                       "2>/dev/null", calcify(), dir, dir, dir, dir), 0);
    CU_ASSERT_EQUAL(sh("cmp -s '%s/one/summary.csv' '%s/merged/summary.csv'", dir, dir), 0);
    CU_ASSERT_EQUAL(sh("cmp -s '%s/one/design.csv' '%s/merged/design.csv'", dir, dir), 0);
    CU_ASSERT_EQUAL(sh("cmp -s '%s/one/vary.tsv' '%s/merged/vary.tsv'", dir, dir), 0);
    /* 24 runs × 5 arms + header */
    CU_ASSERT_EQUAL(sh("test $(wc -l < '%s/one/summary.csv') -eq 121", dir), 0);
    /* a missing shard is reported and fails the merge */
    CU_ASSERT_EQUAL(sh("'%s' merge '%s/shard1' '%s/shard3' -o '%s/partial' 2>'%s/err'",
                       calcify(), dir, dir, dir, dir), 1);
    CU_ASSERT_EQUAL(sh("grep -q '8 missing run_ids: 8-15' '%s/err'", dir), 0);
}

static void test_summary_matches_time_series(void)
{
    /* run --summary reads the same model at weeks 0, 6 and 12 as run does */
    CU_ASSERT_EQUAL_FATAL(sh("'%s' run models/vermeer2007.cfg --summary --header "
                             "--at '0,6 w,84' --set warfarin_thalf=15 > '%s/summary.csv'",
                             calcify(), dir), 0);
    CU_ASSERT_EQUAL_FATAL(sh("'%s' run models/vermeer2007.cfg > '%s/ts.csv'", calcify(), dir), 0);
    char path[700];
    snprintf(path, sizeof path, "%s/summary.csv", dir);
    FILE *fp = fopen(path, "r");
    char line[2048];
    CU_ASSERT_PTR_NOT_NULL_FATAL(fgets(line, sizeof line, fp));
    const char *head = "warfarin_thalf_h,arm,status,ca_aorta_ug_per_mg_at_0d,cmgp_fraction_at_0d,"
                       "clotting_activity_rel_at_0d,distensibility_rel_at_0d,"
                       "ca_aorta_ug_per_mg_at_42d,";
    CU_ASSERT_EQUAL(strncmp(line, head, strlen(head)), 0);
    int rows = 0;
    while (fgets(line, sizeof line, fp)) {
        char arm[64], status[32];
        double thalf, w0, w6, w12;
        /* four default observables per time: Ca is the first of each four */
        CU_ASSERT_EQUAL(sscanf(line, "%lf,%63[^,],%31[^,],%lf,%*f,%*f,%*f,%lf,%*f,%*f,%*f,%lf",
                               &thalf, arm, status, &w0, &w6, &w12), 6);
        CU_ASSERT_STRING_EQUAL(status, "ok");
        char cmd[1024], out[64];
        snprintf(cmd, sizeof cmd, "awk -F, 'NR==1 {for (i = 1; i <= NF; i++) if ($i == "
                 "\"ca_aorta_ug_per_mg\") c = i} $1==\"%s\" && $2==84 {print $c}' '%s/ts.csv'",
                 arm, dir);
        FILE *p = popen(cmd, "r");
        CU_ASSERT_PTR_NOT_NULL_FATAL(fgets(out, sizeof out, p));
        pclose(p);
        /* different output grids give different steps: agree to the tolerance */
        CU_ASSERT(rel_err(w12, atof(out)) < 1e-4);
        rows++;
    }
    fclose(fp);
    CU_ASSERT_EQUAL(rows, 5);
}

static void test_failed_runs_are_recorded(void)
{
    /* no mineral removal at all: no steady state in any run */
    int rc = sh("'%s' sweep models/vermeer2007.cfg --vary ca_dep_max=0.01:0.05 --n 3 "
                "--design grid --set ca_res_basal=0 --set ca_reg_max=0 -q -o '%s/fail' "
                "2>/dev/null", calcify(), dir);
    CU_ASSERT_EQUAL(rc, 1);
    CU_ASSERT_EQUAL(sh("test $(grep -c ',no_steady_state,' '%s/fail/summary.csv') -eq 15", dir), 0);
    rc = sh("'%s' sweep models/vermeer2007.cfg --vary ca_dep_max=0.01:0.05 --n 3 "
            "--design grid --set ca_res_basal=0 --set ca_reg_max=0 -q --keep-going "
            "-o '%s/fail2' 2>/dev/null", calcify(), dir);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_EQUAL(sh("'%s' merge '%s/fail2' -o '%s/failm' 2>/dev/null", calcify(), dir, dir), 1);
    CU_ASSERT_EQUAL(sh("'%s' merge --keep-going '%s/fail2' -o '%s/failm2' 2>/dev/null",
                       calcify(), dir, dir), 0);
}

static void test_timeseries_option(void)
{
    CU_ASSERT_EQUAL_FATAL(sh("'%s' sweep models/vermeer2007.cfg --vary warfarin_thalf=10:20 "
                             "--n 2 --design grid --arm control --timeseries --step 42 -q "
                             "-o '%s/ts'", calcify(), dir), 0);
    /* 2 runs × (rows at 0, 42, 84) + header */
    CU_ASSERT_EQUAL(sh("test $(wc -l < '%s/ts/timeseries.csv') -eq 7", dir), 0);
    CU_ASSERT_EQUAL(sh("head -1 '%s/ts/timeseries.csv' | grep -q '^run_id,arm,time_d,'", dir), 0);
}

/* The library refuses a sweep without endpoints instead of crashing. */
static void test_sweep_requires_endpoints(void)
{
    calcify_scenario sc;
    calcify_error err;
    CU_ASSERT_EQUAL_FATAL(calcify_scenario_load("models/vermeer2007.cfg", &sc, &err), CALCIFY_OK);
    calcify_vary v;
    CU_ASSERT_EQUAL_FATAL(calcify_vary_parse("warfarin_thalf=10:20", &v, &err), CALCIFY_OK);
    calcify_design *d = calcify_design_alloc(CALCIFY_DESIGN_GRID, &v, 1, 2, 1, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    calcify_sweep_opts o = {.sc = &sc, .vary = &v, .n_vary = 1, .design = d, .first = 0,
                            .last = 2, .threads = 1, .precision = 6};
    calcify_sweep_stats stats;
    CU_ASSERT_EQUAL(calcify_sweep_run(&o, &stats, &err), CALCIFY_EUSAGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "endpoints"));
    calcify_design_free(d);
    calcify_scenario_free(&sc);
}

static int register_suites(void)
{
    CU_pSuite s = CU_add_suite("sweep", setup, teardown);
    if (!s)
        return -1;
    return !CU_add_test(s, "the library refuses a sweep without endpoints", test_sweep_requires_endpoints) ||
           !CU_add_test(s, "grid design", test_grid_design) ||
           !CU_add_test(s, "Latin hypercube: strata and seeds", test_lhs_design) ||
           !CU_add_test(s, "Sobol design and --vary checks", test_sobol_design) ||
           !CU_add_test(s, "threads and shards: same bytes", test_threads_and_shards_give_the_same_bytes) ||
           !CU_add_test(s, "run --summary agrees with run", test_summary_matches_time_series) ||
           !CU_add_test(s, "failed runs recorded, exit status", test_failed_runs_are_recorded) ||
           !CU_add_test(s, "--timeseries", test_timeseries_option);
}

CALCIFY_CUNIT_MAIN
