# targets.gp — a targets file drawn over a figure (loaded, not run).
#
# Expects TARGETS (a targets CSV, docs/SCENARIOS.md; "" for none), COLY (the
# observable drawn: the targets of that column are shown), XU (days per x
# unit), TMAX (d) and ARROW_LEN (length of lower-bound arrows, y units;
# default 8% of STATS_max_y).
# Defines TARGET_PLOT, plot clauses to append with @TARGET_PLOT (empty when
# TARGETS is ""), which draw each row as what it is: an observed value, a
# value derived from observations, an accepted range without a value, or a
# lower bound only — with its accepted range as the bar.  Reads both the
# current format (time with a unit, observables by column name, basis
# observed/derived/…) and the first one (week, ca_aorta, seen).
if (TARGETS ne "" && system(sprintf("test -r '%s' && echo yes", TARGETS)) ne "yes") {
    print sprintf("%s: cannot read (expected a targets CSV)", TARGETS)
    set output
    system(sprintf("rm -f '%s'", OUT))
    exit status 2
}
if (!exists("ARROW_LEN")) { ARROW_LEN = 0.08 * STATS_max_y }
TFMT = TARGETS eq "" ? "" : system(sprintf("head -n 1 '%s' | cut -d, -f2", TARGETS))
unit_d(u) = u eq "w" ? 7.0 : u eq "h" ? 1.0/24 : u eq "min" ? 1.0/1440 : u eq "y" ? 365.25 : 1.0
t_of(s) = real(word(s, 1)) * (words(s) > 1 ? unit_d(word(s, 2)) : 1.0)
t_row(dummy) = TFMT eq "week" ? 7.0 * column("week") : t_of(strcol("time"))
mine(dummy) = TFMT eq "week" ? (COLY eq "ca_aorta_ug_per_mg" && strcol("observable") eq "ca_aorta") \
                             : strcol("observable") eq COLY
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

TARGET_PLOT = TARGETS eq "" ? "" : \
    ", TARGETS using (x_if(observed(0))):\"target\":\"accept_lo\":\"accept_hi\" " . \
    "with yerrorbars pt 7 ps 1.3 lc rgb \"#333333\" title \"observed value (bar: accepted range)\", " . \
    "TARGETS using (x_if(derived(0))):\"target\":\"accept_lo\":\"accept_hi\" " . \
    "with yerrorbars pt 13 ps 1.4 lc rgb \"#333333\" title \"value derived from observations (bar: accepted range)\", " . \
    "TARGETS using (x_if(range_only(0))):((column(\"accept_lo\") + column(\"accept_hi\")) / 2):\"accept_lo\":\"accept_hi\" " . \
    "with yerrorbars pt 0 lw 2 lc rgb \"#888888\" title \"accepted range, no value reported\", " . \
    "TARGETS using (x_if(lower_only(0))):\"accept_lo\":(0):(ARROW_LEN) " . \
    "with vectors filled head lw 1.5 lc rgb \"#888888\" title \"lower bound only\""
