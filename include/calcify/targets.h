/* calcify/targets.h — observed targets (e.g. models/data/schurgers2007.csv)
 * and their comparison with a simulated scenario.
 *
 * The data file is CSV with the header
 *   arm,time,observable,target,accept_lo,accept_hi,sd,n,basis,source
 * `arm` is a data label ("WK", "C_high_K1", …) that the scenario maps to its
 * own arms in its `data_labels` group (docs/SCENARIOS.md); `time` carries
 * a unit ("6 w", "42 d": a bare number is refused); `observable` is any column name of `calcify
 * run` in that column's unit ("ca_aorta_ug_per_mg"), or such a name with
 * "_ratio" for numerator arms over denominator arms.  `target` may be empty
 * (a range-only check); either bound may be empty (unbounded); `sd` (of one
 * animal) and `n` (animals) may be empty.  `basis` says what the value is:
 * "observed", "derived" (computed from what was observed) or "expected"
 * (a range only).  The first format's header
 *   arm,week,observable,unit,target,accept_lo,accept_hi,basis,source
 * (observables ca_aorta, ca_aorta_ratio, clotting_activity_rel_control) is
 * still read.
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
    size_t file;             /* index into calcify_targets.paths              */
    char label[256];         /* data file's arm label                        */
    double time_d;           /* d                                            */
    double week;             /* time_d / 7, for tables                       */
    double sd;               /* SD of one animal; NAN when not given          */
    double n_animals;        /* n; NAN when not given                         */
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
    char *path;              /* the first file                               */
    char **paths;            /* every file read, in order                    */
    size_t n_paths;
} calcify_targets;

/* Read `path` and resolve its labels through sc's data_labels.  Errors as
 * "path:line: what (expected …)", CALCIFY_EINPUT. */
calcify_status calcify_targets_load(const char *path, const calcify_scenario *sc,
                                    calcify_targets *tg, calcify_error *err);

/* Add the rows of another file to tg (loaded or zeroed).  On failure tg
 * keeps what it held before. */
calcify_status calcify_targets_append(const char *path, const calcify_scenario *sc,
                                      calcify_targets *tg, calcify_error *err);

/* σ of a target for fitting: sd/√n (sd when n is not given), else a closed
 * accepted range read as ±2σ; NAN when neither (the row is not fitted). */
double calcify_target_sigma(const calcify_target *t);

void calcify_targets_free(calcify_targets *tg);

/* Simulate sc (every arm with a target; rows only at the weeks needed) and
 * store the simulated value of each target in sim_out[i]. */
calcify_status calcify_targets_simulate(calcify_sim *sim,
                                        const calcify_scenario *sc,
                                        const calcify_targets *tg,
                                        double *sim_out, calcify_error *err);

/* 1 if v lies in the target's accepted range. */
int calcify_target_ok(const calcify_target *t, double v);

/* How a simulated value is judged against a target row. */
typedef enum {
    CALCIFY_JUDGED_OK,
    CALCIFY_JUDGED_FAIL,
    CALCIFY_UNJUDGED      /* the row gives no rule: neither ok nor FAIL    */
} calcify_judgement;

typedef enum {
    CALCIFY_RULE_NONE,    /* no range, and not target, sd and n together   */
    CALCIFY_RULE_RANGE,   /* accept_lo <= v <= accept_hi (one side may be open) */
    CALCIFY_RULE_SEM      /* |v − target| <= 2·sd/√n                        */
} calcify_rule;

/* Judge v by the row's accepted range when it has one (either side may be
 * empty: one-sided), else, when it has a target, sd and n, by
 * |v − target| <= 2·sd/√n, else not at all: a row is never ok without a
 * rule.  A non-finite v fails a rule.  *rule (may be NULL) receives the
 * rule, *lo and *hi (may be NULL) the interval it accepts. */
calcify_judgement calcify_target_judge(const calcify_target *t, double v,
                                       calcify_rule *rule, double *lo, double *hi);

#ifdef __cplusplus
}
#endif
#endif
