#!/usr/bin/env bash
# gsa and population continue as sweep does.  SIGKILL at 10 moments of
# each (random, but from a fixed seed: the same moments every time), then
# the same command with --resume: the results are the bytes of an
# uninterrupted run, and no temporary file (*.tmp.*) or .part is left,
# not even the stale temporary files planted before each --resume as a
# SIGKILL during a file's write leaves them (sweep's design.csv.tmp.* too).
# Then a full disk (a tmpfs of 64 KiB or less; skipped where it cannot be
# mounted): sweep, gsa and population exit 1 naming the file, leave no
# temporary file and no final file that is not whole, and --resume, once
# there is room, finishes with the bytes of an uninterrupted run.
set -uo pipefail
calcify=${CALCIFY:?}
S=${CALCIFY_SOURCE_ROOT:?}/models/vermeer2007.cfg
T=$(mktemp -d /tmp/calcify-resume-all-XXXXXX)
MNT=
cleanup() { [ -n "$MNT" ] && umount "$MNT" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
RANDOM=20 # the seed of the kill moments
n_gsa=128 n_pop=40 n_sweep=40 kills=10
[ -n "${CALCIFY_SLOW:-}" ] && n_gsa=8 n_pop=3 n_sweep=6 kills=3 # under valgrind
GSA=(gsa "$S" --method sobol --n "$n_gsa" --vary warfarin_thalf=5:50:log
     --vary ca_dep_max=0.15:0.3 --arm control --boot 20 --threads 2 -q)
POP=(population "$S" --n-per-arm "$n_pop" --iiv ca_dep_max=30%
     --error ca_aorta_ug_per_mg=prop:10% --threads 2 -q)
SWEEP=(sweep "$S" --vary warfarin_thalf=5:50:log --n "$n_sweep" --threads 2 -q
       --timeseries --step 21)
. "$(dirname "${BASH_SOURCE[0]}")/check.sh"
ms() { local t=${EPOCHREALTIME/./}; echo $((10#$t / 1000)); }
same_files() { # reference dir, dir, files...
    local ref=$1 dir=$2 f
    shift 2
    for f in "$@"; do cmp -s "$ref/$f" "$dir/$f" || return 1; done
}
no_leftovers() { [ -z "$(find "$1" -name '*.tmp.*' -o -name '*.part')" ]; }

# kill_cycles NAME "FILES" "STALE" COMMAND...: a reference run, then
# $kills runs killed with SIGKILL at random moments and resumed
kill_cycles() {
    local name=$1 files=$2 stale=$3
    shift 3
    local ref=$T/$name-ref t0 t1 i out delay mid=0
    t0=$(ms)
    "$calcify" "$@" -o "$ref" || { echo "FAIL: $name reference run" >&2; fail=$((fail + 1)); return; }
    t1=$(ms)
    local span=$(((t1 - t0) * 12 / 10 + 1))
    # on a busy machine a run may take longer than its reference did, so
    # moments that should fall part-way land early or late: go on (up to 3x
    # as many kills) until a third have landed part-way
    i=0
    while [ "$i" -lt "$kills" ] || { [ $((mid * 3)) -lt "$kills" ] && [ "$i" -lt $((3 * kills)) ]; }; do
        i=$((i + 1))
        out=$T/$name-$i
        delay=$((RANDOM % span))
        "$calcify" "$@" -o "$out" 2>/dev/null &
        local pid=$!
        sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        [ -n "$(find "$out" -name '*.part' 2>/dev/null)" ] && mid=$((mid + 1))
        # what a SIGKILL while that file was written leaves
        [ -d "$out" ] && for f in $stale; do echo partial > "$out/$f.tmp.Kx9$i"; done
        "$calcify" "$@" --resume -o "$out" 2>"$T/err"
        check "$name kill $i at ${delay} ms: --resume exit 0 ($(head -c 300 "$T/err"))" test $? -eq 0
        # shellcheck disable=SC2086
        check "$name kill $i at ${delay} ms: byte-identical" same_files "$ref" "$out" $files
        check "$name kill $i at ${delay} ms: no temporary or .part file left" no_leftovers "$out"
    done
    # most moments fall while runs are under way: a .part to continue
    check "$name: killed part-way in $mid of $i (expected at least a third of $kills)" \
        test $((mid * 3)) -ge "$kills"
    echo "$name: reference $((t1 - t0)) ms, $mid of $i kills part-way"
}

kill_cycles gsa "design.csv evaluations.csv indices.csv" "design.csv indices.csv" "${GSA[@]}"
kill_cycles population "animals.csv stats.csv" "manifest.txt animals.csv stats.csv" "${POP[@]}"
kill_cycles sweep "design.csv vary.tsv summary.csv timeseries.csv" "design.csv vary.tsv" "${SWEEP[@]}"

# a different command is refused at the first differing manifest line
"$calcify" "${GSA[@]}" --seed 2 --resume -o "$T/gsa-1" 2>"$T/err"
check "gsa: different seed refused with exit 2" test $? -eq 2
check "gsa: the differing line named" grep -q "gsa-1/manifest.txt:[0-9]*: seed is '1' but '2'" "$T/err"
"$calcify" "${POP[@]}" --iiv warfarin_ka=20% --resume -o "$T/population-1" 2>"$T/err"
check "population: different draws refused with exit 2" test $? -eq 2
check "population: the differing line named" grep -q "population-1/manifest.txt:[0-9]*: draws is " "$T/err"
"$calcify" "${POP[@]}" --resume -o "$T/population-1" 2>"$T/err"
check "population: complete folder, nothing to resume" grep -q "nothing to resume" "$T/err"

# a full disk: a 64 KiB tmpfs, then room made for --resume
mkdir -p "$T/mnt"
if mount -t tmpfs -o size=64k tmpfs "$T/mnt" 2>/dev/null; then
    MNT=$T/mnt
    # the disk: 64 KiB, or half of what the reference run's files take in
    # pages where that is less (the small runs under valgrind fit in 64 KiB)
    disk_kb() {
        local pages=0 f
        for f in "$1"/*; do pages=$((pages + ($(stat -c %s "$f") + 4095) / 4096)); done
        local kb=$((pages / 2 * 4))
        echo $((kb < 4 ? 4 : kb > 64 ? 64 : kb))
    }
    full() { # name, files, command...
        local name=$1 files=$2
        shift 2
        local out=$MNT/$name f
        rm -rf "${MNT:?}"/*
        mount -o remount,size="$(disk_kb "$T/$name-ref")k" "$MNT"
        "$calcify" "$@" -o "$out" 2>"$T/err"
        local rc=$?
        check "$name full disk: exit $rc (expected 1)" test "$rc" -eq 1
        check "$name full disk: the file named ($(head -c 300 "$T/err"))" \
            grep -q "$out/[a-z.]*: write failed: No space left on device" "$T/err"
        check "$name full disk: no temporary file left" test -z "$(find "$out" -name '*.tmp.*')"
        for f in $files; do # a final file is whole or absent
            check "$name full disk: $f whole or absent" \
                test ! -e "$out/$f" -o "$(cmp -s "$out/$f" "$T/$name-ref/$f"; echo $?)" = 0
        done
        mount -o remount,size=32m "$MNT"
        "$calcify" "$@" --resume -o "$out" 2>"$T/err"
        check "$name full disk: --resume with room, exit 0 ($(head -c 300 "$T/err"))" test $? -eq 0
        # shellcheck disable=SC2086
        check "$name full disk: --resume byte-identical" same_files "$T/$name-ref" "$out" $files
        check "$name full disk: nothing left over" no_leftovers "$out"
    }
    full sweep "design.csv vary.tsv summary.csv timeseries.csv" "${SWEEP[@]}"
    full gsa "design.csv evaluations.csv indices.csv" "${GSA[@]}"
    full population "animals.csv stats.csv" "${POP[@]}"
else
    echo "full disk: skipped (cannot mount a tmpfs here: not root?)"
fi

finish
