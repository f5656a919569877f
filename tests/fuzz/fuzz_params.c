/* fuzz_params.c — parameter files. */
#include "calcify/params.h"
#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fuzz_setup();
    return 0;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    calcify_paramset ps;
    calcify_error err;
    err.msg[0] = '\0';
    if (calcify_paramset_load(fuzz_write("params.cfg", data, size), &ps, &err) == CALCIFY_OK)
        calcify_paramset_free(&ps);
    else if (!err.msg[0])
        abort();
    return 0;
}
