/* infile.c — bounded, whole-file reading of inputs. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/infile.h"

calcify_status calcify_infile_check(const char *path, const char *text,
                                    size_t len, int first_line,
                                    calcify_error *err)
{
    const char *p = text, *end = text + len;
    int line = first_line;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl ? nl : end;
        const char *nul = memchr(p, '\0', (size_t)(stop - p));
        if (nul)
            return calcify_fail(err, CALCIFY_EINPUT, "%s:%d: NUL byte in column %zu "
                                "(expected text)", path, line, (size_t)(nul - p) + 1);
        if ((size_t)(stop - p) > CALCIFY_MAX_LINE_BYTES)
            return calcify_fail(err, CALCIFY_EINPUT, "%s:%d: line is %zu bytes long "
                                "(expected at most %u; see docs/SCENARIOS.md, Limits)",
                                path, line, (size_t)(stop - p), CALCIFY_MAX_LINE_BYTES);
        if (!nl)
            break;
        p = nl + 1;
        line++;
    }
    return CALCIFY_OK;
}

calcify_status calcify_infile_read(calcify_infile *f, const char *path,
                                   const char *what, calcify_error *err)
{
    memset(f, 0, sizeof *f);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return calcify_fail(err, CALCIFY_EINPUT, "%s: cannot open: %s (expected %s)",
                            path, strerror(errno), what);
    struct stat st;
    if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
        int e = errno;
        int dir = S_ISDIR(st.st_mode);
        close(fd);
        if (dir)
            return calcify_fail(err, CALCIFY_EINPUT, "%s: is a directory (expected %s)",
                                path, what);
        return calcify_fail(err, CALCIFY_EINPUT, "%s: cannot read: %s", path, strerror(e));
    }
    /* a regular file too big is refused before reading it; pipes and devices
     * are read up to the limit and refused when more follows */
    if (S_ISREG(st.st_mode) && (unsigned long long)st.st_size > CALCIFY_MAX_FILE_BYTES) {
        close(fd);
        return calcify_fail(err, CALCIFY_EINPUT, "%s: %lld bytes (expected at most %u, "
                            "the limit for input files; see docs/SCENARIOS.md, Limits)",
                            path, (long long)st.st_size, CALCIFY_MAX_FILE_BYTES);
    }
    size_t cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 65536, len = 0;
    char *buf = malloc(cap + 1);
    calcify_status rc = buf ? CALCIFY_OK : calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    while (!rc) {
        if (len == cap) {
            size_t ncap = cap * 2 > CALCIFY_MAX_FILE_BYTES + 1 ? CALCIFY_MAX_FILE_BYTES + 1
                                                               : cap * 2;
            char *grown = ncap > cap ? realloc(buf, ncap + 1) : NULL;
            if (!grown) {
                rc = ncap > cap ? calcify_fail(err, CALCIFY_ENOMEM, "out of memory")
                                : calcify_fail(err, CALCIFY_EINPUT, "%s: more than %u "
                                               "bytes (the limit for input files; see "
                                               "docs/SCENARIOS.md, Limits)", path,
                                               CALCIFY_MAX_FILE_BYTES);
                break;
            }
            buf = grown;
            cap = ncap;
        }
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = calcify_fail(err, CALCIFY_EINPUT, "%s: cannot read: %s", path,
                              strerror(errno));
            break;
        }
        if (n == 0)
            break;
        len += (size_t)n;
        if (len > CALCIFY_MAX_FILE_BYTES)
            rc = calcify_fail(err, CALCIFY_EINPUT, "%s: more than %u bytes (the limit "
                              "for input files; see docs/SCENARIOS.md, Limits)", path,
                              CALCIFY_MAX_FILE_BYTES);
        /* a regular file read to the size fstat gave: no read more to be
         * told it ends there (a file growing meanwhile may give either) */
        else if (S_ISREG(st.st_mode) && len == (size_t)st.st_size)
            break;
    }
    close(fd);
    if (rc) {
        free(buf);
        return rc;
    }
    /* the UTF-8 byte order mark spreadsheet programs put first */
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
        memmove(buf, buf + 3, len - 3);
        len -= 3;
    }
    buf[len] = '\0';
    if ((rc = calcify_infile_check(path, buf, len, 1, err))) {
        free(buf);
        return rc;
    }
    f->data = buf;
    f->len = len;
    return CALCIFY_OK;
}

void calcify_infile_free(calcify_infile *f)
{
    if (!f)
        return;
    free(f->data);
    f->data = NULL;
    f->len = 0;
}
