# fit.gp — observed against predicted: every comparison of `calcify validate
# --table` or `calcify fit --table`, the simulated value (x) against the
# data's target (y), one panel per observable (their units differ).  Works
# from any directory.
#
#   gnuplot -c plots/fit.gp TABLE.csv OUT.png [TERMINAL] [OBSERVABLE] [META]
#
# TABLE.csv: written by --table; TERMINAL: pngcairo (default), svg or
# pdfcairo; OBSERVABLE: one panel of that observable only (default: all);
# META: the file of `calcify run --meta` of the scenario, for the order of
# the arms, so each arm has the colour it has in calcium.gp (default: the
# order of the table).
# A point on the dashed identity line is a perfect prediction.  The bar is
# the interval the row is judged by: its accepted range, or target ±
# 2 sd/sqrt(n) (lo..hi of the table; from sd and n when those are empty); an
# open side runs to the edge of the panel.  A row with a range and no target
# is drawn as its bar alone at the simulated value.  Colours are the arms'; a
# ratio of two arms (arm "NUM/DEN") takes the numerator's colour and an open
# diamond; a row several arms share with one simulated value is drawn once,
# in dark grey; a comparison that FAILs is circled in red.
HERE = system(sprintf("dirname -- '%s'", ARG0))
IN = ARG1
OUT = ARG2
TERM_NAME = (ARGC >= 3 && ARG3 ne "") ? ARG3 : "pngcairo"
OBS_SEL = (ARGC >= 4) ? ARG4 : ""
META = (ARGC >= 5) ? ARG5 : ""
COLX = "simulated"
COLY = "simulated"
# the canvas grows with the panels: count them before the terminal is set
if (!exists("IN") || IN eq "") { print "usage: see the header of plots/fit.gp"; exit status 2 }
OBS_ALL = system(sprintf("awk -F , 'NR == 1 {for (i = 1; i <= NF; i++) c[$i] = i; next} " . \
                         "(\"observable\" in c) && !s[$c[\"observable\"]]++ {printf \"%%s \", $c[\"observable\"]}' '%s' 2>/dev/null", IN))
OBSL = OBS_SEL ne "" ? OBS_SEL : OBS_ALL
NPAN = words(OBSL) > 0 ? words(OBSL) : 1
NCOL = NPAN <= 3 ? NPAN : (NPAN == 4 ? 2 : (NPAN <= 9 ? 3 : 4))
NROW = int((NPAN + NCOL - 1) / NCOL)
PANEL_W = NPAN == 1 ? 620 : 330
PANEL_H = NPAN == 1 ? 560 : 300
KEY_H = NCOL * PANEL_W < 900 ? 150 : 90
WIDTH = NCOL * PANEL_W
HEIGHT = NROW * PANEL_H + KEY_H + 40
load HERE."/common.gp"

NEED = "label arm observable simulated target lo hi sd n status"
MISSING = ""
do for [k=1:words(NEED)] { if (!has_col(word(NEED, k))) { MISSING = MISSING." ".word(NEED, k) } }
if (MISSING ne "" || (OBS_SEL ne "" && strstrt(" ".OBS_ALL, " ".OBS_SEL." ") == 0)) {
    print MISSING ne "" ? \
        sprintf("%s: no column%s (expected the CSV of calcify validate --table or fit --table)", IN, MISSING) : \
        sprintf("%s: no rows of observable '%s' (expected one of: %s)", IN, OBS_SEL, OBS_ALL)
    set output
    system(sprintf("rm -f '%s'", OUT))
    exit status (MISSING ne "" ? 1 : 2)
}

# arms: those of META (run order), else the plain arms of the table in order
if (META eq "") { ARMS = csv_query('$c["arm"] !~ /\// && !s[$c["arm"]]++ {printf "%s ", $c["arm"]}') }
arm_rank(a) = (n = strstrt(a, "/"), b = n > 0 ? a[1:n - 1] : a, \
               sum [i=1:words(ARMS)] (word(ARMS, i) eq b ? i : 0))
# a data row that several arms share with one simulated value (a baseline
# of every arm, a time before the arms part) is one mark, in dark grey
SHARED = " ".csv_query('{k = $c["row"] "|" $c["simulated"]; n[k]++} END {for (k in n) if (n[k] > 1) printf "%s ", k}')
shared(dummy) = strstrt(SHARED, " ".strcol("row")."|".strcol("simulated")." ") > 0
arm_rgb(a) = shared(0) ? 0x444444 : (r = arm_rank(a), r > 0 ? ARM_RGB[style_i(r)] : 0x777777)
is_ratio(dummy) = strstrt(strcol("arm"), "/") > 0
num(c) = strcol(c) eq "" ? NaN : column(c)
# the bar: lo..hi, else target ± 2 sd/sqrt(n) (n = 1 when not given); a
# closed bar has flat ends, an open side is an arrow to the panel's edge
half(dummy) = num("sd") * 2 / sqrt(strcol("n") eq "" ? 1 : column("n"))
sem(dummy) = strcol("lo") eq "" && strcol("hi") eq "" && strcol("target") ne "" && strcol("sd") ne ""
bar_lo(dummy) = sem(0) ? column("target") - half(0) : num("lo")
bar_hi(dummy) = sem(0) ? column("target") + half(0) : num("hi")
closed(dummy) = bar_lo(0) == bar_lo(0) && bar_hi(0) == bar_hi(0)
lower_only(dummy) = strcol("lo") ne "" && strcol("hi") eq ""
upper_only(dummy) = strcol("hi") ne "" && strcol("lo") eq ""

# one observable's rows, header kept
rows(o) = sprintf("< awk -F , 'NR == 1 {for (i = 1; i <= NF; i++) c[$i] = i} NR == 1 || $c[\"observable\"] == \"%s\"' '%s'", o, IN)
# its extent over simulated, target and the finite bounds
extent(o) = system(sprintf("%s$c[\"observable\"] == \"%s\" {split(\"simulated target lo hi\", n, \" \"); for (k = 1; k <= 4; k++) {v = $c[n[k]]; if (v == \"\") continue; v += 0; if (!m++ || v < a) a = v; if (m == 1 || v > b) b = v}} END {print a, b}' '%s'", CSV_AWK, o, IN))

TITLE = SCEN_DESC ne "" ? SCEN_DESC : (SCEN_NAME ne "" ? SCEN_NAME : system(sprintf("basename -- '%s'", IN)))
N_ROWS = csv_query(sprintf('"%s" == "" || $c["observable"] == "%s" {n++; if ($c["status"] == "FAIL") f++} END {printf "%%d comparisons, %%d FAIL", n, f}', OBS_SEL, OBS_SEL))
set multiplot title sprintf("Observed against simulated: %s (%s)", TITLE, N_ROWS) noenhanced font ",12"
TOP = 1.0 - 40.0 / HEIGHT
BOT = (KEY_H + 0.0) / HEIGHT
set grid lc rgb "#e4e4e4"
set key off
set bars 1.5
set tics font ",9"
set xlabel "simulated" font ",10" offset 0, 0.5
set ylabel "data" font ",10" offset 1.5, 0
do for [p=1:NPAN] {
    o = word(OBSL, p)
    col = (p - 1) % NCOL
    row = int((p - 1) / NCOL)
    set lmargin at screen (col + 0.0) / NCOL + 62.0 / WIDTH
    set rmargin at screen (col + 1.0) / NCOL - 14.0 / WIDTH
    set tmargin at screen TOP - row * (TOP - BOT) / NROW - 24.0 / HEIGHT
    set bmargin at screen TOP - (row + 1) * (TOP - BOT) / NROW + 44.0 / HEIGHT
    set title o noenhanced font ",10" offset 0, -0.6
    E = extent(o)
    lo = real(word(E, 1))
    hi = real(word(E, 2))
    span = hi - lo
    # a flat panel (one value) gets ±10% of it, never a zero-wide range
    pad = span > 1e-12 * (abs(hi) + abs(lo)) ? 0.08 * span : 0.1 * (abs(hi) > 0 ? abs(hi) : 1)
    YLO = lo >= 0 && lo - pad < 0 ? 0 : lo - pad
    YHI = hi + pad
    set xrange [YLO:YHI]
    set yrange [YLO:YHI]
    set xtics autofreq
    set ytics autofreq
    plot x with lines dt 2 lc rgb "#888888", \
         rows(o) using "simulated":(closed(0) ? bar_lo(0) : NaN):(0):(bar_hi(0) - bar_lo(0)):(arm_rgb(strcol("arm"))) \
             with vectors heads size screen 0.007, 90 lw 1.4 lc rgb variable, \
         rows(o) using "simulated":(lower_only(0) ? column("lo") : NaN):(0):(YHI - column("lo")):(arm_rgb(strcol("arm"))) \
             with vectors head filled size screen 0.012, 25 lw 1.4 lc rgb variable, \
         rows(o) using "simulated":(upper_only(0) ? column("hi") : NaN):(0):(YLO - column("hi")):(arm_rgb(strcol("arm"))) \
             with vectors head filled size screen 0.012, 25 lw 1.4 lc rgb variable, \
         rows(o) using "simulated":(is_ratio(0) ? NaN : num("target")):(arm_rgb(strcol("arm"))) \
             with points pt 7 ps 1 lc rgb variable, \
         rows(o) using "simulated":(is_ratio(0) ? num("target") : NaN):(arm_rgb(strcol("arm"))) \
             with points pt 12 ps 1.4 lw 1.5 lc rgb variable, \
         rows(o) using "simulated":(strcol("status") eq "FAIL" ? (strcol("target") ne "" ? column("target") : \
                                    (closed(0) ? (bar_lo(0) + bar_hi(0)) / 2 : (lower_only(0) ? column("lo") : column("hi")))) : NaN) \
             with points pt 6 ps 2.4 lw 2 lc rgb "#D00000"
}
# the legend: the arms, then what the marks mean, below the panels
unset title
unset xlabel
unset ylabel
unset grid
unset border
unset tics
set lmargin at screen 0.02
set rmargin at screen 0.98
set bmargin at screen 0.005
set tmargin at screen BOT - 0.005
set key center center horizontal Left reverse noenhanced samplen 1 font ",10" width 1
set xrange [0:1]
set yrange [0:1]
plot for [i=1:words(ARMS)] NaN with points pt 7 ps 1 lc rgb ARM_COLOR[style_i(i)] title word(ARMS, i), \
     NaN with points pt 7 ps 1 lc rgb "#444444" title "shared by several arms", \
     NaN with points pt 12 ps 1.3 lc rgb "#555555" title "ratio of two arms", \
     NaN with vectors heads size screen 0.007, 90 lw 1.4 lc rgb "#555555" title "accepted interval", \
     NaN with vectors head filled size screen 0.012, 25 lw 1.4 lc rgb "#555555" title "open side", \
     NaN with points pt 6 ps 2 lw 2 lc rgb "#D00000" title "FAIL", \
     NaN with lines dt 2 lc rgb "#888888" title "simulated = data"
unset multiplot
set output
