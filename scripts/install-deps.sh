#!/usr/bin/env bash
# Install the Debian packages calcify needs to build, test and plot, if any
# are missing.  Non-interactive; uses sudo when not run as root.
set -euo pipefail

packages=(gcc pkg-config meson ninja-build libgsl-dev libcunit1-dev
          libconfig-dev libcsv-dev gnuplot-nox parallel)

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
