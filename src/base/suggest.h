/* suggest.h — "did you mean …?" for misspelt names (internal). */
#ifndef CALCIFY_SUGGEST_H
#define CALCIFY_SUGGEST_H

#include <stddef.h>

/* Write into buf the candidates nearest to `word` by edit distance (all that
 * tie, when within max(2, strlen(word)/4) edits), formatted as "'a', 'b'";
 * buf is "" when none is that close.  Returns buf. */
char *calcify_suggest(const char *word, const char *const *candidates,
                      size_t n, char *buf, size_t cap);

/* Same, for candidates laid out in an array of structs whose first member is
 * a `const char *` name (stride = sizeof the struct). */
char *calcify_suggest_strided(const char *word, const void *first, size_t n,
                              size_t stride, char *buf, size_t cap);

#endif
