/* simulate.c — the model through a scenario: steady state, arms, rows. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "run/armcache.h"
#include "calcify/simulate.h"
#include "calcify/timegrid.h"
#include "run/steady.h"

struct calcify_sim {
    const calcify_modeldef *md; /* the model, as its descriptor says       */
    void *model;              /* its instance (md->instance_size bytes)   */
    double p[CALCIFY_MAX_PARAM]; /* parameters of the phase being integrated,
                                    as the instance holds them            */
    calcify_system sys;
    calcify_solver *solver;
    calcify_armcache cache;   /* shared arm prefixes (armcache.h) */
    size_t rows_until;        /* the next arm's rows worth keeping: of its
                                 first rows_until phases (SIZE_MAX: all) */
    int allow_multiple;       /* accept a multistable baseline diet */
    calcify_steady_check check; /* of the last baseline */
    const calcify_growth *growth; /* body weight and food intake over time */
    /* infusions of the arm being run (times from its start), and the rates
     * they give in the stretch being integrated (sys_segment), state unit
     * per day: per kg body weight, and per animal                        */
    calcify_infusion *inf;
    size_t n_inf;
    int inf_on;
    double inf_kg[CALCIFY_MAX_STATE], inf_animal[CALCIFY_MAX_STATE];
    double base_p[CALCIFY_MAX_PARAM]; /* the parameter set, before any `set` */
    double y_ref[CALCIFY_MAX_STATE];  /* baseline state: the reference of the
                                      relative observables in every phase  */
    int have_ref;
    int have_params;          /* base_p holds a parameter set             */
    int boundary_rows;        /* calcify_sim_set_boundary_rows            */
    calcify_row_wanted_fn wanted; /* calcify_sim_set_row_filter           */
    calcify_step_obs_fn step_fn;  /* calcify_sim_set_step_fn              */
    double *carry;                /* its summary so far                   */
    size_t n_carry;
    /* y_ref and check hold the last baseline solved while memo_valid (no
     * parameter changed since), for a call that asks for it again with the
     * same inputs (sweeps over scenario variables)                        */
    int memo_valid;
    double memo_u[CALCIFY_MAX_U];
    int memo_allow;
    calcify_obs_eval user_obs;   /* this simulator's copies of the scenario's
                                    own observables (one sim per thread)  */
};

/* The inputs at time t: the phase's, with food intake and body weight from
 * the growth table when there is one.  Returns u or the filled `buf`. */
static const double *inputs_at(const calcify_sim *sim, double t, const double u[],
                               double buf[CALCIFY_MAX_U], double *dfood_dt)
{
    if (!sim->growth) {
        if (dfood_dt)
            *dfood_dt = 0;
        return u;
    }
    memcpy(buf, u, sizeof(double) * sim->md->n_u);
    calcify_growth_at(sim->growth, t, &buf[sim->md->u_body_weight], &buf[sim->md->u_food],
                      dfood_dt);
    return buf;
}

/* The model with the parameters of `phase` (base values overlaid with its
 * `set`; NULL = base).  Re-derived only when they change, and the reference
 * stays the baseline of the base parameters, so a relative observable in an
 * arm with other parameters is still relative to the same control animal. */
static void use_phase_params(calcify_sim *sim, const calcify_diet_phase *phase)
{
    const size_t np = sim->md->n_param;
    double p[CALCIFY_MAX_PARAM];
    memcpy(p, sim->base_p, np * sizeof *p);
    for (size_t i = 0; phase && i < np; i++)
        if (phase->set[i])
            p[i] = phase->set_value[i];
    if (memcmp(p, sim->p, np * sizeof *p) == 0)
        return;
    memcpy(sim->p, p, np * sizeof *p);
    sim->md->fn.init(sim->model, sim->p);
    if (sim->have_ref)
        sim->md->fn.set_reference(sim->model, sim->y_ref);
}

static int cmp_event_time(const void *a, const void *b)
{
    const calcify_event *x = a, *y = b;
    return (x->t > y->t) - (x->t < y->t);
}

/* The infusions running in the stretch from t0 to t1 (between two events,
 * so each runs through all of it or none of it): judged at its middle. */
static void sys_segment(double t0, double t1, void *ctx)
{
    calcify_sim *sim = ctx;
    if (!sim->inf_on && sim->n_inf == 0)
        return;
    memset(sim->inf_kg, 0, sizeof sim->inf_kg);
    memset(sim->inf_animal, 0, sizeof sim->inf_animal);
    sim->inf_on = 0;
    const double mid = 0.5 * (t0 + t1);
    for (size_t i = 0; i < sim->n_inf; i++) {
        const calcify_infusion *f = &sim->inf[i];
        if (f->t_on <= mid && mid < f->t_off) {
            (f->per_kg ? sim->inf_kg : sim->inf_animal)[f->state] += f->rate;
            sim->inf_on = 1;
        }
    }
}

static int sys_rhs(double t, const double y[], double f[], const double u[], void *ctx)
{
    calcify_sim *sim = ctx;
    double buf[CALCIFY_MAX_U];
    const double *ut = inputs_at(sim, t, u, buf, NULL);
    int rc = sim->md->fn.rhs(sim->model, y, f, ut);
    if (sim->inf_on) /* zero-order inputs; per animal at today's body weight */
        for (size_t i = 0; i < sim->md->n_state; i++)
            f[i] += sim->inf_kg[i] + sim->inf_animal[i] / ut[sim->md->u_body_weight];
    return rc;
}

static int sys_jac(double t, const double y[], double *dfdy, double dfdt[],
                   const double u[], void *ctx)
{
    calcify_sim *sim = ctx;
    const calcify_modeldef *md = sim->md;
    double buf[CALCIFY_MAX_U], dF;
    const double *ut = inputs_at(sim, t, u, buf, &dF);
    /* food intake is the only input that moves within a phase, and it
     * enters the states the diet feeds linearly (the descriptor's
     * per_food; dfdt arrives zeroed) */
    for (size_t k = 0; k < md->n_diet; k++)
        dfdt[md->diet[k].state] += md->diet[k].per_food * ut[k] * dF;
    /* ... besides a per-animal infusion divided by a growing body weight */
    if (sim->inf_on && sim->growth) {
        const double bw = ut[md->u_body_weight];
        const double dbw = calcify_growth_weight_slope(sim->growth, t);
        for (size_t i = 0; i < md->n_state; i++)
            dfdt[i] -= sim->inf_animal[i] * dbw / (bw * bw);
    }
    return md->fn.jac(sim->model, y, dfdy, ut);
}

void calcify_sim_set_growth(calcify_sim *sim, const calcify_growth *growth)
{
    /* any table may differ from the last one, even at the same address (a
     * freed table's memory reused): only NULL to NULL keeps shared arms */
    if (growth || sim->growth)
        calcify_armcache_clear(&sim->cache);
    sim->growth = growth;
    sim->sys.time_dependent = growth != NULL;
}

calcify_sim *calcify_sim_alloc(const calcify_paramset *ps, const char *method,
                               double rtol, double atol, calcify_error *err)
{
    if (!calcify_stepper_known(method)) {
        calcify_fail(err, CALCIFY_EUSAGE, "unknown solver method '%s' (expected "
                     "one of: %s)", method, calcify_stepper_list());
        return NULL;
    }
    const calcify_modeldef *md = calcify_paramset_model(ps);
    char why[160];
    if (calcify_modeldef_check(md, why, sizeof why)) {
        calcify_fail(err, CALCIFY_EUSAGE, "%s", why);
        return NULL;
    }
    calcify_sim *sim = calloc(1, sizeof *sim);
    void *model = sim ? calloc(1, md->instance_size) : NULL;
    if (!model) {
        free(sim);
        calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
        return NULL;
    }
    sim->md = md;
    sim->model = model;
    sim->cache.dim = md->n_state;
    sim->rows_until = SIZE_MAX;
    calcify_sim_set_params(sim, ps);
    sim->sys.dim = md->n_state;
    sim->sys.rhs = sys_rhs;
    sim->sys.jac = sys_jac;
    sim->sys.segment = sys_segment;
    sim->sys.ctx = sim;
    sim->solver = calcify_solver_alloc(&sim->sys, method, rtol, atol);
    if (!sim->solver) {
        calcify_fail(err, CALCIFY_EUSAGE, "cannot set up solver '%s' with rtol "
                     "%g, atol %g (expected positive tolerances)", method, rtol, atol);
        free(sim->model);
        free(sim);
        return NULL;
    }
    return sim;
}

void calcify_sim_free(calcify_sim *sim)
{
    if (!sim)
        return;
    calcify_solver_free(sim->solver);
    calcify_armcache_free(&sim->cache);
    calcify_obs_eval_free(&sim->user_obs);
    free(sim->model);
    free(sim);
}

void calcify_sim_set_params(calcify_sim *sim, const calcify_paramset *ps)
{
    /* the same values again (a sweep over scenario variables) change
     * nothing, and calcify_sim_baseline can answer from its memo */
    if (sim->have_params && memcmp(sim->base_p, ps->value, sizeof sim->base_p) == 0)
        return;
    sim->have_params = 1;
    sim->memo_valid = 0;
    memcpy(sim->base_p, ps->value, sizeof sim->base_p);
    memcpy(sim->p, ps->value, sizeof sim->p);
    sim->md->fn.init(sim->model, sim->p);
    sim->have_ref = 0;
    calcify_armcache_clear(&sim->cache);
}

void calcify_sim_forget_baseline(calcify_sim *sim) { sim->memo_valid = 0; }

void calcify_sim_allow_multiple_steady(calcify_sim *sim, int allow)
{
    sim->allow_multiple = allow;
}

const calcify_steady_check *calcify_sim_steady_check(const calcify_sim *sim)
{
    return &sim->check;
}

void calcify_sim_set_boundary_rows(calcify_sim *sim, int on)
{
    sim->boundary_rows = on;
    calcify_solver_set_boundary_rows(sim->solver, on);
}

void calcify_sim_set_row_filter(calcify_sim *sim, calcify_row_wanted_fn wanted)
{
    sim->wanted = wanted;
}

void calcify_sim_set_step_fn(calcify_sim *sim, calcify_step_obs_fn fn, double *carry,
                             size_t n_carry)
{
    sim->step_fn = fn;
    sim->carry = carry;
    sim->n_carry = n_carry;
}

const void *calcify_sim_model(const calcify_sim *sim) { return sim->model; }
const calcify_modeldef *calcify_sim_modeldef(const calcify_sim *sim) { return sim->md; }
const double *calcify_sim_params(const calcify_sim *sim) { return sim->p; }
calcify_solver *calcify_sim_solver(calcify_sim *sim) { return sim->solver; }

calcify_status calcify_sim_baseline(calcify_sim *sim,
                                    const double diet[], double y[], calcify_error *err)
{
    const calcify_modeldef *md = sim->md;
    const size_t ny = md->n_state * sizeof *y;
    memcpy(sim->p, sim->base_p, sizeof sim->p);
    md->fn.init(sim->model, sim->p);
    double u[CALCIFY_MAX_U], buf[CALCIFY_MAX_U];
    md->fn.inputs(sim->model, diet, u);
    const double *u0 = inputs_at(sim, 0, u, buf, NULL);
    /* a run starts afresh: arms share integrations within it, never with
     * an earlier run, so that its cost columns do not depend on which runs
     * a thread did before */
    calcify_armcache_clear(&sim->cache);
    /* asked again for the same steady state: the answer is still good */
    if (sim->memo_valid && sim->memo_allow == sim->allow_multiple &&
        memcmp(sim->memo_u, u0, md->n_u * sizeof *u0) == 0) {
        memcpy(y, sim->y_ref, ny);
        md->fn.set_reference(sim->model, y);
        sim->have_ref = 1;
        return CALCIFY_OK;
    }
    sim->have_ref = 0;
    sim->memo_valid = 0;
    calcify_status st = calcify_steady_state(md, sim->model, sim->solver, u0,
                                             sim->allow_multiple, y, &sim->check, err);
    if (!st) {
        md->fn.set_reference(sim->model, y);
        memcpy(sim->y_ref, y, ny);
        sim->have_ref = 1;
        sim->memo_valid = 1;
        sim->memo_allow = sim->allow_multiple;
        memcpy(sim->memo_u, u0, md->n_u * sizeof *u0);
    }
    return st;
}

typedef struct calcify_sim_step {
    calcify_sim *sim;
    const calcify_arm *arm;
    calcify_row_fn row;
    void *user;
    calcify_cached_arm *cache;  /* NULL: not cached */
    size_t step_phase;          /* the step being seen (step_seen)  */
    const double *step_u;
    /* the phase whose parameters the model has, when set here or by the
     * arm's loop (NULL: not known), so that a row of it sets none again */
    const calcify_diet_phase *params_of;
} emit_ctx;

/* The observables of state y at t with inputs u under the model's current
 * parameters: the model's, then with `own` the scenario's own (from these
 * and the parameters); non-zero if those fail.  Rows and steps are
 * observed here alike. */
static int observe(emit_ctx *c, double t, const double y[], const double u[], int own,
                   double obs[])
{
    double buf[CALCIFY_MAX_U];
    c->sim->md->fn.observe(c->sim->model, y, inputs_at(c->sim, t, u, buf, NULL), obs);
    return own ? calcify_obs_evaluate(&c->sim->user_obs, c->arm->obs, t, c->sim->p, obs) : 0;
}

static int emit_row(void *user, double t, size_t phase, const double y[],
                    const double u[])
{
    emit_ctx *c = user;
    if (c->cache)
        calcify_armcache_add_row(c->cache, t, phase, y);
    /* a row nobody reads is not observed (calcify_run_arm sets each
     * phase's parameters for its integration itself) */
    if (!c->row || (c->sim->wanted && !c->sim->wanted(c->user, t)))
        return 0;
    double obs[CALCIFY_MAX_OBS];
    const calcify_diet_phase *ph = &c->arm->phases[phase];
    if (c->params_of != ph) { /* a replayed row's */
        use_phase_params(c->sim, ph);
        c->params_of = ph;
    }
    if (observe(c, t, y, u, 1, obs))
        return -1;
    return c->row(c->user, c->arm, t, phase, y, obs);
}

/* The solver's step callback: to the simulator's, with the observables. */
static int step_seen(void *user, double t0, double t1, size_t phase, const double u[],
                     int fresh)
{
    emit_ctx *c = user;
    c->step_phase = phase;
    c->step_u = u;
    return c->sim->step_fn(c->user, c, t0, t1, fresh);
}

int calcify_sim_step_observe(const calcify_sim_step *st, double t, int own, double obs[])
{
    emit_ctx *c = (emit_ctx *)st; /* the run's, handed out const */
    double y[CALCIFY_MAX_STATE];
    calcify_solver_state_at(c->sim->solver, t, y);
    /* in the phase being integrated: its parameters are the model's */
    return observe(c, t, y, c->step_u, own, obs);
}

/* A state no observable asked for reads as NaN (a copy: a loop of NaN
 * stores was 5% of an observation). */
static const double unread_states[CALCIFY_MAX_STATE] = {
    NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN,
    NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN};
_Static_assert(CALCIFY_MAX_STATE == 32, "unread_states: one NaN per state");

int calcify_sim_step_observe_some(const calcify_sim_step *st, double t, const int which[],
                                  size_t n, double obs[])
{
    emit_ctx *c = (emit_ctx *)st;
    const calcify_modeldef *md = c->sim->md;
    int own = !md->fn.observe_some;
    for (size_t i = 0; i < n && !own; i++)
        own = (size_t)which[i] >= md->n_obs;
    if (own)
        return calcify_sim_step_observe(st, t, 1, obs);
    double y[CALCIFY_MAX_STATE], buf[CALCIFY_MAX_U];
    uint32_t reads = md->obs_reads ? 0 : ~(uint32_t)0;
    for (size_t i = 0; i < n && md->obs_reads; i++)
        reads |= md->obs_reads[which[i]];
    memcpy(y, unread_states, sizeof y); /* the states not read: NaN would tell */
    calcify_solver_state_at_some(c->sim->solver, t, reads, y);
    md->fn.observe_some(c->sim->model, y, inputs_at(c->sim, t, c->step_u, buf, NULL), which, n,
                        obs);
    return 0;
}

/* The solver's phases of `arm`: each phase's inputs (under its own
 * parameters: a `set` of body weight or food intake), its bolus events, and
 * the arm's infusions (sim->inf, times from the arm's start). */
static calcify_status arm_phases(calcify_sim *sim, const calcify_arm *arm,
                                 calcify_phase *phases, double (*inputs)[CALCIFY_MAX_U],
                                 calcify_event **events, calcify_error *err)
{
    calcify_status st = CALCIFY_OK;
    double t0 = 0;
    for (size_t k = 0; k < arm->n_phases; k++) {
        const calcify_diet_phase *ph = &arm->phases[k];
        use_phase_params(sim, ph);
        sim->md->fn.inputs(sim->model, ph->diet, inputs[k]);
        phases[k].duration = ph->duration;
        phases[k].input = inputs[k];
        if (!st)
            st = calcify_dose_events(sim->md, ph->doses, ph->n_doses, ph->duration, t0,
                                     sim->growth, sim->p[sim->md->p_body_weight], &events[k],
                                     &phases[k].n_events, err);
        calcify_infusion *pi = NULL;
        size_t npi = 0;
        if (!st)
            st = calcify_dose_infusions(sim->md, ph->doses, ph->n_doses, t0, &pi, &npi, err);
        if (npi)
            memcpy(sim->inf + sim->n_inf, pi, npi * sizeof *pi);
        sim->n_inf += npi;
        free(pi);
        phases[k].events = events[k];
        t0 += ph->duration;
    }
    return st;
}

/* An infusion's edges: events of size 0 where they fall (an infusion may
 * run on into the next piece of a phase cut at endpoint times), so that no
 * stretch the solver integrates straddles one. */
static calcify_status infusion_edges(const calcify_sim *sim, calcify_phase *phases,
                                     calcify_event **events, size_t np, calcify_error *err)
{
    const calcify_infusion *inf = sim->inf;
    double t0 = 0;
    for (size_t k = 0; k < np; k++) {
        const double t1 = t0 + phases[k].duration;
        /* an edge this close to a phase boundary is that boundary's */
        const double eps = calcify_time_tol(t1);
#define ON_IN(f) ((f).t_on >= t0 && (f).t_on < t1 - eps)
#define OFF_IN(f) ((f).t_off > t0 + eps && (f).t_off < t1 - eps)
        size_t extra = 0;
        for (size_t i = 0; i < sim->n_inf; i++)
            extra += (size_t)ON_IN(inf[i]) + (size_t)OFF_IN(inf[i]);
        if (extra) {
            calcify_event *ev = realloc(events[k], (phases[k].n_events + extra) * sizeof *ev);
            if (!ev)
                return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
            size_t m = phases[k].n_events;
            for (size_t i = 0; i < sim->n_inf; i++) {
                if (ON_IN(inf[i]))
                    ev[m++] = (calcify_event){inf[i].t_on - t0, inf[i].state, 0.0};
                if (OFF_IN(inf[i]))
                    ev[m++] = (calcify_event){inf[i].t_off - t0, inf[i].state, 0.0};
            }
            qsort(ev, m, sizeof *ev, cmp_event_time);
            events[k] = ev;
            phases[k].events = ev;
            phases[k].n_events = m;
        }
#undef ON_IN
#undef OFF_IN
        t0 = t1;
    }
    return CALCIFY_OK;
}

/* The rows of the phases [0, first) that this arm shares with the cached
 * arm src, written again; y becomes the state at the end of them. */
static calcify_status replay_shared(emit_ctx *ctx, const calcify_cached_arm *src,
                                    size_t first, double (*inputs)[CALCIFY_MAX_U], double y[])
{
    /* not the cached arm's own end row, if the prefix was all of it: this
     * arm writes its next phase's first row there instead */
    double t_shared = 0;
    for (size_t p = 0; p < first; p++)
        t_shared += ctx->arm->phases[p].duration;
    const double eps = calcify_time_tol(t_shared);
    for (size_t i = 0; i < src->n_rows; i++) {
        const double *r = calcify_armcache_row(src, i);
        const double t = calcify_armcache_row_t(r);
        const size_t phase = calcify_armcache_row_phase(r);
        if (phase >= first || t >= t_shared - eps)
            break;
        if (emit_row(ctx, t, phase, calcify_armcache_row_y(r), inputs[phase]))
            return CALCIFY_EIO;
    }
    const calcify_sim *sim = ctx->sim;
    const int carry = sim->step_fn && ctx->row; /* the summary at their end */
    for (size_t p = 0; ctx->cache && p < first; p++) {
        if (carry)
            calcify_armcache_add_carry(ctx->cache, src->carry + p * sim->n_carry, sim->n_carry);
        calcify_armcache_add_boundary(ctx->cache, src->boundary[p]);
    }
    if (carry)
        memcpy(sim->carry, src->carry + (first - 1) * sim->n_carry,
               sim->n_carry * sizeof *sim->carry);
    memcpy(y, src->boundary[first - 1], sim->md->n_state * sizeof *y);
    return CALCIFY_OK;
}

calcify_status calcify_sim_run_arm(calcify_sim *sim, const calcify_arm *arm,
                                   const double y0[], double dt,
                                   calcify_row_fn row, void *user,
                                   calcify_error *err)
{
    const size_t np = arm->n_phases;
    calcify_phase *phases = calloc(np, sizeof *phases);
    double (*inputs)[CALCIFY_MAX_U] = calloc(np, sizeof *inputs);
    calcify_event **events = calloc(np, sizeof *events);
    size_t n_inf_max = 0;
    for (size_t k = 0; k < np; k++)
        for (size_t i = 0; i < arm->phases[k].n_doses; i++)
            if (arm->phases[k].doses[i].duration > 0)
                n_inf_max += (size_t)arm->phases[k].doses[i].count;
    calcify_infusion *inf = n_inf_max ? malloc(n_inf_max * sizeof *inf) : NULL;
    if (!phases || !inputs || !events || (n_inf_max && !inf)) {
        free(phases);
        free(inputs);
        free(events);
        free(inf);
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    }
    sim->inf = inf;
    sim->n_inf = 0;
    /* an arm with its own growth table runs with it, and shares no
     * integration with other arms (the cache knows phases, not tables) */
    const calcify_growth *scenario_growth = sim->growth;
    if (arm->growth) {
        calcify_armcache_clear(&sim->cache);
        sim->growth = arm->growth;
        sim->sys.time_dependent = 1;
    }
    calcify_status st = arm_phases(sim, arm, phases, inputs, events, err);
    if (!st)
        st = infusion_edges(sim, phases, events, np, err);
    size_t first = 0;
    const int see_steps = sim->step_fn && row;
    const calcify_cached_arm *src = calcify_armcache_find(&sim->cache, arm, y0, dt,
                                                          sim->boundary_rows, &first);
    /* replayed phases carry no steps: only with the step summary kept */
    if (src && see_steps && (!sim->n_carry || src->n_carry != sim->n_carry)) {
        src = NULL;
        first = 0;
    }
    emit_ctx ctx = {sim, arm, row, user, calcify_armcache_start(&sim->cache, arm, src,
                                                                 sim->rows_until), 0,
                    NULL, NULL};
    if (see_steps)
        calcify_solver_set_step_fn(sim->solver, step_seen, &ctx);
    double y[CALCIFY_MAX_STATE];
    memcpy(y, y0, sim->md->n_state * sizeof *y);
    if (!st && first > 0) /* replay the shared phases */
        st = replay_shared(&ctx, src, first, inputs, y);
    calcify_failure fail;
    for (size_t p = first; !st && p < arm->n_phases; p++) {
        use_phase_params(sim, &arm->phases[p]);
        ctx.params_of = &arm->phases[p];
        if (p > first && calcify_phase_continues(&arm->phases[p - 1], &arm->phases[p]))
            calcify_solver_continue_next(sim->solver);
        st = calcify_solver_run_from(sim->solver, phases, arm->n_phases, p, p + 1, y, dt,
                                     emit_row, &ctx, &fail);
        if (!st && ctx.cache && see_steps)
            calcify_armcache_add_carry(ctx.cache, sim->carry, sim->n_carry);
        if (!st && ctx.cache)
            calcify_armcache_add_boundary(ctx.cache, y);
    }
    calcify_solver_set_step_fn(sim->solver, NULL, NULL);
    for (size_t k = 0; k < np; k++)
        free(events[k]);
    free(events);
    if (arm->growth) {
        sim->growth = scenario_growth;
        sim->sys.time_dependent = scenario_growth != NULL;
        calcify_armcache_clear(&sim->cache);
    }
    /* no infusion outlives its arm (the baseline, the next arm) */
    free(inf);
    sim->inf = NULL;
    sim->n_inf = 0;
    sim->inf_on = 0;
    free(inputs);
    free(phases);
    use_phase_params(sim, NULL);
    if (st && ctx.cache)
        ctx.cache->n_phases = 0; /* a failed or interrupted arm is not reused */
    if (st == CALCIFY_ESOLVER)
        return calcify_fail(err, st, "arm '%s', phase %zu: integration failed at "
                            "t = %.6g d: %s", arm->name, fail.phase + 1, fail.t,
                            gsl_strerror(fail.gsl_status));
    if (st == CALCIFY_EIO)
        return calcify_fail(err, st, "arm '%s': writing a row failed", arm->name);
    return st;
}

calcify_status calcify_sim_run_scenario(calcify_sim *sim,
                                        const calcify_scenario *sc,
                                        const unsigned char *selected,
                                        double dt, calcify_row_fn row,
                                        void *user, calcify_error *err)
{
    double y0[CALCIFY_MAX_STATE];
    calcify_sim_set_growth(sim, sc->growth);
    calcify_status st = calcify_sim_baseline(sim, sc->baseline, y0, err);
    /* the arms to come are known: an arm's rows are kept only for the
     * phases a later arm will replay from it (the first arm with the
     * longest prefix it shares: calcify_armcache_find's choice), less than
     * all of their own.  Without this every row of every arm was kept. */
    size_t *until = calloc(sc->n_arms ? sc->n_arms : 1, sizeof *until);
    for (size_t j = 0; until && j < sc->n_arms; j++) {
        if ((selected && !selected[j]) || sc->arms[j].n_phases == 0)
            continue;
        size_t best = 0, from = 0;
        for (size_t k = 0; k < j; k++) {
            if (selected && !selected[k])
                continue;
            size_t n = calcify_armcache_common(&sc->arms[k], &sc->arms[j]);
            if (n > best)
                best = n, from = k;
        }
        if (best > until[from])
            until[from] = best;
    }
    for (size_t k = 0; !st && k < sc->n_arms; k++) {
        if (selected && !selected[k])
            continue;
        sim->rows_until = until ? until[k] : SIZE_MAX;
        st = calcify_sim_run_arm(sim, &sc->arms[k], y0, dt, row, user, err);
    }
    free(until);
    sim->rows_until = SIZE_MAX;
    return st;
}
