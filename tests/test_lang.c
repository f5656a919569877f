/* test_lang.c — the scenario language: variables, per-arm and per-phase
 * `set`, defaults, the year unit, chosen endpoints, sweeps over variables and
 * -o into a folder that does not exist yet.  Expected values come from the
 * definitions (unit factors, the trapezoid rule on a constant, the model's
 * structure: dist_beta acts on distensibility only), never from a previous
 * run's output. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "calcify/endpoints.h"
#include "calcify/runner.h"
#include "calcify/scenario.h"
#include "calcify/simulate.h"
#include "calcify/targets.h"
#include "cunit_main.h"

#define LANG "tests/fixtures/good_lang.cfg"
#define DEFAULTS "tests/fixtures/good_defaults.cfg"

static char dir[] = "/tmp/calcify-lang-XXXXXX";

#define sh test_sh
#define calcify test_calcify


static int setup(void) { return calcify() && mkdtemp(dir) ? 0 : -1; }
static int teardown(void) { return sh("rm -rf '%s'", dir); }

/* The first line of `cmd`'s output that starts with `prefix`, or "". */
static const char *line_of(const char *cmd, const char *prefix)
{
    static char line[8192];
    FILE *p = popen(cmd, "r");
    if (!p)
        return "";
    int found = 0;
    while (fgets(line, sizeof line, p))
        if (strncmp(line, prefix, strlen(prefix)) == 0) {
            found = 1;
            break;
        }
    pclose(p);
    if (!found)
        line[0] = '\0';
    line[strcspn(line, "\n")] = '\0';
    return line;
}

/* Field `k` (0-based) of a CSV line as a number. */
static double field(const char *line, int k)
{
    const char *p = line;
    for (int i = 0; i < k && p; i++)
        if ((p = strchr(p, ',')))
            p++;
    return p ? strtod(p, NULL) : NAN;
}

/* Index of column `name` in a CSV header line, or -1. */
static int column(const char *header, const char *name)
{
    int k = 0;
    size_t n = strlen(name);
    for (const char *p = header; p; k++) {
        if (strncmp(p, name, n) == 0 && (p[n] == ',' || p[n] == '\0'))
            return k;
        if ((p = strchr(p, ',')))
            p++;
    }
    return -1;
}

static void test_variables(void)
{
    calcify_scenario sc;
    calcify_error err = {""};
    CU_ASSERT_EQUAL_FATAL(calcify_scenario_load(LANG, &sc, &err), CALCIFY_OK);
    CU_ASSERT_EQUAL(sc.n_vars, 3);
    /* "$high_k" = "100 ug/g" = 0.1 mg/g; "$switch" = "3 w" = 21 d */
    CU_ASSERT_DOUBLE_EQUAL(sc.arms[0].phases[1].diet[CALCIFY_IN_K1], 0.1, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(sc.arms[0].phases[0].duration, 21.0, 1e-12);
    CU_ASSERT_EQUAL(sc.n_endpoints, 3);
    CU_ASSERT_DOUBLE_EQUAL(sc.endpoints[1], 21.0, 1e-12);

    /* --set on a variable: a bare number takes the definition's unit */
    const char *sets[] = {"high_k=200", "switch=2 w"};
    calcify_scenario_opts o = {NULL, sets, 2};
    calcify_scenario s2;
    CU_ASSERT_EQUAL_FATAL(calcify_scenario_load_opts(LANG, &o, &s2, &err), CALCIFY_OK);
    CU_ASSERT_DOUBLE_EQUAL(s2.arms[2].phases[1].diet[CALCIFY_IN_K1], 0.2, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(s2.arms[1].phases[0].duration, 14.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(s2.endpoints[1], 14.0, 1e-12);
    CU_ASSERT_STRING_EQUAL(calcify_scenario_find_var(&s2, "high_k")->value, "200 ug/g");

    /* a reload with a further assignment keeps the first ones */
    const char *more[] = {"high_k=0.5 mg/g"};
    calcify_scenario s3;
    CU_ASSERT_EQUAL_FATAL(calcify_scenario_reload(&s2, more, 1, &s3, &err), CALCIFY_OK);
    CU_ASSERT_DOUBLE_EQUAL(s3.arms[0].phases[1].diet[CALCIFY_IN_K1], 0.5, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(s3.arms[0].phases[0].duration, 14.0, 1e-12);

    /* a variable used in an arm's set */
    int beta = calcify_param_find("dist_beta");
    CU_ASSERT_FATAL(beta >= 0);
    CU_ASSERT(sc.arms[1].phases[0].set[beta] && sc.arms[1].phases[1].set[beta]);
    CU_ASSERT_DOUBLE_EQUAL(sc.arms[1].phases[1].set_value[beta], 0.6, 1e-15);
    CU_ASSERT(!sc.arms[0].phases[0].set[beta]);
    calcify_scenario_free(&sc);
    calcify_scenario_free(&s2);
    calcify_scenario_free(&s3);

    /* CLI: --set of a variable changes the run; a bad value is exit 2 */
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "'%s' run " LANG " --arm plain --summary --at 42 "
             "--set high_k=5 --header", calcify());
    const char *head = line_of(cmd, "high_k_ug_per_g,");
    CU_ASSERT_EQUAL(strncmp(head, "high_k_ug_per_g,arm,status,ca_aorta_ug_per_mg_at_42d,", 53), 0);
    CU_ASSERT_EQUAL(sh("'%s' run " LANG " --set 'high_k=5 w' >/dev/null 2>'%s/err'",
                       calcify(), dir), 2);
    CU_ASSERT_EQUAL(sh("grep -q 'the value is $high_k (defined at line 4)' '%s/err'", dir), 0);
}

/* Runs the scenario at `path` whole (into dir/all.csv) and with --arm
 * `arm` alone (dir/alone.csv): `arm`'s 85 daily rows (days 0-84) must be
 * the same bytes either way.  They are left in dir/a for the caller. */
static void arm_rows_same_alone(const char *path, const char *arm)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "'%s' run '%s' -o '%s/all.csv' && '%s' run '%s' --arm %s "
             "-o '%s/alone.csv'", calcify(), path, dir, calcify(), path, arm, dir);
    CU_ASSERT_EQUAL_FATAL(sh("%s", cmd), 0);
    CU_ASSERT_EQUAL(sh("test $(grep -c '^%s,' '%s/all.csv') -eq 85", arm, dir), 0);
    CU_ASSERT_EQUAL(sh("grep '^%s,' '%s/all.csv' >'%s/a' && tail -n +2 '%s/alone.csv' "
                       ">'%s/b' && cmp -s '%s/a' '%s/b'", arm, dir, dir, dir, dir, dir, dir),
                    0);
}

/* An arm whose phases are all another arm's first phase, run before it:
 * the later arm's rows are the same whether the earlier one ran or not
 * (its end row at the switch was once replayed as a duplicate). */
static void test_shared_prefix_whole_arm(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/prefix.cfg", dir);
    FILE *fp = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
    fprintf(fp, "name = \"prefix\";\nparameters = \"%s/models/rat_wky.cfg\";\n"
                "arms = (\n"
                "  { name = \"wk\"; phases = ( { duration = \"6 w\"; warfarin = \"3 mg/g\"; "
                "k1 = \"1.5 mg/g\"; mk4 = \"0 ug/g\"; } ); },\n"
                "  { name = \"wk_normal\"; phases = ( { duration = \"6 w\"; warfarin = \"3 mg/g\"; "
                "k1 = \"1.5 mg/g\"; mk4 = \"0 ug/g\"; },\n"
                "      { duration = \"6 w\"; warfarin = \"0 mg/g\"; k1 = \"5 ug/g\"; "
                "mk4 = \"0 ug/g\"; } ); }\n);\n",
            getenv("CALCIFY_SOURCE_ROOT") ? getenv("CALCIFY_SOURCE_ROOT") : ".");
    fclose(fp);
    arm_rows_same_alone(path, "wk_normal"); /* with or without arm wk */
}

/* An arm whose second phase has the first one's diet goes on through the
 * boundary without restarting its steps (calcify_phase_continues): it then
 * must not replay another arm's first phase either, or its rows would
 * depend on which arms ran before it.  Its rows are the same run alone,
 * after an arm that shares its first phase, and twice over. */
static void test_unchanged_diet_goes_on(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/goes_on.cfg", dir);
    FILE *fp = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
    const char *wk = "{ duration = \"6 w\"; warfarin = \"3 mg/g\"; k1 = \"1.5 mg/g\"; "
                     "mk4 = \"0 ug/g\"; }";
    fprintf(fp, "name = \"goes_on\";\nparameters = \"%s/models/rat_wky.cfg\";\n"
                "arms = (\n"
                "  { name = \"wk_normal\"; phases = ( %s,\n"
                "      { duration = \"6 w\"; warfarin = \"0 mg/g\"; k1 = \"5 ug/g\"; "
                "mk4 = \"0 ug/g\"; } ); },\n"
                "  { name = \"wk_wk\"; phases = ( %s, %s ); },\n"
                "  { name = \"wk_wk_again\"; phases = ( %s, %s ); }\n);\n",
            getenv("CALCIFY_SOURCE_ROOT") ? getenv("CALCIFY_SOURCE_ROOT") : ".", wk, wk, wk, wk,
            wk);
    fclose(fp);
    arm_rows_same_alone(path, "wk_wk");
    CU_ASSERT_EQUAL(sh("grep '^wk_wk_again,' '%s/all.csv' | sed 's/^wk_wk_again,/wk_wk,/' "
                       ">'%s/c' && cmp -s '%s/a' '%s/c'", dir, dir, dir, dir), 0);
}

typedef struct {
    double t[400];
    double obs[400][CALCIFY_NOBS];
    size_t n;
} rows;

static int keep(void *user, const calcify_arm *arm, double t, size_t phase,
                const double y[], const double obs[CALCIFY_NOBS])
{
    (void)arm, (void)phase, (void)y;
    rows *r = user;
    if (r->n < 400) {
        r->t[r->n] = t;
        memcpy(r->obs[r->n++], obs, sizeof r->obs[0]);
    }
    return 0;
}

static void test_arm_set_changes_only_its_arm(void)
{
    calcify_scenario sc;
    calcify_error err;
    CU_ASSERT_EQUAL_FATAL(calcify_scenario_load(LANG, &sc, &err), CALCIFY_OK);
    calcify_sim *sim = calcify_sim_alloc(&sc.params, sc.method, sc.rtol, sc.atol, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    double y0[CALCIFY_NSTATE];
    CU_ASSERT_EQUAL_FATAL(calcify_sim_baseline(sim, sc.baseline, y0, &err), CALCIFY_OK);
    static rows plain, stiff, slow, again;
    CU_ASSERT_EQUAL(calcify_sim_run_arm(sim, &sc.arms[0], y0, 1.0, keep, &plain, &err), 0);
    CU_ASSERT_EQUAL(calcify_sim_run_arm(sim, &sc.arms[1], y0, 1.0, keep, &stiff, &err), 0);
    CU_ASSERT_EQUAL(calcify_sim_run_arm(sim, &sc.arms[2], y0, 1.0, keep, &slow, &err), 0);
    /* plain again, after the arms with other parameters: nothing leaked */
    CU_ASSERT_EQUAL(calcify_sim_run_arm(sim, &sc.arms[0], y0, 1.0, keep, &again, &err), 0);
    CU_ASSERT_EQUAL_FATAL(plain.n, 43);
    CU_ASSERT_EQUAL_FATAL(stiff.n, plain.n);
    CU_ASSERT_EQUAL(memcmp(plain.obs, again.obs, plain.n * sizeof plain.obs[0]), 0);

    /* dist_beta acts on distensibility only: every other column is the same
     * bit for bit, distensibility falls further once calcium has risen */
    int dist = calcify_obs_find("distensibility_rel"), ca = calcify_obs_find("ca_aorta_ug_per_mg");
    CU_ASSERT_FATAL(dist >= 0 && ca >= 0);
    int others_same = 1, lower = 1;
    for (size_t i = 0; i < plain.n; i++) {
        for (int j = 0; j < CALCIFY_NOBS; j++)
            if (j != dist && plain.obs[i][j] != stiff.obs[i][j])
                others_same = 0;
        if (plain.obs[i][ca] > plain.obs[0][ca] * 1.01 &&
            !(stiff.obs[i][dist] < plain.obs[i][dist]))
            lower = 0;
    }
    CU_ASSERT(others_same);
    CU_ASSERT(lower);

    /* a phase's set: the first phase is the plain arm's, the second differs
     * (warfarin cleared slowly: more calcium by the end) */
    CU_ASSERT_EQUAL(memcmp(plain.obs, slow.obs, 21 * sizeof plain.obs[0]), 0);
    CU_ASSERT(slow.obs[42][ca] > plain.obs[42][ca] * 1.1);
    calcify_sim_free(sim);
    calcify_scenario_free(&sc);
}

static void test_defaults_and_years(void)
{
    calcify_scenario sc;
    calcify_error err = {""};
    CU_ASSERT_EQUAL_FATAL(calcify_scenario_load(DEFAULTS, &sc, &err), CALCIFY_OK);
    CU_ASSERT_STRING_EQUAL(sc.name, "good_defaults");
    CU_ASSERT_STRING_EQUAL(sc.method, "auto");
    CU_ASSERT_DOUBLE_EQUAL(sc.rtol, 1e-6, 0);
    CU_ASSERT_DOUBLE_EQUAL(sc.atol, 1e-9, 0);
    CU_ASSERT_DOUBLE_EQUAL(sc.output_step, 1.0, 0);
    CU_ASSERT_DOUBLE_EQUAL(sc.baseline[CALCIFY_IN_WARFARIN], 0, 0);
    CU_ASSERT_DOUBLE_EQUAL(sc.baseline[CALCIFY_IN_K1], 5e-3, 1e-18);
    CU_ASSERT_DOUBLE_EQUAL(sc.baseline[CALCIFY_IN_MK4], 0, 0);
    /* "2 y" is two Julian years */
    CU_ASSERT_DOUBLE_EQUAL(calcify_arm_duration(&sc.arms[0]), 730.5, 1e-9);
    calcify_scenario_free(&sc);
    /* the shipped long follow-up: 6 weeks, then 2 years, in every arm */
    CU_ASSERT_EQUAL_FATAL(calcify_scenario_load("models/long_followup.cfg", &sc, &err), CALCIFY_OK);
    for (size_t k = 0; k < sc.n_arms; k++)
        CU_ASSERT_DOUBLE_EQUAL(calcify_arm_duration(&sc.arms[k]), 42 + 730.5, 1e-9);
    calcify_scenario_free(&sc);
}

static void test_endpoints_at(void)
{
    char cmd[2048];
    /* --at with units and a time off the output grid */
    snprintf(cmd, sizeof cmd, "'%s' run " LANG " --summary --header --at '0,2 w,30.5'",
             calcify());
    char head[8192];
    snprintf(head, sizeof head, "%s", line_of(cmd, "arm,"));
    CU_ASSERT_PTR_NULL(strstr(head, "week"));
    int c0 = column(head, "ca_aorta_ug_per_mg_at_0d");
    int c14 = column(head, "ca_aorta_ug_per_mg_at_14d");
    int c30 = column(head, "ca_aorta_ug_per_mg_at_30.5d");
    int auc = column(head, "auc_ca_aorta_ug_per_mg_x_d");
    CU_ASSERT(c0 == 2 && c14 > c0 && c30 > c14 && auc > c30);
    CU_ASSERT_EQUAL(column(head, "ca_aorta_ug_per_mg_at_21d"), -1); /* --at replaces */
    double at14 = field(line_of(cmd, "slow_second,"), c14);
    double at30 = field(line_of(cmd, "slow_second,"), c30);

    /* the same times in a time series with a 12 h step: the arm is cut at
     * the endpoints (a solver restart), so agreement is to the tolerance */
    snprintf(cmd, sizeof cmd, "'%s' run " LANG " --arm slow_second --step '12 h'", calcify());
    char ts_head[4096];
    snprintf(ts_head, sizeof ts_head, "%s", line_of(cmd, "arm,"));
    int tc = column(ts_head, "ca_aorta_ug_per_mg");
    CU_ASSERT_FATAL(tc > 0);
    CU_ASSERT(rel_err(at14, field(line_of(cmd, "slow_second,14,"), tc)) < 1e-5);
    CU_ASSERT(rel_err(at30, field(line_of(cmd, "slow_second,30.5,"), tc)) < 1e-5);

    /* the scenario's endpoints when --at is not given */
    snprintf(cmd, sizeof cmd, "'%s' run " LANG " --summary --header", calcify());
    snprintf(head, sizeof head, "%s", line_of(cmd, "arm,"));
    CU_ASSERT_STRING_EQUAL(head, "arm,status,ca_aorta_ug_per_mg_at_0d,distensibility_rel_at_0d,"
                           "ca_aorta_ug_per_mg_at_21d,distensibility_rel_at_21d,"
                           "ca_aorta_ug_per_mg_at_42d,distensibility_rel_at_42d,"
                           "auc_ca_aorta_ug_per_mg_x_d,auc_distensibility_rel_x_d,"
                           "min_ca_aorta_ug_per_mg,min_distensibility_rel,"
                           "max_ca_aorta_ug_per_mg,max_distensibility_rel,"
                           "tmax_ca_aorta_ug_per_mg_d,tmax_distensibility_rel_d,steps,rhs_evals");
    /* an endpoint past the arm's end is empty, not invented */
    snprintf(cmd, sizeof cmd, "'%s' run " LANG " --summary --at 50", calcify());
    CU_ASSERT_EQUAL(strncmp(line_of(cmd, "plain,"), "plain,ok,,,", 11), 0);
    /* chosen observables */
    snprintf(cmd, sizeof cmd, "'%s' run " LANG " --summary --header --at 42 "
             "--observable cmgp_fraction", calcify());
    CU_ASSERT_STRING_EQUAL(line_of(cmd, "arm,"), "arm,status,cmgp_fraction_at_42d,"
                           "auc_cmgp_fraction_x_d,min_cmgp_fraction,max_cmgp_fraction,"
                           "tmax_cmgp_fraction_d,steps,rhs_evals");
    CU_ASSERT_EQUAL(sh("'%s' run " LANG " --summary --observable ca_aorta 2>/dev/null",
                       calcify()), 2);
    CU_ASSERT_EQUAL(sh("'%s' run " LANG " --set hihg_k=3 2>&1 | grep -q \"did you mean "
                       "'high_k'\"", calcify()), 0);
    /* the batch commands take the same times: '6 w' is 42 days */
    CU_ASSERT_EQUAL(sh("'%s' sensitivity models/vermeer2007.cfg --param warfarin_thalf --at '6 w' "
                       "--arm high_k1 --observable ca_aorta_ug_per_mg > '%s/s1' && '%s' sensitivity "
                       "models/vermeer2007.cfg --param warfarin_thalf --at 42 --arm high_k1 "
                       "--observable ca_aorta_ug_per_mg > '%s/s2' && cmp -s '%s/s1' '%s/s2'",
                       calcify(), dir, calcify(), dir, dir, dir), 0);
    /* bad times: exit 2 */
    CU_ASSERT_EQUAL(sh("'%s' run " LANG " --summary --at '7,3' 2>/dev/null", calcify()), 2);
    CU_ASSERT_EQUAL(sh("'%s' run " LANG " --summary --at '1 mg' 2>/dev/null", calcify()), 2);
    CU_ASSERT_EQUAL(sh("'%s' run " LANG " --at 7 2>/dev/null", calcify()), 2);
    CU_ASSERT_EQUAL(sh("'%s' run " LANG " --step '1 ug' 2>/dev/null", calcify()), 2);
}

/* Endpoints on an arm with daily sc doses: the arm is cut at the times, and
 * each piece must keep its doses where they were (one at the cut belongs to
 * the piece that starts there).  The values equal the time series', which
 * is not cut, to the solver's tolerance; a lost or doubled dose would move
 * plasma warfarin by tens of percent. */
static void test_endpoints_with_doses(void)
{
    const char *arm = "warfarin_sc_k1_food";
    char cmd[2048], head[8192], row[8192], ts_head[8192];
    snprintf(cmd, sizeof cmd, "'%s' run models/sc_injections.cfg --arm %s --summary --header "
             "--at '2.5,3,3.25,5.25' --observable warfarin_plasma_mg_per_l", calcify(), arm);
    snprintf(head, sizeof head, "%s", line_of(cmd, "arm,"));
    snprintf(row, sizeof row, "%s", line_of(cmd, arm));
    snprintf(cmd, sizeof cmd, "'%s' run models/sc_injections.cfg --arm %s --step '6 h'",
             calcify(), arm);
    snprintf(ts_head, sizeof ts_head, "%s", line_of(cmd, "arm,"));
    int tc = column(ts_head, "warfarin_plasma_mg_per_l");
    CU_ASSERT_FATAL(tc > 0);
    const char *times[] = {"2.5", "3", "3.25", "5.25"};
    for (int i = 0; i < 4; i++) {
        char name[128], prefix[128];
        snprintf(name, sizeof name, "warfarin_plasma_mg_per_l_at_%sd", times[i]);
        snprintf(prefix, sizeof prefix, "%s,%s,", arm, times[i]);
        int c = column(head, name);
        CU_ASSERT_FATAL(c > 0);
        double want = field(line_of(cmd, prefix), tc), got = field(row, c);
        if (!(rel_err(got, want) < 1e-4))
            fprintf(stderr, "\n  at %s d: summary %g, time series %g\n", times[i], got, want);
        CU_ASSERT(want > 1 && rel_err(got, want) < 1e-4);
    }
}

static void test_auc_min_max_on_a_constant(void)
{
    /* the default scenario sits at its steady state for 2 y: every
     * observable is constant, so its AUC is value × 730.5 d, min = max, and
     * the default endpoint is the end of the only phase */
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "'%s' run " DEFAULTS " --summary --header", calcify());
    char head[4096];
    snprintf(head, sizeof head, "%s", line_of(cmd, "arm,"));
    const char *row = line_of(cmd, "long,");
    int at = column(head, "ca_aorta_ug_per_mg_at_730.5d");
    int auc = column(head, "auc_ca_aorta_ug_per_mg_x_d");
    int lo = column(head, "min_ca_aorta_ug_per_mg"), hi = column(head, "max_ca_aorta_ug_per_mg");
    CU_ASSERT_FATAL(at > 0 && auc > 0 && lo > 0 && hi > 0);
    double v = field(row, at);
    CU_ASSERT(v > 0);
    CU_ASSERT(rel_err(field(row, auc), v * 730.5) < 1e-5); /* 6 digits printed */
    CU_ASSERT_EQUAL(field(row, lo), v);
    CU_ASSERT_EQUAL(field(row, hi), v);
    int dauc = column(head, "auc_distensibility_rel_x_d");
    CU_ASSERT(rel_err(field(row, dauc), 730.5) < 1e-5);
}

static void test_output_into_new_folders(void)
{
    CU_ASSERT_EQUAL(sh("'%s' run " LANG " --arm plain -o '%s/new/deeper/run.csv'", calcify(),
                       dir), 0);
    CU_ASSERT_EQUAL(sh("test -s '%s/new/deeper/run.csv'", dir), 0);
    CU_ASSERT_EQUAL(sh("'%s' run " LANG " --summary -o '%s/new2/s.csv'", calcify(), dir), 0);
    CU_ASSERT_EQUAL(sh("test $(wc -l < '%s/new2/s.csv') -eq 3", dir), 0);
    /* a file where a folder should be: an error, not a crash */
    CU_ASSERT_EQUAL(sh("'%s' run " LANG " -o '%s/new/deeper/run.csv/x.csv' 2>/dev/null",
                       calcify(), dir), 1);
}

static void test_sweep_over_a_variable(void)
{
    CU_ASSERT_EQUAL_FATAL(sh("'%s' sweep " LANG " --vary 'high_k=0.05 mg/g:0.15 mg/g' --design grid "
                             "--n 2 --threads 2 -q --at 42 -o '%s/sw/a'", calcify(), dir), 0);
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "cat '%s/sw/a/design.csv'", dir);
    CU_ASSERT_STRING_EQUAL(line_of(cmd, "run_id"), "run_id,high_k_ug_per_g");
    /* 0.15 mg/g is 150 ug/g: the bounds convert into the variable's unit */
    CU_ASSERT_STRING_EQUAL(line_of(cmd, "1,"), "1,150");
    /* run 1's plain row is the row of run --summary with the same value */
    snprintf(cmd, sizeof cmd, "cat '%s/sw/a/summary.csv'", dir);
    char sweep_row[8192];
    snprintf(sweep_row, sizeof sweep_row, "%s", line_of(cmd, "1,150,plain,"));
    snprintf(cmd, sizeof cmd, "'%s' run " LANG " --summary --at 42 --set high_k=150", calcify());
    const char *run_row = line_of(cmd, "150,plain,");
    CU_ASSERT(sweep_row[0] != '\0');
    CU_ASSERT_STRING_EQUAL(sweep_row + 2, run_row);
    /* the same bytes on one thread as on two (each run reads its scenario) */
    CU_ASSERT_EQUAL(sh("'%s' sweep " LANG " --vary 'high_k=0.05 mg/g:0.15 mg/g' --design grid "
                       "--n 2 --threads 1 -q --at 42 -o '%s/sw/a1' && cmp -s '%s/sw/a/summary.csv' "
                       "'%s/sw/a1/summary.csv'", calcify(), dir, dir, dir), 0);
    /* the issue's own form: bare numbers in the unit of the definition */
    CU_ASSERT_EQUAL(sh("'%s' sweep " LANG " --vary high_k=10:200 --design grid --n 3 -q "
                       "--arm plain -o '%s/sw/bare' && test \"$(cut -d, -f2 '%s/sw/bare/design.csv' "
                       "| tr '\\n' ' ')\" = 'high_k_ug_per_g 10 105 200 '", calcify(), dir, dir), 0);
    /* units for a parameter range, and bad ranges */
    CU_ASSERT_EQUAL(sh("'%s' sweep " LANG " --vary 'warfarin_thalf=10 h:2 d:log' --n 2 -q "
                       "--arm plain -o '%s/sw/b'", calcify(), dir), 0);
    CU_ASSERT_EQUAL(sh("'%s' sweep " LANG " --vary 'high_k=1:2 mg/L' -q -o '%s/sw/c' "
                       "2>/dev/null", calcify(), dir), 2);
    CU_ASSERT_EQUAL(sh("'%s' sweep " LANG " --vary 'hihg_k=1:2' -q -o '%s/sw/d' 2>/dev/null",
                       calcify(), dir), 2);
    /* a variable's range that is not admissible where it is used: the
     * line of the use and the variable, exit 2, no folder */
    CU_ASSERT_EQUAL(sh("'%s' sweep models/warfarin_dose_response.cfg --vary 'dose=-1:1 mg/g' "
                       "-q -o '%s/sw/e' 2>'%s/sw_err'", calcify(), dir, dir), 2);
    CU_ASSERT_EQUAL(sh("grep -qF \"warfarin_dose_response.cfg:44: 'warfarin' in phase 1 of arm "
                       "'chosen_dose' is \\\"-1 mg/g\\\"\" '%s/sw_err' && grep -qF 'the value "
                       "is $dose' '%s/sw_err'", dir, dir), 0);
    CU_ASSERT_EQUAL(sh("test -e '%s/sw/c' || test -e '%s/sw/d' || test -e '%s/sw/e'", dir, dir,
                       dir), 1);
}

typedef struct {
    double ca[3];
} picked;

/* Ca at the three times of probe `p` in probe arm a of run vector v. */
static picked pick(const calcify_probe *p, size_t a, const double *v)
{
    picked r;
    for (size_t i = 0; i < 3; i++)
        r.ca[i] = v[calcify_probe_slot(p, a, i, 0)];
    return r;
}

static void test_target_sigma(void)
{
    calcify_target t = {.sd = 0.2, .n_animals = 4, .lo = 1, .hi = 3};
    CU_ASSERT_DOUBLE_EQUAL(calcify_target_sigma(&t), 0.1, 1e-15);  /* sd / sqrt(n) */
    t.n_animals = NAN;
    CU_ASSERT_DOUBLE_EQUAL(calcify_target_sigma(&t), 0.2, 1e-15);  /* sd alone */
    t.sd = NAN;
    CU_ASSERT_DOUBLE_EQUAL(calcify_target_sigma(&t), 0.5, 1e-15);  /* range as ±2σ */
    t.hi = INFINITY;
    CU_ASSERT(isnan(calcify_target_sigma(&t)));
}

/* Data made by the model with ca_dep_max 1.3 times its value, split over two
 * targets files (one with sd and n, one with ranges; times in days, weeks
 * and hours; arms by name): fit recovers the factor, and validate reads
 * both files. */
static void test_fit_several_files(void)
{
    calcify_scenario sc;
    calcify_error err;
    CU_ASSERT_EQUAL_FATAL(calcify_scenario_load(LANG, &sc, &err), CALCIFY_OK);
    int dep = calcify_param_find("ca_dep_max");
    CU_ASSERT_FATAL(dep >= 0);
    double truth = 1.3 * sc.params.value[dep];
    sc.params.value[dep] = truth;
    calcify_sim *sim = calcify_sim_alloc(&sc.params, sc.method, 1e-10, 1e-13, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    /* read as every command reads (calcify/probe.h, calcify/runner.h) */
    const double times[] = {0.5, 21, 42};
    const int ca = calcify_obs_find("ca_aorta_ug_per_mg");
    calcify_probe p;
    CU_ASSERT_EQUAL_FATAL(calcify_probe_init(&p, &sc, NULL, times, 3, &ca, 1, &err), CALCIFY_OK);
    CU_ASSERT_EQUAL_FATAL(p.arms[0].n_times, 3);
    CU_ASSERT_EQUAL_FATAL(p.arms[2].n_times, 3);
    double v[256];
    CU_ASSERT_FATAL(p.n_out <= 256);
    CU_ASSERT_EQUAL_FATAL(calcify_runner_run(sim, &sc, &p, NULL, -1, v, NULL, NULL, &err),
                          CALCIFY_RUN_OK);
    picked plain = pick(&p, 0, v), slow = pick(&p, 2, v);
    calcify_probe_free(&p);
    calcify_sim_free(sim);
    calcify_scenario_free(&sc);

    char a[600], b[600];
    snprintf(a, sizeof a, "%s/a.csv", dir);
    snprintf(b, sizeof b, "%s/b.csv", dir);
    FILE *fa = fopen(a, "w"), *fb = fopen(b, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(fa);
    CU_ASSERT_PTR_NOT_NULL_FATAL(fb);
    const char *head = "arm,time,observable,target,accept_lo,accept_hi,sd,n,basis,source\n";
    fputs(head, fa);
    fputs(head, fb);
    fprintf(fa, "plain,12 h,ca_aorta_ug_per_mg,%.12g,,,0.05,6,derived,model\n", plain.ca[0]);
    fprintf(fa, "plain,21 d,ca_aorta_ug_per_mg,%.12g,,,0.1,6,derived,model\n", plain.ca[1]);
    fprintf(fa, "plain,6 w,ca_aorta_ug_per_mg,%.12g,,,0.1,,derived,model\n", plain.ca[2]);
    fprintf(fb, "slow_second,3 w,ca_aorta_ug_per_mg,%.12g,%.12g,%.12g,,,derived,model\n",
            slow.ca[1], 0.8 * slow.ca[1], 1.2 * slow.ca[1]);
    fprintf(fb, "slow_second,42 d,ca_aorta_ug_per_mg,%.12g,%.12g,%.12g,,,derived,model\n",
            slow.ca[2], 0.8 * slow.ca[2], 1.2 * slow.ca[2]);
    fclose(fa);
    fclose(fb);

    char cmd[4096];
    snprintf(cmd, sizeof cmd, "'%s' fit " LANG " --data '%s' --data '%s' --free ca_dep_max -q",
             calcify(), a, b);
    const char *line = line_of(cmd, "ca_dep_max ");
    double est = strtod(line + strlen("ca_dep_max "), NULL);
    /* noiseless data: the optimum is the truth, to the fit's tolerances */
    CU_ASSERT(rel_err(est, truth) < 1e-4);
    snprintf(cmd, sizeof cmd, "'%s' fit " LANG " --data '%s' --data '%s' --free ca_dep_max -q",
             calcify(), a, b);
    CU_ASSERT(line_of(cmd, "fit of")[0] && strstr(line_of(cmd, "fit of"), " and "));
    CU_ASSERT(line_of(cmd, "2:3 ")[0] != '\0'); /* file 2, row 3 */
    /* validate: both files; the values are the model's, so every row with a
     * rule is ok, and the one with sd but no n (a.csv row 4) has none */
    CU_ASSERT_EQUAL(sh("'%s' validate " LANG " --data '%s' --data '%s' --set ca_dep_max=%.17g "
                       "> '%s/val.txt'", calcify(), a, b, truth, dir), 0);
    CU_ASSERT_EQUAL(sh("grep -q '5 comparisons: 4 ok, 0 FAIL, 1 unjudged' '%s/val.txt'", dir), 0);
    /* the first targets format is still read, and gives the same values as
     * the shipped file in the current one (the same rows, rewritten) */
    CU_ASSERT_EQUAL(sh("'%s' validate models/vermeer2007.cfg --data tests/fixtures/targets_v1.csv "
                       "| awk '{print $6}' > '%s/v1' && '%s' validate models/vermeer2007.cfg "
                       "--data models/data/schurgers2007.csv | awk '{print $6}' > '%s/v2' && "
                       "cmp -s '%s/v1' '%s/v2'", calcify(), dir, calcify(), dir, dir, dir), 0);
    /* a bad time or observable: file:line, exit 2 */
    FILE *fc = fopen(b, "a");
    fputs("plain,soon,ca_aorta_ug_per_mg,1,,,,,observed,x\n", fc);
    fclose(fc);
    CU_ASSERT_EQUAL(sh("'%s' validate " LANG " --data '%s' --data '%s' 2>'%s/err' >/dev/null",
                       calcify(), a, b, dir), 2);
    CU_ASSERT_EQUAL(sh("grep -qF \"%s:4: time is 'soon' (expected a time >= 0 with a unit, "
                       "e.g. 6 w or 42 d)\" '%s/err'", b, dir), 0);
}

/* docs/SCENARIOS.md names every key the loader accepts (the loader's own
 * "expected one of" lists, so a new key cannot go undocumented) and every
 * bad-input fixture. */
static void test_docs_name_every_key(void)
{
    const char *fixtures[] = {"tests/fixtures/bad_unknown_top_key.cfg",
                              "tests/fixtures/bad_unknown_key.cfg",
                              "tests/fixtures/bad_arm_key.cfg"};
    for (int f = 0; f < 3; f++) {
        calcify_scenario sc;
        calcify_error err = {""};
        CU_ASSERT_EQUAL(calcify_scenario_load(fixtures[f], &sc, &err), CALCIFY_EINPUT);
        const char *list = strstr(err.msg, "expected one of: ");
        CU_ASSERT_PTR_NOT_NULL_FATAL(list);
        char keys[1024];
        snprintf(keys, sizeof keys, "%s", list + strlen("expected one of: "));
        keys[strcspn(keys, ")")] = '\0';
        for (char *save, *k = strtok_r(keys, ", ", &save); k; k = strtok_r(NULL, ", ", &save)) {
            char cmd[512];
            snprintf(cmd, sizeof cmd, "grep -qF '`%s`' docs/SCENARIOS.md", k);
            if (sh("%s", cmd) != 0)
                fprintf(stderr, "\n  docs/SCENARIOS.md does not name key '%s'\n", k);
            CU_ASSERT_EQUAL(sh("%s", cmd), 0);
        }
    }
    CU_ASSERT_EQUAL(sh("for f in tests/fixtures/bad_*.cfg; do grep -qF \"$(basename $f)\" "
                       "docs/SCENARIOS.md || { echo \"  undocumented: $f\" >&2; exit 1; }; done"),
                    0);
}

static int register_suites(void)
{
    CU_pSuite s = CU_add_suite("lang", setup, teardown);
    if (!s)
        return -1;
    return !CU_add_test(s, "variables, --set on a variable", test_variables) ||
           !CU_add_test(s, "an arm that is another's first phase: no duplicate row", test_shared_prefix_whole_arm) ||
           !CU_add_test(s, "an unchanged diet goes on, whatever ran before", test_unchanged_diet_goes_on) ||
           !CU_add_test(s, "an arm's set changes only its arm; a phase's set only its phase",
                        test_arm_set_changes_only_its_arm) ||
           !CU_add_test(s, "defaults and the year unit", test_defaults_and_years) ||
           !CU_add_test(s, "--at endpoints and the scenario's endpoints", test_endpoints_at) ||
           !CU_add_test(s, "AUC, min and max of a constant", test_auc_min_max_on_a_constant) ||
           !CU_add_test(s, "endpoints on an arm with daily doses", test_endpoints_with_doses) ||
           !CU_add_test(s, "-o into folders that do not exist", test_output_into_new_folders) ||
           !CU_add_test(s, "a sweep over a variable", test_sweep_over_a_variable) ||
           !CU_add_test(s, "sigma of a target", test_target_sigma) ||
           !CU_add_test(s, "fit and validate several targets files", test_fit_several_files) ||
           !CU_add_test(s, "docs/SCENARIOS.md names every key and bad fixture",
                        test_docs_name_every_key);
}

CALCIFY_CUNIT_MAIN
