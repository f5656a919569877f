#!/bin/sh
# run.sh — build and run the calcify-vs-CVODE benchmark (README.md here).
#
#   bench/cvode/run.sh SUNDIALS_PREFIX [SCENARIO [ROUNDS [METHOD]]]
#
# SUNDIALS_PREFIX holds an optimised CVODE (build-sundials.sh).  Builds
# calcify with meson into build/ if needed (default debugoptimized: -O2, as
# SUNDIALS), compiles bench_cvode.c and cvode_run.c at -O2 against
# build/libcalcify.a and the static SUNDIALS libraries, then runs it
# (SCENARIO relative to where you are; default the repository's
# models/vermeer2007.cfg, then models/long_followup.cfg).  A by-hand tool: neither meson nor CI look for
# SUNDIALS.
set -eu
if [ $# -lt 1 ]; then
    echo "usage: $0 SUNDIALS_PREFIX [SCENARIO [ROUNDS [METHOD]]]" >&2
    echo "  (SUNDIALS_PREFIX: where build-sundials.sh installed CVODE)" >&2
    exit 2
fi
prefix=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
if [ ! -f "$prefix/include/cvode/cvode.h" ]; then
    echo "$0: $prefix: no include/cvode/cvode.h (expected a prefix made by build-sundials.sh)" >&2
    exit 2
fi
prefix=$(cd "$prefix" && pwd) # the build below runs in the repository
libdir=$prefix/lib
[ -f "$libdir/libsundials_cvode.a" ] || libdir=$prefix/lib64
# SUNDIALS 7 moved the shared code into libsundials_core; 6.x folds it into
# each package library
core=""
[ -f "$libdir/libsundials_core.a" ] && core=$libdir/libsundials_core.a

# built in the repository, run where called (relative scenario paths)
out=$root/build/bench/calcify-bench-cvode
(
cd "$root"
[ -d build ] || meson setup build >/dev/null
meson compile -C build >/dev/null
# libcalcify holds C++ (src/base/numfmt.cc), hence -lstdc++ with a C link
# shellcheck disable=SC2046  # pkg-config's flags are meant to split
cc -std=c11 -O2 -g -D_POSIX_C_SOURCE=200809L -Wall -Wextra \
    -Iinclude -I"$prefix/include" \
    "$here/bench_cvode.c" "$here/cvode_run.c" -o "$out" \
    build/libcalcify.a \
    "$libdir/libsundials_cvode.a" "$libdir/libsundials_sunlinsoldense.a" \
    "$libdir/libsundials_sunmatrixdense.a" "$libdir/libsundials_nvecserial.a" ${core:+"$core"} \
    $(pkg-config --libs gsl libconfig libmatheval) -lcsv -lstdc++ -lm
)
[ $# -ge 1 ] && exec "$out" "$@"
# no scenario named: both of issue 21's, one after the other
"$out" "$root/models/vermeer2007.cfg"
echo
exec "$out" "$root/models/long_followup.cfg"
