/* cmd_sensitivity.c — `calcify sensitivity`: local sensitivities. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calcify/output.h"
#include "calcify/sensitivity.h"
#include "calcify/params.h"
#include "cli/cli.h"
#include "cli/options.h"
#include "base/suggest.h"

/* Parameters and columns are named as those of the model parameter files
 * are read for (calcify/params.h): the scenario's. */
#define MD (calcify_params_file_model())

/* The help page; the options are in src/cli/options.c. */
static const cli_command_doc doc = {
    CLI_CMD_SENSITIVITY, "sensitivity",
    "sensitivity SCENARIO [--param NAME]... [--at TIMES]\n"
    "                           [--observable NAMES] [--arm NAMES]... [-o FILE]\n",
    "Local sensitivity of every observable, in every arm, at the end of each\n"
    "diet phase (or at the --at times), to every parameter (or the --param\n"
    "ones): one CSV row per parameter, arm, observable and time with\n"
    "  value        the observable at the parameters as given\n"
    "  sensitivity  dy/dp (observable's unit per parameter's unit)\n"
    "  normalised   d ln y / d ln p = sensitivity * p / y (empty if y or p is 0)\n"
    "  step_rel     the relative step h of the difference reported\n"
    "  error_est    its estimated error (same unit as sensitivity); these two\n"
    "               with 3 significant digits whatever --precision is\n"
    "  parameter_value, parameter_unit\n"
    "Method: central differences p(1 +- h) for h = 1e-2, 1e-3, 1e-4, each a\n"
    "full run from its own baseline steady state; per output the finer of the\n"
    "two neighbouring steps that agree best is reported (truncation error\n"
    "falls with h, solver noise grows as 1/h).  Unless --rtol/--atol are given\n"
    "the solver runs 100 times tighter than the scenario says.\n",
    "Example:\n"
    "  calcify sensitivity models/vermeer2007.cfg --observable ca_aorta_ug_per_mg \\\n"
    "      --arm high_k1 -o out/sens.csv\n"
    "  sort -t, -k7,7g out/sens.csv | head     # the most negative normalised\n"};

/* Everything one `calcify sensitivity` holds; sens_free releases it. */
typedef struct {
    int argc;
    char **argv;
    cli_model_opts mo;
    cli_batch_opts b;
    int params[CALCIFY_MAX_PARAM];
    size_t n_params;
    const char *out_path;
    calcify_scenario sc;
    unsigned char *selected;
    calcify_probe probe;
    double *value;
    calcify_sens *sens;
    calcify_outfile of;
    size_t failed;
    calcify_error err;
} sens_cmd;

/* cmd_sensitivity goes on after a stage returning this */
enum { SENS_GO = -1 };

/* One --param NAME; SENS_GO, or the exit code (reported). */
static int sens_add_param(sens_cmd *s, const char *name)
{
    int p = calcify_modeldef_param(MD, name);
    if (p < 0) {
        char near[256];
        calcify_suggest_strided(name, &MD->params[0].name, MD->n_param, sizeof MD->params[0], near, sizeof near);
        fprintf(stderr, "calcify: --param: unknown parameter '%s'%s%s%s\n", name,
                near[0] ? "; did you mean " : "", near, near[0] ? "?" : "");
        return 2;
    }
    for (size_t i = 0; i < s->n_params; i++)
        if (s->params[i] == p) {
            fprintf(stderr, "calcify: --param %s given twice\n", name);
            return 2;
        }
    s->params[s->n_params++] = p;
    return SENS_GO;
}

/* The option loop and the operand; SENS_GO, or the exit code. */
static int sens_parse_options(sens_cmd *s)
{
    int c;
    cli_opts o;
    cli_opts_begin(&o, &doc, s->argc, s->argv, &s->mo);
    while ((c = cli_opts_next(&o)) > 0) {
        switch (c) {
        case CLI_OPT_PARAM:
            if (sens_add_param(s, optarg) != SENS_GO)
                return 2;
            break;
        case 'o': s->out_path = optarg; break;
        default:
            if (cli_batch_option(&s->b, c, o.arg) < 0)
                return 2;
        }
    }
    if (c < 0)
        return cli_opts_exit(c);
    if (s->argc - optind != 1)
        return cli_usage_error(&doc, "expected one SCENARIO");
    return SENS_GO;
}

/* The scenario, the parameters (by default every one it lets change) and
 * the solver's tolerances; SENS_GO (sc then needs sens_free), or the exit
 * code (sc freed). */
static int sens_load(sens_cmd *s)
{
    int rc = cli_load_scenario(s->argv[optind], &s->mo, &s->sc);
    if (rc)
        return rc;
    if ((rc = cli_check_settable(&s->sc, s->params, s->n_params, "--param"))) {
        calcify_scenario_free(&s->sc);
        return rc;
    }
    /* by default every parameter the scenario lets change */
    calcify_error ignored;
    if (s->n_params == 0)
        for (int p = 0; p < (int)MD->n_param; p++)
            if (!calcify_scenario_check_settable(&s->sc, p, "", CALCIFY_EUSAGE, &ignored))
                s->params[s->n_params++] = p;
    /* differences need quieter solver noise than a plain run */
    if (s->mo.rtol == 0)
        s->sc.rtol /= 100;
    if (s->mo.atol == 0)
        s->sc.atol /= 100;
    return SENS_GO;
}

/* The probe, room for the results, the output file, and the runs. */
static calcify_status sens_run(sens_cmd *s)
{
    calcify_status st = cli_select_arms(&s->sc, s->b.arms, s->b.n_arms, &s->selected, &s->err);
    if (!st)
        st = calcify_probe_init(&s->probe, &s->sc, s->selected, s->b.at, s->b.n_at, s->b.obs,
                                s->b.n_obs, &s->err);
    if (!st && (!(s->value = malloc(s->probe.n_out * sizeof *s->value)) ||
                !(s->sens = malloc(s->n_params * s->probe.n_out * sizeof *s->sens))))
        st = calcify_fail(&s->err, CALCIFY_ENOMEM, "out of memory");
    if (!st)
        st = calcify_outfile_open(&s->of, s->out_path, &s->err);
    if (!st) {
        cli_progress pr;
        cli_progress_init(&pr, "sensitivity", s->b.quiet);
        calcify_sens_opts so = {&s->sc, &s->probe, s->params, s->n_params, (int)s->b.threads,
                                cli_progress_update, &pr};
        st = calcify_sensitivity_run(&so, s->value, s->sens, &s->failed, &s->err);
    }
    return st;
}

/* The table, one row per parameter, arm, time and observable; committed. */
static calcify_status sens_write(sens_cmd *s)
{
    const calcify_probe *probe = &s->probe;
    FILE *fp = s->of.fp;
    int prec = (int)s->b.precision;
    fputs("parameter,arm,observable,time_d,value,sensitivity,normalised,step_rel,"
          "error_est,parameter_value,parameter_unit\n", fp);
    for (size_t i = 0; i < s->n_params; i++) {
        const calcify_param_def *d = &MD->params[s->params[i]];
        for (size_t a = 0; a < probe->n_arms; a++)
            for (size_t ti = 0; ti < probe->arms[a].n_times; ti++)
                for (size_t oi = 0; oi < probe->n_obs; oi++) {
                    size_t k = calcify_probe_slot(probe, a, ti, oi);
                    const calcify_sens *e = &s->sens[i * probe->n_out + k];
                    fprintf(fp, "%s,%s,%s,%.10g", d->name, s->sc.arms[probe->arms[a].arm].name,
                            calcify_obs_name(probe->table, probe->obs[oi]),
                            probe->arms[a].times[ti]);
                    calcify_csv_write_number(fp, prec, s->value[k]);
                    calcify_csv_write_number(fp, prec, e->sensitivity);
                    calcify_csv_write_number(fp, prec, e->normalised);
                    calcify_csv_write_number(fp, 3, e->step);
                    calcify_csv_write_number(fp, 3, e->error);
                    calcify_csv_write_number(fp, CALCIFY_NUMFMT_SHORTEST,
                                             s->sc.params.value[s->params[i]]);
                    fprintf(fp, ",%s\n", d->unit);
                }
    }
    return calcify_outfile_commit(&s->of, &s->err);
}

static void sens_free(sens_cmd *s)
{
    calcify_outfile_abort(&s->of);
    free(s->value);
    free(s->sens);
    free(s->selected);
    calcify_probe_free(&s->probe);
    calcify_scenario_free(&s->sc);
}

int cmd_sensitivity(int argc, char **argv)
{
    sens_cmd c = {.argc = argc, .argv = argv}, *s = &c;
    cli_batch_defaults(&s->b);
    int rc = sens_parse_options(s);
    if (rc == SENS_GO)
        rc = sens_load(s);
    if (rc != SENS_GO)
        return rc;
    calcify_status st = sens_run(s);
    if (!st)
        st = sens_write(s);
    sens_free(s);
    if (st)
        return cli_error(st, s->err.msg);
    if (s->failed) {
        fprintf(stderr, "calcify: %zu runs failed; their sensitivities are empty\n", s->failed);
        return 1;
    }
    return 0;
}
