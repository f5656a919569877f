/* calcify/observables.h — the columns of a scenario's rows: the model's
 * n_obs built-in observables (calcify_modeldef), then the scenario's own (user-defined)
 * observables, expressions over the built-ins, the model parameters and
 * time_d (docs/SCENARIOS.md, Observables).
 *
 * Index k of an observable is its place in every row passed to a
 * calcify_row_fn: 0 .. n_obs-1 the built-ins (the model's obs_names order),
 * n_obs + i the scenario's i-th own observable.  A scenario owns one
 * calcify_obs_table and each of its arms points at it (arm->obs), so every
 * runner, reader and writer that has an arm or the scenario resolves names
 * and writes columns through the same table.  A NULL table is the built-ins
 * alone (a scenario without `observables`, or one built in code) of the
 * model scenario files are read for (calcify_params_file_model).
 *
 * Expressions are parsed and checked once, at load, by GNU libmatheval.
 * Evaluating one writes its variables into the compiled expression, so each
 * calcify_sim (one per thread) keeps its own compiled copies
 * (calcify_obs_eval); the table itself is read-only after load.
 */
#ifndef CALCIFY_OBSERVABLES_H
#define CALCIFY_OBSERVABLES_H

#include <stddef.h>

#include "calcify/modeldef.h"
#include "calcify/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* At most this many observables of a scenario's own. */
#define CALCIFY_MAX_USER_OBS 64
/* Room for a whole row of observables. */
#define CALCIFY_MAX_OBS (CALCIFY_MAX_MODEL_OBS + CALCIFY_MAX_USER_OBS)

/* Where a variable of an expression takes its value from (var_src). */
#define CALCIFY_OBS_SRC_TIME (-1)          /* time_d: d from the arm's start   */
#define CALCIFY_OBS_SRC_PARAM(p) (-2 - (p)) /* parameter p, phase value, model unit */

typedef struct {
    char *name;          /* its CSV column                                   */
    char *unit;          /* "1" or factors of calcify_obs_unit_ok's tokens   */
    char *expr;          /* as written                                       */
    char *description;   /* may be empty                                     */
    int line;            /* of its group in the scenario                     */
    int n_vars;
    char **var_names;    /* the names it reads (var_src gives where from)    */
    int *var_src;        /* observable index, CALCIFY_OBS_SRC_TIME or
                            CALCIFY_OBS_SRC_PARAM(p)                         */
} calcify_user_obs;

typedef struct calcify_obs_table {
    size_t n;                           /* n_builtin + n_user             */
    size_t n_builtin;                   /* the model's observables        */
    const char *names[CALCIFY_MAX_OBS]; /* column names, index order      */
    calcify_user_obs *user;
    size_t n_user;
    unsigned long serial;               /* unique per table in a process  */
} calcify_obs_table;

/* Number of observables (NULL: the model's built-ins). */
size_t calcify_obs_count(const struct calcify_obs_table *t);

/* Column names in index order (NULL table: the model's obs_names). */
const char *const *calcify_obs_names_of(const struct calcify_obs_table *t);

/* Name of observable k of t, also of a deferred command-line name
 * (calcify_obs_defer); "?" if k is none of them. */
const char *calcify_obs_name(const struct calcify_obs_table *t, int k);

/* Index of the built-in observable whose CSV column is `name`, or -1
 * (a scenario's own: calcify_obs_lookup). */
int calcify_obs_find(const char *name);

/* OK if obs[0..n) holds each observable once; else "WHERE 'NAME' given
 * twice (expected each observable once)" with status `code`, NAME from
 * table t.  The one check of every observable list, in scenarios and on the
 * command line: a repeat would be a repeated CSV column. */
calcify_status calcify_obs_check_unique(const struct calcify_obs_table *t, const char *where,
                                        const int *obs, size_t n, calcify_status code,
                                        calcify_error *err);

/* Index of the column `name` in t (built-in or the scenario's), or -1. */
int calcify_obs_lookup(const struct calcify_obs_table *t, const char *name);

/* The own observable of index k, or NULL for a built-in. */
const calcify_user_obs *calcify_obs_user(const struct calcify_obs_table *t, int k);

/* Read `observables = ( { name = …; unit = …; expr = …; description = …; }, … );`
 * of a scenario (setting `list`, NULL: none) into *out (NULL when there is
 * none).  Every error is "path:line: …" with CALCIFY_EINPUT: a name that is
 * no identifier, or that is a built-in column, a parameter, time_d or
 * another observable's; a missing or unknown unit; an empty or malformed
 * expression; a name in it that is none of the built-ins, the parameters,
 * time_d or an observable defined above it (with a "did you mean"). */
struct config_setting_t;
calcify_status calcify_obs_read(const char *path, const struct config_setting_t *list,
                                struct calcify_obs_table **out, calcify_error *err);

/* Release; NULL-safe. */
void calcify_obs_table_free(struct calcify_obs_table *t);

/* Is `unit` a unit an observable may have: "1", "%", or factors of g, kg,
 * mg, ug, ng, L, mL, d, h, mol, mmol, umol, nmol separated by "/" (the first
 * may be "1": "1/d")?  1 or 0. */
int calcify_obs_unit_ok(const char *unit);

/* --- command-line names, before the scenario is read ------------------ */

/* Observable indices at and above this stand for a name given on the
 * command line that is not a built-in column: it is looked up in the
 * scenario's table by calcify_obs_bind once the scenario is loaded. */
#define CALCIFY_OBS_DEFERRED (1 << 20)

/* Built-in index of `name`, or a deferred index for a name that may be one
 * of a scenario's own (an identifier), the same index for the same name;
 * -1 for a name that cannot be a column.  Not thread-safe: for parsing the
 * command line. */
int calcify_obs_defer(const char *name);

/* Replace each deferred index of obs[0..n) by its index in t.  A name t
 * does not have fails with status `code`: "OPT 'NAME': unknown observable
 * (expected a column name of calcify run …); did you mean …?". */
calcify_status calcify_obs_bind(const struct calcify_obs_table *t, int *obs, size_t n,
                                const char *opt, calcify_status code, calcify_error *err);

/* --- evaluation --------------------------------------------------------- */

/* One thread's compiled copies of a table's expressions; zero-initialise. */
typedef struct {
    unsigned long serial;   /* table they were made for; 0: none */
    size_t n;
    void **f;
    double *vals;           /* scratch for the variables' values */
} calcify_obs_eval;

/* Fill obs[n_builtin .. t->n) from obs[0 .. n_builtin) (already
 * computed), the parameters p (the phase's, model units) and time t_d (d).
 * Makes ev's copies on first use with t.  CALCIFY_ENOMEM if that fails. */
calcify_status calcify_obs_evaluate(calcify_obs_eval *ev, const struct calcify_obs_table *t,
                                    double t_d, const double p[], double *obs);

/* Release ev's copies; leaves it zeroed. */
void calcify_obs_eval_free(calcify_obs_eval *ev);

#ifdef __cplusplus
}
#endif
#endif
