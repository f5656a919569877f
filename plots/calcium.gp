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
KEY_EXTRA = TARGETS eq "" ? 1 : 5
load HERE."/common.gp"

if (TARGETS ne "" && system(sprintf("test -r '%s' && echo yes", TARGETS)) ne "yes") {
    print sprintf("%s: cannot read (expected a targets CSV)", TARGETS)
    set output
    system(sprintf("rm -f '%s'", OUT))
    exit status 2
}

IS_CA = COLY eq "ca_aorta_ug_per_mg"
YLABEL = IS_CA ? "aortic calcium (µg Ca / mg dry tissue)" : COLY
TOPIC = IS_CA ? "Aortic calcium" : COLY
TITLE = SCEN_DESC ne "" ? SCEN_DESC : (SCEN_NAME ne "" ? SCEN_NAME : system(sprintf("basename -- '%s'", IN)))
set title sprintf("%s: %s", TOPIC, TITLE) noenhanced
set xlabel sprintf("time (%s)", XNAME)
set ylabel YLABEL
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

# targets: which rows concern COLY, their time in days, their kind
TFMT = TARGETS eq "" ? "" : system(sprintf("head -n 1 '%s' | cut -d, -f2", TARGETS))
unit_d(u) = u eq "w" ? 7.0 : u eq "h" ? 1.0/24 : u eq "min" ? 1.0/1440 : u eq "y" ? 365.25 : 1.0
t_of(s) = real(word(s, 1)) * (words(s) > 1 ? unit_d(word(s, 2)) : 1.0)
t_row(dummy) = TFMT eq "week" ? 7.0 * column("week") : t_of(strcol("time"))
mine(dummy) = TFMT eq "week" ? (IS_CA && strcol("observable") eq "ca_aorta") : strcol("observable") eq COLY
basis(dummy) = TFMT eq "week" ? (strcol("basis") eq "seen" ? "observed" : strcol("basis")) : strcol("basis")
valued(dummy) = mine(0) && strcol("target") ne ""
observed(dummy) = valued(0) && basis(0) eq "observed"
derived(dummy) = valued(0) && basis(0) ne "observed"
range_only(dummy) = mine(0) && strcol("target") eq "" && strcol("accept_lo") ne "" && strcol("accept_hi") ne ""
lower_only(dummy) = mine(0) && strcol("target") eq "" && strcol("accept_hi") eq "" && strcol("accept_lo") ne ""
# rows at one time side by side: offset by the label's rank in the file
LABELS = TARGETS eq "" ? "" : system(sprintf("awk -F , 'NR > 1 && !s[$1]++ {printf \"%%s \", $1}' '%s'", TARGETS))
rank(l) = sum [i=1:words(LABELS)] (word(LABELS, i) eq l ? i : 0)
xoff(l) = (rank(l) - (words(LABELS) + 1) / 2.0) * TMAX / XU * 0.004
x_if(ok) = ok ? t_row(0) / XU + xoff(strcol(1)) : NaN

if (TARGETS eq "") {
    plot for [i=1:N] IN using (column(COLX) / XU):(sel(word(ARMS, i))) \
         with linespoints lw 2 dt ARM_DASH[style_i(i)] pt ARM_POINT[style_i(i)] pi PI ps 0.9 \
         lc rgb ARM_COLOR[style_i(i)] title arm_title(word(ARMS, i))
} else {
    plot for [i=1:N] IN using (column(COLX) / XU):(sel(word(ARMS, i))) \
         with linespoints lw 2 dt ARM_DASH[style_i(i)] pt ARM_POINT[style_i(i)] pi PI ps 0.9 \
         lc rgb ARM_COLOR[style_i(i)] title arm_title(word(ARMS, i)), \
     TARGETS using (x_if(observed(0))):"target":"accept_lo":"accept_hi" \
         with yerrorbars pt 7 ps 1.3 lc rgb "#333333" title "observed value (bar: accepted range)", \
     TARGETS using (x_if(derived(0))):"target":"accept_lo":"accept_hi" \
         with yerrorbars pt 13 ps 1.4 lc rgb "#333333" title "value derived from observations (bar: accepted range)", \
     TARGETS using (x_if(range_only(0))):((column("accept_lo") + column("accept_hi")) / 2):"accept_lo":"accept_hi" \
         with yerrorbars pt 0 lw 2 lc rgb "#888888" title "accepted range, no value reported", \
     TARGETS using (x_if(lower_only(0))):"accept_lo":(0):(0.08 * STATS_max_y) \
         with vectors filled head lw 1.5 lc rgb "#888888" title "lower bound only"
}
set output
