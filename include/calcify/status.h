/* calcify/status.h — one status enum for the whole library.
 *
 * Every fallible library call returns a calcify_status.  The CLI maps it to
 * an exit code with calcify_status_exit_code(): input problems exit 2, run
 * problems exit 1.  Human-readable detail travels separately in a
 * calcify_error (file:line: what is wrong (what was expected)).
 */
#ifndef CALCIFY_STATUS_H
#define CALCIFY_STATUS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    CALCIFY_OK = 0,
    CALCIFY_EINPUT,   /* a scenario, parameter or data file is invalid   */
    CALCIFY_EUSAGE,   /* the command line is invalid                      */
    CALCIFY_ESOLVER,  /* GSL could not integrate, or a rate became NaN    */
    CALCIFY_ESTEADY,  /* no unique, stable steady state for the baseline  */
    CALCIFY_EFIT,     /* the least-squares fit failed                     */
    CALCIFY_EIO,      /* reading or writing an output file failed         */
    CALCIFY_ENOMEM    /* out of memory                                    */
} calcify_status;

/* A message for the user, already formatted with its location. */
typedef struct {
    char msg[1024];
} calcify_error;

/* Short, static description of a status ("invalid input", …). */
const char *calcify_strerror(calcify_status status);

/* Process exit code for a status: 0 ok, 2 usage or invalid input, 1 other. */
int calcify_status_exit_code(calcify_status status);

/* printf-style: fills err (if not NULL) and returns status, so that error
 * paths read `return calcify_fail(err, CALCIFY_EINPUT, "%s:%d: …", …);`. */
calcify_status calcify_fail(calcify_error *err, calcify_status status,
                            const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#ifdef __cplusplus
}
#endif
#endif
