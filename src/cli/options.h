/* options.h — the command-line options as data: one table (src/cli/options.c)
 * says, for every option, its name, the kind and range of its argument, its
 * help text and which commands take it.  One parser reads argv against the
 * table (range checks included) and one renderer writes `calcify CMD
 * --help` from it, so a command's help, parsing and checks cannot drift
 * apart, and an option shared by several commands is written once.
 *
 * A command declares its help page (cli_command_doc) and runs
 *
 *     cli_opts p;
 *     cli_opts_begin(&p, &doc, argc, argv, &mo);
 *     while ((c = cli_opts_next(&p)) > 0)
 *         switch (c) { case CLI_OPT_N: n = p.l; break; … }
 *     if (c < 0)
 *         return cli_opts_exit(c);     // --help: 0, a bad option: 2
 *     // operands: argv[optind .. argc)
 *
 * The shared model options (--set, --method, --rtol, --atol, --params) go
 * into `mo` (cli_model_option) and are not returned. */
#ifndef CALCIFY_CLI_OPTIONS_H
#define CALCIFY_CLI_OPTIONS_H

#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"

/* The commands, as bits of cli_option.commands. */
typedef enum {
    CLI_CMD_RUN, CLI_CMD_PARAMS, CLI_CMD_VALIDATE, CLI_CMD_FIT, CLI_CMD_SWEEP,
    CLI_CMD_MERGE, CLI_CMD_SENSITIVITY, CLI_CMD_GSA, CLI_CMD_POPULATION, CLI_CMD_SBML,
    CLI_NCMD
} cli_cmd;
#define CLI_IN(c) (1u << CLI_CMD_##c)

/* What an option's argument is, and how it is checked. */
typedef enum {
    CLI_ARG_NONE,     /* a flag                                              */
    CLI_ARG_TEXT,     /* any text (checked by the command or a shared reader) */
    CLI_ARG_INT,      /* a whole number in [lo, hi]: cli_opts.l             */
    CLI_ARG_NUMBER,   /* a number in [lo, hi]: cli_opts.d                   */
    CLI_ARG_DURATION  /* a time, days or with a unit, in [lo, hi] d: .d     */
} cli_arg_kind;

/* The codes cli_opts_next returns: the shared ones of cli.h (OPT_SET …,
 * OPT_B_* of the batch options, OPT_AT/OPT_OBSERVABLES of the endpoint
 * options, 'o', 'q', 'h') and these. */
enum {
    CLI_OPT_VARY = 2000, CLI_OPT_DESIGN, CLI_OPT_N, CLI_OPT_SEED, CLI_OPT_SHARD,
    CLI_OPT_TIMESERIES, CLI_OPT_KEEP_GOING, CLI_OPT_RESUME, CLI_OPT_FORCE, CLI_OPT_STEP,
    CLI_OPT_PARAM, CLI_OPT_GSA_METHOD, CLI_OPT_LEVELS, CLI_OPT_BOOT, CLI_OPT_CONF,
    CLI_OPT_FROM, CLI_OPT_THREADS, CLI_OPT_PRECISION, CLI_OPT_N_PER_ARM, CLI_OPT_IIV,
    CLI_OPT_IIV_CORR, CLI_OPT_COVARIATE, CLI_OPT_ERROR, CLI_OPT_INDIVIDUALS,
    CLI_OPT_DATA, CLI_OPT_FREE, CLI_OPT_TABLE, CLI_OPT_PROFILE, CLI_OPT_PROFILE_OUT,
    CLI_OPT_STARTS, CLI_OPT_META, CLI_OPT_DOSES, CLI_OPT_SUMMARY, CLI_OPT_HEADER,
    CLI_OPT_POPULATION, CLI_OPT_MARKDOWN, CLI_OPT_SBML_ARM, CLI_OPT_CHECK,
};

typedef struct {
    const char *name;      /* long name, without "--"                          */
    char short_name;       /* 'o' for -o, or 0                                 */
    int code;              /* what cli_opts_next returns                       */
    cli_arg_kind kind;
    const char *arg;       /* its argument in the help ("N", "DIR"); NULL: flag */
    double lo, hi;         /* range of INT, NUMBER and DURATION arguments      */
    unsigned commands;     /* CLI_IN(…) | …                                    */
    const char *help;      /* lines after the first start with '\n'; NULL:
                              listed with the option before it (`label`)      */
    const char *label;     /* the help's left column when not "--name ARG"     */
} cli_option;

/* The table, ended by an entry with name NULL. */
extern const cli_option cli_options[];

/* A command's help page: "usage: calcify SYNOPSIS", the text about it, the
 * options the table gives it, then the closing text (examples). */
typedef struct {
    cli_cmd cmd;
    const char *name;
    const char *synopsis;  /* after "usage: calcify "                          */
    const char *about;     /* between the synopsis and the options            */
    const char *closing;   /* after the options                               */
} cli_command_doc;

/* Write the help page of `doc` to fp. */
void cli_help(FILE *fp, const cli_command_doc *doc);

#define CLI_MAX_OPTS 64

typedef struct {
    const cli_command_doc *doc;
    int argc;
    char **argv;
    cli_model_opts *mo;
    const char *arg;       /* the argument of the option just returned        */
    long l;                /* its value, CLI_ARG_INT                          */
    double d;              /* its value, CLI_ARG_NUMBER and CLI_ARG_DURATION  */
    struct option longopts[CLI_MAX_OPTS + 1];
    const cli_option *entry[CLI_MAX_OPTS];
    char shortopts[32];
} cli_opts;

/* Start reading argv (argv[0] = the command) for doc's command. */
void cli_opts_begin(cli_opts *p, const cli_command_doc *doc, int argc, char **argv,
                    cli_model_opts *mo);

/* The next option's code (> 0), with its checked argument in p; 0 at the end
 * (optind at the first operand); CLI_OPTS_HELP after printing the help on
 * stdout; CLI_OPTS_ERROR after reporting a bad option or argument. */
enum { CLI_OPTS_HELP = -1, CLI_OPTS_ERROR = -2 };
int cli_opts_next(cli_opts *p);

/* The exit code for a negative cli_opts_next: 0 for --help, 2 for an error. */
int cli_opts_exit(int c);

/* "calcify CMD: MESSAGE" and the help page on stderr; returns 2.  For a
 * command line the options accept but the command cannot use (a missing
 * operand or required option). */
int cli_usage_error(const cli_command_doc *doc, const char *message);

#endif
