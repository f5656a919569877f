/* sobolseq_data.h — the Joe–Kuo direction-number table (internal). */
#ifndef CALCIFY_SOBOLSEQ_DATA_H
#define CALCIFY_SOBOLSEQ_DATA_H

enum { CALCIFY_JOEKUO_MAXDEG = 13 };   /* highest polynomial degree in the table */

extern const unsigned calcify_joekuo_dims;
extern const unsigned short calcify_joekuo_poly[];
extern const unsigned short calcify_joekuo_m[][CALCIFY_JOEKUO_MAXDEG];

#endif
