/* model.c — warfarin, vitamin K (K1, MK-4, menadione), MGP, VSMC phenotype
 * and aortic calcium in the rat: right-hand side, Jacobian, steady-state
 * guess and observables.  Parameter names, units and ranges:
 * src/model/model_params.c.
 *
 * docs/MODEL.md is the one place for the mathematics; what follows is the
 * short form.  Time in days; diet u = food concentrations (mg/g);
 * F = food intake (g/kg/d).
 *
 *  Warfarin: gut -> body, albumin binding at equilibrium, unbound drug
 *  eliminated by saturable metabolism and acting on VKOR:
 *    dWg/dt = F·u_W − ka_W·Wg      dA/dt = f_W·ka_W·Wg − CLu·Cu/(1 + Cu/Km) + doses
 *    A = Vu·Cu + Valb·Bmax·Cu/(Kd + Cu)      (solved for Cu in closed form)
 *    Ie = EC50/(EC50 + Cu)   VKOR epoxide reduction left
 *    Iq = r·EC50/(r·EC50 + Cu)   VKOR quinone reductions left (K, menadione)
 *  K1 and MK-4 (X): gut -> plasma; liver, other tissues and the aorta draw
 *  on plasma.  A share of gut K1 is cut to menadione, which tissues (the
 *  aorta among them) prenylate to MK-4 once it is reduced, by VKOR (Iq)
 *  unless the conversion needs no VKOR (conv_vkor_free):
 *    g = free + (1 − free)·Iq,   Rmd = md_f·ka·K1g/(1 + K1g/Kmd),   C_md = Rmd/md_cl
 *    dXp/dt = f_X·ka·Xg [+ yield·g·Rmd for MK-4] − CL_X·C_X − m_ao·up_X/1000
 *  Liver cycle Q -> H (VKOR·Iq, FSP1) -> E (carboxylation) -> Q (VKOR·Ie),
 *  prothrombin activity P follows H/(Kg + H).
 *  Aortic cycle per form; the wall's cells reduce K1 at aorta_k1_use times
 *  the MK-4 rate; MK-4 made in the wall: conv = up_md·C_md·g.
 *  MGP: synthesis kd·s·(1 + ind·S); carboxylation
 *    J = Vg·H/(KH + H)·uc/(Ku + uc), H = H1 + H4.
 *  VSMC phenotype, driven by the lack of carboxylated MGP (c):
 *    dS/dt = on·(1 − hill(c; Ks, ns))·(1 − S) − (off0 + offc·hill(c; Kr, mr))·S
 *  Mineral, young My and mature Mm:
 *    dep = dmax·S·(1 − hill(c; Kd, nd))·sat/(sat + My + Mm),  reg = rmax·hill(c; c50, nr)
 *    dMy/dt = dep − (kmat + ry·(1 − S) + reg)·My
 *    dMm/dt = kmat·My − (rm·(1 − S) + reg)·Mm
 *  (basal resorption is the work of contractile cells, hence 1 − S)
 *
 *  Dose depots (gavage, sc, ip; one per drug and route): dD/dt = −ka_r·D,
 *  a share f_r·ka_r·D absorbed into the body (warfarin) or plasma.
 *
 * One loop: switched VSMCs make more MGP, which (given cofactor) raises
 * cMGP, which reverts them — a negative loop.  Nothing downstream acts on the
 * vitamin K pools, so under a constant diet the model has one steady state
 * (docs/MODEL.md §5).
 *
 * Linear and Michaelis–Menten terms are smooth through zero and read states
 * as they are (a state a stepper drives to −1e−16 is harmless there); only
 * Hill terms, whose non-integer powers have no value below zero, read their
 * arguments through pos().
 */
#include <float.h>
#include <math.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "calcify/model.h"

static inline double pos(double x) { return x > 0 ? x : 0; }
/* derivative of pos() from the right: states reach 0 from above */
static inline double dpos(double x) { return x >= 0 ? 1 : 0; }

/* Amount per unit unbound concentration at low levels, L/kg. */
static double warf_low_volume(const double *p)
{
    return p[CALCIFY_P_WARFARIN_VU]
           + p[CALCIFY_P_WARFARIN_VALB] * p[CALCIFY_P_ALBUMIN_CAPACITY] / p[CALCIFY_P_WARFARIN_KD];
}

static calcify_hill hill_prepare(double k, double n)
{
    calcify_hill h = {k, pow(k, n), n, 0};
    if (n == floor(n) && n >= 1 && n <= 8)
        h.n_int = (int)n;
    return h;
}

/* Depots of one drug: gavage, sc, ip (consecutive states from `first`). */
typedef struct {
    int first;              /* the gavage depot; sc and ip follow */
    int f_gavage, ka_gavage;
} depots;

/* calcify_model.depot_ka/depot_fka hold the nine depots in state order */
_Static_assert(CALCIFY_S_MK4_IP - CALCIFY_S_WARF_GAVAGE + 1 == 9,
               "the dose depots are nine consecutive states");

static const depots DEPOTS[3] = {
    {CALCIFY_S_WARF_GAVAGE, CALCIFY_P_WARFARIN_F_GAVAGE, CALCIFY_P_WARFARIN_KA},
    {CALCIFY_S_K1_GAVAGE, CALCIFY_P_K1_F_GAVAGE, CALCIFY_P_VK_KA},
    {CALCIFY_S_MK4_GAVAGE, CALCIFY_P_MK4_F_GAVAGE, CALCIFY_P_VK_KA},
};

/* The three depots of drug d: absorption rate constants and bioavailabilities. */
static void depot_rates(const double *p, int d, double ka[3], double fa[3])
{
    ka[0] = p[DEPOTS[d].ka_gavage];
    fa[0] = p[DEPOTS[d].f_gavage];
    ka[1] = p[CALCIFY_P_SC_KA];
    fa[1] = p[CALCIFY_P_SC_F];
    ka[2] = p[CALCIFY_P_IP_KA];
    fa[2] = p[CALCIFY_P_IP_F];
}

void calcify_model_init(calcify_model *m)
{
    const double *p = m->p;
    /* at therapeutic levels binding is linear, metabolism unsaturated, and
     * ke = CLu / low volume */
    m->warf_clu = M_LN2 / (p[CALCIFY_P_WARFARIN_THALF] / 24.0) * warf_low_volume(p);
    m->inv_warf_km = 1.0 / p[CALCIFY_P_WARFARIN_KM_ELIM];
    m->warf_vb = p[CALCIFY_P_WARFARIN_VALB] * p[CALCIFY_P_ALBUMIN_CAPACITY];
    m->inv_vk_vd = 1.0 / p[CALCIFY_P_VK_VD];
    m->k1_cl = p[CALCIFY_P_K1_CL_LIVER] + p[CALCIFY_P_K1_CL_TISSUE];
    m->mk4_cl = p[CALCIFY_P_MK4_CL_LIVER] + p[CALCIFY_P_MK4_CL_TISSUE];
    m->liver_per_g = 1000.0 / p[CALCIFY_P_LIVER_MASS];
    m->aorta_per_kg = p[CALCIFY_P_AORTA_MASS] / 1000.0;
    m->inv_uptake_km = 1.0 / p[CALCIFY_P_AORTA_UPTAKE_KM];
    m->inv_md_gut_km = 1.0 / p[CALCIFY_P_MENADIONE_GUT_KM];
    m->inv_md_cl = 1.0 / p[CALCIFY_P_MENADIONE_CL];
    m->h_switch = hill_prepare(p[CALCIFY_P_VSMC_SWITCH_CMGP], p[CALCIFY_P_VSMC_SWITCH_HILL]);
    m->h_revert = hill_prepare(p[CALCIFY_P_VSMC_REVERT_C50], p[CALCIFY_P_VSMC_REVERT_HILL]);
    m->h_dep = hill_prepare(p[CALCIFY_P_CA_DEP_C50], p[CALCIFY_P_CA_DEP_HILL]);
    m->h_reg = hill_prepare(p[CALCIFY_P_CA_REG_C50], p[CALCIFY_P_CA_REG_HILL]);
    for (int d = 0; d < 3; d++) {
        double ka[3], fa[3];
        depot_rates(p, d, ka, fa);
        for (int r = 0; r < 3; r++) {
            const int k = DEPOTS[d].first - CALCIFY_S_WARF_GAVAGE + r;
            m->depot_ka[k] = ka[r];
            m->depot_fka[k] = fa[r] * ka[r];
        }
    }
    m->ref_clot = 1.0;
    m->ref_ca = 0.0;
    m->ref_apop = 1.0;
}

/* Unbound warfarin (mg/L) for a body amount A (mg/kg).  A is
 * Vu·Cu + Valb·Bmax·Cu/(Kd + Cu); the root is taken in the form that does
 * not cancel.  Below zero (integration noise) the low-level line continues
 * smoothly. */
static double warf_unbound(const calcify_model *m, double A)
{
    const double vu = m->p[CALCIFY_P_WARFARIN_VU], kd = m->p[CALCIFY_P_WARFARIN_KD];
    const double vb = m->warf_vb;
    if (A <= 0)
        return A / (vu + vb / kd);
    const double b = vu * kd + vb - A;
    const double s = sqrt(b * b + 4.0 * vu * A * kd);
    return b >= 0 ? 2.0 * A * kd / (b + s) : (s - b) / (2.0 * vu);
}

/* dCu/dA at unbound level cu (the same line below zero). */
static double warf_dunbound(const calcify_model *m, double cu)
{
    const double vu = m->p[CALCIFY_P_WARFARIN_VU], kd = m->p[CALCIFY_P_WARFARIN_KD];
    const double c = pos(cu);
    return 1.0 / (vu + m->warf_vb * kd / ((kd + c) * (kd + c)));
}

/* x^n by multiplication for the integer exponents Hill terms use */
static inline double power(double x, const calcify_hill *h)
{
    switch (h->n_int) {
    case 1: return x;
    case 2: return x * x;
    case 3: return x * x * x;
    case 4: { double x2 = x * x; return x2 * x2; }
    case 5: { double x2 = x * x; return x2 * x2 * x; }
    case 6: { double x3 = x * x * x; return x3 * x3; }
    case 7: { double x3 = x * x * x; return x3 * x3 * x; }
    case 8: { double x2 = x * x, x4 = x2 * x2; return x4 * x4; }
    default: return pow(x, h->n);
    }
}

/* hill(x; K, n) = x^n / (K^n + x^n), 0 for x <= 0 */
static inline double hill(double x, const calcify_hill *h)
{
    if (x <= 0)
        return 0;
    double xn = power(x, h);
    return xn / (h->kn + xn);
}

/* d hill / dx (from the right at 0) */
static inline double dhill(double x, const calcify_hill *h)
{
    if (x <= 0)
        return h->n == 1 ? 1 / h->kn : 0;
    double xn = power(x, h), s = h->kn + xn;
    return h->n * xn / x * h->kn / (s * s);
}

/* Quantities shared by the right-hand side, the Jacobian and observables
 * (the derivatives for the Jacobian only: common_jac_eval). */
typedef struct {
    double cu, dcu;            /* unbound warfarin, mg/L, and dCu/dA        */
    double ie, die;            /* VKOR epoxide reduction left, d/dA         */
    double iq, diq;            /* VKOR quinone reductions left, d/dA        */
    double c1, c4;             /* plasma K1, MK-4, ng/mL                    */
    double rmd, cmd;           /* menadione made, ug/kg/d; plasma, ng/mL    */
    double md_sat;             /* 1 / (1 + K1g/Km): gut cleavage left       */
    double sat;                /* aortic uptake: 1 / (1 + (c1 + c4)/Km)     */
    double up1, up4;           /* aortic uptake, ng/g/d                     */
    double conv_g, dconv_g;    /* menadione -> MK-4 activity left, d/dA     */
} common;

static void common_eval(const calcify_model *m, const double y[], common *c)
{
    const double *p = m->p;
    const double ec50 = p[CALCIFY_P_VKOR_EC50];
    const double ec50q = ec50 * p[CALCIFY_P_VKOR_QUINONE_EC50_RATIO];
    c->cu = warf_unbound(m, y[CALCIFY_S_WARF_BODY]);
    const double cu = c->cu;
    c->ie = ec50 / (ec50 + cu);
    c->iq = ec50q / (ec50q + cu);
    c->c1 = y[CALCIFY_S_K1_PL] * m->inv_vk_vd;
    c->c4 = y[CALCIFY_S_MK4_PL] * m->inv_vk_vd;
    /* the gut's cleavage saturates: W&K's 300-fold K1 is not 300-fold menadione */
    c->md_sat = 1.0 / (1.0 + pos(y[CALCIFY_S_K1_GUT]) * m->inv_md_gut_km);
    c->rmd = p[CALCIFY_P_MENADIONE_F] * p[CALCIFY_P_VK_KA] * y[CALCIFY_S_K1_GUT] * c->md_sat;
    c->cmd = c->rmd * m->inv_md_cl;
    c->sat = 1.0 / (1.0 + (c->c1 + c->c4) * m->inv_uptake_km);
    c->up1 = p[CALCIFY_P_AORTA_K1_UPTAKE] * c->c1 * c->sat;
    c->up4 = p[CALCIFY_P_AORTA_MK4_UPTAKE] * c->c4 * c->sat;
    const double free = p[CALCIFY_P_CONV_VKOR_FREE];
    c->conv_g = free + (1.0 - free) * c->iq;
}

static void common_jac_eval(const calcify_model *m, const double y[], common *c)
{
    common_eval(m, y, c);
    const double ec50 = m->p[CALCIFY_P_VKOR_EC50];
    const double ec50q = ec50 * m->p[CALCIFY_P_VKOR_QUINONE_EC50_RATIO];
    const double cu = c->cu;
    c->dcu = warf_dunbound(m, c->cu);
    c->die = -ec50 / ((ec50 + cu) * (ec50 + cu)) * c->dcu;
    c->diq = -ec50q / ((ec50q + cu) * (ec50q + cu)) * c->dcu;
    c->dconv_g = (1.0 - m->p[CALCIFY_P_CONV_VKOR_FREE]) * c->diq;
}

/* Warfarin metabolism, mg/kg/d: unbound clearance saturating at Km. */
static inline double warf_elim(const calcify_model *m, double cu)
{
    return m->warf_clu * cu / (1.0 + pos(cu) * m->inv_warf_km);
}

static inline double warf_delim(const calcify_model *m, double cu)
{
    const double d = 1.0 + pos(cu) * m->inv_warf_km;
    return m->warf_clu / (d * d);
}

/* 1 − hill(x) written as K^n/(K^n + x^n): no cancellation as hill nears 1 */
static inline double hill_off(double x, const calcify_hill *h)
{
    return x > 0 ? h->kn / (h->kn + power(x, h)) : 1.0;
}

/* VSMC switching drive: 1 without carboxylated MGP (BMP-2 free), falling as
 * cMGP binds it; and the reversion rate constant, rising with cMGP. */
static double switch_drive(const calcify_model *m, double cm)
{
    return hill_off(pos(cm), &m->h_switch);
}

static double revert_rate(const calcify_model *m, double cm)
{
    return m->p[CALCIFY_P_VSMC_REVERT_BASAL]
           + m->p[CALCIFY_P_VSMC_REVERT_CMGP] * hill(pos(cm), &m->h_revert);
}

/* Mineral deposition, ug/mg/d: switched VSMCs (S) nucleate mineral unless
 * carboxylated MGP (cm) binds it, and deposition slows as mineral M covers
 * the nucleation sites: dmax·S·(1 − hill(cm))·sat/(sat + M). */
static inline double deposition(const calcify_model *m, double S, double cm, double M)
{
    const double sat = m->p[CALCIFY_P_CA_DEP_SAT];
    return m->p[CALCIFY_P_CA_DEP_MAX] * S * hill_off(pos(cm), &m->h_dep) * sat / (sat + pos(M));
}

/* MGP synthesis, pool units per day, with a share S of VSMCs switched. */
static inline double mgp_synthesis(const calcify_model *m, double S)
{
    const double *p = m->p;
    return p[CALCIFY_P_MGP_KDEG] * p[CALCIFY_P_MGP_SYNTHESIS_REL]
           * (1.0 + p[CALCIFY_P_MGP_INDUCTION] * S);
}

void calcify_model_inputs(const calcify_model *m, const double diet[CALCIFY_NINPUT],
                          double u[CALCIFY_NU])
{
    memcpy(u, diet, sizeof(double) * CALCIFY_NINPUT);
    u[CALCIFY_U_FOOD] = m->p[CALCIFY_P_FOOD_INTAKE];
    u[CALCIFY_U_BODY_WEIGHT] = m->p[CALCIFY_P_BODY_WEIGHT];
}

/* Depots of drug d empty at the rate ka into the body (warfarin) or plasma
 * (K1, MK-4), a share f of them absorbed; returns the absorbed flux.  The
 * rates come from calcify_model_init: this runs on every RHS call. */
static inline double depots_rhs(const calcify_model *m, int d, const double y[], double f[])
{
    const int s0 = DEPOTS[d].first, k = s0 - CALCIFY_S_WARF_GAVAGE;
    double in = 0;
    for (int r = 0; r < 3; r++) {
        f[s0 + r] = -m->depot_ka[k + r] * y[s0 + r];
        in += m->depot_fka[k + r] * y[s0 + r];
    }
    return in;
}


int calcify_model_rhs(const calcify_model *m, const double y[], double f[],
                      const double u[CALCIFY_NU])
{
    const double *p = m->p;
    common c;
    common_eval(m, y, &c);
    const double F = u[CALCIFY_U_FOOD];
    const double iq = c.iq, ie = c.ie;

    /* warfarin */
    f[CALCIFY_S_WARF_GUT] = F * u[CALCIFY_IN_WARFARIN]
                             - p[CALCIFY_P_WARFARIN_KA] * y[CALCIFY_S_WARF_GUT];
    f[CALCIFY_S_WARF_BODY] = p[CALCIFY_P_WARFARIN_F] * p[CALCIFY_P_WARFARIN_KA] * y[CALCIFY_S_WARF_GUT]
                             - warf_elim(m, c.cu) + depots_rhs(m, 0, y, f);

    /* K1, MK-4: mg/g food × g/kg/d = mg/kg/d = 1000 ug/kg/d; tissues return
     * a share of the menadione they prenylate to plasma as MK-4 */
    const double ka = p[CALCIFY_P_VK_KA], am = m->aorta_per_kg;
    f[CALCIFY_S_K1_GUT] = 1000.0 * F * u[CALCIFY_IN_K1] - ka * y[CALCIFY_S_K1_GUT];
    f[CALCIFY_S_MK4_GUT] = 1000.0 * F * u[CALCIFY_IN_MK4] - ka * y[CALCIFY_S_MK4_GUT];
    f[CALCIFY_S_K1_PL] = p[CALCIFY_P_K1_F] * ka * y[CALCIFY_S_K1_GUT] - m->k1_cl * c.c1 - am * c.up1
                         + depots_rhs(m, 1, y, f);
    f[CALCIFY_S_MK4_PL] = p[CALCIFY_P_MK4_F] * ka * y[CALCIFY_S_MK4_GUT]
                          + p[CALCIFY_P_MENADIONE_MK4_YIELD] * c.conv_g * c.rmd
                          - m->mk4_cl * c.c4 - am * c.up4 + depots_rhs(m, 2, y, f);

    /* liver cycle */
    {
        const double Q = y[CALCIFY_S_LIV_Q], H = y[CALCIFY_S_LIV_H], E = y[CALCIFY_S_LIV_E];
        const double kl = p[CALCIFY_P_LIVER_KEL];
        const double uptake = (p[CALCIFY_P_K1_CL_LIVER] * c.c1 + p[CALCIFY_P_MK4_CL_LIVER] * c.c4)
                              * m->liver_per_g;
        const double red = p[CALCIFY_P_LIVER_VKOR] * iq * Q;
        const double fsp = p[CALCIFY_P_LIVER_FSP1_VMAX] * Q / (p[CALCIFY_P_LIVER_FSP1_KM] + Q);
        const double ox = p[CALCIFY_P_LIVER_OX] * H;
        const double kored = p[CALCIFY_P_LIVER_KORED] * ie * E;
        f[CALCIFY_S_LIV_Q] = uptake - red - fsp + kored - kl * Q;
        f[CALCIFY_S_LIV_H] = red + fsp - ox - kl * H;
        f[CALCIFY_S_LIV_E] = ox - kored - kl * E;
        const double Kg = p[CALCIFY_P_LIVER_GGCX_KM];
        f[CALCIFY_S_CLOT] = p[CALCIFY_P_PROTHROMBIN_KDEG] * (H / (Kg + H) - y[CALCIFY_S_CLOT]);
    }

    /* aortic cycle, K1 and MK-4; the cells reduce K1 at aorta_k1_use times
     * the rate of MK-4, which the wall also makes from menadione */
    {
        const double Q1 = y[CALCIFY_S_AO_K1_Q], H1 = y[CALCIFY_S_AO_K1_H], E1 = y[CALCIFY_S_AO_K1_E];
        const double Q4 = y[CALCIFY_S_AO_MK4_Q], H4 = y[CALCIFY_S_AO_MK4_H], E4 = y[CALCIFY_S_AO_MK4_E];
        const double vkor = p[CALCIFY_P_AORTA_VKOR] * iq, kored = p[CALCIFY_P_AORTA_KORED] * ie;
        const double use = p[CALCIFY_P_AORTA_K1_USE];
        const double ox = p[CALCIFY_P_AORTA_OX];
        const double k1 = p[CALCIFY_P_AORTA_K1_KEL], k4 = p[CALCIFY_P_AORTA_MK4_KEL];
        const double vf_den = p[CALCIFY_P_AORTA_FSP1_VMAX] / (p[CALCIFY_P_AORTA_FSP1_KM] + Q1 + Q4);
        const double red1 = use * (vkor + vf_den) * Q1, red4 = (vkor + vf_den) * Q4;
        const double conv = p[CALCIFY_P_AORTA_MENADIONE_UPTAKE] * c.cmd * c.conv_g;
        f[CALCIFY_S_AO_K1_Q] = c.up1 - red1 + kored * E1 - k1 * Q1;
        f[CALCIFY_S_AO_K1_H] = red1 - (ox + k1) * H1;
        f[CALCIFY_S_AO_K1_E] = ox * H1 - kored * E1 - k1 * E1;
        f[CALCIFY_S_AO_MK4_Q] = c.up4 + conv - red4 + kored * E4 - k4 * Q4;
        f[CALCIFY_S_AO_MK4_H] = red4 - (ox + k4) * H4;
        f[CALCIFY_S_AO_MK4_E] = ox * H4 - kored * E4 - k4 * E4;
    }

    /* MGP, VSMC phenotype and mineral */
    {
        const double uc = y[CALCIFY_S_UCMGP], cm = y[CALCIFY_S_CMGP], S = y[CALCIFY_S_VSMC_SW];
        const double My = y[CALCIFY_S_CA_YOUNG], Mm = y[CALCIFY_S_CA_MATURE];
        const double H = y[CALCIFY_S_AO_K1_H] + y[CALCIFY_S_AO_MK4_H];
        const double kd = p[CALCIFY_P_MGP_KDEG];
        const double J = p[CALCIFY_P_AORTA_GGCX_VMAX] * H * uc
                         / ((p[CALCIFY_P_AORTA_GGCX_KM] + H) * (p[CALCIFY_P_AORTA_GGCX_KM_MGP] + uc));
        f[CALCIFY_S_UCMGP] = mgp_synthesis(m, S) - J - kd * uc;
        f[CALCIFY_S_CMGP] = J - kd * cm;
        f[CALCIFY_S_VSMC_SW] = p[CALCIFY_P_VSMC_SWITCH_ON] * switch_drive(m, cm) * (1.0 - S)
                               - revert_rate(m, cm) * S;
        const double dep = deposition(m, S, cm, My + Mm);
        const double reg = p[CALCIFY_P_CA_REG_MAX] * hill(pos(cm), &m->h_reg);
        const double kmat = p[CALCIFY_P_CA_MATURATION];
        /* basal resorption is the work of contractile cells (1 − S) */
        const double keep = 1.0 - S;
        f[CALCIFY_S_CA_YOUNG] = dep - (kmat + p[CALCIFY_P_CA_RES_YOUNG] * keep + reg) * My;
        f[CALCIFY_S_CA_MATURE] = kmat * My - (p[CALCIFY_P_CA_RES_BASAL] * keep + reg) * Mm;
    }

    return GSL_SUCCESS;
}

#define D(i, j) J[(i) * CALCIFY_NSTATE + (j)]

/* What the blocks of the Jacobian share: the terms of common_jac_eval,
 * ∂(aortic uptake of a)/∂(plasma amount of b) and ∂(menadione formed)/∂K1g. */
typedef struct {
    common c;
    double u11, u14, u44, u41; /* 1/d per (ug/kg): up_a over plasma b    */
    double drmd;               /* 1/d                                     */
} jac_shared;

/* Rows of the gut, plasma and dose depots. */
static void jac_plasma(const calcify_model *m, const jac_shared *s, double *J)
{
    const double *p = m->p;
    const common *c = &s->c;
    const int w = CALCIFY_S_WARF_BODY, k1p = CALCIFY_S_K1_PL, k4p = CALCIFY_S_MK4_PL;
    const int k1g = CALCIFY_S_K1_GUT;
    const double ka = p[CALCIFY_P_VK_KA], am = m->aorta_per_kg, ivd = m->inv_vk_vd;
    const double yield = p[CALCIFY_P_MENADIONE_MK4_YIELD];

    D(CALCIFY_S_WARF_GUT, CALCIFY_S_WARF_GUT) = -p[CALCIFY_P_WARFARIN_KA];
    D(w, CALCIFY_S_WARF_GUT) = p[CALCIFY_P_WARFARIN_F] * p[CALCIFY_P_WARFARIN_KA];
    D(w, w) = -warf_delim(m, c->cu) * c->dcu;
    D(k1g, k1g) = -ka;
    D(CALCIFY_S_MK4_GUT, CALCIFY_S_MK4_GUT) = -ka;
    D(k1p, k1g) = p[CALCIFY_P_K1_F] * ka;
    D(k1p, k1p) = -m->k1_cl * ivd - am * s->u11;
    D(k1p, k4p) = -am * s->u14;
    D(k4p, CALCIFY_S_MK4_GUT) = p[CALCIFY_P_MK4_F] * ka;
    D(k4p, k1g) = yield * c->conv_g * s->drmd;
    D(k4p, w) = yield * c->rmd * c->dconv_g;
    D(k4p, k4p) = -m->mk4_cl * ivd - am * s->u44;
    D(k4p, k1p) = -am * s->u41;

    /* dose depots: into the body (warfarin) or plasma (K1, MK-4) */
    static const int into[3] = {CALCIFY_S_WARF_BODY, CALCIFY_S_K1_PL, CALCIFY_S_MK4_PL};
    for (int d = 0; d < 3; d++) {
        double ka_d[3], fa[3];
        depot_rates(p, d, ka_d, fa);
        for (int r = 0; r < 3; r++) {
            const int st = DEPOTS[d].first + r;
            D(st, st) = -ka_d[r];
            D(into[d], st) = fa[r] * ka_d[r];
        }
    }
}

/* Rows of the liver's vitamin K cycle and of clotting. */
static void jac_liver(const calcify_model *m, const double y[], const jac_shared *s,
                      double *J)
{
    const double *p = m->p;
    const common *c = &s->c;
    const int w = CALCIFY_S_WARF_BODY;
    const int q = CALCIFY_S_LIV_Q, h = CALCIFY_S_LIV_H, e = CALCIFY_S_LIV_E;
    const double Q = y[q], H = y[h], E = y[e];
    const double kl = p[CALCIFY_P_LIVER_KEL], vk = p[CALCIFY_P_LIVER_VKOR];
    const double ox = p[CALCIFY_P_LIVER_OX], kr = p[CALCIFY_P_LIVER_KORED];
    const double Kf = p[CALCIFY_P_LIVER_FSP1_KM];
    const double dfsp = p[CALCIFY_P_LIVER_FSP1_VMAX] * Kf / ((Kf + Q) * (Kf + Q));
    const double per_g = m->liver_per_g * m->inv_vk_vd;
    D(q, CALCIFY_S_K1_PL) = p[CALCIFY_P_K1_CL_LIVER] * per_g;
    D(q, CALCIFY_S_MK4_PL) = p[CALCIFY_P_MK4_CL_LIVER] * per_g;
    D(q, q) = -vk * c->iq - dfsp - kl;
    D(q, e) = kr * c->ie;
    D(q, w) = -vk * Q * c->diq + kr * E * c->die;
    D(h, q) = vk * c->iq + dfsp;
    D(h, h) = -(ox + kl);
    D(h, w) = vk * Q * c->diq;
    D(e, h) = ox;
    D(e, e) = -kr * c->ie - kl;
    D(e, w) = -kr * E * c->die;
    const double Kg = p[CALCIFY_P_LIVER_GGCX_KM], kP = p[CALCIFY_P_PROTHROMBIN_KDEG];
    D(CALCIFY_S_CLOT, h) = kP * Kg / ((Kg + H) * (Kg + H));
    D(CALCIFY_S_CLOT, CALCIFY_S_CLOT) = -kP;
}

/* Rows of the aortic K1 and MK-4 cycles. */
static void jac_aorta(const calcify_model *m, const double y[], const jac_shared *s,
                      double *J)
{
    const double *p = m->p;
    const common *c = &s->c;
    const double iq = c->iq, diq = c->diq, ie = c->ie, die = c->die;
    const int w = CALCIFY_S_WARF_BODY, k1p = CALCIFY_S_K1_PL, k4p = CALCIFY_S_MK4_PL;
    const int q1 = CALCIFY_S_AO_K1_Q, h1 = CALCIFY_S_AO_K1_H, e1 = CALCIFY_S_AO_K1_E;
    const int q4 = CALCIFY_S_AO_MK4_Q, h4 = CALCIFY_S_AO_MK4_H, e4 = CALCIFY_S_AO_MK4_E;
    const double Q1 = y[q1], E1 = y[e1], Q4 = y[q4], E4 = y[e4];
    const double vk = p[CALCIFY_P_AORTA_VKOR], kr = p[CALCIFY_P_AORTA_KORED];
    const double ox = p[CALCIFY_P_AORTA_OX], use = p[CALCIFY_P_AORTA_K1_USE];
    const double kl1 = p[CALCIFY_P_AORTA_K1_KEL], kl4 = p[CALCIFY_P_AORTA_MK4_KEL];
    const double Vf = p[CALCIFY_P_AORTA_FSP1_VMAX], Kf = p[CALCIFY_P_AORTA_FSP1_KM];
    const double den = Kf + Q1 + Q4, den2 = den * den;
    /* ∂(reduction of form a)/∂Q_b, K1's scaled by use */
    const double r11 = use * (vk * iq + Vf * (Kf + Q4) / den2);
    const double r14 = -use * Vf * Q1 / den2;
    const double r44 = vk * iq + Vf * (Kf + Q1) / den2;
    const double r41 = -Vf * Q4 / den2;
    const double upmd = p[CALCIFY_P_AORTA_MENADIONE_UPTAKE];
    const double dconv_dk1g = upmd * s->drmd * m->inv_md_cl * c->conv_g;
    const double dconv_dw = upmd * c->cmd * c->dconv_g;

    D(q1, k1p) = s->u11;
    D(q1, k4p) = s->u14;
    D(q1, q1) = -r11 - kl1;
    D(q1, q4) = -r14;
    D(q1, e1) = kr * ie;
    D(q1, w) = -use * vk * Q1 * diq + kr * E1 * die;
    D(h1, q1) = r11;
    D(h1, q4) = r14;
    D(h1, h1) = -(ox + kl1);
    D(h1, w) = use * vk * Q1 * diq;
    D(e1, h1) = ox;
    D(e1, e1) = -kr * ie - kl1;
    D(e1, w) = -kr * E1 * die;

    D(q4, k4p) = s->u44;
    D(q4, k1p) = s->u41;
    D(q4, CALCIFY_S_K1_GUT) = dconv_dk1g;
    D(q4, q1) = -r41;
    D(q4, q4) = -r44 - kl4;
    D(q4, e4) = kr * ie;
    D(q4, w) = -vk * Q4 * diq + kr * E4 * die + dconv_dw;
    D(h4, q4) = r44;
    D(h4, q1) = r41;
    D(h4, h4) = -(ox + kl4);
    D(h4, w) = vk * Q4 * diq;
    D(e4, h4) = ox;
    D(e4, e4) = -kr * ie - kl4;
    D(e4, w) = -kr * E4 * die;
}

/* Rows of MGP, the VSMC phenotype and the mineral. */
static void jac_mineral(const calcify_model *m, const double y[], double *J)
{
    const double *p = m->p;
    const int iu = CALCIFY_S_UCMGP, ic = CALCIFY_S_CMGP, is = CALCIFY_S_VSMC_SW;
    const int iy = CALCIFY_S_CA_YOUNG, im = CALCIFY_S_CA_MATURE;
    const int h1 = CALCIFY_S_AO_K1_H, h4 = CALCIFY_S_AO_MK4_H;
    const double uc = y[iu], cm = y[ic], S = y[is], My = y[iy], Mm = y[im];
    const double H = y[h1] + y[h4];
    const double Vg = p[CALCIFY_P_AORTA_GGCX_VMAX], KH = p[CALCIFY_P_AORTA_GGCX_KM];
    const double Ku = p[CALCIFY_P_AORTA_GGCX_KM_MGP], kd = p[CALCIFY_P_MGP_KDEG];
    const double sat_h = H / (KH + H), dsat_h = KH / ((KH + H) * (KH + H));
    const double sat_u = uc / (Ku + uc);
    const double dsat_u = Ku / ((Ku + uc) * (Ku + uc));
    const double dJ_dh = Vg * dsat_h * sat_u;
    const double dJ_du = Vg * sat_h * dsat_u;
    D(iu, is) = kd * p[CALCIFY_P_MGP_SYNTHESIS_REL] * p[CALCIFY_P_MGP_INDUCTION];
    D(iu, h1) = D(iu, h4) = -dJ_dh;
    D(iu, iu) = -dJ_du - kd;
    D(ic, h1) = D(ic, h4) = dJ_dh;
    D(ic, iu) = dJ_du;
    D(ic, ic) = -kd;

    /* phenotype: drive and reversion both read pos(cm) */
    const double on = p[CALCIFY_P_VSMC_SWITCH_ON], drive = switch_drive(m, cm);
    const double ddrive = -dhill(pos(cm), &m->h_switch) * dpos(cm);
    const double drevert = p[CALCIFY_P_VSMC_REVERT_CMGP] * dhill(pos(cm), &m->h_revert) * dpos(cm);
    D(is, is) = -on * drive - revert_rate(m, cm);
    D(is, ic) = on * ddrive * (1.0 - S) - drevert * S;

    const double M = My + Mm, sat = p[CALCIFY_P_CA_DEP_SAT];
    const double fsat = sat / (sat + pos(M));
    const double dmax = p[CALCIFY_P_CA_DEP_MAX] * fsat;
    const double free = hill_off(pos(cm), &m->h_dep);
    const double dfree = -dhill(pos(cm), &m->h_dep) * dpos(cm);
    const double ddep_dm = -deposition(m, S, cm, M) / (sat + pos(M)) * dpos(M);
    const double reg = p[CALCIFY_P_CA_REG_MAX] * hill(pos(cm), &m->h_reg);
    const double dreg = p[CALCIFY_P_CA_REG_MAX] * dhill(pos(cm), &m->h_reg) * dpos(cm);
    const double kmat = p[CALCIFY_P_CA_MATURATION];
    const double ry = p[CALCIFY_P_CA_RES_YOUNG], rm = p[CALCIFY_P_CA_RES_BASAL];
    D(iy, is) = dmax * free + ry * My;
    D(iy, ic) = dmax * S * dfree - dreg * My;
    D(iy, iy) = -(kmat + ry * (1.0 - S) + reg) + ddep_dm;
    D(iy, im) = ddep_dm;
    D(im, iy) = kmat;
    D(im, is) = rm * Mm;
    D(im, ic) = -dreg * Mm;
    D(im, im) = -(rm * (1.0 - S) + reg);
}
#undef D

int calcify_model_jac(const calcify_model *m, const double y[], double *J,
                      const double u[CALCIFY_NU])
{
    (void)u; /* the diet and food intake enter f only additively */
    const double *p = m->p;
    memset(J, 0, sizeof(double) * CALCIFY_NSTATE * CALCIFY_NSTATE);
    jac_shared s;
    const common *c = &s.c;
    common_jac_eval(m, y, &s.c);
    const double ivd = m->inv_vk_vd;
    /* aortic uptake: ∂up_a/∂C_b, then per plasma amount through 1/Vd */
    const double s2 = c->sat * c->sat * m->inv_uptake_km;
    const double Va1 = p[CALCIFY_P_AORTA_K1_UPTAKE], Va4 = p[CALCIFY_P_AORTA_MK4_UPTAKE];
    s.u11 = (Va1 * c->sat - Va1 * c->c1 * s2) * ivd;
    s.u14 = -Va1 * c->c1 * s2 * ivd;
    s.u44 = (Va4 * c->sat - Va4 * c->c4 * s2) * ivd;
    s.u41 = -Va4 * c->c4 * s2 * ivd;
    /* ∂rmd/∂K1g: md_f·ka·K1g/(1 + K1g/Km) has derivative md_f·ka·sat² */
    s.drmd = p[CALCIFY_P_MENADIONE_F] * p[CALCIFY_P_VK_KA] * c->md_sat * c->md_sat;
    jac_plasma(m, &s, J);
    jac_liver(m, y, &s, J);
    jac_aorta(m, y, &s, J);
    jac_mineral(m, y, J);
    return GSL_SUCCESS;
}

/* Steady state of one redox cycle Q -> H -> E -> Q holding a total T, with
 * reduction rate constant a, epoxidation ox, epoxide reduction b and loss
 * kl: the shares of Q, H and E. */
static void cycle_split(double a, double ox, double b, double kl, double *q,
                        double *h, double *e)
{
    const double rh = a / (ox + kl), re = ox * rh / (b + kl);
    *q = 1.0 / (1.0 + rh + re);
    *h = rh * *q;
    *e = re * *q;
}

/* MGP at steady state for a share S of switched VSMCs and carboxylation
 * capacity V (= Vg·H/(KH + H)): kd·uc² − B·uc − syn·Ku = 0 (positive root),
 * cMGP the rest of the pool syn/kd. */
static void mgp_steady(const calcify_model *m, double S, double V, double *uc, double *cm)
{
    const double kdeg = m->p[CALCIFY_P_MGP_KDEG], Ku = m->p[CALCIFY_P_AORTA_GGCX_KM_MGP];
    const double syn = mgp_synthesis(m, S), B = syn - V - kdeg * Ku;
    *uc = (B + sqrt(B * B + 4.0 * kdeg * syn * Ku)) / (2.0 * kdeg);
    *cm = fmax(syn / kdeg - *uc, 0.0);
}

/* Share of switched VSMCs at steady state under capacity V: S solves
 * S = on·d(c)/(on·d(c) + off(c)) with c = cMGP(S).  The right side falls as
 * S rises (more switched cells make more MGP, more of it carboxylated), so
 * the root is unique; bisection finds it. */
static double switched_steady(const calcify_model *m, double V)
{
    const double on = m->p[CALCIFY_P_VSMC_SWITCH_ON];
    double lo = 0, hi = 1;
    for (int k = 0; k < 60; k++) {
        const double S = 0.5 * (lo + hi);
        double uc, cm;
        mgp_steady(m, S, V, &uc, &cm);
        const double a = on * switch_drive(m, cm), b = revert_rate(m, cm);
        const double target = a + b > 0 ? a / (a + b) : 0;
        if (S < target)
            lo = S;
        else
            hi = S;
    }
    return 0.5 * (lo + hi);
}

void calcify_model_steady_guess(const calcify_model *m,
                                const double u[CALCIFY_NU], int diseased,
                                double y[CALCIFY_NSTATE])
{
    const double *p = m->p;
    const double F = u[CALCIFY_U_FOOD];
    memset(y, 0, sizeof(double) * CALCIFY_NSTATE); /* dose depots empty */

    /* warfarin: exact — unbound level from the dose (metabolism saturates:
     * above its capacity there is no steady state, and a huge level lets
     * the steady-state check say so), amount from binding */
    const double R = p[CALCIFY_P_WARFARIN_F] * F * u[CALCIFY_IN_WARFARIN];
    const double spare = m->warf_clu - R * m->inv_warf_km;
    const double cu = spare > 0 ? R / spare : 1e9;
    const double kd = p[CALCIFY_P_WARFARIN_KD];
    y[CALCIFY_S_WARF_GUT] = F * u[CALCIFY_IN_WARFARIN] / p[CALCIFY_P_WARFARIN_KA];
    y[CALCIFY_S_WARF_BODY] = p[CALCIFY_P_WARFARIN_VU] * cu
                             + p[CALCIFY_P_WARFARIN_VALB] * p[CALCIFY_P_ALBUMIN_CAPACITY] * cu / (kd + cu);

    /* plasma vitamin K: exact but for the aorta's (tiny) share */
    const double ka = p[CALCIFY_P_VK_KA], vd = p[CALCIFY_P_VK_VD];
    y[CALCIFY_S_K1_GUT] = 1000 * F * u[CALCIFY_IN_K1] / ka;
    y[CALCIFY_S_MK4_GUT] = 1000 * F * u[CALCIFY_IN_MK4] / ka;
    y[CALCIFY_S_K1_PL] = vd * p[CALCIFY_P_K1_F] * 1000 * F * u[CALCIFY_IN_K1] / m->k1_cl;
    common c;
    common_eval(m, y, &c); /* menadione and its conversion */
    y[CALCIFY_S_MK4_PL] = vd * (p[CALCIFY_P_MK4_F] * 1000 * F * u[CALCIFY_IN_MK4]
                                + p[CALCIFY_P_MENADIONE_MK4_YIELD] * c.conv_g * c.rmd) / m->mk4_cl;
    common_eval(m, y, &c);

    /* liver: the total is exact (every form is lost at liver_kel); the
     * split uses FSP1 linearised at the total */
    double q, h, e;
    const double liv = (p[CALCIFY_P_K1_CL_LIVER] * c.c1 + p[CALCIFY_P_MK4_CL_LIVER] * c.c4)
                       * 1000.0 / p[CALCIFY_P_LIVER_MASS] / p[CALCIFY_P_LIVER_KEL];
    cycle_split(p[CALCIFY_P_LIVER_VKOR] * c.iq + p[CALCIFY_P_LIVER_FSP1_VMAX] / (p[CALCIFY_P_LIVER_FSP1_KM] + liv),
                p[CALCIFY_P_LIVER_OX], p[CALCIFY_P_LIVER_KORED] * c.ie, p[CALCIFY_P_LIVER_KEL], &q, &h, &e);
    y[CALCIFY_S_LIV_Q] = q * liv;
    y[CALCIFY_S_LIV_H] = h * liv;
    y[CALCIFY_S_LIV_E] = e * liv;
    y[CALCIFY_S_CLOT] = y[CALCIFY_S_LIV_H] / (p[CALCIFY_P_LIVER_GGCX_KM] + y[CALCIFY_S_LIV_H]);

    /* aorta: totals exact (each form is lost at its own rate), splits with
     * FSP1 linearised; two passes let the shared FSP1 see both pools */
    const double ox = p[CALCIFY_P_AORTA_OX], use = p[CALCIFY_P_AORTA_K1_USE];
    const double k1 = p[CALCIFY_P_AORTA_K1_KEL], k4 = p[CALCIFY_P_AORTA_MK4_KEL];
    const double conv = p[CALCIFY_P_AORTA_MENADIONE_UPTAKE] * c.cmd * c.conv_g;
    const double t1 = c.up1 / k1, t4 = (c.up4 + conv) / k4;
    for (int pass = 0; pass < 2; pass++) {
        const double fsp = p[CALCIFY_P_AORTA_FSP1_VMAX]
                           / (p[CALCIFY_P_AORTA_FSP1_KM] + y[CALCIFY_S_AO_K1_Q] + y[CALCIFY_S_AO_MK4_Q]);
        const double a = p[CALCIFY_P_AORTA_VKOR] * c.iq + fsp, b = p[CALCIFY_P_AORTA_KORED] * c.ie;
        double q1, h1, e1, q4, h4, e4;
        cycle_split(use * a, ox, b, k1, &q1, &h1, &e1);
        cycle_split(a, ox, b, k4, &q4, &h4, &e4);
        y[CALCIFY_S_AO_K1_Q] = q1 * t1;
        y[CALCIFY_S_AO_K1_H] = h1 * t1;
        y[CALCIFY_S_AO_K1_E] = e1 * t1;
        y[CALCIFY_S_AO_MK4_Q] = q4 * t4;
        y[CALCIFY_S_AO_MK4_H] = h4 * t4;
        y[CALCIFY_S_AO_MK4_E] = e4 * t4;
    }
    /* downstream blocks given H: exact, or, for the diseased corner, every
     * VSMC switched (making MGP at the induced rate, carboxylated as far as
     * the cofactor allows) and 5 ug/mg of mineral */
    const double H = y[CALCIFY_S_AO_K1_H] + y[CALCIFY_S_AO_MK4_H];
    const double V = p[CALCIFY_P_AORTA_GGCX_VMAX] * H / (p[CALCIFY_P_AORTA_GGCX_KM] + H);
    const double S = diseased ? 1.0 : switched_steady(m, V);
    double uc, cm;
    mgp_steady(m, S, V, &uc, &cm);
    if (diseased) {
        y[CALCIFY_S_VSMC_SW] = 1.0;
        y[CALCIFY_S_UCMGP] = uc;
        y[CALCIFY_S_CMGP] = cm;
        y[CALCIFY_S_CA_YOUNG] = 1.0;
        y[CALCIFY_S_CA_MATURE] = 4.0;
        return;
    }
    y[CALCIFY_S_VSMC_SW] = S;
    y[CALCIFY_S_UCMGP] = uc;
    y[CALCIFY_S_CMGP] = cm;
    /* deposition at no mineral: the guess ignores site saturation (Newton
     * corrects it; on the clean side mineral is near zero anyway) */
    const double dep = deposition(m, S, cm, 0.0);
    const double reg = p[CALCIFY_P_CA_REG_MAX] * hill(pos(cm), &m->h_reg);
    const double kmat = p[CALCIFY_P_CA_MATURATION];
    y[CALCIFY_S_CA_YOUNG] = dep / (kmat + p[CALCIFY_P_CA_RES_YOUNG] * (1.0 - S) + reg);
    const double rm = p[CALCIFY_P_CA_RES_BASAL] * (1.0 - S) + reg;
    y[CALCIFY_S_CA_MATURE] = rm > 0 ? kmat * y[CALCIFY_S_CA_YOUNG] / rm : 0;
}

/* Apoptosis index before normalisation: contractile VSMCs die at rate 1,
 * switched ones (uncarboxylated Gas6, osteochondrogenic) apop_switch_ratio
 * times as fast. */
static double apoptosis_raw(const calcify_model *m, const double y[])
{
    return 1.0 + (m->p[CALCIFY_P_APOP_SWITCH_RATIO] - 1.0) * pos(y[CALCIFY_S_VSMC_SW]);
}

static double mineral(const double y[])
{
    return y[CALCIFY_S_CA_YOUNG] + y[CALCIFY_S_CA_MATURE];
}

void calcify_model_set_reference(calcify_model *m, const double y[CALCIFY_NSTATE])
{
    /* a baseline without vitamin K has no clotting activity to compare
     * with: clotting is then relative to full carboxylation */
    m->ref_clot = y[CALCIFY_S_CLOT] > 1e-9 ? y[CALCIFY_S_CLOT] : 1.0;
    m->ref_ca = m->p[CALCIFY_P_CA_TISSUE] + mineral(y);
    m->ref_apop = apoptosis_raw(m, y);
}

/* What more than one observable reads */
static inline double k1_aorta(const double y[])
{
    return pos(y[CALCIFY_S_AO_K1_Q] + y[CALCIFY_S_AO_K1_H] + y[CALCIFY_S_AO_K1_E]);
}

static inline double mk4_aorta(const double y[])
{
    return pos(y[CALCIFY_S_AO_MK4_Q] + y[CALCIFY_S_AO_MK4_H] + y[CALCIFY_S_AO_MK4_E]);
}

static inline double ca_aorta(const calcify_model *m, const double y[])
{
    return m->p[CALCIFY_P_CA_TISSUE] + pos(mineral(y));
}

/* Observable k of y under u, before the clip of subnormals (c: the
 * common terms, read by the plasma observables only).  One formula per
 * observable, so that observing a few (calcify_model_observe_some) gives
 * the very bits observing all does.  Always inlined: calcify_model_observe
 * calls it with each k a constant, so that each call is its case alone (no
 * switch). */
static inline __attribute__((always_inline)) double
observe_raw(const calcify_model *m, const double y[], const double u[], const common *c, int k)
{
    const double *p = m->p;
    switch (k) {
    case CALCIFY_O_WARF_DIET: return u[CALCIFY_IN_WARFARIN];
    case CALCIFY_O_K1_DIET: return u[CALCIFY_IN_K1] * 1000.0;
    case CALCIFY_O_MK4_DIET: return u[CALCIFY_IN_MK4] * 1000.0;
    /* intake per kg body weight, to show at once what the diet delivers */
    case CALCIFY_O_BODY_WEIGHT: return u[CALCIFY_U_BODY_WEIGHT];
    case CALCIFY_O_WARF_INTAKE: return u[CALCIFY_U_FOOD] * u[CALCIFY_IN_WARFARIN];
    case CALCIFY_O_K1_INTAKE: return 1000.0 * u[CALCIFY_U_FOOD] * u[CALCIFY_IN_K1];
    case CALCIFY_O_MK4_INTAKE: return 1000.0 * u[CALCIFY_U_FOOD] * u[CALCIFY_IN_MK4];
    /* amounts are shown clipped at zero: a −1e−20 is integration noise */
    case CALCIFY_O_WARF_PLASMA: {
        const double cu = pos(c->cu), kd = p[CALCIFY_P_WARFARIN_KD];
        return cu + p[CALCIFY_P_ALBUMIN_CAPACITY] * cu / (kd + cu);
    }
    case CALCIFY_O_WARF_UNBOUND: return pos(c->cu);
    case CALCIFY_O_K1_PLASMA: return pos(c->c1);
    case CALCIFY_O_MK4_PLASMA: return pos(c->c4);
    case CALCIFY_O_MD_PLASMA: return pos(c->cmd);
    case CALCIFY_O_VK_LIVER:
        return pos(y[CALCIFY_S_LIV_Q] + y[CALCIFY_S_LIV_H] + y[CALCIFY_S_LIV_E]);
    case CALCIFY_O_K1_AORTA: return k1_aorta(y);
    case CALCIFY_O_MK4_AORTA: return mk4_aorta(y);
    case CALCIFY_O_MK4_SHARE_AORTA: {
        const double mk4 = mk4_aorta(y);
        const double vk_ao = k1_aorta(y) + mk4;
        return vk_ao > 0 ? mk4 / vk_ao : 0;
    }
    case CALCIFY_O_VKH2_AORTA: return pos(y[CALCIFY_S_AO_K1_H] + y[CALCIFY_S_AO_MK4_H]);
    case CALCIFY_O_VKO_AORTA: return pos(y[CALCIFY_S_AO_K1_E] + y[CALCIFY_S_AO_MK4_E]);
    case CALCIFY_O_MGP_TOTAL: return y[CALCIFY_S_UCMGP] + y[CALCIFY_S_CMGP];
    case CALCIFY_O_CMGP_FRACTION: {
        const double tot = y[CALCIFY_S_UCMGP] + y[CALCIFY_S_CMGP];
        return tot > 0 ? y[CALCIFY_S_CMGP] / tot : 0;
    }
    case CALCIFY_O_CMGP: return pos(y[CALCIFY_S_CMGP]);
    case CALCIFY_O_VSMC_SWITCHED: return pos(y[CALCIFY_S_VSMC_SW]);
    case CALCIFY_O_CA_MINERAL: return pos(mineral(y));
    case CALCIFY_O_CA_AORTA: return ca_aorta(m, y);
    case CALCIFY_O_CLOTTING: return pos(y[CALCIFY_S_CLOT]) / m->ref_clot;
    case CALCIFY_O_DISTENSIBILITY:
        return exp(-p[CALCIFY_P_DIST_BETA] * (ca_aorta(m, y) - m->ref_ca));
    case CALCIFY_O_APOPTOSIS: return apoptosis_raw(m, y) / m->ref_apop;
    default: return NAN;
    }
}

/* a pool decaying to nothing reaches subnormal values (1e-312): noise
 * around zero like the negatives clipped above, and a number other
 * readers refuse as an underflow */
static double unsubnormal(double v) { return fabs(v) < DBL_MIN ? 0 : v; }

#define B(state) ((uint32_t)1 << (state))
#define ALL (~(uint32_t)0)
/* The states each observable reads, as bits of y's indices: observe_raw's
 * formulas, case by case (the plasma observables read the common terms,
 * which read every state; the diet and intake ones the inputs only).
 * tests/test_model.c changes every other state and checks that the
 * observable stays the same to the bit. */
const uint32_t calcify_obs_reads[CALCIFY_NOBS] = {
    [CALCIFY_O_WARF_PLASMA] = ALL,
    [CALCIFY_O_WARF_UNBOUND] = ALL,
    [CALCIFY_O_K1_PLASMA] = ALL,
    [CALCIFY_O_MK4_PLASMA] = ALL,
    [CALCIFY_O_MD_PLASMA] = ALL,
    [CALCIFY_O_VK_LIVER] = B(CALCIFY_S_LIV_Q) | B(CALCIFY_S_LIV_H) | B(CALCIFY_S_LIV_E),
    [CALCIFY_O_K1_AORTA] = B(CALCIFY_S_AO_K1_Q) | B(CALCIFY_S_AO_K1_H) | B(CALCIFY_S_AO_K1_E),
    [CALCIFY_O_MK4_AORTA] = B(CALCIFY_S_AO_MK4_Q) | B(CALCIFY_S_AO_MK4_H) | B(CALCIFY_S_AO_MK4_E),
    [CALCIFY_O_MK4_SHARE_AORTA] = B(CALCIFY_S_AO_K1_Q) | B(CALCIFY_S_AO_K1_H) | B(CALCIFY_S_AO_K1_E) | B(CALCIFY_S_AO_MK4_Q) | B(CALCIFY_S_AO_MK4_H) | B(CALCIFY_S_AO_MK4_E),
    [CALCIFY_O_VKH2_AORTA] = B(CALCIFY_S_AO_K1_H) | B(CALCIFY_S_AO_MK4_H),
    [CALCIFY_O_VKO_AORTA] = B(CALCIFY_S_AO_K1_E) | B(CALCIFY_S_AO_MK4_E),
    [CALCIFY_O_MGP_TOTAL] = B(CALCIFY_S_UCMGP) | B(CALCIFY_S_CMGP),
    [CALCIFY_O_CMGP_FRACTION] = B(CALCIFY_S_UCMGP) | B(CALCIFY_S_CMGP),
    [CALCIFY_O_CMGP] = B(CALCIFY_S_CMGP),
    [CALCIFY_O_VSMC_SWITCHED] = B(CALCIFY_S_VSMC_SW),
    [CALCIFY_O_CA_MINERAL] = B(CALCIFY_S_CA_YOUNG) | B(CALCIFY_S_CA_MATURE),
    [CALCIFY_O_CA_AORTA] = B(CALCIFY_S_CA_YOUNG) | B(CALCIFY_S_CA_MATURE),
    [CALCIFY_O_CLOTTING] = B(CALCIFY_S_CLOT),
    [CALCIFY_O_DISTENSIBILITY] = B(CALCIFY_S_CA_YOUNG) | B(CALCIFY_S_CA_MATURE),
    [CALCIFY_O_APOPTOSIS] = B(CALCIFY_S_VSMC_SW),
};
#undef ALL
#undef B

void calcify_model_observe(const calcify_model *m, const double y[],
                           const double u[CALCIFY_NU], double o[CALCIFY_NOBS])
{
    common c;
    common_eval(m, y, &c);
    /* unrolled, so that each observe_raw is inlined with its k a constant */
#pragma GCC unroll 32
    for (int k = 0; k < CALCIFY_NOBS; k++)
        o[k] = unsubnormal(observe_raw(m, y, u, &c, k));
}

/* Whether observable k reads the common terms: those that read every
 * state (calcify_obs_reads says so, in one place). */
static int observe_needs_common(int k) { return calcify_obs_reads[k] == ~(uint32_t)0; }

void calcify_model_observe_some(const calcify_model *m, const double y[],
                                const double u[CALCIFY_NU], const int which[], size_t n,
                                double o[CALCIFY_NOBS])
{
    common c;
    size_t i = 0;
    while (i < n && !observe_needs_common(which[i]))
        i++;
    if (i < n) /* only when read: most of an observation's cost */
        common_eval(m, y, &c);
    for (i = 0; i < n; i++)
        o[which[i]] = unsubnormal(observe_raw(m, y, u, &c, which[i]));
}
