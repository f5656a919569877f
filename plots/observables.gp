# observables.gp — columns of a run against time, one panel each, every arm
# in its style: by default the scenario's own observables (docs/SCENARIOS.md,
# Observables), any columns by name otherwise.  Works from any directory.
#
#   gnuplot -c plots/observables.gp RUN.csv OUT.png [TERMINAL] [COLUMNS] [META]
#
# COLUMNS: column names separated by commas (at most 4; default: the
# scenario's own observables as the `# observable` lines of META list them);
# META: the file of `calcify run --meta` (default: RUN.meta.tsv beside
# RUN.csv if it exists), which gives each own observable's unit and
# description for its panel.  A panel whose values above 1e-9 span more
# than three decades is drawn on a log axis without the values at or below
# 1e-9 (zeros and integration noise, as plots/mechanism.gp takes them), and
# says so.
HERE = system(sprintf("dirname -- '%s'", ARG0))
IN = ARG1
OUT = ARG2
TERM_NAME = (ARGC >= 3 && ARG3 ne "") ? ARG3 : "pngcairo"
COLS_ARG = (ARGC >= 4) ? ARG4 : ""
if (!exists("IN") || IN eq "") { print "usage: see the header of plots/observables.gp"; exit status 2 }
AUTO_META = IN[strlen(IN)-3:] eq ".csv" ? IN[1:strlen(IN)-4].".meta.tsv" : IN.".meta.tsv"
META = (ARGC >= 5 && ARG5 ne "") ? ARG5 : \
       (system(sprintf("test -r '%s' && echo yes", AUTO_META)) eq "yes" ? AUTO_META : "")
# the columns: given, else the META's own observables, else the last column
OWN = META eq "" ? "" : system(sprintf("awk -F '\t' '$1 == \"# observable\" {printf \"%%s \", $2}' '%s'", META))
COLS = COLS_ARG ne "" ? system(sprintf("echo '%s' | tr , ' '", COLS_ARG)) : \
       (OWN ne "" ? OWN : system(sprintf("head -n 1 '%s' 2>/dev/null | tr , '\\n' | tail -n 1", IN)))
NP = words(COLS)
if (NP < 1 || NP > 4) {
    print sprintf("%s: %d columns (expected 1 to 4)", IN, NP)
    exit status 2
}
COLX = "time_d"
COLY = word(COLS, 1)
WIDTH = 960
HEIGHT = 300 * NP
KEY_ROW = 21
KEY_EXTRA = 0
load HERE."/common.gp"
do for [p=2:NP] {
    if (!has_col(word(COLS, p))) {
        print sprintf("%s: no column %s (expected a column of calcify run)", IN, word(COLS, p))
        set output
        system(sprintf("rm -f '%s'", OUT))
        exit status 1
    }
}

# unit and description of an own observable, from META ("" if none)
own_field(c, f) = META eq "" ? "" : \
    system(sprintf("awk -F '\t' '$1 == \"# observable\" && $2 == \"%s\" {print $%d; exit}' '%s'", c, f, META))
ylabel_of(c) = (u = own_field(c, 3), u ne "" ? sprintf("%s (%s)", c, u) : c)

TITLE = SCEN_DESC ne "" ? SCEN_DESC : (SCEN_NAME ne "" ? SCEN_NAME : system(sprintf("basename -- '%s'", IN)))
N = words(ARMS)
PI = int(STATS_records / (N > 0 ? N : 1) / 10) + 1
sel(a, c) = strcol("arm") eq a ? column(c) : NaN
NOISE = 1e-9
KEY_H = KEY_ROW * (N + 0.5) + 40.0
TOP = 40.0
PANEL_H = (HEIGHT - KEY_H - TOP + 40.0) / NP

set multiplot
set offsets 0, 0, graph 0.15, 0   # room above the curves for the panel's labels
set label 20 TITLE at screen 0.5, screen 1 - 18.0 / HEIGHT center noenhanced
set grid ytics lc rgb "#dddddd"
set xrange [-TMAX / XU * 0.03:TMAX / XU * 1.03]
do for [p=1:NP] {
    C = word(COLS, p)
    stats IN using (column(C)) nooutput
    FLOOR = NOISE
    stats IN using (column(C) > FLOOR ? column(C) : NaN) nooutput
    LOGY = exists("STATS_records") && STATS_records > 0 && STATS_min > 0 && STATS_max / STATS_min > 1e3
    set tmargin at screen 1 - (TOP + (p - 1) * PANEL_H) / HEIGHT
    set bmargin at screen 1 - (TOP + p * PANEL_H - 45.0) / HEIGHT
    set lmargin 14
    set rmargin 4
    unset title
    set xlabel (p == NP ? sprintf("time (%s)", XNAME) : "")
    D = own_field(C, 4)
    set label 11 D at graph 0.01, graph 0.95 left tc rgb "#333333" font ",9" noenhanced
    set ylabel ylabel_of(C) noenhanced
    set key off
    if (LOGY) {
        set logscale y
        set format y "10^{%L}"
        set yrange [*:*]
        set label 10 sprintf("log axis; values <= %.0e left out", NOISE) \
            at graph 0.99, graph 0.95 right tc rgb "#666666" font ",9"
        plot for [i=1:N] IN using (column(COLX) / XU):(v = sel(word(ARMS, i), C), v > FLOOR ? v : NaN) \
             with linespoints lw 2 dt ARM_DASH[style_i(i)] pt ARM_POINT[style_i(i)] pi PI ps 0.9 \
             lc rgb ARM_COLOR[style_i(i)] notitle
    } else {
        unset logscale y
        set format y "%g"
        unset label 10
        set yrange [*:*]
        plot for [i=1:N] IN using (column(COLX) / XU):(sel(word(ARMS, i), C)) \
             with linespoints lw 2 dt ARM_DASH[style_i(i)] pt ARM_POINT[style_i(i)] pi PI ps 0.9 \
             lc rgb ARM_COLOR[style_i(i)] notitle
    }
    unset label 10
}
# the legend: a key-only plot below the panels
unset label 11
unset label 20
set offsets 0, 0, 0, 0
unset logscale y
unset title
unset xlabel
unset ylabel
unset grid
unset border
unset tics
set tmargin at screen KEY_H / HEIGHT
set bmargin at screen 0
set yrange [0:1]
set key at screen 0.08, screen 0.5 * KEY_ROW / HEIGHT left bottom vertical maxcols 1 Left reverse box opaque noenhanced
plot for [i=1:N] NaN with linespoints lw 2 dt ARM_DASH[style_i(i)] pt ARM_POINT[style_i(i)] \
     ps 0.9 lc rgb ARM_COLOR[style_i(i)] title arm_title(word(ARMS, i))
unset multiplot
set output
