/* bench_stages.c — where `calcify run SCENARIO -o FILE` spends its CPU time
 * outside process start-up: each stage the command goes through, timed on
 * its own (median of repeated runs, CPU time of this process).  Start-up
 * itself is `perf stat calcify --help`.
 *
 *   ninja -C build bench-stages   (or: calcify-bench-stages SCENARIO [OUT.csv])
 *   calcify-bench-stages --cold N SCENARIO [OUT.csv]
 *
 * With --cold, each of N fresh processes (this program again, linked as the
 * CLI is) goes through the stages once from its start, as `calcify run`
 * does, prefaulting as it does: caches, branch predictors and pages cold.
 * A stage costs more there than warm (2026-12-06, Vermeer: loading 701 µs
 * against 386, the arms writing the CSV 1,390 against 1,071), and only
 * this shows it.
 *
 * Stages: loading the scenario (libconfig parsing, checks, parameter file),
 * making the simulator, the baseline steady state, the arms with rows
 * dropped (integration alone), the arms again writing the CSV (so the
 * difference is formatting and writing), and committing the file (fclose,
 * rename over the old one).  Each repetition uses a fresh simulator:
 * arms that share phases share integration only within one simulator. */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "calcify/output.h"
#include "calcify/scenario.h"
#include "calcify/simulate.h"
#include "cli/cli.h"

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

/* CPU time and minor page faults at a point of a run. */
typedef struct {
    double us, faults;
} mark;

static mark now(void)
{
    struct rusage ru;
    return (mark){cpu_us(), getrusage(RUSAGE_SELF, &ru) ? 0 : (double)ru.ru_minflt};
}

/* Run every arm once with a fresh simulator; `of` NULL drops the rows,
 * else they go to it, which is committed (or, on failure, removed).
 * m[0..4]: at the start, the simulator allocated, the baseline solved,
 * the arms run, the file committed. */
enum { NMARK = 5 };
static int run_arms(const calcify_scenario *sc, calcify_outfile *of, mark m[NMARK])
{
    calcify_error err;
    double y0[CALCIFY_NSTATE];
    m[0] = now();
    calcify_sim *sim = calcify_sim_alloc(&sc->params, sc->method, sc->rtol, sc->atol, &err);
    m[1] = now();
    int ok = sim != NULL;
    if (ok) {
        calcify_sim_set_growth(sim, sc->growth);
        ok = !calcify_sim_baseline(sim, sc->baseline, y0, &err);
    }
    m[2] = now();
    if (ok && of)
        calcify_csv_write_header(of->fp, calcify_obs_names_of(sc->obs),
                                 calcify_obs_count(sc->obs));
    for (size_t k = 0; ok && k < sc->n_arms; k++)
        ok = !calcify_sim_run_arm(sim, &sc->arms[k], y0, sc->output_step,
                                  of ? csv_row : drop_row, of ? (void *)of->fp : NULL, &err);
    m[3] = now();
    if (ok && of)
        ok = !calcify_outfile_commit(of, &err);
    m[4] = now();
    calcify_sim_free(sim);
    if (!ok) {
        fprintf(stderr, "%s\n", err.msg);
        calcify_outfile_abort(of);
    }
    return ok ? 0 : -1;
}

/* One process's stages from its start (--one, run by --cold): CPU µs and
 * page faults of each, on one line. */
enum { NCOLD = 7 };
static const char *const cold_names[NCOLD] = {
    "start to main (fork, exec, libc)", "prefault (as calcify run)", "load scenario + parameters",
    "output opened, simulator, baseline", "arms, CSV rows written", "commit (fclose + rename)",
    "teardown (free)"};

static int one_cold(const char *path, const char *out)
{
    mark at[NCOLD + 1], m[NMARK];
    at[0] = (mark){0, 0};
    at[1] = now();
    cli_prefault_heap(192 * 1024); /* cmd_run's */
    cli_prefault_stack(24 * 1024);
    cli_prefault_code();
    at[2] = now();
    calcify_scenario sc;
    calcify_error err;
    if (calcify_scenario_load(path, &sc, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    at[3] = now();
    calcify_outfile of;
    if (calcify_outfile_open(&of, out, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    if (run_arms(&sc, &of, m))
        return 1;
    at[4] = m[2], at[5] = m[3], at[6] = m[4];
    calcify_scenario_free(&sc);
    at[7] = now();
    for (int k = 0; k < NCOLD; k++)
        printf("%.1f %.0f ", at[k + 1].us - at[k].us, at[k + 1].faults - at[k].faults);
    printf("\n");
    return 0;
}

/* --cold: n processes of --one, one after another; the median of each
 * stage. */
static int cold(int n, const char *path, const char *out)
{
    static double t[NCOLD][1000], pf[NCOLD][1000];
    if (n < 1 || n > 1000) {
        fprintf(stderr, "calcify-bench-stages: --cold %d: expected 1 to 1000 processes\n", n);
        return 2;
    }
    extern char **environ;
    char *args[] = {"calcify-bench-stages", "--one", (char *)path, (char *)out, NULL};
    for (int r = 0; r < n; r++) {
        int fd[2];
        posix_spawn_file_actions_t fa;
        pid_t pid;
        if (pipe(fd) || posix_spawn_file_actions_init(&fa) ||
            posix_spawn_file_actions_adddup2(&fa, fd[1], STDOUT_FILENO) ||
            posix_spawn_file_actions_addclose(&fa, fd[0]) ||
            posix_spawn(&pid, "/proc/self/exe", &fa, NULL, args, environ)) {
            perror("calcify-bench-stages: starting a process");
            return 1;
        }
        posix_spawn_file_actions_destroy(&fa);
        close(fd[1]);
        FILE *fp = fdopen(fd[0], "r");
        int got = 0, status = 0;
        for (int k = 0; fp && k < NCOLD; k++)
            got += fscanf(fp, "%lf %lf", &t[k][r], &pf[k][r]) == 2;
        if (fp)
            fclose(fp);
        if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) ||
            got != NCOLD) {
            fprintf(stderr, "calcify-bench-stages: process %d failed (expected %d times)\n", r,
                    NCOLD);
            return 1;
        }
    }
    printf("%s, %d fresh processes, medians: CPU us, page faults\n", path, n);
    double sum = 0, sum_pf = 0;
    for (int k = 0; k < NCOLD; k++) {
        qsort(t[k], (size_t)n, sizeof t[k][0], cmp_double);
        qsort(pf[k], (size_t)n, sizeof pf[k][0], cmp_double);
        printf("  %-34s %8.0f %5.0f\n", cold_names[k], t[k][n / 2], pf[k][n / 2]);
        sum += t[k][n / 2];
        sum_pf += pf[k][n / 2];
    }
    printf("  %-34s %8.0f %5.0f\n", "sum of the medians", sum, sum_pf);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "--one"))
        return argc > 3 ? one_cold(argv[2], argv[3]) : 2;
    if (argc > 3 && !strcmp(argv[1], "--cold"))
        return cold(atoi(argv[2]), argv[3],
                    argc > 4 ? argv[4] : "/tmp/calcify-bench-stages.csv");
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
        mark dropped[NMARK], written[NMARK];
        if (run_arms(&sc, NULL, dropped))
            return 1;
        calcify_outfile of;
        if (calcify_outfile_open(&of, out, &err)) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        if (run_arms(&sc, &of, written))
            return 1;
        t[1][r] = dropped[1].us - dropped[0].us;
        t[2][r] = dropped[2].us - dropped[1].us;
        t[3][r] = dropped[3].us - dropped[2].us;
        t[4][r] = written[3].us - written[2].us;
        t[5][r] = t[4][r] - t[3][r];
        t[6][r] = written[4].us - written[3].us;
        calcify_scenario_free(&sc);
    }
    printf("%s, median of %d, CPU us\n", path, REPS);
    for (int s = 0; s < NSTAGE; s++) {
        qsort(t[s], REPS, sizeof t[s][0], cmp_double);
        printf("  %-28s %8.0f\n", stage_names[s], t[s][REPS / 2]);
    }
    return 0;
}
