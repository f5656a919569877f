#!/usr/bin/env bash
# scripts/sweep.sbatch from a fresh folder holding only what a clone holds
# (no out/, no build/ but the program named by CALCIFY), under a faked Slurm:
# arrays 0-2 and 1-3 give the shards of one sweep, merged byte for byte into
# the unsharded sweep; a requeued task resumes; a stepped array is refused;
# `submit` asks sbatch for the array and a merge job depending on it.
set -euo pipefail
root=${CALCIFY_SOURCE_ROOT:?}
calcify=${CALCIFY:?}
work=$(mktemp -d /tmp/calcify-sbatch-XXXXXX)
trap 'rm -rf "$work"' EXIT
. "$(dirname "${BASH_SOURCE[0]}")/check.sh"

mkdir -p "$work/clone/scripts" "$work/clone/models"
cp "$root/scripts/sweep.sbatch" "$work/clone/scripts/"
cp "$root/models/vermeer2007.cfg" "$root/models/rat_wky.cfg" "$work/clone/models/"
cd "$work/clone"
export CALCIFY=$calcify
export SWEEP_ARGS="models/vermeer2007.cfg --vary warfarin_thalf=5:50:log --n 9 --arm control"
"$calcify" sweep $SWEEP_ARGS --quiet -o "$work/ref" 2>/dev/null

for range in "0 2" "1 3"; do
    set -- $range
    out="$work/out-$1"
    for id in $(seq "$1" "$2"); do
        SWEEP_OUT=$out SLURM_ARRAY_TASK_ID=$id SLURM_ARRAY_TASK_MIN=$1 \
            SLURM_ARRAY_TASK_MAX=$2 SLURM_ARRAY_TASK_COUNT=3 SLURM_CPUS_PER_TASK=1 \
            scripts/sweep.sbatch 2>/dev/null
    done
    check "array $1-$2: three shards" test -d "$out/shard-1" -a -d "$out/shard-3" -a ! -e "$out/shard-4"
    check "array $1-$2: merge job" env SWEEP_OUT="$out" scripts/sweep.sbatch merge 2>/dev/null
    check "array $1-$2: merged summary is the unsharded one" cmp -s "$work/ref/summary.csv" "$out/all/summary.csv"
    check "array $1-$2: merged design is the unsharded one" cmp -s "$work/ref/design.csv" "$out/all/design.csv"
    check "array $1-$2: a requeued merge job replaces its merge" env SWEEP_OUT="$out" scripts/sweep.sbatch merge 2>/dev/null
done

# a requeued task (same shard again) resumes: the shard is complete already
check "requeue resumes" env SWEEP_OUT="$work/out-0" SLURM_ARRAY_TASK_ID=0 SLURM_ARRAY_TASK_MIN=0 \
    SLURM_ARRAY_TASK_MAX=2 SLURM_ARRAY_TASK_COUNT=3 scripts/sweep.sbatch 2>/dev/null

# arguments from a file
printf '# the sweep\nmodels/vermeer2007.cfg\n--vary\nwarfarin_thalf=5:50:log\n--n\n9\n--arm\ncontrol\n' > args.txt
SWEEP_ARGS= SWEEP_ARGS_FILE=args.txt SWEEP_OUT="$work/out-file" SLURM_ARRAY_TASK_ID=0 \
    SLURM_ARRAY_TASK_COUNT=1 scripts/sweep.sbatch 2>/dev/null
check "arguments from a file" cmp -s "$work/ref/summary.csv" "$work/out-file/shard-1/summary.csv"

# --array=0-9:2 has 5 tasks over 0..8: not contiguous
set +e
SWEEP_OUT="$work/out-step" SLURM_ARRAY_TASK_ID=2 SLURM_ARRAY_TASK_MIN=0 SLURM_ARRAY_TASK_MAX=8 \
    SLURM_ARRAY_TASK_COUNT=5 scripts/sweep.sbatch 2>"$work/err"
rc=$?
set -e
check "stepped array refused with exit 2" test "$rc" -eq 2
check "stepped array message" grep -q "step or gaps" "$work/err"

# submit: a fake sbatch records what it is asked
mkdir -p bin
cat > bin/sbatch <<'EOS'
#!/usr/bin/env bash
echo "$*" >> "$FAKE_SBATCH_LOG"
echo 4242
EOS
chmod +x bin/sbatch
FAKE_SBATCH_LOG="$work/sbatch.log" PATH="$PWD/bin:$PATH" SWEEP_OUT="$work/out-submit" \
    scripts/sweep.sbatch submit 1-10 >/dev/null
check "submit: array" grep -q -- "--array=1-10" "$work/sbatch.log"
check "submit: merge after the array" grep -q -- "--dependency=afterok:4242 .* merge" "$work/sbatch.log"
check "submit: output folder made" test -d "$work/out-submit"

finish
