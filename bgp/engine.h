/*
 * The BGP engine: originates a route set towards a few upstream peers.
 *
 * Its owner hands it prefixes (bgp_engine_announce/withdraw) and says when
 * the set is complete (bgp_engine_set_complete); the engine runs the
 * sessions, one adj-RIB-out per peer, and builds UPDATEs lazily from the
 * current state when a peer's socket can take them.  It keeps none of the
 * routes it receives; it validates and counts them.
 *
 * Everything runs on the owner's libevent base, in the owner's thread.
 * Knows BGP and nothing of OVN.
 */
#ifndef BGP_ENGINE_H
#define BGP_ENGINE_H 1

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "bgp/wire.h"

struct event_base;

struct bgp_peer_config {
    struct sockaddr_storage addr;   /* Address and port to connect to. */
    uint32_t as;
    const char *password;           /* TCP MD5 (RFC 2385), or NULL. */
    bool passive;                   /* Only accept the peer's connection. */
    int ttl;                        /* 0: 1 for eBGP, 255 for iBGP. */
};

struct bgp_engine_config {
    uint32_t local_as;
    uint32_t router_id;             /* Host byte order, non-zero. */
    uint16_t hold_time;             /* 0, or 3 and more. */
    uint16_t listen_port;           /* 0: do not listen. */
    /* Source address of sessions and listening address; AF_UNSPEC: any. */
    struct sockaddr_storage local_addr;
    bool graceful_restart;
    uint16_t restart_time;          /* Advertised restart time. */
    unsigned int deferral_time;     /* Longest wait for the route set. */
    bool extended_nexthop;          /* RFC 8950 on IPv6 sessions. */
    /* Next hop override; unset (AF_UNSPEC) means the session's own
     * address for that family. */
    bool has_nh4, has_nh6;
    uint8_t nh4[4], nh6[16];
    unsigned int connect_retry;     /* Seconds; 0: default. */
};

struct bgp_engine *bgp_engine_create(struct event_base *,
                                     const struct bgp_engine_config *);
/* Adds a peer.  Returns 0, or -1 with 'error' (static) set. */
int bgp_engine_add_peer(struct bgp_engine *, const struct bgp_peer_config *,
                        const char **error);
/* A peer's life, while the engine runs too (a peer added then starts at
 * once).  bgp_engine_set_peer() gives the peer at cfg->addr new settings:
 * it returns 0 if they are the ones it has (its session untouched), 1 if
 * its session was reset (a Cease, Other Configuration Change) to start
 * again with them, -1 with 'error' set if they are bad.
 * bgp_engine_remove_peer() ends the session of the peer at 'addr' with a
 * Cease (Peer De-configured, RFC 4486) and forgets it; returns -1 if there
 * is no such peer.  Other peers' sessions are never touched. */
int bgp_engine_set_peer(struct bgp_engine *, const struct bgp_peer_config *,
                        const char **error);
int bgp_engine_remove_peer(struct bgp_engine *,
                           const struct sockaddr_storage *addr);

/* Opens the listeners and starts every peer.  Returns 0, or an errno
 * value with 'error' set if a listener cannot be opened.
 *
 * Without graceful restart, until the route set is complete (or the
 * deferral time is over) the engine accepts its peers' connections but
 * opens none itself: then the peers not yet connected are dialed at once.
 * With graceful restart every peer is dialed now, and only the table and
 * End-of-RIB wait for the set (RFC 4724).  Passive peers are never
 * dialed. */
int bgp_engine_start(struct bgp_engine *, const char **error);
/* Whether some peer is still waiting for the route set before dialing. */
bool bgp_engine_holds_dials(const struct bgp_engine *);

/* Stops every session.  'graceful': close without a NOTIFICATION, so that
 * peers with graceful restart keep the routes; otherwise a Cease with the
 * RFC 9003 message 'message'.  Pending output is flushed for a short
 * while; call bgp_engine_destroy() once bgp_engine_is_stopped(). */
void bgp_engine_stop(struct bgp_engine *, bool graceful, const char *message);
bool bgp_engine_is_stopped(const struct bgp_engine *);
void bgp_engine_destroy(struct bgp_engine *);

/* The route set. */
void bgp_engine_announce(struct bgp_engine *, const struct bgp_prefix *);
void bgp_engine_withdraw(struct bgp_engine *, const struct bgp_prefix *);
/* About 'n' more prefixes are coming (a large batch): make room at once
 * rather than growing step by step. */
void bgp_engine_reserve(struct bgp_engine *, size_t n);
/* The set is complete: the initial table and End-of-RIB may go out. */
void bgp_engine_set_complete(struct bgp_engine *);
size_t bgp_engine_n_routes(const struct bgp_engine *);

/* A read-only snapshot of one peer, for status output. */
struct bgp_peer_status {
    char name[64];                  /* "ADDR" or "[ADDR]:PORT". */
    uint32_t as;
    const char *state;              /* "Established", ... */
    time_t since;                   /* Wall clock of the last change. */
    unsigned int flaps;             /* Times it left Established. */
    char last_error[160];           /* Why it last went down, or "". */
    uint16_t hold_time, keepalive;  /* Negotiated. */
    char caps[128];                 /* Negotiated capabilities. */
    uint64_t msgs_sent, msgs_received;
    uint64_t updates_sent, updates_received;
    uint64_t prefixes_sent;         /* In the adj-RIB-out now. */
    uint64_t prefixes_received;     /* Announced by the peer, counted. */
    uint64_t bytes_sent;
    bool eor_sent;
    bool dial_held;                 /* Not dialed until the set is complete;
                                     * its own connection is accepted. */
    bool table_held;                /* Established, the table withheld
                                     * until the set is complete. */
};

/* Fills up to 'n' entries; returns the number of peers. */
size_t bgp_engine_get_status(const struct bgp_engine *,
                             struct bgp_peer_status *, size_t n);

#endif /* bgp/engine.h */
