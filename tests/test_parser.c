/* test_parser.c — scenario and parameter files: good fixtures load, each bad
 * fixture gives its exact message, exit status 2 from the CLI, and leaves an
 * existing output file untouched with no temporary file behind. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "calcify/params.h"
#include "calcify/scenario.h"
#include "calcify/units.h"
#include "cunit_main.h"

#define FX "tests/fixtures/"

static const struct {
    const char *file, *message;
} bad[] = {
    {FX "bad_syntax.cfg", FX "bad_syntax.cfg:6: syntax error (expected libconfig syntax: key = value; groups in { }, lists in ( ))"},
    {FX "bad_unknown_key.cfg", FX "bad_unknown_key.cfg:6: unknown key 'warfarn' in phase 1 of arm 'a' (expected one of: duration, warfarin, k1, mk4, doses, set); did you mean 'warfarin'?"},
    {FX "bad_unknown_top_key.cfg", FX "bad_unknown_top_key.cfg:6: unknown key 'paramters' in the scenario (expected one of: name, description, parameters, output_step, solver, baseline, overrides, arms, data_labels, growth, vars, endpoints, endpoint_observables, observables); did you mean 'parameters'?"},
    {FX "bad_missing_duration.cfg", FX "bad_missing_duration.cfg:6: missing required key 'duration' in phase 1 of arm 'a' (expected duration = \"NUMBER UNIT\";)"},
    {FX "bad_missing_arms.cfg", FX "bad_missing_arms.cfg: missing required key 'arms' in the scenario"},
    {FX "bad_non_numeric.cfg", FX "bad_non_numeric.cfg:6: 'duration' in phase 1 of arm 'a' is \"six w\": not a finite number (expected a number and a unit, e.g. \"1 d\")"},
    {FX "bad_non_finite.cfg", FX "bad_non_finite.cfg:6: 'duration' in phase 1 of arm 'a' is \"inf w\": not a finite number (expected a number and a unit, e.g. \"1 d\")"},
    {FX "bad_wrong_unit.cfg", FX "bad_wrong_unit.cfg:6: 'warfarin' in phase 1 of arm 'a' is \"3 mg/L\": the unit does not fit this quantity (expected one of: g/g, mg/g, ug/g, ng/g, ug/mg, mg/kg, g/kg, ug/kg)"},
    {FX "bad_missing_unit.cfg", FX "bad_missing_unit.cfg:6: 'k1' in phase 1 of arm 'a' is \"5\": missing or unknown unit (expected one of: g/g, mg/g, ug/g, ng/g, ug/mg, mg/kg, g/kg, ug/kg)"},
    {FX "bad_bare_number.cfg", FX "bad_bare_number.cfg:6: 'duration' in phase 1 of arm 'a' is 42, a number without a unit (expected a quantity with a unit, e.g. \"6 w\")"},
    {FX "bad_zero_duration.cfg", FX "bad_zero_duration.cfg:6: 'duration' in phase 1 of arm 'a' is \"0 w\" (expected a duration in [1e-09, 1e+06] d)"},
    {FX "bad_negative_duration.cfg", FX "bad_negative_duration.cfg:6: 'duration' in phase 1 of arm 'a' is \"-6 w\" (expected a duration in [1e-09, 1e+06] d)"},
    {FX "bad_negative_concentration.cfg", FX "bad_negative_concentration.cfg:6: 'k1' in phase 1 of arm 'a' is \"-5 ug/g\" (expected a food concentration in [0, 1000] mg/g)"},
    {FX "bad_duplicate_arm.cfg", FX "bad_duplicate_arm.cfg:7: duplicate arm name 'a' (first defined at line 6; expected unique names)"},
    {FX "bad_empty.cfg", FX "bad_empty.cfg: file is empty (expected settings such as 'name = \"…\";')"},
    {FX "bad_method.cfg", FX "bad_method.cfg:4: unknown solver method 'msbdff' (expected one of: auto, auto-rodas4, bdf, rodas4, msbdf, bsimp, rk4imp, rk2imp, rk1imp, msadams, rk8pd, rkck, rkf45, rk4, rk2)"},
    {FX "bad_no_arms.cfg", FX "bad_no_arms.cfg:6: 'arms' must be a non-empty list (expected arms = ( { name = \"control\"; phases = ( … ); } );)"},
    {FX "bad_param_name.cfg", FX "params_misspelt.cfg:3: unknown parameter 'warfarin_thalv' (expected a name listed by 'calcify params'); did you mean 'warfarin_thalf'?"},
    {FX "bad_param_unit.cfg", FX "params_wrong_unit.cfg:2: unit \"mg/L\" of parameter 'warfarin_thalf' is of the wrong dimension (expected one of: d, h, min, w, mo, y)"},
    {FX "bad_param_missing.cfg", FX "params_incomplete.cfg:1: missing parameter 'warfarin_ka' (expected warfarin_ka = { value = …; unit = \"1/d\"; source = \"…\"; };)"},
    {FX "bad_override_name.cfg", FX "bad_override_name.cfg:6: unknown parameter 'warfarin_half' in overrides (expected a name listed by 'calcify params'); did you mean 'warfarin_thalf'?"},
    {FX "bad_label_arm.cfg", FX "bad_label_arm.cfg:7: data label 'WK': 'wk_continue' is not an arm of this scenario"},
    {FX "bad_arm_name.cfg", FX "bad_arm_name.cfg:6: arm name \"high K1, arm C\" (expected letters, digits, '_', '-' and '.' only)"},
    {FX "bad_var_undefined.cfg", FX "bad_var_undefined.cfg:6: undefined variable '$high_K' (expected one defined in vars = { … }: high_k); did you mean 'high_k'?"},
    {FX "bad_var_twice.cfg", FX "bad_var_twice.cfg:5: a key, variable or parameter defined twice in one group (expected each name once)"},
    {FX "bad_var_param_name.cfg", FX "bad_var_param_name.cfg:3: variable 'dist_beta' has the name of a model parameter (expected a name of its own; to change the parameter use overrides or set)"},
    {FX "bad_var_chain.cfg", FX "bad_var_chain.cfg:3: variable 'b' refers to '$a' (expected a value: variables do not refer to each other)"},
    {FX "bad_var_unit.cfg", FX "bad_var_unit.cfg:6: 'duration' in phase 1 of arm 'a' is \"6 mg/g\": the unit does not fit this quantity (expected one of: d, h, min, w, mo, y); the value is $switch (defined at line 3)"},
    {FX "bad_set_unknown.cfg", FX "bad_set_unknown.cfg:5: unknown parameter 'dist_beat' in set of arm 'a' (expected a name listed by 'calcify params'); did you mean 'dist_beta'?"},
    {FX "bad_set_unit.cfg", FX "bad_set_unit.cfg:6: 'warfarin_thalf' in set of phase 1 of arm 'a' is \"12 mg\": the unit does not fit this quantity (expected one of: d, h, min, w, mo, y)"},
    {FX "bad_duration_unit.cfg", FX "bad_duration_unit.cfg:5: 'duration' in phase 1 of arm 'a' is \"2 yr\": missing or unknown unit (expected one of: d, h, min, w, mo, y)"},
    {FX "bad_endpoints_order.cfg", FX "bad_endpoints_order.cfg:3: endpoint 2 (\"6 w\") is not after the one before it (expected increasing times)"},
    {FX "bad_endpoints_unit.cfg", FX "bad_endpoints_unit.cfg:3: 'endpoint 2' in endpoints is \"12 ug/g\": the unit does not fit this quantity (expected one of: d, h, min, w, mo, y)"},
    {FX "bad_endpoint_obs.cfg", FX "bad_endpoint_obs.cfg:3: endpoint_observables: 'ca_aorta' is not an output column (expected a column name of 'calcify run', e.g. ca_aorta_ug_per_mg)"},
    {FX "bad_arm_key.cfg", FX "bad_arm_key.cfg:5: unknown key 'overrides' in arm 1 (expected one of: name, description, phases, set, start_day, growth)"},
    {FX "nonexistent.cfg", FX "nonexistent.cfg: cannot open: No such file or directory (expected a scenario or parameter file)"},
    {"tests/fixtures", "tests/fixtures: is a directory (expected a scenario or parameter file)"},
};
enum { N_BAD = sizeof bad / sizeof bad[0] };

static void test_bad_fixtures_library(void)
{
    for (size_t i = 0; i < N_BAD; i++) {
        calcify_scenario sc;
        calcify_error err = {""};
        calcify_status st = calcify_scenario_load(bad[i].file, &sc, &err);
        CU_ASSERT_EQUAL(st, CALCIFY_EINPUT);
        if (strcmp(err.msg, bad[i].message) != 0)
            fprintf(stderr, "\n  %s\n    got:  %s\n    want: %s\n", bad[i].file,
                    err.msg, bad[i].message);
        CU_ASSERT_STRING_EQUAL(err.msg, bad[i].message);
        /* nothing to free after a failure, and freeing is harmless */
        calcify_scenario_free(&sc);
    }
}

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        return NULL;
    static char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    return buf;
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    if (!d)
        return -1;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static void test_bad_fixtures_cli(void)
{
    const char *calcify = getenv("CALCIFY");
    CU_ASSERT_PTR_NOT_NULL_FATAL(calcify);
    char dir[] = "/tmp/calcify-test-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    char out[512], errf[512], cmd[2048];
    snprintf(out, sizeof out, "%s/out.csv", dir);
    snprintf(errf, sizeof errf, "%s/stderr", dir);
    for (size_t i = 0; i < N_BAD; i++) {
        FILE *fp = fopen(out, "w");
        fputs("sentinel\n", fp);
        fclose(fp);
        snprintf(cmd, sizeof cmd, "'%s' run '%s' -o '%s' 2>'%s' >/dev/null", calcify,
                 bad[i].file, out, errf);
        int rc = system(cmd);
        CU_ASSERT(WIFEXITED(rc) && WEXITSTATUS(rc) == 2);
        char want[1200];
        snprintf(want, sizeof want, "calcify: %s\n", bad[i].message);
        CU_ASSERT_STRING_EQUAL(slurp(errf), want);
        CU_ASSERT_STRING_EQUAL(slurp(out), "sentinel\n");
        CU_ASSERT_EQUAL(count_entries(dir), 2); /* out.csv and stderr only */
    }
    unlink(out);
    unlink(errf);
    rmdir(dir);
}

static void test_good_fixtures(void)
{
    const char *good[] = {"models/vermeer2007.cfg", FX "good_minimal.cfg",
                          FX "good_overrides.cfg", FX "good_lang.cfg",
                          FX "good_defaults.cfg", "models/warfarin_dose_response.cfg",
                          "models/long_followup.cfg"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        calcify_scenario sc;
        calcify_error err = {""};
        CU_ASSERT_EQUAL(calcify_scenario_load(good[i], &sc, &err), CALCIFY_OK);
        if (err.msg[0])
            fprintf(stderr, "\n  %s: %s\n", good[i], err.msg);
        calcify_scenario_free(&sc);
    }
    calcify_scenario sc;
    calcify_error err;
    CU_ASSERT_EQUAL_FATAL(calcify_scenario_load(FX "good_minimal.cfg", &sc, &err), CALCIFY_OK);
    CU_ASSERT_EQUAL(sc.n_arms, 1);
    CU_ASSERT_DOUBLE_EQUAL(sc.output_step, 0.5, 1e-15);        /* 12 h */
    CU_ASSERT_DOUBLE_EQUAL(sc.arms[0].phases[0].duration, 2.0, 1e-15);  /* 48 h */
    CU_ASSERT_DOUBLE_EQUAL(sc.arms[0].phases[1].duration, 7.0, 1e-15);  /* 1 w */
    CU_ASSERT_DOUBLE_EQUAL(sc.arms[0].phases[0].diet[CALCIFY_IN_WARFARIN], 3.0, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(sc.arms[0].phases[1].diet[CALCIFY_IN_K1], 0.1, 1e-15); /* μg/g */
    CU_ASSERT_DOUBLE_EQUAL(sc.baseline[CALCIFY_IN_K1], 0.005, 1e-15);            /* µg/g */
    CU_ASSERT_STRING_EQUAL(sc.method, "rk8pd");
    calcify_scenario_free(&sc);

    CU_ASSERT_EQUAL_FATAL(calcify_scenario_load(FX "good_overrides.cfg", &sc, &err), CALCIFY_OK);
    CU_ASSERT_DOUBLE_EQUAL(sc.params.value[CALCIFY_P_WARFARIN_THALF], 12.0, 1e-12); /* 0.5 d in h */
    CU_ASSERT_DOUBLE_EQUAL(sc.params.value[CALCIFY_P_FOOD_INTAKE], 65.0, 1e-12);
    CU_ASSERT_PTR_NOT_NULL(strstr(sc.params.source[CALCIFY_P_WARFARIN_THALF], "good_overrides.cfg:7"));
    calcify_scenario_free(&sc);

    /* the shipped scenario: the five arms of Schurgers 2007 */
    CU_ASSERT_EQUAL_FATAL(calcify_scenario_load("models/vermeer2007.cfg", &sc, &err), CALCIFY_OK);
    const char *arms[] = {"control", "wk_continued", "normal_k", "high_k1", "high_mk4"};
    CU_ASSERT_EQUAL(sc.n_arms, 5);
    for (int i = 0; i < 5; i++)
        CU_ASSERT_PTR_NOT_NULL(calcify_scenario_find_arm(&sc, arms[i]));
    const calcify_arm *c = calcify_scenario_find_arm(&sc, "high_mk4");
    CU_ASSERT_EQUAL(c->n_phases, 2);
    CU_ASSERT_DOUBLE_EQUAL(c->phases[0].diet[CALCIFY_IN_WARFARIN], 3.0, 0);
    CU_ASSERT_DOUBLE_EQUAL(c->phases[0].diet[CALCIFY_IN_K1], 1.5, 0);
    CU_ASSERT_DOUBLE_EQUAL(c->phases[1].diet[CALCIFY_IN_MK4], 0.1, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(calcify_arm_duration(c), 84.0, 0);
    calcify_scenario_free(&sc);
}

static void test_units(void)
{
    double v;
    CU_ASSERT_EQUAL(calcify_quantity_parse("6 w", "d", &v), 0);
    CU_ASSERT_DOUBLE_EQUAL(v, 42, 0);
    CU_ASSERT_EQUAL(calcify_quantity_parse(" 15h ", "d", &v), 0);
    CU_ASSERT_DOUBLE_EQUAL(v, 0.625, 1e-15);
    CU_ASSERT_EQUAL(calcify_quantity_parse("100 ug/g", "mg/g", &v), 0);
    CU_ASSERT_DOUBLE_EQUAL(v, 0.1, 1e-15);
    CU_ASSERT_EQUAL(calcify_quantity_parse("0.2052 1/h", "1/d", &v), 0);
    CU_ASSERT_DOUBLE_EQUAL(v, 4.9248, 1e-12);
    CU_ASSERT_EQUAL(calcify_quantity_parse("3", "d", &v), -2);
    CU_ASSERT_EQUAL(calcify_quantity_parse("3 mg/g", "d", &v), -3);
    CU_ASSERT_EQUAL(calcify_quantity_parse("nan d", "d", &v), -1);
    CU_ASSERT_EQUAL(calcify_quantity_parse("1e999 d", "d", &v), -1);
    CU_ASSERT_EQUAL(calcify_quantity_parse("", "d", &v), -1);
    CU_ASSERT_EQUAL(calcify_quantity_parse("3 furlongs", "d", &v), -2);
    /* the month: a twelfth of the Julian year, 365.25 / 12 = 30 + 7/16 d
     * (exact in binary), so twelve of them are a year and six 182.625 d */
    CU_ASSERT_EQUAL(calcify_quantity_parse("1 mo", "d", &v), 0);
    CU_ASSERT_DOUBLE_EQUAL(v, 30.4375, 0);
    CU_ASSERT_EQUAL(calcify_quantity_parse("6 mo", "d", &v), 0);
    CU_ASSERT_DOUBLE_EQUAL(v, 182.625, 0);
    CU_ASSERT_EQUAL(calcify_quantity_parse("12 mo", "y", &v), 0);
    CU_ASSERT_DOUBLE_EQUAL(v, 1.0, 0);
    CU_ASSERT_EQUAL(calcify_quantity_parse("1 mo", "mg/g", &v), -3);
}

static void test_set_assignments(void)
{
    calcify_scenario sc;
    calcify_error err;
    CU_ASSERT_EQUAL_FATAL(calcify_scenario_load("models/vermeer2007.cfg", &sc, &err), CALCIFY_OK);
    CU_ASSERT_EQUAL(calcify_paramset_assign(&sc.params, "warfarin_thalf=1 d", "cli", &err), CALCIFY_OK);
    CU_ASSERT_DOUBLE_EQUAL(sc.params.value[CALCIFY_P_WARFARIN_THALF], 24, 1e-12);
    CU_ASSERT_EQUAL(calcify_paramset_assign(&sc.params, "warfarin_thalf=12", "cli", &err), CALCIFY_OK);
    CU_ASSERT_DOUBLE_EQUAL(sc.params.value[CALCIFY_P_WARFARIN_THALF], 12, 1e-12);
    CU_ASSERT_EQUAL(calcify_paramset_assign(&sc.params, "warfarin_thalv=12", "cli", &err), CALCIFY_EUSAGE);
    CU_ASSERT_STRING_EQUAL(err.msg, "--set: unknown parameter 'warfarin_thalv' (see 'calcify params SCENARIO'); did you mean 'warfarin_thalf'?");
    CU_ASSERT_EQUAL(calcify_paramset_assign(&sc.params, "warfarin_f=2", "cli", &err), CALCIFY_EUSAGE);
    CU_ASSERT_STRING_EQUAL(err.msg, "parameter 'warfarin_f' is 2 1 (expected a value in [0, 1] 1)");
    CU_ASSERT_EQUAL(calcify_paramset_assign(&sc.params, "warfarin_thalf", "cli", &err), CALCIFY_EUSAGE);
    CU_ASSERT_EQUAL(calcify_paramset_assign(&sc.params, "warfarin_thalf=3 kg", "cli", &err), CALCIFY_EUSAGE);
    calcify_scenario_free(&sc);
}

static void test_paramset_roundtrip(void)
{
    calcify_paramset a, b;
    calcify_error err;
    CU_ASSERT_EQUAL_FATAL(calcify_paramset_load("models/rat_wky.cfg", &a, &err), CALCIFY_OK);
    char path[] = "/tmp/calcify-params-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    CU_ASSERT_EQUAL(calcify_paramset_write(&a, path, "a test\nof two lines", &err), CALCIFY_OK);
    CU_ASSERT_EQUAL_FATAL(calcify_paramset_load(path, &b, &err), CALCIFY_OK);
    for (int i = 0; i < CALCIFY_NPARAM; i++) {
        CU_ASSERT(rel_err(b.value[i], a.value[i]) < 1e-9);
        CU_ASSERT_STRING_EQUAL(b.source[i], a.source[i]);
    }
    /* every shipped parameter says where it comes from */
    for (int i = 0; i < CALCIFY_NPARAM; i++)
        CU_ASSERT(a.source[i] && strlen(a.source[i]) > 5);
    calcify_paramset_free(&a);
    calcify_paramset_free(&b);
    calcify_paramset_free(NULL);
    unlink(path);
}

static int register_suites(void)
{
    CU_pSuite s = CU_add_suite("parser", NULL, NULL);
    if (!s)
        return -1;
    return !CU_add_test(s, "good fixtures load with converted units", test_good_fixtures) ||
           !CU_add_test(s, "bad fixtures: exact messages", test_bad_fixtures_library) ||
           !CU_add_test(s, "bad fixtures: CLI exit 2, output untouched", test_bad_fixtures_cli) ||
           !CU_add_test(s, "units", test_units) ||
           !CU_add_test(s, "--set assignments", test_set_assignments) ||
           !CU_add_test(s, "parameter file write/read round trip", test_paramset_roundtrip);
}

CALCIFY_CUNIT_MAIN
