/* cmd_population.c — `calcify population`: virtual animals per arm. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "calcify/batch.h"
#include "calcify/output.h"
#include "calcify/population.h"
#include "calcify/params.h"
#include "cli.h"

static const char usage[] =
    "usage: calcify population SCENARIO --n-per-arm N --iiv NAME=CV%... -o DIR\n"
    "                          [--iiv-corr NAME1,NAME2=RHO]... [--seed S]\n"
    "                          [--threads T] [--arm NAME]... [--observable NAMES]\n"
    "                          [--at T1,T2,...]\n"
    "\n"
    "Virtual animals: N per arm, each with its own parameters drawn with\n"
    "log-normal inter-individual variability, theta * exp(eta), theta the\n"
    "scenario's value (the median), eta ~ N(0, omega^2), omega^2 = ln(1 + CV^2);\n"
    "each animal is a full run from its own baseline steady state.  Writes\n"
    "  DIR/animals.csv  id,arm,animal, the drawn parameters, status, and each\n"
    "                   observable at the arm's end (<observable>_end) and at\n"
    "                   each --at time (<observable>_at_<T>d, as run --summary)\n"
    "  DIR/stats.csv    arm,time_d,observable,n,mean,sd,p05,p50,p95 over the\n"
    "                   animals of each arm, every --step days (the scenario's\n"
    "                   output step by default), at the --at times and at the\n"
    "                   arm's end\n"
    "Same --seed, same animals and the same bytes, whatever --threads is.\n"
    "Compare with data: calcify validate SCENARIO --data FILE --population DIR\n"
    "Plot: gnuplot -c plots/population.gp DIR/stats.csv OUT.png [TERM] [OBS] [TARGETS]\n"
    "\n"
    "  --n-per-arm N      animals per arm (required)\n"
    "  --iiv NAME=CV%     a parameter's coefficient of variation, in percent\n"
    "                     (repeatable; e.g. --iiv ca_dep_max=30%)\n"
    "  --iiv-corr A,B=RHO correlation of two --iiv parameters' eta (repeatable)\n"
    "  --seed S           seed of the draws (default 1)\n"
    "  --step DAYS        time step of stats.csv (default: the scenario's)\n"
    "  --at T1,T2,...     also these times, in days or with units ('6 w,12 w'):\n"
    "                     exact rows (the arm is cut there, as run --summary\n"
    "                     does); a time past an arm's end is empty there\n"
    "  --observable NAMES comma-separated observables (default: all)\n"
    "  --arm NAME         only this arm (repeatable)\n"
    "  --threads T        worker threads (default: the number of CPUs)\n"
    CLI_PRECISION_HELP
    "  --force            write more than 10 million animal or stats rows (refused\n"
    "                     otherwise: a guard against a mistyped --n-per-arm or --step)\n"
    "  -q, --quiet        no progress line on stderr\n"
    "  -o DIR             output directory (created if missing)\n"
    CLI_MODEL_HELP
    "  -h, --help         this text\n"
    "\n"
    "Example (Schurgers 2007 used 6 rats per group):\n"
    "  calcify population models/vermeer2007.cfg --n-per-arm 6 \\\n"
    "      --iiv ca_dep_max=30% --seed 7 -o out/pop\n"
    "  gnuplot -c plots/population.gp out/pop/stats.csv out/population.png\n";

/* Value of observable oi at time t of probe arm a in run vector v: NAN if
 * the arm does not reach t. */
static double value_at(const calcify_probe *probe, size_t a, double t, size_t oi,
                       const double *v)
{
    long ti = calcify_probe_time_index(&probe->arms[a], t);
    return ti < 0 ? NAN : v[calcify_probe_slot(probe, a, (size_t)ti, oi)];
}

/* animals.csv: a row per animal; returns the number that failed. */
static size_t write_animals(FILE *fp, int precision, const calcify_scenario *sc,
                            const calcify_probe *probe, const double *at, size_t n_at,
                            const calcify_iiv *iiv, size_t m, const double *values,
                            const double *y, const unsigned char *status,
                            const size_t *arm_of, size_t total, size_t n_per)
{
    fputs("id,arm,animal", fp);
    for (size_t j = 0; j < m; j++) {
        char col[128];
        fprintf(fp, ",%s", calcify_param_column(iiv[j].param, col, sizeof col));
    }
    fputs(",status", fp);
    for (size_t oi = 0; oi < probe->n_obs; oi++)
        fprintf(fp, ",%s_end", calcify_obs_names[probe->obs[oi]]);
    for (size_t t = 0; t < n_at; t++) /* named as run --summary names them */
        for (size_t oi = 0; oi < probe->n_obs; oi++)
            fprintf(fp, ",%s_at_%.10gd", calcify_obs_names[probe->obs[oi]], at[t]);
    fputc('\n', fp);
    size_t failed = 0;
    for (size_t i = 0; i < total; i++) {
        size_t a = arm_of[i];
        const double *v = &y[i * probe->n_out];
        double end = probe->arms[a].times[probe->arms[a].n_times - 1];
        failed += status[i] != CALCIFY_RUN_OK;
        fprintf(fp, "%zu,%s,%zu", i + 1, sc->arms[probe->arms[a].arm].name, i % n_per + 1);
        calcify_csv_write_numbers(fp, precision, &values[i * m], m);
        fprintf(fp, ",%s", calcify_run_status_name(status[i]));
        for (size_t oi = 0; oi < probe->n_obs; oi++)
            calcify_csv_write_number(fp, precision, value_at(probe, a, end, oi, v));
        for (size_t t = 0; t < n_at; t++)
            for (size_t oi = 0; oi < probe->n_obs; oi++)
                calcify_csv_write_number(fp, precision, value_at(probe, a, at[t], oi, v));
        fputc('\n', fp);
    }
    return failed;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int cmd_population(int argc, char **argv)
{
    enum { OPT_NPER = OPT_FIRST_FREE, OPT_IIV, OPT_CORR, OPT_SEED, OPT_STEP, OPT_FORCE };
    static const struct option longopts[] = {
        {"n-per-arm", required_argument, NULL, OPT_NPER},
        {"iiv", required_argument, NULL, OPT_IIV},
        {"iiv-corr", required_argument, NULL, OPT_CORR},
        {"seed", required_argument, NULL, OPT_SEED},
        {"step", required_argument, NULL, OPT_STEP},
        {"force", no_argument, NULL, OPT_FORCE},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        CLI_BATCH_LONGOPTS,
        CLI_MODEL_LONGOPTS,
        {NULL, 0, NULL, 0}};
    cli_model_opts mo = {0};
    calcify_iiv iiv[CALCIFY_NPARAM];
    const char *corr_spec[256], *dir = NULL;
    cli_batch_opts b;
    cli_batch_defaults(&b);
    size_t m = 0;
    int n_corr = 0, force = 0, c;
    long n_per = 0, seed = 1;
    double step = 0;
    calcify_error err;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "o:qh", longopts, &mo)) != -1) {
        if (c == -2)
            return 2;
        switch (c) {
        case OPT_NPER:
            if (cli_parse_int("--n-per-arm", optarg, 1, CALCIFY_POPULATION_MAX_PER_ARM, &n_per))
                return 2;
            break;
        case OPT_IIV:
            if (m == CALCIFY_NPARAM) {
                fputs("calcify: more --iiv than parameters\n", stderr);
                return 2;
            }
            if (calcify_iiv_parse(optarg, &iiv[m], &err))
                return cli_error(CALCIFY_EUSAGE, err.msg);
            for (size_t j = 0; j < m; j++)
                if (iiv[j].param == iiv[m].param) {
                    fprintf(stderr, "calcify: --iiv %s given twice\n",
                            calcify_param_defs[iiv[j].param].name);
                    return 2;
                }
            m++;
            break;
        case OPT_CORR:
            if (n_corr == 256) {
                fputs("calcify: too many --iiv-corr\n", stderr);
                return 2;
            }
            corr_spec[n_corr++] = optarg;
            break;
        case OPT_SEED:
            if (cli_parse_int("--seed", optarg, 0, 4294967295L, &seed))
                return 2;
            break;
        case OPT_STEP:
            if (cli_parse_duration("--step", optarg, 1e-3, 1e6, &step))
                return 2;
            break;
        case 'o': dir = optarg; break;
        case OPT_FORCE: force = 1; break;
        case 'h': fputs(usage, stdout); return 0;
        default:
            if (cli_batch_option_or_usage(&b, c, optarg, usage))
                return 2;
        }
    }
    if (argc - optind != 1 || !dir || n_per == 0 || m == 0) {
        fprintf(stderr, "calcify population: expected one SCENARIO, --n-per-arm, at least "
                "one --iiv and -o DIR\n%s", usage);
        return 2;
    }
    /* the --at columns in time order, each once (as run --summary has them) */
    qsort(b.at, b.n_at, sizeof b.at[0], cmp_double);
    size_t n_at = 0;
    for (size_t t = 0; t < b.n_at; t++)
        if (!n_at || b.at[t] != b.at[n_at - 1])
            b.at[n_at++] = b.at[t];
    b.n_at = n_at;
    double corr[CALCIFY_NPARAM * CALCIFY_NPARAM] = {0};
    for (int i = 0; i < n_corr; i++)
        if (calcify_iiv_corr_parse(corr_spec[i], iiv, m, corr, &err))
            return cli_error(CALCIFY_EUSAGE, err.msg);
    calcify_scenario sc;
    int rc = cli_load_scenario(argv[optind], &mo, &sc);
    if (rc)
        return rc;
    for (size_t j = 0; j < m; j++)
        if ((rc = cli_check_settable(&sc, &iiv[j].param, 1, "--iiv"))) {
            calcify_scenario_free(&sc);
            return rc;
        }
    unsigned char *selected = NULL, *status = NULL;
    calcify_probe probe = {0};
    double *values = NULL, *y = NULL;
    size_t *arm_of = NULL, total = 0;
    calcify_outfile fa = {0}, fs = {0};
    calcify_status st = cli_select_arms(&sc, b.arms, b.n_arms, &selected, &err);
    if (!st)
        st = calcify_probe_init_grid_at(&probe, &sc, selected,
                                        step > 0 ? step : sc.output_step, b.at, b.n_at,
                                        b.obs, b.n_obs, &err);
    /* animals.csv has a row per animal, stats.csv one per arm, time and
     * observable: the probe's slots */
    if (!st)
        st = cli_check_rows("this population", (double)probe.n_arms * (double)n_per, "animal",
                            "--n-per-arm", force, &err);
    if (!st)
        st = cli_check_rows("this population", (double)probe.n_out, "stats", "--step", force,
                            &err);
    if (!st) {
        total = probe.n_arms * (size_t)n_per;
        if (!(values = malloc(total * m * sizeof *values)) ||
            !(y = malloc(total * probe.n_out * sizeof *y)) || !(status = malloc(total)) ||
            !(arm_of = malloc(total * sizeof *arm_of)))
            st = calcify_fail(&err, CALCIFY_ENOMEM, "out of memory for %zu animals", total);
    }
    if (!st)
        st = calcify_population_draw(&sc.params, iiv, m, n_corr ? corr : NULL, total,
                                     (uint64_t)seed, values, &err);
    char *made = NULL; /* folders made for -o, removed again on failure */
    if (!st)
        st = calcify_dir_make(dir, &made, &err);
    if (!st) {
        for (size_t i = 0; i < total; i++)
            arm_of[i] = i / (size_t)n_per;
        int params[CALCIFY_NPARAM];
        for (size_t j = 0; j < m; j++)
            params[j] = iiv[j].param;
        cli_progress pr;
        cli_progress_init(&pr, "population", b.quiet);
        calcify_batch_opts bo = {
            .sc = &sc, .probe = &probe, .params = params, .n_params = m, .values = values,
            .run_arm = arm_of, .first = 0, .last = total, .threads = (int)b.threads,
            .progress = cli_progress_update, .user = &pr};
        st = calcify_batch_run(&bo, y, status, &err);
    }
    char path[4096];
    size_t failed = 0;
    if (!st) {
        snprintf(path, sizeof path, "%s/animals.csv", dir);
        st = calcify_outfile_open(&fa, path, &err);
    }
    if (!st) {
        failed = write_animals(fa.fp, (int)b.precision, &sc, &probe, b.at, b.n_at, iiv, m,
                               values, y, status, arm_of, total, (size_t)n_per);
        snprintf(path, sizeof path, "%s/stats.csv", dir);
        st = calcify_outfile_open(&fs, path, &err);
    }
    if (!st)
        st = calcify_population_write_stats(fs.fp, (int)b.precision, &sc, &probe, y, arm_of,
                                            status, total, &err);
    if (!st)
        st = calcify_outfile_commit(&fa, &err);
    if (!st)
        st = calcify_outfile_commit(&fs, &err);
    calcify_outfile_abort(&fa);
    calcify_outfile_abort(&fs);
    if (st)
        calcify_dir_unmake(dir, made);
    free(made);
    free(values);
    free(y);
    free(status);
    free(arm_of);
    free(selected);
    calcify_probe_free(&probe);
    calcify_scenario_free(&sc);
    if (st)
        return cli_error(st, err.msg);
    if (failed)
        fprintf(stderr, "calcify: %zu of %zu animals failed (status in %s/animals.csv; left "
                "out of stats.csv)\n", failed, total, dir);
    return 0;
}
