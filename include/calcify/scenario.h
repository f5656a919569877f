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
#include "calcify/model.h"
#include "calcify/params.h"
#include "calcify/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    double duration;               /* d, > 0                                  */
    double diet[CALCIFY_NINPUT];   /* mg per g food, >= 0                     */
    calcify_dose *doses;           /* gavage and injections; NULL if none     */
    size_t n_doses;
    int line;                      /* where it was written                    */
} calcify_diet_phase;

typedef struct {
    char *name;
    char *description;             /* may be empty                            */
    calcify_diet_phase *phases;
    size_t n_phases;
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

typedef struct {
    char *path;                    /* as given to calcify_scenario_load        */
    char *name;
    char *description;
    char *param_path;              /* resolved relative to the scenario file   */
    double output_step;            /* d, > 0                                   */
    char *method;                  /* GSL stepper name (calcify/solver.h)      */
    double rtol, atol;
    double baseline[CALCIFY_NINPUT]; /* the normal diet of week 0, mg/g        */
    calcify_arm *arms;
    size_t n_arms;
    calcify_paramset params;       /* parameter file + scenario overrides      */
    calcify_growth *growth;        /* optional growth table; NULL if none      */
    calcify_data_label *labels;    /* optional data_labels group               */
    size_t n_labels;
} calcify_scenario;

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

/* Release everything; NULL-safe; leaves *sc zeroed. */
void calcify_scenario_free(calcify_scenario *sc);

/* The arm called `name`, or NULL. */
const calcify_arm *calcify_scenario_find_arm(const calcify_scenario *sc,
                                             const char *name);

/* The data label called `label`, or NULL. */
const calcify_data_label *calcify_scenario_find_label(const calcify_scenario *sc,
                                                      const char *label);

/* Total duration of an arm, d. */
double calcify_arm_duration(const calcify_arm *arm);

#ifdef __cplusplus
}
#endif
#endif
