#!/usr/bin/env bash
# A scenario's own observables (docs/SCENARIOS.md, Observables) in every
# command that takes a column: each value must be its expression computed
# from the built-in columns of the same run, to 1e-12 relative.
#   - run: the columns of models/vermeer2007_userobs.cfg against
#     mk4_aorta_ng_per_g / k1_aorta_ng_per_g and
#     warfarin_plasma_mg_per_l * 1000 / 308.33 row by row; its built-in
#     columns are those of models/vermeer2007.cfg, byte for byte
#   - parameters, time_d, a phase's `set`, functions and an observable read
#     by another (tests/fixtures/good_userobs_params.cfg)
#   - run --summary (the scenario's endpoint_observables, and --observable),
#     sweep summaries (1 and 2 threads alike) and time series, validate
#     (models/vermeer2007_userobs_targets.csv; --population too),
#     sensitivity, gsa, population
#   - the figure plots/observables.gp, and plots/sweep.gp on a summary column
set -uo pipefail
calcify=${CALCIFY:?}
R=${CALCIFY_SOURCE_ROOT:?}
U=$R/models/vermeer2007_userobs.cfg
T=$(mktemp -d /tmp/calcify-userobs-XXXXXX)
trap 'rm -rf "$T"' EXIT
. "$(dirname "${BASH_SOURCE[0]}")/check.sh"

# every row of CSV file $1: column $2 against the python expression $3 of
# other columns (c["name"]), to 1e-12 relative; rows where the expression
# is not finite must leave the field empty
rows_agree() {
    python3 - "$@" <<'PY'
import csv, math, sys
path, col, expr = sys.argv[1:4]
n = bad = 0
for row in csv.DictReader(open(path)):
    try:
        c = {k: float(v) if v != "" else math.nan for k, v in row.items() if k not in ("arm", "status")}
        want = eval(expr, {"math": math}, {"c": c})
    except (ZeroDivisionError, ValueError):
        want = math.nan
    got = c[col]
    n += 1
    if not math.isfinite(want):
        ok = math.isnan(got)
    else:
        ok = abs(got - want) <= 1e-12 * abs(want) + 1e-300
    if not ok:
        bad += 1
        if bad <= 3:
            print(f"{path}: {col} = {got!r}, expected {want!r} ({expr})", file=sys.stderr)
print(f"{path}: {col}: {n} rows, {bad} differ")
sys.exit(0 if n > 0 and bad == 0 else 1)
PY
}

ratio='c["mk4_aorta_ng_per_g"] / c["k1_aorta_ng_per_g"]'
umol='c["warfarin_plasma_mg_per_l"] * 1000 / 308.33'

# run: the time series
"$calcify" run "$U" -o "$T/run.csv" --meta "$T/run.meta.tsv"
check "run exits 0" test $? -eq 0
check "run: the own columns close the header" \
    test "$(head -n 1 "$T/run.csv" | tr , '\n' | tail -n 2 | tr '\n' ' ')" = "mk4_k1_aorta_ratio warfarin_plasma_umol_per_l "
check "run: mk4_k1_aorta_ratio" rows_agree "$T/run.csv" mk4_k1_aorta_ratio "$ratio"
check "run: warfarin_plasma_umol_per_l" rows_agree "$T/run.csv" warfarin_plasma_umol_per_l "$umol"
"$calcify" run "$R/models/vermeer2007.cfg" -o "$T/plain.csv"
nb=$(head -n 1 "$T/plain.csv" | tr , '\n' | wc -l)
check "run: the built-in columns are those of the scenario without observables" \
    cmp -s <(cut -d, -f1-"$nb" "$T/run.csv") "$T/plain.csv"
check "run --meta: one '# observable' line each, with unit and description" \
    grep -q $'^# observable\twarfarin_plasma_umol_per_l\tumol/L\ttotal plasma warfarin' "$T/run.meta.tsv"

# parameters (a phase's set), time_d, functions, an observable reading another
P=$R/tests/fixtures/good_userobs_params.cfg
"$calcify" run "$P" -o "$T/params.csv"
check "params: run exits 0" test $? -eq 0
check "params: time_h" rows_agree "$T/params.csv" time_h 'c["time_d"] * 24'
check "params: time_again_d reads time_h" rows_agree "$T/params.csv" time_again_d 'c["time_d"] * 24 / 24'
check "params: dist_beta of the phase (0.3, then set to 0.6)" rows_agree "$T/params.csv" \
    dist_beta_twice '2 * (0.6 if c["phase"] == 2 else 0.3)'
check "params: ca_tissue" rows_agree "$T/params.csv" mineral_ug_per_mg 'c["ca_aorta_ug_per_mg"] - 0.22'
check "params: log and sqrt" rows_agree "$T/params.csv" log_clotting \
    'math.log(c["clotting_activity_rel"]) + math.sqrt(4) - 2'

# run --summary: the scenario's endpoint_observables name its own columns
"$calcify" run "$U" --summary --header -o "$T/summary.csv"
check "summary exits 0" test $? -eq 0
for col in mk4_k1_aorta_ratio_at_84d warfarin_plasma_umol_per_l_at_42d auc_mk4_k1_aorta_ratio_x_d \
           min_warfarin_plasma_umol_per_l max_mk4_k1_aorta_ratio; do
    check "summary: column $col" grep -q "[,]$col[,]" <(head -n 1 "$T/summary.csv")
done
obs=mk4_aorta_ng_per_g,k1_aorta_ng_per_g,mk4_k1_aorta_ratio,warfarin_plasma_mg_per_l,warfarin_plasma_umol_per_l
"$calcify" run "$U" --summary --header --observable "$obs" -o "$T/summary2.csv"
check "summary --observable exits 0" test $? -eq 0
for t in 42 84; do
    check "summary: ratio at $t d" rows_agree "$T/summary2.csv" mk4_k1_aorta_ratio_at_${t}d \
        "c['mk4_aorta_ng_per_g_at_${t}d'] / c['k1_aorta_ng_per_g_at_${t}d']"
    check "summary: umol/L at $t d" rows_agree "$T/summary2.csv" warfarin_plasma_umol_per_l_at_${t}d \
        "c['warfarin_plasma_mg_per_l_at_${t}d'] * 1000 / 308.33"
done

# validate: targets rows naming the own observables, derived by hand
"$calcify" validate "$U" --data "$R/models/vermeer2007_userobs_targets.csv" --table "$T/table.csv" >"$T/validate.txt"
check "validate exits 0" test $? -eq 0
check "validate: both rows ok" grep -q "^2 comparisons: 2 ok, 0 FAIL" "$T/validate.txt"
check "validate --table: the ratio row" grep -q ",mk4_k1_aorta_ratio,.*,ok$" "$T/table.csv"

# sweep: summary columns and time series, the same on 1 and 2 threads
S_ARGS=(--vary aorta_mk4_uptake=0.5:5:log --n 4 --arm high_k1,wk_continued --observable "$obs" -q)
"$calcify" sweep "$U" "${S_ARGS[@]}" --threads 1 --timeseries --step 7 -o "$T/sw1"
check "sweep exits 0" test $? -eq 0
"$calcify" sweep "$U" "${S_ARGS[@]}" --threads 2 --timeseries --step 7 -o "$T/sw2"
check "sweep: 2 threads write what 1 does" cmp -s "$T/sw1/summary.csv" "$T/sw2/summary.csv"
check "sweep: time series alike on 2 threads" cmp -s "$T/sw1/timeseries.csv" "$T/sw2/timeseries.csv"
check "sweep: summary ratio at 84 d" rows_agree "$T/sw1/summary.csv" mk4_k1_aorta_ratio_at_84d \
    "c['mk4_aorta_ng_per_g_at_84d'] / c['k1_aorta_ng_per_g_at_84d']"
check "sweep: time series ratio" rows_agree "$T/sw1/timeseries.csv" mk4_k1_aorta_ratio "$ratio"
check "sweep: time series umol/L" rows_agree "$T/sw1/timeseries.csv" warfarin_plasma_umol_per_l "$umol"

# sensitivity, gsa, population: the own observables as --observable
"$calcify" sensitivity "$U" --arm high_k1 --at 84 --observable mk4_k1_aorta_ratio -q -o "$T/sens.csv"
check "sensitivity exits 0" test $? -eq 0
check "sensitivity: rows of mk4_k1_aorta_ratio" grep -q "^aorta_mk4_uptake,high_k1,mk4_k1_aorta_ratio,84," "$T/sens.csv"
"$calcify" gsa "$U" --method sobol --n 4 --boot 0 --vary aorta_mk4_uptake=0.5:5 --vary aorta_k1_uptake=0.5:5 \
    --arm high_k1 --at 84 --observable mk4_k1_aorta_ratio,warfarin_plasma_umol_per_l -q -o "$T/gsa"
check "gsa exits 0" test $? -eq 0
check "gsa: indices of mk4_k1_aorta_ratio" grep -q ",high_k1,mk4_k1_aorta_ratio," -r "$T/gsa"
"$calcify" population "$U" --n-per-arm 3 --iiv aorta_mk4_uptake=30% --arm high_k1 \
    --observable mk4_aorta_ng_per_g,k1_aorta_ng_per_g,mk4_k1_aorta_ratio -q -o "$T/pop"
check "population exits 0" test $? -eq 0
check "population: animals' ratio" rows_agree "$T/pop/animals.csv" mk4_k1_aorta_ratio_end \
    'c["mk4_aorta_ng_per_g_end"] / c["k1_aorta_ng_per_g_end"]'
check "population: stats of mk4_k1_aorta_ratio" grep -q "^high_k1,84,mk4_k1_aorta_ratio,3," "$T/pop/stats.csv"
# validate --population reads those stats by the scenario's own names
"$calcify" population "$U" --n-per-arm 2 --iiv aorta_mk4_uptake=30% --arm high_k1,wk_continued \
    -q -o "$T/pop2"
"$calcify" validate "$U" --data "$R/models/vermeer2007_userobs_targets.csv" --population "$T/pop2" \
    >"$T/validate_pop.txt"
check "validate --population: both rows found in stats.csv" \
    grep -q "^2 comparisons of population means: .* 0 not in the population" "$T/validate_pop.txt"

# figures
if command -v gnuplot >/dev/null; then
    (cd "$T" && gnuplot -c "$R/plots/observables.gp" run.csv obs.png) 2>"$T/gp.err"
    check "plots/observables.gp exits 0, quietly" test $? -eq 0 -a ! -s "$T/gp.err"
    check "plots/observables.gp: a PNG" grep -q PNG <(head -c 8 "$T/obs.png")
    gnuplot -c "$R/plots/sweep.gp" "$T/sw1/summary.csv" "$T/sweep.svg" svg mk4_k1_aorta_ratio_at_84d 2>"$T/gp.err"
    check "plots/sweep.gp on an own summary column" test $? -eq 0 -a -s "$T/sweep.svg"
    gnuplot -c "$R/plots/observables.gp" "$T/run.csv" "$T/none.png" pngcairo no_such_column 2>/dev/null
    check "plots/observables.gp: an unknown column fails, no file" test $? -ne 0 -a ! -e "$T/none.png"
else
    echo "gnuplot missing: figures not checked"
fi

finish
