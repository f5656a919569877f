/* test_cli.c — the calcify program as a user runs it: the shipped scenario
 * to CSV, help and version, validate, the documented fit command, the
 * parameter table in docs/MODEL.md, and failures that lose nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "calcify/model.h"
#include "calcify/params.h"
#include "cli/options.h"
#include "cunit_main.h"

static char tmpdir[] = "/tmp/calcify-cli-XXXXXX";
static char out_path[600], err_path[600];

/* Run `calcify ARGS` with stdout to out_path and stderr to err_path;
 * returns the exit status (or -1). */
static int run(const char *args)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "'%s' %s >'%s' 2>'%s'", getenv("CALCIFY"), args,
             out_path, err_path);
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        return NULL;
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    rewind(fp);
    char *buf = malloc((size_t)n + 1);
    size_t got = fread(buf, 1, (size_t)n, fp);
    buf[got] = '\0';
    fclose(fp);
    return buf;
}

static int setup(void)
{
    if (!getenv("CALCIFY") || !mkdtemp(tmpdir))
        return -1;
    snprintf(out_path, sizeof out_path, "%s/stdout", tmpdir);
    snprintf(err_path, sizeof err_path, "%s/stderr", tmpdir);
    return 0;
}

static int teardown(void)
{
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_run_shipped_scenario(void)
{
    char args[800], csv[700];
    snprintf(csv, sizeof csv, "%s/vermeer.csv", tmpdir);
    snprintf(args, sizeof args, "run models/vermeer2007.cfg -o '%s'", csv);
    CU_ASSERT_EQUAL_FATAL(run(args), 0);
    char *text = slurp(csv);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    /* header: the required columns, in this order, then the rest */
    const char *required = "arm,time_d,phase,warfarin_diet_mg_per_g,k1_diet_ug_per_g,"
                           "mk4_diet_ug_per_g,body_weight_kg,warfarin_intake_mg_per_kg_d,"
                           "k1_intake_ug_per_kg_d,mk4_intake_ug_per_kg_d,warfarin_plasma_mg_per_l,";
    CU_ASSERT_EQUAL(strncmp(text, required, strlen(required)), 0);
    const char *must[] = {"k1_aorta_ng_per_g", "mk4_aorta_ng_per_g", "cmgp_fraction",
                          "ca_aorta_ug_per_mg", "clotting_activity_rel",
                          "distensibility_rel"};
    char *eol = strchr(text, '\n');
    *eol = '\0';
    for (int i = 0; i < 6; i++)
        CU_ASSERT_PTR_NOT_NULL(strstr(text, must[i]));
    /* shape: 5 arms × 85 daily rows, 3 + 17 fields each, t = 0 … 84 */
    int rows = 0, bad_fields = 0, bad_time = 0;
    const char *arms[] = {"control", "wk_continued", "normal_k", "high_k1", "high_mk4"};
    for (char *line = eol + 1; *line; rows++) {
        char *next = strchr(line, '\n');
        *next = '\0';
        int fields = 1;
        for (char *c = line; *c; c++)
            fields += *c == ',';
        bad_fields += fields != 3 + CALCIFY_NOBS;
        char arm[32];
        double t;
        if (sscanf(line, "%31[^,],%lf", arm, &t) != 2 ||
            strcmp(arm, arms[rows / 85]) != 0 || t != rows % 85)
            bad_time++;
        line = next + 1;
    }
    CU_ASSERT_EQUAL(rows, 5 * 85);
    CU_ASSERT_EQUAL(bad_fields, 0);
    CU_ASSERT_EQUAL(bad_time, 0);
    free(text);

    /* deterministic: the same bytes on stdout */
    CU_ASSERT_EQUAL(run("run models/vermeer2007.cfg"), 0);
    char *a = slurp(out_path), *b = slurp(csv);
    CU_ASSERT_STRING_EQUAL(a, b);
    free(a);
    free(b);
}

static void test_help_and_version(void)
{
    CU_ASSERT_EQUAL(run("--help"), 0);
    char *t = slurp(out_path);
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "Exit status"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "calcify run models/vermeer2007.cfg"));
    free(t);
    CU_ASSERT_EQUAL(run("--version"), 0);
    t = slurp(out_path);
    CU_ASSERT_EQUAL(strncmp(t, "calcify ", 8), 0);
    free(t);
    const char *cmds[] = {"run", "params", "validate", "fit"};
    for (int i = 0; i < 4; i++) {
        char args[64];
        snprintf(args, sizeof args, "%s --help", cmds[i]);
        CU_ASSERT_EQUAL(run(args), 0);
        t = slurp(out_path);
        CU_ASSERT_EQUAL(strncmp(t, "usage: calcify ", 15), 0);
        free(t);
    }
    CU_ASSERT_EQUAL(run(""), 2);
    CU_ASSERT_EQUAL(run("frobnicate"), 2);
    CU_ASSERT_EQUAL(run("run"), 2);
    CU_ASSERT_EQUAL(run("run models/vermeer2007.cfg --precision 0"), 2);
}

static void test_usage_errors(void)
{
    CU_ASSERT_EQUAL(run("run models/vermeer2007.cfg --set warfarin_thalv=12"), 2);
    char *t = slurp(err_path);
    CU_ASSERT_STRING_EQUAL(t, "calcify: --set: unknown parameter 'warfarin_thalv' (see "
                              "'calcify params SCENARIO'); did you mean 'warfarin_thalf'?\n");
    free(t);
    CU_ASSERT_EQUAL(run("run models/vermeer2007.cfg --arm hig_k1"), 2);
    t = slurp(err_path);
    CU_ASSERT_STRING_EQUAL(t, "calcify: --arm 'hig_k1': no such arm in "
                              "models/vermeer2007.cfg; did you mean 'high_k1'?\n");
    free(t);
    CU_ASSERT_EQUAL(run("run models/vermeer2007.cfg --method msbdff"), 2);
}

static void test_failure_keeps_existing_output(void)
{
    /* with no mineral removal at all there is no steady state: the run fails
     * after the output file was opened, and the old file must survive */
    char args[900], csv[700];
    snprintf(csv, sizeof csv, "%s/keep.csv", tmpdir);
    FILE *fp = fopen(csv, "w");
    fputs("precious\n", fp);
    fclose(fp);
    snprintf(args, sizeof args, "run models/vermeer2007.cfg --set ca_res_basal=0 "
             "--set ca_reg_max=0 -o '%s'", csv);
    CU_ASSERT_EQUAL(run(args), 1);
    char *t = slurp(err_path);
    CU_ASSERT_EQUAL(strncmp(t, "calcify: baseline: no steady state", 34), 0);
    free(t);
    t = slurp(csv);
    CU_ASSERT_STRING_EQUAL(t, "precious\n");
    free(t);
    /* nothing else left in the directory: stdout, stderr, keep.csv, vermeer.csv */
    char cmd[800];
    snprintf(cmd, sizeof cmd, "test $(ls '%s' | grep -c tmp) -eq 0", tmpdir);
    CU_ASSERT_EQUAL(system(cmd), 0);
    /* a full disk on stdout is an error, not a silent truncation */
    char full[900];
    snprintf(full, sizeof full, "'%s' run models/vermeer2007.cfg >/dev/full 2>/dev/null",
             getenv("CALCIFY"));
    int rc = system(full);
    CU_ASSERT(WIFEXITED(rc) && WEXITSTATUS(rc) == 1);
}

static void test_validate_shipped(void)
{
    CU_ASSERT_EQUAL(run("validate models/vermeer2007.cfg --data models/data/schurgers2007.csv"), 0);
    char *t = slurp(out_path);
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "20 comparisons: 20 ok, 0 FAIL, 0 unjudged"));
    free(t);
    /* and it says FAIL, with exit 1, when the model is pushed off */
    CU_ASSERT_EQUAL(run("validate models/vermeer2007.cfg --data "
                        "models/data/schurgers2007.csv --set ca_reg_max=1e-6"), 1);
}

/* validate --table: every comparison as one CSV row, also the FAILs; a
 * ratio's arm names both arms; an open side of a range is an empty field */
static void test_validate_table(void)
{
    char args[1200], table[700];
    snprintf(table, sizeof table, "%s/table.csv", tmpdir);
    snprintf(args, sizeof args, "validate models/vermeer2007.cfg --data "
             "models/data/schurgers2007.csv --table '%s' --set ca_reg_max=1e-6", table);
    CU_ASSERT_EQUAL(run(args), 1);
    char *t = slurp(table);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_EQUAL(strncmp(t, "row,label,arm,time_d,observable,simulated,target,lo,hi,sd,n,"
                            "status\n", 67), 0);
    size_t lines = 0;
    for (const char *p = t; *p; p++)
        lines += *p == '\n';
    CU_ASSERT_EQUAL(lines, 21);
    CU_ASSERT_PTR_NOT_NULL(strstr(t, ",FAIL\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "\n9,C_D_over_A,high_k1/wk_continued,84,"
                                     "ca_aorta_ug_per_mg_ratio,"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, ",1.62,,,6,"));   /* B: lower bound only */
    free(t);
    /* not with --population (exit 2, nothing written) */
    snprintf(args, sizeof args, "validate models/vermeer2007.cfg --data "
             "models/data/schurgers2007.csv --population '%s' --table '%s/t2.csv'",
             tmpdir, tmpdir);
    CU_ASSERT_EQUAL(run(args), 2);
    snprintf(table, sizeof table, "%s/t2.csv", tmpdir);
    CU_ASSERT_EQUAL(access(table, F_OK), -1);
}

/* The shipped parameter file is the output of the documented fit command. */
static void test_fit_reproduces_shipped_parameters(void)
{
    char args[1200], fitted[700];
    snprintf(fitted, sizeof fitted, "%s/fitted.cfg", tmpdir);
    snprintf(args, sizeof args, "fit models/vermeer2007.cfg --params "
             "models/rat_wky_prior.cfg --data models/data/schurgers2007.csv "
             "--free ca_dep_max,ca_reg_max -q -o '%s'", fitted);
    CU_ASSERT_EQUAL_FATAL(run(args), 0);
    char *report = slurp(out_path);
    CU_ASSERT_PTR_NOT_NULL(strstr(report, "std_error"));
    CU_ASSERT_PTR_NOT_NULL(strstr(report, "correlations"));
    free(report);
    calcify_paramset a, b;
    calcify_error err;
    CU_ASSERT_EQUAL_FATAL(calcify_paramset_load("models/rat_wky.cfg", &a, &err), CALCIFY_OK);
    CU_ASSERT_EQUAL_FATAL(calcify_paramset_load(fitted, &b, &err), CALCIFY_OK);
    for (int i = 0; i < CALCIFY_NPARAM; i++)
        CU_ASSERT(rel_err(b.value[i], a.value[i]) < 1e-4);
    CU_ASSERT_PTR_NOT_NULL(strstr(a.source[CALCIFY_P_CA_DEP_MAX], "fitted to"));
    CU_ASSERT_PTR_NOT_NULL(strstr(a.source[CALCIFY_P_CA_REG_MAX], "fitted to"));
    calcify_paramset_free(&a);
    calcify_paramset_free(&b);
}

/* Issue 16: no parameter that was not fitted moves the W&K week-6 aortic
 * calcium more than in proportion (|d ln Ca / d ln p| <= 1), as `calcify
 * sensitivity` measures it; the fitted ones are those whose provenance
 * `calcify params` gives as "fitted". */
static void test_wk_calcium_not_carried_by_one_assumption(void)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "'%1$s' params models/vermeer2007.cfg 2>/dev/null"
             " | awk -F'\t' '$4 ~ /^fitted/ {print $1}' > '%2$s/fitted' && "
             "'%1$s' sensitivity models/vermeer2007.cfg --arm wk_continued "
             "--observable ca_aorta_ug_per_mg --at 42 -o '%2$s/sens.csv' 2>/dev/null && "
             "test -s '%2$s/fitted' && "
             "awk -F, 'NR == FNR {fitted[$1] = 1; next} "
             "FNR == 1 {for (i = 1; i <= NF; i++) col[$i] = i; next} "
             "!($1 in fitted) && $col[\"normalised\"] != \"\" && "
             "($col[\"normalised\"] > 1 || $col[\"normalised\"] < -1) "
             "{print $1, $col[\"normalised\"] > \"/dev/stderr\"; bad++} "
             "END {exit bad > 0}' '%2$s/fitted' '%2$s/sens.csv'",
             getenv("CALCIFY"), tmpdir);
    int rc = system(cmd);
    CU_ASSERT(WIFEXITED(rc) && WEXITSTATUS(rc) == 0);
}

/* Issue 16, item 5: a rat injection protocol calcifies within weeks.  Price
 * et al. 1998 (Arterioscler Thromb Vasc Biol 18:1400) injected warfarin daily
 * with vitamin K1 and saw calcification of the elastic lamellae from the
 * second week, with clotting kept normal.  models/sc_injections.cfg gives
 * the W&K dose (200 mg/kg) sc daily, K1 in the food: aortic calcium above
 * the control's 0.22 by more than a third by day 14 and at least doubled by
 * day 28, clotting within 15% of control. */
static void test_injection_protocol_calcifies(void)
{
    CU_ASSERT_EQUAL_FATAL(run("run models/sc_injections.cfg --summary --arm warfarin_sc_k1_food "
                              "--observable ca_aorta_ug_per_mg,clotting_activity_rel "
                              "--at '2 w,4 w'"), 0);
    char *text = slurp(out_path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    double ca14, clot14, ca28, clot28;
    CU_ASSERT_EQUAL(sscanf(text, "warfarin_sc_k1_food,ok,%lf,%lf,%lf,%lf", &ca14, &clot14, &ca28,
                           &clot28), 4);
    CU_ASSERT(ca14 > 0.22 * 4 / 3);
    CU_ASSERT(ca28 > 2 * 0.22);
    CU_ASSERT(clot14 > 0.85 && clot28 > 0.85);
    free(text);
}

/* docs/MODEL.md carries `calcify params --markdown` verbatim. */
static void test_model_doc_in_sync(void)
{
    CU_ASSERT_EQUAL_FATAL(run("params models/vermeer2007.cfg --markdown"), 0);
    char *table = slurp(out_path), *doc = slurp("docs/MODEL.md");
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    if (!strstr(doc, table))
        fprintf(stderr, "\n  docs/MODEL.md does not hold the output of "
                "'calcify params models/vermeer2007.cfg --markdown'\n");
    CU_ASSERT_PTR_NOT_NULL(strstr(doc, table));
    /* every observable column is documented */
    for (int i = 0; i < CALCIFY_NOBS; i++)
        CU_ASSERT_PTR_NOT_NULL(strstr(doc, calcify_obs_names[i]));
    free(table);
    free(doc);
}

/* The option table (src/cli/options.c) against the program: every option a
 * command takes is on its --help page, each option's argument range is the
 * one the command enforces, and an option the table does not give a
 * command is refused by it.  Generated from the table, so a new option or
 * command is covered without editing this test. */
static const char *const cmd_names[CLI_NCMD] = {
    [CLI_CMD_RUN] = "run", [CLI_CMD_PARAMS] = "params", [CLI_CMD_VALIDATE] = "validate",
    [CLI_CMD_FIT] = "fit", [CLI_CMD_SWEEP] = "sweep", [CLI_CMD_MERGE] = "merge",
    [CLI_CMD_SENSITIVITY] = "sensitivity", [CLI_CMD_GSA] = "gsa",
    [CLI_CMD_POPULATION] = "population", [CLI_CMD_SBML] = "sbml"};

/* Does text hold "--name" as a whole option name? */
static int names_option(const char *text, const char *name)
{
    char want[80];
    snprintf(want, sizeof want, "--%s", name);
    for (const char *p = text; (p = strstr(p, want)); p++) {
        char before = p == text ? ' ' : p[-1], after = p[strlen(want)];
        if (strchr(" ,[(|\n", before) && strchr(" ,=]\n", after))
            return 1;
    }
    return 0;
}

/* Is command c moved onto the table (it has an option there besides --help)? */
static int on_table(int c)
{
    for (const cli_option *o = cli_options; o->name; o++)
        if (o->code != 'h' && (o->commands & (1u << c)))
            return 1;
    return 0;
}

static void test_help_lists_every_option(void)
{
    for (int c = 0; c < CLI_NCMD; c++) {
        if (!on_table(c))
            continue;
        char args[128];
        snprintf(args, sizeof args, "%s --help", cmd_names[c]);
        int rc = run(args);
        if (c == CLI_CMD_SBML && rc != 0)
            continue; /* calcify-sbml, the program behind it, is not built here */
        CU_ASSERT_EQUAL_FATAL(rc, 0);
        char *help = slurp(out_path);
        CU_ASSERT_EQUAL(strncmp(help, "usage: calcify ", 15), 0);
        for (const cli_option *o = cli_options; o->name; o++) {
            if (!(o->commands & (1u << c)))
                continue;
            /* one entry per option and command: getopt would take the first */
            for (const cli_option *q = cli_options; q != o; q++)
                if ((q->commands & (1u << c)) &&
                    (!strcmp(q->name, o->name) || (o->short_name && q->short_name == o->short_name))) {
                    fprintf(stderr, "\n  --%s is in the table twice for %s\n", o->name,
                            cmd_names[c]);
                    CU_FAIL("an option twice in the table");
                }
            if (!names_option(help, o->name)) {
                fprintf(stderr, "\n  calcify %s --help does not list --%s\n", cmd_names[c],
                        o->name);
                CU_FAIL("an option missing from --help");
            }
            /* a whole number or number just out of range is refused with its range */
            if (o->kind == CLI_ARG_INT || o->kind == CLI_ARG_NUMBER) {
                snprintf(args, sizeof args, "%s --%s %.17g", cmd_names[c], o->name,
                         o->hi + (o->kind == CLI_ARG_INT ? 1 : o->hi * 1e-3 + 1e-9));
                CU_ASSERT_EQUAL(run(args), 2);
                char *err = slurp(err_path), want[80];
                snprintf(want, sizeof want, "calcify: --%s '", o->name);
                CU_ASSERT_PTR_NOT_NULL(strstr(err, want));
                free(err);
            }
        }
        /* and one that no command has is refused, with the help on stderr */
        snprintf(args, sizeof args, "%s --no-such-option", cmd_names[c]);
        CU_ASSERT_EQUAL(run(args), 2);
        char *err = slurp(err_path);
        CU_ASSERT_PTR_NOT_NULL(strstr(err, "usage: calcify "));
        free(err);
        free(help);
    }
}

static int register_suites(void)
{
    CU_pSuite s = CU_add_suite("cli", setup, teardown);
    if (!s)
        return -1;
    return !CU_add_test(s, "run the shipped scenario: header and shape", test_run_shipped_scenario) ||
           !CU_add_test(s, "help and version", test_help_and_version) ||
           !CU_add_test(s, "usage errors suggest names", test_usage_errors) ||
           !CU_add_test(s, "--help lists every option of the table", test_help_lists_every_option) ||
           !CU_add_test(s, "a failed run keeps the old output", test_failure_keeps_existing_output) ||
           !CU_add_test(s, "validate passes on the shipped files", test_validate_shipped) ||
           !CU_add_test(s, "validate --table", test_validate_table) ||
           !CU_add_test(s, "fit reproduces models/rat_wky.cfg", test_fit_reproduces_shipped_parameters) ||
           !CU_add_test(s, "docs/MODEL.md parameter table in sync", test_model_doc_in_sync) ||
           !CU_add_test(s, "daily sc warfarin calcifies within weeks (Price 1998)",
                        test_injection_protocol_calcifies) ||
           !CU_add_test(s, "W&K week-6 calcium: no non-fitted |sensitivity| > 1",
                        test_wk_calcium_not_carried_by_one_assumption);
}

CALCIFY_CUNIT_MAIN
