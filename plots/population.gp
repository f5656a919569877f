# population.gp — a virtual population per arm: median and 90% band (5% to
# 95% of the animals) of one observable over time, observed targets overlaid.
#
#   gnuplot -c plots/population.gp DIR/stats.csv OUT.png [TERMINAL] [OBSERVABLE] [TARGETS.csv]
#
# DIR/stats.csv: output of `calcify population models/vermeer2007.cfg`;
# TERMINAL: pngcairo (default), svg or pdfcairo; OBSERVABLE: a column of
# calcify run (default ca_aorta_ug_per_mg; the targets are drawn only for it);
# TARGETS.csv: default models/data/schurgers2007.csv.
IN = ARG1
OUT = ARG2
TERM_NAME = (ARGC >= 3 && ARG3 ne "") ? ARG3 : "pngcairo"
OBS = (ARGC >= 4 && ARG4 ne "") ? ARG4 : "ca_aorta_ug_per_mg"
TARGETS = (ARGC >= 5 && ARG5 ne "") ? ARG5 : "models/data/schurgers2007.csv"
COLX = "time_d"
COLY = "p50"
WIDTH = 900
HEIGHT = 600
load "plots/common.gp"

N_ANIMALS = system(sprintf("awk -F, '$3 == \"%s\" { print $4; exit }' '%s'", OBS, IN))
set title sprintf("Virtual population, %s rats per arm: median and 5-95%% band", N_ANIMALS) noenhanced
set xlabel "time (weeks)"
set ylabel OBS noenhanced
if (OBS eq "ca_aorta_ug_per_mg") { set ylabel "aortic calcium (µg Ca / mg dry tissue)" }
set xrange [-0.5:12.9]
set xtics 0, 2, 12
set yrange [0:*]
set grid ytics lc rgb "#dddddd"
set key top left box opaque
set style fill transparent solid 0.18 noborder
set arrow 1 from 6, graph 0 to 6, graph 1 nohead dt 2 lc rgb "#777777"
set label 1 "diet switch" at 6.1, graph 0.97 left tc rgb "#555555"

# one arm's rows of OBS only: rows of other arms or observables in between
# would break the lines and bands
rows(i) = sprintf("< awk -F, 'NR == 1 || ($1 == \"%s\" && $3 == \"%s\")' '%s'", ARM[i], OBS, IN)

# observed (as in calcium.gp): x offset per label so week-12 bars do not overlap
xoff(label) = label eq "A_WK_continued" ? -0.3 : label eq "B_normal_K" ? -0.1 : \
              label eq "C_high_K1" ? 0.1 : label eq "D_high_MK4" ? 0.3 : \
              label eq "control" ? 0.2 : 0
show_data = OBS eq "ca_aorta_ug_per_mg"
is_ca(obs) = show_data && obs eq "ca_aorta"
has_target(obs) = is_ca(obs) && strcol("target") ne ""
range_only(obs) = is_ca(obs) && strcol("target") eq "" && strcol("accept_hi") ne ""
x_of(ok) = ok ? column("week") + xoff(strcol("arm")) : NaN

plot for [i=1:5] rows(i) using (column("time_d")/7.0):"p05":"p95" \
         with filledcurves lc rgb ARM_COLOR[i] notitle, \
     for [i=1:5] rows(i) using (column("time_d")/7.0):"p50" \
         with lines lw 2 dt ARM_DASH[i] lc rgb ARM_COLOR[i] title ARM_TITLE[i], \
     TARGETS using (x_of(has_target(strcol("observable")))):"target":"accept_lo":"accept_hi" \
         with yerrorbars pt 7 ps 1.2 lc rgb "#444444" title (show_data ? "observed, with accepted range" : ""), \
     TARGETS using (x_of(range_only(strcol("observable")))):((column("accept_lo") + column("accept_hi")) / 2):"accept_lo":"accept_hi" \
         with yerrorbars pt 0 lc rgb "#888888" title (show_data ? "accepted range (no value reported)" : "")

set output
