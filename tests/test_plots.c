/* test_plots.c — the gnuplot scripts on a CSV this test generates: each
 * writes a non-empty image; a missing or malformed CSV exits non-zero and
 * leaves no image. */
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
    return sh("'%s' run models/vermeer2007.cfg -o '%s'%s", getenv("CALCIFY"), csv, "");
}

static int teardown(void) { return sh("rm -rf '%s'%s%s", dir, "", ""); }

static void test_scripts_draw(void)
{
    const char *terms[] = {"pngcairo", "svg", "pdfcairo"};
    for (int i = 0; i < 3; i++) {
        char out[700], cmd[900];
        snprintf(out, sizeof out, "%s/calcium.%s", dir, terms[i]);
        snprintf(cmd, sizeof cmd, "gnuplot -c plots/calcium.gp '%%s' '%%s' %s 2>/dev/null%%s",
                 terms[i]);
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
    CU_ASSERT_EQUAL(sh("gnuplot -c plots/sweep.gp '%s' '%s' svg ca_change_week6_to_12_ug_per_mg "
                       "normal_k warfarin_thalf_h ca_reg_max_per_d 2>/dev/null%s", sum, out, ""), 0);
    CU_ASSERT(size_of(out) > 5000);
    /* a time-series CSV is not a summary: error, no image */
    snprintf(out, sizeof out, "%s/wrong.png", dir);
    CU_ASSERT_NOT_EQUAL(sh("gnuplot -c plots/sweep.gp '%s' '%s' 2>/dev/null%s", csv, out, ""), 0);
    CU_ASSERT_EQUAL(size_of(out), -1);
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
           !CU_add_test(s, "missing or malformed CSV: error, no image", test_bad_input_makes_no_image);
}

CALCIFY_CUNIT_MAIN
