/* calcify/params.h — a parameter set: every model parameter with its value
 * (in the model's unit) and its provenance.
 *
 * Parameter files are libconfig files with one group per parameter:
 *
 *     parameters = {
 *       warfarin_thalf = { value = 15.0; unit = "h"; source = "assumed …"; };
 *       …
 *     };
 *
 * Every parameter of calcify_param_defs must appear exactly once, with a
 * value, a unit of the right dimension (converted to the model's unit) and a
 * non-empty source.  See docs/SCENARIOS.md.
 */
#ifndef CALCIFY_PARAMS_H
#define CALCIFY_PARAMS_H

#include "calcify/model.h"
#include "calcify/modeldef.h"
#include "calcify/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Values of model->params[i] for i < model->n_param (zero beyond). */
typedef struct {
    double value[CALCIFY_MAX_PARAM]; /* in model->params[i].unit          */
    char *source[CALCIFY_MAX_PARAM]; /* provenance, owned                 */
    const calcify_modeldef *model;   /* whose parameters; NULL: the shipped
                                        model (calcify_paramset_model)   */
} calcify_paramset;

/* The model of ps: ps->model, or calcify_vermeer2007_model for a set built
 * by hand from zeros.  Parameter files are read for the shipped model. */
const calcify_modeldef *calcify_paramset_model(const calcify_paramset *ps);

/* The model parameter files are read for (the shipped one): what a scenario
 * file is checked against before its parameter file is read. */
const calcify_modeldef *calcify_params_file_model(void);

/* Load a parameter file.  On failure *ps is left empty (nothing to free)
 * and err holds "path:line: what is wrong (what was expected)". */
calcify_status calcify_paramset_load(const char *path, calcify_paramset *ps,
                                     calcify_error *err);

/* Copy src into *dst (deep).  Returns CALCIFY_OK or CALCIFY_ENOMEM. */
calcify_status calcify_paramset_copy(calcify_paramset *dst,
                                     const calcify_paramset *src);

/* Release the sources; NULL-safe; leaves *ps empty. */
void calcify_paramset_free(calcify_paramset *ps);

/* Apply "NAME=VALUE" or "NAME=VALUE UNIT" (unit defaults to the model's).
 * `origin` becomes the new provenance ("set on the command line").  An
 * unknown name fails with the closest known names suggested. */
calcify_status calcify_paramset_assign(calcify_paramset *ps,
                                       const char *assignment,
                                       const char *origin, calcify_error *err);

/* The range check every parameter value passes: OK if `value` (model unit)
 * is in the parameter's admissible range, else "path:line: parameter 'NAME'
 * is V UNIT (expected a value in [LO, HI] UNIT)" (no location if path is
 * NULL). */
calcify_status calcify_param_check(int index, double value, const char *path, int line,
                                   calcify_error *err);

/* Set parameter `index` to `value` (model unit) after a range check. */
calcify_status calcify_paramset_set(calcify_paramset *ps, int index,
                                    double value, const char *origin,
                                    calcify_error *err);

/* Write ps as a parameter file readable by calcify_paramset_load, with
 * `header` (may be NULL; may hold several lines) as a leading comment.
 * Written to a temporary file and renamed, so `path` is never left partial. */
calcify_status calcify_paramset_write(const calcify_paramset *ps,
                                      const char *path, const char *header,
                                      calcify_error *err);

/* Column name for a parameter: name, then its unit with "/" as "_per_"
 * ("ca_dep_max_ug_per_mg_per_d"); dimensionless parameters keep the bare
 * name.  Returns buf. */
char *calcify_param_column(int param, char *buf, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
