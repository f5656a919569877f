/* sbml_main.c — calcify-sbml, the program behind `calcify sbml` (main.c
 * runs it with the whole command line): the one program that links
 * libsbml. */
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "cli/cli.h"

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    cli_install_signal_handlers();
    if (argc < 2 || strcmp(argv[1], "sbml") != 0) {
        fputs("usage: calcify sbml SCENARIO [--arm NAME] [-o FILE.xml] (calcify sbml --help)\n",
              stderr);
        return 2;
    }
    return cli_finish(cmd_sbml(argc - 1, argv + 1));
}
