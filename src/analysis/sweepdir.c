/* sweepdir.c — manifests, row files and resuming, shared by sweep, gsa,
 * population and merge. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nettle/sha2.h>

#include "calcify/batch.h"
#include "calcify/output.h"
#include "base/infile.h"
#include "analysis/sweepdir.h"

calcify_status sweepdir_sha256_file(const char *path, char hex[65], calcify_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0)
        return calcify_fail(err, CALCIFY_EINPUT, "%s: cannot open: %s", path,
                            strerror(errno));
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return calcify_fail(err, CALCIFY_EINPUT, "%s: not a regular file (expected a "
                            "file that sweep --resume and merge can read again: the "
                            "manifest records its SHA-256)", path);
    }
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    unsigned char buf[65536];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            close(fd);
            return calcify_fail(err, CALCIFY_EINPUT, "%s: cannot read: %s", path,
                                strerror(e));
        }
        if (n == 0)
            break;
        sha256_update(&ctx, (size_t)n, buf);
    }
    close(fd);
    unsigned char digest[SHA256_DIGEST_SIZE];
    sha256_digest(&ctx, sizeof digest, digest);
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    return CALCIFY_OK;
}

void sweepdir_sha256_text(const char *text, size_t len, char hex[65])
{
    struct sha256_ctx ctx;
    unsigned char digest[SHA256_DIGEST_SIZE];
    sha256_init(&ctx);
    sha256_update(&ctx, len, (const uint8_t *)text);
    sha256_digest(&ctx, sizeof digest, digest);
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
}

int sweepdir_manifest_add(char **text, size_t *len, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *raw = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (!raw)
        return -1;
    va_start(ap, fmt);
    vsnprintf(raw, (size_t)n + 1, fmt, ap);
    va_end(ap);
    size_t need = *len + strlen(key) + 4 * (size_t)n + 5;
    char *grown = realloc(*text, need + 1);
    if (!grown) {
        free(raw);
        return -1;
    }
    *text = grown;
    /* a key that starts with '#' makes a comment line */
    size_t k = *len + (size_t)sprintf(grown + *len, key[0] == '#' ? "%s " : "%s = ", key);
    for (const unsigned char *p = (const unsigned char *)raw; *p; p++)
        k += *p < 0x20 || *p == 0x7f || *p == '\\'
                 ? (size_t)sprintf(grown + k, "\\x%02x", *p)
                 : (size_t)sprintf(grown + k, "%c", *p);
    grown[k++] = '\n';
    grown[k] = '\0';
    *len = k;
    free(raw);
    return 0;
}

/* Next "key = value" line of a manifest from *p (comments and blank lines
 * skipped); key and value point into the text, lengths returned; *line
 * counts physical lines.  0 at the end. */
static int next_entry(const char **p, int *line, const char **key, size_t *klen,
                      const char **val, size_t *vlen)
{
    while (**p) {
        const char *s = *p, *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) : strlen(s);
        *p = nl ? nl + 1 : s + n;
        (*line)++;
        if (n == 0 || s[0] == '#')
            continue;
        const char *eq = memchr(s, '=', n);
        if (!eq) {
            *key = s, *klen = n, *val = s + n, *vlen = 0;
            return 1;
        }
        *key = s;
        *klen = (size_t)(eq - s);
        while (*klen && s[*klen - 1] == ' ')
            (*klen)--;
        *val = eq + 1;
        while (*val < s + n && **val == ' ')
            (*val)++;
        *vlen = (size_t)(s + n - *val);
        return 1;
    }
    return 0;
}

static int ignored(const char *key, size_t klen, const char *const *ignore)
{
    for (; ignore && *ignore; ignore++)
        if (strlen(*ignore) == klen && memcmp(*ignore, key, klen) == 0)
            return 1;
    return 0;
}

calcify_status sweepdir_manifest_compare(const char *path_a, const char *a,
                                         const char *path_b, const char *b,
                                         const char *const *ignore, const char *why,
                                         calcify_error *err)
{
    int la = 0, lb = 0;
    for (;;) {
        const char *ka = NULL, *va = NULL, *kb = NULL, *vb = NULL;
        size_t kla = 0, vla = 0, klb = 0, vlb = 0;
        int has_a, has_b;
        while ((has_a = next_entry(&a, &la, &ka, &kla, &va, &vla)) && ignored(ka, kla, ignore))
            ;
        while ((has_b = next_entry(&b, &lb, &kb, &klb, &vb, &vlb)) && ignored(kb, klb, ignore))
            ;
        if (!has_a && !has_b)
            return CALCIFY_OK;
        if (!has_a || !has_b || kla != klb || memcmp(ka, kb, kla) != 0)
            return calcify_fail(err, CALCIFY_EINPUT, "%s:%d: '%.*s' where %s has "
                                "'%.*s' (expected the same manifest: %s)", path_b, lb,
                                has_b ? (int)klb : 3, has_b ? kb : "end",
                                path_a, has_a ? (int)kla : 3, has_a ? ka : "end", why);
        if (vla != vlb || memcmp(va, vb, vla) != 0)
            return calcify_fail(err, CALCIFY_EINPUT, "%s:%d: %.*s is '%.*s' but '%.*s' "
                                "in %s (expected the same manifest: %s)", path_b, lb,
                                (int)klb, kb, (int)(vlb > 200 ? 200 : vlb), vb,
                                (int)(vla > 200 ? 200 : vla), va, path_a, why);
    }
}

char *sweepdir_manifest_get(const char *text, const char *key)
{
    const char *k, *v;
    size_t kl, vl;
    int line = 0;
    while (next_entry(&text, &line, &k, &kl, &v, &vl))
        if (kl == strlen(key) && memcmp(k, key, kl) == 0)
            return strndup(v, vl);
    return NULL;
}

int sweepdir_count_fields(const char *line, size_t len)
{
    int n = 1;
    for (size_t i = 0; i < len; i++)
        n += line[i] == ',';
    return n;
}

const char *sweepdir_row_check(const char *line, size_t len, int nfields, long *run_id)
{
    if (len == 0 || line[len - 1] != '\n')
        return "the row is cut short (no line end): a file written by a sweep that "
               "was stopped";
    if (memchr(line, '\0', len))
        return "NUL byte in the row";
    size_t body = len - 1;
    if (body && line[body - 1] == '\r')
        return "carriage return in the row (expected the file as sweep wrote it)";
    if (sweepdir_count_fields(line, body) != nfields)
        return "wrong number of fields";
    char *end;
    errno = 0;
    long id = strtol(line, &end, 10);
    if (end == line || *end != ',' || errno || id < 0 || line[0] == '+' || line[0] == ' ')
        return "no run_id (expected a whole number >= 0 in the first field)";
    *run_id = id;
    return NULL;
}

const char *sweepdir_field(const char *line, int k, size_t *n)
{
    const char *p = line;
    for (int i = 0; i < k; i++) {
        p = strchr(p, ',');
        if (!p)
            return NULL;
        p++;
    }
    *n = strcspn(p, ",\n");
    return p;
}

/* The command line, words with spaces or quotes single-quoted. */
char *sweepdir_command_line(int argc, char **argv)
{
    size_t cap = 16;
    for (int i = 0; i < argc; i++)
        cap += 4 * strlen(argv[i]) + 3;
    char *s = malloc(cap), *p = s;
    if (!s)
        return NULL;
    p += sprintf(p, "calcify");
    for (int i = 0; i < argc; i++) {
        int plain = argv[i][0] && !argv[i][strcspn(argv[i], " \t'\"\\$`;&|<>*?()")];
        *p++ = ' ';
        if (plain) {
            p += sprintf(p, "%s", argv[i]);
            continue;
        }
        *p++ = '\'';
        for (const char *c = argv[i]; *c; c++)
            p += *c == '\'' ? sprintf(p, "'\\''") : sprintf(p, "%c", *c);
        *p++ = '\'';
    }
    *p = '\0';
    return s;
}

calcify_status sweepdir_check_outdir(const char *dir, const char *const *files,
                                const char *manifest, const char *const *ignore,
                                int resume, int force, const char *allow,
                                calcify_error *err)
{
    struct stat sb;
    if (force || stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return CALCIFY_OK; /* made, or refused as not a folder, when written */
    char path[4096];
    snprintf(path, sizeof path, "%s/" SWEEPDIR_MANIFEST, dir);
    calcify_infile old = {0};
    int has_manifest = stat(path, &sb) == 0;
    calcify_status st = has_manifest ? calcify_infile_read(&old, path, "a manifest", err)
                                     : CALCIFY_OK;
    if (st)
        return st;
    if (has_manifest && resume && manifest) {
        calcify_error why;
        st = sweepdir_manifest_compare("this command", manifest, path, old.data, ignore,
                                       "--resume continues only the run that made the "
                                       "folder", &why);
        calcify_infile_free(&old);
        if (st)
            st = calcify_fail(err, st, "%s; --force to replace its files", why.msg);
        return st;
    }
    /* the command's own files, then any other folder command's: a gsa in a
     * population's folder would mix two runs as much as one over another */
    static const char *const any_run[] = {"design.csv", "vary.tsv", "summary.csv",
                                          "summary.csv.part", "timeseries.csv",
                                          "timeseries.csv.part", "evaluations.csv",
                                          "evaluations.csv.part", "indices.csv",
                                          "animals.csv", "stats.csv", "runs.csv.part", NULL};
    const char *found = has_manifest ? SWEEPDIR_MANIFEST : NULL;
    for (int k = 0; k < 2; k++)
        for (const char *const *f = k ? any_run : files; !found && f && *f; f++) {
            snprintf(path, sizeof path, "%s/%s", dir, *f);
            if (lstat(path, &sb) == 0)
                found = *f;
        }
    char *cmd = has_manifest ? sweepdir_manifest_get(old.data, "command") : NULL;
    if (found)
        st = calcify_fail(err, CALCIFY_EUSAGE, "%s holds %s of another run%s%.300s%s%s "
                          "(expected a new or empty folder; %s)", dir, found,
                          cmd ? " (" : "", cmd ? cmd : "", cmd ? ", from its manifest)" : "",
                          resume && !has_manifest ? ", but no " SWEEPDIR_MANIFEST " to "
                          "continue from" : "", allow);
    free(cmd);
    calcify_infile_free(&old);
    return st;
}

calcify_status sweepdir_manifest_begin(char **text, size_t *len, const char *comment,
                                       const calcify_scenario *sc, const char *params,
                                       const char *const *sets, int n_sets, calcify_error *err)
{
    char sha_sc[65], sha_ps[65];
    const char *ps = params ? params : sc->param_path;
    calcify_status st = sweepdir_sha256_file(sc->path, sha_sc, err);
    if (!st)
        st = sweepdir_sha256_file(ps, sha_ps, err);
    if (st)
        return st;
    /* lists of any length, never cut: each goes into one manifest line */
    char *sbuf = NULL;
    size_t slen;
    FILE *fsets = open_memstream(&sbuf, &slen);
    for (int j = 0; fsets && j < n_sets; j++)
        fprintf(fsets, "%s%s", j ? "; " : "", sets[j]);
    int bad = !fsets || fclose(fsets) != 0;
    bad |= sweepdir_manifest_add(text, len, "#", "%s", comment);
    bad |= sweepdir_manifest_add(text, len, "format", "1");
    bad |= sweepdir_manifest_add(text, len, "calcify_version", "%s", CALCIFY_VERSION);
    bad |= sweepdir_manifest_add(text, len, "scenario", "%s", sc->path);
    bad |= sweepdir_manifest_add(text, len, "scenario_sha256", "%s", sha_sc);
    bad |= sweepdir_manifest_add(text, len, "parameters", "%s", ps);
    bad |= sweepdir_manifest_add(text, len, "parameters_sha256", "%s", sha_ps);
    bad |= sweepdir_manifest_add(text, len, "set", "%s", sbuf ? sbuf : "");
    bad |= sweepdir_manifest_add(text, len, "method", "%s", sc->method);
    bad |= sweepdir_manifest_add(text, len, "rtol", "%.17g", sc->rtol);
    bad |= sweepdir_manifest_add(text, len, "atol", "%.17g", sc->atol);
    free(sbuf);
    return bad ? calcify_fail(err, CALCIFY_ENOMEM, "out of memory") : CALCIFY_OK;
}

char *sweepdir_vary_text(const calcify_vary *vary, size_t n_vary)
{
    char *vbuf = NULL;
    size_t vlen;
    FILE *fv = open_memstream(&vbuf, &vlen);
    static const char *const dists[] = {"", ":log", ":normal", ":lognormal"};
    for (size_t j = 0; fv && j < n_vary; j++) {
        const calcify_vary *w = &vary[j];
        const char *unit = w->unit[0] ? w->unit : "";
        if (calcify_vary_bounded(w))
            fprintf(fv, "%s%s=%.17g:%.17g%s%s%s", j ? "; " : "", w->name, w->lo, w->hi,
                    unit[0] ? " " : "", unit, dists[w->dist]);
        else /* centre and CV decide the draws */
            fprintf(fv, "%s%s=%.17g%s%s:%.17g%%%s", j ? "; " : "", w->name, w->centre,
                    unit[0] ? " " : "", unit, 100 * w->cv, dists[w->dist]);
    }
    if (!fv || fclose(fv) != 0) {
        free(vbuf);
        return NULL;
    }
    return vbuf;
}

calcify_status sweepdir_remove_temporaries(const char *dir, const char *const *files,
                                           calcify_error *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return CALCIFY_OK; /* no folder, no temporary file */
    calcify_status st = CALCIFY_OK;
    for (struct dirent *e; !st && (e = readdir(d));)
        for (const char *const *f = files; *f; f++) {
            size_t n = strlen(*f);
            if (strncmp(e->d_name, *f, n) != 0 || strncmp(e->d_name + n, ".tmp.", 5) != 0)
                continue;
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            if (unlink(path) != 0 && errno != ENOENT)
                st = calcify_fail(err, CALCIFY_EIO, "%s: cannot remove a stale temporary "
                                  "file: %s", path, strerror(errno));
            break;
        }
    closedir(d);
    return st;
}

FILE *sweepdir_reopen_cut(const char *path, long keep, calcify_error *err, calcify_status *st)
{
    FILE *fp = fopen(path, "r+");
    if (!fp || ftruncate(fileno(fp), keep) != 0 || fseek(fp, keep, SEEK_SET) != 0) {
        *st = calcify_fail(err, CALCIFY_EIO, "%s: cannot continue: %s", path,
                           strerror(errno));
        if (fp)
            fclose(fp);
        return NULL;
    }
    return fp;
}

static int exists_in(const char *dir, const char *name)
{
    char path[4096];
    struct stat sb;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &sb) == 0;
}

int sweepdir_resume_state(const char *dir, const char *manifest, const char *const *ignore,
                          int resume, const char *final, const char *part)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/" SWEEPDIR_MANIFEST, dir);
    struct stat sb;
    if (!resume || stat(path, &sb) != 0)
        return 0;
    calcify_infile old;
    calcify_error e;
    if (calcify_infile_read(&old, path, "a manifest", &e))
        return 0;
    /* a different run's folder is here only with --force: replaced */
    int same = !sweepdir_manifest_compare("this command", manifest, path, old.data, ignore,
                                          "", &e);
    calcify_infile_free(&old);
    if (!same)
        return 0;
    if (exists_in(dir, final) && !exists_in(dir, part))
        return 2;
    return exists_in(dir, part);
}

void sweepdir_rows_header(FILE *fp, const calcify_scenario *sc, const calcify_probe *p)
{
    fputs("run_id,status", fp);
    for (size_t a = 0; a < p->n_arms; a++)
        for (size_t ti = 0; ti < p->arms[a].n_times; ti++)
            for (size_t oi = 0; oi < p->n_obs; oi++)
                fprintf(fp, ",%s/%.10g/%s", sc->arms[p->arms[a].arm].name, p->arms[a].times[ti],
                        calcify_obs_name(p->table, p->obs[oi]));
    fputc('\n', fp);
}

const char *sweepdir_rows_parse(char *line, size_t len, size_t n_out, size_t runs,
                                size_t *run, unsigned char *status, double *y)
{
    if (len == 0 || line[len - 1] != '\n')
        return "last line unterminated (expected a complete file)";
    if (memchr(line, '\0', len))
        return "NUL byte in the row";
    line[len - 1] = '\0';
    char *end;
    errno = 0;
    unsigned long long r = strtoull(line, &end, 10);
    if (end == line || *end != ',' || errno || r >= runs || line[0] == '-' || line[0] == '+' ||
        line[0] == ' ')
        return "bad run_id";
    char *f = end + 1, *comma = strchr(f, ',');
    size_t flen = comma ? (size_t)(comma - f) : strlen(f);
    int s = -1;
    for (int k = CALCIFY_RUN_OK; k < CALCIFY_RUN_NOT_RUN; k++)
        if (strlen(calcify_run_status_name(k)) == flen &&
            !strncmp(f, calcify_run_status_name(k), flen))
            s = k;
    if (s < 0)
        return "bad status (expected ok, no_steady_state or solver_failed)";
    f = comma;
    for (size_t k = 0; k < n_out; k++) {
        if (!f)
            return "too few values";
        f++;
        if (*f == ',' || *f == '\0') {
            y[k] = NAN;
        } else {
            errno = 0;
            y[k] = strtod(f, &end);
            if (end == f || (*end != ',' && *end != '\0') || errno == ERANGE)
                return "a value is not a number";
        }
        f = strchr(f, ',');
    }
    if (f)
        return "too many values";
    *run = (size_t)r;
    *status = (unsigned char)s;
    return NULL;
}

int sweepdir_rows_write(sweepdir_rows *rows, size_t upto)
{
    if (rows->error)
        return -1;
    for (; rows->next < upto; rows->next++) {
        size_t k = rows->next - rows->base;
        fprintf(rows->fp, "%zu,%s", rows->next, calcify_run_status_name(rows->status[k]));
        /* exact: --resume and --from read them back */
        calcify_csv_write_numbers(rows->fp, CALCIFY_NUMFMT_SHORTEST, &rows->y[k * rows->n_out],
                                  rows->n_out);
        fputc('\n', rows->fp);
    }
    if (ferror(rows->fp) || fflush(rows->fp) != 0) {
        rows->error = errno ? errno : EIO;
        return -1;
    }
    return 0;
}

void sweepdir_rows_progress(void *user, size_t done, size_t total)
{
    sweepdir_rows *rows = user;
    if (rows->progress)
        rows->progress(rows->progress_user, done, total);
}

int sweepdir_rows_done(void *user, size_t id)
{
    sweepdir_rows *rows = user;
    rows->done[id - rows->base] = 1;
    size_t upto = rows->next;
    while (upto < rows->last && rows->done[upto - rows->base])
        upto++;
    if (upto == rows->next)
        return rows->error != 0;
    return sweepdir_rows_write(rows, upto) != 0;
}

calcify_status sweepdir_rows_scan(const char *path, const char *header, size_t n_out,
                                  size_t first, size_t last, double *y,
                                  unsigned char *status, size_t *next, long *keep,
                                  calcify_error *err)
{
    *next = first;
    *keep = 0;
    FILE *fp = fopen(path, "r");
    if (!fp)
        return calcify_fail(err, CALCIFY_EIO, "%s: cannot open: %s", path, strerror(errno));
    char *line = NULL;
    size_t cap = 0, hl = strlen(header);
    ssize_t len = getline(&line, &cap, fp);
    calcify_status st = CALCIFY_OK;
    if (len > 0 && ((size_t)len < hl ? strncmp(line, header, (size_t)len) != 0
                                     : strcmp(line, header) != 0))
        st = calcify_fail(err, CALCIFY_EINPUT, "%s:1: header is not this command's "
                          "(expected %.*s)", path, (int)(hl > 200 ? 200 : hl - 1), header);
    if (!st && len > 0 && (size_t)len == hl) {
        *keep = ftell(fp);
        double *row = malloc((n_out + 1) * sizeof *row);
        if (!row)
            st = calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
        while (!st && *next < last && (len = getline(&line, &cap, fp)) > 0) {
            size_t r;
            unsigned char s;
            if (sweepdir_rows_parse(line, (size_t)len, n_out, last, &r, &s, row) || r != *next)
                break; /* the rest is run again */
            memcpy(&y[(r - first) * n_out], row, n_out * sizeof *row);
            status[r - first] = s;
            (*next)++;
            *keep = ftell(fp);
        }
        free(row);
    }
    free(line);
    fclose(fp);
    return st;
}
