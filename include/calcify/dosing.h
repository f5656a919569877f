/* calcify/dosing.h — doses (gavage, injections) and growth over time.
 *
 * A diet phase may carry doses: a drug of the model (warfarin, K1, MK-4) by a route
 * (oral gavage, sc, ip, iv), an amount per kg body weight or per animal, a
 * first time, an interval and a count (docs/SCENARIOS.md, doses).  A
 * scenario may carry a growth table: body weight and food intake per
 * animal at given times, linear in between and constant outside; the diet's
 * intake per kg and per-animal doses follow it.
 */
#ifndef CALCIFY_DOSING_H
#define CALCIFY_DOSING_H

#include <stddef.h>

#include "calcify/modeldef.h"
#include "calcify/solver.h"
#include "calcify/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    CALCIFY_ROUTE_ORAL, /* gavage */
    CALCIFY_ROUTE_SC,
    CALCIFY_ROUTE_IP,
    CALCIFY_ROUTE_IV,
    CALCIFY_NROUTE
} calcify_route;

extern const char *const calcify_route_names[CALCIFY_NROUTE]; /* "oral", "sc", "ip", "iv" */

/* Doses of one drug by one route, as written in a phase (a weekday
 * schedule, days = "Mon,Wed,Fri", is read as one entry per weekday, each
 * every 7 d from its first day in the phase). */
typedef struct {
    int drug;        /* index into the model's drugs (calcify_modeldef.drugs:
                        warfarin, k1, mk4 for the shipped model)             */
    calcify_route route;
    double amount;   /* mg: per kg body weight if per_kg, else per animal;
                        an infusion's amount is rate · duration              */
    int per_kg;
    double at;       /* d after the phase's start, >= 0                      */
    double every;    /* d between doses, 0 for one dose                      */
    long count;      /* doses given (within the phase)                       */
    double rate;     /* infusions: mg/d (per kg if per_kg); 0 for a bolus    */
    double duration; /* infusions: d, > 0, ending within the phase; 0 bolus  */
    int line;
} calcify_dose;

/* A zero-order input running from t_on to t_off (d from the arm's start). */
typedef struct {
    double t_on, t_off;
    size_t state;    /* the state it enters (dose_state in dosing.c)             */
    double rate;     /* state unit per day: per kg body weight if per_kg,
                        else per animal (divided by the body weight at t)    */
    int per_kg;
} calcify_infusion;

/* The weekdays, Monday first ("Mon" … "Sun"). */
extern const char *const calcify_weekday_names[7];

/* Body weight and food intake over time (a growth table). */
typedef struct {
    size_t n;            /* points, >= 1                                     */
    double *t;           /* d from the start of every arm, increasing        */
    double *body_weight; /* kg                                               */
    double *food;        /* g food per animal per day                        */
    int line;
} calcify_growth;

/* Body weight (kg) and food intake per kg (g/kg/d) at time t (d), and the
 * latter's rate of change (g/kg/d per d; 0 outside the table). */
void calcify_growth_at(const calcify_growth *g, double t, double *body_weight,
                       double *food_per_kg, double *dfood_dt);

/* The events (state jumps) of the boluses among doses d[0..n) in a phase of
 * `duration` days
 * that starts at t0 (d from the arm's start): *events (malloc'd, sorted by
 * time, NULL if none) and *n_events.  Per-animal amounts are divided by the
 * body weight at the dose's time: from `growth` if not NULL, else
 * `body_weight` (kg).  Where a dose goes is md's (calcify_modeldef.drugs);
 * CALCIFY_EINPUT if md has no such drug or route. */
calcify_status calcify_dose_events(const calcify_modeldef *md, const calcify_dose *d,
                                   size_t n, double duration,
                                   double t0, const calcify_growth *growth,
                                   double body_weight, calcify_event **events,
                                   size_t *n_events, calcify_error *err);

/* The infusions of doses d[0..n) in a phase that starts at t0 (d from the
 * arm's start): *out (malloc'd, NULL if none) and *n_out.  (calcify_dose_events
 * leaves them out; the simulator makes their edges events of size 0 in
 * whichever phase they fall, so that the solver restarts there.) */
calcify_status calcify_dose_infusions(const calcify_modeldef *md, const calcify_dose *d,
                                      size_t n, double t0,
                                      calcify_infusion **out, size_t *n_out,
                                      calcify_error *err);

/* d body_weight / dt (kg/d) at t: 0 outside the table or without one. */
double calcify_growth_weight_slope(const calcify_growth *g, double t);

void calcify_growth_free(calcify_growth *g);

#ifdef __cplusplus
}
#endif
#endif
