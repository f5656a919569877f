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

#include "calcify/numfmt.h"
#include "calcify/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    FILE *fp;           /* write here                                      */
    char *path;         /* name as given, for messages; NULL for stdout     */
    char *target;       /* the file written: path with symlinks followed    */
    char *tmp_path;     /* temporary name renamed on commit; NULL when the
                           target is not a regular file (written in place)  */
    char *made_dir;     /* topmost folder created for the file, or NULL;
                           removed again (if empty) by abort                */
    char *buf;          /* fp's buffer (64 KiB), or NULL for stdio's own   */
} calcify_outfile;

/* Open `path` for writing, or stdout if path is NULL or "-".
 * A regular file (or a name that does not exist yet) is written to a
 * temporary file beside it and renamed over it on commit, so the target is
 * not touched until then.  A symbolic link is followed: the file it points
 * to is replaced, the link stays.  A device, FIFO or socket (/dev/stdout,
 * /dev/null, a named pipe) is written in place.  Missing parent folders are
 * created.  A directory is refused (CALCIFY_EUSAGE); other failures are
 * CALCIFY_EIO with the file and the system's reason in err. */
calcify_status calcify_outfile_open(calcify_outfile *of, const char *path,
                                    calcify_error *err);

/* Flush, check for write errors, close and rename into place.  On failure
 * the temporary file (and any folder open created) is removed, the target
 * left as it was, and err names the file and the reason. */
calcify_status calcify_outfile_commit(calcify_outfile *of, calcify_error *err);

/* Close and remove the temporary file and the folders open created; the
 * target is left as it was.  NULL-safe and safe after commit. */
void calcify_outfile_abort(calcify_outfile *of);

/* Remove the temporary file of every outfile open now (at most 16 are
 * tracked).  Async-signal-safe: for a SIGINT or SIGTERM handler that then
 * ends the process, so an interrupted command leaves no *.tmp.* behind. */
void calcify_outfile_remove_temporaries(void);

/* Create folder `path` and its missing parents (like mkdir -p).  *made gets
 * the topmost folder created (malloc'd), or NULL when all existed; pass it
 * to calcify_dir_unmake to undo.  CALCIFY_EIO naming the folder and reason
 * (also when something in the way is not a folder). */
calcify_status calcify_dir_make(const char *path, char **made, calcify_error *err);

/* Remove `path` and its parents up to and including `made` (as returned by
 * calcify_dir_make), each only if empty.  NULL made: nothing to do. */
void calcify_dir_unmake(const char *path, const char *made);

/* The most rows `run` and `sweep` write without --force: a guard against a
 * mistyped --step, output_step or --n, which would otherwise stream
 * without end (10 million rows are about 2 GB of CSV). */
#define CALCIFY_MAX_ROWS 10000000

/* The most bytes a command writes into one file without --force, by the
 * estimate of cli_check_output (src/cli/common.c): a mistyped step with a
 * few rows too many for the row limit still wrote 1.8 GB unasked. */
#define CALCIFY_MAX_BYTES 2e9

/* Header row: arm,time_d,phase,<names[0..n_obs)…>: the observables of a
 * scenario (calcify_obs_names_of(sc->obs), calcify_obs_count(sc->obs)). */
int calcify_csv_write_header(FILE *fp, const char *const *names, size_t n_obs);

/* The numbers of result files: `precision` CALCIFY_NUMFMT_SHORTEST (0) for
 * the shortest text that reads back to the same double, or 1 to 17
 * significant digits as "%.*g" gives them (calcify/numfmt.h). */

/* One row: arm,t,phase,obs[0..n_obs) and a newline, written with one fwrite
 * after the arm (n_obs at most CALCIFY_CSV_MAX_OBS).  A non-finite number is
 * an empty field.  0, or -1 on a write error. */
#define CALCIFY_CSV_MAX_OBS 192
int calcify_csv_write_row(FILE *fp, int precision, const char *arm, double t,
                          size_t phase, const double obs[], size_t n_obs);

/* ",<v>", or "," alone when v is not finite (an empty field: NA in R, NaN
 * in pandas). */
void calcify_csv_write_number(FILE *fp, int precision, double v);

/* calcify_csv_write_number for each of v[0..n-1], in few writes. */
void calcify_csv_write_numbers(FILE *fp, int precision, const double *v, size_t n);


#ifdef __cplusplus
}
#endif
#endif
