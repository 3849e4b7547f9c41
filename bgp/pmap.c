/*
 * A set of prefixes: see pmap.h.
 */
#include "bgp/pmap.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgp/xalloc.h"

void
bgp_pmap_init(struct bgp_pmap *m)
{
    m->mask = 0;
    m->n = 0;
    m->buckets = bgp_xcalloc(1, sizeof *m->buckets);
}

void
bgp_pmap_destroy(struct bgp_pmap *m)
{
    free(m->buckets);
    m->buckets = NULL;
}

static size_t
prefix_bytes(const struct bgp_prefix *p)
{
    return (p->len + 7) / 8;
}

uint32_t
bgp_prefix_hash(const struct bgp_prefix *p)
{
    /* FNV-1a over the significant bytes, the length and the family. */
    uint32_t h = 2166136261u;
    size_t n = prefix_bytes(p);

    for (size_t i = 0; i < n && i < sizeof p->addr; i++) {
        uint8_t byte = p->addr[i];
        if (i == n - 1 && p->len % 8) {
            byte &= 0xff << (8 - p->len % 8);
        }
        h = (h ^ byte) * 16777619u;
    }
    h = (h ^ p->len) * 16777619u;
    h = (h ^ p->af) * 16777619u;
    return h ^ (h >> 15);
}

bool
bgp_prefix_equal(const struct bgp_prefix *a, const struct bgp_prefix *b)
{
    if (a->af != b->af || a->len != b->len) {
        return false;
    }
    size_t n = prefix_bytes(a);
    if (n > sizeof a->addr) {
        return false;
    }
    if (n && memcmp(a->addr, b->addr, n - 1)) {
        return false;
    }
    if (n) {
        uint8_t mask = a->len % 8 ? 0xff << (8 - a->len % 8) : 0xff;
        return !((a->addr[n - 1] ^ b->addr[n - 1]) & mask);
    }
    return true;
}

const char *
bgp_prefix_format(const struct bgp_prefix *p, char *buf)
{
    char addr[INET6_ADDRSTRLEN];
    inet_ntop(p->af == BGP_AF_IPV4 ? AF_INET : AF_INET6, p->addr, addr,
              sizeof addr);
    snprintf(buf, BGP_PREFIX_STRLEN, "%s/%u", addr, p->len);
    return buf;
}

int
bgp_prefix_parse(const char *s, struct bgp_prefix *p)
{
    char addr[INET6_ADDRSTRLEN + 1];
    const char *slash = strchr(s, '/');
    size_t n = slash ? (size_t) (slash - s) : strlen(s);

    if (n >= sizeof addr) {
        return -1;
    }
    memcpy(addr, s, n);
    addr[n] = '\0';
    memset(p, 0, sizeof *p);
    unsigned int max;
    if (inet_pton(AF_INET, addr, p->addr) == 1) {
        p->af = BGP_AF_IPV4;
        max = 32;
    } else if (inet_pton(AF_INET6, addr, p->addr) == 1) {
        p->af = BGP_AF_IPV6;
        max = 128;
    } else {
        return -1;
    }
    unsigned int len = max;
    if (slash) {
        char *end;
        unsigned long v = strtoul(slash + 1, &end, 10);
        if (!slash[1] || *end || v > max) {
            return -1;
        }
        len = v;
    }
    p->len = len;
    /* Clear the host bits, so that equal prefixes are equal bytes. */
    for (unsigned int bit = len; bit < max; bit++) {
        p->addr[bit / 8] &= ~(0x80 >> (bit % 8));
    }
    return 0;
}

struct bgp_pnode *
bgp_pmap_find_hashed(const struct bgp_pmap *m, const struct bgp_prefix *p,
                     uint32_t hash)
{
    for (struct bgp_pnode *node = m->buckets[hash & m->mask]; node;
         node = node->next) {
        if (node->hash == hash && bgp_prefix_equal(&node->prefix, p)) {
            return node;
        }
    }
    return NULL;
}

struct bgp_pnode *
bgp_pmap_find(const struct bgp_pmap *m, const struct bgp_prefix *p)
{
    return bgp_pmap_find_hashed(m, p, bgp_prefix_hash(p));
}

static void
resize(struct bgp_pmap *m, size_t n_buckets)
{
    struct bgp_pnode **buckets = bgp_xcalloc(n_buckets, sizeof *buckets);
    for (size_t b = 0; b <= m->mask; b++) {
        struct bgp_pnode *node, *next;
        for (node = m->buckets[b]; node; node = next) {
            next = node->next;
            struct bgp_pnode **head = &buckets[node->hash & (n_buckets - 1)];
            node->next = *head;
            *head = node;
        }
    }
    free(m->buckets);
    m->buckets = buckets;
    m->mask = n_buckets - 1;
}

void
bgp_pmap_insert_hashed(struct bgp_pmap *m, struct bgp_pnode *node)
{
    struct bgp_pnode **head = &m->buckets[node->hash & m->mask];
    node->next = *head;
    *head = node;
    /* Up to two elements a bucket. */
    if (++m->n > 2 * (m->mask + 1)) {
        resize(m, 2 * (m->mask + 1));
    }
}

void
bgp_pmap_insert(struct bgp_pmap *m, struct bgp_pnode *node)
{
    node->hash = bgp_prefix_hash(&node->prefix);
    bgp_pmap_insert_hashed(m, node);
}

void
bgp_pmap_reserve(struct bgp_pmap *m, size_t n)
{
    size_t n_buckets = m->mask + 1;
    while (n > 2 * n_buckets) {
        n_buckets *= 2;
    }
    if (n_buckets > m->mask + 1) {
        resize(m, n_buckets);
    }
}

void
bgp_pmap_remove(struct bgp_pmap *m, struct bgp_pnode *node)
{
    struct bgp_pnode **p = &m->buckets[node->hash & m->mask];
    while (*p != node) {
        p = &(*p)->next;
    }
    *p = node->next;
    m->n--;
    /* Shrink, so that an emptied large map costs little to walk. */
    if (m->mask >= 64 && m->n < (m->mask + 1) / 8) {
        resize(m, (m->mask + 1) / 4);
    }
}

