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
#include "cli/sweepdir.h"

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
    double v[CALCIFY_NPARAM + CALCIFY_SWEEP_MAX_VARS];
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

/* The command with the lists it allocates owned by the caller, so that
 * every return frees them. */
static int cmd_sweep_owning(int argc, char **argv, cli_endpoint_opts *eo)
{
    cli_model_opts mo = {0};
    /* each parameter and each variable at most once */
    enum { MAX_VARY = CALCIFY_NPARAM + CALCIFY_SWEEP_MAX_VARS };
    calcify_vary vary[MAX_VARY];
    const char *vary_spec[MAX_VARY];
    size_t n_vary = 0;
    const char *dir = NULL, *arms[64];
    int n_arms = 0, quiet = 0, keep_going = 0, timeseries = 0, resume = 0, force = 0, c;
    long n = 100, seed = 1, threads = sysconf(_SC_NPROCESSORS_ONLN), precision = CALCIFY_NUMFMT_SHORTEST;
    long shard_k = 1, shard_n = 1;
    double step = 1.0;
    int kind = CALCIFY_DESIGN_LHS;
    calcify_error err;
    cli_opts p;
    cli_opts_begin(&p, &doc, argc, argv, &mo);
    while ((c = cli_opts_next(&p)) > 0) {
        switch (c) {
        case CLI_OPT_VARY:
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
        case CLI_OPT_DESIGN:
            if ((kind = calcify_design_kind_parse(optarg)) < 0) {
                fprintf(stderr, "calcify: --design '%s': expected grid, lhs or sobol\n", optarg);
                return 2;
            }
            break;
        case CLI_OPT_N: n = p.l; break;
        case CLI_OPT_SEED: seed = p.l; break;
        case CLI_OPT_THREADS: threads = p.l; break;
        case CLI_OPT_SHARD:
            if (cli_parse_shard(optarg, &shard_k, &shard_n))
                return 2;
            break;
        case CLI_OPT_TIMESERIES: timeseries = 1; break;
        case CLI_OPT_KEEP_GOING: keep_going = 1; break;
        case CLI_OPT_RESUME: resume = 1; break;
        case CLI_OPT_FORCE: force = 1; break;
        case CLI_OPT_PRECISION: precision = p.l; break;
        case CLI_OPT_STEP: step = p.d; break;
        case OPT_B_ARM:
            if (cli_add_arm(arms, &n_arms, optarg))
                return 2;
            break;
        case 'o': dir = optarg; break;
        case 'q': quiet = 1; break;
        }
    }
    if (c < 0)
        return cli_opts_exit(c);
    if (argc - optind != 1 || !dir || n_vary == 0)
        return cli_usage_error(&doc, "expected one SCENARIO, at least one --vary and -o DIR");
    calcify_scenario sc;
    int rc = cli_load_scenario(argv[optind], &mo, &sc);
    if (rc)
        return rc;
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
        if (cli_check_settable(&sc, &vary[i].param, 1, "--vary")) {
            calcify_scenario_free(&sc);
            return 2;
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
        st = calcify_endpoints_resolve(&sc, selected, eo->at, eo->n_at, eo->obs, eo->n_obs,
                                       &endpoints, &err);
    calcify_design *design = NULL, *listing = NULL;
    if (!st && (!(design = calcify_design_alloc(kind, vary, n_vary, (size_t)n, (unsigned long)seed, &err)) ||
                !(listing = calcify_design_alloc(kind, vary, n_vary, (size_t)n, (unsigned long)seed, &err))))
        st = calcify_design_alloc_status();
    size_t runs = design ? calcify_design_runs(design) : 0;
    /* contiguous blocks: shard K of N holds [(K-1)·R/N, K·R/N) */
    size_t first = (size_t)((unsigned long long)(shard_k - 1) * runs / (unsigned long long)shard_n);
    size_t last = (size_t)((unsigned long long)shard_k * runs / (unsigned long long)shard_n);

    /* the selected arms, in order: each run writes one summary row per arm */
    const char **sel = st ? NULL : calloc(sc.n_arms, sizeof *sel);
    size_t n_sel = 0;
    double ts_rows = 0;
    if (!st && !sel)
        st = calcify_fail(&err, CALCIFY_ENOMEM, "out of memory");
    for (size_t k = 0; !st && k < sc.n_arms; k++)
        if (!selected || selected[k]) {
            sel[n_sel++] = sc.arms[k].name;
            ts_rows += calcify_arm_duration(&sc.arms[k]) / step + 2;
        }
    double sum_rows = (double)(last - first) * (double)n_sel;
    ts_rows *= timeseries ? (double)(last - first) : 0;

    /* the header rows: the summary's columns follow --vary, --at, --observable */
    sum_header_arg sha = {&sc, vary, n_vary, &endpoints};
    char *sum_header = st ? NULL : header_text(write_sum_header, &sha);
    char *ts_header = st ? NULL : header_text(write_ts_header, &sc);
    if (!st && (!sum_header || !ts_header))
        st = calcify_fail(&err, CALCIFY_ENOMEM, "out of memory");
    /* the size limits, rows and estimated bytes, before the folder is touched */
    if (!st)
        st = cli_check_output("this sweep", sum_rows,
                              sweepdir_count_fields(sum_header, strlen(sum_header)), precision,
                              "summary", "--n or --step", force, &err);
    if (!st)
        st = cli_check_output("this sweep", ts_rows,
                              sweepdir_count_fields(ts_header, strlen(ts_header)), precision,
                              "time-series", "--n or --step", force, &err);

    /* the manifest: everything that decides the bytes of the results */
    char *manifest = NULL, *cmdline = NULL;
    size_t mlen = 0;
    if (!st)
        st = sweepdir_manifest_begin(&manifest, &mlen, "calcify sweep manifest: written "
                                     "first; sweep --resume and merge refuse folders whose "
                                     "manifests differ (but for shard, command and paths)",
                                     &sc, mo.params, mo.sets, mo.n_sets, &err);
    if (!st) {
        /* lists of any length, never cut: each goes into one manifest line */
        char *abuf = NULL, *vbuf = sweepdir_vary_text(vary, n_vary);
        size_t alen;
        FILE *fa = open_memstream(&abuf, &alen);
        for (size_t j = 0; fa && j < n_sel; j++)
            fprintf(fa, "%s%s", j ? " " : "", sel[j]);
        int closed_bad = !fa || fclose(fa) != 0;
        static const char *const kinds[] = {"grid", "lhs", "sobol"};
        cmdline = sweepdir_command_line(argc, argv);
        int bad = !cmdline || !vbuf || closed_bad;
        bad |= sweepdir_manifest_add(&manifest, &mlen, "design", "%s", kinds[kind]);
        bad |= sweepdir_manifest_add(&manifest, &mlen, "n", "%ld", n);
        bad |= sweepdir_manifest_add(&manifest, &mlen, "seed", "%ld", seed);
        bad |= sweepdir_manifest_add(&manifest, &mlen, "vary", "%s", vbuf);
        bad |= sweepdir_manifest_add(&manifest, &mlen, "runs", "%zu", runs);
        bad |= sweepdir_manifest_add(&manifest, &mlen, "arms", "%s", abuf);
        bad |= sweepdir_manifest_add(&manifest, &mlen, "summary_columns", "%.*s",
                                     (int)strlen(sum_header) - 1, sum_header);
        bad |= sweepdir_manifest_add(&manifest, &mlen, "precision", "%ld", precision);
        if (timeseries)
            bad |= sweepdir_manifest_add(&manifest, &mlen, "timeseries_step_d", "%.17g", step);
        else
            bad |= sweepdir_manifest_add(&manifest, &mlen, "timeseries_step_d", "none");
        bad |= sweepdir_manifest_add(&manifest, &mlen, "shard", "%ld/%ld", shard_k, shard_n);
        bad |= sweepdir_manifest_add(&manifest, &mlen, "command", "%s", cmdline);
        free(vbuf);
        free(abuf);
        if (bad)
            st = calcify_fail(&err, CALCIFY_ENOMEM, "out of memory");
    }

    char p_manifest[4096], p_design[4096], p_sum[4096], p_ts[4096], p_sum_part[4096],
         p_ts_part[4096];
    snprintf(p_manifest, sizeof p_manifest, "%s/" SWEEPDIR_MANIFEST, dir);
    char p_vary[4096];
    snprintf(p_vary, sizeof p_vary, "%s/vary.tsv", dir);
    snprintf(p_design, sizeof p_design, "%s/design.csv", dir);
    snprintf(p_sum, sizeof p_sum, "%s/summary.csv", dir);
    snprintf(p_ts, sizeof p_ts, "%s/timeseries.csv", dir);
    snprintf(p_sum_part, sizeof p_sum_part, "%s/summary.csv.part", dir);
    snprintf(p_ts_part, sizeof p_ts_part, "%s/timeseries.csv.part", dir);

    /* what the folder holds decides: start, continue, or refuse (the same
     * check as gsa, population and merge; another sweep's folder, finished
     * or not, is neither continued nor replaced unasked) */
    static const char *const ignore[] = {"command", "scenario", "parameters", NULL};
    static const char *const writes[] = {SWEEPDIR_MANIFEST, "design.csv", "vary.tsv",
                                         "summary.csv", "summary.csv.part", "timeseries.csv",
                                         "timeseries.csv.part", NULL};
    if (!st)
        st = cli_check_outdir(dir, writes, manifest, ignore, resume, force,
                              "--resume to continue the sweep that made it, --force to "
                              "replace its files", &err);
    int state = st ? 0 : sweepdir_resume_state(dir, manifest, ignore, resume, "summary.csv",
                                               "summary.csv.part");
    int continuing = state == 1, complete = state == 2;
    resume_point rp = {first, 0, 0, 0};
    /* a SIGKILL while design.csv or vary.tsv was written leaves its
     * temporary file: removed from a folder this sweep may write */
    if (!st)
        st = sweepdir_remove_temporaries(dir, writes, &err);

    calcify_sweep_stats stats = {0};
    FILE *fs = NULL, *ft = NULL;
    char *made = NULL;
    if (!st && complete) {
        fprintf(stderr, "calcify: %s is complete: nothing to resume\n", dir);
    } else if (!st && continuing) {
        FILE *scan = fopen(p_sum_part, "r");
        if (!scan)
            st = calcify_fail(&err, CALCIFY_EIO, "%s: cannot open: %s", p_sum_part,
                              strerror(errno));
        if (!st)
            st = scan_summary(scan, p_sum_part, sum_header, sel, n_sel, 1 + (int)n_vary,
                              first, last, &rp, &err);
        if (scan)
            fclose(scan);
        if (!st && timeseries) {
            scan = fopen(p_ts_part, "r");
            if (scan) {
                st = scan_timeseries(scan, p_ts_part, ts_header, rp.next, &rp.ts_end, &err);
                fclose(scan);
            } else if (rp.next > first) {
                st = calcify_fail(&err, CALCIFY_EINPUT, "%s: missing (expected the time "
                                  "series of the %zu runs in %s)", p_ts_part,
                                  rp.next - first, p_sum_part);
            }
        }
        /* design.csv again (a lost or edited one would stop merge) */
        if (!st)
            st = write_design(p_design, listing, &sc, vary, n_vary, &err);
        if (!st)
            st = write_vary_tsv(p_vary, &sc, vary, n_vary, &err);
        if (!st)
            fs = sweepdir_reopen_cut(p_sum_part, rp.sum_end, &err, &st);
        if (!st && timeseries) {
            if (!exists(p_ts_part) && (ft = fopen(p_ts_part, "w")))
                fclose(ft);
            ft = sweepdir_reopen_cut(p_ts_part, rp.ts_end, &err, &st);
        }
        if (!st && rp.sum_end == 0)
            fputs(sum_header, fs);
        if (!st && timeseries && rp.ts_end == 0)
            fputs(ts_header, ft);
        if (!st)
            fprintf(stderr, "calcify: %s: %zu of %zu runs kept, running the other %zu\n",
                    dir, rp.next - first, last - first, last - rp.next);
    } else if (!st) {
        st = calcify_dir_make(dir, &made, &err);
        /* files of an earlier sweep must not pass as this one's */
        if (!st && ((unlink(p_sum) && errno != ENOENT) || (unlink(p_ts) && errno != ENOENT) ||
                    (unlink(p_ts_part) && errno != ENOENT)))
            st = calcify_fail(&err, CALCIFY_EIO, "%s: cannot remove the files of an "
                              "earlier sweep: %s", dir, strerror(errno));
        if (!st)
            st = write_whole(p_manifest, manifest, &err);
        if (!st)
            st = write_design(p_design, listing, &sc, vary, n_vary, &err);
        if (!st)
            st = write_vary_tsv(p_vary, &sc, vary, n_vary, &err);
        if (!st && !(fs = fopen(p_sum_part, "w")))
            st = calcify_fail(&err, CALCIFY_EIO, "%s: cannot create: %s", p_sum_part,
                              strerror(errno));
        if (!st && timeseries && !(ft = fopen(p_ts_part, "w")))
            st = calcify_fail(&err, CALCIFY_EIO, "%s: cannot create: %s", p_ts_part,
                              strerror(errno));
        if (!st) {
            fputs(sum_header, fs);
            if (ft)
                fputs(ts_header, ft);
        }
        if (st) { /* nothing was run: leave nothing */
            if (fs)
                fclose(fs);
            fs = NULL;
            unlink(p_sum_part);
            unlink(p_ts_part);
            if (made) {
                unlink(p_manifest);
                unlink(p_design);
                unlink(p_vary);
                calcify_dir_unmake(dir, made);
            }
        }
    }
    free(made);

    if (!st && !complete) {
        struct sigaction sa, old_int, old_term;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sa.sa_flags = SA_RESETHAND;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, &old_int);
        sigaction(SIGTERM, &sa, &old_term);
        cli_progress ps;
        cli_progress_init(&ps, "sweep", quiet);
        calcify_sweep_opts o = {
            .sc = &sc, .selected = selected, .vary = vary, .n_vary = n_vary,
            .endpoints = &endpoints,
            .design = design, .first = rp.next, .last = last,
            .threads = (int)threads, .precision = (int)precision,
            .summary = fs, .timeseries = timeseries ? ft : NULL,
            .timeseries_step = step, .progress = cli_progress_update, .user = &ps,
            .flush_each_run = 1, .stop = &stop_signal,
            .summary_name = p_sum_part, .timeseries_name = p_ts_part};
        if (fflush(fs) != 0 || (ft && fflush(ft) != 0))
            st = calcify_fail(&err, CALCIFY_EIO, "%s: write failed: %s",
                              ferror(fs) ? p_sum_part : p_ts_part, strerror(errno));
        if (!st)
            st = calcify_sweep_run(&o, &stats, &err);
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGTERM, &old_term, NULL);
        stats.failed += rp.failed;
        int e = 0;
        const char *bad = NULL;
        if (fclose(fs) != 0)
            e = errno, bad = p_sum_part;
        if (ft && fclose(ft) != 0)
            e = errno, bad = p_ts_part;
        if (!st && e)
            st = calcify_fail(&err, CALCIFY_EIO, "%s: write failed: %s", bad, strerror(e));
        if (!st && !stats.stopped && timeseries && rename(p_ts_part, p_ts) != 0)
            st = calcify_fail(&err, CALCIFY_EIO, "%s: cannot rename: %s", p_ts_part,
                              strerror(errno));
        if (!st && !stats.stopped && rename(p_sum_part, p_sum) != 0)
            st = calcify_fail(&err, CALCIFY_EIO, "%s: cannot rename: %s", p_sum_part,
                              strerror(errno));
    }
    free(manifest);
    free(cmdline);
    free(sel);
    free(sum_header);
    free(ts_header);
    calcify_design_free(design);
    calcify_design_free(listing);
    calcify_endpoints_free(&endpoints);
    free(selected);
    calcify_scenario_free(&sc);
    if (st)
        return cli_error(st, err.msg);
    if (stats.stopped) {
        fprintf(stderr, "\ncalcify: stopped by signal %d after %zu of %zu runs (kept in "
                "%s); continue with the same command and --resume\n", (int)stop_signal,
                rp.next - first + stats.runs, last - first, p_sum_part);
        return 128 + (int)stop_signal;
    }
    if (stats.failed) {
        fprintf(stderr, "calcify: %zu of %zu runs failed (recorded in %s/summary.csv "
                "with their status)\n", stats.failed, last - first, dir);
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
