/* export.c — one arm of a scenario as SBML L3V2, with libsbml's C API.
 *
 * The equations below are src/model/model.c's, term by term (docs/MODEL.md §3);
 * change one there and here together: tests/scripts/test_sbml.sh integrates
 * this file's output and compares it with `calcify run`.  Every number in
 * a formula carries its unit (the L3 formula syntax "1000 ug_per_mg"), so
 * that libsbml's unit check can follow every expression.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calcify/dosing.h"
#include "calcify/modeldef.h"
#include "sbml/export.h"

#ifndef CALCIFY_VERSION
#define CALCIFY_VERSION "unknown"
#endif

/* ---- units ------------------------------------------------------------ */

/* SBML id of a calcify unit string: "1" is dimensionless, "/" reads
 * "_per_" ("ng/g/d" -> "ng_per_g_per_d", "1/d" -> "per_d"). */
static void unit_id(const char *unit, char *id, size_t cap)
{
    if (strcmp(unit, "1") == 0) {
        snprintf(id, cap, "dimensionless");
        return;
    }
    if (strcmp(unit, "%") == 0) { /* a unit of the scenario's own observables */
        snprintf(id, cap, "percent");
        return;
    }
    size_t n = 0;
    const char *s = unit;
    if (strncmp(s, "1/", 2) == 0) {
        n += (size_t)snprintf(id + n, cap - n, "per_");
        s += 2;
    }
    for (; *s && n + 6 < cap; s++) {
        if (*s == '/')
            n += (size_t)snprintf(id + n, cap - n, "_per_");
        else
            id[n++] = *s;
    }
    id[n] = '\0';
}

/* One factor of a unit string: its SBML kind (gram, litre, second), the
 * power of ten and the multiplier that make it from that kind. */
static int unit_token(const char *tok, size_t len, int *kind, int *dec, double *mult)
{
    static const struct {
        const char *name;
        int kind, dec;
        double mult;
    } known[] = {
        {"g", 0, 0, 1},  {"kg", 0, 3, 1},  {"mg", 0, -3, 1}, {"ug", 0, -6, 1},
        {"ng", 0, -9, 1}, {"L", 1, 0, 1}, {"mL", 1, -3, 1}, {"d", 2, 0, 86400},
        {"h", 2, 0, 3600},
        /* amounts, for the units of a scenario's own observables */
        {"mol", 3, 0, 1}, {"mmol", 3, -3, 1}, {"umol", 3, -6, 1}, {"nmol", 3, -9, 1},
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strlen(known[i].name) == len && strncmp(known[i].name, tok, len) == 0) {
            *kind = known[i].kind;
            *dec = known[i].dec;
            *mult = known[i].mult;
            return 0;
        }
    return -1;
}

/* The unit definition of `unit` (a calcify unit string: factors separated
 * by "/", the first one the numerator or "1") in m, once.  Kinds that cancel
 * (g/kg) leave their power of ten; what is left of the scale goes to the
 * first kind it divides, the time multiplier (86400 s per day) to second. */
static int define_unit(Model_t *m, const char *unit)
{
    char id[128];
    unit_id(unit, id, sizeof id);
    if (strcmp(id, "dimensionless") == 0 || Model_getUnitDefinitionById(m, id))
        return 0;
    if (strcmp(id, "percent") == 0) {
        UnitDefinition_t *ud = Model_createUnitDefinition(m);
        UnitDefinition_setId(ud, id);
        UnitDefinition_setName(ud, unit);
        Unit_t *u = UnitDefinition_createUnit(ud);
        Unit_setKind(u, UNIT_KIND_DIMENSIONLESS);
        Unit_setExponent(u, 1);
        Unit_setScale(u, -2);
        Unit_setMultiplier(u, 1);
        return 0;
    }
    int exp[4] = {0, 0, 0, 0}, dec = 0;
    double tmult = 1;
    const char *s = unit;
    for (int sign = 1; *s; sign = -1) {
        size_t len = strcspn(s, "/");
        if (!(len == 1 && s[0] == '1' && sign == 1)) {
            int kind, d;
            double mu;
            if (unit_token(s, len, &kind, &d, &mu))
                return -1;
            exp[kind] += sign;
            dec += sign * d;
            tmult *= sign > 0 ? mu : 1 / mu;
        }
        s += len;
        if (*s == '/')
            s++;
    }
    static const UnitKind_t kinds[4] = {UNIT_KIND_GRAM, UNIT_KIND_LITRE, UNIT_KIND_SECOND,
                                        UNIT_KIND_MOLE};
    UnitDefinition_t *ud = Model_createUnitDefinition(m);
    UnitDefinition_setId(ud, id);
    UnitDefinition_setName(ud, unit);
    if (!exp[0] && !exp[1] && !exp[2] && !exp[3]) { /* g/kg, h/d: a pure number */
        Unit_t *u = UnitDefinition_createUnit(ud);
        Unit_setKind(u, UNIT_KIND_DIMENSIONLESS);
        Unit_setExponent(u, 1);
        Unit_setScale(u, dec);
        Unit_setMultiplier(u, tmult);
        return 0;
    }
    int placed = 0;
    for (int k = 0; k < 4; k++) {
        if (!exp[k])
            continue;
        Unit_t *u = UnitDefinition_createUnit(ud);
        Unit_setKind(u, kinds[k]);
        Unit_setExponent(u, exp[k]);
        double mult = 1;
        if (k == 2) { /* (mult)^exp = tmult */
            mult = pow(tmult, 1.0 / exp[k]);
            if (fabs(mult - round(mult)) < 1e-9 * mult)
                mult = round(mult);
        }
        int scale = 0;
        if (!placed && dec % exp[k] == 0) {
            scale = dec / exp[k];
            placed = 1;
        }
        Unit_setScale(u, scale);
        Unit_setMultiplier(u, mult);
    }
    if (!placed) { /* no kind divides the power of ten: a multiplier */
        Unit_t *u = UnitDefinition_getUnit(ud, 0);
        Unit_setMultiplier(u, Unit_getMultiplier(u) * pow(10.0, (double)dec / Unit_getExponent(u)));
    }
    return 0;
}

/* ---- the model's quantities ---------------------------------------------- */

/* The model transcribed here, and its states and diet inputs: ids, units
 * and meanings are the descriptor's (src/model/modeldef.c), one table for
 * the simulator and the SBML alike. */
#define MD (&calcify_vermeer2007_model)
#define STATES (MD->states)
#define DIET (MD->diet)

/* Right-hand sides, as calcify_model_rhs computes them. */
static const char *const RATES[CALCIFY_NSTATE] = {
    [CALCIFY_S_WARF_GUT] = "food_intake * u_W - warfarin_ka * Wg",
    [CALCIFY_S_WARF_BODY] = "warfarin_f * warfarin_ka * Wg - warf_elim"
                            " + warfarin_f_gavage * warfarin_ka * Dw_g + sc_f * sc_ka * Dw_sc"
                            " + ip_f * ip_ka * Dw_ip",
    [CALCIFY_S_K1_GUT] = "1000 ug_per_mg * food_intake * u_K1 - vk_ka * K1g",
    [CALCIFY_S_MK4_GUT] = "1000 ug_per_mg * food_intake * u_MK4 - vk_ka * MK4g",
    [CALCIFY_S_K1_PL] = "k1_f * vk_ka * K1g - (k1_cl_liver + k1_cl_tissue) * C_K1"
                        " - aorta_mass / 1000 ng_per_ug * up_K1"
                        " + k1_f_gavage * vk_ka * D1_g + sc_f * sc_ka * D1_sc + ip_f * ip_ka * D1_ip",
    [CALCIFY_S_MK4_PL] = "mk4_f * vk_ka * MK4g + menadione_mk4_yield * conv_g * Rmd"
                         " - (mk4_cl_liver + mk4_cl_tissue) * C_MK4"
                         " - aorta_mass / 1000 ng_per_ug * up_MK4"
                         " + mk4_f_gavage * vk_ka * D4_g + sc_f * sc_ka * D4_sc + ip_f * ip_ka * D4_ip",
    [CALCIFY_S_LIV_Q] = "up_L - liver_vkor * Iq * QL - FSP1_L + liver_kored * Ie * EL - liver_kel * QL",
    [CALCIFY_S_LIV_H] = "liver_vkor * Iq * QL + FSP1_L - liver_ox * HL - liver_kel * HL",
    [CALCIFY_S_LIV_E] = "liver_ox * HL - liver_kored * Ie * EL - liver_kel * EL",
    [CALCIFY_S_CLOT] = "prothrombin_kdeg * (HL / (liver_ggcx_km + HL) - P)",
    [CALCIFY_S_AO_K1_Q] = "up_K1 - red1 + aorta_kored * Ie * E1 - aorta_k1_kel * Q1",
    [CALCIFY_S_AO_K1_H] = "red1 - (aorta_ox + aorta_k1_kel) * H1",
    [CALCIFY_S_AO_K1_E] = "aorta_ox * H1 - aorta_kored * Ie * E1 - aorta_k1_kel * E1",
    [CALCIFY_S_AO_MK4_Q] = "up_MK4 + conv - red4 + aorta_kored * Ie * E4 - aorta_mk4_kel * Q4",
    [CALCIFY_S_AO_MK4_H] = "red4 - (aorta_ox + aorta_mk4_kel) * H4",
    [CALCIFY_S_AO_MK4_E] = "aorta_ox * H4 - aorta_kored * Ie * E4 - aorta_mk4_kel * E4",
    [CALCIFY_S_UCMGP] = "mgp_kdeg * mgp_synthesis_rel * (1 dimensionless + mgp_induction * S)"
                        " - J - mgp_kdeg * uc",
    [CALCIFY_S_CMGP] = "J - mgp_kdeg * c",
    [CALCIFY_S_VSMC_SW] = "vsmc_switch_on * switch_drive * (1 dimensionless - S) - revert_rate * S",
    [CALCIFY_S_CA_YOUNG] = "dep - (ca_maturation + ca_res_young * (1 dimensionless - S) + reg) * My",
    [CALCIFY_S_CA_MATURE] = "ca_maturation * My - (ca_res_basal * (1 dimensionless - S) + reg) * Mm",
    [CALCIFY_S_WARF_GAVAGE] = "-warfarin_ka * Dw_g",
    [CALCIFY_S_WARF_SC] = "-sc_ka * Dw_sc",
    [CALCIFY_S_WARF_IP] = "-ip_ka * Dw_ip",
    [CALCIFY_S_K1_GAVAGE] = "-vk_ka * D1_g",
    [CALCIFY_S_K1_SC] = "-sc_ka * D1_sc",
    [CALCIFY_S_K1_IP] = "-ip_ka * D1_ip",
    [CALCIFY_S_MK4_GAVAGE] = "-vk_ka * D4_g",
    [CALCIFY_S_MK4_SC] = "-sc_ka * D4_sc",
    [CALCIFY_S_MK4_IP] = "-ip_ka * D4_ip",
};

/* What the code derives on the way (calcify_model_init, common_eval and the
 * terms of calcify_model_rhs), in an order where each reads only those
 * before it. */
static const struct {
    const char *id, *unit, *formula, *name;
} DERIVED[] = {
    {"CLu", "L/kg/d",
     "ln(2 dimensionless) / (warfarin_thalf / 24 h_per_d)"
     " * (warfarin_vu + warfarin_valb * albumin_capacity / warfarin_kd)",
     "clearance of unbound warfarin, from warfarin_thalf at therapeutic levels"},
    {"warf_vb", "mg/kg", "warfarin_valb * albumin_capacity", "albumin-bound warfarin capacity of the body"},
    {"warf_b", "mg/kg", "warfarin_vu * warfarin_kd + warf_vb - A",
     "b of the binding quadratic vu*Cu^2 - b*Cu - A*kd = 0"},
    {"warf_s", "mg/kg", "sqrt(warf_b * warf_b + 4 dimensionless * warfarin_vu * A * warfarin_kd)",
     "square root of the discriminant of the binding quadratic"},
    {"Cu", "mg/L",
     "piecewise(A / (warfarin_vu + warf_vb / warfarin_kd), A <= 0 mg_per_kg,"
     " piecewise(2 dimensionless * A * warfarin_kd / (warf_b + warf_s), warf_b >= 0 mg_per_kg,"
     " (warf_s - warf_b) / (2 dimensionless * warfarin_vu)))",
     "unbound warfarin: the positive root of A = vu*Cu + valb*Bmax*Cu/(kd + Cu) in the form "
     "that does not cancel; below zero the low-level line"},
    {"warf_elim", "mg/kg/d", "CLu * Cu / (1 dimensionless + max(Cu, 0 mg_per_L) / warfarin_km_elim)",
     "warfarin metabolism, saturable"},
    {"Ie", "1", "vkor_ec50 / (vkor_ec50 + Cu)", "VKOR epoxide reduction left"},
    {"Iq", "1",
     "vkor_ec50 * vkor_quinone_ec50_ratio / (vkor_ec50 * vkor_quinone_ec50_ratio + Cu)",
     "VKOR quinone reductions left (K, menadione)"},
    {"C_K1", "ng/mL", "K1p / vk_vd", "plasma K1"},
    {"C_MK4", "ng/mL", "MK4p / vk_vd", "plasma MK-4"},
    {"Rmd", "ug/kg/d",
     "menadione_f * vk_ka * K1g / (1 dimensionless + max(K1g, 0 ug_per_kg) / menadione_gut_km)",
     "menadione made from gut K1 (MK-4 equivalents), the gut's cleavage saturating"},
    {"C_md", "ng/mL", "Rmd / menadione_cl", "plasma menadione (MK-4 equivalents)"},
    {"uptake_sat", "1", "1 dimensionless / (1 dimensionless + (C_K1 + C_MK4) / aorta_uptake_km)",
     "saturation of aortic uptake, shared by K1 and MK-4"},
    {"up_K1", "ng/g/d", "aorta_k1_uptake * C_K1 * uptake_sat", "aortic K1 uptake"},
    {"up_MK4", "ng/g/d", "aorta_mk4_uptake * C_MK4 * uptake_sat", "aortic MK-4 uptake"},
    {"conv_g", "1", "conv_vkor_free + (1 dimensionless - conv_vkor_free) * Iq",
     "menadione to MK-4 conversion activity left"},
    {"up_L", "ng/g/d", "(k1_cl_liver * C_K1 + mk4_cl_liver * C_MK4) * 1000 ng_per_ug / liver_mass",
     "hepatic vitamin K uptake per g liver"},
    {"FSP1_L", "ng/g/d", "liver_fsp1_vmax * QL / (liver_fsp1_km + QL)",
     "liver warfarin-insensitive reduction"},
    {"fsp_ao", "1/d", "aorta_fsp1_vmax / (aorta_fsp1_km + Q1 + Q4)",
     "aortic warfarin-insensitive reduction per ng/g quinone, shared by both forms"},
    {"red1", "ng/g/d", "aorta_k1_use * (aorta_vkor * Iq + fsp_ao) * Q1", "aortic K1 reduction"},
    {"red4", "ng/g/d", "(aorta_vkor * Iq + fsp_ao) * Q4", "aortic MK-4 reduction"},
    {"conv", "ng/g/d", "aorta_menadione_uptake * C_md * conv_g", "MK-4 made in the wall from menadione"},
    {"H", "ng/g", "H1 + H4", "aortic KH2 available to carboxylation"},
    {"J", "1/d",
     "aorta_ggcx_vmax * H * uc / ((aorta_ggcx_km + H) * (aorta_ggcx_km_mgp + uc))",
     "MGP carboxylation"},
    /* Hill terms read cMGP through pos(): hill(pos(c)) is 0, and 1 - hill
     * is 1, for c <= 0 */
    {"switch_drive", "1",
     "piecewise(vsmc_switch_cmgp^vsmc_switch_hill"
     " / (vsmc_switch_cmgp^vsmc_switch_hill + c^vsmc_switch_hill), c > 0 dimensionless,"
     " 1 dimensionless)",
     "VSMC switching drive, 1 - hill(pos(c); vsmc_switch_cmgp, vsmc_switch_hill)"},
    {"revert_rate", "1/d",
     "vsmc_revert_basal + vsmc_revert_cmgp * piecewise(c^vsmc_revert_hill"
     " / (vsmc_revert_c50^vsmc_revert_hill + c^vsmc_revert_hill), c > 0 dimensionless,"
     " 0 dimensionless)",
     "VSMC reversion rate constant"},
    {"dep", "ug/mg/d",
     "ca_dep_max * S * piecewise(ca_dep_c50^ca_dep_hill / (ca_dep_c50^ca_dep_hill + c^ca_dep_hill),"
     " c > 0 dimensionless, 1 dimensionless) * ca_dep_sat / (ca_dep_sat + max(My + Mm, 0 ug_per_mg))",
     "mineral deposition"},
    {"reg", "1/d",
     "ca_reg_max * piecewise(c^ca_reg_hill / (ca_reg_c50^ca_reg_hill + c^ca_reg_hill),"
     " c > 0 dimensionless, 0 dimensionless)",
     "cMGP-driven mineral regression rate constant"},
};

/* The CSV columns, as calcify_model_observe computes them (pos() as max). */
static const struct {
    const char *unit, *formula;
} OBS[CALCIFY_NOBS] = {
    [CALCIFY_O_WARF_DIET] = {"mg/g", "u_W"},
    [CALCIFY_O_K1_DIET] = {"ug/g", "u_K1 * 1000 ug_per_mg"},
    [CALCIFY_O_MK4_DIET] = {"ug/g", "u_MK4 * 1000 ug_per_mg"},
    [CALCIFY_O_BODY_WEIGHT] = {"kg", "body_weight"},
    [CALCIFY_O_WARF_INTAKE] = {"mg/kg/d", "food_intake * u_W"},
    [CALCIFY_O_K1_INTAKE] = {"ug/kg/d", "1000 ug_per_mg * food_intake * u_K1"},
    [CALCIFY_O_MK4_INTAKE] = {"ug/kg/d", "1000 ug_per_mg * food_intake * u_MK4"},
    [CALCIFY_O_WARF_PLASMA] = {"mg/L", "warfarin_unbound_mg_per_l + albumin_capacity"
                               " * warfarin_unbound_mg_per_l / (warfarin_kd + warfarin_unbound_mg_per_l)"},
    [CALCIFY_O_WARF_UNBOUND] = {"mg/L", "max(Cu, 0 mg_per_L)"},
    [CALCIFY_O_K1_PLASMA] = {"ng/mL", "max(C_K1, 0 ng_per_mL)"},
    [CALCIFY_O_MK4_PLASMA] = {"ng/mL", "max(C_MK4, 0 ng_per_mL)"},
    [CALCIFY_O_MD_PLASMA] = {"ng/mL", "max(C_md, 0 ng_per_mL)"},
    [CALCIFY_O_VK_LIVER] = {"ng/g", "max(QL + HL + EL, 0 ng_per_g)"},
    [CALCIFY_O_K1_AORTA] = {"ng/g", "max(Q1 + H1 + E1, 0 ng_per_g)"},
    [CALCIFY_O_MK4_AORTA] = {"ng/g", "max(Q4 + H4 + E4, 0 ng_per_g)"},
    [CALCIFY_O_MK4_SHARE_AORTA] = {"1", "piecewise(mk4_aorta_ng_per_g / (k1_aorta_ng_per_g + mk4_aorta_ng_per_g),"
                                   " k1_aorta_ng_per_g + mk4_aorta_ng_per_g > 0 ng_per_g, 0 dimensionless)"},
    [CALCIFY_O_VKH2_AORTA] = {"ng/g", "max(H1 + H4, 0 ng_per_g)"},
    [CALCIFY_O_VKO_AORTA] = {"ng/g", "max(E1 + E4, 0 ng_per_g)"},
    [CALCIFY_O_MGP_TOTAL] = {"1", "uc + c"},
    [CALCIFY_O_CMGP_FRACTION] = {"1", "piecewise(c / mgp_total_rel, mgp_total_rel > 0 dimensionless,"
                                 " 0 dimensionless)"},
    [CALCIFY_O_CMGP] = {"1", "max(c, 0 dimensionless)"},
    [CALCIFY_O_VSMC_SWITCHED] = {"1", "max(S, 0 dimensionless)"},
    [CALCIFY_O_CA_MINERAL] = {"ug/mg", "max(My + Mm, 0 ug_per_mg)"},
    [CALCIFY_O_CA_AORTA] = {"ug/mg", "ca_tissue + ca_mineral_ug_per_mg"},
    [CALCIFY_O_CLOTTING] = {"1", "max(P, 0 dimensionless) / ref_clot"},
    [CALCIFY_O_DISTENSIBILITY] = {"1", "exp(-dist_beta * (ca_aorta_ug_per_mg - ref_ca))"},
    [CALCIFY_O_APOPTOSIS] = {"1", "(1 dimensionless + (apop_switch_ratio - 1 dimensionless)"
                             " * max(S, 0 dimensionless)) / ref_apop"},
};


/* Units the formulas name on their numbers, besides those of the
 * quantities. */
static const char *const EXTRA_UNITS[] = {"ug/mg", "ng/ug", "h/d", "mg/L", "ng/mL", "mg/kg",
                                          "ng/g", "mg/g"};

/* ---- building ---------------------------------------------------------- */

typedef struct {
    Model_t *m;
    calcify_error *err;
    calcify_status st;
} builder;

/* The first failure wins: its status and message are kept. */
__attribute__((format(printf, 3, 4)))
static int fail(builder *b, calcify_status st, const char *fmt, ...)
{
    if (!b->st) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(b->err->msg, sizeof b->err->msg, fmt, ap);
        va_end(ap);
        b->st = st;
    }
    return -1;
}

/* text with &, < and > escaped, for XHTML notes; malloc'd */
static char *xml_escape(const char *s)
{
    size_t n = 0;
    for (const char *p = s; *p; p++)
        n += *p == '&' ? 5 : (*p == '<' || *p == '>') ? 4 : 1;
    char *out = malloc(n + 1), *q = out;
    if (!out)
        return NULL;
    for (const char *p = s; *p; p++) {
        const char *rep = *p == '&' ? "&amp;" : *p == '<' ? "&lt;" : *p == '>' ? "&gt;" : NULL;
        if (rep) {
            memcpy(q, rep, strlen(rep));
            q += strlen(rep);
        } else {
            *q++ = *p;
        }
    }
    *q = '\0';
    return out;
}

/* Notes of one or more paragraphs (NULL-terminated list of plain texts). */
static void set_notes(builder *b, SBase_t *x, const char *const *paras)
{
    size_t cap = 256;
    for (size_t i = 0; paras[i]; i++)
        cap += 5 * strlen(paras[i]) + 8;
    char *html = malloc(cap);
    if (!html) {
        fail(b, CALCIFY_ENOMEM, "out of memory");
        return;
    }
    size_t n = (size_t)snprintf(html, cap, "<body xmlns=\"http://www.w3.org/1999/xhtml\">");
    for (size_t i = 0; paras[i]; i++) {
        char *e = xml_escape(paras[i]);
        if (!e) {
            free(html);
            fail(b, CALCIFY_ENOMEM, "out of memory");
            return;
        }
        n += (size_t)snprintf(html + n, cap - n, "<p>%s</p>", e);
        free(e);
    }
    snprintf(html + n, cap - n, "</body>");
    if (SBase_setNotesString(x, html) != LIBSBML_OPERATION_SUCCESS)
        fail(b, CALCIFY_EIO, "libsbml refused the notes '%s'", html);
    free(html);
}

static Parameter_t *add_param(builder *b, const char *id, const char *unit, double value,
                              int constant, const char *name)
{
    char uid[128];
    if (define_unit(b->m, unit)) {
        fail(b, CALCIFY_EIO, "unit '%s' of '%s' has no SBML definition "
             "(expected d, h, g, kg, mg, ug, ng, L, mL, mol, mmol, umol or nmol)", unit, id);
        return NULL;
    }
    unit_id(unit, uid, sizeof uid);
    Parameter_t *p = Model_createParameter(b->m);
    Parameter_setId(p, id);
    if (name)
        Parameter_setName(p, name);
    Parameter_setUnits(p, uid);
    Parameter_setConstant(p, constant);
    if (!isnan(value))
        Parameter_setValue(p, value);
    return p;
}

static ASTNode_t *parse(builder *b, const char *id, const char *formula)
{
    ASTNode_t *a = SBML_parseL3Formula(formula);
    if (!a) {
        char *why = SBML_getLastParseL3Error();
        fail(b, CALCIFY_EIO, "formula of '%s' does not parse: %s", id,
             why ? why : "?");
        free(why);
    }
    return a;
}

static void add_rule(builder *b, int rate, const char *id, const char *formula)
{
    ASTNode_t *a = parse(b, id, formula);
    if (!a)
        return;
    Rule_t *r = rate ? Model_createRateRule(b->m) : Model_createAssignmentRule(b->m);
    Rule_setVariable(r, id);
    Rule_setMath(r, a);
    ASTNode_free(a);
}

/* The names of a scenario's own observable's expression as SBML has them:
 * time_d is the model's time (in days); a function SBML does not have
 * (libmatheval's step, delta, nandelta, erf, …) is refused.  0 or -1. */
static int own_names(builder *b, const char *path, const calcify_user_obs *u, ASTNode_t *a)
{
    ASTNodeType_t ty = ASTNode_getType(a);
    if (ty == AST_NAME && strcmp(ASTNode_getName(a), "time_d") == 0) {
        ASTNode_setType(a, AST_NAME_TIME);
        ASTNode_setName(a, "time");
    } else if (ty == AST_FUNCTION) {
        return fail(b, CALCIFY_EINPUT, "%s:%d: observable '%s' calls %s(), which SBML does "
                    "not have (expected arithmetic, ^, exp, log, sqrt, abs or the "
                    "trigonometric functions)", path, u->line, u->name, ASTNode_getName(a));
    }
    for (unsigned i = 0; i < ASTNode_getNumChildren(a); i++)
        if (own_names(b, path, u, ASTNode_getChild(a, i)))
            return -1;
    return 0;
}

/* Each of the scenario's own observables (docs/SCENARIOS.md, Observables)
 * as an assignment rule of its column's name: its expression as written,
 * read by libsbml's L3 parser with log as the natural log (as libmatheval
 * reads it); its names are the ids of the built-in columns, the parameters
 * and time. */
static void add_own_observables(builder *b, const calcify_scenario *sc)
{
    L3ParserSettings_t *set = L3ParserSettings_create();
    L3ParserSettings_setParseLog(set, L3P_PARSE_LOG_AS_LN);
    for (size_t i = 0; !b->st && sc->obs && i < sc->obs->n_user; i++) {
        const calcify_user_obs *u = &sc->obs->user[i];
        ASTNode_t *a = SBML_parseL3FormulaWithSettings(u->expr, set);
        if (!a) {
            char *why = SBML_getLastParseL3Error();
            fail(b, CALCIFY_EINPUT, "%s:%d: observable '%s': its expression does not read as "
                 "SBML: %s", sc->path, u->line, u->name, why ? why : "?");
            free(why);
            break;
        }
        Parameter_t *p = NULL;
        if (Model_getParameterById(b->m, u->name)) { /* a state or a derived quantity */
            fail(b, CALCIFY_EINPUT, "%s:%d: observable '%s' has the id of a quantity of the "
                 "SBML model (a state, a derived term or a reference; docs/MODEL.md §2-3) "
                 "(expected a name of its own to export it)", sc->path, u->line, u->name);
            ASTNode_free(a);
            break;
        }
        if (!own_names(b, sc->path, u, a) &&
            (p = add_param(b, u->name, u->unit, NAN, 0,
                           u->description[0] ? u->description : "observable of the scenario"))) {
            char src[1200], unit[128];
            snprintf(src, sizeof src, "CSV column of calcify run, defined in %s:%d as %s",
                     sc->path, u->line, u->expr);
            snprintf(unit, sizeof unit, "unit: %s", u->unit);
            const char *paras[] = {src, unit, NULL};
            set_notes(b, (SBase_t *)p, paras);
            Rule_t *r = Model_createAssignmentRule(b->m);
            Rule_setVariable(r, u->name);
            Rule_setMath(r, a);
        }
        ASTNode_free(a);
    }
    L3ParserSettings_free(set);
}

/* A number with a unit, as an AST. */
static ASTNode_t *number(double v, const char *unit)
{
    char uid[128];
    unit_id(unit, uid, sizeof uid);
    ASTNode_t *a = ASTNode_createWithType(AST_REAL);
    ASTNode_setReal(a, v);
    ASTNode_setUnits(a, uid);
    return a;
}

/* Everything that happens at one time of the arm: a phase starting (its
 * diet and the parameters it changes) and doses (state jumps). */
typedef struct {
    double t;
    int phase;                             /* index of the phase starting, or -1 */
    double jump[CALCIFY_NSTATE];
    unsigned char has_jump[CALCIFY_NSTATE];
} moment;

static moment *moment_at(moment **ms, size_t *n, size_t *cap, double t)
{
    for (size_t i = 0; i < *n; i++)
        if ((*ms)[i].t == t)
            return &(*ms)[i];
    if (*n == *cap) {
        size_t nc = *cap ? 2 * *cap : 16;
        moment *p = realloc(*ms, nc * sizeof *p);
        if (!p)
            return NULL;
        *ms = p;
        *cap = nc;
    }
    moment *m = &(*ms)[(*n)++];
    memset(m, 0, sizeof *m);
    m->t = t;
    m->phase = -1;
    return m;
}

static int cmp_moment(const void *a, const void *b)
{
    const double x = ((const moment *)a)->t, y = ((const moment *)b)->t;
    return (x > y) - (x < y);
}

static void describe_diet(const double *diet, char *buf, size_t cap)
{
    snprintf(buf, cap, "warfarin %g mg/g, K1 %g ug/g, MK-4 %g ug/g food", diet[CALCIFY_IN_WARFARIN],
             1000 * diet[CALCIFY_IN_K1], 1000 * diet[CALCIFY_IN_MK4]);
}

/* Growth tables and infusions have no SBML form here: refuse them before
 * anything is built, so no half-written document is ever returned. */
static calcify_status check_exportable(const calcify_scenario *sc, const calcify_arm *arm,
                                       calcify_error *err)
{
    if (sc->growth)
        return calcify_fail(err, CALCIFY_EINPUT,
                            "%s:%d: a growth table makes food intake and body weight "
                            "functions of time, which calcify sbml does not write (expected a "
                            "scenario without growth)", sc->path, sc->growth->line);
    if (arm->growth)
        return calcify_fail(err, CALCIFY_EINPUT,
                            "%s:%d: arm '%s' has a growth table of its own, which calcify sbml "
                            "does not write (expected an arm without growth)", sc->path,
                            arm->growth->line, arm->name);
    for (size_t k = 0; k < arm->n_phases; k++)
        for (size_t d = 0; d < arm->phases[k].n_doses; d++)
            if (arm->phases[k].doses[d].duration > 0)
                return calcify_fail(err, CALCIFY_EINPUT,
                                    "%s:%d: phase %zu of arm '%s' has an infusion, which "
                                    "calcify sbml does not write (expected bolus doses only)",
                                    sc->path, arm->phases[k].doses[d].line, k + 1, arm->name);
    return CALCIFY_OK;
}

/* The parameters of each phase: the set's, overlaid with its `set`.
 * varies[i] marks those some phase changes, which must not be constant. */
static void phase_params(const calcify_scenario *sc, const calcify_arm *arm,
                         double (*pv)[CALCIFY_NPARAM], unsigned char *varies)
{
    for (size_t k = 0; k < arm->n_phases; k++)
        for (int i = 0; i < CALCIFY_NPARAM; i++) {
            pv[k][i] = arm->phases[k].set[i] ? arm->phases[k].set_value[i] : sc->params.value[i];
            if (k > 0 && pv[k][i] != pv[k - 1][i])
                varies[i] = 1;
        }
}

/* The model's id, name, time unit and notes, and the units the rest uses. */
static void describe_model(builder *b, const calcify_scenario *sc, const calcify_arm *arm)
{
    Model_t *m = b->m;
    char id[256], text[1024];
    snprintf(id, sizeof id, "calcify_%s_%s", sc->name, arm->name);
    for (char *p = id; *p; p++) /* an SId: letters, digits, _ */
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
            *p = '_';
    Model_setId(m, id);
    snprintf(text, sizeof text, "%s, arm %s", sc->name, arm->name);
    Model_setName(m, text);
    define_unit(m, "d");
    Model_setTimeUnits(m, "d");
    char p1[1024], p2[1024], p3[512];
    snprintf(p1, sizeof p1, "Scenario %s (%s): %s. Arm %s: %s.", sc->name, sc->path,
             sc->description, arm->name, arm->description);
    snprintf(p2, sizeof p2, "Written by calcify %s (calcify sbml). The equations are those "
             "of docs/MODEL.md section 3, term by term as src/model/model.c computes them; every "
             "state of section 2 is a parameter with a rate rule, and starts at the steady "
             "state of the scenario's baseline diet (calcify_sim_baseline). Time in days. "
             "Phase boundaries and doses are events at fixed times.", CALCIFY_VERSION);
    char diet[256];
    describe_diet(sc->baseline, diet, sizeof diet);
    snprintf(p3, sizeof p3, "Baseline diet: %s. The _rel observables are relative to that "
             "baseline (ref_clot, ref_ca, ref_apop).", diet);
    const char *paras[] = {p1, p2, p3, NULL};
    set_notes(b, (SBase_t *)m, paras);
    for (size_t i = 0; i < sizeof EXTRA_UNITS / sizeof EXTRA_UNITS[0]; i++)
        define_unit(m, EXTRA_UNITS[i]);
}

/* Model parameters (constant unless a phase changes them), the first
 * phase's diet, and the baseline's references of the _rel observables. */
static void add_inputs(builder *b, const calcify_sbml_input *in,
                       const double (*pv)[CALCIFY_NPARAM], const unsigned char *varies)
{
    const calcify_scenario *sc = in->sc;
    for (int i = 0; !b->st && i < CALCIFY_NPARAM; i++) {
        const calcify_param_def *d = &calcify_param_defs[i];
        Parameter_t *p = add_param(b, d->name, d->unit, pv[0][i], !varies[i], d->meaning);
        if (!p)
            break;
        char u[128], src[1200];
        snprintf(u, sizeof u, "unit: %s", d->unit);
        snprintf(src, sizeof src, "source: %s", sc->params.source[i]);
        const char *paras[] = {d->meaning, u, src, varies[i] ? "changed by the arm's phases "
                               "(events)" : NULL, NULL};
        set_notes(b, (SBase_t *)p, paras);
    }
    for (int k = 0; !b->st && k < CALCIFY_NINPUT; k++) {
        Parameter_t *p = add_param(b, DIET[k].id, DIET[k].unit, in->arm->phases[0].diet[k], 0,
                                   DIET[k].meaning);
        const char *paras[] = {"food concentration of the diet phase (mg per g food); "
                               "events set it at the phase boundaries", NULL};
        if (p)
            set_notes(b, (SBase_t *)p, paras);
    }
    static const char *const note = "value at the baseline steady state (calcify_model's "
                                    "reference of the _rel observables)";
    const char *paras[] = {note, NULL};
    Parameter_t *p;
    if ((p = add_param(b, "ref_clot", "1", in->ref_clot, 1, "prothrombin activity at baseline (1 if none)")))
        set_notes(b, (SBase_t *)p, paras);
    if ((p = add_param(b, "ref_ca", "ug/mg", in->ref_ca, 1, "aortic calcium at baseline")))
        set_notes(b, (SBase_t *)p, paras);
    if ((p = add_param(b, "ref_apop", "1", in->ref_apop, 1, "apoptosis index at baseline")))
        set_notes(b, (SBase_t *)p, paras);
}

/* States at the baseline steady state with their rate rules, then the
 * derived quantities and observables as assignment rules. */
static void add_equations(builder *b, const calcify_sbml_input *in)
{
    for (int s = 0; !b->st && s < CALCIFY_NSTATE; s++) {
        if (add_param(b, STATES[s].id, STATES[s].unit, in->y0[s], 0, STATES[s].meaning))
            add_rule(b, 1, STATES[s].id, RATES[s]);
    }
    for (size_t k = 0; !b->st && k < sizeof DERIVED / sizeof DERIVED[0]; k++)
        if (add_param(b, DERIVED[k].id, DERIVED[k].unit, NAN, 0, DERIVED[k].name))
            add_rule(b, 0, DERIVED[k].id, DERIVED[k].formula);
    for (int o = 0; !b->st && o < CALCIFY_NOBS; o++)
        if (add_param(b, calcify_obs_names[o], OBS[o].unit, NAN, 0, "CSV column of calcify run"))
            add_rule(b, 0, calcify_obs_names[o], OBS[o].formula);
    add_own_observables(b, in->sc);
}

/* Phase starts and doses of the arm, merged by time and sorted: one SBML
 * event per time.  *ms is the caller's to free, also on failure. */
static void collect_moments(builder *b, const calcify_arm *arm,
                            const double (*pv)[CALCIFY_NPARAM], moment **ms, size_t *nm)
{
    size_t cm = 0;
    double t0 = 0;
    for (size_t k = 0; !b->st && k < arm->n_phases; k++) {
        const calcify_diet_phase *ph = &arm->phases[k];
        if (k > 0) {
            moment *mo = moment_at(ms, nm, &cm, t0);
            if (!mo) {
                fail(b, CALCIFY_ENOMEM, "out of memory");
                break;
            }
            mo->phase = (int)k;
        }
        calcify_event *ev = NULL;
        size_t nev = 0;
        calcify_status st = calcify_dose_events(MD, ph->doses, ph->n_doses, ph->duration, t0, NULL,
                                                pv[k][CALCIFY_P_BODY_WEIGHT], &ev, &nev, b->err);
        if (st) {
            b->st = st;
            break;
        }
        for (size_t e = 0; e < nev; e++) {
            moment *mo = moment_at(ms, nm, &cm, t0 + ev[e].t);
            if (!mo) {
                fail(b, CALCIFY_ENOMEM, "out of memory");
                break;
            }
            mo->jump[ev[e].state] += ev[e].amount;
            mo->has_jump[ev[e].state] = 1;
        }
        free(ev);
        t0 += ph->duration;
    }
    if (!b->st && *nm)
        qsort(*ms, *nm, sizeof **ms, cmp_moment);
}

/* A human-readable name of what happens at the moment. */
static void describe_moment(const calcify_arm *arm, const moment *mo, char *desc, size_t cap)
{
    size_t n = 0;
    if (mo->phase >= 0) {
        char diet[256];
        describe_diet(arm->phases[mo->phase].diet, diet, sizeof diet);
        n += (size_t)snprintf(desc + n, cap - n, "phase %d starts: %s", mo->phase + 1, diet);
    }
    for (int s = 0; s < CALCIFY_NSTATE && n < cap; s++)
        if (mo->has_jump[s])
            n += (size_t)snprintf(desc + n, cap - n, "%sdose into %s", n ? "; " : "",
                                  STATES[s].id);
}

/* time >= t, false before the start so that a moment at time 0 fires too. */
static void add_trigger(Event_t *e, double t)
{
    Trigger_t *tr = Event_createTrigger(e);
    Trigger_setInitialValue(tr, 0);
    Trigger_setPersistent(tr, 1);
    ASTNode_t *geq = ASTNode_createWithType(AST_RELATIONAL_GEQ);
    ASTNode_t *time = ASTNode_createWithType(AST_NAME_TIME);
    ASTNode_setName(time, "time");
    ASTNode_addChild(geq, time);
    ASTNode_addChild(geq, number(t, "d"));
    Trigger_setMath(tr, geq);
    ASTNode_free(geq);
}

/* A phase start sets the whole diet, but only the parameters that differ
 * from the previous phase's, so unchanged ones can stay constant. */
static void assign_phase(Event_t *e, const calcify_arm *arm,
                         const double (*pv)[CALCIFY_NPARAM], int phase)
{
    const calcify_diet_phase *ph = &arm->phases[phase];
    for (int k = 0; k < CALCIFY_NINPUT; k++) {
        EventAssignment_t *ea = Event_createEventAssignment(e);
        EventAssignment_setVariable(ea, DIET[k].id);
        ASTNode_t *a = number(ph->diet[k], "mg/g");
        EventAssignment_setMath(ea, a);
        ASTNode_free(a);
    }
    for (int p = 0; p < CALCIFY_NPARAM; p++)
        if (pv[phase][p] != pv[phase - 1][p]) {
            EventAssignment_t *ea = Event_createEventAssignment(e);
            EventAssignment_setVariable(ea, calcify_param_defs[p].name);
            ASTNode_t *a = number(pv[phase][p], calcify_param_defs[p].unit);
            EventAssignment_setMath(ea, a);
            ASTNode_free(a);
        }
}

/* Doses jump their states by the amount, at full precision. */
static void assign_doses(builder *b, Event_t *e, const moment *mo)
{
    for (int s = 0; s < CALCIFY_NSTATE; s++)
        if (mo->has_jump[s]) {
            char uid[128], f[256];
            unit_id(STATES[s].unit, uid, sizeof uid);
            snprintf(f, sizeof f, "%s + %.17g %s", STATES[s].id, mo->jump[s], uid);
            ASTNode_t *a = parse(b, STATES[s].id, f);
            if (!a)
                break;
            EventAssignment_t *ea = Event_createEventAssignment(e);
            EventAssignment_setVariable(ea, STATES[s].id);
            EventAssignment_setMath(ea, a);
            ASTNode_free(a);
        }
}

/* The event of moment number i (0-based) of the sorted moments. */
static void add_event(builder *b, const calcify_arm *arm, const double (*pv)[CALCIFY_NPARAM],
                      const moment *mo, size_t i)
{
    Event_t *e = Model_createEvent(b->m);
    char id[256];
    snprintf(id, sizeof id, "event_%zu", i + 1);
    Event_setId(e, id);
    Event_setUseValuesFromTriggerTime(e, 1);
    char desc[512];
    describe_moment(arm, mo, desc, sizeof desc);
    Event_setName(e, desc);
    add_trigger(e, mo->t);
    if (mo->phase >= 0)
        assign_phase(e, arm, pv, mo->phase);
    assign_doses(b, e, mo);
}

calcify_status calcify_sbml_build(const calcify_sbml_input *in, SBMLDocument_t **out,
                                  calcify_error *err)
{
    const calcify_arm *arm = in->arm;
    *out = NULL;
    calcify_status st = check_exportable(in->sc, arm, err);
    if (st)
        return st;
    double (*pv)[CALCIFY_NPARAM] = calloc(arm->n_phases, sizeof *pv);
    if (!pv)
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    unsigned char varies[CALCIFY_NPARAM] = {0};
    phase_params(in->sc, arm, pv, varies);
    const double (*cpv)[CALCIFY_NPARAM] = (const double (*)[CALCIFY_NPARAM])pv;

    SBMLDocument_t *doc = SBMLDocument_createWithLevelAndVersion(3, 2);
    builder b = {SBMLDocument_createModel(doc), err, CALCIFY_OK};
    describe_model(&b, in->sc, arm);
    add_inputs(&b, in, cpv, varies);
    add_equations(&b, in);
    moment *ms = NULL;
    size_t nm = 0;
    collect_moments(&b, arm, cpv, &ms, &nm);
    for (size_t i = 0; !b.st && i < nm; i++)
        add_event(&b, arm, cpv, &ms[i], i);
    free(ms);
    free(pv);
    if (b.st) {
        SBMLDocument_free(doc);
        return b.st;
    }
    *out = doc;
    return CALCIFY_OK;
}
