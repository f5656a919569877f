#!/usr/bin/env bash
# Summary metrics (AUC, min, max, time of max) come from the solver's
# steps, not the output rows (issue 17 item 2), so:
# 1. the output step does not change them: on the daily sc K1 and warfarin
#    injections of sc_injections.cfg, --step '6 h', '1 d' and '1 min' give
#    AUC and Cmax within 1e-4 relative (from rows, 6-hour rows had AUC 72%
#    and Cmax 84% low);
# 2. they match a hand calculation: one sc bolus of K1 (1 mg/kg) into a rat
#    at its steady state.  Plasma K1 is one compartment with first-order
#    absorption and linear clearance, nothing feeds back on it, so the
#    dose adds to the control's constant level (superposition) and
#       ΔAUC(0→7 d) = F·D/CL,  CL = k1_cl_liver + k1_cl_tissue
#       tmax = ln(ka/k)/(ka − k),  k = CL/vk_vd
#       Cmax = C_ss + F·D/vk_vd · ka/(ka − k)·(e^(−k·tmax) − e^(−ka·tmax))
#    with F = sc_f, ka = sc_ka from models/rat_wky.cfg.  Tolerance 5e-5
#    relative for AUC and Cmax: the one term left out, aortic uptake
#    (aorta_mass·aorta_k1_uptake/1000 = 3e-4 L/kg/d, saturable), is at most
#    2.2e-5 of CL; the tail past 7 d is e^(−84); the solver's tolerance
#    (rtol 1e-6) is below both.  tmax to 1e-3: at a flat peak a value error
#    ε moves the time of max by √(2ε/|C''|), about 1e-4 d here for ε =
#    rtol·Cmax, 2e-3 of tmax (measured: 4e-5).
set -uo pipefail
calcify=${CALCIFY:?}
root=${CALCIFY_SOURCE_ROOT:?}
T=$(mktemp -d /tmp/calcify-metrics-XXXXXX)
trap 'rm -rf "$T"' EXIT
. "$(dirname "${BASH_SOURCE[0]}")/check.sh"

OBS=k1_plasma_ng_per_ml,warfarin_plasma_mg_per_l
for step in '6 h' '1 d' '1 min'; do
    check "sc_injections --step '$step'" "$calcify" run "$root/models/sc_injections.cfg" \
        --summary --header --arm warfarin_sc_k1_sc --observable "$OBS" --step "$step" \
        -o "$T/step_${step// /}.csv"
done
check "AUC and Cmax agree within 1e-4 between --step '6 h', '1 d', '1 min'" \
    python3 - "$T" <<'PY'
import csv, sys
d = sys.argv[1]
runs = {s: next(csv.DictReader(open(f"{d}/step_{s}.csv"))) for s in ("6h", "1d", "1min")}
ok = True
for col in runs["1min"]:
    if not col.startswith(("auc_", "max_")):
        continue
    vals = {s: float(r[col]) for s, r in runs.items()}
    ref = vals["1min"]
    worst = max(abs(v - ref) / abs(ref) for v in vals.values())
    print(f"{col}: " + ", ".join(f"{s} {v!r}" for s, v in vals.items()) + f"; worst {worst:.2e}")
    if not worst <= 1e-4:
        ok = False
sys.exit(0 if ok else 1)
PY

cat > "$T/bolus.cfg" <<CFG
name = "sc_k1_bolus";
parameters = "$root/models/rat_wky.cfg";
output_step = "1 d";
solver = { method = "auto"; rtol = 1e-6; atol = 1e-9; };
baseline = { warfarin = "0 mg/g"; k1 = "5 ug/g"; mk4 = "0 ug/g"; };
arms = (
  { name = "control";
    phases = ( { duration = "7 d"; warfarin = "0 mg/g"; k1 = "5 ug/g"; mk4 = "0 ug/g"; } ); },
  { name = "k1_sc";
    phases = ( { duration = "7 d"; warfarin = "0 mg/g"; k1 = "5 ug/g"; mk4 = "0 ug/g";
                 doses = ( { drug = "k1"; route = "sc"; amount = "1 mg/kg"; at = "0 d"; } ); } ); }
);
CFG
for step in '6 h' '1 d'; do
    check "bolus --step '$step'" "$calcify" run "$T/bolus.cfg" --summary --header \
        --observable k1_plasma_ng_per_ml --step "$step" -o "$T/bolus_${step// /}.csv"
done
check "one sc K1 bolus: AUC = F·D/CL and Cmax by hand within 5e-5, tmax within 1e-3" \
    python3 - "$T" "$root/models/rat_wky.cfg" <<'PY'
import csv, math, re, sys
d, cfg = sys.argv[1], open(sys.argv[2]).read()
def par(name):
    return float(re.search(r"\b" + name + r"\s*=\s*\{\s*value\s*=\s*([0-9.eE+-]+)", cfg).group(1))
F, ka, vd = par("sc_f"), par("sc_ka"), par("vk_vd")
CL = par("k1_cl_liver") + par("k1_cl_tissue")
D = 1000.0  # ug/kg: ng/mL = ug/L, so D/CL is in ng/mL·d
k = CL / vd
auc_hand = F * D / CL
tmax_hand = math.log(ka / k) / (ka - k)
bump = F * D / vd * ka / (ka - k) * (math.exp(-k * tmax_hand) - math.exp(-ka * tmax_hand))
ok = True
for step in ("6h", "1d"):
    r = {x["arm"]: x for x in csv.DictReader(open(f"{d}/bolus_{step}.csv"))}
    c, s = r["control"], r["k1_sc"]
    css = float(c["max_k1_plasma_ng_per_ml"])
    dauc = float(s["auc_k1_plasma_ng_per_ml_x_d"]) - float(c["auc_k1_plasma_ng_per_ml_x_d"])
    cmax = float(s["max_k1_plasma_ng_per_ml"])
    tmax = float(s["tmax_k1_plasma_ng_per_ml_d"])
    for what, got, hand in (("dAUC", dauc, auc_hand), ("Cmax", cmax, css + bump),
                            ("tmax", tmax, tmax_hand)):
        rel = abs(got - hand) / abs(hand)
        print(f"--step {step}: {what} {got!r}, by hand {hand!r}, relative {rel:.2e}")
        if not rel <= (1e-3 if what == "tmax" else 5e-5):
            ok = False
sys.exit(0 if ok else 1)
PY

finish metrics
