/* armcache.c — shared phase prefixes of arms, integrated once. */
#include <stdlib.h>
#include <string.h>

#include "run/armcache.h"

static void drop(calcify_cached_arm *e)
{
    free(e->phases);
    free(e->doses);
    free(e->boundary);
    free(e->rows);
    free(e->carry);
    memset(e, 0, sizeof *e);
}

void calcify_armcache_clear(calcify_armcache *c)
{
    c->valid = 0;
    for (int i = 0; i < CALCIFY_ARMCACHE_SLOTS; i++) {
        c->slot[i].n_phases = c->slot[i].n_done = c->slot[i].n_rows = 0;
        c->slot[i].n_carry = 0;
    }
}

void calcify_armcache_free(calcify_armcache *c)
{
    for (int i = 0; i < CALCIFY_ARMCACHE_SLOTS; i++)
        drop(&c->slot[i]);
    c->valid = 0;
}

static int same_dose(const calcify_dose *a, const calcify_dose *b)
{
    return a->drug == b->drug && a->route == b->route && a->amount == b->amount &&
           a->per_kg == b->per_kg && a->at == b->at && a->every == b->every &&
           a->count == b->count && a->rate == b->rate && a->duration == b->duration;
}

int calcify_phase_continues(const calcify_diet_phase *a, const calcify_diet_phase *b)
{
    return a->n_doses == 0 && b->n_doses == 0 &&
           memcmp(a->diet, b->diet, sizeof a->diet) == 0 &&
           memcmp(a->set, b->set, sizeof a->set) == 0 &&
           memcmp(a->set_value, b->set_value, sizeof a->set_value) == 0;
}

/* A shared prefix of n phases ends where the arm would go on through the
 * boundary without a restart: an arm that replays it could not, and its
 * numbers would depend on which arms ran before it.  The longest prefix
 * that ends at a restart. */
static size_t prefix_at_restart(const calcify_arm *arm, size_t n)
{
    while (n > 0 && n < arm->n_phases &&
           calcify_phase_continues(&arm->phases[n - 1], &arm->phases[n]))
        n--;
    return n;
}

static int same_phase(const calcify_diet_phase *a, const calcify_diet_phase *b)
{
    if (a->duration != b->duration || memcmp(a->diet, b->diet, sizeof a->diet) != 0 ||
        memcmp(a->set, b->set, sizeof a->set) != 0 ||
        memcmp(a->set_value, b->set_value, sizeof a->set_value) != 0 ||
        a->n_doses != b->n_doses)
        return 0;
    for (size_t i = 0; i < a->n_doses; i++)
        if (!same_dose(&a->doses[i], &b->doses[i]))
            return 0;
    return 1;
}

const calcify_cached_arm *calcify_armcache_find(calcify_armcache *c, const calcify_arm *arm,
                                                const double y0[], double dt,
                                                int boundary_rows, size_t *shared)
{
    *shared = 0;
    if (!c->valid || c->dt != dt || c->boundary_rows != boundary_rows ||
        memcmp(c->y0, y0, c->dim * sizeof *y0) != 0) {
        calcify_armcache_clear(c);
        memcpy(c->y0, y0, c->dim * sizeof *y0);
        c->dt = dt;
        c->boundary_rows = boundary_rows;
        c->valid = 1;
        return NULL;
    }
    const calcify_cached_arm *best = NULL;
    for (int i = 0; i < CALCIFY_ARMCACHE_SLOTS; i++) {
        const calcify_cached_arm *e = &c->slot[i];
        size_t limit = e->n_done < arm->n_phases - 1 ? e->n_done : arm->n_phases - 1;
        if (limit > e->rows_until)
            limit = e->rows_until;
        size_t n = 0;
        while (n < limit && same_phase(&e->phases[n], &arm->phases[n]))
            n++;
        n = prefix_at_restart(arm, n);
        if (n > *shared) {
            *shared = n;
            best = e;
        }
    }
    return best;
}

size_t calcify_armcache_common(const calcify_arm *a, const calcify_arm *b)
{
    size_t n = 0;
    while (n < a->n_phases && n + 1 < b->n_phases && same_phase(&a->phases[n], &b->phases[n]))
        n++;
    return prefix_at_restart(b, n);
}

calcify_cached_arm *calcify_armcache_start(calcify_armcache *c, const calcify_arm *arm,
                                           const calcify_cached_arm *keep, size_t rows_until)
{
    if (rows_until == 0) /* nothing could ever be shared from it */
        return NULL;
    /* an entry nothing can match (no phase done, or no rows kept) first,
     * else the oldest */
    calcify_cached_arm *e = NULL;
    for (int i = 0; i < CALCIFY_ARMCACHE_SLOTS; i++) {
        calcify_cached_arm *s = &c->slot[i];
        if (s == keep)
            continue;
        const int idle = s->n_done == 0 || s->rows_until == 0;
        const int e_idle = e && (e->n_done == 0 || e->rows_until == 0);
        if (!e || (idle && !e_idle) || (idle == e_idle && s->age < e->age))
            e = s;
    }
    e->age = ++c->clock;
    e->n_done = e->n_rows = 0;
    e->n_phases = 0;
    e->n_carry = 0;
    if (e->dim != c->dim)
        e->cap_rows = 0; /* counted in rows of the old width */
    e->dim = c->dim;
    e->rows_until = rows_until < arm->n_phases ? rows_until : arm->n_phases;
    calcify_diet_phase *ph = realloc(e->phases, arm->n_phases * sizeof *ph);
    double (*b)[CALCIFY_MAX_STATE] = ph ? realloc(e->boundary, arm->n_phases * sizeof *b) : NULL;
    if (ph)
        e->phases = ph;
    if (!ph || !b)
        return NULL;
    e->boundary = b;
    memcpy(e->phases, arm->phases, arm->n_phases * sizeof *ph);
    /* the doses are copied too: the arm may be a temporary (an arm cut at
     * endpoint times) that is gone when the next arm is compared with it */
    size_t nd = 0;
    for (size_t k = 0; k < arm->n_phases; k++)
        nd += arm->phases[k].n_doses;
    if (nd) {
        calcify_dose *d = realloc(e->doses, nd * sizeof *d);
        if (!d)
            return NULL;
        e->doses = d;
        for (size_t k = 0; k < arm->n_phases; k++) {
            if (arm->phases[k].n_doses)
                memcpy(d, arm->phases[k].doses, arm->phases[k].n_doses * sizeof *d);
            e->phases[k].doses = arm->phases[k].n_doses ? d : NULL;
            d += arm->phases[k].n_doses;
        }
    }
    e->n_phases = arm->n_phases;
    /* room for the kept rows at once (one per dt, the phase ends, the
     * end), rather than doubling from 16: every doubling touched fresh
     * pages, and a first touch costs ~12 us on the VM calcify was tuned
     * on, ~0.5 ms of a 5-arm run */
    if (c->dt > 0 && e->rows_until > 0) {
        double span = 0;
        for (size_t k = 0; k < e->rows_until; k++)
            span += arm->phases[k].duration;
        const double want = span / c->dt + 2.0 * (double)e->rows_until + 2;
        if (want > (double)e->cap_rows && want < 65536) {
            double *r = realloc(e->rows, (size_t)want * CALCIFY_ARMCACHE_ROW(e->dim) * sizeof *r);
            if (r)
                e->rows = r, e->cap_rows = (size_t)want;
        }
    }
    return e;
}

void calcify_armcache_add_row(calcify_cached_arm *e, double t, size_t phase,
                              const double y[])
{
    if (phase >= e->rows_until)
        return; /* no later arm replays it */
    const size_t w = CALCIFY_ARMCACHE_ROW(e->dim);
    if (e->n_rows == e->cap_rows) {
        size_t cap = e->cap_rows ? 2 * e->cap_rows : 16;
        double *r = realloc(e->rows, cap * w * sizeof *r);
        if (!r) {
            e->n_phases = 0; /* unusable: nothing will match it */
            return;
        }
        e->rows = r, e->cap_rows = cap;
    }
    double *r = e->rows + e->n_rows++ * w;
    r[0] = t;
    r[1] = (double)phase;
    memcpy(r + 2, y, e->dim * sizeof *y);
}

void calcify_armcache_add_boundary(calcify_cached_arm *e, const double y[])
{
    if (e->n_done < e->n_phases)
        memcpy(e->boundary[e->n_done++], y, e->dim * sizeof *y);
}

void calcify_armcache_add_carry(calcify_cached_arm *e, const double *carry, size_t n)
{
    if (e->n_done >= e->n_phases)
        return;
    if (e->n_done == 0) {
        double *c = realloc(e->carry, e->n_phases * n * sizeof *c);
        if (!c) {
            e->n_carry = 0;
            return;
        }
        e->carry = c;
        e->n_carry = n;
    } else if (e->n_carry != n) {
        e->n_carry = 0; /* not kept for every phase: none */
        return;
    }
    memcpy(e->carry + e->n_done * n, carry, n * sizeof *carry);
}
