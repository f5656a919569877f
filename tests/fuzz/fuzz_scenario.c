/* fuzz_scenario.c — scenario files: any bytes load or fail with a message,
 * never crash, leak or hang. */
#include "calcify/scenario.h"
#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fuzz_setup();
    return 0;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    calcify_scenario sc;
    calcify_error err;
    if (calcify_scenario_load(fuzz_write("scenario.cfg", data, size), &sc, &err) == CALCIFY_OK)
        calcify_scenario_free(&sc);
    else if (!err.msg[0])
        abort(); /* a failure must say why */
    return 0;
}
