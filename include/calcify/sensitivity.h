/* calcify/sensitivity.h — local sensitivities ∂y/∂p of probed observables
 * (calcify/probe.h) to parameters, by central finite differences with step
 * control.
 *
 * Method: every parameter p is moved to p(1 ± h) for h = 1e-2, 1e-3 and
 * 1e-4 (an absolute h when p = 0), each a full run from its own baseline
 * steady state, giving three central differences D(h).  Truncation error
 * falls as h², solver noise grows as tol/h; for each output the pair of
 * neighbouring steps that agree best marks the plateau between the two, and
 * the finer step of that pair is reported, with |D(h) − D(h')| as its error
 * estimate.  The solver should run tighter than usual (calcify sensitivity
 * uses the scenario's tolerances / 100).  Forward sensitivity equations
 * were not used because the model provides no ∂f/∂p and its parameters are
 * being reworked; differences stay right whatever the model becomes.
 */
#ifndef CALCIFY_SENSITIVITY_H
#define CALCIFY_SENSITIVITY_H

#include <stddef.h>

#include "calcify/probe.h"
#include "calcify/scenario.h"
#include "calcify/status.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { CALCIFY_SENS_NSTEP = 3 };
/* Outputs at or below this (in their own unit) are integration noise
 * around zero: their normalised sensitivity is left empty (NaN). */
#define CALCIFY_SENS_FLOOR 1e-9
extern const double calcify_sens_steps[CALCIFY_SENS_NSTEP];  /* 1e-2, 1e-3, 1e-4 */

typedef struct {
    const calcify_scenario *sc;
    const calcify_probe *probe;
    const int *params;        /* parameters to differentiate by               */
    size_t n_params;
    int threads;
    void (*progress)(void *user, size_t done, size_t total);
    void *user;
} calcify_sens_opts;

typedef struct {
    double sensitivity;       /* ∂y/∂p, y's unit per p's unit                 */
    double normalised;        /* ∂ln y/∂ln p; NAN when y or p is 0            */
    double step;              /* relative step h used (absolute when p = 0)    */
    double error;             /* estimated error of `sensitivity`              */
} calcify_sens;

/* Runs 1 + 6·n_params: value[probe->n_out] gets the unperturbed outputs,
 * out[i·n_out + slot] the sensitivity to params[i].  A failed run leaves
 * NAN where it was needed; *failed (may be NULL) counts failed runs.
 * Returns CALCIFY_OK, CALCIFY_ENOMEM or CALCIFY_EUSAGE. */
calcify_status calcify_sensitivity_run(const calcify_sens_opts *o, double *value,
                                       calcify_sens *out, size_t *failed,
                                       calcify_error *err);

#ifdef __cplusplus
}
#endif
#endif
