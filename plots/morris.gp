# morris.gp — Morris elementary effects of one observable, at one time, in
# one arm: each varied parameter a labelled point at (mu*, sigma), mu* with
# its bootstrap interval.  Works from any directory.
#
#   gnuplot -c plots/morris.gp DIR/indices.csv OUT.png [TERMINAL] [ARM] [OBSERVABLE] [TIME_D]
#
# DIR/indices.csv: output of `calcify gsa --method morris`; TERMINAL:
# pngcairo (default), svg or pdfcairo; OBSERVABLE: default
# ca_aorta_ug_per_mg (else the file's first); TIME_D: the time in days
# (default: the last of that observable); ARM: default the arm with the
# largest mu* there.  mu* (mean |effect|) ranks influence; sigma (spread of
# the effects) shows non-linearity or interactions: the dashed lines are
# sigma/mu* = 0.1 (below: nearly linear) and 1 (above: strongly non-linear or
# interacting).  A point is blue where the mean effect mu is positive (the
# output rises with the parameter), orange where it is negative.
HERE = system(sprintf("dirname -- '%s'", ARG0))
IN = ARG1
OUT = ARG2
TERM_NAME = (ARGC >= 3 && ARG3 ne "") ? ARG3 : "pngcairo"
SEL = (ARGC >= 4) ? ARG4 : ""
OBS = (ARGC >= 5) ? ARG5 : ""
TSEL = (ARGC >= 6) ? ARG6 : ""
COLX = "time_d"
COLY = "mu_star"
META = ""
WIDTH = 820
HEIGHT = 600
load HERE."/common.gp"

bail(msg) = sprintf("%s: %s", IN, msg)
NEED = "parameter arm observable mu_star mu_star_lo mu_star_hi sigma mu"
MISSING = ""
do for [k=1:words(NEED)] { if (!has_col(word(NEED, k))) { MISSING = MISSING." ".word(NEED, k) } }
if (MISSING ne "") {
    print bail(sprintf("no column%s (expected DIR/indices.csv of calcify gsa --method morris)", MISSING))
    set output
    system(sprintf("rm -f '%s'", OUT))
    exit status 1
}
if (OBS eq "") {
    OBS = csv_query('$c["observable"] == "ca_aorta_ug_per_mg" {f = 1} END {print f ? "ca_aorta_ug_per_mg" : ""}')
    if (OBS eq "") { OBS = csv_query('{print $c["observable"]; exit}') }
}
if (TSEL eq "") { TSEL = csv_query(sprintf('$c["observable"] == "%s" {t = $c["time_d"]} END {print t}', OBS)) }
AT = sprintf('$c["observable"] == "%s" && $c["time_d"] + 0 == %s + 0', OBS, TSEL eq "" ? "-1" : TSEL)
if (SEL eq "") {
    SEL = csv_query(AT.' && $c["mu_star"] != "" && (best == "" || $c["mu_star"] + 0 > m) {m = $c["mu_star"] + 0; best = $c["arm"]} END {print best}')
}
MATCH = sprintf('%s && $c["arm"] == "%s"', AT, SEL)
NP = int(csv_query(MATCH.' {n++} END {print n + 0}'))
if (NP == 0) {
    print bail(sprintf("no rows of arm '%s', observable '%s' at time %s d (arms: %s)", SEL, OBS, TSEL, ARMS))
    set output
    system(sprintf("rm -f '%s'", OUT))
    exit status 2
}
ROWS = sprintf("< awk -F , 'NR == 1 {for (i = 1; i <= NF; i++) c[$i] = i} NR == 1 || (%s)' '%s'", MATCH, IN)
stats ROWS using "mu_star_hi" nooutput
XMAX = STATS_max > 0 ? STATS_max : 1
stats ROWS using "sigma" nooutput
YMAX = STATS_max > 0 ? STATS_max : XMAX
N_TRAJ = has_col("trajectories") ? csv_query(MATCH.' {print $c["trajectories"]; exit}') : ""

set title sprintf("Morris screening: %s at %s d, arm %s (%s trajectories)\nblue: mean effect mu > 0 (the output rises), orange: mu < 0; bars: bootstrap interval of mu*", \
                  OBS, TSEL, SEL, N_TRAJ eq "" ? "?" : N_TRAJ) noenhanced
set xlabel sprintf("mu* (mean |elementary effect|, %s per unit of the parameter's quantile)", OBS) noenhanced
set ylabel "sigma (spread of the elementary effects)"
XR = XMAX * 1.25
YR = YMAX * 1.2
set xrange [0:XR]
set yrange [0:YR]
set grid lc rgb "#dddddd"
set key off
set bars 1.5
# sigma/mu* = 1 and 0.1, drawn to the edge of the plot: non-linear or
# interacting above the first, nearly linear below the second
E1 = XR < YR ? XR : YR
E2 = XR < 10 * YR ? XR : 10 * YR
set arrow 1 from 0, 0 to E1, E1 nohead dt 2 lc rgb "#888888"
set arrow 2 from 0, 0 to E2, E2 / 10 nohead dt 3 lc rgb "#888888"
set label 1 "σ/μ* = 1" at E1 * 0.95, E1 * 0.95 right offset -0.8, 0 tc rgb "#666666" font ",9"
set label 2 "σ/μ* = 0.1" at E2 * 0.97, E2 * 0.097 right offset 0, 0.8 tc rgb "#666666" font ",9"
# points crowded at the origin (mu* and sigma both under 5% of the largest)
# are named together in a note below the plot instead of labels on top of
# each other
small(dummy) = column("mu_star") < 0.05 * XMAX && column("sigma") < 0.05 * YMAX
NEGL = csv_query(sprintf('%s && $c["mu_star"] + 0 < %.17g && $c["sigma"] + 0 < %.17g {printf "%%s%%s", n++ ? ", " : "", $c["parameter"]}', \
                         MATCH, 0.05 * XMAX, 0.05 * YMAX))
if (NEGL ne "") {
    set bmargin 5
    set label 3 sprintf("at the origin (mu* and sigma under 5%% of the largest): %s", NEGL) \
        at screen 0.02, screen 0.025 left noenhanced font ",9" tc rgb "#444444"
}
pcol(dummy) = column("mu") >= 0 ? 0x0072B2 : 0xD55E00
plot ROWS using "mu_star":"sigma":"mu_star_lo":"mu_star_hi":(pcol(0)) \
         with xerrorbars pt 7 ps 1.3 lc rgb variable, \
     ROWS using "mu_star":"sigma":(small(0) ? "" : strcol("parameter")) \
         with labels left offset 1, 0.6 font ",10" noenhanced
set output
