/*
 * The Loc-RIB (the owner's route set) and, for each of a few peers, what
 * the peer has from us (its adj-RIB-out) and what changed since.  Plain
 * libc, no sockets and no time: the engine asks for a peer's next batch
 * when the peer's socket can take more, and encodes it.
 *
 * There is one entry per prefix, with two bits per peer: "sent" (the peer
 * has the prefix from us) and "queued" (it changed since; what goes out is
 * decided when the peer gets to it, from the state then, so the latest
 * state wins).  A withdrawn prefix that a peer still has, or still has to
 * look at, stays as a tombstone until every such peer got to it.  A peer's
 * initial table, and a route refresh, is a walk over the entries that
 * sends those the peer lacks: nothing is copied.
 */
#ifndef BGP_RIB_H
#define BGP_RIB_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp/wire.h"

/* Peers are numbered 0 to BGP_RIB_MAX_PEERS - 1 by the owner. */
#define BGP_RIB_MAX_PEERS 32

/* A step for a peer looks at up to this many changed prefixes, or sends up
 * to this many of its table. */
#define BGP_RIB_BATCH 1024

struct bgp_rib;

/* One step for a peer: per family, what to withdraw and what to
 * announce. */
struct bgp_rib_batch {
    struct bgp_prefix withdrawn[BGP_AF_N][BGP_RIB_BATCH];
    struct bgp_prefix announced[BGP_AF_N][BGP_RIB_BATCH];
    size_t n_withdrawn[BGP_AF_N];
    size_t n_announced[BGP_AF_N];
};

struct bgp_rib *bgp_rib_create(void);
void bgp_rib_destroy(struct bgp_rib *);

/* The route set.  Each returns true if the set changed. */
bool bgp_rib_announce(struct bgp_rib *, const struct bgp_prefix *);
bool bgp_rib_withdraw(struct bgp_rib *, const struct bgp_prefix *);
bool bgp_rib_has(const struct bgp_rib *, const struct bgp_prefix *);
/* Prefixes in the set. */
size_t bgp_rib_count(const struct bgp_rib *);
/* Entries kept, tombstones included. */
size_t bgp_rib_n_entries(const struct bgp_rib *);
/* About 'n' more prefixes are coming: make room for them at once. */
void bgp_rib_reserve(struct bgp_rib *, size_t n);

/* The peer's table starts, from nothing: every prefix of 'families' (a
 * bitmap of enum bgp_af) goes out, and from now on every change. */
void bgp_rib_peer_start(struct bgp_rib *, unsigned int peer,
                        uint8_t families);
/* The peer has nothing from us any more, and gets nothing until started
 * again (its session went down). */
void bgp_rib_peer_stop(struct bgp_rib *, unsigned int peer);
/* The peer asks for 'afs' again (route refresh): every prefix of those
 * families goes out again; withdrawals it is due stay due. */
void bgp_rib_peer_refresh(struct bgp_rib *, unsigned int peer, uint8_t afs);
/* Fills 'batch' with the peer's next step, and takes what it announces as
 * sent and what it withdraws as no longer sent: queued changes first, else
 * the next part of the table walk.  Returns false, with 'batch' empty, if
 * there was nothing left to look at: the peer is up to date. */
bool bgp_rib_peer_next(struct bgp_rib *, unsigned int peer,
                       struct bgp_rib_batch *);
/* How many prefixes the peer has from us. */
size_t bgp_rib_peer_sent(const struct bgp_rib *, unsigned int peer);

#endif /* bgp/rib.h */
