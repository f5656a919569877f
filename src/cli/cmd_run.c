/* cmd_run.c — `calcify run`: a scenario to a long-format CSV time series. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calcify/output.h"
#include "calcify/simulate.h"
#include "cli.h"
#include "calcify/summary.h"

static const char usage[] =
    "usage: calcify run SCENARIO [-o FILE] [--arm NAME]... [--set NAME=VALUE]...\n"
    "\n"
    "Simulate every arm of SCENARIO (or the --arm ones) from the baseline\n"
    "steady state and write one CSV row per arm and output time.\n"
    "\n"
    "  -o, --output FILE  write the CSV to FILE (default: standard output); the\n"
    "                     file appears only when the run succeeds\n"
    "  --arm NAME         run only this arm (repeatable)\n"
    "  --step DAYS        output step in days (default: the scenario's\n"
    "                     output_step)\n"
    "  --precision N      significant digits in the CSV (default 6)\n"
    "  --summary          instead of the time series, one row per arm of\n"
    "                     endpoints (aortic Ca at weeks 0, 6, 12 and its change,\n"
    "                     cMGP fraction at 12, clotting at 6, distensibility\n"
    "                     at 12, status), the --set parameters echoed first;\n"
    "                     no header unless --header, so loops can append rows\n"
    "  --header           with --summary: print the header row\n"
    CLI_MODEL_HELP
    "  -h, --help         this text\n"
    "\n"
    "Columns: arm, time_d, phase (1-based), the diet of the phase, then the\n"
    "observables, each with its unit in its name (docs/MODEL.md lists them).\n"
    "A row at a phase boundary holds the state at that instant and the new\n"
    "phase's diet.\n"
    "\n"
    "Examples:\n"
    "  calcify run models/vermeer2007.cfg -o out/vermeer.csv\n"
    "  calcify run models/vermeer2007.cfg --arm high_k1 --set warfarin_thalf=20\n"
    "  for t in 10 15 20; do\n"
    "    calcify run models/vermeer2007.cfg --summary --set warfarin_thalf=$t\n"
    "  done > thalf.csv\n";

typedef struct {
    FILE *fp;
    int precision;
} row_ctx;

static int write_row(void *user, const calcify_arm *arm, double t, size_t phase,
                     const double y[], const double obs[CALCIFY_NOBS])
{
    (void)y;
    row_ctx *c = user;
    return calcify_csv_write_row(c->fp, c->precision, arm->name, t, phase, obs);
}

/* --summary: endpoint rows, the --set parameters first.  A failed arm is a
 * row with its status; the status returned is the first failure. */
static calcify_status write_summary(calcify_sim *sim, const calcify_scenario *sc,
                                    const unsigned char *selected,
                                    const cli_model_opts *mo, int header, int precision,
                                    FILE *fp, calcify_error *err)
{
    int params[256];
    double values[256];
    size_t n = 0;
    for (int i = 0; i < mo->n_sets; i++) {
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)strcspn(mo->sets[i], "="), mo->sets[i]);
        int p = calcify_param_find(name);
        size_t k = 0;
        while (k < n && params[k] != p)
            k++;
        if (k == n) /* a parameter set twice is echoed once, with its last value */
            params[n++] = p;
    }
    for (size_t k = 0; k < n; k++)
        values[k] = sc->params.value[params[k]];
    if (header)
        calcify_summary_write_header(fp, 0, params, n);
    double y0[CALCIFY_NSTATE];
    calcify_status first = CALCIFY_OK;
    calcify_error e;
    calcify_sim_set_growth(sim, sc->growth);
    calcify_status st = calcify_sim_baseline(sim, sc->baseline, y0, &e);
    if (st) {
        *err = e;
        first = st;
    }
    for (size_t k = 0; k < sc->n_arms; k++) {
        if (selected && !selected[k])
            continue;
        calcify_arm_summary s;
        if (st)
            calcify_arm_summary_failed(&s, "no_steady_state");
        else if (calcify_sim_summarize_arm(sim, &sc->arms[k], y0, &s, &e) && !first) {
            *err = e;
            first = CALCIFY_ESOLVER;
        }
        calcify_summary_write_row(fp, precision, -1, values, n, sc->arms[k].name, &s);
    }
    return first;
}

int cmd_run(int argc, char **argv)
{
    enum { OPT_ARM = OPT_FIRST_FREE, OPT_PRECISION, OPT_STEP, OPT_SUMMARY, OPT_HEADER };
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"arm", required_argument, NULL, OPT_ARM},
        {"precision", required_argument, NULL, OPT_PRECISION},
        {"step", required_argument, NULL, OPT_STEP},
        {"summary", no_argument, NULL, OPT_SUMMARY},
        {"header", no_argument, NULL, OPT_HEADER},
        {"help", no_argument, NULL, 'h'},
        CLI_MODEL_LONGOPTS,
        {NULL, 0, NULL, 0}};
    cli_model_opts mo = {0};
    const char *output = NULL, *arms[64];
    int n_arms = 0;
    long precision = 6;
    double step = 0;
    int c, summary = 0, header = 0;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "o:h", longopts, &mo)) != -1) {
        if (c == -2)
            return 2;
        switch (c) {
        case 'o': output = optarg; break;
        case 'h': fputs(usage, stdout); return 0;
        case OPT_ARM:
            if (cli_add_arm(arms, &n_arms, optarg))
                return 2;
            break;
        case OPT_PRECISION:
            if (cli_parse_int("--precision", optarg, 1, 17, &precision))
                return 2;
            break;
        case OPT_SUMMARY: summary = 1; break;
        case OPT_HEADER: header = 1; break;
        case OPT_STEP:
            if (cli_parse_double("--step", optarg, 1e-6, 1e6, &step))
                return 2;
            break;
        default: fputs(usage, stderr); return 2;
        }
    }
    if (argc - optind != 1) {
        fprintf(stderr, "calcify run: expected one SCENARIO file, got %d\n%s",
                argc - optind, usage);
        return 2;
    }
    calcify_scenario sc;
    int rc = cli_load_scenario(argv[optind], &mo, &sc);
    if (rc)
        return rc;

    unsigned char *selected = NULL;
    calcify_error err;
    calcify_status st = cli_select_arms(&sc, arms, n_arms, &selected, &err);
    calcify_sim *sim = NULL;
    calcify_outfile of = {0};
    if (!st)
        sim = calcify_sim_alloc(&sc.params, sc.method, sc.rtol, sc.atol, &err);
    if (!st && !sim)
        st = CALCIFY_EUSAGE;
    if (!st)
        st = calcify_outfile_open(&of, output, &err);
    if (!st && summary) {
        /* a failed arm is a row too: the rows are kept, the exit status says so */
        calcify_error run_err;
        calcify_status run_st = write_summary(sim, &sc, selected, &mo, header,
                                              (int)precision, of.fp, &run_err);
        st = calcify_outfile_commit(&of, &err);
        if (!st && run_st) {
            st = run_st;
            err = run_err;
        }
    } else if (!st) {
        row_ctx ctx = {of.fp, (int)precision};
        calcify_csv_write_header(of.fp);
        st = calcify_sim_run_scenario(sim, &sc, selected,
                                      step > 0 ? step : sc.output_step,
                                      write_row, &ctx, &err);
        if (st == CALCIFY_EIO)
            st = calcify_fail(&err, CALCIFY_EIO, "%s: write failed",
                              output ? output : "standard output");
        if (!st)
            st = calcify_outfile_commit(&of, &err);
        else
            calcify_outfile_abort(&of);
    }
    calcify_sim_free(sim);
    free(selected);
    calcify_scenario_free(&sc);
    return st ? cli_error(st, err.msg) : 0;
}
