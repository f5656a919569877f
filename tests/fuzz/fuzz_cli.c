/* fuzz_cli.c — the command-line parsers: the input is split at line ends
 * into an argument vector and parsed with the options every simulating
 * command shares (cli_getopt: --set, --method, --rtol, --atol, --params),
 * and each argument is also tried as every kind of option value: numbers,
 * --shard K/N, --vary NAME=LO:HI[:log], --design, quantities and --set
 * assignments applied to a parameter set.  Nothing is simulated. */
#include <fcntl.h>
#include <getopt.h>

#include "calcify/design.h"
#include "calcify/params.h"
#include "calcify/units.h"
#include "cli/cli.h"
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

    static const struct option longopts[] = {
        CLI_MODEL_LONGOPTS,
        {"output", required_argument, NULL, 'o'},
        {"arm", required_argument, NULL, 1},
        {NULL, 0, NULL, 0}};
    /* the parsers report on stderr: send that to /dev/null while they run,
     * keeping libFuzzer's own reports */
    fflush(stderr);
    int saved = dup(2), null = open("/dev/null", O_WRONLY);
    if (saved < 0 || null < 0 || dup2(null, 2) < 0)
        abort();
    close(null);
    cli_model_opts mo = {0};
    optind = 0; /* 0: getopt re-initialises itself */
    opterr = 0;
    for (int c; (c = cli_getopt(argc, argv, "o:", longopts, &mo)) != -1 && c != -2;)
        ;
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
    fflush(stderr);
    if (dup2(saved, 2) < 0)
        abort();
    close(saved);
    return 0;
}
