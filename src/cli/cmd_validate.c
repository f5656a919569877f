/* cmd_validate.c — `calcify validate`: simulated vs observed, per target. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "calcify/population.h"
#include "calcify/simulate.h"
#include "calcify/targets.h"
#include "cli/cli.h"
#include "cli/options.h"

/* The help page; the options are in src/cli/options.c. */
static const cli_command_doc doc = {
    CLI_CMD_VALIDATE, "validate",
    "validate SCENARIO --data FILE [--population DIR]\n"
    "                        [--table FILE] [--set NAME=VALUE]...\n",
    "Simulate SCENARIO and compare it with every row of the targets FILE\n"
    "(e.g. models/data/schurgers2007.csv), once per scenario arm the row's\n"
    "label maps to (data_labels in the scenario).  One line per comparison:\n"
    "data row (FILE:row with several files), label, arm, week, observable,\n"
    "simulated, target, the accepted interval, the rule that gave it, and\n"
    "ok, FAIL or unjudged.  A label may also be an arm's own name.\n"
    "\n"
    "A row is judged by its accepted range (accept_lo..accept_hi; an empty\n"
    "side is open), else, when it has a target, sd and n, by\n"
    "|simulated - target| <= 2 sd/sqrt(n) (the mean of n animals within two\n"
    "standard errors), else not at all: it is reported unjudged, never ok.\n"
    "The last line counts ok, FAIL and unjudged.  Exit status 1 if any\n"
    "comparison FAILs.\n",
NULL};

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

/* Judge v against t: the accepted interval into accept, the rule into by,
 * one more in counts[judgement]; returns "ok", "FAIL" or "unjudged". */
static const char *judge(const calcify_target *t, double v, char *accept, size_t cap,
                         const char **by, int counts[3])
{
    calcify_rule rule;
    double lo, hi;
    calcify_judgement j = calcify_target_judge(t, v, &rule, &lo, &hi);
    counts[j]++;
    if (rule == CALCIFY_RULE_RANGE) {
        range_text(t, accept, cap);
        *by = "range";
    } else if (rule == CALCIFY_RULE_SEM) {
        snprintf(accept, cap, "%.4g..%.4g", lo, hi);
        *by = "2sd/sqrt(n)";
    } else {
        snprintf(accept, cap, "-");
        *by = "-";
    }
    return j == CALCIFY_JUDGED_OK ? "ok" : j == CALCIFY_JUDGED_FAIL ? "FAIL" : "unjudged";
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
    calcify_status st = calcify_popstats_load(path, sc->obs, &rows, &n, &err);
    if (st)
        return cli_error(st, err.msg);
    int counts[3] = {0, 0, 0}, missing = 0;
    printf("%-4s %-15s %-13s %5s %-30s %10s %8s %3s %8s %8s %-12s %-11s %s\n", "row", "label",
           "arm", "week", "observable", "pop_mean", "pop_sd", "n", "data_sd", "target", "accept",
           "by", "status");
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
        snprintf(target, sizeof target, isnan(t->target) ? "-" : "%g", t->target);
        if (!a || (t->is_ratio && !b)) {
            missing++;
            range_text(t, range, sizeof range);
            printf("%-4d %-15s %-13s %5g %-30s %10s %8s %3s %8s %8s %-12s %-11s %s\n", t->row,
                   t->label, arm, t->week, t->observable, "-", "-", "-", data_sd, target, range,
                   "-", "not in population");
            continue;
        }
        double mean = t->is_ratio ? a->mean / b->mean : a->mean;
        const char *by, *status = judge(t, mean, range, sizeof range, &by, counts);
        char sd[32];
        snprintf(sd, sizeof sd, t->is_ratio || !isfinite(a->sd) ? "-" : "%.3g", a->sd);
        printf("%-4d %-15s %-13s %5g %-30s %10.4g %8s %3zu %8s %8s %-12s %-11s %s\n", t->row,
               t->label, arm, t->week, t->observable, mean, sd, a->n, data_sd, target, range,
               by, status);
    }
    printf("%zu comparisons of population means: %d ok, %d FAIL, %d unjudged, "
           "%d not in the population\n", tg->n, counts[CALCIFY_JUDGED_OK],
           counts[CALCIFY_JUDGED_FAIL], counts[CALCIFY_UNJUDGED], missing);
    free(rows);
    return counts[CALCIFY_JUDGED_FAIL] || missing ? 1 : 0;
}

int cmd_validate(int argc, char **argv)
{
    cli_model_opts mo = {0};
    const char *data[16], *population = NULL, *table = NULL;
    int n_data = 0;
    int c;
    cli_opts p;
    cli_opts_begin(&p, &doc, argc, argv, &mo);
    while ((c = cli_opts_next(&p)) > 0) {
        if (c == CLI_OPT_DATA) {
            if (n_data == 16) {
                fputs("calcify: at most 16 --data files\n", stderr);
                return 2;
            }
            data[n_data++] = optarg;
        } else if (c == CLI_OPT_POPULATION) {
            population = optarg;
        } else if (c == CLI_OPT_TABLE) {
            table = optarg;
        }
    }
    if (c < 0)
        return cli_opts_exit(c);
    if (argc - optind != 1 || !n_data)
        return cli_usage_error(&doc, "expected one SCENARIO and --data FILE");
    if (population && table) {
        fputs("calcify validate: --table is not available with --population\n", stderr);
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
    int counts[3] = {0, 0, 0};
    if (!st) {
        cli_print_steady_check(stdout, sim);
        printf("%-4s %-15s %-13s %5s %-30s %10s %8s %-12s %-11s %s\n", "row", "label",
               "arm", "week", "observable", "simulated", "target", "accept", "by",
               "status");
        for (size_t i = 0; i < tg.n; i++) {
            const calcify_target *t = &tg.items[i];
            char arm[128], range[64], target[32];
            if (t->is_ratio)
                snprintf(arm, sizeof arm, "%s/%s", sc.arms[t->arm].name,
                         sc.arms[t->arm_den].name);
            else
                snprintf(arm, sizeof arm, "%s", sc.arms[t->arm].name);
            if (isnan(t->target))
                snprintf(target, sizeof target, "-");
            else
                snprintf(target, sizeof target, "%g", t->target);
            const char *by, *status = judge(t, simulated[i], range, sizeof range, &by, counts);
            char row[32];
            if (tg.n_paths > 1) /* file number:row */
                snprintf(row, sizeof row, "%zu:%d", t->file + 1, t->row);
            else
                snprintf(row, sizeof row, "%d", t->row);
            printf("%-4s %-15s %-13s %5g %-30s %10.4g %8s %-12s %-11s %s\n", row,
                   t->label, arm, t->week, t->observable, simulated[i], target,
                   range, by, status);
        }
        printf("%zu comparisons: %d ok, %d FAIL, %d unjudged\n", tg.n,
               counts[CALCIFY_JUDGED_OK], counts[CALCIFY_JUDGED_FAIL],
               counts[CALCIFY_UNJUDGED]);
        if (table)
            st = cli_write_target_table(table, &sc, &tg, NULL, simulated, tg.n, &err);
    }
    free(simulated);
    calcify_sim_free(sim);
    calcify_targets_free(&tg);
    calcify_scenario_free(&sc);
    if (st)
        return cli_error(st, err.msg);
    return counts[CALCIFY_JUDGED_FAIL] ? 1 : 0;
}
