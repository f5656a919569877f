/* calcify/output.h — result files that are complete or absent.
 *
 * calcify_outfile writes to a temporary file beside the target and renames it
 * over the target only on commit, so an error (bad input found late, a solver
 * failure, a full disk) never leaves a partial or truncated file.
 * The CSV helpers write the long-format time series.
 */
#ifndef CALCIFY_OUTPUT_H
#define CALCIFY_OUTPUT_H

#include <stdio.h>

#include "calcify/model.h"
#include "calcify/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    FILE *fp;           /* write here                                     */
    char *path;         /* final name; NULL when writing to stdout         */
    char *tmp_path;     /* temporary name, renamed on commit               */
} calcify_outfile;

/* Create directory `dir` and any missing parents (mkdir -p); an existing
 * directory is fine, an existing non-directory is an error. */
calcify_status calcify_mkdirs(const char *dir, calcify_error *err);

/* Open `path` for writing (via a temporary file), or stdout if path is NULL
 * or "-"; missing parent directories are created.  The target is not touched
 * until calcify_outfile_commit. */
calcify_status calcify_outfile_open(calcify_outfile *of, const char *path,
                                    calcify_error *err);

/* Flush, check for write errors, close and rename into place.  On failure the
 * temporary file is removed and the target left as it was. */
calcify_status calcify_outfile_commit(calcify_outfile *of, calcify_error *err);

/* Close and remove the temporary file; the target is left as it was.
 * NULL-safe and safe after commit. */
void calcify_outfile_abort(calcify_outfile *of);

/* Header row: arm,time_d,phase,<calcify_obs_names…> */
int calcify_csv_write_header(FILE *fp);

/* One row; numbers with `precision` significant digits ("%.*g"). */
int calcify_csv_write_row(FILE *fp, int precision, const char *arm, double t,
                          size_t phase, const double obs[CALCIFY_NOBS]);

/* ",<v>" with `precision` significant digits, or "," alone when v is not
 * finite (an empty field: NA in R, NaN in pandas). */
void calcify_csv_write_number(FILE *fp, int precision, double v);

#ifdef __cplusplus
}
#endif
#endif
