# prediction.gp — the model's prediction for 6 weeks of W&K followed by two
# years of the normal diet (docs/MODEL.md §9): aortic calcium, and the VSMC
# phenotype and cMGP fraction behind it.
#
#   gnuplot -c plots/prediction.gp RUN.csv OUT.png [TERMINAL]
#
# RUN.csv: output of `calcify run models/prediction_wk_then_normal.cfg`;
# TERMINAL: pngcairo (default), svg or pdfcairo.
HERE = system(sprintf("dirname -- '%s'", ARG0))
IN = ARG1
OUT = ARG2
TERM_NAME = (ARGC >= 3 && ARG3 ne "") ? ARG3 : "pngcairo"
COLX = "time_d"
COLY = "ca_aorta_ug_per_mg"
WIDTH = 900
HEIGHT = 700
load HERE."/common.gp"

stats IN using (column("time_d")/7.0) nooutput
WEEKS = STATS_max
arm(a) = strcol("arm") eq a
weeks = "column(\"time_d\")/7.0"

set multiplot layout 2, 1 title "Model prediction: W\\&K for 6 weeks, then the normal diet (K_1 5 µg/g) for two years"
set xrange [0:WEEKS]
set grid ytics lc rgb "#dddddd"
set arrow 1 from 6, graph 0 to 6, graph 1 nohead dt 2 lc rgb "#777777"
set label 1 "diet switch" at 7, graph 0.93 left tc rgb "#555555"

set ylabel "aortic calcium (µg Ca / mg dry tissue)"
set yrange [0:*]
set format x ""
set key top right box opaque
plot IN using (@weeks):(arm("wk_then_normal") ? column(COLY) : NaN) with lines lw 2 lc rgb "#d62728" title "6 weeks W\\&K, then normal diet (model)", \
     IN using (@weeks):(arm("control") ? column(COLY) : NaN) with lines lw 2 lc rgb "#000000" title "normal diet throughout (model)"

unset label 1
set format x "%g"
set xlabel "time (weeks)"
set ylabel "fraction"
set yrange [0:1.05]
set key center right box opaque
plot IN using (@weeks):(arm("wk_then_normal") ? column("vsmc_switched_fraction") : NaN) with lines lw 2 lc rgb "#9467bd" title "VSMCs switched (model)", \
     IN using (@weeks):(arm("wk_then_normal") ? column("cmgp_fraction") : NaN) with lines lw 2 dt 2 lc rgb "#1f77b4" title "MGP carboxylated (model)"
unset multiplot
set output
