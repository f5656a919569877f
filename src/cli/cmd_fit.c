/* cmd_fit.c — `calcify fit`: estimate free parameters from targets. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calcify/fit.h"
#include "calcify/output.h"
#include "calcify/params.h"
#include "cli/cli.h"
#include "cli/options.h"
#include "base/suggest.h"

/* Parameters and columns are named as those of the model parameter files
 * are read for (calcify/params.h): the scenario's. */
#define MD (calcify_params_file_model())

/* The help page; the options are in src/cli/options.c. */
static const cli_command_doc doc = {
    CLI_CMD_FIT, "fit",
    "fit SCENARIO --data FILE... --free P1,P2,... [-o PARAMFILE]\n"
    "                   [--table FILE]\n",
    "Estimate the free parameters of SCENARIO from the targets in the FILEs by\n"
    "weighted nonlinear least squares (GSL multifit_nlinear, trust region).\n"
    "Residuals are (simulated - target) / sigma with sigma = sd/sqrt(n) where\n"
    "a row gives sd (and n), else (accept_hi - accept_lo) / 4; rows without a\n"
    "target value or either of those are not fitted.\n"
    "\n"
    "Each free parameter stays in its admissible range [lo, hi], the one\n"
    "parameter files and --set are checked against: it is fitted as\n"
    "x = ln((p - lo)/(hi - p)), the log scale for ranges starting at 0.  An\n"
    "estimate within 1e-6 of the range's width from a bound is reported as\n"
    "at that bound and held there, without a standard error.\n"
    "Standard errors: std_error = sqrt(diag((J'J)^-1)), right when the\n"
    "sigmas are; se_scaled = std_error * s with s^2 = SS/(n - p), the sum of\n"
    "squared residuals over the degrees of freedom (n data rows; a row that\n"
    "stands for several arms weighs and counts as one), right when the sigmas\n"
    "are off by a common factor (none without degrees of freedom).\n"
    "\n"
    "Prints estimates with both standard errors, their correlations and, for\n"
    "every target, the simulated value, the target and the residual; with -o\n"
    "writes the whole parameter set as a parameter file whose fitted entries\n"
    "say what they were fitted to, their standard errors or their bound.\n",
    "The shipped models/rat_wky.cfg is the output of:\n"
    "  calcify fit models/vermeer2007.cfg --params models/rat_wky_prior.cfg \\\n"
    "      --data models/data/schurgers2007.csv \\\n"
    "      --free ca_dep_max,ca_reg_max -o models/rat_wky.cfg\n"};

/* --profile: a rise of the sum of squares by 3.84 (chi-squared, 1 dof, 95%) */
static const double PROFILE_DELTA = 3.84;
/* --starts: starts within x ± 2 on the fit's scale (a factor e^2 ≈ 7.4 either
 * way for a rate constant), and "the same optimum" within 1e-3 relative */
static const double STARTS_SPREAD = 2.0, STARTS_SAME = 1e-3;

static void show_progress(void *user, size_t iter, double chisq)
{
    (void)user;
    fprintf(stderr, "\rfit: iteration %zu, sum of squares %.6g   ", iter, chisq);
    fflush(stderr);
}

/* "at its upper bound 100 ug/mg/d" for a parameter the fit left at a
 * bound of its range; "" inside it. */
static const char *bound_text(const calcify_fit_result *res, size_t j, char *buf,
                              size_t cap)
{
    const calcify_param_def *d = &MD->params[res->free[j]];
    buf[0] = '\0';
    if (res->at_bound[j])
        snprintf(buf, cap, "at its %s bound %g %s", res->at_bound[j] < 0 ? "lower" : "upper",
                 res->at_bound[j] < 0 ? d->lo : d->hi, d->unit);
    return buf;
}

/* Estimates with both standard errors, each bound hit on a line of its own. */
static void print_estimates(const calcify_fit_result *res)
{
    printf("%-16s %12s %12s %8s %12s %s\n", "parameter", "estimate", "std_error",
           "rel_se", "se_scaled", "unit");
    for (size_t j = 0; j < res->n_free; j++) {
        const calcify_param_def *d = &MD->params[res->free[j]];
        char se[32] = "-", rel[32] = "-", scaled[32] = "-";
        if (isfinite(res->se[j])) {
            snprintf(se, sizeof se, "%.4g", res->se[j]);
            snprintf(rel, sizeof rel, "%.1f%%", 100 * res->se[j] / fabs(res->estimate[j]));
        }
        if (isfinite(res->se_scaled[j]))
            snprintf(scaled, sizeof scaled, "%.4g", res->se_scaled[j]);
        printf("%-16s %12.6g %12s %8s %12s %s\n", d->name, res->estimate[j], se, rel,
               scaled, d->unit);
    }
    if (isfinite(res->s2))
        printf("se_scaled = std_error * s, s^2 = SS/(n - p) = %.6g / %d = %.4g\n",
               res->chisq, res->dof, res->s2);
    else
        printf("se_scaled: none (no degrees of freedom for s^2 = SS/(n - p))\n");
    for (size_t j = 0; j < res->n_free; j++) {
        char bound[128];
        if (bound_text(res, j, bound, sizeof bound)[0])
            printf("%s: %s (held there: no standard error)\n",
                   MD->params[res->free[j]].name, bound);
    }
}

static int parse_free(const char *list, int *free_idx, size_t *n)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", list);
    *n = 0;
    for (char *save, *tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        int i = calcify_modeldef_param(MD, tok);
        if (i < 0) {
            char near[256];
            calcify_suggest_strided(tok, &MD->params[0].name, MD->n_param, sizeof MD->params[0], near, sizeof near);
            fprintf(stderr, "calcify: --free: unknown parameter '%s' (see "
                    "calcify params SCENARIO)%s%s%s\n", tok,
                    near[0] ? "; did you mean " : "", near, near[0] ? "?" : "");
            return -1;
        }
        for (size_t k = 0; k < *n; k++)
            if (free_idx[k] == i) {
                fprintf(stderr, "calcify: --free: '%s' listed twice\n", tok);
                return -1;
            }
        free_idx[(*n)++] = i;
    }
    if (*n == 0) {
        fputs("calcify: --free: expected at least one parameter name\n", stderr);
        return -1;
    }
    return 0;
}

/* The fit's report: estimates, correlations, every residual. */
static void print_report(const calcify_scenario *sc, const calcify_targets *tg,
                         const calcify_fit_result *res, const char *data_list)
{
    const size_t n_free = res->n_free;
    printf("fit of %s to %s: %zu iterations, sum of squares %.6g -> %.6g, "
           "%zu residuals from %zu data rows, %d degrees of freedom\n\n",
           sc->path, data_list, res->iterations, res->chisq0, res->chisq, res->n_resid,
           res->n_rows, res->dof);
    print_estimates(res);
    printf("\ncorrelations\n%-16s", "");
    for (size_t k = 0; k < n_free; k++)
        printf(" %12.12s", MD->params[res->free[k]].name);
    for (size_t j = 0; j < n_free; j++) {
        printf("\n%-16s", MD->params[res->free[j]].name);
        for (size_t k = 0; k < n_free; k++)
            if (isfinite(res->corr[j * n_free + k]))
                printf(" %12.3f", res->corr[j * n_free + k]);
            else /* a parameter held at a bound */
                printf(" %12s", "-");
    }
    printf("\n\n%-4s %-15s %-13s %5s %-30s %10s %10s %8s %9s\n", "row", "label",
           "arm", "week", "observable", "simulated", "target", "accept", "residual");
    for (size_t i = 0; i < res->n_resid; i++) {
        const calcify_target *t = &tg->items[res->resid_target[i]];
        char range[48], row[32];
        if (isfinite(t->sd))
            snprintf(range, sizeof range, "sd %g", t->sd);
        else
            snprintf(range, sizeof range, "%g..%g", t->lo, t->hi);
        if (tg->n_paths > 1) /* file number:row */
            snprintf(row, sizeof row, "%zu:%d", t->file + 1, t->row);
        else
            snprintf(row, sizeof row, "%d", t->row);
        printf("%-4s %-15s %-13s %5g %-30s %10.4g %10g %8s %9.3f\n", row, t->label,
               sc->arms[t->arm].name, t->week, t->observable, res->simulated[i],
               t->target, range, res->resid[i]);
    }
}

/* The fitted parameter file: every fitted entry says what it was fitted
 * to, its standard errors or its bound. */
static calcify_status write_params(calcify_scenario *sc, const calcify_targets *tg,
                                   const calcify_fit_result *res, const cli_model_opts *mo,
                                   const char *data_args, const char *free_list,
                                   const char *output, calcify_error *err)
{
    /* "FILE rows 2,3,5; FILE2 rows 2" */
    char rows[1536] = "";
    int last = -1;
    size_t last_file = (size_t)-1;
    for (size_t i = 0; i < res->n_resid; i++) {
        const calcify_target *t = &tg->items[res->resid_target[i]];
        if (t->row == last && t->file == last_file)
            continue;
        if (t->file != last_file)
            snprintf(rows + strlen(rows), sizeof rows - strlen(rows), "%s%s rows %d",
                     last < 0 ? "" : "; ", tg->paths[t->file], t->row);
        else
            snprintf(rows + strlen(rows), sizeof rows - strlen(rows), ",%d", t->row);
        last = t->row;
        last_file = t->file;
    }
    calcify_status st = CALCIFY_OK;
    for (size_t j = 0; !st && j < res->n_free; j++) {
        char origin[2048], bound[128];
        if (bound_text(res, j, bound, sizeof bound)[0])
            snprintf(origin, sizeof origin, "fitted to %s (calcify fit; %s)", rows, bound);
        else if (isfinite(res->se_scaled[j]))
            snprintf(origin, sizeof origin, "fitted to %s (calcify fit; SE %.3g %s, "
                     "%.3g scaled by the residual variance)", rows, res->se[j],
                     MD->params[res->free[j]].unit, res->se_scaled[j]);
        else
            snprintf(origin, sizeof origin, "fitted to %s (calcify fit; SE %.3g %s)", rows,
                     res->se[j], MD->params[res->free[j]].unit);
        st = calcify_paramset_set(&sc->params, res->free[j], res->estimate[j], origin, err);
    }
    char header[6144];
    snprintf(header, sizeof header,
             "calcify parameter set, written by calcify fit.  Regenerate with:\n"
             "  calcify fit %s%s%s %s --free %s -o %s\n"
             "Literature and assumed values come from the starting file\n"
             "(%s); see docs/MODEL.md for the equations.",
             sc->path, mo->params ? " --params " : "", mo->params ? mo->params : "",
             data_args, free_list, output, sc->param_path);
    if (!st)
        st = calcify_paramset_write(&sc->params, output, header, err);
    return st;
}

/* --starts: fits from n seeded starts; the best is where the main fit then
 * starts.  One line per start and how many found the best. */
static calcify_status run_starts(calcify_scenario *sc, const calcify_targets *tg,
                                 const int *free_idx, size_t n_free, long n, long seed,
                                 calcify_error *err)
{
    calcify_fit_starts fs;
    calcify_status st = calcify_fit_multistart(sc, tg, free_idx, n_free, (size_t)n,
                                               STARTS_SPREAD, (unsigned long)seed,
                                               STARTS_SAME, &fs, err);
    if (st)
        return st;
    printf("multi-start: %ld starts (seed %ld, within a factor of e^%g on the fit's "
           "scale); %zu reached the best sum of squares %.6g (estimates within %g)\n",
           n, seed, STARTS_SPREAD, fs.n_same, fs.chisq[fs.best], STARTS_SAME);
    printf("%-5s %12s", "start", "sum_sq");
    for (size_t j = 0; j < n_free; j++)
        printf(" %14.14s %14s", MD->params[free_idx[j]].name, "(from)");
    putchar('\n');
    for (size_t s = 0; s < fs.n_starts; s++) {
        printf("%-5zu %12.6g", s + 1, fs.chisq[s]);
        for (size_t j = 0; j < n_free; j++)
            printf(" %14.6g %14.6g", fs.estimate[s * n_free + j], fs.start[s * n_free + j]);
        printf("%s\n", fs.status[s] ? "  (failed)" : s == fs.best ? "  (best)" : "");
    }
    putchar('\n');
    calcify_fit_starts_free(&fs);
    return CALCIFY_OK;
}

/* --profile: each free parameter's profile likelihood and its interval;
 * with --profile-out, the points as CSV. */
static calcify_status run_profiles(calcify_scenario *sc, const calcify_targets *tg,
                                   const calcify_fit_result *res, const char *out,
                                   calcify_error *err)
{
    calcify_outfile of = {0};
    calcify_status st = out ? calcify_outfile_open(&of, out, err) : CALCIFY_OK;
    if (!st && out)
        fputs("parameter,value,unit,sum_sq,rise\n", of.fp);
    printf("\nprofile likelihood: each parameter held, the others refitted; the "
           "interval is where the sum of squares rises by less than %g "
           "(95%%, chi-squared with 1 degree of freedom, right when the data's "
           "sigmas are)\n%-16s %12s %12s %12s %s\n", PROFILE_DELTA, "parameter",
           "estimate", "lower", "upper", "unit");
    for (size_t j = 0; !st && j < res->n_free; j++) {
        if (res->at_bound[j])
            continue; /* held at a bound: nothing to profile */
        calcify_fit_profile pr;
        st = calcify_fit_profile_run(sc, tg, res, j, PROFILE_DELTA, &pr, err);
        if (st)
            break;
        const calcify_param_def *d = &MD->params[pr.param];
        char lo[32], hi[32];
        snprintf(lo, sizeof lo, pr.lo_open ? "open (>= %g)" : "%.4g", pr.lo);
        snprintf(hi, sizeof hi, pr.hi_open ? "open (<= %g)" : "%.4g", pr.hi);
        printf("%-16s %12.6g %12s %12s %s\n", d->name, pr.estimate, lo, hi, d->unit);
        for (size_t k = 0; out && k < pr.n; k++) { /* write_number puts the comma */
            fputs(d->name, of.fp);
            calcify_csv_write_number(of.fp, 0, pr.value[k]);
            fprintf(of.fp, ",%s", d->unit);
            calcify_csv_write_number(of.fp, 0, pr.chisq[k]);
            calcify_csv_write_number(of.fp, 0, pr.chisq[k] - pr.chisq_min);
            fputc('\n', of.fp);
        }
        calcify_fit_profile_free(&pr);
    }
    if (out)
        st = st ? (calcify_outfile_abort(&of), st) : calcify_outfile_commit(&of, err);
    return st;
}

int cmd_fit(int argc, char **argv)
{
    cli_model_opts mo = {0};
    const char *data[16], *free_list = NULL, *output = NULL, *profile_out = NULL,
               *table = NULL;
    int n_data = 0, profile = 0;
    long starts = 0, seed = 1;
    int quiet = 0, c;
    cli_opts p;
    cli_opts_begin(&p, &doc, argc, argv, &mo);
    while ((c = cli_opts_next(&p)) > 0) {
        switch (c) {
        case CLI_OPT_DATA:
            if (n_data == 16) {
                fputs("calcify: at most 16 --data files\n", stderr);
                return 2;
            }
            data[n_data++] = optarg;
            break;
        case CLI_OPT_FREE: free_list = optarg; break;
        case CLI_OPT_TABLE: table = optarg; break;
        case CLI_OPT_PROFILE: profile = 1; break;
        case CLI_OPT_PROFILE_OUT: profile = 1; profile_out = optarg; break;
        case CLI_OPT_STARTS: starts = p.l; break;
        case CLI_OPT_SEED: seed = p.l; break;
        case 'o': output = optarg; break;
        case 'q': quiet = 1; break;
        }
    }
    if (c < 0)
        return cli_opts_exit(c);
    if (argc - optind != 1 || !n_data || !free_list)
        return cli_usage_error(&doc, "expected one SCENARIO, --data and --free");
    int free_idx[CALCIFY_MAX_PARAM];
    size_t n_free;
    if (parse_free(free_list, free_idx, &n_free))
        return 2;
    calcify_scenario sc;
    int rc = cli_load_scenario(argv[optind], &mo, &sc);
    if (rc)
        return rc;
    if ((rc = cli_check_settable(&sc, free_idx, n_free, "--free"))) {
        calcify_scenario_free(&sc);
        return rc;
    }
    calcify_error err;
    calcify_targets tg;
    calcify_fit_result res;
    memset(&res, 0, sizeof res);
    calcify_status st = calcify_targets_load(data[0], &sc, &tg, &err);
    for (int i = 1; !st && i < n_data; i++)
        st = calcify_targets_append(data[i], &sc, &tg, &err);
    char data_list[2048] = "", data_args[2048] = "";
    for (int i = 0; i < n_data; i++) {
        snprintf(data_list + strlen(data_list), sizeof data_list - strlen(data_list),
                 "%s%s", i ? " and " : "", data[i]);
        snprintf(data_args + strlen(data_args), sizeof data_args - strlen(data_args),
                 "%s--data %s", i ? " " : "", data[i]);
    }
    if (!st && starts)
        st = run_starts(&sc, &tg, free_idx, n_free, starts, seed, &err);
    if (!st)
        st = calcify_fit(&sc, &tg, free_idx, n_free, &res,
                         quiet || !isatty(2) ? NULL : show_progress, NULL, &err);
    if (!quiet && isatty(2))
        fputc('\n', stderr);
    if (!st)
        print_report(&sc, &tg, &res, data_list);
    if (!st && table)
        st = cli_write_target_table(table, &sc, &tg, res.resid_target, res.simulated,
                                    res.n_resid, &err);
    if (!st && profile)
        st = run_profiles(&sc, &tg, &res, profile_out, &err);
    if (!st && output)
        st = write_params(&sc, &tg, &res, &mo, data_args, free_list, output, &err);
    calcify_fit_result_free(&res);
    calcify_targets_free(&tg);
    calcify_scenario_free(&sc);
    return st ? cli_error(st, err.msg) : 0;
}
