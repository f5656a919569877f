/* calcify/meta.h — what a figure needs to know about a run besides its
 * numbers: the scenario's name and description, each arm's description and
 * its phases (start, end, diet, changed parameters).
 *
 * `calcify run --meta FILE` writes it as tab-separated text with a header
 * row, one row per phase of each arm run; '#' lines are comments.  R reads
 * it with read.delim(FILE, comment.char = "#"), pandas with
 * read_csv(FILE, sep="\t", comment="#"), the plots/ scripts with awk.
 * Tabs and newlines inside descriptions are written as spaces.  After the
 * rows, one comment line per data label of the scenario that is not a
 * ratio ("# data_label<TAB>WK<TAB>wk_continued normal_k"), naming the arms
 * run that it stands for, so figures can draw a data row in its arm's
 * colour.
 */
#ifndef CALCIFY_META_H
#define CALCIFY_META_H

#include <stdio.h>

#include "calcify/scenario.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Columns: scenario, scenario_description, arm, arm_description, phase,
 * start_d, end_d, warfarin_mg_per_g, k1_mg_per_g, mk4_mg_per_g, set.
 * `selected` as in calcify_sim_run_scenario (NULL = every arm).  Returns 0,
 * or -1 on a write error. */
int calcify_meta_write(FILE *fp, const calcify_scenario *sc,
                       const unsigned char *selected);

#ifdef __cplusplus
}
#endif
#endif
