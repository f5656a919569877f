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

int cmd_sensitivity(int argc, char **argv)
{
    cli_model_opts mo = {0};
    cli_batch_opts b;
    cli_batch_defaults(&b);
    int params[CALCIFY_NPARAM], c;
    size_t n_params = 0;
    const char *out_path = NULL;
    calcify_error err;
    cli_opts o;
    cli_opts_begin(&o, &doc, argc, argv, &mo);
    while ((c = cli_opts_next(&o)) > 0) {
        switch (c) {
        case CLI_OPT_PARAM: {
            int p = calcify_param_find(optarg);
            if (p < 0) {
                char near[256];
                calcify_suggest_strided(optarg, &calcify_param_defs[0].name, CALCIFY_NPARAM,
                                        sizeof calcify_param_defs[0], near, sizeof near);
                fprintf(stderr, "calcify: --param: unknown parameter '%s'%s%s%s\n", optarg,
                        near[0] ? "; did you mean " : "", near, near[0] ? "?" : "");
                return 2;
            }
            for (size_t i = 0; i < n_params; i++)
                if (params[i] == p) {
                    fprintf(stderr, "calcify: --param %s given twice\n", optarg);
                    return 2;
                }
            params[n_params++] = p;
            break;
        }
        case 'o': out_path = optarg; break;
        default:
            if (cli_batch_option(&b, c, o.arg) < 0)
                return 2;
        }
    }
    if (c < 0)
        return cli_opts_exit(c);
    if (argc - optind != 1)
        return cli_usage_error(&doc, "expected one SCENARIO");
    calcify_scenario sc;
    int rc = cli_load_scenario(argv[optind], &mo, &sc);
    if (rc)
        return rc;
    if ((rc = cli_check_settable(&sc, params, n_params, "--param"))) {
        calcify_scenario_free(&sc);
        return rc;
    }
    /* by default every parameter the scenario lets change */
    calcify_error ignored;
    if (n_params == 0)
        for (int p = 0; p < CALCIFY_NPARAM; p++)
            if (!calcify_scenario_check_settable(&sc, p, "", CALCIFY_EUSAGE, &ignored))
                params[n_params++] = p;
    /* differences need quieter solver noise than a plain run */
    if (mo.rtol == 0)
        sc.rtol /= 100;
    if (mo.atol == 0)
        sc.atol /= 100;
    unsigned char *selected = NULL;
    calcify_probe probe = {0};
    calcify_status st = cli_select_arms(&sc, b.arms, b.n_arms, &selected, &err);
    if (!st)
        st = calcify_probe_init(&probe, &sc, selected, b.at, b.n_at, b.obs, b.n_obs, &err);
    double *value = NULL;
    calcify_sens *sens = NULL;
    calcify_outfile of = {0};
    size_t failed = 0;
    if (!st && (!(value = malloc(probe.n_out * sizeof *value)) ||
                !(sens = malloc(n_params * probe.n_out * sizeof *sens))))
        st = calcify_fail(&err, CALCIFY_ENOMEM, "out of memory");
    if (!st)
        st = calcify_outfile_open(&of, out_path, &err);
    if (!st) {
        cli_progress pr;
        cli_progress_init(&pr, "sensitivity", b.quiet);
        calcify_sens_opts so = {&sc, &probe, params, n_params, (int)b.threads,
                                cli_progress_update, &pr};
        st = calcify_sensitivity_run(&so, value, sens, &failed, &err);
    }
    if (!st) {
        fputs("parameter,arm,observable,time_d,value,sensitivity,normalised,step_rel,"
              "error_est,parameter_value,parameter_unit\n", of.fp);
        for (size_t i = 0; i < n_params; i++) {
            const calcify_param_def *d = &calcify_param_defs[params[i]];
            for (size_t a = 0; a < probe.n_arms; a++)
                for (size_t ti = 0; ti < probe.arms[a].n_times; ti++)
                    for (size_t oi = 0; oi < probe.n_obs; oi++) {
                        size_t k = calcify_probe_slot(&probe, a, ti, oi);
                        const calcify_sens *s = &sens[i * probe.n_out + k];
                        fprintf(of.fp, "%s,%s,%s,%.10g", d->name, sc.arms[probe.arms[a].arm].name,
                                calcify_obs_name(probe.table, probe.obs[oi]), probe.arms[a].times[ti]);
                        calcify_csv_write_number(of.fp, (int)b.precision, value[k]);
                        calcify_csv_write_number(of.fp, (int)b.precision, s->sensitivity);
                        calcify_csv_write_number(of.fp, (int)b.precision, s->normalised);
                        calcify_csv_write_number(of.fp, 3, s->step);
                        calcify_csv_write_number(of.fp, 3, s->error);
                        calcify_csv_write_number(of.fp, CALCIFY_NUMFMT_SHORTEST,
                                                 sc.params.value[params[i]]);
                        fprintf(of.fp, ",%s\n", d->unit);
                    }
        }
        st = calcify_outfile_commit(&of, &err);
    }
    calcify_outfile_abort(&of);
    free(value);
    free(sens);
    free(selected);
    calcify_probe_free(&probe);
    calcify_scenario_free(&sc);
    if (st)
        return cli_error(st, err.msg);
    if (failed) {
        fprintf(stderr, "calcify: %zu runs failed; their sensitivities are empty\n", failed);
        return 1;
    }
    return 0;
}
