/* output.c — all-or-nothing output files and the CSV time series. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "calcify/output.h"

calcify_status calcify_mkdirs(const char *dir, calcify_error *err)
{
    char buf[4096];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof buf)
        return calcify_fail(err, CALCIFY_EIO, "%s: cannot create: path too long", dir);
    memcpy(buf, dir, n + 1);
    /* each prefix ending at a '/', then the whole path */
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        char c = buf[i];
        buf[i] = '\0';
        struct stat st;
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return calcify_fail(err, CALCIFY_EIO, "%s: cannot create: %s", buf,
                                strerror(errno));
        if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode))
            return calcify_fail(err, CALCIFY_EIO, "%s: cannot create: not a directory",
                                buf);
        buf[i] = c;
    }
    return CALCIFY_OK;
}

calcify_status calcify_outfile_open(calcify_outfile *of, const char *path,
                                    calcify_error *err)
{
    memset(of, 0, sizeof *of);
    if (!path || strcmp(path, "-") == 0) {
        of->fp = stdout;
        return CALCIFY_OK;
    }
    size_t n = strlen(path) + sizeof ".tmp.XXXXXX";
    of->path = strdup(path);
    of->tmp_path = malloc(n);
    if (!of->path || !of->tmp_path) {
        calcify_outfile_abort(of);
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    }
    snprintf(of->tmp_path, n, "%s.tmp.XXXXXX", path);
    /* -o out/new/run.csv: make out/new first, as mkdir -p would */
    const char *slash = strrchr(path, '/');
    if (slash && slash != path) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
        calcify_status st = calcify_mkdirs(dir, err);
        if (st) {
            calcify_outfile_abort(of);
            return st;
        }
    }
    int fd = mkstemp(of->tmp_path);
    if (fd < 0) {
        int e = errno;
        free(of->tmp_path);
        of->tmp_path = NULL;
        calcify_outfile_abort(of);
        return calcify_fail(err, CALCIFY_EIO, "%s: cannot create: %s", path,
                            strerror(e));
    }
    /* mkstemp makes the file 0600; results should be as readable as any
     * file the user creates */
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0) {
        int e = errno;
        close(fd);
        calcify_outfile_abort(of);
        return calcify_fail(err, CALCIFY_EIO, "%s: cannot set permissions: %s", path,
                            strerror(e));
    }
    of->fp = fdopen(fd, "w");
    if (!of->fp) {
        int e = errno;
        close(fd);
        calcify_outfile_abort(of);
        return calcify_fail(err, CALCIFY_EIO, "%s: cannot open: %s", path,
                            strerror(e));
    }
    return CALCIFY_OK;
}

calcify_status calcify_outfile_commit(calcify_outfile *of, calcify_error *err)
{
    if (!of->fp)
        return CALCIFY_OK;
    const char *name = of->path ? of->path : "standard output";
    int bad = fflush(of->fp) != 0 || ferror(of->fp);
    int e = errno;
    if (of->fp == stdout) {
        of->fp = NULL;
        if (bad)
            return calcify_fail(err, CALCIFY_EIO, "%s: write failed: %s", name,
                                strerror(e));
        return CALCIFY_OK;
    }
    if (fclose(of->fp) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    of->fp = NULL;
    if (!bad && rename(of->tmp_path, of->path) != 0) {
        bad = 1;
        e = errno;
    }
    if (bad) {
        calcify_outfile_abort(of);
        return calcify_fail(err, CALCIFY_EIO, "%s: write failed: %s", name,
                            strerror(e));
    }
    free(of->tmp_path);
    free(of->path);
    of->tmp_path = of->path = NULL;
    return CALCIFY_OK;
}

void calcify_outfile_abort(calcify_outfile *of)
{
    if (!of)
        return;
    if (of->fp && of->fp != stdout)
        fclose(of->fp);
    of->fp = NULL;
    if (of->tmp_path)
        unlink(of->tmp_path);
    free(of->tmp_path);
    free(of->path);
    of->tmp_path = of->path = NULL;
}

int calcify_csv_write_header(FILE *fp)
{
    fputs("arm,time_d,phase", fp);
    for (int i = 0; i < CALCIFY_NOBS; i++)
        fprintf(fp, ",%s", calcify_obs_names[i]);
    return fputc('\n', fp) == EOF ? -1 : 0;
}

int calcify_csv_write_row(FILE *fp, int precision, const char *arm, double t,
                          size_t phase, const double obs[CALCIFY_NOBS])
{
    fputs(arm, fp); /* arm names need no quoting (scenario.c checks them) */
    fprintf(fp, ",%.*g,%zu", precision, t, phase + 1);
    for (int i = 0; i < CALCIFY_NOBS; i++)
        fprintf(fp, ",%.*g", precision, obs[i]);
    return fputc('\n', fp) == EOF ? -1 : 0;
}

void calcify_csv_write_number(FILE *fp, int precision, double v)
{
    if (isfinite(v))
        fprintf(fp, ",%.*g", precision, v);
    else
        fputc(',', fp);
}
