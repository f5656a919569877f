# targets.gp — a targets file drawn over a figure (loaded, not run).
#
# Expects TARGETS (a targets CSV, docs/SCENARIOS.md; "" for none), TCOL or
# else COLY (the observable drawn: the targets of that column are shown),
# OUT and META; when the plot is drawn also XU (days per x unit), TMAX (d),
# ARMS (from common.gp) and optionally ARROW_LEN (length of bound arrows, y
# units; default 8% of STATS_max_y).  Loaded before common.gp, so that
# TARGET_KINDS (how many kinds of rows, hence legend lines, there are) can
# size the figure.
# Defines TARGET_PLOT, plot clauses to append with @TARGET_PLOT (empty when
# TARGETS is "" or has no row of TCOL), which draw every row of TCOL with
# whatever it gives:
#   a target: a point (observed: a disc; derived from observations: a
#     diamond) with its accepted range as the bar, else ± its SD, else none;
#     one side of a range that is open ends at the point
#   no target, a closed range: the bar alone
#   no target, one bound: an arrow from the bound into the accepted side
# A row is drawn in the colour of its arm: the label's arm (META's
# data_label lines, written by calcify run --meta, or a label that is an
# arm's name); dark grey when it stands for several arms (before they part)
# or none is known.  Only kinds present get a clause and a legend line, so
# gnuplot never meets a clause without points (and never warns).  Reads both
# the current format (time with a unit, observables by column name, basis
# observed/derived/…) and the first one (week, ca_aorta, seen).
if (TARGETS ne "" && system(sprintf("test -r '%s' && echo yes", TARGETS)) ne "yes") {
    print sprintf("%s: cannot read (expected a targets CSV)", TARGETS)
    set output
    system(sprintf("rm -f '%s'", OUT))
    exit status 2
}
if (!exists("TCOL")) { TCOL = COLY }
arrow_len(dummy) = exists("ARROW_LEN") ? ARROW_LEN : 0.08 * STATS_max_y
TFMT = TARGETS eq "" ? "" : system(sprintf("head -n 1 '%s' | cut -d, -f2", TARGETS))
unit_d(u) = u eq "w" ? 7.0 : u eq "h" ? 1.0/24 : u eq "min" ? 1.0/1440 : u eq "y" ? 365.25 : 1.0
t_of(s) = real(word(s, 1)) * (words(s) > 1 ? unit_d(word(s, 2)) : 1.0)
t_row(dummy) = TFMT eq "week" ? 7.0 * column("week") : t_of(strcol("time"))
mine(dummy) = TFMT eq "week" ? (TCOL eq "ca_aorta_ug_per_mg" && strcol("observable") eq "ca_aorta") \
                             : strcol("observable") eq TCOL
basis(dummy) = TFMT eq "week" ? (strcol("basis") eq "seen" ? "observed" : strcol("basis")) : strcol("basis")
has(c) = strcol(c) ne ""
valued(dummy) = mine(0) && has("target")
observed(dummy) = valued(0) && basis(0) eq "observed"
derived(dummy) = valued(0) && basis(0) ne "observed"
range_only(dummy) = mine(0) && !has("target") && has("accept_lo") && has("accept_hi")
lower_only(dummy) = mine(0) && !has("target") && !has("accept_hi") && has("accept_lo")
upper_only(dummy) = mine(0) && !has("target") && !has("accept_lo") && has("accept_hi")
# the bar of a valued row: its range (an open side ends at the point), else
# ± SD, else nothing (both ends at the point)
HAS_SD = TARGETS ne "" && system(sprintf("head -n 1 '%s' | tr , '\\n' | grep -cx sd", TARGETS)) > 0
sd_only(dummy) = HAS_SD && !has("accept_lo") && !has("accept_hi") && has("sd")
bar_lo(dummy) = has("accept_lo") ? column("accept_lo") : \
                (sd_only(0) ? column("target") - column("sd") : column("target"))
bar_hi(dummy) = has("accept_hi") ? column("accept_hi") : \
                (sd_only(0) ? column("target") + column("sd") : column("target"))
# rows at one time side by side: offset by the label's rank in the file
LABELS = TARGETS eq "" ? "" : system(sprintf("awk -F , 'NR > 1 && !s[$1]++ {printf \"%%s \", $1}' '%s'", TARGETS))
rank(l) = sum [i=1:words(LABELS)] (word(LABELS, i) eq l ? i : 0)
xoff(l) = (rank(l) - (words(LABELS) + 1) / 2.0) * TMAX / XU * 0.004
x_if(ok) = ok ? t_row(0) / XU + xoff(strcol(1)) : NaN
# y too, so that rows not drawn do not stretch the autoscaled axis
y_if(ok, v) = ok ? v : NaN

# label -> arm: " label=arm …" for the labels that stand for one arm
LABEL_MAP = (TARGETS eq "" || META eq "") ? "" : " ".system(sprintf( \
    "awk -F '\t' '$1 == \"# data_label\" && split($3, a, \" \") == 1 {printf \"%%s=%%s \", $2, $3}' '%s'", META))
label_arm(l) = (p = strstrt(LABEL_MAP, " ".l."="), p > 0 ? word(LABEL_MAP[p + strlen(l) + 2:], 1) : \
                (strstrt(" ".ARMS, " ".l." ") > 0 ? l : ""))
arm_i(a) = a eq "" ? 0 : sum [i=1:words(ARMS)] (word(ARMS, i) eq a ? i : 0)
row_rgb(dummy) = (k = arm_i(label_arm(strcol(1))), k > 0 ? ARM_RGB[style_i(k)] : 0x888888)

# which kinds the file has for TCOL (awk, as the tests above): a clause
# only for those
KINDS = TARGETS eq "" ? "" : system(sprintf("awk -F , -v obs='%s' -v old='%d' '" . \
    "NR == 1 {for (i = 1; i <= NF; i++) c[$i] = i; next} " . \
    "{o = $c[\"observable\"]; if (old ? !(obs == \"ca_aorta_ug_per_mg\" && o == \"ca_aorta\") : o != obs) next; " . \
    " b = $c[\"basis\"]; if (old && b == \"seen\") b = \"observed\"; " . \
    " t = $c[\"target\"] != \"\"; lo = $c[\"accept_lo\"] != \"\"; hi = $c[\"accept_hi\"] != \"\"; " . \
    " if (t && b == \"observed\") k[\"observed\"]; else if (t) k[\"derived\"]; " . \
    " else if (lo && hi) k[\"range\"]; else if (lo) k[\"lower\"]; else if (hi) k[\"upper\"]; " . \
    "} " . \
    "END {for (x in k) printf \"%%s \", x}' '%s'", TCOL, TFMT eq "week", TARGETS))
kind(x) = strstrt(" ".KINDS, " ".x." ") > 0
TARGET_KINDS = words(KINDS)
# a legend line without a point of its own (the data carry the colours)
legend(style, text) = sprintf("keyentry %s lc rgb \"#555555\" title \"%s\"", style, text)

TARGET_PLOT = ""
if (kind("observed")) {
    TARGET_PLOT = TARGET_PLOT . \
        ", TARGETS using (x_if(observed(0))):(y_if(observed(0), column(\"target\"))):(y_if(observed(0), bar_lo(0))):(y_if(observed(0), bar_hi(0))):(row_rgb(0)) " . \
        "with yerrorbars pt 7 ps 1.3 lc rgb variable notitle, " . \
        legend("with yerrorbars pt 7 ps 1.3", "observed value (bar: accepted range, or ± SD)")
}
if (kind("derived")) {
    TARGET_PLOT = TARGET_PLOT . \
        ", TARGETS using (x_if(derived(0))):(y_if(derived(0), column(\"target\"))):(y_if(derived(0), bar_lo(0))):(y_if(derived(0), bar_hi(0))):(row_rgb(0)) " . \
        "with yerrorbars pt 13 ps 1.4 lc rgb variable notitle, " . \
        legend("with yerrorbars pt 13 ps 1.4", "value derived from observations (bar: accepted range, or ± SD)")
}
if (kind("range")) {
    TARGET_PLOT = TARGET_PLOT . \
        ", TARGETS using (x_if(range_only(0))):(y_if(range_only(0), (column(\"accept_lo\") + column(\"accept_hi\")) / 2)):(y_if(range_only(0), column(\"accept_lo\"))):(y_if(range_only(0), column(\"accept_hi\"))):(row_rgb(0)) " . \
        "with yerrorbars pt 0 lw 2 lc rgb variable notitle, " . \
        legend("with yerrorbars pt 0 lw 2", "accepted range, no value reported")
}
if (kind("lower")) {
    TARGET_PLOT = TARGET_PLOT . \
        ", TARGETS using (x_if(lower_only(0))):(y_if(lower_only(0), column(\"accept_lo\"))):(0):(arrow_len(0)):(row_rgb(0)) " . \
        "with vectors filled head lw 1.5 lc rgb variable notitle, " . \
        legend("with vectors filled head lw 1.5", "lower bound only")
}
if (kind("upper")) {
    TARGET_PLOT = TARGET_PLOT . \
        ", TARGETS using (x_if(upper_only(0))):(y_if(upper_only(0), column(\"accept_hi\"))):(0):(-arrow_len(0)):(row_rgb(0)) " . \
        "with vectors filled head lw 1.5 lc rgb variable notitle, " . \
        legend("with vectors filled head lw 1.5", "upper bound only")
}
