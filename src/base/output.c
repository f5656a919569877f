/* output.c — all-or-nothing output files and the CSV time series. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "calcify/numfmt.h"
#include "calcify/output.h"

/* Folder part of path ("." when there is none); malloc'd. */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

calcify_status calcify_dir_make(const char *path, char **made, calcify_error *err)
{
    *made = NULL;
    struct stat st;
    if (!path[0])
        return calcify_fail(err, CALCIFY_EUSAGE, "empty folder name (expected a "
                            "folder such as out/sweep)");
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return CALCIFY_OK;
        return calcify_fail(err, CALCIFY_EIO, "%s: exists and is not a folder "
                            "(expected a folder or a new name)", path);
    }
    char *buf = strdup(path);
    if (!buf)
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    /* create each missing component from the top down */
    calcify_status rc = CALCIFY_OK;
    for (char *p = buf + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char c = *p;
        *p = '\0';
        if (mkdir(buf, 0777) == 0) {
            if (!*made && !(*made = strdup(buf)))
                rc = calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
        } else if (errno != EEXIST || stat(buf, &st) != 0 || !S_ISDIR(st.st_mode)) {
            int e = errno == EEXIST ? ENOTDIR : errno;
            rc = calcify_fail(err, CALCIFY_EIO,
                              "%s: cannot create folder %s: %s", path, buf, strerror(e));
        }
        *p = c;
        if (rc || c == '\0')
            break;
    }
    free(buf);
    if (rc) {
        calcify_dir_unmake(path, *made);
        free(*made);
        *made = NULL;
    }
    return rc;
}

void calcify_dir_unmake(const char *path, const char *made)
{
    if (!made)
        return;
    char *buf = strdup(path);
    size_t top = strlen(made);
    while (buf && strlen(buf) >= top) {
        if (rmdir(buf) != 0 && errno != ENOENT)
            break;
        char *slash = strrchr(buf, '/');
        if (!slash)
            break;
        *slash = '\0';
    }
    free(buf);
}

/* path with every symbolic link along the last component followed (at most
 * 40, as the kernel allows); a dangling link gives the name it points to,
 * so the file is created there.  malloc'd; NULL with errno set. */
static char *follow_links(const char *path)
{
    char *cur = strdup(path);
    for (int hops = 0; cur; hops++) {
        struct stat st;
        if (lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode))
            return cur;
        if (hops == 40) {
            free(cur);
            errno = ELOOP;
            return NULL;
        }
        char link[PATH_MAX];
        ssize_t n = readlink(cur, link, sizeof link - 1);
        if (n < 0) {
            free(cur);
            return NULL;
        }
        link[n] = '\0';
        char *next;
        if (link[0] == '/') {
            next = strdup(link);
        } else {
            char *dir = dir_of(cur);
            size_t len = dir ? strlen(dir) + strlen(link) + 2 : 0;
            next = dir ? malloc(len) : NULL;
            if (next)
                snprintf(next, len, "%s/%s", dir, link);
            free(dir);
        }
        free(cur);
        cur = next;
    }
    errno = ENOMEM;
    return NULL;
}

/* stdio's default buffer is the file system's block size, 4 KiB: a time
 * series of 140 KiB took 36 write calls.  16 KiB, not more: writing 255 KB
 * took 186 us in 4 KiB calls, 71 us in 16 KiB and 37 us in 64 KiB, but each
 * fresh page of buffer costs a page fault on first touch (~12 us on a VM),
 * 16 of them for 64 KiB. */
#define OUTFILE_BUFSIZE (16 * 1024)

/* Give a freshly opened stream a larger buffer (none if out of memory: the
 * default one still works). */
static void outfile_buffer(calcify_outfile *of)
{
    if ((of->buf = malloc(OUTFILE_BUFSIZE)) &&
        setvbuf(of->fp, of->buf, _IOFBF, OUTFILE_BUFSIZE) != 0) {
        free(of->buf);
        of->buf = NULL;
    }
}

/* mkstemp for a name ending in XXXXXX, but the file made with mode 0666
 * less the umask, as readable as any file the user creates: mkstemp's 0600
 * took umask(0), umask(mask) and fchmod to widen.  -1 with errno set. */
static int make_temporary(char *name)
{
    static const char set[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    char *x = name + strlen(name) - 6;
    /* seeded by getrandom, one system call, not the clock: the vDSO's first
     * clock_gettime in a process faulted in two pages (~15 us on a VM) */
    static unsigned long long counter;
    unsigned long long v = 0;
    if (getrandom(&v, sizeof v, GRND_NONBLOCK) != (ssize_t)sizeof v)
        v = 0;
    v ^= (uintptr_t)name;
    for (int attempt = 0; attempt < 1000; attempt++) {
        v = v * 6364136223846793005ULL + 1442695040888963407ULL + ++counter;
        unsigned long long r = v >> 16;
        for (int i = 0; i < 6; i++, r /= 62)
            x[i] = set[r % 62];
        int fd = open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0 || errno != EEXIST)
            return fd;
    }
    errno = EEXIST;
    return -1;
}

/* The temporary files open now, for calcify_outfile_remove_temporaries in
 * a signal handler: a slot is set once its name is complete and cleared
 * before the name is freed.  Files are opened and committed by one thread. */
#define MAX_LIVE_TMP 16
static const char *volatile live_tmp[MAX_LIVE_TMP];

static void live_add(const char *tmp)
{
    for (int i = 0; i < MAX_LIVE_TMP; i++)
        if (!live_tmp[i]) {
            live_tmp[i] = tmp;
            return;
        }
}

static void live_remove(const char *tmp)
{
    for (int i = 0; tmp && i < MAX_LIVE_TMP; i++)
        if (live_tmp[i] == tmp)
            live_tmp[i] = NULL;
}

void calcify_outfile_remove_temporaries(void)
{
    for (int i = 0; i < MAX_LIVE_TMP; i++) {
        const char *t = live_tmp[i];
        if (t)
            unlink(t);
    }
}

calcify_status calcify_outfile_open(calcify_outfile *of, const char *path,
                                    calcify_error *err)
{
    memset(of, 0, sizeof *of);
    if (!path || strcmp(path, "-") == 0) {
        of->fp = stdout;
        return CALCIFY_OK;
    }
    if (!(of->path = strdup(path)))
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    /* one lstat answers every question below unless path is a link */
    struct stat st;
    int exists = lstat(path, &st) == 0;
    const int link = exists && S_ISLNK(st.st_mode);
    if (link)
        exists = stat(path, &st) == 0;
    if (exists && S_ISDIR(st.st_mode)) {
        calcify_outfile_abort(of);
        return calcify_fail(err, CALCIFY_EUSAGE, "%s: is a folder (expected a file "
                            "name)", path);
    }
    if (exists && !S_ISREG(st.st_mode)) {
        /* a device, FIFO or socket cannot be replaced by renaming a file over
         * it (that would swap /dev/null for a regular file): write in place;
         * the kernel follows links such as /dev/stdout -> /proc/self/fd/1 */
        if (!(of->fp = fopen(path, "w"))) {
            int e = errno;
            calcify_outfile_abort(of);
            return calcify_fail(err, CALCIFY_EIO, "%s: cannot open: %s", path,
                                strerror(e));
        }
        outfile_buffer(of);
        return CALCIFY_OK;
    }
    /* a regular file (or none yet): replace the file a link points to, not
     * the link */
    if (!(of->target = link ? follow_links(path) : strdup(path))) {
        int e = errno;
        calcify_outfile_abort(of);
        return calcify_fail(err, CALCIFY_EIO, "%s: cannot follow the link: %s", path,
                            strerror(e));
    }
    char *dir = dir_of(of->target);
    calcify_status st_dir = dir ? calcify_dir_make(dir, &of->made_dir, err)
                                : calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    free(dir);
    if (st_dir) {
        calcify_outfile_abort(of);
        return st_dir;
    }
    size_t n = strlen(of->target) + sizeof ".tmp.XXXXXX";
    if (!(of->tmp_path = malloc(n))) {
        calcify_outfile_abort(of);
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    }
    snprintf(of->tmp_path, n, "%s.tmp.XXXXXX", of->target);
    /* a signal between mkstemp and live_add would leave a temporary file
     * its handler does not know: the two happen with signals held */
    sigset_t hold, old;
    sigemptyset(&hold);
    sigaddset(&hold, SIGINT);
    sigaddset(&hold, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &hold, &old);
    int fd = make_temporary(of->tmp_path);
    const int mk_errno = errno;
    if (fd >= 0)
        live_add(of->tmp_path);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (fd < 0) {
        int e = mk_errno;
        free(of->tmp_path);
        of->tmp_path = NULL; /* nothing to remove */
        calcify_outfile_abort(of);
        return calcify_fail(err, CALCIFY_EIO, "%s: cannot create: %s", path,
                            strerror(e));
    }
    if (!(of->fp = fdopen(fd, "w"))) {
        int e = errno;
        close(fd);
        calcify_outfile_abort(of);
        return calcify_fail(err, CALCIFY_EIO, "%s: cannot create: %s", path,
                            strerror(e));
    }
    outfile_buffer(of);
    return CALCIFY_OK;
}

calcify_status calcify_outfile_commit(calcify_outfile *of, calcify_error *err)
{
    if (!of->fp)
        return CALCIFY_OK;
    int bad = fflush(of->fp) != 0 || ferror(of->fp);
    int e = errno;
    if (of->fp == stdout) {
        of->fp = NULL;
        if (bad)
            return calcify_fail(err, CALCIFY_EIO, "standard output: write failed: %s",
                                strerror(e));
        return CALCIFY_OK;
    }
    if (fclose(of->fp) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    of->fp = NULL;
    if (!bad && of->tmp_path && rename(of->tmp_path, of->target) != 0) {
        bad = 1;
        e = errno;
    }
    calcify_status rc = CALCIFY_OK;
    if (bad) /* the message is made before abort frees the name */
        rc = calcify_fail(err, CALCIFY_EIO, "%s: write failed: %s", of->path,
                          strerror(e));
    else {
        free(of->made_dir); /* the folders now hold the result: keep them */
        of->made_dir = NULL;
        live_remove(of->tmp_path);
        free(of->tmp_path);
        of->tmp_path = NULL;
    }
    calcify_outfile_abort(of);
    return rc;
}

void calcify_outfile_abort(calcify_outfile *of)
{
    if (!of)
        return;
    if (of->fp && of->fp != stdout)
        fclose(of->fp);
    of->fp = NULL;
    free(of->buf); /* only after fclose, which flushes from it */
    of->buf = NULL;
    if (of->tmp_path)
        unlink(of->tmp_path);
    live_remove(of->tmp_path);
    if (of->made_dir && of->target) {
        char *dir = dir_of(of->target);
        if (dir)
            calcify_dir_unmake(dir, of->made_dir);
        free(dir);
    }
    free(of->tmp_path);
    free(of->path);
    free(of->target);
    free(of->made_dir);
    of->tmp_path = of->path = of->target = of->made_dir = NULL;
}

int calcify_csv_write_header(FILE *fp, const char *const *names, size_t n_obs)
{
    fputs("arm,time_d,phase", fp);
    for (size_t i = 0; i < n_obs; i++)
        fprintf(fp, ",%s", names[i]);
    return fputc('\n', fp) == EOF ? -1 : 0;
}

/* Room for one number field: the comma and the number with its NUL. */
#define FIELD_CAP (1 + CALCIFY_NUMFMT_CAP)

/* calcify_csv_write_number into memory: writes at most
 * 1 + CALCIFY_NUMFMT_CAP bytes at p (a NUL after the field when it holds a
 * number, none after a bare ",") and returns the end of the field. */
static char *csv_put_number(char *p, int precision, double v)
{
    *p++ = ',';
    if (isfinite(v))
        p += calcify_numfmt(p, v, precision);
    return p;
}

/* The text of the last number of each of the first columns of a time
 * series, per thread: half the numbers of a run equal the one above them
 * (diets, a steady control arm, body weight), and copying their text is
 * cheaper than formatting them again.  len 0: nothing kept. */
#define MEMO_COLS 64
typedef struct {
    uint64_t bits;
    char text[23];
    unsigned char len;
} memo_cell;
static _Thread_local struct {
    int precision;
    memo_cell col[MEMO_COLS];
} memo;

/* csv_put_number for column i of a time series, through the memo. */
static char *csv_put_column(char *p, int precision, size_t i, double v)
{
    if (i >= MEMO_COLS || !isfinite(v))
        return csv_put_number(p, precision, v);
    memo_cell *m = &memo.col[i];
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    *p++ = ',';
    if (m->len && m->bits == bits) {
        memcpy(p, m->text, sizeof m->text); /* the buffer has room for it */
        return p + m->len;
    }
    size_t n = calcify_numfmt(p, v, precision);
    if (n <= sizeof m->text) {
        m->bits = bits;
        m->len = (unsigned char)n;
        memcpy(m->text, p, n);
    } else {
        m->len = 0;
    }
    return p + n;
}

/* "," and n (at most 20 digits) at p; the end of the field. */
static char *csv_put_count(char *p, size_t n)
{
    char d[20];
    int k = 0;
    do
        d[k++] = (char)('0' + n % 10);
    while ((n /= 10) > 0);
    *p++ = ',';
    while (k > 0)
        *p++ = d[--k];
    return p;
}

int calcify_csv_write_row(FILE *fp, int precision, const char *arm, double t,
                          size_t phase, const double obs[], size_t n_obs)
{
    /* the whole row is made in one buffer and written with one call: a
     * printf per number cost more than the formatting itself; an arm name
     * up to 255 bytes goes in it too */
    char row[256 + (CALCIFY_CSV_MAX_OBS + 2) * FIELD_CAP + 2];
    if (n_obs > CALCIFY_CSV_MAX_OBS)
        return -1;
    if (memo.precision != precision) {
        memset(&memo, 0, sizeof memo);
        memo.precision = precision;
    }
    const size_t name_len = strlen(arm);
    char *p = row;
    if (name_len < 256) { /* arm names need no quoting (scenario.c checks them) */
        memcpy(p, arm, name_len);
        p += name_len;
    } else if (fputs(arm, fp) == EOF) {
        return -1;
    }
    p = csv_put_number(p, precision, t);
    p = csv_put_count(p, phase + 1);
    for (size_t i = 0; i < n_obs; i++)
        p = csv_put_column(p, precision, i, obs[i]);
    *p++ = '\n';
    return fwrite(row, 1, (size_t)(p - row), fp) == (size_t)(p - row) ? 0 : -1;
}

void calcify_csv_write_number(FILE *fp, int precision, double v)
{
    char field[FIELD_CAP];
    fwrite(field, 1, (size_t)(csv_put_number(field, precision, v) - field), fp);
}

void calcify_csv_write_numbers(FILE *fp, int precision, const double *v, size_t n)
{
    char buf[64 * FIELD_CAP];
    while (n > 0) {
        size_t k = n < 64 ? n : 64;
        char *p = buf;
        for (size_t i = 0; i < k; i++)
            p = csv_put_number(p, precision, v[i]);
        fwrite(buf, 1, (size_t)(p - buf), fp);
        v += k;
        n -= k;
    }
}
