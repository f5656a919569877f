/* calcify/model.h — the warfarin / vitamin K / MGP / aortic calcium model.
 *
 * The equations are documented in docs/MODEL.md; src/model/model.c implements them.
 * Layout: CALCIFY_NSTATE states (calcify_state_index), CALCIFY_NPARAM
 * parameters (calcify_param_index), CALCIFY_NINPUT diet inputs and
 * CALCIFY_NOBS observables (the CSV columns after arm and time).
 * Time is in days throughout.  The model is a cascade: warfarin and diet ->
 * vitamin K pools -> carboxylated MGP -> VSMC phenotype and mineral; its one
 * loop (switched VSMCs make more MGP, more cMGP reverts them) is negative,
 * so under a constant diet it has exactly one steady state (docs/MODEL.md §5).
 */
#ifndef CALCIFY_MODEL_H
#define CALCIFY_MODEL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* State vector.  Gut, plasma and warfarin amounts are per kg body weight;
 * tissue vitamin K per g wet tissue; MGP in units of the normal-diet MGP
 * pool; mineral in ug per mg dry aorta.  docs/MODEL.md §2. */
typedef enum {
    CALCIFY_S_WARF_GUT,   /* warfarin in gut, mg/kg                          */
    CALCIFY_S_WARF_BODY,  /* warfarin in the body (unbound + albumin-bound), mg/kg */
    CALCIFY_S_K1_GUT,     /* K1 in gut, ug/kg                                */
    CALCIFY_S_MK4_GUT,    /* MK-4 in gut, ug/kg                              */
    CALCIFY_S_K1_PL,      /* K1 in plasma, ug/kg                             */
    CALCIFY_S_MK4_PL,     /* MK-4 in plasma, ug/kg                           */
    CALCIFY_S_LIV_Q,      /* liver vitamin K quinone, ng/g                   */
    CALCIFY_S_LIV_H,      /* liver vitamin K hydroquinone (KH2), ng/g        */
    CALCIFY_S_LIV_E,      /* liver vitamin K epoxide (KO), ng/g              */
    CALCIFY_S_CLOT,       /* prothrombin activity, fraction of full (1)      */
    CALCIFY_S_AO_K1_Q,    /* aortic K1 quinone, ng/g                         */
    CALCIFY_S_AO_K1_H,    /* aortic K1 hydroquinone, ng/g                    */
    CALCIFY_S_AO_K1_E,    /* aortic K1 epoxide, ng/g                         */
    CALCIFY_S_AO_MK4_Q,   /* aortic MK-4 quinone, ng/g                       */
    CALCIFY_S_AO_MK4_H,   /* aortic MK-4 hydroquinone, ng/g                  */
    CALCIFY_S_AO_MK4_E,   /* aortic MK-4 epoxide, ng/g                       */
    CALCIFY_S_UCMGP,      /* uncarboxylated MGP, rel. to normal-diet pool    */
    CALCIFY_S_CMGP,       /* carboxylated MGP, rel. to normal-diet pool      */
    CALCIFY_S_VSMC_SW,    /* share of medial VSMCs switched to the
                             osteochondrogenic phenotype, 0..1               */
    CALCIFY_S_CA_YOUNG,   /* young (amorphous, resorbable) mineral, ug/mg dry */
    CALCIFY_S_CA_MATURE,  /* mature (apatite, slowly resorbed) mineral, ug/mg dry */
    /* dose depots (docs/SCENARIOS.md, doses): what a gavage, subcutaneous or
     * intraperitoneal dose has left to absorb; mg/kg (warfarin), ug/kg */
    CALCIFY_S_WARF_GAVAGE, CALCIFY_S_WARF_SC, CALCIFY_S_WARF_IP,
    CALCIFY_S_K1_GAVAGE, CALCIFY_S_K1_SC, CALCIFY_S_K1_IP,
    CALCIFY_S_MK4_GAVAGE, CALCIFY_S_MK4_SC, CALCIFY_S_MK4_IP,
    CALCIFY_NSTATE
} calcify_state_index;

/* Diet inputs of one phase: food concentrations in mg per g food. */
typedef enum {
    CALCIFY_IN_WARFARIN,
    CALCIFY_IN_K1,
    CALCIFY_IN_MK4,
    CALCIFY_NINPUT
} calcify_input_index;

/* The model's inputs u: the diet (CALCIFY_NINPUT food concentrations), then
 * the animal's food intake and body weight, which may change with time
 * (a growth table).  calcify_model_inputs fills u from a diet and the
 * parameters food_intake and body_weight. */
enum {
    CALCIFY_U_FOOD = CALCIFY_NINPUT,     /* food intake, g/kg/d          */
    CALCIFY_U_BODY_WEIGHT,               /* body weight, kg              */
    CALCIFY_NU
};

typedef enum {
    CALCIFY_P_FOOD_INTAKE,
    /* warfarin */
    CALCIFY_P_WARFARIN_KA,
    CALCIFY_P_WARFARIN_F,
    CALCIFY_P_WARFARIN_THALF,
    CALCIFY_P_WARFARIN_VU,
    CALCIFY_P_WARFARIN_VALB,
    CALCIFY_P_ALBUMIN_CAPACITY,
    CALCIFY_P_WARFARIN_KD,
    CALCIFY_P_WARFARIN_KM_ELIM,
    CALCIFY_P_VKOR_EC50,
    CALCIFY_P_VKOR_QUINONE_EC50_RATIO,
    /* vitamin K absorption and plasma */
    CALCIFY_P_VK_KA,
    CALCIFY_P_K1_F,
    CALCIFY_P_MK4_F,
    CALCIFY_P_VK_VD,
    CALCIFY_P_K1_CL_LIVER,
    CALCIFY_P_K1_CL_TISSUE,
    CALCIFY_P_MK4_CL_LIVER,
    CALCIFY_P_MK4_CL_TISSUE,
    CALCIFY_P_LIVER_MASS,
    CALCIFY_P_AORTA_MASS,
    /* menadione: K1 side chain cut in the gut, MK-4 made from it */
    CALCIFY_P_MENADIONE_F,
    CALCIFY_P_MENADIONE_GUT_KM,
    CALCIFY_P_MENADIONE_CL,
    CALCIFY_P_MENADIONE_MK4_YIELD,
    CALCIFY_P_CONV_VKOR_FREE,
    /* liver cycle and clotting */
    CALCIFY_P_LIVER_VKOR,
    CALCIFY_P_LIVER_OX,
    CALCIFY_P_LIVER_KORED,
    CALCIFY_P_LIVER_FSP1_VMAX,
    CALCIFY_P_LIVER_FSP1_KM,
    CALCIFY_P_LIVER_KEL,
    CALCIFY_P_LIVER_GGCX_KM,
    CALCIFY_P_PROTHROMBIN_KDEG,
    /* aortic vitamin K */
    CALCIFY_P_AORTA_K1_UPTAKE,
    CALCIFY_P_AORTA_MK4_UPTAKE,
    CALCIFY_P_AORTA_UPTAKE_KM,
    CALCIFY_P_AORTA_VKOR,
    CALCIFY_P_AORTA_OX,
    CALCIFY_P_AORTA_KORED,
    CALCIFY_P_AORTA_FSP1_VMAX,
    CALCIFY_P_AORTA_FSP1_KM,
    CALCIFY_P_AORTA_K1_KEL,
    CALCIFY_P_AORTA_MK4_KEL,
    CALCIFY_P_AORTA_K1_USE,
    CALCIFY_P_AORTA_MENADIONE_UPTAKE,
    /* MGP */
    CALCIFY_P_MGP_SYNTHESIS_REL,
    CALCIFY_P_MGP_KDEG,
    CALCIFY_P_MGP_INDUCTION,
    CALCIFY_P_AORTA_GGCX_VMAX,
    CALCIFY_P_AORTA_GGCX_KM,
    CALCIFY_P_AORTA_GGCX_KM_MGP,
    /* VSMC phenotype */
    CALCIFY_P_VSMC_SWITCH_ON,
    CALCIFY_P_VSMC_SWITCH_CMGP,
    CALCIFY_P_VSMC_SWITCH_HILL,
    CALCIFY_P_VSMC_REVERT_BASAL,
    CALCIFY_P_VSMC_REVERT_CMGP,
    CALCIFY_P_VSMC_REVERT_C50,
    CALCIFY_P_VSMC_REVERT_HILL,
    /* doses */
    CALCIFY_P_BODY_WEIGHT,
    CALCIFY_P_WARFARIN_F_GAVAGE,
    CALCIFY_P_K1_F_GAVAGE,
    CALCIFY_P_MK4_F_GAVAGE,
    CALCIFY_P_SC_KA,
    CALCIFY_P_SC_F,
    CALCIFY_P_IP_KA,
    CALCIFY_P_IP_F,
    /* calcium */
    CALCIFY_P_CA_TISSUE,
    CALCIFY_P_CA_DEP_MAX,
    CALCIFY_P_CA_DEP_C50,
    CALCIFY_P_CA_DEP_HILL,
    CALCIFY_P_CA_DEP_SAT,
    CALCIFY_P_CA_MATURATION,
    CALCIFY_P_CA_RES_YOUNG,
    CALCIFY_P_CA_RES_BASAL,
    CALCIFY_P_CA_REG_MAX,
    CALCIFY_P_CA_REG_C50,
    CALCIFY_P_CA_REG_HILL,
    /* read-outs */
    CALCIFY_P_DIST_BETA,
    CALCIFY_P_APOP_SWITCH_RATIO,
    CALCIFY_NPARAM
} calcify_param_index;

/* Static description of one parameter. */
typedef struct {
    const char *name;    /* key in parameter files and --set                */
    const char *unit;    /* unit the model uses; files may use any unit of
                            the same dimension                               */
    const char *meaning; /* one line for `calcify params` and docs/MODEL.md  */
    double lo, hi;       /* admissible range (inclusive), for input checks  */
} calcify_param_def;

extern const calcify_param_def calcify_param_defs[CALCIFY_NPARAM];

/* Index of the parameter called `name`, or -1. */
int calcify_param_find(const char *name);

typedef enum {
    CALCIFY_O_WARF_DIET,
    CALCIFY_O_K1_DIET,
    CALCIFY_O_MK4_DIET,
    CALCIFY_O_BODY_WEIGHT,
    CALCIFY_O_WARF_INTAKE,
    CALCIFY_O_K1_INTAKE,
    CALCIFY_O_MK4_INTAKE,
    CALCIFY_O_WARF_PLASMA,
    CALCIFY_O_WARF_UNBOUND,
    CALCIFY_O_K1_PLASMA,
    CALCIFY_O_MK4_PLASMA,
    CALCIFY_O_MD_PLASMA,
    CALCIFY_O_VK_LIVER,
    CALCIFY_O_K1_AORTA,
    CALCIFY_O_MK4_AORTA,
    CALCIFY_O_MK4_SHARE_AORTA,
    CALCIFY_O_VKH2_AORTA,
    CALCIFY_O_VKO_AORTA,
    CALCIFY_O_MGP_TOTAL,
    CALCIFY_O_CMGP_FRACTION,
    CALCIFY_O_CMGP,
    CALCIFY_O_VSMC_SWITCHED,
    CALCIFY_O_CA_MINERAL,
    CALCIFY_O_CA_AORTA,
    CALCIFY_O_CLOTTING,
    CALCIFY_O_DISTENSIBILITY,
    CALCIFY_O_APOPTOSIS,
    CALCIFY_NOBS
} calcify_obs_index;

/* Column names of the observables, units in the name (CSV headers). */
extern const char *const calcify_obs_names[CALCIFY_NOBS];

/* The model with one parameter set: values in the units of
 * calcify_param_defs, plus rates derived from them and the baseline
 * reference used by the relative observables.  Plain data: copy freely. */
/* A Hill term x^n / (K^n + x^n) prepared once: K^n, and n as an integer
 * when it is one (powers by multiplication). */
typedef struct {
    double k, kn, n;       /* half-saturation K, K^n, Hill exponent n      */
    int n_int;             /* n if n is an integer in 1..8, else 0          */
} calcify_hill;

typedef struct {
    double p[CALCIFY_NPARAM];
    /* derived once by calcify_model_init (call it after changing p) */
    double warf_clu;       /* L/kg/d, clearance of unbound warfarin, from
                              warfarin_thalf at therapeutic levels         */
    double inv_warf_km;    /* 1/(mg/L): unbound level halving that clearance */
    double warf_vb;        /* mg/kg, albumin-bound capacity of the body    */
    double inv_vk_vd;      /* 1/(L/kg)                                     */
    double k1_cl, mk4_cl;  /* L/kg/d, total plasma clearances              */
    double liver_per_g;    /* ng/g per ug/kg: 1000 / liver_mass            */
    double aorta_per_kg;   /* ug/kg per ng/g: aorta_mass / 1000            */
    double inv_uptake_km;  /* 1/(ng/mL)                                    */
    double inv_md_gut_km;  /* 1/(ug/kg): gut K1 saturating menadione      */
    double inv_md_cl;      /* 1/(L/kg/d): plasma menadione per formation  */
    calcify_hill h_switch, h_revert, h_dep, h_reg; /* Hill terms in cMGP */
    /* dose depots, in state order from CALCIFY_S_WARF_GAVAGE: absorption
     * rate constant ka (1/d) and absorbed rate f·ka (1/d)                  */
    double depot_ka[9], depot_fka[9];
    /* reference (normal-diet steady state) for *_rel observables          */
    double ref_clot, ref_ca, ref_apop;
} calcify_model;

/* Derive rates from m->p and set the reference to 1/0/1 (observables are
 * then absolute until calcify_model_set_reference is called). */
void calcify_model_init(calcify_model *m);

/* Take the reference for the relative observables from state y. */
void calcify_model_set_reference(calcify_model *m, const double y[CALCIFY_NSTATE]);

/* u for diet `diet` with the parameters' food intake and body weight. */
void calcify_model_inputs(const calcify_model *m, const double diet[CALCIFY_NINPUT],
                          double u[CALCIFY_NU]);

/* Right-hand side dy/dt at state y under inputs u.  Returns 0; the caller
 * checks the result for NaN (the solver does, as does the steady state). */
int calcify_model_rhs(const calcify_model *m, const double y[], double dydt[],
                      const double u[CALCIFY_NU]);

/* Analytic Jacobian, row-major dfdy[i * CALCIFY_NSTATE + j] = ∂f_i/∂y_j. */
int calcify_model_jac(const calcify_model *m, const double y[], double *dfdy,
                      const double u[CALCIFY_NU]);

/* A starting point for the steady state under constant diet u: gut, plasma
 * and tissue vitamin K at their linear steady states.  `diseased` == 0: VSMCs
 * contractile, MGP mostly carboxylated, no mineral; otherwise the opposite
 * corner (VSMCs switched, MGP uncarboxylated, 5 ug/mg mineral), so that two
 * Newton solves from both ends can check that the steady state is unique. */
void calcify_model_steady_guess(const calcify_model *m,
                                const double u[CALCIFY_NU], int diseased,
                                double y[CALCIFY_NSTATE]);

/* Observables of state y under diet u, in the units of calcify_obs_names. */
void calcify_model_observe(const calcify_model *m, const double y[],
                           const double u[CALCIFY_NU],
                           double obs[CALCIFY_NOBS]);
/* The same for the n observables which[] only: obs[which[k]], bit for bit
 * what calcify_model_observe gives them; the other entries are left as
 * they are. */
void calcify_model_observe_some(const calcify_model *m, const double y[],
                                const double u[CALCIFY_NU], const int which[], size_t n,
                                double obs[CALCIFY_NOBS]);
/* The states observable k reads: bit i for y[i] (all bits for those that
 * read every state); the others may hold anything when it is observed. */
extern const uint32_t calcify_obs_reads[CALCIFY_NOBS];

#ifdef __cplusplus
}
#endif
#endif
