/* suggest.c — closest names by Levenshtein distance. */
#include <string.h>

#include "base/suggest.h"

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return (size_t)-1;
    size_t row[64];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = diag + cost;
            if (row[j] + 1 < best) best = row[j] + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* Only the nearest candidates are offered, and only if they are near:
 * at most 2 edits, or a quarter of the word's length for long words. */
static size_t limit_for(const char *word)
{
    size_t lw = strlen(word);
    return lw / 4 > 2 ? lw / 4 : 2;
}

char *calcify_suggest_strided(const char *word, const void *first, size_t n,
                              size_t stride, char *buf, size_t cap)
{
    buf[0] = '\0';
    const char *base = first;
    size_t best = limit_for(word) + 1;
    for (size_t i = 0; i < n; i++) {
        const char *cand = *(const char *const *)(const void *)(base + i * stride);
        size_t d = cand ? edit_distance(word, cand) : (size_t)-1;
        if (d < best)
            best = d;
    }
    if (best > limit_for(word))
        return buf;
    for (size_t i = 0; i < n; i++) {
        const char *cand = *(const char *const *)(const void *)(base + i * stride);
        if (!cand || edit_distance(word, cand) != best)
            continue;
        size_t used = strlen(buf);
        if (used + strlen(cand) + 5 >= cap)
            break;
        if (used)
            strcat(buf, ", ");
        strcat(buf, "'");
        strcat(buf, cand);
        strcat(buf, "'");
    }
    return buf;
}

char *calcify_suggest(const char *word, const char *const *candidates,
                      size_t n, char *buf, size_t cap)
{
    return calcify_suggest_strided(word, candidates, n, sizeof *candidates, buf,
                                   cap);
}
