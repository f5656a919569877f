/* fuzz_targets.c — targets CSV files, resolved against the shipped
 * scenario's data labels. */
#include "calcify/targets.h"
#include "fuzz_common.h"

static calcify_scenario sc;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fuzz_setup();
    char path[600];
    calcify_error err;
    snprintf(path, sizeof path, "%s/vermeer2007.cfg", fuzz_dir);
    if (calcify_scenario_load(path, &sc, &err) != CALCIFY_OK) {
        fprintf(stderr, "fuzz_targets: cannot load vermeer2007.cfg: %s\n", err.msg);
        abort();
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    calcify_targets tg;
    calcify_error err;
    err.msg[0] = '\0';
    if (calcify_targets_load(fuzz_write("targets.csv", data, size), &sc, &tg, &err) ==
        CALCIFY_OK)
        calcify_targets_free(&tg);
    else if (!err.msg[0])
        abort();
    return 0;
}
