/* test_gsa.c — the estimators on functions with known indices: Sobol
 * indices of Ishigami and Sobol's g-function, Morris ranking, the scrambled
 * Sobol sequence's stratification, and the parameter distributions. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "calcify/design.h"
#include "calcify/gsa.h"
#include "calcify/model.h"
#include "calcify/sobolseq.h"
#include "cunit_main.h"

/* ---- the scrambled Sobol sequence ---- */

static void test_sobolseq_plain_points(void)
{
    calcify_error err;
    calcify_sobolseq *q = calcify_sobolseq_alloc(3, 0, 0, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(q);
    /* Sobol's first points in dims 1-3 (Joe–Kuo: dim 2 from x+1, m = 1;
     * dim 3 from x²+x+1, m = 1, 3), in natural (not Gray-code) order:
     * 0; 1/2; (1/4, 3/4, 3/4); (3/4, 1/4, 1/4) */
    const double want[4][3] = {{0, 0, 0}, {0.5, 0.5, 0.5}, {0.25, 0.75, 0.75}, {0.75, 0.25, 0.25}};
    for (int i = 0; i < 4; i++) {
        double u[3];
        calcify_sobolseq_point(q, (uint64_t)i, u);
        for (int j = 0; j < 3; j++)
            CU_ASSERT_DOUBLE_EQUAL(u[j], want[i][j], 0);
    }
    calcify_sobolseq_free(q);
    CU_ASSERT_PTR_NULL(calcify_sobolseq_alloc(calcify_sobolseq_max_dim() + 1, 1, 1, &err));
    CU_ASSERT_PTR_NULL(calcify_sobolseq_alloc(0, 1, 1, &err));
}

/* Pairs of columns among the first d whose 8×8 grid (of the 2-D projection
 * of n points) has an empty cell; *exact: every cell holds n/64. */
static int empty_pairs(calcify_sobolseq *q, int d, int n, int *exact)
{
    unsigned char *cell = malloc((size_t)n * (size_t)d);
    double *u = malloc(calcify_sobolseq_dim(q) * sizeof *u);  /* the whole point */
    for (int i = 0; i < n; i++) {
        calcify_sobolseq_point(q, (uint64_t)i, u);
        for (int j = 0; j < d; j++)
            cell[(size_t)i * d + j] = (unsigned char)(u[j] * 8);
    }
    int empty = 0;
    *exact = 1;
    for (int a = 0; a < d; a++)
        for (int b = a + 1; b < d; b++) {
            int hits[64] = {0};
            for (int i = 0; i < n; i++)
                hits[cell[(size_t)i * d + a] * 8 + cell[(size_t)i * d + b]]++;
            int least = n;
            for (int c = 0; c < 64; c++) {
                least = hits[c] < least ? hits[c] : least;
                *exact &= hits[c] == n / 64;
            }
            empty += least == 0;
        }
    free(cell);
    free(u);
    return empty;
}

/* The defect of GSL's table: at n = 4096 some 2-D projections over 40
 * dimensions filled only half of an 8×8 grid.  With Joe–Kuo numbers (and
 * Owen scrambling, which keeps the net structure) every pair among 64
 * dimensions puts exactly 64 points in each cell — each projection is a
 * (t, 12, 2)-net with t <= 6.  Beyond that a few pairs have larger t; among
 * 160 dimensions (a Saltelli design of 80 parameters) under 0.5% of pairs
 * leave a cell empty.  Every 1-D projection of 2^m points is one per stratum. */
static void test_sobolseq_projections(void)
{
    enum { N = 4096 };
    calcify_error err;
    calcify_sobolseq *q = calcify_sobolseq_alloc(160, 1, 7, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(q);
    int exact;
    CU_ASSERT_EQUAL(empty_pairs(q, 64, N, &exact), 0);
    CU_ASSERT(exact);
    int empty = empty_pairs(q, 160, N, &exact);
    CU_ASSERT(empty < 160 * 159 / 2 / 200);
    printf("\n  160 dimensions, n = 4096: %d of %d pairs leave an 8x8 cell empty", empty,
           160 * 159 / 2);
    static unsigned short count[160][N];
    memset(count, 0, sizeof count);
    double u[160];
    int inside = 1, strata_ok = 1;
    for (int i = 0; i < N; i++) {
        calcify_sobolseq_point(q, (uint64_t)i, u);
        for (int j = 0; j < 160; j++) {
            inside &= u[j] > 0 && u[j] < 1;
            count[j][(int)(u[j] * N)]++;
        }
    }
    for (int j = 0; j < 160; j++)
        for (int k = 0; k < N; k++)
            strata_ok &= count[j][k] == 1;
    CU_ASSERT(inside);
    CU_ASSERT(strata_ok);
    calcify_sobolseq_free(q);
}

static void test_sobolseq_seeds(void)
{
    calcify_error err;
    calcify_sobolseq *a = calcify_sobolseq_alloc(5, 1, 1, &err);
    calcify_sobolseq *b = calcify_sobolseq_alloc(5, 1, 1, &err);
    calcify_sobolseq *c = calcify_sobolseq_alloc(5, 1, 2, &err);
    double x[5], y[5], z[5];
    int same = 1, differ = 0;
    for (uint64_t i = 0; i < 64; i++) {
        calcify_sobolseq_point(a, i, x);
        calcify_sobolseq_point(b, i, y);
        calcify_sobolseq_point(c, i, z);
        same &= memcmp(x, y, sizeof x) == 0;
        differ |= memcmp(x, z, sizeof x) != 0;
    }
    CU_ASSERT(same);
    CU_ASSERT(differ);
    calcify_sobolseq_free(a);
    calcify_sobolseq_free(b);
    calcify_sobolseq_free(c);
}

/* ---- Sobol indices ---- */

static const double PI = 3.14159265358979323846;

/* Ishigami & Homma (1990): f = sin x1 + a sin² x2 + b x3⁴ sin x1 on [−π, π]³.
 * V1 = (1 + bπ⁴/5)²/2, V2 = a²/8, V3 = 0, V13 = b²π⁸(1/18 − 1/50)... the
 * closed forms below (Sobol' & Levitan 1999). */
static double ishigami(const double *u, double a, double b)
{
    double x1 = -PI + 2 * PI * u[0], x2 = -PI + 2 * PI * u[1], x3 = -PI + 2 * PI * u[2];
    return sin(x1) + a * sin(x2) * sin(x2) + b * pow(x3, 4) * sin(x1);
}

static void test_ishigami(void)
{
    const double a = 7, b = 0.1;
    double V1 = 0.5 * pow(1 + b * pow(PI, 4) / 5, 2), V2 = a * a / 8;
    double V13 = pow(b, 2) * pow(PI, 8) * (1.0 / 18 - 1.0 / 50);
    double V = V1 + V2 + V13;
    const double S1[3] = {V1 / V, V2 / V, 0}, ST[3] = {(V1 + V13) / V, V2 / V, V13 / V};
    /* the numbers the literature quotes */
    CU_ASSERT_DOUBLE_EQUAL(S1[0], 0.314, 0.001);
    CU_ASSERT_DOUBLE_EQUAL(S1[1], 0.442, 0.001);
    CU_ASSERT_DOUBLE_EQUAL(ST[0], 0.558, 0.001);
    CU_ASSERT_DOUBLE_EQUAL(ST[2], 0.244, 0.001);

    enum { N = 8192, D = 3 };
    size_t runs = calcify_saltelli_runs(N, D);
    double *u = malloc(runs * D * sizeof *u), *y = malloc(runs * sizeof *y);
    calcify_error err;
    CU_ASSERT_EQUAL_FATAL(calcify_saltelli_unit(D, N, 1, u, &err), CALCIFY_OK);
    for (size_t r = 0; r < runs; r++)
        y[r] = ishigami(u + r * D, a, b);
    calcify_sobol_index idx[D];
    calcify_boot_opts bo = {200, 0.95, 3};
    size_t used;
    CU_ASSERT_EQUAL(calcify_sobol_indices(y, 1, N, D, &bo, idx, &used, &err), CALCIFY_OK);
    CU_ASSERT_EQUAL(used, N);
    for (int j = 0; j < D; j++) {
        CU_ASSERT_DOUBLE_EQUAL(idx[j].s1, S1[j], 0.02);
        CU_ASSERT_DOUBLE_EQUAL(idx[j].st, ST[j], 0.02);
        CU_ASSERT(idx[j].s1_lo <= idx[j].s1 && idx[j].s1 <= idx[j].s1_hi);
        CU_ASSERT(idx[j].st_lo <= idx[j].st && idx[j].st <= idx[j].st_hi);
        printf("\n  Ishigami x%d: S1 %.4f [%.4f, %.4f] (exact %.4f), ST %.4f [%.4f, %.4f] "
               "(exact %.4f)", j + 1, idx[j].s1, idx[j].s1_lo, idx[j].s1_hi, S1[j], idx[j].st,
               idx[j].st_lo, idx[j].st_hi, ST[j]);
    }
    /* a failed run drops its base sample, not the whole estimate */
    y[5 * (D + 2) + 3] = NAN;
    CU_ASSERT_EQUAL(calcify_sobol_indices(y, 1, N, D, NULL, idx, &used, &err), CALCIFY_OK);
    CU_ASSERT_EQUAL(used, N - 1);
    CU_ASSERT_DOUBLE_EQUAL(idx[1].s1, S1[1], 0.02);
    free(u);
    free(y);
}

/* Sobol's g-function: f = Π (|4x_j − 2| + a_j)/(1 + a_j) on [0, 1]^d,
 * V_j = 1/(3(1 + a_j)²), V = Π(1 + V_j) − 1, S1_j = V_j/V,
 * ST_j = V_j Π_{k≠j}(1 + V_k)/V (Saltelli & Sobol' 1995). */
static const double G_A[8] = {0, 1, 4.5, 9, 99, 99, 99, 99};

static double gfun(const double *u, size_t d)
{
    double f = 1;
    for (size_t j = 0; j < d; j++)
        f *= (fabs(4 * u[j] - 2) + G_A[j]) / (1 + G_A[j]);
    return f;
}

static void test_g_function(void)
{
    enum { N = 2048, D = 8 };
    double Vj[D], prod = 1;
    for (int j = 0; j < D; j++) {
        Vj[j] = 1 / (3 * pow(1 + G_A[j], 2));
        prod *= 1 + Vj[j];
    }
    double V = prod - 1;
    size_t runs = calcify_saltelli_runs(N, D);
    double *u = malloc(runs * D * sizeof *u), *y = malloc(runs * sizeof *y);
    calcify_error err;
    CU_ASSERT_EQUAL_FATAL(calcify_saltelli_unit(D, N, 11, u, &err), CALCIFY_OK);
    for (size_t r = 0; r < runs; r++)
        y[r] = gfun(u + r * D, D);
    calcify_sobol_index idx[D];
    calcify_boot_opts bo = {500, 0.95, 5};
    CU_ASSERT_EQUAL(calcify_sobol_indices(y, 1, N, D, &bo, idx, NULL, &err), CALCIFY_OK);
    for (int j = 0; j < D; j++) {
        double s1 = Vj[j] / V, st = Vj[j] * prod / (1 + Vj[j]) / V;
        CU_ASSERT(idx[j].s1_lo <= s1 && s1 <= idx[j].s1_hi);
        CU_ASSERT(idx[j].st_lo <= st && st <= idx[j].st_hi);
        printf("\n  g x%d: S1 %.4f in [%.4f, %.4f]? (exact %.4f); ST %.4f in [%.4f, %.4f]? "
               "(exact %.4f)", j + 1, idx[j].s1, idx[j].s1_lo, idx[j].s1_hi, s1, idx[j].st,
               idx[j].st_lo, idx[j].st_hi, st);
    }
    free(u);
    free(y);
}

static void test_morris_ranks_g_function(void)
{
    enum { R = 40, D = 8 };
    calcify_morris_plan plan;
    calcify_error err;
    CU_ASSERT_EQUAL_FATAL(calcify_morris_plan_make(&plan, R, D, 4, 3, &err), CALCIFY_OK);
    size_t runs = calcify_morris_runs(R, D);
    double *y = malloc(runs * sizeof *y);
    /* each step moves exactly one parameter by Δ = 2/3 */
    int one_move = 1;
    for (size_t t = 0; t < R; t++)
        for (size_t k = 0; k < D; k++) {
            const double *a = plan.u + (t * (D + 1) + k) * D, *b = a + D;
            int moved = 0;
            for (int j = 0; j < D; j++)
                if (a[j] != b[j]) {
                    moved++;
                    one_move &= fabs(fabs(a[j] - b[j]) - 2.0 / 3) < 1e-12 &&
                                (size_t)j == plan.moved[t * D + k];
                }
            one_move &= moved == 1;
        }
    CU_ASSERT(one_move);
    for (size_t r = 0; r < runs; r++)
        y[r] = gfun(plan.u + r * D, D);
    calcify_morris_index m[D];
    calcify_boot_opts bo = {200, 0.95, 1};
    CU_ASSERT_EQUAL(calcify_morris_indices(&plan, y, 1, &bo, m, &err), CALCIFY_OK);
    /* importance falls with a_j: x1 > x2 > x3 > x4 > x5..x8 */
    for (int j = 0; j < 3; j++)
        CU_ASSERT(m[j].mu_star > m[j + 1].mu_star);
    for (int j = 4; j < D; j++)
        CU_ASSERT(m[3].mu_star > m[j].mu_star);
    for (int j = 0; j < D; j++) {
        CU_ASSERT(m[j].mu_star_lo <= m[j].mu_star && m[j].mu_star <= m[j].mu_star_hi);
        printf("\n  Morris g x%d: mu* %.4f [%.4f, %.4f], sigma %.4f", j + 1, m[j].mu_star,
               m[j].mu_star_lo, m[j].mu_star_hi, m[j].sigma);
    }
    calcify_morris_plan_free(&plan);
    CU_ASSERT_EQUAL(calcify_morris_plan_make(&plan, R, D, 3, 3, &err), CALCIFY_EUSAGE);
    CU_ASSERT_PTR_NULL(plan.u);  /* nothing to free after a failure */
    free(y);
}

/* ---- distributions ---- */

static void test_distributions(void)
{
    calcify_vary v;
    calcify_error err;
    CU_ASSERT_EQUAL_FATAL(calcify_vary_parse("ca_dep_max=0.04:30%:lognormal", &v, &err), CALCIFY_OK);
    double sigma = sqrt(log(1 + 0.09));
    CU_ASSERT_DOUBLE_EQUAL(calcify_vary_map(&v, 0.5), 0.04, 1e-15);
    CU_ASSERT(rel_err(calcify_vary_map(&v, gsl_cdf_ugaussian_P(1)), 0.04 * exp(sigma)) < 1e-12);
    /* the CV of a log-normal with σ² = ln(1 + CV²) is CV: sqrt(exp(σ²) − 1) */
    CU_ASSERT_DOUBLE_EQUAL(sqrt(exp(sigma * sigma) - 1), 0.3, 1e-12);
    CU_ASSERT_EQUAL_FATAL(calcify_vary_parse("ca_dep_max=0.04:10%:normal", &v, &err), CALCIFY_OK);
    CU_ASSERT(rel_err(calcify_vary_map(&v, gsl_cdf_ugaussian_P(-2)), 0.04 * 0.8) < 1e-12);
    CU_ASSERT_EQUAL(calcify_vary_parse("ca_dep_max=0.04:10:normal", &v, &err), CALCIFY_EUSAGE);
    CU_ASSERT_EQUAL(calcify_vary_parse("ca_dep_max=0.04:10%:gauss", &v, &err), CALCIFY_EUSAGE);
    /* a normal that would reach below 0 is refused, with the way out named */
    CU_ASSERT_EQUAL(calcify_vary_parse("ca_dep_max=0.04:30%:normal", &v, &err), CALCIFY_EUSAGE);
    CU_ASSERT(strstr(err.msg, "lognormal") != NULL);
    /* grid designs need bounded ranges */
    CU_ASSERT_EQUAL_FATAL(calcify_vary_parse("ca_dep_max=0.04:30%:lognormal", &v, &err), CALCIFY_OK);
    CU_ASSERT_PTR_NULL(calcify_design_alloc(CALCIFY_DESIGN_GRID, &v, 1, 4, 1, &err));
    calcify_design *d = calcify_design_alloc(CALCIFY_DESIGN_SOBOL, &v, 1, 1024, 1, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    /* the design's log-values have the log-normal's mean and SD */
    double s = 0, s2 = 0, x;
    for (int i = 0; i < 1024; i++) {
        calcify_design_next(d, &x);
        s += log(x), s2 += log(x) * log(x);
    }
    CU_ASSERT_DOUBLE_EQUAL(s / 1024, log(0.04), 1e-3);
    CU_ASSERT_DOUBLE_EQUAL(sqrt(s2 / 1024 - pow(s / 1024, 2)), sigma, 5e-3);
    calcify_design_free(d);
}

static int register_suites(void)
{
    CU_pSuite s = CU_add_suite("gsa", NULL, NULL);
    if (!s || !CU_add_test(s, "plain Sobol points", test_sobolseq_plain_points) ||
        !CU_add_test(s, "2-D projections up to 160 dimensions", test_sobolseq_projections) ||
        !CU_add_test(s, "scrambling is seeded", test_sobolseq_seeds) ||
        !CU_add_test(s, "Ishigami Sobol indices at N = 8192", test_ishigami) ||
        !CU_add_test(s, "g-function indices within bootstrap intervals", test_g_function) ||
        !CU_add_test(s, "Morris ranks the g-function", test_morris_ranks_g_function) ||
        !CU_add_test(s, "normal and log-normal with a CV", test_distributions))
        return -1;
    return 0;
}

CALCIFY_CUNIT_MAIN
