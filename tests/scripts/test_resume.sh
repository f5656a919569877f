#!/usr/bin/env bash
# An interrupted sweep continues: SIGKILL at about 40% of the runs (20% or
# 5% on a retry), then --resume, gives the bytes of an uninterrupted sweep
# (summary, design and time series); so do SIGINT and SIGTERM, which stop
# cleanly with exit 130 and 143 and leave only whole runs in
# summary.csv.part.  The sweep is frozen (SIGSTOP) before the signal and
# checked to be part-way, and tried again earlier where it is not
# (interrupt, below): when this script was descheduled between its check
# of the rows and the kill, the sweep could finish first and the suite
# failed.
set -uo pipefail
calcify=${CALCIFY:?}
S=${CALCIFY_SOURCE_ROOT:?}/models/vermeer2007.cfg
T=$(mktemp -d /tmp/calcify-resume-XXXXXX)
trap 'rm -rf "$T"' EXIT
n=300
[ -n "${CALCIFY_SLOW:-}" ] && n=60 # under valgrind
A=(--vary warfarin_thalf=5:50:log --vary ca_reg_max=0.005:0.05 --n "$n" --threads 2 --quiet
   --timeseries --step 21)
. "$(dirname "${BASH_SOURCE[0]}")/check.sh"

"$calcify" sweep "$S" "${A[@]}" -o "$T/ref" || { echo "reference sweep failed"; exit 1; }
rows=$(($(wc -l < "$T/ref/summary.csv") - 1))

# interrupt SIG DIR PCT: a sweep into DIR, frozen (SIGSTOP) once about PCT%
# of its summary rows are on disk, then sent SIG and let go on; sets rc to its
# exit status.  Returns 1, having let it finish, if it was past 90% of its
# rows (or done) when frozen: this script can be descheduled for longer than
# the rest of the sweep takes on a busy machine, and a clean stop finishes
# the runs under way (up to two here, 10 rows).  Runs still to go when the
# signal comes are the test's premise, not the product's behaviour, so the
# caller tries again, earlier.
interrupt() {
    local sig=$1 out=$2 pct=$3 pid done_rows
    rm -rf "$out"
    "$calcify" sweep "$S" "${A[@]}" -o "$out" &
    pid=$!
    for _ in $(seq 2000); do
        done_rows=$(($( { wc -l < "$out/summary.csv.part"; } 2>/dev/null || echo 1) - 1))
        [ "$done_rows" -ge $((rows * pct / 100)) ] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.01
    done
    kill -STOP "$pid" 2>/dev/null
    done_rows=$(($( { wc -l < "$out/summary.csv.part"; } 2>/dev/null || echo 1) - 1))
    if [ -e "$out/summary.csv" ] || [ "$done_rows" -ge $((rows * 9 / 10)) ]; then
        kill -CONT "$pid" 2>/dev/null
        wait "$pid"
        return 1
    fi
    kill -"$sig" "$pid"
    [ "$sig" = KILL ] || kill -CONT "$pid"
    wait "$pid"
    rc=$?
}

for sig in KILL INT TERM; do
    out=$T/$sig
    rc=
    for pct in 40 20 5; do
        interrupt "$sig" "$out" "$pct" && break
        echo "SIG$sig: the sweep was past 90% when frozen, meant at $pct%" >&2
    done
    check "SIG$sig: frozen part-way within 3 attempts" test -n "$rc"
    [ -n "$rc" ] || continue
    case $sig in KILL) want=137 ;; INT) want=130 ;; TERM) want=143 ;; esac
    check "SIG$sig: exit $rc (expected $want)" test "$rc" -eq "$want"
    check "SIG$sig: no final summary yet" test ! -e "$out/summary.csv"
    kept=$(($(wc -l < "$out/summary.csv.part") - 1))
    check "SIG$sig: stopped part-way ($kept of $rows rows)" test "$kept" -gt 0 -a "$kept" -lt "$rows"
    if [ "$sig" != KILL ]; then # a clean stop leaves whole runs only: 5 arms each
        check "SIG$sig: whole runs only" test $((kept % 5)) -eq 0
        check "SIG$sig: ends with a line end" test "$(tail -c 1 "$out/summary.csv.part" | od -An -c | tr -d ' ')" = '\n'
    fi
    "$calcify" sweep "$S" "${A[@]}" --resume -o "$out" 2>"$T/resume.err"
    check "SIG$sig: --resume exit 0" test $? -eq 0
    check "SIG$sig: --resume ran only the missing runs" grep -q "runs kept, running the other" "$T/resume.err"
    for f in summary design timeseries; do
        check "SIG$sig: $f.csv byte-identical" cmp -s "$T/ref/$f.csv" "$out/$f.csv"
    done
    check "SIG$sig: no .part left" test ! -e "$out/summary.csv.part" -a ! -e "$out/timeseries.csv.part"
done

# --resume of a complete folder does nothing; with a different manifest it is refused
"$calcify" sweep "$S" "${A[@]}" --resume -o "$T/ref" 2>"$T/err"
check "complete folder: nothing to resume" grep -q "nothing to resume" "$T/err"
"$calcify" sweep "$S" "${A[@]}" --seed 2 --resume -o "$T/KILL" 2>"$T/err"
check "different seed refused with exit 2" test $? -eq 2
check "different seed: file:line named" grep -q "manifest.txt:14: seed is '1' but '2'" "$T/err"

finish
