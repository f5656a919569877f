/* calcify/targets.h — observed targets (e.g. models/data/schurgers2007.csv)
 * and their comparison with a simulated scenario.
 *
 * The data file is CSV with the header
 *   arm,week,observable,unit,target,accept_lo,accept_hi,basis,source
 * `arm` is a data label ("WK", "C_high_K1", …) that the scenario maps to its
 * own arms in its `data_labels` group (docs/SCENARIOS.md).  `target` may be
 * empty (a range-only check); either bound may be empty (unbounded).
 * Observables: ca_aorta (ug/mg), ca_aorta_ratio (1; numerator arms over
 * denominator arms), clotting_activity_rel_control (1).
 */
#ifndef CALCIFY_TARGETS_H
#define CALCIFY_TARGETS_H

#include <stddef.h>

#include "calcify/scenario.h"
#include "calcify/simulate.h"
#include "calcify/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One comparison: a data row applied to one scenario arm (or arm pair). */
typedef struct {
    int row;                 /* 1-based data row (line in the file)           */
    char label[256];         /* data file's arm label                        */
    double week;
    int obs;                 /* calcify_obs_index of the observable           */
    int is_ratio;
    size_t arm, arm_den;     /* scenario arm indices (arm_den for ratios)     */
    double target;           /* NAN when the row gives only a range           */
    double lo, hi;           /* accepted range; -inf/+inf when open           */
    char observable[256];
} calcify_target;

typedef struct {
    calcify_target *items;
    size_t n;
    char *path;
} calcify_targets;

/* Read `path` and resolve its labels through sc's data_labels.  Errors as
 * "path:line: what (expected …)", CALCIFY_EINPUT. */
calcify_status calcify_targets_load(const char *path, const calcify_scenario *sc,
                                    calcify_targets *tg, calcify_error *err);

void calcify_targets_free(calcify_targets *tg);

/* Simulate sc (every arm with a target; rows only at the weeks needed) and
 * store the simulated value of each target in sim_out[i]. */
calcify_status calcify_targets_simulate(calcify_sim *sim,
                                        const calcify_scenario *sc,
                                        const calcify_targets *tg,
                                        double *sim_out, calcify_error *err);

/* 1 if v lies in the target's accepted range. */
int calcify_target_ok(const calcify_target *t, double v);

#ifdef __cplusplus
}
#endif
#endif
