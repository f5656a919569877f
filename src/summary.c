/* summary.c — endpoints of an arm, and their CSV rows. */
#include <math.h>
#include <string.h>

#include "calcify/summary.h"

const char *const calcify_summary_names[CALCIFY_NSUMMARY] = {
    [CALCIFY_SUMMARY_CA_W0] = "ca_week0_ug_per_mg",
    [CALCIFY_SUMMARY_CA_W6] = "ca_week6_ug_per_mg",
    [CALCIFY_SUMMARY_CA_W12] = "ca_week12_ug_per_mg",
    [CALCIFY_SUMMARY_CA_CHANGE] = "ca_change_week6_to_12_ug_per_mg",
    [CALCIFY_SUMMARY_CMGP_W12] = "cmgp_fraction_week12",
    [CALCIFY_SUMMARY_CLOT_W6] = "clotting_activity_rel_week6",
    [CALCIFY_SUMMARY_DIST_W12] = "distensibility_rel_week12",
};

/* the endpoints' times, d: weeks 0, 6 and 12 */
static const double WEEK6 = 42.0, WEEK12 = 84.0;

void calcify_arm_summary_failed(calcify_arm_summary *out, const char *status)
{
    out->status = status;
    for (int i = 0; i < CALCIFY_NSUMMARY; i++)
        out->value[i] = NAN;
    out->steps = out->rhs_evals = 0;
}

static int capture(void *user, const calcify_arm *arm, double t, size_t phase,
                   const double y[], const double o[CALCIFY_NOBS])
{
    (void)arm, (void)phase, (void)y;
    double *v = user;
    if (t == 0) {
        v[CALCIFY_SUMMARY_CA_W0] = o[CALCIFY_O_CA_AORTA];
    } else if (t == WEEK6) {
        v[CALCIFY_SUMMARY_CA_W6] = o[CALCIFY_O_CA_AORTA];
        v[CALCIFY_SUMMARY_CLOT_W6] = o[CALCIFY_O_CLOTTING];
    } else if (t == WEEK12) {
        v[CALCIFY_SUMMARY_CA_W12] = o[CALCIFY_O_CA_AORTA];
        v[CALCIFY_SUMMARY_CMGP_W12] = o[CALCIFY_O_CMGP_FRACTION];
        v[CALCIFY_SUMMARY_DIST_W12] = o[CALCIFY_O_DISTENSIBILITY];
    }
    return 0;
}

calcify_status calcify_sim_summarize_arm(calcify_sim *sim, const calcify_arm *arm,
                                         const double y0[CALCIFY_NSTATE],
                                         calcify_arm_summary *out,
                                         calcify_error *err)
{
    calcify_arm_summary_failed(out, "ok");
    calcify_solver *solver = calcify_sim_solver(sim);
    unsigned long steps0 = calcify_solver_steps(solver);
    unsigned long rhs0 = calcify_solver_rhs_evals(solver);
    /* the grid of 42 d lands exactly on weeks 0, 6, 12 and nowhere else */
    calcify_status st = calcify_sim_run_arm(sim, arm, y0, WEEK6, capture, out->value, err);
    out->steps = calcify_solver_steps(solver) - steps0;
    out->rhs_evals = calcify_solver_rhs_evals(solver) - rhs0;
    if (st) {
        calcify_arm_summary_failed(out, "solver_failed");
        return st;
    }
    out->value[CALCIFY_SUMMARY_CA_CHANGE] =
        out->value[CALCIFY_SUMMARY_CA_W12] - out->value[CALCIFY_SUMMARY_CA_W6];
    return CALCIFY_OK;
}

char *calcify_param_column(int param, char *buf, size_t cap)
{
    const calcify_param_def *d = &calcify_param_defs[param];
    size_t n = (size_t)snprintf(buf, cap, "%s", d->name);
    if (strcmp(d->unit, "1") == 0)
        return buf;
    if (n + 1 < cap)
        buf[n++] = '_', buf[n] = '\0';
    for (const char *u = d->unit; *u && n + 6 < cap; u++) {
        if (*u == '/') {
            memcpy(buf + n, "_per_", 6);
            n += 5;
        } else {
            buf[n++] = *u;
            buf[n] = '\0';
        }
    }
    /* "1/d" reads better as "per_d" than "1_per_d" */
    char *one = strstr(buf, "_1_per_");
    if (one)
        memmove(one + 1, one + 3, strlen(one + 3) + 1);
    return buf;
}

void calcify_summary_write_header(FILE *fp, int with_run_id, const int *params,
                                  size_t n_params)
{
    const char *sep = "";
    if (with_run_id) {
        fputs("run_id", fp);
        sep = ",";
    }
    for (size_t i = 0; i < n_params; i++) {
        char col[128];
        fprintf(fp, "%s%s", sep, calcify_param_column(params[i], col, sizeof col));
        sep = ",";
    }
    fprintf(fp, "%sarm,status", sep);
    for (int i = 0; i < CALCIFY_NSUMMARY; i++)
        fprintf(fp, ",%s", calcify_summary_names[i]);
    fputs(",steps,rhs_evals\n", fp);
}

static void number(FILE *fp, int precision, double v)
{
    if (isfinite(v))
        fprintf(fp, ",%.*g", precision, v);
    else
        fputc(',', fp); /* empty: NA in R, NaN in pandas */
}

void calcify_summary_write_row(FILE *fp, int precision, long run_id,
                               const double *param_values, size_t n_params,
                               const char *arm, const calcify_arm_summary *s)
{
    const char *sep = "";
    if (run_id >= 0) {
        fprintf(fp, "%ld", run_id);
        sep = ",";
    }
    for (size_t i = 0; i < n_params; i++) {
        fprintf(fp, "%s%.*g", sep, 17, param_values[i]);
        sep = ",";
    }
    fprintf(fp, "%s%s,%s", sep, arm, s->status);
    for (int i = 0; i < CALCIFY_NSUMMARY; i++)
        number(fp, precision, s->value[i]);
    fprintf(fp, ",%lu,%lu\n", s->steps, s->rhs_evals);
}
