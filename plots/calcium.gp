# calcium.gp — one observable (default: aortic calcium) against time for
# every arm of a run, with phase boundaries and, when a targets file is
# given, its values drawn as what they are (observed, derived, accepted
# range only, lower bound only).  Works from any directory.
#
#   gnuplot -c plots/calcium.gp RUN.csv OUT.png [TERMINAL] [TARGETS.csv] [META] [COLUMN]
#
# RUN.csv: output of `calcify run`; TERMINAL: pngcairo (default), svg or
# pdfcairo; TARGETS.csv: a targets file (docs/SCENARIOS.md; default: none);
# META: the file of `calcify run --meta` (default: RUN.meta.tsv beside
# RUN.csv if it exists) for the title, arm descriptions and phases; COLUMN:
# the observable to draw (default ca_aorta_ug_per_mg).
HERE = system(sprintf("dirname -- '%s'", ARG0))
IN = ARG1
OUT = ARG2
TERM_NAME = (ARGC >= 3 && ARG3 ne "") ? ARG3 : "pngcairo"
TARGETS = (ARGC >= 4) ? ARG4 : ""
AUTO_META = IN[strlen(IN)-3:] eq ".csv" ? IN[1:strlen(IN)-4].".meta.tsv" : IN.".meta.tsv"
META = (ARGC >= 5 && ARG5 ne "") ? ARG5 : \
       (system(sprintf("test -r '%s' && echo yes", AUTO_META)) eq "yes" ? AUTO_META : "")
COLX = "time_d"
COLY = (ARGC >= 6 && ARG6 ne "") ? ARG6 : "ca_aorta_ug_per_mg"
WIDTH = 960
HEIGHT = 480
KEY_ROW = 21
load HERE."/targets.gp"
KEY_EXTRA = 1 + TARGET_KINDS
load HERE."/common.gp"

IS_CA = COLY eq "ca_aorta_ug_per_mg"
YLABEL = IS_CA ? "aortic calcium (µg Ca / mg dry tissue)" : COLY
TOPIC = IS_CA ? "Aortic calcium" : COLY
TITLE = SCEN_DESC ne "" ? SCEN_DESC : (SCEN_NAME ne "" ? SCEN_NAME : system(sprintf("basename -- '%s'", IN)))
set title sprintf("%s: %s", TOPIC, TITLE) noenhanced
set xlabel sprintf("time (%s)", XNAME)
set ylabel YLABEL noenhanced
set xrange [-TMAX / XU * 0.03:TMAX / XU * 1.03]
set yrange [0:*]
set grid ytics lc rgb "#dddddd"
# the legend below the plot, one row per entry, the plot above it
set key at screen 0.08, screen 0.5 * KEY_ROW / HEIGHT left bottom vertical maxcols 1 Left reverse box opaque noenhanced
set bmargin at screen (KEY_ROW * (words(ARMS) + KEY_EXTRA + 0.5) + 60.0) / HEIGHT

# phase boundaries of every arm: dotted, labelled once
B = BOUNDS("")
do for [i=1:words(B)] {
    set arrow i from real(word(B, i)) / XU, graph 0 to real(word(B, i)) / XU, graph 1 nohead dt 3 lc rgb "#888888"
}
if (words(B) > 0) {
    set label 1 "phase boundary" at real(word(B, 1)) / XU, graph 0.97 offset 0.5, 0 left tc rgb "#666666" font ",9"
}

N = words(ARMS)
# markers spaced so that each arm shows about ten of them, shifted per arm
PI = int(STATS_records / (N > 0 ? N : 1) / 10) + 1
sel(a) = strcol("arm") eq a ? column(COLY) : NaN

plot for [i=1:N] IN using (column(COLX) / XU):(sel(word(ARMS, i))) \
     with linespoints lw 2 dt ARM_DASH[style_i(i)] pt ARM_POINT[style_i(i)] pi PI ps 0.9 \
     lc rgb ARM_COLOR[style_i(i)] title arm_title(word(ARMS, i)) @TARGET_PLOT
set output
