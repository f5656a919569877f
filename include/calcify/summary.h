/* calcify/summary.h — endpoint metrics of an arm, one CSV row each: what a
 * parameter sweep or a shell loop collects instead of a whole time series.
 *
 * Superseded by calcify/endpoints.h (chosen times and observables, AUC, min,
 * max), which calcify run --summary and calcify sweep use; the fixed-week
 * functions below stay only until the commands of other branches that call
 * them have moved over.  calcify_param_column is current.
 *
 * Endpoints are read at weeks 0, 6 and 12 (t = 0, 42, 84 d); the arm is
 * integrated straight to them (output step 42 d).  An endpoint the arm does
 * not reach is written as an empty field, as is every endpoint of a failed
 * run.
 */
#ifndef CALCIFY_SUMMARY_H
#define CALCIFY_SUMMARY_H

#include <stdio.h>

#include "calcify/simulate.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    CALCIFY_SUMMARY_CA_W0,       /* ca_week0_ug_per_mg                   */
    CALCIFY_SUMMARY_CA_W6,       /* ca_week6_ug_per_mg                   */
    CALCIFY_SUMMARY_CA_W12,      /* ca_week12_ug_per_mg                  */
    CALCIFY_SUMMARY_CA_CHANGE,   /* ca_change_week6_to_12_ug_per_mg      */
    CALCIFY_SUMMARY_CMGP_W12,    /* cmgp_fraction_week12                 */
    CALCIFY_SUMMARY_CLOT_W6,     /* clotting_activity_rel_week6          */
    CALCIFY_SUMMARY_DIST_W12,    /* distensibility_rel_week12            */
    CALCIFY_NSUMMARY
} calcify_summary_index;

extern const char *const calcify_summary_names[CALCIFY_NSUMMARY];

typedef struct {
    const char *status;              /* "ok", "no_steady_state", "solver_failed" */
    double value[CALCIFY_NSUMMARY];  /* NAN where not reached or failed      */
    unsigned long steps, rhs_evals;  /* cost of this arm                     */
} calcify_arm_summary;

/* Endpoints of `arm` from y0 (the baseline of sim's parameters).  A solver
 * failure is recorded in out->status (and err), not returned: the summary
 * of a failed arm is still a row.  Returns CALCIFY_ESOLVER or CALCIFY_OK. */
calcify_status calcify_sim_summarize_arm(calcify_sim *sim, const calcify_arm *arm,
                                         const double y0[CALCIFY_NSTATE],
                                         calcify_arm_summary *out,
                                         calcify_error *err);

/* Mark every endpoint missing with `status` (a run whose baseline failed). */
void calcify_arm_summary_failed(calcify_arm_summary *out, const char *status);

/* Column name for a parameter: name, then its unit with "/" as "_per_"
 * ("ca_dep_max_ug_per_mg_per_d"); dimensionless parameters keep the bare
 * name.  Returns buf. */
char *calcify_param_column(int param, char *buf, size_t cap);

/* Header: [run_id,]<param columns>,arm,status,<endpoints>,steps,rhs_evals */
void calcify_summary_write_header(FILE *fp, int with_run_id, const int *params,
                                  size_t n_params);

/* One row; run_id < 0 leaves the run_id column out. */
void calcify_summary_write_row(FILE *fp, int precision, long run_id,
                               const double *param_values, size_t n_params,
                               const char *arm, const calcify_arm_summary *s);

#ifdef __cplusplus
}
#endif
#endif
