/* cmd_run.c — `calcify run`: a scenario to a long-format CSV time series. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calcify/endpoints.h"
#include "run/meta.h"
#include "calcify/output.h"
#include "calcify/simulate.h"
#include "cli/cli.h"
#include "cli/options.h"
#include "calcify/params.h"
#include "calcify/runner.h"

/* The help page; the options are in src/cli/options.c. */
static const cli_command_doc doc = {
    CLI_CMD_RUN, "run",
    "run SCENARIO [-o FILE] [--arm NAMES]... [--set NAME=VALUE]...\n",
    "Simulate every arm of SCENARIO (or the --arm ones) from the baseline\n"
    "steady state and write one CSV row per arm and output time.\n",
    "Columns: arm, time_d, phase (1-based), the diet of the phase, then the\n"
    "observables, each with its unit in its name (docs/MODEL.md lists them).\n"
    "A row at a phase boundary holds the state at that instant and the new\n"
    "phase's diet.\n"
    "\n"
    "Examples:\n"
    "  calcify run models/vermeer2007.cfg -o out/vermeer.csv\n"
    "  calcify run models/vermeer2007.cfg --arm high_k1 --set warfarin_thalf=20\n"
    "  calcify run models/vermeer2007.cfg --summary --header --at '0,6 w,12 w'\n"
    "  for t in 10 15 20; do\n"
    "    calcify run models/vermeer2007.cfg --summary --set warfarin_thalf=$t\n"
    "  done > thalf.csv\n"};

typedef struct {
    FILE *fp;
    int precision;
} row_ctx;

static int write_row(void *user, const calcify_arm *arm, double t, size_t phase,
                     const double y[], const double obs[])
{
    (void)y;
    row_ctx *c = user;
    return calcify_csv_write_row(c->fp, c->precision, arm->name, t, phase, obs,
                                 calcify_obs_count(arm->obs));
}

/* The number of columns of a time series (calcify_csv_write_header): arm,
 * time_d, phase and one per observable.  Counted, not written out to count
 * its commas: open_memstream's buffer and the formatting took ~110,000
 * instructions of every run; observable names are identifiers, so the
 * header holds no comma of its own. */
static double header_columns(const calcify_scenario *sc)
{
    return 3.0 + (double)calcify_obs_count(sc->obs);
}

/* --doses: one row per dose of the arms run, in time order per arm; every
 * amount in mg per kg body weight (K1 and MK-4 too), an empty field for a
 * bolus's rate and duration. */
static calcify_status write_doses(const calcify_scenario *sc, const unsigned char *selected,
                                  int precision, FILE *fp, calcify_error *err)
{
    fputs("arm,time_d,phase,drug,route,amount_mg_per_kg,rate_mg_per_kg_d,duration_d\n", fp);
    for (size_t k = 0; k < sc->n_arms; k++) {
        if (selected && !selected[k])
            continue;
        calcify_dose_record *r;
        size_t n;
        calcify_status st = calcify_arm_doses(sc, &sc->arms[k], &r, &n, err);
        if (st)
            return st;
        for (size_t i = 0; i < n; i++) {
            fputs(sc->arms[k].name, fp);
            calcify_csv_write_number(fp, precision, r[i].t);
            fprintf(fp, ",%zu,%s,%s", r[i].phase + 1, calcify_paramset_model(&sc->params)->drugs[r[i].drug].name,
                    calcify_route_names[r[i].route]);
            const double v[3] = {r[i].amount_mg_per_kg, r[i].rate_mg_per_kg_d, r[i].duration};
            calcify_csv_write_numbers(fp, precision, v, 3);
            fputc('\n', fp);
        }
        free(r);
    }
    return CALCIFY_OK;
}

/* --summary: one row per arm of endpoints, the --set names echoed first.
 * A failed arm is a row with its status; the status returned is the first
 * failure.  Not inlined: its 34 KB of names and values would sit in
 * cmd_run_owning's frame in every run, and the time series' calls below it
 * touched three more fresh stack pages. */
static __attribute__((noinline)) calcify_status
write_summary(calcify_sim *sim, const calcify_scenario *sc, const unsigned char *selected,
              const cli_model_opts *mo, const cli_endpoint_opts *eo, double step, int header,
              int precision, FILE *fp, calcify_error *err)
{
    char cols[256][128];
    double values[256];
    size_t n = 0;
    for (int i = 0; i < mo->n_sets; i++) {
        char name[128], col[128];
        double v;
        snprintf(name, sizeof name, "%.*s", (int)strcspn(mo->sets[i], "="), mo->sets[i]);
        if (calcify_setting_column(sc, name, col, sizeof col, &v))
            continue;
        size_t k = 0;
        while (k < n && strcmp(cols[k], col) != 0)
            k++;
        /* a name set twice is echoed once, with its last value */
        if (k == n)
            snprintf(cols[n++], sizeof cols[0], "%s", col);
        values[k] = v;
    }
    calcify_endpoints e;
    calcify_probe p = {0};
    calcify_status st = calcify_endpoints_resolve(sc, selected, eo->at, eo->n_at, eo->obs,
                                                  eo->n_obs, &e, err);
    if (!st && step > 0) /* rows on --step (they no longer change AUC, min, max) */
        e.grid = step;
    if (!st)
        st = calcify_endpoints_probe(&e, sc, selected, &p, err);
    size_t ncol = st ? 0 : calcify_endpoints_ncols(&e);
    double *v = st ? NULL : calloc(ncol ? ncol : 1, sizeof *v);
    double *run = st ? NULL : calloc(p.n_out ? p.n_out : 1, sizeof *run);
    unsigned char *arm_status = st ? NULL : calloc(p.n_arms ? p.n_arms : 1, 1);
    calcify_run_cost *cost = st ? NULL : calloc(p.n_arms ? p.n_arms : 1, sizeof *cost);
    if (!st && (!v || !run || !arm_status || !cost))
        st = calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    if (!st && header) {
        for (size_t k = 0; k < n; k++)
            fprintf(fp, "%s,", cols[k]);
        fputs("arm,status", fp);
        calcify_endpoints_write_names(fp, &e);
        fputs(",steps,rhs_evals\n", fp);
    }
    calcify_error ee;
    calcify_status first = st;
    if (!st && (first = calcify_run_status_code(calcify_runner_run(sim, sc, &p, NULL, -1, run,
                                                                   arm_status, cost, &ee))))
        *err = ee;
    for (size_t a = 0; !st && a < p.n_arms; a++) {
        calcify_endpoints_from_probe(&e, &p, a, run, v);
        for (size_t i = 0; i < n; i++) { /* the --set values as given: exact */
            char num[CALCIFY_NUMFMT_CAP];
            calcify_numfmt(num, values[i], CALCIFY_NUMFMT_SHORTEST);
            fprintf(fp, "%s,", num);
        }
        fprintf(fp, "%s,%s", sc->arms[p.arms[a].arm].name,
                calcify_run_status_name(arm_status[a]));
        calcify_endpoints_write_values(fp, precision, v, ncol);
        fprintf(fp, ",%lu,%lu\n", cost[a].steps, cost[a].rhs_evals);
    }
    free(v);
    free(run);
    free(arm_status);
    free(cost);
    calcify_probe_free(&p);
    calcify_endpoints_free(&e);
    return first;
}

/* The options of one run. */
typedef struct {
    cli_model_opts mo;
    const char *output, *meta, *doses, *arms[64];
    int n_arms;
    long precision;
    double step;
    int summary, header, force;
} run_opts;

/* A stage's "carry on" (any other value is the command's exit status). */
enum { RUN_GO_ON = -1 };

/* The options, through the table-driven cli_opts loop; then --at and
 * --observable only with --summary, and one SCENARIO.  RUN_GO_ON, or the
 * exit status. */
static int run_parse_options(int argc, char **argv, cli_endpoint_opts *eo, run_opts *o)
{
    int c;
    cli_opts p;
    cli_opts_begin(&p, &doc, argc, argv, &o->mo);
    while ((c = cli_opts_next(&p)) > 0) {
        switch (c) {
        case 'o': o->output = optarg; break;
        case CLI_OPT_META: o->meta = optarg; break;
        case CLI_OPT_DOSES: o->doses = optarg; break;
        case OPT_B_ARM:
            if (cli_add_arm(o->arms, &o->n_arms, optarg))
                return 2;
            break;
        case CLI_OPT_PRECISION: o->precision = p.l; break;
        case CLI_OPT_SUMMARY: o->summary = 1; break;
        case CLI_OPT_HEADER: o->header = 1; break;
        case CLI_OPT_FORCE: o->force = 1; break;
        case CLI_OPT_STEP: o->step = p.d; break;
        case OPT_AT:
        case OPT_OBSERVABLES:
            if (cli_endpoint_option(eo, c, optarg) < 0)
                return 2;
            break;
        }
    }
    if (c < 0)
        return cli_opts_exit(c);
    if ((eo->n_at || eo->n_obs) && !o->summary) {
        fputs("calcify run: --at and --observable need --summary\n", stderr);
        return 2;
    }
    if (argc - optind != 1) {
        char msg[64];
        snprintf(msg, sizeof msg, "expected one SCENARIO file, got %d", argc - optind);
        return cli_usage_error(&doc, msg);
    }
    return RUN_GO_ON;
}

/* A tiny step would stream rows without end: the time series' rows and
 * bytes checked against the limits before any file is opened.  Not inlined,
 * for its 4 KB message buffer (as write_summary). */
static __attribute__((noinline)) calcify_status
run_check_size(const calcify_scenario *sc, const unsigned char *selected, const run_opts *o,
               calcify_error *err)
{
    double rows = 0, dt = o->step > 0 ? o->step : sc->output_step;
    for (size_t k = 0; k < sc->n_arms; k++)
        if (!selected || selected[k])
            rows += calcify_arm_duration(&sc->arms[k]) / dt + 2;
    /* and its bytes: the columns of the header */
    char what[4200];
    if (o->step > 0)
        snprintf(what, sizeof what, "--step %g d", dt);
    else
        snprintf(what, sizeof what, "%s: output_step = \"%g d\"", sc->path, dt);
    if (o->summary)
        return CALCIFY_OK;
    return cli_check_output(what, rows, header_columns(sc), o->precision, NULL,
                            o->step > 0 ? "step" : "output_step (or --step)", o->force, err);
}

/* The time series to `of`, committed, or on failure left unwritten. */
static calcify_status run_write_series(calcify_sim *sim, const calcify_scenario *sc,
                                       const unsigned char *selected, const run_opts *o,
                                       calcify_outfile *of, calcify_error *err)
{
    row_ctx ctx = {of->fp, (int)o->precision};
    calcify_csv_write_header(of->fp, calcify_obs_names_of(sc->obs), calcify_obs_count(sc->obs));
    calcify_status st = calcify_sim_run_scenario(sim, sc, selected,
                                                 o->step > 0 ? o->step : sc->output_step,
                                                 write_row, &ctx, err);
    if (st == CALCIFY_EIO)
        st = calcify_fail(err, CALCIFY_EIO, "%s: write failed: %s",
                          o->output ? o->output : "standard output", strerror(errno));
    if (!st)
        st = calcify_outfile_commit(of, err);
    else
        calcify_outfile_abort(of);
    return st;
}

/* The command with the lists it allocates owned by the caller, so that
 * every return frees them. */
static int cmd_run_owning(int argc, char **argv, cli_endpoint_opts *eo)
{
    run_opts o = {.precision = CALCIFY_NUMFMT_SHORTEST};
    calcify_error err;
    int rc = run_parse_options(argc, argv, eo, &o);
    if (rc != RUN_GO_ON)
        return rc;
    calcify_scenario sc;
    if ((rc = cli_load_scenario(argv[optind], &o.mo, &sc)))
        return rc;

    unsigned char *selected = NULL;
    calcify_status st = cli_select_arms(&sc, o.arms, o.n_arms, &selected, &err);
    /* --observable names of the scenario's own observables: known now,
     * checked before any file is opened */
    if (!st)
        st = calcify_obs_bind(sc.obs, eo->obs, eo->n_obs, "--observable", CALCIFY_EUSAGE, &err);
    calcify_sim *sim = NULL;
    calcify_outfile of = {0}, mf = {0}, df = {0};
    if (!st)
        st = run_check_size(&sc, selected, &o, &err);
    if (!st)
        sim = calcify_sim_alloc(&sc.params, sc.method, sc.rtol, sc.atol, &err);
    if (!st && !sim)
        st = CALCIFY_EUSAGE;
    if (!st)
        st = calcify_outfile_open(&of, o.output, &err);
    if (!st && o.meta)
        st = calcify_outfile_open(&mf, o.meta, &err);
    if (!st && o.meta && calcify_meta_write(mf.fp, &sc, selected))
        st = calcify_fail(&err, CALCIFY_EIO, "%s: write failed", o.meta);
    if (!st && o.doses)
        st = calcify_outfile_open(&df, o.doses, &err);
    if (!st && o.doses)
        st = write_doses(&sc, selected, (int)o.precision, df.fp, &err);
    if (!st && o.summary) {
        /* a failed arm is a row too: the rows are kept, the exit status says so */
        calcify_error run_err;
        calcify_status run_st = write_summary(sim, &sc, selected, &o.mo, eo, o.step, o.header,
                                              (int)o.precision, of.fp, &run_err);
        st = calcify_outfile_commit(&of, &err);
        if (!st && run_st) {
            st = run_st;
            err = run_err;
        }
    } else if (!st) {
        st = run_write_series(sim, &sc, selected, &o, &of, &err);
    }
    /* the sidecars appear only with their run */
    if (!st && o.meta)
        st = calcify_outfile_commit(&mf, &err);
    if (!st && o.doses)
        st = calcify_outfile_commit(&df, &err);
    calcify_outfile_abort(&mf);
    calcify_outfile_abort(&df);
    calcify_outfile_abort(&of);
    calcify_sim_free(sim);
    free(selected);
    calcify_scenario_free(&sc);
    return st ? cli_error(st, err.msg) : 0;
}

int cmd_run(int argc, char **argv)
{
    /* what a run of a scenario in models/ touches: 170-200 KB of heap,
     * 24 KB of stack below this frame, code all over the program (page
     * faults of a Vermeer run: 98 -> 57 -> 49 -> 36) */
    cli_prefault_heap(192 * 1024);
    cli_prefault_stack(24 * 1024);
    cli_prefault_code();
    cli_endpoint_opts eo = {0};
    int rc = cmd_run_owning(argc, argv, &eo);
    cli_endpoint_opts_free(&eo);
    return rc;
}
