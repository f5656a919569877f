/* calcify/scenario.h — a study protocol: arms made of diet phases, the
 * baseline diet, the parameter file, output step and solver settings.
 *
 * Scenario files are libconfig files; docs/SCENARIOS.md has the complete
 * format with an example (models/vermeer2007.cfg).
 */
#ifndef CALCIFY_SCENARIO_H
#define CALCIFY_SCENARIO_H

#include <stddef.h>

#include "calcify/dosing.h"
#include "calcify/modeldef.h"
#include "calcify/observables.h"
#include "calcify/params.h"
#include "calcify/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A phase: constant diet, and doses, for a duration.
 * Parameters changed by the arm's or the phase's `set` group are folded in
 * here at load time (the phase's own value wins), kept inline rather than
 * behind a pointer so that copies (the arm cache) never dangle.  A phase
 * built in code must be zero-initialised (= {0}) so that it sets nothing. */
typedef struct {
    double duration;               /* d, > 0                                  */
    double diet[CALCIFY_MAX_DIET]; /* the model's diet inputs (its unit), >= 0 */
    calcify_dose *doses;           /* gavage and injections; NULL if none     */
    size_t n_doses;
    unsigned char set[CALCIFY_MAX_PARAM]; /* 1 where this phase changes parameter i */
    double set_value[CALCIFY_MAX_PARAM];  /* its value (model unit); 0 elsewhere    */
    int line;                      /* where it was written                    */
} calcify_diet_phase;

typedef struct {
    char *name;
    char *description;             /* may be empty                            */
    calcify_diet_phase *phases;
    size_t n_phases;
    const calcify_growth *growth;  /* the arm's own growth table (owned by the
                                      scenario), NULL: the scenario's        */
    const calcify_obs_table *obs;  /* the columns of its rows: the scenario's
                                      table (owned by it), NULL: built-ins  */
    int line;
} calcify_arm;

/* How a label of a data file (targets) maps onto this scenario's arms. */
typedef struct {
    char *label;
    size_t *arms;                  /* indices into calcify_scenario.arms       */
    size_t n_arms;
    size_t *den;                   /* denominator arms of a ratio label        */
    size_t n_den;                  /* 0 unless the label is a ratio            */
    int line;
} calcify_data_label;

/* A scenario variable: vars = { high_k = "100 ug/g"; }; used as "$high_k". */
typedef struct {
    char *name;
    char *value;                   /* the text substituted (after any --set)   */
    int line;                      /* where it was defined                     */
} calcify_var;

/* How to load a scenario besides its file. */
typedef struct {
    const char *param_path;        /* parameter file; NULL = the scenario's     */
    const char *const *sets;       /* "NAME=VALUE", applied in order: a variable
                                      before the file is read (a bare number
                                      takes the unit of the variable's
                                      definition), a parameter after the
                                      scenario's overrides                     */
    size_t n_sets;
} calcify_scenario_opts;

typedef struct {
    char *path;                    /* as given to calcify_scenario_load        */
    char *name;
    char *description;
    char *param_path;              /* resolved relative to the scenario file   */
    double output_step;            /* d, > 0                                   */
    char *method;                  /* GSL stepper name (calcify/solver.h)      */
    double rtol, atol;
    double baseline[CALCIFY_MAX_DIET]; /* the normal diet of week 0 (the model's
                                      default_diet if the file gives none)   */
    calcify_arm *arms;
    size_t n_arms;
    calcify_paramset params;       /* parameter file + scenario overrides      */
    calcify_growth *growth;        /* optional growth table; NULL if none      */
    calcify_data_label *labels;    /* optional data_labels group               */
    size_t n_labels;
    calcify_var *vars;             /* optional vars group                      */
    size_t n_vars;
    double *endpoints;             /* optional endpoints, d, increasing        */
    size_t n_endpoints;            /* 0: the end of every phase                */
    calcify_obs_table *obs;        /* built-in and own observables (observables
                                      = ( … );), NULL: built-ins only; every
                                      arm points at it                         */
    int *endpoint_obs;             /* optional endpoint_observables            */
    size_t n_endpoint_obs;         /* 0: calcify_endpoints' defaults           */
    char *param_override;          /* opts.param_path, kept for reloading      */
    char **sets;                   /* opts.sets, kept for reloading            */
    size_t n_sets;
} calcify_scenario;

/* Defaults of the optional keys (docs/SCENARIOS.md). */
#define CALCIFY_DEFAULT_METHOD "auto"
#define CALCIFY_DEFAULT_RTOL 1e-6
#define CALCIFY_DEFAULT_ATOL 1e-9
#define CALCIFY_DEFAULT_OUTPUT_STEP_D 1.0

/* Load and check a scenario and the parameter file it names.  On failure
 * nothing needs freeing and err holds "path:line: what (expected …)". */
calcify_status calcify_scenario_load(const char *path, calcify_scenario *sc,
                                     calcify_error *err);

/* The same, with the parameter file `param_path` (when not NULL) in place of
 * the one the scenario names; the scenario's overrides still apply. */
calcify_status calcify_scenario_load_params(const char *path,
                                            const char *param_path,
                                            calcify_scenario *sc,
                                            calcify_error *err);

/* The general form: opts may be NULL. */
calcify_status calcify_scenario_load_opts(const char *path,
                                          const calcify_scenario_opts *opts,
                                          calcify_scenario *sc, calcify_error *err);

/* Load base's file again with base's options and then `extra` assignments
 * (a sweep run that varies a variable).  The files are read again. */
calcify_status calcify_scenario_reload(const calcify_scenario *base,
                                       const char *const *extra, size_t n_extra,
                                       calcify_scenario *out, calcify_error *err);

/* The variable called `name`, or NULL. */
const calcify_var *calcify_scenario_find_var(const calcify_scenario *sc,
                                             const char *name);

/* Release everything; NULL-safe; leaves *sc zeroed. */
void calcify_scenario_free(calcify_scenario *sc);

/* The arm called `name`, or NULL. */
const calcify_arm *calcify_scenario_find_arm(const calcify_scenario *sc,
                                             const char *name);

/* The data label called `label`, or NULL. */
const calcify_data_label *calcify_scenario_find_label(const calcify_scenario *sc,
                                                      const char *label);

/* May parameter `param` be set, varied or drawn for sc?  Not food_intake
 * or body_weight when a growth table (the scenario's or an arm's) decides
 * them: a value given elsewhere
 * would be silently ignored.  `who` names the setter in the message ("--set
 * 'food_intake=50'", "FILE:LINE: phase 1 of arm 'a'"); the error has status
 * `code`.  The one check for scenario sets and every command-line option. */
calcify_status calcify_scenario_check_settable(const calcify_scenario *sc, int param,
                                               const char *who, calcify_status code,
                                               calcify_error *err);

/* One dose an arm gives, as `calcify run --doses` writes it. */
typedef struct {
    double t;                 /* d from the arm's start                        */
    size_t phase;             /* index into arm->phases                        */
    int drug;                 /* index into the model's drugs                  */
    calcify_route route;
    double amount_mg_per_kg;  /* per kg body weight at the dose's time; an
                                 infusion's whole amount (a per-animal one
                                 divided by the body weight as it changes)     */
    double rate_mg_per_kg_d;  /* an infusion's rate at its start; NAN: bolus   */
    double duration;          /* an infusion's, d; NAN: bolus                  */
} calcify_dose_record;

/* Every dose of `arm` in time order (a bolus by its time, an infusion by
 * its start), into *out (malloc'd, NULL if none) and *n.  Body weight is
 * the growth table's, else the phase's parameter body_weight (sc->params
 * with the phase's `set`), as in the run. */
calcify_status calcify_arm_doses(const calcify_scenario *sc, const calcify_arm *arm,
                                 calcify_dose_record **out, size_t *n,
                                 calcify_error *err);

/* Total duration of an arm, d. */
double calcify_arm_duration(const calcify_arm *arm);

#ifdef __cplusplus
}
#endif
#endif
