/* engine.h — inside the solver (src/engine/): the solver's state and the
 * functions its files share.  Not part of the library's API.
 *
 * The engine is split the way GSL splits ode-initval2, one job a file:
 *   steppers.c  the registry of methods (names, GSL step types, needs)
 *   rosenbrock.c, bdf.c  calcify's own stiff steppers (on blocklu.c)
 *   solver.c    the solver object: alloc, free, settings, counters
 *   control.c   the step-size control (GSL's standard one, vectorised)
 *   checks.c    the RHS and Jacobian as GSL sees them, with finiteness checks
 *   step.c      one accepted step, and auto's switch to a stiff stepper
 *   rows.c      output rows between steps: Hermite, values, fills; the
 *               step callback and the state inside the step it reports
 *   phases.c    the phase driver: phases, doses, segments, the output grid
 */
#ifndef CALCIFY_ENGINE_H
#define CALCIFY_ENGINE_H

#include <gsl/gsl_odeiv2.h>

#include "calcify/solver.h"
#include "engine/blocklu.h"

/* One entry of the registry (steppers.c). */
typedef struct {
    const char *name;
    const gsl_odeiv2_step_type *const *type;
    int needs_jacobian;
    int iterates;       /* solves for its step (implicit or corrector) */
    int dense;          /* has its own dense output (engine_dense_output) */
} engine_stepper;

/* The entry named `name`, NULL if none ("auto" is not an entry). */
const engine_stepper *engine_stepper_find(const char *name);
/* 1 if `name` is "auto" or one of its variants ("auto-rodas4"). */
int engine_stepper_is_auto(const char *name);
/* That auto's explicit stepper (stiff = 0) and its stiff one (stiff = 1). */
const engine_stepper *engine_stepper_auto(const char *name, int stiff);
/* Its stiff stepper runs its error test at this multiple of the
 * tolerances asked for */
double engine_stepper_auto_tol_scale(const char *name);

/* GSL's standard control in its y_new form (a_y = 1, a_dydt = 0), the same
 * decisions to the bit (control.c); NULL if out of memory. */
gsl_odeiv2_control *engine_control_y_new(double eps_abs, double eps_rel);
/* Take that control's AVX2 path (on, where the CPU has it) or its SSE2 one;
 * returns whether the AVX2 one is taken (0 if c is not it).  For tests: both
 * give the same bits. */
int engine_control_use_avx2(gsl_odeiv2_control *c, int on);

/* Accepted states kept for rows behind an iterating stepper: a quintic
 * through six of them matches BDF's highest order. */
enum { NODES = 6 };

struct calcify_solver {
    const calcify_system *sys;
    gsl_odeiv2_system gsys;
    gsl_odeiv2_driver *driver;        /* the active one                     */
    gsl_odeiv2_driver *explicit_drv;  /* auto: where each phase starts      */
    gsl_odeiv2_driver *stiff_drv;     /* auto: where a stiff phase goes     */
    unsigned long n_switches;         /* auto: phases handed to its stiff
                                         stepper                            */
    const double *u;              /* inputs of the phase being integrated */
    unsigned long n_rhs, n_jac, n_steps;
    double rtol, atol;
    int land_on_grid;             /* shorten steps to hit rows exactly     */
    int check_each_rhs;           /* finiteness per RHS call (implicit)    */
    int explicit_checks;          /* the explicit driver's check_each_rhs  */
    int stiff_checks;             /* auto: the stiff driver's              */
    int switch_due;               /* auto: hand over before the next step  */
    int continue_next;            /* calcify_solver_continue_next was asked */
    int have_last;                /* t_last is where the last segment ended */
    double t_last;
    double hcap;                  /* step cap that keeps rows accurate, 0: none */
    double *scratch;              /* dim doubles: equilibrium test, rows   */
    double *f0, *f1;              /* dy/dt at the ends of the last step    */
    double *c3, *c3_prev;         /* third derivative of the cubic of the
                                     last step and of the one before, per
                                     state (row error estimate)            */
    double c3_h, c3_prev_h;       /* those steps' lengths, 0: none         */
    unsigned long n_fills;        /* rows integrated to (fill_row)         */
    unsigned seg_rows, seg_fills; /* value rows and fills in this segment  */
    unsigned long next_check;     /* auto: explicit step count of the next
                                     stiffness test, and the interval after */
    unsigned long check_every;
    double *jac;                  /* auto: dim² for the stiffness test,    */
    unsigned *jac_col;            /* its non-zeros' columns (dim²) and     */
    size_t *jac_row_end;          /* where each row's end (dim)            */
    /* behind an iterating stepper: the last accepted states of the segment,
     * oldest first, for rows by polynomial interpolation of values       */
    double node_t[NODES];
    double *node_y[NODES];
    int n_nodes;
    gsl_odeiv2_driver *fill_drv;  /* the iterating stepper again, for a row
                                     interpolation cannot vouch for        */
    double t_seg_end;             /* end of the segment being integrated   */
    int boundary_rows;            /* also a row at each phase start        */
    /* calcify_solver_set_step_fn: the callback per accepted step, and the
     * step being reported (calcify_solver_state_at)                      */
    calcify_step_fn step_fn;
    void *step_user;
    int step_held;                /* segment reports it (after its retake test) */
    int step_fresh;               /* the next stretch starts a segment     */
    int step_kind;                /* STEP_* below                          */
    size_t step_phase;
    double step_t1;
    const double *step_y1;
};

/* How the reported stretch is evaluated inside (rows.c) */
enum { STEP_CONST, STEP_DENSE, STEP_HERMITE, STEP_NODES };

/* Initial step after a start or a phase switch, d: small enough for the
 * fastest process (absorption, ~1 h), the controller grows it from there. */
static const double H_START = 1e-4;
/* Steps per driver call before it gives up with GSL_EMAXITER. */
static const unsigned long MAX_STEPS = 10000000UL;
/* segment()'s status when an emit asked to stop: no GSL code. */
enum { STOPPED = -1000 };
/* Retakes of one step for the sake of its rows before landing on them. */
static const int MAX_RETAKES = 2;

/* rosenbrock.c: Rodas4 on blocklu.c, and its dense output */
extern const gsl_odeiv2_step_type *const engine_step_rodas4;
/* 1 and the state at t inside the stepper's last step in out[], or 0 if
 * the stepper has no dense output */
int engine_dense_output(const gsl_odeiv2_step *st, double t, double out[]);
/* bdf's dense output for the states whose bits are set only, each the
 * value engine_dense_output gives; 0 if st is not bdf or has no step. */
int engine_bdf_dense_output_some(const gsl_odeiv2_step *st, double t, uint32_t states,
                                 double out[]);
int engine_has_dense_output(const gsl_odeiv2_step *st);

/* bdf.c: variable-order BDF on blocklu.c; its dense output (the Nordsieck
 * polynomial of its last step), 0 if st is not it or has no step */
extern const gsl_odeiv2_step_type *const engine_step_bdf;
int engine_bdf_dense_output(const gsl_odeiv2_step *st, double t, double out[]);
int engine_is_bdf(const gsl_odeiv2_step *st);
/* Take bdf's AVX2 path (on, where the CPU has it) or its SSE2 one; returns
 * whether the AVX2 one is taken.  For tests: both give the same bits. */
int engine_bdf_use_avx2(gsl_odeiv2_step *st, int on);

/* The steppers' loops over the states compiled a second time for AVX2
 * (four states at a time; GCC on x86-64), taken where the CPU has it.  No
 * FMA in either: both paths give the same bits.  engine_avx2(on): whether
 * a stepper takes that path when asked to (on), here. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define ENGINE_AVX2 1
#endif
int engine_avx2(int on);

/* rkck.c: GSL's Cash–Karp pair, the same bits, several states at a time;
 * its AVX2 path on or off as bdf's (0 if st is not it) */
extern const gsl_odeiv2_step_type *const engine_step_rkck;
int engine_rkck_use_avx2(gsl_odeiv2_step *st, int on);

/* checks.c */
int engine_all_finite(const double *v, size_t n);
int engine_rhs(double t, const double y[], double dydt[], void *params);
int engine_jac(double t, const double y[], double *dfdy, double dfdt[], void *params);
/* J (and ∂f/∂t) at (t, y) from sys, loaded into lu on its pattern: every
 * entry ever seen non-zero, searched for on the first load after *loads was
 * reset to 0 and every 16th (checks.c says why and how).  scratch: n
 * doubles.  0, or the Jacobian's or the load's GSL status. */
int engine_jacobian_load(engine_blocklu *lu, const gsl_odeiv2_system *sys, double t,
                         const double y[], double *J, double *dfdt, double *scratch,
                         unsigned long *loads);

/* step.c */
void engine_segment_start(calcify_solver *s, double t_end);
int engine_step(calcify_solver *s, double *t, double t_end, double y[]);
int engine_advance(calcify_solver *s, double *t, double t1, double y[], int still);
double engine_spectral_radius(calcify_solver *s, double t, const double y[]);
/* auto's test for stiffness: an explicit step with h·ρ(J) above this, at
 * relative tolerance rtol, is held by the fast modes (step.c). */
double engine_auto_stiff_hrho(double rtol);

/* rows.c */
void engine_cubic_update(calcify_solver *s, const double y1[]);
double engine_row_error(const calcify_solver *s, const double y1[]);
void engine_interpolate(const calcify_solver *s, double tg, double t1, const double y1[],
                        double out[]);
void engine_node_push(calcify_solver *s, double t, const double y[]);
double engine_value_row(const calcify_solver *s, double tg, double out[]);
int engine_fill_row(calcify_solver *s, double tg, double out[]);
int engine_rows_by_values(const calcify_solver *s);
int engine_interpolating(const calcify_solver *s);
int engine_dense_rows(const calcify_solver *s);
int engine_report_step(calcify_solver *s, double t0, double t1, const double y1[], int still);

#endif
