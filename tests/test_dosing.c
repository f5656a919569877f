/* test_dosing.c — doses (gavage, sc, ip, iv) and growth tables: state jumps
 * in the integrator against a closed form, the shipped model's response to
 * daily injections, per-animal against per-kg amounts, an iv bolus,
 * bioavailability from areas under the curve, intake following a growth
 * table, and bad dose and growth input. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "calcify/simulate.h"
#include "cunit_main.h"

#define FX "tests/fixtures/dosing/"

/* ---- the integrator: y' = −0.7 y with jumps ---------------------------- */
static int decay_rhs(double t, const double y[], double f[], const double u[], void *ctx)
{
    (void)t, (void)u, (void)ctx;
    f[0] = -0.7 * y[0];
    return GSL_SUCCESS;
}
static int decay_jac(double t, const double y[], double *J, double dfdt[], const double u[],
                     void *ctx)
{
    (void)t, (void)y, (void)dfdt, (void)u, (void)ctx;
    J[0] = -0.7;
    return GSL_SUCCESS;
}

typedef struct {
    int n;
    double t[64], y[64];
} rows1;

static int keep1(void *user, double t, size_t phase, const double y[], const double u[])
{
    (void)phase, (void)u;
    rows1 *r = user;
    if (r->n == 64)
        return 1;
    r->t[r->n] = t;
    r->y[r->n++] = y[0];
    return 0;
}

/* Jumps of +1 at t = 1 and +2 at t = 3 (and one at the phase's start):
 * y(t) = Σ a_k e^{−0.7 (t − t_k)} over the jumps so far; the row at a
 * jump's time shows the state after it. */
static void test_events_closed_form(void)
{
    const double none = 0;
    const calcify_event ev[3] = {{0, 0, 0.5}, {1, 0, 1}, {3, 0, 2}};
    calcify_system sys = {.dim = 1, .rhs = decay_rhs, .jac = decay_jac};
    calcify_phase ph = {.duration = 5, .input = &none, .events = ev, .n_events = 3};
    const char *methods[] = {"auto", "msbdf", "rkf45", "rk8pd", "bsimp"};
    for (size_t m = 0; m < sizeof methods / sizeof methods[0]; m++) {
        calcify_solver *sv = calcify_solver_alloc(&sys, methods[m], 1e-10, 1e-13);
        CU_ASSERT_PTR_NOT_NULL_FATAL(sv);
        double y[1] = {0};
        rows1 r = {0};
        CU_ASSERT_EQUAL(calcify_solver_run(sv, &ph, 1, y, 0.5, keep1, &r, NULL), CALCIFY_OK);
        CU_ASSERT_EQUAL(r.n, 11);
        for (int i = 0; i < r.n; i++) {
            double want = 0;
            for (int k = 0; k < 3; k++)
                if (r.t[i] >= ev[k].t)
                    want += ev[k].amount * exp(-0.7 * (r.t[i] - ev[k].t));
            if (rel_err(r.y[i], want) >= 1e-7)
                fprintf(stderr, "\n  %s: t = %g: %.10g, want %.10g\n", methods[m], r.t[i],
                        r.y[i], want);
            CU_ASSERT(rel_err(r.y[i], want) < 1e-7);
        }
        calcify_solver_free(sv);
    }
}

/* ---- the shipped model ------------------------------------------------- */
static calcify_scenario doses;

typedef struct {
    const calcify_scenario *sc;
    int obs;
    size_t n, cap;
    double *t, *v;
} series;

static int keep(void *user, const calcify_arm *arm, double t, size_t phase, const double y[],
                const double o[CALCIFY_NOBS])
{
    (void)arm, (void)phase, (void)y;
    series *s = user;
    if (s->n == s->cap)
        return 1;
    s->t[s->n] = t;
    s->v[s->n++] = o[s->obs];
    return 0;
}

/* Observable `obs` of arm `name` every dt days, with parameters ps. */
static series run_arm(const calcify_scenario *sc, const calcify_paramset *ps,
                      const char *name, int obs, double dt)
{
    series s = {sc, obs, 0, 20000, malloc(20000 * sizeof(double)), malloc(20000 * sizeof(double))};
    calcify_error err;
    calcify_sim *sim = calcify_sim_alloc(ps, sc->method, sc->rtol, sc->atol, &err);
    double y0[CALCIFY_NSTATE];
    calcify_sim_set_growth(sim, sc->growth);
    CU_ASSERT_EQUAL_FATAL(calcify_sim_baseline(sim, sc->baseline, y0, &err), CALCIFY_OK);
    CU_ASSERT_EQUAL(calcify_sim_run_arm(sim, calcify_scenario_find_arm(sc, name), y0, dt, keep,
                                        &s, &err), CALCIFY_OK);
    calcify_sim_free(sim);
    return s;
}

static void series_free(series *s)
{
    free(s->t);
    free(s->v);
}

static int setup(void)
{
    calcify_error err;
    if (calcify_scenario_load(FX "good_doses.cfg", &doses, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    return 0;
}

static int teardown(void)
{
    calcify_scenario_free(&doses);
    return 0;
}

/* Daily sc warfarin: within every day plasma warfarin rises from the
 * morning dose to a peak inside the day, then falls before the next. */
static void test_daily_sc_rises_and_falls(void)
{
    const double dt = 1.0 / 24;
    series s = run_arm(&doses, &doses.params, "sc_per_kg", CALCIFY_O_WARF_PLASMA, dt);
    for (int day = 0; day < 6; day++) {
        double first = NAN, peak = -INFINITY, last = NAN;
        int peak_at = -1;
        for (size_t i = 0; i < s.n; i++) {
            if (s.t[i] < day - 1e-9 || s.t[i] >= day + 1 - 1e-9)
                continue;
            if (isnan(first))
                first = s.v[i];
            if (s.v[i] > peak) {
                peak = s.v[i];
                peak_at = (int)lround((s.t[i] - day) / dt);
            }
            last = s.v[i];
        }
        CU_ASSERT(peak > first && peak > last);   /* rises, then falls */
        CU_ASSERT(peak_at > 0 && peak_at < 23);   /* peak inside the day */
    }
    series_free(&s);
}

/* 0.6 mg per animal for a 0.3 kg rat (body_weight) is 2 mg/kg; and a phase
 * with doses is not confused with the same diet without (arm cache). */
static void test_per_animal_equals_per_kg(void)
{
    CU_ASSERT_DOUBLE_EQUAL(doses.params.value[CALCIFY_P_BODY_WEIGHT], 0.3, 0);
    series a = run_arm(&doses, &doses.params, "sc_per_kg", CALCIFY_O_WARF_PLASMA, 0.25);
    series b = run_arm(&doses, &doses.params, "sc_per_animal", CALCIFY_O_WARF_PLASMA, 0.25);
    series c = run_arm(&doses, &doses.params, "none", CALCIFY_O_WARF_PLASMA, 0.25);
    CU_ASSERT_EQUAL_FATAL(a.n, b.n);
    for (size_t i = 0; i < a.n; i++)
        CU_ASSERT(fabs(a.v[i] - b.v[i]) <= 1e-9 * fabs(a.v[i]) + 1e-15);
    CU_ASSERT(a.v[a.n - 1] > 1.0 && c.v[c.n - 1] < 1e-12);
    series_free(&a);
    series_free(&b);
    series_free(&c);
}

/* An iv bolus of D ug/kg K1 raises plasma K1 at once by D / vk_vd ng/mL:
 * compared with the same arm without it, at the moment of the dose. */
static void test_iv_bolus_jump(void)
{
    series a = run_arm(&doses, &doses.params, "iv_k1", CALCIFY_O_K1_PLASMA, 0.5);
    series b = run_arm(&doses, &doses.params, "none", CALCIFY_O_K1_PLASMA, 0.5);
    const double want = 10.0 / doses.params.value[CALCIFY_P_VK_VD];
    CU_ASSERT_DOUBLE_EQUAL(a.t[2], 1.0, 0);
    CU_ASSERT(rel_err(a.v[2] - b.v[2], want) < 1e-9);
    CU_ASSERT(fabs(a.v[1] - b.v[1]) < 1e-12); /* nothing before it */
    series_free(&a);
    series_free(&b);
}

static double auc(const series *s)
{
    double a = 0;
    for (size_t i = 1; i < s->n; i++)
        a += 0.5 * (s->v[i] + s->v[i - 1]) * (s->t[i] - s->t[i - 1]);
    return a;
}

/* Bioavailability: at low doses warfarin's kinetics are linear, so the
 * area under the unbound curve is f·D/CLu whatever the route (0.005 mg/kg
 * peaks at 0.04% of warfarin_kd: linear to 4e-4); with sc_f =
 * 0.4 the sc area is 0.4 of the iv one (10 days: both curves decay to
 * nothing; trapezoids on rows every 0.1 h, whose error on the sc rise,
 * about (ka·h)²/12 of it, stays below 1e-4). */
static void test_sc_bioavailability(void)
{
    calcify_paramset ps;
    CU_ASSERT_EQUAL_FATAL(calcify_paramset_copy(&ps, &doses.params), CALCIFY_OK);
    ps.value[CALCIFY_P_SC_F] = 0.4;
    series iv = run_arm(&doses, &ps, "warfarin_iv", CALCIFY_O_WARF_UNBOUND, 1.0 / 240);
    series sc = run_arm(&doses, &ps, "warfarin_sc", CALCIFY_O_WARF_UNBOUND, 1.0 / 240);
    CU_ASSERT(rel_err(auc(&sc) / auc(&iv), 0.4) < 1e-3);
    calcify_paramset_free(&ps);
    series_free(&iv);
    series_free(&sc);
}

/* A growth table: body weight and food per kg follow it, linear in between
 * and constant after its last point; the diet's intake follows food/weight. */
static void test_growth_table(void)
{
    calcify_scenario g;
    calcify_error err;
    CU_ASSERT_EQUAL_FATAL(calcify_scenario_load(FX "good_growth.cfg", &g, &err), CALCIFY_OK);
    series bw = run_arm(&g, &g.params, "grow", CALCIFY_O_BODY_WEIGHT, 7);
    series k1 = run_arm(&g, &g.params, "grow", CALCIFY_O_K1_INTAKE, 7);
    CU_ASSERT_EQUAL_FATAL(bw.n, 7); /* weeks 0..6 */
    for (size_t i = 0; i < bw.n; i++) {
        const double w = fmin(bw.t[i] / 28, 1);
        const double kg = 0.25 + w * 0.08, food = 20 + w * 4;
        CU_ASSERT(rel_err(bw.v[i], kg) < 1e-12);
        CU_ASSERT(rel_err(k1.v[i], 5.0 * food / kg) < 1e-12); /* 5 ug/g */
    }
    series_free(&bw);
    series_free(&k1);
    calcify_scenario_free(&g);
}

/* ---- bad input: file:line, exit 2, no output --------------------------- */
static const struct {
    const char *file, *fragment;
} bad[] = {
    {"bad_drug.cfg", "bad_drug.cfg:5: unknown drug 'warfarine' in dose 1 of phase 1 of arm 'a' (expected one of: warfarin, k1, mk4); did you mean 'warfarin'?"},
    {"bad_route.cfg", "bad_route.cfg:5: unknown route 'subcutaneous'"},
    {"bad_diet_dose_unit.cfg", "bad_diet_dose_unit.cfg:4: 'warfarin' in phase 1 of arm 'a' is \"2 mg/kg\": a dose per kg body weight on a diet key"},
    {"bad_amount_unit.cfg", "bad_amount_unit.cfg:5: 'amount' in dose 1 of phase 1 of arm 'a' is \"2 mg/L\": a dose is per kg body weight or per animal"},
    {"bad_count.cfg", "bad_count.cfg:5: 'count' in dose 1 of phase 1 of arm 'a' is 9, but only 7 doses fit in the phase"},
    {"bad_dose_key.cfg", "bad_dose_key.cfg:5: unknown key 'evry' in dose 1 of phase 1 of arm 'a'"},
    {"bad_dose_at.cfg", "bad_dose_at.cfg:5: 'at' in dose 1 of phase 1 of arm 'a' is 8 d, at or after the phase's end"},
    {"bad_growth_lengths.cfg", "bad_growth_lengths.cfg:4: growth has 2 times, 1 body weights and 2 food intakes"},
    {"bad_growth_order.cfg", "bad_growth_order.cfg:4: growth time[3] = 14 d follows 28 d (expected increasing times)"},
    {"bad_growth_set.cfg", "bad_growth_set.cfg:4: phase 1 of arm 'a' sets 'food_intake', which the growth table at tests/fixtures/dosing/bad_growth_set.cfg:2 decides"},
};

static void test_bad_input(void)
{
    const char *calcify = getenv("CALCIFY");
    CU_ASSERT_PTR_NOT_NULL_FATAL(calcify);
    char dir[] = "/tmp/calcify-dosing-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        calcify_scenario sc;
        calcify_error err;
        char path[256];
        snprintf(path, sizeof path, FX "%s", bad[i].file);
        CU_ASSERT_EQUAL(calcify_scenario_load(path, &sc, &err), CALCIFY_EINPUT);
        if (!strstr(err.msg, bad[i].fragment))
            fprintf(stderr, "\n  %s: got \"%s\"\n", bad[i].file, err.msg);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, bad[i].fragment));
        char cmd[1024];
        snprintf(cmd, sizeof cmd, "'%s' run '%s' -o '%s/out.csv' 2>/dev/null; test $? -eq 2 "
                 "&& test ! -e '%s/out.csv'", calcify, path, dir, dir);
        CU_ASSERT_EQUAL(system(cmd), 0);
    }
    rmdir(dir);
}

static int register_suites(void)
{
    CU_pSuite e = CU_add_suite("dose events in the integrator", NULL, NULL);
    CU_pSuite m = CU_add_suite("doses and growth in the model", setup, teardown);
    if (!e || !m)
        return -1;
    return !CU_add_test(e, "jumps against the closed form, five steppers", test_events_closed_form) ||
           !CU_add_test(m, "daily sc warfarin rises and falls within each day", test_daily_sc_rises_and_falls) ||
           !CU_add_test(m, "per animal = per kg at the body weight; doses not shared", test_per_animal_equals_per_kg) ||
           !CU_add_test(m, "iv K1 bolus jumps plasma by D / Vd", test_iv_bolus_jump) ||
           !CU_add_test(m, "sc bioavailability from areas under the curve", test_sc_bioavailability) ||
           !CU_add_test(m, "growth table: body weight and intake", test_growth_table) ||
           !CU_add_test(m, "bad doses and growth: file:line, exit 2, no output", test_bad_input);
}

CALCIFY_CUNIT_MAIN
