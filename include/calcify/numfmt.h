/* calcify/numfmt.h — numbers as text for result files.
 *
 * By default a number is written as the shortest text that strtod reads back
 * to the same double, bit for bit (0.1 is "0.1", not "0.10000000000000001"),
 * so a CSV loses nothing of what the model computed.  With a precision N it
 * is the text printf's "%.Ng" gives.  The digits come from the {fmt}
 * library (Dragonbox for the shortest form, exact arithmetic for N digits):
 * 4-5x faster than glibc's printf, which dominated writing a time series.
 */
#ifndef CALCIFY_NUMFMT_H
#define CALCIFY_NUMFMT_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The precision that asks for the shortest round-trip text. */
#define CALCIFY_NUMFMT_SHORTEST 0

/* The most significant digits a precision may ask for: 17 already reads
 * back to the same double, more would only print binary noise. */
#define CALCIFY_NUMFMT_MAX_DIGITS 17

/* Bytes a buffer needs for any number calcify_numfmt writes, with its NUL
 * (the longest is "-2.2250738585072014e-308", 24 characters). */
#define CALCIFY_NUMFMT_CAP 32

/* Write x into buf (at least CALCIFY_NUMFMT_CAP bytes), NUL-terminated, and
 * return its length.  precision CALCIFY_NUMFMT_SHORTEST (or below): the
 * shortest text that reads back to x exactly, in fixed notation for decimal
 * exponents -5 < e < 16, else as d.ddde±XX ("1e-05", "2.5e+16"); -0 stays
 * "-0".  precision 1 to CALCIFY_NUMFMT_MAX_DIGITS (more is taken as the
 * maximum): the same text as printf("%.*g", precision, x).  Not finite:
 * "nan", "inf" or "-inf" (never "-nan"). */
size_t calcify_numfmt(char *buf, double x, int precision);

#ifdef __cplusplus
}
#endif
#endif
