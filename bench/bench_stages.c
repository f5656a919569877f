/* bench_stages.c — where `calcify run SCENARIO -o FILE` spends its CPU time
 * outside process start-up: each stage the command goes through, timed on
 * its own (median of repeated runs, CPU time of this process).  Start-up
 * itself is `perf stat calcify --help`.
 *
 *   ninja -C build bench-stages   (or: calcify-bench-stages SCENARIO [OUT.csv])
 *
 * Stages: loading the scenario (libconfig parsing, checks, parameter file),
 * making the simulator, the baseline steady state, the arms with rows
 * dropped (integration alone), the arms again writing the CSV (so the
 * difference is formatting and writing), and committing the file (fclose,
 * rename over the old one).  Each repetition uses a fresh simulator:
 * arms that share phases share integration only within one simulator. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calcify/output.h"
#include "calcify/scenario.h"
#include "calcify/simulate.h"

enum { REPS = 41, NSTAGE = 7 };
static const char *const stage_names[NSTAGE] = {
    "load scenario + parameters", "allocate simulator", "baseline steady state",
    "arms, rows dropped", "arms, CSV rows written", "  of which writing rows",
    "commit (fclose + rename)"};

static double cpu_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e6 + 1e-3 * (double)ts.tv_nsec;
}

static int drop_row(void *user, const calcify_arm *arm, double t, size_t phase,
                    const double y[], const double obs[CALCIFY_NOBS])
{
    (void)user, (void)arm, (void)t, (void)phase, (void)y, (void)obs;
    return 0;
}

static int csv_row(void *user, const calcify_arm *arm, double t, size_t phase,
                   const double y[], const double obs[])
{
    (void)y;
    return calcify_csv_write_row(user, CALCIFY_NUMFMT_SHORTEST, arm->name, t, phase, obs,
                                 calcify_obs_count(arm->obs));
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Run every arm once with a fresh simulator; row NULL drops the rows. */
static int run_arms(const calcify_scenario *sc, calcify_outfile *of, double *t_alloc,
                    double *t_base, double *t_arms, double *t_commit)
{
    calcify_error err;
    double t0 = cpu_us();
    calcify_sim *sim = calcify_sim_alloc(&sc->params, sc->method, sc->rtol, sc->atol, &err);
    double t1 = cpu_us();
    double y0[CALCIFY_NSTATE];
    calcify_sim_set_growth(sim, sc->growth);
    if (!sim || calcify_sim_baseline(sim, sc->baseline, y0, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    double t2 = cpu_us();
    if (of)
        calcify_csv_write_header(of->fp, calcify_obs_names_of(sc->obs),
                                 calcify_obs_count(sc->obs));
    for (size_t k = 0; k < sc->n_arms; k++)
        if (calcify_sim_run_arm(sim, &sc->arms[k], y0, sc->output_step,
                                of ? csv_row : drop_row, of ? (void *)of->fp : NULL, &err)) {
            fprintf(stderr, "%s\n", err.msg);
            return -1;
        }
    double t3 = cpu_us();
    if (of && calcify_outfile_commit(of, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    double t4 = cpu_us();
    calcify_sim_free(sim);
    *t_alloc = t1 - t0, *t_base = t2 - t1, *t_arms = t3 - t2, *t_commit = t4 - t3;
    return 0;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "models/vermeer2007.cfg";
    const char *out = argc > 2 ? argv[2] : "/tmp/calcify-bench-stages.csv";
    static double t[NSTAGE][REPS];
    for (int r = 0; r < REPS; r++) {
        calcify_scenario sc;
        calcify_error err;
        double t0 = cpu_us();
        if (calcify_scenario_load(path, &sc, &err)) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        t[0][r] = cpu_us() - t0;
        double unused, commit;
        if (run_arms(&sc, NULL, &t[1][r], &t[2][r], &t[3][r], &unused))
            return 1;
        calcify_outfile of;
        if (calcify_outfile_open(&of, out, &err) ||
            run_arms(&sc, &of, &unused, &unused, &t[4][r], &commit)) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        t[5][r] = t[4][r] - t[3][r];
        t[6][r] = commit;
        calcify_scenario_free(&sc);
    }
    printf("%s, median of %d, CPU us\n", path, REPS);
    for (int s = 0; s < NSTAGE; s++) {
        qsort(t[s], REPS, sizeof t[s][0], cmp_double);
        printf("  %-28s %8.0f\n", stage_names[s], t[s][REPS / 2]);
    }
    return 0;
}
