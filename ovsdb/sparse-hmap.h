/*
 * hmap_insert_sparse(): an insert that keeps an OVS hmap at most one node
 * per two buckets on average, where hmap_insert() lets it reach two per
 * bucket.
 *
 * For tables far larger than the cache (100k ports, 100k prefixes), each
 * node walked on the way to the right one is a cache miss (perf: most of
 * a lookup's time for a new key is the chain's other nodes): with a
 * quarter of the load, a lookup mostly reads one bucket and at most one
 * node.  It costs up to four bucket pointers per node.  Measured on a
 * 100k-port NB sync: at most one per bucket took 11% off the CPU (3 MB
 * more peak RSS), one per two buckets 5% more (bench-nb-replica).
 */
#ifndef OVSDB_SPARSE_HMAP_H
#define OVSDB_SPARSE_HMAP_H 1

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "openvswitch/hmap.h"

static inline void
hmap_insert_sparse(struct hmap *map, struct hmap_node *node, size_t hash)
{
    if (hmap_count(map) > map->mask / 2) {
        /* hmap_reserve(n) sizes for n at two per bucket: this doubles the
         * buckets, leaving one node per four. */
        hmap_reserve(map, 4 * (map->mask + 1));
    }
    hmap_insert(map, node, hash);
}

/* Bulk inserts: sorting new nodes by the bucket each goes to (into a map
 * reserved beforehand for all of them) turns one or two cache misses per
 * insert into a walk through the buckets in order.
 *
 * Sorts the 'n' elements of 'size' bytes at 'a' by (hash & mask), where
 * the uint32_t hash of each is 'hash_offset' bytes into it: an LSD radix
 * sort, stable, 11 bits a pass, through 'tmp' (room for 'n').  Inline, so
 * that each caller's constant 'size' and 'hash_offset' make its copies and
 * loads plain moves. */
static inline void
hmap_sort_by_bucket(void *a, void *tmp, size_t n, size_t size,
                    size_t hash_offset, size_t mask)
{
    enum { BITS = 11, RADIX = 1 << BITS };
    char *from = a, *to = tmp;

    for (unsigned int shift = 0; shift < 32 && (mask >> shift);
         shift += BITS) {
        size_t count[RADIX] = { 0 };
        for (size_t i = 0; i < n; i++) {
            uint32_t hash;
            memcpy(&hash, from + i * size + hash_offset, sizeof hash);
            count[((hash & mask) >> shift) & (RADIX - 1)]++;
        }
        size_t sum = 0;
        for (size_t d = 0; d < RADIX; d++) {
            size_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++) {
            uint32_t hash;
            memcpy(&hash, from + i * size + hash_offset, sizeof hash);
            memcpy(to + count[((hash & mask) >> shift) & (RADIX - 1)]++ * size,
                   from + i * size, size);
        }
        char *t = from;
        from = to;
        to = t;
    }
    if (from != a) {
        memcpy(a, from, n * size);
    }
}

#endif /* ovsdb/sparse-hmap.h */
