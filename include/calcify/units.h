/* calcify/units.h — quantities with units, as written in scenario files.
 *
 * A quantity is a number followed by a unit: "3 mg/g", "100 ug/g", "6 w",
 * "15 h".  Each unit belongs to one dimension and has a factor to the
 * dimension's base unit; a value converts between two units of the same
 * dimension and never across dimensions.  "µ" (U+00B5) and "μ" (U+03BC) are
 * read as "u".
 */
#ifndef CALCIFY_UNITS_H
#define CALCIFY_UNITS_H

#ifdef __cplusplus
extern "C" {
#endif

/* Convert `value`, written in unit `from`, into unit `to`.
 * Returns 0 and stores the result in *out; -1 if either unit is unknown;
 * -2 if the two units measure different dimensions. */
int calcify_unit_convert(double value, const char *from, const char *to,
                         double *out);

/* Parse "NUMBER UNIT" into a value expressed in `to`.
 * Returns 0 on success; -1 if the number is missing, malformed, out of range
 * or not finite; -2 if the unit is missing or unknown; -3 if the unit does not
 * measure the same dimension as `to`. */
int calcify_quantity_parse(const char *text, const char *to, double *out);

/* Units that measure the same dimension as `unit`, comma-separated, for error
 * messages ("d, h, min, w").  Static storage; not thread-safe. */
const char *calcify_unit_alternatives(const char *unit);

#ifdef __cplusplus
}
#endif
#endif
