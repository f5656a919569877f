#!/bin/sh
# instructions.sh — instructions a run of a scenario executes in the library,
# with daily rows and endpoint-only, counted by valgrind (callgrind): the
# same from one run to the next, where CPU time on this machine is not.
#
#   bench/instructions.sh [BUILD_DIR [SCENARIO [RUNS [METHOD]]]]
#
# Defaults: build, models/vermeer2007.cfg, 10 runs, the scenario's method.
# Each count is (instructions of RUNS runs − those of 0 runs) / RUNS, so
# start-up and loading the scenario drop out.  Compare two builds (two
# worktrees) by running it on each; a change that keeps every bit of the
# output and the steps should move these and nothing else.  Needs valgrind
# (Debian: valgrind); takes about a minute.
set -eu
build=${1:-build}
scenario=${2:-models/vermeer2007.cfg}
runs=${3:-10}
method=${4:-}
bin=$build/bench/calcify-bench-instr
[ -x "$bin" ] || { echo "instructions.sh: no $bin (ninja -C $build first)" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "instructions.sh: valgrind not found (apt-get install valgrind)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# instructions of `bin scenario N mode`, from callgrind's summary line
count() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$scenario" "$1" "$2" \
        $method 2>"$tmp/log" || { cat "$tmp/log" >&2; exit 1; }
    sed -n 's/.*I *refs: *//p' "$tmp/log" | tr -d ','
}

echo "$scenario, $runs runs, $build, method ${method:-the scenario's}: instructions a run"
for mode in rows endpoints; do
    i0=$(count 0 $mode)
    iN=$(count "$runs" $mode)
    echo "$mode $i0 $iN $runs" | awk '{ printf "  %-10s %12.0f\n", $1, ($3 - $2) / $4 }'
done
