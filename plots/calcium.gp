# calcium.gp — aortic calcium vs time for the five arms of Schurgers 2007,
# with the observed targets and their accepted ranges, diet switch marked.
#
#   gnuplot -c plots/calcium.gp RUN.csv OUT.png [TERMINAL] [TARGETS.csv]
#
# RUN.csv: output of `calcify run models/vermeer2007.cfg`; TERMINAL: pngcairo
# (default), svg or pdfcairo; TARGETS.csv: default models/data/schurgers2007.csv.
IN = ARG1
OUT = ARG2
TERM_NAME = (ARGC >= 3 && ARG3 ne "") ? ARG3 : "pngcairo"
TARGETS = (ARGC >= 4 && ARG4 ne "") ? ARG4 : "models/data/schurgers2007.csv"
COLX = "time_d"
COLY = "ca_aorta_ug_per_mg"
WIDTH = 900
HEIGHT = 600
load "plots/common.gp"

set title "Aortic calcium: warfarin + K_1 for 6 weeks, then four diets (Schurgers et al. 2007)"
set xlabel "time (weeks)"
set ylabel "aortic calcium (µg Ca / mg dry tissue)"
set xrange [-0.5:12.9]
set yrange [0:3.6]
set xtics 0, 2, 12
set grid ytics lc rgb "#dddddd"
set key top left box opaque
set arrow 1 from 6, graph 0 to 6, graph 1 nohead dt 2 lc rgb "#777777"
set label 1 "diet switch" at 6.1, graph 0.97 left tc rgb "#555555"

# observed: x offset per label so the week-12 bars do not overlap
xoff(label) = label eq "A_WK_continued" ? -0.3 : label eq "B_normal_K" ? -0.1 : \
              label eq "C_high_K1" ? 0.1 : label eq "D_high_MK4" ? 0.3 : \
              label eq "control" ? 0.2 : 0
is_ca(obs) = obs eq "ca_aorta"

has_target(obs) = is_ca(obs) && strcol("target") ne ""
range_only(obs) = is_ca(obs) && strcol("target") eq "" && strcol("accept_hi") ne ""
lower_only(obs) = is_ca(obs) && strcol("target") eq "" && strcol("accept_hi") eq ""
x_of(ok) = ok ? column("week") + xoff(strcol("arm")) : NaN

plot for [i=1:5] IN using (column("time_d")/7.0):(strcol("arm") eq ARM[i] ? column(COLY) : NaN) \
         with lines lw 2 dt ARM_DASH[i] lc rgb ARM_COLOR[i] title ARM_TITLE[i], \
     TARGETS using (x_of(has_target(strcol("observable")))):"target":"accept_lo":"accept_hi" \
         with yerrorbars pt 7 ps 1.2 lc rgb "#444444" title "observed, with accepted range", \
     TARGETS using (x_of(range_only(strcol("observable")))):((column("accept_lo") + column("accept_hi")) / 2):"accept_lo":"accept_hi" \
         with yerrorbars pt 0 lc rgb "#888888" title "accepted range (no value reported)", \
     TARGETS using (x_of(lower_only(strcol("observable")))):"accept_lo":(0):(0.3) \
         with vectors filled head lw 1.5 lc rgb "#888888" title "lower bound only"

set output
