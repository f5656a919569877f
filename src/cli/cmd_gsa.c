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
#include "analysis/sweepdir.h"

/* Parameters and columns are named as those of the model parameter files
 * are read for (calcify/params.h): the scenario's. */
#define MD (calcify_params_file_model())

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
                    fprintf(fp, "%s,%s,%s,%.10g", MD->params[v[j].param].name,
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

/* Everything one `calcify gsa` holds, from its options to its open files;
 * gsa_free releases it. */
typedef struct {
    int argc;
    char **argv;
    /* options */
    cli_model_opts mo;
    calcify_vary vary[CALCIFY_MAX_PARAM];
    size_t n_vary;
    cli_batch_opts b;
    int n_from, method, force, resume;
    double conf;
    const char *dir, *from[1024];
    long n, seed, levels, boot, shard_k, shard_n;
    /* the plan */
    calcify_scenario sc;
    unsigned char *selected, *status, *have;
    calcify_probe probe;
    gsa_design g;
    double *y;
    char *design_text, *header, *manifest, *cmdline;
    size_t design_len, header_len, mlen;
    size_t first, last, next; /* this block of runs; the next one to make */
    /* the output folder */
    int state;                /* sweepdir_resume_state: 1 resumable, 2 complete */
    char *made;               /* folders made for -o, removed again on failure */
    char p_part[4096];
    FILE *fp_part;
    calcify_outfile fd, fe, fi;
    calcify_error err;
} gsa_cmd;

/* cmd_gsa goes on after gsa_parse and gsa_load when they return this */
enum { GSA_GO = -1 };

/* a folder holding another run's files is not written into unasked;
 * one of this same command is continued with --resume */
static const char *const gsa_ignore[] = {"command", "scenario", "parameters", NULL};
static const char *const gsa_writes[] = {SWEEPDIR_MANIFEST, "design.csv", "evaluations.csv",
                                         "evaluations.csv.part", "indices.csv", NULL};

/* The option loop; GSA_GO, or the exit code. */
static int gsa_parse_options(gsa_cmd *s)
{
    int c;
    cli_opts p;
    cli_opts_begin(&p, &doc, s->argc, s->argv, &s->mo);
    while ((c = cli_opts_next(&p)) > 0) {
        switch (c) {
        case CLI_OPT_GSA_METHOD:
            if (!strcmp(optarg, "sobol"))
                s->method = 0;
            else if (!strcmp(optarg, "morris"))
                s->method = 1;
            else {
                fprintf(stderr, "calcify: --method '%s': expected sobol or morris (the "
                        "solver's method is --solver here)\n", optarg);
                return 2;
            }
            break;
        case CLI_OPT_VARY:
            if (cli_add_vary(s->vary, &s->n_vary, optarg))
                return 2;
            break;
        case CLI_OPT_N: s->n = p.l; break;
        case CLI_OPT_SEED: s->seed = p.l; break;
        case CLI_OPT_LEVELS: s->levels = p.l; break;
        case CLI_OPT_BOOT: s->boot = p.l; break;
        case CLI_OPT_CONF: s->conf = p.d; break;
        case CLI_OPT_SHARD:
            if (cli_parse_shard(optarg, &s->shard_k, &s->shard_n))
                return 2;
            break;
        case CLI_OPT_FROM:
            if (s->n_from == (int)(sizeof s->from / sizeof s->from[0])) {
                fputs("calcify: too many --from\n", stderr);
                return 2;
            }
            s->from[s->n_from++] = optarg;
            break;
        case 'o': s->dir = optarg; break;
        case CLI_OPT_FORCE: s->force = 1; break;
        case CLI_OPT_RESUME: s->resume = 1; break;
        default:
            if (cli_batch_option(&s->b, c, p.arg) < 0)
                return 2;
        }
    }
    if (c < 0)
        return cli_opts_exit(c);
    return GSA_GO;
}

/* The options' combinations, and --n's default; GSA_GO, or the exit code. */
static int gsa_check_options(gsa_cmd *s)
{
    if (s->argc - optind != 1 || !s->dir || s->n_vary == 0 || s->method < 0)
        return cli_usage_error(&doc, "expected one SCENARIO, --method, at least one --vary "
                               "and -o DIR");
    if (s->n_from && s->shard_n > 1) {
        fputs("calcify: --from joins shards: give it without --shard\n", stderr);
        return 2;
    }
    if (s->method == 1 && s->levels % 2) {
        fprintf(stderr, "calcify: --levels %ld: expected an even number\n", s->levels);
        return 2;
    }
    if (s->n < 0)
        s->n = s->method ? 20 : 512;
    return GSA_GO;
}

/* The scenario, and that it lets every --vary be set; GSA_GO (sc then
 * needs gsa_free), or the exit code (sc freed). */
static int gsa_load(gsa_cmd *s)
{
    int rc = cli_load_scenario(s->argv[optind], &s->mo, &s->sc);
    if (rc)
        return rc;
    for (size_t j = 0; j < s->n_vary; j++)
        if ((rc = cli_check_settable(&s->sc, &s->vary[j].param, 1, "--vary"))) {
            calcify_scenario_free(&s->sc);
            return rc;
        }
    return GSA_GO;
}

/* The probe, the number of runs and the parameter values of each. */
static calcify_status gsa_plan_design(gsa_cmd *s)
{
    gsa_design *g = &s->g;
    calcify_status st = cli_select_arms(&s->sc, s->b.arms, s->b.n_arms, &s->selected, &s->err);
    if (!st)
        st = calcify_probe_init(&s->probe, &s->sc, s->selected, s->b.at, s->b.n_at, s->b.obs,
                                s->b.n_obs, &s->err);
    if (!st) {
        g->runs = s->method ? calcify_morris_runs(g->n, g->d) : calcify_saltelli_runs(g->n, g->d);
        if (g->runs == 0 || g->runs > (1u << 30) ||
            g->runs > ((size_t)1 << 40) / (s->probe.n_out + 1))
            st = calcify_fail(&s->err, CALCIFY_EUSAGE, "--n %ld: %zu runs are too many", s->n,
                              g->runs);
    }
    if (!st && !(g->values = malloc(g->runs * g->d * sizeof *g->values)))
        st = calcify_fail(&s->err, CALCIFY_ENOMEM, "out of memory");
    if (!st && s->method)
        st = calcify_morris_plan_make(&g->plan, g->n, g->d, (int)s->levels, (uint64_t)s->seed,
                                      &s->err);
    if (!st) {
        if (s->method)
            calcify_morris_values(&g->plan, s->vary, g->values);
        else
            st = calcify_saltelli_design(s->vary, g->d, g->n, (uint64_t)s->seed, g->values,
                                         &s->err);
    }
    return st;
}

/* This shard's block of runs, the size limits, and room for the results. */
static calcify_status gsa_plan_block(gsa_cmd *s)
{
    size_t runs = s->g.runs;
    s->first = (size_t)((unsigned long long)(s->shard_k - 1) * runs /
                        (unsigned long long)s->shard_n);
    s->last = (size_t)((unsigned long long)s->shard_k * runs / (unsigned long long)s->shard_n);
    if (s->n_from)
        s->first = 0, s->last = runs;
    /* the size limits: evaluations.csv and design.csv, shortest digits */
    calcify_status st = cli_check_output("this gsa", (double)(s->last - s->first),
                                         (double)s->probe.n_out + 2, CALCIFY_NUMFMT_SHORTEST,
                                         "evaluation", "--n", s->force, &s->err);
    if (!st)
        st = cli_check_output("this gsa", (double)runs, (double)s->g.d + 1,
                              CALCIFY_NUMFMT_SHORTEST, "design", "--n", s->force, &s->err);
    if (!st) {
        if (!(s->y = malloc((s->last - s->first) * s->probe.n_out * sizeof *s->y + 1)) ||
            !(s->status = calloc(runs, 1)) || !(s->have = calloc(runs, 1)))
            st = calcify_fail(&s->err, CALCIFY_ENOMEM, "out of memory for %zu runs", runs);
    }
    return st;
}

/* The texts a shard's files must repeat: design.csv and the header of
 * evaluations.csv. */
static calcify_status gsa_plan_texts(gsa_cmd *s)
{
    FILE *m1 = open_memstream(&s->design_text, &s->design_len);
    FILE *m2 = m1 ? open_memstream(&s->header, &s->header_len) : NULL;
    if (m1)
        write_design(m1, s->vary, &s->g);
    if (m2)
        sweepdir_rows_header(m2, &s->sc, &s->probe);
    if (!m1 || !m2 || fclose(m1) | fclose(m2))
        return calcify_fail(&s->err, CALCIFY_ENOMEM, "out of memory");
    return CALCIFY_OK;
}

/* --from: every shard's evaluations, which must cover every run. */
static calcify_status gsa_read_shards(gsa_cmd *s)
{
    calcify_status st = CALCIFY_OK;
    for (int i = 0; !st && i < s->n_from; i++)
        st = read_shard(s->from[i], s->design_text, s->header, s->probe.n_out, s->g.runs, s->y,
                        s->status, s->have, &s->err);
    if (!st && s->n_from)
        for (size_t r = 0; r < s->g.runs; r++)
            if (!s->have[r])
                return calcify_fail(&s->err, CALCIFY_EINPUT, "--from: run %zu is in none of "
                                    "the %d directories (expected every shard of the design)",
                                    r, s->n_from);
    return st;
}

/* The manifest: everything that decides the bytes of the results. */
static calcify_status gsa_manifest(gsa_cmd *s)
{
    calcify_status st = sweepdir_manifest_begin(
        &s->manifest, &s->mlen, "calcify gsa manifest: written first; gsa --resume refuses a "
        "folder whose manifest differs (but for command and paths)", &s->sc, s->mo.params,
        s->mo.sets, s->mo.n_sets, &s->err);
    if (st)
        return st;
    char *vbuf = sweepdir_vary_text(s->vary, s->n_vary), *fbuf = NULL, **m = &s->manifest;
    size_t flen, *ml = &s->mlen;
    FILE *ff = open_memstream(&fbuf, &flen);
    for (int i = 0; ff && i < s->n_from; i++)
        fprintf(ff, "%s%s", i ? "; " : "", s->from[i]);
    int bad = !ff || fclose(ff) != 0;
    s->cmdline = sweepdir_command_line(s->argc, s->argv);
    bad |= !s->cmdline || !vbuf;
    bad |= sweepdir_manifest_add(m, ml, "gsa_method", "%s", s->method ? "morris" : "sobol");
    bad |= sweepdir_manifest_add(m, ml, "n", "%ld", s->n);
    bad |= sweepdir_manifest_add(m, ml, "seed", "%ld", s->seed);
    bad |= sweepdir_manifest_add(m, ml, "levels", "%ld", s->method ? s->levels : 0L);
    bad |= sweepdir_manifest_add(m, ml, "vary", "%s", vbuf ? vbuf : "");
    bad |= sweepdir_manifest_add(m, ml, "runs", "%zu", s->g.runs);
    bad |= sweepdir_manifest_add(m, ml, "evaluation_columns", "%.*s", (int)s->header_len - 1,
                                 s->header);
    bad |= sweepdir_manifest_add(m, ml, "boot", "%ld", s->boot);
    bad |= sweepdir_manifest_add(m, ml, "conf", "%.17g", s->conf);
    bad |= sweepdir_manifest_add(m, ml, "precision", "%ld", s->b.precision);
    bad |= sweepdir_manifest_add(m, ml, "shard", "%ld/%ld", s->shard_k, s->shard_n);
    bad |= sweepdir_manifest_add(m, ml, "from", "%s", fbuf ? fbuf : "");
    bad |= sweepdir_manifest_add(m, ml, "command", "%s", s->cmdline ? s->cmdline : "");
    free(vbuf);
    free(fbuf);
    if (bad)
        st = calcify_fail(&s->err, CALCIFY_ENOMEM, "out of memory");
    return st;
}

/* --resume: keep the runs of evaluations.csv.part, reopened after them. */
static calcify_status gsa_resume_part(gsa_cmd *s)
{
    long keep = 0;
    calcify_status st = sweepdir_rows_scan(s->p_part, s->header, s->probe.n_out, s->first,
                                           s->last, s->y, s->status + s->first, &s->next,
                                           &keep, &s->err);
    if (!st)
        s->fp_part = sweepdir_reopen_cut(s->p_part, keep, &s->err, &st);
    if (!st && keep == 0)
        fwrite(s->header, 1, s->header_len, s->fp_part);
    if (!st)
        fprintf(stderr, "calcify: %s: %zu of %zu runs kept, running the other %zu\n", s->dir,
                s->next - s->first, s->last - s->first, s->last - s->next);
    return st;
}

/* A fresh start: the folder, no files of an earlier run, the manifest, and
 * (but when joining) a new evaluations.csv.part. */
static calcify_status gsa_start_fresh(gsa_cmd *s)
{
    char path[4096];
    calcify_status st = calcify_dir_make(s->dir, &s->made, &s->err);
    /* files of an earlier run must not pass as this one's */
    const char *old[] = {"evaluations.csv", "evaluations.csv.part", "indices.csv"};
    for (size_t k = 0; !st && k < 3; k++) {
        snprintf(path, sizeof path, "%s/%s", s->dir, old[k]);
        if (unlink(path) != 0 && errno != ENOENT)
            st = calcify_fail(&s->err, CALCIFY_EIO, "%s: cannot remove: %s", path,
                              strerror(errno));
    }
    if (!st) {
        snprintf(path, sizeof path, "%s/" SWEEPDIR_MANIFEST, s->dir);
        st = calcify_outfile_open(&s->fd, path, &s->err);
    }
    if (!st) {
        fputs(s->manifest, s->fd.fp);
        st = calcify_outfile_commit(&s->fd, &s->err);
    }
    if (!st && !s->n_from && !(s->fp_part = fopen(s->p_part, "w")))
        st = calcify_fail(&s->err, CALCIFY_EIO, "%s: cannot create: %s", s->p_part,
                          strerror(errno));
    if (s->fp_part)
        fwrite(s->header, 1, s->header_len, s->fp_part);
    return st;
}

/* The output folder: refused, complete, resumed or started afresh; then
 * design.csv (again on --resume: a lost one is made anew). */
static calcify_status gsa_open_dir(gsa_cmd *s)
{
    snprintf(s->p_part, sizeof s->p_part, "%s/evaluations.csv.part", s->dir);
    calcify_status st = sweepdir_check_outdir(s->dir, gsa_writes, s->manifest, gsa_ignore,
                                         s->resume, s->force, "--resume to continue the gsa "
                                         "that made it, --force to replace its files", &s->err);
    if (st)
        return st;
    s->state = sweepdir_resume_state(s->dir, s->manifest, gsa_ignore, s->resume,
                                     "evaluations.csv", "evaluations.csv.part");
    /* a SIGKILL while a file was written leaves its temporary file */
    st = sweepdir_remove_temporaries(s->dir, gsa_writes, &s->err);
    s->next = s->first;
    if (!st && s->state == 2)
        fprintf(stderr, "calcify: %s is complete: nothing to resume\n", s->dir);
    else if (!st && s->state == 1 && !s->n_from)
        st = gsa_resume_part(s);
    else if (!st)
        st = gsa_start_fresh(s);
    if (!st && s->state != 2) {
        char path[4096];
        snprintf(path, sizeof path, "%s/design.csv", s->dir);
        st = calcify_outfile_open(&s->fd, path, &s->err);
        if (!st) {
            fwrite(s->design_text, 1, s->design_len, s->fd.fp);
            st = calcify_outfile_commit(&s->fd, &s->err);
        }
    }
    if (!st && s->fp_part && fflush(s->fp_part) != 0)
        st = calcify_fail(&s->err, CALCIFY_EIO, "%s: write failed: %s", s->p_part,
                          strerror(errno));
    return st;
}

/* The runs not yet made, each appended to evaluations.csv.part as it ends. */
static calcify_status gsa_run(gsa_cmd *s)
{
    calcify_status st = CALCIFY_OK;
    size_t first = s->first, next = s->next, last = s->last;
    sweepdir_rows rows = {.fp = s->fp_part, .path = s->p_part, .n_out = s->probe.n_out,
                          .base = first, .next = next, .last = last, .y = s->y,
                          .status = s->status + first};
    if (!s->fp_part || next >= last)
        return st;
    if (!(rows.done = calloc(last - first, 1)))
        st = calcify_fail(&s->err, CALCIFY_ENOMEM, "out of memory");
    cli_progress pr;
    cli_progress_init(&pr, "gsa", s->b.quiet);
    rows.progress = cli_progress_update;
    rows.progress_user = &pr;
    int params[CALCIFY_MAX_PARAM];
    for (size_t j = 0; j < s->g.d; j++)
        params[j] = s->vary[j].param;
    calcify_batch_opts bo = {
        .sc = &s->sc, .probe = &s->probe, .params = params, .n_params = s->g.d,
        .values = s->g.values, .first = next, .last = last, .threads = (int)s->b.threads,
        .progress = sweepdir_rows_progress, .user = &rows, .run_done = sweepdir_rows_done};
    if (!st)
        st = calcify_batch_run(&bo, s->y + (next - first) * s->probe.n_out, s->status + next,
                               &s->err);
    if (!st && rows.error)
        st = calcify_fail(&s->err, CALCIFY_EIO, "%s: write failed: %s", s->p_part,
                          strerror(rows.error));
    free(rows.done);
    return st;
}

/* --from: the joined evaluations, whole. */
static calcify_status gsa_write_joined(gsa_cmd *s)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/evaluations.csv", s->dir);
    calcify_status st = calcify_outfile_open(&s->fe, path, &s->err);
    sweepdir_rows all = {.fp = s->fe.fp, .path = path, .n_out = s->probe.n_out, .y = s->y,
                         .status = s->status, .last = s->last};
    if (!st) {
        fwrite(s->header, 1, s->header_len, s->fe.fp);
        sweepdir_rows_write(&all, s->last); /* a failed write: commit says so */
        st = calcify_outfile_commit(&s->fe, &s->err);
    }
    return st;
}

/* The files after the runs: joined evaluations, indices.csv (all runs
 * here), and last the rename of evaluations.csv.part. */
static calcify_status gsa_write_results(gsa_cmd *s)
{
    calcify_status st = CALCIFY_OK;
    char path[4096];
    if (s->state == 2)
        return st;
    if (s->n_from)
        st = gsa_write_joined(s);
    if (!st && s->first == 0 && s->last == s->g.runs) {
        snprintf(path, sizeof path, "%s/indices.csv", s->dir);
        st = calcify_outfile_open(&s->fi, path, &s->err);
        calcify_boot_opts bo = {(size_t)s->boot, s->conf, (uint64_t)s->seed};
        if (!st)
            st = write_indices(s->fi.fp, (int)s->b.precision, &s->sc, &s->probe, s->vary,
                               &s->g, s->y, &bo, &s->err);
        if (!st)
            st = calcify_outfile_commit(&s->fi, &s->err);
    }
    /* last: evaluations.csv there and no .part is a finished gsa */
    if (!st && !s->n_from) {
        snprintf(path, sizeof path, "%s/evaluations.csv", s->dir);
        if (rename(s->p_part, path) != 0)
            st = calcify_fail(&s->err, CALCIFY_EIO, "%s: cannot rename: %s", s->p_part,
                              strerror(errno));
    }
    return st;
}

/* Everything gsa_load and later stages hold; on failure (st) also the
 * folders made for -o. */
static void gsa_free(gsa_cmd *s, calcify_status st)
{
    calcify_outfile_abort(&s->fd);
    calcify_outfile_abort(&s->fe);
    calcify_outfile_abort(&s->fi);
    if (st)
        calcify_dir_unmake(s->dir, s->made);
    free(s->made);
    free(s->manifest);
    free(s->cmdline);
    free(s->design_text);
    free(s->header);
    free(s->y);
    free(s->status);
    free(s->have);
    free(s->g.values);
    calcify_morris_plan_free(&s->g.plan);
    calcify_probe_free(&s->probe);
    free(s->selected);
    calcify_scenario_free(&s->sc);
}

int cmd_gsa(int argc, char **argv)
{
    gsa_cmd c = {.argc = argc, .argv = argv, .method = -1, .conf = 0.95, .n = -1, .seed = 1,
                 .levels = 4, .boot = 500, .shard_k = 1, .shard_n = 1}, *s = &c;
    cli_batch_defaults(&s->b);
    int rc = gsa_parse_options(s);
    if (rc == GSA_GO)
        rc = gsa_check_options(s);
    if (rc == GSA_GO)
        rc = gsa_load(s);
    if (rc != GSA_GO)
        return rc;
    s->g = (gsa_design){.morris = s->method, .n = (size_t)s->n, .d = s->n_vary};
    calcify_status st = gsa_plan_design(s);
    if (!st)
        st = gsa_plan_block(s);
    if (!st)
        st = gsa_plan_texts(s);
    if (!st)
        st = gsa_read_shards(s);
    if (!st)
        st = gsa_manifest(s);
    if (!st)
        st = gsa_open_dir(s);
    if (!st)
        st = gsa_run(s);
    if (s->fp_part && fclose(s->fp_part) != 0 && !st)
        st = calcify_fail(&s->err, CALCIFY_EIO, "%s: write failed: %s", s->p_part,
                          strerror(errno));
    size_t failed = 0;
    for (size_t r = s->first; !st && s->state != 2 && r < s->last; r++)
        failed += s->status[r] != CALCIFY_RUN_OK;
    if (!st)
        st = gsa_write_results(s);
    gsa_free(s, st);
    if (st)
        return cli_error(st, s->err.msg);
    if (failed)
        fprintf(stderr, "calcify: %zu of %zu runs failed (status in %s/evaluations.csv); the "
                "indices use the samples without a failure\n", failed, s->last - s->first,
                s->dir);
    return 0;
}
