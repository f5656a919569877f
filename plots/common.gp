# common.gp — shared by the calcify figure scripts (loaded, not run).
#
# Expects IN (a CSV), OUT (output file), TERM_NAME, COLX/COLY (columns that
# must hold data), WIDTH/HEIGHT, and optionally META (a `calcify run --meta`
# file; "" for none).  Checks IN before any output is opened, so a missing or
# malformed input never leaves an empty image behind.  Columns are found by
# their header names, never by position: runs of other model versions, with
# other or more observables, plot the same.
#
# Helpers defined here read the CSV and META with awk (POSIX), so the
# figures need nothing from the scenario file itself:
#   ARMS              arm names, space-separated, in the order of the run
#   arm_desc(a)       the arm's description ("" without META)
#   arm_title(a)      legend text: "name: description" or "name"
#   BOUNDS(a)         phase start times > 0, d ("" = every arm)
#   SCEN_NAME, SCEN_DESC   scenario name and description ("" without META)
#   has_col(c)        1 if IN has column c
# and the colour-blind-safe line styles of arm i (Okabe & Ito 2008 palette,
# each with its own dash pattern and point type, so arms that overlap stay
# distinguishable in colour, in grey print and for any colour vision).
set datafile separator comma
set datafile columnheaders
set datafile missing ""

if (!exists("IN") || IN eq "") { print "usage: see the header of this script"; exit status 2 }
if (system(sprintf("test -r '%s' && echo yes", IN)) ne "yes") {
    print sprintf("%s: cannot read (expected a calcify CSV)", IN)
    exit status 1
}
HEADER = system(sprintf("head -n 1 '%s'", IN))
has_col(c) = strstrt(",".HEADER.",", ",".c.",") > 0
if (!has_col(COLX) || !has_col(COLY)) {
    print sprintf("%s: no column %s or %s (expected a calcify CSV)", IN, COLX, COLY)
    exit status 1
}
stats IN using (column(COLX)):(column(COLY)) nooutput
if (!exists("STATS_records") || STATS_records == 0) {
    print sprintf("%s: no valid data in columns %s, %s (expected a calcify CSV)", IN, COLX, COLY)
    exit status 1
}
TMAX = STATS_max_x

if (!exists("META")) { META = "" }
if (META ne "" && system(sprintf("test -r '%s' && echo yes", META)) ne "yes") {
    print sprintf("%s: cannot read (expected the file of calcify run --meta)", META)
    exit status 2
}

# awk over META: skip '#' lines, take the first other line as the header
META_AWK = "awk -F '\t' '/^#/ {next} !h {for (i = 1; i <= NF; i++) c[$i] = i; h = 1; next} "
meta_query(prog) = system(sprintf("%s%s' '%s'", META_AWK, prog, META))
# awk over IN: the same, comma-separated
CSV_AWK = "awk -F , 'NR == 1 {for (i = 1; i <= NF; i++) c[$i] = i; next} "
csv_query(prog) = system(sprintf("%s%s' '%s'", CSV_AWK, prog, IN))

if (META ne "") {
    ARMS = meta_query('!s[$c["arm"]]++ {printf "%s ", $c["arm"]}')
    SCEN_NAME = meta_query('{print $c["scenario"]; exit}')
    SCEN_DESC = meta_query('{print $c["scenario_description"]; exit}')
} else {
    ARMS = csv_query('!s[$c["arm"]]++ {printf "%s ", $c["arm"]}')
    SCEN_NAME = ""
    SCEN_DESC = ""
}
arm_desc(a) = META eq "" ? "" : \
    meta_query(sprintf('$c["arm"] == "%s" {print $c["arm_description"]; exit}', a))
arm_title(a) = (d = arm_desc(a), d eq "" ? a : a.": ".d)
# phase starts after 0: from META, else where the CSV's phase column changes
# (none when the CSV has no phase column)
BOUNDS(a) = META ne "" ? \
    meta_query(sprintf('($c["arm"] == "%s" || "%s" == "") && $c["start_d"] > 0 && !s[$c["start_d"]]++ {printf "%%s ", $c["start_d"]}', a, a)) : \
    csv_query(sprintf('("phase" in c) && ($c["arm"] == "%s" || "%s" == "") {k = $c["arm"]; if (k in p && p[k] != $c["phase"] && !s[$c["time_d"]]++) printf "%%s ", $c["time_d"]; p[k] = $c["phase"]}', a, a))

# a figure whose legend lists the arms below the plot grows with them:
# KEY_ROW pixels per legend row (set by the script; KEY_EXTRA more rows)
if (exists("KEY_ROW")) { HEIGHT = HEIGHT + KEY_ROW * (words(ARMS) + KEY_EXTRA) }

# time axis unit: days for a few weeks, weeks up to about two years, else years
XU = TMAX <= 28 ? 1.0 : (TMAX <= 800 ? 7.0 : 365.25)
XNAME = XU == 1 ? "days" : (XU == 7 ? "weeks" : "years")

# Okabe-Ito colours without yellow (too pale on white), dash patterns and
# point types: arm i takes entry 1 + (i-1) mod 7 of each
array ARM_COLOR[7] = ["#000000", "#E69F00", "#0072B2", "#009E73", "#D55E00", "#CC79A7", "#56B4E9"]
# the same as numbers, for `lc rgb variable`
array ARM_RGB[7] = [0x000000, 0xE69F00, 0x0072B2, 0x009E73, 0xD55E00, 0xCC79A7, 0x56B4E9]
array ARM_DASH[7] = [1, 2, 4, 5, 3, 1, 2]
array ARM_POINT[7] = [-1, 4, 8, 6, 12, 2, 10]
style_i(i) = 1 + (i - 1) % 7

if (TERM_NAME eq "pngcairo") {
    set terminal pngcairo size WIDTH, HEIGHT enhanced font "Sans,11" linewidth 1.5
} else {
    if (TERM_NAME eq "svg") {
        set terminal svg size WIDTH, HEIGHT enhanced font "Sans,11" linewidth 1.5
    } else {
        if (TERM_NAME eq "pdfcairo") {
            set terminal pdfcairo size WIDTH/100.0, HEIGHT/100.0 enhanced font "Sans,9" linewidth 1.5
        } else {
            print sprintf("unknown terminal '%s' (expected pngcairo, svg or pdfcairo)", TERM_NAME)
            exit status 2
        }
    }
}
set output OUT
