# sweep.gp — a sweep's endpoint against its varied parameters or variables.
# Works from any directory.
#
#   gnuplot -c plots/sweep.gp DIR/summary.csv OUT.png [TERMINAL] [ENDPOINT] [ARM] [X] [Y]
#
# One axis (X, default: the first varied column): ENDPOINT against X, a
# scatter.  Two (X and Y): a map, each run a point at (X, Y) coloured by
# ENDPOINT.  ENDPOINT: a summary column (default: the aortic calcium at the
# last endpoint time); ARM: the arm to show (default: the first in the file);
# only runs with status ok are drawn.  Axis labels give the name and unit,
# and an axis is logarithmic where the sweep sampled it on a log scale, both
# read from DIR/vary.tsv (written by calcify sweep) when it is there.
HERE = system(sprintf("dirname -- '%s'", ARG0))
IN = ARG1
OUT = ARG2
TERM_NAME = (ARGC >= 3 && ARG3 ne "") ? ARG3 : "pngcairo"
if (!exists("IN") || IN eq "") { print "usage: see the header of plots/sweep.gp"; exit status 2 }
H = system(sprintf("head -n 1 '%s' 2>/dev/null", IN))
# default endpoint: the last aortic-calcium-at-a-time column
LAST_CA = system(sprintf("head -n 1 '%s' 2>/dev/null | tr , '\\n' | grep '^ca_aorta_ug_per_mg_at_' | tail -n 1", IN))
ENDPOINT = (ARGC >= 4 && ARG4 ne "") ? ARG4 : LAST_CA
SEL = (ARGC >= 5 && ARG5 ne "") ? ARG5 : \
      system(sprintf("awk -F , 'NR == 1 {for (i = 1; i <= NF; i++) if ($i == \"arm\") c = i; next} {print $c; exit}' '%s' 2>/dev/null", IN))
PX = (ARGC >= 6 && ARG6 ne "") ? ARG6 : system(sprintf("head -n 1 '%s' 2>/dev/null | cut -d, -f2", IN))
PY = (ARGC >= 7 && ARG7 ne "") ? ARG7 : ""
COLX = PX
COLY = ENDPOINT eq "" ? "(no endpoint column)" : ENDPOINT
META = ""
WIDTH = 820
HEIGHT = 620
load HERE."/common.gp"

# vary.tsv beside the summary: label "name (unit)" and scale of a column
VARY = system(sprintf("dirname -- '%s'", IN))."/vary.tsv"
HAVE_VARY = system(sprintf("test -r '%s' && echo yes", VARY)) eq "yes"
vary_field(col, f) = HAVE_VARY ? system(sprintf("awk -F '\t' 'NR > 1 && $2 == \"%s\" {print $%d; exit}' '%s'", col, f, VARY)) : ""
axis_label(col) = (n = vary_field(col, 1), u = vary_field(col, 3), \
                   n eq "" ? col : (u eq "1" || u eq "" ? n : sprintf("%s (%s)", n, u)))
is_log(col) = vary_field(col, 6) eq "log"
# "ca_aorta_ug_per_mg_at_84d" reads "ca_aorta_ug_per_mg at 84 d"
at_pos(s) = strstrt(s, "_at_")
pretty(s) = at_pos(s) > 0 && s[strlen(s):] eq "d" ? \
            sprintf("%s at %s d", s[1:at_pos(s) - 1], s[at_pos(s) + 4:strlen(s) - 1]) : s

# the sampled range, a little wider (a log axis would round out to decades)
lo_of(col) = real(vary_field(col, 4))
hi_of(col) = real(vary_field(col, 5))
has_range(col) = vary_field(col, 4) ne ""
pad_lo(col) = is_log(col) ? lo_of(col) / 1.15 : lo_of(col) - 0.05 * (hi_of(col) - lo_of(col))
pad_hi(col) = is_log(col) ? hi_of(col) * 1.15 : hi_of(col) + 0.05 * (hi_of(col) - lo_of(col))

ok(c) = strcol("arm") eq SEL && strcol("status") eq "ok" ? column(c) : NaN
# the endpoint over the runs drawn: none is an error; one that hardly
# changes spans at least ±5% of its value (not an empty or hairline range)
stats IN using (v = ok(ENDPOINT), v == v ? 1 : 0) nooutput
if (STATS_sum == 0) {
    print sprintf("%s: no run of arm '%s' with status ok and a value of %s", IN, SEL, ENDPOINT)
    set output
    system(sprintf("rm -f '%s'", OUT))
    exit status 1
}
stats IN using (ok(ENDPOINT)) nooutput
E_MID = (STATS_min + STATS_max) / 2
E_HALF = 0.05 * (abs(E_MID) > 0 ? abs(E_MID) : 1)
E_FLAT = STATS_max - STATS_min < 2 * E_HALF
set grid lc rgb "#dddddd"
set key off
set xlabel axis_label(PX) noenhanced
if (is_log(PX)) { set logscale x }
if (has_range(PX)) { set xrange [pad_lo(PX):pad_hi(PX)] }
# a log range of under two decades: tics at 1-2-5 steps, not only at decades
if (is_log(PX) && has_range(PX) && hi_of(PX) / lo_of(PX) < 100) { set xtics add (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000) }
if (PY eq "") {
    set title sprintf("%s, arm %s", pretty(ENDPOINT), SEL) noenhanced
    set ylabel pretty(ENDPOINT) noenhanced
    if (E_FLAT) { set yrange [E_MID - E_HALF:E_MID + E_HALF] }
    plot IN using (ok(PX)):(ok(ENDPOINT)) with points pt 7 ps 0.7 lc rgb "#0072B2"
} else {
    set title sprintf("%s over %s and %s, arm %s", pretty(ENDPOINT), axis_label(PX), axis_label(PY), SEL) noenhanced
    set ylabel axis_label(PY) noenhanced
    if (is_log(PY)) { set logscale y }
    if (has_range(PY)) { set yrange [pad_lo(PY):pad_hi(PY)] }
    if (is_log(PY) && has_range(PY) && hi_of(PY) / lo_of(PY) < 100) { set ytics add (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000) }
    set cblabel pretty(ENDPOINT) noenhanced
    if (E_FLAT) { set cbrange [E_MID - E_HALF:E_MID + E_HALF] }
    # viridis: ordered in lightness, readable for every colour vision
    set palette defined (0 "#440154", 0.25 "#3b528b", 0.5 "#21918c", 0.75 "#5ec962", 1 "#fde725")
    plot IN using (ok(PX)):(ok(PY)):(ok(ENDPOINT)) with points pt 5 ps 0.9 palette
}
set output
