/* cmd_population.c — `calcify population`: virtual animals per arm. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "calcify/batch.h"
#include "calcify/output.h"
#include "calcify/population.h"
#include "calcify/params.h"
#include "cli/cli.h"
#include "cli/options.h"
#include "analysis/sweepdir.h"

/* Parameters and columns are named as those of the model parameter files
 * are read for (calcify/params.h): the scenario's. */
#define MD (calcify_params_file_model())

/* The help page; the options are in src/cli/options.c. */
static const cli_command_doc doc = {
    CLI_CMD_POPULATION, "population",
    "population SCENARIO (--n-per-arm N | --individuals FILE) -o DIR\n"
    "                          [--iiv NAME=CV%]... [--iiv-corr NAME1,NAME2=RHO]...\n"
    "                          [--covariate NAME=MEDIAN:CV%]... [--error OBS=SPEC]...\n"
    "                          [--seed S] [--threads T] [--arm NAME]...\n"
    "                          [--observable NAMES] [--at T1,T2,...]\n"
    "                          [--resume | --force]\n",
    "Virtual animals: N per arm (or the animals of an individuals file), each\n"
    "with its own parameters drawn with log-normal inter-individual\n"
    "variability, theta * exp(eta), theta the scenario's value (the median),\n"
    "eta ~ N(0, omega^2), omega^2 = ln(1 + CV^2); each animal is a full run\n"
    "from its own baseline steady state.  Writes\n"
    "  DIR/animals.csv  id,arm,animal, the animal's parameters (--iiv, then\n"
    "                   --covariate, then the individuals file's columns),\n"
    "                   status, and each observable at the arm's end\n"
    "                   (<observable>_end) and at each --at time\n"
    "                   (<observable>_at_<T>d, as run --summary); with --error\n"
    "                   on an observable, each such column is followed by its\n"
    "                   observed value (<column>_obs)\n"
    "  DIR/stats.csv    arm,time_d,observable,n,mean,sd,p05,p50,p95 over the\n"
    "                   animals of each arm, every --step days (the scenario's\n"
    "                   output step by default), at the --at times and at the\n"
    "                   arm's end; of the observed values for an observable\n"
    "                   with --error, of the model's otherwise\n"
    "  DIR/manifest.txt written first: calcify version, SHA-256 of the scenario,\n"
    "                   parameter and individuals files, --set, solver, the\n"
    "                   --iiv/--covariate/--error options, --seed, columns and\n"
    "                   command line (--resume checks it)\n"
    "  DIR/runs.csv.part  while animals run: each finished animal's probed\n"
    "                   values, in animal order (what --resume keeps); removed\n"
    "                   once animals.csv and stats.csv are written\n"
    "Same --seed, same animals and the same bytes, whatever --threads is;\n"
    "covariates and residual errors have streams of their own, so adding them\n"
    "leaves the --iiv draws of a seed as they were.\n"
    "Compare with data: calcify validate SCENARIO --data FILE --population DIR\n"
    "Plot: gnuplot -c plots/population.gp DIR/stats.csv OUT.png [TERM] [OBS] [TARGETS]\n",
    "Example (Schurgers 2007 used 6 rats per group):\n"
    "  calcify population models/vermeer2007.cfg --n-per-arm 6 \\\n"
    "      --iiv ca_dep_max=30% --seed 7 -o out/pop\n"
    "  gnuplot -c plots/population.gp out/pop/stats.csv out/population.png\n"};

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* What the command line asks for. */
typedef struct {
    cli_model_opts mo;
    cli_batch_opts b;
    calcify_iiv iiv[CALCIFY_MAX_PARAM];
    size_t n_iiv;
    const char *corr_spec[256];
    int n_corr;
    calcify_covariate cov[2];
    size_t n_cov;
    calcify_reserr res[CALCIFY_MAX_MODEL_OBS];
    size_t n_res;
    const char *individuals, *dir;
    long n_per, seed;
    double step;
    int force, resume;
    const char *draw_spec[1024]; /* --iiv, --iiv-corr, --covariate, --error as given */
    int draw_opt[1024], n_draw_spec;
    int argc;
    char **argv;
} pop_opts;

/* The animals and what became of them. */
typedef struct {
    size_t total;              /* animals                                    */
    size_t m;                  /* parameters set per animal                  */
    int params[CALCIFY_MAX_PARAM];/* --iiv, --covariate, the file's columns     */
    double *values;            /* total × m                                  */
    size_t *arm_of;            /* probe arm of each animal                   */
    long long *animal;         /* number in its arm, or the file's id        */
    size_t *draw_of;           /* which draw (of --iiv, --covariate) it has  */
    size_t *row_of;            /* its row of the individuals file            */
    size_t n_draws;
    calcify_growth **growth;   /* per animal, NULL: the scenario's           */
    double *y, *y_obs;         /* probed values, and with residual error     */
    unsigned char *status;
} pop;

enum { OPT_NPER = CLI_OPT_N_PER_ARM, OPT_IIV = CLI_OPT_IIV, OPT_CORR = CLI_OPT_IIV_CORR,
       OPT_SEED = CLI_OPT_SEED, OPT_STEP = CLI_OPT_STEP, OPT_FORCE = CLI_OPT_FORCE,
       OPT_COV = CLI_OPT_COVARIATE, OPT_ERROR = CLI_OPT_ERROR,
       OPT_INDIVIDUALS = CLI_OPT_INDIVIDUALS, OPT_RESUME = CLI_OPT_RESUME };

/* One option the table (src/cli/options.c) has read and checked. */
static int add_option(pop_opts *o, int c, const cli_opts *p)
{
    const char *arg = p->arg;
    calcify_error err;
    if ((c == OPT_IIV || c == OPT_CORR || c == OPT_COV || c == OPT_ERROR) &&
        o->n_draw_spec < 1024) { /* for the manifest */
        o->draw_opt[o->n_draw_spec] = c;
        o->draw_spec[o->n_draw_spec++] = arg;
    }
    switch (c) {
    case OPT_NPER: o->n_per = p->l; return 0;
    case OPT_IIV:
        if (o->n_iiv == MD->n_param)
            return fputs("calcify: more --iiv than parameters\n", stderr), 2;
        if (calcify_iiv_parse(arg, &o->iiv[o->n_iiv], &err))
            return cli_error(CALCIFY_EUSAGE, err.msg);
        o->n_iiv++;
        return 0;
    case OPT_CORR:
        if (o->n_corr == 256)
            return fputs("calcify: too many --iiv-corr\n", stderr), 2;
        o->corr_spec[o->n_corr++] = arg;
        return 0;
    case OPT_COV:
        if (o->n_cov == 2)
            return fprintf(stderr, "calcify: at most two --covariate (%s, %s)\n",
                           MD->params[MD->p_body_weight].name,
                           MD->params[MD->p_food_intake].name), 2;
        if (calcify_covariate_parse(arg, &o->cov[o->n_cov], &err))
            return cli_error(CALCIFY_EUSAGE, err.msg);
        o->n_cov++;
        return 0;
    case OPT_ERROR:
        if (o->n_res == MD->n_obs)
            return fputs("calcify: more --error than observables\n", stderr), 2;
        if (calcify_reserr_parse(arg, &o->res[o->n_res], &err))
            return cli_error(CALCIFY_EUSAGE, err.msg);
        for (size_t k = 0; k < o->n_res; k++)
            if (o->res[k].obs == o->res[o->n_res].obs) {
                fprintf(stderr, "calcify: --error %s given twice (expected one --error per "
                        "observable, e.g. prop:10%%,add:0.05)\n",
                        MD->obs_names[o->res[k].obs]);
                return 2;
            }
        o->n_res++;
        return 0;
    case OPT_SEED: o->seed = p->l; return 0;
    case OPT_STEP: o->step = p->d; return 0;
    case OPT_INDIVIDUALS: o->individuals = arg; return 0;
    case 'o': o->dir = arg; return 0;
    case OPT_FORCE: o->force = 1; return 0;
    case OPT_RESUME: o->resume = 1; return 0;
    default: return cli_batch_option(&o->b, c, arg) < 0 ? 2 : 0;
    }
}

/* Parse argv into o: -1 to go on, else the exit code. */
static int parse_args(int argc, char **argv, pop_opts *o)
{
    memset(o, 0, sizeof *o);
    o->seed = 1;
    o->argc = argc;
    o->argv = argv;
    cli_batch_defaults(&o->b);
    int c, rc;
    cli_opts p;
    cli_opts_begin(&p, &doc, argc, argv, &o->mo);
    while ((c = cli_opts_next(&p)) > 0)
        if ((rc = add_option(o, c, &p)))
            return rc;
    if (c < 0)
        return cli_opts_exit(c);
    if (argc - optind != 1 || !o->dir || !o->n_per == !o->individuals ||
        !(o->n_iiv || o->n_cov || o->n_res || o->individuals))
        return cli_usage_error(&doc, "expected one SCENARIO, --n-per-arm or "
                               "--individuals (not both), something that varies (--iiv, "
                               "--covariate, --error or --individuals) and -o DIR");
    /* the --at columns in time order, each once (as run --summary has them) */
    qsort(o->b.at, o->b.n_at, sizeof o->b.at[0], cmp_double);
    size_t n_at = 0;
    for (size_t t = 0; t < o->b.n_at; t++)
        if (!n_at || o->b.at[t] != o->b.at[n_at - 1])
            o->b.at[n_at++] = o->b.at[t];
    o->b.n_at = n_at;
    return -1;
}

/* The parameters set per animal, each from one source. */
static calcify_status collect_params(const pop_opts *o, const calcify_individuals *ind,
                                     pop *P, calcify_error *err)
{
    const char *src[CALCIFY_MAX_PARAM];
    P->m = 0;
    for (size_t j = 0; j < o->n_iiv + o->n_cov + ind->m; j++) {
        int p = j < o->n_iiv ? o->iiv[j].param
              : j < o->n_iiv + o->n_cov ? o->cov[j - o->n_iiv].param
                                        : ind->param[j - o->n_iiv - o->n_cov];
        const char *who = j < o->n_iiv ? "--iiv" : j < o->n_iiv + o->n_cov ? "--covariate"
                                                                            : o->individuals;
        for (size_t k = 0; k < P->m; k++)
            if (P->params[k] == p)
                return calcify_fail(err, CALCIFY_EUSAGE, "%s gives %s, and so does %s "
                                    "(expected one source per parameter)", who,
                                    MD->params[p].name, src[k]);
        src[P->m] = who;
        P->params[P->m++] = p;
    }
    return CALCIFY_OK;
}

/* Which arms run: --arm, and with an `arm` column only those it names. */
static calcify_status restrict_arms(const calcify_scenario *sc, const calcify_individuals *ind,
                                    const char *path, unsigned char **selected,
                                    calcify_error *err)
{
    if (!ind->has_arm)
        return CALCIFY_OK;
    if (!*selected) {
        if (!(*selected = malloc(sc->n_arms)))
            return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
        memset(*selected, 1, sc->n_arms);
    }
    size_t left = 0;
    for (size_t k = 0; k < sc->n_arms; k++) {
        int named = 0;
        for (size_t i = 0; i < ind->n && !named; i++)
            named = ind->arm[i] == (long)k;
        (*selected)[k] &= (unsigned char)named;
        left += (*selected)[k];
    }
    return left ? CALCIFY_OK
                : calcify_fail(err, CALCIFY_EUSAGE, "%s: no row is in an arm that runs "
                               "(expected rows for the --arm arms)", path);
}

/* Lay the animals out, arm by arm: N per arm, every row of the file in
 * every arm, or each row in its own arm. */
static calcify_status plan(const pop_opts *o, const calcify_individuals *ind,
                           const calcify_probe *probe, pop *P, calcify_error *err)
{
    size_t per = o->individuals ? ind->n : (size_t)o->n_per, n = 0;
    for (size_t a = 0; a < probe->n_arms; a++)
        for (size_t r = 0; r < per; r++)
            n += !ind->has_arm || ind->arm[r] == (long)probe->arms[a].arm;
    P->total = n;
    P->n_draws = o->individuals && !ind->has_arm ? ind->n : n;
    if (!(P->arm_of = malloc((n ? n : 1) * sizeof *P->arm_of)) ||
        !(P->animal = malloc((n ? n : 1) * sizeof *P->animal)) ||
        !(P->draw_of = malloc((n ? n : 1) * sizeof *P->draw_of)) ||
        !(P->row_of = malloc((n ? n : 1) * sizeof *P->row_of)))
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    size_t i = 0;
    for (size_t a = 0; a < probe->n_arms; a++)
        for (size_t r = 0; r < per; r++) {
            if (ind->has_arm && ind->arm[r] != (long)probe->arms[a].arm)
                continue;
            P->arm_of[i] = a;
            P->row_of[i] = r;
            P->animal[i] = o->individuals ? ind->id[r] : (long long)r + 1;
            /* one individual is one animal, with one set of draws, in every arm */
            P->draw_of[i] = P->n_draws == n ? i : r;
            i++;
        }
    return CALCIFY_OK;
}

/* Every animal's parameters: the draws of --iiv and --covariate, the file's
 * values. */
static calcify_status fill_values(const pop_opts *o, const calcify_scenario *sc,
                                  const calcify_individuals *ind, pop *P, calcify_error *err)
{
    size_t m = P->m, ni = o->n_iiv, nc = o->n_cov, nd = P->n_draws;
    double corr[CALCIFY_MAX_PARAM * CALCIFY_MAX_PARAM] = {0};
    for (int i = 0; i < o->n_corr; i++)
        if (calcify_iiv_corr_parse(o->corr_spec[i], o->iiv, ni, corr, err))
            return CALCIFY_EUSAGE;
    double *iiv = malloc((nd * ni + 1) * sizeof *iiv);
    double *cov = malloc((nd * nc + 1) * sizeof *cov);
    calcify_status st = iiv && cov && (P->values = malloc((P->total * m + 1) *
                                                           sizeof *P->values))
                            ? CALCIFY_OK : calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    if (!st && ni)
        st = calcify_population_draw(&sc->params, o->iiv, ni, o->n_corr ? corr : NULL, nd,
                                     (uint64_t)o->seed, iiv, err);
    if (!st && nc)
        st = calcify_covariate_draw(o->cov, nc, nd, (uint64_t)o->seed, cov, nc, err);
    for (size_t i = 0; !st && i < P->total; i++) {
        double *v = &P->values[i * m];
        size_t d = P->draw_of[i];
        memcpy(v, &iiv[d * ni], ni * sizeof *v);
        memcpy(v + ni, &cov[d * nc], nc * sizeof *v);
        if (ind->m)
            memcpy(v + ni + nc, &ind->values[P->row_of[i] * ind->m], ind->m * sizeof *v);
    }
    free(iiv);
    free(cov);
    return st;
}

/* Each animal with a body weight or food intake of its own and a growth
 * table to follow gets that table scaled to it. */
static calcify_status scale_growth(const calcify_scenario *sc, const calcify_probe *probe,
                                   pop *P, calcify_error *err)
{
    long bw = -1, fi = -1;
    for (size_t j = 0; j < P->m; j++) {
        if (P->params[j] == MD->p_body_weight) bw = (long)j;
        if (P->params[j] == MD->p_food_intake) fi = (long)j;
    }
    if (bw < 0 && fi < 0)
        return CALCIFY_OK;
    if (!(P->growth = calloc(P->total ? P->total : 1, sizeof *P->growth)))
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    for (size_t i = 0; i < P->total; i++) {
        const calcify_arm *arm = &sc->arms[probe->arms[P->arm_of[i]].arm];
        const calcify_growth *g = arm->growth ? arm->growth : sc->growth;
        const double *v = &P->values[i * P->m];
        if (g && calcify_growth_scaled(g, bw >= 0 ? v[bw] : NAN, fi >= 0 ? v[fi] : NAN,
                                       &P->growth[i], err))
            return CALCIFY_ENOMEM;
    }
    return CALCIFY_OK;
}

/* The residual error of probe observable oi, or NULL. */
static const calcify_reserr *reserr_of(const pop_opts *o, const calcify_probe *probe,
                                       size_t oi)
{
    for (size_t k = 0; k < o->n_res; k++)
        if (o->res[k].obs == probe->obs[oi])
            return &o->res[k];
    return NULL;
}

/* Value of observable oi at time t of probe arm a in run vector v: NAN if
 * the arm does not reach t. */
static double value_at(const calcify_probe *probe, size_t a, double t, size_t oi,
                       const double *v)
{
    long ti = calcify_probe_time_index(&probe->arms[a], t);
    return ti < 0 ? NAN : v[calcify_probe_slot(probe, a, (size_t)ti, oi)];
}

static void write_header(FILE *fp, const pop_opts *o, const calcify_probe *probe,
                         const pop *P)
{
    fputs("id,arm,animal", fp);
    for (size_t j = 0; j < P->m; j++) {
        char col[128];
        fprintf(fp, ",%s", calcify_param_column(P->params[j], col, sizeof col));
    }
    fputs(",status", fp);
    for (size_t t = 0; t <= o->b.n_at; t++) /* the end, then the --at times */
        for (size_t oi = 0; oi < probe->n_obs; oi++) {
            const char *name = calcify_obs_name(probe->table, probe->obs[oi]);
            char col[160];
            if (t == 0)
                snprintf(col, sizeof col, "%s_end", name);
            else /* named as run --summary names them */
                snprintf(col, sizeof col, "%s_at_%.10gd", name, o->b.at[t - 1]);
            fprintf(fp, ",%s", col);
            if (reserr_of(o, probe, oi))
                fprintf(fp, ",%s_obs", col);
        }
    fputc('\n', fp);
}

/* animals.csv: a row per animal; returns the number that failed. */
static size_t write_animals(FILE *fp, const pop_opts *o, const calcify_scenario *sc,
                            const calcify_probe *probe, const pop *P)
{
    int precision = (int)o->b.precision;
    write_header(fp, o, probe, P);
    size_t failed = 0;
    for (size_t i = 0; i < P->total; i++) {
        size_t a = P->arm_of[i];
        const double *v = &P->y[i * probe->n_out], *w = &P->y_obs[i * probe->n_out];
        failed += P->status[i] != CALCIFY_RUN_OK;
        fprintf(fp, "%zu,%s,%lld", i + 1, sc->arms[probe->arms[a].arm].name, P->animal[i]);
        calcify_csv_write_numbers(fp, precision, &P->values[i * P->m], P->m);
        fprintf(fp, ",%s", calcify_run_status_name(P->status[i]));
        for (size_t t = 0; t <= o->b.n_at; t++) {
            double at = t ? o->b.at[t - 1]
                          : probe->arms[a].times[probe->arms[a].n_times - 1];
            for (size_t oi = 0; oi < probe->n_obs; oi++) {
                calcify_csv_write_number(fp, precision, value_at(probe, a, at, oi, v));
                if (reserr_of(o, probe, oi))
                    calcify_csv_write_number(fp, precision, value_at(probe, a, at, oi, w));
            }
        }
        fputc('\n', fp);
    }
    return failed;
}

static void pop_free(pop *P)
{
    for (size_t i = 0; P->growth && i < P->total; i++)
        calcify_growth_free(P->growth[i]);
    free(P->growth);
    free(P->values);
    free(P->arm_of);
    free(P->animal);
    free(P->draw_of);
    free(P->row_of);
    free(P->y);
    free(P->y_obs);
    free(P->status);
}

/* Write animals.csv and stats.csv into the folder; on failure neither. */
static calcify_status write_files(const pop_opts *o, const calcify_scenario *sc,
                                  const calcify_probe *probe, const pop *P, size_t *failed,
                                  calcify_error *err)
{
    calcify_outfile fa = {0}, fs = {0};
    char path[4096];
    snprintf(path, sizeof path, "%s/animals.csv", o->dir);
    calcify_status st = calcify_outfile_open(&fa, path, err);
    if (!st) {
        *failed = write_animals(fa.fp, o, sc, probe, P);
        snprintf(path, sizeof path, "%s/stats.csv", o->dir);
        st = calcify_outfile_open(&fs, path, err);
    }
    if (!st) /* of the observed values where there is residual error */
        st = calcify_population_write_stats(fs.fp, (int)o->b.precision, sc, probe, P->y_obs,
                                            P->arm_of, P->status, P->total, err);
    if (!st)
        st = calcify_outfile_commit(&fa, err);
    if (!st)
        st = calcify_outfile_commit(&fs, err);
    calcify_outfile_abort(&fa);
    calcify_outfile_abort(&fs);
    return st;
}

/* Text that fp-writing code produces (malloc'd; NULL on no memory). */
static char *text_of(const pop_opts *o, const calcify_scenario *sc, const calcify_probe *probe,
                     const pop *P, int rows)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    if (!fp)
        return NULL;
    if (rows)
        sweepdir_rows_header(fp, sc, probe);
    else
        write_header(fp, o, probe, P);
    if (fclose(fp) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* The manifest: everything that decides the bytes of the results. */
static calcify_status make_manifest(const pop_opts *o, const calcify_scenario *sc,
                                    const pop *P, const char *animals_header,
                                    const char *rows_header, char **manifest,
                                    calcify_error *err)
{
    size_t mlen = 0;
    calcify_status st = sweepdir_manifest_begin(manifest, &mlen, "calcify population "
                                                "manifest: written first; population "
                                                "--resume refuses a folder whose manifest "
                                                "differs (but for command and paths)", sc,
                                                o->mo.params, o->mo.sets, o->mo.n_sets, err);
    if (st)
        return st;
    char sha[65] = "", *dbuf = NULL, *abuf = NULL, *cmdline = NULL;
    size_t dlen, alen;
    if (o->individuals && (st = sweepdir_sha256_file(o->individuals, sha, err)))
        return st;
    FILE *fd = open_memstream(&dbuf, &dlen), *fa = open_memstream(&abuf, &alen);
    for (int k = 0; fd && k < o->n_draw_spec; k++)
        fprintf(fd, "%s%s %s", k ? "; " : "",
                o->draw_opt[k] == OPT_IIV ? "--iiv" : o->draw_opt[k] == OPT_CORR ? "--iiv-corr"
                : o->draw_opt[k] == OPT_COV ? "--covariate" : "--error", o->draw_spec[k]);
    for (size_t t = 0; fa && t < o->b.n_at; t++)
        fprintf(fa, "%s%.17g", t ? "," : "", o->b.at[t]);
    int bad = !fd || fclose(fd) != 0;
    bad |= !fa || fclose(fa) != 0;
    cmdline = sweepdir_command_line(o->argc, o->argv);
    bad |= !cmdline;
    bad |= sweepdir_manifest_add(manifest, &mlen, "n_per_arm", "%ld", o->n_per);
    bad |= sweepdir_manifest_add(manifest, &mlen, "individuals", "%s",
                                 o->individuals ? o->individuals : "none");
    bad |= sweepdir_manifest_add(manifest, &mlen, "individuals_sha256", "%s", sha);
    bad |= sweepdir_manifest_add(manifest, &mlen, "draws", "%s", dbuf ? dbuf : "");
    bad |= sweepdir_manifest_add(manifest, &mlen, "seed", "%ld", o->seed);
    bad |= sweepdir_manifest_add(manifest, &mlen, "step_d", "%.17g", o->step);
    bad |= sweepdir_manifest_add(manifest, &mlen, "at_d", "%s", abuf ? abuf : "");
    bad |= sweepdir_manifest_add(manifest, &mlen, "animals", "%zu", P->total);
    bad |= sweepdir_manifest_add(manifest, &mlen, "animals_columns", "%.*s",
                                 (int)strlen(animals_header) - 1, animals_header);
    /* a column per probed value: too long for one line, so its digest */
    char rows_sha[65];
    sweepdir_sha256_text(rows_header, strlen(rows_header), rows_sha);
    bad |= sweepdir_manifest_add(manifest, &mlen, "run_columns_sha256", "%s", rows_sha);
    bad |= sweepdir_manifest_add(manifest, &mlen, "precision", "%ld", o->b.precision);
    bad |= sweepdir_manifest_add(manifest, &mlen, "command", "%s", cmdline ? cmdline : "");
    free(dbuf);
    free(abuf);
    free(cmdline);
    return bad ? calcify_fail(err, CALCIFY_ENOMEM, "out of memory") : CALCIFY_OK;
}

/* Run the animals into the output folder: manifest.txt first, each
 * animal's probed values to runs.csv.part in animal order as it finishes
 * (what --resume reads back), then animals.csv and stats.csv, and the
 * .part removed last. */
static calcify_status run_and_write(const pop_opts *o, const calcify_scenario *sc,
                                    const calcify_probe *probe, pop *P, size_t *failed,
                                    calcify_error *err)
{
    size_t n = P->total ? P->total : 1;
    calcify_status st = CALCIFY_OK;
    if (!(P->y = malloc(n * probe->n_out * sizeof *P->y)) ||
        !(P->y_obs = malloc(n * probe->n_out * sizeof *P->y_obs)) ||
        !(P->status = malloc(n)))
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory for %zu animals", P->total);
    char *animals_header = text_of(o, sc, probe, P, 0), *rows_header = text_of(o, sc, probe, P, 1);
    char *manifest = NULL;
    if (!animals_header || !rows_header)
        st = calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    if (!st)
        st = make_manifest(o, sc, P, animals_header, rows_header, &manifest, err);
    /* a folder holding another run's files is not written into unasked;
     * one of this same command is continued with --resume */
    static const char *const ignore[] = {"command", "scenario", "parameters", "individuals",
                                         NULL};
    static const char *const writes[] = {SWEEPDIR_MANIFEST, "animals.csv", "stats.csv",
                                         "runs.csv.part", NULL};
    if (!st)
        st = sweepdir_check_outdir(o->dir, writes, manifest, ignore, o->resume, o->force,
                              "--resume to continue the population that made it, --force "
                              "to replace its files", err);
    int state = st ? 0 : sweepdir_resume_state(o->dir, manifest, ignore, o->resume,
                                               "animals.csv", "runs.csv.part");
    if (!st)
        st = sweepdir_remove_temporaries(o->dir, writes, err);
    char *made = NULL; /* folders made for -o, removed again on failure */
    char path[4096], p_part[4096];
    snprintf(p_part, sizeof p_part, "%s/runs.csv.part", o->dir);
    size_t next = 0;
    long keep = 0;
    FILE *fp = NULL;
    if (!st && state == 2) {
        fprintf(stderr, "calcify: %s is complete: nothing to resume\n", o->dir);
    } else if (!st && state == 1) {
        st = sweepdir_rows_scan(p_part, rows_header, probe->n_out, 0, P->total, P->y,
                                P->status, &next, &keep, err);
        if (!st)
            fp = sweepdir_reopen_cut(p_part, keep, err, &st);
        if (!st && keep == 0)
            fputs(rows_header, fp);
        if (!st)
            fprintf(stderr, "calcify: %s: %zu of %zu animals kept, running the other %zu\n",
                    o->dir, next, P->total, P->total - next);
    } else if (!st) {
        st = calcify_dir_make(o->dir, &made, err);
        /* files of an earlier run must not pass as this one's */
        const char *old[] = {"animals.csv", "stats.csv", "runs.csv.part"};
        for (size_t k = 0; !st && k < 3; k++) {
            snprintf(path, sizeof path, "%s/%s", o->dir, old[k]);
            if (unlink(path) != 0 && errno != ENOENT)
                st = calcify_fail(err, CALCIFY_EIO, "%s: cannot remove: %s", path,
                                  strerror(errno));
        }
        calcify_outfile fm = {0};
        if (!st) {
            snprintf(path, sizeof path, "%s/" SWEEPDIR_MANIFEST, o->dir);
            st = calcify_outfile_open(&fm, path, err);
        }
        if (!st) {
            fputs(manifest, fm.fp);
            st = calcify_outfile_commit(&fm, err);
        }
        calcify_outfile_abort(&fm);
        if (!st && !(fp = fopen(p_part, "w")))
            st = calcify_fail(err, CALCIFY_EIO, "%s: cannot create: %s", p_part,
                              strerror(errno));
        if (fp)
            fputs(rows_header, fp);
    }
    if (!st && fp && fflush(fp) != 0)
        st = calcify_fail(err, CALCIFY_EIO, "%s: write failed: %s", p_part, strerror(errno));
    sweepdir_rows rows = {.fp = fp, .path = p_part, .n_out = probe->n_out, .base = 0,
                          .next = next, .last = P->total, .y = P->y, .status = P->status};
    if (!st && fp && next < P->total) {
        if (!(rows.done = calloc(P->total, 1)))
            st = calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
        cli_progress pr;
        cli_progress_init(&pr, "population", o->b.quiet);
        rows.progress = cli_progress_update;
        rows.progress_user = &pr;
        calcify_batch_opts bo = {
            .sc = sc, .probe = probe, .params = P->params, .n_params = P->m,
            .values = P->values, .run_arm = P->arm_of, .first = next, .last = P->total,
            .threads = (int)o->b.threads, .growth = (const calcify_growth *const *)P->growth,
            .progress = sweepdir_rows_progress, .user = &rows,
            .run_done = sweepdir_rows_done};
        if (!st)
            st = calcify_batch_run(&bo, P->y + next * probe->n_out, P->status + next, err);
        if (!st && rows.error)
            st = calcify_fail(err, CALCIFY_EIO, "%s: write failed: %s", p_part,
                              strerror(rows.error));
    }
    free(rows.done);
    if (fp && fclose(fp) != 0 && !st)
        st = calcify_fail(err, CALCIFY_EIO, "%s: write failed: %s", p_part, strerror(errno));
    if (!st && state != 2)
        st = calcify_reserr_apply(probe, o->res, o->n_res, P->y, P->total,
                                  (uint64_t)o->seed, P->y_obs, err);
    if (!st && state != 2)
        st = write_files(o, sc, probe, P, failed, err);
    /* last: animals.csv there and no .part is a finished population */
    if (!st && state != 2 && unlink(p_part) != 0)
        st = calcify_fail(err, CALCIFY_EIO, "%s: cannot remove: %s", p_part, strerror(errno));
    if (st)
        calcify_dir_unmake(o->dir, made);
    free(made);
    free(manifest);
    free(animals_header);
    free(rows_header);
    return st;
}

/* Each --error on an observable that is read. */
static calcify_status check_errors(const pop_opts *o, const calcify_probe *probe,
                                   calcify_error *err)
{
    for (size_t k = 0; k < o->n_res; k++) {
        size_t oi = 0;
        while (oi < probe->n_obs && probe->obs[oi] != o->res[k].obs)
            oi++;
        if (oi == probe->n_obs)
            return calcify_fail(err, CALCIFY_EUSAGE, "--error %s: not among --observable "
                                "(expected an observable that is written)",
                                MD->obs_names[o->res[k].obs]);
    }
    return CALCIFY_OK;
}

/* Everything between the scenario and the runs. */
static calcify_status prepare(const pop_opts *o, const calcify_scenario *sc,
                              calcify_individuals *ind, calcify_probe *probe, pop *P,
                              calcify_error *err)
{
    unsigned char *selected = NULL;
    calcify_status st = CALCIFY_OK;
    if (o->individuals)
        st = calcify_individuals_load(o->individuals, sc, ind, err);
    if (!st)
        st = cli_select_arms(sc, o->b.arms, o->b.n_arms, &selected, err);
    if (!st)
        st = restrict_arms(sc, ind, o->individuals, &selected, err);
    if (!st)
        st = calcify_probe_init_grid_at(probe, sc, selected,
                                        o->step > 0 ? o->step : sc->output_step, o->b.at,
                                        o->b.n_at, o->b.obs, o->b.n_obs, err);
    free(selected);
    if (!st)
        st = check_errors(o, probe, err);
    if (!st)
        st = collect_params(o, ind, P, err);
    if (!st)
        st = plan(o, ind, probe, P, err);
    /* animals.csv has a row per animal, stats.csv one per arm, time and
     * observable: the probe's slots */
    if (!st)
        st = cli_check_rows("this population", (double)P->total, "animal",
                            o->individuals ? "--individuals" : "--n-per-arm", o->force, err);
    if (!st)
        st = cli_check_rows("this population", (double)probe->n_out, "stats", "--step",
                            o->force, err);
    if (!st)
        st = fill_values(o, sc, ind, P, err);
    if (!st)
        st = scale_growth(sc, probe, P, err);
    return st;
}

int cmd_population(int argc, char **argv)
{
    pop_opts o;
    int rc = parse_args(argc, argv, &o);
    if (rc >= 0)
        return rc;
    calcify_scenario sc;
    if ((rc = cli_load_scenario(argv[optind], &o.mo, &sc)))
        return rc;
    for (size_t j = 0; j < o.n_iiv; j++)
        if ((rc = cli_check_settable(&sc, &o.iiv[j].param, 1, "--iiv"))) {
            calcify_scenario_free(&sc);
            return rc;
        }
    calcify_individuals ind = {0};
    calcify_probe probe = {0};
    pop P = {0};
    calcify_error err;
    size_t failed = 0;
    calcify_status st = prepare(&o, &sc, &ind, &probe, &P, &err);
    if (!st)
        st = run_and_write(&o, &sc, &probe, &P, &failed, &err);
    size_t total = P.total;
    pop_free(&P);
    calcify_individuals_free(&ind);
    calcify_probe_free(&probe);
    calcify_scenario_free(&sc);
    if (st)
        return cli_error(st, err.msg);
    if (failed)
        fprintf(stderr, "calcify: %zu of %zu animals failed (status in %s/animals.csv; left "
                "out of stats.csv)\n", failed, total, o.dir);
    return 0;
}
