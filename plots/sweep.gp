# sweep.gp — a sweep's endpoint against its varied parameters.
#
#   gnuplot -c plots/sweep.gp DIR/summary.csv OUT.png [TERMINAL] [ENDPOINT] [ARM] [X] [Y]
#
# One parameter (X, default: the first varied column): ENDPOINT against X, a
# scatter.  Two (X and Y): a map, each run a point at (X, Y) coloured by
# ENDPOINT.  ENDPOINT: a summary column (default ca_week12_ug_per_mg); ARM:
# the arm to show (default high_k1); only runs with status ok are drawn.
IN = ARG1
OUT = ARG2
TERM_NAME = (ARGC >= 3 && ARG3 ne "") ? ARG3 : "pngcairo"
ENDPOINT = (ARGC >= 4 && ARG4 ne "") ? ARG4 : "ca_week12_ug_per_mg"
SEL = (ARGC >= 5 && ARG5 ne "") ? ARG5 : "high_k1"
if (!exists("IN") || IN eq "") { print "usage: see the header of plots/sweep.gp"; exit status 2 }
if (ARGC >= 6 && ARG6 ne "") { PX = ARG6 } else {
    PX = system(sprintf("head -1 '%s' 2>/dev/null | cut -d, -f2", IN))
}
PY = (ARGC >= 7 && ARG7 ne "") ? ARG7 : ""
COLX = PX
COLY = ENDPOINT
WIDTH = 800
HEIGHT = 600
load "plots/common.gp"

ok(c) = strcol("arm") eq SEL && strcol("status") eq "ok" ? column(c) : NaN
set grid lc rgb "#dddddd"
set key off
set xlabel PX noenhanced
if (PY eq "") {
    set title sprintf("%s, arm %s", ENDPOINT, SEL) noenhanced
    set ylabel ENDPOINT noenhanced
    plot IN using (ok(PX)):(ok(ENDPOINT)) with points pt 7 ps 0.6 lc rgb "#1f77b4"
} else {
    set title sprintf("%s over %s and %s, arm %s", ENDPOINT, PX, PY, SEL) noenhanced
    set ylabel PY noenhanced
    set cblabel ENDPOINT noenhanced
    set palette rgbformulae 33,13,10
    plot IN using (ok(PX)):(ok(PY)):(ok(ENDPOINT)) with points pt 5 ps 0.8 palette
}
set output
