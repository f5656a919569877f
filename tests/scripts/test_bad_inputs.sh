#!/usr/bin/env bash
# The bad-input suite: every case of tests/fixtures/bad_inputs.tsv must exit
# with its status, say its fragment on stderr (after "calcify: "), raise no
# sanitizer report, and leave its folder as it found it (keep.csv intact,
# nothing else).  Inputs too big to ship and sweep shards to merge are made
# here first.  Then the good-input cases of the same classes.
set -uo pipefail
root=${CALCIFY_SOURCE_ROOT:?}
calcify=${CALCIFY:?}
T=$(mktemp -d /tmp/calcify-bad-XXXXXX)
trap 'rm -rf "$T"' EXIT
FX=$root/tests/fixtures IN=$root/tests/fixtures/input M=$root/models S=$root/models/vermeer2007.cfg
G=$T/gen SH=$T/shards
mkdir -p "$G" "$SH"
pass=0 fail=0
declare -A per_class

# inputs past the limits
python3 - "$G" <<'PY'
import sys
g = sys.argv[1]
open(g + "/long_line.cfg", "w").write('name = "x";\ny = "' + "a" * 10000000 + '";\n')
open(g + "/big.cfg", "w").write(("# " + "a" * 1000 + "\n") * 17 * 1024 + "#" * (17825792 - 17 * 1024 * 1003) )
PY

# parameter files made from the shipped one (whatever parameters the model
# has today), and scenarios naming them
sed 's/^\( *warfarin_thalf *= *{ *value *= *\)[0-9.]*;/\14294967366;/' "$M/rat_wky.cfg" > "$G/params_int_wrap.cfg"
{ printf '\xef\xbb\xbf'; cat "$M/rat_wky.cfg"; } > "$G/params_bom.cfg"
for p in params_int_wrap params_bom; do
    sed "s#\.\./\.\./models/rat_wky.cfg#$p.cfg#" "$FX/good_minimal.cfg" > "$G/scenario_$p.cfg"
done

{ printf '\xef\xbb\xbf'; cat "$M/data/schurgers2007.csv"; } > "$G/targets_bom.csv"

# small scenarios, one flaw each: scen NAME 'TOP-LEVEL SETTINGS' 'PHASE SETTINGS'
# ['DURATION' ['WARFARIN']] writes $G/NAME.cfg, the flaw on line 3 or 4
scen() {
    printf 'name = "t";\nparameters = "%s";\n%s\narms = ( { name = "a"; phases = ( { duration = "%s"; warfarin = %s; k1 = "5 ug/g"; mk4 = "0 ug/g"; %s } ); } );\n' \
        "$M/rat_wky.cfg" "$2" "${4:-7 d}" "${5:-\"0 mg/g\"}" "$3" > "$G/$1.cfg"
}
dose() { echo "doses = ( { drug = \"warfarin\"; route = \"sc\"; $1 } );"; }
scen amount_int '' "$(dose 'amount = 200;')"
scen amount_float '' "$(dose 'amount = 200.0;')"
scen amount_bool '' "$(dose 'amount = true;')"
scen amount_list '' "$(dose 'amount = ( );')"
scen amount_group '' "$(dose 'amount = { };')"
scen at_int '' "$(dose 'amount = "1 mg/kg"; at = 1;')"
scen every_bool '' "$(dose 'amount = "1 mg/kg"; every = false;')"
scen endpoint_int 'endpoints = [ 3 ];' ''
scen growth_int 'growth = { time = [0]; body_weight = ["250 g"]; food_intake = ["20 g/d"]; };' ''
scen diet_bool '' '' '7 d' 'true'
scen set_list '' 'set = { warfarin_thalf = ( ); };'
scen step_float 'output_step = 0.5;' ''
scen duration_huge '' '' '1e300 w'
scen duration_years '' '' '1e6 y'
scen endpoint_huge 'endpoints = ["1e7 d"];' ''
scen step_huge 'output_step = "1e7 d";' ''
scen amount_huge '' "$(dose 'amount = "1e300 mg/kg";')"
scen amount_animal_huge '' "$(dose 'amount = "1e300 ug";')"
scen every_huge '' "$(dose 'amount = "1 mg/kg"; every = "1e300 d";')"
scen at_huge '' "$(dose 'amount = "1 mg/kg"; at = "1e300 d";')"
scen food_huge '' '' '7 d' '"1e300 mg/g"'
scen growth_weight 'growth = { time = ["0 d", "1 w"]; body_weight = ["250 g", "1e12 g"]; food_intake = ["20 g/d", "20 g/d"]; };' ''
scen growth_food_zero 'growth = { time = ["0 d"]; body_weight = ["250 g"]; food_intake = ["0 g/d"]; };' ''
scen growth_food_huge 'growth = { time = ["0 d", "1 w"]; body_weight = ["250 g", "250 g"]; food_intake = ["20 g/d", "1e9 g/d"]; };' ''
scen observables_twice 'endpoint_observables = ["ca_aorta_ug_per_mg", "ca_aorta_ug_per_mg"];' ''
# a scenario's own observables (docs/SCENARIOS.md, Observables), each flaw on line 3
uo() { scen "$1" "observables = $2;" ''; }
uo uo_builtin '( { name = "cmgp_fraction"; unit = "1"; expr = "cmgp_rel"; } )'
uo uo_twice '( { name = "r"; unit = "1"; expr = "cmgp_rel"; }, { name = "r"; unit = "1"; expr = "cmgp_rel * 2"; } )'
uo uo_param '( { name = "dist_beta"; unit = "1"; expr = "cmgp_rel"; } )'
uo uo_const '( { name = "pi"; unit = "1"; expr = "cmgp_rel"; } )'
uo uo_time '( { name = "time_d"; unit = "d"; expr = "cmgp_rel"; } )'
uo uo_name '( { name = "2x"; unit = "1"; expr = "cmgp_rel"; } )'
uo uo_empty '( { name = "x"; unit = "1"; expr = ""; } )'
uo uo_blank '( { name = "x"; unit = "1"; expr = "   "; } )'
uo uo_noexpr '( { name = "x"; unit = "1"; } )'
uo uo_malformed '( { name = "x"; unit = "1"; expr = "mk4_aorta_ng_per_g / "; } )'
uo uo_juxtaposed '( { name = "x"; unit = "1"; expr = "cmgp_rel time_d"; } )'
uo uo_parens '( { name = "x"; unit = "1"; expr = "(mk4_aorta_ng_per_g"; } )'
uo uo_unknown '( { name = "x"; unit = "1"; expr = "mk4_aorta_ng_per_gg / k1_aorta_ng_per_g"; } )'
uo uo_unknown_far '( { name = "x"; unit = "1"; expr = "calcium * 2"; } )'
uo uo_nounit '( { name = "x"; expr = "cmgp_rel"; } )'
uo uo_badunit '( { name = "x"; unit = "uM"; expr = "cmgp_rel"; } )'
uo uo_emptyunit '( { name = "x"; unit = ""; expr = "cmgp_rel"; } )'
uo uo_char '( { name = "x"; unit = "1"; expr = "cmgp_rel $ 2"; } )'
uo uo_later '( { name = "x"; unit = "1"; expr = "y * 2"; }, { name = "y"; unit = "1"; expr = "cmgp_rel"; } )'
uo uo_self '( { name = "x"; unit = "1"; expr = "x * 2"; } )'
uo uo_key '( { name = "x"; unit = "1"; expr = "cmgp_rel"; descripton = "a"; } )'
uo uo_group '{ name = "x"; unit = "1"; expr = "cmgp_rel"; }'
scen uo_endpoint 'observables = ( { name = "ratio_x"; unit = "1"; expr = "cmgp_rel"; } ); endpoint_observables = ["ratio_y"];' ''

# sweep shards, sound and spoilt
A=(--vary warfarin_thalf=5:50:log --arm control --n 18 --quiet)
for k in 1 2 3; do "$calcify" sweep "$S" "${A[@]}" --shard $k/3 -o "$SH/s$k" 2>/dev/null; done
spoil() { # name, then a command run inside a copy of s2
    cp -r "$SH/s2" "$SH/$1"; (cd "$SH/$1" && eval "$2")
}
spoil cut 'head -c -20 summary.csv > x && mv x summary.csv'
spoil nulhead '{ printf "run_id,warfarin\0_thalf\n"; tail -n +2 summary.csv; } > x && mv x summary.csv'
spoil nulrow 'python3 -c "import sys; l=open(\"summary.csv\",\"rb\").read().split(b\"\\n\"); l[2]=l[2].replace(b\",ok,\",b\",o\\0k,\"); open(\"summary.csv\",\"wb\").write(b\"\\n\".join(l))"'
spoil fields 'awk "NR==3{print \"1,2,3\"; next} {print}" summary.csv > x && mv x summary.csv'
spoil wrongid 'awk -F, -v OFS=, "NR==3{\$1=3} {print}" summary.csv > x && mv x summary.csv'
spoil part 'head -n 4 summary.csv > summary.csv.part && rm summary.csv'
spoil nomanifest 'rm manifest.txt'
mkdir -p "$SH/partnomanifest" && cp "$SH/s2/summary.csv" "$SH/partnomanifest/summary.csv.part"
"$calcify" sweep "$S" "${A[@]}" --shard 2/3 --set warfarin_ka=20 -o "$SH/mixset" 2>/dev/null
"$calcify" sweep "$S" "${A[@]}" --shard 2/3 --rtol 1e-7 -o "$SH/mixrtol" 2>/dev/null
{ cat "$M/rat_wky.cfg"; echo "# edited"; } > "$T/params_edited.cfg"
"$calcify" sweep "$S" "${A[@]}" --shard 2/3 --params "$T/params_edited.cfg" -o "$SH/mixparams" 2>/dev/null
{ cat "$S"; echo "# edited"; } > "$M/.bad_inputs_scenario_$$.cfg"
"$calcify" sweep "$M/.bad_inputs_scenario_$$.cfg" "${A[@]}" --shard 2/3 -o "$SH/other" 2>/dev/null
rm -f "$M/.bad_inputs_scenario_$$.cfg"
"$calcify" sweep "$S" "${A[@]}" --shard 1/2 -o "$SH/n1" 2>/dev/null
"$calcify" sweep "$S" "${A[@]}" --shard 2/2 -o "$SH/stale" 2>/dev/null
"$calcify" sweep "$S" "${A[@]}" --shard 1/2 --timeseries --step 42 -o "$SH/t1" 2>/dev/null
"$calcify" sweep "$S" "${A[@]}" --shard 2/2 --timeseries --step 42 -o "$SH/t2lost" 2>/dev/null
cp "$SH/t2lost/timeseries.csv" "$SH/stale/" && rm "$SH/t2lost/timeseries.csv"
# a population's stats.csv, and copies each spoilt one way
"$calcify" population "$S" --n-per-arm 3 --iiv ca_dep_max=30% --quiet -o "$T/pop" 2>/dev/null
popbad() { # name, filter from the sound stats.csv to the spoilt one
    mkdir -p "$T/popbad/$1" && eval "$2" < "$T/pop/stats.csv" > "$T/popbad/$1/stats.csv"
}
popbad cut 'head -c -3'
popbad sdneg "awk -F, -v OFS=, 'NR==2{\$6=-5} {print}'"
popbad nfrac "awk -F, -v OFS=, 'NR==2{\$4=4.5} {print}'"
popbad nhuge "awk -F, -v OFS=, 'NR==2{\$4=\"1e20\"} {print}'"
popbad ninf "awk -F, -v OFS=, 'NR==2{\$4=\"inf\"} {print}'"
popbad nzero "awk -F, -v OFS=, 'NR==2{\$4=0} {print}'"
popbad meannan "awk -F, -v OFS=, 'NR==2{\$5=\"nan\"} {print}'"
popbad repeat "awk 'NR==2{r=\$0} {print} END{print r}'"
popbad crlf "sed 's/\$/\r/'"
# folders of finished runs, which the folder cases must refuse and leave as
# they are (the snapshot covers them)
"$calcify" gsa "$S" --method sobol --n 4 --vary warfarin_thalf=5:9 --vary ca_dep_max=0.15:0.3 \
    --arm control --boot 0 -q -o "$SH/gsa" 2>/dev/null
"$calcify" merge "$SH/s1" "$SH/s2" "$SH/s3" -o "$SH/merged0" 2>/dev/null
snapshot() { (cd "$SH" && find . "$T/pop" -type f -exec md5sum {} + | sort); }
before=$(snapshot)

n=0
# one folder for every case, emptied only when a case left something: on
# this VM a fork costs milliseconds, so the checks below use no programs
shopt -s dotglob nullglob
dir=$T/case
mkdir -p "$dir"
while IFS=$'\t' read -r class code frag args; do
    case "$class" in ''|'#'*) continue ;; esac
    n=$((n + 1))
    echo sentinel > "$dir/keep.csv"
    (cd "$dir" && eval "\"\$calcify\" $args" >/dev/null 2>"$T/stderr")
    rc=$?
    err=""
    IFS= read -r -d '' err < "$T/stderr"
    err=${err%$'\n'}
    why=""
    [ "$rc" -eq "$code" ] || why="exit $rc (expected $code)"
    [[ "$err" == calcify* && "$err" == *"$frag"* ]] || why="$why; message lacks '$frag'"
    [[ "$err" != *AddressSanitizer* && "$err" != *LeakSanitizer* && "$err" != *"runtime error:"* ]] ||
        why="$why; sanitizer report"
    keep=""
    [ -f "$dir/keep.csv" ] && IFS= read -r -d '' keep < "$dir/keep.csv"
    keep=${keep%$'\n'}
    [ "$keep" = sentinel ] || why="$why; keep.csv changed"
    entries=("$dir"/*)
    left=""
    for e in "${entries[@]}"; do [ "$e" = "$dir/keep.csv" ] || left="$left ${e#"$dir"/}"; done
    [ -z "$left" ] || why="$why; left behind:$left"
    if [ -z "$why" ]; then
        pass=$((pass + 1))
        per_class[$class]=$(( ${per_class[$class]:-0} + 1 ))
    else
        fail=$((fail + 1))
        echo "FAIL [$class] calcify $args: ${why#; }" >&2
        echo "  stderr: ${err:0:400}" >&2
        rm -rf "$dir" && mkdir -p "$dir"
    fi
done < "$FX/bad_inputs.tsv"
shopt -u dotglob nullglob
# a full disk, as a file size limit: the write fails with its reason, exit
# 1, and neither the file nor its temporary file is left
full_disk() {
    mkdir -p "$T/full" && cd "$T/full" || return 1
    (ulimit -f 8; trap '' XFSZ; "$calcify" run "$S" -o out/big.csv) 2>"$T/stderr"
    local rc=$?
    cd "$T"
    [ "$rc" -eq 1 ] && grep -q "out/big.csv: write failed: File too large" "$T/stderr" &&
        [ -z "$(ls -A "$T/full")" ]
}
if full_disk; then pass=$((pass + 1)); per_class[output]=$(( ${per_class[output]:-0} + 1 ));
else fail=$((fail + 1)); echo "FAIL [output] full disk: $(cat "$T/stderr")" >&2; fi

# interrupted while a result is being written (its temporary file exists):
# exit 128 + the signal, and no temporary file left.  The command is frozen
# (SIGSTOP) and checked to be still writing before the signal; where it had
# finished (this script descheduled for longer than the ~0.35 s left), it is
# tried again, up to three times.
interrupted() { # signal, expected status, command writing to $T/sig/out/...
    local sig=$1 code=$2 try pid i rc; shift 2
    for try in 1 2 3; do
        rm -rf "$T/sig" && mkdir -p "$T/sig"
        "$calcify" "$@" >/dev/null 2>"$T/stderr" &
        pid=$! i=0
        until compgen -G "$T/sig/out/*.tmp.*" >/dev/null || ! kill -0 $pid 2>/dev/null || [ $i -ge 3000 ]; do
            sleep 0.01; i=$((i + 1))
        done
        kill -STOP $pid 2>/dev/null
        if compgen -G "$T/sig/out/*.tmp.*" >/dev/null; then
            kill -"$sig" $pid
            kill -CONT $pid
            wait $pid
            rc=$?
            [ "$rc" -eq "$code" ] && [ -z "$(find "$T/sig" -name '*.tmp.*')" ]
            return
        fi
        kill -CONT $pid 2>/dev/null
        wait $pid
    done
    echo "the command finished before it could be interrupted, three times" > "$T/stderr"
    return 1
}
for c in "TERM 143 sensitivity $S --threads 1 -q -o $T/sig/out/s.csv" \
         "TERM 143 run $S --step 0.001 --force -o $T/sig/out/r.csv"; do
    # shellcheck disable=SC2086
    if interrupted $c; then pass=$((pass + 1)); per_class[signal]=$(( ${per_class[signal]:-0} + 1 ));
    else fail=$((fail + 1)); echo "FAIL [signal] $c: left $(find "$T/sig" -name '*.tmp.*'); $(head -c 300 "$T/stderr")" >&2; fi
done

[ "$(snapshot)" = "$before" ] || { echo "FAIL: a case changed the shards it read" >&2; fail=$((fail + 1)); }

# good inputs of the same classes: accepted, and read as meant
good() { # name, command (status 0 expected)
    if (cd "$T" && eval "$2") >/dev/null 2>"$T/stderr"; then pass=$((pass + 1)); per_class[good]=$(( ${per_class[good]:-0} + 1 ));
    else fail=$((fail + 1)); echo "FAIL [good] $1: $(head -c 400 "$T/stderr")" >&2; fi
}
good "scenario with a UTF-8 BOM" '"$calcify" run "$IN/good_bom.cfg" -o bom.csv && cmp -s bom.csv <("$calcify" run "$FX/good_minimal.cfg")'
good "parameter file with a BOM" '"$calcify" run "$G/scenario_params_bom.cfg" | cmp -s - <("$calcify" run "$FX/good_minimal.cfg")'
good "targets with a BOM" '"$calcify" validate "$S" --data "$G/targets_bom.csv" | cmp -s - <("$calcify" validate "$S" --data "$M/data/schurgers2007.csv")'
good "scenario through a pipe" '"$calcify" run <(cat "$FX/good_minimal.cfg") --params "$M/rat_wky.cfg" | cmp -s - <("$calcify" run "$FX/good_minimal.cfg")'
good "scenario on /dev/stdin" '"$calcify" run /dev/stdin --params "$M/rat_wky.cfg" < "$FX/good_minimal.cfg" | cmp -s - <("$calcify" run "$FX/good_minimal.cfg")'
good "-o through a symlink replaces the file, keeps the link" 'echo old > real.csv && ln -sf real.csv link.csv && "$calcify" run "$FX/good_minimal.cfg" -o link.csv && test -L link.csv && grep -q "^arm," real.csv'
good "-o into missing folders" '"$calcify" run "$FX/good_minimal.cfg" -o new/a/b/out.csv && test -s new/a/b/out.csv'
good "-o a named pipe writes into it, and it stays a pipe" 'mkfifo pipe && { cat pipe > piped.csv & } && "$calcify" run "$FX/good_minimal.cfg" -o pipe && wait && test -p pipe && cmp -s piped.csv <("$calcify" run "$FX/good_minimal.cfg")'
good "-o /dev/stdout" '"$calcify" run "$FX/good_minimal.cfg" -o /dev/stdout | cmp -s - <("$calcify" run "$FX/good_minimal.cfg")'
good "--force lifts the row limit" '(set +o pipefail; "$calcify" run "$S" --arm control --step 1e-6 --force 2>/dev/null | head -n 3 | grep -q "^control,1e-06,")'
good "--force lifts the size limit" '(set +o pipefail; "$calcify" run "$S" --step 0.0001 --force 2>/dev/null | head -n 3 | grep -q "^control,0.0001,")'
good "population stats.csv with CRLF line ends" '"$calcify" validate "$S" --data "$M/data/schurgers2007.csv" --population "$T/popbad/crlf" | cmp -s - <("$calcify" validate "$S" --data "$M/data/schurgers2007.csv" --population "$T/pop")'
good "--arm a,b is --arm a --arm b (run)" '"$calcify" run "$S" --arm control,high_k1 --step 42 | cmp -s - <("$calcify" run "$S" --arm control --arm high_k1 --step 42)'
good "--arm a,b is --arm a --arm b (sweep)" '"$calcify" sweep "$S" --vary warfarin_thalf=5:9 --n 2 --arm normal_k,high_k1 -q -o arms1 && "$calcify" sweep "$S" --vary warfarin_thalf=5:9 --n 2 --arm normal_k --arm high_k1 -q -o arms2 && cmp -s arms1/summary.csv arms2/summary.csv'
good "an empty folder, or one without any run's files, is written into" 'mkdir -p empty notes && echo x > notes/notes.txt && "$calcify" population "$S" --n-per-arm 1 --iiv warfarin_ka=20% -q -o empty && "$calcify" population "$S" --n-per-arm 1 --iiv warfarin_ka=20% -q -o notes && test -s empty/stats.csv -a -s notes/stats.csv -a -s notes/notes.txt'
good "--force replaces another sweep" 'cp -r "$SH/s1" forced && "$calcify" sweep "$S" --vary ca_reg_max=0.005:0.05 --arm control --n 3 -q --force -o forced && "$calcify" sweep "$S" --vary ca_reg_max=0.005:0.05 --arm control --n 3 -q -o fresh && cmp -s forced/summary.csv fresh/summary.csv && cmp -s forced/design.csv fresh/design.csv && grep -q "^n = 3$" forced/manifest.txt'
good "--resume --force replaces a different sweep" 'cp -r "$SH/s1" rf && "$calcify" sweep "$S" --vary ca_reg_max=0.005:0.05 --arm control --n 3 -q --resume --force -o rf && cmp -s rf/summary.csv <("$calcify" sweep "$S" --vary ca_reg_max=0.005:0.05 --arm control --n 3 -q -o rf2 && cat rf2/summary.csv)'
good "population --force beside a sweep leaves the sweep's files" 'cp -r "$SH/s1" ps && "$calcify" population "$S" --n-per-arm 1 --iiv warfarin_ka=20% -q --force -o ps && test -s ps/animals.csv && cmp -s ps/summary.csv "$SH/s1/summary.csv"'
good "gsa and merge --force replace their own" 'cp -r "$SH/gsa" g && "$calcify" gsa "$S" --method sobol --n 8 --vary warfarin_thalf=5:9 --vary ca_dep_max=0.15:0.3 --arm control --boot 0 -q --force -o g && test "$(wc -l < g/design.csv)" -gt 20 && cp -r "$SH/merged0" m && "$calcify" merge "$SH/s1" "$SH/s2" "$SH/s3" --force -o m 2>/dev/null && cmp -s m/summary.csv "$SH/merged0/summary.csv"'
good "merge of sound shards" '"$calcify" merge "$SH/s1" "$SH/s2" "$SH/s3" -o merged && "$calcify" sweep "$S" "${A[@]}" -o whole && cmp -s merged/summary.csv whole/summary.csv'

for c in "${!per_class[@]}"; do echo "class $c: ${per_class[$c]} passed"; done | sort
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
