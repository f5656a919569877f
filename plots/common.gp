# common.gp — shared by the calcify figure scripts (loaded, not run).
# Expects OUT (output file) and TERM_NAME set; checks IN (a CSV) has data
# in column COLX/COLY before any output is opened, so a missing or malformed
# input never leaves an empty image behind.
set datafile separator comma
set datafile columnheaders
set datafile missing ""

if (!exists("IN") || IN eq "") { print "usage: see the header of this script"; exit status 2 }
stats IN using (column(COLX)):(column(COLY)) nooutput
if (!exists("STATS_records") || STATS_records == 0) {
    print sprintf("%s: no valid data in columns %s, %s (expected a calcify CSV)", IN, COLX, COLY)
    exit status 1
}

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

# the arms of Schurgers et al. 2007, named as the paper does
array ARM[5] = ["control", "wk_continued", "normal_k", "high_k1", "high_mk4"]
array ARM_TITLE[5] = ["Control (normal diet)", "A: W\\&K continued", "B: normal K", "C: high K_1", "D: high K_2 (MK-4)"]
array ARM_COLOR[5] = ["#000000", "#d62728", "#ff7f0e", "#1f77b4", "#2ca02c"]
# C and D regress alike: D is dashed so that C stays visible beneath it
array ARM_DASH[5] = [1, 1, 1, 1, 2]
