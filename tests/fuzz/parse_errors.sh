#!/usr/bin/env bash
# The class of input behind libconfig's leak (tests/fuzz/lsan.supp): syntax
# errors at every point of the seeds, as truncations and as inserted string
# tokens, quotes and brackets.  Runs fuzz_scenario and fuzz_scengrammar over
# them ROUNDS times (default 1) with the end-of-run leak check (slow
# unwinding, as lsan.supp needs); exit 1 on any leak report the
# suppressions do not cover.
#   tests/fuzz/parse_errors.sh BUILD_DIR [ROUNDS]
set -uo pipefail
build=${1:?usage: tests/fuzz/parse_errors.sh BUILD_DIR [ROUNDS]}
rounds=${2:-1}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/calcify-parse-errors-XXXXXX)
trap 'rm -rf "$work"' EXIT
python3 - "$here" "$work" <<'PY'
import os, random, sys
here, work = sys.argv[1], sys.argv[2]
random.seed(1)
tokens = [b'"" )', b' "quit")', b'"', b')', b'}', b';;', b'= "a" "b" 5', b'( "",', b'[ "" }', b'"x',
          b'\n@include "x"\n']
for t in ("scenario", "scengrammar"):
    os.makedirs(f"{work}/{t}")
    for name in sorted(os.listdir(f"{here}/corpus/{t}")):
        b = open(f"{here}/corpus/{t}/{name}", "rb").read()
        cuts = range(1, len(b), max(1, len(b) // 200))
        for i in cuts:
            open(f"{work}/{t}/{name}.cut{i}", "wb").write(b[:i])
        for k in range(100):
            i = random.randrange(1, len(b))
            open(f"{work}/{t}/{name}.ins{k}", "wb").write(b[:i] + random.choice(tokens) + b[i:])
PY
failed=0
for r in $(seq "$rounds"); do
    for t in scenario scengrammar; do
        log=$work/$t.$r.log
        ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:fast_unwind_on_malloc=0 \
        LSAN_OPTIONS=suppressions="$here/lsan.supp" \
            "$build/tests/fuzz/fuzz_$t" -runs=0 -detect_leaks=0 -artifact_prefix="$work/" "$work/$t" \
            > "$log" 2>&1
        rc=$?
        n=$(find "$work/$t" -type f | wc -l)
        sup=$(awk '/Suppressions used/{f=1; next} f && /^ +[0-9]/{printf "%s×%s ", $1, $3}' "$log")
        echo "parse errors, fuzz_$t, round $r: $n inputs, exit $rc; suppressed: ${sup:-none}"
        if [ "$rc" -ne 0 ]; then
            failed=1
            grep -A12 'leak of' "$log" | head -40
        fi
    done
done
exit "$failed"
