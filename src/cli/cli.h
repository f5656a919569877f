/* cli.h — the calcify command-line tool's commands (internal). */
#ifndef CALCIFY_CLI_H
#define CALCIFY_CLI_H

#include <getopt.h>
#include <stdio.h>

#include "calcify/design.h"
#include "calcify/numfmt.h"
#include "calcify/probe.h"
#include "calcify/scenario.h"
#include "calcify/simulate.h"
#include "calcify/status.h"
#include "calcify/targets.h"

/* Each command takes argv after the command name (argv[0] = command) and
 * returns a process exit code. */
int cmd_run(int argc, char **argv);
int cmd_params(int argc, char **argv);
int cmd_fit(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_sensitivity(int argc, char **argv);
int cmd_gsa(int argc, char **argv);
int cmd_population(int argc, char **argv);
int cmd_sbml(int argc, char **argv);   /* in calcify-sbml only */

/* What every program's main does first: SIGINT and SIGTERM remove the
 * temporary files of open outfiles and end the process with 128 + the
 * signal (a signal ignored when calcify started stays ignored). */
void cli_install_signal_handlers(void);

/* Map `bytes` of heap, or of stack below the caller, or the program's code,
 * in one call before a one-shot command touches them (src/cli/prefault.c:
 * fewer page faults, nothing else changes). */
void cli_prefault_heap(size_t bytes);
void cli_prefault_stack(size_t bytes);
void cli_prefault_code(void);

/* What it does last: rc, or 1 if standard output could not be written. */
int cli_finish(int rc);

/* Print "calcify: MESSAGE" on stderr and return the exit code for st. */
int cli_error(calcify_status st, const char *msg);

/* Options every simulating command shares. */
typedef struct {
    const char *sets[256];   /* --set NAME=VALUE, in order */
    int n_sets;
    const char *method;      /* --method, NULL = scenario's */
    double rtol, atol;       /* --rtol/--atol, 0 = scenario's */
    const char *params;      /* --params FILE, NULL = scenario's */
} cli_model_opts;

/* Handle one shared option (--set, --method, --rtol, --atol) of getopt code
 * `opt` with argument `arg`.  1 if handled, 0 if not ours, -1 on error
 * (already reported). */
int cli_model_option(cli_model_opts *o, int opt, const char *arg);

/* Load the scenario and apply the shared options.  On failure reports the
 * error and returns its exit code (> 0); 0 on success. */
int cli_load_scenario(const char *path, const cli_model_opts *o,
                      calcify_scenario *sc);

/* 0 if each of params[0..n) may be set for sc; else reports, for the first
 * that may not, calcify_scenario_check_settable's message naming option
 * `opt` ("--vary food_intake sets 'food_intake', which the growth table at
 * … decides") and returns 2. */
int cli_check_settable(const calcify_scenario *sc, const int *params, size_t n,
                       const char *opt);

/* The size limits of every command that writes rows, checked before
 * anything is written: unless force, more than CALCIFY_MAX_ROWS `kind` rows
 * is refused, "WHAT would write N KIND rows (more than 10000000, the limit
 * that guards against a mistyped GUARD; --force to write them anyway)", and
 * so is a file estimated above CALCIFY_MAX_BYTES (2 GB): "WHAT would write
 * about 2.3 GB of KIND rows (N rows × C columns at ~18 bytes a number; more
 * than 2 GB, the limit …)".  The estimate is rows × columns × bytes per
 * number, 18 for the default shortest round-trip digits (up to 17 digits,
 * sign, exponent and comma; a time series of vermeer2007.cfg averages 14.3)
 * and N + 7 for --precision N; columns 0 checks the rows only. */
calcify_status cli_check_output(const char *what, double rows, double columns,
                                long precision, const char *kind, const char *guard,
                                int force, calcify_error *err);

/* cli_check_output without a byte estimate (columns not known). */
calcify_status cli_check_rows(const char *what, double rows, const char *kind,
                              const char *guard, int force, calcify_error *err);

/* Collect one --arm NAMES (a name or a comma-separated list, like
 * --observable) into names (capacity 64); -1 (reported) when full or a name
 * in the list is empty.  The one --arm parser of run, sweep, sensitivity,
 * gsa and population. */
int cli_add_arm(const char **names, int *n, const char *name);

/* The arms named by the --arm lists (n of them) as flags indexed like
 * sc->arms, or *selected = NULL for "all" when n is 0.  An unknown name
 * fails with the closest names suggested, an arm named twice fails too. */
calcify_status cli_select_arms(const calcify_scenario *sc, const char *const *names,
                               int n, unsigned char **selected, calcify_error *err);

/* Codes of the shared options; their help is in the option table
 * (src/cli/options.c). */
enum { OPT_SET = 1000, OPT_METHOD, OPT_RTOL, OPT_ATOL, OPT_PARAMS };

/* Endpoint options of run --summary and sweep (calcify/endpoints.h). */
typedef struct {
    double *at;              /* --at times, d; NULL = the scenario's       */
    size_t n_at;
    int *obs;                /* --observable; NULL = the scenario's        */
    size_t n_obs;
} cli_endpoint_opts;

enum { OPT_AT = 1900, OPT_OBSERVABLES };
/* Handle --at / --observable (as in sensitivity, gsa, population): 1 if handled, 0 if not ours, -1 on error
 * (reported). */
int cli_endpoint_option(cli_endpoint_opts *o, int opt, const char *arg);

/* NULL-safe; leaves *o empty. */
void cli_endpoint_opts_free(cli_endpoint_opts *o);

/* Strictly parsed numbers: the whole string, finite, in range. */
/* One line on what the baseline steady state check found (see
 * calcify_steady_check), e.g. "baseline: one steady state (…), stable (…)". */
void cli_print_steady_check(FILE *out, const calcify_sim *sim);

int cli_parse_double(const char *opt, const char *s, double lo, double hi,
                     double *out);
/* A time "7", "12 h", "2 y" (bare numbers in days) into days, in [lo, hi]. */
int cli_parse_duration(const char *opt, const char *s, double lo, double hi,
                       double *out);
int cli_parse_int(const char *opt, const char *s, long lo, long hi, long *out);

/* Options of the commands that run a batch and read observables at times
 * (sensitivity, gsa, population): --observable, --at, --arm, --threads,
 * --precision, -q. */
typedef struct {
    int obs[CALCIFY_MAX_OBS]; /* --observable, in order (calcify_obs_defer) */
    size_t n_obs;
    double at[256];          /* --at, d                                  */
    size_t n_at;
    const char *arms[64];    /* --arm                                    */
    int n_arms;
    long threads;            /* default: the number of CPUs              */
    long precision;          /* default CALCIFY_NUMFMT_SHORTEST          */
    int quiet;
} cli_batch_opts;

enum { OPT_B_OBS = 1100, OPT_B_AT, OPT_B_ARM, OPT_B_THREADS, OPT_B_PRECISION };
/* Defaults: every observable, phase ends, all arms, all CPUs, shortest
 * round-trip numbers. */
void cli_batch_defaults(cli_batch_opts *b);

/* Handle one batch option; 1 handled, 0 not ours, -1 error (reported). */
int cli_batch_option(cli_batch_opts *b, int opt, const char *arg);

/* Collect one --vary into v[*n] (capacity CALCIFY_MAX_PARAM, at most the model's n_param), refusing a
 * parameter given twice; -1 (reported) on error. */
int cli_add_vary(calcify_vary *v, size_t *n, const char *spec);

/* --table FILE of validate and fit: every comparison as a CSV row
 *   row,label,arm,time_d,observable,simulated,target,lo,hi,sd,n,status
 * (row as in the printed table, "FILE:ROW" with several files; arm
 * "NUM/DEN" for a ratio; lo..hi the interval the row is judged by, its
 * accepted range or target ± 2 sd/sqrt(n), an open or missing side empty;
 * status ok, FAIL or unjudged), written through calcify_outfile so an
 * error leaves no partial file.  Comparison i is tg->items[which[i]]
 * (which NULL: item i) with simulated value simulated[i]. */
calcify_status cli_write_target_table(const char *path, const calcify_scenario *sc,
                                      const calcify_targets *tg, const size_t *which,
                                      const double *simulated, size_t n,
                                      calcify_error *err);

/* "K/N" with 1 <= K <= N; -1 if malformed (reported). */
int cli_parse_shard(const char *s, long *k, long *n);

/* A progress line on stderr ("WHAT: done/total runs, rate, ETA"), shown only
 * when stderr is a terminal and not quiet; update fits the library's
 * progress callbacks. */
typedef struct {
    const char *what;
    double start, last_print;
    int show;
} cli_progress;
void cli_progress_init(cli_progress *p, const char *what, int quiet);
void cli_progress_update(void *user, size_t done, size_t total);


#endif
