#!/usr/bin/env bash
# calcify sbml, checked by a simulator that trusts none of calcify's code:
# each of the five Vermeer arms (and the doses and `set` corner cases of
# tests/fixtures/sbml/doses_sets.cfg) is exported, libsbml's consistency
# check (units included) must find no error, and sbml_simulate.py, which
# reads only the SBML (python3 libsbml) and integrates it with scipy
# (LSODA, rtol 1e-10, atol 1e-14), must give every CSV column of
# `calcify run --rtol 1e-10 --atol 1e-14` at every output time to 1e-6
# relative, with a floor of 1e-9 of the column's largest value for values
# near zero.  Every SBML constant must be a `calcify params` name with its
# value and unit.  models/vermeer2007_userobs.cfg's own observables (a ratio
# and a unit conversion) and tests/fixtures/good_userobs_params.cfg's (time,
# a parameter a phase sets, functions) are assignment rules compared the
# same way.  Then
# the command's refusals: exit 2, no file.
# Exit 77 (skipped) without calcify-sbml or without python3 libsbml, scipy
# and numpy (scripts/install-deps.sh installs them).
set -uo pipefail
calcify=${CALCIFY:?}
R=${CALCIFY_SOURCE_ROOT:?}
S=$R/models/vermeer2007.cfg
T=$(mktemp -d /tmp/calcify-sbml-XXXXXX)
trap 'rm -rf "$T"' EXIT

python=
for p in python3 /usr/bin/python3; do
    if command -v "$p" >/dev/null && "$p" -c 'import libsbml, scipy, numpy' 2>/dev/null; then
        python=$p
        break
    fi
done
[ -n "$python" ] || { echo "SKIP: no python3 with libsbml, scipy and numpy"; exit 77; }
if ! "$calcify" sbml --help >/dev/null 2>"$T/err"; then
    grep -q "without libsbml" "$T/err" && { echo "SKIP: $(cat "$T/err")"; exit 77; }
    cat "$T/err"
    exit 1
fi

. "$(dirname "${BASH_SOURCE[0]}")/check.sh"

# export and compare: scenario, tag, arms
compare() {
    local sc=$1 tag=$2 pairs=() a
    shift 2
    for a in "$@"; do
        "$calcify" sbml "$sc" --arm "$a" -o "$T/$tag-$a.xml" --check 2>"$T/$tag-$a.check"
        check "$tag $a: calcify sbml exits 0" test $? -eq 0
        check "$tag $a: libsbml finds no error" grep -q ": 0 errors," "$T/$tag-$a.check"
        echo "$tag $a: $(tail -1 "$T/$tag-$a.check")"
        pairs+=("$a=$T/$tag-$a.xml")
    done
    "$calcify" run "$sc" --rtol 1e-10 --atol 1e-14 -o "$T/$tag.csv" ||
        { echo "FAIL: $tag: calcify run"; fail=$((fail + 1)); return; }
    "$calcify" params "$sc" >"$T/$tag-params.tsv" 2>/dev/null
    local params=(--params "$T/$tag-params.tsv")
    [ "$tag" = vermeer ] || params=() # an arm's `set` changes values there
    "$python" "$R/tests/scripts/sbml_simulate.py" "$T/$tag.csv" "${pairs[@]}" "${params[@]}"
    check "$tag: the SBML simulated agrees with calcify run" test $? -eq 0
}
compare "$S" vermeer control wk_continued normal_k high_k1 high_mk4
compare "$R/tests/fixtures/sbml/doses_sets.cfg" fixture doses sets
compare "$R/models/vermeer2007_userobs.cfg" userobs control wk_continued normal_k high_k1 high_mk4
# own observables of time_d, a parameter a phase sets, log and sqrt, one another
compare "$R/tests/fixtures/good_userobs_params.cfg" userobs_params a
check "userobs: the own observables are assignment rules" \
    grep -q '<assignmentRule variable="warfarin_plasma_umol_per_l">' "$T/userobs-high_mk4.xml"

# standard output when there is no -o
"$calcify" sbml "$S" --arm control >"$T/stdout.xml"
check "no -o: the model on standard output" grep -q "<sbml " "$T/stdout.xml"

# refusals: exit 2, a message that says what was expected, no file
refuse() { # what, expected message, arguments...
    local what=$1 msg=$2
    shift 2
    "$calcify" sbml "$@" -o "$T/refused.xml" 2>"$T/refused.err"
    local rc=$?
    check "$what: exit $rc (expected 2)" test "$rc" -eq 2
    check "$what: message '$msg'" grep -q -- "$msg" "$T/refused.err"
    check "$what: no file" test ! -e "$T/refused.xml"
}
refuse "several arms, no --arm" "has 5 arms (control, .*expected --arm NAME" "$S"
refuse "an unknown arm" "no such arm" "$S" --arm high_mk5
refuse "a growth table" "sc_injections.cfg:[0-9]*: a growth table" "$R/models/sc_injections.cfg" \
    --arm control
refuse "an arm's own growth table" "good_arm_growth_only.cfg:[0-9]*: arm 'a' has a growth table" \
    "$R/tests/fixtures/dosing/good_arm_growth_only.cfg" --arm a
refuse "an infusion" "good_schedules.cfg:[0-9]*: phase 1 of arm 'iv_infusion' has an infusion" \
    "$R/tests/fixtures/dosing/good_schedules.cfg" --arm iv_infusion
refuse "an unknown parameter" "did you mean" "$S" --arm control --set warfarin_thalfx=3
refuse "a list of arms" "--arm 'control,high_k1': a list (expected one arm" "$S" --arm control,high_k1
refuse "two scenarios" "expected one SCENARIO" "$S" "$S" --arm control
refuse "an own observable SBML cannot say" \
    "userobs_step.cfg:5: observable 'calcified' calls step(), which SBML does not have" \
    "$R/tests/fixtures/sbml/userobs_step.cfg"
refuse "an own observable named like a term of the SBML model" \
    "userobs_id.cfg:5: observable 'dep' has the id of a quantity of the SBML model" \
    "$R/tests/fixtures/sbml/userobs_id.cfg"

finish
