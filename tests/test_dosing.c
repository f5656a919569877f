/* test_dosing.c — doses (gavage, sc, ip, iv) and growth tables: state jumps
 * in the integrator against a closed form, the shipped model's response to
 * daily injections, per-animal against per-kg amounts, an iv bolus,
 * bioavailability from areas under the curve, intake following a growth
 * table, weekday schedules against their weekly-entry form, infusions
 * against rate / clearance and the one-compartment closed form, and bad
 * dose and growth input. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "calcify/endpoints.h"
#include "calcify/runner.h"
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

/* ---- weekday schedules and infusions ------------------------------------ */
static calcify_scenario sched;

typedef struct {
    size_t n, cap;
    double *t;
    double (*o)[CALCIFY_NOBS];
} allobs;

static int keep_all(void *user, const calcify_arm *arm, double t, size_t phase,
                    const double y[], const double o[CALCIFY_NOBS])
{
    (void)arm, (void)phase, (void)y;
    allobs *s = user;
    if (s->n == s->cap)
        return 1;
    s->t[s->n] = t;
    memcpy(s->o[s->n++], o, sizeof s->o[0]);
    return 0;
}

/* Every observable of arm `name` every dt days. */
static allobs run_all(const calcify_scenario *sc, const char *name, double dt)
{
    allobs s = {0, 4000, malloc(4000 * sizeof(double)), malloc(4000 * sizeof s.o[0])};
    calcify_error err;
    calcify_sim *sim = calcify_sim_alloc(&sc->params, sc->method, sc->rtol, sc->atol, &err);
    double y0[CALCIFY_NSTATE];
    calcify_sim_set_growth(sim, sc->growth);
    CU_ASSERT_EQUAL_FATAL(calcify_sim_baseline(sim, sc->baseline, y0, &err), CALCIFY_OK);
    CU_ASSERT_EQUAL(calcify_sim_run_arm(sim, calcify_scenario_find_arm(sc, name), y0, dt,
                                        keep_all, &s, &err), CALCIFY_OK);
    calcify_sim_free(sim);
    return s;
}

static void allobs_free(allobs *s)
{
    free(s->t);
    free(s->o);
}

/* Arms a and b agree in every observable at every row to `rel`. */
static void assert_same_arms(const char *a, const char *b, double rel)
{
    allobs x = run_all(&sched, a, 0.25), y = run_all(&sched, b, 0.25);
    CU_ASSERT_EQUAL_FATAL(x.n, y.n);
    double worst = 0;
    for (size_t i = 0; i < x.n; i++) {
        CU_ASSERT_EQUAL(x.t[i], y.t[i]);
        for (int j = 0; j < CALCIFY_NOBS; j++) {
            const double big = fmax(fabs(x.o[i][j]), fabs(y.o[i][j]));
            const double d = fabs(x.o[i][j] - y.o[i][j]);
            if (d > worst * big)
                worst = big > 0 ? d / big : 0;
        }
    }
    if (!(worst <= rel))
        fprintf(stderr, "\n  %s vs %s: largest relative difference %g\n", a, b, worst);
    CU_ASSERT(worst <= rel);
    allobs_free(&x);
    allobs_free(&y);
}

static int setup_sched(void)
{
    calcify_error err;
    if (calcify_scenario_load(FX "good_schedules.cfg", &sched, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    return 0;
}

static int teardown_sched(void)
{
    calcify_scenario_free(&sched);
    return 0;
}

/* days = "Mon,Wed,Fri" at 6 h with day 0 a Monday is a dose at 6 h on days
 * 0, 2 and 4 of every week: three entries every 1 w at 6, 54 and 102 h. */
static void test_weekdays_equal_three_entries(void)
{
    const calcify_arm *a = calcify_scenario_find_arm(&sched, "mwf");
    CU_ASSERT_EQUAL_FATAL(a->phases[0].n_doses, 3);
    long total = 0;
    for (size_t i = 0; i < 3; i++)
        total += a->phases[0].doses[i].count;
    CU_ASSERT_EQUAL(total, 9); /* three weeks */
    assert_same_arms("mwf", "three", 1e-12);
}

/* The calendar runs through the arm: day 0 a Wednesday puts Wed, Fri, Mon
 * at days 0, 2, 5 (and 7, 9 again); the second phase starts on day 10, a
 * Saturday, so its Mondays are 2 and 9 days in. */
static void test_weekday_calendar(void)
{
    const calcify_arm *a = calcify_scenario_find_arm(&sched, "mwf_from_wed");
    CU_ASSERT_EQUAL_FATAL(a->phases[1].n_doses, 1);
    CU_ASSERT_DOUBLE_EQUAL(a->phases[1].doses[0].at, 2, 1e-12);
    CU_ASSERT_EQUAL(a->phases[1].doses[0].count, 2);
    assert_same_arms("mwf_from_wed", "wed_explicit", 1e-12);
}

/* Clearance of unbound warfarin at low levels, L/kg/d: the elimination
 * rate constant ln2 / t½ times the volume of the body at low levels,
 * Vu + Valb·Bmax/Kd (bound drug Valb·Bmax·Cu/(Kd + Cu) ≈ Valb·Bmax/Kd·Cu). */
static double warfarin_clu(const double *p)
{
    return M_LN2 / (p[CALCIFY_P_WARFARIN_THALF] / 24.0) *
           (p[CALCIFY_P_WARFARIN_VU] +
            p[CALCIFY_P_WARFARIN_VALB] * p[CALCIFY_P_ALBUMIN_CAPACITY] / p[CALCIFY_P_WARFARIN_KD]);
}

/* At steady state an infusion of R mg/kg/d is eliminated as fast as it
 * comes: R = CLu·Cu / (1 + Cu/Km), so Cu = R / (CLu − R/Km), whatever the
 * binding; sc, f·R arrives (the depot holds R/ka).  20 d are 32 half-lives
 * (15 h), leaving 2^-32 of the approach. */
static void test_infusion_steady_state(void)
{
    const double *p = sched.params.value;
    const double clu = warfarin_clu(p), km = p[CALCIFY_P_WARFARIN_KM_ELIM];
    const double R = 0.01, f = p[CALCIFY_P_SC_F];
    const double want_iv = R / (clu - R / km), want_sc = f * R / (clu - f * R / km);
    /* low enough to be nearly linear: saturation changes it by < 1e-4 */
    CU_ASSERT(want_iv / km < 1e-4);
    series iv = run_arm(&sched, &sched.params, "iv_infusion", CALCIFY_O_WARF_UNBOUND, 1);
    series sc = run_arm(&sched, &sched.params, "sc_infusion", CALCIFY_O_WARF_UNBOUND, 1);
    CU_ASSERT_DOUBLE_EQUAL(iv.t[iv.n - 1], 20, 0);
    if (rel_err(iv.v[iv.n - 1], want_iv) >= 1e-8)
        fprintf(stderr, "\n  iv: %.12g, want %.12g\n", iv.v[iv.n - 1], want_iv);
    CU_ASSERT(rel_err(iv.v[iv.n - 1], want_iv) < 1e-8);
    CU_ASSERT(rel_err(sc.v[sc.n - 1], want_sc) < 1e-8);
    series_free(&iv);
    series_free(&sc);
}

/* 1 ug/kg/d from day 2 for a day: at this level (Cu/Kd ~ 4e-5) warfarin is
 * one linear compartment of volume V = CLu/k with k = ln2/t½, so
 * Cu = R/CLu·(1 − e^{−k(t−2)}) while it runs and decays by e^{−k(t−3)}
 * after; nothing before day 2.  The binding's curvature, about
 * 2·Cu/Kd relative, bounds the agreement (1e-3).  The same given as an
 * amount over the duration, and per animal (0.3 ug/d for 0.3 kg), agree
 * with it to rounding. */
static void test_infusion_on_off(void)
{
    const double *p = sched.params.value;
    const double R = 1e-3, clu = warfarin_clu(p), k = M_LN2 / (p[CALCIFY_P_WARFARIN_THALF] / 24.0);
    CU_ASSERT_DOUBLE_EQUAL(p[CALCIFY_P_BODY_WEIGHT], 0.3, 0);
    series s = run_arm(&sched, &sched.params, "pulse_rate", CALCIFY_O_WARF_UNBOUND, 0.25);
    const double peak = R / clu * (1 - exp(-k));
    CU_ASSERT_EQUAL_FATAL(s.n, 25);
    for (size_t i = 0; i < s.n; i++) {
        const double t = s.t[i];
        const double want = t <= 2 ? 0 : t <= 3 ? R / clu * (1 - exp(-k * (t - 2)))
                                                : peak * exp(-k * (t - 3));
        if (t <= 2) {
            CU_ASSERT(fabs(s.v[i]) < 1e-20);
        } else {
            if (rel_err(s.v[i], want) >= 1e-3)
                fprintf(stderr, "\n  t = %g: %.10g, want %.10g\n", t, s.v[i], want);
            CU_ASSERT(rel_err(s.v[i], want) < 1e-3);
        }
    }
    for (int form = 0; form < 2; form++) {
        series o = run_arm(&sched, &sched.params, form ? "pulse_animal" : "pulse_amount",
                           CALCIFY_O_WARF_UNBOUND, 0.25);
        CU_ASSERT_EQUAL_FATAL(o.n, s.n);
        for (size_t i = 0; i < s.n; i++)
            CU_ASSERT(fabs(o.v[i] - s.v[i]) <= 1e-9 * fabs(s.v[i]) + 1e-20);
        series_free(&o);
    }
    series_free(&s);
}

/* Endpoints cut an arm at their times; an infusion running across a cut
 * (day 2.5 of the pulse from day 2 to 3) still stops at day 3: values at
 * the cuts agree with the uncut run's rows. */
static void test_infusion_across_cut(void)
{
    series s = run_arm(&sched, &sched.params, "pulse_rate", CALCIFY_O_WARF_UNBOUND, 0.25);
    const double want_t[3] = {2.5, 2.75, 4};
    const int obs = CALCIFY_O_WARF_UNBOUND;
    calcify_error err;
    calcify_sim *sim = calcify_sim_alloc(&sched.params, sched.method, sched.rtol, sched.atol,
                                         &err);
    double y0[CALCIFY_NSTATE], got[3];
    CU_ASSERT_EQUAL_FATAL(calcify_sim_baseline(sim, sched.baseline, y0, &err), CALCIFY_OK);
    /* the reader of every command: a 1 d grid, cut at 2.5 and 2.75 d */
    const calcify_probe_spec spec = {.dt = 1, .at = want_t, .n_at = 3, .obs = &obs, .n_obs = 1};
    calcify_probe p;
    CU_ASSERT_EQUAL_FATAL(calcify_probe_make_arm(&p, calcify_scenario_find_arm(&sched,
                                                                               "pulse_rate"),
                                                 &spec, &err), CALCIFY_OK);
    CU_ASSERT_EQUAL_FATAL(p.n_out, 3);
    CU_ASSERT_EQUAL(calcify_runner_arm(sim, &p, 0, y0, 0, got, NULL, &err), CALCIFY_OK);
    calcify_probe_free(&p);
    calcify_sim_free(sim);
    const size_t row[3] = {10, 11, 16}; /* 2.5, 2.75 and 4 d on the 0.25 d grid */
    for (int i = 0; i < 3; i++) {
        CU_ASSERT_DOUBLE_EQUAL(s.t[row[i]], want_t[i], 0);
        if (!(rel_err(got[i], s.v[row[i]]) < 1e-7))
            fprintf(stderr, "\n  t = %g: cut %.10g, uncut %.10g\n", want_t[i], got[i],
                    s.v[row[i]]);
        CU_ASSERT(rel_err(got[i], s.v[row[i]]) < 1e-7);
    }
    series_free(&s);
}

/* calcify run --doses: every dose with its amount per kg at its time.  The
 * rats grow linearly from 0.2 kg (day 0) to 0.3 kg (day 10): 0.5 mg per
 * animal at day 5 is 0.5 / 0.25 = 2 mg/kg; an iv infusion of 1 mg/d per
 * animal starts at 1 / 0.2 = 5 mg/kg/d and gives, over the 10 days,
 * ∫ dt / (0.2 + 0.01 t) = 100 ln 1.5 mg/kg; 10 ug/kg K1 is 0.01 mg/kg.
 * Arm b's second phase starts on day 7, a Monday: Tue and Sat at 12 h are
 * days 8.5 and 12.5.  The file appears only with a successful run. */
static void test_dose_record(void)
{
    const char *calcify = getenv("CALCIFY");
    CU_ASSERT_PTR_NOT_NULL_FATAL(calcify);
    char dir[] = "/tmp/calcify-doses-XXXXXX", cmd[1024], path[256];
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/doses.csv", dir);
    snprintf(cmd, sizeof cmd, "'%s' run " FX "good_dose_record.cfg -o %s/run.csv --doses %s",
             calcify, dir, path);
    CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
    static const struct {
        const char *arm;
        double t;
        int phase;
        const char *drug, *route;
        double amount, rate, duration; /* NAN: empty */
    } want[] = {
        {"a", 0, 1, "warfarin", "iv", 0, 5, 10}, /* amount: 100 ln 1.5 */
        {"a", 1, 1, "k1", "iv", 0.01, NAN, NAN},
        {"a", 5, 1, "warfarin", "sc", 2, NAN, NAN},
        {"b", 8.5, 2, "mk4", "oral", 0.05, NAN, NAN},
        {"b", 12.5, 2, "mk4", "oral", 0.05, NAN, NAN},
    };
    FILE *fp = fopen(path, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
    char line[512];
    CU_ASSERT_PTR_NOT_NULL(fgets(line, sizeof line, fp));
    CU_ASSERT_STRING_EQUAL(line, "arm,time_d,phase,drug,route,amount_mg_per_kg,"
                                 "rate_mg_per_kg_d,duration_d\n");
    size_t n = 0;
    while (fgets(line, sizeof line, fp)) {
        CU_ASSERT_FATAL(n < sizeof want / sizeof want[0]);
        char *f[8], *p = line;
        line[strcspn(line, "\n")] = '\0';
        for (int k = 0; k < 8; k++) { /* strsep keeps empty fields */
            f[k] = strsep(&p, ",");
            CU_ASSERT_PTR_NOT_NULL_FATAL(f[k]);
        }
        CU_ASSERT_STRING_EQUAL(f[0], want[n].arm);
        CU_ASSERT_DOUBLE_EQUAL(strtod(f[1], NULL), want[n].t, 1e-12);
        CU_ASSERT_EQUAL(atoi(f[2]), want[n].phase);
        CU_ASSERT_STRING_EQUAL(f[3], want[n].drug);
        CU_ASSERT_STRING_EQUAL(f[4], want[n].route);
        const double amount = n == 0 ? 100 * log(1.5) : want[n].amount;
        CU_ASSERT(rel_err(strtod(f[5], NULL), amount) < 1e-12);
        if (isnan(want[n].rate)) {
            CU_ASSERT_STRING_EQUAL(f[6], "");
            CU_ASSERT_STRING_EQUAL(f[7], "");
        } else {
            CU_ASSERT(rel_err(strtod(f[6], NULL), want[n].rate) < 1e-12);
            CU_ASSERT(rel_err(strtod(f[7], NULL), want[n].duration) < 1e-12);
        }
        n++;
    }
    fclose(fp);
    CU_ASSERT_EQUAL(n, sizeof want / sizeof want[0]);
    unlink(path);
    /* a run that fails (its output cannot be written) leaves no record */
    snprintf(cmd, sizeof cmd, "'%s' run " FX "good_dose_record.cfg -o /dev/full --doses %s "
             "2>/dev/null; test $? -eq 1 && test ! -e %s", calcify, path, path);
    CU_ASSERT_EQUAL(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "rm -f %s/run.csv", dir);
    CU_ASSERT_EQUAL(system(cmd), 0);
    CU_ASSERT_EQUAL(rmdir(dir), 0);
}

/* Growth per arm: "big" follows its own table (250 g at week 1 to 450 g at
 * week 3, constant outside), the others the scenario's (250 g at day 0 to
 * 330 g at week 4), also the arm run after "big"; food per kg follows each
 * table too (K1 intake = 5 ug/g · food / weight). */
typedef struct {
    int n[3];
    double bw[3][8], k1[3][8], t[3][8];
} arm_rows;

static int keep_arm(void *user, const calcify_arm *arm, double t, size_t phase,
                    const double y[], const double o[CALCIFY_NOBS])
{
    (void)phase, (void)y;
    arm_rows *r = user;
    const int a = arm->name[0] == 'b' ? 1 : strcmp(arm->name, "top") ? 2 : 0;
    if (r->n[a] == 8)
        return 1;
    r->t[a][r->n[a]] = t;
    r->bw[a][r->n[a]] = o[CALCIFY_O_BODY_WEIGHT];
    r->k1[a][r->n[a]++] = o[CALCIFY_O_K1_INTAKE];
    return 0;
}

static double lin(double t, double t0, double t1, double v0, double v1)
{
    return t <= t0 ? v0 : t >= t1 ? v1 : v0 + (t - t0) / (t1 - t0) * (v1 - v0);
}

static void test_growth_per_arm(void)
{
    calcify_scenario g;
    calcify_error err;
    CU_ASSERT_EQUAL_FATAL(calcify_scenario_load(FX "good_arm_growth.cfg", &g, &err), CALCIFY_OK);
    calcify_sim *sim = calcify_sim_alloc(&g.params, g.method, g.rtol, g.atol, &err);
    arm_rows r;
    memset(&r, 0, sizeof r);
    CU_ASSERT_EQUAL(calcify_sim_run_scenario(sim, &g, NULL, 7, keep_arm, &r, &err), CALCIFY_OK);
    for (int a = 0; a < 3; a++) {
        CU_ASSERT_EQUAL_FATAL(r.n[a], 7); /* weeks 0..6 */
        for (int i = 0; i < 7; i++) {
            const double t = r.t[a][i];
            const double kg = a == 1 ? lin(t, 7, 21, 0.25, 0.45) : lin(t, 0, 28, 0.25, 0.33);
            const double food = a == 1 ? lin(t, 7, 21, 20, 30) : lin(t, 0, 28, 20, 24);
            CU_ASSERT(rel_err(r.bw[a][i], kg) < 1e-12);
            CU_ASSERT(rel_err(r.k1[a][i], 5.0 * food / kg) < 1e-12);
        }
    }
    CU_ASSERT(r.bw[1][3] > r.bw[0][3] + 0.1); /* week 3: 450 g against 310 g */
    calcify_sim_free(sim);
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
    {"bad_days_name.cfg", "bad_days_name.cfg:5: 'days' in dose 1 of phase 1 of arm 'a' is \"Mon,Wedn,Fri\": 'Wedn' is not a weekday (expected weekdays separated by commas, e.g. \"Mon,Wed,Fri\"); did you mean 'Wed'?"},
    {"bad_days_every.cfg", "bad_days_every.cfg:5: dose 1 of phase 1 of arm 'a' gives 'days' and 'every' (expected one or the other"},
    {"bad_days_at.cfg", "bad_days_at.cfg:5: 'at' in dose 1 of phase 1 of arm 'a' is 1.25 d, not a time of day (expected a time below 1 d with 'days'"},
    {"bad_days_none.cfg", "bad_days_none.cfg:5: days = \"Sat,Sun\" in dose 1 of phase 1 of arm 'a' gives no dose: the phase runs 3 d from day 0 of the arm, whose day 0 is a Mon"},
    {"bad_start_day.cfg", "bad_start_day.cfg:4: 'start_day' in arm 'a' is \"Thurs\", not a weekday (expected one of: Mon, Tue, Wed, Thu, Fri, Sat, Sun); did you mean 'Thu'?"},
    {"bad_rate_no_duration.cfg", "bad_rate_no_duration.cfg:5: 'rate' in dose 1 of phase 1 of arm 'a' without 'duration' (expected duration ="},
    {"bad_rate_and_amount.cfg", "bad_rate_and_amount.cfg:5: dose 1 of phase 1 of arm 'a' gives both 'rate' and 'amount' (expected one of them"},
    {"bad_infusion_route.cfg", "bad_infusion_route.cfg:5: dose 1 of phase 1 of arm 'a' is an infusion (it has a duration) by route 'oral' (expected route = \"iv\" or \"sc\""},
    {"bad_rate_unit.cfg", "bad_rate_unit.cfg:5: 'rate' in dose 1 of phase 1 of arm 'a' is \"2 mg/kg\": an infusion rate is per kg body weight or per animal, per time (expected one of: mg/kg/d"},
    {"bad_infusion_end.cfg", "bad_infusion_end.cfg:5: the infusion of dose 1 of phase 1 of arm 'a' runs from 5 d to 8 d, past the phase's end (expected at + duration <= 7 d"},
    {"bad_arm_growth.cfg", "bad_arm_growth.cfg:3: growth has 2 times, 1 body weights and 2 food intakes"},
    {"bad_arm_growth_set.cfg", "bad_arm_growth_set.cfg:4: phase 1 of arm 'a' sets 'body_weight', which the growth table at tests/fixtures/dosing/bad_arm_growth_set.cfg:3 decides"},
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
    CU_pSuite w = CU_add_suite("weekday schedules and infusions", setup_sched, teardown_sched);
    if (!e || !m || !w)
        return -1;
    return !CU_add_test(e, "jumps against the closed form, five steppers", test_events_closed_form) ||
           !CU_add_test(m, "daily sc warfarin rises and falls within each day", test_daily_sc_rises_and_falls) ||
           !CU_add_test(m, "per animal = per kg at the body weight; doses not shared", test_per_animal_equals_per_kg) ||
           !CU_add_test(m, "iv K1 bolus jumps plasma by D / Vd", test_iv_bolus_jump) ||
           !CU_add_test(m, "sc bioavailability from areas under the curve", test_sc_bioavailability) ||
           !CU_add_test(m, "growth table: body weight and intake", test_growth_table) ||
           !CU_add_test(m, "growth per arm: each arm by its own table", test_growth_per_arm) ||
           !CU_add_test(m, "bad doses and growth: file:line, exit 2, no output", test_bad_input) ||
           !CU_add_test(w, "Mon/Wed/Fri = three weekly entries, every observable", test_weekdays_equal_three_entries) ||
           !CU_add_test(w, "weekdays follow the arm's calendar (start_day, later phases)", test_weekday_calendar) ||
           !CU_add_test(w, "iv and sc infusion: steady state R / (CLu - R/Km)", test_infusion_steady_state) ||
           !CU_add_test(w, "infusion on and off: one-compartment closed form; three forms", test_infusion_on_off) ||
           !CU_add_test(w, "an infusion across an endpoint cut stops on time", test_infusion_across_cut) ||
           !CU_add_test(w, "run --doses: every dose per kg at its time; only on success", test_dose_record);
}

CALCIFY_CUNIT_MAIN
