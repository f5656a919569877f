/* test_numfmt.c — numbers in result files: the default text reads back to
 * the very double (bit for bit) and is the shortest that does; a precision N
 * gives printf's "%.Ng" text; a CSV time series parses back (libcsv, strtod)
 * to exactly the values the row callback received. */
#include <csv.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calcify/numfmt.h"
#include "calcify/output.h"
#include "calcify/scenario.h"
#include "calcify/simulate.h"
#include "cunit_main.h"

/* xorshift64*: a fixed seed, so a failure names the same value each run */
static uint64_t rng_state;
static uint64_t rng_next(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1DULL;
}

static double from_bits(uint64_t b)
{
    double x;
    memcpy(&x, &b, sizeof x);
    return x;
}

static int same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

/* Fewer random values under valgrind (CALCIFY_SLOW), where each costs 50x. */
static size_t scaled(size_t n) { return getenv("CALCIFY_SLOW") ? n / 20 : n; }

/* Significant digits of a number's text: the mantissa without sign, point,
 * leading and trailing zeros ("1000" and "1e+03" have one, "0.0025" two). */
static int sig_digits(const char *s)
{
    char d[64];
    size_t n = 0;
    for (; *s && *s != 'e'; s++)
        if (*s >= '0' && *s <= '9' && (n || *s != '0'))
            d[n++] = *s;
    while (n > 0 && d[n - 1] == '0')
        n--;
    return n ? (int)n : 1;
}

static int failures;

/* x's default text reads back to x, bit for bit, and no %.Ng with fewer
 * significant digits does; failures are printed (the first few) and
 * counted. */
static void check_shortest(double x, int check_minimal)
{
    char buf[CALCIFY_NUMFMT_CAP];
    size_t len = calcify_numfmt(buf, x, CALCIFY_NUMFMT_SHORTEST);
    char *end;
    double back = strtod(buf, &end);
    int ok = len == strlen(buf) && len < CALCIFY_NUMFMT_CAP && *end == '\0' &&
             same_bits(back, x);
    if (ok && check_minimal) {
        /* the fewest digits %.Ng needs to read back is the shortest length */
        int k = 1;
        for (; k < 17; k++) {
            char p[40];
            snprintf(p, sizeof p, "%.*g", k, x);
            if (same_bits(strtod(p, NULL), x))
                break;
        }
        ok = sig_digits(buf) <= k;
    }
    if (!ok && failures++ < 5)
        fprintf(stderr, "shortest of %a (%.17g): '%s'\n", x, x, buf);
}

static void test_shortest_special_values(void)
{
    failures = 0;
    static const double special[] = {
        0.0, 1.0, -1.0, 0.1, 0.2, 0.3, 2.49995, 1e-300, 1e300, -1e-300, 1e-5, 1e-4,
        123456.7, 1e15, 1e16, 1e17, 1e21, 1e22, 1e23, 9007199254740991.0,
        9007199254740993.0, 5e-324, 2.2250738585072014e-308, 2.2250738585072009e-308,
        1.7976931348623157e308, DBL_MIN, DBL_MAX, DBL_TRUE_MIN, DBL_EPSILON, M_PI,
        1.0 / 3.0, 2.0 / 3.0, 100.0, 0.5, 1.5e-10, 4.35, 0.007, 42.0};
    for (size_t i = 0; i < sizeof special / sizeof special[0]; i++) {
        check_shortest(special[i], 1);
        check_shortest(-special[i], 1);
        check_shortest(nextafter(special[i], INFINITY), 1);
        check_shortest(nextafter(special[i], -INFINITY), 1);
    }
    /* every power of ten a double holds, and its neighbours */
    for (int e = -323; e <= 308; e++) {
        char s[16];
        snprintf(s, sizeof s, "1e%d", e);
        double p = strtod(s, NULL);
        check_shortest(p, 1);
        check_shortest(nextafter(p, 0), 1);
        check_shortest(nextafter(p, INFINITY), 1);
    }
    CU_ASSERT_EQUAL(failures, 0);

    char buf[CALCIFY_NUMFMT_CAP];
    /* the longest text fits the documented capacity */
    CU_ASSERT_EQUAL(calcify_numfmt(buf, -2.2250738585072014e-308, 17), 24);
    CU_ASSERT(calcify_numfmt(buf, -2.2250738585072014e-308, 0) < CALCIFY_NUMFMT_CAP);
}

static void test_shortest_random_bits(void)
{
    failures = 0;
    rng_state = 0x9E3779B97F4A7C15ULL;
    size_t n = scaled(300000);
    for (size_t i = 0; i < n; i++) {
        double x = from_bits(rng_next());
        if (isfinite(x))
            check_shortest(x, i % 16 == 0);
    }
    /* subnormals: the exponent field 0, a random mantissa */
    for (size_t i = 0; i < scaled(20000); i++)
        check_shortest(from_bits(rng_next() & 0x800FFFFFFFFFFFFFULL), i % 16 == 0);
    /* values of the magnitudes the model writes, with full mantissas */
    for (size_t i = 0; i < scaled(50000); i++) {
        double u = (double)(rng_next() >> 11) / 9007199254740992.0;
        check_shortest(exp(log(1e-30) + u * log(1e34)), i % 16 == 0);
    }
    CU_ASSERT_EQUAL(failures, 0);
}

static void test_precision_is_printf_g(void)
{
    rng_state = 12345;
    int bad = 0;
    size_t n = scaled(200000);
    for (size_t i = 0; i < n; i++) {
        double x = from_bits(rng_next());
        if (!isfinite(x))
            continue;
        int p = 1 + (int)(i % CALCIFY_NUMFMT_MAX_DIGITS);
        char got[CALCIFY_NUMFMT_CAP], want[40];
        size_t len = calcify_numfmt(got, x, p);
        snprintf(want, sizeof want, "%.*g", p, x);
        if ((strcmp(got, want) != 0 || len != strlen(want)) && bad++ < 5)
            fprintf(stderr, "%%.%dg of %a: '%s', printf '%s'\n", p, x, got, want);
    }
    CU_ASSERT_EQUAL(bad, 0);
}

/* Texts known independently of any formatter: the shortest decimal that
 * reads back, and %.Ng rounding of the binary value (2.675 is stored as
 * 2.67499999…, 2.49995 as 2.49995000…01). */
static void test_known_texts(void)
{
    static const struct {
        double x;
        int precision;
        const char *text;
    } known[] = {
        {0.1, 0, "0.1"}, {2.49995, 0, "2.49995"}, {-0.0, 0, "-0"}, {0.0, 0, "0"},
        {1e-300, 0, "1e-300"}, {1e300, 0, "1e+300"}, {5e-324, 0, "5e-324"}, {42.0, 0, "42"},
        {1e-5, 0, "1e-05"}, /* exponents as %g writes them */
        {2.675, 3, "2.67"}, {2.49995, 5, "2.5"}, {0.1, 17, "0.10000000000000001"},
        {0.1, 40, "0.10000000000000001"}, /* more than 17 digits is 17 */
        {0.1, -3, "0.1"},                 /* below 0 is the shortest */
        {1234567.0, 6, "1.23457e+06"},
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        char buf[CALCIFY_NUMFMT_CAP];
        size_t len = calcify_numfmt(buf, known[i].x, known[i].precision);
        if (strcmp(buf, known[i].text) != 0 || len != strlen(known[i].text))
            fprintf(stderr, "%.17g at %d: '%s', expected '%s'\n", known[i].x,
                    known[i].precision, buf, known[i].text);
        CU_ASSERT_STRING_EQUAL(buf, known[i].text);
    }
}

static void test_not_finite(void)
{
    char buf[CALCIFY_NUMFMT_CAP];
    for (int p = 0; p <= 17; p += 17) {
        CU_ASSERT_EQUAL(calcify_numfmt(buf, NAN, p), 3);
        CU_ASSERT_STRING_EQUAL(buf, "nan");
        calcify_numfmt(buf, -NAN, p);
        CU_ASSERT_STRING_EQUAL(buf, "nan"); /* printf would say -nan */
        calcify_numfmt(buf, INFINITY, p);
        CU_ASSERT_STRING_EQUAL(buf, "inf");
        calcify_numfmt(buf, -INFINITY, p);
        CU_ASSERT_STRING_EQUAL(buf, "-inf");
    }
    /* in a CSV, an empty field (NA in R, NaN in pandas) */
    char *text;
    size_t len;
    FILE *fp = open_memstream(&text, &len);
    calcify_csv_write_number(fp, 0, NAN);
    calcify_csv_write_number(fp, 0, -INFINITY);
    calcify_csv_write_number(fp, 0, 0.25);
    calcify_csv_write_number(fp, 3, INFINITY);
    fclose(fp);
    CU_ASSERT_STRING_EQUAL(text, ",,,0.25,");
    free(text);
}

static void test_many_numbers_one_call(void)
{
    /* calcify_csv_write_numbers writes in chunks: across chunk ends it is
     * the same text as one calcify_csv_write_number per value */
    enum { N = 200 };
    double v[N];
    rng_state = 7;
    for (int i = 0; i < N; i++)
        v[i] = i % 37 == 5 ? NAN : from_bits(rng_next() >> 2);
    for (int p = 0; p <= 6; p += 6) {
        char *a, *b;
        size_t la, lb;
        FILE *fa = open_memstream(&a, &la), *fb = open_memstream(&b, &lb);
        calcify_csv_write_numbers(fa, p, v, N);
        for (int i = 0; i < N; i++)
            calcify_csv_write_number(fb, p, v[i]);
        fclose(fa);
        fclose(fb);
        CU_ASSERT_EQUAL(la, lb);
        CU_ASSERT_STRING_EQUAL(a, b);
        free(a);
        free(b);
    }
}

/* ---- a short run, written and read back ------------------------------ */

enum { MAX_ROWS = 64 };

typedef struct {
    FILE *fp;
    int precision;
    size_t n;
    double t[MAX_ROWS];
    size_t phase[MAX_ROWS];
    double obs[MAX_ROWS][CALCIFY_NOBS];
} recorder;

static int record_row(void *user, const calcify_arm *arm, double t, size_t phase,
                      const double y[], const double obs[CALCIFY_NOBS])
{
    (void)y;
    recorder *r = user;
    if (r->n == MAX_ROWS)
        return -1;
    r->t[r->n] = t;
    r->phase[r->n] = phase;
    memcpy(r->obs[r->n], obs, sizeof r->obs[0]);
    r->n++;
    return calcify_csv_write_row(r->fp, r->precision, arm->name, t, phase, obs, CALCIFY_NOBS);
}

typedef struct {
    const recorder *rec;
    const char *arm;
    size_t row, field;
    int bad;        /* fields that do not read back to the value written */
    int bad_shape;  /* rows with the wrong number of fields              */
} reader;

/* the value the field should hold: with a precision N, what "%.Ng" reads
 * back to; by default the value itself */
static double expected(const reader *rd, double v)
{
    if (rd->rec->precision == 0)
        return v;
    char buf[40];
    snprintf(buf, sizeof buf, "%.*g", rd->rec->precision, v);
    return strtod(buf, NULL);
}

static void on_field(void *s, size_t len, void *data)
{
    reader *rd = data;
    const char *text = s ? s : "";
    if (rd->row >= rd->rec->n) {
        rd->bad_shape++;
        return;
    }
    size_t f = rd->field++;
    char *end;
    if (f == 0) {
        rd->bad += strcmp(text, rd->arm) != 0;
    } else if (f == 2) {
        rd->bad += strtoul(text, &end, 10) != rd->rec->phase[rd->row] + 1 || *end;
    } else if (f == 1 || f - 3 < CALCIFY_NOBS) {
        double v = f == 1 ? rd->rec->t[rd->row] : rd->rec->obs[rd->row][f - 3];
        if (!isfinite(v)) {
            rd->bad += len != 0;
        } else {
            double got = strtod(text, &end);
            rd->bad += len == 0 || *end || !same_bits(got, expected(rd, v));
        }
    }
}

static void on_row(int c, void *data)
{
    (void)c;
    reader *rd = data;
    rd->bad_shape += rd->field != 3 + CALCIFY_NOBS;
    rd->row++;
    rd->field = 0;
}

static void run_and_read_back(int precision)
{
    calcify_scenario sc;
    calcify_error err = {""};
    CU_ASSERT_EQUAL_FATAL(calcify_scenario_load("models/vermeer2007.cfg", &sc, &err),
                          CALCIFY_OK);
    calcify_sim *sim = calcify_sim_alloc(&sc.params, sc.method, sc.rtol, sc.atol, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    double y0[CALCIFY_NSTATE];
    CU_ASSERT_EQUAL_FATAL(calcify_sim_baseline(sim, sc.baseline, y0, &err), CALCIFY_OK);

    static recorder rec;
    memset(&rec, 0, sizeof rec);
    rec.precision = precision;
    char *text;
    size_t len;
    rec.fp = open_memstream(&text, &len);
    /* wk_continued, weekly: 13 rows through both of its phases */
    const calcify_arm *arm = &sc.arms[sc.n_arms > 1 ? 1 : 0];
    CU_ASSERT_EQUAL(calcify_sim_run_arm(sim, arm, y0, 7.0, record_row, &rec, &err), CALCIFY_OK);
    fclose(rec.fp);
    CU_ASSERT(rec.n >= 10);

    struct csv_parser p;
    CU_ASSERT_EQUAL_FATAL(csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL), 0);
    reader rd = {.rec = &rec, .arm = arm->name};
    CU_ASSERT_EQUAL(csv_parse(&p, text, len, on_field, on_row, &rd), len);
    csv_fini(&p, on_field, on_row, &rd);
    csv_free(&p);
    CU_ASSERT_EQUAL(rd.row, rec.n);
    CU_ASSERT_EQUAL(rd.bad, 0);
    CU_ASSERT_EQUAL(rd.bad_shape, 0);
    free(text);
    calcify_sim_free(sim);
    calcify_scenario_free(&sc);
}

static void test_csv_reads_back_exactly(void) { run_and_read_back(0); }
static void test_csv_precision_reads_back_as_printf(void) { run_and_read_back(6); }

static int register_suites(void)
{
    CU_pSuite s = CU_add_suite("numfmt", NULL, NULL);
    return !s ||
           !CU_add_test(s, "shortest: special values, powers of ten", test_shortest_special_values) ||
           !CU_add_test(s, "shortest: random bit patterns round-trip", test_shortest_random_bits) ||
           !CU_add_test(s, "precision N is printf %.Ng", test_precision_is_printf_g) ||
           !CU_add_test(s, "known texts", test_known_texts) ||
           !CU_add_test(s, "NaN and infinities", test_not_finite) ||
           !CU_add_test(s, "many numbers in one call", test_many_numbers_one_call) ||
           !CU_add_test(s, "CSV of a run reads back bit for bit", test_csv_reads_back_exactly) ||
           !CU_add_test(s, "CSV with --precision 6 reads back as %.6g",
                        test_csv_precision_reads_back_as_printf);
}

CALCIFY_CUNIT_MAIN
