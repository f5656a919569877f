/* cmd_gsa.c — `calcify gsa`: Sobol or Morris indices over --vary ranges. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "calcify/batch.h"
#include "calcify/gsa.h"
#include "calcify/output.h"
#include "calcify/params.h"
#include "cli/cli.h"
#include "cli/options.h"
#include "cli/sweepdir.h"

/* The help page; the options are in src/cli/options.c. */
static const cli_command_doc doc = {
    CLI_CMD_GSA, "gsa",
    "gsa SCENARIO --method sobol|morris --vary SPEC... --n N -o DIR\n"
    "                   [--seed S] [--threads T] [--shard K/N] [--from DIR]...\n"
    "                   [--arm NAMES]... [--observable NAMES] [--at TIMES]\n"
    "                   [--resume | --force]\n",
    "Global sensitivity of every observable (in every arm, at the end of each\n"
    "phase or at the --at times) to the --vary parameters:\n"
    "  sobol   first-order and total Sobol indices S1, ST: Saltelli sampling\n"
    "          on a scrambled Sobol sequence, N·(d+2) runs for d parameters;\n"
    "          S1 by Saltelli (2010), ST by Jansen (1999)\n"
    "  morris  Morris elementary effects: N trajectories of d+1 runs on a\n"
    "          grid of --levels levels; mu* = mean |EE|, sigma = SD of EE,\n"
    "          effects per unit of the parameter's quantile (0..1)\n"
    "Intervals: percentile bootstrap (--boot resamples, --conf coverage).\n"
    "Writes\n"
    "  DIR/indices.csv      sobol: parameter,arm,observable,time_d,S1,S1_lo,S1_hi,\n"
    "                       ST,ST_lo,ST_hi,samples; morris: parameter,arm,\n"
    "                       observable,time_d,mu_star,mu_star_lo,mu_star_hi,\n"
    "                       sigma,mu,trajectories (empty: the output does not vary)\n"
    "  DIR/design.csv       run_id and the parameter values of every run\n"
    "  DIR/evaluations.csv  run_id, status and every probed value of the runs\n"
    "                       made here (column ARM/TIME/OBSERVABLE); grows as\n"
    "                       evaluations.csv.part, in run order, renamed last\n"
    "  DIR/manifest.txt     written first: calcify version, SHA-256 of the\n"
    "                       scenario and parameter files, --set, solver, method,\n"
    "                       --vary, --n, --seed, columns, shard, command line\n"
    "With --shard only evaluations of that block are made and no indices;\n"
    "then the same command with --from each shard's DIR (and no --shard)\n"
    "joins them and writes the indices, byte for byte those of one run.\n",
    "Example:\n"
    "  calcify gsa models/vermeer2007.cfg --method sobol --n 256 \\\n"
    "      --vary ca_dep_max=0.02:0.06 --vary warfarin_thalf=5:50:log \\\n"
    "      --vary dist_beta=0.5:2 --observable ca_aorta_ug_per_mg -o out/gsa\n"};

typedef struct {
    int morris;
    size_t n, d, runs;
    calcify_morris_plan plan;
    double *values;       /* runs × d */
} gsa_design;

static void write_design(FILE *fp, const calcify_vary *v, const gsa_design *g)
{
    fputs("run_id", fp);
    for (size_t j = 0; j < g->d; j++) {
        char col[128];
        fprintf(fp, ",%s", calcify_param_column(v[j].param, col, sizeof col));
    }
    fputc('\n', fp);
    for (size_t r = 0; r < g->runs; r++) {
        fprintf(fp, "%zu", r);
        calcify_csv_write_numbers(fp, CALCIFY_NUMFMT_SHORTEST, &g->values[r * g->d], g->d);
        fputc('\n', fp);
    }
}

/* Whole file into memory (NUL-terminated); NULL if unreadable. */
static char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    char *buf = NULL;
    size_t cap = 0;
    *len = 0;
    for (;;) {
        if (*len + 65536 + 1 > cap) {
            char *b = realloc(buf, cap = 2 * cap + 65536 + 1);
            if (!b) {
                free(buf);
                fclose(fp);
                return NULL;
            }
            buf = b;
        }
        size_t got = fread(buf + *len, 1, cap - *len - 1, fp);
        *len += got;
        if (got == 0)
            break;
    }
    int bad = ferror(fp);
    fclose(fp);
    if (bad) {
        free(buf);
        return NULL;
    }
    buf[*len] = '\0';
    return buf;
}

/* Read a shard's evaluations into y/status (indexed by run id); have[r]
 * marks runs seen.  The shard's design.csv and header must be ours. */
static calcify_status read_shard(const char *dir, const char *design_text,
                                 const char *header, size_t n_out, size_t runs, double *y,
                                 unsigned char *status, unsigned char *have,
                                 calcify_error *err)
{
    char path[4096];
    size_t len;
    snprintf(path, sizeof path, "%s/design.csv", dir);
    char *text = slurp(path, &len);
    if (!text)
        return calcify_fail(err, CALCIFY_EINPUT, "%s: cannot read: %s", path, strerror(errno));
    int same = strcmp(text, design_text) == 0;
    free(text);
    if (!same)
        return calcify_fail(err, CALCIFY_EINPUT, "%s: not this command's design (expected "
                            "the same scenario, --method, --vary, --n and --seed)", path);
    snprintf(path, sizeof path, "%s/evaluations.csv", dir);
    if (!(text = slurp(path, &len)))
        return calcify_fail(err, CALCIFY_EINPUT, "%s: cannot read: %s", path, strerror(errno));
    calcify_status st = CALCIFY_OK;
    char *line = text, *next;
    int lineno = 1;
    size_t hl = strlen(header);
    if (strncmp(text, header, hl) != 0) {
        st = calcify_fail(err, CALCIFY_EINPUT, "%s:1: other columns than this command's "
                          "(expected the same --arm, --observable and --at)", path);
        goto done;
    }
    line = text + hl;
    double *row = malloc((n_out + 1) * sizeof *row);
    if (!row)
        st = calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    for (; !st && *line; line = next) {
        lineno++;
        char *nl = strchr(line, '\n');
        next = nl ? nl + 1 : line + strlen(line);
        size_t r;
        unsigned char s;
        const char *why = sweepdir_rows_parse(line, (size_t)(next - line), n_out, runs, &r,
                                              &s, row);
        if (!why && have[r])
            why = "repeated run_id";
        if (why) {
            st = calcify_fail(err, CALCIFY_EINPUT, "%s:%d: %s (expected each run_id of "
                              "0..%zu once, a status and %zu values)", path, lineno, why,
                              runs - 1, n_out);
            break;
        }
        memcpy(&y[r * n_out], row, n_out * sizeof *row);
        status[r] = s;
        have[r] = 1;
    }
    free(row);
done:
    free(text);
    return st;
}

static calcify_status write_indices(FILE *fp, int precision, const calcify_scenario *sc,
                                    const calcify_probe *p, const calcify_vary *v,
                                    const gsa_design *g, const double *y,
                                    const calcify_boot_opts *bo, calcify_error *err)
{
    calcify_sobol_index *si = malloc(g->d * sizeof *si);
    calcify_morris_index *mi = malloc(g->d * sizeof *mi);
    calcify_status st = si && mi ? CALCIFY_OK : calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    fputs(g->morris ? "parameter,arm,observable,time_d,mu_star,mu_star_lo,mu_star_hi,sigma,"
                      "mu,trajectories\n"
                    : "parameter,arm,observable,time_d,S1,S1_lo,S1_hi,ST,ST_lo,ST_hi,samples\n",
          fp);
    for (size_t a = 0; !st && a < p->n_arms; a++)
        for (size_t ti = 0; !st && ti < p->arms[a].n_times; ti++)
            for (size_t oi = 0; !st && oi < p->n_obs; oi++) {
                size_t k = calcify_probe_slot(p, a, ti, oi), used = 0;
                if (g->morris)
                    st = calcify_morris_indices(&g->plan, y + k, p->n_out, bo, mi, err);
                else
                    st = calcify_sobol_indices(y + k, p->n_out, g->n, g->d, bo, si, &used, err);
                if (g->morris) { /* trajectories without a failed run */
                    for (size_t t = 0; t < g->n; t++) {
                        int ok = 1;
                        for (size_t q = 0; q <= g->d; q++)
                            ok &= isfinite(y[(t * (g->d + 1) + q) * p->n_out + k]) != 0;
                        used += ok;
                    }
                }
                for (size_t j = 0; !st && j < g->d; j++) {
                    fprintf(fp, "%s,%s,%s,%.10g", calcify_param_defs[v[j].param].name,
                            sc->arms[p->arms[a].arm].name, calcify_obs_name(p->table, p->obs[oi]),
                            p->arms[a].times[ti]);
                    if (g->morris) {
                        calcify_csv_write_number(fp, precision, mi[j].mu_star);
                        calcify_csv_write_number(fp, precision, mi[j].mu_star_lo);
                        calcify_csv_write_number(fp, precision, mi[j].mu_star_hi);
                        calcify_csv_write_number(fp, precision, mi[j].sigma);
                        calcify_csv_write_number(fp, precision, mi[j].mu);
                    } else {
                        calcify_csv_write_number(fp, precision, si[j].s1);
                        calcify_csv_write_number(fp, precision, si[j].s1_lo);
                        calcify_csv_write_number(fp, precision, si[j].s1_hi);
                        calcify_csv_write_number(fp, precision, si[j].st);
                        calcify_csv_write_number(fp, precision, si[j].st_lo);
                        calcify_csv_write_number(fp, precision, si[j].st_hi);
                    }
                    fprintf(fp, ",%zu\n", used);
                }
            }
    free(si);
    free(mi);
    return st;
}

int cmd_gsa(int argc, char **argv)
{
    cli_model_opts mo = {0};
    calcify_vary vary[CALCIFY_NPARAM];
    size_t n_vary = 0;
    cli_batch_opts b;
    cli_batch_defaults(&b);
    int n_from = 0, c, method = -1, force = 0, resume = 0;
    double conf = 0.95;
    const char *dir = NULL, *from[1024];
    long n = -1, seed = 1, levels = 4, boot = 500, shard_k = 1, shard_n = 1;
    calcify_error err;
    cli_opts p;
    cli_opts_begin(&p, &doc, argc, argv, &mo);
    while ((c = cli_opts_next(&p)) > 0) {
        switch (c) {
        case CLI_OPT_GSA_METHOD:
            if (!strcmp(optarg, "sobol"))
                method = 0;
            else if (!strcmp(optarg, "morris"))
                method = 1;
            else {
                fprintf(stderr, "calcify: --method '%s': expected sobol or morris (the "
                        "solver's method is --solver here)\n", optarg);
                return 2;
            }
            break;
        case CLI_OPT_VARY:
            if (cli_add_vary(vary, &n_vary, optarg))
                return 2;
            break;
        case CLI_OPT_N: n = p.l; break;
        case CLI_OPT_SEED: seed = p.l; break;
        case CLI_OPT_LEVELS: levels = p.l; break;
        case CLI_OPT_BOOT: boot = p.l; break;
        case CLI_OPT_CONF: conf = p.d; break;
        case CLI_OPT_SHARD:
            if (cli_parse_shard(optarg, &shard_k, &shard_n))
                return 2;
            break;
        case CLI_OPT_FROM:
            if (n_from == (int)(sizeof from / sizeof from[0])) {
                fputs("calcify: too many --from\n", stderr);
                return 2;
            }
            from[n_from++] = optarg;
            break;
        case 'o': dir = optarg; break;
        case CLI_OPT_FORCE: force = 1; break;
        case CLI_OPT_RESUME: resume = 1; break;
        default:
            if (cli_batch_option(&b, c, p.arg) < 0)
                return 2;
        }
    }
    if (c < 0)
        return cli_opts_exit(c);
    if (argc - optind != 1 || !dir || n_vary == 0 || method < 0)
        return cli_usage_error(&doc, "expected one SCENARIO, --method, at least one --vary "
                               "and -o DIR");
    if (n_from && shard_n > 1) {
        fputs("calcify: --from joins shards: give it without --shard\n", stderr);
        return 2;
    }
    if (method == 1 && levels % 2) {
        fprintf(stderr, "calcify: --levels %ld: expected an even number\n", levels);
        return 2;
    }
    if (n < 0)
        n = method ? 20 : 512;
    calcify_scenario sc;
    int rc = cli_load_scenario(argv[optind], &mo, &sc);
    if (rc)
        return rc;
    for (size_t j = 0; j < n_vary; j++)
        if ((rc = cli_check_settable(&sc, &vary[j].param, 1, "--vary"))) {
            calcify_scenario_free(&sc);
            return rc;
        }
    unsigned char *selected = NULL, *status = NULL, *have = NULL;
    calcify_probe probe = {0};
    gsa_design g = {.morris = method, .n = (size_t)n, .d = n_vary};
    double *y = NULL;
    char *design_text = NULL, *header = NULL;
    size_t design_len = 0, header_len = 0;
    calcify_outfile fd = {0}, fe = {0}, fi = {0};
    calcify_status st = cli_select_arms(&sc, b.arms, b.n_arms, &selected, &err);
    if (!st)
        st = calcify_probe_init(&probe, &sc, selected, b.at, b.n_at, b.obs, b.n_obs, &err);
    if (!st) {
        g.runs = method ? calcify_morris_runs(g.n, g.d) : calcify_saltelli_runs(g.n, g.d);
        if (g.runs == 0 || g.runs > (1u << 30) || g.runs > ((size_t)1 << 40) / (probe.n_out + 1))
            st = calcify_fail(&err, CALCIFY_EUSAGE, "--n %ld: %zu runs are too many", n, g.runs);
    }
    if (!st && !(g.values = malloc(g.runs * g.d * sizeof *g.values)))
        st = calcify_fail(&err, CALCIFY_ENOMEM, "out of memory");
    if (!st && method)
        st = calcify_morris_plan_make(&g.plan, g.n, g.d, (int)levels, (uint64_t)seed, &err);
    if (!st) {
        if (method)
            calcify_morris_values(&g.plan, vary, g.values);
        else
            st = calcify_saltelli_design(vary, g.d, g.n, (uint64_t)seed, g.values, &err);
    }
    size_t first = 0, last = g.runs;
    if (!st) {
        first = (size_t)((unsigned long long)(shard_k - 1) * g.runs / (unsigned long long)shard_n);
        last = (size_t)((unsigned long long)shard_k * g.runs / (unsigned long long)shard_n);
        if (n_from)
            first = 0, last = g.runs;
        /* the size limits: evaluations.csv and design.csv, shortest digits */
        st = cli_check_output("this gsa", (double)(last - first), (double)probe.n_out + 2,
                              CALCIFY_NUMFMT_SHORTEST, "evaluation", "--n", force, &err);
        if (!st)
            st = cli_check_output("this gsa", (double)g.runs, (double)g.d + 1,
                                  CALCIFY_NUMFMT_SHORTEST, "design", "--n", force, &err);
    }
    if (!st) {
        if (!(y = malloc((last - first) * probe.n_out * sizeof *y + 1)) ||
            !(status = calloc(g.runs, 1)) || !(have = calloc(g.runs, 1)))
            st = calcify_fail(&err, CALCIFY_ENOMEM, "out of memory for %zu runs", g.runs);
    }
    if (!st) { /* the texts a shard's files must repeat */
        FILE *m1 = open_memstream(&design_text, &design_len);
        FILE *m2 = m1 ? open_memstream(&header, &header_len) : NULL;
        if (m1)
            write_design(m1, vary, &g);
        if (m2)
            sweepdir_rows_header(m2, &sc, &probe);
        if (!m1 || !m2 || fclose(m1) | fclose(m2))
            st = calcify_fail(&err, CALCIFY_ENOMEM, "out of memory");
    }
    for (int i = 0; !st && i < n_from; i++)
        st = read_shard(from[i], design_text, header, probe.n_out, g.runs, y, status, have, &err);
    if (!st && n_from)
        for (size_t r = 0; r < g.runs; r++)
            if (!have[r]) {
                st = calcify_fail(&err, CALCIFY_EINPUT, "--from: run %zu is in none of the "
                                  "%d directories (expected every shard of the design)", r,
                                  n_from);
                break;
            }
    /* the manifest: everything that decides the bytes of the results */
    char *manifest = NULL, *cmdline = NULL;
    size_t mlen = 0;
    if (!st)
        st = sweepdir_manifest_begin(&manifest, &mlen, "calcify gsa manifest: written first; "
                                     "gsa --resume refuses a folder whose manifest differs "
                                     "(but for command and paths)", &sc, mo.params, mo.sets,
                                     mo.n_sets, &err);
    if (!st) {
        char *vbuf = sweepdir_vary_text(vary, n_vary), *fbuf = NULL;
        size_t flen;
        FILE *ff = open_memstream(&fbuf, &flen);
        for (int i = 0; ff && i < n_from; i++)
            fprintf(ff, "%s%s", i ? "; " : "", from[i]);
        int bad = !ff || fclose(ff) != 0;
        cmdline = sweepdir_command_line(argc, argv);
        bad |= !cmdline || !vbuf;
        bad |= sweepdir_manifest_add(&manifest, &mlen, "gsa_method", "%s",
                                     method ? "morris" : "sobol");
        bad |= sweepdir_manifest_add(&manifest, &mlen, "n", "%ld", n);
        bad |= sweepdir_manifest_add(&manifest, &mlen, "seed", "%ld", seed);
        bad |= sweepdir_manifest_add(&manifest, &mlen, "levels", "%ld", method ? levels : 0L);
        bad |= sweepdir_manifest_add(&manifest, &mlen, "vary", "%s", vbuf ? vbuf : "");
        bad |= sweepdir_manifest_add(&manifest, &mlen, "runs", "%zu", g.runs);
        bad |= sweepdir_manifest_add(&manifest, &mlen, "evaluation_columns", "%.*s",
                                     (int)header_len - 1, header);
        bad |= sweepdir_manifest_add(&manifest, &mlen, "boot", "%ld", boot);
        bad |= sweepdir_manifest_add(&manifest, &mlen, "conf", "%.17g", conf);
        bad |= sweepdir_manifest_add(&manifest, &mlen, "precision", "%ld", b.precision);
        bad |= sweepdir_manifest_add(&manifest, &mlen, "shard", "%ld/%ld", shard_k, shard_n);
        bad |= sweepdir_manifest_add(&manifest, &mlen, "from", "%s", fbuf ? fbuf : "");
        bad |= sweepdir_manifest_add(&manifest, &mlen, "command", "%s", cmdline ? cmdline : "");
        free(vbuf);
        free(fbuf);
        if (bad)
            st = calcify_fail(&err, CALCIFY_ENOMEM, "out of memory");
    }
    /* a folder holding another run's files is not written into unasked;
     * one of this same command is continued with --resume */
    static const char *const ignore[] = {"command", "scenario", "parameters", NULL};
    static const char *const writes[] = {SWEEPDIR_MANIFEST, "design.csv", "evaluations.csv",
                                         "evaluations.csv.part", "indices.csv", NULL};
    if (!st)
        st = cli_check_outdir(dir, writes, manifest, ignore, resume, force, "--resume to "
                              "continue the gsa that made it, --force to replace its files",
                              &err);
    int state = st ? 0 : sweepdir_resume_state(dir, manifest, ignore, resume,
                                               "evaluations.csv", "evaluations.csv.part");
    char *made = NULL; /* folders made for -o, removed again on failure */
    char path[4096], p_part[4096];
    snprintf(p_part, sizeof p_part, "%s/evaluations.csv.part", dir);
    /* a SIGKILL while a file was written leaves its temporary file */
    if (!st)
        st = sweepdir_remove_temporaries(dir, writes, &err);
    size_t next = first;
    long keep = 0;
    FILE *fp_part = NULL;
    if (!st && state == 2) {
        fprintf(stderr, "calcify: %s is complete: nothing to resume\n", dir);
    } else if (!st && state == 1 && !n_from) {
        st = sweepdir_rows_scan(p_part, header, probe.n_out, first, last, y, status + first,
                                &next, &keep, &err);
        if (!st)
            fp_part = sweepdir_reopen_cut(p_part, keep, &err, &st);
        if (!st && keep == 0)
            fwrite(header, 1, header_len, fp_part);
        if (!st)
            fprintf(stderr, "calcify: %s: %zu of %zu runs kept, running the other %zu\n",
                    dir, next - first, last - first, last - next);
    } else if (!st) {
        st = calcify_dir_make(dir, &made, &err);
        /* files of an earlier run must not pass as this one's */
        const char *old[] = {"evaluations.csv", "evaluations.csv.part", "indices.csv"};
        for (size_t k = 0; !st && k < 3; k++) {
            snprintf(path, sizeof path, "%s/%s", dir, old[k]);
            if (unlink(path) != 0 && errno != ENOENT)
                st = calcify_fail(&err, CALCIFY_EIO, "%s: cannot remove: %s", path,
                                  strerror(errno));
        }
        if (!st) {
            snprintf(path, sizeof path, "%s/" SWEEPDIR_MANIFEST, dir);
            st = calcify_outfile_open(&fd, path, &err);
        }
        if (!st) {
            fputs(manifest, fd.fp);
            st = calcify_outfile_commit(&fd, &err);
        }
        if (!st && !n_from && !(fp_part = fopen(p_part, "w")))
            st = calcify_fail(&err, CALCIFY_EIO, "%s: cannot create: %s", p_part,
                              strerror(errno));
        if (fp_part)
            fwrite(header, 1, header_len, fp_part);
    }
    if (!st && state != 2) { /* design.csv again on --resume: a lost one is made anew */
        snprintf(path, sizeof path, "%s/design.csv", dir);
        st = calcify_outfile_open(&fd, path, &err);
        if (!st) {
            fwrite(design_text, 1, design_len, fd.fp);
            st = calcify_outfile_commit(&fd, &err);
        }
    }
    if (!st && fp_part && fflush(fp_part) != 0)
        st = calcify_fail(&err, CALCIFY_EIO, "%s: write failed: %s", p_part, strerror(errno));
    sweepdir_rows rows = {.fp = fp_part, .path = p_part, .n_out = probe.n_out, .base = first,
                          .next = next, .last = last, .y = y, .status = status + first};
    if (!st && fp_part && next < last) {
        if (!(rows.done = calloc(last - first, 1)))
            st = calcify_fail(&err, CALCIFY_ENOMEM, "out of memory");
        cli_progress pr;
        cli_progress_init(&pr, "gsa", b.quiet);
        rows.progress = cli_progress_update;
        rows.progress_user = &pr;
        int params[CALCIFY_NPARAM];
        for (size_t j = 0; j < g.d; j++)
            params[j] = vary[j].param;
        calcify_batch_opts bo = {
            .sc = &sc, .probe = &probe, .params = params, .n_params = g.d,
            .values = g.values, .first = next, .last = last, .threads = (int)b.threads,
            .progress = sweepdir_rows_progress, .user = &rows,
            .run_done = sweepdir_rows_done};
        if (!st)
            st = calcify_batch_run(&bo, y + (next - first) * probe.n_out, status + next, &err);
        if (!st && rows.error)
            st = calcify_fail(&err, CALCIFY_EIO, "%s: write failed: %s", p_part,
                              strerror(rows.error));
    }
    free(rows.done);
    if (fp_part && fclose(fp_part) != 0 && !st)
        st = calcify_fail(&err, CALCIFY_EIO, "%s: write failed: %s", p_part, strerror(errno));
    size_t failed = 0;
    for (size_t r = first; !st && state != 2 && r < last; r++)
        failed += status[r] != CALCIFY_RUN_OK;
    if (!st && n_from && state != 2) { /* the joined evaluations, whole */
        snprintf(path, sizeof path, "%s/evaluations.csv", dir);
        st = calcify_outfile_open(&fe, path, &err);
        sweepdir_rows all = {.fp = fe.fp, .path = path, .n_out = probe.n_out, .y = y,
                             .status = status, .last = last};
        if (!st) {
            fwrite(header, 1, header_len, fe.fp);
            sweepdir_rows_write(&all, last); /* a failed write: commit says so */
            st = calcify_outfile_commit(&fe, &err);
        }
    }
    if (!st && state != 2 && first == 0 && last == g.runs) {
        snprintf(path, sizeof path, "%s/indices.csv", dir);
        st = calcify_outfile_open(&fi, path, &err);
        calcify_boot_opts bo = {(size_t)boot, conf, (uint64_t)seed};
        if (!st)
            st = write_indices(fi.fp, (int)b.precision, &sc, &probe, vary, &g, y, &bo, &err);
        if (!st)
            st = calcify_outfile_commit(&fi, &err);
    }
    /* last: evaluations.csv there and no .part is a finished gsa */
    if (!st && state != 2 && !n_from) {
        snprintf(path, sizeof path, "%s/evaluations.csv", dir);
        if (rename(p_part, path) != 0)
            st = calcify_fail(&err, CALCIFY_EIO, "%s: cannot rename: %s", p_part,
                              strerror(errno));
    }
    calcify_outfile_abort(&fd);
    calcify_outfile_abort(&fe);
    calcify_outfile_abort(&fi);
    if (st)
        calcify_dir_unmake(dir, made);
    free(made);
    free(manifest);
    free(cmdline);
    free(design_text);
    free(header);
    free(y);
    free(status);
    free(have);
    free(g.values);
    calcify_morris_plan_free(&g.plan);
    calcify_probe_free(&probe);
    free(selected);
    calcify_scenario_free(&sc);
    if (st)
        return cli_error(st, err.msg);
    if (failed)
        fprintf(stderr, "calcify: %zu of %zu runs failed (status in %s/evaluations.csv); the "
                "indices use the samples without a failure\n", failed, last - first, dir);
    return 0;
}
