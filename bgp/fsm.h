/*
 * The BGP session state machine (RFC 4271 section 8), with nothing of
 * sockets or time in it: events go in through bgp_fsm_event(), and every
 * effect comes out through the callbacks in struct bgp_fsm_ops (send this
 * message, arm that timer, connect, close).  Timers and I/O only raise
 * events, so tests drive the whole machine with no network.
 *
 * Every side effect of entering a state lives in one place,
 * change_state() in fsm.c, and only the machine writes its state: the
 * owner raises events (BGP_EV_TCP_REPLACED when a session moves to another
 * connection), never sets 'state'.  Entering a state stops every timer
 * that the state does not run.
 */
#ifndef BGP_FSM_H
#define BGP_FSM_H 1

#include <stdbool.h>
#include <stdint.h>

#include "bgp/wire.h"

enum bgp_state {
    BGP_ST_IDLE,
    BGP_ST_CONNECT,
    BGP_ST_ACTIVE,
    BGP_ST_OPENSENT,
    BGP_ST_OPENCONFIRM,
    BGP_ST_ESTABLISHED,
};

const char *bgp_state_name(enum bgp_state);

enum bgp_timer {
    BGP_TIMER_CONNECT_RETRY,
    BGP_TIMER_HOLD,
    BGP_TIMER_KEEPALIVE,
    BGP_TIMER_IDLE_HOLD,        /* Automatic restart after Idle. */
    BGP_TIMER_SEND_HOLD,        /* RFC 9687: the peer stopped reading. */
    BGP_TIMER_STABLE,           /* Established long enough: the restart
                                 * delay starts again from its minimum. */
    BGP_TIMER_N
};

const char *bgp_timer_name(enum bgp_timer);

enum bgp_event {
    BGP_EV_START,               /* Manual or automatic start. */
    BGP_EV_STOP,                /* Manual stop: Cease, no restart. */
    BGP_EV_CONNECT_RETRY_EXPIRED,
    BGP_EV_HOLD_EXPIRED,
    BGP_EV_KEEPALIVE_EXPIRED,
    BGP_EV_IDLE_HOLD_EXPIRED,
    BGP_EV_SEND_HOLD_EXPIRED,
    BGP_EV_STABLE_EXPIRED,
    BGP_EV_TCP_CONNECTED,       /* The session has a connection: its own,
                                 * or in Idle waiting to restart, one the
                                 * peer opened (the owner accepted it). */
    BGP_EV_TCP_REPLACED,        /* The session goes on over another
                                 * connection the peer opened: the peer's
                                 * side of a collision (from OpenSent or
                                 * OpenConfirm), or a peer with graceful
                                 * restart that came back while the old
                                 * session looked Established (RFC 4724
                                 * section 4.2).  Back to OpenSent, with
                                 * our OPEN out on the new connection. */
    BGP_EV_TCP_FAILED,          /* Connect failed or connection lost. */
    BGP_EV_OPEN,                /* 'arg': const struct bgp_open *. */
    BGP_EV_KEEPALIVE,
    BGP_EV_UPDATE,
    BGP_EV_ROUTE_REFRESH,
    BGP_EV_NOTIFICATION,        /* 'arg': the received notification. */
    BGP_EV_PROTOCOL_ERROR,      /* 'arg': the notification to send. */
};

const char *bgp_event_name(enum bgp_event);

struct bgp_fsm;

/* What the machine asks of its owner. */
struct bgp_fsm_ops {
    /* Starts a connection to the peer; the owner answers later with
     * BGP_EV_TCP_CONNECTED or BGP_EV_TCP_FAILED. */
    void (*connect)(struct bgp_fsm *);
    /* Closes the connection, if any (nothing more is sent on it). */
    void (*close)(struct bgp_fsm *);
    void (*send_open)(struct bgp_fsm *);
    void (*send_keepalive)(struct bgp_fsm *);
    void (*send_notification)(struct bgp_fsm *,
                              const struct bgp_notification *);
    /* Arms 'timer' to fire in 'seconds', or stops it if 'seconds' is 0. */
    void (*set_timer)(struct bgp_fsm *, enum bgp_timer, unsigned seconds);
    /* The session reached Established, or left it (after 'old' state). */
    void (*established)(struct bgp_fsm *);
    void (*state_changed)(struct bgp_fsm *, enum bgp_state old,
                          const char *reason);
};

struct bgp_fsm {
    enum bgp_state state;
    const struct bgp_fsm_ops *ops;
    void *aux;                  /* The owner's. */

    /* Configuration. */
    bool passive;               /* Never connect; wait for the peer. */
    bool hold_dial;             /* Like passive until bgp_fsm_dial(). */
    uint16_t hold_time;         /* Ours: 0, or 3 and more. */
    unsigned int connect_retry; /* Seconds between attempts. */
    unsigned int idle_hold_min; /* Restart delay, doubled on each failure */
    unsigned int idle_hold_max; /* up to this, */
    unsigned int stable_time;   /* and back to the minimum once a session
                                 * has stayed Established this long. */

    /* State. */
    bool stopped;               /* Manually stopped: no restart. */
    unsigned int idle_hold;     /* Current restart delay. */
    uint16_t neg_hold_time;     /* Negotiated. */
    struct bgp_open peer_open;  /* The peer's OPEN, from OpenConfirm on. */
    struct bgp_notification last_sent;
    struct bgp_notification last_received;
};

void bgp_fsm_init(struct bgp_fsm *, const struct bgp_fsm_ops *, void *aux);
void bgp_fsm_event(struct bgp_fsm *, enum bgp_event, const void *arg);

/* Ends 'hold_dial': a machine waiting without a connection (Active, or
 * Idle before its automatic restart) connects now, with no connect-retry
 * or idle-hold wait; one that has a connection goes on with it.  Returns
 * true if it connects now. */
bool bgp_fsm_dial(struct bgp_fsm *, const char *reason);

/* The negotiated keepalive interval: hold time / 3, or 0. */
unsigned int bgp_fsm_keepalive_interval(const struct bgp_fsm *);

#endif /* bgp/fsm.h */
