/* scenvars.h — scenario variables: vars = { high_k = "100 ug/g"; } and
 * their uses "$high_k" (internal).
 *
 * A variable holds text.  A string value that is exactly "$NAME" anywhere in
 * the scenario (outside `vars`) is replaced by that text before any key is
 * read, so every reader checks the substituted value as if written there and
 * reports the line of the use.  Substitution is whole-value only: "$a mg/g"
 * is an error, never half-expanded.
 */
#ifndef CALCIFY_SCENVARS_H
#define CALCIFY_SCENVARS_H

#include <libconfig.h>

#include "calcify/scenario.h"

/* Read the `vars` group of `root` (absent: none) into sc->vars, then apply
 * every assignment of `sets` whose name is a variable (the others are left
 * for the parameters).  A variable named like a model parameter, a value
 * that is not a string or refers to another variable is an error. */
calcify_status scen_vars_read(const char *path, const config_setting_t *root,
                              const char *const *sets, size_t n_sets,
                              calcify_scenario *sc, calcify_error *err);

/* Where variables were used: line of each use and the variable. */
typedef struct {
    int *line;
    size_t *var;
    size_t n, cap;
} scen_uses;

/* Replace every "$NAME" string under `s` (skipping the vars group) by the
 * variable's text, recording each use in *uses (may be NULL); an undefined
 * name is an error at the line of its use. */
calcify_status scen_vars_substitute(const char *path, config_setting_t *s,
                                    const calcify_scenario *sc, scen_uses *uses,
                                    calcify_error *err);

/* When err is about a line where a variable was used, add where the value
 * came from: "…; the value is $high_k (defined at line 3)". */
void scen_vars_explain(const char *path, const scen_uses *uses,
                       const calcify_scenario *sc, calcify_error *err);

void scen_uses_free(scen_uses *uses);

/* The name part of "NAME=VALUE" into buf; buf. */
char *scen_assignment_name(const char *assignment, char *buf, size_t cap);

#endif
