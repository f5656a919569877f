/* cmd_sbml.c — `calcify sbml`: one arm of a scenario as an SBML model.
 * Built into the calcify-sbml program (sbml_main.c), the one that links
 * libsbml; `calcify sbml` runs it. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../sbml/export.h"
#include "calcify/output.h"
#include "calcify/simulate.h"
#include "cli/cli.h"
#include "cli/options.h"

/* The help page; the options are in src/cli/options.c. */
static const cli_command_doc doc = {
    CLI_CMD_SBML, "sbml",
    "sbml SCENARIO [--arm NAME] [-o FILE.xml] [--set NAME=VALUE]...\n",
    "Write one arm of SCENARIO as an SBML Level 3 Version 2 model, for any\n"
    "SBML tool (COPASI, libRoadRunner, tellurium, AMICI, ...) to simulate.\n"
    "\n"
    "What the file holds (docs/MODEL.md has the mathematics):\n"
    "  - every state (MODEL.md section 2: Wg, A, K1g, ..., My, Mm and the dose\n"
    "    depots) as a parameter with a rate rule, starting at the steady state\n"
    "    of the scenario's baseline diet, as `calcify run` starts every arm;\n"
    "  - every model parameter (calcify params names) as a constant global\n"
    "    parameter with its value, after the scenario's overrides, any --set\n"
    "    and the arm's `set`; its unit as a unit definition, its provenance\n"
    "    and meaning as notes.  A parameter a later phase changes is not\n"
    "    constant and is reset by that phase's event;\n"
    "  - the diet (u_W, u_K1, u_MK4, mg per g food) as parameters that events\n"
    "    set at every phase boundary; doses as events adding to their depot;\n"
    "  - what the code derives (unbound warfarin Cu, VKOR activity Ie and Iq,\n"
    "    plasma levels, fluxes) and every CSV column of `calcify run`, under\n"
    "    the column's name, as assignment rules; ref_clot, ref_ca, ref_apop\n"
    "    hold the baseline values the _rel columns are relative to.\n"
    "\n"
    "Not written: a scenario with a growth table (food intake and body weight\n"
    "changing with time) is refused.  The output times and solver settings\n"
    "are not part of SBML (SED-ML would hold them; Debian has no libsedml).\n",
    "Examples:\n"
    "  calcify sbml models/vermeer2007.cfg --arm high_mk4 -o out/high_mk4.xml\n"
    "  calcify sbml models/vermeer2007.cfg --arm normal_k --set warfarin_thalf=20 \\\n"
    "      -o out/normal_k_thalf20.xml --check\n"
    "\n"
    "Simulated with any SBML tool from day 0 to the arm's end, the file gives\n"
    "the columns of `calcify run SCENARIO --arm NAME` (tests/scripts/\n"
    "test_sbml.sh checks it to 1e-6 with scipy, reading only the SBML).\n"};

/* libsbml's consistency check, units included: the number of errors, the
 * messages on stderr when `verbose`. */
static unsigned check_document(SBMLDocument_t *doc, int verbose, unsigned *warnings)
{
    SBMLDocument_setConsistencyChecks(doc, LIBSBML_CAT_UNITS_CONSISTENCY, 1);
    const unsigned n = SBMLDocument_checkConsistency(doc);
    unsigned errors = 0;
    *warnings = 0;
    for (unsigned i = 0; i < n; i++) {
        const XMLError_t *e = (const XMLError_t *)SBMLDocument_getError(doc, i);
        const int is_error = XMLError_getSeverity(e) >= LIBSBML_SEV_ERROR;
        errors += is_error;
        *warnings += !is_error;
        if (verbose)
            fprintf(stderr, "calcify sbml: libsbml %s %u: %s\n", is_error ? "error" : "warning",
                    XMLError_getErrorId(e), XMLError_getMessage(e));
    }
    return errors;
}

/* The one failure message of this command: "calcify sbml: WHAT". */
static int sbml_error(calcify_status st, const char *msg)
{
    fprintf(stderr, "calcify sbml: %s\n", msg);
    return calcify_status_exit_code(st);
}

int cmd_sbml(int argc, char **argv)
{
    cli_model_opts mo = {0};
    const char *output = NULL, *arm_name = NULL;
    int c, verbose = 0;
    cli_opts p;
    cli_opts_begin(&p, &doc, argc, argv, &mo);
    while ((c = cli_opts_next(&p)) > 0) {
        switch (c) {
        case 'o': output = optarg; break;
        case CLI_OPT_CHECK: verbose = 1; break;
        case CLI_OPT_SBML_ARM:
            if (arm_name) {
                fprintf(stderr, "calcify sbml: --arm given twice ('%s', '%s'; expected one "
                        "arm: an SBML model is one arm)\n", arm_name, optarg);
                return 2;
            }
            if (strchr(optarg, ',')) { /* the others' --arm takes a list; one here */
                fprintf(stderr, "calcify sbml: --arm '%s': a list (expected one arm: an "
                        "SBML model is one arm)\n", optarg);
                return 2;
            }
            arm_name = optarg;
            break;
        }
    }
    if (c < 0)
        return cli_opts_exit(c);
    if (argc - optind != 1) {
        char msg[64];
        snprintf(msg, sizeof msg, "expected one SCENARIO file, got %d", argc - optind);
        return cli_usage_error(&doc, msg);
    }
    calcify_scenario sc;
    int rc = cli_load_scenario(argv[optind], &mo, &sc);
    if (rc)
        return rc;
    calcify_error err;
    calcify_status st = CALCIFY_OK;
    const calcify_arm *arm = NULL;
    if (arm_name) {
        unsigned char *selected = NULL;
        const char *names[1] = {arm_name};
        st = cli_select_arms(&sc, names, 1, &selected, &err);
        free(selected);
        if (!st)
            arm = calcify_scenario_find_arm(&sc, arm_name);
    } else if (sc.n_arms == 1) {
        arm = &sc.arms[0];
    } else {
        char list[512];
        size_t n = 0;
        for (size_t k = 0; k < sc.n_arms && n < sizeof list; k++)
            n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", k ? ", " : "", sc.arms[k].name);
        st = calcify_fail(&err, CALCIFY_EUSAGE, "%s has %zu arms (%s) and an SBML model holds "
                          "one (expected --arm NAME)", sc.path, sc.n_arms, list);
    }
    calcify_sim *sim = NULL;
    SBMLDocument_t *doc = NULL;
    char *xml = NULL;
    calcify_outfile of = {0};
    double y0[CALCIFY_MAX_STATE];
    if (!st && sc.growth)
        st = calcify_fail(&err, CALCIFY_EINPUT, "%s:%d: a growth table makes food intake and "
                          "body weight functions of time, which calcify sbml does not write "
                          "(expected a scenario without growth)", sc.path, sc.growth->line);
    if (!st && !(sim = calcify_sim_alloc(&sc.params, sc.method, sc.rtol, sc.atol, &err)))
        st = CALCIFY_EUSAGE;
    if (!st)
        st = calcify_sim_baseline(sim, sc.baseline, y0, &err);
    if (!st) {
        const calcify_model *m = calcify_sim_model(sim);
        calcify_sbml_input in = {&sc, arm, y0, m->ref_clot, m->ref_ca, m->ref_apop};
        st = calcify_sbml_build(&in, &doc, &err);
    }
    if (!st) {
        unsigned warnings, errors = check_document(doc, verbose, &warnings);
        if (verbose)
            fprintf(stderr, "calcify sbml: libsbml consistency check (units included): "
                    "%u errors, %u warnings\n", errors, warnings);
        if (errors)
            st = calcify_fail(&err, CALCIFY_EIO, "libsbml's consistency check found %u "
                              "errors in the model written for arm '%s' (a bug in calcify; "
                              "--check lists them); nothing written", errors, arm->name);
    }
    if (!st && !(xml = writeSBMLToString(doc)))
        st = calcify_fail(&err, CALCIFY_ENOMEM, "libsbml could not write the model");
    if (!st)
        st = calcify_outfile_open(&of, output, &err);
    if (!st) {
        fputs(xml, of.fp);
        st = calcify_outfile_commit(&of, &err);
    }
    calcify_outfile_abort(&of);
    free(xml);
    SBMLDocument_free(doc);
    calcify_sim_free(sim);
    calcify_scenario_free(&sc);
    return st ? sbml_error(st, err.msg) : 0;
}
