/* test_io.c — the generic reading and writing layers: every input file is
 * read whole within the documented limits (pipes, BOM, NUL, long lines,
 * 64-bit integers, @include), and output files replace only regular files,
 * follow links, make missing folders and name the reason when they fail. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "calcify/output.h"
#include "base/cfgread.h"
#include "cunit_main.h"
#include "base/infile.h"

static char dir[] = "/tmp/calcify-io-XXXXXX";
static char path[600];

static const char *file(const char *name, const char *text, size_t len)
{
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "wb");
    fwrite(text, 1, len, fp);
    fclose(fp);
    return path;
}

static int setup(void) { return mkdtemp(dir) ? 0 : -1; }
static int teardown(void)
{
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_integers_are_64_bit(void)
{
    /* each value is what the text says: libconfig alone gives 70, -70 and
     * -1 for the first three */
    static const char text[] =
        "a = 4294967366;\nb = -4294967366;\nc = 0xFFFFFFFF;\nd = 2147483647;\n"
        "e = -2147483648;\nf = 9223372036854775807;\ng = 12L;\n"
        "h = \"4294967366\"; # 4294967366 in a comment\ni = 1.5e10;\nj = (1, 4294967296);\n"
        "k =.227126418567349;\nl = -.2271264185;\n";
    config_t cfg;
    calcify_error err = {""};
    CU_ASSERT_EQUAL_FATAL(cfg_load(&cfg, file("ints.cfg", text, sizeof text - 1), &err),
                          CALCIFY_OK);
    long long v;
    CU_ASSERT(config_lookup_int64(&cfg, "a", &v) && v == 4294967366LL);
    CU_ASSERT(config_lookup_int64(&cfg, "b", &v) && v == -4294967366LL);
    CU_ASSERT(config_lookup_int64(&cfg, "c", &v) && v == 4294967295LL);
    CU_ASSERT(config_lookup_int64(&cfg, "d", &v) && v == 2147483647LL);
    CU_ASSERT(config_lookup_int64(&cfg, "e", &v) && v == -2147483648LL);
    CU_ASSERT(config_lookup_int64(&cfg, "f", &v) && v == 9223372036854775807LL);
    CU_ASSERT(config_lookup_int64(&cfg, "g", &v) && v == 12);
    const char *s;
    CU_ASSERT(config_lookup_string(&cfg, "h", &s) && strcmp(s, "4294967366") == 0);
    double x;
    CU_ASSERT(config_lookup_float(&cfg, "i", &x) && x == 1.5e10);
    CU_ASSERT_EQUAL(config_setting_get_int64_elem(config_lookup(&cfg, "j"), 1), 4294967296LL);
    /* a float from its point on, however many digits follow: not an integer */
    CU_ASSERT(config_lookup_float(&cfg, "k", &x) && x == 0.227126418567349);
    CU_ASSERT(config_lookup_float(&cfg, "l", &x) && x == -0.2271264185);
    config_destroy(&cfg);

    static const char big[] = "x = 1;\ny = 18446744073709551616;\n";
    CU_ASSERT_EQUAL(cfg_load(&cfg, file("big.cfg", big, sizeof big - 1), &err), CALCIFY_EINPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "big.cfg:2: integer 18446744073709551616 does "
                                           "not fit in 64 bits"));
    config_destroy(&cfg);
}

static void test_include_refused(void)
{
    static const char text[] = "x = 1;\n  @include \"/tmp\"\n";
    config_t cfg;
    calcify_error err = {""};
    CU_ASSERT_EQUAL(cfg_load(&cfg, file("inc.cfg", text, sizeof text - 1), &err), CALCIFY_EINPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "inc.cfg:2: @include is not supported"));
    config_destroy(&cfg);
    /* not at the start of a line, or inside a string: not an include */
    static const char ok[] = "x = \"@include\"; # @include\n";
    CU_ASSERT_EQUAL(cfg_load(&cfg, file("ok.cfg", ok, sizeof ok - 1), &err), CALCIFY_OK);
    config_destroy(&cfg);
}

static void test_bom_nul_and_limits(void)
{
    calcify_infile f;
    calcify_error err = {""};
    CU_ASSERT_EQUAL_FATAL(calcify_infile_read(&f, file("bom.txt", "\xEF\xBB\xBFx = 1;\n", 10),
                                              "text", &err), CALCIFY_OK);
    CU_ASSERT_EQUAL(f.len, 7);
    CU_ASSERT_STRING_EQUAL(f.data, "x = 1;\n");
    calcify_infile_free(&f);

    CU_ASSERT_EQUAL(calcify_infile_read(&f, file("nul.txt", "a\nbc\0d\n", 7), "text", &err),
                    CALCIFY_EINPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "nul.txt:2: NUL byte in column 3"));
    CU_ASSERT_PTR_NULL(f.data);

    /* a line of exactly the limit passes, one byte more does not */
    size_t n = CALCIFY_MAX_LINE_BYTES;
    char *line = malloc(n + 3);
    memset(line, 'a', n + 1);
    line[n] = '\n';
    CU_ASSERT_EQUAL(calcify_infile_read(&f, file("max.txt", line, n + 1), "text", &err),
                    CALCIFY_OK);
    calcify_infile_free(&f);
    line[n] = 'a';
    line[n + 1] = '\n';
    CU_ASSERT_EQUAL(calcify_infile_read(&f, file("long.txt", line, n + 2), "text", &err),
                    CALCIFY_EINPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "long.txt:1: line is 65537 bytes long"));
    free(line);

    /* a file one byte over the size limit is refused before it is read */
    file("huge.txt", "", 0);
    CU_ASSERT_EQUAL(truncate(path, CALCIFY_MAX_FILE_BYTES + 1), 0);
    CU_ASSERT_EQUAL(calcify_infile_read(&f, path, "text", &err), CALCIFY_EINPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "huge.txt: 16777217 bytes (expected at most "
                                           "16777216"));
    CU_ASSERT_EQUAL(calcify_infile_read(&f, dir, "a scenario", &err), CALCIFY_EINPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, ": is a directory (expected a scenario)"));
}

static void test_pipe_read_whole(void)
{
    /* through a pipe nothing may be lost: the whole text, first byte included */
    int fds[2];
    CU_ASSERT_EQUAL_FATAL(pipe(fds), 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        const char *text = "name = \"piped\";\n";
        for (int i = 0; i < 1000; i++)
            if (write(fds[1], text, strlen(text)) < 0)
                _exit(1);
        _exit(0);
    }
    close(fds[1]);
    char dev[64];
    snprintf(dev, sizeof dev, "/dev/fd/%d", fds[0]);
    calcify_infile f;
    calcify_error err = {""};
    CU_ASSERT_EQUAL_FATAL(calcify_infile_read(&f, dev, "text", &err), CALCIFY_OK);
    CU_ASSERT_EQUAL(f.len, 16 * 1000);
    CU_ASSERT_EQUAL(strncmp(f.data, "name = \"piped\";\n", 16), 0);
    calcify_infile_free(&f);
    close(fds[0]);
    waitpid(pid, NULL, 0);
}

static char *slurp(const char *p)
{
    static char buf[256];
    FILE *fp = fopen(p, "r");
    if (!fp)
        return NULL;
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    return buf;
}

static void test_outfile_targets(void)
{
    calcify_outfile of;
    calcify_error err = {""};
    char target[700], link[700], deep[800];
    /* a folder is refused up front, naming it */
    CU_ASSERT_EQUAL(calcify_outfile_open(&of, dir, &err), CALCIFY_EUSAGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, ": is a folder (expected a file name)"));
    /* through a symlink: the file it points to is replaced, the link stays */
    snprintf(target, sizeof target, "%s/real.csv", dir);
    snprintf(link, sizeof link, "%s/link.csv", dir);
    file("real.csv", "old\n", 4);
    CU_ASSERT_EQUAL(symlink("real.csv", link), 0);
    CU_ASSERT_EQUAL_FATAL(calcify_outfile_open(&of, link, &err), CALCIFY_OK);
    fputs("new\n", of.fp);
    CU_ASSERT_EQUAL(calcify_outfile_commit(&of, &err), CALCIFY_OK);
    struct stat st;
    CU_ASSERT(lstat(link, &st) == 0 && S_ISLNK(st.st_mode));
    CU_ASSERT_STRING_EQUAL(slurp(target), "new\n");
    /* missing folders are made, and removed again when the write is abandoned */
    snprintf(deep, sizeof deep, "%s/a/b/c/out.csv", dir);
    CU_ASSERT_EQUAL_FATAL(calcify_outfile_open(&of, deep, &err), CALCIFY_OK);
    calcify_outfile_abort(&of);
    snprintf(deep, sizeof deep, "%s/a", dir);
    CU_ASSERT(stat(deep, &st) != 0 && errno == ENOENT);
    /* a device is written in place and stays a device; a full one fails with
     * the reason and the name intact (the name once came from freed memory) */
    CU_ASSERT_EQUAL_FATAL(calcify_outfile_open(&of, "/dev/full", &err), CALCIFY_OK);
    for (int i = 0; i < 10000; i++)
        fputs("row,1,2,3\n", of.fp);
    CU_ASSERT_EQUAL(calcify_outfile_commit(&of, &err), CALCIFY_EIO);
    CU_ASSERT_STRING_EQUAL(err.msg, "/dev/full: write failed: No space left on device");
    CU_ASSERT(stat("/dev/full", &st) == 0 && S_ISCHR(st.st_mode));
    /* a name under a regular file cannot be made */
    snprintf(deep, sizeof deep, "%s/x.csv", target);
    CU_ASSERT_EQUAL(calcify_outfile_open(&of, deep, &err), CALCIFY_EIO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "real.csv: exists and is not a folder"));
}

static int register_suites(void)
{
    CU_pSuite s = CU_add_suite("io", setup, teardown);
    return !s ||
           !CU_add_test(s, "integers are read in 64 bits", test_integers_are_64_bit) ||
           !CU_add_test(s, "@include is refused with its line", test_include_refused) ||
           !CU_add_test(s, "BOM skipped; NUL, long lines, big files refused", test_bom_nul_and_limits) ||
           !CU_add_test(s, "a pipe is read whole", test_pipe_read_whole) ||
           !CU_add_test(s, "output files: folders, links, devices, new folders", test_outfile_targets);
}

CALCIFY_CUNIT_MAIN
