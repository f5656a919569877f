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
    "usage: calcify sweep SCENARIO --vary NAME=LO:HI[:log]... -o DIR\n"
    "                     [--design grid|lhs|sobol] [--n N] [--seed S]\n"
    "                     [--threads T] [--shard K/N] [--timeseries]\n"
    "\n"
    "Run SCENARIO once per point of a design over the --vary ranges and write\n"
    "  DIR/design.csv      run_id and the parameter values of every run\n"
    "  DIR/summary.csv     per run and arm: parameters, status, aortic Ca at\n"
    "                      weeks 0, 6, 12 and its change, cMGP fraction at 12,\n"
    "                      clotting at 6, distensibility at 12, steps, RHS calls\n"
    "  DIR/timeseries.csv  with --timeseries: every run's daily rows + run_id\n"
    "A run's rows are bit-identical whatever --threads and --shard are.\n"
    "\n"
    "  --vary NAME=LO:HI[:log]  a range in the parameter's unit (repeatable;\n"
    "                     units: calcify params SCENARIO); lhs and sobol also\n"
    "                     take NAME=MEAN:CV%:normal and NAME=MEDIAN:CV%:lognormal\n"
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
    "  --timeseries       also write timeseries.csv (step: --step DAYS, default 1)\n"
    "  --keep-going       exit 0 even if some runs failed (they are recorded)\n"
    "  --precision N      significant digits (default 6)\n"
    "  -q, --quiet        no progress line on stderr\n"
    "  -o DIR             output directory (created if missing)\n"
    CLI_MODEL_HELP
    "  -h, --help         this text\n"
    "\n"
    "Example:\n"
    "  calcify sweep models/vermeer2007.cfg --vary warfarin_thalf=5:50:log \\\n"
    "      --vary ca_reg_max=0.005:0.05 --design sobol --n 256 -o out/sweep\n";

int cmd_sweep(int argc, char **argv)
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
        {"output", required_argument, NULL, 'o'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        CLI_MODEL_LONGOPTS,
        {NULL, 0, NULL, 0}};
    cli_model_opts mo = {0};
    calcify_vary vary[CALCIFY_NPARAM]; /* each parameter at most once */
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
            if (cli_add_vary(vary, &n_vary, optarg))
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
            if (cli_parse_double("--step", optarg, 1e-6, 1e6, &step))
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
    if (rc)
        return rc;
    unsigned char *selected = NULL;
    calcify_status st = cli_select_arms(&sc, arms, n_arms, &selected, &err);
    calcify_design *design = NULL, *listing = NULL;
    if (!st && (!(design = calcify_design_alloc(kind, vary, n_vary, (size_t)n, (unsigned long)seed, &err)) ||
                !(listing = calcify_design_alloc(kind, vary, n_vary, (size_t)n, (unsigned long)seed, &err))))
        st = CALCIFY_EUSAGE;
    if (!st && mkdir(dir, 0777) != 0 && errno != EEXIST)
        st = calcify_fail(&err, CALCIFY_EIO, "%s: cannot create: %s", dir, strerror(errno));

    calcify_outfile fd = {0}, fs = {0}, ft = {0};
    char path[4096];
    calcify_sweep_stats stats = {0};
    if (!st) {
        snprintf(path, sizeof path, "%s/design.csv", dir);
        st = calcify_outfile_open(&fd, path, &err);
    }
    if (!st) { /* the whole design, in every shard: merge checks against it */
        double v[CALCIFY_NPARAM];
        fputs("run_id", fd.fp);
        for (size_t j = 0; j < n_vary; j++) {
            char col[128];
            fprintf(fd.fp, ",%s", calcify_param_column(vary[j].param, col, sizeof col));
        }
        fputc('\n', fd.fp);
        for (long id; (id = calcify_design_next(listing, v)) >= 0;) {
            fprintf(fd.fp, "%ld", id);
            for (size_t j = 0; j < n_vary; j++)
                fprintf(fd.fp, ",%.17g", v[j]);
            fputc('\n', fd.fp);
        }
        snprintf(path, sizeof path, "%s/summary.csv", dir);
        st = calcify_outfile_open(&fs, path, &err);
    }
    if (!st && timeseries) {
        snprintf(path, sizeof path, "%s/timeseries.csv", dir);
        st = calcify_outfile_open(&ft, path, &err);
    }
    if (!st) {
        int params[CALCIFY_NPARAM];
        for (size_t j = 0; j < n_vary; j++)
            params[j] = vary[j].param;
        calcify_summary_write_header(fs.fp, 1, params, n_vary);
        if (timeseries) {
            fputs("run_id,", ft.fp);
            calcify_csv_write_header(ft.fp);
        }
        size_t runs = calcify_design_runs(design);
        cli_progress ps;
        cli_progress_init(&ps, "sweep", quiet);
        calcify_sweep_opts o = {
            .sc = &sc, .selected = selected, .vary = vary, .n_vary = n_vary,
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
        st = calcify_outfile_commit(&fs, &err);
    if (!st && timeseries)
        st = calcify_outfile_commit(&ft, &err);
    calcify_outfile_abort(&fd);
    calcify_outfile_abort(&fs);
    calcify_outfile_abort(&ft);
    calcify_design_free(design);
    calcify_design_free(listing);
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
