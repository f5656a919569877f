/* bench_instr.c — N runs of a scenario through the library and nothing
 * else, for an instruction count (bench/instructions.sh runs it under
 * valgrind with N and with 0, and divides the difference by N).
 *
 *   calcify-bench-instr SCENARIO N rows|endpoints [METHOD]
 *
 * rows: calcify_sim_run_scenario at the scenario's output step, each row
 * handed to a callback that does nothing (as `calcify run` without its
 * CSV); endpoints: calcify_runner_run through the probe of the scenario's
 * endpoints, made once (as each run of `calcify sweep`).  Each run solves
 * the baseline again.
 *
 * Why instructions: on this machine the same binary's CPU time moved by
 * half within minutes (2026-12-07), more than most changes to measure;
 * instructions are the same from one run to the next. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calcify/endpoints.h"
#include "calcify/runner.h"
#include "calcify/scenario.h"
#include "calcify/simulate.h"

static int ignore_row(void *user, const calcify_arm *arm, double t, size_t phase,
                      const double y[], const double obs[])
{
    (void)user, (void)arm, (void)t, (void)phase, (void)y, (void)obs;
    return 0;
}

int main(int argc, char **argv)
{
    char *end = NULL;
    const long n = argc >= 4 ? strtol(argv[2], &end, 10) : -1;
    const int rows = argc >= 4 && strcmp(argv[3], "rows") == 0;
    if (argc < 4 || argc > 5 || !end || *end || n < 0 ||
        (!rows && strcmp(argv[3], "endpoints") != 0)) {
        fprintf(stderr, "usage: calcify-bench-instr SCENARIO N rows|endpoints [METHOD]\n");
        return 2;
    }
    calcify_error err;
    calcify_scenario sc;
    if (calcify_scenario_load(argv[1], &sc, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    calcify_endpoints ep;
    calcify_probe probe;
    if (calcify_endpoints_resolve(&sc, NULL, NULL, 0, NULL, 0, &ep, &err) ||
        calcify_endpoints_probe(&ep, &sc, NULL, &probe, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    calcify_sim *sim =
        calcify_sim_alloc(&sc.params, argc == 5 ? argv[4] : sc.method, sc.rtol, sc.atol, &err);
    double *v = malloc((probe.n_out ? probe.n_out : 1) * sizeof *v);
    if (!sim || !v) {
        fprintf(stderr, "%s\n", sim ? "out of memory" : err.msg);
        return 1;
    }
    for (long r = 0; r < n; r++) {
        calcify_sim_forget_baseline(sim);
        const int failed =
            rows ? calcify_sim_run_scenario(sim, &sc, NULL, sc.output_step, ignore_row, NULL,
                                            &err) != CALCIFY_OK
                 : calcify_runner_run(sim, &sc, &probe, NULL, -1, v, NULL, NULL, &err) !=
                       CALCIFY_RUN_OK;
        if (failed) {
            fprintf(stderr, "run %ld: %s\n", r, err.msg);
            return 1;
        }
    }
    free(v);
    calcify_sim_free(sim);
    calcify_probe_free(&probe);
    calcify_endpoints_free(&ep);
    calcify_scenario_free(&sc);
    return 0;
}
