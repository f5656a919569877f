/* blocklu.c — W = c·I − J by its strongly connected blocks (blocklu.h).
 *
 * A solve is one flat program of row updates on x, fixed when the pattern
 * is: x_d = (x_d + Σ v·x_s)·scale.  For each block in order: each row
 * gains its off-block terms (J_ij·x_j, j solved already) and its L terms
 * (−l_rc·x_c) in one update; then U backwards (−u_qt·x_t, times 1/u_qq).
 * A row is summed in a register and stored once.
 * The LU has no pivoting, so its operations do not move with the values:
 * W = c·I − J is diagonally dominant as h shrinks, and a pivot small for
 * its column refuses the factorisation (GSL_ESING), on which GSL's evolve
 * halves the step. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "engine/blocklu.h"

/* one row update: x[dst] = (x[dst] + Σ_{e < end} val[e]·x[src[e]])·scale,
 * entries from the previous row's end; scale 1 where there is none */
typedef struct {
    uint32_t dst, end;
} row;
/* dst's top bit: a row whose scale is 1 for good (a forward row of a block
 * of two or more), which the solve does not multiply by */
#define ROW_UNIT 0x80000000u
#define ROW_DST 0x7fffffffu

struct engine_blocklu {
    size_t n;
    unsigned char *mask;   /* n·n: the pattern, row-major                   */
    uint64_t *outside;     /* n·n: all ones off the pattern, 0 on it         */
    size_t nnz;            /* non-zeros in it                               */
    size_t *perm;          /* perm[k]: the state at position k, block order  */
    size_t *bstart;        /* block b holds positions bstart[b] .. [b+1]     */
    size_t nb;
    /* diagonal blocks, row-major m×m each from doff[b]: where in J their
     * entries are, their values, and the LU of c·I − J_bb             */
    size_t *doff, *didx;
    double *dval, *lu;
    unsigned char *fill;   /* per block entry: non-zero in its LU (symbolic) */
    /* the solve's program: rows, their scales, entries (src, val) */
    row *rows;
    double *scale;
    uint32_t *src;
    double *val;
    size_t nrows, nent;
    /* where a factorisation's values go in the program, fixed by build():
     * val[lmap_e[t]] = −lu[lmap_a[t]] (L and U), scale[smap_g[t]] =
     * lu[smap_a[t]] (1/u_qq of backward rows) */
    size_t *lmap_e, *lmap_a, nlmap;
    size_t *smap_g, *smap_a, nsmap;
    size_t *ooff;          /* per off-block entry: its entry, and J index   */
    size_t *oidx;
    size_t noff;
    size_t *luent, *lurow; /* per block: where its L/U entries and rows go  */
    int built;
    /* Tarjan's scratch */
    size_t *index, *low, *stack;
    unsigned char *on_stack;
    size_t counter, sp, placed;
};

engine_blocklu *engine_blocklu_alloc(size_t n)
{
    engine_blocklu *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->n = n;
    b->mask = calloc(n * n, 1);
    b->outside = malloc(n * n * sizeof *b->outside);
    b->perm = malloc(n * sizeof *b->perm);
    b->bstart = malloc((n + 1) * sizeof *b->bstart);
    b->doff = malloc((n + 1) * sizeof *b->doff);
    b->luent = malloc((n + 1) * sizeof *b->luent);
    b->lurow = malloc((n + 1) * sizeof *b->lurow);
    b->index = malloc(n * sizeof *b->index);
    b->low = malloc(n * sizeof *b->low);
    b->stack = malloc(n * sizeof *b->stack);
    b->on_stack = malloc(n);
    if (!b->mask || !b->outside || !b->perm || !b->bstart || !b->doff || !b->luent || !b->lurow ||
        !b->index || !b->low || !b->stack || !b->on_stack) {
        engine_blocklu_free(b);
        return NULL;
    }
    return b;
}

/* The arrays whose sizes depend on the blocks. */
static void free_block_arrays(engine_blocklu *b)
{
    free(b->didx);
    free(b->dval);
    free(b->lu);
    free(b->fill);
    free(b->rows);
    free(b->scale);
    free(b->src);
    free(b->val);
    free(b->ooff);
    free(b->oidx);
    free(b->lmap_e);
    free(b->lmap_a);
    free(b->smap_g);
    free(b->smap_a);
}

void engine_blocklu_free(engine_blocklu *b)
{
    if (!b)
        return;
    free(b->mask);
    free(b->outside);
    free(b->perm);
    free(b->bstart);
    free(b->doff);
    free_block_arrays(b);
    free(b->luent);
    free(b->lurow);
    free(b->index);
    free(b->low);
    free(b->stack);
    free(b->on_stack);
    free(b);
}

/* Tarjan's strongly connected components on the graph i → j for J_ij in
 * the pattern (i reads j).  A component is closed only after every
 * component it reads from, so positions in closing order make W block
 * lower triangular.  (Recursion depth at most n.) */
static void strongconnect(engine_blocklu *b, size_t v)
{
    const size_t n = b->n;
    b->index[v] = b->low[v] = b->counter++;
    b->stack[b->sp++] = v;
    b->on_stack[v] = 1;
    for (size_t w = 0; w < n; w++) {
        if (w == v || !b->mask[v * n + w])
            continue;
        if (b->index[w] == (size_t)-1) {
            strongconnect(b, w);
            if (b->low[w] < b->low[v])
                b->low[v] = b->low[w];
        } else if (b->on_stack[w] && b->index[w] < b->low[v]) {
            b->low[v] = b->index[w];
        }
    }
    if (b->low[v] == b->index[v]) {
        b->bstart[b->nb++] = b->placed;
        size_t w;
        do {
            w = b->stack[--b->sp];
            b->on_stack[w] = 0;
            b->perm[b->placed++] = w;
        } while (w != v);
    }
}

/* The strongly connected components of the pattern (Tarjan), in an order
 * that lets block substitution go one block at a time. */
static void find_blocks(engine_blocklu *b)
{
    const size_t n = b->n;
    for (size_t i = 0; i < n; i++) {
        b->index[i] = (size_t)-1;
        b->on_stack[i] = 0;
    }
    b->counter = b->sp = b->placed = b->nb = 0;
    for (size_t v = 0; v < n; v++)
        if (b->index[v] == (size_t)-1)
            strongconnect(b, v);
    b->bstart[b->nb] = n;
    /* within a block, states in ascending order (a fixed order whatever
     * the stack left) */
    for (size_t k = 0; k < b->nb; k++) {
        size_t *p = b->perm + b->bstart[k];
        const size_t m = b->bstart[k + 1] - b->bstart[k];
        for (size_t i = 1; i < m; i++)
            for (size_t j = i; j > 0 && p[j - 1] > p[j]; j--) {
                const size_t t = p[j];
                p[j] = p[j - 1];
                p[j - 1] = t;
            }
    }
}

/* (Re)allocate the arrays whose sizes depend on the blocks; at least one
 * element each, so that an empty one is not taken for a failure. */
static int alloc_arrays(engine_blocklu *b, size_t dsize, size_t nrows, size_t nent,
                        size_t noff, size_t nlu, size_t nsc)
{
    free_block_arrays(b);
    b->didx = malloc((dsize ? dsize : 1) * sizeof *b->didx);
    b->dval = malloc((dsize ? dsize : 1) * sizeof *b->dval);
    b->lu = malloc((dsize ? dsize : 1) * sizeof *b->lu);
    b->fill = malloc(dsize ? dsize : 1);
    b->rows = malloc((nrows ? nrows : 1) * sizeof *b->rows);
    b->scale = malloc((nrows ? nrows : 1) * sizeof *b->scale);
    b->src = malloc((nent ? nent : 1) * sizeof *b->src);
    b->val = malloc((nent ? nent : 1) * sizeof *b->val);
    b->ooff = malloc((noff ? noff : 1) * sizeof *b->ooff);
    b->oidx = malloc((noff ? noff : 1) * sizeof *b->oidx);
    b->lmap_e = malloc((nlu ? nlu : 1) * sizeof *b->lmap_e);
    b->lmap_a = malloc((nlu ? nlu : 1) * sizeof *b->lmap_a);
    b->smap_g = malloc((nsc ? nsc : 1) * sizeof *b->smap_g);
    b->smap_a = malloc((nsc ? nsc : 1) * sizeof *b->smap_a);
    if (!b->didx || !b->dval || !b->lu || !b->fill || !b->rows || !b->scale || !b->src || !b->val ||
        !b->ooff || !b->oidx || !b->lmap_e || !b->lmap_a || !b->smap_g || !b->smap_a)
        return GSL_ENOMEM;
    return GSL_SUCCESS;
}

/* Block k's dense diagonal: where its entries are in J, and its pattern
 * after elimination. */
static void block_pattern(engine_blocklu *b, size_t k)
{
    const size_t n = b->n;
    const size_t s0 = b->bstart[k], m = b->bstart[k + 1] - s0;
    const size_t *p = b->perm + s0;
    unsigned char *f = b->fill + b->doff[k];
    for (size_t r = 0; r < m; r++)
        for (size_t c = 0; c < m; c++) {
            b->didx[b->doff[k] + r * m + c] = p[r] * n + p[c];
            f[r * m + c] = b->mask[p[r] * n + p[c]];
        }
    /* the LU's own pattern: elimination without pivoting fills
     * (r, t) wherever (r, c) and (c, t) are, c < r, t */
    for (size_t c = 0; c < m; c++)
        for (size_t r = c + 1; r < m; r++)
            if (f[r * m + c])
                for (size_t t = c + 1; t < m; t++)
                    if (f[c * m + t])
                        f[r * m + t] = 1;
}

/* Block k's substitution rows, appended at *o (off-block entries), *e
 * (entries) and *g (rows); blk is the block of each state. */
static void block_rows(engine_blocklu *b, size_t k, const size_t *blk, size_t *o, size_t *e,
                       size_t *g)
{
    const size_t n = b->n;
    const size_t s0 = b->bstart[k], m = b->bstart[k + 1] - s0;
    const size_t *p = b->perm + s0;
    const unsigned char *f = b->fill + b->doff[k];
    b->luent[k] = *e;
    b->lurow[k] = *g;
    /* forward rows: off-block entries, then L (unit diagonal) */
    for (size_t r = 0; r < m; r++) {
        for (size_t j = 0; j < n; j++)
            if (b->mask[p[r] * n + j] && blk[j] != k) {
                b->src[*e] = (uint32_t)j;
                b->ooff[*o] = (*e)++;
                b->oidx[(*o)++] = p[r] * n + j;
            }
        for (size_t c = 0; c < r; c++)
            if (f[r * m + c]) {
                b->lmap_e[b->nlmap] = *e;
                b->lmap_a[b->nlmap++] = b->doff[k] + r * m + c;
                b->src[(*e)++] = (uint32_t)p[c];
            }
        b->scale[*g] = 1.0;
        b->rows[(*g)++] = (row){(uint32_t)p[r] | (m > 1 ? ROW_UNIT : 0), (uint32_t)*e};
    }
    if (m == 1)
        return; /* its one row's scale is 1/(c − J_ii) */
    for (size_t q = m; q-- > 0;) { /* backward: U */
        for (size_t t = q + 1; t < m; t++)
            if (f[q * m + t]) {
                b->lmap_e[b->nlmap] = *e;
                b->lmap_a[b->nlmap++] = b->doff[k] + q * m + t;
                b->src[(*e)++] = (uint32_t)p[t];
            }
        b->smap_g[b->nsmap] = *g;
        b->smap_a[b->nsmap++] = b->doff[k] + q * m + q;
        b->rows[(*g)++] = (row){(uint32_t)p[q], (uint32_t)*e};
    }
}

static int build(engine_blocklu *b)
{
    const size_t n = b->n;
    b->built = 0;
    find_blocks(b);
    size_t *blk = b->low; /* scratch reused: the block of each state */
    for (size_t k = 0; k < b->nb; k++)
        for (size_t q = b->bstart[k]; q < b->bstart[k + 1]; q++)
            blk[b->perm[q]] = k;
    size_t dsize = 0, noff = 0, nlu = 0, nrows = 0;
    b->nnz = 0;
    for (size_t k = 0; k < b->nb; k++) {
        const size_t m = b->bstart[k + 1] - b->bstart[k];
        b->doff[k] = dsize;
        dsize += m * m;
        nlu += m * (m - 1);          /* L and U entries */
        nrows += m > 1 ? 2 * m : 1;  /* forward and backward rows */
    }
    b->doff[b->nb] = dsize;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            if (b->mask[i * n + j]) {
                b->nnz++;
                if (blk[j] != blk[i])
                    noff++;
            }
    if (alloc_arrays(b, dsize, nrows, noff + nlu, noff, nlu, nrows) != GSL_SUCCESS)
        return GSL_ENOMEM;
    size_t o = 0, e = 0, g = 0;
    b->nlmap = b->nsmap = 0;
    for (size_t k = 0; k < b->nb; k++) {
        block_pattern(b, k);
        block_rows(b, k, blk, &o, &e, &g);
    }
    b->nrows = g;
    b->nent = e;
    b->noff = o;
    b->built = 1;
    return GSL_SUCCESS;
}

int engine_blocklu_load(engine_blocklu *b, const double *J, int scan)
{
    const size_t nn = b->n * b->n;
    /* any bit of an entry off the pattern: a non-zero there (−0 counts,
     * which only adds an entry), in integer arithmetic that vectorises */
    uint64_t off = 0;
    if (b->built && scan) {
        /* four entries at a time (GCC's vector extension: SSE2 on x86-64;
         * GCC left it scalar, 40% of a load) */
        typedef uint64_t v2u __attribute__((vector_size(16), aligned(8), may_alias));
        v2u o0 = {0, 0}, o1 = {0, 0};
        size_t k = 0;
        for (; k + 4 <= nn; k += 4) {
            o0 |= *(const v2u *)(J + k) & *(const v2u *)(b->outside + k);
            o1 |= *(const v2u *)(J + k + 2) & *(const v2u *)(b->outside + k + 2);
        }
        o0 |= o1;
        off = o0[0] | o0[1];
        for (; k < nn; k++) {
            uint64_t bits;
            memcpy(&bits, &J[k], sizeof bits);
            off |= bits & b->outside[k];
        }
    }
    if (!b->built || off) {
        for (size_t k = 0; k < nn; k++) /* no branch on the values */
            b->mask[k] |= J[k] != 0;
        for (size_t i = 0; i < b->n; i++) /* the diagonal always: W has c there */
            b->mask[i * b->n + i] = 1;
        for (size_t k = 0; k < nn; k++)
            b->outside[k] = b->mask[k] ? 0 : ~(uint64_t)0;
        int rc = build(b);
        if (rc)
            return rc;
    }
    /* the entries read, checked: an exponent of all ones is an infinity
     * or a NaN (integer tests, no chain of floating-point latencies) */
    const uint64_t EXP = 0x7ff0000000000000ULL;
    uint64_t bad = 0;
    const size_t dsize = b->doff[b->nb];
    for (size_t t = 0; t < dsize; t++) {
        uint64_t bits;
        memcpy(&bits, &J[b->didx[t]], sizeof bits);
        memcpy(&b->dval[t], &bits, sizeof bits);
        bad |= (uint64_t)((bits & EXP) == EXP);
    }
    for (size_t t = 0; t < b->noff; t++) {
        uint64_t bits;
        memcpy(&bits, &J[b->oidx[t]], sizeof bits);
        memcpy(&b->val[b->ooff[t]], &bits, sizeof bits);
        bad |= (uint64_t)((bits & EXP) == EXP);
    }
    return bad ? GSL_EBADFUNC : GSL_SUCCESS;
}

/* a pivot below this share of the largest entry of its column refuses the
 * factorisation (multipliers stay below 100): the step is halved, and
 * c·I dominates more */
static const double PIVOT_MIN = 1e-2;

/* The LU of the m×m block c·I − J_bb in place in a (L's multipliers below
 * the diagonal, U above, 1/u_qq on it), no pivoting; GSL_ESING on a pivot
 * small for its column.  m a constant where it is inlined for a small
 * block (calcify's: 2, 3 and 6), so that the loops unroll: the same
 * operations in the same order as the general case. */
static inline __attribute__((always_inline)) int lu_block(double *restrict a,
                                                          const double *restrict jv, double c,
                                                          const size_t m)
{
    for (size_t t = 0; t < m * m; t++)
        a[t] = -jv[t];
    for (size_t r = 0; r < m; r++)
        a[r * m + r] += c;
    for (size_t col = 0; col < m; col++) {
        double big = 0; /* threshold pivoting: |l| <= 1/PIVOT_MIN */
        for (size_t r = col; r < m; r++)
            if (fabs(a[r * m + col]) > big)
                big = fabs(a[r * m + col]);
        const double piv = a[col * m + col];
        if (!(fabs(piv) > PIVOT_MIN * big) || !isfinite(piv))
            return GSL_ESING;
        const double inv = 1.0 / piv;
        a[col * m + col] = inv;
        for (size_t r = col + 1; r < m; r++) {
            const double l = a[r * m + col] * inv;
            a[r * m + col] = l;
            for (size_t t = col + 1; t < m; t++)
                a[r * m + t] -= l * a[col * m + t];
        }
    }
    return GSL_SUCCESS;
}

int engine_blocklu_factor(engine_blocklu *b, double c)
{
    for (size_t k = 0; k < b->nb; k++) {
        const size_t m = b->bstart[k + 1] - b->bstart[k];
        const double *jv = b->dval + b->doff[k];
        if (m == 1) {
            const double w = c - jv[0];
            if (!(fabs(w) > 0))
                return GSL_ESING;
            b->scale[b->lurow[k]] = 1.0 / w;
            continue;
        }
        double *a = b->lu + b->doff[k];
        int rc;
        switch (m) {
        case 2: rc = lu_block(a, jv, c, 2); break;
        case 3: rc = lu_block(a, jv, c, 3); break;
        case 4: rc = lu_block(a, jv, c, 4); break;
        case 5: rc = lu_block(a, jv, c, 5); break;
        case 6: rc = lu_block(a, jv, c, 6); break;
        default: rc = lu_block(a, jv, c, m); break;
        }
        if (rc != GSL_SUCCESS)
            return rc;
    }
    /* the program's values, where build() laid them out */
    for (size_t t = 0; t < b->nlmap; t++)
        b->val[b->lmap_e[t]] = -b->lu[b->lmap_a[t]];
    for (size_t t = 0; t < b->nsmap; t++)
        b->scale[b->smap_g[t]] = b->lu[b->smap_a[t]];
    return GSL_SUCCESS;
}

/* Each row was x_d := (x_d + Σ val·x_src)·scale, summed in two sums so
 * that a row's additions are not one chain of latencies: terms 0, 2, 4, …
 * into acc0 = x_d, terms 1, 3, … into acc1 = 0, then acc0 + acc1 (the order
 * fixed: same bits every run).  A solve is latency-bound (Vermeer's: 24 of
 * its 46 rows in one chain, ~6 ns a link), so the links are kept short with
 * the same results to the bit:
 *  - acc1 starts at its first term and acc0 at x_d + 0, not at 0 and x_d:
 *    adding 0 changes nothing but a zero's sign, and the sum is +0, never
 *    −0, exactly as before, wherever the zero is added; off the chain (x_d
 *    is not the value just solved for) and not at all for a row of one term;
 *  - a row whose scale is 1 (ROW_UNIT) is not multiplied by it;
 *  - the value a row just stored, when the next row reads it (the chain's
 *    usual link: L row after L row, U row after U row), is taken from a
 *    register instead of back through memory: the test is on indices and
 *    branches (a fixed pattern, predicted), so the load's store-forwarding
 *    latency leaves the chain.  Solve alone on Vermeer's W: 118 -> 92 ns;
 *    keeping the two last values as well gained 1% more in a whole run,
 *    left out. */
void engine_blocklu_solve(const engine_blocklu *b, double *restrict x)
{
    const row *restrict rows = b->rows;
    const double *restrict scale = b->scale, *restrict val = b->val;
    const uint32_t *restrict src = b->src;
    const size_t nr = b->nrows;
    size_t e = 0;
    uint32_t pd = UINT32_MAX;
    double pv = 0;
    /* x[src[k]], or the value just solved for if that is it */
#define XS(k) (__builtin_expect(src[k] == pd, 0) ? pv : x[src[k]])
    for (size_t g = 0; g < nr; g++) {
        const row r = rows[g];
        const uint32_t d = r.dst & ROW_DST;
        double v;
        if (e == r.end) { /* a state that reads no other (a dose depot) */
            v = d == pd ? pv : x[d];
        } else {
            double acc0 = (d == pd ? pv : x[d]) + 0.0;
            acc0 += val[e] * XS(e);
            e++;
            if (e < r.end) {
                double acc1 = val[e] * XS(e);
                e++;
                for (; e + 1 < r.end; e += 2) {
                    acc0 += val[e] * XS(e);
                    acc1 += val[e + 1] * XS(e + 1);
                }
                if (e < r.end) {
                    acc0 += val[e] * XS(e);
                    e++;
                }
                v = acc0 + acc1;
            } else {
                v = acc0;
            }
        }
        pv = (r.dst & ROW_UNIT) ? v : v * scale[g];
        pd = d;
        x[d] = pv;
    }
#undef XS
}

size_t engine_blocklu_blocks(const engine_blocklu *b, size_t *largest, size_t *nnz)
{
    size_t big = 0;
    for (size_t k = 0; k < b->nb; k++)
        if (b->bstart[k + 1] - b->bstart[k] > big)
            big = b->bstart[k + 1] - b->bstart[k];
    if (largest)
        *largest = big;
    if (nnz)
        *nnz = b->nnz;
    return b->nb;
}

size_t engine_blocklu_block(const engine_blocklu *b, size_t k, const size_t **states)
{
    *states = b->perm + b->bstart[k];
    return b->bstart[k + 1] - b->bstart[k];
}
