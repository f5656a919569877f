/* cmd_params.c — `calcify params`: every parameter with unit and provenance. */
#include <getopt.h>
#include <stdio.h>

#include "calcify/model.h"
#include "calcify/simulate.h"
#include "cli/cli.h"
#include "cli/options.h"

/* Parameters and columns are named as those of the model parameter files
 * are read for (calcify/params.h): the scenario's. */
#define MD (calcify_params_file_model())

/* The help page; the options are in src/cli/options.c. */
static const cli_command_doc doc = {
    CLI_CMD_PARAMS, "params",
    "params SCENARIO [--set NAME=VALUE]... [--markdown]\n",
    "List the parameters SCENARIO uses (its parameter file, its overrides and\n"
    "any --set), one per line: name, value, unit, provenance, meaning.\n"
    "Tab-separated with a header line, or a Markdown table with --markdown\n"
    "(the table in docs/MODEL.md is this output).  On standard error, what\n"
    "the baseline steady state check found: one steady state (Newton from a\n"
    "clean and from a calcified start agree) and stable (every eigenvalue of\n"
    "the Jacobian negative); exit status 1 if not.  Then the scenario's\n"
    "variables with their values (--set and --vary take them too).\n",
NULL};

int cmd_params(int argc, char **argv)
{
    cli_model_opts mo = {0};
    int markdown = 0, c;
    cli_opts p;
    cli_opts_begin(&p, &doc, argc, argv, &mo);
    while ((c = cli_opts_next(&p)) > 0)
        if (c == CLI_OPT_MARKDOWN)
            markdown = 1;
    if (c < 0)
        return cli_opts_exit(c);
    if (argc - optind != 1)
        return cli_usage_error(&doc, "expected one SCENARIO file");
    calcify_scenario sc;
    int rc = cli_load_scenario(argv[optind], &mo, &sc);
    if (rc)
        return rc;
    if (markdown)
        puts("| name | value | unit | provenance | meaning |\n|---|---|---|---|---|");
    else
        puts("name\tvalue\tunit\tprovenance\tmeaning");
    for (size_t i = 0; i < MD->n_param; i++) {
        const calcify_param_def *d = &MD->params[i];
        printf(markdown ? "| `%s` | %.6g | %s | %s | %s |\n" : "%s\t%.6g\t%s\t%s\t%s\n",
               d->name, sc.params.value[i], d->unit, sc.params.source[i], d->meaning);
    }
    /* the baseline's check goes to stderr: the table stays machine-readable */
    calcify_error err;
    calcify_sim *sim = calcify_sim_alloc(&sc.params, sc.method, sc.rtol, sc.atol, &err);
    double y0[CALCIFY_MAX_STATE];
    if (sim)
        calcify_sim_set_growth(sim, sc.growth);
    calcify_status st = sim ? calcify_sim_baseline(sim, sc.baseline, y0, &err) : CALCIFY_EUSAGE;
    if (sim)
        cli_print_steady_check(stderr, sim);
    /* the scenario's own names, which --set and --vary also take */
    for (size_t k = 0; k < sc.n_vars; k++)
        fprintf(stderr, "%s%s = \"%s\"%s", k ? ", " : "variables: ",
                sc.vars[k].name, sc.vars[k].value, k + 1 == sc.n_vars ? "\n" : "");
    calcify_sim_free(sim);
    calcify_scenario_free(&sc);
    if (st)
        return cli_error(st, err.msg);
    if (fflush(stdout) != 0 || ferror(stdout))
        return cli_error(CALCIFY_EIO, "standard output: write failed");
    return 0;
}
