/* sweepdir.h — what the folder of a long command holds and how sweep, gsa,
 * population and merge write, check and continue it (internal to the CLI).
 *
 * A sweep folder: manifest.txt (written first: what made the folder),
 * design.csv, and summary.csv / timeseries.csv, which grow as
 * summary.csv.part / timeseries.csv.part while runs finish and are renamed
 * when the shard is complete.  gsa and population do the same with one
 * file of whole rows per run (sweepdir_rows: evaluations.csv.part,
 * runs.csv.part), from which --resume reads back the finished runs.  The
 * manifest is "key = value" lines; folders whose manifests differ in
 * anything but the keys a caller ignores do not belong to one run.
 */
#ifndef CALCIFY_SWEEPDIR_H
#define CALCIFY_SWEEPDIR_H

#include <stddef.h>
#include <stdio.h>

#include "calcify/probe.h"
#include "calcify/scenario.h"
#include "calcify/status.h"
#include "calcify/sweep.h"

#define SWEEPDIR_MANIFEST "manifest.txt"

/* Lowercase hex SHA-256 (nettle) of a regular file's bytes into hex[65].
 * A pipe or device is refused: --resume and merge must be able to read the
 * same file again. */
calcify_status sweepdir_sha256_file(const char *path, char hex[65], calcify_error *err);

/* Lowercase hex SHA-256 of bytes in memory (a text too long for a
 * manifest line, such as a header of every probed value). */
void sweepdir_sha256_text(const char *text, size_t len, char hex[65]);

/* Append "key = value\n" to a growing text; control bytes in value are
 * written as \xHH so that one key stays one line.  -1 out of memory. */
int sweepdir_manifest_add(char **text, size_t *len, const char *key,
                          const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Compare two manifests key by key, skipping the keys in `ignore`
 * (NULL-terminated).  CALCIFY_EINPUT naming b's file and line at the first
 * difference, with both values. */
calcify_status sweepdir_manifest_compare(const char *path_a, const char *a,
                                         const char *path_b, const char *b,
                                         const char *const *ignore, const char *why,
                                         calcify_error *err);

/* The value of `key` in manifest text (a malloc'd copy), or NULL. */
char *sweepdir_manifest_get(const char *text, const char *key);

/* Check one line of a sweep CSV (len includes the '\n'): it ends with a
 * line end, holds no NUL byte, has `nfields` comma-separated fields and a
 * whole-number run_id first.  NULL if fine, else a static reason. */
const char *sweepdir_row_check(const char *line, size_t len, int nfields, long *run_id);

/* Field `k` (0-based) of a row checked above, and its length. */
const char *sweepdir_field(const char *line, int k, size_t *n);

/* Number of comma-separated fields in a header line (without its '\n'). */
int sweepdir_count_fields(const char *line, size_t len);

/* The folder check of every command that writes a folder (sweep, gsa,
 * population, merge), made before anything is run or written.  A missing
 * or empty folder, or one holding none of `files` (the names the command
 * writes, NULL-terminated), none of the files the other three write and no
 * manifest.txt, is fine (other files are no run's); so is any folder
 * with force (the command then writes its files over the old ones and
 * leaves other files alone).  Otherwise the folder holds another run's
 * files: CALCIFY_EUSAGE, "DIR holds FILE of another run (COMMAND, from its
 * manifest) (expected a new or empty folder; ALLOW)".  With resume (sweep, gsa,
 * population --resume) a manifest.txt equal to `manifest` but for the keys in `ignore`
 * is fine too, the caller continues that run; a different one is refused
 * at its first differing line. */
calcify_status sweepdir_check_outdir(const char *dir, const char *const *files,
                                const char *manifest, const char *const *ignore,
                                int resume, int force, const char *allow,
                                calcify_error *err);

/* The manifest's first lines, the same for every command: `comment` (a
 * '#' line), format, calcify_version, the scenario and parameter files
 * with their SHA-256, the --set list, solver method, rtol and atol.
 * CALCIFY_EINPUT for an unreadable file, CALCIFY_ENOMEM. */
calcify_status sweepdir_manifest_begin(char **text, size_t *len, const char *comment,
                                       const calcify_scenario *sc, const char *params,
                                       const char *const *sets, int n_sets, calcify_error *err);

/* The --vary ranges as one manifest value ("NAME=LO:HI UNIT:log; ...",
 * exact digits); malloc'd, NULL out of memory. */
char *sweepdir_vary_text(const calcify_vary *vary, size_t n_vary);

/* Remove DIR/NAME.tmp.* for each NAME of `files` (NULL-terminated): the
 * temporary files of a process killed while it wrote NAME (SIGKILL leaves
 * them; any other stop removes its own).  CALCIFY_EIO naming the file. */
calcify_status sweepdir_remove_temporaries(const char *dir, const char *const *files,
                                           calcify_error *err);

/* Open PATH for reading and writing, cut at `keep` bytes, positioned at
 * its end (NULL and *st set on failure, naming the file). */
FILE *sweepdir_reopen_cut(const char *path, long keep, calcify_error *err,
                          calcify_status *st);

/* What --resume finds in DIR whose manifest.txt it has checked against
 * `manifest`: 2 the run is complete (`final` there, `part` not), 1 a
 * `part` file to continue, 0 nothing (start afresh; also without resume
 * or when the manifest differs, which only --force lets through). */
int sweepdir_resume_state(const char *dir, const char *manifest, const char *const *ignore,
                          int resume, const char *final, const char *part);

/* The header of a rows file: run_id,status and a column ARM/TIME/OBSERVABLE
 * per probed value (the columns of gsa's evaluations.csv). */
void sweepdir_rows_header(FILE *fp, const calcify_scenario *sc, const calcify_probe *p);

/* Parse one row "RUN_ID,STATUS,V1,...,Vn_out\n" (len with its '\n'):
 * NULL and *run, *status, y[0..n_out) set, else a static reason. */
const char *sweepdir_rows_parse(char *line, size_t len, size_t n_out, size_t runs,
                                size_t *run, unsigned char *status, double *y);

/* A rows file written in run order while runs finish in any order: each
 * finished run is marked, and the longest finished prefix from `next` is
 * written and flushed, so that the file holds whole rows of runs
 * first..next-1 whatever stops the process.  y and status are indexed by
 * run - base, as calcify_batch_run fills them. */
typedef struct {
    FILE *fp;
    const char *path;
    size_t n_out, base, next, last;
    const double *y;
    const unsigned char *status;
    unsigned char *done;   /* per run - base */
    int error;             /* errno of the first failed write, else 0 */
    /* NULL, or the progress line (sweepdir_rows_progress passes it on) */
    void (*progress)(void *user, size_t done, size_t total);
    void *progress_user;
} sweepdir_rows;

/* calcify_batch_opts.progress beside sweepdir_rows_done (same user). */
void sweepdir_rows_progress(void *user, size_t done, size_t total);

/* calcify_batch_opts.run_done for a sweepdir_rows (user): nonzero (stop)
 * once a write failed. */
int sweepdir_rows_done(void *user, size_t id);

/* Write runs [next, upto) (all finished) and flush; -1 on a failed write
 * (rows->error set). */
int sweepdir_rows_write(sweepdir_rows *rows, size_t upto);

/* Read back a rows file that a stopped run left: its header must be
 * `header` (or a start of it: stopped while writing it); then rows
 * first, first+1, ... are kept up to the first that is not whole and
 * right (the rest is run again).  *next is the first run not kept, *keep
 * the bytes to keep; y and status (indexed by run - first) filled for the
 * kept runs.  CALCIFY_EINPUT if the header is another run's. */
calcify_status sweepdir_rows_scan(const char *path, const char *header, size_t n_out,
                                  size_t first, size_t last, double *y,
                                  unsigned char *status, size_t *next, long *keep,
                                  calcify_error *err);

/* "calcify ARGS…" with words holding spaces, quotes or shell characters
 * single-quoted, so that it can be pasted back into a shell (malloc'd). */
char *sweepdir_command_line(int argc, char **argv);

#endif
