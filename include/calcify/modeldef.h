/* calcify/modeldef.h — the model as the layers above it see it: one const
 * descriptor that says everything a runner needs (docs/ARCHITECTURE.md,
 * "The model interface").
 *
 * The scenario, run, analysis and cli layers read the model only through a
 * calcify_modeldef: its counts, its names and units, its functions, where a
 * dose goes and which inputs and parameters hold food intake and body
 * weight.  They size arrays by the CALCIFY_MAX_* bounds below and loop over
 * the descriptor's counts, so a model with fewer states, parameters or
 * observables runs through the same code (tests/test_modeldef.c runs a
 * one-compartment PK model through calcify_sim).  The model's own enums
 * (CALCIFY_S_*, CALCIFY_P_*, … in calcify/model.h) are for src/model and
 * the SBML transcription only; scripts/check-layers.py refuses them
 * elsewhere.
 */
#ifndef CALCIFY_MODELDEF_H
#define CALCIFY_MODELDEF_H

#include <stddef.h>
#include <stdint.h>

#include "calcify/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Upper bounds of a descriptor's counts, for arrays on the stack and in
 * structs; calcify_modeldef_check refuses a descriptor beyond them. */
#define CALCIFY_MAX_STATE 32      /* states                                 */
#define CALCIFY_MAX_PARAM 96      /* parameters                             */
#define CALCIFY_MAX_DIET 4        /* diet inputs (food concentrations)      */
#define CALCIFY_MAX_U 8           /* inputs u: the diet, then the rest       */
#define CALCIFY_MAX_MODEL_OBS 32  /* built-in observables (CSV columns)      */
#define CALCIFY_MAX_DRUG 4        /* drugs a scenario can dose               */
#define CALCIFY_MODEL_NROUTE 4    /* routes, in calcify_route order: oral
                                     (gavage), sc, ip, iv                    */

/* One state of y. */
typedef struct {
    const char *id;      /* short symbol, the SBML id (docs/MODEL.md §2)     */
    const char *unit;    /* its unit, as calcify/units.h spells it           */
    const char *meaning; /* one line                                         */
} calcify_state_def;

/* One diet input: a food concentration, constant in a diet phase. */
typedef struct {
    const char *key;     /* its key in a scenario's phase ("warfarin")       */
    const char *id;      /* SBML id ("u_W")                                  */
    const char *unit;    /* the model's unit: "mg/g" (mg per g food)         */
    const char *meaning; /* one line                                         */
    /* the food it is eaten with enters state `state` at per_food·F·u
     * (F food intake, g/kg/d; u in `unit`): the one place the food intake,
     * which a growth table moves inside a phase, enters the right-hand
     * side, so dfdt[state] = per_food·u·dF/dt                              */
    size_t state;
    double per_food;     /* state unit per (unit · g food/kg)               */
    /* for the message that explains how to vary it from the command line
     * (may be NULL): what the food carries ("vitamin K1"), and a scenario
     * variable to set it by ("k1_dose = \"100 ug/g\"")                      */
    const char *substance, *example_var;
} calcify_diet_def;

/* Where a dose of one drug by one route goes: y[state] += per_mg · (dose
 * in mg per kg body weight); an infusion adds per_mg · rate per day.
 * state < 0: the model has no such route for the drug. */
typedef struct {
    int state;
    double per_mg;       /* state unit per mg/kg                            */
} calcify_dose_target;

typedef struct {
    const char *name;    /* the drug's name in a scenario's doses           */
    calcify_dose_target route[CALCIFY_MODEL_NROUTE];
} calcify_drug_def;

/* The model's functions.  `m` is an instance of instance_size bytes that
 * init fills (parameters and whatever it derives from them); it is plain
 * data (copy freely).  y has n_state values, u n_u, diet n_diet, obs
 * n_obs, p n_param (in the units of `params`). */
typedef struct {
    /* p into m, rates derived; relative observables absolute until
     * set_reference                                                         */
    void (*init)(void *m, const double p[]);
    /* take the reference of the relative observables from state y          */
    void (*set_reference)(void *m, const double y[]);
    /* u of a diet: the diet, then what the parameters give (food intake,
     * body weight)                                                          */
    void (*inputs)(const void *m, const double diet[], double u[]);
    /* dy/dt; 0 (callers check the result for NaN)                          */
    int (*rhs)(const void *m, const double y[], double dydt[], const double u[]);
    /* row-major dfdy[i*n_state + j] = ∂f_i/∂y_j; 0                          */
    int (*jac)(const void *m, const double y[], double *dfdy, const double u[]);
    /* a start for the steady state under constant u: diseased == 0 the
     * healthy corner, otherwise the opposite one (the baseline solves from
     * both and checks that they agree)                                      */
    void (*steady_guess)(const void *m, const double u[], int diseased, double y[]);
    /* the observables of y under u, in the units of their names           */
    void (*observe)(const void *m, const double y[], const double u[], double obs[]);
    /* optional (NULL: observe serves): obs[which[k]] for k < n only, each
     * exactly as observe gives it — the solver's steps read a few
     * observables many times (summary metrics), rows all of them once     */
    void (*observe_some)(const void *m, const double y[], const double u[], const int which[],
                         size_t n, double obs[]);
} calcify_model_fns;

typedef struct calcify_modeldef {
    const char *name;                  /* "vermeer2007"                     */
    size_t n_state, n_param, n_diet, n_u, n_obs; /* within CALCIFY_MAX_*   */
    const calcify_state_def *states;   /* [n_state]                         */
    const calcify_param_def *params;   /* [n_param]: name, unit, meaning,
                                          admissible range                  */
    const calcify_diet_def *diet;      /* [n_diet]: u[0 .. n_diet)          */
    const double *default_diet;        /* [n_diet]: the baseline diet of a
                                          scenario that names none          */
    const char *const *obs_names;      /* [n_obs] CSV columns, unit in name */
    const uint32_t *obs_reads;         /* optional [n_obs] (NULL: every state):
                                          the states observable k reads, bit i
                                          for y[i]; observe_some gets only
                                          those right (inside a step the
                                          solver interpolates no others)    */
    size_t instance_size;              /* bytes of an instance m            */
    calcify_model_fns fn;
    /* the drugs a scenario may dose, and where each route puts them        */
    size_t n_drug;
    const calcify_drug_def *drugs;     /* [n_drug]                          */
    /* growth: a growth table overrides u[u_food] (food intake, g/kg/d) and
     * u[u_body_weight] (kg) in time; parameters p_food_intake and
     * p_body_weight are their constant values (a phase's `set` of them,
     * a population's covariates)                                           */
    size_t u_food, u_body_weight;
    int p_food_intake, p_body_weight;
    /* what the baseline check reports of each start (calcify_steady_check's
     * mineral_*): the sum of these states (n_summary 0: nothing), named
     * summary_name in summary_unit in its messages                        */
    const int *summary_states;
    size_t n_summary;
    const char *summary_name, *summary_unit;
} calcify_modeldef;

/* The model calcify ships (docs/MODEL.md): warfarin, vitamin K, MGP and
 * aortic calcium in the rat; parameter files are read for it. */
extern const calcify_modeldef calcify_vermeer2007_model;

/* 0 if md's counts fit the CALCIFY_MAX_* bounds and its indices are in
 * range, else -1 (with the reason in why[cap]). */
int calcify_modeldef_check(const calcify_modeldef *md, char *why, size_t cap);

/* Index of md's parameter `name`, or -1. */
int calcify_modeldef_param(const calcify_modeldef *md, const char *name);

/* Index of md's observable `name`, or -1. */
int calcify_modeldef_obs(const calcify_modeldef *md, const char *name);

/* Index of md's drug `name`, or -1. */
int calcify_modeldef_drug(const calcify_modeldef *md, const char *name);

#ifdef __cplusplus
}
#endif
#endif
