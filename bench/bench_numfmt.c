/* bench_numfmt.c — CPU ns per number of the result files' formatting
 * (calcify_numfmt: {fmt}'s shortest round-trip form and "%.Ng") against
 * glibc's printf, and µs per CSV row of 27 observables written as `calcify
 * run` writes them against the fprintf-per-number writer it replaced.
 * Values: full-mantissa doubles spread log-uniformly over 1e-6..1e3, like the
 * model's observables.  ninja -C build bench-numfmt. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calcify/numfmt.h"
#include "calcify/model.h"
#include "calcify/output.h"

enum { N = 100000, REPS = 10 };
static double v[N];

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static volatile size_t sink; /* keeps the loops from being optimised away */

static void per_number(const char *name, int precision, const char *printf_fmt)
{
    char buf[64];
    size_t total = 0;
    double t0 = cpu_seconds();
    for (int r = 0; r < REPS; r++)
        for (int i = 0; i < N; i++)
            total += printf_fmt ? (size_t)snprintf(buf, sizeof buf, printf_fmt, v[i])
                                : calcify_numfmt(buf, v[i], precision);
    double ns = (cpu_seconds() - t0) / ((double)REPS * N) * 1e9;
    sink += total;
    printf("%-34s %6.1f ns/number  %5.1f chars\n", name, ns, (double)total / (REPS * N));
}

/* the writer calcify_csv_write_row replaced: one fprintf per number */
static void old_row(FILE *fp, int precision, const char *arm, double t, size_t phase,
                    const double *obs)
{
    fputs(arm, fp);
    fprintf(fp, ",%.*g,%zu", precision, t, phase + 1);
    for (int i = 0; i < CALCIFY_NOBS; i++)
        fprintf(fp, ",%.*g", precision, obs[i]);
    fputc('\n', fp);
}

static void per_row(const char *name, int old, int precision)
{
    FILE *fp = fopen("/dev/null", "w");
    if (!fp)
        return;
    enum { ROWS = N / CALCIFY_NOBS };
    double t0 = cpu_seconds();
    for (int r = 0; r < REPS; r++)
        for (int i = 0; i < ROWS; i++) {
            const double *obs = &v[i * CALCIFY_NOBS];
            if (old)
                old_row(fp, precision, "wk_continued", i, 1, obs);
            else
                calcify_csv_write_row(fp, precision, "wk_continued", i, 1, obs, CALCIFY_NOBS);
        }
    double us = (cpu_seconds() - t0) / ((double)REPS * ROWS) * 1e6;
    fclose(fp);
    printf("%-34s %6.2f us/row   %5.0f us per 425 rows\n", name, us, us * 425);
}

int main(void)
{
    uint64_t s = 0x9E3779B97F4A7C15ULL;
    for (int i = 0; i < N; i++) {
        s ^= s >> 12, s ^= s << 25, s ^= s >> 27;
        double u = (double)((s * 0x2545F4914F6CDD1DULL) >> 11) / 9007199254740992.0;
        v[i] = exp(log(1e-6) + u * log(1e9));
    }
    per_number("calcify_numfmt shortest (default)", CALCIFY_NUMFMT_SHORTEST, NULL);
    per_number("calcify_numfmt 6 digits", 6, NULL);
    per_number("calcify_numfmt 17 digits", 17, NULL);
    per_number("snprintf %.6g", 0, "%.6g");
    per_number("snprintf %.17g", 0, "%.17g");
    per_row("row: calcify_csv_write_row shortest", 0, CALCIFY_NUMFMT_SHORTEST);
    per_row("row: calcify_csv_write_row 6", 0, 6);
    per_row("row: fprintf per number %.6g (old)", 1, 6);
    per_row("row: fprintf per number %.17g", 1, 17);
    return 0;
}
