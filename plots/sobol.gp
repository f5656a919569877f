# sobol.gp — Sobol indices of one observable, at one time, in one arm: the
# first-order (S1) and total (ST) index of each varied parameter side by
# side, each with its bootstrap interval.  Works from any directory.
#
#   gnuplot -c plots/sobol.gp DIR/indices.csv OUT.png [TERMINAL] [ARM] [OBSERVABLE] [TIME_D]
#
# DIR/indices.csv: output of `calcify gsa --method sobol`; TERMINAL:
# pngcairo (default), svg or pdfcairo; ARM: default the first arm whose
# indices are not empty (an output that does not vary has none); OBSERVABLE:
# default ca_aorta_ug_per_mg (else the file's first); TIME_D: the time in
# days (default: the last of that arm and observable).  Parameters in the
# order of --vary.  S1 is the share of the output's variance a parameter
# causes alone, ST alone and with the others; ST - S1 is its interactions.
HERE = system(sprintf("dirname -- '%s'", ARG0))
IN = ARG1
OUT = ARG2
TERM_NAME = (ARGC >= 3 && ARG3 ne "") ? ARG3 : "pngcairo"
SEL = (ARGC >= 4) ? ARG4 : ""
OBS = (ARGC >= 5) ? ARG5 : ""
TSEL = (ARGC >= 6) ? ARG6 : ""
COLX = "time_d"
COLY = "ST"
META = ""
WIDTH = 860
HEIGHT = 520
load HERE."/common.gp"

bail(code, msg) = sprintf("%s: %s", IN, msg)
NEED = "parameter arm observable S1 S1_lo S1_hi ST_lo ST_hi"
MISSING = ""
do for [k=1:words(NEED)] { if (!has_col(word(NEED, k))) { MISSING = MISSING." ".word(NEED, k) } }
if (MISSING ne "") {
    print bail(1, sprintf("no column%s (expected DIR/indices.csv of calcify gsa --method sobol)", MISSING))
    set output
    system(sprintf("rm -f '%s'", OUT))
    exit status 1
}
if (OBS eq "") {
    OBS = csv_query('$c["observable"] == "ca_aorta_ug_per_mg" {f = 1} END {print f ? "ca_aorta_ug_per_mg" : ""}')
    if (OBS eq "") { OBS = csv_query('{print $c["observable"]; exit}') }
}
if (SEL eq "") {
    SEL = csv_query(sprintf('$c["observable"] == "%s" && $c["ST"] != "" {print $c["arm"]; exit}', OBS))
}
MATCH = sprintf('$c["arm"] == "%s" && $c["observable"] == "%s"', SEL, OBS)
if (TSEL eq "") { TSEL = csv_query(MATCH.' {t = $c["time_d"]} END {print t}') }
MATCH = sprintf('%s && $c["time_d"] + 0 == %s + 0', MATCH, TSEL eq "" ? "-1" : TSEL)
NP = int(csv_query(MATCH.' {n++} END {print n + 0}'))
NVAL = int(csv_query(MATCH.' && $c["ST"] != "" {n++} END {print n + 0}'))
if (NP == 0 || NVAL == 0) {
    print bail(2, NP == 0 ? \
        sprintf("no rows of arm '%s', observable '%s' at time %s d (arms: %s)", SEL, OBS, TSEL, ARMS) : \
        sprintf("the indices of %s in arm %s at %s d are empty (the output does not vary)", OBS, SEL, TSEL))
    set output
    system(sprintf("rm -f '%s'", OUT))
    exit status (NP == 0 ? 2 : 1)
}
# the chosen rows, header kept: columns stay found by name
ROWS = sprintf("< %s%s || NR == 1' '%s'", "awk -F , 'NR == 1 {for (i = 1; i <= NF; i++) c[$i] = i} ", \
               MATCH, IN)
stats ROWS using "ST_hi" nooutput
HI = STATS_max
stats ROWS using "S1_lo" nooutput
LO = STATS_min
stats ROWS using "S1" nooutput
SUM_S1 = STATS_sum
N_SAMPLES = has_col("samples") ? csv_query(MATCH.' {print $c["samples"]; exit}') : ""

set title sprintf("Sobol indices: %s at %s d, arm %s\nN = %s base samples; sum of S1 = %.2f (1 - sum: the share of interactions); bars: bootstrap intervals", \
                  OBS, TSEL, SEL, N_SAMPLES eq "" ? "?" : N_SAMPLES, SUM_S1) noenhanced
set ylabel "index (share of the output's variance)"
set yrange [(LO < 0 ? LO * 1.1 : 0):(HI > 1 ? HI * 1.05 : 1.05)]
set xrange [0.4:NP + 0.6]
set xtics noenhanced scale 0 font ",10"
# many parameters: names slanted, so they do not run into each other
if (NP > 6) { set xtics rotate by -35 left }
set grid ytics lc rgb "#dddddd"
set xzeroaxis lt 1 lc rgb "#444444"
set key below center horizontal Left reverse noenhanced samplen 1.5
set style fill solid 0.85 noborder
set bars 2
W = 0.34
plot ROWS using ($0 + 1 - W / 2):"S1":(W) with boxes lc rgb "#0072B2" title "S1: first order (alone)", \
     ROWS using ($0 + 1 + W / 2):"ST":(W):xtic(strcol("parameter")) \
          with boxes lc rgb "#E69F00" title "ST: total (with interactions)", \
     ROWS using ($0 + 1 - W / 2):"S1":"S1_lo":"S1_hi" with yerrorbars pt 7 ps 0.45 lw 1.2 lc rgb "#222222" notitle, \
     ROWS using ($0 + 1 + W / 2):"ST":"ST_lo":"ST_hi" with yerrorbars pt 7 ps 0.45 lw 1.2 lc rgb "#222222" notitle
set output
