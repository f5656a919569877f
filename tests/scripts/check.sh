# check.sh — the tally the script suites keep, sourced by each of them:
#   check NAME COMMAND...   run COMMAND; count it, and name it on stderr if
#                           it fails (a suite also counts its own failures
#                           with fail=$((fail + 1)))
#   finish [LABEL]          print the tally; status 0 only if nothing failed
pass=0 fail=0
check() { if "${@:2}"; then pass=$((pass + 1)); else echo "FAIL: $1" >&2; fail=$((fail + 1)); fi; }
finish() { echo "${1:+$1: }$pass passed, $fail failed"; [ "$fail" -eq 0 ]; }
