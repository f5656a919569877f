/* bench_gsa.c — what the sensitivity machinery costs on this machine: the
 * scrambled Sobol sequence (points per second at 100 dimensions), Sobol
 * indices with a bootstrap (N = 8192, d = 10, 500 resamples, per output),
 * and the batch runner on the Vermeer scenario at 1 and 2 threads.  Run by
 * hand:
 *     meson test -C build --benchmark          (or build/bench/calcify-bench-gsa)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <gsl/gsl_errno.h>

#include "calcify/batch.h"
#include "calcify/gsa.h"
#include "calcify/sobolseq.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    const char *path = argc > 1 ? argv[1] : "models/vermeer2007.cfg";
    calcify_error err;
    enum { D = 100, NPTS = 1 << 16 };
    calcify_sobolseq *q = calcify_sobolseq_alloc(D, 1, 1, &err);
    double *u = malloc(D * sizeof *u), sink = 0, t0 = now();
    for (uint64_t i = 0; i < NPTS; i++) {
        calcify_sobolseq_point(q, i, u);
        sink += u[i % D];
    }
    printf("sobol sequence: %.2f M points/s at %d dimensions (checksum %.3f)\n",
           NPTS / (now() - t0) / 1e6, D, sink);
    calcify_sobolseq_free(q);
    free(u);

    enum { N = 8192, DD = 10 };
    size_t runs = calcify_saltelli_runs(N, DD);
    double *x = malloc(runs * DD * sizeof *x), *y = malloc(runs * sizeof *y);
    calcify_saltelli_unit(DD, N, 1, x, &err);
    for (size_t r = 0; r < runs; r++) {
        y[r] = 0;
        for (int j = 0; j < DD; j++)
            y[r] += (j + 1) * x[r * DD + j] * x[r * DD + j];
    }
    calcify_sobol_index idx[DD];
    calcify_boot_opts bo = {500, 0.95, 1};
    t0 = now();
    calcify_sobol_indices(y, 1, N, DD, &bo, idx, NULL, &err);
    printf("sobol indices: %.0f ms per output (N = %d, d = %d, 500 resamples)\n",
           1e3 * (now() - t0), N, DD);
    free(x);
    free(y);

    calcify_scenario sc;
    if (calcify_scenario_load(path, &sc, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    calcify_probe probe;
    if (calcify_probe_init(&probe, &sc, NULL, NULL, 0, NULL, 0, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    enum { RUNS = 200 };
    int param = calcify_param_find("ca_dep_max");
    double *values = malloc(RUNS * sizeof *values), *out = malloc(RUNS * probe.n_out * sizeof *out);
    unsigned char *status = malloc(RUNS);
    for (int r = 0; r < RUNS; r++)
        values[r] = sc.params.value[param] * (0.5 + (double)r / RUNS);
    for (int threads = 1; threads <= 2; threads++) {
        calcify_batch_opts o = {.sc = &sc, .probe = &probe, .params = &param, .n_params = 1,
                                .values = values, .first = 0, .last = RUNS, .threads = threads};
        t0 = now();
        calcify_batch_run(&o, out, status, &err);
        printf("batch, five arms at phase ends: %.0f runs/s on %d thread%s\n",
               RUNS / (now() - t0), threads, threads > 1 ? "s" : "");
    }
    free(values);
    free(out);
    free(status);
    calcify_probe_free(&probe);
    calcify_scenario_free(&sc);
    return 0;
}
