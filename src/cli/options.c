/* options.c — the command-line options as data (see options.h): the table,
 * its parser and its help renderer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calcify/numfmt.h"
#include "calcify/population.h"
#include "cli/options.h"

/* getopt_long's code of the long option at p->entry[i]: above every
 * short option's character and getopt's '?' and ':'. */
#define CLI_LONG_BASE 256

#define BATCH (CLI_IN(SENSITIVITY) | CLI_IN(GSA) | CLI_IN(POPULATION))
#define MODEL_NOT_GSA (CLI_IN(SWEEP) | CLI_IN(SENSITIVITY) | CLI_IN(POPULATION) | CLI_IN(FIT) | \
                       CLI_IN(RUN) | CLI_IN(VALIDATE) | CLI_IN(PARAMS) | CLI_IN(SBML))
#define MODEL (MODEL_NOT_GSA | CLI_IN(GSA))
#define TIMES_HELP "times, days or with units ('6 w,1 y'), comma-separated\n" \
                   "or repeated (default: the end of each phase of each arm)"

/* In the order the help pages list them: the command's own options first,
 * then what it shares with others, the model options, --help last.  An
 * option whose meaning differs between commands has one entry per meaning. */
const cli_option cli_options[] = {
    /* sbml */
    {"arm", 0, CLI_OPT_SBML_ARM, CLI_ARG_TEXT, "NAME", 0, 0, CLI_IN(SBML),
     "the arm to write, one (not a list, as in run); may be\n"
     "left out when SCENARIO has one arm", NULL},
    {"output", 'o', 'o', CLI_ARG_TEXT, "FILE", 0, 0, CLI_IN(SBML),
     "write to FILE (default: standard output); the file\n"
     "appears only when everything succeeded (written beside\n"
     "it, then renamed)", NULL},
    {"check", 0, CLI_OPT_CHECK, CLI_ARG_NONE, NULL, 0, 0, CLI_IN(SBML),
     "print every message of libsbml's consistency check\n"
     "(units included) and a count on standard error; the\n"
     "check always runs, and an error in it fails the command", NULL},

    /* params */
    {"markdown", 0, CLI_OPT_MARKDOWN, CLI_ARG_NONE, NULL, 0, 0, CLI_IN(PARAMS),
     "Markdown table instead of TSV", NULL},

    /* merge */
    {"output", 'o', 'o', CLI_ARG_TEXT, "DIR", 0, 0, CLI_IN(MERGE),
     "output folder (created with its parents if missing;\n"
     "refused if it holds another run's files, a manifest.txt\n"
     "or the files above, unless --force)", NULL},
    {"force", 0, CLI_OPT_FORCE, CLI_ARG_NONE, NULL, 0, 0, CLI_IN(MERGE),
     "replace those files", NULL},
    {"keep-going", 0, CLI_OPT_KEEP_GOING, CLI_ARG_NONE, NULL, 0, 0, CLI_IN(MERGE),
     "failed runs do not make the exit status non-zero", NULL},

    /* validate */
    {"data", 0, CLI_OPT_DATA, CLI_ARG_TEXT, "FILE", 0, 0, CLI_IN(VALIDATE),
     "targets CSV (required; repeatable, rows of all files\n"
     "are compared; format: docs/SCENARIOS.md)", NULL},
    {"population", 0, CLI_OPT_POPULATION, CLI_ARG_TEXT, "DIR", 0, 0, CLI_IN(VALIDATE),
     "instead of simulating, compare the arm means of a\n"
     "virtual population (DIR/stats.csv of calcify\n"
     "population) with the targets, with the population's\n"
     "SD and n beside them, and the data's SD where the\n"
     "targets give one; a ratio target compares the ratio\n"
     "of the arms' means", NULL},
    {"table", 0, CLI_OPT_TABLE, CLI_ARG_TEXT, "FILE", 0, 0, CLI_IN(VALIDATE),
     "also write every comparison as CSV (row, label, arm,\n"
     "time_d, observable, simulated, target, lo, hi, sd, n,\n"
     "status; lo..hi the interval judged by), for\n"
     "plots/fit.gp; not with --population", NULL},

    /* fit */
    {"data", 0, CLI_OPT_DATA, CLI_ARG_TEXT, "FILE", 0, 0, CLI_IN(FIT),
     "targets CSV (required; repeatable: all rows are fitted\n"
     "together; any output column can be a target)", NULL},
    {"free", 0, CLI_OPT_FREE, CLI_ARG_TEXT, "LIST", 0, 0, CLI_IN(FIT),
     "comma-separated parameter names (required)", NULL},
    {"output", 'o', 'o', CLI_ARG_TEXT, "FILE", 0, 0, CLI_IN(FIT),
     "write the fitted parameter file", NULL},
    {"profile", 0, CLI_OPT_PROFILE, CLI_ARG_NONE, NULL, 0, 0, CLI_IN(FIT),
     "after the fit, the profile likelihood of each free\n"
     "parameter: it is held at values stepped out from its\n"
     "estimate, the others refitted, until the sum of squares\n"
     "has risen by 3.84 (95%, chi-squared with 1 degree of\n"
     "freedom); prints the interval (open where the range\n"
     "ends first)", NULL},
    {"profile-out", 0, CLI_OPT_PROFILE_OUT, CLI_ARG_TEXT, "FILE", 0, 0, CLI_IN(FIT),
     "with --profile: the profile points as CSV\n"
     "(parameter,value,unit,sum_sq,rise)", NULL},
    {"starts", 0, CLI_OPT_STARTS, CLI_ARG_INT, "N", 1, 10000, CLI_IN(FIT),
     "first fit from N starts drawn on the fit's scale within\n"
     "a factor of about 7 of the start values (seeded), print\n"
     "each optimum and how many found the best; the report\n"
     "is then the fit from the best", NULL},
    {"seed", 0, CLI_OPT_SEED, CLI_ARG_INT, "S", 0, 4294967295.0, CLI_IN(FIT),
     "seed of --starts (default 1)", NULL},
    {"table", 0, CLI_OPT_TABLE, CLI_ARG_TEXT, "FILE", 0, 0, CLI_IN(FIT),
     "write every fitted row at the estimate as CSV (row,\n"
     "label, arm, time_d, observable, simulated, target,\n"
     "lo, hi, sd, n, status; as calcify validate --table),\n"
     "for plots/fit.gp", NULL},
    {"quiet", 'q', 'q', CLI_ARG_NONE, NULL, 0, 0, CLI_IN(FIT), "no progress on stderr", NULL},

    /* run */
    {"output", 'o', 'o', CLI_ARG_TEXT, "FILE", 0, 0, CLI_IN(RUN),
     "write the CSV to FILE (default: standard output); a\n"
     "regular file appears only when the run succeeds (written\n"
     "beside it, then renamed; a link is followed), a device\n"
     "or pipe is written in place; missing folders are made", NULL},
    {"arm", 0, OPT_B_ARM, CLI_ARG_TEXT, "NAMES", 0, 0, CLI_IN(RUN),
     "run only these arms: comma-separated, or repeated", NULL},
    {"meta", 0, CLI_OPT_META, CLI_ARG_TEXT, "FILE", 0, 0, CLI_IN(RUN),
     "also write the run's metadata (scenario name, arm\n"
     "descriptions, phase boundaries and diets; tab-\n"
     "separated) for the plots/ scripts", NULL},
    {"doses", 0, CLI_OPT_DOSES, CLI_ARG_TEXT, "FILE", 0, 0, CLI_IN(RUN),
     "also write every dose given (CSV: arm, time_d, phase,\n"
     "drug, route, amount_mg_per_kg, and for infusions\n"
     "rate_mg_per_kg_d and duration_d; K1 and MK-4 in mg too)", NULL},
    {"step", 0, CLI_OPT_STEP, CLI_ARG_DURATION, "TIME", 1e-6, 1e6, CLI_IN(RUN),
     "output step, in days or with a unit ('12 h', '1 w';\n"
     "default: the scenario's output_step)", NULL},
    {"summary", 0, CLI_OPT_SUMMARY, CLI_ARG_NONE, NULL, 0, 0, CLI_IN(RUN),
     "instead of the time series, one row per arm of\n"
     "endpoints: the chosen observables at the endpoint\n"
     "times (<obs>_at_<T>d), and their AUC, min, max and\n"
     "time of max over the arm (from the solver's steps:\n"
     "--step does not change them beyond the tolerance);\n"
     "the --set names echoed first; no header unless\n"
     "--header, so loops can append rows", NULL},
    {"header", 0, CLI_OPT_HEADER, CLI_ARG_NONE, NULL, 0, 0, CLI_IN(RUN),
     "with --summary: print the header row", NULL},
    {"force", 0, CLI_OPT_FORCE, CLI_ARG_NONE, NULL, 0, 0, CLI_IN(RUN),
     "write more than 10 million rows or an estimated 2 GB\n"
     "(rows x columns x 18 bytes, or N + 7 with --precision\n"
     "N), refused otherwise: a mistyped --step or\n"
     "output_step streams without end", NULL},

    /* sweep */
    {"vary", 0, CLI_OPT_VARY, CLI_ARG_TEXT, "NAME=LO:HI[:log]", 0, 0, CLI_IN(SWEEP),
     "a range of a parameter or scenario variable\n"
     "(repeatable); bare numbers are in the parameter's\n"
     "unit (calcify params SCENARIO) or the variable's;\n"
     "or give units: 'warfarin_thalf=5 h:2 d:log',\n"
     "'high_k=10:200 ug/g'\n"
     "lhs and sobol also take NAME=MEAN:CV%:normal and\n"
     "NAME=MEDIAN:CV%:lognormal", NULL},
    {"at", 0, OPT_AT, CLI_ARG_TEXT, "T1,T2,...", 0, 0, CLI_IN(SWEEP) | CLI_IN(RUN),
     "endpoint times, in days or with units ('6 w,12 w');\n"
     "default: the scenario's endpoints, else the end of\n"
     "every phase (docs/SCENARIOS.md)", NULL},
    {"observable", 0, OPT_OBSERVABLES, CLI_ARG_TEXT, "NAMES", 0, 0, CLI_IN(SWEEP) | CLI_IN(RUN),
     "the endpoint observables, output column names\n"
     "(default: the scenario's endpoint_observables, else\n"
     "Ca, cMGP fraction, clotting, distensibility);\n"
     "also spelt --observables", NULL},
    {"observables", 0, OPT_OBSERVABLES, CLI_ARG_TEXT, "NAMES", 0, 0, CLI_IN(SWEEP) | CLI_IN(RUN), NULL,
     NULL},
    {"design", 0, CLI_OPT_DESIGN, CLI_ARG_TEXT, "KIND", 0, 0, CLI_IN(SWEEP),
     "grid (N points per parameter, N^d runs), lhs (N runs,\n"
     "Latin hypercube) or sobol (N runs, scrambled; N = 2^k\n"
     "balances it best); default lhs", NULL},
    {"n", 0, CLI_OPT_N, CLI_ARG_INT, "N", 1, 100000000, CLI_IN(SWEEP),
     "see --design; default 100", NULL},
    {"seed", 0, CLI_OPT_SEED, CLI_ARG_INT, "S", 0, 4294967295.0, CLI_IN(SWEEP),
     "seed of the lhs or sobol design (default 1)", NULL},
    {"threads", 0, CLI_OPT_THREADS, CLI_ARG_INT, "T", 1, 1024, CLI_IN(SWEEP),
     "worker threads (default: the number of CPUs)", NULL},
    {"shard", 0, CLI_OPT_SHARD, CLI_ARG_TEXT, "K/N", 0, 0, CLI_IN(SWEEP),
     "only the K-th of N contiguous blocks of run_ids\n"
     "(Slurm: scripts/sweep.sbatch);\n"
     "join shard directories with calcify merge", NULL},
    {"arm", 0, OPT_B_ARM, CLI_ARG_TEXT, "NAMES", 0, 0, CLI_IN(SWEEP),
     "only these arms: comma-separated, or repeated", NULL},
    {"timeseries", 0, CLI_OPT_TIMESERIES, CLI_ARG_NONE, NULL, 0, 0, CLI_IN(SWEEP),
     "also write timeseries.csv (step: --step TIME, default 1 d)", NULL},
    {"step", 0, CLI_OPT_STEP, CLI_ARG_DURATION, "TIME", 1e-6, 1e6, CLI_IN(SWEEP),
     "the step of timeseries.csv, days or with a unit\n"
     "('6 h'; default 1 d)", NULL},
    {"keep-going", 0, CLI_OPT_KEEP_GOING, CLI_ARG_NONE, NULL, 0, 0, CLI_IN(SWEEP),
     "exit 0 even if some runs failed (they are recorded)", NULL},
    {"resume", 0, CLI_OPT_RESUME, CLI_ARG_NONE, NULL, 0, 0, CLI_IN(SWEEP),
     "continue the sweep in DIR: keep its finished runs, run\n"
     "only the missing run_ids (the result is the same bytes\n"
     "as an uninterrupted sweep); refused unless DIR's\n"
     "manifest.txt matches this command; with nothing to\n"
     "continue, an ordinary sweep.  Without --resume or\n"
     "--force a folder holding another run's files is\n"
     "refused (exit 2)", NULL},
    {"force", 0, CLI_OPT_FORCE, CLI_ARG_NONE, NULL, 0, 0, CLI_IN(SWEEP),
     "write into a folder that holds another run's files (a\n"
     "manifest.txt or the files above), replacing them, and\n"
     "write more than 10 million summary or time-series rows\n"
     "or an estimated 2 GB in one file (as calcify run)", NULL},

    /* sensitivity */
    {"param", 0, CLI_OPT_PARAM, CLI_ARG_TEXT, "NAME", 0, 0, CLI_IN(SENSITIVITY),
     "a parameter (repeatable; default: all)", NULL},

    /* gsa */
    {"method", 0, CLI_OPT_GSA_METHOD, CLI_ARG_TEXT, "M", 0, 0, CLI_IN(GSA),
     "sobol or morris (required)", NULL},
    {"vary", 0, CLI_OPT_VARY, CLI_ARG_TEXT, "SPEC", 0, 0, CLI_IN(GSA),
     "NAME=LO:HI, NAME=LO:HI:log, NAME=MEAN:CV%:normal or\n"
     "NAME=MEDIAN:CV%:lognormal, in the parameter's unit\n"
     "(repeatable; units: calcify params SCENARIO)", NULL},
    {"n", 0, CLI_OPT_N, CLI_ARG_INT, "N", 2, 1L << 24, CLI_IN(GSA),
     "sobol: base samples (a power of 2 is best; default\n"
     "512); morris: trajectories (default 20)", NULL},
    {"seed", 0, CLI_OPT_SEED, CLI_ARG_INT, "S", 0, 4294967295.0, CLI_IN(GSA),
     "seed of the design and the bootstrap (default 1)", NULL},
    {"levels", 0, CLI_OPT_LEVELS, CLI_ARG_INT, "P", 2, 64, CLI_IN(GSA),
     "morris grid levels, even (default 4)", NULL},
    {"boot", 0, CLI_OPT_BOOT, CLI_ARG_INT, "B", 0, 100000, CLI_IN(GSA),
     "bootstrap resamples (default 500; 0: no intervals)", NULL},
    {"conf", 0, CLI_OPT_CONF, CLI_ARG_NUMBER, "C", 0.5, 0.999, CLI_IN(GSA),
     "interval coverage (default 0.95)", NULL},

    /* population */
    {"n-per-arm", 0, CLI_OPT_N_PER_ARM, CLI_ARG_INT, "N", 1, CALCIFY_POPULATION_MAX_PER_ARM,
     CLI_IN(POPULATION), "animals per arm", NULL},
    {"individuals", 0, CLI_OPT_INDIVIDUALS, CLI_ARG_TEXT, "FILE", 0, 0, CLI_IN(POPULATION),
     "the animals, one CSV row each (mrgsolve's idata_set):\n"
     "columns id, optionally arm, and parameter names, values\n"
     "in the parameter's unit as calcify params prints it;\n"
     "every animal runs in every arm, or in its row's arm\n"
     "(docs/SCENARIOS.md, Individuals file)", NULL},
    {"iiv", 0, CLI_OPT_IIV, CLI_ARG_TEXT, "NAME=CV%", 0, 0, CLI_IN(POPULATION),
     "a parameter's coefficient of variation, in percent\n"
     "(repeatable; e.g. --iiv ca_dep_max=30%)", NULL},
    {"iiv-corr", 0, CLI_OPT_IIV_CORR, CLI_ARG_TEXT, "A,B=RHO", 0, 0, CLI_IN(POPULATION),
     "correlation of two --iiv parameters' eta (repeatable)", NULL},
    {"covariate", 0, CLI_OPT_COVARIATE, CLI_ARG_TEXT, "NAME=MEDIAN:CV%", 0, 0,
     CLI_IN(POPULATION),
     "\nbody_weight (kg, or with a unit: 350 g) or food_intake\n"
     "(g/kg/d) per animal, log-normal around MEDIAN (CV 0%:\n"
     "every animal the median).  Doses per kg give each\n"
     "animal the same mg/kg, doses per animal are divided\n"
     "by its weight; a growth table is scaled to the animal:\n"
     "body weights times its weight over the table's first,\n"
     "food intakes by the same factor (and by its food\n"
     "intake over the table's first, per kg)", NULL},
    {"error", 0, CLI_OPT_ERROR, CLI_ARG_TEXT, "OBS=SPEC", 0, 0, CLI_IN(POPULATION),
     "residual (measurement) error on an observable:\n"
     "OBS=prop:CV%, OBS=add:SD or OBS=prop:CV%,add:SD;\n"
     "observed = value * (1 + e1) + e2, e1 ~ N(0, CV^2),\n"
     "e2 ~ N(0, SD^2), SD in the observable's unit\n"
     "(repeatable, one per observable)", NULL},
    {"seed", 0, CLI_OPT_SEED, CLI_ARG_INT, "S", 0, 4294967295.0, CLI_IN(POPULATION),
     "seed of the draws (default 1)", NULL},
    {"step", 0, CLI_OPT_STEP, CLI_ARG_DURATION, "DAYS", 1e-3, 1e6, CLI_IN(POPULATION),
     "time step of stats.csv, days or with a unit (default:\n"
     "the scenario's output step)", NULL},
    {"at", 0, OPT_B_AT, CLI_ARG_TEXT, "T1,T2,...", 0, 0, CLI_IN(POPULATION),
     "also these times, in days or with units ('6 w,12 w'):\n"
     "exact rows (the arm is cut there, as run --summary\n"
     "does); a time past an arm's end is empty there", NULL},
    {"resume", 0, CLI_OPT_RESUME, CLI_ARG_NONE, NULL, 0, 0, CLI_IN(POPULATION),
     "continue the population in DIR after a stop (Ctrl-C,\n"
     "SIGKILL, a lost node): keep its finished animals, run\n"
     "only the others (the same bytes as an uninterrupted\n"
     "run); refused (exit 2) unless DIR's manifest.txt\n"
     "matches this command; with nothing to continue, an\n"
     "ordinary population", NULL},
    {"force", 0, CLI_OPT_FORCE, CLI_ARG_NONE, NULL, 0, 0, CLI_IN(POPULATION),
     "write into a folder that holds another run's files (a\n"
     "manifest.txt, animals.csv or stats.csv), replacing them,\n"
     "and more than 10 million animal or stats rows (refused\n"
     "otherwise: a guard against a mistyped --n-per-arm or --step)", NULL},

    /* sensitivity, gsa, population: the batch options (cli_batch_option) */
    {"observable", 0, OPT_B_OBS, CLI_ARG_TEXT, "NAMES", 0, 0, BATCH,
     "comma-separated observables (default: all)", NULL},
    {"at", 0, OPT_B_AT, CLI_ARG_TEXT, "TIMES", 0, 0, CLI_IN(SENSITIVITY) | CLI_IN(GSA),
     TIMES_HELP, NULL},
    {"arm", 0, OPT_B_ARM, CLI_ARG_TEXT, "NAMES", 0, 0, BATCH,
     "only these arms: comma-separated, or repeated", NULL},
    {"threads", 0, OPT_B_THREADS, CLI_ARG_TEXT, "T", 0, 0, BATCH,
     "worker threads (default: the number of CPUs)", NULL},

    /* gsa's folder */
    {"shard", 0, CLI_OPT_SHARD, CLI_ARG_TEXT, "K/N", 0, 0, CLI_IN(GSA),
     "only the K-th of N contiguous blocks of runs", NULL},
    {"from", 0, CLI_OPT_FROM, CLI_ARG_TEXT, "DIR", 0, 0, CLI_IN(GSA),
     "evaluations of a shard (repeatable; replaces running)", NULL},
    {"resume", 0, CLI_OPT_RESUME, CLI_ARG_NONE, NULL, 0, 0, CLI_IN(GSA),
     "continue the gsa in DIR after a stop (Ctrl-C, SIGKILL,\n"
     "a lost node): keep its finished runs, run only the\n"
     "missing ones (the same bytes as an uninterrupted gsa);\n"
     "refused (exit 2) unless DIR's manifest.txt matches\n"
     "this command; with nothing to continue, an ordinary gsa", NULL},
    {"force", 0, CLI_OPT_FORCE, CLI_ARG_NONE, NULL, 0, 0, CLI_IN(GSA),
     "write into a folder that holds another run's files (a\n"
     "manifest.txt or the files above), replacing them, and\n"
     "write more than 10 million evaluation or design rows\n"
     "or an estimated 2 GB in one file (as calcify run)", NULL},

    /* what every command that writes results shares */
    {"precision", 0, CLI_OPT_PRECISION, CLI_ARG_INT, "N", 1, CALCIFY_NUMFMT_MAX_DIGITS,
     CLI_IN(SWEEP) | CLI_IN(RUN),
     "N significant digits (1-17, as printf's %.Ng) instead\n"
     "of the default: the shortest text that reads back to\n"
     "the very same double (0.1, not 0.10000000000000001)", NULL},
    {"precision", 0, OPT_B_PRECISION, CLI_ARG_TEXT, "N", 0, 0, BATCH,
     "N significant digits (1-17, as printf's %.Ng) instead\n"
     "of the default: the shortest text that reads back to\n"
     "the very same double (0.1, not 0.10000000000000001)", NULL},
    {"quiet", 'q', 'q', CLI_ARG_NONE, NULL, 0, 0, CLI_IN(SWEEP) | BATCH,
     "no progress line on stderr", NULL},
    {"output", 'o', 'o', CLI_ARG_TEXT, "DIR", 0, 0, CLI_IN(SWEEP),
     "output folder (created with its parents if missing;\n"
     "see --resume and --force for one that is not new)", NULL},
    {"output", 'o', 'o', CLI_ARG_TEXT, "FILE", 0, 0, CLI_IN(SENSITIVITY),
     "output (default: standard output)", NULL},
    {"output", 'o', 'o', CLI_ARG_TEXT, "DIR", 0, 0, CLI_IN(GSA) | CLI_IN(POPULATION),
     "output directory (created if missing; refused if it\n"
     "holds another run's files, unless --resume or --force)", NULL},

    /* the model options (cli_model_option) */
    {"set", 0, OPT_SET, CLI_ARG_TEXT, "NAME=VALUE", 0, 0, MODEL,
     "override a parameter or a scenario variable; VALUE\n"
     "is in the parameter's unit (a variable's: the unit\n"
     "of its definition) unless one is given:\n"
     "--set 'warfarin_thalf=12 h' --set 'high_k=200 ug/g'\n"
     "(repeatable; names: calcify params SCENARIO); a diet\n"
     "(warfarin = …) is set through a scenario variable\n"
     "(docs/SCENARIOS.md, Variables)", NULL},
    {"method", 0, OPT_METHOD, CLI_ARG_TEXT, "NAME", 0, 0, MODEL_NOT_GSA,
     "stepper (default: the scenario's; auto, bdf,\n"
     "rodas4, rkck, msbdf, rk8pd, …)", NULL},
    {"solver", 0, OPT_METHOD, CLI_ARG_TEXT, "NAME", 0, 0, CLI_IN(GSA),
     "the stepper (default: the scenario's; auto, bdf,\n"
     "rodas4, rkck, …); here --method is the GSA\n"
     "method, so the stepper's --method is spelt --solver", NULL},
    {"rtol", 0, OPT_RTOL, CLI_ARG_TEXT, "X", 0, 0, MODEL,
     "solver tolerances (default: the scenario's)", "--rtol X, --atol X"},
    {"atol", 0, OPT_ATOL, CLI_ARG_TEXT, "X", 0, 0, MODEL, NULL, NULL},
    {"params", 0, OPT_PARAMS, CLI_ARG_TEXT, "FILE", 0, 0, MODEL,
     "parameter file instead of the scenario's", NULL},

    {"help", 'h', 'h', CLI_ARG_NONE, NULL, 0, 0, ~0u, "this text", NULL},
    {NULL, 0, 0, 0, NULL, 0, 0, 0, NULL, NULL}};

/* The help's left column of option o: "-o, --output DIR" or its label. */
static void left_column(const cli_option *o, char *buf, size_t cap)
{
    if (o->label)
        snprintf(buf, cap, "%s", o->label);
    else if (o->short_name)
        snprintf(buf, cap, "-%c, --%s%s%s", o->short_name, o->name, o->arg ? " " : "",
                 o->arg ? o->arg : "");
    else
        snprintf(buf, cap, "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
}

void cli_help(FILE *fp, const cli_command_doc *doc)
{
    fprintf(fp, "usage: calcify %s", doc->synopsis);
    if (doc->about)
        fprintf(fp, "\n%s", doc->about);
    fputc('\n', fp);
    for (const cli_option *o = cli_options; o->name; o++) {
        if (!(o->commands & (1u << doc->cmd)) || !o->help)
            continue;
        char left[96];
        left_column(o, left, sizeof left);
        const char *h = o->help;
        if (*h == '\n') /* the text starts on the next line */
            fprintf(fp, "  %s\n                     ", left), h++;
        else
            fprintf(fp, strlen(left) > 18 ? "  %s  " : "  %-18s ", left);
        while (*h) {
            size_t n = strcspn(h, "\n");
            fprintf(fp, "%.*s\n", (int)n, h);
            h += n;
            if (*h == '\n' && *++h)
                fputs("                     ", fp);
        }
    }
    if (doc->closing)
        fprintf(fp, "\n%s", doc->closing);
}

void cli_opts_begin(cli_opts *p, const cli_command_doc *doc, int argc, char **argv,
                    cli_model_opts *mo)
{
    memset(p, 0, sizeof *p);
    p->doc = doc;
    p->argc = argc;
    p->argv = argv;
    p->mo = mo;
    size_t n = 0, s = 0;
    for (const cli_option *o = cli_options; o->name; o++) {
        if (!(o->commands & (1u << doc->cmd)))
            continue;
        if (n == CLI_MAX_OPTS)
            abort(); /* the table outgrew CLI_MAX_OPTS: a programming error */
        p->entry[n] = o;
        p->longopts[n] = (struct option){o->name, o->kind == CLI_ARG_NONE ? no_argument
                                                                          : required_argument,
                                         NULL, CLI_LONG_BASE + (int)n};
        n++;
        if (o->short_name && s + 3 < sizeof p->shortopts) {
            p->shortopts[s++] = o->short_name;
            if (o->kind != CLI_ARG_NONE)
                p->shortopts[s++] = ':';
        }
    }
    p->longopts[n] = (struct option){NULL, 0, NULL, 0};
    p->shortopts[s] = '\0';
    optind = 0; /* 0, not 1: getopt starts afresh even after an earlier parse */
}

/* The index in p->entry of a short option, or -1. */
static int short_index(const cli_opts *p, int c)
{
    for (int i = 0; i < CLI_MAX_OPTS && p->entry[i]; i++)
        if (p->entry[i]->short_name == c)
            return i;
    return -1;
}

int cli_opts_next(cli_opts *p)
{
    for (;;) {
        int c = getopt_long(p->argc, p->argv, p->shortopts, p->longopts, NULL);
        if (c == -1)
            return 0;
        int i = c >= CLI_LONG_BASE ? c - CLI_LONG_BASE /* a long option */
                : c != '?' && c != ':' ? short_index(p, c) : -1;
        if (i < 0) { /* getopt said what was wrong */
            cli_help(stderr, p->doc);
            return CLI_OPTS_ERROR;
        }
        const cli_option *o = p->entry[i];
        char opt[64];
        snprintf(opt, sizeof opt, "--%s", o->name);
        p->arg = optarg;
        switch (o->kind) {
        case CLI_ARG_INT:
            if (cli_parse_int(opt, optarg, (long)o->lo, (long)o->hi, &p->l))
                return CLI_OPTS_ERROR;
            break;
        case CLI_ARG_NUMBER:
            if (cli_parse_double(opt, optarg, o->lo, o->hi, &p->d))
                return CLI_OPTS_ERROR;
            break;
        case CLI_ARG_DURATION:
            if (cli_parse_duration(opt, optarg, o->lo, o->hi, &p->d))
                return CLI_OPTS_ERROR;
            break;
        default:
            break;
        }
        if (o->code == 'h') {
            cli_help(stdout, p->doc);
            return CLI_OPTS_HELP;
        }
        if (p->mo) {
            int r = cli_model_option(p->mo, o->code, optarg);
            if (r < 0)
                return CLI_OPTS_ERROR;
            if (r > 0)
                continue;
        }
        return o->code;
    }
}

int cli_opts_exit(int c)
{
    return c == CLI_OPTS_HELP ? 0 : 2;
}

int cli_usage_error(const cli_command_doc *doc, const char *message)
{
    fprintf(stderr, "calcify %s: %s\n", doc->name, message);
    cli_help(stderr, doc);
    return 2;
}
