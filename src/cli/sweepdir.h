/* sweepdir.h — what a sweep folder holds and how sweep and merge check it
 * (internal to the CLI).
 *
 * A sweep folder: manifest.txt (written first: what made the folder),
 * design.csv, and summary.csv / timeseries.csv, which grow as
 * summary.csv.part / timeseries.csv.part while runs finish and are renamed
 * when the shard is complete.  The manifest is "key = value" lines; folders
 * whose manifests differ in anything but the keys a caller ignores do not
 * belong to one sweep.
 */
#ifndef CALCIFY_SWEEPDIR_H
#define CALCIFY_SWEEPDIR_H

#include <stddef.h>

#include "calcify/status.h"

#define SWEEPDIR_MANIFEST "manifest.txt"

/* Lowercase hex SHA-256 (nettle) of a regular file's bytes into hex[65].
 * A pipe or device is refused: --resume and merge must be able to read the
 * same file again. */
calcify_status sweepdir_sha256_file(const char *path, char hex[65], calcify_error *err);

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
 * manifest) (expected a new or empty folder; ALLOW)".  With resume (sweep
 * --resume) a manifest.txt equal to `manifest` but for the keys in `ignore`
 * is fine too, the caller continues that run; a different one is refused
 * at its first differing line. */
calcify_status cli_check_outdir(const char *dir, const char *const *files,
                                const char *manifest, const char *const *ignore,
                                int resume, int force, const char *allow,
                                calcify_error *err);

/* "calcify ARGS…" with words holding spaces, quotes or shell characters
 * single-quoted, so that it can be pasted back into a shell (malloc'd). */
char *sweepdir_command_line(int argc, char **argv);

#endif
