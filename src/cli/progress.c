/* progress.c — a progress line on stderr for long commands, terminal only. */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

void cli_progress_init(cli_progress *p, const char *what, int quiet)
{
    p->what = what;
    p->start = now();
    p->last_print = 0;
    p->show = !quiet && isatty(2);
}

void cli_progress_update(void *user, size_t done, size_t total)
{
    cli_progress *p = user;
    double t = now();
    if (!p->show || (done < total && t - p->last_print < 0.25))
        return;
    p->last_print = t;
    double rate = done / (t - p->start + 1e-9);
    double eta = rate > 0 ? (total - done) / rate : 0;
    fprintf(stderr, "\r%s: %zu/%zu runs, %.0f runs/s, ETA %dm%02ds   ", p->what, done, total,
            rate, (int)eta / 60, (int)eta % 60);
    if (done == total)
        fputc('\n', stderr);
    fflush(stderr);
}
