/* test_plots.c — the gnuplot scripts on CSVs this test generates: each
 * writes a non-empty image, also when run from another directory on a
 * scenario of its own (whose arms it names, and no other study); a missing
 * or malformed CSV exits non-zero and leaves no image. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cunit_main.h"

static char dir[] = "/tmp/calcify-plots-XXXXXX";
static char csv[600];

static int sh(const char *fmt, const char *a, const char *b, const char *c)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, fmt, a, b, c);
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static long size_of(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static int setup(void)
{
    if (!getenv("CALCIFY") || !mkdtemp(dir))
        return -1;
    snprintf(csv, sizeof csv, "%s/run.csv", dir);
    return sh("'%s' run models/vermeer2007.cfg -o '%s'%s", getenv("CALCIFY"), csv, "") ||
           sh("'%s' run models/vermeer2007.cfg --meta '%s/run.meta.tsv' > /dev/null%s",
              getenv("CALCIFY"), dir, "");
}

/* Run `gnuplot -c plots/SCRIPT ARGS` (ARGS already quoted) from the
 * repository; 0 when it exits 0, writes nothing on stderr (no gnuplot
 * warning: a warning there means rows silently not drawn) and leaves a PNG
 * of more than min_bytes at out.  Prints what failed. */
static int draws(const char *script, const char *args, const char *out, long min_bytes)
{
    char cmd[4096], err[700];
    snprintf(err, sizeof err, "%s/stderr.txt", dir);
    snprintf(cmd, sizeof cmd, "gnuplot -c plots/%s %s 2> '%s'", script, args, err);
    int rc = system(cmd);
    long n_err = size_of(err), n_out = size_of(out);
    unsigned char magic[4] = {0};
    FILE *fp = fopen(out, "rb");
    if (fp) {
        if (fread(magic, 1, 4, fp) != 4)
            magic[0] = 0;
        fclose(fp);
    }
    int png = magic[0] == 0x89 && magic[1] == 'P' && magic[2] == 'N' && magic[3] == 'G';
    if (rc != 0 || n_err != 0 || n_out <= min_bytes || !png) {
        fprintf(stderr, "\n%s %s: status %d, %ld bytes on stderr, image %ld bytes%s\n",
                script, args, rc, n_err, n_out, png ? "" : " (not a PNG)");
        snprintf(cmd, sizeof cmd, "cat '%s' >&2", err);
        if (system(cmd)) {
        }
        return -1;
    }
    return 0;
}

static int teardown(void) { return sh("rm -rf '%s'%s%s", dir, "", ""); }

static void test_scripts_draw(void)
{
    const char *terms[] = {"pngcairo", "svg", "pdfcairo"};
    for (int i = 0; i < 3; i++) {
        char out[700], cmd[900];
        snprintf(out, sizeof out, "%s/calcium.%s", dir, terms[i]);
        snprintf(cmd, sizeof cmd, "gnuplot -c plots/calcium.gp '%%s' '%%s' %s "
                 "models/data/schurgers2007.csv 2>/dev/null%%s", terms[i]);
        CU_ASSERT_EQUAL(sh(cmd, csv, out, ""), 0);
        CU_ASSERT(size_of(out) > 5000);
    }
    const char *arms[] = {"control", "wk_continued", "high_mk4"};
    for (int i = 0; i < 3; i++) {
        char out[700];
        snprintf(out, sizeof out, "%s/mech_%s.png", dir, arms[i]);
        CU_ASSERT_EQUAL(sh("gnuplot -c plots/mechanism.gp '%s' '%s' pngcairo %s 2>/dev/null",
                           csv, out, arms[i]), 0);
        CU_ASSERT(size_of(out) > 5000);
    }
}

static void test_sweep_figures(void)
{
    CU_ASSERT_EQUAL_FATAL(sh("'%s' sweep models/vermeer2007.cfg --vary warfarin_thalf=5:50:log "
                             "--vary ca_reg_max=0.005:0.05 --design sobol --n 16 -q -o '%s/sw'",
                             getenv("CALCIFY"), dir, ""), 0);
    char sum[700], out[700];
    snprintf(sum, sizeof sum, "%s/sw/summary.csv", dir);
    snprintf(out, sizeof out, "%s/scatter.png", dir);
    CU_ASSERT_EQUAL(sh("gnuplot -c plots/sweep.gp '%s' '%s' 2>/dev/null%s", sum, out, ""), 0);
    CU_ASSERT(size_of(out) > 5000);
    snprintf(out, sizeof out, "%s/map.svg", dir);
    CU_ASSERT_EQUAL(sh("gnuplot -c plots/sweep.gp '%s' '%s' svg ca_aorta_ug_per_mg_at_84d "
                       "normal_k warfarin_thalf_h ca_reg_max_per_d 2>/dev/null%s", sum, out, ""), 0);
    CU_ASSERT(size_of(out) > 5000);
    /* names and units on the axes (vary.tsv), a log axis for the log range */
    CU_ASSERT_EQUAL(sh("grep -q 'warfarin_thalf (h)' '%s'%s%s", out, "", ""), 0);
    CU_ASSERT_EQUAL(sh("grep -q 'ca_reg_max (1/d)' '%s'%s%s", out, "", ""), 0);
    CU_ASSERT_EQUAL(sh("grep -q 'ca_aorta_ug_per_mg at 84 d' '%s'%s%s", out, "", ""), 0);
    /* the control's calcium does not depend on warfarin: a flat endpoint,
     * drawn without gnuplot's "empty y range" warning */
    CU_ASSERT_EQUAL_FATAL(sh("'%s' sweep models/vermeer2007.cfg --vary warfarin_thalf=5:50:log "
                             "--arm control --n 8 -q -o '%s/flat'%s", getenv("CALCIFY"), dir, ""), 0);
    char args[1600];
    snprintf(out, sizeof out, "%s/flat_sweep.png", dir);
    snprintf(args, sizeof args, "'%s/flat/summary.csv' '%s'", dir, out);
    CU_ASSERT_EQUAL(draws("sweep.gp", args, out, 5000), 0);
    /* a time-series CSV is not a summary: error, no image */
    snprintf(out, sizeof out, "%s/wrong.png", dir);
    CU_ASSERT_NOT_EQUAL(sh("gnuplot -c plots/sweep.gp '%s' '%s' 2>/dev/null%s", csv, out, ""), 0);
    CU_ASSERT_EQUAL(size_of(out), -1);
}

/* A scenario of three arms over two weeks, run and drawn from a directory
 * that is not the repository: the figure names every arm (with its
 * description) and the scenario, and nothing of the Schurgers study. */
static void test_any_scenario_from_anywhere(void)
{
    char path[700], root[600];
    CU_ASSERT_PTR_NOT_NULL_FATAL(getcwd(root, sizeof root));
    snprintf(path, sizeof path, "%s/three.cfg", dir);
    FILE *fp = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
    fprintf(fp, "name = \"three_diets\";\n"
                "description = \"Three diets for two weeks\";\n"
                "parameters = \"%s/models/rat_wky.cfg\";\n"
                "arms = (\n"
                "  { name = \"chow\"; description = \"ordinary chow\";\n"
                "    phases = ( { duration = \"2 w\"; warfarin = \"0 mg/g\"; k1 = \"5 ug/g\"; mk4 = \"0 ug/g\"; } ); },\n"
                "  { name = \"low_warfarin\"; description = \"warfarin 0.5 mg/g with K1\";\n"
                "    phases = ( { duration = \"1 w\"; warfarin = \"0.5 mg/g\"; k1 = \"1.5 mg/g\"; mk4 = \"0 ug/g\"; },\n"
                "               { duration = \"1 w\"; warfarin = \"0 mg/g\"; k1 = \"5 ug/g\"; mk4 = \"0 ug/g\"; } ); },\n"
                "  { name = \"high_warfarin\"; description = \"warfarin 3 mg/g with K1\";\n"
                "    phases = ( { duration = \"2 w\"; warfarin = \"3 mg/g\"; k1 = \"1.5 mg/g\"; mk4 = \"0 ug/g\"; } ); }\n"
                ");\n", root);
    fclose(fp);
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' run three.cfg -o three.csv --meta three.meta.tsv && "
             "gnuplot -c '%s/plots/calcium.gp' three.csv calcium.svg svg && "
             "gnuplot -c '%s/plots/calcium.gp' three.csv calcium.png && "
             "gnuplot -c '%s/plots/mechanism.gp' three.csv mech.svg svg low_warfarin",
             dir, getenv("CALCIFY"), root, root, root);
    CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
    const char *names[] = {"chow: ordinary chow", "low_warfarin: warfarin 0.5 mg/g with K1",
                           "high_warfarin: warfarin 3 mg/g with K1",
                           "Three diets for two weeks", "phase boundary", "time (days)"};
    for (int i = 0; i < 6; i++) {
        snprintf(cmd, sizeof cmd, "grep -qF '%s' '%s/calcium.svg'", names[i], dir);
        CU_ASSERT_EQUAL(system(cmd), 0);
    }
    snprintf(cmd, sizeof cmd, "grep -qiE 'schurgers|W\\\\?&K|2007' '%s/calcium.svg' '%s/mech.svg'",
             dir, dir);
    CU_ASSERT_NOT_EQUAL(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "grep -qF 'arm low_warfarin: warfarin 0.5 mg/g with K1 "
             "(three_diets)' '%s/mech.svg'", dir);
    CU_ASSERT_EQUAL(system(cmd), 0);
    snprintf(path, sizeof path, "%s/calcium.png", dir);
    CU_ASSERT(size_of(path) > 5000);
    /* without the metadata: arms and phase boundaries from the CSV itself */
    snprintf(cmd, sizeof cmd, "cd '%s' && cp three.csv bare.csv && "
             "gnuplot -c '%s/plots/calcium.gp' bare.csv bare.svg svg && "
             "grep -q chow bare.svg && grep -q low_warfarin bare.svg && "
             "grep -q high_warfarin bare.svg && grep -q 'phase boundary' bare.svg",
             dir, root);
    CU_ASSERT_EQUAL(system(cmd), 0);
}

/* calcify sensitivity: the tornado of one arm, observable and time, its
 * parameter names as written (underscores not made subscripts) */
static void test_tornado(void)
{
    char args[2048], out[700], sens[700];
    snprintf(sens, sizeof sens, "%s/sens.csv", dir);
    CU_ASSERT_EQUAL_FATAL(sh("'%s' sensitivity models/vermeer2007.cfg --arm wk_continued "
                             "--arm high_k1 --observable ca_aorta_ug_per_mg,clotting_activity_rel "
                             "-q -o '%s'%s", getenv("CALCIFY"), sens, ""), 0);
    snprintf(out, sizeof out, "%s/tornado.png", dir);
    snprintf(args, sizeof args, "'%s' '%s'", sens, out);
    CU_ASSERT_EQUAL(draws("tornado.gp", args, out, 10000), 0);
    snprintf(out, sizeof out, "%s/tornado.svg", dir);
    snprintf(args, sizeof args, "'%s' '%s' svg high_k1 ca_aorta_ug_per_mg 84 5", sens, out);
    CU_ASSERT_EQUAL(sh("gnuplot -c plots/tornado.gp %s 2>/dev/null%s%s", args, "", ""), 0);
    /* five bars, names whole (enhanced text would split ca_dep_max) */
    CU_ASSERT_EQUAL(sh("grep -q '>ca_dep_max<' '%s'%s%s", out, "", ""), 0);
    CU_ASSERT_EQUAL(sh("grep -q 'the largest 5 of' '%s'%s%s", out, "", ""), 0);
    /* the new scripts from another directory, on relative paths */
    char root[600], cmd[4096];
    CU_ASSERT_PTR_NOT_NULL_FATAL(getcwd(root, sizeof root));
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' validate '%s/models/vermeer2007.cfg' --data "
             "'%s/models/data/schurgers2007.csv' --table v.csv > /dev/null && "
             "gnuplot -c '%s/plots/tornado.gp' sens.csv t_here.png 2>/dev/null && "
             "gnuplot -c '%s/plots/fit.gp' v.csv f_here.png 2>/dev/null && "
             "test -s t_here.png && test -s f_here.png", dir, getenv("CALCIFY"), root, root,
             root, root);
    CU_ASSERT_EQUAL(system(cmd), 0);
    /* an arm the file does not have: exit 2, no image */
    snprintf(out, sizeof out, "%s/tornado_none.png", dir);
    snprintf(args, sizeof args, "'%s' '%s' pngcairo no_such_arm", sens, out);
    CU_ASSERT_EQUAL(sh("gnuplot -c plots/tornado.gp %s 2>/dev/null%s%s", args, "", ""), 2);
    CU_ASSERT_EQUAL(size_of(out), -1);
}

/* calcify gsa: Sobol bars with intervals, the Morris plane */
static void test_gsa_figures(void)
{
    char args[2048], out[700], idx[700];
    CU_ASSERT_EQUAL_FATAL(sh("'%s' gsa models/vermeer2007.cfg --method sobol --n 32 "
                             "--arm control --arm high_k1 --vary ca_dep_max=0.1:0.3 "
                             "--vary ca_reg_max=0.01:0.04:log --vary warfarin_thalf=5:45:log "
                             "--observable ca_aorta_ug_per_mg -q -o '%s/sobol'%s",
                             getenv("CALCIFY"), dir, ""), 0);
    snprintf(idx, sizeof idx, "%s/sobol/indices.csv", dir);
    snprintf(out, sizeof out, "%s/sobol.png", dir);
    /* default: the first arm with indices (the control's output does not vary) */
    snprintf(args, sizeof args, "'%s' '%s'", idx, out);
    CU_ASSERT_EQUAL(draws("sobol.gp", args, out, 10000), 0);
    snprintf(out, sizeof out, "%s/sobol.svg", dir);
    snprintf(args, sizeof args, "'%s' '%s' svg", idx, out);
    CU_ASSERT_EQUAL(sh("gnuplot -c plots/sobol.gp %s 2>/dev/null%s%s", args, "", ""), 0);
    CU_ASSERT_EQUAL(sh("grep -q 'arm high_k1' '%s'%s%s", out, "", ""), 0);
    CU_ASSERT_EQUAL(sh("grep -q '>warfarin_thalf<' '%s'%s%s", out, "", ""), 0);
    /* asked for the control: its indices are empty, so no image */
    snprintf(out, sizeof out, "%s/sobol_control.png", dir);
    snprintf(args, sizeof args, "'%s' '%s' pngcairo control", idx, out);
    CU_ASSERT_NOT_EQUAL(sh("gnuplot -c plots/sobol.gp %s 2>/dev/null%s%s", args, "", ""), 0);
    CU_ASSERT_EQUAL(size_of(out), -1);

    CU_ASSERT_EQUAL_FATAL(sh("'%s' gsa models/vermeer2007.cfg --method morris --n 8 "
                             "--arm high_k1 --vary ca_dep_max=0.1:0.3 "
                             "--vary ca_reg_max=0.01:0.04:log --vary warfarin_thalf=5:45:log "
                             "--vary dist_beta=0.15:0.6 "
                             "--observable ca_aorta_ug_per_mg,distensibility_rel -q -o '%s/morris'%s",
                             getenv("CALCIFY"), dir, ""), 0);
    snprintf(idx, sizeof idx, "%s/morris/indices.csv", dir);
    snprintf(out, sizeof out, "%s/morris.png", dir);
    snprintf(args, sizeof args, "'%s' '%s' pngcairo high_k1 distensibility_rel 84", idx, out);
    CU_ASSERT_EQUAL(draws("morris.gp", args, out, 10000), 0);
    /* a Sobol file is not a Morris file */
    snprintf(out, sizeof out, "%s/morris_wrong.png", dir);
    snprintf(args, sizeof args, "'%s/sobol/indices.csv' '%s'", dir, out);
    CU_ASSERT_NOT_EQUAL(sh("gnuplot -c plots/morris.gp %s 2>/dev/null%s%s", args, "", ""), 0);
    CU_ASSERT_EQUAL(size_of(out), -1);
}

/* validate --table and fit --table: observed against simulated, one panel
 * per observable, or one chosen; a run CSV is no table */
static void test_fit_figure(void)
{
    char args[2048], out[700], table[700];
    snprintf(table, sizeof table, "%s/validate.csv", dir);
    CU_ASSERT_EQUAL_FATAL(sh("'%s' validate models/vermeer2007.cfg --data "
                             "models/data/schurgers2007.csv --data "
                             "models/data/schurgers2007_seed.csv --table '%s' > /dev/null%s",
                             getenv("CALCIFY"), table, ""), 0);
    snprintf(out, sizeof out, "%s/validate.png", dir);
    snprintf(args, sizeof args, "'%s' '%s' pngcairo '' '%s/run.meta.tsv'", table, out, dir);
    CU_ASSERT_EQUAL(draws("fit.gp", args, out, 30000), 0);
    snprintf(out, sizeof out, "%s/validate.svg", dir);
    snprintf(args, sizeof args, "'%s' '%s' svg", table, out);
    CU_ASSERT_EQUAL(sh("gnuplot -c plots/fit.gp %s 2>/dev/null%s%s", args, "", ""), 0);
    CU_ASSERT_EQUAL(sh("grep -q '>clotting_activity_rel_ratio<' '%s'%s%s", out, "", ""), 0);
    CU_ASSERT_EQUAL(sh("grep -q '41 comparisons, 0 FAIL' '%s'%s%s", out, "", ""), 0);

    snprintf(table, sizeof table, "%s/fit.csv", dir);
    CU_ASSERT_EQUAL_FATAL(sh("'%s' fit models/vermeer2007.cfg --data "
                             "models/data/schurgers2007.csv --free ca_dep_max -q "
                             "--table '%s' > /dev/null%s", getenv("CALCIFY"), table, ""), 0);
    snprintf(out, sizeof out, "%s/fit.png", dir);
    snprintf(args, sizeof args, "'%s' '%s' pngcairo ca_aorta_ug_per_mg", table, out);
    CU_ASSERT_EQUAL(draws("fit.gp", args, out, 10000), 0);
    /* an observable the table lacks: exit 2; a run CSV: exit 1; no image */
    snprintf(out, sizeof out, "%s/fit_none.png", dir);
    snprintf(args, sizeof args, "'%s' '%s' pngcairo body_weight_kg", table, out);
    CU_ASSERT_EQUAL(sh("gnuplot -c plots/fit.gp %s 2>/dev/null%s%s", args, "", ""), 2);
    CU_ASSERT_EQUAL(size_of(out), -1);
    snprintf(args, sizeof args, "'%s' '%s'", csv, out);
    CU_ASSERT_NOT_EQUAL(sh("gnuplot -c plots/fit.gp %s 2>/dev/null%s%s", args, "", ""), 0);
    CU_ASSERT_EQUAL(size_of(out), -1);
}

/* Every row of a targets file is drawn with what it has: a target with an
 * SD and no range (here far above the model, so the y axis must reach it),
 * a target alone, a range, a lower or an upper bound alone; rows of other
 * observables stretch nothing; no gnuplot warning; names printed whole. */
static void test_every_target_row(void)
{
    char tg[700], out[700], args[2048];
    snprintf(tg, sizeof tg, "%s/targets_kinds.csv", dir);
    FILE *fp = fopen(tg, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
    fputs("arm,time,observable,target,accept_lo,accept_hi,sd,n,basis,source\n"
          "control,4 w,ca_aorta_ug_per_mg,5.2,,,0.5,6,observed,target and sd only\n"
          "high_mk4,9 w,ca_aorta_ug_per_mg,1.2,,,,6,derived,target only\n"
          "high_k1,10 w,ca_aorta_ug_per_mg,,0.9,1.4,,6,expected,range only\n"
          "normal_k,10 w,ca_aorta_ug_per_mg,,1.5,,,6,observed-qualitative,lower bound\n"
          "high_mk4,11 w,ca_aorta_ug_per_mg,,,1.2,,6,observed-qualitative,upper bound\n"
          "WK,6 w,clotting_activity_rel,1.0,0.85,40,,6,observed,another observable\n", fp);
    fclose(fp);
    snprintf(out, sizeof out, "%s/kinds.png", dir);
    snprintf(args, sizeof args, "'%s' '%s' pngcairo '%s'", csv, out, tg);
    CU_ASSERT_EQUAL(draws("calcium.gp", args, out, 10000), 0);
    snprintf(out, sizeof out, "%s/kinds.svg", dir);
    snprintf(args, sizeof args, "'%s' '%s' svg '%s'", csv, out, tg);
    CU_ASSERT_EQUAL(sh("gnuplot -c plots/calcium.gp %s 2>/dev/null%s%s", args, "", ""), 0);
    /* 5.2 + 0.5 is drawn: the axis runs to 6 (the model alone stays below 2.5) */
    CU_ASSERT_EQUAL(sh("grep -q '> 6</tspan>' '%s'%s%s", out, "", ""), 0);
    CU_ASSERT_NOT_EQUAL(sh("grep -q '> 40</tspan>' '%s'%s%s", out, "", ""), 0);
    CU_ASSERT_EQUAL(sh("grep -q 'upper bound only' '%s'%s%s", out, "", ""), 0);
    CU_ASSERT_EQUAL(sh("grep -q 'or ± SD' '%s'%s%s", out, "", ""), 0);
    /* the clotting figure: its y axis is not stretched to another row's 40,
     * and its label is the column's name as written */
    snprintf(out, sizeof out, "%s/clotting.svg", dir);
    snprintf(args, sizeof args, "'%s' '%s' svg models/data/schurgers2007.csv '' "
             "clotting_activity_rel", csv, out);
    CU_ASSERT_EQUAL(sh("gnuplot -c plots/calcium.gp %s 2>/dev/null%s%s", args, "", ""), 0);
    CU_ASSERT_NOT_EQUAL(sh("grep -q '> 3.5</tspan>' '%s'%s%s", out, "", ""), 0);
    CU_ASSERT_EQUAL(sh("grep -q '>clotting_activity_rel<' '%s'%s%s", out, "", ""), 0);
    /* the Schurgers figure and the population figure draw without warnings */
    snprintf(out, sizeof out, "%s/schurgers.png", dir);
    snprintf(args, sizeof args, "'%s' '%s' pngcairo models/data/schurgers2007.csv", csv, out);
    CU_ASSERT_EQUAL(draws("calcium.gp", args, out, 10000), 0);
    /* run --meta names the arms each data label stands for */
    CU_ASSERT_EQUAL(sh("grep -qP '^# data_label\\tWK\\twk_continued normal_k high_k1 high_mk4$' "
                       "'%s/run.meta.tsv'%s%s", dir, "", ""), 0);
}

/* A run whose values hardly change: the linear panels of the mechanism
 * figure span ±5% of the value, not a cliff of 1e-9 */
static void test_flat_panels(void)
{
    char out[700], flat[700], args[2048];
    snprintf(flat, sizeof flat, "%s/flat.csv", dir);
    CU_ASSERT_EQUAL_FATAL(sh("'%s' run models/vermeer2007.cfg --arm control -o '%s'%s",
                             getenv("CALCIFY"), flat, ""), 0);
    snprintf(out, sizeof out, "%s/flat.png", dir);
    snprintf(args, sizeof args, "'%s' '%s'", flat, out);
    CU_ASSERT_EQUAL(draws("mechanism.gp", args, out, 10000), 0);
    snprintf(out, sizeof out, "%s/flat.svg", dir);
    CU_ASSERT_EQUAL(sh("gnuplot -c plots/mechanism.gp '%s' '%s' svg 2>/dev/null%s", flat, out, ""), 0);
    CU_ASSERT_EQUAL(sh("grep -q '>1.04<' '%s'%s%s", out, "", ""), 0);
    CU_ASSERT_EQUAL(sh("grep -q '>0.96<' '%s'%s%s", out, "", ""), 0);
    /* the control's warfarin is noise around zero, and said to be */
    CU_ASSERT_EQUAL(sh("grep -q 'below 1e-9' '%s'%s%s", out, "", ""), 0);
    /* the mechanism figures of the Schurgers run draw without warnings */
    snprintf(out, sizeof out, "%s/mech_normal_k.png", dir);
    snprintf(args, sizeof args, "'%s' '%s' pngcairo normal_k", csv, out);
    CU_ASSERT_EQUAL(draws("mechanism.gp", args, out, 10000), 0);
}

static void test_bad_input_makes_no_image(void)
{
    char out[700], bad[700];
    snprintf(out, sizeof out, "%s/none.png", dir);
    snprintf(bad, sizeof bad, "%s/bad.csv", dir);
    FILE *fp = fopen(bad, "w");
    fputs("arm,time_d,something_else\ncontrol,0,1\n", fp);
    fclose(fp);
    const char *scripts[] = {"plots/calcium.gp", "plots/mechanism.gp"};
    for (int i = 0; i < 2; i++) {
        char missing[700];
        snprintf(missing, sizeof missing, "%s/missing.csv", dir);
        CU_ASSERT_NOT_EQUAL(sh("gnuplot -c %s '%s' '%s' 2>/dev/null", scripts[i], missing, out), 0);
        CU_ASSERT_EQUAL(size_of(out), -1);
        CU_ASSERT_NOT_EQUAL(sh("gnuplot -c %s '%s' '%s' 2>/dev/null", scripts[i], bad, out), 0);
        CU_ASSERT_EQUAL(size_of(out), -1);
        CU_ASSERT_NOT_EQUAL(sh("gnuplot -c %s '%s' '%s' jpeg 2>/dev/null", scripts[i], csv, out), 0);
        CU_ASSERT_EQUAL(size_of(out), -1);
    }
}

static int register_suites(void)
{
    CU_pSuite s = CU_add_suite("plots", setup, teardown);
    if (!s)
        return -1;
    return !CU_add_test(s, "calcium and mechanism figures are drawn", test_scripts_draw) ||
           !CU_add_test(s, "sweep scatter and map", test_sweep_figures) ||
           !CU_add_test(s, "any scenario, from any directory", test_any_scenario_from_anywhere) ||
           !CU_add_test(s, "tornado of local sensitivities", test_tornado) ||
           !CU_add_test(s, "Sobol and Morris figures", test_gsa_figures) ||
           !CU_add_test(s, "observed against simulated (validate/fit --table)", test_fit_figure) ||
           !CU_add_test(s, "every target row drawn, nothing stretched", test_every_target_row) ||
           !CU_add_test(s, "near-constant panels keep a span", test_flat_panels) ||
           !CU_add_test(s, "missing or malformed CSV: error, no image", test_bad_input_makes_no_image);
}

CALCIFY_CUNIT_MAIN
