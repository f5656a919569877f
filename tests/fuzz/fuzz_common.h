/* fuzz_common.h — what the libFuzzer harnesses share: each input is written
 * to a file in a private temporary folder and read back through the same
 * path a user's file takes (calcify_infile, then libconfig or libcsv). */
#ifndef CALCIFY_FUZZ_COMMON_H
#define CALCIFY_FUZZ_COMMON_H

#include <gsl/gsl_errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* libFuzzer's entry points, defined by each harness */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static char fuzz_dir[] = "/tmp/calcify-fuzz-XXXXXX";

/* Make the folder once, with a copy of the shipped parameter file beside
 * the inputs so that scenarios naming "rat_wky.cfg" load it. */
static inline void fuzz_setup(void)
{
    gsl_set_error_handler_off();
    if (!mkdtemp(fuzz_dir))
        abort();
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cp '%s/models/rat_wky.cfg' '%s/models/vermeer2007.cfg' '%s/'",
             CALCIFY_SOURCE_ROOT, CALCIFY_SOURCE_ROOT, fuzz_dir);
    if (system(cmd) != 0)
        abort();
}

/* Write the input to fuzz_dir/name; returns the path (static). */
static inline const char *fuzz_write(const char *name, const unsigned char *data, size_t size)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", fuzz_dir, name);
    FILE *fp = fopen(path, "wb");
    if (!fp || fwrite(data, 1, size, fp) != size || fclose(fp) != 0)
        abort();
    return path;
}

#endif
