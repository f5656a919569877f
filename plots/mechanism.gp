# mechanism.gp — one multi-panel figure per arm: plasma warfarin, aortic K1 and
# MK-4, carboxylated MGP fraction, clotting activity, distensibility (and
# aortic calcium), all against time.
#
#   gnuplot -c plots/mechanism.gp RUN.csv OUT.png [TERMINAL] [ARM]
#
# ARM: one arm name (default wk_continued); `calcify run` CSV as for calcium.gp.
IN = ARG1
OUT = ARG2
TERM_NAME = (ARGC >= 3 && ARG3 ne "") ? ARG3 : "pngcairo"
SEL = (ARGC >= 4 && ARG4 ne "") ? ARG4 : "wk_continued"
COLX = "time_d"
COLY = "cmgp_fraction"
WIDTH = 1100
HEIGHT = 800
load "plots/common.gp"

sel(c) = strcol("arm") eq SEL ? column(c) : NaN
# log-scale panels show values below FLOOR at FLOOR (zero has no logarithm)
FLOOR = 1e-3
floored(c) = (v = sel(c), v < FLOOR ? FLOOR : v)
t = "(column(\"time_d\")/7.0)"
TITLE = SEL
do for [i=1:5] { if (ARM[i] eq SEL) { TITLE = ARM_TITLE[i] } }

set multiplot layout 2, 3 title sprintf("Mechanism, arm %s", TITLE) font ",13"
set xlabel "time (weeks)"
set xrange [0:12]
set xtics 0, 2, 12
set grid lc rgb "#dddddd"
set key top right
set arrow 1 from 6, graph 0 to 6, graph 1 nohead dt 2 lc rgb "#777777"

set title "plasma warfarin"
set ylabel "mg/L (floor 0.001)"
set logscale y
set yrange [FLOOR/2:*]
plot IN using (column("time_d")/7.0):(floored("warfarin_plasma_mg_per_l")) with lines lw 2 lc rgb "#d62728" notitle
unset logscale y

set title "aortic vitamin K"
set ylabel "ng/g wet tissue (floor 0.001)"
set logscale y
set yrange [FLOOR/2:*]
set key bottom right
plot IN using (column("time_d")/7.0):(floored("k1_aorta_ng_per_g")) with lines lw 2 lc rgb "#1f77b4" title "K_1", \
     IN using (column("time_d")/7.0):(floored("mk4_aorta_ng_per_g")) with lines lw 2 lc rgb "#2ca02c" title "MK-4", \
     IN using (column("time_d")/7.0):(floored("vkh2_aorta_ng_per_g")) with lines lw 2 dt 2 lc rgb "#9467bd" title "KH_2 (both)"
unset logscale y
set yrange [*:*]
set key top right

set title "carboxylated MGP"
set ylabel "cMGP fraction"
set yrange [0:1.05]
plot IN using (column("time_d")/7.0):(sel("cmgp_fraction")) with lines lw 2 lc rgb "#8c564b" notitle
set yrange [*:*]

set title "clotting activity"
set ylabel "relative to normal diet"
set yrange [0:1.3]
plot IN using (column("time_d")/7.0):(sel("clotting_activity_rel")) with lines lw 2 lc rgb "#e377c2" notitle, \
     0.85 with lines dt 3 lc rgb "#999999" title "±15%", 1.15 with lines dt 3 lc rgb "#999999" notitle
set yrange [*:*]

set title "distensibility"
set ylabel "relative to normal diet"
set yrange [0:1.1]
plot IN using (column("time_d")/7.0):(sel("distensibility_rel")) with lines lw 2 lc rgb "#17becf" notitle
set yrange [*:*]

set title "aortic calcium"
set ylabel "µg/mg dry tissue"
set yrange [0:*]
plot IN using (column("time_d")/7.0):(sel("ca_aorta_ug_per_mg")) with lines lw 2 lc rgb "#000000" notitle

unset multiplot
set output
