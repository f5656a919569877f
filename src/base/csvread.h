/* csvread.h — CSV input files, read with libcsv (internal).
 *
 * The one reader of every CSV input (targets, individuals): the file is read
 * whole through calcify_infile_read (its limits checked first), parsed by
 * libcsv in strict mode one physical line at a time, so that a record's line
 * is the line it starts on, whatever blank lines or quoted line breaks came
 * before.  Errors read "path:line: what (expected …)", CALCIFY_EINPUT.
 */
#ifndef CALCIFY_CSVREAD_H
#define CALCIFY_CSVREAD_H

#include <stddef.h>

#include "calcify/status.h"

/* The longest field kept; a longer one is refused, never cut. */
#define CALCIFY_CSV_FIELD_MAX 255

typedef struct {
    const char *path;
    int line;            /* physical line where the record began          */
    int record;          /* 1 for the first record (a header)             */
    size_t n_fields;     /* fields in the record, however many were kept  */
    char **fields;       /* the first min(n_fields, max_fields), "" if empty */
} calcify_csv_record;

/* Called for each record; a non-OK status stops the reading and is
 * returned (the callback fills err). */
typedef calcify_status (*calcify_csv_record_fn)(void *user, const calcify_csv_record *r,
                                                calcify_error *err);

/* Read `path` (`what` names the expected content in messages), keeping at
 * most max_fields fields of a record; *records (may be NULL) receives the
 * number of records, 0 for an empty file. */
calcify_status calcify_csv_read(const char *path, const char *what, size_t max_fields,
                                calcify_csv_record_fn fn, void *user, int *records,
                                calcify_error *err);

#endif
