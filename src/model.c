/* model.c — warfarin, vitamin K (K1, MK-4), MGP and aortic calcium in the rat.
 *
 * Full documentation, with every parameter's provenance: docs/MODEL.md.
 * Time t in days (d).  Diet u = food concentrations (mg/g) of warfarin, K1,
 * MK-4; F = food intake (g/kg/d).  Per phase the diet is constant.
 *
 *  Warfarin, one compartment with first-order absorption:
 *    dWg/dt = F·u_W − ka_W·Wg          dWc/dt = f_W·ka_W·Wg − ke_W·Wc
 *    C_W = Wc / V_W (mg/L);   VKOR activity left  I = EC50 / (EC50 + C_W)
 *  K1 and MK-4, gut → plasma (X = K1, MK4):
 *    dXg/dt = 1000·F·u_X − ka_K·Xg     dXp/dt = f_K·ka_K·Xg − kel_K·Xp
 *    C_X = Xp / V_K (ng/mL)
 *  Liver vitamin K cycle (one pool for K1 + MK-4), Q → H → E → Q:
 *    dQ/dt = up_L·(C_K1+C_MK4) − vkor·I·Q − FSP1(Q) + kored·I·E − kel·Q
 *    dH/dt = vkor·I·Q + FSP1(Q) − (ox + kel)·H
 *    dE/dt = ox·H − kored·I·E − kel·E,     FSP1(Q) = Vf·Q / (Kf + Q)
 *  Prothrombin activity:  dP/dt = kP·(H/(Kg + H) − P)
 *  Aortic wall: saturable uptake shared by K1 and MK-4,
 *    up_X = Vu·C_X / (Ku + C_K1 + C_MK4),
 *  the same cycle for K1 (Q1,H1,E1) and MK-4 (Q4,H4,E4), FSP1 shared
 *  competitively, plus K1 → MK-4 conversion of the quinone:
 *    conv = kc·(1 − Ic·(1 − I))·Q1   (warfarin acts through VKOR's reduction
 *                                     of menadione, see MODEL.md §4)
 *  MGP (relative to the normal-diet pool), H = H1 + H4:
 *    duc/dt = kd·(1 + g·M) − J − kd·uc        dc/dt = J − kd·c
 *    J = Vg · H/(KH + H) · uc/(Ku + uc)
 *  Mineral calcium M (ug/mg dry), φ = uc/(uc + c):
 *    dM/dt = kdep·φ^n/(φ50^n + φ^n) − (kres + kreg·c^m/(c50^m + c^m))·M
 *
 * The system is stiff (absorption at ~24/d, the cycle at ~5/d, calcium at
 * ~0.005/d): the default stepper is BDF (msbdf) with the analytic Jacobian
 * below.  Linear and Michaelis–Menten terms are smooth through zero, so a
 * state a stepper drives to −1e−16 is harmless there and is left alone (a
 * clamp would put a kink in f that implicit steppers stumble on); only the
 * Hill terms, whose non-integer powers have no value below zero, read their
 * arguments through pos().
 */
#include <math.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "calcify/model.h"

const calcify_param_def calcify_param_defs[CALCIFY_NPARAM] = {
    [CALCIFY_P_FOOD_INTAKE] = {"food_intake", "g/kg/d", "food eaten per kg body weight per day", 1, 500},
    [CALCIFY_P_WARF_KA] = {"warfarin_ka", "1/d", "warfarin absorption rate constant", 1e-3, 1e4},
    [CALCIFY_P_WARF_F] = {"warfarin_f", "1", "warfarin oral bioavailability", 0, 1},
    [CALCIFY_P_WARF_VD] = {"warfarin_vd", "L/kg", "warfarin volume of distribution", 1e-3, 100},
    [CALCIFY_P_WARF_THALF] = {"warfarin_thalf", "h", "warfarin elimination half-life", 0.1, 1000},
    [CALCIFY_P_VKOR_EC50] = {"vkor_ec50", "mg/L", "plasma warfarin halving VKOR activity", 1e-6, 1e4},
    [CALCIFY_P_VK_KA] = {"vk_ka", "1/d", "K1 and MK-4 absorption rate constant", 1e-3, 1e4},
    [CALCIFY_P_VK_F] = {"vk_f", "1", "fraction of dietary K1 and MK-4 absorbed", 0, 1},
    [CALCIFY_P_VK_VD] = {"vk_vd", "L/kg", "apparent plasma volume of K1 and MK-4", 1e-3, 100},
    [CALCIFY_P_VK_KEL] = {"vk_kel", "1/d", "K1 and MK-4 plasma elimination rate constant", 1e-3, 1e4},
    [CALCIFY_P_LIV_UPTAKE] = {"liver_uptake", "mL/g/d", "liver uptake clearance of plasma vitamin K", 0, 1e4},
    [CALCIFY_P_LIV_VKOR] = {"liver_vkor", "1/d", "liver VKOR quinone reduction rate constant", 0, 1e4},
    [CALCIFY_P_LIV_OX] = {"liver_ox", "1/d", "liver KH2 oxidation by carboxylation", 0, 1e4},
    [CALCIFY_P_LIV_KORED] = {"liver_kored", "1/d", "liver VKOR epoxide reduction rate constant", 0, 1e4},
    [CALCIFY_P_LIV_FSP1_VMAX] = {"liver_fsp1_vmax", "ng/g/d", "liver warfarin-insensitive reductase capacity", 0, 1e7},
    [CALCIFY_P_LIV_FSP1_KM] = {"liver_fsp1_km", "ng/g", "liver warfarin-insensitive reductase Km", 1e-6, 1e7},
    [CALCIFY_P_LIV_KEL] = {"liver_kel", "1/d", "liver vitamin K loss rate constant (all forms)", 1e-4, 1e4},
    [CALCIFY_P_LIV_GGCX_KM] = {"liver_ggcx_km", "ng/g", "liver KH2 for half-maximal carboxylation", 1e-6, 1e6},
    [CALCIFY_P_PROTHROMBIN_KDEG] = {"prothrombin_kdeg", "1/d", "prothrombin turnover rate constant", 1e-3, 1e3},
    [CALCIFY_P_AO_UPTAKE_VMAX] = {"aorta_uptake_vmax", "ng/g/d", "aortic uptake capacity for plasma K1 + MK-4", 0, 1e7},
    [CALCIFY_P_AO_UPTAKE_KM] = {"aorta_uptake_km", "ng/mL", "plasma K1 + MK-4 for half-maximal aortic uptake", 1e-6, 1e7},
    [CALCIFY_P_AO_VKOR] = {"aorta_vkor", "1/d", "aortic VKOR quinone reduction rate constant", 0, 1e4},
    [CALCIFY_P_AO_OX] = {"aorta_ox", "1/d", "aortic KH2 oxidation by carboxylation", 0, 1e4},
    [CALCIFY_P_AO_KORED] = {"aorta_kored", "1/d", "aortic VKOR epoxide reduction rate constant", 0, 1e4},
    [CALCIFY_P_AO_FSP1_VMAX] = {"aorta_fsp1_vmax", "ng/g/d", "aortic warfarin-insensitive reductase capacity", 0, 1e7},
    [CALCIFY_P_AO_FSP1_KM] = {"aorta_fsp1_km", "ng/g", "aortic warfarin-insensitive reductase Km", 1e-6, 1e7},
    [CALCIFY_P_AO_KEL] = {"aorta_kel", "1/d", "aortic vitamin K loss rate constant (all forms)", 1e-4, 1e4},
    [CALCIFY_P_CONV_RATE] = {"conv_rate", "1/d", "aortic K1 to MK-4 conversion rate constant", 0, 1e4},
    [CALCIFY_P_CONV_IMAX] = {"conv_imax", "1", "share of K1 to MK-4 conversion that needs VKOR", 0, 1},
    [CALCIFY_P_MGP_KDEG] = {"mgp_kdeg", "1/d", "MGP turnover rate constant", 1e-4, 1e3},
    [CALCIFY_P_MGP_INDUCTION] = {"mgp_induction", "mg/ug", "rise of MGP synthesis per ug/mg mineral calcium", 0, 1e3},
    [CALCIFY_P_AO_GGCX_VMAX] = {"aorta_ggcx_vmax", "1/d", "aortic MGP carboxylation capacity (pool units per day)", 0, 1e4},
    [CALCIFY_P_AO_GGCX_KM] = {"aorta_ggcx_km", "ng/g", "aortic KH2 for half-maximal carboxylation", 1e-6, 1e6},
    [CALCIFY_P_AO_GGCX_KM_MGP] = {"aorta_ggcx_km_mgp", "1", "ucMGP for half-maximal carboxylation (pool units)", 1e-9, 1e3},
    [CALCIFY_P_CA_TISSUE] = {"ca_tissue", "ug/mg", "non-mineral aortic calcium", 0, 100},
    [CALCIFY_P_CA_DEP_MAX] = {"ca_dep_max", "ug/mg/d", "maximal mineral deposition rate", 0, 100},
    [CALCIFY_P_CA_DEP_UC50] = {"ca_dep_uc50", "1", "ucMGP fraction for half-maximal deposition", 1e-6, 1},
    [CALCIFY_P_CA_DEP_HILL] = {"ca_dep_hill", "1", "Hill coefficient of deposition in ucMGP fraction", 1, 20},
    [CALCIFY_P_CA_RES_BASAL] = {"ca_res_basal", "1/d", "basal mineral resorption rate constant", 0, 10},
    [CALCIFY_P_CA_REG_MAX] = {"ca_reg_max", "1/d", "maximal cMGP-driven regression rate constant", 0, 10},
    [CALCIFY_P_CA_REG_C50] = {"ca_reg_c50", "1", "cMGP (pool units) for half-maximal regression", 1e-6, 1e3},
    [CALCIFY_P_CA_REG_HILL] = {"ca_reg_hill", "1", "Hill coefficient of regression in cMGP", 1, 20},
    [CALCIFY_P_DIST_BETA] = {"dist_beta", "mg/ug", "loss of distensibility per ug/mg calcium (exponential)", 0, 100},
    [CALCIFY_P_APOP_CA_WEIGHT] = {"apop_ca_weight", "mg/ug", "weight of calcium in the apoptosis index", 0, 100},
};

const char *const calcify_obs_names[CALCIFY_NOBS] = {
    [CALCIFY_O_WARF_DIET] = "warfarin_diet_mg_per_g",
    [CALCIFY_O_K1_DIET] = "k1_diet_ug_per_g",
    [CALCIFY_O_MK4_DIET] = "mk4_diet_ug_per_g",
    [CALCIFY_O_WARF_PLASMA] = "warfarin_plasma_mg_per_l",
    [CALCIFY_O_K1_PLASMA] = "k1_plasma_ng_per_ml",
    [CALCIFY_O_MK4_PLASMA] = "mk4_plasma_ng_per_ml",
    [CALCIFY_O_VK_LIVER] = "vk_liver_ng_per_g",
    [CALCIFY_O_K1_AORTA] = "k1_aorta_ng_per_g",
    [CALCIFY_O_MK4_AORTA] = "mk4_aorta_ng_per_g",
    [CALCIFY_O_VKH2_AORTA] = "vkh2_aorta_ng_per_g",
    [CALCIFY_O_VKO_AORTA] = "vk_epoxide_aorta_ng_per_g",
    [CALCIFY_O_MGP_TOTAL] = "mgp_total_rel",
    [CALCIFY_O_CMGP_FRACTION] = "cmgp_fraction",
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

void calcify_model_init(calcify_model *m)
{
    m->warf_ke = M_LN2 / (m->p[CALCIFY_P_WARF_THALF] / 24.0);
    m->ref_clot = 1.0;
    m->ref_ca = 0.0;
    m->ref_apop = 1.0;
}

static inline double pos(double x) { return x > 0 ? x : 0; }
/* derivative of pos() from the right: states reach 0 from above */
static inline double dpos(double x) { return x >= 0 ? 1 : 0; }

/* Apoptosis index before normalisation: lack of KH2 for carboxylation
 * (uncarboxylated Gas6) plus a calcium burden term. */
static double apoptosis_raw(const calcify_model *m, const double y[])
{
    const double *p = m->p;
    double h = pos(y[CALCIFY_S_AO_K1_H]) + pos(y[CALCIFY_S_AO_MK4_H]);
    double ca = p[CALCIFY_P_CA_TISSUE] + pos(y[CALCIFY_S_CA_MIN]);
    return 1.0 - h / (p[CALCIFY_P_AO_GGCX_KM] + h) + p[CALCIFY_P_APOP_CA_WEIGHT] * ca;
}

void calcify_model_set_reference(calcify_model *m, const double y[CALCIFY_NSTATE])
{
    m->ref_clot = y[CALCIFY_S_CLOT];
    m->ref_ca = m->p[CALCIFY_P_CA_TISSUE] + y[CALCIFY_S_CA_MIN];
    m->ref_apop = apoptosis_raw(m, y);
}

/* Quantities shared by the right-hand side and the Jacobian. */
typedef struct {
    double I, dI;              /* VKOR activity left and dI/dWc          */
    double ck1, cmk4;          /* plasma concentrations, ng/mL           */
    double conv_g;             /* conversion activity left               */
} common;

static void common_eval(const calcify_model *m, const double y[], common *c)
{
    const double *p = m->p;
    double vd = p[CALCIFY_P_WARF_VD], ec50 = p[CALCIFY_P_VKOR_EC50];
    double cw = y[CALCIFY_S_WARF_CENT] / vd;
    c->I = ec50 / (ec50 + cw);
    c->dI = -ec50 / ((ec50 + cw) * (ec50 + cw)) / vd;
    c->ck1 = y[CALCIFY_S_K1_PL] / p[CALCIFY_P_VK_VD];
    c->cmk4 = y[CALCIFY_S_MK4_PL] / p[CALCIFY_P_VK_VD];
    double imax = p[CALCIFY_P_CONV_IMAX];
    c->conv_g = 1.0 - imax + imax * c->I;
}

static inline double hill(double x, double k, double n)
{
    if (x <= 0)
        return 0;
    double xn = pow(x, n);
    return xn / (pow(k, n) + xn);
}

/* d hill / dx */
static inline double dhill(double x, double k, double n)
{
    if (x <= 0)
        return n == 1 ? 1 / k : 0;
    double kn = pow(k, n), xn = pow(x, n), s = kn + xn;
    return n * xn / x * kn / (s * s);
}

int calcify_model_rhs(const calcify_model *m, const double y[], double f[],
                      const double u[CALCIFY_NINPUT])
{
    const double *p = m->p;
    common c;
    common_eval(m, y, &c);
    const double F = p[CALCIFY_P_FOOD_INTAKE];
    const double I = c.I;

    /* warfarin */
    f[CALCIFY_S_WARF_GUT] = F * u[CALCIFY_IN_WARFARIN] - p[CALCIFY_P_WARF_KA] * y[CALCIFY_S_WARF_GUT];
    f[CALCIFY_S_WARF_CENT] = p[CALCIFY_P_WARF_F] * p[CALCIFY_P_WARF_KA] * y[CALCIFY_S_WARF_GUT]
                             - m->warf_ke * y[CALCIFY_S_WARF_CENT];
    /* K1, MK-4: mg/g food × g/kg/d = mg/kg/d = 1000 ug/kg/d */
    const double ka = p[CALCIFY_P_VK_KA], fk = p[CALCIFY_P_VK_F], kel = p[CALCIFY_P_VK_KEL];
    f[CALCIFY_S_K1_GUT] = 1000.0 * F * u[CALCIFY_IN_K1] - ka * y[CALCIFY_S_K1_GUT];
    f[CALCIFY_S_MK4_GUT] = 1000.0 * F * u[CALCIFY_IN_MK4] - ka * y[CALCIFY_S_MK4_GUT];
    f[CALCIFY_S_K1_PL] = fk * ka * y[CALCIFY_S_K1_GUT] - kel * y[CALCIFY_S_K1_PL];
    f[CALCIFY_S_MK4_PL] = fk * ka * y[CALCIFY_S_MK4_GUT] - kel * y[CALCIFY_S_MK4_PL];

    /* liver cycle */
    {
        const double Q = y[CALCIFY_S_LIV_Q], H = y[CALCIFY_S_LIV_H], E = y[CALCIFY_S_LIV_E];
        const double kl = p[CALCIFY_P_LIV_KEL];
        const double red = p[CALCIFY_P_LIV_VKOR] * I * Q;
        const double fsp = p[CALCIFY_P_LIV_FSP1_VMAX] * Q / (p[CALCIFY_P_LIV_FSP1_KM] + Q);
        const double ox = p[CALCIFY_P_LIV_OX] * H;
        const double kored = p[CALCIFY_P_LIV_KORED] * I * E;
        f[CALCIFY_S_LIV_Q] = p[CALCIFY_P_LIV_UPTAKE] * (c.ck1 + c.cmk4) - red - fsp + kored - kl * Q;
        f[CALCIFY_S_LIV_H] = red + fsp - ox - kl * H;
        f[CALCIFY_S_LIV_E] = ox - kored - kl * E;
        const double Kg = p[CALCIFY_P_LIV_GGCX_KM];
        f[CALCIFY_S_CLOT] = p[CALCIFY_P_PROTHROMBIN_KDEG] * (H / (Kg + H) - y[CALCIFY_S_CLOT]);
    }

    /* aortic cycle, K1 and MK-4 */
    {
        const double Q1 = y[CALCIFY_S_AO_K1_Q], H1 = y[CALCIFY_S_AO_K1_H], E1 = y[CALCIFY_S_AO_K1_E];
        const double Q4 = y[CALCIFY_S_AO_MK4_Q], H4 = y[CALCIFY_S_AO_MK4_H], E4 = y[CALCIFY_S_AO_MK4_E];
        const double vkor = p[CALCIFY_P_AO_VKOR] * I, kored = p[CALCIFY_P_AO_KORED] * I;
        const double ox = p[CALCIFY_P_AO_OX], ka2 = p[CALCIFY_P_AO_KEL];
        const double den = p[CALCIFY_P_AO_FSP1_KM] + Q1 + Q4;
        const double fsp1 = p[CALCIFY_P_AO_FSP1_VMAX] * Q1 / den;
        const double fsp4 = p[CALCIFY_P_AO_FSP1_VMAX] * Q4 / den;
        const double conv = p[CALCIFY_P_CONV_RATE] * c.conv_g * Q1;
        const double uden = p[CALCIFY_P_AO_UPTAKE_KM] + c.ck1 + c.cmk4;
        const double up = p[CALCIFY_P_AO_UPTAKE_VMAX] / uden;
        f[CALCIFY_S_AO_K1_Q] = up * c.ck1 - vkor * Q1 - fsp1 + kored * E1 - ka2 * Q1 - conv;
        f[CALCIFY_S_AO_K1_H] = vkor * Q1 + fsp1 - (ox + ka2) * H1;
        f[CALCIFY_S_AO_K1_E] = ox * H1 - kored * E1 - ka2 * E1;
        f[CALCIFY_S_AO_MK4_Q] = up * c.cmk4 + conv - vkor * Q4 - fsp4 + kored * E4 - ka2 * Q4;
        f[CALCIFY_S_AO_MK4_H] = vkor * Q4 + fsp4 - (ox + ka2) * H4;
        f[CALCIFY_S_AO_MK4_E] = ox * H4 - kored * E4 - ka2 * E4;
    }

    /* MGP and calcium */
    {
        const double uc = y[CALCIFY_S_UCMGP], cm = y[CALCIFY_S_CMGP], M = y[CALCIFY_S_CA_MIN];
        const double H = y[CALCIFY_S_AO_K1_H] + y[CALCIFY_S_AO_MK4_H];
        const double kd = p[CALCIFY_P_MGP_KDEG];
        const double J = p[CALCIFY_P_AO_GGCX_VMAX] * H / (p[CALCIFY_P_AO_GGCX_KM] + H)
                         * uc / (p[CALCIFY_P_AO_GGCX_KM_MGP] + uc);
        f[CALCIFY_S_UCMGP] = kd * (1.0 + p[CALCIFY_P_MGP_INDUCTION] * M) - J - kd * uc;
        f[CALCIFY_S_CMGP] = J - kd * cm;
        const double tot = pos(uc) + pos(cm);
        const double phi = tot > 0 ? pos(uc) / tot : 0;
        const double dep = p[CALCIFY_P_CA_DEP_MAX] * hill(phi, p[CALCIFY_P_CA_DEP_UC50], p[CALCIFY_P_CA_DEP_HILL]);
        const double reg = p[CALCIFY_P_CA_RES_BASAL]
                           + p[CALCIFY_P_CA_REG_MAX] * hill(cm, p[CALCIFY_P_CA_REG_C50], p[CALCIFY_P_CA_REG_HILL]);
        f[CALCIFY_S_CA_MIN] = dep - reg * M;
    }

    return GSL_SUCCESS;
}

int calcify_model_jac(const calcify_model *m, const double y[], double *J,
                      const double u[CALCIFY_NINPUT])
{
    (void)u; /* the diet enters f only additively */
    const double *p = m->p;
    enum { N = CALCIFY_NSTATE };
    memset(J, 0, sizeof(double) * N * N);
#define D(i, j) J[(i) * N + (j)]
    common c;
    common_eval(m, y, &c);
    const double I = c.I, dI = c.dI;
    const double vdk = p[CALCIFY_P_VK_VD];
    const double dck1 = 1 / vdk, dcmk4 = 1 / vdk;

    D(CALCIFY_S_WARF_GUT, CALCIFY_S_WARF_GUT) = -p[CALCIFY_P_WARF_KA];
    D(CALCIFY_S_WARF_CENT, CALCIFY_S_WARF_GUT) = p[CALCIFY_P_WARF_F] * p[CALCIFY_P_WARF_KA];
    D(CALCIFY_S_WARF_CENT, CALCIFY_S_WARF_CENT) = -m->warf_ke;

    const double ka = p[CALCIFY_P_VK_KA], fk = p[CALCIFY_P_VK_F], kel = p[CALCIFY_P_VK_KEL];
    D(CALCIFY_S_K1_GUT, CALCIFY_S_K1_GUT) = -ka;
    D(CALCIFY_S_MK4_GUT, CALCIFY_S_MK4_GUT) = -ka;
    D(CALCIFY_S_K1_PL, CALCIFY_S_K1_GUT) = fk * ka;
    D(CALCIFY_S_K1_PL, CALCIFY_S_K1_PL) = -kel;
    D(CALCIFY_S_MK4_PL, CALCIFY_S_MK4_GUT) = fk * ka;
    D(CALCIFY_S_MK4_PL, CALCIFY_S_MK4_PL) = -kel;

    { /* liver */
        const int q = CALCIFY_S_LIV_Q, h = CALCIFY_S_LIV_H, e = CALCIFY_S_LIV_E;
        const double Q = y[q], H = y[h], E = y[e];
        const double kl = p[CALCIFY_P_LIV_KEL], vk = p[CALCIFY_P_LIV_VKOR];
        const double ox = p[CALCIFY_P_LIV_OX], kr = p[CALCIFY_P_LIV_KORED];
        const double Kf = p[CALCIFY_P_LIV_FSP1_KM];
        const double dfsp = p[CALCIFY_P_LIV_FSP1_VMAX] * Kf / ((Kf + Q) * (Kf + Q));
        const double up = p[CALCIFY_P_LIV_UPTAKE];
        D(q, CALCIFY_S_K1_PL) = up * dck1;
        D(q, CALCIFY_S_MK4_PL) = up * dcmk4;
        D(q, q) = -vk * I - dfsp - kl;
        D(q, e) = kr * I;
        D(q, CALCIFY_S_WARF_CENT) = (-vk * Q + kr * E) * dI;
        D(h, q) = vk * I + dfsp;
        D(h, h) = -(ox + kl);
        D(h, CALCIFY_S_WARF_CENT) = vk * Q * dI;
        D(e, h) = ox;
        D(e, e) = -kr * I - kl;
        D(e, CALCIFY_S_WARF_CENT) = -kr * E * dI;
        const double Kg = p[CALCIFY_P_LIV_GGCX_KM], kP = p[CALCIFY_P_PROTHROMBIN_KDEG];
        D(CALCIFY_S_CLOT, h) = kP * Kg / ((Kg + H) * (Kg + H));
        D(CALCIFY_S_CLOT, CALCIFY_S_CLOT) = -kP;
    }

    { /* aorta */
        const int q1 = CALCIFY_S_AO_K1_Q, h1 = CALCIFY_S_AO_K1_H, e1 = CALCIFY_S_AO_K1_E;
        const int q4 = CALCIFY_S_AO_MK4_Q, h4 = CALCIFY_S_AO_MK4_H, e4 = CALCIFY_S_AO_MK4_E;
        const double Q1 = y[q1], E1 = y[e1], Q4 = y[q4], E4 = y[e4];
        const double vk = p[CALCIFY_P_AO_VKOR], kr = p[CALCIFY_P_AO_KORED];
        const double ox = p[CALCIFY_P_AO_OX], kl = p[CALCIFY_P_AO_KEL];
        const double Vf = p[CALCIFY_P_AO_FSP1_VMAX], Kf = p[CALCIFY_P_AO_FSP1_KM];
        const double den = Kf + Q1 + Q4, den2 = den * den;
        /* ∂fsp_a/∂Q_b */
        const double f1_1 = Vf * (Kf + Q4) / den2;
        const double f1_4 = -Vf * Q1 / den2;
        const double f4_4 = Vf * (Kf + Q1) / den2;
        const double f4_1 = -Vf * Q4 / den2;
        const double kc = p[CALCIFY_P_CONV_RATE];
        const double dconv_dq1 = kc * c.conv_g;
        const double dconv_dw = kc * p[CALCIFY_P_CONV_IMAX] * Q1 * dI;
        const double Vu = p[CALCIFY_P_AO_UPTAKE_VMAX], Ku = p[CALCIFY_P_AO_UPTAKE_KM];
        const double uden = Ku + c.ck1 + c.cmk4, uden2 = uden * uden;
        const int w = CALCIFY_S_WARF_CENT;

        D(q1, CALCIFY_S_K1_PL) = Vu * (Ku + c.cmk4) / uden2 * dck1;
        D(q1, CALCIFY_S_MK4_PL) = -Vu * c.ck1 / uden2 * dcmk4;
        D(q1, q1) = -vk * I - f1_1 - kl - dconv_dq1;
        D(q1, q4) = -f1_4;
        D(q1, e1) = kr * I;
        D(q1, w) = (-vk * Q1 + kr * E1) * dI - dconv_dw;
        D(h1, q1) = vk * I + f1_1;
        D(h1, q4) = f1_4;
        D(h1, h1) = -(ox + kl);
        D(h1, w) = vk * Q1 * dI;
        D(e1, h1) = ox;
        D(e1, e1) = -kr * I - kl;
        D(e1, w) = -kr * E1 * dI;

        D(q4, CALCIFY_S_MK4_PL) = Vu * (Ku + c.ck1) / uden2 * dcmk4;
        D(q4, CALCIFY_S_K1_PL) = -Vu * c.cmk4 / uden2 * dck1;
        D(q4, q1) = dconv_dq1 - f4_1;
        D(q4, q4) = -vk * I - f4_4 - kl;
        D(q4, e4) = kr * I;
        D(q4, w) = (-vk * Q4 + kr * E4) * dI + dconv_dw;
        D(h4, q4) = vk * I + f4_4;
        D(h4, q1) = f4_1;
        D(h4, h4) = -(ox + kl);
        D(h4, w) = vk * Q4 * dI;
        D(e4, h4) = ox;
        D(e4, e4) = -kr * I - kl;
        D(e4, w) = -kr * E4 * dI;
    }

    { /* MGP and calcium */
        const int iu = CALCIFY_S_UCMGP, ic = CALCIFY_S_CMGP, im = CALCIFY_S_CA_MIN;
        const double uc = y[iu], cm = y[ic], M = y[im];
        const double h1 = y[CALCIFY_S_AO_K1_H], h4 = y[CALCIFY_S_AO_MK4_H];
        const double H = h1 + h4;
        const double Vg = p[CALCIFY_P_AO_GGCX_VMAX], KH = p[CALCIFY_P_AO_GGCX_KM];
        const double Ku = p[CALCIFY_P_AO_GGCX_KM_MGP], kd = p[CALCIFY_P_MGP_KDEG];
        const double sat_h = H / (KH + H), dsat_h = KH / ((KH + H) * (KH + H));
        const double sat_u = uc / (Ku + uc);
        const double dsat_u = Ku / ((Ku + uc) * (Ku + uc));
        const double dJ_dh = Vg * dsat_h * sat_u;
        const double dJ_du = Vg * sat_h * dsat_u;
        D(iu, im) = kd * p[CALCIFY_P_MGP_INDUCTION];
        D(iu, CALCIFY_S_AO_K1_H) = -dJ_dh;
        D(iu, CALCIFY_S_AO_MK4_H) = -dJ_dh;
        D(iu, iu) = -dJ_du - kd;
        D(ic, CALCIFY_S_AO_K1_H) = dJ_dh;
        D(ic, CALCIFY_S_AO_MK4_H) = dJ_dh;
        D(ic, iu) = dJ_du;
        D(ic, ic) = -kd;

        const double tot = pos(uc) + pos(cm);
        const double phi = tot > 0 ? pos(uc) / tot : 0;
        const double dphi_du = tot > 0 ? pos(cm) / (tot * tot) * dpos(uc) : 0;
        const double dphi_dc = tot > 0 ? -pos(uc) / (tot * tot) * dpos(cm) : 0;
        const double ddep = p[CALCIFY_P_CA_DEP_MAX]
                            * dhill(phi, p[CALCIFY_P_CA_DEP_UC50], p[CALCIFY_P_CA_DEP_HILL]);
        const double c50 = p[CALCIFY_P_CA_REG_C50], nreg = p[CALCIFY_P_CA_REG_HILL];
        const double reg = p[CALCIFY_P_CA_RES_BASAL] + p[CALCIFY_P_CA_REG_MAX] * hill(cm, c50, nreg);
        const double dreg_dc = cm > 0 ? p[CALCIFY_P_CA_REG_MAX] * dhill(cm, c50, nreg) : 0;
        D(im, iu) = ddep * dphi_du;
        D(im, ic) = ddep * dphi_dc - dreg_dc * M;
        D(im, im) = -reg;
    }
#undef D
    return GSL_SUCCESS;
}

void calcify_model_steady_guess(const calcify_model *m,
                                const double u[CALCIFY_NINPUT],
                                double y[CALCIFY_NSTATE])
{
    const double *p = m->p;
    const double F = p[CALCIFY_P_FOOD_INTAKE];
    memset(y, 0, sizeof(double) * CALCIFY_NSTATE);
    y[CALCIFY_S_WARF_GUT] = F * u[CALCIFY_IN_WARFARIN] / p[CALCIFY_P_WARF_KA];
    y[CALCIFY_S_WARF_CENT] = p[CALCIFY_P_WARF_F] * F * u[CALCIFY_IN_WARFARIN] / m->warf_ke;
    const double ka = p[CALCIFY_P_VK_KA], kel = p[CALCIFY_P_VK_KEL];
    y[CALCIFY_S_K1_GUT] = 1000 * F * u[CALCIFY_IN_K1] / ka;
    y[CALCIFY_S_MK4_GUT] = 1000 * F * u[CALCIFY_IN_MK4] / ka;
    y[CALCIFY_S_K1_PL] = p[CALCIFY_P_VK_F] * 1000 * F * u[CALCIFY_IN_K1] / kel;
    y[CALCIFY_S_MK4_PL] = p[CALCIFY_P_VK_F] * 1000 * F * u[CALCIFY_IN_MK4] / kel;
    common c;
    common_eval(m, y, &c);
    /* each tissue pool: intake over loss, a tenth of it reduced and a
     * tenth epoxidised; Newton corrects the split */
    const double liv = p[CALCIFY_P_LIV_UPTAKE] * (c.ck1 + c.cmk4) / p[CALCIFY_P_LIV_KEL];
    y[CALCIFY_S_LIV_Q] = 0.8 * liv;
    y[CALCIFY_S_LIV_H] = y[CALCIFY_S_LIV_E] = 0.1 * liv;
    y[CALCIFY_S_CLOT] = 0.9;
    const double uden = p[CALCIFY_P_AO_UPTAKE_KM] + c.ck1 + c.cmk4;
    const double up1 = p[CALCIFY_P_AO_UPTAKE_VMAX] * c.ck1 / uden;
    const double up4 = p[CALCIFY_P_AO_UPTAKE_VMAX] * c.cmk4 / uden;
    const double kl = p[CALCIFY_P_AO_KEL], conv = p[CALCIFY_P_CONV_RATE] * c.conv_g;
    const double t1 = up1 / (kl + conv), t4 = (up4 + conv * 0.8 * t1) / kl;
    y[CALCIFY_S_AO_K1_Q] = 0.8 * t1;
    y[CALCIFY_S_AO_K1_H] = y[CALCIFY_S_AO_K1_E] = 0.1 * t1;
    y[CALCIFY_S_AO_MK4_Q] = 0.8 * t4;
    y[CALCIFY_S_AO_MK4_H] = y[CALCIFY_S_AO_MK4_E] = 0.1 * t4;
    y[CALCIFY_S_UCMGP] = 0.1;
    y[CALCIFY_S_CMGP] = 0.9;
}

void calcify_model_observe(const calcify_model *m, const double y[],
                           const double u[CALCIFY_NINPUT], double o[CALCIFY_NOBS])
{
    const double *p = m->p;
    common c;
    common_eval(m, y, &c);
    o[CALCIFY_O_WARF_DIET] = u[CALCIFY_IN_WARFARIN];
    o[CALCIFY_O_K1_DIET] = u[CALCIFY_IN_K1] * 1000.0;
    o[CALCIFY_O_MK4_DIET] = u[CALCIFY_IN_MK4] * 1000.0;
    o[CALCIFY_O_WARF_PLASMA] = pos(y[CALCIFY_S_WARF_CENT]) / p[CALCIFY_P_WARF_VD];
    /* amounts are shown clipped at zero: a −1e−20 is integration noise */
    o[CALCIFY_O_K1_PLASMA] = pos(c.ck1);
    o[CALCIFY_O_MK4_PLASMA] = pos(c.cmk4);
    o[CALCIFY_O_VK_LIVER] = pos(y[CALCIFY_S_LIV_Q] + y[CALCIFY_S_LIV_H] + y[CALCIFY_S_LIV_E]);
    o[CALCIFY_O_K1_AORTA] = pos(y[CALCIFY_S_AO_K1_Q] + y[CALCIFY_S_AO_K1_H] + y[CALCIFY_S_AO_K1_E]);
    o[CALCIFY_O_MK4_AORTA] = pos(y[CALCIFY_S_AO_MK4_Q] + y[CALCIFY_S_AO_MK4_H] + y[CALCIFY_S_AO_MK4_E]);
    o[CALCIFY_O_VKH2_AORTA] = pos(y[CALCIFY_S_AO_K1_H] + y[CALCIFY_S_AO_MK4_H]);
    o[CALCIFY_O_VKO_AORTA] = pos(y[CALCIFY_S_AO_K1_E] + y[CALCIFY_S_AO_MK4_E]);
    const double tot = y[CALCIFY_S_UCMGP] + y[CALCIFY_S_CMGP];
    o[CALCIFY_O_MGP_TOTAL] = tot;
    o[CALCIFY_O_CMGP_FRACTION] = tot > 0 ? y[CALCIFY_S_CMGP] / tot : 0;
    const double ca = p[CALCIFY_P_CA_TISSUE] + y[CALCIFY_S_CA_MIN];
    o[CALCIFY_O_CA_AORTA] = ca;
    o[CALCIFY_O_CLOTTING] = y[CALCIFY_S_CLOT] / m->ref_clot;
    o[CALCIFY_O_DISTENSIBILITY] = exp(-p[CALCIFY_P_DIST_BETA] * (ca - m->ref_ca));
    o[CALCIFY_O_APOPTOSIS] = apoptosis_raw(m, y) / m->ref_apop;
}
