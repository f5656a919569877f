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
#include "cli/sweepdir.h"

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
    calcify_status st = CALCIFY_OK;
    ssize_t len = getline(line, cap, in);
    int lineno = 1;
    if (len > 0 && memchr(*line, '\0', (size_t)len))
        st = calcify_fail(err, CALCIFY_EINPUT, "%s:1: NUL byte in the header (expected "
                          "the file as sweep wrote it)", path);
    else if (len <= 0 || (*line)[len - 1] != '\n' || strncmp(*line, "run_id,", 7) != 0)
        st = calcify_fail(err, CALCIFY_EINPUT, "%s:1: no header line (expected run_id,… "
                          "as sweep writes it)", path);
    else if (!l->header) {
        if (!(l->header = strdup(*line)))
            st = calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
        l->nfields = sweepdir_count_fields(*line, (size_t)len - 1);
        /* the arm column follows the varied ones: found by its name */
        l->arm_col = -1;
        for (int k = 1; l->arms && k < l->nfields && l->arm_col < 0; k++) {
            size_t fn;
            const char *f = sweepdir_field(*line, k, &fn);
            if (f && fn == 3 && memcmp(f, "arm", 3) == 0)
                l->arm_col = k;
        }
        if (l->arms && l->arm_col < 0)
            st = calcify_fail(err, CALCIFY_EINPUT, "%s:1: no 'arm' column (expected "
                              "run_id,…,arm,status,… as sweep writes it)", path);
    } else if (strcmp(*line, l->header) != 0)
        st = calcify_fail(err, CALCIFY_EINPUT, "%s:1: header differs from the first "
                          "shard's (expected shards of one sweep)", path);
    if (!st && write_header && fputs(*line, out) == EOF)
        st = calcify_fail(err, CALCIFY_EIO, "merged %s: write failed: %s", name,
                          strerror(errno));
    size_t next = s->first, k = 0;
    long prev = -1;
    int run_failed = 0;
    while (!st && (len = getline(line, cap, in)) > 0) {
        lineno++;
        long id;
        const char *why = sweepdir_row_check(*line, (size_t)len, l->nfields, &id);
        if (why && strcmp(why, "wrong number of fields") == 0) {
            st = calcify_fail(err, CALCIFY_EINPUT, "%s:%d: %d fields (expected %d, as in "
                              "the header)", path, lineno,
                              sweepdir_count_fields(*line, (size_t)len - 1), l->nfields);
            break;
        }
        if (why) {
            st = calcify_fail(err, CALCIFY_EINPUT, "%s:%d: %s", path, lineno, why);
            break;
        }
        if (l->arms) {
            size_t an;
            const char *arm = sweepdir_field(*line, l->arm_col, &an);
            if (id != (long)next || !arm || an != strlen(l->arms[k]) ||
                memcmp(arm, l->arms[k], an) != 0) {
                st = calcify_fail(err, CALCIFY_EINPUT, "%s:%d: run_id %ld, arm '%.*s' "
                                  "(expected run_id %zu, arm '%s': shard %ld/%ld holds "
                                  "run_ids %zu-%zu, one row per arm)", path, lineno, id,
                                  arm ? (int)an : 0, arm ? arm : "", next, l->arms[k],
                                  s->k, s->n, s->first, s->last - 1);
                break;
            }
            size_t sn;
            const char *status = sweepdir_field(*line, l->arm_col + 1, &sn);
            run_failed |= !(status && sn == 2 && memcmp(status, "ok", 2) == 0);
            if (++k == l->n_arms) {
                if (run_failed && push(failed, id)) {
                    st = calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
                    break;
                }
                k = 0;
                run_failed = 0;
                next++;
            }
        } else if (id < prev || id < (long)s->first || id >= (long)s->last) {
            st = calcify_fail(err, CALCIFY_EINPUT, "%s:%d: run_id %ld (expected run_ids "
                              "%zu-%zu of shard %ld/%ld, not decreasing)", path, lineno,
                              id, s->first, s->last - 1, s->k, s->n);
            break;
        }
        prev = id;
        if (fwrite(*line, 1, (size_t)len, out) != (size_t)len)
            st = calcify_fail(err, CALCIFY_EIO, "merged %s: write failed: %s", name,
                              strerror(errno));
    }
    if (!st && ferror(in))
        st = calcify_fail(err, CALCIFY_EINPUT, "%s: cannot read: %s", path, strerror(errno));
    if (!st && l->arms && (next != s->last || k != 0))
        st = calcify_fail(err, CALCIFY_EINPUT, "%s:%d: ends after run_id %zu (expected "
                          "every run_id up to %zu of shard %ld/%ld)", path, lineno,
                          next ? next - 1 : 0, s->last - 1, s->k, s->n);
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

int cmd_merge(int argc, char **argv)
{
    const char *out_dir = NULL;
    int keep_going = 0, force = 0, c;
    cli_opts p;
    cli_opts_begin(&p, &doc, argc, argv, NULL);
    while ((c = cli_opts_next(&p)) > 0) {
        switch (c) {
        case 'o': out_dir = optarg; break;
        case CLI_OPT_KEEP_GOING: keep_going = 1; break;
        case CLI_OPT_FORCE: force = 1; break;
        }
    }
    if (c < 0)
        return cli_opts_exit(c);
    int n = argc - optind;
    if (n < 1 || !out_dir)
        return cli_usage_error(&doc, "expected shard folders and -o OUTDIR");
    shard *sh = calloc((size_t)n, sizeof *sh);
    calcify_error err;
    calcify_status st = sh ? CALCIFY_OK : calcify_fail(&err, CALCIFY_ENOMEM, "out of memory");
    char path[4096], first_design[4096], first_manifest[4096];
    static const char *const ignore[] = {"shard", "command", "scenario", "parameters", NULL};
    for (int i = 0; !st && i < n; i++) {
        shard *s = &sh[i];
        s->dir = argv[optind + i];
        snprintf(path, sizeof path, "%s/summary.csv.part", s->dir);
        if (exists(path)) {
            st = calcify_fail(&err, CALCIFY_EINPUT, "%s: the shard is unfinished (expected "
                              "summary.csv; continue it with its sweep command and "
                              "--resume)", path);
            break;
        }
        if ((st = read_shard(s, &err)))
            break;
        snprintf(path, sizeof path, "%s/" SWEEPDIR_MANIFEST, s->dir);
        if (i == 0) {
            snprintf(first_manifest, sizeof first_manifest, "%s", path);
            snprintf(first_design, sizeof first_design, "%s/design.csv", s->dir);
            continue;
        }
        if ((st = sweepdir_manifest_compare(first_manifest, sh[0].manifest, path,
                                            s->manifest, ignore, "shards of one sweep",
                                            &err)))
            break;
        snprintf(path, sizeof path, "%s/design.csv", s->dir);
        if (!same_file(first_design, path))
            st = calcify_fail(&err, CALCIFY_EINPUT, "%s: missing or not the design of %s "
                              "(expected shards of one sweep)", path, first_design);
    }
    if (!st)
        qsort(sh, (size_t)n, sizeof *sh, by_k);
    for (int i = 1; !st && i < n; i++)
        if (sh[i].k == sh[i - 1].k || sh[i].n != sh[0].n)
            st = calcify_fail(&err, CALCIFY_EINPUT, "%s: shard %ld/%ld %s (expected each "
                              "shard of one split at most once)", sh[i].dir, sh[i].k,
                              sh[i].n, sh[i].k == sh[i - 1].k ? "given twice" :
                              "from a different split");
    /* what the rows must hold */
    char *arms_text = NULL, *ts_step = NULL;
    const char **arms = NULL;
    layout ls = {0}, lt = {0};
    int timeseries = 0;
    if (!st) {
        arms_text = sweepdir_manifest_get(sh[0].manifest, "arms");
        ts_step = sweepdir_manifest_get(sh[0].manifest, "timeseries_step_d");
        size_t words = 1;
        for (const char *p = arms_text; p && *p; p++)
            words += *p == ' ';
        if (arms_text && !(arms = calloc(words, sizeof *arms)))
            st = calcify_fail(&err, CALCIFY_ENOMEM, "out of memory");
        for (char *tok = arms && arms_text ? strtok(arms_text, " ") : NULL; tok;
             tok = strtok(NULL, " "))
            arms[ls.n_arms++] = tok;
        if (!st && (!ls.n_arms || !ts_step))
            st = calcify_fail(&err, CALCIFY_EINPUT, "%s: no 'arms' or 'timeseries_step_d' "
                              "(expected a manifest written by calcify sweep)",
                              first_manifest);
        ls.arms = arms;
        timeseries = ts_step && strcmp(ts_step, "none") != 0;
    }
    for (int i = 0; !st && i < n; i++) {
        snprintf(path, sizeof path, "%s/timeseries.csv", sh[i].dir);
        if (exists(path) != timeseries)
            st = calcify_fail(&err, CALCIFY_EINPUT, "%s: %s (its manifest says the sweep "
                              "%s a time series)", path, timeseries ? "missing" :
                              "left from another sweep", timeseries ? "wrote" :
                              "did not write");
    }

    /* OUTDIR: another run's is not written into unasked; created only now,
     * removed again if anything fails */
    static const char *const writes[] = {SWEEPDIR_MANIFEST, "design.csv", "vary.tsv",
                                         "summary.csv", "timeseries.csv", NULL};
    if (!st)
        st = cli_check_outdir(out_dir, writes, NULL, NULL, 0, force, "--force to replace "
                              "its files", &err);
    char *made = NULL, *manifest = NULL;
    if (!st)
        st = calcify_dir_make(out_dir, &made, &err);
    calcify_outfile om = {0}, od = {0}, os = {0}, ot = {0}, ov = {0};
    id_list missing = {0}, failed = {0};
    char *line = NULL;
    size_t cap = 0;
    if (!st && !(manifest = merged_manifest(sh[0].manifest, argc, argv)))
        st = calcify_fail(&err, CALCIFY_ENOMEM, "out of memory");
    if (!st) {
        snprintf(path, sizeof path, "%s/" SWEEPDIR_MANIFEST, out_dir);
        if (!(st = calcify_outfile_open(&om, path, &err)))
            fputs(manifest, om.fp);
    }
    if (!st) {
        snprintf(path, sizeof path, "%s/design.csv", out_dir);
        if (!(st = calcify_outfile_open(&od, path, &err))) {
            FILE *d = fopen(first_design, "rb");
            char buf[65536];
            size_t got;
            if (!d)
                st = calcify_fail(&err, CALCIFY_EINPUT, "%s: cannot open: %s",
                                  first_design, strerror(errno));
            while (d && (got = fread(buf, 1, sizeof buf, d)) > 0)
                fwrite(buf, 1, got, od.fp);
            if (d)
                fclose(d);
        }
    }
    /* the names, units and scales of the varied columns, for the figures */
    snprintf(path, sizeof path, "%s/vary.tsv", sh[0].dir);
    FILE *vary_in = st ? NULL : fopen(path, "rb");
    if (vary_in) {
        snprintf(path, sizeof path, "%s/vary.tsv", out_dir);
        if (!(st = calcify_outfile_open(&ov, path, &err))) {
            char buf[65536];
            size_t got;
            while ((got = fread(buf, 1, sizeof buf, vary_in)) > 0)
                fwrite(buf, 1, got, ov.fp);
        }
        fclose(vary_in);
    }
    if (!st) {
        snprintf(path, sizeof path, "%s/summary.csv", out_dir);
        st = calcify_outfile_open(&os, path, &err);
    }
    size_t expected = 0;
    for (int i = 0; !st && i < n; i++) {
        for (; !st && expected < sh[i].first; expected++)
            if (push(&missing, (long)expected))
                st = calcify_fail(&err, CALCIFY_ENOMEM, "out of memory");
        if (!st)
            st = copy_checked(&sh[i], "summary.csv", &ls, os.fp, i == 0, &failed, &line,
                              &cap, &err);
        expected = sh[i].last;
    }
    size_t runs = 0;
    if (!st) {
        char *r = sweepdir_manifest_get(sh[0].manifest, "runs");
        runs = r ? (size_t)strtoull(r, NULL, 10) : 0;
        free(r);
    }
    for (; !st && expected < runs; expected++)
        if (push(&missing, (long)expected))
            st = calcify_fail(&err, CALCIFY_ENOMEM, "out of memory");
    if (!st && timeseries) {
        snprintf(path, sizeof path, "%s/timeseries.csv", out_dir);
        st = calcify_outfile_open(&ot, path, &err);
        for (int i = 0; !st && i < n; i++)
            st = copy_checked(&sh[i], "timeseries.csv", &lt, ot.fp, i == 0, &failed, &line,
                              &cap, &err);
    }
    /* committed last to first: summary.csv appears only with the others */
    if (!st)
        st = calcify_outfile_commit(&om, &err);
    if (!st)
        st = calcify_outfile_commit(&od, &err);
    if (!st && timeseries)
        st = calcify_outfile_commit(&ot, &err);
    if (!st && ov.fp)
        st = calcify_outfile_commit(&ov, &err);
    if (!st)
        st = calcify_outfile_commit(&os, &err);
    if (!st && !timeseries) { /* an earlier merge's must not pass as this one's */
        snprintf(path, sizeof path, "%s/timeseries.csv", out_dir);
        if (unlink(path) != 0 && errno != ENOENT)
            st = calcify_fail(&err, CALCIFY_EIO, "%s: cannot remove the time series of "
                              "an earlier merge: %s", path, strerror(errno));
    }
    if (st) {
        calcify_outfile_abort(&om);
        calcify_outfile_abort(&od);
        calcify_outfile_abort(&os);
        calcify_outfile_abort(&ot);
        calcify_outfile_abort(&ov);
        if (made) { /* a folder this merge made holds nothing of a failed merge */
            snprintf(path, sizeof path, "%s/" SWEEPDIR_MANIFEST, out_dir);
            unlink(path);
            snprintf(path, sizeof path, "%s/design.csv", out_dir);
            unlink(path);
            snprintf(path, sizeof path, "%s/vary.tsv", out_dir);
            unlink(path);
            snprintf(path, sizeof path, "%s/timeseries.csv", out_dir);
            unlink(path);
        }
        calcify_dir_unmake(out_dir, made);
    }
    calcify_outfile_abort(&om);
    calcify_outfile_abort(&od);
    calcify_outfile_abort(&os);
    calcify_outfile_abort(&ot);
    calcify_outfile_abort(&ov);
    for (int i = 0; sh && i < n; i++)
        free(sh[i].manifest);
    free(sh);
    free(line);
    free(made);
    free(manifest);
    free(arms_text);
    free(arms);
    free(ts_step);
    free((char *)ls.header);
    free((char *)lt.header);
    int rc = 0;
    if (st) {
        rc = cli_error(st, err.msg);
    } else {
        fprintf(stderr, "calcify: merged %d folder%s: %zu runs in the design\n", n,
                n == 1 ? "" : "s", runs);
        list_ids("missing", missing.v, missing.n);
        list_ids("failed", failed.v, failed.n);
        rc = missing.n || (failed.n && !keep_going) ? 1 : 0;
    }
    free(missing.v);
    free(failed.v);
    return rc;
}
