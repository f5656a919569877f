# population.gp — a virtual population per arm: median and 90% band (5% to
# 95% of the animals) of one observable over time, targets overlaid when a
# targets file is given.  Works from any directory.
#
#   gnuplot -c plots/population.gp DIR/stats.csv OUT.png [TERMINAL] [OBSERVABLE] [TARGETS.csv] [META]
#
# DIR/stats.csv: output of `calcify population`; TERMINAL: pngcairo
# (default), svg or pdfcairo; OBSERVABLE: a column of calcify run (default
# ca_aorta_ug_per_mg); TARGETS.csv: a targets file (default: none; its rows
# of OBSERVABLE are drawn as in calcium.gp); META: the file of `calcify run
# SCENARIO --meta` for the title, arm descriptions and phase boundaries.
HERE = system(sprintf("dirname -- '%s'", ARG0))
IN = ARG1
OUT = ARG2
TERM_NAME = (ARGC >= 3 && ARG3 ne "") ? ARG3 : "pngcairo"
OBS = (ARGC >= 4 && ARG4 ne "") ? ARG4 : "ca_aorta_ug_per_mg"
TARGETS = (ARGC >= 5) ? ARG5 : ""
META = (ARGC >= 6) ? ARG6 : ""
COLX = "time_d"
COLY = "p50"
WIDTH = 960
HEIGHT = 480
KEY_ROW = 21
TCOL = OBS   # the targets of this observable
load HERE."/targets.gp"
KEY_EXTRA = 1 + TARGET_KINDS
load HERE."/common.gp"

N_ANIMALS = system(sprintf("awk -F, '$3 == \"%s\" { print $4; exit }' '%s'", OBS, IN))
TITLE = SCEN_DESC ne "" ? SCEN_DESC : SCEN_NAME
set title sprintf("Virtual population, %s rats per arm: median and 5-95%% band%s%s", N_ANIMALS, \
                  TITLE eq "" ? "" : "\n", TITLE) noenhanced
set xlabel sprintf("time (%s)", XNAME)
set ylabel OBS noenhanced
if (OBS eq "ca_aorta_ug_per_mg") { set ylabel "aortic calcium (µg Ca / mg dry tissue)" }
set xrange [-TMAX / XU * 0.03:TMAX / XU * 1.03]
set yrange [0:*]
set grid ytics lc rgb "#dddddd"
set key at screen 0.08, screen 0.5 * KEY_ROW / HEIGHT left bottom vertical maxcols 1 Left reverse box opaque noenhanced
set bmargin at screen (KEY_ROW * (words(ARMS) + KEY_EXTRA + 0.5) + 60.0) / HEIGHT
set style fill transparent solid 0.18 noborder
B = BOUNDS("")
do for [i=1:words(B)] {
    set arrow i from real(word(B, i)) / XU, graph 0 to real(word(B, i)) / XU, graph 1 nohead dt 3 lc rgb "#888888"
}

# one arm's rows of OBS only: rows of other arms or observables in between
# would break the lines and bands
rows(a) = sprintf("< awk -F, 'NR == 1 || ($1 == \"%s\" && $3 == \"%s\")' '%s'", a, OBS, IN)
N = words(ARMS)
stats sprintf("< awk -F, 'NR == 1 || $3 == \"%s\"' '%s'", OBS, IN) using "p95" nooutput
ARROW_LEN = 0.08 * STATS_max

plot for [i=1:N] rows(word(ARMS, i)) using (column("time_d") / XU):"p05":"p95" \
         with filledcurves lc rgb ARM_COLOR[style_i(i)] notitle, \
     for [i=1:N] rows(word(ARMS, i)) using (column("time_d") / XU):"p50" \
         with lines lw 2 dt ARM_DASH[style_i(i)] lc rgb ARM_COLOR[style_i(i)] \
         title arm_title(word(ARMS, i)) @TARGET_PLOT
set output
