#!/usr/bin/env bash
# Install the Debian packages calcify needs to build, test and plot, if any
# are missing.  Non-interactive; uses sudo when not run as root.
set -euo pipefail

# nettle-dev: SHA-256 of input files in sweep manifests; g++ and libfmt-dev:
# the numbers of result files (src/base/numfmt.cc, {fmt} header-only); clang and
# libclang-rt-dev (which holds libFuzzer for Debian's clang): the fuzz
# harnesses; valgrind: meson test --setup valgrind; libsbml5-dev: calcify
# sbml (the calcify-sbml program); python3-sbml5, python3-scipy and
# python3-numpy: tests/scripts/test_sbml.sh, which integrates the SBML
# without calcify's code (skipped without them); libmatheval-dev: the
# expressions of a scenario's own observables, and libfl-dev the yywrap its
# static archive needs in the static CLI
packages=(gcc g++ pkg-config meson ninja-build libgsl-dev libcunit1-dev
          libconfig-dev libcsv-dev nettle-dev libfmt-dev gnuplot-nox parallel python3
          clang libclang-rt-dev valgrind
          libsbml5-dev python3-sbml5 python3-scipy python3-numpy
          libmatheval-dev libfl-dev)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
