/* cunit_main.h — one main for every CUnit test program: runs the suites the
 * program registers and exits non-zero when any assertion failed (the exit
 * status of CU_basic_run_tests alone does not say so). */
#ifndef CALCIFY_CUNIT_MAIN_H
#define CALCIFY_CUNIT_MAIN_H

#include <CUnit/Basic.h>
#include <gsl/gsl_errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

/* Each test program defines this: add its suites, return 0 on success. */
static int register_suites(void);

int main(int argc, char **argv);

/* Relative error, NaN-aware: NaN compares as infinitely wrong. */
static inline double rel_err(double got, double want)
{
    double d = got - want;
    double scale = want < 0 ? -want : want;
    if (d != d)
        return 1e300;
    return (d < 0 ? -d : d) / (scale > 1e-300 ? scale : 1e-300);
}

/* Run a shell command made with printf-style arguments; its exit status,
 * or -1 if it did not exit normally. */
static inline int test_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline int test_sh(const char *fmt, ...)
{
    char cmd[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* The calcify program under test (meson sets CALCIFY). */
static inline const char *test_calcify(void) { return getenv("CALCIFY"); }

#define CALCIFY_CUNIT_MAIN                                                    \
    int main(int argc, char **argv)                                           \
    {                                                                         \
        (void)argc;                                                           \
        (void)argv;                                                           \
        gsl_set_error_handler_off();                                          \
        if (CU_initialize_registry() != CUE_SUCCESS)                          \
            return 2;                                                         \
        if (register_suites() != 0) {                                         \
            fprintf(stderr, "cannot register suites: %s\n", CU_get_error_msg()); \
            CU_cleanup_registry();                                            \
            return 2;                                                         \
        }                                                                     \
        CU_basic_set_mode(CU_BRM_VERBOSE);                                    \
        CU_basic_run_tests();                                                 \
        unsigned failed = CU_get_number_of_tests_failed();                    \
        unsigned run = CU_get_number_of_tests_run();                          \
        CU_cleanup_registry();                                                \
        return failed == 0 && run > 0 ? 0 : 1;                                \
    }

#endif
