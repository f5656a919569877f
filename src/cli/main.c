/* main.c — calcify's command dispatcher.  Each command parses its own options
 * into plain values, calls the library and maps the status to an exit code. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "calcify/output.h"
#include "cli/cli.h"

#ifndef CALCIFY_VERSION
#define CALCIFY_VERSION "unknown"
#endif

static const char usage[] =
    "usage: calcify COMMAND [OPTIONS] SCENARIO\n"
    "\n"
    "calcify simulates how warfarin and dietary vitamin K (K1, MK-4) drive\n"
    "calcium into, and back out of, the rat aorta: warfarin kinetics, the\n"
    "vitamin K cycle in liver and vessel wall, MGP carboxylation and aortic\n"
    "calcium, arm by arm and diet phase by diet phase.\n"
    "\n"
    "Commands:\n"
    "  run       simulate a scenario's arms into a CSV time series\n"
    "  params    list the parameters with value, unit and provenance\n"
    "  validate  compare a run with observed targets (ok/FAIL per target)\n"
    "  fit       estimate free parameters from targets (GSL least squares)\n"
    "  sweep     many runs over a grid, Latin hypercube or Sobol design,\n"
    "            multi-threaded, optionally one shard of many\n"
    "  merge     join the output directories of sweep shards\n"
    "  sensitivity  local sensitivities dy/dp of every observable\n"
    "  gsa       global sensitivity: Sobol or Morris indices over ranges\n"
    "  population  virtual animals with inter-individual variability\n"
    "  sbml      one arm as an SBML model, for other simulators\n"
    "\n"
    "  calcify COMMAND --help   options of one command\n"
    "  calcify --version        version\n"
    "\n"
    "Start here:\n"
    "  calcify run models/vermeer2007.cfg -o out/vermeer.csv\n"
    "  calcify validate models/vermeer2007.cfg --data models/data/schurgers2007.csv\n"
    "  calcify params models/vermeer2007.cfg\n"
    "\n"
    "Files: a scenario (models/*.cfg) lists arms of diet phases and names a\n"
    "parameter file; both are documented in docs/SCENARIOS.md, the model in\n"
    "docs/MODEL.md.  Time is in days; every column and parameter has a unit.\n"
    "\n"
    "Exit status: 0 success; 1 simulation, fit or I/O failure (or a FAIL in\n"
    "validate); 2 invalid command line or input file.\n";

/* `calcify sbml` is the calcify-sbml program, the one that links libsbml,
 * so that this static program and libcalcify stay free of it (libxml2 and
 * ICU): beside this executable in a build tree, in CALCIFY_LIBEXECDIR once
 * installed.  It gets the whole command line. */
static int run_sbml(char **argv)
{
    char self[4096], path[4200];
    const char *dirs[2];
    size_t nd = 0;
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = '\0';
        char *slash = strrchr(self, '/');
        if (slash) {
            *slash = '\0';
            dirs[nd++] = self;
        }
    }
#ifdef CALCIFY_LIBEXECDIR
    dirs[nd++] = CALCIFY_LIBEXECDIR;
#endif
    for (size_t i = 0; i < nd; i++) {
        snprintf(path, sizeof path, "%s/calcify-sbml", dirs[i]);
        if (access(path, X_OK) != 0)
            continue;
        fflush(NULL);
        execv(path, argv);
        fprintf(stderr, "calcify sbml: cannot run %s: %s\n", path, strerror(errno));
        return 1;
    }
    fputs("calcify sbml: this calcify was built without libsbml (no calcify-sbml beside it; "
          "install libsbml5-dev, e.g. with scripts/install-deps.sh, then meson setup "
          "--reconfigure build && ninja -C build)\n", stderr);
    return 1;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    cli_install_signal_handlers();
    if (argc < 2) {
        fputs(usage, stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
        strcmp(cmd, "help") == 0) {
        fputs(usage, stdout);
        return cli_finish(0);
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("calcify %s\n", CALCIFY_VERSION);
        return cli_finish(0);
    }
    if (strcmp(cmd, "sbml") == 0)
        return run_sbml(argv);
    static const struct {
        const char *name;
        int (*fn)(int, char **);
    } commands[] = {
        {"run", cmd_run},
        {"params", cmd_params},
        {"validate", cmd_validate},
        {"fit", cmd_fit},
        {"sweep", cmd_sweep},
        {"merge", cmd_merge},
        {"sensitivity", cmd_sensitivity},
        {"gsa", cmd_gsa},
        {"population", cmd_population},
    };
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(cmd, commands[i].name) == 0)
            return cli_finish(commands[i].fn(argc - 1, argv + 1));
    fprintf(stderr, "calcify: unknown command '%s' (expected run, params, "
            "validate, fit, sweep, merge, sensitivity, gsa, population or sbml; see calcify --help)\n", cmd);
    return 2;
}
