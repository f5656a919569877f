/* infile.h — every input file is read through here (internal).
 *
 * The whole file is read into memory first, so pipes, process substitution
 * and /dev/stdin work like regular files (nothing is read twice), and the
 * documented limits are checked before any parser sees a byte: parsers then
 * never meet a file or a line long enough to make them slow, a NUL byte that
 * would end a C string early, or the UTF-8 byte order mark Excel writes.
 */
#ifndef CALCIFY_INFILE_H
#define CALCIFY_INFILE_H

#include <stddef.h>

#include "calcify/status.h"

/* Limits for scenario, parameter, targets and shard files (docs/SCENARIOS.md). */
#define CALCIFY_MAX_FILE_BYTES (16u << 20)   /* 16 MiB per file      */
#define CALCIFY_MAX_LINE_BYTES 65536u         /* per physical line    */

typedef struct {
    char *data;      /* the text without a leading BOM, NUL-terminated */
    size_t len;      /* bytes in data, the terminator excluded          */
} calcify_infile;

/* Read `path` whole.  `what` names the expected content in messages ("a
 * scenario or parameter file").  CALCIFY_EINPUT when the file is missing,
 * unreadable, a directory, larger than CALCIFY_MAX_FILE_BYTES, has a line
 * longer than CALCIFY_MAX_LINE_BYTES or holds a NUL byte; the message names
 * the file (and line) and the reason.  On failure f holds nothing to free. */
calcify_status calcify_infile_read(calcify_infile *f, const char *path,
                                   const char *what, calcify_error *err);

/* Check a text already in memory against the same limits (line length, NUL
 * bytes); `first_line` is the physical line number of text[0]. */
calcify_status calcify_infile_check(const char *path, const char *text,
                                    size_t len, int first_line,
                                    calcify_error *err);

/* NULL-safe. */
void calcify_infile_free(calcify_infile *f);

#endif
