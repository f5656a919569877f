/* csvread.c — CSV input files through libcsv. */
#include <csv.h>
#include <stdlib.h>
#include <string.h>

#include "base/csvread.h"
#include "base/infile.h"

typedef struct {
    calcify_csv_record rec;
    size_t max_fields;
    calcify_csv_record_fn fn;
    void *user;
    calcify_error *err;
    calcify_status st;
    int in_record;       /* a record has begun and not yet ended           */
    size_t too_long;     /* 1-based field over CALCIFY_CSV_FIELD_MAX, or 0 */
} reader;

static void on_field(void *s, size_t len, void *data)
{
    reader *r = data;
    size_t c = r->rec.n_fields++;
    if (c >= r->max_fields)
        return;
    size_t n = s ? (len < CALCIFY_CSV_FIELD_MAX ? len : CALCIFY_CSV_FIELD_MAX) : 0;
    if (s && len > CALCIFY_CSV_FIELD_MAX && !r->too_long)
        r->too_long = c + 1;
    if (n) /* empty fields come as NULL */
        memcpy(r->rec.fields[c], s, n);
    r->rec.fields[c][n] = '\0';
}

static void on_row(int c, void *data)
{
    (void)c;
    reader *r = data;
    r->rec.record++;
    if (!r->st && r->too_long)
        r->st = calcify_fail(r->err, CALCIFY_EINPUT, "%s:%d: field %zu is longer than %d "
                             "characters (expected a shorter field)", r->rec.path,
                             r->rec.line, r->too_long, CALCIFY_CSV_FIELD_MAX);
    if (!r->st)
        r->st = r->fn(r->user, &r->rec, r->err);
    r->rec.n_fields = 0;
    r->too_long = 0;
    r->in_record = 0;
}

/* Feed the text to libcsv one physical line at a time. */
static void parse(reader *r, struct csv_parser *p, const calcify_infile *f)
{
    const char *path = r->rec.path;
    int physical = 0;
    for (const char *s = f->data, *end = f->data + f->len; !r->st && s < end;) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        size_t n = nl ? (size_t)(nl - s) + 1 : (size_t)(end - s);
        physical++;
        if (!r->in_record && strspn(s, "\r\n") < n) {
            r->rec.line = physical;
            r->in_record = 1;
        }
        if (csv_parse(p, s, n, on_field, on_row, r) != n && !r->st)
            r->st = calcify_fail(r->err, CALCIFY_EINPUT, "%s:%d: %s (expected "
                                 "comma-separated fields, quotes balanced)", path,
                                 physical, csv_strerror(csv_error(p)));
        s += n;
    }
    if (!r->st && csv_fini(p, on_field, on_row, r) != 0)
        r->st = calcify_fail(r->err, CALCIFY_EINPUT, "%s:%d: %s (expected a closing quote)",
                             path, r->rec.line, csv_strerror(csv_error(p)));
}

calcify_status calcify_csv_read(const char *path, const char *what, size_t max_fields,
                                calcify_csv_record_fn fn, void *user, int *records,
                                calcify_error *err)
{
    if (records)
        *records = 0;
    calcify_infile f;
    calcify_status st = calcify_infile_read(&f, path, what, err);
    if (st)
        return st;
    reader r = {.rec = {.path = path}, .max_fields = max_fields, .fn = fn, .user = user,
                .err = err};
    char *store = malloc((max_fields ? max_fields : 1) * (CALCIFY_CSV_FIELD_MAX + 1));
    r.rec.fields = malloc((max_fields ? max_fields : 1) * sizeof *r.rec.fields);
    struct csv_parser p;
    int have_p = 0;
    if (!store || !r.rec.fields ||
        !(have_p = csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL |
                                    CSV_EMPTY_IS_NULL) == 0))
        r.st = calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    for (size_t k = 0; !r.st && k < max_fields; k++)
        r.rec.fields[k] = store + k * (CALCIFY_CSV_FIELD_MAX + 1);
    if (!r.st)
        parse(&r, &p, &f);
    if (have_p)
        csv_free(&p);
    free(r.rec.fields);
    free(store);
    calcify_infile_free(&f);
    if (records)
        *records = r.rec.record;
    return r.st;
}
