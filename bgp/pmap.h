/*
 * A set of prefixes: an intrusive hash table keyed by struct bgp_prefix.
 * Plain libc.
 */
#ifndef BGP_PMAP_H
#define BGP_PMAP_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp/wire.h"

/* Embed one in each element. */
struct bgp_pnode {
    struct bgp_pnode *next;
    uint32_t hash;
    struct bgp_prefix prefix;
    uint8_t mark;               /* The element's own: the map leaves it be
                                 * (it fills what would be padding). */
};

struct bgp_pmap {
    struct bgp_pnode **buckets;
    size_t mask;                /* Number of buckets - 1. */
    size_t n;
};

void bgp_pmap_init(struct bgp_pmap *);
/* Frees the buckets, not the elements: the owner frees those. */
void bgp_pmap_destroy(struct bgp_pmap *);

uint32_t bgp_prefix_hash(const struct bgp_prefix *);
bool bgp_prefix_equal(const struct bgp_prefix *, const struct bgp_prefix *);
/* "10.0.0.0/24", "fd00::/64"; 'buf' of at least BGP_PREFIX_STRLEN. */
#define BGP_PREFIX_STRLEN 50
const char *bgp_prefix_format(const struct bgp_prefix *, char *buf);
/* Parses "ADDR/LEN" or a host "ADDR"; returns 0 or -1. */
int bgp_prefix_parse(const char *, struct bgp_prefix *);

static inline size_t
bgp_pmap_count(const struct bgp_pmap *m)
{
    return m->n;
}

struct bgp_pnode *bgp_pmap_find(const struct bgp_pmap *,
                                const struct bgp_prefix *);
/* The same, with 'hash' = bgp_prefix_hash(prefix) already known. */
struct bgp_pnode *bgp_pmap_find_hashed(const struct bgp_pmap *,
                                       const struct bgp_prefix *,
                                       uint32_t hash);
/* Inserts 'node', whose prefix is set and not in the map yet. */
void bgp_pmap_insert(struct bgp_pmap *, struct bgp_pnode *);
/* The same, with node->hash already set to the prefix's hash. */
void bgp_pmap_insert_hashed(struct bgp_pmap *, struct bgp_pnode *);
void bgp_pmap_remove(struct bgp_pmap *, struct bgp_pnode *);
/* Makes room for 'n' elements in all, so that inserting up to that many
 * resizes nothing. */
void bgp_pmap_reserve(struct bgp_pmap *, size_t n);

#endif /* bgp/pmap.h */
