// numfmt.cc — calcify_numfmt on top of {fmt}, header-only.
//
// Why {fmt} and header-only: its shortest form (Dragonbox) took 45 ns per
// number and its "{:.Ng}" 60-70 ns, against 200-260 ns for glibc's
// printf("%.6g" / "%.17g") and 80 ns for double-conversion's ToShortest
// (bench/bench_numfmt.c measures the first three).  Used header-only with
// locale support and exceptions compiled out, the few libstdc++ pieces left
// are linked statically into the CLI (meson.build), so start-up does not pay
// for loading libstdc++.so.
#define FMT_HEADER_ONLY
// no locale: "{}" never groups digits, and std::locale would drag in most of
// libstdc++
#define FMT_STATIC_THOUSANDS_SEPARATOR 0
#define FMT_EXCEPTIONS 0
#include <fmt/compile.h>

#include <cmath>
#include <cstring>

#include "calcify/numfmt.h"

extern "C" size_t calcify_numfmt(char *buf, double x, int precision)
{
    if (!std::isfinite(x)) {
        // fixed spellings: printf would give "-nan" for a NaN with its sign
        // bit set, which no CSV reader takes for a missing value
        const char *s = std::isnan(x) ? "nan" : x < 0 ? "-inf" : "inf";
        size_t n = std::strlen(s);
        std::memcpy(buf, s, n + 1);
        return n;
    }
    char *end;
    if (precision <= CALCIFY_NUMFMT_SHORTEST)
        end = fmt::format_to(buf, FMT_COMPILE("{}"), x);
    else
        end = fmt::format_to(buf, FMT_COMPILE("{:.{}g}"), x,
                             precision < CALCIFY_NUMFMT_MAX_DIGITS ? precision
                                                                   : CALCIFY_NUMFMT_MAX_DIGITS);
    *end = '\0';
    return static_cast<size_t>(end - buf);
}
