/* test_modeldef.c — the model interface (calcify/modeldef.h) with a model
 * that is not calcify's: a one-compartment PK model (a gut depot and the
 * body, first-order absorption and elimination, the drug also in the
 * food), run through the same calcify_sim, steady-state solver, dose
 * events, growth hooks and solver the shipped model runs through, and
 * checked against its closed forms (the Bateman function), up to the
 * runner every command reads values and step metrics through.
 *
 *   dG/dt = F_food·u − ka·G          G: gut, mg/kg; u: drug in food, mg/g
 *   dA/dt = f·ka·G − ke·A            A: body, mg/kg
 *   C = A / V                         plasma concentration, mg/L
 *
 * An oral bolus D (mg/kg) into the gut gives
 *   A(t) = f·D·ka/(ka − ke)·(e^(−ke·t) − e^(−ka·t)),
 * an iv bolus D into the body A(t) = D·e^(−ke·t), and a constant diet
 * (intake R = F_food·u mg/kg/d) from an empty animal
 *   A(t) = f·R/ke·(1 − (ka·e^(−ke·t) − ke·e^(−ka·t))/(ka − ke)).
 */
#include <math.h>
#include <string.h>

#include "calcify/calcify.h"
#include "cunit_main.h"

enum { G, A, NS };                                 /* states            */
enum { P_FOOD, P_BW, P_KA, P_KE, P_F, P_V, NP };   /* parameters        */
enum { U_DRUG, U_FOOD, U_BW, NU };                 /* inputs            */
enum { O_DIET, O_PLASMA, O_GUT, NO };              /* observables       */

typedef struct {
    double p[NP];
} pk_model;

static const calcify_state_def STATES[NS] = {
    {"G", "mg/kg", "drug in gut"},
    {"A", "mg/kg", "drug in the body"},
};
static const calcify_param_def PARAMS[NP] = {
    {"food_intake", "g/kg/d", "food eaten per kg body weight per day", 1, 500},
    {"body_weight", "kg", "body weight", 0.01, 10},
    {"ka", "1/d", "absorption rate constant", 1e-3, 1e4},
    {"ke", "1/d", "elimination rate constant", 1e-3, 1e4},
    {"f", "1", "bioavailability", 0, 1},
    {"v", "L/kg", "volume of distribution", 1e-3, 100},
};
static const calcify_diet_def DIET[1] = {
    {"drug", "u_drug", "mg/g", "drug in food", G, 1.0, NULL, NULL},
};
static const double NO_DIET[1] = {0};
static const char *const OBS[NO] = {"drug_diet_mg_per_g", "drug_plasma_mg_per_l",
                                    "drug_gut_mg_per_kg"};
/* its one drug (calcify_dose.drug 0): oral into the gut, iv into the
 * body, no sc or ip depot */
static const calcify_drug_def DRUGS[1] = {
    {"warfarin", {{G, 1.0}, {-1, 0}, {-1, 0}, {A, 1.0}}},
};

static void pk_init(void *m, const double p[]) { memcpy(((pk_model *)m)->p, p, sizeof(double) * NP); }
static void pk_set_reference(void *m, const double y[]) { (void)m, (void)y; }
static void pk_inputs(const void *m, const double diet[], double u[])
{
    const pk_model *pk = m;
    u[U_DRUG] = diet[0];
    u[U_FOOD] = pk->p[P_FOOD];
    u[U_BW] = pk->p[P_BW];
}
static int pk_rhs(const void *m, const double y[], double f[], const double u[])
{
    const double *p = ((const pk_model *)m)->p;
    f[G] = u[U_FOOD] * u[U_DRUG] - p[P_KA] * y[G];
    f[A] = p[P_F] * p[P_KA] * y[G] - p[P_KE] * y[A];
    return 0;
}
static int pk_jac(const void *m, const double y[], double *J, const double u[])
{
    (void)y, (void)u;
    const double *p = ((const pk_model *)m)->p;
    J[G * NS + G] = -p[P_KA], J[G * NS + A] = 0;
    J[A * NS + G] = p[P_F] * p[P_KA], J[A * NS + A] = -p[P_KE];
    return 0;
}
/* linear: the steady state itself, from either corner */
static void pk_steady_guess(const void *m, const double u[], int diseased, double y[])
{
    (void)diseased;
    const double *p = ((const pk_model *)m)->p;
    y[G] = u[U_FOOD] * u[U_DRUG] / p[P_KA];
    y[A] = p[P_F] * p[P_KA] * y[G] / p[P_KE];
}
static void pk_observe(const void *m, const double y[], const double u[], double obs[])
{
    const double *p = ((const pk_model *)m)->p;
    obs[O_DIET] = u[U_DRUG];
    obs[O_PLASMA] = y[A] / p[P_V];
    obs[O_GUT] = y[G];
}

static const calcify_modeldef PK = {
    .name = "pk1",
    .n_state = NS, .n_param = NP, .n_diet = 1, .n_u = NU, .n_obs = NO,
    .states = STATES, .params = PARAMS, .diet = DIET, .default_diet = NO_DIET,
    .obs_names = OBS,
    .instance_size = sizeof(pk_model),
    .fn = {pk_init, pk_set_reference, pk_inputs, pk_rhs, pk_jac, pk_steady_guess, pk_observe},
    .n_drug = 1, .drugs = DRUGS,
    .u_food = U_FOOD, .u_body_weight = U_BW,
    .p_food_intake = P_FOOD, .p_body_weight = P_BW,
};

/* ka = 1.5/d, ke = 0.3/d, f = 0.8, V = 0.5 L/kg, 40 g food/kg/d, 0.3 kg */
static const double KA = 1.5, KE = 0.3, FB = 0.8, V = 0.5, FOOD = 40, BW = 0.3;

/* Solver tolerances of these runs.  Each step's error is held below
 * RTOL·|y| + ATOL; over the few dozen steps of a run, with decaying modes
 * that damp what earlier steps left, the error of a row stays within a
 * small multiple of it: TOL_FACTOR, about 10 steps' worth, with room. */
#define RTOL 1e-8
#define ATOL 1e-12
#define TOL_FACTOR 20.0

static calcify_paramset pk_params(void)
{
    calcify_paramset ps;
    memset(&ps, 0, sizeof ps);
    ps.model = &PK;
    const double v[NP] = {[P_FOOD] = FOOD, [P_BW] = BW, [P_KA] = KA, [P_KE] = KE, [P_F] = FB,
                          [P_V] = V};
    memcpy(ps.value, v, sizeof v);
    return ps;
}

static double bateman(double d, double t)
{
    return FB * d * KA / (KA - KE) * (exp(-KE * t) - exp(-KA * t));
}

/* ---- the descriptor ------------------------------------------------------ */

static void test_check(void)
{
    char why[160] = "";
    CU_ASSERT_EQUAL(calcify_modeldef_check(&PK, why, sizeof why), 0);
    CU_ASSERT_EQUAL(calcify_modeldef_check(&calcify_vermeer2007_model, why, sizeof why), 0);
    CU_ASSERT_EQUAL(calcify_modeldef_param(&PK, "ke"), P_KE);
    CU_ASSERT_EQUAL(calcify_modeldef_obs(&PK, "drug_plasma_mg_per_l"), O_PLASMA);
    CU_ASSERT_EQUAL(calcify_modeldef_drug(&PK, "warfarin"), 0);
    CU_ASSERT_EQUAL(calcify_modeldef_drug(&PK, "k1"), -1);
    /* beyond the bounds: refused with the reason */
    calcify_modeldef big = PK;
    big.n_state = CALCIFY_MAX_STATE + 1;
    CU_ASSERT_EQUAL(calcify_modeldef_check(&big, why, sizeof why), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "states"));
    calcify_paramset ps = pk_params();
    ps.model = &big;
    calcify_error err;
    CU_ASSERT_PTR_NULL(calcify_sim_alloc(&ps, "rodas4", RTOL, ATOL, &err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "pk1"));
    /* the shipped model's descriptor is the one parameter files give */
    CU_ASSERT_PTR_EQUAL(calcify_params_file_model(), &calcify_vermeer2007_model);
}

/* ---- baseline: the steady-state solver through the descriptor ----------- */

static void test_baseline(void)
{
    calcify_paramset ps = pk_params();
    calcify_error err;
    calcify_sim *sim = calcify_sim_alloc(&ps, "rodas4", RTOL, ATOL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    CU_ASSERT_PTR_EQUAL(calcify_sim_modeldef(sim), &PK);
    double y[NS] = {1, 1};
    CU_ASSERT_EQUAL(calcify_sim_baseline(sim, NO_DIET, y, &err), CALCIFY_OK);
    CU_ASSERT(y[G] == 0 && y[A] == 0);
    /* 2 ug/g in the food: gut R/ka, body f·R/ke (R = 80 ug/kg/d) */
    const double diet[1] = {2e-3}, r = FOOD * 2e-3;
    CU_ASSERT_EQUAL_FATAL(calcify_sim_baseline(sim, diet, y, &err), CALCIFY_OK);
    CU_ASSERT(rel_err(y[G], r / KA) < 1e-12);
    CU_ASSERT(rel_err(y[A], FB * r / KE) < 1e-12);
    const calcify_steady_check *ck = calcify_sim_steady_check(sim);
    CU_ASSERT(ck->unique && ck->stable && ck->newton_clean && ck->newton_diseased);
    CU_ASSERT(fabs(ck->max_eigen_real + KE) < 1e-12); /* the slower mode, −ke */
    /* the observables, through the descriptor */
    double u[NU], obs[NO];
    PK.fn.inputs(calcify_sim_model(sim), diet, u);
    PK.fn.observe(calcify_sim_model(sim), y, u, obs);
    CU_ASSERT(rel_err(obs[O_PLASMA], FB * r / KE / V) < 1e-12);
    CU_ASSERT_EQUAL(u[U_BW], BW);
    calcify_sim_free(sim);
}

/* ---- arms: doses, the diet, growth, rows -------------------------------- */

typedef struct {
    int kind;          /* which closed form */
    double d;          /* its dose (mg/kg) or intake (mg/kg/d) */
    double worst;      /* largest error of a row, over its tolerance */
    int rows;
} check_rows;

enum { ORAL, IV, DIET_IN };

static double exact_a(const check_rows *c, double t)
{
    switch (c->kind) {
    case ORAL: return bateman(c->d, t);
    case IV: return c->d * exp(-KE * t);
    default:
        return FB * c->d / KE * (1 - (KA * exp(-KE * t) - KE * exp(-KA * t)) / (KA - KE));
    }
}

static int on_row(void *user, const calcify_arm *arm, double t, size_t phase,
                  const double y[], const double obs[])
{
    (void)arm, (void)phase;
    check_rows *c = user;
    const double want = exact_a(c, t);
    /* the tolerance of each row: TOL_FACTOR times what a step may err by */
    const double peak = c->kind == DIET_IN ? FB * c->d / KE : c->d;
    const double tol = TOL_FACTOR * (RTOL * peak + ATOL);
    c->worst = fmax(c->worst, fabs(y[A] - want) / tol);
    /* the row's observables are the model's, from its descriptor */
    c->worst = fmax(c->worst, fabs(obs[O_PLASMA] - want / V) / (tol / V));
    c->rows++;
    return 0;
}

/* One arm of one phase of `days` with `dose` (or none) and diet u, from
 * the baseline of an empty animal; the rows are checked against c. */
static void run_arm(const char *method, const calcify_dose *dose, double u, double days,
                    const calcify_growth *growth, check_rows *c)
{
    calcify_paramset ps = pk_params();
    calcify_error err;
    calcify_sim *sim = calcify_sim_alloc(&ps, method, RTOL, ATOL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    calcify_sim_set_growth(sim, growth);
    double y0[NS];
    CU_ASSERT_EQUAL_FATAL(calcify_sim_baseline(sim, NO_DIET, y0, &err), CALCIFY_OK);
    calcify_diet_phase ph = {.duration = days};
    ph.diet[0] = u;
    if (dose) {
        ph.doses = (calcify_dose *)dose;
        ph.n_doses = 1;
    }
    calcify_arm arm = {.name = "a", .description = "", .phases = &ph, .n_phases = 1};
    CU_ASSERT_EQUAL(calcify_sim_run_arm(sim, &arm, y0, 0.25, on_row, c, &err), CALCIFY_OK);
    CU_ASSERT(c->rows == (int)(days / 0.25) + 1);
    CU_ASSERT(c->worst <= 1.0);
    if (c->worst > 1.0)
        fprintf(stderr, "\n  %s: worst row error %.3g of its tolerance\n", method, c->worst);
    calcify_sim_free(sim);
}

static void test_oral_bolus(void)
{
    /* 10 mg/kg by gavage at t = 0: the Bateman function, with every
     * stepper family the shipped model uses */
    const calcify_dose d = {.drug = 0, .route = CALCIFY_ROUTE_ORAL,
                            .amount = 10, .per_kg = 1, .count = 1, .line = 1};
    const char *methods[] = {"rodas4", "auto", "msbdf", "rk8pd"};
    for (size_t k = 0; k < sizeof methods / sizeof methods[0]; k++) {
        check_rows c = {ORAL, 10, 0, 0};
        run_arm(methods[k], &d, 0, 10, NULL, &c);
    }
}

static void test_iv_per_animal(void)
{
    /* 3 mg per animal iv at t = 0 is 3/BW mg/kg into the body: the body
     * weight comes from the descriptor's p_body_weight */
    const calcify_dose d = {.drug = 0, .route = CALCIFY_ROUTE_IV,
                            .amount = 3, .per_kg = 0, .count = 1, .line = 1};
    check_rows c = {IV, 3 / BW, 0, 0};
    run_arm("rodas4", &d, 0, 10, NULL, &c);
}

static void test_diet_and_growth(void)
{
    /* the drug in the food: intake F·u through the descriptor's diet input */
    check_rows c = {DIET_IN, FOOD * 2e-3, 0, 0};
    run_arm("rodas4", NULL, 2e-3, 10, NULL, &c);
    /* a growth table in place of the parameters: 0.25 kg eating 7.5 g/d is
     * 30 g/kg/d, set through the descriptor's u_food and u_body_weight */
    double t0 = 0, bw = 0.25, food = 7.5;
    const calcify_growth g = {.n = 1, .t = &t0, .body_weight = &bw, .food = &food};
    check_rows cg = {DIET_IN, 30 * 2e-3, 0, 0};
    run_arm("rodas4", NULL, 2e-3, 10, &g, &cg);
}

static void test_no_route(void)
{
    /* the model has no sc depot: refused, naming the model */
    const calcify_dose d = {.drug = 0, .route = CALCIFY_ROUTE_SC,
                            .amount = 1, .per_kg = 1, .count = 1, .line = 7};
    calcify_paramset ps = pk_params();
    calcify_error err;
    calcify_sim *sim = calcify_sim_alloc(&ps, "rodas4", RTOL, ATOL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    double y0[NS];
    CU_ASSERT_EQUAL_FATAL(calcify_sim_baseline(sim, NO_DIET, y0, &err), CALCIFY_OK);
    calcify_diet_phase ph = {.duration = 1, .doses = (calcify_dose *)&d, .n_doses = 1};
    calcify_arm arm = {.name = "a", .description = "", .phases = &ph, .n_phases = 1};
    check_rows c = {ORAL, 0, 0, 0};
    CU_ASSERT_EQUAL(calcify_sim_run_arm(sim, &arm, y0, 0.25, on_row, &c, &err),
                    CALCIFY_EINPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "pk1"));
    calcify_sim_free(sim);
}

/* ---- the runner: values at times and step metrics, as every command reads */

static void test_runner(void)
{
    /* a scenario built in code for the PK model: one arm, 10 mg/kg by
     * gavage, read at day 2 with AUC, max and time of max of the plasma
     * concentration (from the solver's steps, runner.c) */
    const calcify_dose d = {.drug = 0, .route = CALCIFY_ROUTE_ORAL, .amount = 10, .per_kg = 1,
                            .count = 1, .line = 1};
    calcify_diet_phase ph = {.duration = 10, .doses = (calcify_dose *)&d, .n_doses = 1};
    calcify_arm arm = {.name = "oral", .description = "", .phases = &ph, .n_phases = 1};
    calcify_scenario sc;
    memset(&sc, 0, sizeof sc);
    sc.name = "pk", sc.description = "", sc.path = "test_modeldef.c";
    sc.output_step = 0.25, sc.method = "rodas4", sc.rtol = RTOL, sc.atol = ATOL;
    sc.arms = &arm, sc.n_arms = 1;
    sc.params = pk_params();
    calcify_error err;
    calcify_sim *sim = calcify_sim_alloc(&sc.params, sc.method, RTOL, ATOL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    const double at = 2.0;
    const int obs = O_PLASMA;
    const calcify_probe_spec spec = {.dt = 0.25, .at = &at, .n_at = 1, .obs = &obs, .n_obs = 1,
                                     .metrics = 1};
    calcify_probe p;
    CU_ASSERT_EQUAL_FATAL(calcify_probe_make(&p, &sc, &spec, &err), CALCIFY_OK);
    double v[16];
    CU_ASSERT_FATAL(p.n_out <= 16);
    CU_ASSERT_EQUAL(calcify_runner_run(sim, &sc, &p, NULL, -1, v, NULL, NULL, &err),
                    CALCIFY_RUN_OK);
    /* closed forms: C = A/V; its AUC over [0, T]; its peak at
     * ln(ka/ke)/(ka − ke) */
    const double T = 10, tol = TOL_FACTOR * (RTOL * 10 + ATOL) / V;
    const double auc = FB * 10 / V * KA / (KA - KE) *
                       ((1 - exp(-KE * T)) / KE - (1 - exp(-KA * T)) / KA);
    const double tmax = log(KA / KE) / (KA - KE), cmax = bateman(10, tmax) / V;
    CU_ASSERT(fabs(v[calcify_probe_slot(&p, 0, 0, 0)] - bateman(10, at) / V) <= tol);
    CU_ASSERT(fabs(v[calcify_probe_metric_slot(&p, 0, CALCIFY_METRIC_AUC, 0)] - auc) <= tol * T);
    CU_ASSERT(fabs(v[calcify_probe_metric_slot(&p, 0, CALCIFY_METRIC_MAX, 0)] - cmax) <= tol);
    /* the peak is flat: an error tol in C moves its time by up to
     * sqrt(2·tol/|C''|), C'' = −Cmax·ka·ke there */
    CU_ASSERT(fabs(v[calcify_probe_metric_slot(&p, 0, CALCIFY_METRIC_TMAX, 0)] - tmax) <=
              sqrt(2 * tol / (cmax * KA * KE)));
    CU_ASSERT(v[calcify_probe_metric_slot(&p, 0, CALCIFY_METRIC_MIN, 0)] <= tol);
    calcify_probe_free(&p);
    calcify_sim_free(sim);
}

static int register_suites(void)
{
    CU_pSuite s = CU_add_suite("modeldef", NULL, NULL);
    return !s || !CU_add_test(s, "descriptor checks", test_check) ||
           !CU_add_test(s, "steady state through the descriptor", test_baseline) ||
           !CU_add_test(s, "oral bolus: Bateman", test_oral_bolus) ||
           !CU_add_test(s, "iv bolus per animal", test_iv_per_animal) ||
           !CU_add_test(s, "diet input, growth table", test_diet_and_growth) ||
           !CU_add_test(s, "route the model lacks", test_no_route) ||
           !CU_add_test(s, "runner: values at times, step metrics", test_runner);
}

CALCIFY_CUNIT_MAIN
