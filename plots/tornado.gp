# tornado.gp — the N largest local sensitivities of one observable, at one
# time, in one arm: one signed bar per parameter, largest on top.  Works from
# any directory.
#
#   gnuplot -c plots/tornado.gp SENS.csv OUT.png [TERMINAL] [ARM] [OBSERVABLE] [TIME_D] [N]
#
# SENS.csv: output of `calcify sensitivity`; TERMINAL: pngcairo (default),
# svg or pdfcairo; ARM: default the first arm in the file; OBSERVABLE:
# default ca_aorta_ug_per_mg (else the file's first); TIME_D: the time in
# days (default: the last of that arm and observable); N: bars (default 10).
# The bars are `normalised` (d ln y / d ln p: the % change of the output per
# % change of the parameter), ranked by size; rows with it empty (an output
# at integration noise around zero) are left out.
HERE = system(sprintf("dirname -- '%s'", ARG0))
IN = ARG1
OUT = ARG2
TERM_NAME = (ARGC >= 3 && ARG3 ne "") ? ARG3 : "pngcairo"
SEL = (ARGC >= 4) ? ARG4 : ""
OBS = (ARGC >= 5) ? ARG5 : ""
TSEL = (ARGC >= 6) ? ARG6 : ""
NTOP = (ARGC >= 7 && ARG7 ne "") ? int(ARG7) : 10
if (NTOP < 1) { print sprintf("N '%s': expected a whole number >= 1", ARG7); exit status 2 }
COLX = "time_d"
COLY = "normalised"
META = ""
WIDTH = 820
HEIGHT = 150 + 26 * NTOP
load HERE."/common.gp"

fail(msg) = sprintf("%s: %s", IN, msg)
if (!has_col("parameter") || !has_col("observable") || !has_col("arm")) {
    print fail("no column parameter, arm or observable (expected the CSV of calcify sensitivity)")
    set output
    system(sprintf("rm -f '%s'", OUT))
    exit status 1
}
if (SEL eq "") { SEL = word(ARMS, 1) }
if (OBS eq "") {
    OBS = csv_query('$c["observable"] == "ca_aorta_ug_per_mg" {f = 1} END {print f ? "ca_aorta_ug_per_mg" : ""}')
    if (OBS eq "") { OBS = csv_query('{print $c["observable"]; exit}') }
}
# the rows of this arm and observable (time as given, or the last)
MATCH = sprintf('$c["arm"] == "%s" && $c["observable"] == "%s"', SEL, OBS)
if (TSEL eq "") { TSEL = csv_query(MATCH.' {t = $c["time_d"]} END {print t}') }
MATCH = sprintf('%s && $c["time_d"] + 0 == %s + 0', MATCH, TSEL eq "" ? "-1" : TSEL)
NROWS = int(csv_query(MATCH.' {n++} END {print n + 0}'))
if (NROWS == 0) {
    print fail(sprintf("no rows of arm '%s', observable '%s' at time %s d (arms: %s)", \
                       SEL, OBS, TSEL, ARMS))
    set output
    system(sprintf("rm -f '%s'", OUT))
    exit status 2
}
# "parameter,normalised,|normalised|" of the top N, smallest first (so the
# largest is drawn on top); ties in name order
TOP = sprintf("< %s%s && $c[\"normalised\"] != \"\" {v = $c[\"normalised\"] + 0; " . \
              "printf \"%%s,%%.17g,%%.17g\\n\", $c[\"parameter\"], v, v < 0 ? -v : v}' '%s' " . \
              "| sort -t, -k3,3g -k1,1r | tail -n %d", CSV_AWK, MATCH, IN, NTOP)
NBARS = int(system(sprintf("%s%s && $c[\"normalised\"] != \"\" {n++} END {print n + 0}' '%s'", \
                           CSV_AWK, MATCH, IN)))
NBARS = NBARS < NTOP ? NBARS : NTOP
if (NBARS == 0) {
    print fail(sprintf("every normalised sensitivity of %s in arm %s at %s d is empty (output at integration noise around zero)", OBS, SEL, TSEL))
    set output
    system(sprintf("rm -f '%s'", OUT))
    exit status 1
}

# TOP has no header row
unset datafile columnheaders
stats TOP using 3 nooutput
XMAX = STATS_max > 0 ? STATS_max : 1
set title sprintf("Local sensitivities: %s at %s d, arm %s\nthe largest %d of %d parameters; blue: the output rises with the parameter, orange: it falls", \
                  OBS, TSEL, SEL, NBARS, NROWS) noenhanced
set xlabel "normalised sensitivity ∂ln y / ∂ln p  (% change of the output per % change of the parameter)" noenhanced
set xrange [-XMAX * 1.4:XMAX * 1.4]
set yrange [0.4:NBARS + 0.6]
set ytics noenhanced scale 0 font ",10"
set grid xtics lc rgb "#dddddd"
set xzeroaxis lt 1 lc rgb "#444444"
set key off
set style fill solid 0.85 noborder
bar_color(v) = v >= 0 ? 0x0072B2 : 0xD55E00
plot TOP using (0):($0 + 1):(0):2:($0 + 1 - 0.35):($0 + 1 + 0.35):(bar_color($2)):ytic(1) \
         with boxxyerror lc rgb variable, \
     TOP using ($2 >= 0 ? $2 + XMAX * 0.02 : NaN):($0 + 1):(sprintf("%.3g", $2)) \
         with labels left font ",9" textcolor rgb "#333333", \
     TOP using ($2 < 0 ? $2 - XMAX * 0.02 : NaN):($0 + 1):(sprintf("%.3g", $2)) \
         with labels right font ",9" textcolor rgb "#333333"
set output
