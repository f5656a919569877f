/* cmd_sweep.c — `calcify sweep`: a design of runs, on threads, in shards. */
#include <errno.h>
#include <signal.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "calcify/output.h"
#include "calcify/params.h"
#include "calcify/sweep.h"
#include "cli/cli.h"
#include "cli/options.h"
#include "base/infile.h"
#include "analysis/sweepdir.h"

/* Parameters are named as those of the model parameter files are read for
 * (calcify/params.h): the scenario's. */
#define MD (calcify_params_file_model())

/* The help page; the options are in src/cli/options.c. */
static const cli_command_doc doc = {
    CLI_CMD_SWEEP, "sweep",
    "sweep SCENARIO --vary NAME=LO:HI[:log]... -o DIR [--at T,...]\n"
    "                     [--design grid|lhs|sobol] [--n N] [--seed S]\n"
    "                     [--threads T] [--shard K/N] [--timeseries]\n",
    "Run SCENARIO once per point of a design over the --vary ranges and write\n"
    "  DIR/design.csv      run_id and the varied values of every run\n"
    "  DIR/vary.tsv        each varied name, its column, unit, range and scale\n"
    "                      (linear or log), for plots/sweep.gp\n"
    "  DIR/summary.csv     per run and arm: varied values, status, the same\n"
    "                      endpoints as calcify run --summary (observables at\n"
    "                      the endpoint times, AUC, min, max), steps, RHS calls\n"
    "  DIR/timeseries.csv  with --timeseries: every run's daily rows + run_id\n"
    "  DIR/manifest.txt    written first: calcify version, SHA-256 of the scenario\n"
    "                      and parameter files, --set, solver, design and seed,\n"
    "                      shard and command line (merge and --resume check it)\n"
    "A run's rows are bit-identical whatever --threads and --shard are.  Rows\n"
    "are flushed as runs finish, to summary.csv.part (and timeseries.csv.part),\n"
    "renamed when every run is done.  Ctrl-C or SIGTERM stops after the runs\n"
    "under way (exit 130 or 143); continue with the same command and --resume,\n"
    "also after a SIGKILL or a lost node.\n"
    "status: ok, no_steady_state, solver_failed, or invalid_input (the\n"
    "scenario read with the run's variables was refused).  A run that varies\n"
    "a variable reads the scenario and parameter files again.\n",
    "Example:\n"
    "  calcify sweep models/vermeer2007.cfg --vary warfarin_thalf=5:50:log \\\n"
    "      --vary ca_reg_max=0.005:0.05 --design sobol --n 256 -o out/sweep\n"};

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    stop_signal = sig; /* SA_RESETHAND: a second Ctrl-C ends the process at once */
}

/* Text that fp-writing code produces, captured (malloc'd; NULL on no memory). */
static char *header_text(void (*write)(FILE *, const void *), const void *arg)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    if (!fp)
        return NULL;
    write(fp, arg);
    if (fclose(fp) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

typedef struct {
    const calcify_scenario *sc;
    const calcify_vary *vary;
    size_t n;
    const calcify_endpoints *endpoints;
} sum_header_arg;

static void write_sum_header(FILE *fp, const void *arg)
{
    const sum_header_arg *a = arg;
    calcify_sweep_write_header(fp, a->sc, a->vary, a->n, a->endpoints);
}

static void write_ts_header(FILE *fp, const void *arg)
{
    const calcify_scenario *sc = arg;
    fputs("run_id,", fp);
    calcify_csv_write_header(fp, calcify_obs_names_of(sc->obs), calcify_obs_count(sc->obs));
}

/* Where a resumed shard goes on: the first run_id not yet written whole,
 * and the byte offsets that end the last whole run in each file. */
typedef struct {
    size_t next;            /* first run_id to run                  */
    size_t failed;          /* failed runs among those kept         */
    long sum_end, ts_end;   /* bytes to keep                        */
} resume_point;

/* Scan DIR/summary.csv.part: header, then runs [first, last) of n_sel rows
 * each, arm by arm, until the first row that is not whole and right. */
static calcify_status scan_summary(FILE *fp, const char *path, const char *header,
                                   const char *const *arms, size_t n_sel, int arm_col,
                                   size_t first, size_t last, resume_point *rp,
                                   calcify_error *err)
{
    char *line = NULL;
    size_t cap = 0, k = 0;
    int nfields = sweepdir_count_fields(header, strlen(header) - 1), run_failed = 0;
    rp->next = first;
    rp->failed = 0;
    rp->sum_end = 0;
    ssize_t len = getline(&line, &cap, fp);
    calcify_status st = CALCIFY_OK;
    if (len <= 0 || (size_t)len < strlen(header)) {
        /* killed while the header was written: nothing finished */
        if (len > 0 && strncmp(line, header, (size_t)len) != 0)
            st = calcify_fail(err, CALCIFY_EINPUT, "%s:1: header is not this sweep's "
                              "(expected %.*s)", path, (int)strlen(header) - 1, header);
        free(line);
        return st;
    }
    if (strcmp(line, header) != 0) {
        free(line);
        return calcify_fail(err, CALCIFY_EINPUT, "%s:1: header is not this sweep's "
                            "(expected %.*s)", path, (int)strlen(header) - 1, header);
    }
    long whole = ftell(fp);
    rp->sum_end = whole;
    while (rp->next < last && (len = getline(&line, &cap, fp)) > 0) {
        long id;
        size_t an;
        const char *arm;
        if (sweepdir_row_check(line, (size_t)len, nfields, &id) || id != (long)rp->next ||
            !(arm = sweepdir_field(line, arm_col, &an)) || an != strlen(arms[k]) ||
            memcmp(arm, arms[k], an) != 0)
            break; /* the rest is rerun */
        size_t sn;
        const char *status = sweepdir_field(line, arm_col + 1, &sn);
        run_failed |= !(status && sn == 2 && memcmp(status, "ok", 2) == 0);
        if (++k == n_sel) {
            rp->next++;
            rp->failed += run_failed != 0;
            rp->sum_end = ftell(fp);
            k = 0;
            run_failed = 0;
        }
    }
    free(line);
    return CALCIFY_OK;
}

/* Scan DIR/timeseries.csv.part: keep the header and the rows of runs
 * before `next`. */
static calcify_status scan_timeseries(FILE *fp, const char *path, const char *header,
                                      size_t next, long *end, calcify_error *err)
{
    char *line = NULL;
    size_t cap = 0;
    int nfields = sweepdir_count_fields(header, strlen(header) - 1);
    *end = 0;
    ssize_t len = getline(&line, &cap, fp);
    if (len <= 0 || strcmp(line, header) != 0) {
        int partial = len <= 0 || ((size_t)len < strlen(header) &&
                                   strncmp(line, header, (size_t)len) == 0);
        free(line);
        if (partial && next == 0)
            return CALCIFY_OK;
        return calcify_fail(err, CALCIFY_EINPUT, "%s:1: header is not this sweep's "
                            "(expected %.*s)", path, (int)strlen(header) - 1, header);
    }
    *end = ftell(fp);
    while ((len = getline(&line, &cap, fp)) > 0) {
        long id;
        if (sweepdir_row_check(line, (size_t)len, nfields, &id) || id >= (long)next)
            break;
        *end = ftell(fp);
    }
    free(line);
    return CALCIFY_OK;
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Write text to DIR/NAME through a temporary file. */
static calcify_status write_whole(const char *path, const char *text, calcify_error *err)
{
    calcify_outfile of;
    calcify_status st = calcify_outfile_open(&of, path, err);
    if (st)
        return st;
    fputs(text, of.fp);
    return calcify_outfile_commit(&of, err);
}

/* DIR/design.csv: the whole design, in every shard (merge checks that the
 * shards agree on it); the same bytes each time it is written. */
static calcify_status write_design(const char *path, calcify_design *listing,
                                   const calcify_scenario *sc, const calcify_vary *vary,
                                   size_t n_vary, calcify_error *err)
{
    calcify_outfile fd;
    calcify_status st = calcify_outfile_open(&fd, path, err);
    if (st)
        return st;
    double v[CALCIFY_MAX_PARAM + CALCIFY_SWEEP_MAX_VARS];
    fputs("run_id", fd.fp);
    for (size_t j = 0; j < n_vary; j++) {
        char col[128];
        fprintf(fd.fp, ",%s", calcify_sweep_column(sc, &vary[j], col, sizeof col));
    }
    fputc('\n', fd.fp);
    for (long id; (id = calcify_design_next(listing, v)) >= 0;) {
        fprintf(fd.fp, "%ld", id);
        calcify_csv_write_numbers(fd.fp, CALCIFY_NUMFMT_SHORTEST, v, n_vary);
        fputc('\n', fd.fp);
    }
    return calcify_outfile_commit(&fd, err);
}

/* DIR/vary.tsv: what the figures need, the names, units and scales of the
 * varied columns. */
static calcify_status write_vary_tsv(const char *path, const calcify_scenario *sc,
                                     const calcify_vary *vary, size_t n_vary,
                                     calcify_error *err)
{
    calcify_outfile fv;
    calcify_status st = calcify_outfile_open(&fv, path, err);
    if (st)
        return st;
    fputs("name\tcolumn\tunit\tlo\thi\tscale\n", fv.fp);
    for (size_t j = 0; j < n_vary; j++) {
        char col[128];
        fprintf(fv.fp, "%s\t%s\t%s\t%.17g\t%.17g\t%s\n", vary[j].name,
                calcify_sweep_column(sc, &vary[j], col, sizeof col),
                vary[j].unit[0] ? vary[j].unit : "1", vary[j].lo, vary[j].hi,
                vary[j].log ? "log" : "linear");
    }
    return calcify_outfile_commit(&fv, err);
}

/* each parameter and each variable at most once */
enum { MAX_VARY = CALCIFY_MAX_PARAM + CALCIFY_SWEEP_MAX_VARS };

/* A stage's "carry on" (any other value is the command's exit status). */
enum { SWEEP_GO_ON = -1 };

/* Everything one sweep holds, from its options to its open files; freed by
 * sweep_job_free. */
typedef struct {
    int argc;
    char **argv;
    cli_endpoint_opts *eo;
    /* the options */
    cli_model_opts mo;
    calcify_vary vary[MAX_VARY];
    const char *vary_spec[MAX_VARY];
    size_t n_vary;
    const char *dir, *arms[64];
    int n_arms, quiet, keep_going, timeseries, resume, force;
    long n, seed, threads, precision;
    long shard_k, shard_n;
    double step;
    int kind;
    calcify_error err;
    /* the plan */
    calcify_scenario sc;
    int sc_loaded;
    unsigned char *selected;
    calcify_endpoints endpoints;
    calcify_design *design, *listing;
    size_t runs, first, last;
    const char **sel;   /* the selected arms' names, in order */
    size_t n_sel;
    double sum_rows, ts_rows;
    char *sum_header, *ts_header;
    char *manifest, *cmdline;
    size_t mlen;
    /* the folder */
    char p_manifest[4096], p_design[4096], p_sum[4096], p_ts[4096], p_sum_part[4096],
         p_ts_part[4096], p_vary[4096];
    int continuing, complete;
    resume_point rp;
    FILE *fs, *ft;
    calcify_sweep_stats stats;
} sweep_job;

/* What the folder check ignores in a manifest, and the files a sweep writes. */
static const char *const ignore[] = {"command", "scenario", "parameters", NULL};
static const char *const writes[] = {SWEEPDIR_MANIFEST, "design.csv", "vary.tsv",
                                     "summary.csv", "summary.csv.part", "timeseries.csv",
                                     "timeseries.csv.part", NULL};

static void sweep_job_free(sweep_job *j)
{
    /* open only when a --resume failed after reopening them: nothing buffered */
    if (j->fs)
        fclose(j->fs);
    if (j->ft)
        fclose(j->ft);
    free(j->manifest);
    free(j->cmdline);
    free(j->sel);
    free(j->sum_header);
    free(j->ts_header);
    calcify_design_free(j->design);
    calcify_design_free(j->listing);
    calcify_endpoints_free(&j->endpoints);
    free(j->selected);
    if (j->sc_loaded)
        calcify_scenario_free(&j->sc);
}

/* The options, through the table-driven cli_opts loop; then one SCENARIO,
 * --vary and -o are there.  SWEEP_GO_ON, or the exit status. */
static int sweep_parse_options(sweep_job *j)
{
    int c;
    cli_opts p;
    cli_opts_begin(&p, &doc, j->argc, j->argv, &j->mo);
    while ((c = cli_opts_next(&p)) > 0) {
        switch (c) {
        case CLI_OPT_VARY:
            if (j->n_vary == MD->n_param + CALCIFY_SWEEP_MAX_VARS) {
                fprintf(stderr, "calcify: at most %d --vary\n",
                        (int)(MD->n_param + CALCIFY_SWEEP_MAX_VARS));
                return 2;
            }
            j->vary_spec[j->n_vary++] = optarg; /* parsed once the scenario (its vars) is known */
            break;
        case OPT_AT:
        case OPT_OBSERVABLES:
            if (cli_endpoint_option(j->eo, c, optarg) < 0)
                return 2;
            break;
        case CLI_OPT_DESIGN:
            if ((j->kind = calcify_design_kind_parse(optarg)) < 0) {
                fprintf(stderr, "calcify: --design '%s': expected grid, lhs or sobol\n", optarg);
                return 2;
            }
            break;
        case CLI_OPT_N: j->n = p.l; break;
        case CLI_OPT_SEED: j->seed = p.l; break;
        case CLI_OPT_THREADS: j->threads = p.l; break;
        case CLI_OPT_SHARD:
            if (cli_parse_shard(optarg, &j->shard_k, &j->shard_n))
                return 2;
            break;
        case CLI_OPT_TIMESERIES: j->timeseries = 1; break;
        case CLI_OPT_KEEP_GOING: j->keep_going = 1; break;
        case CLI_OPT_RESUME: j->resume = 1; break;
        case CLI_OPT_FORCE: j->force = 1; break;
        case CLI_OPT_PRECISION: j->precision = p.l; break;
        case CLI_OPT_STEP: j->step = p.d; break;
        case OPT_B_ARM:
            if (cli_add_arm(j->arms, &j->n_arms, optarg))
                return 2;
            break;
        case 'o': j->dir = optarg; break;
        case 'q': j->quiet = 1; break;
        }
    }
    if (c < 0)
        return cli_opts_exit(c);
    if (j->argc - optind != 1 || !j->dir || j->n_vary == 0)
        return cli_usage_error(&doc, "expected one SCENARIO, at least one --vary and -o DIR");
    return SWEEP_GO_ON;
}

/* Each --vary read against the scenario: a known name, a range admissible
 * at both ends, settable, and not given twice.  SWEEP_GO_ON, or the exit
 * status. */
static int sweep_check_vary(sweep_job *j)
{
    calcify_vary *vary = j->vary;
    for (size_t i = 0; i < j->n_vary; i++) {
        if (calcify_vary_parse_in(j->vary_spec[i], &j->sc, &vary[i], &j->err))
            return cli_error(CALCIFY_EUSAGE, j->err.msg);
        /* a variable's range is admissible where the variable is used iff
         * both ends are (the checks are bounds): try them now, so a bad range
         * is file:line and exit 2, not a sweep of failed runs */
        for (int end = 0; vary[i].var >= 0 && end < 2; end++) {
            char set[160];
            const char *one[1] = {set};
            calcify_scenario probe;
            snprintf(set, sizeof set, "%s=%.17g%s%s", vary[i].name,
                     end ? vary[i].hi : vary[i].lo, vary[i].unit[0] ? " " : "", vary[i].unit);
            calcify_status pst = calcify_scenario_reload(&j->sc, one, 1, &probe, &j->err);
            calcify_scenario_free(&probe);
            if (pst) {
                char msg[sizeof j->err.msg + 64];
                snprintf(msg, sizeof msg, "--vary '%s': %s", j->vary_spec[i], j->err.msg);
                return cli_error(pst, msg);
            }
        }
        if (cli_check_settable(&j->sc, &vary[i].param, 1, "--vary"))
            return 2;
        for (size_t k = 0; k < i; k++)
            if (strcmp(vary[i].name, vary[k].name) == 0) {
                fprintf(stderr, "calcify: --vary %s given twice\n", vary[i].name);
                return 2;
            }
    }
    return SWEEP_GO_ON;
}

/* The plan: arms, endpoints, the design and this shard's runs, the header
 * rows, and the size limits, before the folder is touched. */
static calcify_status sweep_plan(sweep_job *j)
{
    calcify_scenario *sc = &j->sc;
    calcify_error *err = &j->err;
    calcify_status st = cli_select_arms(sc, j->arms, j->n_arms, &j->selected, err);
    if (!st)
        st = calcify_endpoints_resolve(sc, j->selected, j->eo->at, j->eo->n_at, j->eo->obs,
                                       j->eo->n_obs, &j->endpoints, err);
    if (!st && (!(j->design = calcify_design_alloc(j->kind, j->vary, j->n_vary, (size_t)j->n,
                                                   (unsigned long)j->seed, err)) ||
                !(j->listing = calcify_design_alloc(j->kind, j->vary, j->n_vary, (size_t)j->n,
                                                    (unsigned long)j->seed, err))))
        st = calcify_design_alloc_status();
    j->runs = j->design ? calcify_design_runs(j->design) : 0;
    /* contiguous blocks: shard K of N holds [(K-1)·R/N, K·R/N) */
    j->first = (size_t)((unsigned long long)(j->shard_k - 1) * j->runs /
                        (unsigned long long)j->shard_n);
    j->last = (size_t)((unsigned long long)j->shard_k * j->runs / (unsigned long long)j->shard_n);

    /* the selected arms, in order: each run writes one summary row per arm */
    j->sel = st ? NULL : calloc(sc->n_arms, sizeof *j->sel);
    if (!st && !j->sel)
        st = calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    for (size_t k = 0; !st && k < sc->n_arms; k++)
        if (!j->selected || j->selected[k]) {
            j->sel[j->n_sel++] = sc->arms[k].name;
            j->ts_rows += calcify_arm_duration(&sc->arms[k]) / j->step + 2;
        }
    j->sum_rows = (double)(j->last - j->first) * (double)j->n_sel;
    j->ts_rows *= j->timeseries ? (double)(j->last - j->first) : 0;

    /* the header rows: the summary's columns follow --vary, --at, --observable */
    sum_header_arg sha = {sc, j->vary, j->n_vary, &j->endpoints};
    j->sum_header = st ? NULL : header_text(write_sum_header, &sha);
    j->ts_header = st ? NULL : header_text(write_ts_header, sc);
    if (!st && (!j->sum_header || !j->ts_header))
        st = calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    /* the size limits, rows and estimated bytes, before the folder is touched */
    if (!st)
        st = cli_check_output("this sweep", j->sum_rows,
                              sweepdir_count_fields(j->sum_header, strlen(j->sum_header)),
                              j->precision, "summary", "--n or --step", j->force, err);
    if (!st)
        st = cli_check_output("this sweep", j->ts_rows,
                              sweepdir_count_fields(j->ts_header, strlen(j->ts_header)),
                              j->precision, "time-series", "--n or --step", j->force, err);
    return st;
}

/* The manifest: everything that decides the bytes of the results. */
static calcify_status sweep_manifest(sweep_job *j)
{
    char **manifest = &j->manifest;
    size_t *mlen = &j->mlen;
    calcify_status st = sweepdir_manifest_begin(
        manifest, mlen, "calcify sweep manifest: written first; sweep --resume and merge "
        "refuse folders whose manifests differ (but for shard, command and paths)",
        &j->sc, j->mo.params, j->mo.sets, j->mo.n_sets, &j->err);
    if (st)
        return st;
    /* lists of any length, never cut: each goes into one manifest line */
    char *abuf = NULL, *vbuf = sweepdir_vary_text(j->vary, j->n_vary);
    size_t alen;
    FILE *fa = open_memstream(&abuf, &alen);
    for (size_t k = 0; fa && k < j->n_sel; k++)
        fprintf(fa, "%s%s", k ? " " : "", j->sel[k]);
    int closed_bad = !fa || fclose(fa) != 0;
    static const char *const kinds[] = {"grid", "lhs", "sobol"};
    j->cmdline = sweepdir_command_line(j->argc, j->argv);
    int bad = !j->cmdline || !vbuf || closed_bad;
    bad |= sweepdir_manifest_add(manifest, mlen, "design", "%s", kinds[j->kind]);
    bad |= sweepdir_manifest_add(manifest, mlen, "n", "%ld", j->n);
    bad |= sweepdir_manifest_add(manifest, mlen, "seed", "%ld", j->seed);
    bad |= sweepdir_manifest_add(manifest, mlen, "vary", "%s", vbuf);
    bad |= sweepdir_manifest_add(manifest, mlen, "runs", "%zu", j->runs);
    bad |= sweepdir_manifest_add(manifest, mlen, "arms", "%s", abuf);
    bad |= sweepdir_manifest_add(manifest, mlen, "summary_columns", "%.*s",
                                 (int)strlen(j->sum_header) - 1, j->sum_header);
    bad |= sweepdir_manifest_add(manifest, mlen, "precision", "%ld", j->precision);
    if (j->timeseries)
        bad |= sweepdir_manifest_add(manifest, mlen, "timeseries_step_d", "%.17g", j->step);
    else
        bad |= sweepdir_manifest_add(manifest, mlen, "timeseries_step_d", "none");
    bad |= sweepdir_manifest_add(manifest, mlen, "shard", "%ld/%ld", j->shard_k, j->shard_n);
    bad |= sweepdir_manifest_add(manifest, mlen, "command", "%s", j->cmdline);
    free(vbuf);
    free(abuf);
    if (bad)
        st = calcify_fail(&j->err, CALCIFY_ENOMEM, "out of memory");
    return st;
}

/* The paths of the files in DIR. */
static void sweep_paths(sweep_job *j)
{
    const char *dir = j->dir;
    snprintf(j->p_manifest, sizeof j->p_manifest, "%s/" SWEEPDIR_MANIFEST, dir);
    snprintf(j->p_vary, sizeof j->p_vary, "%s/vary.tsv", dir);
    snprintf(j->p_design, sizeof j->p_design, "%s/design.csv", dir);
    snprintf(j->p_sum, sizeof j->p_sum, "%s/summary.csv", dir);
    snprintf(j->p_ts, sizeof j->p_ts, "%s/timeseries.csv", dir);
    snprintf(j->p_sum_part, sizeof j->p_sum_part, "%s/summary.csv.part", dir);
    snprintf(j->p_ts_part, sizeof j->p_ts_part, "%s/timeseries.csv.part", dir);
}

/* --resume of an unfinished folder: keep the whole runs of the .part files,
 * cut the rest, and reopen them to append. */
static calcify_status sweep_continue(sweep_job *j)
{
    calcify_error *err = &j->err;
    calcify_status st = CALCIFY_OK;
    FILE *scan = fopen(j->p_sum_part, "r");
    if (!scan)
        st = calcify_fail(err, CALCIFY_EIO, "%s: cannot open: %s", j->p_sum_part,
                          strerror(errno));
    if (!st)
        st = scan_summary(scan, j->p_sum_part, j->sum_header, j->sel, j->n_sel,
                          1 + (int)j->n_vary, j->first, j->last, &j->rp, err);
    if (scan)
        fclose(scan);
    if (!st && j->timeseries) {
        scan = fopen(j->p_ts_part, "r");
        if (scan) {
            st = scan_timeseries(scan, j->p_ts_part, j->ts_header, j->rp.next, &j->rp.ts_end,
                                 err);
            fclose(scan);
        } else if (j->rp.next > j->first) {
            st = calcify_fail(err, CALCIFY_EINPUT, "%s: missing (expected the time "
                              "series of the %zu runs in %s)", j->p_ts_part,
                              j->rp.next - j->first, j->p_sum_part);
        }
    }
    /* design.csv again (a lost or edited one would stop merge) */
    if (!st)
        st = write_design(j->p_design, j->listing, &j->sc, j->vary, j->n_vary, err);
    if (!st)
        st = write_vary_tsv(j->p_vary, &j->sc, j->vary, j->n_vary, err);
    if (!st)
        j->fs = sweepdir_reopen_cut(j->p_sum_part, j->rp.sum_end, err, &st);
    if (!st && j->timeseries) {
        if (!exists(j->p_ts_part) && (j->ft = fopen(j->p_ts_part, "w")))
            fclose(j->ft);
        j->ft = sweepdir_reopen_cut(j->p_ts_part, j->rp.ts_end, err, &st);
    }
    if (!st && j->rp.sum_end == 0)
        fputs(j->sum_header, j->fs);
    if (!st && j->timeseries && j->rp.ts_end == 0)
        fputs(j->ts_header, j->ft);
    if (!st)
        fprintf(stderr, "calcify: %s: %zu of %zu runs kept, running the other %zu\n",
                j->dir, j->rp.next - j->first, j->last - j->first, j->last - j->rp.next);
    return st;
}

/* A fresh start: the folder, the manifest, design.csv, vary.tsv and the
 * .part files with their headers; on failure nothing is left behind. */
static calcify_status sweep_start(sweep_job *j)
{
    calcify_error *err = &j->err;
    char *made = NULL;
    calcify_status st = calcify_dir_make(j->dir, &made, err);
    /* files of an earlier sweep must not pass as this one's */
    if (!st && ((unlink(j->p_sum) && errno != ENOENT) || (unlink(j->p_ts) && errno != ENOENT) ||
                (unlink(j->p_ts_part) && errno != ENOENT)))
        st = calcify_fail(err, CALCIFY_EIO, "%s: cannot remove the files of an "
                          "earlier sweep: %s", j->dir, strerror(errno));
    if (!st)
        st = write_whole(j->p_manifest, j->manifest, err);
    if (!st)
        st = write_design(j->p_design, j->listing, &j->sc, j->vary, j->n_vary, err);
    if (!st)
        st = write_vary_tsv(j->p_vary, &j->sc, j->vary, j->n_vary, err);
    if (!st && !(j->fs = fopen(j->p_sum_part, "w")))
        st = calcify_fail(err, CALCIFY_EIO, "%s: cannot create: %s", j->p_sum_part,
                          strerror(errno));
    if (!st && j->timeseries && !(j->ft = fopen(j->p_ts_part, "w")))
        st = calcify_fail(err, CALCIFY_EIO, "%s: cannot create: %s", j->p_ts_part,
                          strerror(errno));
    if (!st) {
        fputs(j->sum_header, j->fs);
        if (j->ft)
            fputs(j->ts_header, j->ft);
    }
    if (st) { /* nothing was run: leave nothing */
        if (j->fs)
            fclose(j->fs);
        j->fs = NULL;
        unlink(j->p_sum_part);
        unlink(j->p_ts_part);
        if (made) {
            unlink(j->p_manifest);
            unlink(j->p_design);
            unlink(j->p_vary);
            calcify_dir_unmake(j->dir, made);
        }
    }
    free(made);
    return st;
}

/* What the folder holds decides: start, continue, or refuse (the same
 * check as gsa, population and merge; another sweep's folder, finished
 * or not, is neither continued nor replaced unasked). */
static calcify_status sweep_open(sweep_job *j)
{
    calcify_status st = sweepdir_check_outdir(j->dir, writes, j->manifest, ignore, j->resume,
                                         j->force, "--resume to continue the sweep that made "
                                         "it, --force to replace its files", &j->err);
    int state = st ? 0 : sweepdir_resume_state(j->dir, j->manifest, ignore, j->resume,
                                               "summary.csv", "summary.csv.part");
    j->continuing = state == 1;
    j->complete = state == 2;
    /* a SIGKILL while design.csv or vary.tsv was written leaves its
     * temporary file: removed from a folder this sweep may write */
    if (!st)
        st = sweepdir_remove_temporaries(j->dir, writes, &j->err);
    if (st)
        return st;
    if (j->complete) {
        fprintf(stderr, "calcify: %s is complete: nothing to resume\n", j->dir);
        return CALCIFY_OK;
    }
    return j->continuing ? sweep_continue(j) : sweep_start(j);
}

/* The runs, with Ctrl-C and SIGTERM stopping after those under way; then
 * the .part files closed and, when every run is done, renamed. */
static calcify_status sweep_run(sweep_job *j)
{
    calcify_error *err = &j->err;
    calcify_status st = CALCIFY_OK;
    FILE *fs = j->fs, *ft = j->ft;
    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    cli_progress ps;
    cli_progress_init(&ps, "sweep", j->quiet);
    calcify_sweep_opts o = {
        .sc = &j->sc, .selected = j->selected, .vary = j->vary, .n_vary = j->n_vary,
        .endpoints = &j->endpoints,
        .design = j->design, .first = j->rp.next, .last = j->last,
        .threads = (int)j->threads, .precision = (int)j->precision,
        .summary = fs, .timeseries = j->timeseries ? ft : NULL,
        .timeseries_step = j->step, .progress = cli_progress_update, .user = &ps,
        .flush_each_run = 1, .stop = &stop_signal,
        .summary_name = j->p_sum_part, .timeseries_name = j->p_ts_part};
    if (fflush(fs) != 0 || (ft && fflush(ft) != 0))
        st = calcify_fail(err, CALCIFY_EIO, "%s: write failed: %s",
                          ferror(fs) ? j->p_sum_part : j->p_ts_part, strerror(errno));
    if (!st)
        st = calcify_sweep_run(&o, &j->stats, err);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    j->stats.failed += j->rp.failed;
    int e = 0;
    const char *bad = NULL;
    j->fs = j->ft = NULL;
    if (fclose(fs) != 0)
        e = errno, bad = j->p_sum_part;
    if (ft && fclose(ft) != 0)
        e = errno, bad = j->p_ts_part;
    if (!st && e)
        st = calcify_fail(err, CALCIFY_EIO, "%s: write failed: %s", bad, strerror(e));
    int done = !st && !j->stats.stopped;
    if (done && j->timeseries && rename(j->p_ts_part, j->p_ts) != 0)
        st = calcify_fail(err, CALCIFY_EIO, "%s: cannot rename: %s", j->p_ts_part,
                          strerror(errno));
    if (done && !st && rename(j->p_sum_part, j->p_sum) != 0)
        st = calcify_fail(err, CALCIFY_EIO, "%s: cannot rename: %s", j->p_sum_part,
                          strerror(errno));
    return st;
}

/* The exit status, with what stopped or failed said on stderr. */
static int sweep_report(const sweep_job *j, calcify_status st)
{
    if (st)
        return cli_error(st, j->err.msg);
    if (j->stats.stopped) {
        fprintf(stderr, "\ncalcify: stopped by signal %d after %zu of %zu runs (kept in "
                "%s); continue with the same command and --resume\n", (int)stop_signal,
                j->rp.next - j->first + j->stats.runs, j->last - j->first, j->p_sum_part);
        return 128 + (int)stop_signal;
    }
    if (j->stats.failed) {
        fprintf(stderr, "calcify: %zu of %zu runs failed (recorded in %s/summary.csv "
                "with their status)\n", j->stats.failed, j->last - j->first, j->dir);
        return j->keep_going ? 0 : 1;
    }
    return 0;
}

/* The command with the lists it allocates owned by the caller, so that
 * every return frees them. */
static int cmd_sweep_owning(int argc, char **argv, cli_endpoint_opts *eo)
{
    sweep_job j = {.argc = argc, .argv = argv, .eo = eo, .n = 100, .seed = 1,
                   .threads = sysconf(_SC_NPROCESSORS_ONLN),
                   .precision = CALCIFY_NUMFMT_SHORTEST, .shard_k = 1, .shard_n = 1,
                   .step = 1.0, .kind = CALCIFY_DESIGN_LHS};
    int rc = sweep_parse_options(&j);
    if (rc != SWEEP_GO_ON)
        return rc;
    if ((rc = cli_load_scenario(argv[optind], &j.mo, &j.sc)))
        return rc;
    j.sc_loaded = 1;
    calcify_status st = CALCIFY_OK;
    if ((rc = sweep_check_vary(&j)) == SWEEP_GO_ON) {
        st = sweep_plan(&j);
        if (!st)
            st = sweep_manifest(&j);
        sweep_paths(&j);
        j.rp = (resume_point){j.first, 0, 0, 0};
        if (!st)
            st = sweep_open(&j);
        if (!st && !j.complete)
            st = sweep_run(&j);
        rc = sweep_report(&j, st);
    }
    sweep_job_free(&j);
    return rc;
}

int cmd_sweep(int argc, char **argv)
{
    cli_endpoint_opts eo = {0};
    int rc = cmd_sweep_owning(argc, argv, &eo);
    cli_endpoint_opts_free(&eo);
    return rc;
}
