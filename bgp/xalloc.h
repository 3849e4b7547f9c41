/*
 * Allocation for bgp/, which stays free of Open vSwitch's library (and so
 * of its xmalloc()): the same contract, abort() when memory runs out.  One
 * set of helpers, so that no file grows its own.
 */
#ifndef BGP_XALLOC_H
#define BGP_XALLOC_H 1

#include <stdlib.h>
#include <string.h>

static inline void *
bgp_xrealloc(void *p, size_t size)
{
    p = realloc(p, size ? size : 1);
    if (!p) {
        abort();
    }
    return p;
}

static inline void *
bgp_xmalloc(size_t size)
{
    return bgp_xrealloc(NULL, size);
}

static inline void *
bgp_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) {
        abort();
    }
    return p;
}

static inline char *
bgp_xstrdup(const char *s)
{
    size_t len = strlen(s) + 1;
    return memcpy(bgp_xmalloc(len), s, len);
}

#endif /* bgp/xalloc.h */
