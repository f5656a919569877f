/* sensitivity.c — central differences with step selection. */
#include <math.h>
#include <stdlib.h>

#include "calcify/batch.h"
#include "calcify/sensitivity.h"

const double calcify_sens_steps[CALCIFY_SENS_NSTEP] = {1e-2, 1e-3, 1e-4};

/* the absolute step of relative step h at value p */
static double step_of(double p, double h) { return p != 0 ? fabs(p) * h : h; }

calcify_status calcify_sensitivity_run(const calcify_sens_opts *o, double *value,
                                       calcify_sens *out, size_t *failed,
                                       calcify_error *err)
{
    const size_t np = o->n_params, n_out = o->probe->n_out;
    const size_t per = 2 * CALCIFY_SENS_NSTEP, runs = 1 + per * np;
    double *values = malloc(runs * (np ? np : 1) * sizeof *values);
    double *y = malloc(runs * n_out * sizeof *y);
    unsigned char *status = malloc(runs);
    if (!values || !y || !status) {
        free(values), free(y), free(status);
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    }
    /* run 0: the parameters as given; run 1 + i·6 + 2s (+1): p_i(1 + h_s) (− h_s) */
    for (size_t r = 0; r < runs; r++)
        for (size_t j = 0; j < np; j++)
            values[r * np + j] = o->sc->params.value[o->params[j]];
    for (size_t i = 0; i < np; i++)
        for (size_t s = 0; s < CALCIFY_SENS_NSTEP; s++) {
            double p = o->sc->params.value[o->params[i]];
            double dp = step_of(p, calcify_sens_steps[s]);
            values[(1 + i * per + 2 * s) * np + i] = p + dp;
            values[(2 + i * per + 2 * s) * np + i] = p - dp;
        }
    calcify_batch_opts bo = {
        .sc = o->sc, .probe = o->probe, .params = o->params, .n_params = np,
        .values = values, .first = 0, .last = runs, .threads = o->threads,
        .progress = o->progress, .user = o->user};
    calcify_status st = calcify_batch_run(&bo, y, status, err);
    if (!st) {
        if (failed) {
            *failed = 0;
            for (size_t r = 0; r < runs; r++)
                *failed += status[r] != 0;
        }
        for (size_t k = 0; k < n_out; k++)
            value[k] = y[k];
        for (size_t i = 0; i < np; i++) {
            double p = o->sc->params.value[o->params[i]];
            for (size_t k = 0; k < n_out; k++) {
                double D[CALCIFY_SENS_NSTEP];
                for (size_t s = 0; s < CALCIFY_SENS_NSTEP; s++) {
                    double dp = step_of(p, calcify_sens_steps[s]);
                    double up = y[(1 + i * per + 2 * s) * n_out + k];
                    double dn = y[(2 + i * per + 2 * s) * n_out + k];
                    /* the actual spread of the two values, not 2·dp: p ± dp
                     * is rounded, and the rounding matters at h = 1e-4 */
                    double spread = (p + dp) - (p - dp);
                    D[s] = (up - dn) / spread;
                }
                /* the best-agreeing neighbours; report the finer of them */
                size_t best = 1;
                double best_err = INFINITY;
                for (size_t s = 1; s < CALCIFY_SENS_NSTEP; s++) {
                    double e = fabs(D[s] - D[s - 1]);
                    if (e < best_err || (isnan(best_err) && !isnan(e)))
                        best = s, best_err = e;
                }
                calcify_sens *c = &out[i * n_out + k];
                c->sensitivity = D[best];
                c->error = best_err;
                c->step = calcify_sens_steps[best];
                /* ∂ln y/∂ln p of an output at integration noise around zero
                 * (below CALCIFY_SENS_FLOOR in its own unit) is noise */
                c->normalised = p != 0 && fabs(value[k]) > CALCIFY_SENS_FLOOR &&
                                        isfinite(value[k])
                                    ? D[best] * p / value[k] : NAN;
            }
        }
    }
    free(values);
    free(y);
    free(status);
    return st;
}
