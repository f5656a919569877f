/* test_api.c — the public API as a program outside the project sees it:
 * only "calcify/calcify.h", compiled with include/ alone on the path
 * (tests/meson.build), runs the Vermeer study the way docs/ARCHITECTURE.md
 * describes and checks the paper's ordering of the arms at week 12. */
#include <string.h>

#include "calcify/calcify.h"
#include "cunit_main.h"

static void test_vermeer_through_the_public_api(void)
{
    calcify_scenario sc;
    calcify_error err;
    CU_ASSERT_EQUAL_FATAL(calcify_scenario_load("models/vermeer2007.cfg", &sc, &err),
                          CALCIFY_OK);
    calcify_sim *sim = calcify_sim_alloc(&sc.params, sc.method, sc.rtol, sc.atol, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    const int ca = calcify_obs_find("ca_aorta_ug_per_mg");
    CU_ASSERT_FATAL(ca >= 0);
    const double at[] = {42, 84}; /* 6 and 12 weeks */
    calcify_probe p;
    CU_ASSERT_EQUAL_FATAL(calcify_probe_init(&p, &sc, NULL, at, 2, &ca, 1, &err), CALCIFY_OK);
    double v[64];
    CU_ASSERT_FATAL(p.n_out <= 64);
    CU_ASSERT_EQUAL_FATAL(calcify_runner_run(sim, &sc, &p, NULL, -1, v, NULL, NULL, &err),
                          CALCIFY_RUN_OK);
    double wk12[8] = {0};
    const char *names[8] = {0};
    for (size_t a = 0; a < p.n_arms && a < 8; a++) {
        const long ti = calcify_probe_time_index(&p.arms[a], 84);
        CU_ASSERT_FATAL(ti >= 0);
        wk12[a] = v[calcify_probe_slot(&p, a, (size_t)ti, 0)];
        names[a] = sc.arms[p.arms[a].arm].name;
    }
    /* Schurgers et al. 2007: continued W&K > normal K > both high-K diets
     * (which regress), and the normal-diet control lowest */
    double control = 0, wk = 0, normal = 0, k1 = 0, mk4 = 0;
    for (size_t a = 0; a < p.n_arms; a++) {
        if (!strcmp(names[a], "control")) control = wk12[a];
        if (!strcmp(names[a], "wk_continued")) wk = wk12[a];
        if (!strcmp(names[a], "normal_k")) normal = wk12[a];
        if (!strcmp(names[a], "high_k1")) k1 = wk12[a];
        if (!strcmp(names[a], "high_mk4")) mk4 = wk12[a];
    }
    CU_ASSERT(wk > normal);
    CU_ASSERT(normal > k1 && normal > mk4);
    CU_ASSERT(k1 > control && mk4 > control);
    calcify_probe_free(&p);
    calcify_sim_free(sim);
    calcify_scenario_free(&sc);
}

static int register_suites(void)
{
    CU_pSuite s = CU_add_suite("api", NULL, NULL);
    return !s || !CU_add_test(s, "Vermeer through calcify/calcify.h alone",
                              test_vermeer_through_the_public_api);
}

CALCIFY_CUNIT_MAIN
