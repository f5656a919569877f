/* blocklu.c — W = c·I − J by its strongly connected blocks (blocklu.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "engine/blocklu.h"

struct engine_blocklu {
    size_t n;
    unsigned char *mask;   /* n·n: the pattern, row-major                   */
    size_t nnz;            /* non-zeros in it                               */
    size_t *perm;          /* perm[k]: the state at position k, block order  */
    size_t *bstart;        /* block b holds positions bstart[b] .. [b+1]     */
    size_t nb;
    /* diagonal blocks, row-major m×m each from doff[b]: where in J their
     * entries are, their values, and the LU of c·I − J_bb             */
    size_t *doff, *didx;
    double *dval, *lu;
    size_t *piv;           /* per position: the block-local pivot row       */
    /* entries left of the diagonal block, per position k (CSR):
     * x[perm[k]] gains oval·x[ocol] in a solve                          */
    size_t *optr, *ocol, *oidx;
    double *oval;
    double *work;          /* n */
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
    b->perm = malloc(n * sizeof *b->perm);
    b->bstart = malloc((n + 1) * sizeof *b->bstart);
    b->doff = malloc((n + 1) * sizeof *b->doff);
    b->piv = malloc(n * sizeof *b->piv);
    b->optr = malloc((n + 1) * sizeof *b->optr);
    b->work = malloc(n * sizeof *b->work);
    b->index = malloc(n * sizeof *b->index);
    b->low = malloc(n * sizeof *b->low);
    b->stack = malloc(n * sizeof *b->stack);
    b->on_stack = malloc(n);
    if (!b->mask || !b->perm || !b->bstart || !b->doff || !b->piv || !b->optr || !b->work ||
        !b->index || !b->low || !b->stack || !b->on_stack) {
        engine_blocklu_free(b);
        return NULL;
    }
    return b;
}

void engine_blocklu_free(engine_blocklu *b)
{
    if (!b)
        return;
    free(b->mask);
    free(b->perm);
    free(b->bstart);
    free(b->doff);
    free(b->didx);
    free(b->dval);
    free(b->lu);
    free(b->piv);
    free(b->optr);
    free(b->ocol);
    free(b->oidx);
    free(b->oval);
    free(b->work);
    free(b->index);
    free(b->low);
    free(b->stack);
    free(b->on_stack);
    free(b);
}

/* Tarjan's strongly connected components on the graph i → j for J_ij in
 * the pattern (i reads j).  A component is closed only after every
 * component it reads from, so positions in closing order make W block
 * lower triangular. */
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

static int build(engine_blocklu *b)
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
    /* position of each state, and its block */
    size_t *pos = b->index, *blk = b->low; /* scratch reused */
    for (size_t k = 0; k < b->nb; k++)
        for (size_t q = b->bstart[k]; q < b->bstart[k + 1]; q++) {
            pos[b->perm[q]] = q;
            blk[b->perm[q]] = k;
        }
    size_t dsize = 0, osize = 0;
    b->nnz = 0;
    for (size_t k = 0; k < b->nb; k++) {
        const size_t m = b->bstart[k + 1] - b->bstart[k];
        b->doff[k] = dsize;
        dsize += m * m;
    }
    b->doff[b->nb] = dsize;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            if (b->mask[i * n + j]) {
                b->nnz++;
                if (blk[j] != blk[i])
                    osize++;
            }
    free(b->didx);
    free(b->dval);
    free(b->lu);
    free(b->ocol);
    free(b->oidx);
    free(b->oval);
    b->didx = malloc((dsize ? dsize : 1) * sizeof *b->didx);
    b->dval = malloc((dsize ? dsize : 1) * sizeof *b->dval);
    b->lu = malloc((dsize ? dsize : 1) * sizeof *b->lu);
    b->ocol = malloc((osize ? osize : 1) * sizeof *b->ocol);
    b->oidx = malloc((osize ? osize : 1) * sizeof *b->oidx);
    b->oval = malloc((osize ? osize : 1) * sizeof *b->oval);
    if (!b->didx || !b->dval || !b->lu || !b->ocol || !b->oidx || !b->oval) {
        b->built = 0;
        return GSL_ENOMEM;
    }
    size_t o = 0;
    for (size_t k = 0; k < b->nb; k++) {
        const size_t s0 = b->bstart[k], m = b->bstart[k + 1] - s0;
        for (size_t r = 0; r < m; r++)
            for (size_t c = 0; c < m; c++)
                b->didx[b->doff[k] + r * m + c] = b->perm[s0 + r] * n + b->perm[s0 + c];
        for (size_t r = 0; r < m; r++) {
            const size_t i = b->perm[s0 + r];
            b->optr[s0 + r] = o;
            for (size_t j = 0; j < n; j++)
                if (b->mask[i * n + j] && blk[j] != k) {
                    b->ocol[o] = j;
                    b->oidx[o] = i * n + j;
                    o++;
                }
        }
    }
    b->optr[n] = o;
    b->built = 1;
    return GSL_SUCCESS;
}

int engine_blocklu_load(engine_blocklu *b, const double *J)
{
    const size_t nn = b->n * b->n;
    int widen = !b->built;
    for (size_t k = 0; k < nn; k++)
        widen |= (J[k] != 0) & !b->mask[k];
    if (widen) {
        for (size_t k = 0; k < nn; k++)
            if (J[k] != 0)
                b->mask[k] = 1;
        for (size_t i = 0; i < b->n; i++) /* the diagonal always: W has c there */
            b->mask[i * b->n + i] = 1;
        int rc = build(b);
        if (rc)
            return rc;
    }
    double check = 0;
    const size_t dsize = b->doff[b->nb], osize = b->optr[b->n];
    for (size_t t = 0; t < dsize; t++) {
        b->dval[t] = J[b->didx[t]];
        check += b->dval[t] * 0;
    }
    for (size_t t = 0; t < osize; t++) {
        b->oval[t] = J[b->oidx[t]];
        check += b->oval[t] * 0;
    }
    /* 0·x is 0 for every finite x, NaN otherwise */
    return check == 0 ? GSL_SUCCESS : GSL_EBADFUNC;
}

int engine_blocklu_factor(engine_blocklu *b, double c)
{
    for (size_t k = 0; k < b->nb; k++) {
        const size_t s0 = b->bstart[k], m = b->bstart[k + 1] - s0;
        const double *jv = b->dval + b->doff[k];
        double *a = b->lu + b->doff[k];
        if (m == 1) {
            a[0] = c - jv[0];
            if (a[0] == 0)
                return GSL_ESING;
            a[0] = 1.0 / a[0]; /* a 1×1 block keeps its reciprocal */
            continue;
        }
        for (size_t t = 0; t < m * m; t++)
            a[t] = -jv[t];
        for (size_t r = 0; r < m; r++)
            a[r * m + r] += c;
        size_t *piv = b->piv + s0;
        for (size_t col = 0; col < m; col++) {
            size_t p = col;
            double big = fabs(a[col * m + col]);
            for (size_t r = col + 1; r < m; r++)
                if (fabs(a[r * m + col]) > big) {
                    big = fabs(a[r * m + col]);
                    p = r;
                }
            piv[col] = p;
            if (!(big > 0))
                return GSL_ESING;
            /* the multipliers left of col stay with their rows: the
             * solve swaps and eliminates column by column, in order */
            if (p != col)
                for (size_t t = col; t < m; t++) {
                    const double x = a[col * m + t];
                    a[col * m + t] = a[p * m + t];
                    a[p * m + t] = x;
                }
            const double inv = 1.0 / a[col * m + col];
            a[col * m + col] = inv; /* the diagonal of U kept inverted */
            for (size_t r = col + 1; r < m; r++) {
                const double l = a[r * m + col] * inv;
                a[r * m + col] = l;
                if (l != 0)
                    for (size_t t = col + 1; t < m; t++)
                        a[r * m + t] -= l * a[col * m + t];
            }
        }
    }
    return GSL_SUCCESS;
}

void engine_blocklu_solve(const engine_blocklu *b, double *x)
{
    double *r = b->work;
    for (size_t k = 0; k < b->nb; k++) {
        const size_t s0 = b->bstart[k], m = b->bstart[k + 1] - s0;
        for (size_t q = 0; q < m; q++) {
            const size_t pos = s0 + q;
            double acc = x[b->perm[pos]];
            for (size_t t = b->optr[pos]; t < b->optr[pos + 1]; t++)
                acc += b->oval[t] * x[b->ocol[t]];
            r[q] = acc;
        }
        const double *a = b->lu + b->doff[k];
        if (m == 1) {
            x[b->perm[s0]] = r[0] * a[0];
            continue;
        }
        const size_t *piv = b->piv + s0;
        for (size_t col = 0; col < m; col++) { /* L, with the row swaps */
            if (piv[col] != col) {
                const double t = r[col];
                r[col] = r[piv[col]];
                r[piv[col]] = t;
            }
            for (size_t q = col + 1; q < m; q++)
                r[q] -= a[q * m + col] * r[col];
        }
        for (size_t q = m; q-- > 0;) { /* U */
            double acc = r[q];
            for (size_t t = q + 1; t < m; t++)
                acc -= a[q * m + t] * r[t];
            r[q] = acc * a[q * m + q];
        }
        for (size_t q = 0; q < m; q++)
            x[b->perm[s0 + q]] = r[q];
    }
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
