/* cmd_merge.c — `calcify merge`: join sweep shards, each row checked. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "calcify/output.h"
#include "cli/cli.h"
#include "cli/options.h"
#include "base/infile.h"
#include "analysis/sweepdir.h"

/* The help page; the options are in src/cli/options.c. */
static const cli_command_doc doc = {
    CLI_CMD_MERGE, "merge",
    "merge DIR... -o OUTDIR [--keep-going] [--force]\n",
    "Join the output folders of `calcify sweep --shard K/N` runs into OUTDIR\n"
    "(design.csv, vary.tsv, summary.csv, timeseries.csv when the sweep wrote\n"
    "one, and manifest.txt), rows in run_id order.  For shards of one sweep the result\n"
    "is byte for byte the unsharded sweep.  Checked first, each an error with\n"
    "file:line and exit 2, leaving nothing in OUTDIR: every manifest.txt\n"
    "matches the first (calcify version, scenario and parameter SHA-256, --set,\n"
    "solver, design, seed, arms; not shard or command), design.csv is the same,\n"
    "no shard is given twice or unfinished (summary.csv.part: continue it with\n"
    "sweep --resume), and every row is whole (a line end, no NUL byte, the\n"
    "header's number of fields) with the run_ids and arms of its shard, in\n"
    "order.  Missing shards are listed as missing run_ids (exit 1), failed\n"
    "runs as failed (exit 1 unless --keep-going).\n",
NULL};

typedef struct {
    const char *dir;
    char *manifest;          /* text of DIR/manifest.txt            */
    long k, n;               /* shard K/N                            */
    size_t first, last;      /* its run_ids [first, last)            */
} shard;

static int by_k(const void *a, const void *b)
{
    const shard *x = a, *y = b;
    return (x->k > y->k) - (x->k < y->k);
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

/* What a merge checks rows against. */
typedef struct {
    const char *header;      /* first shard's header line, with '\n'  */
    int nfields;
    const char *const *arms; /* per run, in order                     */
    size_t n_arms;
    int arm_col;
} layout;

/* The first line of DIR/NAME (path), in line: the layout's header, or (when
 * l->header is NULL: the first shard) made the layout's. */
static calcify_status check_header(const char *path, layout *l, const char *line, ssize_t len,
                                   calcify_error *err)
{
    if (len > 0 && memchr(line, '\0', (size_t)len))
        return calcify_fail(err, CALCIFY_EINPUT, "%s:1: NUL byte in the header (expected "
                            "the file as sweep wrote it)", path);
    if (len <= 0 || line[len - 1] != '\n' || strncmp(line, "run_id,", 7) != 0)
        return calcify_fail(err, CALCIFY_EINPUT, "%s:1: no header line (expected run_id,… "
                            "as sweep writes it)", path);
    if (l->header) {
        if (strcmp(line, l->header) != 0)
            return calcify_fail(err, CALCIFY_EINPUT, "%s:1: header differs from the first "
                                "shard's (expected shards of one sweep)", path);
        return CALCIFY_OK;
    }
    calcify_status st = CALCIFY_OK;
    if (!(l->header = strdup(line)))
        st = calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    l->nfields = sweepdir_count_fields(line, (size_t)len - 1);
    /* the arm column follows the varied ones: found by its name */
    l->arm_col = -1;
    for (int k = 1; l->arms && k < l->nfields && l->arm_col < 0; k++) {
        size_t fn;
        const char *f = sweepdir_field(line, k, &fn);
        if (f && fn == 3 && memcmp(f, "arm", 3) == 0)
            l->arm_col = k;
    }
    if (l->arms && l->arm_col < 0)
        st = calcify_fail(err, CALCIFY_EINPUT, "%s:1: no 'arm' column (expected "
                          "run_id,…,arm,status,… as sweep writes it)", path);
    return st;
}

/* Where copy_checked is in a shard's rows. */
typedef struct {
    size_t next, k;          /* summary: the run_id and arm index due      */
    long prev;               /* the run_id of the row before               */
    int run_failed;          /* summary: a row of this run not ok          */
} row_cursor;

/* One row after the header, line lineno of path, checked against the
 * layout and the shard; a run with a row not ok goes into failed. */
static calcify_status check_row(const shard *s, const char *path, int lineno, const layout *l,
                                const char *line, ssize_t len, row_cursor *c,
                                id_list *failed, calcify_error *err)
{
    long id;
    const char *why = sweepdir_row_check(line, (size_t)len, l->nfields, &id);
    if (why && strcmp(why, "wrong number of fields") == 0)
        return calcify_fail(err, CALCIFY_EINPUT, "%s:%d: %d fields (expected %d, as in the "
                            "header)", path, lineno,
                            sweepdir_count_fields(line, (size_t)len - 1), l->nfields);
    if (why)
        return calcify_fail(err, CALCIFY_EINPUT, "%s:%d: %s", path, lineno, why);
    if (l->arms) {
        size_t an;
        const char *arm = sweepdir_field(line, l->arm_col, &an);
        if (id != (long)c->next || !arm || an != strlen(l->arms[c->k]) ||
            memcmp(arm, l->arms[c->k], an) != 0)
            return calcify_fail(err, CALCIFY_EINPUT, "%s:%d: run_id %ld, arm '%.*s' "
                                "(expected run_id %zu, arm '%s': shard %ld/%ld holds "
                                "run_ids %zu-%zu, one row per arm)", path, lineno, id,
                                arm ? (int)an : 0, arm ? arm : "", c->next, l->arms[c->k],
                                s->k, s->n, s->first, s->last - 1);
        size_t sn;
        const char *status = sweepdir_field(line, l->arm_col + 1, &sn);
        c->run_failed |= !(status && sn == 2 && memcmp(status, "ok", 2) == 0);
        if (++c->k == l->n_arms) {
            if (c->run_failed && push(failed, id))
                return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
            c->k = 0;
            c->run_failed = 0;
            c->next++;
        }
    } else if (id < c->prev || id < (long)s->first || id >= (long)s->last) {
        return calcify_fail(err, CALCIFY_EINPUT, "%s:%d: run_id %ld (expected run_ids "
                            "%zu-%zu of shard %ld/%ld, not decreasing)", path, lineno, id,
                            s->first, s->last - 1, s->k, s->n);
    }
    c->prev = id;
    return CALCIFY_OK;
}

/* Copy DIR/NAME's rows to out after checking each; the header must be the
 * layout's (or becomes it when l->header is NULL: the first shard).  Summary
 * rows (arms != NULL): the shard's runs in order, n_arms rows each, arms in
 * order; time-series rows: run_ids of the shard, not decreasing. */
static calcify_status copy_checked(const shard *s, const char *name, layout *l, FILE *out,
                                   int write_header, id_list *failed, char **line,
                                   size_t *cap, calcify_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", s->dir, name);
    FILE *in = fopen(path, "rb");
    if (!in)
        return calcify_fail(err, CALCIFY_EINPUT, "%s: cannot open: %s (expected the %s "
                            "of a finished shard)", path, strerror(errno), name);
    ssize_t len = getline(line, cap, in);
    int lineno = 1;
    calcify_status st = check_header(path, l, *line, len, err);
    if (!st && write_header && fputs(*line, out) == EOF)
        st = calcify_fail(err, CALCIFY_EIO, "merged %s: write failed: %s", name,
                          strerror(errno));
    row_cursor c = {.next = s->first, .k = 0, .prev = -1, .run_failed = 0};
    while (!st && (len = getline(line, cap, in)) > 0) {
        lineno++;
        st = check_row(s, path, lineno, l, *line, len, &c, failed, err);
        if (!st && fwrite(*line, 1, (size_t)len, out) != (size_t)len)
            st = calcify_fail(err, CALCIFY_EIO, "merged %s: write failed: %s", name,
                              strerror(errno));
    }
    if (!st && ferror(in))
        st = calcify_fail(err, CALCIFY_EINPUT, "%s: cannot read: %s", path, strerror(errno));
    if (!st && l->arms && (c.next != s->last || c.k != 0))
        st = calcify_fail(err, CALCIFY_EINPUT, "%s:%d: ends after run_id %zu (expected "
                          "every run_id up to %zu of shard %ld/%ld)", path, lineno,
                          c.next ? c.next - 1 : 0, s->last - 1, s->k, s->n);
    fclose(in);
    return st;
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Read DIR/manifest.txt and the shard's place in the design. */
static calcify_status read_shard(shard *s, calcify_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/" SWEEPDIR_MANIFEST, s->dir);
    calcify_infile f;
    calcify_status st = calcify_infile_read(&f, path, "the manifest of a sweep folder "
                                            "(made by calcify sweep)", err);
    if (st)
        return st;
    s->manifest = f.data; /* owned now */
    char *sh = sweepdir_manifest_get(s->manifest, "shard");
    char *runs = sweepdir_manifest_get(s->manifest, "runs");
    char *end;
    unsigned long long r = runs ? strtoull(runs, &end, 10) : 0;
    if (!sh || !runs || sscanf(sh, "%ld/%ld", &s->k, &s->n) != 2 || s->n < 1 ||
        s->k < 1 || s->k > s->n || *end)
        st = calcify_fail(err, CALCIFY_EINPUT, "%s: no valid 'shard = K/N' and 'runs = R' "
                          "(expected a manifest written by calcify sweep)", path);
    else {
        s->first = (size_t)((unsigned long long)(s->k - 1) * r / (unsigned long long)s->n);
        s->last = (size_t)((unsigned long long)s->k * r / (unsigned long long)s->n);
    }
    free(sh);
    free(runs);
    return st;
}

/* The manifest of the merged folder: the shards', as one whole shard. */
static char *merged_manifest(const char *m, int argc, char **argv)
{
    size_t len = 0;
    char *out = NULL;
    for (const char *p = m; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) + 1 : strlen(p);
        if (strncmp(p, "shard =", 7) != 0 && strncmp(p, "command =", 9) != 0) {
            char *g = realloc(out, len + n + 1);
            if (!g) {
                free(out);
                return NULL;
            }
            out = g;
            memcpy(out + len, p, n);
            len += n;
            out[len] = '\0';
        }
        p += n;
    }
    char *cmd = sweepdir_command_line(argc, argv);
    if (!cmd || sweepdir_manifest_add(&out, &len, "shard", "1/1") ||
        sweepdir_manifest_add(&out, &len, "command", "%s", cmd)) {
        free(cmd);
        free(out);
        return NULL;
    }
    free(cmd);
    return out;
}

/* Everything one `calcify merge` holds; merge_free releases it. */
typedef struct {
    int argc;
    char **argv;
    const char *out_dir;
    int keep_going, force;
    int n;                   /* shards: argv[optind..]                     */
    shard *sh;
    char first_design[4096], first_manifest[4096];
    char *arms_text, *ts_step;
    const char **arms;
    layout ls, lt;           /* what summary and time-series rows hold     */
    int timeseries;
    char *made, *manifest;   /* folders made for -o; the merged manifest   */
    calcify_outfile om, od, os, ot, ov;
    id_list missing, failed;
    char *line;
    size_t cap, runs;
    calcify_error err;
} merge_cmd;

/* cmd_merge goes on after merge_parse_options when it returns this */
enum { MERGE_GO = -1 };

/* The option loop and the operands; MERGE_GO, or the exit code. */
static int merge_parse_options(merge_cmd *m)
{
    int c;
    cli_opts p;
    cli_opts_begin(&p, &doc, m->argc, m->argv, NULL);
    while ((c = cli_opts_next(&p)) > 0) {
        switch (c) {
        case 'o': m->out_dir = optarg; break;
        case CLI_OPT_KEEP_GOING: m->keep_going = 1; break;
        case CLI_OPT_FORCE: m->force = 1; break;
        }
    }
    if (c < 0)
        return cli_opts_exit(c);
    m->n = m->argc - optind;
    if (m->n < 1 || !m->out_dir)
        return cli_usage_error(&doc, "expected shard folders and -o OUTDIR");
    return MERGE_GO;
}

/* Shard i: finished, its manifest and place in the design, and (but the
 * first) the first's manifest and design. */
static calcify_status merge_read_shard(merge_cmd *m, int i)
{
    static const char *const ignore[] = {"shard", "command", "scenario", "parameters", NULL};
    char path[4096];
    shard *s = &m->sh[i];
    s->dir = m->argv[optind + i];
    snprintf(path, sizeof path, "%s/summary.csv.part", s->dir);
    if (exists(path))
        return calcify_fail(&m->err, CALCIFY_EINPUT, "%s: the shard is unfinished (expected "
                            "summary.csv; continue it with its sweep command and --resume)",
                            path);
    calcify_status st = read_shard(s, &m->err);
    if (st)
        return st;
    snprintf(path, sizeof path, "%s/" SWEEPDIR_MANIFEST, s->dir);
    if (i == 0) {
        snprintf(m->first_manifest, sizeof m->first_manifest, "%s", path);
        snprintf(m->first_design, sizeof m->first_design, "%s/design.csv", s->dir);
        return CALCIFY_OK;
    }
    if ((st = sweepdir_manifest_compare(m->first_manifest, m->sh[0].manifest, path,
                                        s->manifest, ignore, "shards of one sweep", &m->err)))
        return st;
    snprintf(path, sizeof path, "%s/design.csv", s->dir);
    if (!same_file(m->first_design, path))
        st = calcify_fail(&m->err, CALCIFY_EINPUT, "%s: missing or not the design of %s "
                          "(expected shards of one sweep)", path, m->first_design);
    return st;
}

/* Every shard read, then in K order: each of one split at most once. */
static calcify_status merge_read_shards(merge_cmd *m)
{
    calcify_status st = CALCIFY_OK;
    for (int i = 0; !st && i < m->n; i++)
        st = merge_read_shard(m, i);
    if (!st)
        qsort(m->sh, (size_t)m->n, sizeof *m->sh, by_k);
    const shard *sh = m->sh;
    for (int i = 1; !st && i < m->n; i++)
        if (sh[i].k == sh[i - 1].k || sh[i].n != sh[0].n)
            st = calcify_fail(&m->err, CALCIFY_EINPUT, "%s: shard %ld/%ld %s (expected each "
                              "shard of one split at most once)", sh[i].dir, sh[i].k,
                              sh[i].n, sh[i].k == sh[i - 1].k ? "given twice" :
                              "from a different split");
    return st;
}

/* What the rows must hold: the arms of each run, and whether every shard
 * has the time series its manifest says. */
static calcify_status merge_layout(merge_cmd *m)
{
    calcify_status st = CALCIFY_OK;
    m->arms_text = sweepdir_manifest_get(m->sh[0].manifest, "arms");
    m->ts_step = sweepdir_manifest_get(m->sh[0].manifest, "timeseries_step_d");
    size_t words = 1;
    for (const char *p = m->arms_text; p && *p; p++)
        words += *p == ' ';
    if (m->arms_text && !(m->arms = calloc(words, sizeof *m->arms)))
        st = calcify_fail(&m->err, CALCIFY_ENOMEM, "out of memory");
    for (char *tok = m->arms && m->arms_text ? strtok(m->arms_text, " ") : NULL; tok;
         tok = strtok(NULL, " "))
        m->arms[m->ls.n_arms++] = tok;
    if (!st && (!m->ls.n_arms || !m->ts_step))
        st = calcify_fail(&m->err, CALCIFY_EINPUT, "%s: no 'arms' or 'timeseries_step_d' "
                          "(expected a manifest written by calcify sweep)", m->first_manifest);
    m->ls.arms = m->arms;
    m->timeseries = m->ts_step && strcmp(m->ts_step, "none") != 0;
    for (int i = 0; !st && i < m->n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/timeseries.csv", m->sh[i].dir);
        if (exists(path) != m->timeseries)
            st = calcify_fail(&m->err, CALCIFY_EINPUT, "%s: %s (its manifest says the sweep "
                              "%s a time series)", path, m->timeseries ? "missing" :
                              "left from another sweep", m->timeseries ? "wrote" :
                              "did not write");
    }
    return st;
}

/* OUTDIR: another run's is not written into unasked; created only now,
 * removed again if anything fails.  Then the merged manifest and the
 * first shard's design.csv, to be committed. */
static calcify_status merge_open_out(merge_cmd *m)
{
    static const char *const writes[] = {SWEEPDIR_MANIFEST, "design.csv", "vary.tsv",
                                         "summary.csv", "timeseries.csv", NULL};
    char path[4096];
    calcify_status st = sweepdir_check_outdir(m->out_dir, writes, NULL, NULL, 0, m->force,
                                         "--force to replace its files", &m->err);
    if (!st)
        st = calcify_dir_make(m->out_dir, &m->made, &m->err);
    if (!st && !(m->manifest = merged_manifest(m->sh[0].manifest, m->argc, m->argv)))
        st = calcify_fail(&m->err, CALCIFY_ENOMEM, "out of memory");
    if (!st) {
        snprintf(path, sizeof path, "%s/" SWEEPDIR_MANIFEST, m->out_dir);
        if (!(st = calcify_outfile_open(&m->om, path, &m->err)))
            fputs(m->manifest, m->om.fp);
    }
    if (!st) {
        snprintf(path, sizeof path, "%s/design.csv", m->out_dir);
        if (!(st = calcify_outfile_open(&m->od, path, &m->err))) {
            FILE *d = fopen(m->first_design, "rb");
            char buf[65536];
            size_t got;
            if (!d)
                st = calcify_fail(&m->err, CALCIFY_EINPUT, "%s: cannot open: %s",
                                  m->first_design, strerror(errno));
            while (d && (got = fread(buf, 1, sizeof buf, d)) > 0)
                fwrite(buf, 1, got, m->od.fp);
            if (d)
                fclose(d);
        }
    }
    return st;
}

/* The names, units and scales of the varied columns, for the figures:
 * the first shard's vary.tsv when it has one. */
static calcify_status merge_copy_vary(merge_cmd *m)
{
    char path[4096];
    calcify_status st = CALCIFY_OK;
    snprintf(path, sizeof path, "%s/vary.tsv", m->sh[0].dir);
    FILE *vary_in = fopen(path, "rb");
    if (vary_in) {
        snprintf(path, sizeof path, "%s/vary.tsv", m->out_dir);
        if (!(st = calcify_outfile_open(&m->ov, path, &m->err))) {
            char buf[65536];
            size_t got;
            while ((got = fread(buf, 1, sizeof buf, vary_in)) > 0)
                fwrite(buf, 1, got, m->ov.fp);
        }
        fclose(vary_in);
    }
    return st;
}

/* The run_ids [*expected, to) of no shard, listed as missing. */
static calcify_status merge_missing(merge_cmd *m, size_t *expected, size_t to)
{
    calcify_status st = CALCIFY_OK;
    for (; !st && *expected < to; ++*expected)
        if (push(&m->missing, (long)*expected))
            st = calcify_fail(&m->err, CALCIFY_ENOMEM, "out of memory");
    return st;
}

/* The rows of every shard, checked, into summary.csv and timeseries.csv. */
static calcify_status merge_rows(merge_cmd *m)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/summary.csv", m->out_dir);
    calcify_status st = calcify_outfile_open(&m->os, path, &m->err);
    size_t expected = 0;
    for (int i = 0; !st && i < m->n; i++) {
        st = merge_missing(m, &expected, m->sh[i].first);
        if (!st)
            st = copy_checked(&m->sh[i], "summary.csv", &m->ls, m->os.fp, i == 0, &m->failed,
                              &m->line, &m->cap, &m->err);
        expected = m->sh[i].last;
    }
    if (!st) {
        char *r = sweepdir_manifest_get(m->sh[0].manifest, "runs");
        m->runs = r ? (size_t)strtoull(r, NULL, 10) : 0;
        free(r);
    }
    if (!st)
        st = merge_missing(m, &expected, m->runs);
    if (!st && m->timeseries) {
        snprintf(path, sizeof path, "%s/timeseries.csv", m->out_dir);
        st = calcify_outfile_open(&m->ot, path, &m->err);
        for (int i = 0; !st && i < m->n; i++)
            st = copy_checked(&m->sh[i], "timeseries.csv", &m->lt, m->ot.fp, i == 0,
                              &m->failed, &m->line, &m->cap, &m->err);
    }
    return st;
}

/* Committed last to first: summary.csv appears only with the others. */
static calcify_status merge_commit(merge_cmd *m)
{
    calcify_status st = calcify_outfile_commit(&m->om, &m->err);
    if (!st)
        st = calcify_outfile_commit(&m->od, &m->err);
    if (!st && m->timeseries)
        st = calcify_outfile_commit(&m->ot, &m->err);
    if (!st && m->ov.fp)
        st = calcify_outfile_commit(&m->ov, &m->err);
    if (!st)
        st = calcify_outfile_commit(&m->os, &m->err);
    if (!st && !m->timeseries) { /* an earlier merge's must not pass as this one's */
        char path[4096];
        snprintf(path, sizeof path, "%s/timeseries.csv", m->out_dir);
        if (unlink(path) != 0 && errno != ENOENT)
            st = calcify_fail(&m->err, CALCIFY_EIO, "%s: cannot remove the time series of "
                              "an earlier merge: %s", path, strerror(errno));
    }
    return st;
}

static void merge_abort_files(merge_cmd *m)
{
    calcify_outfile_abort(&m->om);
    calcify_outfile_abort(&m->od);
    calcify_outfile_abort(&m->os);
    calcify_outfile_abort(&m->ot);
    calcify_outfile_abort(&m->ov);
}

/* Everything m holds but the id lists; after a failure (st) OUTDIR as it
 * was: a folder this merge made holds nothing of it. */
static void merge_free(merge_cmd *m, calcify_status st)
{
    if (st) {
        merge_abort_files(m);
        if (m->made) {
            static const char *const made_files[] = {SWEEPDIR_MANIFEST, "design.csv",
                                                     "vary.tsv", "timeseries.csv"};
            char path[4096];
            for (size_t k = 0; k < 4; k++) {
                snprintf(path, sizeof path, "%s/%s", m->out_dir, made_files[k]);
                unlink(path);
            }
        }
        calcify_dir_unmake(m->out_dir, m->made);
    }
    merge_abort_files(m);
    for (int i = 0; m->sh && i < m->n; i++)
        free(m->sh[i].manifest);
    free(m->sh);
    free(m->line);
    free(m->made);
    free(m->manifest);
    free(m->arms_text);
    free(m->arms);
    free(m->ts_step);
    free((char *)m->ls.header);
    free((char *)m->lt.header);
}

int cmd_merge(int argc, char **argv)
{
    merge_cmd c = {.argc = argc, .argv = argv}, *m = &c;
    int rc = merge_parse_options(m);
    if (rc != MERGE_GO)
        return rc;
    m->sh = calloc((size_t)m->n, sizeof *m->sh);
    calcify_status st = m->sh ? CALCIFY_OK
                              : calcify_fail(&m->err, CALCIFY_ENOMEM, "out of memory");
    if (!st)
        st = merge_read_shards(m);
    if (!st)
        st = merge_layout(m);
    if (!st)
        st = merge_open_out(m);
    if (!st)
        st = merge_copy_vary(m);
    if (!st)
        st = merge_rows(m);
    if (!st)
        st = merge_commit(m);
    merge_free(m, st);
    rc = 0;
    if (st) {
        rc = cli_error(st, m->err.msg);
    } else {
        fprintf(stderr, "calcify: merged %d folder%s: %zu runs in the design\n", m->n,
                m->n == 1 ? "" : "s", m->runs);
        list_ids("missing", m->missing.v, m->missing.n);
        list_ids("failed", m->failed.v, m->failed.n);
        rc = m->missing.n || (m->failed.n && !m->keep_going) ? 1 : 0;
    }
    free(m->missing.v);
    free(m->failed.v);
    return rc;
}
