/*
 * What passes between the daemon's two threads.
 *
 * The NB thread (OVS poll loop: NB watcher, unixctl) hands the BGP thread
 * (libevent: the BGP engine, metrics) the route set as diffs, in order, and
 * wakes it through an eventfd.  Status flows back only as read-only
 * snapshots: the BGP thread copies its peers' status in when asked and
 * wakes the NB thread through a latch; the NB thread leaves a copy of its
 * own status for the metrics.  Nothing else is shared, and everything here
 * is under one mutex.
 */
#ifndef SRC_CHANNEL_H
#define SRC_CHANNEL_H 1

#include <stdbool.h>
#include <stddef.h>

#include "bgp/engine.h"
#include "latch.h"
#include "ovs-thread.h"
#include "ovsdb/nb-watcher.h"
#include "ovsdb/route-set.h"

struct route_delta {
    bool add;
    struct bgp_prefix prefix;
};

/* What the NB side reports, for /metrics and /readyz. */
struct nb_snapshot {
    bool valid;
    bool connected;
    bool synced;
    unsigned long long n_given_up;  /* Servers and attempts given up. */
    long long int last_change_ms;   /* Wall clock, 0 if none. */
    size_t n_by_kind[RS_N_KINDS];
    size_t n_routes;
    size_t n_skipped;               /* Annotated rows skipped: bad values. */
};

struct channel {
    struct ovs_mutex mutex;

    /* NB -> BGP. */
    struct route_delta *deltas OVS_GUARDED;
    size_t n_deltas OVS_GUARDED, allocated OVS_GUARDED;
    bool complete OVS_GUARDED;      /* The first NB snapshot is in. */
    bool want_status OVS_GUARDED;   /* The NB side wants a fresh one. */
    bool exit OVS_GUARDED;          /* Stop (from ovs-appctl exit). */
    bool exit_withdraw OVS_GUARDED; /* ...with a Cease, routes dropped. */
    struct nb_snapshot nb OVS_GUARDED;
    int bgp_wake;                   /* eventfd: the BGP loop waits on it. */

    /* BGP -> NB. */
    struct bgp_peer_status *peers OVS_GUARDED;
    size_t n_peers OVS_GUARDED;
    unsigned long long status_seq OVS_GUARDED;  /* Bumped per snapshot. */
    bool bgp_stopped OVS_GUARDED;   /* The engine has stopped. */
    struct latch nb_wake;           /* The NB loop waits on it. */
};

void channel_init(struct channel *);
void channel_destroy(struct channel *);

/* Wakes the other side. */
void channel_wake_bgp(struct channel *);
void channel_wake_nb(struct channel *);

/* Called by the BGP side when woken: clears the eventfd. */
void channel_drain_bgp_wake(struct channel *);

/* Converts an NB prefix (IPv4-mapped) to the engine's. */
void route_delta_from_nb(const struct nb_prefix *, struct bgp_prefix *);

#endif /* src/channel.h */
