/* modeldef.c — the shipped model behind the one interface the layers above
 * read (calcify/modeldef.h): its states, diet inputs, dose targets and
 * growth hooks as data, its functions through thin wrappers (the
 * instance is a calcify_model). */
#include <stdio.h>
#include <string.h>

#include "calcify/modeldef.h"

/* States (docs/MODEL.md §2): id = the symbol there, also the SBML id. */
static const calcify_state_def STATES[CALCIFY_NSTATE] = {
    [CALCIFY_S_WARF_GUT] = {"Wg", "mg/kg", "warfarin in gut"},
    [CALCIFY_S_WARF_BODY] = {"A", "mg/kg", "warfarin in the body, unbound and albumin-bound"},
    [CALCIFY_S_K1_GUT] = {"K1g", "ug/kg", "K1 in gut"},
    [CALCIFY_S_MK4_GUT] = {"MK4g", "ug/kg", "MK-4 in gut"},
    [CALCIFY_S_K1_PL] = {"K1p", "ug/kg", "K1 in plasma"},
    [CALCIFY_S_MK4_PL] = {"MK4p", "ug/kg", "MK-4 in plasma"},
    [CALCIFY_S_LIV_Q] = {"QL", "ng/g", "liver vitamin K quinone (K1 + MK-4)"},
    [CALCIFY_S_LIV_H] = {"HL", "ng/g", "liver vitamin K hydroquinone (KH2)"},
    [CALCIFY_S_LIV_E] = {"EL", "ng/g", "liver vitamin K epoxide (KO)"},
    [CALCIFY_S_CLOT] = {"P", "1", "prothrombin activity, fraction of fully carboxylated synthesis"},
    [CALCIFY_S_AO_K1_Q] = {"Q1", "ng/g", "aortic K1 quinone"},
    [CALCIFY_S_AO_K1_H] = {"H1", "ng/g", "aortic K1 hydroquinone"},
    [CALCIFY_S_AO_K1_E] = {"E1", "ng/g", "aortic K1 epoxide"},
    [CALCIFY_S_AO_MK4_Q] = {"Q4", "ng/g", "aortic MK-4 quinone"},
    [CALCIFY_S_AO_MK4_H] = {"H4", "ng/g", "aortic MK-4 hydroquinone"},
    [CALCIFY_S_AO_MK4_E] = {"E4", "ng/g", "aortic MK-4 epoxide"},
    [CALCIFY_S_UCMGP] = {"uc", "1", "uncarboxylated MGP, in units of the normal-diet pool"},
    [CALCIFY_S_CMGP] = {"c", "1", "carboxylated MGP, in units of the normal-diet pool"},
    [CALCIFY_S_VSMC_SW] = {"S", "1", "share of medial VSMCs switched to the osteochondrogenic phenotype"},
    [CALCIFY_S_CA_YOUNG] = {"My", "ug/mg", "young (amorphous, resorbable) aortic mineral"},
    [CALCIFY_S_CA_MATURE] = {"Mm", "ug/mg", "mature (apatite) aortic mineral"},
    [CALCIFY_S_WARF_GAVAGE] = {"Dw_g", "mg/kg", "warfarin dose depot, gavage"},
    [CALCIFY_S_WARF_SC] = {"Dw_sc", "mg/kg", "warfarin dose depot, subcutaneous"},
    [CALCIFY_S_WARF_IP] = {"Dw_ip", "mg/kg", "warfarin dose depot, intraperitoneal"},
    [CALCIFY_S_K1_GAVAGE] = {"D1_g", "ug/kg", "K1 dose depot, gavage"},
    [CALCIFY_S_K1_SC] = {"D1_sc", "ug/kg", "K1 dose depot, subcutaneous"},
    [CALCIFY_S_K1_IP] = {"D1_ip", "ug/kg", "K1 dose depot, intraperitoneal"},
    [CALCIFY_S_MK4_GAVAGE] = {"D4_g", "ug/kg", "MK-4 dose depot, gavage"},
    [CALCIFY_S_MK4_SC] = {"D4_sc", "ug/kg", "MK-4 dose depot, subcutaneous"},
    [CALCIFY_S_MK4_IP] = {"D4_ip", "ug/kg", "MK-4 dose depot, intraperitoneal"},
};

/* The diet: food concentrations in mg/g; each enters its gut state with
 * the food, warfarin in mg/kg (×1), K1 and MK-4 in ug/kg (×1000). */
static const calcify_diet_def DIET[CALCIFY_NINPUT] = {
    [CALCIFY_IN_WARFARIN] = {"warfarin", "u_W", "mg/g", "warfarin in food", CALCIFY_S_WARF_GUT,
                             1.0, "warfarin", "dose = \"3 mg/g\""},
    [CALCIFY_IN_K1] = {"k1", "u_K1", "mg/g", "vitamin K1 in food", CALCIFY_S_K1_GUT, 1000.0,
                       "vitamin K1", "k1_dose = \"100 ug/g\""},
    [CALCIFY_IN_MK4] = {"mk4", "u_MK4", "mg/g", "MK-4 in food", CALCIFY_S_MK4_GUT, 1000.0,
                        "MK-4", "mk4_dose = \"100 ug/g\""},
};

/* A scenario without a baseline diet: the normal rat chow of week 0
 * (5 ug/g K1, docs/SCENARIOS.md). */
static const double DEFAULT_DIET[CALCIFY_NINPUT] = {[CALCIFY_IN_K1] = 5e-3};

/* A gavage, sc or ip dose goes to the drug's depot of that route (model.c
 * absorbs it from there), an iv dose straight into the body (warfarin) or
 * plasma (K1, MK-4); warfarin states are mg/kg, K1 and MK-4 ug/kg. */
#define DRUG(nm, depot, central, f)                                                     \
    {nm, {{depot, f}, {depot + 1, f}, {depot + 2, f}, {central, f}}}
static const calcify_drug_def DRUGS[] = {
    DRUG("warfarin", CALCIFY_S_WARF_GAVAGE, CALCIFY_S_WARF_BODY, 1.0),
    DRUG("k1", CALCIFY_S_K1_GAVAGE, CALCIFY_S_K1_PL, 1000.0),
    DRUG("mk4", CALCIFY_S_MK4_GAVAGE, CALCIFY_S_MK4_PL, 1000.0),
};
#undef DRUG

/* The baseline check reports the aortic mineral of each start. */
static const int MINERAL[] = {CALCIFY_S_CA_YOUNG, CALCIFY_S_CA_MATURE};

static void fn_init(void *m, const double p[])
{
    calcify_model *cm = m;
    memcpy(cm->p, p, sizeof cm->p);
    calcify_model_init(cm);
}
static void fn_set_reference(void *m, const double y[]) { calcify_model_set_reference(m, y); }
static void fn_inputs(const void *m, const double diet[], double u[])
{
    calcify_model_inputs(m, diet, u);
}
static int fn_rhs(const void *m, const double y[], double dydt[], const double u[])
{
    return calcify_model_rhs(m, y, dydt, u);
}
static int fn_jac(const void *m, const double y[], double *dfdy, const double u[])
{
    return calcify_model_jac(m, y, dfdy, u);
}
static void fn_steady_guess(const void *m, const double u[], int diseased, double y[])
{
    calcify_model_steady_guess(m, u, diseased, y);
}
static void fn_observe(const void *m, const double y[], const double u[], double obs[])
{
    calcify_model_observe(m, y, u, obs);
}
static void fn_observe_some(const void *m, const double y[], const double u[],
                            const int which[], size_t n, double obs[])
{
    calcify_model_observe_some(m, y, u, which, n, obs);
}

const calcify_modeldef calcify_vermeer2007_model = {
    .name = "vermeer2007",
    .n_state = CALCIFY_NSTATE,
    .n_param = CALCIFY_NPARAM,
    .n_diet = CALCIFY_NINPUT,
    .n_u = CALCIFY_NU,
    .n_obs = CALCIFY_NOBS,
    .states = STATES,
    .params = calcify_param_defs,
    .diet = DIET,
    .default_diet = DEFAULT_DIET,
    .obs_names = calcify_obs_names,
    .obs_reads = calcify_obs_reads,
    .instance_size = sizeof(calcify_model),
    .fn = {fn_init, fn_set_reference, fn_inputs, fn_rhs, fn_jac, fn_steady_guess, fn_observe,
           fn_observe_some},
    .n_drug = sizeof DRUGS / sizeof DRUGS[0],
    .drugs = DRUGS,
    .u_food = CALCIFY_U_FOOD,
    .u_body_weight = CALCIFY_U_BODY_WEIGHT,
    .p_food_intake = CALCIFY_P_FOOD_INTAKE,
    .p_body_weight = CALCIFY_P_BODY_WEIGHT,
    .summary_states = MINERAL,
    .n_summary = 2,
    .summary_name = "aortic mineral",
    .summary_unit = "ug/mg",
};

_Static_assert(CALCIFY_NSTATE <= CALCIFY_MAX_STATE && CALCIFY_NPARAM <= CALCIFY_MAX_PARAM &&
                   CALCIFY_NINPUT <= CALCIFY_MAX_DIET && CALCIFY_NU <= CALCIFY_MAX_U &&
                   CALCIFY_NOBS <= CALCIFY_MAX_MODEL_OBS,
               "the shipped model fits the CALCIFY_MAX_* bounds");

#define FAIL(...) return (snprintf(why, cap, __VA_ARGS__), -1)

int calcify_modeldef_check(const calcify_modeldef *md, char *why, size_t cap)
{
    if (md->n_state == 0 || md->n_state > CALCIFY_MAX_STATE)
        FAIL("model '%s': %zu states (expected 1 to %d)", md->name, md->n_state, CALCIFY_MAX_STATE);
    if (md->n_param > CALCIFY_MAX_PARAM)
        FAIL("model '%s': %zu parameters (expected at most %d)", md->name, md->n_param,
             CALCIFY_MAX_PARAM);
    if (md->n_diet > CALCIFY_MAX_DIET || md->n_u > CALCIFY_MAX_U || md->n_diet > md->n_u)
        FAIL("model '%s': %zu diet inputs of %zu inputs (expected at most %d of at most %d)",
             md->name, md->n_diet, md->n_u, CALCIFY_MAX_DIET, CALCIFY_MAX_U);
    if (md->n_obs > CALCIFY_MAX_MODEL_OBS || md->n_drug > CALCIFY_MAX_DRUG)
        FAIL("model '%s': %zu observables, %zu drugs (expected at most %d, %d)", md->name,
             md->n_obs, md->n_drug, CALCIFY_MAX_MODEL_OBS, CALCIFY_MAX_DRUG);
    if (md->u_food >= md->n_u || md->u_body_weight >= md->n_u || md->p_food_intake < 0 ||
        md->p_body_weight < 0 || (size_t)md->p_food_intake >= md->n_param ||
        (size_t)md->p_body_weight >= md->n_param)
        FAIL("model '%s': growth hooks out of range", md->name);
    for (size_t k = 0; k < md->n_diet; k++)
        if (md->diet[k].state >= md->n_state)
            FAIL("model '%s': diet input '%s' enters state %zu of %zu", md->name,
                 md->diet[k].key, md->diet[k].state, md->n_state);
    for (size_t d = 0; d < md->n_drug; d++)
        for (int r = 0; r < CALCIFY_MODEL_NROUTE; r++)
            if (md->drugs[d].route[r].state >= (int)md->n_state)
                FAIL("model '%s': a dose of '%s' enters state %d of %zu", md->name,
                     md->drugs[d].name, md->drugs[d].route[r].state, md->n_state);
    for (size_t k = 0; k < md->n_summary; k++)
        if (md->summary_states[k] < 0 || md->summary_states[k] >= (int)md->n_state)
            FAIL("model '%s': summary state %d of %zu", md->name, md->summary_states[k],
                 md->n_state);
    return 0;
}
#undef FAIL

int calcify_modeldef_param(const calcify_modeldef *md, const char *name)
{
    for (size_t i = 0; i < md->n_param; i++)
        if (strcmp(md->params[i].name, name) == 0)
            return (int)i;
    return -1;
}

int calcify_modeldef_obs(const calcify_modeldef *md, const char *name)
{
    for (size_t i = 0; i < md->n_obs; i++)
        if (strcmp(md->obs_names[i], name) == 0)
            return (int)i;
    return -1;
}

int calcify_modeldef_drug(const calcify_modeldef *md, const char *name)
{
    for (size_t i = 0; i < md->n_drug; i++)
        if (strcmp(md->drugs[i].name, name) == 0)
            return (int)i;
    return -1;
}
