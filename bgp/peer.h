/*
 * Inside the BGP engine (engine.h): the structures its files share and the
 * functions they call of one another.  Not for use outside bgp/.
 *
 * Where things are:
 *   engine.c        the public API: the route set, start and stop, status
 *   peer.c          a peer's life: created from its settings, destroyed;
 *                   its session (the state machine's callbacks, OPEN,
 *                   KEEPALIVE and NOTIFICATION out, every message in)
 *   fsm.c           where a session's state changes, and only there
 *   connection.c    sockets: dialing, listening and accepting, TCP MD5 and
 *                   TTL, reading and framing, connection collisions
 *   update-pump.c   the adj-RIB-out (rib.h) turned into UPDATEs, lazily,
 *                   as the peer's socket drains
 */
#ifndef BGP_PEER_H
#define BGP_PEER_H 1

#include <event2/util.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "bgp/buf.h"
#include "bgp/engine.h"
#include "bgp/fsm.h"
#include "bgp/wire.h"

struct bgp_rib;
struct bufferevent;
struct event;
struct event_base;
struct evconnlistener;

/* The update pump fills a peer's output up to this many bytes. */
#define OUT_HIGH (64 * 1024)

/* One TCP connection with a peer. */
struct conn {
    struct bgp_peer *peer;
    struct bufferevent *bev;
    bool outgoing;              /* We initiated it. */
    bool connected;
    bool open_sent;             /* Our OPEN is out on it. */
    bool restarted;             /* Accepted while Established from a peer
                                 * with graceful restart: its OPEN replaces
                                 * the session (RFC 4724 section 4.2). */
    struct sockaddr_storage local;
};

/* One of a peer's timers: its expiry is an event of the state machine. */
struct timer {
    struct event *ev;
    struct bgp_peer *peer;
    enum bgp_timer which;
};

struct bgp_peer {
    struct bgp_engine *engine;
    unsigned int index;         /* In the engine's peers, and the RIB's. */
    struct bgp_peer_config cfg;
    char *password;
    char name[64];
    bool ibgp;

    struct bgp_fsm fsm;
    struct conn *conn;          /* The session's connection. */
    struct conn *coll;          /* A second, incoming one (collision). */
    struct timer timers[BGP_TIMER_N];
    struct event *work;         /* Deferred: fill output, read more. */
    struct event *failed;       /* Deferred: a connect failed at once. */
    bool first_open;            /* No session yet since start (R bit). */
    uint8_t refresh_afs;        /* Families the peer asked to refresh. */

    /* Negotiated. */
    struct bgp_wire_opts wopts;
    uint8_t families;           /* Bitmap of enum bgp_af. */
    struct bgp_attrs attrs;
    uint32_t as_path[1];

    /* The adj-RIB-out is the RIB's: see rib.h. */
    bool table_started;         /* The initial table may go out. */
    bool eor_sent;
    struct bgp_writer writer;

    /* Status. */
    time_t since;
    unsigned int flaps;
    char last_error[160];
    uint64_t msgs_sent, msgs_received;
    uint64_t updates_sent, updates_received;
    uint64_t prefixes_received;
    uint64_t bytes_sent;
};

struct bgp_engine {
    struct event_base *base;
    struct bgp_engine_config cfg;
    struct bgp_rib *rib;        /* The Loc-RIB, and each peer's
                                 * adj-RIB-out. */
    bool complete;              /* The owner's route set is complete. */
    struct event *deferral;
    struct bgp_peer **peers;
    size_t n_peers;
    struct evconnlistener *listeners[2];
    size_t n_listeners;
    struct event *listen_resume;  /* Listening again after accept failed. */
    bool running;               /* Started, not stopped. */
    bool stopped;
};

/* peer.c: a peer's life and its session. */
struct bgp_peer *peer_create(struct bgp_engine *,
                             const struct bgp_peer_config *,
                             unsigned int index);
void peer_start(struct bgp_peer *);
bool peer_reconfigure(struct bgp_peer *, const struct bgp_peer_config *);
void peer_destroy(struct bgp_peer *);
void peer_set_error(struct bgp_peer *, const char *format, ...)
    __attribute__((__format__(__printf__, 2, 3)));
void peer_handle_message(struct conn *, const struct bgp_msg *);
void peer_protocol_error(struct bgp_peer *, const struct bgp_notification *);
void peer_send_open_on(struct bgp_peer *, struct conn *);
void peer_send_notification_on(struct bgp_peer *, struct conn *,
                               const struct bgp_notification *);
void peer_set_timer(struct bgp_fsm *, enum bgp_timer, unsigned seconds);

/* connection.c: sockets and connections. */
void format_addr(const struct sockaddr_storage *, char *buf, size_t size);
bool same_host(const struct sockaddr_storage *, const struct sockaddr *);
void conn_dial(struct bgp_fsm *);          /* The FSM's 'connect'. */
void conn_close_all(struct bgp_fsm *);     /* The FSM's 'close'. */
void conn_free(struct conn *, bool flush);
void conn_send(struct conn *, const struct bgp_writer *);
bool conn_process_input(struct conn *);
void conn_connect_failed_cb(evutil_socket_t, short, void *peer);
void conn_resolve_collision(struct bgp_peer *, const struct bgp_open *);
bool conn_promote_collision(struct bgp_peer *);
int listener_open(struct bgp_engine *, const struct sockaddr_storage *,
                  const char **error);
void listener_resume_cb(evutil_socket_t, short, void *engine);
void listener_set_md5(struct bgp_engine *, const struct sockaddr_storage *,
                      const char *password);

/* update-pump.c: the adj-RIB-out to UPDATEs. */
void peer_schedule_work(struct bgp_peer *);
void peer_start_table(struct bgp_peer *);
void peer_forget(struct bgp_peer *);
void peer_work_cb(evutil_socket_t, short, void *peer);

/* engine.c */
struct bgp_peer *engine_find_peer(const struct bgp_engine *,
                                  const struct sockaddr *);

#endif /* bgp/peer.h */
