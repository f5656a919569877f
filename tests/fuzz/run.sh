#!/usr/bin/env bash
# Run every libFuzzer harness for SECONDS (default 60) from the seed corpus
# in tests/fuzz/corpus, in a scratch copy (the repository's corpus is not
# grown), then the leak check over syntax errors (parse_errors.sh).  Prints
# executions and crashes per target; exit 1 on any crash or leak.
#   tests/fuzz/run.sh BUILD_DIR [SECONDS]
set -uo pipefail
build=${1:?usage: tests/fuzz/run.sh BUILD_DIR [SECONDS]}
secs=${2:-60}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/calcify-fuzzrun-XXXXXX)
trap 'rm -rf "$work"' EXIT
crashed=0 pass=0
for t in scenario scengrammar params targets cli; do
    mkdir -p "$work/$t/corpus" "$work/$t/crashes"
    cp "$here/corpus/$t/"* "$work/$t/corpus/"
    # the scenario language's keys, values and syntax (scenario.dict)
    dict=()
    case $t in scenario|scengrammar) dict=(-dict="$here/scenario.dict") ;; esac
    # leaks are looked for once at the end over the whole corpus: libFuzzer's
    # per-input leak check runs LeakSanitizer after every input that
    # allocates more than it frees, which libconfig's error path always does
    ASAN_OPTIONS=detect_leaks=0:quarantine_size_mb=64:abort_on_error=1 \
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    "$build/tests/fuzz/fuzz_$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2560 \
        -max_len=65536 -print_final_stats=1 -detect_leaks=0 "${dict[@]}" \
        -artifact_prefix="$work/$t/crashes/" "$work/$t/corpus" > "$work/$t/log" 2>&1
    rc=$?
    if [ "$rc" -eq 0 ]; then
        # slow (DWARF) unwinding: libconfig is built without frame pointers,
        # so the fast unwinder loses a leak's stack after its first frame
        # and a report would not say which caller of libconfig it came from
        ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:fast_unwind_on_malloc=0 \
        LSAN_OPTIONS=suppressions="$here/lsan.supp":print_suppressions=1 \
        "$build/tests/fuzz/fuzz_$t" -runs=0 -detect_leaks=0 -artifact_prefix="$work/$t/crashes/" \
            "$work/$t/corpus" \
            > "$work/$t/leaks" 2>&1 || { rc=$?; cat "$work/$t/leaks" >> "$work/$t/log"; }
    fi
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$t/log")
    n=$(find "$work/$t/crashes" -type f | wc -l)
    echo "fuzz_$t: ${execs:-0} executions in ${secs} s, $n crashes (exit $rc)"
    if [ "$rc" -ne 0 ] || [ "$n" -ne 0 ]; then
        crashed=$((crashed + 1))
        tail -n 40 "$work/$t/log"
        for f in "$work/$t/crashes/"*; do [ -f "$f" ] && { echo "input $f:"; head -c 2000 "$f" | od -c | head -20; }; done
    else
        pass=$((pass + 1))
    fi
done
# the class of input libconfig leaks on, made on purpose rather than left
# to what the minute of fuzzing happened to keep (parse_errors.sh)
if "$here/parse_errors.sh" "$build" 1; then pass=$((pass + 1)); else crashed=$((crashed + 1)); fi
echo "fuzz: $pass passed, $crashed failed"
[ "$crashed" -eq 0 ]
