/* common.c — what the commands share: errors, numbers, scenario set-up. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calcify/endpoints.h"
#include "calcify/output.h"
#include "calcify/solver.h"
#include "calcify/units.h"
#include "cli/cli.h"
#include "base/suggest.h"

/* Parameters and columns are named as those of the model parameter files
 * are read for (calcify/params.h): the scenario's. */
#define MD (calcify_params_file_model())

int cli_error(calcify_status st, const char *msg)
{
    fprintf(stderr, "calcify: %s\n", msg);
    return calcify_status_exit_code(st);
}

int cli_parse_double(const char *opt, const char *s, double lo, double hi,
                     double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || errno == ERANGE || !isfinite(v) || v < lo ||
        v > hi) {
        fprintf(stderr, "calcify: %s '%s': expected a number in [%g, %g]\n", opt,
                s, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

int cli_parse_int(const char *opt, const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end != '\0' || errno == ERANGE || v < lo || v > hi) {
        fprintf(stderr, "calcify: %s '%s': expected a whole number in [%ld, %ld]\n",
                opt, s, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

int cli_model_option(cli_model_opts *o, int opt, const char *arg)
{
    switch (opt) {
    case OPT_SET:
        if (o->n_sets == (int)(sizeof o->sets / sizeof o->sets[0])) {
            fprintf(stderr, "calcify: too many --set options (at most %zu)\n",
                    sizeof o->sets / sizeof o->sets[0]);
            return -1;
        }
        o->sets[o->n_sets++] = arg;
        return 1;
    case OPT_METHOD:
        if (!calcify_stepper_known(arg)) {
            fprintf(stderr, "calcify: --method '%s': unknown stepper (expected "
                    "one of: %s)\n", arg, calcify_stepper_list());
            return -1;
        }
        o->method = arg;
        return 1;
    case OPT_RTOL:
        return cli_parse_double("--rtol", arg, 1e-14, 0.1, &o->rtol) ? -1 : 1;
    case OPT_ATOL:
        return cli_parse_double("--atol", arg, 1e-20, 1.0, &o->atol) ? -1 : 1;
    case OPT_PARAMS:
        o->params = arg;
        return 1;
    default:
        return 0;
    }
}

int cli_load_scenario(const char *path, const cli_model_opts *o,
                      calcify_scenario *sc)
{
    calcify_error err;
    calcify_scenario_opts so = {o ? o->params : NULL, o ? o->sets : NULL,
                                o ? (size_t)o->n_sets : 0};
    calcify_status st = calcify_scenario_load_opts(path, &so, sc, &err);
    if (st)
        return cli_error(st, err.msg);
    if (o && o->method) {
        char *m = strdup(o->method);
        if (!m) {
            calcify_scenario_free(sc);
            return cli_error(CALCIFY_ENOMEM, "out of memory");
        }
        free(sc->method);
        sc->method = m;
    }
    if (o && o->rtol > 0)
        sc->rtol = o->rtol;
    if (o && o->atol > 0)
        sc->atol = o->atol;
    return 0;
}

int cli_parse_duration(const char *opt, const char *s, double lo, double hi,
                       double *out)
{
    char text[96], *end;
    (void)strtod(s, &end);
    /* a bare number is in days */
    snprintf(text, sizeof text, "%s%s", s, end != s && *end == '\0' ? " d" : "");
    if (strlen(s) > 80 || calcify_quantity_parse(text, "d", out) != 0 || !(*out >= lo) ||
        !(*out <= hi)) {
        fprintf(stderr, "calcify: %s '%s': expected a time in [%g, %g] d, in days or "
                "with a unit (min, h, d, w, mo, y), e.g. 7 or '12 h'\n", opt, s, lo, hi);
        return -1;
    }
    return 0;
}

int cli_endpoint_option(cli_endpoint_opts *o, int opt, const char *arg)
{
    calcify_error err;
    if (opt == OPT_AT) {
        if (calcify_times_parse("--at", arg, &o->at, &o->n_at, &err)) {
            cli_error(CALCIFY_EUSAGE, err.msg);
            return -1;
        }
        return 1;
    }
    if (opt == OPT_OBSERVABLES) {
        if (calcify_obs_list_parse("--observable", arg, &o->obs, &o->n_obs, &err)) {
            cli_error(CALCIFY_EUSAGE, err.msg);
            return -1;
        }
        return 1;
    }
    return 0;
}

void cli_endpoint_opts_free(cli_endpoint_opts *o)
{
    free(o->at);
    free(o->obs);
    memset(o, 0, sizeof *o);
}

int cli_check_settable(const calcify_scenario *sc, const int *params, size_t n,
                       const char *opt)
{
    for (size_t i = 0; i < n; i++) {
        if (params[i] < 0) /* a scenario variable */
            continue;
        char who[128];
        calcify_error err;
        snprintf(who, sizeof who, "%s %s", opt, MD->params[params[i]].name);
        calcify_status st = calcify_scenario_check_settable(sc, params[i], who, CALCIFY_EUSAGE,
                                                            &err);
        if (st)
            return cli_error(st, err.msg);
    }
    return 0;
}

calcify_status cli_check_output(const char *what, double rows, double columns,
                                long precision, const char *kind, const char *guard,
                                int force, calcify_error *err)
{
    if (force)
        return CALCIFY_OK;
    if (rows > CALCIFY_MAX_ROWS)
        return calcify_fail(err, CALCIFY_EUSAGE, "%s would write %.0f %s%srows (more than "
                            "%d, the limit that guards against a mistyped %s; --force to "
                            "write them anyway)", what, rows, kind ? kind : "",
                            kind ? " " : "", CALCIFY_MAX_ROWS, guard);
    /* bytes per number: digits, sign, point, exponent, comma */
    double per = precision > CALCIFY_NUMFMT_SHORTEST ? (double)precision + 7 : 18;
    double bytes = rows * columns * per;
    if (bytes > CALCIFY_MAX_BYTES)
        return calcify_fail(err, CALCIFY_EUSAGE, "%s would write about %.1f GB of %s%srows "
                            "(%.0f rows x %.0f columns at ~%.0f bytes a number; more than "
                            "%.0f GB, the limit that guards against a mistyped %s; --force "
                            "to write them anyway)", what, bytes / 1e9, kind ? kind : "",
                            kind ? " " : "", rows, columns, per, CALCIFY_MAX_BYTES / 1e9,
                            guard);
    return CALCIFY_OK;
}

calcify_status cli_check_rows(const char *what, double rows, const char *kind,
                              const char *guard, int force, calcify_error *err)
{
    return cli_check_output(what, rows, 0, CALCIFY_NUMFMT_SHORTEST, kind, guard, force, err);
}

int cli_add_arm(const char **names, int *n, const char *name)
{
    /* a list is split when the scenario's arms are known (cli_select_arms);
     * an empty name is refused now */
    const char *p = name;
    for (;;) {
        size_t len = strcspn(p, ",");
        if (len == 0) {
            fprintf(stderr, "calcify: --arm '%s': empty arm name (expected names "
                    "separated by commas, e.g. --arm control,high_k1)\n", name);
            return -1;
        }
        if (!p[len])
            break;
        p += len + 1;
    }
    if (*n == 64) {
        fputs("calcify: too many --arm options (at most 64)\n", stderr);
        return -1;
    }
    names[(*n)++] = name;
    return 0;
}

calcify_status cli_select_arms(const calcify_scenario *sc, const char *const *names,
                               int n, unsigned char **selected, calcify_error *err)
{
    *selected = NULL;
    if (n == 0)
        return CALCIFY_OK;
    if (!(*selected = calloc(sc->n_arms, 1)))
        return calcify_fail(err, CALCIFY_ENOMEM, "out of memory");
    for (int i = 0; i < n; i++) {
        /* each --arm is a name or a comma-separated list of names */
        for (const char *p = names[i];;) {
            size_t len = strcspn(p, ",");
            char name[256];
            snprintf(name, sizeof name, "%.*s", (int)(len < 255 ? len : 255), p);
            const calcify_arm *a = calcify_scenario_find_arm(sc, name);
            if (a && (*selected)[a - sc->arms]) {
                free(*selected);
                *selected = NULL;
                return calcify_fail(err, CALCIFY_EUSAGE, "--arm '%s' given twice (expected "
                                    "each arm once)", name);
            }
            if (a) {
                (*selected)[a - sc->arms] = 1;
            } else {
                char near[256];
                calcify_suggest_strided(name, &sc->arms[0].name, sc->n_arms,
                                        sizeof sc->arms[0], near, sizeof near);
                free(*selected);
                *selected = NULL;
                return calcify_fail(err, CALCIFY_EUSAGE, "--arm '%s': no such arm in %s%s%s%s",
                                    name, sc->path, near[0] ? "; did you mean " : "", near,
                                    near[0] ? "?" : "");
            }
            if (!p[len])
                break;
            p += len + 1;
        }
    }
    return CALCIFY_OK;
}

void cli_print_steady_check(FILE *out, const calcify_sim *sim)
{
    const calcify_steady_check *ck = calcify_sim_steady_check(sim);
    const calcify_modeldef *md = calcify_sim_modeldef(sim);
    fprintf(out, "baseline: %s steady state (Newton from a clean and from a calcified "
            "start: largest relative difference %.2g, limit 1e-6), %s (largest "
            "eigenvalue real part %.3g per day, limit -1e-6)",
            ck->unique ? "one" : "NOT ONE", ck->distance,
            ck->stable ? "stable" : ck->max_eigen_real < 0 ? "TOO SLOW TO SETTLE" : "NOT STABLE",
            ck->max_eigen_real);
    /* what the model reports of its steady state (calcify_modeldef.summary_*) */
    if (md->n_summary)
        fprintf(out, "; %s %.3g %s", md->summary_name, ck->mineral_clean, md->summary_unit);
    fputc('\n', out);
}

int cli_parse_shard(const char *s, long *k, long *n)
{
    char *end;
    errno = 0;
    *k = strtol(s, &end, 10);
    const char *t = end + 1;
    if (end == s || *end != '/' || errno || (*n = strtol(t, &end, 10), end == t) || *end ||
        errno || *n < 1 || *k < 1 || *k > *n) {
        fprintf(stderr, "calcify: --shard '%s': expected K/N with 1 <= K <= N\n", s);
        return -1;
    }
    return 0;
}

void cli_batch_defaults(cli_batch_opts *b)
{
    memset(b, 0, sizeof *b);
    b->threads = sysconf(_SC_NPROCESSORS_ONLN);
    if (b->threads < 1)
        b->threads = 1;
    b->precision = CALCIFY_NUMFMT_SHORTEST;
}

int cli_batch_option(cli_batch_opts *b, int opt, const char *arg)
{
    calcify_error err;
    switch (opt) {
    case OPT_B_OBS:
        if (calcify_obs_add("--observable", arg, b->obs, &b->n_obs, CALCIFY_MAX_OBS, &err)) {
            cli_error(CALCIFY_EUSAGE, err.msg);
            return -1;
        }
        return 1;
    case OPT_B_AT:
        if (calcify_times_add("--at", arg, b->at, &b->n_at, sizeof b->at / sizeof b->at[0],
                              &err)) {
            cli_error(CALCIFY_EUSAGE, err.msg);
            return -1;
        }
        return 1;
    case OPT_B_ARM:
        return cli_add_arm(b->arms, &b->n_arms, arg) ? -1 : 1;
    case OPT_B_THREADS:
        return cli_parse_int("--threads", arg, 1, 1024, &b->threads) ? -1 : 1;
    case OPT_B_PRECISION:
        return cli_parse_int("--precision", arg, 1, CALCIFY_NUMFMT_MAX_DIGITS, &b->precision) ? -1 : 1;
    case 'q':
        b->quiet = 1;
        return 1;
    default:
        return 0;
    }
}

int cli_add_vary(calcify_vary *v, size_t *n, const char *spec)
{
    calcify_error err;
    if (*n == MD->n_param) {
        fprintf(stderr, "calcify: at most %d --vary (one per parameter)\n", (int)MD->n_param);
        return -1;
    }
    if (calcify_vary_parse(spec, &v[*n], &err)) {
        cli_error(CALCIFY_EUSAGE, err.msg);
        return -1;
    }
    for (size_t j = 0; j < *n; j++)
        if (v[j].param == v[*n].param) {
            fprintf(stderr, "calcify: --vary %s given twice\n", MD->params[v[j].param].name);
            return -1;
        }
    (*n)++;
    return 0;
}

/* SIGINT or SIGTERM outside a sweep's runs (which stop more gently, see
 * cmd_sweep.c): no temporary file left behind, exit 128 + the signal. */
static void on_signal(int sig)
{
    calcify_outfile_remove_temporaries();
    _exit(128 + sig);
}

/* Installed before any command writes a file; a signal ignored when calcify
 * started (nohup, a background job of a script) stays ignored. */
void cli_install_signal_handlers(void)
{
    static const int sigs[] = {SIGINT, SIGTERM};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction sa, old;
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(sigs[i], &sa, NULL);
    }
}

int cli_finish(int rc)
{
    /* a full disk or a closed pipe must not pass as success */
    if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
        fputs("calcify: standard output: write failed\n", stderr);
        return rc ? rc : 1;
    }
    return rc;
}

/* A text field of a CSV row: quoted (with quotes doubled) when it holds a
 * comma, a quote or a line break. */
static void csv_text(FILE *fp, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, fp);
        return;
    }
    fputc('"', fp);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', fp);
        fputc(*s, fp);
    }
    fputc('"', fp);
}

calcify_status cli_write_target_table(const char *path, const calcify_scenario *sc,
                                      const calcify_targets *tg, const size_t *which,
                                      const double *simulated, size_t n,
                                      calcify_error *err)
{
    calcify_outfile of = {0};
    calcify_status st = calcify_outfile_open(&of, path, err);
    if (st)
        return st;
    fputs("row,label,arm,time_d,observable,simulated,target,lo,hi,sd,n,status\n", of.fp);
    for (size_t i = 0; i < n; i++) {
        const calcify_target *t = &tg->items[which ? which[i] : i];
        calcify_rule rule;
        double lo, hi;
        calcify_judgement j = calcify_target_judge(t, simulated[i], &rule, &lo, &hi);
        if (rule == CALCIFY_RULE_NONE)
            lo = hi = NAN;
        if (tg->n_paths > 1)
            fprintf(of.fp, "%zu:%d,", t->file + 1, t->row);
        else
            fprintf(of.fp, "%d,", t->row);
        csv_text(of.fp, t->label);
        fprintf(of.fp, ",%s", sc->arms[t->arm].name);
        if (t->is_ratio)
            fprintf(of.fp, "/%s", sc->arms[t->arm_den].name);
        calcify_csv_write_number(of.fp, CALCIFY_NUMFMT_SHORTEST, t->time_d);
        fputc(',', of.fp);
        csv_text(of.fp, t->observable);
        const double v[] = {simulated[i], t->target, lo, hi, t->sd, t->n_animals};
        calcify_csv_write_numbers(of.fp, CALCIFY_NUMFMT_SHORTEST, v, sizeof v / sizeof v[0]);
        fprintf(of.fp, ",%s\n", j == CALCIFY_JUDGED_OK ? "ok"
                                 : j == CALCIFY_JUDGED_FAIL ? "FAIL" : "unjudged");
    }
    st = calcify_outfile_commit(&of, err);
    calcify_outfile_abort(&of);
    return st;
}
