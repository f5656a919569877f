/* fuzz_cli.c — the command-line parsers: the input is split at line ends
 * into an argument vector and parsed against the option table of every
 * command (src/cli/options.c: range checks, the shared --set, --method,
 * --rtol, --atol, --params, --help written to /dev/null), and each argument is also tried as every kind of option value: numbers,
 * --shard K/N, --vary NAME=LO:HI[:log], --design, quantities and --set
 * assignments applied to a parameter set.  Nothing is simulated. */
#include <fcntl.h>
#include <getopt.h>

#include "calcify/design.h"
#include "calcify/params.h"
#include "calcify/units.h"
#include "cli/cli.h"
#include "cli/options.h"
#include "fuzz_common.h"

static calcify_paramset base;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fuzz_setup();
    char path[600];
    calcify_error err;
    snprintf(path, sizeof path, "%s/rat_wky.cfg", fuzz_dir);
    if (calcify_paramset_load(path, &base, &err) != CALCIFY_OK) {
        fprintf(stderr, "fuzz_cli: cannot load the shipped rat_wky.cfg: %s\n", err.msg);
        abort();
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *text = malloc(size + 1);
    char *argv[66];
    int argc = 0;
    memcpy(text, data, size);
    text[size] = '\0';
    argv[argc++] = "run";
    for (char *p = text, *line; argc < 65 && (line = strsep(&p, "\n"));)
        argv[argc++] = line;
    argv[argc] = NULL;

    /* the parsers report on stderr and --help writes stdout: send both to
     * /dev/null while they run, keeping libFuzzer's own reports */
    fflush(stdout);
    fflush(stderr);
    int saved = dup(2), saved_out = dup(1), null = open("/dev/null", O_WRONLY);
    if (saved < 0 || saved_out < 0 || null < 0 || dup2(null, 2) < 0 || dup2(null, 1) < 0)
        abort();
    close(null);
    for (int cmd = 0; cmd < CLI_NCMD; cmd++) {
        const cli_command_doc doc = {(cli_cmd)cmd, "fuzz", "fuzz ARGS\n", "About.\n", NULL};
        cli_model_opts mo = {0};
        cli_opts p;
        opterr = 0;
        cli_opts_begin(&p, &doc, argc, argv, &mo);
        while (cli_opts_next(&p) > 0)
            ;
    }
    calcify_paramset ps;
    calcify_error err;
    if (calcify_paramset_copy(&ps, &base) != CALCIFY_OK)
        abort();
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        double d;
        long l, k, n;
        calcify_vary v;
        cli_parse_double("--x", a, -1e300, 1e300, &d);
        cli_parse_int("--x", a, -1000000, 1000000, &l);
        cli_parse_shard(a, &k, &n);
        calcify_vary_parse(a, &v, &err);
        calcify_design_kind_parse(a);
        calcify_quantity_parse(a, "d", &d);
        calcify_quantity_parse(a, "mg/g", &d);
        calcify_paramset_assign(&ps, a, "fuzz", &err);
    }
    calcify_paramset_free(&ps);
    free(text);
    fflush(stdout);
    fflush(stderr);
    if (dup2(saved, 2) < 0 || dup2(saved_out, 1) < 0)
        abort();
    close(saved);
    close(saved_out);
    return 0;
}
