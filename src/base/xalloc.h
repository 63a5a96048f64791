/* xalloc.h - allocation that never returns NULL: out of memory dies here */
#ifndef FPKIT_XALLOC_H
#define FPKIT_XALLOC_H

#include <stddef.h>

/* Each returns new memory the caller frees with free(); on exhaustion the
 * process prints one line and exits with EX_OSERR. */
void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
/* Grow an array to hold at least 'need' elements of 'size' bytes; *alloc
 * holds the current capacity (like git's ALLOC_GROW). */
void *xgrow(void *ptr, size_t need, size_t *alloc, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* A new string formatted like printf. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
