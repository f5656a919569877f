/* cmd_validate.c — `calcify validate`: simulated vs observed, per target. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "calcify/population.h"
#include "calcify/simulate.h"
#include "calcify/targets.h"
#include "cli.h"

static const char usage[] =
    "usage: calcify validate SCENARIO --data FILE [--population DIR]\n"
    "                        [--set NAME=VALUE]...\n"
    "\n"
    "Simulate SCENARIO and compare it with every row of the targets FILE\n"
    "(e.g. models/data/schurgers2007.csv), once per scenario arm the row's\n"
    "label maps to (data_labels in the scenario).  One line per comparison:\n"
    "data row (FILE:row with several files), label, arm, week, observable,\n"
    "simulated, target, accepted range, ok or FAIL.  Exit status 1 if any\n"
    "comparison FAILs.  A label may also be an arm's own name.\n"
    "\n"
    "  --data FILE        targets CSV (required; repeatable, rows of all files\n"
    "                     are compared; format: docs/SCENARIOS.md)\n"
    "  --population DIR   instead of simulating, compare the arm means of a\n"
    "                     virtual population (DIR/stats.csv of calcify\n"
    "                     population) with the targets, with the population's\n"
    "                     SD and n beside them, and the data's SD where the\n"
    "                     targets give one; a ratio target compares the ratio\n"
    "                     of the arms' means\n"
    CLI_MODEL_HELP
    "  -h, --help         this text\n";

static void range_text(const calcify_target *t, char *buf, size_t cap)
{
    if (isinf(t->lo) && isinf(t->hi))
        snprintf(buf, cap, "any");
    else if (isinf(t->lo))
        snprintf(buf, cap, "<= %g", t->hi);
    else if (isinf(t->hi))
        snprintf(buf, cap, ">= %g", t->lo);
    else
        snprintf(buf, cap, "%g..%g", t->lo, t->hi);
}

/* Population arm means against the targets; returns the exit code. */
static int validate_population(const calcify_scenario *sc, const calcify_targets *tg,
                               const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/stats.csv", dir);
    calcify_popstat *rows;
    size_t n;
    calcify_error err;
    calcify_status st = calcify_popstats_load(path, &rows, &n, &err);
    if (st)
        return cli_error(st, err.msg);
    int failures = 0, missing = 0;
    printf("%-4s %-15s %-13s %5s %-30s %10s %8s %3s %8s %8s %-12s %s\n", "row", "label", "arm",
           "week", "observable", "pop_mean", "pop_sd", "n", "data_sd", "target", "accept",
           "status");
    for (size_t i = 0; i < tg->n; i++) {
        const calcify_target *t = &tg->items[i];
        const calcify_popstat *a = calcify_popstats_find(rows, n, sc->arms[t->arm].name,
                                                         t->time_d, t->obs);
        const calcify_popstat *b = t->is_ratio
            ? calcify_popstats_find(rows, n, sc->arms[t->arm_den].name, t->time_d, t->obs)
            : NULL;
        char arm[128], range[64], target[32], data_sd[32];
        snprintf(data_sd, sizeof data_sd, isfinite(t->sd) ? "%.3g" : "-", t->sd);
        if (t->is_ratio)
            snprintf(arm, sizeof arm, "%s/%s", sc->arms[t->arm].name, sc->arms[t->arm_den].name);
        else
            snprintf(arm, sizeof arm, "%s", sc->arms[t->arm].name);
        range_text(t, range, sizeof range);
        snprintf(target, sizeof target, isnan(t->target) ? "-" : "%g", t->target);
        if (!a || (t->is_ratio && !b)) {
            missing++;
            printf("%-4d %-15s %-13s %5g %-30s %10s %8s %3s %8s %8s %-12s %s\n", t->row,
                   t->label, arm, t->week, t->observable, "-", "-", "-", data_sd, target, range,
                   "not in population");
            continue;
        }
        double mean = t->is_ratio ? a->mean / b->mean : a->mean;
        int ok = calcify_target_ok(t, mean);
        failures += !ok;
        char sd[32];
        snprintf(sd, sizeof sd, t->is_ratio || !isfinite(a->sd) ? "-" : "%.3g", a->sd);
        printf("%-4d %-15s %-13s %5g %-30s %10.4g %8s %3zu %8s %8s %-12s %s\n", t->row,
               t->label, arm, t->week, t->observable, mean, sd, a->n, data_sd, target, range,
               ok ? "ok" : "FAIL");
    }
    printf("%zu comparisons of population means: %zu ok, %d FAIL, %d not in the population\n",
           tg->n, tg->n - (size_t)failures - (size_t)missing, failures, missing);
    free(rows);
    return failures || missing ? 1 : 0;
}

int cmd_validate(int argc, char **argv)
{
    enum { OPT_DATA = OPT_FIRST_FREE, OPT_POPULATION };
    static const struct option longopts[] = {
        {"data", required_argument, NULL, OPT_DATA},
        {"population", required_argument, NULL, OPT_POPULATION},
        {"help", no_argument, NULL, 'h'},
        CLI_MODEL_LONGOPTS,
        {NULL, 0, NULL, 0}};
    cli_model_opts mo = {0};
    const char *data[16], *population = NULL;
    int n_data = 0;
    int c;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "h", longopts, &mo)) != -1) {
        if (c == -2)
            return 2;
        if (c == 'h') {
            fputs(usage, stdout);
            return 0;
        }
        if (c == OPT_DATA) {
            if (n_data == 16) {
                fputs("calcify: at most 16 --data files\n", stderr);
                return 2;
            }
            data[n_data++] = optarg;
            continue;
        }
        if (c == OPT_POPULATION) {
            population = optarg;
            continue;
        }
        fputs(usage, stderr);
        return 2;
    }
    if (argc - optind != 1 || !n_data) {
        fprintf(stderr, "calcify validate: expected one SCENARIO and --data FILE\n%s",
                usage);
        return 2;
    }
    calcify_scenario sc;
    int rc = cli_load_scenario(argv[optind], &mo, &sc);
    if (rc)
        return rc;
    calcify_error err;
    calcify_targets tg;
    calcify_status st = calcify_targets_load(data[0], &sc, &tg, &err);
    for (int i = 1; !st && i < n_data; i++)
        st = calcify_targets_append(data[i], &sc, &tg, &err);
    if (population) {
        int rc2 = st ? cli_error(st, err.msg) : validate_population(&sc, &tg, population);
        if (!st)
            calcify_targets_free(&tg);
        calcify_scenario_free(&sc);
        return rc2;
    }
    calcify_sim *sim = NULL;
    double *simulated = NULL;
    if (!st && !(sim = calcify_sim_alloc(&sc.params, sc.method, sc.rtol, sc.atol, &err)))
        st = CALCIFY_EUSAGE;
    if (!st && !(simulated = calloc(tg.n, sizeof *simulated)))
        st = calcify_fail(&err, CALCIFY_ENOMEM, "out of memory");
    if (!st)
        st = calcify_targets_simulate(sim, &sc, &tg, simulated, &err);
    int failures = 0;
    if (!st) {
        cli_print_steady_check(stdout, calcify_sim_steady_check(sim));
        printf("%-4s %-15s %-13s %5s %-30s %10s %8s %-12s %s\n", "row", "label",
               "arm", "week", "observable", "simulated", "target", "accept",
               "status");
        for (size_t i = 0; i < tg.n; i++) {
            const calcify_target *t = &tg.items[i];
            char arm[128], range[64], target[32];
            if (t->is_ratio)
                snprintf(arm, sizeof arm, "%s/%s", sc.arms[t->arm].name,
                         sc.arms[t->arm_den].name);
            else
                snprintf(arm, sizeof arm, "%s", sc.arms[t->arm].name);
            range_text(t, range, sizeof range);
            if (isnan(t->target))
                snprintf(target, sizeof target, "-");
            else
                snprintf(target, sizeof target, "%g", t->target);
            int ok = calcify_target_ok(t, simulated[i]);
            failures += !ok;
            char row[32];
            if (tg.n_paths > 1) /* file number:row */
                snprintf(row, sizeof row, "%zu:%d", t->file + 1, t->row);
            else
                snprintf(row, sizeof row, "%d", t->row);
            printf("%-4s %-15s %-13s %5g %-30s %10.4g %8s %-12s %s\n", row,
                   t->label, arm, t->week, t->observable, simulated[i], target,
                   range, ok ? "ok" : "FAIL");
        }
        printf("%zu comparisons: %zu ok, %d FAIL\n", tg.n, tg.n - (size_t)failures,
               failures);
    }
    free(simulated);
    calcify_sim_free(sim);
    calcify_targets_free(&tg);
    calcify_scenario_free(&sc);
    if (st)
        return cli_error(st, err.msg);
    return failures ? 1 : 0;
}
