/* cmd_sweep.c — `calcify sweep`: a design of runs, on threads, in shards. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "calcify/output.h"
#include "calcify/summary.h"
#include "calcify/sweep.h"
#include "cli.h"

static const char usage[] =
    "usage: calcify sweep SCENARIO --vary NAME=LO:HI[:log]... -o DIR [--at T,...]\n"
    "                     [--design grid|lhs|sobol] [--n N] [--seed S]\n"
    "                     [--threads T] [--shard K/N] [--timeseries]\n"
    "\n"
    "Run SCENARIO once per point of a design over the --vary ranges and write\n"
    "  DIR/design.csv      run_id and the varied values of every run\n"
    "  DIR/vary.tsv        each varied name, its column, unit, range and scale\n"
    "                      (linear or log), for plots/sweep.gp\n"
    "  DIR/summary.csv     per run and arm: varied values, status, the same\n"
    "                      endpoints as calcify run --summary (observables at\n"
    "                      the endpoint times, AUC, min, max), steps, RHS calls\n"
    "  DIR/timeseries.csv  with --timeseries: every run's daily rows + run_id\n"
    "A run's rows are bit-identical whatever --threads and --shard are.\n"
    "status: ok, no_steady_state, solver_failed, or invalid_input (the\n"
    "scenario read with the run's variables was refused).  A run that varies\n"
    "a variable reads the scenario and parameter files again.\n"
    "\n"
    "  --vary NAME=LO:HI[:log]  a range of a parameter or scenario variable\n"
    "                     (repeatable); bare numbers are in the parameter's\n"
    "                     unit (calcify params SCENARIO) or the variable's;\n"
    "                     or give units: 'warfarin_thalf=5 h:2 d:log',\n"
    "                     'high_k=10:200 ug/g'\n"
    CLI_ENDPOINT_HELP
    "                     lhs and sobol also take NAME=MEAN:CV%:normal and\n"
    "                     NAME=MEDIAN:CV%:lognormal\n"
    "  --design KIND      grid (N points per parameter, N^d runs), lhs (N runs,\n"
    "                     Latin hypercube) or sobol (N runs, scrambled; N = 2^k\n"
    "                     balances it best); default lhs\n"
    "  --n N              see --design; default 100\n"
    "  --seed S           seed of the lhs or sobol design (default 1)\n"
    "  --threads T        worker threads (default: the number of CPUs)\n"
    "  --shard K/N        only the K-th of N contiguous blocks of run_ids\n"
    "                     (Slurm: --shard $((SLURM_ARRAY_TASK_ID+1))/$SLURM_ARRAY_TASK_COUNT);\n"
    "                     join shard directories with calcify merge\n"
    "  --arm NAME         only this arm (repeatable)\n"
    "  --timeseries       also write timeseries.csv (step: --step TIME, default 1 d)\n"
    "  --keep-going       exit 0 even if some runs failed (they are recorded)\n"
    "  --precision N      significant digits (default 6)\n"
    "  -q, --quiet        no progress line on stderr\n"
    "  -o DIR             output directory (created with its parents if missing)\n"
    CLI_MODEL_HELP
    "  -h, --help         this text\n"
    "\n"
    "Example:\n"
    "  calcify sweep models/vermeer2007.cfg --vary warfarin_thalf=5:50:log \\\n"
    "      --vary ca_reg_max=0.005:0.05 --design sobol --n 256 -o out/sweep\n";

/* The command with the lists it allocates owned by the caller, so that
 * every return frees them. */
static int cmd_sweep_owning(int argc, char **argv, cli_endpoint_opts *eo)
{
    enum { OPT_VARY = OPT_FIRST_FREE, OPT_DESIGN, OPT_N, OPT_SEED, OPT_THREADS, OPT_SHARD,
           OPT_TS, OPT_KEEP, OPT_PRECISION, OPT_ARM, OPT_STEP };
    static const struct option longopts[] = {
        {"vary", required_argument, NULL, OPT_VARY},
        {"design", required_argument, NULL, OPT_DESIGN},
        {"n", required_argument, NULL, OPT_N},
        {"seed", required_argument, NULL, OPT_SEED},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"shard", required_argument, NULL, OPT_SHARD},
        {"timeseries", no_argument, NULL, OPT_TS},
        {"keep-going", no_argument, NULL, OPT_KEEP},
        {"precision", required_argument, NULL, OPT_PRECISION},
        {"arm", required_argument, NULL, OPT_ARM},
        {"step", required_argument, NULL, OPT_STEP},
        CLI_ENDPOINT_LONGOPTS,
        {"output", required_argument, NULL, 'o'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        CLI_MODEL_LONGOPTS,
        {NULL, 0, NULL, 0}};
    cli_model_opts mo = {0};
    /* each parameter and each variable at most once */
    enum { MAX_VARY = CALCIFY_NPARAM + CALCIFY_SWEEP_MAX_VARS };
    calcify_vary vary[MAX_VARY];
    const char *vary_spec[MAX_VARY];
    size_t n_vary = 0;
    const char *dir = NULL, *arms[64];
    int n_arms = 0, quiet = 0, keep_going = 0, timeseries = 0, c;
    long n = 100, seed = 1, threads = sysconf(_SC_NPROCESSORS_ONLN), precision = 6;
    long shard_k = 1, shard_n = 1;
    double step = 1.0;
    int kind = CALCIFY_DESIGN_LHS;
    calcify_error err;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "o:qh", longopts, &mo)) != -1) {
        if (c == -2)
            return 2;
        switch (c) {
        case OPT_VARY:
            if (n_vary == MAX_VARY) {
                fprintf(stderr, "calcify: at most %d --vary\n", (int)MAX_VARY);
                return 2;
            }
            vary_spec[n_vary++] = optarg; /* parsed once the scenario (its vars) is known */
            break;
        case OPT_AT:
        case OPT_OBSERVABLES:
            if (cli_endpoint_option(eo, c, optarg) < 0)
                return 2;
            break;
        case OPT_DESIGN:
            if ((kind = calcify_design_kind_parse(optarg)) < 0) {
                fprintf(stderr, "calcify: --design '%s': expected grid, lhs or sobol\n", optarg);
                return 2;
            }
            break;
        case OPT_N:
            if (cli_parse_int("--n", optarg, 1, 100000000, &n))
                return 2;
            break;
        case OPT_SEED:
            if (cli_parse_int("--seed", optarg, 0, 4294967295L, &seed))
                return 2;
            break;
        case OPT_THREADS:
            if (cli_parse_int("--threads", optarg, 1, 1024, &threads))
                return 2;
            break;
        case OPT_SHARD:
            if (cli_parse_shard(optarg, &shard_k, &shard_n))
                return 2;
            break;
        case OPT_TS: timeseries = 1; break;
        case OPT_KEEP: keep_going = 1; break;
        case OPT_PRECISION:
            if (cli_parse_int("--precision", optarg, 1, 17, &precision))
                return 2;
            break;
        case OPT_STEP:
            if (cli_parse_duration("--step", optarg, 1e-6, 1e6, &step))
                return 2;
            break;
        case OPT_ARM:
            if (cli_add_arm(arms, &n_arms, optarg))
                return 2;
            break;
        case 'o': dir = optarg; break;
        case 'q': quiet = 1; break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
        }
    }
    if (argc - optind != 1 || !dir || n_vary == 0) {
        fprintf(stderr, "calcify sweep: expected one SCENARIO, at least one --vary and "
                "-o DIR\n%s", usage);
        return 2;
    }
    calcify_scenario sc;
    int rc = cli_load_scenario(argv[optind], &mo, &sc);
    if (rc) {
        return rc;
    }
    for (size_t i = 0; i < n_vary; i++) {
        if (calcify_vary_parse_in(vary_spec[i], &sc, &vary[i], &err)) {
            calcify_scenario_free(&sc);
            return cli_error(CALCIFY_EUSAGE, err.msg);
        }
        /* a variable's range is admissible where the variable is used iff
         * both ends are (the checks are bounds): try them now, so a bad range
         * is file:line and exit 2, not a sweep of failed runs */
        for (int end = 0; vary[i].var >= 0 && end < 2; end++) {
            char set[160];
            const char *one[1] = {set};
            calcify_scenario probe;
            snprintf(set, sizeof set, "%s=%.17g%s%s", vary[i].name,
                     end ? vary[i].hi : vary[i].lo, vary[i].unit[0] ? " " : "", vary[i].unit);
            calcify_status pst = calcify_scenario_reload(&sc, one, 1, &probe, &err);
            calcify_scenario_free(&probe);
            if (pst) {
                calcify_scenario_free(&sc);
                char msg[sizeof err.msg + 64];
                snprintf(msg, sizeof msg, "--vary '%s': %s", vary_spec[i], err.msg);
                return cli_error(pst, msg);
            }
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(vary[i].name, vary[j].name) == 0) {
                fprintf(stderr, "calcify: --vary %s given twice\n", vary[i].name);
                calcify_scenario_free(&sc);
                return 2;
            }
    }
    unsigned char *selected = NULL;
    calcify_status st = cli_select_arms(&sc, arms, n_arms, &selected, &err);
    calcify_endpoints endpoints = {0};
    if (!st)
        st = calcify_endpoints_resolve(&sc, selected, eo->at, eo->n_at, eo->obs, eo->n_obs, &endpoints, &err);
    calcify_design *design = NULL, *listing = NULL;
    if (!st && (!(design = calcify_design_alloc(kind, vary, n_vary, (size_t)n, (unsigned long)seed, &err)) ||
                !(listing = calcify_design_alloc(kind, vary, n_vary, (size_t)n, (unsigned long)seed, &err))))
        st = CALCIFY_EUSAGE;
    if (!st)
        st = calcify_mkdirs(dir, &err);

    calcify_outfile fd = {0}, fs = {0}, ft = {0}, fv = {0};
    char path[4096];
    calcify_sweep_stats stats = {0};
    if (!st) {
        snprintf(path, sizeof path, "%s/design.csv", dir);
        st = calcify_outfile_open(&fd, path, &err);
    }
    if (!st) { /* the whole design, in every shard: merge checks against it */
        double v[MAX_VARY];
        fputs("run_id", fd.fp);
        for (size_t j = 0; j < n_vary; j++) {
            char col[128];
            fprintf(fd.fp, ",%s", calcify_sweep_column(&sc, &vary[j], col, sizeof col));
        }
        fputc('\n', fd.fp);
        for (long id; (id = calcify_design_next(listing, v)) >= 0;) {
            fprintf(fd.fp, "%ld", id);
            for (size_t j = 0; j < n_vary; j++)
                fprintf(fd.fp, ",%.17g", v[j]);
            fputc('\n', fd.fp);
        }
        snprintf(path, sizeof path, "%s/vary.tsv", dir);
        st = calcify_outfile_open(&fv, path, &err);
    }
    if (!st) { /* what the figures need: names, units, scales of the columns */
        fputs("name\tcolumn\tunit\tlo\thi\tscale\n", fv.fp);
        for (size_t j = 0; j < n_vary; j++) {
            char col[128];
            fprintf(fv.fp, "%s\t%s\t%s\t%.17g\t%.17g\t%s\n", vary[j].name,
                    calcify_sweep_column(&sc, &vary[j], col, sizeof col),
                    vary[j].unit[0] ? vary[j].unit : "1", vary[j].lo, vary[j].hi,
                    vary[j].log ? "log" : "linear");
        }
        snprintf(path, sizeof path, "%s/summary.csv", dir);
        st = calcify_outfile_open(&fs, path, &err);
    }
    if (!st && timeseries) {
        snprintf(path, sizeof path, "%s/timeseries.csv", dir);
        st = calcify_outfile_open(&ft, path, &err);
    }
    if (!st) {
        calcify_sweep_write_header(fs.fp, &sc, vary, n_vary, &endpoints);
        if (timeseries) {
            fputs("run_id,", ft.fp);
            calcify_csv_write_header(ft.fp);
        }
        size_t runs = calcify_design_runs(design);
        cli_progress ps;
        cli_progress_init(&ps, "sweep", quiet);
        calcify_sweep_opts o = {
            .sc = &sc, .selected = selected, .vary = vary, .n_vary = n_vary,
            .endpoints = &endpoints,
            .design = design,
            /* contiguous blocks: shard K of N holds [(K-1)·R/N, K·R/N) */
            .first = (size_t)((unsigned long long)(shard_k - 1) * runs / (unsigned long long)shard_n),
            .last = (size_t)((unsigned long long)shard_k * runs / (unsigned long long)shard_n),
            .threads = (int)threads, .precision = (int)precision,
            .summary = fs.fp, .timeseries = timeseries ? ft.fp : NULL,
            .timeseries_step = step, .progress = cli_progress_update, .user = &ps};
        st = calcify_sweep_run(&o, &stats, &err);
    }
    if (!st)
        st = calcify_outfile_commit(&fd, &err);
    if (!st)
        st = calcify_outfile_commit(&fv, &err);
    if (!st)
        st = calcify_outfile_commit(&fs, &err);
    if (!st && timeseries)
        st = calcify_outfile_commit(&ft, &err);
    calcify_outfile_abort(&fd);
    calcify_outfile_abort(&fs);
    calcify_outfile_abort(&fv);
    calcify_outfile_abort(&ft);
    calcify_design_free(design);
    calcify_design_free(listing);
    calcify_endpoints_free(&endpoints);
    free(selected);
    calcify_scenario_free(&sc);
    if (st)
        return cli_error(st, err.msg);
    if (stats.failed) {
        fprintf(stderr, "calcify: %zu of %zu runs failed (recorded in %s/summary.csv "
                "with their status)\n", stats.failed, stats.runs, dir);
        return keep_going ? 0 : 1;
    }
    return 0;
}

int cmd_sweep(int argc, char **argv)
{
    cli_endpoint_opts eo = {0};
    int rc = cmd_sweep_owning(argc, argv, &eo);
    cli_endpoint_opts_free(&eo);
    return rc;
}
