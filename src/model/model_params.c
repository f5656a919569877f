/* model_params.c — the model's parameters and observables: names, units,
 * meanings and admissible ranges.  Values and provenance live in the
 * parameter files (models/rat_wky_prior.cfg, models/rat_wky.cfg); the
 * equations in src/model/model.c and docs/MODEL.md. */
#include <string.h>

#include "calcify/model.h"

const calcify_param_def calcify_param_defs[CALCIFY_NPARAM] = {
    [CALCIFY_P_FOOD_INTAKE] = {"food_intake", "g/kg/d", "food eaten per kg body weight per day", 1, 500},

    [CALCIFY_P_WARFARIN_KA] = {"warfarin_ka", "1/d", "warfarin absorption rate constant", 1e-3, 1e4},
    [CALCIFY_P_WARFARIN_F] = {"warfarin_f", "1", "warfarin oral bioavailability", 0, 1},
    [CALCIFY_P_WARFARIN_THALF] = {"warfarin_thalf", "h", "warfarin elimination half-life at therapeutic (unsaturated) levels", 0.1, 1000},
    [CALCIFY_P_WARFARIN_VU] = {"warfarin_vu", "L/kg", "distribution volume of unbound warfarin", 1e-3, 100},
    [CALCIFY_P_WARFARIN_VALB] = {"warfarin_valb", "L/kg", "albumin space (plasma and interstitial albumin) per kg", 1e-3, 10},
    [CALCIFY_P_ALBUMIN_CAPACITY] = {"albumin_capacity", "mg/L", "warfarin binding capacity of albumin (one site)", 0, 1e5},
    [CALCIFY_P_WARFARIN_KD] = {"warfarin_kd", "mg/L", "unbound warfarin half-saturating albumin binding", 1e-6, 1e5},
    [CALCIFY_P_WARFARIN_KM_ELIM] = {"warfarin_km_elim", "mg/L", "unbound warfarin halving its own clearance (saturable metabolism)", 1e-3, 1e6},
    [CALCIFY_P_VKOR_EC50] = {"vkor_ec50", "mg/L", "unbound warfarin halving VKOR's epoxide reduction", 1e-7, 1e4},
    [CALCIFY_P_VKOR_QUINONE_EC50_RATIO] = {"vkor_quinone_ec50_ratio", "1", "EC50 of VKOR's quinone reductions (K, menadione) over that of its epoxide reduction", 1, 1e4},

    [CALCIFY_P_VK_KA] = {"vk_ka", "1/d", "K1 and MK-4 absorption rate constant", 1e-3, 1e4},
    [CALCIFY_P_K1_F] = {"k1_f", "1", "fraction of dietary K1 absorbed", 0, 1},
    [CALCIFY_P_MK4_F] = {"mk4_f", "1", "fraction of dietary MK-4 absorbed", 0, 1},
    [CALCIFY_P_VK_VD] = {"vk_vd", "L/kg", "apparent plasma volume of K1 and MK-4", 1e-3, 100},
    [CALCIFY_P_K1_CL_LIVER] = {"k1_cl_liver", "L/kg/d", "hepatic uptake clearance of plasma K1", 0, 1e4},
    [CALCIFY_P_K1_CL_TISSUE] = {"k1_cl_tissue", "L/kg/d", "extrahepatic clearance of plasma K1 (other than the aorta)", 0, 1e4},
    [CALCIFY_P_MK4_CL_LIVER] = {"mk4_cl_liver", "L/kg/d", "hepatic uptake clearance of plasma MK-4", 0, 1e4},
    [CALCIFY_P_MK4_CL_TISSUE] = {"mk4_cl_tissue", "L/kg/d", "extrahepatic clearance of plasma MK-4 (other than the aorta)", 0, 1e4},
    [CALCIFY_P_LIVER_MASS] = {"liver_mass", "g/kg", "liver weight per kg body weight", 1, 200},
    [CALCIFY_P_AORTA_MASS] = {"aorta_mass", "g/kg", "aortic wet weight per kg body weight", 0, 10},
    [CALCIFY_P_MENADIONE_F] = {"menadione_f", "1", "share of gut K1 cut to menadione and absorbed (as MK-4 equivalents)", 0, 1},
    [CALCIFY_P_MENADIONE_GUT_KM] = {"menadione_gut_km", "ug/kg", "gut K1 halving the share cut to menadione (saturable cleavage)", 1e-3, 1e9},
    [CALCIFY_P_MENADIONE_CL] = {"menadione_cl", "L/kg/d", "plasma clearance of menadione (tissue uptake and urine)", 1e-3, 1e6},
    [CALCIFY_P_MENADIONE_MK4_YIELD] = {"menadione_mk4_yield", "1", "share of cleared menadione that tissues return to plasma as MK-4", 0, 1},
    [CALCIFY_P_CONV_VKOR_FREE] = {"conv_vkor_free", "1", "share of menadione to MK-4 conversion that needs no VKOR (1: warfarin does not inhibit conversion)", 0, 1},

    [CALCIFY_P_LIVER_VKOR] = {"liver_vkor", "1/d", "liver VKOR quinone reduction rate constant", 0, 1e4},
    [CALCIFY_P_LIVER_OX] = {"liver_ox", "1/d", "liver KH2 oxidation by carboxylation", 0, 1e4},
    [CALCIFY_P_LIVER_KORED] = {"liver_kored", "1/d", "liver VKOR epoxide reduction rate constant", 0, 1e4},
    [CALCIFY_P_LIVER_FSP1_VMAX] = {"liver_fsp1_vmax", "ng/g/d", "liver warfarin-insensitive reductase capacity", 0, 1e7},
    [CALCIFY_P_LIVER_FSP1_KM] = {"liver_fsp1_km", "ng/g", "liver warfarin-insensitive reductase Km", 1e-6, 1e7},
    [CALCIFY_P_LIVER_KEL] = {"liver_kel", "1/d", "liver vitamin K catabolism rate constant (all forms)", 1e-4, 1e4},
    [CALCIFY_P_LIVER_GGCX_KM] = {"liver_ggcx_km", "ng/g", "liver KH2 for half-maximal carboxylation", 1e-6, 1e6},
    [CALCIFY_P_PROTHROMBIN_KDEG] = {"prothrombin_kdeg", "1/d", "prothrombin turnover rate constant", 1e-3, 1e3},

    [CALCIFY_P_AORTA_K1_UPTAKE] = {"aorta_k1_uptake", "mL/g/d", "aortic uptake clearance of plasma K1 (unsaturated)", 0, 1e4},
    [CALCIFY_P_AORTA_MK4_UPTAKE] = {"aorta_mk4_uptake", "mL/g/d", "aortic uptake clearance of plasma MK-4 (unsaturated)", 0, 1e4},
    [CALCIFY_P_AORTA_UPTAKE_KM] = {"aorta_uptake_km", "ng/mL", "plasma K1 + MK-4 halving aortic uptake clearance", 1e-6, 1e7},
    [CALCIFY_P_AORTA_VKOR] = {"aorta_vkor", "1/d", "aortic VKOR quinone reduction rate constant", 0, 1e4},
    [CALCIFY_P_AORTA_OX] = {"aorta_ox", "1/d", "aortic KH2 oxidation by carboxylation", 0, 1e4},
    [CALCIFY_P_AORTA_KORED] = {"aorta_kored", "1/d", "aortic VKOR epoxide reduction rate constant", 0, 1e4},
    [CALCIFY_P_AORTA_FSP1_VMAX] = {"aorta_fsp1_vmax", "ng/g/d", "aortic warfarin-insensitive reductase capacity", 0, 1e7},
    [CALCIFY_P_AORTA_FSP1_KM] = {"aorta_fsp1_km", "ng/g", "aortic warfarin-insensitive reductase Km", 1e-6, 1e7},
    [CALCIFY_P_AORTA_K1_KEL] = {"aorta_k1_kel", "1/d", "aortic K1 loss rate constant (all redox forms)", 1e-4, 1e4},
    [CALCIFY_P_AORTA_MK4_KEL] = {"aorta_mk4_kel", "1/d", "aortic MK-4 loss rate constant (all redox forms)", 1e-4, 1e4},
    [CALCIFY_P_AORTA_K1_USE] = {"aorta_k1_use", "1", "rate at which the wall's cells reduce K1, relative to MK-4 (1: alike)", 0, 1},
    [CALCIFY_P_AORTA_MENADIONE_UPTAKE] = {"aorta_menadione_uptake", "mL/g/d", "aortic clearance of plasma menadione into MK-4 (UBIAD1)", 0, 1e4},

    [CALCIFY_P_MGP_SYNTHESIS_REL] = {"mgp_synthesis_rel", "1", "MGP synthesis relative to wild type (0: knockout)", 0, 10},
    [CALCIFY_P_MGP_KDEG] = {"mgp_kdeg", "1/d", "MGP turnover rate constant", 1e-4, 1e3},
    [CALCIFY_P_MGP_INDUCTION] = {"mgp_induction", "1", "extra MGP synthesis of fully switched VSMCs (x normal)", 0, 1e3},
    [CALCIFY_P_AORTA_GGCX_VMAX] = {"aorta_ggcx_vmax", "1/d", "aortic MGP carboxylation capacity (pool units per day)", 0, 1e4},
    [CALCIFY_P_AORTA_GGCX_KM] = {"aorta_ggcx_km", "ng/g", "aortic KH2 for half-maximal carboxylation", 1e-6, 1e6},
    [CALCIFY_P_AORTA_GGCX_KM_MGP] = {"aorta_ggcx_km_mgp", "1", "ucMGP for half-maximal carboxylation (pool units)", 1e-9, 1e3},

    [CALCIFY_P_VSMC_SWITCH_ON] = {"vsmc_switch_on", "1/d", "VSMC switching rate constant without carboxylated MGP", 0, 1e3},
    [CALCIFY_P_VSMC_SWITCH_CMGP] = {"vsmc_switch_cmgp", "1", "cMGP (pool units) halving the switching drive (BMP-2 bound)", 1e-9, 1e3},
    [CALCIFY_P_VSMC_SWITCH_HILL] = {"vsmc_switch_hill", "1", "steepness of the switching drive in cMGP", 1, 8},
    [CALCIFY_P_VSMC_REVERT_BASAL] = {"vsmc_revert_basal", "1/d", "VSMC reversion rate constant without cMGP", 0, 1e3},
    [CALCIFY_P_VSMC_REVERT_CMGP] = {"vsmc_revert_cmgp", "1/d", "extra VSMC reversion rate constant at saturating cMGP", 0, 1e3},
    [CALCIFY_P_VSMC_REVERT_C50] = {"vsmc_revert_c50", "1", "cMGP (pool units) for half the extra reversion", 1e-9, 1e3},
    [CALCIFY_P_VSMC_REVERT_HILL] = {"vsmc_revert_hill", "1", "steepness of the extra reversion in cMGP", 1, 8},

    [CALCIFY_P_BODY_WEIGHT] = {"body_weight", "kg", "body weight (for doses per animal; a growth table overrides it)", 0.001, 100},
    [CALCIFY_P_WARFARIN_F_GAVAGE] = {"warfarin_f_gavage", "1", "bioavailability of warfarin given by gavage", 0, 1},
    [CALCIFY_P_K1_F_GAVAGE] = {"k1_f_gavage", "1", "bioavailability of K1 given by gavage", 0, 1},
    [CALCIFY_P_MK4_F_GAVAGE] = {"mk4_f_gavage", "1", "bioavailability of MK-4 given by gavage", 0, 1},
    [CALCIFY_P_SC_KA] = {"sc_ka", "1/d", "absorption rate constant from a subcutaneous depot", 1e-3, 1e4},
    [CALCIFY_P_SC_F] = {"sc_f", "1", "bioavailability of a subcutaneous dose", 0, 1},
    [CALCIFY_P_IP_KA] = {"ip_ka", "1/d", "absorption rate constant of an intraperitoneal dose", 1e-3, 1e4},
    [CALCIFY_P_IP_F] = {"ip_f", "1", "bioavailability of an intraperitoneal dose", 0, 1},

    [CALCIFY_P_CA_TISSUE] = {"ca_tissue", "ug/mg", "non-mineral aortic calcium", 0, 100},
    [CALCIFY_P_CA_DEP_MAX] = {"ca_dep_max", "ug/mg/d", "mineral deposition rate with all VSMCs switched and no carboxylated MGP", 0, 100},
    [CALCIFY_P_CA_DEP_C50] = {"ca_dep_c50", "1", "cMGP (pool units) halving deposition by switched VSMCs", 1e-6, 1e3},
    [CALCIFY_P_CA_DEP_HILL] = {"ca_dep_hill", "1", "Hill coefficient of the inhibition of deposition by cMGP", 1, 20},
    [CALCIFY_P_CA_DEP_SAT] = {"ca_dep_sat", "ug/mg", "mineral halving deposition (nucleation sites on the lamellae used up)", 1e-3, 1e3},
    [CALCIFY_P_CA_MATURATION] = {"ca_maturation", "1/d", "maturation rate constant of young mineral", 0, 100},
    [CALCIFY_P_CA_RES_YOUNG] = {"ca_res_young", "1/d", "basal resorption rate constant of young mineral", 0, 10},
    [CALCIFY_P_CA_RES_BASAL] = {"ca_res_basal", "1/d", "basal resorption rate constant of mature mineral", 0, 10},
    [CALCIFY_P_CA_REG_MAX] = {"ca_reg_max", "1/d", "maximal cMGP-driven regression rate constant (both pools)", 0, 10},
    [CALCIFY_P_CA_REG_C50] = {"ca_reg_c50", "1", "cMGP (pool units) for half-maximal regression", 1e-6, 1e3},
    [CALCIFY_P_CA_REG_HILL] = {"ca_reg_hill", "1", "Hill coefficient of regression in cMGP", 1, 20},

    [CALCIFY_P_DIST_BETA] = {"dist_beta", "mg/ug", "loss of distensibility per ug/mg calcium (exponential)", 0, 100},
    [CALCIFY_P_APOP_SWITCH_RATIO] = {"apop_switch_ratio", "1", "apoptosis rate of switched over contractile VSMCs", 1, 1e3},
};

const char *const calcify_obs_names[CALCIFY_NOBS] = {
    [CALCIFY_O_WARF_DIET] = "warfarin_diet_mg_per_g",
    [CALCIFY_O_K1_DIET] = "k1_diet_ug_per_g",
    [CALCIFY_O_MK4_DIET] = "mk4_diet_ug_per_g",
    [CALCIFY_O_BODY_WEIGHT] = "body_weight_kg",
    [CALCIFY_O_WARF_INTAKE] = "warfarin_intake_mg_per_kg_d",
    [CALCIFY_O_K1_INTAKE] = "k1_intake_ug_per_kg_d",
    [CALCIFY_O_MK4_INTAKE] = "mk4_intake_ug_per_kg_d",
    [CALCIFY_O_WARF_PLASMA] = "warfarin_plasma_mg_per_l",
    [CALCIFY_O_WARF_UNBOUND] = "warfarin_unbound_mg_per_l",
    [CALCIFY_O_K1_PLASMA] = "k1_plasma_ng_per_ml",
    [CALCIFY_O_MK4_PLASMA] = "mk4_plasma_ng_per_ml",
    [CALCIFY_O_MD_PLASMA] = "menadione_plasma_ng_per_ml",
    [CALCIFY_O_VK_LIVER] = "vk_liver_ng_per_g",
    [CALCIFY_O_K1_AORTA] = "k1_aorta_ng_per_g",
    [CALCIFY_O_MK4_AORTA] = "mk4_aorta_ng_per_g",
    [CALCIFY_O_MK4_SHARE_AORTA] = "mk4_share_aorta",
    [CALCIFY_O_VKH2_AORTA] = "vkh2_aorta_ng_per_g",
    [CALCIFY_O_VKO_AORTA] = "vk_epoxide_aorta_ng_per_g",
    [CALCIFY_O_MGP_TOTAL] = "mgp_total_rel",
    [CALCIFY_O_CMGP_FRACTION] = "cmgp_fraction",
    [CALCIFY_O_CMGP] = "cmgp_rel",
    [CALCIFY_O_VSMC_SWITCHED] = "vsmc_switched_fraction",
    [CALCIFY_O_CA_MINERAL] = "ca_mineral_ug_per_mg",
    [CALCIFY_O_CA_AORTA] = "ca_aorta_ug_per_mg",
    [CALCIFY_O_CLOTTING] = "clotting_activity_rel",
    [CALCIFY_O_DISTENSIBILITY] = "distensibility_rel",
    [CALCIFY_O_APOPTOSIS] = "apoptosis_index_rel",
};

int calcify_param_find(const char *name)
{
    for (int i = 0; i < CALCIFY_NPARAM; i++)
        if (strcmp(calcify_param_defs[i].name, name) == 0)
            return i;
    return -1;
}
