#!/bin/sh
# build-sundials.sh — build SUNDIALS CVODE, optimised (-O2), static, into a
# prefix outside the repository, for bench/cvode only.
#
#   bench/cvode/build-sundials.sh SUNDIALS_SOURCE_DIR PREFIX
#
# A by-hand tool, not part of the build or of CI: calcify never links
# SUNDIALS.  It exists because Debian's libsundials is built without
# optimisation (-O0, about 3.7x slower than the same source at -O2), which
# would flatter calcify in a comparison.  SUNDIALS_SOURCE_DIR is an unpacked
# SUNDIALS 6.x or 7.x release: a release tarball, or from a clone of
# LLNL/sundials `git archive v7.5.0 -- CMakeLists.txt cmake include src
# LICENSE NOTICE | tar -x -C DIR` (that is all this build needs).
# Only CVODE with its serial vector and dense matrix / solver is built:
# double precision, 64-bit indices, no MPI, no examples, no Fortran.
set -eu
if [ $# -ne 2 ]; then
    echo "usage: $0 SUNDIALS_SOURCE_DIR PREFIX" >&2
    echo "  (SUNDIALS 6.x or 7.x source; installs include/ and lib*/ under PREFIX)" >&2
    exit 2
fi
src=$(cd "$1" && pwd)
prefix=$2
if [ ! -f "$src/CMakeLists.txt" ] || [ ! -d "$src/src/cvode" ]; then
    echo "$0: $src: not a SUNDIALS source tree (expected CMakeLists.txt and src/cvode)" >&2
    exit 2
fi
command -v cmake >/dev/null || { echo "$0: cmake not found (apt-get install cmake)" >&2; exit 2; }
build=$(mktemp -d "${TMPDIR:-/tmp}/sundials-build.XXXXXX")
trap 'rm -rf "$build"' EXIT
# CMake's Release flags are -O3; -O2 is set explicitly so that the library
# is built the way Debian would build an optimised package (and the way the
# numbers in /work/shared/PERFORMANCE.md were taken).
cmake -S "$src" -B "$build" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG" \
    -DCMAKE_INSTALL_PREFIX="$prefix" \
    -DBUILD_SHARED_LIBS=OFF -DBUILD_STATIC_LIBS=ON \
    -DBUILD_CVODE=ON -DBUILD_CVODES=OFF -DBUILD_ARKODE=OFF \
    -DBUILD_IDA=OFF -DBUILD_IDAS=OFF -DBUILD_KINSOL=OFF \
    -DBUILD_FORTRAN_MODULE_INTERFACE=OFF -DBUILD_BENCHMARKS=OFF \
    -DENABLE_MPI=OFF -DENABLE_OPENMP=OFF -DENABLE_PTHREAD=OFF \
    -DSUNDIALS_PRECISION=double -DSUNDIALS_INDEX_SIZE=64 \
    -DEXAMPLES_ENABLE_C=OFF -DEXAMPLES_ENABLE_CXX=OFF -DEXAMPLES_INSTALL=OFF
# two cores at most: the machine is shared
cmake --build "$build" -j 2
cmake --install "$build"
echo "CVODE installed under $prefix"
