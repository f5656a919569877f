# mechanism.gp — one multi-panel figure per arm: plasma warfarin, aortic
# vitamin K, carboxylated MGP, clotting activity, distensibility and aortic
# calcium against time.  Works from any directory.
#
#   gnuplot -c plots/mechanism.gp RUN.csv OUT.png [TERMINAL] [ARM] [META]
#
# ARM: one arm name (default: the first arm of the run); META: the file of
# `calcify run --meta` (default: RUN.meta.tsv beside RUN.csv if it exists).
#
# Every panel's y range is the same for all arms of the run (figures of two
# arms compare at a glance).  Log panels draw only values above 1e-9 (below
# is integration noise around zero): a zero (the control's warfarin) is left
# out, never raised to a floor, and the panel says so.  A linear panel whose
# values hardly change spans at least ±5% of them, so a wobble does not look
# like a collapse.  Each legend sits below its panel, off the curves.
# Columns are found by name; a panel whose columns the run lacks says so
# instead of failing.
HERE = system(sprintf("dirname -- '%s'", ARG0))
IN = ARG1
OUT = ARG2
TERM_NAME = (ARGC >= 3 && ARG3 ne "") ? ARG3 : "pngcairo"
SEL = (ARGC >= 4) ? ARG4 : ""
AUTO_META = IN[strlen(IN)-3:] eq ".csv" ? IN[1:strlen(IN)-4].".meta.tsv" : IN.".meta.tsv"
META = (ARGC >= 5 && ARG5 ne "") ? ARG5 : \
       (system(sprintf("test -r '%s' && echo yes", AUTO_META)) eq "yes" ? AUTO_META : "")
COLX = "time_d"
COLY = "cmgp_fraction"
WIDTH = 1150
HEIGHT = 860
load HERE."/common.gp"

if (SEL eq "") { SEL = word(ARMS, 1) }
if (strstrt(" ".ARMS, " ".SEL." ") == 0) {
    print sprintf("%s: no arm '%s' (expected one of: %s)", IN, SEL, ARMS)
    set output
    system(sprintf("rm -f '%s'", OUT))
    exit status 2
}

sel(c) = strcol("arm") eq SEL ? column(c) : NaN
# below 1e-9 (in any unit here) is integration noise around zero, as
# calcify sensitivity treats it: left off a log axis like a zero
NOISE = 1e-9
pos_sel(c) = (v = sel(c), v > NOISE ? v : NaN)
pos_all(c) = column(c) > NOISE ? column(c) : NaN

# this arm's duration and phase boundaries
stats IN using (sel(COLX)) nooutput
T_ARM = STATS_max
XU = T_ARM <= 28 ? 1.0 : (T_ARM <= 800 ? 7.0 : 365.25)
XNAME = XU == 1 ? "days" : (XU == 7 ? "weeks" : "years")
B = BOUNDS(SEL)

array PANEL_LO[6]
array PANEL_HI[6]
array PANEL_ANY[6]
array PANEL_SEL_MAX[6]   # the arm's largest value in the panel's first column
do for [p=1:6] { PANEL_ANY[p] = 0 }
# the panels: columns (the first present ones are drawn), titles, log axis
array P_COLS[6] = ["warfarin_plasma_mg_per_l warfarin_unbound_mg_per_l", \
                   "k1_aorta_ng_per_g mk4_aorta_ng_per_g vkh2_aorta_ng_per_g", \
                   "cmgp_fraction", "clotting_activity_rel", "distensibility_rel", \
                   "ca_aorta_ug_per_mg ca_mineral_ug_per_mg"]
array P_NAMES[6] = ["total|unbound", \
                    "K₁|MK-4|KH₂", "cMGP fraction", "relative to normal diet", \
                    "relative to normal diet", "total|mineral"]
array P_TITLE[6] = ["plasma warfarin", "aortic vitamin K (KH₂: both forms)", "carboxylated MGP", \
                    "clotting activity", "distensibility", "aortic calcium"]
array P_YLABEL[6] = ["mg/L", "ng/g wet tissue", "fraction carboxylated", \
                     "relative to normal diet", "relative to normal diet", "µg/mg dry tissue"]
array P_LOG[6] = [1, 1, 0, 0, 0, 0]
array SERIES_COLOR[3] = ["#D55E00", "#0072B2", "#009E73"]
array SERIES_DASH[3] = [1, 2, 4]
name_k(s, k) = (t = s, n = 1, k == 1 ? t[1:strstrt(t."|", "|") - 1] : \
                (k == 2 ? (u = t[strstrt(t, "|") + 1:], u[1:strstrt(u."|", "|") - 1]) : \
                 (u = t[strstrt(t, "|") + 1:], w = u[strstrt(u, "|") + 1:], w)))

do for [p=1:6] {
    lo = 1e300
    hi = -1e300
    do for [k=1:words(P_COLS[p])] {
        c = word(P_COLS[p], k)
        if (has_col(c)) {
            # stats fails on a column without one valid value: count first
            stats IN using (column(c) > NOISE || !P_LOG[p] ? 1 : 0) nooutput
            if (STATS_sum > 0) {
                if (P_LOG[p]) {
                    stats IN using (pos_all(c)) nooutput
                } else {
                    stats IN using (column(c)) nooutput
                }
                PANEL_ANY[p] = 1
                lo = STATS_min < lo ? STATS_min : lo
                hi = STATS_max > hi ? STATS_max : hi
            }
        }
    }
    PANEL_LO[p] = lo
    PANEL_HI[p] = hi
    c = word(P_COLS[p], 1)
    PANEL_SEL_MAX[p] = 0
    if (has_col(c)) {
        stats IN using (sel(c)) nooutput
        PANEL_SEL_MAX[p] = STATS_max
    }
}

TITLE = arm_desc(SEL)
TITLE = TITLE eq "" ? SEL : SEL.": ".TITLE
SCEN = SCEN_NAME eq "" ? "" : sprintf(" (%s)", SCEN_NAME)
set multiplot title sprintf("Mechanism, arm %s%s", TITLE, SCEN) noenhanced font ",13"
# panels placed by hand, each with room below its time axis for its legend,
# so that no legend lies over a curve
CELL_H = (HEIGHT - 40.0) / 2
cell_top(p) = 1.0 - (40.0 + CELL_H * int((p - 1) / 3)) / HEIGHT
cell_bottom(p) = cell_top(p) - CELL_H / HEIGHT
set xlabel sprintf("time (%s)", XNAME)
set xrange [0:T_ARM / XU]
set grid lc rgb "#dddddd"
do for [i=1:words(B)] {
    set arrow i from real(word(B, i)) / XU, graph 0 to real(word(B, i)) / XU, graph 1 nohead dt 3 lc rgb "#888888"
}

do for [p=1:6] {
    set title P_TITLE[p]
    set ylabel P_YLABEL[p]
    unset logscale y
    unset label 10
    col = (p - 1) % 3
    set lmargin at screen (col * WIDTH / 3.0 + 78) / WIDTH
    set rmargin at screen ((col + 1) * WIDTH / 3.0 - 22) / WIDTH
    set tmargin at screen cell_top(p) - 34.0 / HEIGHT
    set bmargin at screen cell_bottom(p) + 88.0 / HEIGHT
    set key at screen (col + 0.5) / 3.0 + 28.0 / WIDTH, screen cell_bottom(p) + 20.0 / HEIGHT \
        center center horizontal maxrows 1 Left reverse noenhanced samplen 2 width 0 font ",10"
    set format y "%g"
    if (P_LOG[p]) { set logscale y; set format y "10^{%L}" }
    if (!PANEL_ANY[p]) {
        HAS_ANY = sum [k=1:words(P_COLS[p])] has_col(word(P_COLS[p], k))
        set label 10 (HAS_ANY ? "zero (below 1e-9) throughout this run\n(not drawn on a log axis)" : \
                      "not in this run's columns") at graph 0.5, graph 0.5 center tc rgb "#666666" font ",9"
        set yrange [0:1]
        plot NaN notitle
    } else {
        if (P_LOG[p]) {
            # the range over all arms, at most six decades deep: values
            # below run off the axis (a rate of decay stays visible)
            ylo = PANEL_LO[p] > PANEL_HI[p] * 1e-6 ? PANEL_LO[p] : PANEL_HI[p] * 1e-6
            set yrange [ylo / 1.5:PANEL_HI[p] * 1.5]
            if (PANEL_SEL_MAX[p] <= NOISE) {
                set label 10 "zero (below 1e-9) throughout this arm\n(not drawn on a log axis)" at graph 0.5, graph 0.5 center tc rgb "#666666" font ",9"
            } else {
                if (PANEL_SEL_MAX[p] < ylo / 1.5) {
                    set label 10 sprintf("below %.0e throughout this arm", ylo / 1.5) at graph 0.5, graph 0.5 center tc rgb "#666666" font ",9"
                }
            }
        } else {
            lo = PANEL_LO[p]
            hi = PANEL_HI[p]
            # a near-constant panel (clotting 0.99-1.015) spans at least ±5%
            # of its value: a wobble of a per cent must not fill the panel
            # like a collapse
            mid = (lo + hi) / 2
            half_min = 0.05 * (abs(mid) > 0 ? abs(mid) : 1)
            if (hi - lo < 2 * half_min) { lo = mid - half_min; hi = mid + half_min }
            pad = (hi - lo) * 0.05
            # amounts start at 0 unless the data sit far above it
            from0 = PANEL_LO[p] >= 0 && (lo - pad < 0 || lo < 0.5 * hi)
            set yrange [from0 ? 0 : lo - pad:hi + pad]
        }
        NC = words(P_COLS[p])
        PRESENT = sum [k=1:NC] has_col(word(P_COLS[p], k))
        plot for [k=1:NC] IN using (column(COLX) / XU):(has_col(word(P_COLS[p], k)) ? \
                 (P_LOG[p] ? pos_sel(word(P_COLS[p], k)) : sel(word(P_COLS[p], k))) : NaN) \
             with lines lw 2 dt SERIES_DASH[k] lc rgb SERIES_COLOR[k] \
             title (PRESENT > 1 && has_col(word(P_COLS[p], k)) ? name_k(P_NAMES[p], k) : "")
    }
}
unset multiplot
set output
