/* status.c — status codes, their descriptions and exit codes. */
#include <stdarg.h>
#include <stdio.h>

#include "calcify/status.h"

const char *calcify_strerror(calcify_status status)
{
    switch (status) {
    case CALCIFY_OK:      return "success";
    case CALCIFY_EINPUT:  return "invalid input";
    case CALCIFY_EUSAGE:  return "invalid command line";
    case CALCIFY_ESOLVER: return "integration failed";
    case CALCIFY_ESTEADY: return "no unique, stable steady state";
    case CALCIFY_EFIT:    return "fit failed";
    case CALCIFY_EIO:     return "input/output error";
    case CALCIFY_ENOMEM:  return "out of memory";
    }
    return "unknown status";
}

int calcify_status_exit_code(calcify_status status)
{
    switch (status) {
    case CALCIFY_OK:     return 0;
    case CALCIFY_EINPUT:
    case CALCIFY_EUSAGE: return 2;
    default:             return 1;
    }
}

calcify_status calcify_fail(calcify_error *err, calcify_status status,
                            const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return status;
}
