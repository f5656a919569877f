#!/usr/bin/env bash
# The main job, from a fresh Debian machine: install what is missing, build,
# run the Schurgers 2007 scenario, validate it against the paper and draw the
# figures.  Results in out/: vermeer.csv, validate.txt, calcium.png and one
# mechanism_<arm>.png per arm.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
[ -f build/build.ninja ] || meson setup build >/dev/null
meson compile -C build >/dev/null

mkdir -p out
./build/calcify run models/vermeer2007.cfg -o out/vermeer.csv --meta out/vermeer.meta.tsv
./build/calcify validate models/vermeer2007.cfg \
    --data models/data/schurgers2007.csv --data models/data/schurgers2007_seed.csv |
    tee out/validate.txt
gnuplot -c plots/calcium.gp out/vermeer.csv out/calcium.png pngcairo \
    models/data/schurgers2007.csv
for arm in $(awk -F '\t' '!/^#/ && NR > 2 && !s[$3]++ {print $3}' out/vermeer.meta.tsv); do
    gnuplot -c plots/mechanism.gp out/vermeer.csv "out/mechanism_$arm.png" pngcairo "$arm"
done
echo "wrote out/vermeer.csv, out/validate.txt, out/calcium.png, out/mechanism_*.png"
