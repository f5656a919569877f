/* dosing_read.h — reading doses and growth tables from scenario files
 * (internal: used by scenario.c). */
#ifndef CALCIFY_DOSING_READ_H
#define CALCIFY_DOSING_READ_H

#include "calcify/dosing.h"
#include "calcify/scenario.h"
#include "base/cfgread.h"

/* The optional 'doses' list of a phase group into p->doses (p->duration
 * must be set).  The phase starts t0 d into an arm whose day 0 is weekday
 * start_day (0 = Monday; for days = "Mon,Wed,Fri").  file:line errors. */
calcify_status dosing_read_phase(const char *path, const config_setting_t *phase,
                                 const char *where, double t0, int start_day,
                                 calcify_diet_phase *p, calcify_error *err);

/* A weekday member ("Mon" … "Sun", or in full, any case) into *out
 * (0 = Monday), with did-you-mean. */
calcify_status dosing_read_weekday(const char *path, const config_setting_t *g,
                                   const char *key, const char *where, int *out,
                                   calcify_error *err);

/* The optional top-level 'growth' group; *out NULL if there is none. */
calcify_status dosing_read_growth(const char *path, const config_setting_t *root,
                                  calcify_growth **out, calcify_error *err);

/* 1 if the quantity's unit is per kg body weight ("2 mg/kg"): a dose unit,
 * refused on diet keys. */
int calcify_unit_is_per_body_weight(const char *text);

#endif
