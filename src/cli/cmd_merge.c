/* cmd_merge.c — `calcify merge`: join sweep shards, check them complete. */
#include <csv.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "calcify/output.h"
#include "cli.h"

static const char usage[] =
    "usage: calcify merge DIR... -o OUTDIR [--keep-going]\n"
    "\n"
    "Join the output directories of `calcify sweep --shard K/N` runs: checks\n"
    "that every DIR holds the same design.csv, writes OUTDIR/design.csv,\n"
    "vary.tsv and summary.csv (and timeseries.csv when every DIR has one) with the\n"
    "rows in run_id order, and lists the run_ids that are missing or failed.\n"
    "For shards of one sweep the result is byte for byte the unsharded sweep.\n"
    "Exit status 1 if any run is missing, or failed (unless --keep-going).\n"
    "\n"
    "  -o DIR             output directory (created if missing)\n"
    "  --keep-going       failed runs do not make the exit status non-zero\n"
    "  -h, --help         this text\n";

/* Fields of one CSV line, parsed by libcsv. */
typedef struct {
    int col;
    int want;         /* the column to capture   */
    char first[32];   /* column 0 (run_id)       */
    char wanted[64];
} fields;

static void on_field(void *s, size_t len, void *data)
{
    fields *f = data;
    char *dst = f->col == 0 ? f->first : f->col == f->want ? f->wanted : NULL;
    size_t cap = f->col == 0 ? sizeof f->first : sizeof f->wanted;
    if (dst) {
        size_t n = s && len < cap ? len : (s ? cap - 1 : 0);
        if (n)
            memcpy(dst, s, n);
        dst[n] = '\0';
    }
    f->col++;
}

static int parse_line(const char *line, size_t len, int want, fields *f)
{
    struct csv_parser p;
    memset(f, 0, sizeof *f);
    f->want = want;
    if (csv_init(&p, CSV_APPEND_NULL) != 0)
        return -1;
    int ok = csv_parse(&p, line, len, on_field, NULL, f) == len &&
             csv_fini(&p, on_field, NULL, f) == 0;
    csv_free(&p);
    return ok ? 0 : -1;
}

static long run_id_of(const fields *f)
{
    char *end;
    errno = 0;
    long id = strtol(f->first, &end, 10);
    return end == f->first || *end || errno || id < 0 ? -1 : id;
}

typedef struct {
    const char *dir;
    int row;             /* line being merged */
    FILE *summary, *ts;
    char *head;          /* first data line, already read */
    size_t head_len;
    long first_id;
} shard;

static int by_first_id(const void *a, const void *b)
{
    const shard *x = a, *y = b;
    return (x->first_id > y->first_id) - (x->first_id < y->first_id);
}

static int same_file(const char *a, const char *b)
{
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    int same = fa && fb;
    while (same) {
        int ca = getc(fa), cb = getc(fb);
        same = ca == cb;
        if (ca == EOF || cb == EOF)
            break;
    }
    if (fa)
        fclose(fa);
    if (fb)
        fclose(fb);
    return same;
}

/* Print ids as ranges "3-7, 9", at most 20 of them. */
static void list_ids(const char *what, const long *ids, size_t n)
{
    if (!n)
        return;
    fprintf(stderr, "calcify: %zu %s run_id%s: ", n, what, n == 1 ? "" : "s");
    size_t shown = 0;
    for (size_t i = 0; i < n && shown < 20; shown++) {
        size_t j = i;
        while (j + 1 < n && ids[j + 1] == ids[j] + 1)
            j++;
        if (j > i)
            fprintf(stderr, "%s%ld-%ld", shown ? ", " : "", ids[i], ids[j]);
        else
            fprintf(stderr, "%s%ld", shown ? ", " : "", ids[i]);
        i = j + 1;
        if (shown == 19 && i < n)
            fputs(", …", stderr);
    }
    fputc('\n', stderr);
}

typedef struct {
    long *v;
    size_t n, cap;
} id_list;

static int push(id_list *l, long id)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        long *v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return -1;
        l->v = v, l->cap = cap;
    }
    l->v[l->n++] = id;
    return 0;
}

static calcify_status copy_rest(FILE *in, FILE *out)
{
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, out) != n)
            return CALCIFY_EIO;
    return ferror(in) ? CALCIFY_EIO : CALCIFY_OK;
}

typedef struct {
    int status_col;
    long runs, expected, last_id, last_failed;
    id_list *missing, *failed;
    FILE *out;
    calcify_error *err;
} merge_state;

/* Check one summary line against the run_ids so far, note missing and
 * failed runs, and copy it to the merged summary. */
static calcify_status merge_row(merge_state *m, shard *s, const char *line, size_t len)
{
    fields f;
    long id;
    int row = s->row++;
    size_t body = len && line[len - 1] == '\n' ? len - 1 : len;
    if (parse_line(line, body, m->status_col, &f) || (id = run_id_of(&f)) < 0 ||
        id < m->last_id || id >= m->runs)
        return calcify_fail(m->err, CALCIFY_EINPUT, "%s/summary.csv:%d: run_id '%s' "
                            "(expected increasing run_ids below %ld, from shards that "
                            "do not overlap)", s->dir, row, f.first, m->runs);
    for (; m->expected < id; m->expected++)
        if (push(m->missing, m->expected))
            return CALCIFY_ENOMEM;
    m->expected = id + 1;
    m->last_id = id;
    if (strcmp(f.wanted, "ok") != 0 && id != m->last_failed) {
        m->last_failed = id;
        if (push(m->failed, id))
            return CALCIFY_ENOMEM;
    }
    if (fwrite(line, 1, len, m->out) != len)
        return calcify_fail(m->err, CALCIFY_EIO, "merged summary: write failed");
    return CALCIFY_OK;
}

int cmd_merge(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"keep-going", no_argument, NULL, 'k'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *out_dir = NULL;
    int keep_going = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': out_dir = optarg; break;
        case 'k': keep_going = 1; break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
        }
    }
    int n = argc - optind;
    if (n < 1 || !out_dir) {
        fprintf(stderr, "calcify merge: expected shard directories and -o OUTDIR\n%s", usage);
        return 2;
    }
    shard *sh = calloc((size_t)n, sizeof *sh);
    char *header = NULL, *line = NULL, path[4096], first_design[4096];
    size_t header_cap = 0, line_cap = 0;
    calcify_error err;
    calcify_status st = sh ? CALCIFY_OK : calcify_fail(&err, CALCIFY_ENOMEM, "out of memory");
    int status_col = -1, all_ts = 1;
    snprintf(first_design, sizeof first_design, "%s/design.csv", argv[optind]);
    for (int i = 0; !st && i < n; i++) {
        shard *s = &sh[i];
        s->dir = argv[optind + i];
        snprintf(path, sizeof path, "%s/design.csv", s->dir);
        if (!same_file(first_design, path)) {
            st = calcify_fail(&err, CALCIFY_EINPUT, "%s: missing or not the design of %s "
                              "(expected shards of one sweep)", path, first_design);
            break;
        }
        snprintf(path, sizeof path, "%s/summary.csv", s->dir);
        if (!(s->summary = fopen(path, "rb"))) {
            st = calcify_fail(&err, CALCIFY_EINPUT, "%s: cannot open: %s", path, strerror(errno));
            break;
        }
        ssize_t len = getline(&line, &line_cap, s->summary);
        if (len <= 0) {
            st = calcify_fail(&err, CALCIFY_EINPUT, "%s: empty (expected a header line)", path);
            break;
        }
        if (!header) {
            header = strdup(line);
            header_cap = (size_t)len;
            fields f;
            for (int col = 0; !st && status_col < 0 && col < 200; col++) {
                if (parse_line(line, (size_t)len - 1, col, &f) == 0 && f.col > col &&
                    strcmp(f.wanted, "status") == 0)
                    status_col = col;
            }
            if (status_col < 0 || strncmp(line, "run_id,", 7) != 0)
                st = calcify_fail(&err, CALCIFY_EINPUT, "%s:1: not a sweep summary "
                                  "(expected columns run_id, …, status, …)", path);
        } else if ((size_t)len != header_cap || memcmp(line, header, (size_t)len) != 0) {
            st = calcify_fail(&err, CALCIFY_EINPUT, "%s:1: header differs from the "
                              "first shard's (expected shards of one sweep)", path);
        }
        len = getline(&line, &line_cap, s->summary);
        s->first_id = -1;
        if (len > 0) {
            fields f;
            s->head = malloc((size_t)len);
            if (!s->head) {
                st = calcify_fail(&err, CALCIFY_ENOMEM, "out of memory");
                break;
            }
            memcpy(s->head, line, (size_t)len);
            s->head_len = (size_t)len;
            if (parse_line(line, (size_t)len - 1, status_col, &f) || (s->first_id = run_id_of(&f)) < 0)
                st = calcify_fail(&err, CALCIFY_EINPUT, "%s:2: no run_id (expected a "
                                  "whole number in the first column)", path);
        }
        snprintf(path, sizeof path, "%s/timeseries.csv", s->dir);
        s->ts = fopen(path, "rb");
        all_ts &= s->ts != NULL;
    }
    if (!st)
        qsort(sh, (size_t)n, sizeof *sh, by_first_id);

    /* the number of runs the design promised */
    long runs = 0;
    if (!st) {
        FILE *d = fopen(first_design, "rb");
        if (!d)
            st = calcify_fail(&err, CALCIFY_EINPUT, "%s: cannot open", first_design);
        for (ssize_t len; d && (len = getline(&line, &line_cap, d)) > 0;)
            runs++;
        if (d)
            fclose(d);
        runs--; /* header */
    }
    if (!st && mkdir(out_dir, 0777) != 0 && errno != EEXIST)
        st = calcify_fail(&err, CALCIFY_EIO, "%s: cannot create: %s", out_dir, strerror(errno));

    calcify_outfile od = {0}, os = {0}, ot = {0}, ov = {0};
    id_list missing = {0}, failed = {0};
    if (!st) {
        snprintf(path, sizeof path, "%s/design.csv", out_dir);
        if (!(st = calcify_outfile_open(&od, path, &err))) {
            FILE *d = fopen(first_design, "rb");
            st = d ? copy_rest(d, od.fp) : CALCIFY_EIO;
            if (d)
                fclose(d);
        }
    }
    /* the names, units and scales of the varied columns, for the figures */
    snprintf(path, sizeof path, "%s/vary.tsv", argv[optind]);
    FILE *vary = st ? NULL : fopen(path, "rb");
    if (vary) {
        snprintf(path, sizeof path, "%s/vary.tsv", out_dir);
        if (!(st = calcify_outfile_open(&ov, path, &err)))
            st = copy_rest(vary, ov.fp);
        fclose(vary);
    }
    if (!st) {
        snprintf(path, sizeof path, "%s/summary.csv", out_dir);
        st = calcify_outfile_open(&os, path, &err);
    }
    if (!st)
        fwrite(header, 1, header_cap, os.fp);
    merge_state m = {.status_col = status_col, .runs = runs, .last_id = -1,
                     .last_failed = -1, .missing = &missing, .failed = &failed,
                     .out = os.fp, .err = &err};
    for (int i = 0; !st && i < n; i++) {
        sh[i].row = 2;
        if (sh[i].head)
            st = merge_row(&m, &sh[i], sh[i].head, sh[i].head_len);
        for (ssize_t len; !st && (len = getline(&line, &line_cap, sh[i].summary)) > 0;)
            st = merge_row(&m, &sh[i], line, (size_t)len);
    }
    long expected = m.expected;
    for (; !st && expected < runs; expected++)
        if (push(&missing, expected))
            st = CALCIFY_ENOMEM;
    if (!st && all_ts) {
        snprintf(path, sizeof path, "%s/timeseries.csv", out_dir);
        st = calcify_outfile_open(&ot, path, &err);
        for (int i = 0; !st && i < n; i++) {
            ssize_t len = getline(&line, &line_cap, sh[i].ts); /* header */
            if (len > 0 && i == 0)
                fwrite(line, 1, (size_t)len, ot.fp);
            st = copy_rest(sh[i].ts, ot.fp);
        }
    }
    if (st == CALCIFY_ENOMEM)
        calcify_fail(&err, st, "out of memory");
    if (!st)
        st = calcify_outfile_commit(&od, &err);
    if (!st)
        st = calcify_outfile_commit(&os, &err);
    if (!st && ov.fp)
        st = calcify_outfile_commit(&ov, &err);
    if (!st && all_ts)
        st = calcify_outfile_commit(&ot, &err);
    calcify_outfile_abort(&od);
    calcify_outfile_abort(&os);
    calcify_outfile_abort(&ot);
    calcify_outfile_abort(&ov);
    for (int i = 0; sh && i < n; i++) {
        if (sh[i].summary)
            fclose(sh[i].summary);
        if (sh[i].ts)
            fclose(sh[i].ts);
        free(sh[i].head);
    }
    free(sh);
    free(header);
    free(line);
    int rc = 0;
    if (st) {
        rc = cli_error(st, err.msg);
    } else {
        fprintf(stderr, "calcify: merged %d director%s: %ld runs in the design\n", n,
                n == 1 ? "y" : "ies", runs);
        list_ids("missing", missing.v, missing.n);
        list_ids("failed", failed.v, failed.n);
        rc = missing.n || (failed.n && !keep_going) ? 1 : 0;
    }
    free(missing.v);
    free(failed.v);
    return rc;
}
