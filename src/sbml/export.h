/* export.h — one arm of a scenario as an SBML Level 3 Version 2 model
 * (internal; only the calcify-sbml program links libsbml).
 *
 * Every state of docs/MODEL.md §2 is a parameter with a rate rule, every
 * model parameter a constant global parameter (its value, unit definition
 * and provenance as notes), the quantities the code derives (unbound
 * warfarin, VKOR activity left, plasma levels, fluxes) and every CSV
 * observable are assignment rules, and the arm's phase boundaries and doses
 * are events.  The equations are written term by term as src/model/model.c
 * computes them; tests/scripts/test_sbml.sh checks the result against
 * `calcify run` with an integrator that reads only the SBML.
 */
#ifndef CALCIFY_SBML_EXPORT_H
#define CALCIFY_SBML_EXPORT_H

#include <sbml/SBMLTypes.h>

#include "calcify/model.h"
#include "calcify/scenario.h"
#include "calcify/status.h"

/* What the model needs besides the scenario: the baseline steady state (the
 * initial values) and the references of the relative observables, both
 * from calcify_sim_baseline. */
typedef struct {
    const calcify_scenario *sc;
    const calcify_arm *arm;
    const double *y0;                    /* CALCIFY_NSTATE values          */
    double ref_clot, ref_ca, ref_apop;   /* calcify_model's references     */
} calcify_sbml_input;

/* Build the document for in->arm.  A scenario with a growth table is
 * refused (CALCIFY_EINPUT): food intake and body weight would be functions
 * of time.  On success *doc is the caller's (SBMLDocument_free). */
calcify_status calcify_sbml_build(const calcify_sbml_input *in, SBMLDocument_t **doc,
                                  calcify_error *err);

#endif
