/* test_observables.c — a scenario's own observables through the library:
 * the table a scenario gets, names deferred from the command line and bound
 * to it, units, and evaluation on several threads at once (each with its
 * own compiled copies, made while the others evaluate). */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "calcify/observables.h"
#include "calcify/scenario.h"

#define UO "models/vermeer2007_userobs.cfg"
#define PAR "tests/fixtures/good_userobs_params.cfg"

static calcify_scenario sc, sp;

static int setup(void)
{
    calcify_error err;
    if (calcify_scenario_load(UO, &sc, &err) || calcify_scenario_load(PAR, &sp, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    return 0;
}

static int teardown(void)
{
    calcify_scenario_free(&sc);
    calcify_scenario_free(&sp);
    return 0;
}

static void test_table(void)
{
    const calcify_obs_table *t = sc.obs;
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_EQUAL(calcify_obs_count(t), CALCIFY_NOBS + 2);
    CU_ASSERT_EQUAL(calcify_obs_count(NULL), CALCIFY_NOBS);
    CU_ASSERT_EQUAL(calcify_obs_lookup(t, "mk4_k1_aorta_ratio"), CALCIFY_NOBS);
    CU_ASSERT_EQUAL(calcify_obs_lookup(t, "warfarin_plasma_umol_per_l"), CALCIFY_NOBS + 1);
    CU_ASSERT_EQUAL(calcify_obs_lookup(t, "cmgp_fraction"), CALCIFY_O_CMGP_FRACTION);
    CU_ASSERT_EQUAL(calcify_obs_lookup(NULL, "mk4_k1_aorta_ratio"), -1);
    CU_ASSERT_STRING_EQUAL(calcify_obs_name(t, CALCIFY_NOBS + 1), "warfarin_plasma_umol_per_l");
    CU_ASSERT_STRING_EQUAL(calcify_obs_names_of(t)[CALCIFY_O_CA_AORTA], "ca_aorta_ug_per_mg");
    CU_ASSERT_PTR_NULL(calcify_obs_user(t, CALCIFY_O_CA_AORTA));
    const calcify_user_obs *u = calcify_obs_user(t, CALCIFY_NOBS + 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(u);
    CU_ASSERT_STRING_EQUAL(u->unit, "umol/L");
    /* every arm's rows have the scenario's columns */
    for (size_t k = 0; k < sc.n_arms; k++)
        CU_ASSERT_PTR_EQUAL(sc.arms[k].obs, t);
    /* endpoint_observables names two of them */
    CU_ASSERT_EQUAL_FATAL(sc.n_endpoint_obs, 3);
    CU_ASSERT_EQUAL(sc.endpoint_obs[1], CALCIFY_NOBS);
    CU_ASSERT_EQUAL(sc.endpoint_obs[2], CALCIFY_NOBS + 1);
    /* tables of two scenarios are told apart */
    CU_ASSERT_NOT_EQUAL(sc.obs->serial, sp.obs->serial);
}

static void test_defer_bind(void)
{
    int obs[3] = {calcify_obs_defer("cmgp_fraction"), calcify_obs_defer("mk4_k1_aorta_ratio"),
                  calcify_obs_defer("warfarin_plasma_umol_per_l")};
    CU_ASSERT_EQUAL(obs[0], CALCIFY_O_CMGP_FRACTION);
    CU_ASSERT(obs[1] >= CALCIFY_OBS_DEFERRED);
    CU_ASSERT_EQUAL(calcify_obs_defer("mk4_k1_aorta_ratio"), obs[1]); /* the same name again */
    CU_ASSERT_STRING_EQUAL(calcify_obs_name(NULL, obs[1]), "mk4_k1_aorta_ratio");
    CU_ASSERT_EQUAL(calcify_obs_defer("no,column"), -1);
    calcify_error err;
    CU_ASSERT_EQUAL_FATAL(calcify_obs_bind(sc.obs, obs, 3, "--observable", CALCIFY_EUSAGE, &err),
                          CALCIFY_OK);
    CU_ASSERT_EQUAL(obs[1], CALCIFY_NOBS);
    CU_ASSERT_EQUAL(obs[2], CALCIFY_NOBS + 1);
    int bad[1] = {calcify_obs_defer("mk4_k1_aorta_rati")};
    CU_ASSERT_EQUAL(calcify_obs_bind(sc.obs, bad, 1, "--observable", CALCIFY_EUSAGE, &err),
                    CALCIFY_EUSAGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "did you mean 'mk4_k1_aorta_ratio'?"));
    int none[1] = {calcify_obs_defer("mk4_k1_aorta_ratio")};
    CU_ASSERT_EQUAL(calcify_obs_bind(NULL, none, 1, "--observable", CALCIFY_EUSAGE, &err),
                    CALCIFY_EUSAGE);
}

static void test_units(void)
{
    const char *good[] = {"1", "%", "umol/L", "ng/g", "1/d", "mg/kg/d", "mmol/g", "h"};
    const char *bad[] = {"", "uM", "1/", "/d", "ng//g", "mol/x", "2/d", "d/1"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        CU_ASSERT_EQUAL(calcify_obs_unit_ok(good[i]), 1);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        CU_ASSERT_EQUAL(calcify_obs_unit_ok(bad[i]), 0);
}

/* A thread: evaluates both scenarios' tables in turn (so its copies are
 * made again and again, under the parse lock, while others evaluate) and
 * checks every value against its expression computed in C. */
typedef struct {
    int id, bad;
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    calcify_obs_eval ev = {0};
    double obs[CALCIFY_MAX_OBS] = {0}, p[CALCIFY_NPARAM];
    memcpy(p, sc.params.value, sizeof p);
    for (int i = 0; i < 20000; i++) {
        const double a = 1.0 + w->id + i * 1e-3, b = 3.0 + i * 7e-4;
        obs[CALCIFY_O_MK4_AORTA] = a;
        obs[CALCIFY_O_K1_AORTA] = b;
        obs[CALCIFY_O_WARF_PLASMA] = a * b;
        obs[CALCIFY_O_CA_AORTA] = b;
        obs[CALCIFY_O_CLOTTING] = a;
        const calcify_scenario *s = (i / 100) % 2 ? &sp : &sc;
        if (calcify_obs_evaluate(&ev, s->obs, i * 0.5, p, obs)) {
            w->bad++;
            continue;
        }
        if (s == &sc)
            w->bad += obs[CALCIFY_NOBS] != a / b ||
                      obs[CALCIFY_NOBS + 1] != a * b * 1000 / 308.33;
        else
            w->bad += obs[CALCIFY_NOBS] != i * 0.5 * 24 ||
                      obs[CALCIFY_NOBS + 2] != 2 * p[CALCIFY_P_DIST_BETA] ||
                      obs[CALCIFY_NOBS + 3] != b - p[CALCIFY_P_CA_TISSUE] ||
                      obs[CALCIFY_NOBS + 4] != log(a) + sqrt(4) - 2;
    }
    calcify_obs_eval_free(&ev);
    return NULL;
}

static void test_threads(void)
{
    enum { N = 4 };
    pthread_t th[N];
    worker w[N];
    for (int k = 0; k < N; k++) {
        w[k] = (worker){k, 0};
        CU_ASSERT_EQUAL_FATAL(pthread_create(&th[k], NULL, work, &w[k]), 0);
    }
    for (int k = 0; k < N; k++) {
        pthread_join(th[k], NULL);
        CU_ASSERT_EQUAL(w[k].bad, 0);
    }
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("observables", setup, teardown);
    if (!s || !CU_add_test(s, "a scenario's observable table", test_table) ||
        !CU_add_test(s, "command-line names deferred, then bound", test_defer_bind) ||
        !CU_add_test(s, "units", test_units) ||
        !CU_add_test(s, "evaluation on four threads, copies remade", test_threads)) {
        CU_cleanup_registry();
        return 1;
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_suites_failed();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
