/* cfgread.h — checked reading of libconfig settings (internal).
 *
 * Every helper reports "path:line: what is wrong (what was expected)" and
 * returns CALCIFY_EINPUT; libconfig does the parsing, these do the checking
 * that libconfig leaves to the caller (unknown keys, types, units, ranges).
 */
#ifndef CALCIFY_CFGREAD_H
#define CALCIFY_CFGREAD_H

#include <libconfig.h>

#include "calcify/status.h"

/* Read `path` into cfg (initialised here; destroy it even on failure).
 * Missing, unreadable, directory, empty and malformed files are errors. */
calcify_status cfg_load(config_t *cfg, const char *path, calcify_error *err);

/* Line of a setting, or of its parent when libconfig has none. */
int cfg_line(const config_setting_t *s);

/* Every member of `group` must be named in `allowed` (NULL-terminated);
 * `where` names the group in messages ("scenario", "arm 'control'"). */
calcify_status cfg_check_keys(const char *path, const config_setting_t *group,
                              const char *const *allowed, const char *where,
                              calcify_error *err);

/* Required member `key` of `group`; NULL with err set if absent. */
const config_setting_t *cfg_require(const char *path,
                                    const config_setting_t *group,
                                    const char *key, const char *where,
                                    calcify_error *err);

/* A non-empty string member. */
calcify_status cfg_string(const char *path, const config_setting_t *group,
                          const char *key, const char *where, int required,
                          const char **out, calcify_error *err);

/* A finite number member (int or float) in [lo, hi]. */
calcify_status cfg_number(const char *path, const config_setting_t *group,
                          const char *key, const char *where, double lo,
                          double hi, double *out, calcify_error *err);

/* A quantity "NUMBER UNIT" member converted to `unit`, in [lo, hi]
 * (`what` names the quantity in messages, e.g. "a duration", which say
 * "expected a duration in [1e-09, 1e+06] d": both bounds, always; `example`
 * is a quantity of the kind, e.g. "6 w"). */
calcify_status cfg_quantity(const char *path, const config_setting_t *group,
                            const char *key, const char *where,
                            const char *unit, double lo, double hi,
                            const char *what, const char *example, double *out,
                            calcify_error *err);

/* The text of setting s, named `key` in `where`, that must hold a quantity:
 * a bare number, a boolean, a list or a group is refused with file:line
 * ("expected a quantity with a unit, e.g. \"<example>\"").  Every reader of
 * a quantity string takes it through here, never straight from libconfig's
 * string getters (which return NULL for anything but a string). */
calcify_status cfg_quantity_text(const char *path, const config_setting_t *s,
                                 const char *key, const char *where,
                                 const char *example, const char **text,
                                 calcify_error *err);

/* Convert a quantity string read from line `line`; shared by cfg_quantity
 * and by files that store value and unit separately.  `what` as for
 * cfg_quantity. */
calcify_status cfg_convert_quantity(const char *path, int line,
                                    const char *key, const char *where,
                                    const char *text, const char *unit,
                                    double lo, double hi, const char *what,
                                    double *out, calcify_error *err);

#endif
