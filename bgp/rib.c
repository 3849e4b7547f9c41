/*
 * The Loc-RIB and the peers' adj-RIB-out: see rib.h.
 */
#include "bgp/rib.h"

#include <stdlib.h>
#include <string.h>

#include "bgp/pmap.h"
#include "bgp/xalloc.h"

/* node.mark: the slot holds an entry (else it is free); the entry is in
 * the owner's set (else it is a tombstone). */
#define LIVE 1
#define PRESENT 2

struct rib_entry {
    struct bgp_pnode node;      /* First: a node is its entry. */
    uint32_t sent;              /* Bit per peer: the peer has it. */
    uint32_t queued;            /* Bit per peer: in the peer's queue. */
};

/* A peer's changed entries, oldest first.  An entry is in it at most once
 * (its 'queued' bit says whether), and is not freed while it is. */
struct queue {
    struct rib_entry **v;
    size_t head, n, allocated;
};

struct rib_peer {
    bool started;
    uint8_t families;
    size_t n_sent;
    struct queue queue;
    /* The table walk, in slot order: what is before slot 'slot' of slab
     * 'slab' is done.  Entries never move, so nothing the walk must see
     * can get behind it; an entry created since the peer started is in
     * its queue anyway. */
    bool walking;
    size_t slab, slot;
};

/* Entries come from slabs, not one malloc each: no per-entry header,
 * nothing to free one by one, and walks go through memory in order. */
#define SLAB_ENTRIES 1024

struct bgp_rib {
    struct bgp_pmap map;
    size_t n_present;
    uint32_t started;           /* Bit per started peer. */
    struct rib_peer peers[BGP_RIB_MAX_PEERS];
    struct rib_entry **slabs;   /* Each of SLAB_ENTRIES slots. */
    size_t n_slabs, allocated_slabs;
    size_t slab_used;           /* Slots handed out of the last slab. */
    struct bgp_pnode *free;     /* Slots given back, through 'next'. */
};

static struct rib_entry *
entry_of(struct bgp_pnode *node)
{
    return (struct rib_entry *) node;
}

static bool
is_present(const struct rib_entry *e)
{
    return e->node.mark & PRESENT;
}

/* A slot for a new entry; the caller sets it all. */
static struct rib_entry *
entry_alloc(struct bgp_rib *rib)
{
    if (rib->free) {
        struct bgp_pnode *node = rib->free;
        rib->free = node->next;
        return entry_of(node);
    }
    if (!rib->n_slabs || rib->slab_used == SLAB_ENTRIES) {
        if (rib->n_slabs == rib->allocated_slabs) {
            rib->allocated_slabs = (rib->allocated_slabs
                                    ? 2 * rib->allocated_slabs : 16);
            rib->slabs = bgp_xrealloc(rib->slabs, (rib->allocated_slabs
                                                   * sizeof *rib->slabs));
        }
        rib->slabs[rib->n_slabs++] = bgp_xmalloc(
            SLAB_ENTRIES * sizeof **rib->slabs);
        rib->slab_used = 0;
    }
    return &rib->slabs[rib->n_slabs - 1][rib->slab_used++];
}

/* How many slots of slab 's' have been handed out. */
static size_t
slab_len(const struct bgp_rib *rib, size_t s)
{
    return s + 1 < rib->n_slabs ? SLAB_ENTRIES : rib->slab_used;
}

static void
free_slabs(struct bgp_rib *rib)
{
    for (size_t s = 0; s < rib->n_slabs; s++) {
        free(rib->slabs[s]);
    }
    free(rib->slabs);
    rib->slabs = NULL;
    rib->n_slabs = rib->allocated_slabs = rib->slab_used = 0;
    rib->free = NULL;
    /* Nothing is left to walk. */
    for (size_t i = 0; i < BGP_RIB_MAX_PEERS; i++) {
        rib->peers[i].walking = false;
    }
}

/* 'e', out of the map, is no longer used. */
static void
entry_free(struct bgp_rib *rib, struct rib_entry *e)
{
    e->node.mark = 0;
    e->node.next = rib->free;
    rib->free = &e->node;
}

/* Once the map is empty every slab is free: give them back. */
static void
maybe_free_slabs(struct bgp_rib *rib)
{
    if (!bgp_pmap_count(&rib->map)) {
        free_slabs(rib);
    }
}

/* A tombstone no peer needs any more goes. */
static void
maybe_drop(struct bgp_rib *rib, struct rib_entry *e)
{
    if (!is_present(e) && !e->sent && !e->queued) {
        bgp_pmap_remove(&rib->map, &e->node);
        entry_free(rib, e);
        maybe_free_slabs(rib);
    }
}

static void
queue_push(struct queue *q, struct rib_entry *e)
{
    if (q->n == q->allocated) {
        if (q->head >= q->n / 2 && q->head) {
            /* Mostly consumed: slide down rather than grow. */
            memmove(q->v, q->v + q->head, (q->n - q->head) * sizeof *q->v);
            q->n -= q->head;
            q->head = 0;
        } else {
            q->allocated = q->allocated ? 2 * q->allocated : 64;
            q->v = bgp_xrealloc(q->v, q->allocated * sizeof *q->v);
        }
    }
    q->v[q->n++] = e;
}

static void
queue_clear(struct queue *q)
{
    /* After a burst, give the memory back. */
    if (q->allocated > 4096) {
        free(q->v);
        q->v = NULL;
        q->allocated = 0;
    }
    q->head = q->n = 0;
}

static struct rib_entry *
queue_pop(struct queue *q)
{
    if (q->head == q->n) {
        return NULL;
    }
    struct rib_entry *e = q->v[q->head++];
    if (q->head == q->n) {
        queue_clear(q);
    }
    return e;
}

static bool
queue_is_empty(const struct queue *q)
{
    return q->head == q->n;
}

/* ------------------------------------------------------------------------
 * The route set.
 */

struct bgp_rib *
bgp_rib_create(void)
{
    struct bgp_rib *rib = bgp_xcalloc(1, sizeof *rib);
    bgp_pmap_init(&rib->map);
    return rib;
}

void
bgp_rib_destroy(struct bgp_rib *rib)
{
    if (!rib) {
        return;
    }
    for (size_t i = 0; i < BGP_RIB_MAX_PEERS; i++) {
        free(rib->peers[i].queue.v);
    }
    free_slabs(rib);
    bgp_pmap_destroy(&rib->map);
    free(rib);
}

static void
enqueue(struct bgp_rib *rib, unsigned int peer, struct rib_entry *e)
{
    e->queued |= 1u << peer;
    queue_push(&rib->peers[peer].queue, e);
}

bool
bgp_rib_announce(struct bgp_rib *rib, const struct bgp_prefix *p)
{
    uint32_t hash = bgp_prefix_hash(p);
    struct bgp_pnode *node = bgp_pmap_find_hashed(&rib->map, p, hash);
    struct rib_entry *e;

    if (node) {
        e = entry_of(node);
        if (is_present(e)) {
            return false;
        }
        e->node.mark |= PRESENT;
    } else {
        e = entry_alloc(rib);
        e->node.prefix = *p;
        e->node.hash = hash;
        e->node.mark = LIVE | PRESENT;
        e->sent = e->queued = 0;
        bgp_pmap_insert_hashed(&rib->map, &e->node);
    }
    rib->n_present++;

    /* Every started peer of the family looks at it (one still walking
     * its table may get it either way, and only once). */
    uint32_t todo = rib->started & ~e->queued;
    while (todo) {
        unsigned int peer = __builtin_ctz(todo);
        todo &= todo - 1;
        if (rib->peers[peer].families & (1u << p->af)) {
            enqueue(rib, peer, e);
        }
    }
    return true;
}

bool
bgp_rib_withdraw(struct bgp_rib *rib, const struct bgp_prefix *p)
{
    struct bgp_pnode *node = bgp_pmap_find(&rib->map, p);
    if (!node || !is_present(entry_of(node))) {
        return false;
    }
    struct rib_entry *e = entry_of(node);
    e->node.mark &= ~PRESENT;
    rib->n_present--;

    /* Only the peers that have it need to hear of it. */
    uint32_t todo = e->sent & ~e->queued;
    while (todo) {
        unsigned int peer = __builtin_ctz(todo);
        todo &= todo - 1;
        enqueue(rib, peer, e);
    }
    maybe_drop(rib, e);
    return true;
}

bool
bgp_rib_has(const struct bgp_rib *rib, const struct bgp_prefix *p)
{
    struct bgp_pnode *node = bgp_pmap_find(&rib->map, p);
    return node && is_present(entry_of(node));
}

size_t
bgp_rib_count(const struct bgp_rib *rib)
{
    return rib->n_present;
}

size_t
bgp_rib_n_entries(const struct bgp_rib *rib)
{
    return bgp_pmap_count(&rib->map);
}

void
bgp_rib_reserve(struct bgp_rib *rib, size_t n)
{
    bgp_pmap_reserve(&rib->map, bgp_pmap_count(&rib->map) + n);
}

/* ------------------------------------------------------------------------
 * Peers.
 */

static void
walk_from_start(struct rib_peer *rp)
{
    rp->walking = true;
    rp->slab = rp->slot = 0;
}

void
bgp_rib_peer_start(struct bgp_rib *rib, unsigned int peer, uint8_t families)
{
    struct rib_peer *rp = &rib->peers[peer];

    bgp_rib_peer_stop(rib, peer);
    rp->started = true;
    rp->families = families;
    rib->started |= 1u << peer;
    walk_from_start(rp);
}

void
bgp_rib_peer_stop(struct bgp_rib *rib, unsigned int peer)
{
    struct rib_peer *rp = &rib->peers[peer];

    if (!rp->started) {
        return;
    }
    /* Only a peer that has something, or has something to look at, leaves
     * marks in the entries. */
    if (rp->n_sent || !queue_is_empty(&rp->queue)) {
        uint32_t mask = ~(1u << peer);
        for (size_t s = 0; s < rib->n_slabs; s++) {
            struct rib_entry *v = rib->slabs[s];
            for (size_t i = 0; i < slab_len(rib, s); i++) {
                struct rib_entry *e = &v[i];
                if (e->node.mark & LIVE) {
                    e->sent &= mask;
                    e->queued &= mask;
                    if (!is_present(e) && !e->sent && !e->queued) {
                        bgp_pmap_remove(&rib->map, &e->node);
                        entry_free(rib, e);
                    }
                }
            }
        }
        /* Only now: the loop above still reads the slabs. */
        maybe_free_slabs(rib);
    }
    queue_clear(&rp->queue);
    rp->n_sent = 0;
    rp->walking = false;
    rp->started = false;
    rib->started &= ~(1u << peer);
}

void
bgp_rib_peer_refresh(struct bgp_rib *rib, unsigned int peer, uint8_t afs)
{
    struct rib_peer *rp = &rib->peers[peer];
    uint32_t bit = 1u << peer;

    if (!rp->started) {
        return;
    }
    /* What the set has of those families is sent again by a new walk;
     * tombstones keep their bit, so their withdrawals stay due. */
    for (size_t s = 0; s < rib->n_slabs; s++) {
        struct rib_entry *v = rib->slabs[s];
        for (size_t i = 0; i < slab_len(rib, s); i++) {
            struct rib_entry *e = &v[i];
            if ((e->sent & bit) && is_present(e)
                && (afs & (1u << e->node.prefix.af))) {
                e->sent &= ~bit;
                rp->n_sent--;
            }
        }
    }
    walk_from_start(rp);
}

static void
clear_batch(struct bgp_rib_batch *b)
{
    memset(b->n_withdrawn, 0, sizeof b->n_withdrawn);
    memset(b->n_announced, 0, sizeof b->n_announced);
}

/* Up to BGP_RIB_BATCH queued entries: each goes out as its state is now,
 * if that differs from what the peer has. */
static void
next_changes(struct bgp_rib *rib, unsigned int peer,
             struct bgp_rib_batch *b)
{
    struct rib_peer *rp = &rib->peers[peer];
    uint32_t bit = 1u << peer;
    struct rib_entry *e;

    for (size_t taken = 0; taken < BGP_RIB_BATCH
         && (e = queue_pop(&rp->queue)) != NULL; taken++) {
        const struct bgp_prefix *p = &e->node.prefix;
        bool want = is_present(e);
        bool have = e->sent & bit;

        e->queued &= ~bit;
        if (want && !have) {
            b->announced[p->af][b->n_announced[p->af]++] = *p;
            e->sent |= bit;
            rp->n_sent++;
        } else if (!want && have) {
            b->withdrawn[p->af][b->n_withdrawn[p->af]++] = *p;
            e->sent &= ~bit;
            rp->n_sent--;
        }
        maybe_drop(rib, e);
    }
}

/* The next BGP_RIB_BATCH prefixes of the set the peer lacks. */
static void
next_walk(struct bgp_rib *rib, unsigned int peer, struct bgp_rib_batch *b)
{
    struct rib_peer *rp = &rib->peers[peer];
    uint32_t bit = 1u << peer;
    size_t n = 0;

    for (; rp->slab < rib->n_slabs; rp->slab++, rp->slot = 0) {
        struct rib_entry *v = rib->slabs[rp->slab];
        size_t len = slab_len(rib, rp->slab);
        for (; rp->slot < len; rp->slot++) {
            struct rib_entry *e = &v[rp->slot];
            const struct bgp_prefix *p = &e->node.prefix;
            if (!is_present(e) || (e->sent & bit)
                || !(rp->families & (1u << p->af))) {
                continue;
            }
            if (n == BGP_RIB_BATCH) {
                return;
            }
            b->announced[p->af][b->n_announced[p->af]++] = *p;
            e->sent |= bit;
            rp->n_sent++;
            n++;
        }
    }
    rp->walking = false;
}

bool
bgp_rib_peer_next(struct bgp_rib *rib, unsigned int peer,
                  struct bgp_rib_batch *b)
{
    struct rib_peer *rp = &rib->peers[peer];

    clear_batch(b);
    if (!queue_is_empty(&rp->queue)) {
        next_changes(rib, peer, b);
        return true;
    }
    if (rp->walking) {
        next_walk(rib, peer, b);
        return true;
    }
    return false;
}

size_t
bgp_rib_peer_sent(const struct bgp_rib *rib, unsigned int peer)
{
    return rib->peers[peer].n_sent;
}
